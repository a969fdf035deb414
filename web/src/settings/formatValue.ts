// How a stored value reads in sentences the page shows outside its controls:
// the conflict panel ("your edit" beside "now saved") and the History view
// (old → new). Labels come from the field catalogue; `null` reads as what it
// means on its layer, never as "null".

import { fieldSpec } from './fieldCatalogue'

export type Layer = 'user' | 'global' | 'project'

/** What null means on each layer: inherited (user), not set (project), none (global). */
export function nullText(layer: Layer): string {
  if (layer === 'user') return 'inherited'
  if (layer === 'project') return 'not set'
  return 'none'
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function list(value: unknown): string {
  return Array.isArray(value) && value.length ? value.map(String).join(', ') : 'none'
}

function board(value: Record<string, unknown>): string {
  const parts = [`columns: ${list(value.column_order)}`]
  if (Array.isArray(value.collapsed_columns) && value.collapsed_columns.length) {
    parts.push(`collapsed: ${list(value.collapsed_columns)}`)
  }
  if (typeof value.show_estimates === 'boolean') parts.push(value.show_estimates ? 'estimates shown' : 'estimates hidden')
  return parts.join('; ')
}

function mappings(value: Record<string, unknown>): string {
  const statuses = Object.entries(value)
  if (!statuses.length) return 'no agents'
  return statuses
    .map(([status, agents]) => {
      const names = Array.isArray(agents)
        ? agents.map((a) => (isRecord(a) ? String(a.display_name ?? a.slug ?? '') : String(a))).filter(Boolean)
        : []
      return `${status}: ${names.length ? names.join(', ') : 'none'}`
    })
    .join('; ')
}

/** One value of the field at `path` as the page words it. */
export function formatValue(path: string, value: unknown, layer: Layer): string {
  if (value === null || value === undefined) return nullText(layer)
  const spec = fieldSpec(path)
  if (typeof value === 'boolean') return value ? 'On' : 'Off'
  if (typeof value === 'string') {
    const option = spec?.options?.find((o) => o.value === value)
    if (option) return option.label
    return value === '' ? 'empty' : value
  }
  if (typeof value === 'number') return String(value)
  if (path === 'allowed_models') return list(value)
  if (path === 'board_display_config' && isRecord(value)) return board(value)
  if (path === 'agent_pipeline_mappings' && isRecord(value)) return mappings(value)
  return JSON.stringify(value)
}
