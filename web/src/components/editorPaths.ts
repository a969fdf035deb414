// Which 422 paths the project editors show at an item of their own (the rest
// are shown at the whole field), so no message is lost and none is shown twice.

import type { AgentPipelineMappings, BoardDisplayConfig, FieldError } from '@/api/client'
import { describeDetail } from '@/api/describeError'

export const BOARD = 'board_display_config'
export const MAPPINGS = 'agent_pipeline_mappings'

export function boardItemPaths(config: BoardDisplayConfig | null): string[] {
  return (config?.column_order ?? []).map((_, i) => `${BOARD}.column_order[${i}]`)
}

export function mappingItemPaths(mappings: AgentPipelineMappings | null): string[] {
  const paths: string[] = []
  for (const [status, agents] of Object.entries(mappings ?? {})) {
    paths.push(`${MAPPINGS}.${status}`)
    agents.forEach((_, i) => {
      paths.push(`${MAPPINGS}.${status}[${i}]`, `${MAPPINGS}.${status}[${i}].slug`, `${MAPPINGS}.${status}[${i}].display_name`)
    })
  }
  return paths
}

/** Messages for the field itself: those no item shows (each names what it is about). */
export function fieldLevelMessages(errors: FieldError[], ownedByItems: string[]): string[] {
  const owned = new Set(ownedByItems)
  return errors
    .filter((e) => !owned.has(e.field))
    .map(describeDetail)
}

/** Messages at exactly `path`. */
export function messagesAt(errors: FieldError[], path: string): string[] {
  return errors.filter((e) => e.field === path).map(describeDetail)
}
