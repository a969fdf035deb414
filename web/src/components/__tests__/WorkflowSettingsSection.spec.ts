import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import WorkflowSettingsSection from '@/components/WorkflowSettingsSection.vue'
import { api, ApiError, type EffectiveUserSettings } from '@/api/client'
import { useUnsavedChanges } from '@/stores/unsavedChanges'
import { mountWith, seed } from '@/test/mountApp'
import { globalSettings, userSettings } from './fixtures'

const mount = (component: typeof WorkflowSettingsSection) => mountWith(component).wrapper
const answer = (data: EffectiveUserSettings) => Promise.resolve({ data, etag: null })

const field = (path: string) => `[data-testid="input-workflow.${path}"]`

describe('WorkflowSettingsSection', () => {
  beforeEach(() => {
    seed(
      'global',
      globalSettings({
        workflow: { default_repository: 'org/global', default_assignee: '', copilot_polling_interval: 60 },
      }),
    )
    seed(
      'user',
      userSettings((s) => {
        s.workflow.default_repository = 'me/mine'
      }, ['workflow.default_repository']),
    )
  })

  it('shows the effective values and their sources', () => {
    const wrapper = mount(WorkflowSettingsSection)
    expect((wrapper.get(field('default_repository')).element as HTMLInputElement).value).toBe('me/mine')
    expect(wrapper.get('[data-testid="source-workflow.default_repository"]').text()).toBe('Your setting')
    expect(wrapper.get('[data-testid="source-workflow.copilot_polling_interval"]').text()).toBe('Inherited from global')
    expect(wrapper.get('[data-testid="save-workflow"]').attributes('disabled')).toBeDefined()
  })

  it('saves only the changed field and confirms', async () => {
    const put = vi.spyOn(api, 'updateUserSettings').mockImplementation(() =>
      answer(
        userSettings((s) => {
          s.workflow.default_repository = 'me/mine'
          s.workflow.copilot_polling_interval = 15
        }, ['workflow.default_repository', 'workflow.copilot_polling_interval']),
      ),
    )
    const wrapper = mount(WorkflowSettingsSection)
    await wrapper.get(field('copilot_polling_interval')).setValue('15')
    expect(useUnsavedChanges().hasUnsavedChanges()).toBe(true)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(put).toHaveBeenCalledWith({ workflow: { copilot_polling_interval: 15 } }, { ifMatch: null })
    expect(wrapper.get('[data-testid="status-workflow"]').text()).toContain('Saved')
    expect(wrapper.get('[data-testid="source-workflow.copilot_polling_interval"]').text()).toBe('Your setting')
    expect(useUnsavedChanges().hasUnsavedChanges()).toBe(false)
    wrapper.unmount()
  })

  it('shows each 422 message next to its field and keeps the edits', async () => {
    vi.spyOn(api, 'updateUserSettings').mockRejectedValue(
      new ApiError(422, 'the request breaks the schema; nothing was written', { details: [
        { field: 'workflow.default_repository', message: 'must be a GitHub repository as owner/repo (null for none)' },
        { field: 'workflow.copilot_polling_interval', message: 'must be an integer from 0 to 86400' },
      ] }),
    )
    const wrapper = mount(WorkflowSettingsSection)
    await wrapper.get(field('default_repository')).setValue('not a repo')
    await wrapper.get(field('copilot_polling_interval')).setValue('99999')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    const repoField = wrapper.get('[data-testid="field-workflow.default_repository"]')
    expect(repoField.get('[data-testid="error-workflow.default_repository"]').text()).toContain('owner/repo')
    expect(
      wrapper.get('[data-testid="field-workflow.copilot_polling_interval"]').get('[role="alert"]').text(),
    ).toContain('0 to 86400')
    expect(wrapper.find('[data-testid="error-workflow.default_assignee"]').exists()).toBe(false)
    expect((wrapper.get(field('default_repository')).element as HTMLInputElement).value).toBe('not a repo')
    expect(wrapper.get('[data-testid="status-workflow"]').text()).toMatch(/Not saved/)
    wrapper.unmount()
  })

  it('keeps the edits after a network error', async () => {
    vi.spyOn(api, 'updateUserSettings').mockRejectedValue(new ApiError(0, 'unreachable', { fromService: false }))
    const wrapper = mount(WorkflowSettingsSection)
    await wrapper.get(field('default_assignee')).setValue('hubot')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="status-workflow"]').text()).toMatch(/Can't reach the settings service/)
    expect((wrapper.get(field('default_assignee')).element as HTMLInputElement).value).toBe('hubot')
    expect(wrapper.find('[data-testid="dirty-workflow.default_assignee"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('reset to default sends null and shows the global value until saved', async () => {
    const put = vi.spyOn(api, 'updateUserSettings').mockImplementation(() =>
      answer(
        userSettings((s) => {
          s.workflow.default_repository = 'org/global'
        }),
      ),
    )
    const wrapper = mount(WorkflowSettingsSection)
    await wrapper.get('[data-testid="reset-workflow.default_repository"]').trigger('click')
    expect((wrapper.get(field('default_repository')).element as HTMLInputElement).value).toBe('org/global')
    expect(wrapper.get('[data-testid="source-workflow.default_repository"]').text()).toBe('Inherited after saving')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(put).toHaveBeenCalledWith({ workflow: { default_repository: null } }, { ifMatch: null })
    expect(wrapper.get('[data-testid="source-workflow.default_repository"]').text()).toBe('Inherited from global')
    wrapper.unmount()
  })

  it('sends an emptied repository box as null', async () => {
    const put = vi.spyOn(api, 'updateUserSettings').mockImplementation(() => answer(userSettings()))
    const wrapper = mount(WorkflowSettingsSection)
    await wrapper.get(field('default_repository')).setValue('')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(put).toHaveBeenCalledWith({ workflow: { default_repository: null } }, { ifMatch: null })
    wrapper.unmount()
  })

  it('keeps focus in the section after Save and Discard disable themselves', async () => {
    vi.spyOn(api, 'updateUserSettings').mockImplementation(() => answer(userSettings()))
    const wrapper = mountWith(WorkflowSettingsSection, { attachTo: document.body }).wrapper
    await wrapper.get(field('default_assignee')).setValue('someone')
    const saveButton = wrapper.get('[data-testid="save-workflow"]').element as HTMLButtonElement
    saveButton.focus()
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(document.activeElement).toBe(wrapper.get('[data-testid="status-workflow"]').element)

    await wrapper.get(field('default_assignee')).setValue('other')
    const discard = wrapper.get('[data-testid="discard-workflow"]').element as HTMLButtonElement
    discard.focus()
    await wrapper.get('[data-testid="discard-workflow"]').trigger('click')
    await flushPromises()
    expect(document.activeElement).toBe(wrapper.get(field('default_repository')).element)
    wrapper.unmount()
  })
})
