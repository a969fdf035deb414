// Revisions, conflicts, history and live changes (revisions.md), through the
// real service: a change made elsewhere shows in an open page without a
// reload (the theme included), a stale save gets the conflict view and "Keep
// mine" saves it, and the History lists changes and restores a value.
//
// What the service must do for these to pass: ETag / If-Match / 412 with
// `current` on PUT /settings/user, GET /settings/history, and
// GET /settings/events sending `event: settings` for global changes and for
// the user's own changes from any session.

import assert from 'node:assert/strict'
import { expect, test } from '@playwright/test'
import { startHarness } from './support/harness.mjs'
import { byId, eventually, htmlTheme, login, openGlobal, openSettings, save, textOf, waitForSettings } from './support/app.mjs'

const ASSIGNEE = 'input-workflow.default_assignee'

/** Marks the document; still marked later means the page was not reloaded. */
async function markDocument(page) {
  await page.evaluate(() => {
    window.__notReloaded = true
  })
}

async function stillSameDocument(page) {
  return page.evaluate(() => window.__notReloaded === true)
}

/** The rows of a History panel ("history-<id>"), newest first, as the page words them. */
function historyRows(page, id) {
  return byId(page, `history-${id}`)
    .getByTestId('history-entry')
    .evaluateAll((rows) =>
      rows.map((row) => {
        const text = (testid) => (row.querySelector(`[data-testid="${testid}"]`)?.textContent ?? '').trim()
        return {
          field: row.dataset.field,
          scope: row.dataset.scope,
          who: text('history-who'),
          label: text('history-field'),
          change: `${text('history-old')} → ${text('history-new')}`,
          title: row.querySelector('time')?.getAttribute('title') ?? '',
        }
      }),
    )
}

test.describe('live changes, conflicts and history', () => {
  let h
  test.beforeAll(async ({ browser }) => {
    h = await startHarness(browser)
  })
  test.afterAll(async () => {
    await h?.close()
  })

  test('a new global theme reaches an open page whose theme is inherited, without a reload', async () => {
    // The first user to sign in is the admin (security.md).
    const admin = await h.newPage()
    await login(admin, h.url, 'live-admin')
    await openSettings(admin)

    const user = await h.newPage()
    await login(user, h.url, 'live-viewer')
    await openSettings(user)
    assert.equal(await htmlTheme(user), 'light')
    assert.equal(await textOf(user, 'source-display.theme'), 'Inherited from global')
    await markDocument(user)

    await openGlobal(admin)
    await byId(admin, 'input-global.display.theme').selectOption('dark')
    await save(admin, 'global')

    await eventually(() => htmlTheme(user), (t) => t === 'dark', 'the inherited theme to turn dark')
    await expect(byId(user, 'input-display.theme-dark')).toBeChecked()
    assert.equal(await textOf(user, 'source-display.theme'), 'Inherited from global')
    await expect(byId(user, 'live-notice')).toHaveText('Global settings changed.')
    assert.equal(await stillSameDocument(user), true, 'the page was reloaded')

    // Back to light, so later tests start from the default.
    await byId(admin, 'input-global.display.theme').selectOption('light')
    await save(admin, 'global')
    await eventually(() => htmlTheme(user), (t) => t === 'light', 'the inherited theme to turn light again')
    await admin.context().close()
    await user.context().close()
  })

  test('two tabs of one user: a save shows in the other tab; a stale save gets the conflict view and "Keep mine" saves it', async () => {
    const tabA = await h.newPage()
    await login(tabA, h.url, 'two-tabs')
    await openSettings(tabA)
    const context = tabA.context()
    const tabB = await context.newPage()
    await tabB.goto(`${h.url}/#/settings`)
    await waitForSettings(tabB)
    await markDocument(tabB)

    await byId(tabA, ASSIGNEE).fill('alice')
    await save(tabA, 'workflow')
    await expect(byId(tabB, ASSIGNEE)).toHaveValue('alice')
    await expect(byId(tabB, 'live-notice')).toHaveText('Changed in another tab or device.')
    assert.equal(await stillSameDocument(tabB), true, 'tab B was reloaded')
    // The tab that saved took its own change as its own: no notice there.
    assert.equal(await textOf(tabA, 'live-notice'), '')

    // A third tab whose event stream never gets through keeps an old ETag.
    const tabC = await context.newPage()
    await tabC.route('**/api/v1/settings/events**', (route) => route.abort())
    await tabC.goto(`${h.url}/#/settings`)
    await waitForSettings(tabC)
    await expect(byId(tabC, ASSIGNEE)).toHaveValue('alice')
    await byId(tabC, ASSIGNEE).fill('carol')

    await byId(tabA, ASSIGNEE).fill('dave')
    await save(tabA, 'workflow')
    await expect(byId(tabB, ASSIGNEE)).toHaveValue('dave')

    const refused = tabC.waitForResponse(
      (r) => r.request().method() === 'PUT' && new URL(r.url()).pathname === '/api/v1/settings/user',
    )
    await byId(tabC, 'save-workflow').click()
    const first = await refused
    assert.equal(first.status(), 412)
    const staleTag = first.request().headers()['if-match']
    assert.ok(staleTag, 'the save sent If-Match')

    const panel = byId(tabC, 'conflict-workflow')
    await expect(panel).toBeVisible()
    await expect(byId(tabC, 'conflict-mine-workflow.default_assignee')).toHaveText('carol')
    await expect(byId(tabC, 'conflict-theirs-workflow.default_assignee')).toHaveText('dave')
    // Focus is on the panel, so a keyboard or screen-reader user is told.
    await eventually(
      () => tabC.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? ''),
      (id) => id === 'conflict-workflow',
      'focus on the conflict panel',
    )
    await expect(byId(tabC, ASSIGNEE)).toHaveValue('carol')

    const resent = tabC.waitForResponse(
      (r) => r.request().method() === 'PUT' && new URL(r.url()).pathname === '/api/v1/settings/user',
    )
    await byId(tabC, 'keep-mine-workflow').click()
    const second = await resent
    assert.equal(second.status(), 200)
    assert.notEqual(second.request().headers()['if-match'], staleTag, 'Keep mine sends the new ETag')
    assert.deepEqual(second.request().postDataJSON(), { workflow: { default_assignee: 'carol' } })
    await expect(byId(tabC, 'status-workflow')).toHaveText(/Saved/)
    await expect(panel).toHaveCount(0)

    // Everyone now sees "carol", without a reload.
    await expect(byId(tabA, ASSIGNEE)).toHaveValue('carol')
    await expect(byId(tabB, ASSIGNEE)).toHaveValue('carol')
    await tabC.reload()
    await waitForSettings(tabC)
    await expect(byId(tabC, ASSIGNEE)).toHaveValue('carol')
    await context.close()
  })

  test('History lists changes newest first and "Restore this value" puts an old value back', async () => {
    const page = await h.newPage()
    await login(page, h.url, 'history-user')
    await openSettings(page)
    await byId(page, 'input-ai.temperature').fill('1.1')
    await save(page, 'ai')
    await byId(page, 'input-ai.temperature').fill('1.5')
    await save(page, 'ai')

    await byId(page, 'history-toggle-ai').click()
    const rows = await eventually(() => historyRows(page, 'ai'), (r) => r.length === 2, 'two entries in the AI history')
    assert.deepEqual(
      rows.map(({ field, who, label, change }) => ({ field, who, label, change })),
      [
        { field: 'ai.temperature', who: 'history-user', label: 'Temperature', change: '1.1 → 1.5' },
        { field: 'ai.temperature', who: 'history-user', label: 'Temperature', change: 'inherited → 1.1' },
      ],
    )
    assert.ok(rows[0].title.length > 0, 'the absolute time is in the title')

    // Restore 1.1 (the old value of the newest entry): a normal PUT, itself recorded.
    const entries = byId(page, 'history-ai').getByTestId('history-entry')
    await entries.nth(0).getByTestId('history-restore').click()
    await expect(byId(page, 'history-status-ai')).toHaveText('Restored Temperature to 1.1.')
    await expect(byId(page, 'value-ai.temperature')).toHaveText('1.10')
    await eventually(
      () => historyRows(page, 'ai').then((r) => r.map((row) => row.change)),
      (changes) => changes.join(' | ') === '1.5 → 1.1 | 1.1 → 1.5 | inherited → 1.1',
      'the restore in the history',
    )

    // Restore "inherited" (the oldest entry's old value): back to the global default.
    await entries.nth(2).getByTestId('history-restore').click()
    await expect(byId(page, 'history-status-ai')).toHaveText('Restored Temperature to inherited.')
    await expect(byId(page, 'source-ai.temperature')).toHaveText('Inherited from global')

    // The whole page's history has them too, labelled, with who made them.
    await byId(page, 'history-toggle-page').click()
    const all = await eventually(
      () => historyRows(page, 'page'),
      (r) => r.filter((row) => row.field === 'ai.temperature' && row.scope === 'user').length === 4,
      'the whole-page history',
    )
    assert.deepEqual(
      all.filter((row) => row.field === 'ai.temperature' && row.scope === 'user').map((row) => row.change),
      ['1.1 → inherited', '1.5 → 1.1', '1.1 → 1.5', 'inherited → 1.1'],
    )

    // And the restored value survives a reload.
    await page.reload()
    await waitForSettings(page)
    await expect(byId(page, 'source-ai.temperature')).toHaveText('Inherited from global')
    await page.context().close()
  })
})
