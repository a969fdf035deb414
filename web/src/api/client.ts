// The typed client of the settings service (/api/v1). Types are written by
// hand from shared/spec/openapi.yaml. Every call goes through request(), so
// cookies, headers and error decoding are decided in one place.

export type AIProvider = 'copilot' | 'azure_openai'
export type ThemeMode = 'light' | 'dark'
export type DefaultView = 'chat' | 'board' | 'settings'
export type Source = 'global' | 'user' | 'project'

export const AI_PROVIDERS: readonly AIProvider[] = ['copilot', 'azure_openai']
export const THEME_MODES: readonly ThemeMode[] = ['light', 'dark']
export const DEFAULT_VIEWS: readonly DefaultView[] = ['chat', 'board', 'settings']

export interface AIPreferences {
  provider: AIProvider
  model: string
  temperature: number
}

export interface DisplayPreferences {
  theme: ThemeMode
  default_view: DefaultView
  sidebar_collapsed: boolean
}

export interface WorkflowDefaults {
  default_repository: string | null
  default_assignee: string
  copilot_polling_interval: number
}

export interface NotificationPreferences {
  task_status_change: boolean
  agent_completion: boolean
  new_recommendation: boolean
  chat_mention: boolean
}

/** Where each effective value came from, keyed by dotted path ("ai.temperature"). */
export type Sources = Record<string, Source>

export interface PreferenceSections {
  ai: AIPreferences
  display: DisplayPreferences
  workflow: WorkflowDefaults
  notifications: NotificationPreferences
}

export interface EffectiveUserSettings extends PreferenceSections {
  sources: Sources
}

export interface GlobalSettings extends PreferenceSections {
  allowed_models: string[]
}

type Nullable<T> = { [K in keyof T]?: T[K] | null }

/** A partial user update: absent keys stay, null resets to the inherited value. */
export interface UserPreferencesUpdate {
  ai?: Nullable<AIPreferences> | null
  display?: Nullable<DisplayPreferences> | null
  workflow?: Nullable<WorkflowDefaults> | null
  notifications?: Nullable<NotificationPreferences> | null
}

/** A partial global update: no leaf may be null except workflow.default_repository. */
export interface GlobalSettingsUpdate {
  ai?: Partial<AIPreferences>
  display?: Partial<DisplayPreferences>
  workflow?: Partial<WorkflowDefaults>
  notifications?: Partial<NotificationPreferences>
  allowed_models?: string[]
}

export interface BoardDisplayConfig {
  column_order?: string[]
  collapsed_columns?: string[]
  show_estimates?: boolean
}

export interface AgentMapping {
  slug: string
  display_name?: string | null
}

export type AgentPipelineMappings = Record<string, AgentMapping[]>

export interface ProjectLayer {
  project_id: string
  board_display_config: BoardDisplayConfig | null
  agent_pipeline_mappings: AgentPipelineMappings | null
}

export interface EffectiveProjectSettings extends EffectiveUserSettings {
  project: ProjectLayer
}

/** Whole-object replacement: the object sent becomes the stored value, null removes it. */
export interface ProjectSettingsUpdate {
  board_display_config?: BoardDisplayConfig | null
  agent_pipeline_mappings?: AgentPipelineMappings | null
}

export interface ProjectSummary {
  project_id: string
  updated_at: string
}

export interface User {
  github_user_id: string
  github_username: string
  github_avatar_url: string | null
  selected_project_id: string | null
}

export interface Health {
  status: 'ok'
  schema_version: number
  /** Added by the service: whether POST /auth/dev-login exists. */
  dev_login?: boolean
}

export interface FieldError {
  /** Dotted path in the request body, e.g. "ai.temperature" or "board_display_config.column_order[0]". */
  field: string
  message: string
}

/**
 * Every failure of a call. `status` is the HTTP status, or 0 when the service
 * could not be reached (network error, proxy without a service behind it).
 */
export class ApiError extends Error {
  readonly status: number
  readonly details: FieldError[]

  constructor(status: number, message: string, details: FieldError[] = []) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.details = details
  }

  /** True when the service was not reached or failed on its side: edits are worth retrying. */
  get isUnavailable(): boolean {
    return this.status === 0 || this.status >= 500
  }
}

export const API_BASE = '/api/v1'
export const GITHUB_LOGIN_URL = `${API_BASE}/auth/github`

let unauthorizedHandler: (() => void) | null = null

/** Called whenever a request answers 401 (the session is gone). */
export function onUnauthorized(handler: (() => void) | null): void {
  unauthorizedHandler = handler
}

function parseDetails(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return []
  return value
    .filter(
      (item): item is FieldError =>
        typeof item === 'object' &&
        item !== null &&
        typeof (item as FieldError).field === 'string' &&
        typeof (item as FieldError).message === 'string',
    )
    .map((item) => ({ field: item.field, message: item.message }))
}

async function request<T>(method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } }
  if (method !== 'GET') {
    // The service answers 415 to a PUT/POST without this header, body or not.
    init.headers = { Accept: 'application/json', 'Content-Type': 'application/json' }
    init.body = JSON.stringify(body ?? {})
  }
  let response: Response
  try {
    response = await fetch(`${API_BASE}${path}`, init)
  } catch {
    throw new ApiError(0, 'The settings service cannot be reached.')
  }
  const text = await response.text().catch(() => '')
  let data: unknown = undefined
  if (text !== '') {
    try {
      data = JSON.parse(text)
    } catch {
      data = undefined
    }
  }
  if (!response.ok) {
    const payload = (typeof data === 'object' && data !== null ? data : {}) as { error?: unknown; details?: unknown }
    const message =
      typeof payload.error === 'string' && payload.error !== ''
        ? payload.error
        : `The service answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`
    if (response.status === 401 && unauthorizedHandler) unauthorizedHandler()
    throw new ApiError(response.status, message, parseDetails(payload.details))
  }
  if (data === undefined) {
    throw new ApiError(response.status, 'The service sent an answer that is not JSON.')
  }
  return data as T
}

export const api = {
  health: () => request<Health>('GET', '/health'),
  me: () => request<User>('GET', '/auth/me'),
  devLogin: (username: string) => request<User>('POST', '/auth/dev-login', { username }),
  logout: () => request<unknown>('POST', '/auth/logout', {}),
  selectProject: (selectedProjectId: string | null) =>
    request<User>('PUT', '/auth/session', { selected_project_id: selectedProjectId }),
  userSettings: () => request<EffectiveUserSettings>('GET', '/settings/user'),
  updateUserSettings: (update: UserPreferencesUpdate) =>
    request<EffectiveUserSettings>('PUT', '/settings/user', update),
  globalSettings: () => request<GlobalSettings>('GET', '/settings/global'),
  updateGlobalSettings: (update: GlobalSettingsUpdate) =>
    request<GlobalSettings>('PUT', '/settings/global', update),
  projects: () => request<{ projects: ProjectSummary[] }>('GET', '/settings/projects'),
  projectSettings: (projectId: string) =>
    request<EffectiveProjectSettings>('GET', `/settings/project/${encodeURIComponent(projectId)}`),
  updateProjectSettings: (projectId: string, update: ProjectSettingsUpdate) =>
    request<EffectiveProjectSettings>('PUT', `/settings/project/${encodeURIComponent(projectId)}`, update),
}

export type Api = typeof api
