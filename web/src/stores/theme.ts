// The page's theme: one state for the header toggle and the Display section.
// Signed in, it is a view of the user's effective `display.theme` in the
// server-state store, and a change is saved there. VueUse's useColorMode
// applies it (data-theme on <html>) and keeps it in localStorage, which is
// all there is when signed out or offline. Without any preference: light.

import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { useColorMode } from '@vueuse/core'
import type { ThemeMode } from '@/api/client'
import { describeError } from '@/api/describeError'
import { useServerState } from './serverState'
import { useSession } from './session'

export const THEME_STORAGE_KEY = 'settings.theme'

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

  const signedIn = () => session.state === 'signed-in' && server.data('user') !== null
  const serverTheme = computed(() => server.data('user')?.display.theme ?? null)

  // The stored theme wins whenever it changes, except while our own save runs.
  watch(
    serverTheme,
    (stored) => {
      if (stored && !saving.value) mode.value = stored
    },
    { immediate: true },
  )

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
        const result = await server.save('user', { display: { theme: theme.value } })
        if (result.kind !== 'ok') {
          note.value = `Saved on this device only. ${describeError(result.error)}`
          break
        }
        note.value = 'Theme saved.'
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
    saving.value = true
    try {
      const result = await server.save('user', { display: { theme: null } })
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
    setTheme,
    toggle: () => setTheme(theme.value === 'dark' ? 'light' : 'dark'),
    reset,
  }
})
