import { describe, expect, it } from 'vitest'
import { boardItemPaths, fieldLevelMessages, mappingItemPaths } from '@/components/editorPaths'

describe('project editor error placement', () => {
  it('lets items own their paths and keeps the rest for the field', () => {
    const owned = boardItemPaths({ column_order: ['', 'B'] })
    expect(owned).toEqual(['board_display_config.column_order[0]', 'board_display_config.column_order[1]'])
    const messages = fieldLevelMessages(
      [
        { field: 'board_display_config.column_order[0]', message: 'must not be empty' },
        { field: 'board_display_config.show_estimates', message: 'must be a boolean' },
        { field: 'board_display_config', message: 'must be an object' },
      ],
      'board_display_config',
      owned,
    )
    expect(messages).toEqual(['show_estimates: must be a boolean', 'must be an object'])
  })

  it('lists the agent paths of every status', () => {
    expect(mappingItemPaths({ Backlog: [{ slug: '' }] })).toEqual([
      'agent_pipeline_mappings.Backlog',
      'agent_pipeline_mappings.Backlog[0]',
      'agent_pipeline_mappings.Backlog[0].slug',
      'agent_pipeline_mappings.Backlog[0].display_name',
    ])
    expect(mappingItemPaths(null)).toEqual([])
  })
})
