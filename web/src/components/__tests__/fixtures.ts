import type { EffectiveProjectSettings, EffectiveUserSettings, GlobalSettings, Sources } from '@/api/client'

export function globalSettings(overrides: Partial<GlobalSettings> = {}): GlobalSettings {
  return {
    ai: { provider: 'copilot', model: 'gpt-4o', temperature: 0.7 },
    display: { theme: 'light', default_view: 'chat', sidebar_collapsed: false },
    workflow: { default_repository: null, default_assignee: '', copilot_polling_interval: 60 },
    notifications: { task_status_change: true, agent_completion: true, new_recommendation: true, chat_mention: true },
    allowed_models: [],
    ...overrides,
  }
}

const PATHS = [
  'ai.provider',
  'ai.model',
  'ai.temperature',
  'display.theme',
  'display.default_view',
  'display.sidebar_collapsed',
  'workflow.default_repository',
  'workflow.default_assignee',
  'workflow.copilot_polling_interval',
  'notifications.task_status_change',
  'notifications.agent_completion',
  'notifications.new_recommendation',
  'notifications.chat_mention',
]

/** Effective settings = the global ones, with `own` paths marked as the user's. */
export function userSettings(
  change: (s: EffectiveUserSettings) => void = () => {},
  own: string[] = [],
): EffectiveUserSettings {
  const { allowed_models: _ignored, ...values } = globalSettings()
  void _ignored
  const sources: Sources = Object.fromEntries(PATHS.map((p) => [p, own.includes(p) ? 'user' : 'global']))
  const settings: EffectiveUserSettings = { ...structuredClone(values), sources }
  change(settings)
  return settings
}

/** Effective project settings with nothing set on the project layer. */
export function projectSettings(projectId: string, change: (s: EffectiveProjectSettings) => void = () => {}): EffectiveProjectSettings {
  const user = userSettings()
  const settings: EffectiveProjectSettings = {
    ...user,
    project: { project_id: projectId, board_display_config: null, agent_pipeline_mappings: null },
    sources: { ...user.sources, 'project.board_display_config': 'global', 'project.agent_pipeline_mappings': 'global' },
  }
  change(settings)
  return settings
}
