// Live changes (revisions.md): one EventSource on GET /settings/events for as
// long as someone is signed in. Each `settings` event goes to the
// server-state store, which reloads what it makes stale; the page then shows
// a short notice of where the change came from. `reset` reloads everything,
// `session-ended` signs the page out.
//
// The browser's EventSource reconnects by itself (sending Last-Event-ID).
// When it gives up (the stream answered something other than 200, e.g. 429
// or 503), a new one is opened after a pause, resuming with the
// `last_event_id` query parameter.
//
// Events are applied one at a time and only after the page's own saves in
// flight have answered: an event of our own save then names revisions the
// store already has, reloads nothing and shows no notice.

import { defineStore } from 'pinia'
import { ref } from 'vue'
import { EVENTS_URL } from '@/api/client'
import { useServerState, type SettingsEvent } from './serverState'

export const GLOBAL_NOTICE = 'Global settings changed.'
export const ELSEWHERE_NOTICE = 'Changed in another tab or device.'
export const RESET_NOTICE = 'Settings changed elsewhere; showing the current ones.'
/** How long a notice stays. */
export const NOTICE_MS = 8_000
/** Pauses before opening a stream the browser gave up on: 2 s, doubling to 60 s. */
export const RECONNECT_FIRST_MS = 2_000
export const RECONNECT_MAX_MS = 60_000

/** The part of EventSource the page uses (tests pass a fake). */
export interface EventStream {
  readonly readyState: number
  addEventListener(type: string, listener: (event: MessageEvent) => void): void
  close(): void
}

export type EventStreamFactory = (url: string) => EventStream

const CLOSED = 2

function browserFactory(): EventStreamFactory | null {
  const Source = (globalThis as { EventSource?: new (url: string) => EventStream }).EventSource
  return Source ? (url) => new Source(url) : null
}

function parseEvent(text: string): SettingsEvent | null {
  try {
    const data: unknown = JSON.parse(text)
    if (typeof data !== 'object' || data === null) return null
    const event = data as SettingsEvent
    return event.scope === 'global' || event.scope === 'user' || event.scope === 'project' ? event : null
  } catch {
    return null
  }
}

export const useLiveChanges = defineStore('liveChanges', () => {
  const server = useServerState()
  /** The last notice ("" when there is none). */
  const notice = ref('')
  /** Whether a stream is open (or being opened). */
  const running = ref(false)

  let stream: EventStream | null = null
  let factory: EventStreamFactory | null = null
  let onSessionEnded: () => void = () => {}
  let lastEventId = ''
  let queue: Promise<void> = Promise.resolve()
  let noticeTimer: ReturnType<typeof setTimeout> | null = null
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null
  let reconnectDelay = RECONNECT_FIRST_MS
  /** Bumped by stop(): events of an old stream still queued are dropped. */
  let generation = 0

  function say(text: string) {
    notice.value = text
    if (noticeTimer) clearTimeout(noticeTimer)
    noticeTimer = setTimeout(() => {
      notice.value = ''
      noticeTimer = null
    }, NOTICE_MS)
  }

  function enqueue(step: () => Promise<void> | void) {
    const mine = generation
    queue = queue.then(async () => {
      if (mine === generation) await step()
    })
  }

  function remember(event: MessageEvent) {
    if (event.lastEventId) lastEventId = event.lastEventId
  }

  async function onSettings(event: MessageEvent) {
    const parsed = parseEvent(String(event.data))
    if (!parsed) return
    await server.idle()
    const stale = server.apply(parsed)
    if (stale.length) say(parsed.scope === 'global' ? GLOBAL_NOTICE : ELSEWHERE_NOTICE)
  }

  function open(reopened = false) {
    if (!factory) return
    const url = lastEventId ? `${EVENTS_URL}?last_event_id=${encodeURIComponent(lastEventId)}` : EVENTS_URL
    const current = factory(url)
    stream = current
    let interrupted = false
    current.addEventListener('open', () => {
      reconnectDelay = RECONNECT_FIRST_MS
      // Back after a break with nothing to resume from: what happened meanwhile is unknown.
      if ((interrupted || reopened) && !lastEventId) enqueue(() => void server.reloadAll())
      interrupted = false
    })
    current.addEventListener('settings', (event) => {
      remember(event)
      enqueue(() => onSettings(event))
    })
    current.addEventListener('reset', (event) => {
      remember(event)
      enqueue(async () => {
        await server.idle()
        server.reloadAll()
        say(RESET_NOTICE)
      })
    })
    current.addEventListener('session-ended', () => {
      stop()
      onSessionEnded()
    })
    current.addEventListener('error', () => {
      interrupted = true
      // A stream the browser still retries is left to it; a closed one is ours to reopen.
      if (stream !== current || current.readyState !== CLOSED) return
      stream = null
      reconnectTimer = setTimeout(() => {
        reconnectTimer = null
        if (running.value) open(true)
      }, reconnectDelay)
      reconnectDelay = Math.min(reconnectDelay * 2, RECONNECT_MAX_MS)
    })
  }

  /**
   * Opens the stream (once; a second call while running does nothing).
   * `sessionEnded` runs on `event: session-ended`. Without EventSource in
   * this environment and no factory given, nothing happens.
   */
  function start(options: { sessionEnded?: () => void; factory?: EventStreamFactory } = {}) {
    if (running.value) return
    factory = options.factory ?? browserFactory()
    if (!factory) return
    onSessionEnded = options.sessionEnded ?? (() => {})
    running.value = true
    reconnectDelay = RECONNECT_FIRST_MS
    open()
  }

  /** Closes the stream (signed out); the next start() begins afresh. */
  function stop() {
    generation += 1
    running.value = false
    stream?.close()
    stream = null
    lastEventId = ''
    if (reconnectTimer) clearTimeout(reconnectTimer)
    reconnectTimer = null
    if (noticeTimer) clearTimeout(noticeTimer)
    noticeTimer = null
    notice.value = ''
  }

  /** Resolves once every event received so far has been applied (tests, and nothing else). */
  const settled = () => queue

  return { notice, running, start, stop, settled }
})
