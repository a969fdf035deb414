import { afterEach, describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import AiSettingsSection from '@/components/AiSettingsSection.vue'
import { useSettings } from '@/composables/useSettings'
import { globalSettings, userSettings } from './fixtures'

describe('AiSettingsSection', () => {
  const settings = useSettings()
  afterEach(() => settings.clear())

  it('offers the model as free text when no models are restricted', () => {
    settings.global.value = globalSettings()
    settings.user.value = userSettings()
    const wrapper = mount(AiSettingsSection)
    expect(wrapper.get('[data-testid="input-ai.model"]').element.tagName).toBe('INPUT')
    wrapper.unmount()
  })

  it('offers the allowed models as a select, keeping an old override visible', () => {
    settings.global.value = globalSettings({ allowed_models: ['gpt-4o', 'o1'] })
    settings.user.value = userSettings((s) => {
      s.ai.model = 'legacy-model'
    }, ['ai.model'])
    const wrapper = mount(AiSettingsSection)
    const select = wrapper.get('[data-testid="input-ai.model"]')
    expect(select.element.tagName).toBe('SELECT')
    expect(select.findAll('option').map((o) => o.text())).toEqual(['legacy-model (no longer allowed)', 'gpt-4o', 'o1'])
    wrapper.unmount()
  })

  it('shows the temperature next to the slider', async () => {
    settings.global.value = globalSettings()
    settings.user.value = userSettings()
    const wrapper = mount(AiSettingsSection)
    expect(wrapper.get('[data-testid="value-ai.temperature"]').text()).toBe('0.70')
    await wrapper.get('[data-testid="input-ai.temperature"]').setValue('1.5')
    expect(wrapper.get('[data-testid="value-ai.temperature"]').text()).toBe('1.50')
    const slider = wrapper.get('[data-testid="input-ai.temperature"]')
    expect(slider.attributes('min')).toBe('0')
    expect(slider.attributes('max')).toBe('2')
    wrapper.unmount()
  })
})
