import { describe, expect, it, vi } from 'vitest'
import { api, ApiError } from '@/api/client'
import { useSession } from '@/stores/session'

const user = { github_user_id: '1', github_username: 'octocat', github_avatar_url: null, selected_project_id: null }

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
    expect(session.problem).toMatch(/cannot be reached/)
  })
})
