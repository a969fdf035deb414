// The page's theme: one state for the header toggle and the Display section.
// Signed in, it is a view of the user's effective `display.theme` in the
// server-state store, and a change is saved there. VueUse's useColorMode
// applies it (data-theme on <html>) and keeps it in localStorage, which is
// all there is when signed out or offline. Without any preference: light.
// A change the service could not take (unreachable) is not forgotten: it is
// marked pending (in localStorage too, for a reload) and sent again when the
// service answers, the browser is back online, or a retry timer fires; until
// then the service's older theme does not overwrite it.
//
// The theme shown is computed from the store, never copied from it: while
// the user's own choice is unconfirmed it is that choice, otherwise the
// stored theme. So whatever the order answers and events arrive in, the
// theme, the Display section and its badge change in the same update (a
// reset shows the inherited theme the moment its answer is in).

import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { useColorMode } from '@vueuse/core'
import type { ThemeMode } from '@/api/client'
import { describeError, isUnreachable } from '@/api/describeError'
import { useServerState } from './serverState'
import { useSession } from './session'

export const THEME_STORAGE_KEY = 'settings.theme'
/** The user whose theme change has not reached the service yet. */
export const THEME_PENDING_KEY = 'settings.theme.pending'
const RETRY_MS = 15_000

function readPending(): string | null {
  try {
    return localStorage.getItem(THEME_PENDING_KEY)
  } catch {
    return null
  }
}

function writePending(user: string | null) {
  try {
    if (user !== null) localStorage.setItem(THEME_PENDING_KEY, user)
    else localStorage.removeItem(THEME_PENDING_KEY)
  } catch {
    // storage unavailable: the change is pending for this page only
  }
}

export const useTheme = defineStore('theme', () => {
  const server = useServerState()
  const session = useSession()
  const mode = useColorMode<ThemeMode>({
    attribute: 'data-theme',
    storageKey: THEME_STORAGE_KEY,
    initialValue: 'light',
    modes: { light: 'light', dark: 'dark' },
    disableTransition: false,
  })
  /** This device's theme (localStorage): what shows when the service's does not. */
  const local = computed<ThemeMode>(() => (mode.state.value === 'dark' ? 'dark' : 'light'))
  /** What happened to the last change: '' | saved | kept on this device only. */
  const note = ref('')
  const saving = ref(false)
  /** Whether the user's own choice shows rather than the service's theme (until the service has it). */
  const chosen = ref(false)

  const signedIn = () => session.state === 'signed-in' && server.data('user') !== null
  const userName = () => session.user?.github_username ?? ''
  /** The user whose last change is still to be sent (null: nothing pending). */
  const pendingFor = ref<string | null>(readPending())
  const pending = computed(() => pendingFor.value !== null && pendingFor.value === userName())
  let retryTimer: ReturnType<typeof setTimeout> | null = null

  /** The signed-in user's effective theme in the store (undefined when there is none). */
  const stored = computed(() => (session.state === 'signed-in' ? server.data('user')?.display.theme : undefined))
  const theme = computed<ThemeMode>(() => (stored.value && !chosen.value && !pending.value ? stored.value : local.value))
  // <html> and localStorage follow in the same update.
  watch(
    theme,
    (next) => {
      if (mode.value !== next) mode.value = next
    },
    { immediate: true, flush: 'sync' },
  )

  function setPending(user: string | null) {
    pendingFor.value = user
    writePending(user)
    if (retryTimer) clearTimeout(retryTimer)
    retryTimer = user !== null ? setTimeout(() => void retry(), RETRY_MS) : null
  }

  // The user's settings arrived, so the service answers: a change of ours
  // still pending is sent now, or needs no sending any more.
  watch(
    () => server.data('user'),
    (user) => {
      if (!user || saving.value || !pending.value) return
      if (user.display.theme === local.value) setPending(null)
      else void send(local.value)
    },
    { immediate: true },
  )
  // A choice the service refused shows on this device until the service's theme moves on.
  watch(stored, () => {
    if (!saving.value && !pending.value) chosen.value = false
  })

  function retry() {
    if (pending.value && signedIn()) return send(local.value)
  }
  if (typeof window !== 'undefined') window.addEventListener('online', () => void retry())

  // The theme is one field the user just chose: after a 412 (something else
  // of the user's changed meanwhile; the store now holds the current
  // version) it is sent again, once.
  async function saveTheme(choice: ThemeMode | null) {
    const result = await server.save('user', { display: { theme: choice } })
    return result.kind === 'conflict' ? server.save('user', { display: { theme: choice } }) : result
  }

  /** The newest request not sent yet: a theme, null for "reset to inherited", undefined for none. */
  let next: ThemeMode | null | undefined
  // One request at a time, always sending the newest request, so quick
  // toggles (and a reset) cannot reach the service out of order.
  async function send(choice: ThemeMode | null) {
    next = choice
    if (saving.value) return
    saving.value = true
    try {
      while (next !== undefined) {
        const sent = next
        next = undefined
        if (!signedIn()) {
          note.value = 'Saved on this device.'
          break
        }
        const wasPending = pending.value
        const result = await saveTheme(sent)
        if (sent === null) {
          note.value = result.kind === 'ok' ? 'Theme reset to the default.' : `Not reset. ${describeError(result.error)}`
          continue
        }
        if (result.kind === 'ok') {
          setPending(null)
          // The store has it now; the stored theme shows unless a newer choice follows.
          if (next === undefined) chosen.value = false
          note.value = wasPending ? 'Theme saved now that the service is back.' : 'Theme saved.'
        } else if (isUnreachable(result.error)) {
          setPending(userName())
          note.value = "Saved on this device only. Can't reach the settings service — it will be saved when the service is back."
        } else {
          setPending(null)
          note.value = `Saved on this device only. ${describeError(result.error)}`
        }
      }
    } finally {
      saving.value = false
    }
  }

  async function setTheme(choice: ThemeMode) {
    mode.value = choice
    chosen.value = true
    await send(choice)
  }

  /** Resets the user's theme to the inherited one (signed in only); it shows once the service's answer is in. */
  async function reset() {
    if (!signedIn() || saving.value) return
    setPending(null)
    chosen.value = false
    await send(null)
  }

  return {
    theme,
    note,
    saving,
    pending,
    setTheme,
    toggle: () => setTheme(theme.value === 'dark' ? 'light' : 'dark'),
    reset,
  }
})
