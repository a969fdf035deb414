// Words for the History view (revisions.md): who made a change, when, and
// the store key a "restore this value" saves to.

import type { HistoryEntry } from '@/api/client'
import { projectKey, type ResourceKey } from '@/stores/serverState'
import { isWithin } from '@/composables/useSectionForm'

/** "octocat", "settingsctl", or "first start" for the values seeded at the first start. */
export function actorName(actor: unknown): string {
  if (typeof actor !== 'object' || actor === null) return 'unknown'
  const { github_username: username, tool } = actor as { github_username?: unknown; tool?: unknown }
  if (typeof username === 'string' && username) return username
  if (tool === 'seed') return 'first start'
  if (typeof tool === 'string' && tool) return tool
  return 'unknown'
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
]

/** "just now", "5 minutes ago", "yesterday"... */
export function relativeTime(at: string, now: number = Date.now()): string {
  const when = Date.parse(at)
  if (Number.isNaN(when)) return at
  const seconds = Math.round((when - now) / 1000)
  if (Math.abs(seconds) < 45) return 'just now'
  const format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit)
  }
  return format.format(Math.round(seconds / 60) || -1, 'minute')
}

/** The moment in full, for the title of the relative time. */
export function absoluteTime(at: string): string {
  const when = new Date(at)
  return Number.isNaN(when.getTime()) ? at : when.toLocaleString()
}

/** The store entry a restore of this entry saves to. */
export function entryKey(entry: Pick<HistoryEntry, 'scope' | 'project_id'>): ResourceKey | null {
  if (entry.scope === 'global') return 'global'
  if (entry.scope === 'user') return 'user'
  return entry.project_id ? projectKey(entry.project_id) : null
}

/** Whether an entry belongs to one of `fields` (a field, or a path inside it). */
export function entryInFields(entry: Pick<HistoryEntry, 'field'>, fields: readonly string[] | undefined): boolean {
  return !fields || fields.some((path) => isWithin(entry.field, path))
}
