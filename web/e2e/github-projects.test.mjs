// The project picker lists the user's GitHub Projects: a real GitHub login
// (against a fake GitHub), then GET /github/projects through the stored token.

import assert from 'node:assert/strict'
import { test } from '@playwright/test'
import { startHarness } from './support/harness.mjs'
import { startFakeGitHub } from './support/fake-github.mjs'
import { byId, eventually, login, openSettings, textOf, waitForText } from './support/app.mjs'

const project = (id, title, owner, closed = false) => ({
  id,
  title,
  url: `https://github.com/users/${owner}/projects/1`,
  closed,
  owner: { login: owner },
})

test.describe('project picker with GitHub projects', () => {
  let h
  let github
  test.beforeAll(async ({ browser }) => {
    github = await startFakeGitHub({
      user: { id: 583231, login: 'octocat' },
      projects: [project('PVT_road', 'Roadmap', 'octocat'), project('PVT_closed', 'Old', 'octocat', true)],
    })
    h = await startHarness(browser, {
      env: {
        GITHUB_CLIENT_ID: 'e2e-client',
        GITHUB_CLIENT_SECRET: 'e2e-secret',
        GITHUB_OAUTH_URL: github.url,
        GITHUB_API_URL: github.url,
      },
    })
    github.setCallbackBase(h.url)
  })
  test.afterAll(async () => {
    await h?.close()
    await github?.close()
  })

  test('lists the GitHub projects by title and owner, and opens one', async () => {
    const page = await h.newPage()
    await page.goto(h.url)
    await byId(page, 'github-login').click()
    await waitForText(page, 'user-name', 'octocat')
    await openSettings(page)

    const picker = byId(page, 'project-picker')
    const labels = await eventually(
      async () => (await picker.locator('option:not([disabled])').allTextContents()).map((t) => t.trim()),
      (texts) => texts.includes('Roadmap — octocat'),
      'the GitHub project in the picker',
    )
    assert.deepEqual(labels, ['Roadmap — octocat'])
    assert.equal(await byId(page, 'github-projects-note').count(), 0)

    await picker.selectOption('PVT_road')
    await waitForText(page, 'project-current', /PVT_road/)
    assert.equal(github.graphqlCalls(), 1)
    await page.context().close()
  })

  test('a dev-login user has no GitHub projects and can still type an id', async () => {
    const page = await h.newPage()
    await login(page, h.url, 'dev-user')
    await openSettings(page)
    await byId(page, 'project-new-id').fill('PVT_typed')
    await byId(page, 'project-open').click()
    await waitForText(page, 'project-current', /PVT_typed/)
    const labels = (await byId(page, 'project-picker').locator('option:not([disabled])').allTextContents()).map((t) =>
      t.trim(),
    )
    assert.deepEqual(labels, ['PVT_typed (selected)'])
    assert.equal(await textOf(page, 'user-name'), 'dev-user')
    await page.context().close()
  })
})
