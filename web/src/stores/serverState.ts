// The page's one store of server state, keyed by resource: "global", "user",
// "projects" (the ids with stored project settings), "github-projects" (the
// user's GitHub Projects) and "project:<id>". Each
// entry keeps the data, its ETag and revisions (when the service sends them)
// and a status. Components read entries and never fetch on their own.
//
// - load(key) fetches an entry. A newer load of the same key cancels the one
//   in flight, and cancel(key) drops a key nobody wants any more, so a late
//   answer never lands where it is no longer wanted.
// - save(key, patch) sends If-Match when the entry has an ETag and returns
//   the outcome as a value: ok | conflict (412; the entry then holds the
//   current view the service sent) | invalid (422, with the details) |
//   failed (anything else). Saves of one key go one at a time, each with the
//   ETag its predecessor's answer brought.
// - apply(event) takes an event of GET /settings/events (revisions.md) and
//   reloads the entries it makes stale; idle() waits for the saves in flight
//   (the live stream applies an event after them, so the page's own save is
//   never mistaken for a change made elsewhere).
//
// Whatever the order answers arrive in, an entry never goes back in time:
// revisions only grow (revisions.md), so an answer older than the entry in
// any layer (a load, a save's answer or a 412's current view that was
// overtaken on the way) is dropped. Only reloadAll() takes what comes.

import { defineStore } from 'pinia'
import { ref } from 'vue'
import {
  api,
  ApiError,
  isAbort,
  type ApiResponse,
  type EffectiveProjectSettings,
  type EffectiveUserSettings,
  type FieldError,
  type GitHubProject,
  type GlobalSettings,
  type GlobalSettingsUpdate,
  type ProjectSettingsUpdate,
  type ProjectSummary,
  type Revisions,
  type UserPreferencesUpdate,
} from '@/api/client'

export type ProjectKey = `project:${string}`
export type ResourceKey = 'global' | 'user' | 'projects' | 'github-projects' | ProjectKey

export const projectKey = (projectId: string): ProjectKey => `project:${projectId}`
const isProjectKey = (key: string): key is ProjectKey => key.startsWith('project:')

/** The data of each kind of key. */
export type DataOf<K extends ResourceKey> = K extends 'global'
  ? GlobalSettings
  : K extends 'user'
    ? EffectiveUserSettings
    : K extends 'projects'
      ? ProjectSummary[]
      : K extends 'github-projects'
        ? GitHubProject[]
        : EffectiveProjectSettings

/** The body of a save for each kind of key (the two project lists are read-only). */
export type PatchOf<K extends ResourceKey> = K extends 'global'
  ? GlobalSettingsUpdate
  : K extends 'user'
    ? UserPreferencesUpdate
    : K extends ProjectKey
      ? ProjectSettingsUpdate
      : never

export type EntryStatus = 'idle' | 'loading' | 'ready' | 'error'

export interface Entry<T = unknown> {
  data: T | null
  /** The ETag of `data`; null while the service sends none. */
  etag: string | null
  revisions: Revisions | null
  status: EntryStatus
  /** The failure of the last load (status "error"). */
  error: unknown
}

export type LoadResult<T> = { kind: 'ok'; data: T } | { kind: 'failed'; error: unknown } | { kind: 'cancelled' }

export type SaveResult<T> =
  | { kind: 'ok'; data: T }
  /** 412: someone changed the resource; `current` is their version, `etag` its ETag. */
  | { kind: 'conflict'; current: unknown; etag: string | null; error: ApiError }
  | { kind: 'invalid'; details: FieldError[]; error: ApiError }
  | { kind: 'failed'; error: unknown }

/** `event: settings` of the event stream (revisions.md). */
export interface SettingsEvent {
  scope: 'global' | 'user' | 'project'
  project_id?: string
  revisions?: Revisions
  fields?: string[]
}

/** The outcome of a save that threw: 412 and 422 are expected answers, anything else a failure. */
export function failedSave(error: unknown): SaveResult<never> {
  if (error instanceof ApiError && error.status === 412) {
    return { kind: 'conflict', current: error.current, etag: error.etag, error }
  }
  if (error instanceof ApiError && error.status === 422) return { kind: 'invalid', details: error.details, error }
  return { kind: 'failed', error }
}

function fetchKey(key: ResourceKey, signal: AbortSignal): Promise<ApiResponse<unknown>> {
  if (key === 'global') return api.globalSettings({ signal })
  if (key === 'user') return api.userSettings({ signal })
  if (key === 'projects') return api.projects({ signal }).then((r) => ({ ...r, data: r.data.projects }))
  if (key === 'github-projects') return api.githubProjects({ signal }).then((r) => ({ ...r, data: r.data.projects }))
  return api.projectSettings(key.slice('project:'.length), { signal })
}

function putKey(key: ResourceKey, patch: unknown, ifMatch: string | null): Promise<ApiResponse<unknown>> {
  if (key === 'global') return api.updateGlobalSettings(patch as GlobalSettingsUpdate, { ifMatch })
  if (key === 'user') return api.updateUserSettings(patch as UserPreferencesUpdate, { ifMatch })
  if (isProjectKey(key)) {
    return api.updateProjectSettings(key.slice('project:'.length), patch as ProjectSettingsUpdate, { ifMatch })
  }
  throw new Error(`${key} cannot be saved`)
}

function revisionsOf(data: unknown): Revisions | null {
  const revisions = typeof data === 'object' && data !== null ? (data as { revisions?: unknown }).revisions : undefined
  return typeof revisions === 'object' && revisions !== null ? (revisions as Revisions) : null
}

/** Whether `incoming` is older than `known` in some layer (unknown revisions are never older). */
function isOlder(incoming: Revisions | null, known: Revisions | null): boolean {
  if (!incoming || !known) return false
  return (Object.keys(known) as (keyof Revisions)[]).some((layer) => (incoming[layer] ?? 0) < (known[layer] ?? 0))
}

/** Whether an event names a revision newer than the entry's (unknown revisions count as newer). */
function isNewer(entry: Entry, revisions: Revisions | undefined): boolean {
  if (!revisions || !entry.revisions) return true
  return (Object.keys(revisions) as (keyof Revisions)[]).some(
    (layer) => (revisions[layer] ?? 0) > (entry.revisions?.[layer] ?? 0),
  )
}

export const useServerState = defineStore('serverState', () => {
  const entries = ref<Record<string, Entry>>({})
  // Not reactive: the load in flight for each key, and how many times clear()
  // ran (an answer that arrives after a sign-out belongs to nobody).
  const inFlight = new Map<string, AbortController>()
  let generation = 0
  /** The last save queued for each key: the next one starts after it. */
  const saveQueues = new Map<string, Promise<unknown>>()
  let saving = 0
  let idleWaiters: (() => void)[] = []

  function blank(): Entry {
    return { data: null, etag: null, revisions: null, status: 'idle', error: null }
  }

  /** The entry of a key (an idle, empty one when it was never loaded). */
  function entry<K extends ResourceKey>(key: K): Entry<DataOf<K>> {
    return (entries.value[key] ?? blank()) as Entry<DataOf<K>>
  }

  /** The data of a key, or null. */
  function data<K extends ResourceKey>(key: K): DataOf<K> | null {
    return entry(key).data
  }

  function ensure(key: ResourceKey): Entry {
    if (!entries.value[key]) entries.value[key] = blank()
    return entries.value[key]
  }

  /** Takes an answer into its entry unless the entry is newer already (`fresh`: take it anyway). */
  function put(key: ResourceKey, response: ApiResponse<unknown>, fresh = false) {
    const target = ensure(key)
    const revisions = revisionsOf(response.data)
    if (fresh || !isOlder(revisions, target.revisions)) {
      target.data = response.data
      target.etag = response.etag
      target.revisions = revisions
    }
    target.status = 'ready'
    target.error = null
  }

  function stopLoad(key: ResourceKey) {
    inFlight.get(key)?.abort()
    inFlight.delete(key)
  }

  async function load<K extends ResourceKey>(key: K, fresh = false): Promise<LoadResult<DataOf<K>>> {
    stopLoad(key)
    const controller = new AbortController()
    inFlight.set(key, controller)
    const target = ensure(key)
    target.status = 'loading'
    target.error = null
    const current = () => inFlight.get(key) === controller
    try {
      const response = await fetchKey(key, controller.signal)
      if (!current()) return { kind: 'cancelled' }
      put(key, response, fresh)
      return { kind: 'ok', data: target.data as DataOf<K> }
    } catch (error) {
      if (!current() || isAbort(error)) return { kind: 'cancelled' }
      target.status = 'error'
      target.error = error
      return { kind: 'failed', error }
    } finally {
      if (current()) inFlight.delete(key)
    }
  }

  /** Drops the load in flight for a key that is no longer wanted; its answer is ignored. */
  function cancel(key: ResourceKey) {
    if (!inFlight.has(key)) return
    stopLoad(key)
    const target = entries.value[key]
    if (target && target.status === 'loading') target.status = target.data === null ? 'idle' : 'ready'
  }

  function loadedKeys(filter: (key: string) => boolean = () => true): ResourceKey[] {
    return Object.keys(entries.value).filter(
      (key) => filter(key) && entries.value[key].status !== 'idle',
    ) as ResourceKey[]
  }

  /** The entries that depend on a saved one: effective views merge global ⊕ user ⊕ project. */
  function dependents(key: ResourceKey): ResourceKey[] {
    if (key === 'global') return loadedKeys((k) => k === 'user' || isProjectKey(k))
    if (key === 'user') return loadedKeys(isProjectKey)
    if (isProjectKey(key)) return ['projects']
    return []
  }

  /** Resolves when no save is in flight (at once when none is). */
  function idle(): Promise<void> {
    return saving === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))
  }

  async function save<K extends ResourceKey>(key: K, patch: PatchOf<K>): Promise<SaveResult<DataOf<K>>> {
    saving += 1
    const started = generation
    const previous = saveQueues.get(key)
    const mine = previous ? previous.then(() => saveNow(key, patch, started)) : saveNow(key, patch, started)
    const done = mine.then(
      () => undefined,
      () => undefined,
    )
    saveQueues.set(key, done)
    try {
      return await mine
    } finally {
      if (saveQueues.get(key) === done) saveQueues.delete(key)
      saving -= 1
      if (saving === 0) {
        const waiters = idleWaiters
        idleWaiters = []
        waiters.forEach((resolve) => resolve())
      }
    }
  }

  async function saveNow<K extends ResourceKey>(key: K, patch: PatchOf<K>, started: number): Promise<SaveResult<DataOf<K>>> {
    // Queued behind a save that outlived a sign-out: it is not the next user's to send.
    if (started !== generation) return { kind: 'failed', error: new Error('signed out before the save was sent') }
    let response: ApiResponse<unknown>
    try {
      response = await putKey(key, patch, entry(key).etag)
    } catch (error) {
      const result = failedSave(error)
      // The entry takes the current view, so the caller sees what changed and
      // a save sent again carries its ETag.
      if (result.kind === 'conflict' && started === generation) {
        if (typeof result.current === 'object' && result.current !== null) adopt(key, result.current as DataOf<K>, result.etag)
        else await load(key)
      }
      return result
    }
    if (started !== generation) return { kind: 'ok', data: response.data as DataOf<K> }
    // The answer of a save is newer than any load still in flight.
    stopLoad(key)
    put(key, response)
    await Promise.all(dependents(key).map((k) => load(k)))
    return { kind: 'ok', data: response.data as DataOf<K> }
  }

  /** Reloads what an event makes stale; answers the keys it reloads. */
  function apply(event: SettingsEvent): ResourceKey[] {
    const isStale = (key: ResourceKey) => {
      const known = entries.value[key]
      return known !== undefined && known.status !== 'idle' && isNewer(known, event.revisions)
    }
    let stale: ResourceKey[]
    if (event.scope === 'global') stale = (['global', 'user', ...loadedKeys(isProjectKey)] as ResourceKey[]).filter(isStale)
    else if (event.scope === 'user') stale = (['user', ...loadedKeys(isProjectKey)] as ResourceKey[]).filter(isStale)
    else if (event.project_id) {
      // The list of projects has no revisions: it is news only when the
      // project itself is (or is not open here, e.g. created elsewhere).
      const key = projectKey(event.project_id)
      const open = entries.value[key] !== undefined && entries.value[key].status !== 'idle'
      stale = isStale(key) ? [key] : []
      if ((stale.length > 0 || !open) && isStale('projects')) stale.push('projects')
    } else stale = [...loadedKeys(isProjectKey), 'projects' as const].filter(isStale)
    stale.forEach((key) => void load(key))
    return stale
  }

  /**
   * After `event: reset` or a break in the stream: everything loaded is
   * loaded again, and taken whatever its revisions (a replacing import may
   * have started rows afresh).
   */
  function reloadAll(): ResourceKey[] {
    const keys = loadedKeys()
    keys.forEach((key) => void load(key, true))
    return keys
  }

  /**
   * Takes a version of a key the page got another way, e.g. the `current`
   * and `etag` of a 412 (unless the entry is newer already): "take theirs"
   * shows it, "keep mine" saves again against its ETag.
   */
  function adopt<K extends ResourceKey>(key: K, data: DataOf<K>, etag: string | null) {
    stopLoad(key)
    put(key, { data, etag })
  }

  /** Signed out: nothing of the last user stays. */
  function clear() {
    generation += 1
    for (const key of [...inFlight.keys()]) stopLoad(key as ResourceKey)
    entries.value = {}
  }

  return { entries, entry, data, load, cancel, save, idle, adopt, apply, reloadAll, clear }
})

export type ServerState = ReturnType<typeof useServerState>
