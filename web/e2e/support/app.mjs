// Page helpers shared by the end-to-end tests. Every wait is on a condition
// (Playwright's auto-retrying expectations), never a fixed sleep.

import { expect } from '@playwright/test'

/** Retries `read()` until its value satisfies `check` (10 s at most), then returns the value. */
export async function eventually(read, check, what = 'condition', timeout = 10_000) {
  let last
  await expect
    .poll(async () => check((last = await read())), { message: `waiting for ${what}`, timeout })
    .toBe(true)
  return last
}

export const byId = (page, id) => page.getByTestId(id, { exact: true })

export async function textOf(page, id) {
  return ((await byId(page, id).textContent()) ?? '').trim()
}

/** Waits until the element with test id `id` reads `pattern` (a whole text, or a RegExp). */
export async function waitForText(page, id, pattern) {
  await expect(byId(page, id), `${id} to read ${pattern}`).toHaveText(pattern)
}

export async function htmlTheme(page) {
  return page.evaluate(() => document.documentElement.dataset.theme)
}

/** Signs in with dev login from the start page and waits for the shell. */
export async function login(page, baseUrl, username) {
  await page.goto(baseUrl)
  await byId(page, 'dev-login-username').fill(username)
  await byId(page, 'dev-login-submit').click()
  await waitForText(page, 'user-name', username)
}

/** Opens Settings from the header and waits until every section is there. */
export async function openSettings(page) {
  await byId(page, 'nav-settings').click()
  await waitForSettings(page)
}

export async function waitForSettings(page) {
  await byId(page, 'section-global').waitFor()
}

/** Unfolds the Global section (folded by default) and waits for its fields (read-only for non-admins). */
export async function openGlobal(page) {
  const toggle = byId(page, 'global-toggle')
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click()
  await page.locator('#section-global-body').waitFor()
}

/** Reloads and waits for the Settings view (the address keeps #/settings). */
export async function reloadSettings(page) {
  await page.reload()
  await waitForSettings(page)
}

/** Clicks a section's Save and waits for the confirmation. */
export async function save(page, section) {
  await byId(page, `save-${section}`).click()
  await waitForText(page, `status-${section}`, /Saved/)
}

/** Resolves with the JSON body of the next request to `path` with `method`. */
export function nextRequestBody(page, method, path) {
  return page
    .waitForRequest((r) => r.method() === method && new URL(r.url()).pathname === path)
    .then((r) => ({ body: JSON.parse(r.postData() ?? 'null'), headers: r.headers() }))
}
