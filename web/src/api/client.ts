// The typed client of the settings service (/api/v1). The types come from
// schema.d.ts, generated from shared/spec/openapi.yaml (npm run gen:api), so
// they are never written twice. Every call goes through request(), so
// cookies, headers, ETags and error decoding are decided in one place.

import type { components, operations } from './schema'

type Schemas = components['schemas']

export type AIProvider = Schemas['AIProvider']
export type ThemeMode = Schemas['ThemeMode']
export type DefaultView = Schemas['DefaultView']
export type Source = Schemas['Source']
export type Sources = Schemas['Sources']
export type Revisions = Schemas['Revisions']
export type AIPreferences = Schemas['AIPreferences']
export type DisplayPreferences = Schemas['DisplayPreferences']
export type WorkflowDefaults = Schemas['WorkflowDefaults']
export type NotificationPreferences = Schemas['NotificationPreferences']
export type EffectiveUserSettings = Schemas['EffectiveUserSettings']
export type GlobalSettings = Schemas['GlobalSettings']
export type EffectiveProjectSettings = Schemas['EffectiveProjectSettings']
export type UserPreferencesUpdate = Schemas['UserPreferencesUpdate']
export type GlobalSettingsUpdate = Schemas['GlobalSettingsUpdate']
export type ProjectSettingsUpdate = Schemas['ProjectSettingsUpdate']
export type BoardDisplayConfig = Schemas['BoardDisplayConfig']
export type AgentMapping = Schemas['AgentMapping']
export type AgentPipelineMappings = Schemas['AgentPipelineMappings']
export type User = Schemas['User']
export type ErrorResponse = Schemas['ErrorResponse']
/** One entry of a 422's `details`: the dotted field path, the API's message, and (when sent) code and limits. */
export type FieldError = NonNullable<ErrorResponse['details']>[number]
export type ErrorCode = NonNullable<FieldError['code']>

type JsonOf<Op> = Op extends { responses: { 200: { content: { 'application/json': infer Body } } } } ? Body : never

export type ProjectSummary = JsonOf<operations['listProjectSettings']>['projects'][number]
/** One of the signed-in user's GitHub Projects (v2), from GET /github/projects. */
export type GitHubProject = JsonOf<operations['listGithubProjects']>['projects'][number]

/** GET /settings/history: one page of entries, newest first, and the id to page on with. */
export type HistoryPage = JsonOf<operations['getSettingsHistory']>
export type HistoryEntry = HistoryPage['entries'][number]
export type HistoryScope = HistoryEntry['scope']
/** Who made a change (revisions.md): a person, or a tool ("settingsctl", "seed" = the first start). */
export type HistoryActor = { github_user_id: string; github_username: string } | { tool: string }

export interface HistoryQuery {
  scope?: HistoryScope
  projectId?: string
  limit?: number
  before?: number | null
}

/** The 401 error of GET /github/projects: GitHub refused the stored token, the session stays. */
export const GITHUB_TOKEN_INVALID = 'github_token_invalid'

/**
 * GET /health. `dev_login` is not in openapi.yaml yet; the service sends it
 * to say whether POST /auth/dev-login exists (see web/README.md).
 */
export type Health = JsonOf<operations['getHealth']> & { dev_login?: boolean }

/** The four preference categories every effective view has. */
export type PreferenceSections = Pick<EffectiveUserSettings, 'ai' | 'display' | 'workflow' | 'notifications'>

export const AI_PROVIDERS: readonly AIProvider[] = ['copilot', 'azure_openai']
export const THEME_MODES: readonly ThemeMode[] = ['light', 'dark']
export const DEFAULT_VIEWS: readonly DefaultView[] = ['chat', 'board', 'settings']

/**
 * Every failure of a call. `status` is the HTTP status, or 0 when the service
 * could not be reached (network error). `details` are a 422's fields (with
 * code and limits when the service sends them), `retryAfter` the seconds of
 * Retry-After (429, 503), `current` and `etag` the current view on a 412.
 */
export class ApiError extends Error {
  readonly status: number
  readonly details: FieldError[]
  readonly retryAfter: number | null
  readonly current: unknown
  readonly etag: string | null
  /** Whether the answer had a JSON error body (a bare 500 comes from a proxy, not the service). */
  readonly fromService: boolean

  constructor(
    status: number,
    message: string,
    extra: {
      details?: FieldError[]
      retryAfter?: number | null
      current?: unknown
      etag?: string | null
      fromService?: boolean
    } = {},
  ) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.details = extra.details ?? []
    this.retryAfter = extra.retryAfter ?? null
    this.current = extra.current
    this.etag = extra.etag ?? null
    this.fromService = extra.fromService ?? status !== 0
  }

  /**
   * True when the service was not reached: a network error, 502–504 from a
   * proxy, or a 500 without the service's JSON body. Edits are worth retrying.
   */
  get isUnavailable(): boolean {
    if (this.status === 0 || (this.status >= 502 && this.status <= 504)) return true
    return this.status === 500 && !this.fromService
  }
}

/** True for a request cancelled with an AbortSignal (not a failure: nobody wants the answer). */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError'
}

/** A successful answer: the body, and the ETag when the service sent one. */
export interface ApiResponse<T> {
  data: T
  etag: string | null
}

export interface RequestOptions {
  signal?: AbortSignal
  /** Sent as If-Match (PUT); omitted when null or absent. */
  ifMatch?: string | null
}

export const API_BASE = '/api/v1'
export const GITHUB_LOGIN_URL = `${API_BASE}/auth/github`
/**
 * The event stream (revisions.md). Relative like every other call: the page
 * and /api share one origin (Vite's proxy, the web container), so the
 * browser's EventSource sends the session cookie without withCredentials.
 */
export const EVENTS_URL = `${API_BASE}/settings/events`

let unauthorizedHandler: (() => void) | null = null

/** Called whenever a request answers 401 (the session is gone). */
export function onUnauthorized(handler: (() => void) | null): void {
  unauthorizedHandler = handler
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null

/** Keeps every detail with a field and a message, and the code and limits the service sent. */
export function parseDetails(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return []
  return value
    .filter((item): item is Record<string, unknown> & FieldError =>
      isObject(item) && typeof item.field === 'string' && typeof item.message === 'string',
    )
    .map((item) => {
      const detail: FieldError = { field: item.field, message: item.message }
      if (typeof item.code === 'string') detail.code = item.code as ErrorCode
      if (typeof item.min === 'number') detail.min = item.min
      if (typeof item.max === 'number') detail.max = item.max
      if (Array.isArray(item.allowed)) detail.allowed = item.allowed
      return detail
    })
}

function parseRetryAfter(value: string | null): number | null {
  if (value === null || !/^\d+$/.test(value.trim())) return null
  const seconds = Number(value)
  return seconds > 0 ? seconds : null
}

async function request<T>(
  method: 'GET' | 'PUT' | 'POST',
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  const init: RequestInit = { method, credentials: 'same-origin', headers, signal: options.signal }
  if (method !== 'GET') {
    // The service answers 415 to a PUT/POST without this header, body or not.
    headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body ?? {})
  }
  if (options.ifMatch) headers['If-Match'] = options.ifMatch
  let response: Response
  try {
    response = await fetch(`${API_BASE}${path}`, init)
  } catch (error) {
    if (isAbort(error)) throw error
    throw new ApiError(0, 'The settings service cannot be reached.', { fromService: false })
  }
  const text = await response.text().catch((error: unknown) => {
    if (isAbort(error)) throw error
    return ''
  })
  let data: unknown = undefined
  if (text !== '') {
    try {
      data = JSON.parse(text)
    } catch {
      data = undefined
    }
  }
  const etag = response.headers.get('ETag')
  if (!response.ok) {
    const payload = isObject(data) ? data : {}
    const fromService = typeof payload.error === 'string'
    const message =
      fromService && payload.error !== ''
        ? (payload.error as string)
        : `The service answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`
    // Only the session's own end signs the page out, not GitHub refusing its token.
    if (response.status === 401 && unauthorizedHandler && payload.error !== GITHUB_TOKEN_INVALID) unauthorizedHandler()
    throw new ApiError(response.status, message, {
      details: parseDetails(payload.details),
      retryAfter: parseRetryAfter(response.headers.get('Retry-After')),
      current: payload.current,
      etag,
      fromService,
    })
  }
  if (data === undefined) {
    throw new ApiError(response.status, 'The service sent an answer that is not JSON.')
  }
  return { data: data as T, etag }
}

function historyPath(query: HistoryQuery): string {
  const params = new URLSearchParams()
  if (query.scope) params.set('scope', query.scope)
  if (query.projectId) params.set('project_id', query.projectId)
  if (query.limit) params.set('limit', String(query.limit))
  if (query.before) params.set('before', String(query.before))
  const text = params.toString()
  return text ? `/settings/history?${text}` : '/settings/history'
}

const projectPath = (projectId: string) => `/settings/project/${encodeURIComponent(projectId)}`

type Json<Id extends keyof operations> = JsonOf<operations[Id]>

export const api = {
  health: () => request<Health>('GET', '/health'),
  me: () => request<Json<'getMe'>>('GET', '/auth/me'),
  devLogin: (username: string) => request<Json<'devLogin'>>('POST', '/auth/dev-login', { username }),
  logout: () => request<unknown>('POST', '/auth/logout', {}),
  selectProject: (selectedProjectId: string | null) =>
    request<Json<'selectProject'>>('PUT', '/auth/session', { selected_project_id: selectedProjectId }),
  userSettings: (options?: RequestOptions) =>
    request<Json<'getUserSettings'>>('GET', '/settings/user', undefined, options),
  updateUserSettings: (update: UserPreferencesUpdate, options?: RequestOptions) =>
    request<Json<'updateUserSettings'>>('PUT', '/settings/user', update, options),
  globalSettings: (options?: RequestOptions) =>
    request<Json<'getGlobalSettings'>>('GET', '/settings/global', undefined, options),
  updateGlobalSettings: (update: GlobalSettingsUpdate, options?: RequestOptions) =>
    request<Json<'updateGlobalSettings'>>('PUT', '/settings/global', update, options),
  projects: (options?: RequestOptions) =>
    request<Json<'listProjectSettings'>>('GET', '/settings/projects', undefined, options),
  githubProjects: (options?: RequestOptions) =>
    request<Json<'listGithubProjects'>>('GET', '/github/projects', undefined, options),
  projectSettings: (projectId: string, options?: RequestOptions) =>
    request<Json<'getProjectSettings'>>('GET', projectPath(projectId), undefined, options),
  updateProjectSettings: (projectId: string, update: ProjectSettingsUpdate, options?: RequestOptions) =>
    request<Json<'updateProjectSettings'>>('PUT', projectPath(projectId), update, options),
  history: (query: HistoryQuery = {}, options?: RequestOptions) =>
    request<HistoryPage>('GET', historyPath(query), undefined, options),
}

export type Api = typeof api
