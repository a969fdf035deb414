// One end-to-end setup per test file: the page server, the real service on a
// fresh temporary database, and headless Chromium (Debian's /usr/bin/chromium
// through playwright-core). Each test gets a fresh browser context. close()
// ends everything and is safe to call after a failed start.

import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { startPageServer } from './page-server.mjs'
import { startService } from './service.mjs'

export const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const DIST_DIR = join(WEB_DIR, 'dist')
export const RESULTS_DIR = join(WEB_DIR, 'test-results')
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
]

export async function startHarness() {
  const cleanups = []
  const close = async () => {
    // Newest first; one failing step does not stop the others.
    while (cleanups.length) {
      const cleanup = cleanups.pop()
      try {
        await cleanup()
      } catch (error) {
        console.error('cleanup failed:', error)
      }
    }
  }

  try {
    await stat(join(DIST_DIR, 'index.html')).catch(() => {
      throw new Error(`${DIST_DIR}/index.html is missing: run "vite build" (npm run test:e2e does)`)
    })
    const tmp = await mkdtemp(join(tmpdir(), 'settings-web-e2e-'))
    cleanups.push(() => rm(tmp, { recursive: true, force: true }))
    await mkdir(join(tmp, 'data'))
    const databasePath = join(tmp, 'data', 'settings.db')

    const pageServer = await startPageServer(DIST_DIR)
    cleanups.push(() => pageServer.close())

    let service = await startService({ databasePath, frontendUrl: pageServer.url })
    cleanups.push(() => service?.stop())
    pageServer.setTarget(service.port)

    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
    cleanups.push(() => browser.close())

    return {
      url: pageServer.url,
      browser,
      databasePath,
      serviceLog: () => service?.log() ?? '',
      /** A page in a fresh context (own cookies and localStorage). */
      async newPage({ width = 1280, height = 900 } = {}) {
        const context = await browser.newContext({ viewport: { width, height } })
        context.setDefaultTimeout(10_000)
        const page = await context.newPage()
        page.on('pageerror', (error) => console.error('page error:', error))
        return page
      },
      /** SIGTERM and wait for the exit; API calls then get 502 from the page server. */
      async stopService() {
        pageServer.setTarget(null)
        await service?.stop()
        service = null
      },
      async startService() {
        service = await startService({ databasePath, frontendUrl: pageServer.url })
        pageServer.setTarget(service.port)
      },
      /** Stops the service and starts it again on the same database (the port may change). */
      async restartService() {
        await this.stopService()
        await this.startService()
      },
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}
