import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { api, ApiError, onUnauthorized } from '@/api/client'

function reply(status: number, body: unknown) {
  return new Response(body === undefined ? '' : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

describe('api client', () => {
  const fetchMock = vi.fn()

  beforeEach(() => {
    fetchMock.mockReset()
    vi.stubGlobal('fetch', fetchMock)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    onUnauthorized(null)
  })

  it('sends GETs same-origin without a body', async () => {
    fetchMock.mockResolvedValue(reply(200, { status: 'ok', schema_version: 2, dev_login: true }))
    const health = await api.health()
    expect(health.dev_login).toBe(true)
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('/api/v1/health')
    expect(init.method).toBe('GET')
    expect(init.credentials).toBe('same-origin')
    expect(init.body).toBeUndefined()
  })

  it('sends every PUT and POST as JSON with a Content-Type, logout with {}', async () => {
    fetchMock.mockImplementation(() => Promise.resolve(reply(200, { logged_out: true })))
    await api.logout()
    await api.updateUserSettings({ ai: { temperature: null } })
    await api.selectProject('PVT_1')
    const calls = fetchMock.mock.calls.map(([url, init]) => ({
      url,
      method: init.method,
      type: init.headers['Content-Type'],
      body: init.body,
      credentials: init.credentials,
    }))
    expect(calls).toEqual([
      { url: '/api/v1/auth/logout', method: 'POST', type: 'application/json', body: '{}', credentials: 'same-origin' },
      {
        url: '/api/v1/settings/user',
        method: 'PUT',
        type: 'application/json',
        body: '{"ai":{"temperature":null}}',
        credentials: 'same-origin',
      },
      {
        url: '/api/v1/auth/session',
        method: 'PUT',
        type: 'application/json',
        body: '{"selected_project_id":"PVT_1"}',
        credentials: 'same-origin',
      },
    ])
  })

  it('escapes the project id in the path', async () => {
    fetchMock.mockResolvedValue(reply(200, {}))
    await api.projectSettings('a/b')
    expect(fetchMock.mock.calls[0][0]).toBe('/api/v1/settings/project/a%2Fb')
  })

  it('throws an ApiError with status, message and details on a 422', async () => {
    fetchMock.mockResolvedValue(
      reply(422, {
        error: 'the request breaks the schema; nothing was written',
        details: [{ field: 'ai.temperature', message: 'must be a number from 0 to 2' }],
      }),
    )
    const error = await api.updateUserSettings({ ai: { temperature: 3 } }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).status).toBe(422)
    expect((error as ApiError).message).toBe('the request breaks the schema; nothing was written')
    expect((error as ApiError).details).toEqual([{ field: 'ai.temperature', message: 'must be a number from 0 to 2' }])
    expect((error as ApiError).isUnavailable).toBe(false)
  })

  it('turns a network failure into an ApiError with status 0', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'))
    const error = (await api.userSettings().catch((e: unknown) => e)) as ApiError
    expect(error).toBeInstanceOf(ApiError)
    expect(error.status).toBe(0)
    expect(error.details).toEqual([])
    expect(error.isUnavailable).toBe(true)
  })

  it('copes with an error answer that is not JSON', async () => {
    fetchMock.mockResolvedValue(new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }))
    const error = (await api.userSettings().catch((e: unknown) => e)) as ApiError
    expect(error.status).toBe(502)
    expect(error.message).toContain('502')
    expect(error.isUnavailable).toBe(true)
  })

  it('reports a 401 to the unauthorized handler', async () => {
    const handler = vi.fn()
    onUnauthorized(handler)
    fetchMock.mockResolvedValue(reply(401, { error: 'no valid session' }))
    await expect(api.userSettings()).rejects.toMatchObject({ status: 401 })
    expect(handler).toHaveBeenCalledTimes(1)
  })
})
