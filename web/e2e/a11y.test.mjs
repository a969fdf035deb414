// Accessibility: axe-core finds no violations on the login page and on the
// Settings page in the light theme, the dark theme and a 390 px phone width.

import assert from 'node:assert/strict'
import { test } from '@playwright/test'
import AxeBuilder from '@axe-core/playwright'
import { startHarness } from './support/harness.mjs'
import { byId, htmlTheme, login, openGlobal, openSettings, waitForText } from './support/app.mjs'

/** The violations as short lines (rule, impact, where), so a failure says what to fix. */
async function violations(page) {
  const results = await new AxeBuilder({ page }).analyze()
  return results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`,
  )
}

test.describe('accessibility (axe)', () => {
  let h
  test.beforeAll(async ({ browser }) => {
    h = await startHarness(browser)
  })
  test.afterAll(async () => {
    await h?.close()
  })

  test('the login page', async () => {
    const page = await h.newPage()
    await page.goto(h.url)
    await byId(page, 'dev-login-form').waitFor()
    assert.deepEqual(await violations(page), [])
    await page.context().close()
  })

  test('Settings in the light and the dark theme', async () => {
    const page = await h.newPage()
    await login(page, h.url, 'axe-user')
    await openSettings(page)
    await openGlobal(page)
    assert.equal(await htmlTheme(page), 'light')
    assert.deepEqual(await violations(page), [])

    await byId(page, 'theme-toggle').click()
    await waitForText(page, 'theme-note', /saved/i)
    assert.equal(await htmlTheme(page), 'dark')
    assert.deepEqual(await violations(page), [])

    // The unsaved-changes dialog, too.
    await byId(page, 'input-workflow.default_assignee').fill('someone')
    await byId(page, 'nav-chat').click()
    await byId(page, 'confirm-dialog').waitFor()
    assert.deepEqual(await violations(page), [])
    await byId(page, 'confirm-dialog-cancel').click()
    await page.context().close()
  })

  test('Settings at 390 px', async () => {
    const page = await h.newPage({ width: 390, height: 844 })
    await login(page, h.url, 'axe-phone-user')
    await openSettings(page)
    assert.deepEqual(await violations(page), [])
    await page.context().close()
  })
})
