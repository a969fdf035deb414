// App and the live event stream (revisions.md): one stream while signed in,
// changes applied without a reload, the theme included.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import App from '@/App.vue'
import { api, ApiError, EVENTS_URL, type User } from '@/api/client'
import { GLOBAL_NOTICE, useLiveChanges } from '@/stores/liveChanges'
import { useServerState } from '@/stores/serverState'
import { mountWith } from '@/test/mountApp'
import { FakeEventSource } from '@/test/fakeEventSource'
import { globalSettings, userSettings } from '@/components/__tests__/fixtures'

const octocat: User = { github_user_id: '1', github_username: 'octocat', github_avatar_url: null, selected_project_id: null }

/** The service with the global theme `theme` at global revision `revision`; the user inherits it. */
function serviceWith(theme: 'light' | 'dark', revision: number) {
  vi.spyOn(api, 'userSettings').mockResolvedValue({
    data: userSettings((s) => ((s.display.theme = theme), (s.revisions = { global: revision, user: 1 }))),
    etag: `"g${revision}-u1"`,
  })
  vi.spyOn(api, 'globalSettings').mockResolvedValue({
    data: globalSettings({ display: { theme, default_view: 'chat', sidebar_collapsed: false }, revisions: { global: revision } }),
    etag: `"g${revision}"`,
  })
}

function service(signedIn: boolean) {
  vi.spyOn(api, 'health').mockResolvedValue({ data: { status: 'ok', schema_version: 3, dev_login: true }, etag: null })
  vi.spyOn(api, 'me').mockImplementation(() =>
    signedIn ? Promise.resolve({ data: octocat, etag: null }) : Promise.reject(new ApiError(401, 'no valid session')),
  )
  vi.spyOn(api, 'devLogin').mockResolvedValue({ data: octocat, etag: null })
  vi.spyOn(api, 'logout').mockResolvedValue({ data: {}, etag: null })
  vi.spyOn(api, 'projects').mockResolvedValue({ data: { projects: [] }, etag: null })
  vi.spyOn(api, 'githubProjects').mockResolvedValue({ data: { projects: [] }, etag: null })
  serviceWith('light', 1)
}

async function start(path = '/chat') {
  const mounted = mountWith(App, { attachTo: document.body })
  await mounted.router.push(path)
  await flushPromises()
  return mounted
}

describe('App: live changes', () => {
  beforeEach(() => {
    FakeEventSource.reset()
    vi.stubGlobal('EventSource', FakeEventSource)
  })
  afterEach(() => vi.unstubAllGlobals())

  it('opens one stream when signed in and closes it on logout; a new sign-in opens a new one', async () => {
    service(true)
    const { wrapper } = await start()
    expect(FakeEventSource.instances.map((s) => s.url)).toEqual([EVENTS_URL])
    await wrapper.get('[data-testid="logout"]').trigger('click')
    await flushPromises()
    expect(FakeEventSource.instances[0].readyState).toBe(FakeEventSource.CLOSED)
    await wrapper.get('[data-testid="dev-login-username"]').setValue('octocat')
    await wrapper.get('[data-testid="dev-login-form"]').trigger('submit')
    await flushPromises()
    expect(FakeEventSource.instances).toHaveLength(2)
    expect(FakeEventSource.last.readyState).not.toBe(FakeEventSource.CLOSED)
    wrapper.unmount()
  })

  it('opens no stream while signed out', async () => {
    service(false)
    const { wrapper } = await start()
    expect(FakeEventSource.instances).toHaveLength(0)
    wrapper.unmount()
  })

  it('turns the page dark when the global theme changes and the user inherits it, and says so politely', async () => {
    service(true)
    const { wrapper } = await start('/settings')
    expect(document.documentElement.dataset.theme).toBe('light')
    serviceWith('dark', 2)
    FakeEventSource.last.emit('settings', { scope: 'global', revisions: { global: 2 }, fields: ['display.theme'] }, '3')
    await useLiveChanges().settled()
    await flushPromises()
    expect(useServerState().data('global')?.display.theme).toBe('dark')
    expect(document.documentElement.dataset.theme).toBe('dark')
    expect((wrapper.get('[data-testid="input-display.theme-dark"]').element as HTMLInputElement).checked).toBe(true)
    const notice = wrapper.get('[data-testid="live-notice"]')
    expect(notice.text()).toBe(GLOBAL_NOTICE)
    expect(notice.attributes('aria-live')).toBe('polite')
    wrapper.unmount()
  })

  it('goes to the login screen on `session-ended`, forgetting the settings', async () => {
    service(true)
    const { wrapper } = await start('/settings')
    FakeEventSource.last.emit('session-ended', '')
    await flushPromises()
    expect(wrapper.find('[data-testid="login"]').exists()).toBe(true)
    expect(useServerState().data('user')).toBeNull()
    expect(FakeEventSource.last.readyState).toBe(FakeEventSource.CLOSED)
    wrapper.unmount()
  })
})
