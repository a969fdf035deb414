import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ConflictPanel from '@/components/ConflictPanel.vue'
import { RESET_MARK } from '@/composables/useSectionForm'
import { api, ApiError } from '@/api/client'
import WorkflowSettingsSection from '@/components/WorkflowSettingsSection.vue'
import GlobalSettingsSection from '@/components/GlobalSettingsSection.vue'
import { useServerState } from '@/stores/serverState'
import { mountWith, seed } from '@/test/mountApp'
import { globalSettings, userSettings } from './fixtures'

const byId = (id: string) => `[data-testid="${id}"]`

function mountWorkflow() {
  seed('global', globalSettings())
  seed('user', userSettings(), '"g1-u1"')
  return mountWith(WorkflowSettingsSection, { attachTo: document.body }).wrapper
}

/** A 412 from the service: someone set the assignee to "theirs" meanwhile. */
function refusedOnce() {
  const current = userSettings((s) => (s.workflow.default_assignee = 'theirs'), ['workflow.default_assignee'])
  return vi
    .spyOn(api, 'updateUserSettings')
    .mockRejectedValueOnce(new ApiError(412, 'changed', { current, etag: '"g1-u2"' }))
}

describe('conflicts in a section', () => {
  it('after a 412 shows the edit beside the current value and moves focus to the panel', async () => {
    const wrapper = mountWorkflow()
    const put = refusedOnce()
    await wrapper.get(byId('input-workflow.default_assignee')).setValue('mine')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(put.mock.calls[0][1]).toEqual({ ifMatch: '"g1-u1"' })
    const panel = wrapper.get(byId('conflict-workflow'))
    expect(panel.text()).toContain('Not saved: changed elsewhere while you edited')
    expect(wrapper.get(byId('conflict-field-workflow.default_assignee')).text()).toContain('Default assignee')
    expect(wrapper.get(byId('conflict-mine-workflow.default_assignee')).text()).toBe('mine')
    expect(wrapper.get(byId('conflict-theirs-workflow.default_assignee')).text()).toBe('theirs')
    expect(document.activeElement).toBe(panel.element)
    expect(wrapper.get(byId('save-workflow')).attributes('disabled')).toBeDefined()
    expect(wrapper.get(byId('status-workflow')).attributes('data-status')).toBe('conflict')
    // The store holds the current view and its ETag.
    expect(useServerState().entry('user').etag).toBe('"g1-u2"')
    wrapper.unmount()
  })

  it('"Keep mine and save" sends the edit again with the new ETag', async () => {
    const wrapper = mountWorkflow()
    const put = refusedOnce().mockResolvedValueOnce({
      data: userSettings((s) => (s.workflow.default_assignee = 'mine'), ['workflow.default_assignee']),
      etag: '"g1-u3"',
    })
    await wrapper.get(byId('input-workflow.default_assignee')).setValue('mine')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    await wrapper.get(byId('keep-mine-workflow')).trigger('click')
    await flushPromises()
    expect(put).toHaveBeenCalledTimes(2)
    expect(put.mock.calls[1]).toEqual([{ workflow: { default_assignee: 'mine' } }, { ifMatch: '"g1-u2"' }])
    expect(wrapper.find(byId('conflict-workflow')).exists()).toBe(false)
    expect(wrapper.get(byId('status-workflow')).text()).toContain('Saved.')
    expect((wrapper.get(byId('input-workflow.default_assignee')).element as HTMLInputElement).value).toBe('mine')
    wrapper.unmount()
  })

  it('"Take theirs" drops the edit and shows the current value, without saving', async () => {
    const wrapper = mountWorkflow()
    const put = refusedOnce()
    await wrapper.get(byId('input-workflow.default_assignee')).setValue('mine')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    await wrapper.get(byId('take-theirs-workflow')).trigger('click')
    await flushPromises()
    expect(put).toHaveBeenCalledTimes(1)
    expect(wrapper.find(byId('conflict-workflow')).exists()).toBe(false)
    expect((wrapper.get(byId('input-workflow.default_assignee')).element as HTMLInputElement).value).toBe('theirs')
    expect(wrapper.find(byId('dirty-workflow.default_assignee')).exists()).toBe(false)
    expect(document.activeElement).toBe(wrapper.get(byId('status-workflow')).element)
    wrapper.unmount()
  })

  it('warns at once when a live change overtakes an unsaved edit, without taking focus', async () => {
    const wrapper = mountWorkflow()
    const input = wrapper.get(byId('input-workflow.default_assignee'))
    await input.setValue('mine')
    ;(input.element as HTMLInputElement).focus()
    // What a reload after an event brings.
    seed('user', userSettings((s) => (s.workflow.default_assignee = 'theirs'), ['workflow.default_assignee']), '"g1-u2"')
    await flushPromises()
    const panel = wrapper.get(byId('conflict-workflow'))
    expect(panel.text()).toContain('Changed elsewhere while you edit')
    expect(panel.attributes('role')).toBe('alert')
    expect(wrapper.get(byId('conflict-mine-workflow.default_assignee')).text()).toBe('mine')
    expect(wrapper.get(byId('conflict-theirs-workflow.default_assignee')).text()).toBe('theirs')
    expect(document.activeElement).toBe(input.element)
    expect(wrapper.get(byId('keep-mine-workflow')).text()).toBe('Keep mine')
    // Keep mine: the edit stays a draft, saved with the next Save against the new ETag.
    const put = vi.spyOn(api, 'updateUserSettings').mockResolvedValue({ data: userSettings(), etag: '"g1-u3"' })
    await wrapper.get(byId('keep-mine-workflow')).trigger('click')
    await flushPromises()
    expect(put).not.toHaveBeenCalled()
    expect(wrapper.find(byId('conflict-workflow')).exists()).toBe(false)
    expect(wrapper.find(byId('dirty-workflow.default_assignee')).exists()).toBe(true)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(put.mock.calls[0]).toEqual([{ workflow: { default_assignee: 'mine' } }, { ifMatch: '"g1-u2"' }])
    wrapper.unmount()
  })

  it('words a reset for people: "inherited (reset)" beside the number', () => {
    const wrapper = mount(ConflictPanel, {
      props: { id: 'ai', layer: 'user', fromSave: false, conflicts: [{ path: 'ai.temperature', mine: RESET_MARK, theirs: 1.9 }] },
    })
    expect(wrapper.get(byId('conflict-mine-ai.temperature')).text()).toBe('inherited (reset)')
    expect(wrapper.get(byId('conflict-theirs-ai.temperature')).text()).toBe('1.9')
    expect(wrapper.get(byId('conflict-field-ai.temperature')).text()).toContain('Temperature')
  })

  it('words the global layer for people: "none" for no default repository', async () => {
    seed('global', globalSettings({ workflow: { default_repository: 'acme/web', default_assignee: '', copilot_polling_interval: 60 } }))
    seed('user', userSettings())
    const wrapper = mountWith(GlobalSettingsSection, { attachTo: document.body }).wrapper
    await wrapper.get(byId('global-toggle')).trigger('click')
    await wrapper.get(byId('input-global.workflow.default_repository')).setValue('acme/api')
    seed('global', globalSettings({ workflow: { default_repository: null, default_assignee: '', copilot_polling_interval: 60 } }))
    await flushPromises()
    expect(wrapper.get(byId('conflict-mine-workflow.default_repository')).text()).toBe('acme/api')
    expect(wrapper.get(byId('conflict-theirs-workflow.default_repository')).text()).toBe('none')
    wrapper.unmount()
  })
})
