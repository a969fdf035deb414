import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { api, EVENTS_URL } from '@/api/client'
import {
  ELSEWHERE_NOTICE,
  GLOBAL_NOTICE,
  NOTICE_MS,
  RECONNECT_FIRST_MS,
  RESET_NOTICE,
  useLiveChanges,
} from '@/stores/liveChanges'
import { useServerState } from '@/stores/serverState'
import { FakeEventSource } from '@/test/fakeEventSource'
import { globalSettings, userSettings } from '@/components/__tests__/fixtures'

const answer = <T>(data: T, etag: string | null = null) => Promise.resolve({ data, etag })

/** The service: user and global at the given revisions (next loads answer the next values). */
function serviceAt(user: { global: number; user: number }, temperature = 0.7) {
  vi.spyOn(api, 'userSettings').mockReturnValue(
    answer(userSettings((s) => ((s.ai.temperature = temperature), (s.revisions = user))), `"g${user.global}-u${user.user}"`),
  )
  vi.spyOn(api, 'globalSettings').mockReturnValue(
    answer(globalSettings({ revisions: { global: user.global } }), `"g${user.global}"`),
  )
}

async function loaded() {
  const server = useServerState()
  await Promise.all([server.load('user'), server.load('global')])
  return server
}

function startLive(sessionEnded = vi.fn()) {
  const live = useLiveChanges()
  live.start({ factory: (url) => new FakeEventSource(url), sessionEnded })
  return { live, stream: FakeEventSource.last, sessionEnded }
}

describe('live changes', () => {
  beforeEach(() => FakeEventSource.reset())
  afterEach(() => {
    useLiveChanges().stop()
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('opens one stream at /settings/events, once, and closes it on stop()', () => {
    const live = useLiveChanges()
    live.start({ factory: (url) => new FakeEventSource(url) })
    live.start({ factory: (url) => new FakeEventSource(url) })
    expect(FakeEventSource.instances.map((s) => s.url)).toEqual([EVENTS_URL])
    expect(EVENTS_URL).toBe('/api/v1/settings/events')
    expect(live.running).toBe(true)
    live.stop()
    expect(FakeEventSource.last.readyState).toBe(FakeEventSource.CLOSED)
    expect(live.running).toBe(false)
  })

  it("uses the browser's EventSource when none is given, and does nothing without one", () => {
    const live = useLiveChanges()
    live.start()
    expect(live.running).toBe(false)
    vi.stubGlobal('EventSource', FakeEventSource)
    live.start()
    expect(live.running).toBe(true)
    expect(FakeEventSource.last.url).toBe(EVENTS_URL)
  })

  it('reloads what a change elsewhere makes stale and says where it came from', async () => {
    serviceAt({ global: 1, user: 1 })
    const server = await loaded()
    const { live, stream } = startLive()
    serviceAt({ global: 1, user: 2 }, 1.5)
    stream.emit('settings', { scope: 'user', revisions: { global: 1, user: 2 }, fields: ['ai.temperature'] }, '41')
    await live.settled()
    await flushPromises()
    expect(server.data('user')?.ai.temperature).toBe(1.5)
    expect(server.entry('user').etag).toBe('"g1-u2"')
    expect(live.notice).toBe(ELSEWHERE_NOTICE)
  })

  it('says "Global settings changed" for a global change, and the notice goes after a while', async () => {
    vi.useFakeTimers()
    serviceAt({ global: 1, user: 1 })
    const server = await loaded()
    const { live, stream } = startLive()
    serviceAt({ global: 2, user: 1 })
    stream.emit('settings', { scope: 'global', revisions: { global: 2 }, fields: ['display.theme'] }, '7')
    await live.settled()
    await flushPromises()
    expect(live.notice).toBe(GLOBAL_NOTICE)
    expect(server.entry('global').revisions).toEqual({ global: 2 })
    expect(server.entry('user').revisions).toEqual({ global: 2, user: 1 })
    vi.advanceTimersByTime(NOTICE_MS)
    expect(live.notice).toBe('')
  })

  it("applies the event of the page's own save after the save answered: nothing reloads, no notice", async () => {
    serviceAt({ global: 1, user: 1 })
    const server = await loaded()
    const { live, stream } = startLive()
    let answerPut!: () => void
    vi.spyOn(api, 'updateUserSettings').mockReturnValue(
      new Promise((resolve) => {
        answerPut = () =>
          resolve({ data: userSettings((s) => ((s.ai.temperature = 1), (s.revisions = { global: 1, user: 2 }))), etag: '"g1-u2"' })
      }),
    )
    const reload = vi.mocked(api.userSettings)
    reload.mockClear()
    const saving = server.save('user', { ai: { temperature: 1 } })
    // The service's event can overtake the answer of the PUT.
    stream.emit('settings', { scope: 'user', revisions: { global: 1, user: 2 }, fields: ['ai.temperature'] }, '8')
    await flushPromises()
    expect(reload).not.toHaveBeenCalled()
    answerPut()
    await saving
    await live.settled()
    expect(reload).not.toHaveBeenCalled()
    expect(live.notice).toBe('')
  })

  it('ignores events it cannot read', async () => {
    serviceAt({ global: 1, user: 1 })
    await loaded()
    const { live, stream } = startLive()
    const reload = vi.mocked(api.userSettings)
    reload.mockClear()
    stream.emit('settings', 'not json')
    stream.emit('settings', { scope: 'nobody' })
    await live.settled()
    expect(reload).not.toHaveBeenCalled()
    expect(live.notice).toBe('')
  })

  it('reloads everything on `reset`', async () => {
    serviceAt({ global: 1, user: 1 })
    await loaded()
    const { live, stream } = startLive()
    const user = vi.mocked(api.userSettings)
    const global = vi.mocked(api.globalSettings)
    user.mockClear()
    global.mockClear()
    stream.emit('reset', '', '99')
    await live.settled()
    expect(user).toHaveBeenCalledTimes(1)
    expect(global).toHaveBeenCalledTimes(1)
    expect(live.notice).toBe(RESET_NOTICE)
  })

  it('treats `session-ended` as signed out and closes the stream', () => {
    const { live, stream, sessionEnded } = startLive()
    stream.emit('session-ended', '')
    expect(sessionEnded).toHaveBeenCalledTimes(1)
    expect(stream.readyState).toBe(FakeEventSource.CLOSED)
    expect(live.running).toBe(false)
  })

  it('leaves reconnecting to the browser; a stream it gave up on is reopened from the last event id', async () => {
    vi.useFakeTimers()
    serviceAt({ global: 1, user: 1 })
    await loaded()
    const { live, stream } = startLive()
    stream.open()
    stream.emit('settings', { scope: 'user', revisions: { global: 1, user: 1 } }, '12')
    stream.fail(false)
    vi.advanceTimersByTime(RECONNECT_FIRST_MS * 10)
    expect(FakeEventSource.instances).toHaveLength(1)
    stream.fail(true)
    vi.advanceTimersByTime(RECONNECT_FIRST_MS - 1)
    expect(FakeEventSource.instances).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(FakeEventSource.instances).toHaveLength(2)
    expect(FakeEventSource.last.url).toBe(`${EVENTS_URL}?last_event_id=12`)
    // Twice the pause after a second give-up.
    FakeEventSource.last.fail(true)
    vi.advanceTimersByTime(RECONNECT_FIRST_MS * 2 - 1)
    expect(FakeEventSource.instances).toHaveLength(2)
    vi.advanceTimersByTime(1)
    expect(FakeEventSource.instances).toHaveLength(3)
    live.stop()
  })

  it('reloads everything when it is back after a break with no event id to resume from', async () => {
    serviceAt({ global: 1, user: 1 })
    await loaded()
    const { live, stream } = startLive()
    stream.open()
    const user = vi.mocked(api.userSettings)
    user.mockClear()
    stream.fail(false)
    stream.open()
    await live.settled()
    expect(user).toHaveBeenCalledTimes(1)
  })

  it('a new sign-in starts afresh: no old event id, no old notice', async () => {
    serviceAt({ global: 1, user: 1 })
    await loaded()
    const { live, stream } = startLive()
    serviceAt({ global: 1, user: 2 })
    stream.emit('settings', { scope: 'user', revisions: { global: 1, user: 2 } }, '5')
    await live.settled()
    live.stop()
    expect(live.notice).toBe('')
    live.start({ factory: (url) => new FakeEventSource(url) })
    expect(FakeEventSource.last.url).toBe(EVENTS_URL)
  })
})
