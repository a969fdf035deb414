// The theme is one state: the header toggle and the Display section show and
// change the same value, it is saved to the API when signed in and survives
// a reload. Also takes the light and dark screenshots of the Settings page.

import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from '@playwright/test'
import { SCREENSHOTS_DIR, startHarness } from './support/harness.mjs'
import {
  byId,
  eventually,
  htmlTheme,
  login,
  nextRequestBody,
  openSettings,
  reloadSettings,
  save,
  textOf,
} from './support/app.mjs'

test.describe('theme', () => {
  let h
  test.beforeAll(async ({ browser }) => {
    h = await startHarness(browser)
    await mkdir(SCREENSHOTS_DIR, { recursive: true })
  })
  test.afterAll(async () => {
    await h?.close()
  })

  test('is shared by the header toggle and the Display section, saved and kept after a reload', async () => {
    const page = await h.newPage()
    await login(page, h.url, 'theme-user')
    await openSettings(page)
    assert.equal(await htmlTheme(page), 'light')
    assert.equal(await byId(page, 'input-display.theme-light').isChecked(), true)
    // Some content for the pictures: a project with a board and an agent, an unsaved edit.
    await byId(page, 'project-new-id').fill('DEMO_PROJECT')
    await byId(page, 'project-open').click()
    await byId(page, 'project-current').waitFor()
    for (const column of ['Backlog', 'Ready', 'In Progress', 'Done']) {
      await byId(page, 'board-columns-new').fill(column)
      await byId(page, 'board-columns-add').click()
    }
    await byId(page, 'board-collapsed-Done').check()
    await byId(page, 'mappings-new-status').fill('Ready')
    await byId(page, 'mappings-add-status').click()
    await byId(page, 'mappings-add-agent-Ready').click()
    await byId(page, 'mappings-slug-Ready-0').fill('speckit.plan')
    await byId(page, 'mappings-name-Ready-0').fill('Spec Kit - Plan')
    await save(page, 'project')
    await byId(page, 'input-ai.temperature').fill('1.1') // an unsaved edit
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'settings-light.png'), fullPage: true })

    const sent = nextRequestBody(page, 'PUT', '/api/v1/settings/user')
    await byId(page, 'theme-toggle').click()
    assert.deepEqual((await sent).body, { display: { theme: 'dark' } })
    assert.equal(await htmlTheme(page), 'dark')
    assert.equal(await byId(page, 'input-display.theme-dark').isChecked(), true)
    await eventually(() => textOf(page, 'source-display.theme'), (t) => t === 'Your setting', 'the theme source')
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'settings-dark.png') })
    await byId(page, 'discard-ai').click()

    // Saved to the API, not only to this browser: a reload without localStorage is still dark.
    await page.evaluate(() => localStorage.clear())
    await reloadSettings(page)
    await eventually(() => htmlTheme(page), (t) => t === 'dark', 'the dark theme after a reload')
    assert.equal(await byId(page, 'input-display.theme-dark').isChecked(), true)
    assert.equal(await byId(page, 'theme-toggle').getAttribute('aria-pressed'), 'true')

    // The Display section changes the header toggle.
    await byId(page, 'input-display.theme-light').check()
    assert.equal(await htmlTheme(page), 'light')
    assert.equal(await byId(page, 'theme-toggle').getAttribute('aria-pressed'), 'false')
    await eventually(() => textOf(page, 'theme-note'), (t) => /saved/i.test(t), 'the theme to be saved')

    // The same user in another browser gets the saved theme.
    const other = await h.newPage()
    await login(other, h.url, 'theme-user')
    await eventually(() => htmlTheme(other), (t) => t === 'light', 'the saved theme elsewhere')
    await other.context().close()

    // Reset to default: back to the global theme, inherited.
    await byId(page, 'theme-toggle').click()
    await eventually(() => textOf(page, 'source-display.theme'), (t) => t === 'Your setting', 'own theme')
    await byId(page, 'reset-display.theme').click()
    await eventually(() => textOf(page, 'source-display.theme'), (t) => t === 'Inherited from global', 'inherited theme')
    assert.equal(await htmlTheme(page), 'light')
    await page.context().close()
  })

  test('works in a narrow window', async () => {
    const page = await h.newPage({ width: 390, height: 844 })
    await login(page, h.url, 'narrow-user')
    await openSettings(page)
    // The header fits one row: logo, navigation and tools share one line.
    const header = await page.evaluate(() => {
      const parts = ['.brand', '.main-nav', '.header-tools'].map((s) => document.querySelector(`.app-header ${s}`).getBoundingClientRect())
      return {
        height: document.querySelector('.app-header').getBoundingClientRect().height,
        middles: parts.map((r) => r.top + r.height / 2),
        right: Math.max(...parts.map((r) => r.right)),
      }
    })
    assert.ok(header.height < 64, `the header is ${header.height}px high`)
    assert.ok(Math.max(...header.middles) - Math.min(...header.middles) < 4, `header rows: ${header.middles}`)
    assert.ok(header.right <= 390, `the header is ${header.right}px wide`)
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`)
    await byId(page, 'input-ai.provider').selectOption('azure_openai')
    await byId(page, 'save-ai').click()
    await byId(page, 'status-ai').getByText('Saved').waitFor()
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'settings-phone.png') })
    await page.context().close()
  })

  test('can be used from the keyboard', async () => {
    const page = await h.newPage()
    await login(page, h.url, 'keyboard-user')
    await openSettings(page)
    await byId(page, 'input-workflow.default_assignee').focus()
    await page.keyboard.type('keys-only')
    await page.keyboard.press('Enter') // submits the section's form
    await byId(page, 'status-workflow').getByText('Saved').waitFor()

    // Save and Discard by keyboard disable themselves; focus stays in the section.
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement
        return { tag: el?.tagName, testid: el?.getAttribute('data-testid'), section: el?.closest('section')?.id ?? null }
      })
    await byId(page, 'input-workflow.default_assignee').fill('keys-again')
    await byId(page, 'save-workflow').focus()
    await page.keyboard.press('Enter')
    await byId(page, 'status-workflow').getByText('Saved').waitFor()
    await eventually(focused, (f) => f.testid === 'status-workflow', 'focus on the status after Save')
    await byId(page, 'input-workflow.default_assignee').fill('to-discard')
    await byId(page, 'discard-workflow').focus()
    await page.keyboard.press('Space')
    await eventually(focused, (f) => f.section === 'section-workflow' && f.tag !== 'BODY', 'focus in the section after Discard')
    assert.equal(await byId(page, 'input-workflow.default_assignee').inputValue(), 'keys-again')

    // Every visible control has an accessible name.
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, button')]
        .filter((el) => el.offsetParent !== null)
        .filter((el) => {
          const labelled = el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
          return !labelled && !(el.tagName === 'BUTTON' && el.textContent?.trim())
        })
        .map((el) => el.outerHTML.slice(0, 120)),
    )
    assert.deepEqual(unnamed, [])
    await page.context().close()
  })
})
