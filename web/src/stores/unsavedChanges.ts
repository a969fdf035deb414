// The unsaved-changes guard. Every settings form registers a "has edits"
// check; leaving the Settings view in the app (the router's leave guard, or
// logging out) asks first, and closing or reloading the tab gets the
// browser's own beforeunload prompt.

import { defineStore } from 'pinia'
import { onBeforeUnmount } from 'vue'

export const LEAVE_MESSAGE = 'You have unsaved changes in Settings. Leave without saving?'

export const useUnsavedChanges = defineStore('unsavedChanges', () => {
  const checks = new Set<() => boolean>()
  /** How the page asks; tests replace it. */
  let ask: (message: string) => boolean = (message) => window.confirm(message)

  /** Adds a check; returns the function that removes it. */
  function track(check: () => boolean): () => void {
    checks.add(check)
    return () => void checks.delete(check)
  }

  const hasUnsavedChanges = () => [...checks].some((check) => check())

  /** Asks the question (whatever it is) with the page's confirm. */
  function confirm(message: string): boolean {
    return ask(message)
  }

  /** True when there is nothing to lose or the user agreed to lose it. */
  function confirmLeave(): boolean {
    return !hasUnsavedChanges() || ask(LEAVE_MESSAGE)
  }

  function onBeforeUnload(event: BeforeUnloadEvent) {
    if (!hasUnsavedChanges()) return
    event.preventDefault()
    // Older browsers show the prompt only when returnValue is set.
    event.returnValue = ''
  }

  function install(target: Window = window): () => void {
    target.addEventListener('beforeunload', onBeforeUnload)
    return () => target.removeEventListener('beforeunload', onBeforeUnload)
  }

  function setAsk(next: (message: string) => boolean) {
    ask = next
  }

  return { track, hasUnsavedChanges, confirm, confirmLeave, onBeforeUnload, install, setAsk }
})

/** Registers a component's dirty check for as long as the component lives. */
export function useLeaveGuard(isDirty: () => boolean): void {
  const untrack = useUnsavedChanges().track(isDirty)
  onBeforeUnmount(untrack)
}
