import { describe, expect, it } from 'vitest'
import AiSettingsSection from '@/components/AiSettingsSection.vue'
import { mountWith, seed } from '@/test/mountApp'
import { globalSettings, userSettings } from './fixtures'

const mount = (component: typeof AiSettingsSection) => mountWith(component).wrapper

describe('AiSettingsSection', () => {
  it('offers the model as free text when no models are restricted', () => {
    seed('global', globalSettings())
    seed('user', userSettings())
    const wrapper = mount(AiSettingsSection)
    expect(wrapper.get('[data-testid="input-ai.model"]').element.tagName).toBe('INPUT')
    wrapper.unmount()
  })

  it('offers the allowed models as a select, keeping an old override visible', () => {
    seed('global', globalSettings({ allowed_models: ['gpt-4o', 'o1'] }))
    seed(
      'user',
      userSettings((s) => {
        s.ai.model = 'legacy-model'
      }, ['ai.model']),
    )
    const wrapper = mount(AiSettingsSection)
    const select = wrapper.get('[data-testid="input-ai.model"]')
    expect(select.element.tagName).toBe('SELECT')
    expect(select.findAll('option').map((o) => o.text())).toEqual(['legacy-model (not in the allowed list)', 'gpt-4o', 'o1'])
    wrapper.unmount()
  })

  it('shows the temperature next to the slider', async () => {
    seed('global', globalSettings())
    seed('user', userSettings())
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
