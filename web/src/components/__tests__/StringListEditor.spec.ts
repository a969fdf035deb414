import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import StringListEditor from '@/components/StringListEditor.vue'

function render(modelValue: string[]) {
  return mount(StringListEditor, {
    props: { modelValue, idPrefix: 'cols', itemLabel: 'column', reorderable: true },
    attachTo: document.body,
  })
}

describe('StringListEditor', () => {
  it('moves an item up and down', async () => {
    const wrapper = render(['A', 'B', 'C'])
    await wrapper.get('[data-testid="cols-up-2"]').trigger('click')
    expect(wrapper.emitted('update:modelValue')?.[0]).toEqual([['A', 'C', 'B']])
    await wrapper.get('[data-testid="cols-down-0"]').trigger('click')
    expect(wrapper.emitted('update:modelValue')?.[1]).toEqual([['B', 'A', 'C']])
    expect(wrapper.get('[data-testid="cols-up-0"]').attributes('disabled')).toBeDefined()
    expect(wrapper.get('[data-testid="cols-down-2"]').attributes('disabled')).toBeDefined()
    wrapper.unmount()
  })

  it('adds a new item and refuses empty or duplicate names', async () => {
    const wrapper = render(['A'])
    await wrapper.get('[data-testid="cols-add"]').trigger('click')
    expect(wrapper.emitted('update:modelValue')).toBeUndefined()
    expect(wrapper.text()).toContain('Enter a column name first.')
    await wrapper.get('[data-testid="cols-new"]').setValue('A')
    await wrapper.get('[data-testid="cols-add"]').trigger('click')
    expect(wrapper.emitted('update:modelValue')).toBeUndefined()
    await wrapper.get('[data-testid="cols-new"]').setValue(' Done ')
    await wrapper.get('[data-testid="cols-new"]').trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('update:modelValue')?.[0]).toEqual([['A', 'Done']])
    wrapper.unmount()
  })

  it('removes an item and gives every button a name', async () => {
    const wrapper = render(['A', 'B'])
    expect(wrapper.get('[data-testid="cols-remove-1"]').attributes('aria-label')).toBe('Remove B')
    expect(wrapper.get('[data-testid="cols-up-1"]').attributes('aria-label')).toBe('Move B up')
    await wrapper.get('[data-testid="cols-remove-0"]').trigger('click')
    expect(wrapper.emitted('update:modelValue')?.[0]).toEqual([['B']])
    wrapper.unmount()
  })
})
