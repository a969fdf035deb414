import { describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { defineComponent, h } from 'vue'
import { RouterView } from 'vue-router'
import { api, ApiError } from '@/api/client'
import { useUnsavedChanges } from '@/stores/unsavedChanges'
import { mountWith } from '@/test/mountApp'
import { globalSettings, userSettings } from '@/components/__tests__/fixtures'

const Shell = defineComponent({ render: () => h(RouterView) })

function serviceWith() {
  vi.spyOn(api, 'userSettings').mockResolvedValue({ data: userSettings(), etag: null })
  vi.spyOn(api, 'globalSettings').mockResolvedValue({ data: globalSettings(), etag: null })
  vi.spyOn(api, 'projects').mockResolvedValue({ data: { projects: [] }, etag: null })
  vi.spyOn(api, 'githubProjects').mockResolvedValue({ data: { projects: [] }, etag: null })
}

async function openSettings() {
  const mounted = mountWith(Shell)
  await mounted.router.push('/settings')
  await flushPromises()
  return mounted
}

describe('SettingsView', () => {
  it('loads the user and global settings and shows every section', async () => {
    serviceWith()
    const { wrapper } = await openSettings()
    for (const id of ['ai', 'display', 'workflow', 'notifications', 'project', 'global']) {
      expect(wrapper.find(`[data-testid="section-${id}"]`).exists(), id).toBe(true)
    }
    expect(wrapper.get('[data-testid="settings-sidebar"]').text()).toContain('Global')
  })

  it('shows the whole change history behind a button, every scope with where it belongs', async () => {
    serviceWith()
    const history = vi.spyOn(api, 'history').mockResolvedValue({
      data: {
        entries: [
          { id: 2, at: '2026-11-26T10:00:00.000Z', actor: { tool: 'settingsctl' } as never, scope: 'global', field: 'ai.temperature', old: 0.7, new: 1, revision: 2 },
          { id: 1, at: '2026-11-26T09:00:00.000Z', actor: { tool: 'seed' } as never, scope: 'project', project_id: 'P', field: 'board_display_config', old: null, new: { column_order: ['A'] }, revision: 1 },
        ],
        next_before: null,
      },
      etag: null,
    })
    const { wrapper } = await openSettings()
    expect(wrapper.get('[data-testid="settings-sidebar"]').text()).toContain('History')
    expect(history).not.toHaveBeenCalled()
    await wrapper.get('[data-testid="history-toggle-page"]').trigger('click')
    await flushPromises()
    expect(history.mock.calls[0][0]).toEqual({ scope: undefined, projectId: undefined, limit: 50, before: null })
    expect(wrapper.findAll('[data-testid="history-page"] [data-testid="history-field"]').map((f) => f.text())).toEqual([
      'Global · Temperature',
      'Project P · Board display',
    ])
  })

  it('says why the settings could not be loaded, and tries again', async () => {
    serviceWith()
    vi.mocked(api.globalSettings).mockRejectedValueOnce(new ApiError(503, 'busy', { retryAfter: 5 }))
    const { wrapper } = await openSettings()
    expect(wrapper.get('[data-testid="settings-load-error"]').text()).toMatch(
      /could not be loaded\. The service is busy\. Try again in 5 seconds\./,
    )
    await wrapper.get('[data-testid="settings-load-error"] button').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="settings-load-error"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="section-global"]').exists()).toBe(true)
  })

  it('asks before leaving with unsaved edits, and stays when told to', async () => {
    serviceWith()
    const ask = vi.fn(() => false)
    useUnsavedChanges().setAsk(ask)
    const { wrapper, router } = await openSettings()
    await wrapper.get('[data-testid="input-workflow.default_assignee"]').setValue('someone')
    await router.push('/chat')
    expect(ask).toHaveBeenCalledTimes(1)
    expect(router.currentRoute.value.path).toBe('/settings')
    ask.mockReturnValue(true)
    await router.push('/chat')
    expect(router.currentRoute.value.path).toBe('/chat')
  })

  it('leaves without asking when nothing is edited', async () => {
    serviceWith()
    const ask = vi.fn(() => false)
    useUnsavedChanges().setAsk(ask)
    const { router } = await openSettings()
    await router.push('/board')
    expect(ask).not.toHaveBeenCalled()
    expect(router.currentRoute.value.path).toBe('/board')
  })
})
