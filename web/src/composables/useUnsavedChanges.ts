// The unsaved-changes guard. Every section registers a "has edits" check;
// leaving the Settings view in the app asks window.confirm, and closing or
// reloading the tab gets the browser's own beforeunload prompt.

import { onBeforeUnmount } from 'vue'

export const LEAVE_MESSAGE = 'You have unsaved changes in Settings. Leave without saving?'

export interface UnsavedChanges {
  /** Adds a check; returns the function that removes it. */
  track(check: () => boolean): () => void
  hasUnsavedChanges(): boolean
  /** True when there is nothing to lose or the user agreed to lose it. */
  confirmLeave(): boolean
  /** The beforeunload listener (exported for tests). */
  onBeforeUnload(event: BeforeUnloadEvent): void
  install(target?: Window): () => void
}

export function createUnsavedChanges(confirm: (message: string) => boolean = (m) => window.confirm(m)): UnsavedChanges {
  const checks = new Set<() => boolean>()

  const hasUnsavedChanges = () => [...checks].some((check) => check())

  function onBeforeUnload(event: BeforeUnloadEvent) {
    if (!hasUnsavedChanges()) return
    event.preventDefault()
    // Older browsers show the prompt only when returnValue is set.
    event.returnValue = ''
  }

  return {
    track(check) {
      checks.add(check)
      return () => checks.delete(check)
    },
    hasUnsavedChanges,
    confirmLeave: () => !hasUnsavedChanges() || confirm(LEAVE_MESSAGE),
    onBeforeUnload,
    install(target = window) {
      target.addEventListener('beforeunload', onBeforeUnload)
      return () => target.removeEventListener('beforeunload', onBeforeUnload)
    },
  }
}

let shared: UnsavedChanges | null = null

export function useUnsavedChanges(): UnsavedChanges {
  shared ??= createUnsavedChanges()
  return shared
}

/** Registers a component's dirty check for as long as the component lives. */
export function useLeaveGuard(isDirty: () => boolean): void {
  const untrack = useUnsavedChanges().track(isDirty)
  onBeforeUnmount(untrack)
}
