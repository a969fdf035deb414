import { describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import App from '@/App.vue'
import { api, ApiError, type User } from '@/api/client'
import { useServerState } from '@/stores/serverState'
import { mountWith } from '@/test/mountApp'
import { globalSettings, userSettings } from '@/components/__tests__/fixtures'

const octocat: User = { github_user_id: '1', github_username: 'octocat', github_avatar_url: null, selected_project_id: null }

function service({ signedIn }: { signedIn: boolean }) {
  vi.spyOn(api, 'health').mockResolvedValue({ data: { status: 'ok', schema_version: 3, dev_login: true }, etag: null })
  vi.spyOn(api, 'me').mockImplementation(() =>
    signedIn ? Promise.resolve({ data: octocat, etag: null }) : Promise.reject(new ApiError(401, 'no valid session')),
  )
  vi.spyOn(api, 'devLogin').mockResolvedValue({ data: octocat, etag: null })
  vi.spyOn(api, 'userSettings').mockResolvedValue({
    data: userSettings((s) => (s.display.default_view = 'board'), ['display.default_view']),
    etag: null,
  })
  vi.spyOn(api, 'globalSettings').mockResolvedValue({ data: globalSettings(), etag: null })
  vi.spyOn(api, 'projects').mockResolvedValue({ data: { projects: [] }, etag: null })
  vi.spyOn(api, 'githubProjects').mockResolvedValue({ data: { projects: [] }, etag: null })
}

async function start(path = '/') {
  const mounted = mountWith(App, { attachTo: document.body })
  await mounted.router.push(path)
  await flushPromises()
  return mounted
}

describe('App', () => {
  it('shows the login screen when signed out, even at #/settings', async () => {
    service({ signedIn: false })
    const { wrapper } = await start('/settings')
    expect(wrapper.find('[data-testid="login"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="view-settings"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it("lands on the user's default view after signing in", async () => {
    service({ signedIn: false })
    const { wrapper, router } = await start()
    await wrapper.get('[data-testid="dev-login-username"]').setValue('octocat')
    await wrapper.get('[data-testid="dev-login-form"]').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="user-name"]').text()).toBe('octocat')
    expect(router.currentRoute.value.path).toBe('/board')
    expect(wrapper.find('[data-testid="view-board"]').exists()).toBe(true)
    expect(wrapper.get('[data-testid="nav-board"]').attributes('aria-current')).toBe('page')
    wrapper.unmount()
  })

  it('keeps the view in the address on a reload', async () => {
    service({ signedIn: true })
    const { wrapper, router } = await start('/chat')
    expect(router.currentRoute.value.path).toBe('/chat')
    expect(wrapper.find('[data-testid="view-chat"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('goes back to the login screen when a request answers 401, forgetting the settings', async () => {
    service({ signedIn: true })
    const { wrapper } = await start('/settings')
    expect(wrapper.find('[data-testid="view-settings"]').exists()).toBe(true)
    // The next request meets an expired session: the real client sees the 401.
    vi.mocked(api.globalSettings).mockRestore()
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('{"error":"no valid session"}', { status: 401 }))
    await useServerState().load('global')
    await flushPromises()
    expect(wrapper.find('[data-testid="login"]').exists()).toBe(true)
    expect(useServerState().data('user')).toBeNull()
    wrapper.unmount()
  })

  it('says why logging out failed and stays signed in', async () => {
    service({ signedIn: true })
    vi.spyOn(api, 'logout').mockRejectedValue(new ApiError(0, 'x', { fromService: false }))
    const { wrapper } = await start('/chat')
    await wrapper.get('[data-testid="logout"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="app-problem"]').text()).toBe(
      "Logging out failed. Can't reach the settings service.",
    )
    expect(wrapper.find('[data-testid="user-name"]').exists()).toBe(true)
    wrapper.unmount()
  })
})
