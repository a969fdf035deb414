// Signing in and out, the login screen, the signed-out theme (localStorage),
// and a service restart in the middle of a session.

import assert from 'node:assert/strict'
import { test } from '@playwright/test'
import { startHarness } from './support/harness.mjs'
import { byId, htmlTheme, login, openSettings, reloadSettings, save, textOf, waitForSettings, waitForText } from './support/app.mjs'

test.describe('session', () => {
  let h
  test.beforeAll(async ({ browser }) => {
    h = await startHarness(browser)
  })
  test.afterAll(async () => {
    await h?.close()
  })

  test('signs in with dev login, lands on the default view, and logs out', async () => {
    const page = await h.newPage()
    await page.goto(`${h.url}/#/settings`)
    // Settings while signed out: the login screen.
    await byId(page, 'login').waitFor()
    assert.equal(await byId(page, 'view-settings').count(), 0)
    assert.equal(await byId(page, 'github-login').getAttribute('href'), '/api/v1/auth/github')
    assert.equal(await page.getByLabel('Username').count(), 1)

    const sent = page.waitForRequest((r) => r.url().endsWith('/api/v1/auth/dev-login'))
    await byId(page, 'dev-login-username').fill('octocat')
    await byId(page, 'dev-login-submit').click()
    await waitForText(page, 'user-name', 'octocat')
    const request = await sent
    assert.deepEqual(JSON.parse(request.postData() ?? ''), { username: 'octocat' })
    assert.equal(request.headers()['content-type'], 'application/json')
    // The global default view is chat.
    await byId(page, 'view-chat').waitFor()
    assert.equal(await byId(page, 'nav-chat').getAttribute('aria-current'), 'page')
    assert.match(await textOf(page, 'product-name'), /\w/)
    const cookies = await page.context().cookies()
    assert.equal(cookies.find((c) => c.name === 'session_id')?.httpOnly, true)

    const logout = page.waitForRequest((r) => r.url().endsWith('/api/v1/auth/logout'))
    await byId(page, 'logout').click()
    assert.equal((await logout).postData(), '{}')
    await byId(page, 'login').waitFor()
    assert.equal(await byId(page, 'user-name').count(), 0)
    await page.reload()
    await byId(page, 'login').waitFor()
    await page.context().close()
  })

  test('keeps a view the user opened while the settings were loading', async () => {
    const page = await h.newPage()
    await page.goto(h.url)
    // Hold the first settings load until the user has moved on.
    let release
    const held = new Promise((resolve) => (release = resolve))
    let holding = true
    await page.route('**/api/v1/settings/user', async (route) => {
      if (holding) {
        holding = false
        await held
      }
      await route.continue()
    })
    await byId(page, 'dev-login-username').fill('early-clicker')
    await byId(page, 'dev-login-submit').click()
    await waitForText(page, 'user-name', 'early-clicker')
    await byId(page, 'nav-board').click()
    await byId(page, 'view-board').waitFor()

    const loaded = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/settings/user')
    release()
    assert.equal((await loaded).status(), 200)
    // The default view (chat) would have replaced the board right after the load.
    await page.locator('main[data-phase="ready"]').waitFor()
    assert.equal(await byId(page, 'view-board').isVisible(), true)
    assert.equal(await byId(page, 'view-chat').count(), 0)
    await page.context().close()
  })

  test('keeps Settings (loaded on first use) when it was opened while the settings were loading', async () => {
    const page = await h.newPage()
    await page.goto(h.url)
    let release
    const held = new Promise((resolve) => (release = resolve))
    let holding = true
    await page.route('**/api/v1/settings/user', async (route) => {
      if (holding) {
        holding = false
        await held
      }
      await route.continue()
    })
    await byId(page, 'dev-login-username').fill('settings-clicker')
    await byId(page, 'dev-login-submit').click()
    await waitForText(page, 'user-name', 'settings-clicker')
    const chunk = page.waitForResponse((r) => /SettingsView-.*\.js$/.test(new URL(r.url()).pathname))
    await byId(page, 'nav-settings').click()
    await chunk
    release()
    await page.locator('main[data-phase="ready"]').waitFor()
    await waitForSettings(page)
    assert.equal(await byId(page, 'view-chat').count(), 0)
    await page.context().close()
  })

  test('shows why a dev login was refused', async () => {
    const page = await h.newPage()
    await page.goto(h.url)
    await byId(page, 'dev-login-submit').click()
    await waitForText(page, 'dev-login-error', 'Enter a username.')
    // Past the input's own limit, the service's 422 is shown.
    await byId(page, 'dev-login-username').evaluate((el) => el.removeAttribute('maxlength'))
    await byId(page, 'dev-login-username').fill('x'.repeat(40))
    await byId(page, 'dev-login-submit').click()
    await waitForText(page, 'dev-login-error', /at most 39 characters/)
    assert.equal(await byId(page, 'user-name').count(), 0)
    await page.context().close()
  })

  test('keeps the theme in localStorage while signed out (light without one)', async () => {
    const page = await h.newPage()
    await page.goto(h.url)
    await byId(page, 'login').waitFor()
    assert.equal(await htmlTheme(page), 'light')
    assert.equal(await byId(page, 'theme-toggle').getAttribute('aria-pressed'), 'false')

    await byId(page, 'theme-toggle').click()
    assert.equal(await htmlTheme(page), 'dark')
    assert.equal(await page.evaluate(() => localStorage.getItem('settings.theme')), 'dark')
    await page.reload()
    await byId(page, 'login').waitFor()
    assert.equal(await htmlTheme(page), 'dark')
    assert.equal(await byId(page, 'theme-toggle').getAttribute('aria-pressed'), 'true')

    // A stored preference set by other means is honoured too.
    await page.evaluate(() => localStorage.setItem('settings.theme', 'light'))
    await page.reload()
    await byId(page, 'login').waitFor()
    assert.equal(await htmlTheme(page), 'light')
    await page.context().close()
  })

  test('stays signed in with settings intact across a service restart; edits survive an outage', async () => {
    const page = await h.newPage()
    await login(page, h.url, 'restart-user')
    await openSettings(page)
    await byId(page, 'input-workflow.default_assignee').fill('hubot')
    await save(page, 'workflow')

    await h.restartService()
    await reloadSettings(page)
    await waitForText(page, 'user-name', 'restart-user')
    assert.equal(await byId(page, 'input-workflow.default_assignee').inputValue(), 'hubot')
    assert.equal(await textOf(page, 'source-workflow.default_assignee'), 'Your setting')

    // The service goes away: saving fails with a message and the edit stays.
    await h.stopService()
    await byId(page, 'input-notifications.agent_completion').uncheck()
    await byId(page, 'save-notifications').click()
    await waitForText(page, 'status-notifications', /Can't reach the settings service/)
    assert.equal(await byId(page, 'input-notifications.agent_completion').isChecked(), false)
    assert.equal(await textOf(page, 'dirty-notifications.agent_completion'), 'Unsaved')
    // The theme still changes, kept on this device.
    await byId(page, 'theme-toggle').click()
    assert.equal(await htmlTheme(page), 'dark')
    await waitForText(page, 'theme-note', /this device only.*when the service is back/)
    await byId(page, 'retry-notifications').waitFor()

    // Back again: the same edit saves with "Try again", still in the same
    // session, and the theme chosen meanwhile is sent too (not overwritten).
    await h.startService()
    await byId(page, 'retry-notifications').click()
    await waitForText(page, 'status-notifications', /Saved/)
    await waitForText(page, 'theme-note', 'Theme saved now that the service is back.')
    await page.evaluate(() => localStorage.clear())
    await reloadSettings(page)
    assert.equal(await byId(page, 'input-notifications.agent_completion').isChecked(), false)
    assert.equal(await byId(page, 'input-workflow.default_assignee').inputValue(), 'hubot')
    assert.equal(await htmlTheme(page), 'dark')
    await page.context().close()
  })

  test("says it can't reach the service when it is stopped, and recovers with Try again", async () => {
    const page = await h.newPage()
    await login(page, h.url, 'outage-user')
    await openSettings(page)
    await h.stopService()
    await page.reload()
    await waitForText(page, 'unreachable-message', "Can't reach the settings service.")
    // Never the proxy's status line.
    assert.doesNotMatch(await textOf(page, 'unreachable'), /50\d|answered/)
    await h.startService()
    await byId(page, 'unreachable-retry').click()
    await waitForSettings(page)
    await waitForText(page, 'user-name', 'outage-user')
    await page.context().close()
  })
})
