// End-to-end tests: @playwright/test drives Debian's Chromium (no browser is
// downloaded) against the built page and a real settings-service that each
// test file starts on its own temporary database (e2e/support/harness.mjs).
// One worker: the machine has two cores and the service needs one.

import { defineConfig } from '@playwright/test'

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

export default defineConfig({
  testDir: 'e2e',
  testMatch: /.*\.test\.mjs$/,
  outputDir: 'test-results/artifacts',
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 900 },
    actionTimeout: 10_000,
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
})
