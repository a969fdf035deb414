import { describe, expect, it, vi } from 'vitest'
import { ApiError, type ThemeMode } from '@/api/client'
import { createThemeState, THEME_STORAGE_KEY } from '@/composables/useTheme'

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial))
  return {
    getItem: (key: string) => data.get(key) ?? null,
    setItem: (key: string, value: string) => void data.set(key, value),
    data,
  }
}

describe('theme state', () => {
  it('is light without any saved preference, and applies it to the root', () => {
    const root = document.createElement('html')
    const theme = createThemeState({ storage: memoryStorage(), root })
    expect(theme.theme.value).toBe('light')
    expect(root.dataset.theme).toBe('light')
  })

  it('is light when there is no storage at all', () => {
    expect(createThemeState({ storage: null, root: null }).theme.value).toBe('light')
  })

  it('starts from localStorage and ignores junk there', () => {
    expect(createThemeState({ storage: memoryStorage({ [THEME_STORAGE_KEY]: 'dark' }) }).theme.value).toBe('dark')
    expect(createThemeState({ storage: memoryStorage({ [THEME_STORAGE_KEY]: 'purple' }) }).theme.value).toBe('light')
  })

  it('toggles at once and keeps the choice in localStorage when signed out', async () => {
    const storage = memoryStorage()
    const root = document.createElement('html')
    const theme = createThemeState({ storage, root })
    await theme.toggle()
    expect(theme.theme.value).toBe('dark')
    expect(root.dataset.theme).toBe('dark')
    expect(storage.data.get(THEME_STORAGE_KEY)).toBe('dark')
    await theme.toggle()
    expect(theme.theme.value).toBe('light')
    expect(storage.data.get(THEME_STORAGE_KEY)).toBe('light')
    expect(theme.note.value).toMatch(/this device/)
  })

  it('saves to the API when signed in', async () => {
    const saver = vi.fn((t: ThemeMode | null) => Promise.resolve(t ?? 'light'))
    const theme = createThemeState({ storage: memoryStorage() })
    theme.connect(saver)
    await theme.setTheme('dark')
    expect(saver).toHaveBeenCalledWith('dark')
    expect(theme.note.value).toBe('Theme saved.')
  })

  it('falls back to localStorage when the API cannot be reached', async () => {
    const storage = memoryStorage()
    const root = document.createElement('html')
    const theme = createThemeState({ storage, root })
    theme.connect(() => Promise.reject(new ApiError(0, 'unreachable')))
    await theme.setTheme('dark')
    expect(theme.theme.value).toBe('dark')
    expect(root.dataset.theme).toBe('dark')
    expect(storage.data.get(THEME_STORAGE_KEY)).toBe('dark')
    expect(theme.note.value).toMatch(/this device only/)
  })

  it('does not save after disconnecting (signed out)', async () => {
    const saver = vi.fn((t: ThemeMode | null) => Promise.resolve(t ?? 'light'))
    const theme = createThemeState({ storage: memoryStorage() })
    theme.connect(saver)
    theme.connect(null)
    await theme.toggle()
    expect(saver).not.toHaveBeenCalled()
  })

  it('sends quick toggles one at a time and ends on the last choice', async () => {
    const sent: (ThemeMode | null)[] = []
    const pending: (() => void)[] = []
    const theme = createThemeState({ storage: memoryStorage() })
    theme.connect((t) => {
      sent.push(t)
      return new Promise((resolve) => pending.push(() => resolve(t ?? 'light')))
    })
    const first = theme.setTheme('dark')
    void theme.setTheme('light')
    void theme.setTheme('dark')
    expect(sent).toEqual(['dark'])
    pending.shift()!()
    await vi.waitFor(() => expect(sent).toEqual(['dark', 'dark']))
    pending.shift()!()
    await first
    expect(theme.theme.value).toBe('dark')
  })

  it('adopts the theme the service reports and resets to the inherited one', async () => {
    const storage = memoryStorage({ [THEME_STORAGE_KEY]: 'dark' })
    const theme = createThemeState({ storage })
    theme.adopt('light')
    expect(theme.theme.value).toBe('light')
    expect(storage.data.get(THEME_STORAGE_KEY)).toBe('light')
    theme.connect((t) => Promise.resolve(t === null ? 'dark' : t))
    await theme.reset()
    expect(theme.theme.value).toBe('dark')
  })
})
