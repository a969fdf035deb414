import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import ThemeToggle from '@/components/ThemeToggle.vue'
import DisplaySettingsSection from '@/components/DisplaySettingsSection.vue'
import { api } from '@/api/client'
import { useSession } from '@/stores/session'
import { mountWith, seed } from '@/test/mountApp'
import { globalSettings, userSettings } from './fixtures'

describe('theme toggle and Display section share one state', () => {
  beforeEach(() => {
    seed('global', globalSettings())
    seed('user', userSettings())
  })

  it('the header toggle changes the Display section and <html>', async () => {
    const toggle = mountWith(ThemeToggle).wrapper
    const display = mountWith(DisplaySettingsSection).wrapper
    expect((display.get('[data-testid="input-display.theme-light"]').element as HTMLInputElement).checked).toBe(true)
    await toggle.get('button').trigger('click')
    await flushPromises()
    expect(document.documentElement.dataset.theme).toBe('dark')
    expect(toggle.get('button').attributes('aria-pressed')).toBe('true')
    // Named by what it turns on, whatever the state: name and label agree.
    expect(toggle.get('button').text()).toBe('☾Dark theme')
    expect(toggle.get('button').attributes('aria-label')).toBeUndefined()
    expect((display.get('[data-testid="input-display.theme-dark"]').element as HTMLInputElement).checked).toBe(true)
    expect(localStorage.getItem('settings.theme')).toBe('dark')
    toggle.unmount()
    display.unmount()
  })

  it('the Display section changes the toggle and saves at once when signed in', async () => {
    useSession().state = 'signed-in'
    const save = vi
      .spyOn(api, 'updateUserSettings')
      .mockResolvedValue({ data: userSettings((s) => (s.display.theme = 'dark'), ['display.theme']), etag: null })
    const toggle = mountWith(ThemeToggle).wrapper
    const display = mountWith(DisplaySettingsSection).wrapper
    await display.get('[data-testid="input-display.theme-dark"]').setValue(true)
    await flushPromises()
    expect(save).toHaveBeenCalledWith({ display: { theme: 'dark' } }, { ifMatch: null })
    expect(toggle.get('button').attributes('aria-pressed')).toBe('true')
    expect(toggle.text()).toContain('Dark')
    expect(display.get('[data-testid="source-display.theme"]').text()).toBe('Your setting')
    // The theme is not a pending edit of the section.
    expect(display.get('[data-testid="save-display"]').attributes('disabled')).toBeDefined()
    toggle.unmount()
    display.unmount()
  })
})
