// Only admins change global settings (security.md): the first user to sign in
// is the admin and can save Global; anyone else sees it read-only, with why,
// and the service refuses their PUT too.

import assert from 'node:assert/strict'
import { test } from '@playwright/test'
import { startHarness } from './support/harness.mjs'
import { byId, login, openGlobal, openSettings, save, textOf, waitForText } from './support/app.mjs'

test.describe('global settings for admins only', () => {
  let h
  test.beforeAll(async ({ browser }) => {
    h = await startHarness(browser)
  })
  test.afterAll(async () => {
    await h?.close()
  })

  test('the first user edits Global; a later user sees it read-only', async () => {
    const admin = await h.newPage()
    await login(admin, h.url, 'first-admin')
    await openSettings(admin)
    await openGlobal(admin)
    assert.equal(await byId(admin, 'read-only-global').count(), 0)
    await byId(admin, 'input-global.workflow.copilot_polling_interval').fill('90')
    await save(admin, 'global')

    const guest = await h.newPage()
    await login(guest, h.url, 'guest-user')
    await openSettings(guest)
    await openGlobal(guest)
    await waitForText(guest, 'read-only-global', 'Only admins can change this.')
    // Readable, but every control is disabled and there is nothing to save.
    const interval = byId(guest, 'input-global.workflow.copilot_polling_interval')
    assert.equal(await interval.inputValue(), '90')
    assert.equal(await interval.isDisabled(), true)
    assert.equal(await byId(guest, 'input-global.ai.provider').isDisabled(), true)
    assert.equal(await byId(guest, 'save-global').count(), 0)
    assert.match(await textOf(guest, 'global-warning'), /every user/)

    // The service says the same to a PUT sent by hand from the guest's session.
    const status = await guest.evaluate(async () => {
      const reply = await fetch('/api/v1/settings/global', {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ workflow: { copilot_polling_interval: 5 } }),
      })
      return reply.status
    })
    assert.equal(status, 403)
    await guest.reload()
    await openSettings(guest)
    await openGlobal(guest)
    assert.equal(await byId(guest, 'input-global.workflow.copilot_polling_interval').inputValue(), '90')
  })
})
