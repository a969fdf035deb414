// The page against a fake service whose answers the test delivers in the
// order it chooses: the races of the live page (revisions.md) play out the
// same way every time. The service applies a request when it is sent (as the
// real one commits it) but its answer arrives only when released.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import App from '@/App.vue'
import { api, ApiError, type DefaultView, type ThemeMode, type User } from '@/api/client'
import { projectKey, useServerState } from '@/stores/serverState'
import { mountWith } from '@/test/mountApp'
import { FakeEventSource } from '@/test/fakeEventSource'
import { globalSettings, projectSettings, userSettings } from '@/components/__tests__/fixtures'

const octocat: User = { github_user_id: '1', github_username: 'octocat', github_avatar_url: null, selected_project_id: null }

type Held = 'GET user' | 'PUT user' | 'GET project'

/** The user's layer over a fixed global one (light, chat), with revisions and If-Match. */
class FakeService {
  revision = 1
  theme: ThemeMode | null
  defaultView: DefaultView | null = null
  /** Requests whose answers wait for release(). */
  holding = new Set<Held>()
  private waiting: { kind: Held; deliver: () => void }[] = []

  constructor(theme: ThemeMode | null) {
    this.theme = theme
  }

  get etag() {
    return `"g1-u${this.revision}"`
  }

  view() {
    const own = [...(this.theme ? ['display.theme'] : []), ...(this.defaultView ? ['display.default_view'] : [])]
    return userSettings((s) => {
      s.display.theme = this.theme ?? 'light'
      s.display.default_view = this.defaultView ?? 'chat'
      s.revisions = { global: 1, user: this.revision }
    }, own)
  }

  /** The answer made now, delivered now or when released (an aborted request rejects, as fetch does). */
  answer<T>(kind: Held, make: () => T, signal?: AbortSignal): Promise<T> {
    let outcome: { ok: true; value: T } | { ok: false; error: unknown }
    try {
      outcome = { ok: true, value: make() }
    } catch (error) {
      outcome = { ok: false, error }
    }
    if (!this.holding.has(kind)) return outcome.ok ? Promise.resolve(outcome.value) : Promise.reject(outcome.error)
    return new Promise<T>((resolve, reject) => {
      signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
      this.waiting.push({ kind, deliver: () => (outcome.ok ? resolve(outcome.value) : reject(outcome.error)) })
    })
  }

  /** Delivers the oldest held answer of `kind`. */
  release(kind: Held) {
    const index = this.waiting.findIndex((w) => w.kind === kind)
    if (index < 0) throw new Error(`no ${kind} answer is waiting`)
    const [held] = this.waiting.splice(index, 1)
    held.deliver()
  }

  held(kind: Held) {
    return this.waiting.filter((w) => w.kind === kind).length
  }

  install() {
    vi.spyOn(api, 'health').mockResolvedValue({ data: { status: 'ok', schema_version: 3, dev_login: true }, etag: null })
    vi.spyOn(api, 'me').mockResolvedValue({ data: octocat, etag: null })
    vi.spyOn(api, 'projects').mockResolvedValue({ data: { projects: [] }, etag: null })
    vi.spyOn(api, 'githubProjects').mockResolvedValue({ data: { projects: [] }, etag: null })
    vi.spyOn(api, 'globalSettings').mockResolvedValue({ data: globalSettings({ revisions: { global: 1 } }), etag: '"g1"' })
    vi.spyOn(api, 'userSettings').mockImplementation((options) =>
      this.answer('GET user', () => ({ data: this.view(), etag: this.etag }), options?.signal),
    )
    vi.spyOn(api, 'projectSettings').mockImplementation((id, options) =>
      this.answer(
        'GET project',
        () => ({
          data: projectSettings(id, (s) => (s.revisions = { global: 1, user: this.revision, project: 1 })),
          etag: `"g1-u${this.revision}-p1"`,
        }),
        options?.signal,
      ),
    )
    vi.spyOn(api, 'updateUserSettings').mockImplementation((update, options) =>
      this.answer('PUT user', () => {
        if (options?.ifMatch && options.ifMatch !== this.etag) {
          throw new ApiError(412, 'changed', { current: this.view(), etag: this.etag })
        }
        if (update.display?.theme !== undefined) this.theme = update.display.theme
        if (update.display?.default_view !== undefined) this.defaultView = update.display.default_view
        this.revision += 1
        return { data: this.view(), etag: this.etag }
      }),
    )
  }
}

const html = () => document.documentElement.dataset.theme
const text = (wrapper: VueWrapper, id: string) => wrapper.get(`[data-testid="${id}"]`).text()

async function openSettings() {
  const mounted = mountWith(App, { attachTo: document.body })
  await mounted.router.push('/settings')
  await flushPromises()
  return mounted.wrapper
}

describe('App: races between saves, reloads and events', () => {
  beforeEach(() => {
    FakeEventSource.reset()
    vi.stubGlobal('EventSource', FakeEventSource)
  })
  afterEach(() => vi.unstubAllGlobals())

  it('a theme reset shows the inherited theme in the same update as its badge, while the project still reloads', async () => {
    const service = new FakeService('dark')
    service.install()
    const wrapper = await openSettings()
    await useServerState().load(projectKey('P')) // a project is open: a user save reloads it
    expect(html()).toBe('dark')
    expect(text(wrapper, 'source-display.theme')).toBe('Your setting')

    service.holding.add('GET project')
    await wrapper.get('[data-testid="reset-display.theme"]').trigger('click')
    await flushPromises()
    // The reset's answer is in; the project's reload is not.
    expect(service.held('GET project')).toBe(1)
    expect(text(wrapper, 'source-display.theme')).toBe('Inherited from global')
    expect(html()).toBe('light')
    expect((wrapper.get('[data-testid="input-display.theme-light"]').element as HTMLInputElement).checked).toBe(true)

    service.release('GET project')
    await flushPromises()
    expect(text(wrapper, 'theme-note')).toBe('Theme reset to the default.')
    expect(html()).toBe('light')
    wrapper.unmount()
  })

  it('saves of one resource go one at a time, each with the ETag the answer before it brought', async () => {
    const service = new FakeService('light')
    service.install()
    const wrapper = await openSettings()
    service.holding.add('PUT user')

    // The header toggle saves at once; the Display section is saved while that save is out.
    await wrapper.get('[data-testid="theme-toggle"]').trigger('click')
    await wrapper.get('[data-testid="input-display.default_view"]').setValue('board')
    await wrapper.get('[data-testid="section-display"] form').trigger('submit')
    await flushPromises()
    const put = vi.mocked(api.updateUserSettings)
    // Only the theme is on its way; the section waits for its answer and its ETag.
    expect(put.mock.calls.map((c) => c[0])).toEqual([{ display: { theme: 'dark' } }])

    service.holding.delete('PUT user')
    service.release('PUT user')
    await flushPromises()
    expect(put.mock.calls.map((c) => c[1])).toEqual([{ ifMatch: '"g1-u1"' }, { ifMatch: '"g1-u2"' }])
    expect(useServerState().entry('user').revisions).toEqual({ global: 1, user: 3 })
    expect((wrapper.get('[data-testid="input-display.default_view"]').element as HTMLSelectElement).value).toBe('board')
    expect(html()).toBe('dark')
    expect(text(wrapper, 'status-display')).toContain('Saved.')
    wrapper.unmount()
  })

  it('the event of our own save, applied after a newer save, reloads nothing that could bring the old theme back', async () => {
    const service = new FakeService('light')
    service.install()
    const wrapper = await openSettings()
    const stream = FakeEventSource.last

    await wrapper.get('[data-testid="theme-toggle"]').trigger('click') // revision 2: dark
    await flushPromises()
    service.holding.add('PUT user')
    await wrapper.get('[data-testid="theme-toggle"]').trigger('click') // revision 3: light, answer held
    // The first save's event arrives while the second save is out; a reload it
    // caused would be served before that save is answered.
    service.holding.add('GET user')
    stream.emit('settings', { scope: 'user', revisions: { user: 2 }, fields: ['display.theme'] }, '10')
    service.release('PUT user')
    await flushPromises()
    while (service.held('GET user') > 0) service.release('GET user')
    await flushPromises()
    expect(useServerState().entry('user').revisions).toEqual({ global: 1, user: 3 })
    expect(html()).toBe('light')
    expect(text(wrapper, 'live-notice')).toBe('')
    wrapper.unmount()
  })
})

describe('server state: an entry never goes back in time', () => {
  it('takes no answer older than the entry in any layer, except when everything is reloaded afresh', async () => {
    const service = new FakeService('dark')
    service.install()
    const server = useServerState()
    const before = service.view() // revision 1, dark
    await server.save('user', { display: { theme: null } }) // revision 2
    // A 412's current view that another answer overtook on the way.
    server.adopt('user', before, '"g1-u1"')
    expect(server.entry('user')).toMatchObject({ etag: '"g1-u2"', revisions: { global: 1, user: 2 } })
    // A load answered with an older revision (as if the row had started afresh).
    service.revision = 1
    service.theme = 'dark'
    expect(await server.load('user')).toMatchObject({ kind: 'ok' })
    expect(server.entry('user').revisions).toEqual({ global: 1, user: 2 })
    expect(server.data('user')?.display.theme).toBe('light')
    // After `reset` (or a break in the stream) what comes is taken.
    server.reloadAll()
    await flushPromises()
    expect(server.entry('user').revisions).toEqual({ global: 1, user: 1 })
    expect(server.data('user')?.display.theme).toBe('dark')
  })
})
