import { describe, expect, it, vi } from 'vitest'
import { api, ApiError, type EffectiveProjectSettings } from '@/api/client'
import { projectKey, useServerState } from '@/stores/serverState'
import { globalSettings, projectSettings, userSettings } from '@/components/__tests__/fixtures'

const answer = <T>(data: T, etag: string | null = null) => Promise.resolve({ data, etag })

/** A request that answers when told to, and rejects when aborted (as fetch does). */
function held<T>(signal: AbortSignal | undefined) {
  let release!: (data: T) => void
  const promise = new Promise<{ data: T; etag: null }>((resolve, reject) => {
    release = (data) => resolve({ data, etag: null })
    signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
  })
  return { promise, release: (data: T) => release(data) }
}

describe('server state: loading', () => {
  it('keeps data, ETag, revisions and status per key', async () => {
    const user = userSettings((s) => (s.revisions = { global: 7, user: 3 }))
    vi.spyOn(api, 'userSettings').mockReturnValue(answer(user, '"g7-u3"'))
    const server = useServerState()
    expect(server.entry('user').status).toBe('idle')
    const loading = server.load('user')
    expect(server.entry('user').status).toBe('loading')
    expect(await loading).toEqual({ kind: 'ok', data: user })
    expect(server.entry('user')).toMatchObject({ data: user, etag: '"g7-u3"', revisions: { global: 7, user: 3 }, status: 'ready' })
  })

  it('works with a service that sends no ETag and no revisions', async () => {
    vi.spyOn(api, 'globalSettings').mockReturnValue(answer(globalSettings()))
    const server = useServerState()
    await server.load('global')
    expect(server.entry('global')).toMatchObject({ etag: null, revisions: null, status: 'ready' })
  })

  it('lists the projects under "projects"', async () => {
    vi.spyOn(api, 'projects').mockReturnValue(answer({ projects: [{ project_id: 'A', updated_at: 'now' }] }))
    const server = useServerState()
    await server.load('projects')
    expect(server.data('projects')).toEqual([{ project_id: 'A', updated_at: 'now' }])
  })

  it('records a failed load on the entry', async () => {
    const error = new ApiError(0, 'unreachable', { fromService: false })
    vi.spyOn(api, 'globalSettings').mockRejectedValue(error)
    const server = useServerState()
    expect(await server.load('global')).toEqual({ kind: 'failed', error })
    expect(server.entry('global')).toMatchObject({ status: 'error', error })
  })

  it('never lets a late answer for a project nobody wants any more land (the A-then-C race)', async () => {
    const requests = new Map<string, ReturnType<typeof held<EffectiveProjectSettings>>>()
    vi.spyOn(api, 'projectSettings').mockImplementation((id, options) => {
      const request = held<EffectiveProjectSettings>(options?.signal)
      requests.set(id, request)
      return request.promise
    })
    const server = useServerState()
    const a = server.load(projectKey('A'))
    server.cancel(projectKey('A'))
    const c = server.load(projectKey('C'))
    requests.get('C')!.release(projectSettings('C'))
    requests.get('A')!.release(projectSettings('A'))
    expect(await c).toMatchObject({ kind: 'ok' })
    expect(await a).toEqual({ kind: 'cancelled' })
    expect(server.data(projectKey('C'))?.project.project_id).toBe('C')
    expect(server.data(projectKey('A'))).toBeNull()
    expect(server.entry(projectKey('A')).status).toBe('idle')
  })

  it('a newer load of the same key wins over the one in flight', async () => {
    const requests: ReturnType<typeof held<ReturnType<typeof globalSettings>>>[] = []
    vi.spyOn(api, 'globalSettings').mockImplementation((options) => {
      const request = held<ReturnType<typeof globalSettings>>(options?.signal)
      requests.push(request)
      return request.promise
    })
    const server = useServerState()
    const first = server.load('global')
    const second = server.load('global')
    requests[1].release(globalSettings({ allowed_models: ['new'] }))
    expect(await second).toMatchObject({ kind: 'ok' })
    expect(await first).toEqual({ kind: 'cancelled' })
    expect(server.data('global')?.allowed_models).toEqual(['new'])
  })
})

describe('server state: saving', () => {
  it('sends If-Match only when it has an ETag, and keeps the new ETag', async () => {
    const put = vi.spyOn(api, 'updateUserSettings').mockReturnValue(answer(userSettings(), '"g1-u2"'))
    const server = useServerState()
    expect(await server.save('user', { ai: { temperature: 1 } })).toMatchObject({ kind: 'ok' })
    expect(put).toHaveBeenLastCalledWith({ ai: { temperature: 1 } }, { ifMatch: null })
    expect(server.entry('user').etag).toBe('"g1-u2"')
    await server.save('user', { ai: { temperature: 1.5 } })
    expect(put).toHaveBeenLastCalledWith({ ai: { temperature: 1.5 } }, { ifMatch: '"g1-u2"' })
  })

  it('returns a 412 as a conflict with the current view, a 422 as invalid, anything else as failed', async () => {
    const server = useServerState()
    const conflict = new ApiError(412, 'changed', { current: { ai: {} }, etag: '"g9"' })
    const invalid = new ApiError(422, 'bad', { details: [{ field: 'ai.model', message: 'empty' }] })
    const down = new ApiError(503, 'busy')
    vi.spyOn(api, 'updateGlobalSettings').mockRejectedValueOnce(conflict).mockRejectedValueOnce(invalid).mockRejectedValueOnce(down)
    expect(await server.save('global', {})).toEqual({ kind: 'conflict', current: { ai: {} }, etag: '"g9"', error: conflict })
    expect(await server.save('global', {})).toEqual({ kind: 'invalid', details: invalid.details, error: invalid })
    expect(await server.save('global', {})).toEqual({ kind: 'failed', error: down })
  })

  it('reloads the user after a global save: inherited values follow the global ones', async () => {
    vi.spyOn(api, 'userSettings').mockReturnValueOnce(answer(userSettings()))
    const server = useServerState()
    await server.load('user')
    vi.spyOn(api, 'updateGlobalSettings').mockReturnValue(
      answer(globalSettings({ workflow: { default_repository: null, default_assignee: 'lead', copilot_polling_interval: 45 } })),
    )
    const refreshed = userSettings((s) => (s.workflow.copilot_polling_interval = 45))
    const reload = vi.spyOn(api, 'userSettings').mockReturnValue(answer(refreshed))
    await server.save('global', { workflow: { copilot_polling_interval: 45 } })
    expect(reload).toHaveBeenCalledTimes(1)
    expect(server.data('user')?.workflow.copilot_polling_interval).toBe(45)
  })

  it('reloads the project list after a project save', async () => {
    vi.spyOn(api, 'updateProjectSettings').mockReturnValue(answer(projectSettings('A')))
    const list = vi.spyOn(api, 'projects').mockReturnValue(answer({ projects: [{ project_id: 'A', updated_at: 'now' }] }))
    const server = useServerState()
    await server.save(projectKey('A'), { board_display_config: { show_estimates: true } })
    expect(list).toHaveBeenCalledTimes(1)
    expect(server.data('projects')).toHaveLength(1)
  })
})

describe('server state: events', () => {
  it('reloads what an event makes stale, and only that', async () => {
    vi.spyOn(api, 'userSettings').mockReturnValue(answer(userSettings((s) => (s.revisions = { global: 1, user: 2 }))))
    vi.spyOn(api, 'globalSettings').mockReturnValue(answer(globalSettings({ revisions: { global: 1 } })))
    const server = useServerState()
    await Promise.all([server.load('user'), server.load('global')])
    expect(server.apply({ scope: 'user', revisions: { global: 1, user: 2 } })).toEqual([])
    expect(server.apply({ scope: 'user', revisions: { global: 1, user: 3 } })).toEqual(['user'])
    expect(server.apply({ scope: 'global', revisions: { global: 2 } }).sort()).toEqual(['global', 'user'])
    // A project nobody has open is not fetched.
    expect(server.apply({ scope: 'project', project_id: 'X', revisions: { project: 1 } })).toEqual([])
  })

  it('reloads the project list only when the project is news, or not open here', async () => {
    const project = projectSettings('A', (s) => (s.revisions = { global: 1, user: 1, project: 2 }))
    vi.spyOn(api, 'projectSettings').mockReturnValue(answer(project))
    vi.spyOn(api, 'projects').mockReturnValue(answer({ projects: [{ project_id: 'A', updated_at: 'now' }] }))
    const server = useServerState()
    await Promise.all([server.load(projectKey('A')), server.load('projects')])
    // The page's own save: the project already has this revision.
    expect(server.apply({ scope: 'project', project_id: 'A', revisions: { project: 2 } })).toEqual([])
    expect(server.apply({ scope: 'project', project_id: 'A', revisions: { project: 3 } })).toEqual([projectKey('A'), 'projects'])
    // A project made in another tab: only the list.
    expect(server.apply({ scope: 'project', project_id: 'B', revisions: { project: 1 } })).toEqual(['projects'])
  })

  it('idle() resolves once no save is in flight', async () => {
    let answerPut!: () => void
    vi.spyOn(api, 'updateUserSettings').mockReturnValue(
      new Promise((resolve) => (answerPut = () => resolve({ data: userSettings(), etag: null }))),
    )
    const server = useServerState()
    await server.idle()
    const saving = server.save('user', { ai: { temperature: 1 } })
    let idle = false
    void server.idle().then(() => (idle = true))
    await Promise.resolve()
    await Promise.resolve()
    expect(idle).toBe(false)
    answerPut()
    await saving
    await Promise.resolve()
    expect(idle).toBe(true)
  })

  it('clear() forgets everything of the last user', async () => {
    vi.spyOn(api, 'userSettings').mockReturnValue(answer(userSettings()))
    const server = useServerState()
    await server.load('user')
    server.clear()
    expect(server.data('user')).toBeNull()
  })
})

describe('server state: around the edges', () => {
  it('adopt() takes a version from elsewhere (a 412\'s current view) with its ETag', async () => {
    const server = useServerState()
    server.adopt('global', globalSettings({ allowed_models: ['theirs'] }), '"g9"')
    expect(server.entry('global')).toMatchObject({ status: 'ready', etag: '"g9"' })
    const put = vi.spyOn(api, 'updateGlobalSettings').mockReturnValue(answer(globalSettings(), '"g10"'))
    await server.save('global', { allowed_models: ['mine'] })
    expect(put).toHaveBeenCalledWith({ allowed_models: ['mine'] }, { ifMatch: '"g9"' })
  })

  it('an answer that arrives after a sign-out is not kept', async () => {
    let finish!: (value: { data: ReturnType<typeof userSettings>; etag: null }) => void
    vi.spyOn(api, 'updateUserSettings').mockReturnValue(new Promise((resolve) => (finish = resolve)))
    const server = useServerState()
    const saving = server.save('user', { ai: { temperature: 1 } })
    server.clear()
    finish({ data: userSettings(), etag: null })
    expect(await saving).toMatchObject({ kind: 'ok' })
    expect(server.data('user')).toBeNull()
  })
})
