// A section form over the signed-in user's effective settings: inherited
// values come from the global settings, sources from the user response, and
// a save is a partial PUT /settings/user.

import type { UserPreferencesUpdate } from '@/api/client'
import { getPath } from './objects'
import { useSectionForm, type SectionForm } from './useSectionForm'
import { useSettings } from './useSettings'
import { useLeaveGuard } from './useUnsavedChanges'

export interface UserSectionForm extends SectionForm {
  /** Saves this section's changes; `adjust` may rewrite the body first. */
  submit(adjust?: (payload: Record<string, unknown>) => Record<string, unknown>): Promise<boolean>
}

export function useUserSectionForm(fields: readonly string[]): UserSectionForm {
  const settings = useSettings()
  const form = useSectionForm({
    fields,
    read: (path) => getPath(settings.user.value, path),
    inherited: (path) => getPath(settings.global.value, path),
    source: (path) => settings.user.value?.sources[path],
  })
  useLeaveGuard(() => form.dirty.value)
  return {
    ...form,
    submit: (adjust = (p) => p) =>
      form.save((payload) => settings.saveUser(adjust(payload) as UserPreferencesUpdate)),
  }
}

/** A DOM id for a field's control: scope + path with punctuation turned into dashes. */
export function fieldId(scope: string, path: string): string {
  return `${scope}-${path.replace(/[^A-Za-z0-9_-]+/g, '-')}`
}
