import { describe, expect, it, vi } from 'vitest'
import { api, ApiError, type User } from '@/api/client'
import { useSession } from '@/stores/session'

const user: User = { github_user_id: '1', github_username: 'octocat', github_avatar_url: null, selected_project_id: null }

describe('session', () => {
  it('is signed in when /auth/me answers, and knows whether dev login is on', async () => {
    vi.spyOn(api, 'me').mockResolvedValue({ data: user, etag: null })
    vi.spyOn(api, 'health').mockResolvedValue({ data: { status: 'ok', schema_version: 3, dev_login: true }, etag: null })
    const session = useSession()
    await session.refresh()
    expect(session.state).toBe('signed-in')
    expect(session.user).toEqual(user)
    expect(session.devLoginEnabled).toBe(true)
  })

  it('is signed out on a 401 and unreachable otherwise, saying why', async () => {
    vi.spyOn(api, 'health').mockRejectedValue(new ApiError(0, 'x', { fromService: false }))
    const me = vi.spyOn(api, 'me').mockRejectedValueOnce(new ApiError(401, 'no valid session'))
    const session = useSession()
    await session.refresh()
    expect(session.state).toBe('signed-out')
    expect(session.devLoginEnabled).toBe(false)
    me.mockRejectedValueOnce(new ApiError(502, 'bad gateway'))
    await session.refresh()
    expect(session.state).toBe('unreachable')
    expect(session.problem).toMatch(/Can't reach the settings service/)
  })
})

describe('session: selecting a project', () => {
  it('sends one selection at a time, so the project chosen last wins', async () => {
    const answers: Record<string, (value: { data: typeof user; etag: null }) => void> = {}
    const select = vi
      .spyOn(api, 'selectProject')
      .mockImplementation((id) => new Promise((resolve) => (answers[id as string] = resolve)))
    const session = useSession()
    const a = session.selectProject('A')
    const c = session.selectProject('C')
    await vi.waitFor(() => expect(select).toHaveBeenCalledTimes(1))
    await new Promise((resolve) => setTimeout(resolve))
    expect(select).toHaveBeenCalledTimes(1) // C waits for A's answer
    answers.A({ data: { ...user, selected_project_id: 'A' }, etag: null })
    await a
    await vi.waitFor(() => expect(select).toHaveBeenCalledTimes(2))
    answers.C({ data: { ...user, selected_project_id: 'C' }, etag: null })
    await c
    expect(session.user?.selected_project_id).toBe('C')
  })
})
