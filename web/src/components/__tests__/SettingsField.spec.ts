import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import SettingsField from '@/components/SettingsField.vue'

function render(props: Record<string, unknown> = {}) {
  return mount(SettingsField, {
    props: { controlId: 'user-ai-model', label: 'Model', testid: 'ai.model', ...props },
    slots: {
      default: `<template #default="{ id, describedBy, invalid }">
        <input :id="id" :aria-describedby="describedBy" :aria-invalid="invalid" data-testid="control" />
      </template>`,
    },
  })
}

describe('SettingsField', () => {
  it('labels its control', () => {
    const wrapper = render()
    expect(wrapper.get('label').attributes('for')).toBe('user-ai-model')
    expect(wrapper.get('label').text()).toBe('Model')
    expect(wrapper.get('[data-testid="control"]').attributes('id')).toBe('user-ai-model')
  })

  it('shows where the value comes from', () => {
    expect(render({ origin: 'global' }).get('[data-testid="source-ai.model"]').text()).toBe('Inherited from global')
    expect(render({ origin: 'user' }).get('[data-testid="source-ai.model"]').text()).toBe('Your setting')
    expect(render({ origin: 'project' }).get('[data-testid="source-ai.model"]').text()).toBe('Set for this project')
    expect(render({ origin: 'pending-reset' }).get('[data-testid="source-ai.model"]').text()).toBe(
      'Inherited after saving',
    )
  })

  it('offers reset only when allowed and emits it', async () => {
    expect(render({ canReset: false }).find('[data-testid="reset-ai.model"]').exists()).toBe(false)
    const wrapper = render({ canReset: true })
    const button = wrapper.get('[data-testid="reset-ai.model"]')
    expect(button.attributes('aria-label')).toBe('Reset to default: Model')
    await button.trigger('click')
    expect(wrapper.emitted('reset')).toHaveLength(1)
  })

  it('shows errors under the field and links them to the control', () => {
    const wrapper = render({ errors: ['must not be empty'], hint: 'A model name.' })
    expect(wrapper.get('[data-testid="error-ai.model"]').text()).toContain('must not be empty')
    const control = wrapper.get('[data-testid="control"]')
    expect(control.attributes('aria-invalid')).toBe('true')
    expect(control.attributes('aria-describedby')).toBe('user-ai-model-hint user-ai-model-error')
  })

  it('marks unsaved edits', () => {
    expect(render({ dirty: true }).find('[data-testid="dirty-ai.model"]').exists()).toBe(true)
    expect(render({ dirty: false }).find('[data-testid="dirty-ai.model"]').exists()).toBe(false)
  })
})
