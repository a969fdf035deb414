import { describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { api, ApiError, type HistoryEntry, type HistoryPage } from '@/api/client'
import HistoryPanel from '@/components/HistoryPanel.vue'
import AiSettingsSection from '@/components/AiSettingsSection.vue'
import { useSession } from '@/stores/session'
import { projectKey, useServerState } from '@/stores/serverState'
import { mountWith, seed } from '@/test/mountApp'
import { globalSettings, projectSettings, userSettings } from './fixtures'

const byId = (id: string) => `[data-testid="${id}"]`
const MINUTE = 60_000

function entry(id: number, change: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id,
    at: new Date(Date.now() - 5 * MINUTE).toISOString(),
    actor: { github_user_id: '1', github_username: 'octocat' } as unknown as HistoryEntry['actor'],
    scope: 'user',
    field: 'ai.temperature',
    old: null,
    new: 1.2,
    revision: id,
    ...change,
  }
}

const page = (entries: HistoryEntry[], next: number | null = null) =>
  Promise.resolve({ data: { entries, next_before: next } as HistoryPage, etag: null })

function mountPanel(props: Record<string, unknown> = {}) {
  return mountWith(HistoryPanel, { props: { id: 'test', ...props }, attachTo: document.body }).wrapper
}

describe('HistoryPanel', () => {
  it('lists when, who, which field and old → new, newest first, in words', async () => {
    const history = vi.spyOn(api, 'history').mockReturnValue(
      page([
        entry(3, { field: 'display.theme', old: 'light', new: 'dark', actor: { tool: 'settingsctl' } as never, scope: 'global' }),
        entry(2, { field: 'ai.provider', old: 'copilot', new: 'azure_openai' }),
        entry(1, { field: 'notifications.chat_mention', old: null, new: false, actor: { tool: 'seed' } as never }),
      ]),
    )
    const wrapper = mountPanel({ showScope: true })
    await flushPromises()
    expect(history).toHaveBeenCalledWith({ scope: undefined, projectId: undefined, limit: 50, before: null })
    const rows = wrapper.findAll(byId('history-entry'))
    expect(rows.map((r) => r.get(byId('history-who')).text())).toEqual(['settingsctl', 'octocat', 'first start'])
    expect(rows.map((r) => r.get(byId('history-field')).text())).toEqual([
      'Global · Theme',
      'Provider',
      'Mentions in chat',
    ])
    expect(rows.map((r) => `${r.get(byId('history-old')).text()} → ${r.get(byId('history-new')).text()}`)).toEqual([
      'Light → Dark',
      'GitHub Copilot → Azure OpenAI',
      'inherited → Off',
    ])
    const time = rows[0].get('time')
    expect(time.text()).toBe('5 minutes ago')
    expect(time.attributes('title')).toBe(new Date(time.attributes('datetime')!).toLocaleString())
    wrapper.unmount()
  })

  it('asks for its scope and project, keeps only its fields, and pages with "Show older"', async () => {
    const history = vi
      .spyOn(api, 'history')
      .mockReturnValueOnce(page([entry(9, { field: 'board_display_config', scope: 'project', project_id: 'P' })], 9))
      .mockReturnValueOnce(page([entry(4, { field: 'agent_pipeline_mappings', scope: 'project', project_id: 'P', old: null, new: {} })], null))
    const wrapper = mountPanel({ scope: 'project', projectId: 'P', fields: ['board_display_config', 'agent_pipeline_mappings'] })
    await flushPromises()
    expect(history.mock.calls[0][0]).toEqual({ scope: 'project', projectId: 'P', limit: 50, before: null })
    expect(wrapper.findAll(byId('history-entry'))).toHaveLength(1)
    await wrapper.get(byId('history-older-test')).trigger('click')
    await flushPromises()
    expect(history.mock.calls[1][0]).toEqual({ scope: 'project', projectId: 'P', limit: 50, before: 9 })
    expect(wrapper.findAll(byId('history-entry')).map((r) => r.attributes('data-field'))).toEqual([
      'board_display_config',
      'agent_pipeline_mappings',
    ])
    expect(wrapper.findAll(byId('history-old'))[1].text()).toBe('not set')
    expect(wrapper.find(byId('history-older-test')).exists()).toBe(false)
    wrapper.unmount()
  })

  it("looks further back when a page has none of the section's fields", async () => {
    const history = vi
      .spyOn(api, 'history')
      .mockReturnValueOnce(page([entry(30, { field: 'display.theme' })], 30))
      .mockReturnValueOnce(page([entry(20, { field: 'ai.model', old: 'a', new: 'b' })], 20))
    const wrapper = mountPanel({ scope: 'user', fields: ['ai.model'] })
    await flushPromises()
    expect(history).toHaveBeenCalledTimes(2)
    expect(wrapper.findAll(byId('history-entry')).map((r) => r.attributes('data-field'))).toEqual(['ai.model'])
    wrapper.unmount()
  })

  it('says so when there is nothing yet, and when the history cannot be loaded', async () => {
    vi.spyOn(api, 'history').mockReturnValueOnce(page([])).mockRejectedValueOnce(new ApiError(0, 'down', { fromService: false }))
    const wrapper = mountPanel()
    await flushPromises()
    expect(wrapper.get(byId('history-empty-test')).text()).toBe('No changes recorded yet.')
    seed('user', userSettings((s) => (s.revisions = { global: 1, user: 9 })))
    await flushPromises()
    expect(wrapper.get(byId('history-error-test')).text()).toMatch(/could not be loaded. Can't reach the settings service/)
    wrapper.unmount()
  })

  it('"Restore this value" PUTs the old value through the store (null: back to inherited) and reloads', async () => {
    seed('user', userSettings((s) => (s.revisions = { global: 1, user: 2 }), ['ai.temperature']), '"g1-u2"')
    const history = vi.spyOn(api, 'history').mockReturnValue(page([entry(2, { old: null, new: 1.2 }), entry(1, { old: 0.4, new: null })]))
    const put = vi
      .spyOn(api, 'updateUserSettings')
      .mockResolvedValue({ data: userSettings((s) => (s.revisions = { global: 1, user: 3 })), etag: '"g1-u3"' })
    const wrapper = mountPanel({ scope: 'user' })
    await flushPromises()
    const restore = wrapper.findAll(byId('history-restore'))
    expect(restore[0].attributes('aria-label')).toBe('Restore this value: Temperature to inherited')
    await restore[0].trigger('click')
    await flushPromises()
    expect(put.mock.calls[0]).toEqual([{ ai: { temperature: null } }, { ifMatch: '"g1-u2"' }])
    expect(wrapper.get(byId('history-status-test')).text()).toBe('Restored Temperature to inherited.')
    expect(useServerState().entry('user').etag).toBe('"g1-u3"')
    // The restore is itself a change: the list is asked for again.
    expect(history).toHaveBeenCalledTimes(2)
    await wrapper.findAll(byId('history-restore'))[1].trigger('click')
    await flushPromises()
    expect(put.mock.calls[1][0]).toEqual({ ai: { temperature: 0.4 } })
    wrapper.unmount()
  })

  it('restores a project value to its project, and retries once after a 412', async () => {
    seed(projectKey('P'), projectSettings('P'), '"g1-u1-p1"')
    vi.spyOn(api, 'history').mockReturnValue(
      page([entry(5, { scope: 'project', project_id: 'P', field: 'board_display_config', old: { column_order: ['A'] }, new: null })]),
    )
    vi.spyOn(api, 'projectSettings').mockResolvedValue({ data: projectSettings('P'), etag: '"g1-u1-p2"' })
    vi.spyOn(api, 'projects').mockResolvedValue({ data: { projects: [] }, etag: null })
    const put = vi
      .spyOn(api, 'updateProjectSettings')
      .mockRejectedValueOnce(new ApiError(412, 'changed', { etag: '"g1-u1-p2"' }))
      .mockResolvedValueOnce({ data: projectSettings('P'), etag: '"g1-u1-p3"' })
    const wrapper = mountPanel({ scope: 'project', projectId: 'P' })
    await flushPromises()
    expect(wrapper.get(byId('history-old')).text()).toBe('columns: A')
    await wrapper.get(byId('history-restore')).trigger('click')
    await flushPromises()
    expect(put.mock.calls.map((c) => [c[0], c[1], c[2]])).toEqual([
      ['P', { board_display_config: { column_order: ['A'] } }, { ifMatch: '"g1-u1-p1"' }],
      ['P', { board_display_config: { column_order: ['A'] } }, { ifMatch: '"g1-u1-p2"' }],
    ])
    expect(wrapper.get(byId('history-status-test')).text()).toBe('Restored Board display to columns: A.')
    wrapper.unmount()
  })

  it('says why a restore was refused', async () => {
    seed('user', userSettings())
    vi.spyOn(api, 'history').mockReturnValue(page([entry(2, { field: 'ai.model', old: 'retired', new: 'gpt-4o' })]))
    vi.spyOn(api, 'updateUserSettings').mockRejectedValue(
      new ApiError(422, 'invalid', { details: [{ field: 'ai.model', message: 'not allowed', code: 'not_allowed', allowed: ['gpt-4o'] }] }),
    )
    const wrapper = mountPanel({ scope: 'user' })
    await flushPromises()
    await wrapper.get(byId('history-restore')).trigger('click')
    await flushPromises()
    expect(wrapper.get(byId('history-status-test')).text()).toMatch(/^Not restored\. .*Model/)
    wrapper.unmount()
  })

  it('offers no restore of global values to non-admins, nor of a global value that was never set', async () => {
    vi.spyOn(api, 'history').mockReturnValue(
      page([
        entry(2, { scope: 'global', field: 'ai.temperature', old: 0.7, new: 1 }),
        entry(1, { scope: 'global', field: 'ai.model', old: null, new: 'gpt-4o', actor: { tool: 'seed' } as never }),
      ]),
    )
    useSession().user = { github_user_id: '1', github_username: 'admin', github_avatar_url: null, selected_project_id: null, is_admin: true }
    const wrapper = mountPanel({ scope: 'global' })
    await flushPromises()
    expect(wrapper.findAll(byId('history-entry')).map((r) => r.find(byId('history-restore')).exists())).toEqual([true, false])
    useSession().user = { github_user_id: '2', github_username: 'guest', github_avatar_url: null, selected_project_id: null, is_admin: false }
    await flushPromises()
    expect(wrapper.findAll(byId('history-restore'))).toHaveLength(0)
    wrapper.unmount()
  })
})

describe('History in a section', () => {
  it('opens behind its button and lists only that section\'s user fields', async () => {
    seed('global', globalSettings())
    seed('user', userSettings())
    const history = vi
      .spyOn(api, 'history')
      .mockReturnValue(page([entry(3, { field: 'display.theme', old: 'light', new: 'dark' }), entry(2, { field: 'ai.model', old: 'a', new: 'b' })]))
    const wrapper = mountWith(AiSettingsSection, { attachTo: document.body }).wrapper
    const toggle = wrapper.get(byId('history-toggle-ai'))
    expect(toggle.attributes('aria-expanded')).toBe('false')
    expect(history).not.toHaveBeenCalled()
    await toggle.trigger('click')
    await flushPromises()
    expect(toggle.attributes('aria-expanded')).toBe('true')
    expect(toggle.attributes('aria-controls')).toBe('history-ai')
    expect(history.mock.calls[0][0]).toMatchObject({ scope: 'user' })
    expect(wrapper.findAll(byId('history-entry')).map((r) => r.attributes('data-field'))).toEqual(['ai.model'])
    wrapper.unmount()
  })
})
