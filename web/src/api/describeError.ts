// The one place where a failure becomes a sentence for people. Every view
// calls describeError: without a field for the message of a whole action
// (section, page, login), with a field for the messages shown at it.
// A 422 detail with a machine `code` gets the page's own sentence, named by
// the field's label from the catalogue; without a code (today's service) the
// API's message follows the label.

import { ApiError, type FieldError } from './client'
import { fieldLabel } from '@/settings/fieldCatalogue'

/** A network error, a proxy's 502–504, or a proxy's 500 without the service's JSON body. */
export const UNREACHABLE = "Can't reach the settings service."

/** Whether `error` means the service was not reached (worth a retry; edits are kept). */
export const isUnreachable = (error: unknown): boolean => error instanceof ApiError && error.isUnavailable

const list = (values: readonly unknown[]) => values.map((v) => String(v)).join(', ')

/** The sentence for one 422 detail. */
export function describeDetail(detail: FieldError): string {
  const label = fieldLabel(detail.field) ?? 'This value'
  switch (detail.code) {
    case 'required':
      return `${label} is required.`
    case 'unknown_field':
      return `${label} is not a setting this service knows.`
    case 'wrong_type':
      return `${label} has the wrong kind of value.`
    case 'out_of_range':
      if (detail.min !== undefined && detail.max !== undefined) return `${label} must be between ${detail.min} and ${detail.max}.`
      if (detail.min !== undefined) return `${label} must be at least ${detail.min}.`
      if (detail.max !== undefined) return `${label} must be at most ${detail.max}.`
      return `${label} is out of range.`
    case 'too_long':
      return detail.max !== undefined ? `${label} must be at most ${detail.max} characters.` : `${label} is too long.`
    case 'bad_format':
      return `${label} is not in the expected format.`
    case 'not_allowed':
      return detail.allowed?.length ? `${label} must be one of: ${list(detail.allowed)}.` : `${label} is not allowed.`
    case 'duplicate':
      return `${label} is listed twice.`
    case 'quota':
      return `${label} has too many entries.`
    default:
      // Today's service sends no code: its message ("must be an integer from
      // 0 to 86400") reads as a sentence after the field's label.
      if (fieldLabel(detail.field) && /^[a-z]/.test(detail.message)) {
        return `${label} ${detail.message}${/[.!?]$/.test(detail.message) ? '' : '.'}`
      }
      return detail.message
  }
}

/**
 * What went wrong, as one sentence. With `field`: the messages of the 422
 * details at exactly that path ('' when there are none).
 */
export function describeError(error: unknown, field?: string): string {
  if (field !== undefined) {
    if (!(error instanceof ApiError)) return ''
    return error.details
      .filter((d) => d.field === field)
      .map(describeDetail)
      .join(' ')
  }
  if (!(error instanceof ApiError)) return 'Something went wrong. Try again.'
  // The service's own 503 (storage busy) says when to retry; a proxy's 503 does not.
  if (error.status === 429 || (error.status === 503 && error.fromService)) {
    return error.retryAfter
      ? `The service is busy. Try again in ${error.retryAfter} second${error.retryAfter === 1 ? '' : 's'}.`
      : 'The service is busy. Try again shortly.'
  }
  if (error.isUnavailable) return UNREACHABLE
  switch (error.status) {
    case 401:
      return 'Your session has ended. Sign in again.'
    case 403:
      return 'You are not allowed to make this change.'
    case 412:
      return 'These settings were changed elsewhere meanwhile.'
    case 413:
      return 'This is too large to save.'
    case 422:
      return error.details.length ? 'Please correct the fields marked below.' : error.message
    default:
      return `The settings service could not do this (${error.status}). Try again.`
  }
}
