// The one catalogue of the preference fields that the user sections and the
// Global section both render: dotted path, label, control kind, limits and
// how a typed value is normalised before it is sent. Error messages
// (describeError) take their labels and limits from here too.

import { AI_PROVIDERS, DEFAULT_VIEWS, THEME_MODES } from '@/api/client'

export type FieldKind = 'select' | 'model' | 'text' | 'repository' | 'number' | 'range' | 'switch' | 'theme'

export interface FieldOption {
  value: string
  label: string
}

export interface FieldSpec {
  /** Dotted path in the request body, e.g. "ai.temperature". */
  path: string
  label: string
  kind: FieldKind
  hint?: string
  /** The hint in the Global section, when it differs. */
  globalHint?: string
  options?: readonly FieldOption[]
  min?: number
  max?: number
  step?: number
  maxLength?: number
  placeholder?: string
}

export type Category = 'ai' | 'display' | 'workflow' | 'notifications'

export const CATEGORIES: readonly { id: Category; title: string; description: string }[] = [
  { id: 'ai', title: 'AI', description: 'The assistant used in Chat and for agents.' },
  { id: 'display', title: 'Display', description: 'How the app looks for you.' },
  { id: 'workflow', title: 'Workflow', description: 'Defaults for new issues and agent runs.' },
  { id: 'notifications', title: 'Notifications', description: 'Which events notify you.' },
]

export const PROVIDER_LABELS: Record<string, string> = { copilot: 'GitHub Copilot', azure_openai: 'Azure OpenAI' }
export const VIEW_LABELS: Record<string, string> = { chat: 'Chat', board: 'Project Board', settings: 'Settings' }
const THEME_LABELS: Record<string, string> = { light: 'Light', dark: 'Dark' }

const options = (values: readonly string[], labels: Record<string, string>): FieldOption[] =>
  values.map((value) => ({ value, label: labels[value] ?? value }))

export const FIELDS: readonly FieldSpec[] = [
  { path: 'ai.provider', label: 'Provider', kind: 'select', options: options(AI_PROVIDERS, PROVIDER_LABELS) },
  { path: 'ai.model', label: 'Model', kind: 'model', maxLength: 200 },
  {
    path: 'ai.temperature',
    label: 'Temperature',
    kind: 'range',
    min: 0,
    max: 2,
    step: 0.05,
    hint: '0 is focused and repeatable, 2 is most varied.',
  },
  { path: 'display.theme', label: 'Theme', kind: 'theme', options: options(THEME_MODES, THEME_LABELS) },
  {
    path: 'display.default_view',
    label: 'Default view',
    kind: 'select',
    options: options(DEFAULT_VIEWS, VIEW_LABELS),
    hint: 'Where you land after signing in.',
  },
  {
    path: 'display.sidebar_collapsed',
    label: 'Collapse the sidebar',
    kind: 'switch',
    hint: 'Hides the section list beside the settings.',
  },
  {
    path: 'workflow.default_repository',
    label: 'Default repository',
    kind: 'repository',
    hint: 'As owner/repo. Leave empty to use the default.',
    globalHint: 'As owner/repo, or empty for none.',
    placeholder: 'owner/repo',
  },
  { path: 'workflow.default_assignee', label: 'Default assignee', kind: 'text', hint: 'A GitHub login, or empty for nobody.' },
  {
    path: 'workflow.copilot_polling_interval',
    label: 'Copilot polling interval (seconds)',
    kind: 'number',
    min: 0,
    max: 86400,
    step: 1,
    hint: "How often to check Copilot's progress; 0 turns polling off.",
  },
  { path: 'notifications.task_status_change', label: 'Task status changes', kind: 'switch' },
  { path: 'notifications.agent_completion', label: 'Agent completions', kind: 'switch' },
  { path: 'notifications.new_recommendation', label: 'New recommendations', kind: 'switch' },
  { path: 'notifications.chat_mention', label: 'Mentions in chat', kind: 'switch' },
]

/** Fields that are not preferences of a category (Global only, project layer). */
const OTHER_LABELS: Record<string, string> = {
  allowed_models: 'Allowed models',
  board_display_config: 'Board display',
  agent_pipeline_mappings: 'Agent pipeline',
  selected_project_id: 'Project id',
  project_id: 'Project id',
  username: 'Username',
}

export function fieldsOf(category: Category): FieldSpec[] {
  return FIELDS.filter((f) => f.path.startsWith(`${category}.`))
}

export function fieldSpec(path: string): FieldSpec | undefined {
  return FIELDS.find((f) => f.path === path)
}

/** Labels of paths inside the project and Global lists, as 422 details name them. */
const ITEM_LABELS: readonly [RegExp, string][] = [
  [/^board_display_config\.(column_order|collapsed_columns)\[\d+\]$/, 'Column name'],
  [/^board_display_config\.column_order$/, 'Column order'],
  [/^board_display_config\.collapsed_columns$/, 'Collapsed columns'],
  [/^board_display_config\.show_estimates$/, 'Show estimates'],
  [/^agent_pipeline_mappings\.[^[]+\[\d+\]\.slug$/, 'Agent slug'],
  [/^agent_pipeline_mappings\.[^[]+\[\d+\]\.display_name$/, 'Display name'],
  [/^agent_pipeline_mappings\.[^[]+\[\d+\]$/, 'Agent'],
  [/^agent_pipeline_mappings\.[^[]+$/, 'Agent list'],
  [/^allowed_models\[\d+\]$/, 'Model name'],
]

/** The label of a dotted path, also for paths inside a list ("board_display_config.column_order[0]"). */
export function fieldLabel(path: string): string | undefined {
  const spec = fieldSpec(path)
  if (spec) return spec.label
  if (OTHER_LABELS[path]) return OTHER_LABELS[path]
  const item = ITEM_LABELS.find(([pattern]) => pattern.test(path))
  if (item) return item[1]
  return OTHER_LABELS[path.split(/[.[]/)[0]]
}

/**
 * The value to send for what a control holds: text is trimmed, an empty
 * repository means "none" (null, never ""), an empty number stays empty
 * (the service refuses it, and the message says so).
 */
export function normalise(path: string, value: unknown): unknown {
  const kind = fieldSpec(path)?.kind
  if (typeof value !== 'string') return value
  if (kind === 'repository') return value.trim() === '' ? null : value.trim()
  if (kind === 'text' || kind === 'model') return value.trim()
  return value
}

/** A DOM id for a field's control: scope + path with punctuation turned into dashes. */
export function fieldId(scope: string, path: string): string {
  return `${scope}-${path.replace(/[^A-Za-z0-9_-]+/g, '-')}`
}
