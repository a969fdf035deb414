// Every settings section saves (a partial PUT of only what changed), shows a
// confirmation and keeps the value after a reload; 422s are shown at the
// field; reset to default; the unsaved-changes prompt; per-project settings.

import assert from 'node:assert/strict'
import { test } from '@playwright/test'
import { startHarness } from './support/harness.mjs'
import {
  byId,
  login,
  nextRequestBody,
  openGlobal,
  openSettings,
  reloadSettings,
  save,
  textOf,
  waitForText,
} from './support/app.mjs'

test.describe('settings sections', () => {
  let h
  test.beforeAll(async ({ browser }) => {
    // Only admins change global settings; the first user to sign in here is ai-user.
    h = await startHarness(browser, { env: { ADMIN_USERS: 'admin-user' } })
  })
  test.afterAll(async () => {
    await h?.close()
  })

  test('saves the AI section with only its changed fields and keeps them after a reload', async () => {
    const page = await h.newPage()
    await login(page, h.url, 'ai-user')
    await openSettings(page)

    await byId(page, 'input-ai.provider').selectOption('azure_openai')
    await byId(page, 'input-ai.temperature').fill('1.3')
    assert.equal(await textOf(page, 'value-ai.temperature'), '1.30')
    assert.equal(await textOf(page, 'dirty-ai.provider'), 'Unsaved')
    const sent = nextRequestBody(page, 'PUT', '/api/v1/settings/user')
    await save(page, 'ai')
    const { body, headers } = await sent
    assert.deepEqual(body, { ai: { provider: 'azure_openai', temperature: 1.3 } })
    assert.equal(headers['content-type'], 'application/json')
    assert.equal(await textOf(page, 'source-ai.provider'), 'Your setting')
    assert.equal(await textOf(page, 'source-ai.model'), 'Inherited from global')

    await reloadSettings(page)
    assert.equal(await byId(page, 'input-ai.provider').inputValue(), 'azure_openai')
    assert.equal(await byId(page, 'input-ai.temperature').inputValue(), '1.3')
    assert.equal(await textOf(page, 'source-ai.temperature'), 'Your setting')
    await page.context().close()
  })

  test('saves the Display section; the next visit lands on the chosen default view', async () => {
    const page = await h.newPage()
    await login(page, h.url, 'display-user')
    await openSettings(page)
    assert.equal(await byId(page, 'settings-sidebar').isVisible(), true)

    await byId(page, 'input-display.default_view').selectOption('settings')
    await byId(page, 'input-display.sidebar_collapsed').check()
    const sent = nextRequestBody(page, 'PUT', '/api/v1/settings/user')
    await save(page, 'display')
    assert.deepEqual((await sent).body, { display: { default_view: 'settings', sidebar_collapsed: true } })
    await byId(page, 'settings-sidebar').waitFor({ state: 'detached' })

    // A bare address (no #/settings) lands on the default view.
    await page.goto(h.url)
    await byId(page, 'section-display').waitFor()
    assert.equal(await byId(page, 'input-display.default_view').inputValue(), 'settings')
    assert.equal(await byId(page, 'input-display.sidebar_collapsed').isChecked(), true)
    assert.equal(await byId(page, 'settings-sidebar').count(), 0)
    await page.context().close()
  })

  test('saves the Workflow and Notifications sections and keeps them after a reload', async () => {
    const page = await h.newPage()
    await login(page, h.url, 'workflow-user')
    await openSettings(page)

    await byId(page, 'input-workflow.default_repository').fill('octo-org/hello-world')
    await byId(page, 'input-workflow.default_assignee').fill('octocat')
    await byId(page, 'input-workflow.copilot_polling_interval').fill('120')
    const sentWorkflow = nextRequestBody(page, 'PUT', '/api/v1/settings/user')
    await save(page, 'workflow')
    assert.deepEqual((await sentWorkflow).body, {
      workflow: { default_repository: 'octo-org/hello-world', default_assignee: 'octocat', copilot_polling_interval: 120 },
    })

    await byId(page, 'input-notifications.chat_mention').uncheck()
    const sentNotifications = nextRequestBody(page, 'PUT', '/api/v1/settings/user')
    await save(page, 'notifications')
    assert.deepEqual((await sentNotifications).body, { notifications: { chat_mention: false } })

    await reloadSettings(page)
    assert.equal(await byId(page, 'input-workflow.default_repository').inputValue(), 'octo-org/hello-world')
    assert.equal(await byId(page, 'input-workflow.default_assignee').inputValue(), 'octocat')
    assert.equal(await byId(page, 'input-workflow.copilot_polling_interval').inputValue(), '120')
    assert.equal(await byId(page, 'input-notifications.chat_mention').isChecked(), false)
    assert.equal(await byId(page, 'input-notifications.agent_completion').isChecked(), true)
    assert.equal(await textOf(page, 'source-notifications.chat_mention'), 'Your setting')
    assert.equal(await textOf(page, 'source-notifications.agent_completion'), 'Inherited from global')
    await page.context().close()
  })

  test('shows a 422 next to the field it names and keeps the edits', async () => {
    const page = await h.newPage()
    await login(page, h.url, 'invalid-user')
    await openSettings(page)

    await byId(page, 'input-workflow.default_repository').fill('not a repo')
    await byId(page, 'input-workflow.copilot_polling_interval').fill('99999')
    await byId(page, 'save-workflow').click()
    await waitForText(page, 'status-workflow', /Not saved/)
    assert.match(await textOf(page, 'error-workflow.default_repository'), /owner\/repo/)
    assert.match(await textOf(page, 'error-workflow.copilot_polling_interval'), /between 0 and 86400/)
    assert.equal(await byId(page, 'error-workflow.default_assignee').count(), 0)
    // The error is inside the field it names.
    assert.equal(
      await byId(page, 'field-workflow.default_repository').getByTestId('error-workflow.default_repository').count(),
      1,
    )
    assert.equal(await byId(page, 'input-workflow.default_repository').getAttribute('aria-invalid'), 'true')
    assert.equal(await byId(page, 'input-workflow.default_repository').inputValue(), 'not a repo')

    // Correcting the field clears its message; the valid save goes through.
    await byId(page, 'input-workflow.default_repository').fill('octo-org/fixed')
    assert.equal(await byId(page, 'error-workflow.default_repository').count(), 0)
    await byId(page, 'input-workflow.copilot_polling_interval').fill('30')
    await save(page, 'workflow')
    await reloadSettings(page)
    assert.equal(await byId(page, 'input-workflow.default_repository').inputValue(), 'octo-org/fixed')
    await page.context().close()
  })

  test('resets a field to the default: null is sent and the value is inherited again', async () => {
    const page = await h.newPage()
    await login(page, h.url, 'reset-user')
    await openSettings(page)
    await openGlobal(page)
    const globalTemperature = await byId(page, 'input-global.ai.temperature').inputValue()

    await byId(page, 'input-ai.temperature').fill('1.85')
    await save(page, 'ai')
    assert.equal(await textOf(page, 'source-ai.temperature'), 'Your setting')

    await byId(page, 'reset-ai.temperature').click()
    assert.equal(await textOf(page, 'source-ai.temperature'), 'Inherited after saving')
    assert.equal(await byId(page, 'input-ai.temperature').inputValue(), globalTemperature)
    const sent = nextRequestBody(page, 'PUT', '/api/v1/settings/user')
    await save(page, 'ai')
    assert.deepEqual((await sent).body, { ai: { temperature: null } })
    assert.equal(await textOf(page, 'source-ai.temperature'), 'Inherited from global')
    assert.equal(await byId(page, 'reset-ai.temperature').count(), 0)

    await reloadSettings(page)
    assert.equal(await byId(page, 'input-ai.temperature').inputValue(), globalTemperature)
    assert.match(await textOf(page, 'source-ai.temperature'), /Inherited/)
    await page.context().close()
  })

  test('asks before leaving Settings with unsaved changes', async () => {
    const page = await h.newPage()
    await login(page, h.url, 'guard-user')
    await openSettings(page)
    await byId(page, 'input-workflow.default_assignee').fill('someone-else')

    // In-app navigation: the page's own dialog; "Stay" keeps Settings and the edit.
    await byId(page, 'nav-chat').click()
    await byId(page, 'confirm-dialog').waitFor()
    assert.match(await textOf(page, 'confirm-dialog-message'), /unsaved changes/i)
    assert.equal(await page.getByRole('dialog', { name: 'Unsaved changes' }).count(), 1)
    await byId(page, 'confirm-dialog-cancel').click()
    await byId(page, 'confirm-dialog').waitFor({ state: 'detached' })
    assert.equal(await byId(page, 'view-settings').isVisible(), true)
    assert.equal(await byId(page, 'input-workflow.default_assignee').inputValue(), 'someone-else')
    assert.equal(await byId(page, 'nav-settings').getAttribute('aria-current'), 'page')
    // Escape stays too; the browser's back button asks the same question.
    await page.goBack()
    await byId(page, 'confirm-dialog').waitFor()
    await page.keyboard.press('Escape')
    await byId(page, 'confirm-dialog').waitFor({ state: 'detached' })
    assert.equal(await byId(page, 'view-settings').isVisible(), true)

    // Closing or reloading the tab: the browser's beforeunload prompt.
    const beforeUnload = page.waitForEvent('dialog')
    await page.close({ runBeforeUnload: true })
    const dialog = await beforeUnload
    assert.equal(dialog.type(), 'beforeunload')
    await dialog.dismiss()
    assert.equal(page.isClosed(), false)
    assert.equal(await byId(page, 'input-workflow.default_assignee').inputValue(), 'someone-else')

    // Leaving anyway leaves; with nothing unsaved there is no question.
    await byId(page, 'nav-chat').click()
    await byId(page, 'confirm-dialog-confirm').click()
    await byId(page, 'view-chat').waitFor()
    await byId(page, 'nav-settings').click()
    await byId(page, 'section-ai').waitFor()
    await byId(page, 'nav-board').click()
    await byId(page, 'view-board').waitFor()
    assert.equal(await byId(page, 'confirm-dialog').count(), 0)
    await page.context().close()
  })

  test('saves project settings per project, each project on its own', async () => {
    const page = await h.newPage()
    await login(page, h.url, 'project-user')
    await openSettings(page)
    const sentSession = nextRequestBody(page, 'PUT', '/api/v1/auth/session')
    await byId(page, 'project-new-id').fill('PROJ_A')
    await byId(page, 'project-open').click()
    assert.deepEqual((await sentSession).body, { selected_project_id: 'PROJ_A' })
    await waitForText(page, 'project-current', /PROJ_A/)
    assert.equal(await textOf(page, 'source-project.board_display_config'), 'Not set')

    for (const column of ['Backlog', 'In Progress', 'Done']) {
      await byId(page, 'board-columns-new').fill(column)
      await byId(page, 'board-columns-add').click()
    }
    await byId(page, 'board-columns-up-2').click() // Done above In Progress
    await byId(page, 'board-collapsed-Done').check()
    await byId(page, 'board-show-estimates').check()
    await byId(page, 'mappings-new-status').fill('Backlog')
    await byId(page, 'mappings-add-status').click()
    await byId(page, 'mappings-add-agent-Backlog').click()
    await byId(page, 'mappings-slug-Backlog-0').fill('speckit.specify')
    await byId(page, 'mappings-name-Backlog-0').fill('Spec Kit - Specify')
    const sent = nextRequestBody(page, 'PUT', '/api/v1/settings/project/PROJ_A')
    await save(page, 'project')
    assert.deepEqual((await sent).body, {
      board_display_config: { column_order: ['Backlog', 'Done', 'In Progress'], collapsed_columns: ['Done'], show_estimates: true },
      agent_pipeline_mappings: { Backlog: [{ slug: 'speckit.specify', display_name: 'Spec Kit - Specify' }] },
    })
    assert.equal(await textOf(page, 'source-project.board_display_config'), 'Set for this project')

    // A second project starts empty; its own change does not touch PROJ_A.
    await byId(page, 'project-new-id').fill('PROJ_B')
    await byId(page, 'project-open').click()
    await waitForText(page, 'project-current', /PROJ_B/)
    assert.equal(await byId(page, 'board-columns-item').count(), 0)
    assert.equal(await textOf(page, 'source-project.agent_pipeline_mappings'), 'Not set')
    await byId(page, 'board-columns-new').fill('Todo')
    await byId(page, 'board-columns-add').click()
    await save(page, 'project')

    // An agent without a slug: 422 at that agent's slug.
    await byId(page, 'mappings-new-status').fill('Review')
    await byId(page, 'mappings-add-status').click()
    await byId(page, 'mappings-add-agent-Review').click()
    await byId(page, 'save-project').click()
    await waitForText(page, 'status-project', /Not saved/)
    assert.match(await textOf(page, 'mappings-slug-error-Review-0'), /required/)
    await byId(page, 'discard-project').click()

    // The picker lists the session's project first; switching shows PROJ_A as saved.
    const options = await byId(page, 'project-picker').locator('option:not([disabled])').allTextContents()
    assert.deepEqual(options.map((o) => o.trim()), ['PROJ_B (selected)', 'PROJ_A'])
    await byId(page, 'project-picker').selectOption('PROJ_A')
    await waitForText(page, 'project-current', /PROJ_A/)
    assert.deepEqual(await byId(page, 'board-columns-item-name').allTextContents(), ['Backlog', 'Done', 'In Progress'])
    assert.equal(await byId(page, 'board-show-estimates').isChecked(), true)
    assert.equal(await byId(page, 'board-collapsed-Done').isChecked(), true)
    assert.equal(await byId(page, 'mappings-slug-Backlog-0').inputValue(), 'speckit.specify')

    // After a reload the session's project (PROJ_A) is shown again, PROJ_B kept its own.
    await reloadSettings(page)
    await waitForText(page, 'project-current', /PROJ_A/)
    assert.deepEqual(await byId(page, 'board-columns-item-name').allTextContents(), ['Backlog', 'Done', 'In Progress'])
    await byId(page, 'project-picker').selectOption('PROJ_B')
    await waitForText(page, 'project-current', /PROJ_B/)
    assert.deepEqual(await byId(page, 'board-columns-item-name').allTextContents(), ['Todo'])
    assert.equal(await byId(page, 'board-show-estimates').isChecked(), false)

    // Reset to default removes the project's board config (null).
    const sentReset = nextRequestBody(page, 'PUT', '/api/v1/settings/project/PROJ_B')
    await byId(page, 'reset-project.board_display_config').click()
    await save(page, 'project')
    assert.deepEqual((await sentReset).body, { board_display_config: null })
    assert.equal(await textOf(page, 'source-project.board_display_config'), 'Not set')
    assert.equal(await byId(page, 'board-columns-item').count(), 0)
    await page.context().close()
  })

  test('shows and saves only the project chosen last, however slow the one before it', async () => {
    const page = await h.newPage()
    await login(page, h.url, 'race-user')
    await openSettings(page)
    // The answer for PROJ_SLOW is held until PROJ_C is open.
    let release
    const held = new Promise((resolve) => (release = resolve))
    let slowDone
    const slowHandled = new Promise((resolve) => (slowDone = resolve))
    await page.route('**/api/v1/settings/project/PROJ_SLOW', async (route) => {
      await held
      // The page may have cancelled this request meanwhile.
      await route.continue().catch(() => {})
      slowDone()
    })
    const slowAsked = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/v1/settings/project/PROJ_SLOW')
    await byId(page, 'project-new-id').fill('PROJ_SLOW')
    await byId(page, 'project-open').click()
    await slowAsked
    await byId(page, 'project-new-id').fill('PROJ_C')
    await byId(page, 'project-open').click()
    await waitForText(page, 'project-current', /PROJ_C/)
    release()
    await slowHandled
    await page.locator('[data-testid="project-current"]', { hasText: 'PROJ_C' }).waitFor()
    assert.equal(await textOf(page, 'project-current'), 'Editing PROJ_C')

    // Save writes to PROJ_C, the project the session and the section both name.
    await byId(page, 'board-columns-new').fill('Todo')
    await byId(page, 'board-columns-add').click()
    const sent = page.waitForRequest((r) => r.method() === 'PUT' && r.url().includes('/api/v1/settings/project/'))
    await save(page, 'project')
    assert.equal(new URL((await sent).url()).pathname, '/api/v1/settings/project/PROJ_C')
    await reloadSettings(page)
    await waitForText(page, 'project-current', /PROJ_C/)
    assert.deepEqual(await byId(page, 'board-columns-item-name').allTextContents(), ['Todo'])
    await page.context().close()
  })

  test('saves global settings for every user, including the allowed models', async () => {
    const page = await h.newPage()
    await login(page, h.url, 'admin-user')
    await openSettings(page)
    assert.match(await textOf(page, 'global-warning'), /every user/)
    await openGlobal(page)

    for (const model of ['gpt-4o', 'o1']) {
      await byId(page, 'allowed-models-new').fill(model)
      await byId(page, 'allowed-models-add').click()
    }
    await byId(page, 'input-global.workflow.copilot_polling_interval').fill('45')
    await byId(page, 'input-global.workflow.default_assignee').fill('team-lead')
    const sent = nextRequestBody(page, 'PUT', '/api/v1/settings/global')
    await save(page, 'global')
    assert.deepEqual((await sent).body, {
      workflow: { default_assignee: 'team-lead', copilot_polling_interval: 45 },
      allowed_models: ['gpt-4o', 'o1'],
    })

    // Inherited user values follow the global ones at once, without a reload.
    assert.equal(await byId(page, 'input-workflow.copilot_polling_interval').inputValue(), '45')
    assert.equal(await byId(page, 'input-ai.model').evaluate((el) => el.tagName), 'SELECT')

    await reloadSettings(page)
    await openGlobal(page)
    assert.deepEqual(await byId(page, 'allowed-models-item-name').allTextContents(), ['gpt-4o', 'o1'])
    assert.equal(await byId(page, 'input-global.workflow.copilot_polling_interval').inputValue(), '45')
    // The user's model is now a choice among the allowed models.
    assert.equal(await byId(page, 'input-ai.model').evaluate((el) => el.tagName), 'SELECT')
    assert.deepEqual(await byId(page, 'input-ai.model').locator('option').allTextContents(), ['gpt-4o', 'o1'])
    // Inherited user values follow the global ones.
    assert.equal(await byId(page, 'input-workflow.copilot_polling_interval').inputValue(), '45')

    // Another user sees the same global values.
    const other = await h.newPage()
    await login(other, h.url, 'someone-else')
    await openSettings(other)
    assert.equal(await byId(other, 'input-workflow.default_assignee').inputValue(), 'team-lead')
    assert.equal(await textOf(other, 'source-workflow.default_assignee'), 'Inherited from global')

    // A model outside the allowed list is refused at the global model field.
    await byId(page, 'allowed-models-remove-0').click()
    await byId(page, 'save-global').click()
    await waitForText(page, 'status-global', /Not saved/)
    assert.match(await textOf(page, 'error-global.ai.model'), /allowed/)
    await byId(page, 'discard-global').click()

    await other.context().close()
    await page.context().close()
  })
})
