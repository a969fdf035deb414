import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import GlobalSettingsSection from '@/components/GlobalSettingsSection.vue'
import { api, ApiError } from '@/api/client'
import { useServerState } from '@/stores/serverState'
import { useUnsavedChanges } from '@/stores/unsavedChanges'
import { useSession } from '@/stores/session'
import { mountWith, seed } from '@/test/mountApp'
import { globalSettings, userSettings } from './fixtures'

const input = (path: string) => `[data-testid="input-global.${path}"]`

/** Mounts the section and unfolds it (folded by default). */
async function openGlobal() {
  const mounted = mountWith(GlobalSettingsSection)
  await mounted.wrapper.get('[data-testid="global-toggle"]').trigger('click')
  return mounted
}

describe('GlobalSettingsSection', () => {
  it('is folded until asked, with the warning in sight', async () => {
    seed('global', globalSettings())
    const { wrapper } = mountWith(GlobalSettingsSection)
    expect(wrapper.find('[data-testid="field-global.ai.model"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="global-warning"]').text()).toMatch(/every user/)
    const toggle = wrapper.get('[data-testid="global-toggle"]')
    expect(toggle.attributes('aria-expanded')).toBe('false')
    await toggle.trigger('click')
    expect(toggle.attributes('aria-expanded')).toBe('true')
    expect(wrapper.find('[data-testid="field-global.ai.model"]').exists()).toBe(true)
  })

  beforeEach(() => {
    seed('global', globalSettings())
    seed('user', userSettings())
  })

  it('renders every catalogue field, none with a source badge or reset', async () => {
    const { wrapper } = await openGlobal()
    for (const path of ['ai.provider', 'ai.model', 'ai.temperature', 'display.theme', 'display.default_view', 'workflow.copilot_polling_interval', 'notifications.chat_mention']) {
      expect(wrapper.find(`[data-testid="field-global.${path}"]`).exists(), path).toBe(true)
    }
    expect(wrapper.find('[data-testid^="source-global."]').exists()).toBe(false)
    expect(wrapper.find('[data-testid^="reset-global.ai"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="global-warning"]').text()).toMatch(/every user/)
    // Each kind gets its control.
    const tag = (path: string) => wrapper.get(input(path)).element
    expect(tag('display.theme').tagName).toBe('SELECT')
    expect(wrapper.get(input('display.theme')).findAll('option').map((o) => o.text())).toEqual(['Light', 'Dark'])
    expect(tag('ai.provider').tagName).toBe('SELECT')
    expect((tag('ai.temperature') as HTMLInputElement).type).toBe('range')
    expect((tag('workflow.copilot_polling_interval') as HTMLInputElement).type).toBe('number')
    expect((tag('notifications.chat_mention') as HTMLInputElement).type).toBe('checkbox')
    expect((tag('workflow.default_assignee') as HTMLInputElement).type).toBe('text')
  })

  it('has a leave guard: an edit here counts as unsaved', async () => {
    const { wrapper } = await openGlobal()
    expect(useUnsavedChanges().hasUnsavedChanges()).toBe(false)
    await wrapper.get(input('workflow.default_assignee')).setValue('lead')
    expect(useUnsavedChanges().hasUnsavedChanges()).toBe(true)
    wrapper.unmount()
    expect(useUnsavedChanges().hasUnsavedChanges()).toBe(false)
  })

  it('saves only the changes, normalised, and refreshes the user view after the save', async () => {
    const saved = globalSettings({ workflow: { default_repository: null, default_assignee: 'lead', copilot_polling_interval: 45 } })
    const put = vi.spyOn(api, 'updateGlobalSettings').mockResolvedValue({ data: saved, etag: null })
    const refreshed = userSettings((s) => (s.workflow.copilot_polling_interval = 45))
    const reload = vi.spyOn(api, 'userSettings').mockResolvedValue({ data: refreshed, etag: null })
    const { wrapper } = await openGlobal()
    await wrapper.get(input('workflow.default_assignee')).setValue('  lead ')
    await wrapper.get(input('workflow.copilot_polling_interval')).setValue('45')
    await wrapper.get(input('workflow.default_repository')).setValue('   ')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(put).toHaveBeenCalledWith(
      { workflow: { default_assignee: 'lead', copilot_polling_interval: 45, default_repository: null } },
      { ifMatch: null },
    )
    expect(reload).toHaveBeenCalledTimes(1)
    expect(useServerState().data('user')?.workflow.copilot_polling_interval).toBe(45)
    expect(wrapper.get('[data-testid="status-global"]').text()).toContain('Saved')
  })

  it('offers the allowed models being edited as the model choices', async () => {
    const { wrapper } = await openGlobal()
    expect(wrapper.get(input('ai.model')).element.tagName).toBe('INPUT')
    await wrapper.get('[data-testid="allowed-models-new"]').setValue('o1')
    await wrapper.get('[data-testid="allowed-models-add"]').trigger('click')
    const options = wrapper.get(input('ai.model')).findAll('option').map((o) => o.text())
    expect(options).toEqual(['gpt-4o (not in the allowed list)', 'o1'])
  })

  it('shows a 422 at the field it names', async () => {
    vi.spyOn(api, 'updateGlobalSettings').mockRejectedValue(
      new ApiError(422, 'bad', { details: [{ field: 'ai.model', message: 'must be one of allowed_models' }] }),
    )
    const { wrapper } = await openGlobal()
    await wrapper.get(input('ai.model')).setValue('x')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="error-global.ai.model"]').text()).toBe('Model must be one of allowed_models.')
    expect(wrapper.get('[data-testid="status-global"]').text()).toMatch(/Not saved/)
  })

  it('is read-only for a non-admin: every control disabled, no Save, and why', async () => {
    useSession().user = { github_user_id: '2', github_username: 'guest', github_avatar_url: null, selected_project_id: null, is_admin: false }
    const { wrapper } = await openGlobal()
    expect(wrapper.get('[data-testid="read-only-global"]').text()).toBe('Only admins can change this.')
    expect(wrapper.find('[data-testid="save-global"]').exists()).toBe(false)
    expect(wrapper.get('fieldset').attributes('disabled')).toBeDefined()
  })

  it('stays editable when the service does not say (no is_admin yet)', async () => {
    useSession().user = { github_user_id: '1', github_username: 'octocat', github_avatar_url: null, selected_project_id: null }
    const { wrapper } = await openGlobal()
    expect(wrapper.find('[data-testid="read-only-global"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="save-global"]').exists()).toBe(true)
  })
})
