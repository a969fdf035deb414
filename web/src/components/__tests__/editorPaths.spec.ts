import { describe, expect, it } from 'vitest'
import { boardItemPaths, fieldLevelMessages, mappingItemPaths, messagesAt } from '@/components/editorPaths'

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
      owned,
    )
    expect(messages).toEqual(['Show estimates must be a boolean.', 'Board display must be an object.'])
  })

  it('names the item a message is about, with the page\'s own sentence when a code is sent', () => {
    expect(messagesAt([{ field: 'agent_pipeline_mappings.Review[0].slug', message: 'must be a non-empty string' }], 'agent_pipeline_mappings.Review[0].slug')).toEqual([
      'Agent slug must be a non-empty string.',
    ])
    expect(messagesAt([{ field: 'board_display_config.column_order[1]', message: 'x', code: 'duplicate' }], 'board_display_config.column_order[1]')).toEqual([
      'Column name is listed twice.',
    ])
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
