import { describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import ProjectSettingsSection from '@/components/ProjectSettingsSection.vue'
import { api, ApiError, type User } from '@/api/client'
import { useSession } from '@/stores/session'
import { useUnsavedChanges } from '@/stores/unsavedChanges'
import { mountWith } from '@/test/mountApp'
import { projectSettings } from './fixtures'

const user = (selected: string | null): User => ({
  github_user_id: '1',
  github_username: 'octocat',
  github_avatar_url: null,
  selected_project_id: selected,
})

function signedIn(selected: string | null) {
  const session = useSession()
  session.state = 'signed-in'
  session.user = user(selected)
  vi.spyOn(api, 'projects').mockResolvedValue({ data: { projects: [] }, etag: null })
  vi.spyOn(api, 'githubProjects').mockResolvedValue({ data: { projects: [] }, etag: null })
  vi.spyOn(api, 'selectProject').mockImplementation(async (id) => ({ data: user(id), etag: null }))
}

/** Project loads that answer only when released (and reject when aborted, as fetch does). */
function heldProjects() {
  const release = new Map<string, () => void>()
  vi.spyOn(api, 'projectSettings').mockImplementation(
    (id, options) =>
      new Promise((resolve, reject) => {
        release.set(id, () => resolve({ data: projectSettings(id), etag: null }))
        options?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
      }),
  )
  return release
}

async function openId(wrapper: ReturnType<typeof mountWith>['wrapper'], id: string) {
  await wrapper.get('[data-testid="project-new-id"]').setValue(id)
  await wrapper.get('[data-testid="project-open"]').trigger('click')
  await flushPromises()
}

describe('ProjectSettingsSection', () => {
  it('lists GitHub projects by title and owner, then the other ids with stored settings', async () => {
    signedIn('B')
    vi.spyOn(api, 'projectSettings').mockResolvedValue({ data: projectSettings('B'), etag: null })
    vi.spyOn(api, 'projects').mockResolvedValue({
      data: { projects: [{ project_id: 'PVT_2', updated_at: '2026-11-26T10:00:00.000Z' }, { project_id: 'OLD', updated_at: '2026-11-25T10:00:00.000Z' }] },
      etag: null,
    })
    vi.spyOn(api, 'githubProjects').mockResolvedValue({
      data: {
        projects: [
          { id: 'PVT_1', title: 'Roadmap', owner: 'octocat', url: 'https://github.com/users/octocat/projects/1' },
          { id: 'PVT_2', title: 'Team board', owner: 'octo-org', url: 'https://github.com/orgs/octo-org/projects/2' },
        ],
      },
      etag: null,
    })
    const { wrapper } = mountWith(ProjectSettingsSection)
    await flushPromises()
    const options = wrapper.findAll('[data-testid="project-picker"] option:not([disabled])')
    expect(options.map((o) => [o.attributes('value'), o.text()])).toEqual([
      ['B', 'B (selected)'],
      ['PVT_1', 'Roadmap — octocat'],
      ['PVT_2', 'Team board — octo-org'],
      ['OLD', 'OLD'],
    ])
    expect(wrapper.find('[data-testid="github-projects-note"]').exists()).toBe(false)
  })

  it('says GitHub refused the token without signing out, and still offers typed ids', async () => {
    signedIn('A')
    vi.spyOn(api, 'projectSettings').mockResolvedValue({ data: projectSettings('A'), etag: null })
    vi.spyOn(api, 'githubProjects').mockRejectedValue(new ApiError(401, 'github_token_invalid'))
    const { wrapper } = mountWith(ProjectSettingsSection)
    await flushPromises()
    expect(wrapper.get('[data-testid="github-projects-note"]').text()).toContain('GitHub no longer accepts your sign-in')
    expect(useSession().state).toBe('signed-in')
    expect(wrapper.get('[data-testid="project-new-id"]').attributes('disabled')).toBeUndefined()
  })

  it("shows the session's project on mount", async () => {
    signedIn('A')
    vi.spyOn(api, 'projectSettings').mockResolvedValue({ data: projectSettings('A'), etag: null })
    const { wrapper } = mountWith(ProjectSettingsSection)
    await flushPromises()
    expect(wrapper.get('[data-testid="project-current"]').text()).toBe('Editing A')
  })

  it('badges a field no layer sets "Not set" (there is no global board config), and a pending clear too', async () => {
    signedIn('A')
    vi.spyOn(api, 'projectSettings').mockResolvedValue({
      data: projectSettings('A', (s) => {
        s.sources['project.agent_pipeline_mappings'] = 'project'
        s.project.agent_pipeline_mappings = { Backlog: [{ slug: 'a', display_name: null }] }
      }),
      etag: null,
    })
    const { wrapper } = mountWith(ProjectSettingsSection)
    await flushPromises()
    expect(wrapper.get('[data-testid="source-project.board_display_config"]').text()).toBe('Not set')
    expect(wrapper.get('[data-testid="source-project.agent_pipeline_mappings"]').text()).toBe('Set for this project')
    await wrapper.get('[data-testid="reset-project.agent_pipeline_mappings"]').trigger('click')
    expect(wrapper.get('[data-testid="source-project.agent_pipeline_mappings"]').text()).toBe('Not set after saving')
    expect(wrapper.text()).not.toContain('Inherited')
  })

  it('a slow answer for a project left behind is never shown or saved (open A, then C)', async () => {
    signedIn(null)
    const release = heldProjects()
    const put = vi.spyOn(api, 'updateProjectSettings').mockImplementation(async (id) => ({ data: projectSettings(id), etag: null }))
    const { wrapper } = mountWith(ProjectSettingsSection)
    await openId(wrapper, 'A')
    await openId(wrapper, 'C')
    release.get('C')!()
    await flushPromises()
    release.get('A')!()
    await flushPromises()
    expect(useSession().user?.selected_project_id).toBe('C')
    expect(wrapper.get('[data-testid="project-current"]').text()).toBe('Editing C')

    await wrapper.get('[data-testid="board-show-estimates"]').setValue(true)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(put).toHaveBeenCalledTimes(1)
    expect(put.mock.calls[0][0]).toBe('C')
  })

  it('asks before switching project with unsaved edits, and stays when told to', async () => {
    signedIn('A')
    vi.spyOn(api, 'projectSettings').mockImplementation(async (id) => ({ data: projectSettings(id), etag: null }))
    const ask = vi.fn(() => false)
    useUnsavedChanges().setAsk(ask)
    const { wrapper } = mountWith(ProjectSettingsSection)
    await flushPromises()
    await wrapper.get('[data-testid="board-show-estimates"]').setValue(true)
    await openId(wrapper, 'B')
    expect(ask).toHaveBeenCalledWith(expect.stringMatching(/unsaved project settings/), { confirm: 'Switch project' })
    expect(wrapper.get('[data-testid="project-current"]').text()).toBe('Editing A')
    expect((wrapper.get('[data-testid="board-show-estimates"]').element as HTMLInputElement).checked).toBe(true)
    expect(api.selectProject).not.toHaveBeenCalled()

    ask.mockReturnValue(true)
    await openId(wrapper, 'B')
    expect(wrapper.get('[data-testid="project-current"]').text()).toBe('Editing B')
    expect((wrapper.get('[data-testid="board-show-estimates"]').element as HTMLInputElement).checked).toBe(false)
  })

  it('does not ask when nothing is edited', async () => {
    signedIn('A')
    vi.spyOn(api, 'projectSettings').mockImplementation(async (id) => ({ data: projectSettings(id), etag: null }))
    const ask = vi.fn(() => false)
    useUnsavedChanges().setAsk(ask)
    const { wrapper } = mountWith(ProjectSettingsSection)
    await flushPromises()
    await openId(wrapper, 'B')
    expect(ask).not.toHaveBeenCalled()
    expect(wrapper.get('[data-testid="project-current"]').text()).toBe('Editing B')
  })

  it('refuses an id that is not a project id without asking the service', async () => {
    signedIn(null)
    const { wrapper } = mountWith(ProjectSettingsSection)
    await openId(wrapper, 'no spaces')
    expect(wrapper.get('[data-testid="project-new-id-error"]').text()).toMatch(/1–128/)
    expect(api.selectProject).not.toHaveBeenCalled()
  })

  it('says why a project could not be loaded', async () => {
    signedIn('A')
    vi.spyOn(api, 'projectSettings').mockRejectedValue(new ApiError(0, 'x', { fromService: false }))
    const { wrapper } = mountWith(ProjectSettingsSection)
    await flushPromises()
    expect(wrapper.get('[data-testid="project-load-error"]').text()).toMatch(/could not be loaded.*Can't reach the settings service/)
  })
})
