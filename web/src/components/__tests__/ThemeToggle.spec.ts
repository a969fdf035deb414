import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ThemeToggle from '@/components/ThemeToggle.vue'
import DisplaySettingsSection from '@/components/DisplaySettingsSection.vue'
import { useSettings } from '@/composables/useSettings'
import { useTheme } from '@/composables/useTheme'
import { globalSettings, userSettings } from './fixtures'

describe('theme toggle and Display section share one state', () => {
  const settings = useSettings()
  const theme = useTheme()

  beforeEach(async () => {
    settings.global.value = globalSettings()
    settings.user.value = userSettings()
    theme.connect(null)
    await theme.setTheme('light')
  })
  afterEach(() => settings.clear())

  it('the header toggle changes the Display section and <html>', async () => {
    const toggle = mount(ThemeToggle)
    const display = mount(DisplaySettingsSection)
    expect((display.get('[data-testid="input-display.theme-light"]').element as HTMLInputElement).checked).toBe(true)
    await toggle.get('button').trigger('click')
    await flushPromises()
    expect(document.documentElement.dataset.theme).toBe('dark')
    expect(toggle.get('button').attributes('aria-checked')).toBe('true')
    expect((display.get('[data-testid="input-display.theme-dark"]').element as HTMLInputElement).checked).toBe(true)
    expect(localStorage.getItem('settings.theme')).toBe('dark')
    toggle.unmount()
    display.unmount()
  })

  it('the Display section changes the toggle and saves at once when signed in', async () => {
    const saver = vi.fn(async (t: 'light' | 'dark' | null) => t ?? 'light')
    theme.connect(saver)
    const toggle = mount(ThemeToggle)
    const display = mount(DisplaySettingsSection)
    await display.get('[data-testid="input-display.theme-dark"]').setValue(true)
    await flushPromises()
    expect(saver).toHaveBeenCalledWith('dark')
    expect(toggle.get('button').attributes('aria-checked')).toBe('true')
    expect(toggle.text()).toContain('Dark')
    // The theme is not a pending edit of the section.
    expect(display.get('[data-testid="save-display"]').attributes('disabled')).toBeDefined()
    toggle.unmount()
    display.unmount()
  })
})
