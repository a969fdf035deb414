import { describe, expect, it } from 'vitest'
import { formatValue, nullText } from '@/settings/formatValue'
import { absoluteTime, actorName, entryInFields, entryKey, relativeTime } from '@/settings/history'

describe('formatValue', () => {
  it('words null by layer: inherited, not set, none', () => {
    expect(nullText('user')).toBe('inherited')
    expect(formatValue('ai.model', null, 'user')).toBe('inherited')
    expect(formatValue('board_display_config', null, 'project')).toBe('not set')
    expect(formatValue('workflow.default_repository', null, 'global')).toBe('none')
  })

  it('uses the labels of choices, On/Off for switches, and says "empty"', () => {
    expect(formatValue('ai.provider', 'azure_openai', 'user')).toBe('Azure OpenAI')
    expect(formatValue('display.default_view', 'board', 'user')).toBe('Project Board')
    expect(formatValue('display.theme', 'dark', 'global')).toBe('Dark')
    expect(formatValue('notifications.chat_mention', true, 'user')).toBe('On')
    expect(formatValue('display.sidebar_collapsed', false, 'user')).toBe('Off')
    expect(formatValue('workflow.default_assignee', '', 'user')).toBe('empty')
    expect(formatValue('ai.temperature', 0.25, 'user')).toBe('0.25')
    expect(formatValue('ai.model', 'gpt-4o', 'user')).toBe('gpt-4o')
  })

  it('sums up lists and the project objects', () => {
    expect(formatValue('allowed_models', ['a', 'b'], 'global')).toBe('a, b')
    expect(formatValue('allowed_models', [], 'global')).toBe('none')
    expect(
      formatValue('board_display_config', { column_order: ['Todo', 'Done'], collapsed_columns: ['Done'], show_estimates: true }, 'project'),
    ).toBe('columns: Todo, Done; collapsed: Done; estimates shown')
    expect(
      formatValue('agent_pipeline_mappings', { Ready: [{ slug: 'a', display_name: 'Agent A' }, { slug: 'b' }], Done: [] }, 'project'),
    ).toBe('Ready: Agent A, b; Done: none')
    expect(formatValue('agent_pipeline_mappings', {}, 'project')).toBe('no agents')
  })
})

describe('history words', () => {
  it('names who changed something', () => {
    expect(actorName({ github_user_id: '1', github_username: 'octocat' })).toBe('octocat')
    expect(actorName({ tool: 'settingsctl' })).toBe('settingsctl')
    expect(actorName({ tool: 'seed' })).toBe('first start')
    expect(actorName(null)).toBe('unknown')
  })

  it('says when, relative to now, and in full', () => {
    const now = Date.parse('2026-11-26T10:00:00.000Z')
    expect(relativeTime('2026-11-26T09:59:40.000Z', now)).toBe('just now')
    expect(relativeTime('2026-11-26T09:55:00.000Z', now)).toBe('5 minutes ago')
    expect(relativeTime('2026-11-26T07:00:00.000Z', now)).toBe('3 hours ago')
    expect(relativeTime('2026-11-25T10:00:00.000Z', now)).toBe('yesterday')
    expect(relativeTime('garbage', now)).toBe('garbage')
    expect(absoluteTime('2026-11-26T10:00:00.123Z')).toBe(new Date('2026-11-26T10:00:00.123Z').toLocaleString())
  })

  it('finds the store key of an entry and whether it belongs to a section', () => {
    expect(entryKey({ scope: 'global' })).toBe('global')
    expect(entryKey({ scope: 'user' })).toBe('user')
    expect(entryKey({ scope: 'project', project_id: 'P' })).toBe('project:P')
    expect(entryKey({ scope: 'project' })).toBeNull()
    expect(entryInFields({ field: 'ai.model' }, ['ai.model', 'ai.provider'])).toBe(true)
    expect(entryInFields({ field: 'ai.model' }, ['display.theme'])).toBe(false)
    expect(entryInFields({ field: 'board_display_config' }, undefined)).toBe(true)
  })
})
