import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { api, ApiError, isAbort, onUnauthorized } from '@/api/client'

function reply(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(body === undefined ? '' : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
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
    expect(health.data.dev_login).toBe(true)
    expect(health.etag).toBeNull()
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('/api/v1/health')
    expect(init.method).toBe('GET')
    expect(init.credentials).toBe('same-origin')
    expect(init.body).toBeUndefined()
    expect(init.headers['If-Match']).toBeUndefined()
  })

  it('asks for the history with only the parameters given', async () => {
    fetchMock.mockImplementation(() => Promise.resolve(reply(200, { entries: [], next_before: null })))
    const page = await api.history()
    expect(page.data).toEqual({ entries: [], next_before: null })
    await api.history({ scope: 'project', projectId: 'PVT_1', limit: 50, before: 120 })
    await api.history({ scope: 'global', before: null })
    expect(fetchMock.mock.calls.map((c) => c[0])).toEqual([
      '/api/v1/settings/history',
      '/api/v1/settings/history?scope=project&project_id=PVT_1&limit=50&before=120',
      '/api/v1/settings/history?scope=global',
    ])
    expect(fetchMock.mock.calls[1][1].method).toBe('GET')
  })

  it('returns the ETag with the body and sends If-Match only when there is one', async () => {
    fetchMock.mockImplementation(() => Promise.resolve(reply(200, { ai: {} }, { ETag: '"g7-u3"' })))
    const loaded = await api.userSettings()
    expect(loaded.etag).toBe('"g7-u3"')
    await api.updateUserSettings({ ai: { temperature: 1 } }, { ifMatch: loaded.etag })
    await api.updateUserSettings({ ai: { temperature: 1 } }, { ifMatch: null })
    expect(fetchMock.mock.calls[1][1].headers['If-Match']).toBe('"g7-u3"')
    expect(fetchMock.mock.calls[2][1].headers['If-Match']).toBeUndefined()
  })

  it('keeps the code and limits of every detail, Retry-After, and the current view of a 412', async () => {
    fetchMock.mockResolvedValueOnce(
      reply(422, {
        error: 'invalid',
        details: [
          { field: 'ai.temperature', message: 'must be 0 to 2', code: 'out_of_range', min: 0, max: 2 },
          { field: 'ai.model', message: 'not allowed', code: 'not_allowed', allowed: ['a', 'b'] },
          { field: 7, message: 'dropped: no field' },
        ],
      }),
    )
    const invalid = (await api.updateUserSettings({}).catch((e: unknown) => e)) as ApiError
    expect(invalid.details).toEqual([
      { field: 'ai.temperature', message: 'must be 0 to 2', code: 'out_of_range', min: 0, max: 2 },
      { field: 'ai.model', message: 'not allowed', code: 'not_allowed', allowed: ['a', 'b'] },
    ])

    fetchMock.mockResolvedValueOnce(reply(429, { error: 'slow down' }, { 'Retry-After': '12' }))
    expect(((await api.updateUserSettings({}).catch((e: unknown) => e)) as ApiError).retryAfter).toBe(12)

    fetchMock.mockResolvedValueOnce(reply(412, { error: 'changed', details: [], current: { ai: { model: 'x' } } }, { ETag: '"g8"' }))
    const conflict = (await api.updateGlobalSettings({}, { ifMatch: '"g7"' }).catch((e: unknown) => e)) as ApiError
    expect(conflict.status).toBe(412)
    expect(conflict.current).toEqual({ ai: { model: 'x' } })
    expect(conflict.etag).toBe('"g8"')
  })

  it('lets a cancelled request reject with an AbortError, not an ApiError', async () => {
    fetchMock.mockRejectedValue(new DOMException('aborted', 'AbortError'))
    const error = await api.projectSettings('A', { signal: new AbortController().signal }).catch((e: unknown) => e)
    expect(isAbort(error)).toBe(true)
    expect(error).not.toBeInstanceOf(ApiError)
  })

  it('counts a bare 500 (a dev proxy without a service) as unreachable, a service 500 not', async () => {
    fetchMock.mockResolvedValueOnce(new Response('', { status: 500 }))
    expect(((await api.me().catch((e: unknown) => e)) as ApiError).isUnavailable).toBe(true)
    fetchMock.mockResolvedValueOnce(reply(500, { error: 'internal error' }))
    expect(((await api.me().catch((e: unknown) => e)) as ApiError).isUnavailable).toBe(false)
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
