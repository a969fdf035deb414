// The form logic shared by every settings section: a draft over the loaded
// values, dirty tracking per field, "reset to default" (null in the PUT), the
// partial payload of only the changed fields, and the mapping of a 422's
// details to the fields they name. The loaded values stay in their store; the
// draft keeps only what the user changed, so a store refresh shows through
// every field the user did not touch.
//
// Conflicts (revisions.md): each edit remembers the loaded value it started
// from (its base). When the loaded value moves away from the base — a 412's
// current view was adopted, or an event reloaded the entry — the field is in
// conflict: the section shows the edit beside the current value until the
// user keeps theirs or takes the current one.

import { computed, ref, watch, type ComputedRef, type WritableComputedRef } from 'vue'
import { ApiError, type FieldError, type Source } from '@/api/client'
import { UNREACHABLE, describeDetail, describeError, isUnreachable } from '@/api/describeError'
import { failedSave, type SaveResult } from '@/stores/serverState'
import { clone, deepEqual, nest } from './objects'

export type SaveStatus = 'idle' | 'saving' | 'saved' | 'error' | 'conflict'

/** An edited field whose loaded value changed underneath the edit. */
export interface FieldConflict {
  path: string
  /** What the user has: their edit, or RESET_MARK for "reset to default". */
  mine: unknown
  /** The value loaded now (someone else's). */
  theirs: unknown
}

/** `mine` of a conflict whose edit is "reset to default". */
export const RESET_MARK = Symbol('reset')

/** What a field's indicator shows: where its value comes from, or that it will be inherited after saving. */
/**
 * Where a field's value comes from, for its badge: a source of the API,
 * "pending-reset" (reset, not yet saved), or for a layer without a parent
 * (a project's fields) "unset" and "pending-unset".
 */
export type FieldOrigin = Source | 'pending-reset' | 'unset' | 'pending-unset'

export interface SectionFormOptions {
  /** The dotted paths of the fields in the PUT body, e.g. "ai.temperature". */
  fields: readonly string[]
  /** The loaded (effective) value of a field. */
  read: (path: string) => unknown
  /** The value a field falls back to when reset (the global value); undefined when unknown. */
  inherited?: (path: string) => unknown
  /** Where the loaded value comes from (the response's `sources`). */
  source?: (path: string) => Source | undefined
  /** Whether a field may be reset (sent as null). Default: when its source is not "global". */
  resettable?: (path: string) => boolean
  /** Sources that mean "set on this layer" (a reset removes them). Default: user and project. */
  ownSources?: readonly Source[]
  /** The value sent for what a control holds (trimmed text, "" → null...). Default: as it is. */
  normalise?: (path: string, value: unknown) => unknown
}

export interface SectionForm {
  fields: readonly string[]
  /** The value to show: the edit, else the inherited value after a reset, else the loaded one. */
  value(path: string): unknown
  /** A writable ref for v-model. */
  model<T = unknown>(path: string): WritableComputedRef<T>
  set(path: string, value: unknown): void
  /** "Reset to default": the field is sent as null, or an edit of an inherited field is dropped. */
  reset(path: string): void
  canReset(path: string): boolean
  isDirty(path: string): boolean
  isReset(path: string): boolean
  origin(path: string): FieldOrigin | undefined
  dirty: ComputedRef<boolean>
  /** Only the changed fields, by dotted path (null for a reset). */
  changes(): Record<string, unknown>
  /** The nested body of a partial PUT. */
  payload(): Record<string, unknown>
  /** 422 messages for exactly this path. */
  errorsAt(path: string): string[]
  /** 422 details for this path and everything below it (`path.x`, `path[0]`). */
  errorsWithin(path: string): FieldError[]
  /** 422 details that name no field of this form (shown at the section). */
  unplacedErrors: ComputedRef<FieldError[]>
  /** Whether the last save failed because the service could not be reached (a retry may work). */
  unreachable: ComputedRef<boolean>
  errors: ComputedRef<FieldError[]>
  status: ComputedRef<SaveStatus>
  message: ComputedRef<string>
  /** Sends payload() with `send`; on success the draft is cleared, on any other outcome it is kept. */
  save(send: (payload: Record<string, unknown>) => Promise<SaveResult<unknown>>): Promise<boolean>
  discard(): void
  /** Records a failure that did not come from save() (e.g. a load). */
  fail(error: unknown, details?: FieldError[]): void
  /** Edited fields whose loaded value changed underneath (a 412 or an event). */
  conflicts: ComputedRef<FieldConflict[]>
  /** Whether the conflicts came from a refused save (412) rather than from a change seen live. */
  conflictFromSave: ComputedRef<boolean>
  /**
   * "Keep mine": the edits stay and now count against the current values.
   * Answers whether they should be saved again at once (the conflict was a 412).
   */
  keepMine(): boolean
  /** "Take theirs": the conflicting edits are dropped; the current values show. */
  takeTheirs(): void
}

export function isWithin(field: string, path: string): boolean {
  return field === path || field.startsWith(`${path}.`) || field.startsWith(`${path}[`)
}

/** The sentence shown at a section for a save that did not go through. */
export function describeFailure(error: unknown): string {
  if (isUnreachable(error)) return `${UNREACHABLE.slice(0, -1)} — your changes are kept.`
  const kept = error instanceof ApiError && error.status === 422 ? '' : ' Your changes are kept.'
  return `Not saved. ${describeError(error)}${kept}`
}

export function useSectionForm(options: SectionFormOptions): SectionForm {
  const ownSources = options.ownSources ?? ['user', 'project']
  const edits = ref<Record<string, unknown>>({})
  const resets = ref<Record<string, true>>({})
  const errorList = ref<FieldError[]>([])
  const statusRef = ref<SaveStatus>('idle')
  const messageRef = ref('')
  const unreachableRef = ref(false)
  /** The loaded value each edited or reset field started from. */
  const bases = ref<Record<string, unknown>>({})
  const conflictFromSaveRef = ref(false)

  const has = (record: object, key: string) => Object.prototype.hasOwnProperty.call(record, key)

  function without(record: Record<string, unknown>, path: string): Record<string, unknown> {
    const { [path]: _dropped, ...rest } = record
    void _dropped
    return rest
  }

  /** Keeps bases only for fields that are still edited or reset; records one for a new edit. */
  function track(path: string) {
    if (has(edits.value, path) || resets.value[path]) {
      if (!has(bases.value, path)) bases.value = { ...bases.value, [path]: clone(options.read(path)) }
    } else if (has(bases.value, path)) bases.value = without(bases.value, path)
  }

  function value(path: string): unknown {
    if (has(edits.value, path)) return edits.value[path]
    if (resets.value[path] && options.inherited) return options.inherited(path)
    return options.read(path)
  }

  function clearErrorsWithin(path: string) {
    if (errorList.value.some((e) => isWithin(e.field, path))) {
      errorList.value = errorList.value.filter((e) => !isWithin(e.field, path))
    }
  }

  function touched() {
    if (statusRef.value === 'saved') {
      statusRef.value = 'idle'
      messageRef.value = ''
    }
  }

  function set(path: string, next: unknown) {
    const { [path]: _dropped, ...restResets } = resets.value
    void _dropped
    resets.value = restResets
    const { [path]: _old, ...restEdits } = edits.value
    void _old
    edits.value = deepEqual(next, options.read(path)) ? restEdits : { ...restEdits, [path]: clone(next) }
    track(path)
    clearErrorsWithin(path)
    touched()
  }

  function isOwn(path: string): boolean {
    const src = options.source?.(path)
    return src !== undefined && ownSources.includes(src)
  }

  function canReset(path: string): boolean {
    if (options.resettable && !options.resettable(path)) return false
    return isOwn(path) || has(edits.value, path)
  }

  function reset(path: string) {
    const { [path]: _old, ...restEdits } = edits.value
    void _old
    edits.value = restEdits
    if (isOwn(path)) resets.value = { ...resets.value, [path]: true }
    track(path)
    clearErrorsWithin(path)
    touched()
  }

  const isReset = (path: string) => resets.value[path] === true
  const isDirty = (path: string) => isReset(path) || has(edits.value, path)

  function origin(path: string): FieldOrigin | undefined {
    if (isReset(path)) return 'pending-reset'
    return options.source?.(path)
  }

  const dirty = computed(() => Object.keys(edits.value).length > 0 || Object.keys(resets.value).length > 0)

  function changes(): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    const normalise = options.normalise ?? ((_path: string, v: unknown) => v)
    for (const path of options.fields) {
      if (isReset(path)) out[path] = null
      else if (has(edits.value, path)) out[path] = normalise(path, clone(edits.value[path]))
    }
    return out
  }

  const errors = computed(() => errorList.value)
  const unplacedErrors = computed(() =>
    errorList.value.filter((e) => !options.fields.some((path) => isWithin(e.field, path))),
  )

  const conflicts = computed<FieldConflict[]>(() =>
    options.fields
      .filter((path) => has(bases.value, path) && isDirty(path) && !deepEqual(options.read(path), bases.value[path]))
      .map((path) => ({
        path,
        mine: isReset(path) ? RESET_MARK : edits.value[path],
        theirs: options.read(path),
      })),
  )

  // A change underneath that already is what the user wanted settles itself:
  // an edit equal to the new value, or a reset of a field nobody sets any more.
  watch(
    () => options.fields.map((path) => [options.read(path), options.source?.(path)]),
    () => {
      for (const path of options.fields) {
        if (!has(bases.value, path)) continue
        const done = isReset(path) ? !isOwn(path) : has(edits.value, path) && deepEqual(edits.value[path], options.read(path))
        if (done) {
          edits.value = without(edits.value, path)
          resets.value = without(resets.value, path) as Record<string, true>
          track(path)
        }
      }
      if (conflicts.value.length === 0 && statusRef.value === 'conflict') settleConflict()
    },
    { deep: true },
  )

  function settleConflict() {
    conflictFromSaveRef.value = false
    if (statusRef.value === 'conflict') {
      statusRef.value = 'idle'
      messageRef.value = ''
    }
  }

  function keepMine(): boolean {
    const again = conflictFromSaveRef.value
    const next = { ...bases.value }
    for (const { path } of conflicts.value) next[path] = clone(options.read(path))
    bases.value = next
    settleConflict()
    return again && dirty.value
  }

  function takeTheirs() {
    for (const { path } of conflicts.value) {
      edits.value = without(edits.value, path)
      resets.value = without(resets.value, path) as Record<string, true>
      track(path)
    }
    settleConflict()
    statusRef.value = 'idle'
    messageRef.value = 'Showing the current values.'
  }

  function fail(error: unknown, details: FieldError[] = []) {
    errorList.value = details
    statusRef.value = 'error'
    messageRef.value = describeFailure(error)
    unreachableRef.value = isUnreachable(error)
  }

  async function save(
    send: (payload: Record<string, unknown>) => Promise<SaveResult<unknown>>,
    retried = false,
  ): Promise<boolean> {
    if (!dirty.value || statusRef.value === 'saving') return false
    statusRef.value = 'saving'
    messageRef.value = 'Saving…'
    errorList.value = []
    const sent = changes()
    // What the controls held when sent (before normalising), to tell later edits apart.
    const held = clone(edits.value)
    let result: SaveResult<unknown>
    try {
      result = await send(nest(sent))
    } catch (error) {
      result = failedSave(error)
    }
    if (result.kind === 'conflict') {
      // The store now holds the current view. When none of this section's
      // fields changed underneath, nothing would be overwritten: save again.
      if (conflicts.value.length === 0) {
        statusRef.value = 'idle'
        if (!retried) return save(send, true)
        fail(result.error)
        return false
      }
      conflictFromSaveRef.value = true
      statusRef.value = 'conflict'
      messageRef.value = 'Not saved: someone changed these settings meanwhile. Choose what to keep.'
      return false
    }
    if (result.kind !== 'ok') {
      fail(result.error, result.kind === 'invalid' ? result.details : [])
      return false
    }
    // Drop only what was sent: anything edited while the request ran stays a draft.
    const nextEdits = { ...edits.value }
    const nextResets = { ...resets.value }
    for (const path of Object.keys(sent)) {
      const unchanged = has(nextEdits, path)
        ? has(held, path) && deepEqual(nextEdits[path], held[path])
        : nextResets[path] === true
      if (unchanged) {
        delete nextEdits[path]
        delete nextResets[path]
      }
    }
    edits.value = nextEdits
    resets.value = nextResets
    // What is still edited now counts against the values just saved.
    const nextBases: Record<string, unknown> = {}
    for (const path of [...Object.keys(nextEdits), ...Object.keys(nextResets)]) nextBases[path] = clone(options.read(path))
    bases.value = nextBases
    conflictFromSaveRef.value = false
    statusRef.value = 'saved'
    messageRef.value = 'Saved.'
    return true
  }

  function discard() {
    edits.value = {}
    resets.value = {}
    bases.value = {}
    conflictFromSaveRef.value = false
    errorList.value = []
    statusRef.value = 'idle'
    messageRef.value = ''
  }

  function model<T>(path: string): WritableComputedRef<T> {
    return computed<T>({
      get: () => value(path) as T,
      set: (next: T) => set(path, next),
    })
  }

  return {
    fields: options.fields,
    value,
    model,
    set,
    reset,
    canReset,
    isDirty,
    isReset,
    origin,
    dirty,
    changes,
    payload: () => nest(changes()),
    errorsAt: (path) => errorList.value.filter((e) => e.field === path).map(describeDetail),
    errorsWithin: (path) => errorList.value.filter((e) => isWithin(e.field, path)),
    unplacedErrors,
    unreachable: computed(() => statusRef.value === 'error' && unreachableRef.value),
    errors,
    status: computed(() => statusRef.value),
    message: computed(() => messageRef.value),
    save: (send) => save(send),
    discard,
    fail,
    conflicts,
    conflictFromSave: computed(() => conflictFromSaveRef.value),
    keepMine,
    takeTheirs,
  }
}
