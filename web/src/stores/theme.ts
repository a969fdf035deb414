// The page's theme: one state for the header toggle and the Display section.
// Signed in, it is a view of the user's effective `display.theme` in the
// server-state store, and a change is saved there. VueUse's useColorMode
// applies it (data-theme on <html>) and keeps it in localStorage, which is
// all there is when signed out or offline. Without any preference: light.
// A change the service could not take (unreachable) is not forgotten: it is
// marked pending (in localStorage too, for a reload) and sent again when the
// service answers, the browser is back online, or a retry timer fires; until
// then the service's older theme does not overwrite it.

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
  const theme = computed<ThemeMode>(() => (mode.state.value === 'dark' ? 'dark' : 'light'))
  /** What happened to the last change: '' | saved | kept on this device only. */
  const note = ref('')
  const saving = ref(false)

  // The theme is one field the user just chose: a 412 (something else of the
  // user's changed meanwhile) takes the current version and sends it again, once.
  async function saveTheme(choice: ThemeMode | null) {
    const result = await server.save('user', { display: { theme: choice } })
    if (result.kind !== 'conflict') return result
    await server.load('user')
    return server.save('user', { display: { theme: choice } })
  }

  const signedIn = () => session.state === 'signed-in' && server.data('user') !== null
  const userName = () => session.user?.github_username ?? ''
  /** The user whose last change is still to be sent (null: nothing pending). */
  const pendingFor = ref<string | null>(readPending())
  const pending = computed(() => pendingFor.value !== null && pendingFor.value === userName())
  let retryTimer: ReturnType<typeof setTimeout> | null = null

  function setPending(user: string | null) {
    pendingFor.value = user
    writePending(user)
    if (retryTimer) clearTimeout(retryTimer)
    retryTimer = user !== null ? setTimeout(() => void retry(), RETRY_MS) : null
  }

  // The stored theme wins whenever the user's settings arrive, except while
  // our own save runs or while a change of ours has not reached the service.
  watch(
    () => server.data('user'),
    (user) => {
      const stored = user?.display.theme
      if (!stored || saving.value) return
      if (pending.value) {
        if (stored === theme.value) setPending(null)
        else void push()
        return
      }
      mode.value = stored
    },
    { immediate: true },
  )

  function retry() {
    if (pending.value && signedIn()) return push()
  }
  if (typeof window !== 'undefined') window.addEventListener('online', () => void retry())

  let sendAgain = false
  // One request at a time, always sending the newest choice, so quick toggles
  // cannot reach the service out of order.
  async function push() {
    if (saving.value) {
      sendAgain = true
      return
    }
    saving.value = true
    try {
      do {
        sendAgain = false
        if (!signedIn()) {
          note.value = 'Saved on this device.'
          break
        }
        const wasPending = pending.value
        const result = await saveTheme(theme.value)
        if (result.kind !== 'ok') {
          if (isUnreachable(result.error)) {
            setPending(userName())
            note.value = "Saved on this device only. Can't reach the settings service — it will be saved when the service is back."
          } else {
            setPending(null)
            note.value = `Saved on this device only. ${describeError(result.error)}`
          }
          break
        }
        setPending(null)
        note.value = wasPending ? 'Theme saved now that the service is back.' : 'Theme saved.'
      } while (sendAgain)
    } finally {
      saving.value = false
    }
  }

  async function setTheme(next: ThemeMode) {
    mode.value = next
    await push()
  }

  /** Resets the user's theme to the inherited one (signed in only). */
  async function reset() {
    if (!signedIn() || saving.value) return
    setPending(null)
    saving.value = true
    try {
      const result = await saveTheme(null)
      if (result.kind === 'ok') {
        mode.value = result.data.display.theme
        note.value = 'Theme reset to the default.'
      } else {
        note.value = `Not reset. ${describeError(result.error)}`
      }
    } finally {
      saving.value = false
    }
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
