import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ConfirmDialog from '@/components/ConfirmDialog.vue'
import { LEAVE_MESSAGE, useUnsavedChanges } from '@/stores/unsavedChanges'

describe('ConfirmDialog', () => {
  it('shows nothing until there is a question', () => {
    expect(mount(ConfirmDialog).find('dialog').exists()).toBe(false)
  })

  it('shows the question, focuses "Stay", and answers with the button pressed', async () => {
    const guard = useUnsavedChanges()
    guard.track(() => true)
    const wrapper = mount(ConfirmDialog, { attachTo: document.body })
    const leaving = guard.confirmLeave()
    await flushPromises()
    const dialog = wrapper.get('[data-testid="confirm-dialog"]')
    expect(dialog.attributes('open')).toBeDefined()
    expect(dialog.get('[data-testid="confirm-dialog-message"]').text()).toBe(LEAVE_MESSAGE)
    expect(document.activeElement).toBe(dialog.get('[data-testid="confirm-dialog-cancel"]').element)
    await dialog.get('[data-testid="confirm-dialog-confirm"]').trigger('click')
    expect(await leaving).toBe(true)
    expect(wrapper.find('dialog').exists()).toBe(false)

    const staying = guard.confirmLeave()
    await flushPromises()
    await wrapper.get('[data-testid="confirm-dialog-cancel"]').trigger('click')
    expect(await staying).toBe(false)
    wrapper.unmount()
  })

  it('Escape (the dialog\'s cancel event) means stay', async () => {
    const guard = useUnsavedChanges()
    guard.track(() => true)
    const wrapper = mount(ConfirmDialog, { attachTo: document.body })
    const leaving = guard.confirmLeave()
    await flushPromises()
    await wrapper.get('dialog').trigger('cancel')
    expect(await leaving).toBe(false)
    wrapper.unmount()
  })
})
