// The unsaved-changes guard. Every settings form registers a "has edits"
// check; leaving the Settings view in the app (the router's leave guard, or
// logging out) asks first in the page's own dialog (ConfirmDialog.vue shows
// `question`), and closing or reloading the tab gets the browser's own
// beforeunload prompt.

import { defineStore } from 'pinia'
import { onBeforeUnmount, ref } from 'vue'
import { useEventListener } from '@vueuse/core'

export const LEAVE_MESSAGE = 'You have unsaved changes in Settings. Leave without saving?'

export interface Question {
  message: string
  confirmLabel: string
  cancelLabel: string
  answer(yes: boolean): void
}

export type Ask = (message: string, labels?: { confirm?: string; cancel?: string }) => boolean | Promise<boolean>

export const useUnsavedChanges = defineStore('unsavedChanges', () => {
  const checks = new Set<() => boolean>()
  /** The question the dialog shows now, if any. */
  const question = ref<Question | null>(null)

  function askInDialog(message: string, labels: { confirm?: string; cancel?: string } = {}): Promise<boolean> {
    question.value?.answer(false)
    return new Promise((resolve) => {
      question.value = {
        message,
        confirmLabel: labels.confirm ?? 'Leave without saving',
        cancelLabel: labels.cancel ?? 'Stay',
        answer(yes) {
          if (question.value?.message === message) question.value = null
          resolve(yes)
        },
      }
    })
  }
  /** How the page asks; tests replace it. */
  let ask: Ask = askInDialog

  /** Adds a check; returns the function that removes it. */
  function track(check: () => boolean): () => void {
    checks.add(check)
    return () => void checks.delete(check)
  }

  const hasUnsavedChanges = () => [...checks].some((check) => check())

  /** Asks a yes/no question in the page's dialog. */
  async function confirm(message: string, labels?: { confirm?: string; cancel?: string }): Promise<boolean> {
    return ask(message, labels)
  }

  /** True when there is nothing to lose or the user agreed to lose it. */
  async function confirmLeave(): Promise<boolean> {
    return !hasUnsavedChanges() || ask(LEAVE_MESSAGE)
  }

  function onBeforeUnload(event: BeforeUnloadEvent) {
    if (!hasUnsavedChanges()) return
    event.preventDefault()
    // Older browsers show the prompt only when returnValue is set.
    event.returnValue = ''
  }

  /** Listens for beforeunload on `target`; returns the function that stops. */
  function install(target: Window = window): () => void {
    return useEventListener(target, 'beforeunload', onBeforeUnload)
  }

  function setAsk(next: Ask) {
    ask = next
  }

  return { question, track, hasUnsavedChanges, confirm, confirmLeave, onBeforeUnload, install, setAsk }
})

/** Registers a component's dirty check for as long as the component lives. */
export function useLeaveGuard(isDirty: () => boolean): void {
  const untrack = useUnsavedChanges().track(isDirty)
  onBeforeUnmount(untrack)
}
