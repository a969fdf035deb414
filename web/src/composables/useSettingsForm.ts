// A section form bound to one entry of the server-state store: it reads the
// loaded values from the entry, registers the unsaved-changes guard, and
// saves a partial PUT through the store (If-Match included). On a 412 the
// store holds the current view the service sent, so the form sees which of
// its fields changed underneath. The user sections, Global and
// Project all use it; only their options differ.

import type { Source } from '@/api/client'
import { normalise } from '@/settings/fieldCatalogue'
import { useServerState, type PatchOf, type ResourceKey } from '@/stores/serverState'
import { useLeaveGuard } from '@/stores/unsavedChanges'
import { getPath } from './objects'
import { useSectionForm, type SectionForm, type SectionFormOptions } from './useSectionForm'

export interface SettingsForm extends SectionForm {
  /** Saves this section's changes to its entry. */
  submit(): Promise<boolean>
}

export interface SettingsFormOptions extends Partial<Omit<SectionFormOptions, 'fields'>> {
  fields: readonly string[]
}

/** A form over `key()` (null: nothing to edit yet, e.g. no project chosen). */
export function useSettingsForm(key: () => ResourceKey | null, options: SettingsFormOptions): SettingsForm {
  const server = useServerState()
  const read = (path: string) => {
    const k = key()
    return k ? getPath(server.data(k), path) : undefined
  }
  const form = useSectionForm({ read, normalise, ...options })
  useLeaveGuard(() => form.dirty.value)
  return {
    ...form,
    submit: () =>
      form.save(async (payload) => {
        const k = key()
        if (!k) return { kind: 'failed', error: new Error('nothing to save to') }
        return server.save(k, payload as PatchOf<typeof k>)
      }),
  }
}

/** A user section: the user's effective values, inherited from the global ones. */
export function useUserSettingsForm(fields: readonly string[]): SettingsForm {
  const server = useServerState()
  return useSettingsForm(() => 'user', {
    fields,
    inherited: (path) => getPath(server.data('global'), path),
    source: (path) => server.data('user')?.sources[path] as Source | undefined,
  })
}

/** The Global section: every field is set, none can be reset (the global row is complete). */
export function useGlobalSettingsForm(fields: readonly string[]): SettingsForm {
  return useSettingsForm(() => 'global', { fields, resettable: () => false })
}
