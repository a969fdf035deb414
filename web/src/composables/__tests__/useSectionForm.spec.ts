import { describe, expect, it, vi } from 'vitest'
import { nextTick, ref } from 'vue'
import { ApiError, type Source } from '@/api/client'
import { describeFailure, RESET_MARK, useSectionForm } from '@/composables/useSectionForm'
import { getPath, nest } from '@/composables/objects'

const OK = { kind: 'ok', data: null } as const

function setup() {
  const loaded = ref({
    ai: { provider: 'copilot', model: 'gpt-4o', temperature: 1.2 },
  })
  const global = { ai: { provider: 'copilot', model: 'gpt-4o', temperature: 0.7 } }
  const sources = ref<Record<string, Source>>({
    'ai.provider': 'global',
    'ai.model': 'global',
    'ai.temperature': 'user',
  })
  const form = useSectionForm({
    fields: ['ai.provider', 'ai.model', 'ai.temperature'],
    read: (path) => getPath(loaded.value, path),
    inherited: (path) => getPath(global, path),
    source: (path) => sources.value[path],
  })
  return { form, loaded, sources }
}

describe('useSectionForm: dirty tracking', () => {
  it('is clean when loaded and dirty after an edit', () => {
    const { form } = setup()
    expect(form.dirty.value).toBe(false)
    form.set('ai.model', 'o1')
    expect(form.dirty.value).toBe(true)
    expect(form.isDirty('ai.model')).toBe(true)
    expect(form.isDirty('ai.provider')).toBe(false)
    expect(form.value('ai.model')).toBe('o1')
  })

  it('is clean again when the edit is set back to the loaded value', () => {
    const { form } = setup()
    form.set('ai.temperature', 1.5)
    form.set('ai.temperature', 1.2)
    expect(form.dirty.value).toBe(false)
    expect(form.changes()).toEqual({})
  })

  it('sends only the changed fields, nested', () => {
    const { form } = setup()
    form.set('ai.model', 'o1')
    expect(form.payload()).toEqual({ ai: { model: 'o1' } })
  })

  it('shows a store refresh in untouched fields and keeps the edits', () => {
    const { form, loaded } = setup()
    form.set('ai.model', 'o1')
    loaded.value = { ai: { provider: 'azure_openai', model: 'gpt-4o', temperature: 1.2 } }
    expect(form.value('ai.provider')).toBe('azure_openai')
    expect(form.value('ai.model')).toBe('o1')
    expect(form.payload()).toEqual({ ai: { model: 'o1' } })
  })

  it('writes through a v-model ref', async () => {
    const { form } = setup()
    const model = form.model<string>('ai.model')
    model.value = 'o3'
    await nextTick()
    expect(form.value('ai.model')).toBe('o3')
    expect(model.value).toBe('o3')
  })

  it('discards every edit', () => {
    const { form } = setup()
    form.set('ai.model', 'o1')
    form.reset('ai.temperature')
    form.discard()
    expect(form.dirty.value).toBe(false)
    expect(form.value('ai.temperature')).toBe(1.2)
  })

  it('compares arrays and objects by value', () => {
    const loaded = ref({ column_order: ['A', 'B'] as string[] })
    const form = useSectionForm({ fields: ['column_order'], read: (p) => getPath(loaded.value, p) })
    form.set('column_order', ['B', 'A'])
    expect(form.dirty.value).toBe(true)
    form.set('column_order', ['A', 'B'])
    expect(form.dirty.value).toBe(false)
  })
})

describe('useSectionForm: reset to default', () => {
  it('sends null for a reset own field and shows the inherited value meanwhile', () => {
    const { form } = setup()
    expect(form.canReset('ai.temperature')).toBe(true)
    form.reset('ai.temperature')
    expect(form.value('ai.temperature')).toBe(0.7)
    expect(form.origin('ai.temperature')).toBe('pending-reset')
    expect(form.payload()).toEqual({ ai: { temperature: null } })
  })

  it('only drops the edit of an inherited field (nothing to reset on the server)', () => {
    const { form } = setup()
    expect(form.canReset('ai.model')).toBe(false)
    form.set('ai.model', 'o1')
    expect(form.canReset('ai.model')).toBe(true)
    form.reset('ai.model')
    expect(form.dirty.value).toBe(false)
    expect(form.payload()).toEqual({})
    expect(form.origin('ai.model')).toBe('global')
  })

  it('editing after a reset replaces the null with the new value', () => {
    const { form } = setup()
    form.reset('ai.temperature')
    form.set('ai.temperature', 0.3)
    expect(form.payload()).toEqual({ ai: { temperature: 0.3 } })
    expect(form.origin('ai.temperature')).toBe('user')
  })

  it('respects resettable()', () => {
    const form = useSectionForm({
      fields: ['a'],
      read: () => 1,
      source: () => 'user',
      resettable: () => false,
    })
    expect(form.canReset('a')).toBe(false)
  })
})

describe('useSectionForm: saving', () => {
  it('clears the draft and confirms after a successful save', async () => {
    const { form, loaded, sources } = setup()
    form.set('ai.model', 'o1')
    form.reset('ai.temperature')
    let sent: unknown
    const ok = await form.save(async (payload) => {
      sent = payload
      loaded.value = { ai: { provider: 'copilot', model: 'o1', temperature: 0.7 } }
      sources.value = { ...sources.value, 'ai.model': 'user', 'ai.temperature': 'global' }
      return OK
    })
    expect(ok).toBe(true)
    expect(sent).toEqual({ ai: { model: 'o1', temperature: null } })
    expect(form.dirty.value).toBe(false)
    expect(form.status.value).toBe('saved')
    expect(form.message.value).toBe('Saved.')
    expect(form.origin('ai.temperature')).toBe('global')
    expect(form.value('ai.model')).toBe('o1')
  })

  it('maps each 422 detail to the field its path names and keeps the edits', async () => {
    const { form } = setup()
    form.set('ai.temperature', 5)
    form.set('ai.model', '')
    const ok = await form.save(() =>
      Promise.reject(
        new ApiError(422, 'the request breaks the schema', { details: [
          { field: 'ai.temperature', message: 'must be a number from 0 to 2' },
          { field: 'ai.model', message: 'must not be empty' },
          { field: 'ai.foo', message: 'is not a known field' },
        ] }),
      ),
    )
    expect(ok).toBe(false)
    expect(form.status.value).toBe('error')
    // Shown as sentences after the field's label (describeError).
    expect(form.errorsAt('ai.temperature')).toEqual(['Temperature must be a number from 0 to 2.'])
    expect(form.errorsAt('ai.model')).toEqual(['Model must not be empty.'])
    expect(form.errorsAt('ai.provider')).toEqual([])
    expect(form.unplacedErrors.value).toEqual([{ field: 'ai.foo', message: 'is not a known field' }])
    expect(form.value('ai.temperature')).toBe(5)
    expect(form.dirty.value).toBe(true)
  })

  it('places array item paths under their field', async () => {
    const loaded = ref({ board_display_config: { column_order: [''] } })
    const form = useSectionForm({ fields: ['board_display_config'], read: (p) => getPath(loaded.value, p) })
    form.set('board_display_config', { column_order: ['', 'A'] })
    await form.save(() =>
      Promise.reject(
        new ApiError(422, 'bad', { details: [{ field: 'board_display_config.column_order[0]', message: 'must not be empty' }] }),
      ),
    )
    expect(form.errorsAt('board_display_config')).toEqual([])
    expect(form.errorsWithin('board_display_config')).toEqual([
      { field: 'board_display_config.column_order[0]', message: 'must not be empty' },
    ])
    expect(form.unplacedErrors.value).toEqual([])
  })

  it('clears a field error when that field is edited', async () => {
    const { form } = setup()
    form.set('ai.temperature', 5)
    await form.save(() => Promise.reject(new ApiError(422, 'bad', { details: [{ field: 'ai.temperature', message: 'too high' }] })))
    form.set('ai.temperature', 1)
    expect(form.errorsAt('ai.temperature')).toEqual([])
  })

  it('keeps the edits and says so on a network or server error', async () => {
    const { form } = setup()
    form.set('ai.model', 'o1')
    await form.save(() => Promise.reject(new ApiError(0, 'unreachable')))
    expect(form.status.value).toBe('error')
    expect(form.message.value).toMatch(/Can't reach the settings service — your changes are kept/)
    expect(form.value('ai.model')).toBe('o1')
    expect(form.payload()).toEqual({ ai: { model: 'o1' } })
    await form.save(() => Promise.reject(new ApiError(500, 'storage failure')))
    expect(form.message.value).toMatch(/could not do this \(500\).*kept/)
    // The outcome may also come back as a value (the store's save).
    await form.save(async () => ({ kind: 'failed', error: new ApiError(401, 'no valid session') }))
    expect(form.message.value).toBe('Not saved. Your session has ended. Sign in again. Your changes are kept.')
    expect(form.dirty.value).toBe(true)
  })

  it('does not send when nothing changed', async () => {
    const { form } = setup()
    let called = false
    expect(
      await form.save(async () => {
        called = true
        return OK
      }),
    ).toBe(false)
    expect(called).toBe(false)
  })

  it('keeps an edit made while the save was running', async () => {
    const { form } = setup()
    form.set('ai.model', 'o1')
    let finish!: (result: typeof OK) => void
    const saving = form.save(() => new Promise((r) => (finish = r)))
    form.set('ai.model', 'o3')
    finish(OK)
    await saving
    expect(form.isDirty('ai.model')).toBe(true)
    expect(form.value('ai.model')).toBe('o3')
  })
})

describe('helpers', () => {
  it('nest() builds the request body from dotted paths', () => {
    expect(nest({ 'ai.model': null, 'ai.temperature': 1, allowed_models: ['a'] })).toEqual({
      ai: { model: null, temperature: 1 },
      allowed_models: ['a'],
    })
  })

  it('describeFailure() names 502 from a proxy as unreachable', () => {
    expect(describeFailure(new ApiError(502, 'bad gateway'))).toMatch(/Can't reach the settings service/)
    expect(describeFailure(new ApiError(422, 'bad', { details: [{ field: 'x', message: 'y' }] }))).toMatch(/correct the fields/)
  })
})

describe('useSectionForm: normalising', () => {
  it('sends normalised values and is clean after saving them', async () => {
    const loaded = ref({ workflow: { default_repository: 'a/b' as string | null, default_assignee: '' } })
    const form = useSectionForm({
      fields: ['workflow.default_repository', 'workflow.default_assignee'],
      read: (path) => getPath(loaded.value, path),
      normalise: (path, value) =>
        typeof value !== 'string' ? value : path.endsWith('repository') && value.trim() === '' ? null : value.trim(),
    })
    form.set('workflow.default_repository', '  ')
    form.set('workflow.default_assignee', ' hubot ')
    let sent: unknown
    expect(
      await form.save(async (payload) => {
        sent = payload
        loaded.value = { workflow: { default_repository: null, default_assignee: 'hubot' } }
        return OK
      }),
    ).toBe(true)
    expect(sent).toEqual({ workflow: { default_repository: null, default_assignee: 'hubot' } })
    expect(form.dirty.value).toBe(false)
  })
})

describe('useSectionForm: conflicts', () => {
  const CONFLICT = (error = new ApiError(412, 'changed')) =>
    ({ kind: 'conflict', current: null, etag: '"g2-u5"', error }) as const

  it('a change underneath an edited field is a conflict: the edit beside the current value', async () => {
    const { form, loaded } = setup()
    form.set('ai.model', 'o1')
    expect(form.conflicts.value).toEqual([])
    // Untouched fields just follow.
    loaded.value = { ai: { provider: 'azure_openai', model: 'gpt-4o', temperature: 1.2 } }
    await nextTick()
    expect(form.conflicts.value).toEqual([])
    loaded.value = { ai: { provider: 'azure_openai', model: 'o3-mini', temperature: 1.2 } }
    await nextTick()
    expect(form.conflicts.value).toEqual([{ path: 'ai.model', mine: 'o1', theirs: 'o3-mini' }])
    expect(form.conflictFromSave.value).toBe(false)
    expect(form.value('ai.model')).toBe('o1')
  })

  it('a reset overtaken by a new value is a conflict too', async () => {
    const { form, loaded } = setup()
    form.reset('ai.temperature')
    loaded.value = { ai: { ...loaded.value.ai, temperature: 1.9 } }
    await nextTick()
    expect(form.conflicts.value).toEqual([{ path: 'ai.temperature', mine: RESET_MARK, theirs: 1.9 }])
  })

  it('settles by itself when the change is what the user wanted', async () => {
    const { form, loaded, sources } = setup()
    form.set('ai.model', 'o1')
    form.reset('ai.temperature')
    loaded.value = { ai: { provider: 'copilot', model: 'o1', temperature: 0.7 } }
    sources.value = { ...sources.value, 'ai.temperature': 'global' }
    await nextTick()
    expect(form.conflicts.value).toEqual([])
    expect(form.dirty.value).toBe(false)
  })

  it('"Keep mine" keeps the edit and counts it against the current value', async () => {
    const { form, loaded } = setup()
    form.set('ai.model', 'o1')
    loaded.value = { ai: { ...loaded.value.ai, model: 'o3-mini' } }
    await nextTick()
    expect(form.keepMine()).toBe(false) // a live change: nothing was being saved
    expect(form.conflicts.value).toEqual([])
    expect(form.value('ai.model')).toBe('o1')
    expect(form.payload()).toEqual({ ai: { model: 'o1' } })
  })

  it('"Take theirs" drops the conflicting edits and keeps the others', async () => {
    const { form, loaded } = setup()
    form.set('ai.model', 'o1')
    form.set('ai.provider', 'azure_openai')
    loaded.value = { ai: { ...loaded.value.ai, model: 'o3-mini' } }
    await nextTick()
    form.takeTheirs()
    expect(form.conflicts.value).toEqual([])
    expect(form.value('ai.model')).toBe('o3-mini')
    expect(form.payload()).toEqual({ ai: { provider: 'azure_openai' } })
    expect(form.message.value).toBe('Showing the current values.')
  })

  it('a 412 whose current view changed an edited field stops with the conflict; "Keep mine" asks to save again', async () => {
    const { form, loaded } = setup()
    form.set('ai.model', 'o1')
    const send = vi.fn(async () => {
      loaded.value = { ai: { ...loaded.value.ai, model: 'o3-mini' } } // the store adopted the current view
      return CONFLICT()
    })
    expect(await form.save(send)).toBe(false)
    expect(send).toHaveBeenCalledTimes(1)
    expect(form.status.value).toBe('conflict')
    expect(form.conflictFromSave.value).toBe(true)
    expect(form.conflicts.value).toEqual([{ path: 'ai.model', mine: 'o1', theirs: 'o3-mini' }])
    expect(form.keepMine()).toBe(true)
    expect(form.status.value).toBe('idle')
    expect(await form.save(async () => OK)).toBe(true)
    expect(form.dirty.value).toBe(false)
  })

  it('a 412 caused by fields this section did not edit is sent again at once, once', async () => {
    const { form, loaded } = setup()
    form.set('ai.model', 'o1')
    const send = vi
      .fn()
      .mockImplementationOnce(async () => {
        loaded.value = { ai: { ...loaded.value.ai, provider: 'azure_openai' } }
        return CONFLICT()
      })
      .mockResolvedValueOnce(OK)
    expect(await form.save(send)).toBe(true)
    expect(send).toHaveBeenCalledTimes(2)
    expect(send.mock.calls[1][0]).toEqual({ ai: { model: 'o1' } })
    expect(form.status.value).toBe('saved')
  })

  it('a second 412 without a changed field is a failure, not a loop', async () => {
    const { form } = setup()
    form.set('ai.model', 'o1')
    const send = vi.fn(async () => CONFLICT())
    expect(await form.save(send)).toBe(false)
    expect(send).toHaveBeenCalledTimes(2)
    expect(form.status.value).toBe('error')
    expect(form.message.value).toMatch(/changed elsewhere meanwhile/)
    expect(form.dirty.value).toBe(true)
  })

  it('an edit kept through a save counts against the saved value, not the old one', async () => {
    const { form, loaded } = setup()
    form.set('ai.model', 'o1')
    let finish!: (result: typeof OK) => void
    const saving = form.save(() => new Promise((r) => (finish = r)))
    form.set('ai.model', 'o3')
    loaded.value = { ai: { ...loaded.value.ai, model: 'o1' } } // the answer of the save
    finish(OK)
    await saving
    await nextTick()
    expect(form.conflicts.value).toEqual([])
    expect(form.value('ai.model')).toBe('o3')
  })
})
