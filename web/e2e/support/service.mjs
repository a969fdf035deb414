// Starts the real settings-service as a child process, the way
// tests/service/conftest.py does: free port (PORT=0), temporary database,
// dev login on; the port is read from "listening on http://127.0.0.1:PORT".

import { spawn } from 'node:child_process'
import { access, constants } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

export const SERVICE_BINARY = process.env.SETTINGS_SERVICE_BINARY
  ? resolve(process.cwd(), process.env.SETTINGS_SERVICE_BINARY)
  : resolve(WEB_DIR, '..', 'build', 'service', 'settings-service')

// Every child still running when this process exits is killed, whatever
// happened before (a failed assertion, an exception in a hook).
const live = new Set()
process.on('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL')
    } catch {
      // already gone
    }
  }
})

export async function checkBinary() {
  try {
    await access(SERVICE_BINARY, constants.X_OK)
  } catch {
    throw new Error(
      `settings-service not found at ${SERVICE_BINARY}: build it first or set SETTINGS_SERVICE_BINARY`,
    )
  }
}

/**
 * @param {{ databasePath: string, frontendUrl: string, env?: Record<string,string> }} options
 * @returns {Promise<{ port: number, log: () => string, stop: () => Promise<number|null> }>}
 */
export async function startService({ databasePath, frontendUrl, env = {} }) {
  await checkBinary()
  const child = spawn(SERVICE_BINARY, [], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      DATABASE_PATH: databasePath,
      PORT: '0',
      DEV_LOGIN: '1',
      LOG_LEVEL: 'info',
      FRONTEND_URL: frontendUrl,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  live.add(child)
  const lines = []
  const exited = new Promise((resolveExit) => {
    child.once('exit', (code, signal) => {
      live.delete(child)
      resolveExit(code ?? signal)
    })
  })

  const port = await new Promise((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not start in 15 s:\n${lines.join('')}`)), 15_000)
    let buffered = ''
    const onData = (chunk) => {
      const text = chunk.toString()
      lines.push(text)
      buffered += text
      const match = /listening on http:\/\/[^\s]+:(\d+)/.exec(buffered)
      if (match) {
        clearTimeout(timer)
        resolvePort(Number(match[1]))
      }
    }
    child.stderr.on('data', onData)
    child.stdout.on('data', (chunk) => lines.push(chunk.toString()))
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`the service exited (${code}) before listening:\n${lines.join('')}`))
    })
  })

  return {
    port,
    log: () => lines.join(''),
    /** SIGTERM, then wait for the exit (SIGKILL after 10 s). */
    async stop() {
      if (!live.has(child)) return null
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      const code = await exited
      clearTimeout(timer)
      return code
    },
  }
}
