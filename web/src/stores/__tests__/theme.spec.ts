import { describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { api, ApiError, type EffectiveUserSettings } from '@/api/client'
import { useSession } from '@/stores/session'
import { THEME_PENDING_KEY, THEME_STORAGE_KEY, useTheme } from '@/stores/theme'
import { seed } from '@/test/mountApp'
import { userSettings } from '@/components/__tests__/fixtures'

const html = () => document.documentElement.dataset.theme

function signIn(theme: 'light' | 'dark' = 'light', own = false) {
  const session = useSession()
  session.state = 'signed-in'
  seed('user', userSettings((s) => (s.display.theme = theme), own ? ['display.theme'] : []))
}

const savedAs = (theme: 'light' | 'dark' | null, own = theme !== null) =>
  Promise.resolve({
    data: userSettings((s) => (s.display.theme = theme ?? 'light'), own ? ['display.theme'] : []) as EffectiveUserSettings,
    etag: null,
  })

describe('theme', () => {
  it('is light without any saved preference, and applies it to <html>', async () => {
    const theme = useTheme()
    await nextTick()
    expect(theme.theme).toBe('light')
    expect(html()).toBe('light')
  })

  it('starts from localStorage and toggles there when signed out', async () => {
    localStorage.setItem(THEME_STORAGE_KEY, 'dark')
    const save = vi.spyOn(api, 'updateUserSettings')
    const theme = useTheme()
    expect(theme.theme).toBe('dark')
    await theme.toggle()
    await nextTick()
    expect(theme.theme).toBe('light')
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('light')
    expect(html()).toBe('light')
    expect(theme.note).toMatch(/this device/)
    expect(save).not.toHaveBeenCalled()
  })

  it('is a view of the signed-in user\'s display.theme', async () => {
    const theme = useTheme()
    signIn('dark')
    await nextTick()
    expect(theme.theme).toBe('dark')
    expect(html()).toBe('dark')
  })

  it('saves to the API through the store when signed in', async () => {
    signIn('light')
    const save = vi.spyOn(api, 'updateUserSettings').mockImplementation(() => savedAs('dark'))
    const theme = useTheme()
    await theme.setTheme('dark')
    expect(save).toHaveBeenCalledWith({ display: { theme: 'dark' } }, { ifMatch: null })
    expect(theme.note).toBe('Theme saved.')
  })

  it('after a 412 takes the current version and sends the choice again with its ETag', async () => {
    signIn('light')
    vi.spyOn(api, 'userSettings').mockResolvedValue({
      data: userSettings((s) => (s.workflow.default_assignee = 'elsewhere'), ['workflow.default_assignee']),
      etag: '"g1-u2"',
    })
    const save = vi
      .spyOn(api, 'updateUserSettings')
      .mockRejectedValueOnce(new ApiError(412, 'changed', { etag: '"g1-u2"' }))
      .mockImplementationOnce(() => savedAs('dark'))
    const theme = useTheme()
    await theme.setTheme('dark')
    expect(save.mock.calls.map((c) => c[1])).toEqual([{ ifMatch: null }, { ifMatch: '"g1-u2"' }])
    expect(theme.note).toBe('Theme saved.')
    expect(theme.theme).toBe('dark')
  })

  it('keeps the choice on this device when the API cannot be reached', async () => {
    signIn('light')
    vi.spyOn(api, 'updateUserSettings').mockRejectedValue(new ApiError(0, 'unreachable', { fromService: false }))
    const theme = useTheme()
    await theme.setTheme('dark')
    await nextTick()
    expect(theme.theme).toBe('dark')
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark')
    expect(theme.note).toMatch(/this device only/)
  })

  it('sends a change made while the service was unreachable once it answers again', async () => {
    signIn('light')
    const save = vi
      .spyOn(api, 'updateUserSettings')
      .mockRejectedValueOnce(new ApiError(502, 'The service answered 502 Bad Gateway.', { fromService: false }))
    const theme = useTheme()
    await theme.setTheme('dark')
    expect(theme.pending).toBe(true)
    expect(theme.note).toMatch(/this device only.*when the service is back/)
    expect(localStorage.getItem(THEME_PENDING_KEY)).toBe('')
    // The service is back: the user's settings arrive (another section saved), with the old theme.
    save.mockImplementation(() => savedAs('dark'))
    seed('user', userSettings((s) => (s.display.theme = 'light')))
    await vi.waitFor(() => expect(theme.note).toBe('Theme saved now that the service is back.'))
    expect(save).toHaveBeenLastCalledWith({ display: { theme: 'dark' } }, { ifMatch: null })
    expect(theme.theme).toBe('dark')
    expect(theme.pending).toBe(false)
    expect(localStorage.getItem(THEME_PENDING_KEY)).toBeNull()
  })

  it('sends quick toggles one at a time and ends on the last choice', async () => {
    signIn('light')
    const sent: unknown[] = []
    const pending: (() => void)[] = []
    vi.spyOn(api, 'updateUserSettings').mockImplementation((update) => {
      const next = update.display?.theme ?? null
      sent.push(next)
      return new Promise((resolve) => pending.push(() => void savedAs(next).then(resolve)))
    })
    const theme = useTheme()
    const first = theme.setTheme('dark')
    void theme.setTheme('light')
    void theme.setTheme('dark')
    expect(sent).toEqual(['dark'])
    pending.shift()!()
    await vi.waitFor(() => expect(sent).toEqual(['dark', 'dark']))
    pending.shift()!()
    await first
    expect(theme.theme).toBe('dark')
  })

  it('resets to the inherited theme', async () => {
    signIn('dark', true)
    const save = vi.spyOn(api, 'updateUserSettings').mockImplementation(() => savedAs(null))
    const theme = useTheme()
    await theme.reset()
    expect(save).toHaveBeenCalledWith({ display: { theme: null } }, { ifMatch: null })
    expect(theme.theme).toBe('light')
    expect(theme.note).toMatch(/reset/)
  })
})
