// The one theme state of the page. The header toggle and the Display section
// both change it here: the theme applies at once (data-theme on <html>), is
// kept in localStorage, and is saved to the API when a remote saver is
// connected (i.e. when signed in). Without any saved preference it is light.

import { ref, readonly, type Ref } from 'vue'
import { ApiError, type ThemeMode } from '@/api/client'

export const THEME_STORAGE_KEY = 'settings.theme'

/** Saves the theme for the signed-in user (null = reset) and answers the effective theme. */
export type RemoteThemeSaver = (theme: ThemeMode | null) => Promise<ThemeMode>

export interface ThemeStateOptions {
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null
  root?: HTMLElement | null
}

export interface ThemeState {
  theme: Readonly<Ref<ThemeMode>>
  /** What happened to the last change: '' | saved | kept on this device only. */
  note: Readonly<Ref<string>>
  saving: Readonly<Ref<boolean>>
  setTheme(next: ThemeMode): Promise<void>
  toggle(): Promise<void>
  /** Resets the user's theme to the inherited one (signed in only). */
  reset(): Promise<void>
  /** Takes the theme the service reports for the signed-in user. */
  adopt(theme: ThemeMode): void
  /** Connects (signed in) or disconnects (signed out) the API saver. */
  connect(saver: RemoteThemeSaver | null): void
}

function isTheme(value: unknown): value is ThemeMode {
  return value === 'light' || value === 'dark'
}

export function createThemeState(options: ThemeStateOptions = {}): ThemeState {
  const storage = options.storage ?? null
  const root = options.root ?? null

  function readStored(): ThemeMode | null {
    try {
      const stored = storage?.getItem(THEME_STORAGE_KEY)
      return isTheme(stored) ? stored : null
    } catch {
      return null
    }
  }

  const theme = ref<ThemeMode>(readStored() ?? 'light')
  const note = ref('')
  const saving = ref(false)
  let saver: RemoteThemeSaver | null = null
  let inFlight = false
  let sendAgain = false

  function apply() {
    if (root) {
      root.dataset.theme = theme.value
      root.style.colorScheme = theme.value
    }
    try {
      storage?.setItem(THEME_STORAGE_KEY, theme.value)
    } catch {
      // Storage may be disabled (private mode); the theme still applies.
    }
  }

  function failureReason(error: unknown): string {
    if (error instanceof ApiError && error.status === 401) return 'you are signed out'
    if (error instanceof ApiError && !error.isUnavailable) return error.message
    return 'the service cannot be reached'
  }

  // One request at a time, always sending the newest choice, so quick toggles
  // cannot reach the service out of order.
  async function push() {
    if (inFlight) {
      sendAgain = true
      return
    }
    inFlight = true
    saving.value = true
    try {
      do {
        sendAgain = false
        const current = saver
        if (!current) {
          note.value = 'Saved on this device.'
          break
        }
        try {
          await current(theme.value)
          note.value = 'Theme saved.'
        } catch (error) {
          note.value = `Saved on this device only (${failureReason(error)}).`
          break
        }
      } while (sendAgain)
    } finally {
      inFlight = false
      saving.value = false
    }
  }

  async function setTheme(next: ThemeMode) {
    theme.value = next
    apply()
    await push()
  }

  async function reset() {
    if (!saver) return
    saving.value = true
    try {
      const effective = await saver(null)
      theme.value = effective
      apply()
      note.value = 'Theme reset to the default.'
    } catch (error) {
      note.value = `Not reset (${failureReason(error)}).`
    } finally {
      saving.value = false
    }
  }

  apply()

  return {
    theme: readonly(theme),
    note: readonly(note),
    saving: readonly(saving),
    setTheme,
    toggle: () => setTheme(theme.value === 'dark' ? 'light' : 'dark'),
    reset,
    adopt(next: ThemeMode) {
      if (!isTheme(next)) return
      theme.value = next
      apply()
    },
    connect(next: RemoteThemeSaver | null) {
      saver = next
      note.value = ''
    },
  }
}

function browserStorage(): Storage | null {
  try {
    return typeof window !== 'undefined' ? window.localStorage : null
  } catch {
    return null
  }
}

let shared: ThemeState | null = null

/** The page's theme state (created on first use from localStorage). */
export function useTheme(): ThemeState {
  shared ??= createThemeState({
    storage: browserStorage(),
    root: typeof document !== 'undefined' ? document.documentElement : null,
  })
  return shared
}
