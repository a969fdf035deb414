// One end-to-end setup per test file: the page server and the real service on
// a fresh temporary database. The browser is @playwright/test's (Debian's
// Chromium, see playwright.config.ts); each test gets a fresh context.
// close() ends everything and is safe to call after a failed start.

import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startPageServer } from './page-server.mjs'
import { startService } from './service.mjs'

export const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const DIST_DIR = join(WEB_DIR, 'dist')
export const RESULTS_DIR = join(WEB_DIR, 'test-results')
/** The pictures web/README.md shows (light, dark, phone), rewritten by every run. */
export const SCREENSHOTS_DIR = join(WEB_DIR, 'docs', 'screenshots')
/**
 * @param {import('@playwright/test').Browser} browser the worker's browser (the `browser` fixture)
 * @param {{ env?: Record<string,string> }} [options] extra service environment, kept across restarts
 */
export async function startHarness(browser, { env = {} } = {}) {
  const cleanups = []
  // Contexts a failed test left open are closed with the rest.
  const contexts = []
  cleanups.push(() => Promise.all(contexts.map((c) => c.close().catch(() => {}))))
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

    let service = await startService({ databasePath, frontendUrl: pageServer.url, env })
    cleanups.push(() => service?.stop())
    pageServer.setTarget(service.port)

    return {
      url: pageServer.url,
      browser,
      databasePath,
      serviceLog: () => service?.log() ?? '',
      /** A page in a fresh context (own cookies and localStorage). */
      async newPage({ width = 1280, height = 900 } = {}) {
        const context = await browser.newContext({ viewport: { width, height } })
        contexts.push(context)
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
        service = await startService({ databasePath, frontendUrl: pageServer.url, env })
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
