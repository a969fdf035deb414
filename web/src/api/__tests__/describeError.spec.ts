import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/client'
import { ERROR_CODES, describeDetail, describeError } from '@/api/describeError'
import { FIELDS } from '@/settings/fieldCatalogue'

describe('describeError', () => {
  it('says why a whole action failed, by status', () => {
    expect(describeError(new ApiError(0, 'x', { fromService: false }))).toMatch(/Can't reach the settings service/)
    expect(describeError(new ApiError(502, 'x'))).toMatch(/Can't reach the settings service/)
    expect(describeError(new ApiError(500, 'x', { fromService: false }))).toMatch(/Can't reach the settings service/)
    expect(describeError(new ApiError(401, 'no valid session'))).toBe('Your session has ended. Sign in again.')
    expect(describeError(new ApiError(403, 'forbidden'))).toMatch(/not allowed/)
    expect(describeError(new ApiError(412, 'changed'))).toMatch(/changed elsewhere/)
    expect(describeError(new ApiError(429, 'slow', { retryAfter: 30 }))).toBe('The service is busy. Try again in 30 seconds.')
    expect(describeError(new ApiError(503, 'busy'))).toBe('The service is busy. Try again shortly.')
    expect(describeError(new ApiError(422, 'bad', { details: [{ field: 'ai.model', message: 'm' }] }))).toMatch(/correct the fields/)
    expect(describeError(new Error('boom'))).toBe('Something went wrong. Try again.')
  })

  it('gives the messages of exactly one field', () => {
    const error = new ApiError(422, 'bad', {
      details: [
        { field: 'ai.temperature', message: 'must be a number from 0 to 2' },
        { field: 'ai.temperature.x', message: 'other' },
      ],
    })
    expect(describeError(error, 'ai.temperature')).toBe('Temperature must be a number from 0 to 2.')
    expect(describeError(error, 'ai.model')).toBe('')
    expect(describeError(new Error('x'), 'ai.model')).toBe('')
  })

  it('has a sentence of its own for each code, with the limits and the label', () => {
    expect(describeDetail({ field: 'ai.temperature', message: 'raw', code: 'out_of_range', min: 0, max: 2 })).toBe(
      'Temperature must be between 0 and 2.',
    )
    expect(describeDetail({ field: 'ai.model', message: 'raw', code: 'too_long', max: 200 })).toBe(
      'Model must be at most 200 characters.',
    )
    expect(describeDetail({ field: 'ai.model', message: 'raw', code: 'not_allowed', allowed: ['a', 'b'] })).toBe(
      'Model must be one of the allowed models: a, b.',
    )
    expect(describeDetail({ field: 'allowed_models[1]', message: 'raw', code: 'duplicate' })).toBe('Model name is listed twice.')
    expect(describeDetail({ field: 'username', message: 'raw', code: 'required' })).toBe('Username is required.')
    // Never the raw text when a code is there.
    for (const code of ['required', 'unknown_field', 'wrong_type', 'out_of_range', 'too_long', 'bad_format', 'not_allowed', 'duplicate', 'quota'] as const) {
      expect(describeDetail({ field: 'workflow.default_assignee', message: 'RAW null UTF-8', code })).not.toMatch(/RAW|null|UTF-8/)
    }
  })
})

describe('an unreachable service', () => {
  it('is told apart from a failure of the service itself', () => {
    // A dev proxy's 500 with an empty body, nginx's 502/504 HTML page, a network error.
    for (const error of [
      new ApiError(500, 'The service answered 500 Internal Server Error.', { fromService: false }),
      new ApiError(502, 'The service answered 502 Bad Gateway.', { fromService: false }),
      new ApiError(503, 'The service answered 503.', { fromService: false }),
      new ApiError(504, 'The service answered 504 Gateway Timeout.', { fromService: false }),
      new ApiError(0, 'x', { fromService: false }),
    ]) {
      expect(describeError(error)).toBe("Can't reach the settings service.")
    }
    // The service's own 500 (a JSON body) is not "unreachable".
    expect(describeError(new ApiError(500, 'internal error'))).toBe('The settings service could not do this (500). Try again.')
  })
})

describe('a sentence for every code at every field', () => {
  // Every path a 422 can name: the catalogue's fields, Global's list, the project's editors, login.
  const PATHS = [
    ...FIELDS.map((f) => f.path),
    'allowed_models',
    'allowed_models[2]',
    'board_display_config',
    'board_display_config.column_order',
    'board_display_config.column_order[0]',
    'board_display_config.collapsed_columns[1]',
    'board_display_config.show_estimates',
    'agent_pipeline_mappings',
    'agent_pipeline_mappings.Backlog',
    'agent_pipeline_mappings.Backlog[0]',
    'agent_pipeline_mappings.Backlog[0].slug',
    'agent_pipeline_mappings.Backlog[0].display_name',
    'selected_project_id',
    'username',
  ]

  it('covers every code openapi.yaml lists', () => {
    expect([...ERROR_CODES].sort()).toEqual(
      ['bad_format', 'duplicate', 'not_allowed', 'out_of_range', 'quota', 'required', 'too_long', 'unknown_field', 'wrong_type'],
    )
  })

  for (const path of PATHS) {
    it(`has a human sentence for each code at ${path}`, () => {
      for (const code of ERROR_CODES) {
        for (const limits of [{}, { min: 1, max: 5, allowed: ['x', 'y'] }]) {
          const sentence = describeDetail({ field: path, message: 'RAW must be valid UTF-8, not null', code, ...limits })
          const where = `${code} at ${path}`
          expect(sentence, where).toMatch(/^[A-Z"].*\.$/)
          // Never the API's text, the path, or programmer words.
          expect(sentence, where).not.toMatch(/RAW|UTF-8|\bnull\b|undefined|NaN|\[object/)
          expect(sentence, where).not.toContain(path.includes('.') || path.includes('_') ? path : '\u0000')
          expect(sentence, where).not.toMatch(/This value/)
        }
      }
    })
  }

  it('takes the limits from the catalogue when the detail has none', () => {
    expect(describeDetail({ field: 'workflow.copilot_polling_interval', message: 'raw', code: 'out_of_range' })).toBe(
      'Copilot polling interval (seconds) must be between 0 and 86400.',
    )
    expect(describeDetail({ field: 'ai.provider', message: 'raw', code: 'not_allowed' })).toBe(
      'Provider must be one of: GitHub Copilot, Azure OpenAI.',
    )
    expect(describeDetail({ field: 'workflow.default_repository', message: 'raw', code: 'bad_format' })).toBe(
      'Default repository must look like owner/repo, e.g. octo-org/website.',
    )
    expect(describeDetail({ field: 'notifications.chat_mention', message: 'raw', code: 'wrong_type' })).toBe(
      'Mentions in chat must be on or off.',
    )
  })

  it('without a code, keeps today\'s fallback: the label, then the service\'s message', () => {
    expect(describeDetail({ field: 'workflow.copilot_polling_interval', message: 'must be an integer from 0 to 86400' })).toBe(
      'Copilot polling interval (seconds) must be an integer from 0 to 86400.',
    )
  })
})
