// A stand-in for the browser's EventSource in unit tests (jsdom has none):
// every instance is recorded, and a test delivers events, opens, errors and
// closes by hand.

export class FakeEventSource {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSED = 2
  /** Every stream made since the last reset(), oldest first. */
  static instances: FakeEventSource[] = []

  readonly url: string
  readyState = FakeEventSource.CONNECTING
  private listeners = new Map<string, ((event: MessageEvent) => void)[]>()

  constructor(url: string) {
    this.url = url
    FakeEventSource.instances.push(this)
  }

  static reset() {
    FakeEventSource.instances = []
  }

  /** The newest stream. */
  static get last(): FakeEventSource {
    return FakeEventSource.instances[FakeEventSource.instances.length - 1]
  }

  addEventListener(type: string, listener: (event: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
  }

  close() {
    this.readyState = FakeEventSource.CLOSED
  }

  private fire(type: string, event: MessageEvent) {
    for (const listener of this.listeners.get(type) ?? []) listener(event)
  }

  open() {
    this.readyState = FakeEventSource.OPEN
    this.fire('open', new MessageEvent('open'))
  }

  /** Delivers `event: type` with `data` (JSON-encoded unless a string) and an id. */
  emit(type: string, data: unknown = '', id = '') {
    const text = typeof data === 'string' ? data : JSON.stringify(data)
    this.fire(type, new MessageEvent(type, { data: text, lastEventId: id }))
  }

  /** An error; `closed`: the browser gave up (no automatic reconnect). */
  fail(closed: boolean) {
    this.readyState = closed ? FakeEventSource.CLOSED : FakeEventSource.CONNECTING
    this.fire('error', new MessageEvent('error'))
  }
}
