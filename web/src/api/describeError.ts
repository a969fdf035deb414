// The one place where a failure becomes a sentence for people. Every view
// calls describeError: without a field for the message of a whole action
// (section, page, login), with a field for the messages shown at it.
// A 422 detail with a machine `code` gets the page's own sentence, named by
// the field's label from the catalogue; without a code (today's service) the
// API's message follows the label.

import { ApiError, GITHUB_TOKEN_INVALID, type ErrorCode, type FieldError } from './client'
import { fieldLabel, fieldSpec, type FieldKind, type FieldSpec } from '@/settings/fieldCatalogue'

/** A network error, a proxy's 502–504, or a proxy's 500 without the service's JSON body. */
export const UNREACHABLE = "Can't reach the settings service."

/** Whether `error` means the service was not reached (worth a retry; edits are kept). */
export const isUnreachable = (error: unknown): boolean => error instanceof ApiError && error.isUnavailable

interface DetailContext {
  label: string
  /** Whether the catalogue knows the field (else label is "This value"). */
  known: boolean
  spec: FieldSpec | undefined
  detail: FieldError
  min: number | undefined
  max: number | undefined
}

const is = (ctx: DetailContext, ...kinds: FieldKind[]) => ctx.spec !== undefined && kinds.includes(ctx.spec.kind)

/** What the value of a field should look like, for "bad_format" (by path; the rest by kind). */
const FORMATS: readonly [RegExp, string][] = [
  [/^workflow\.default_repository$/, 'must look like owner/repo, e.g. octo-org/website'],
  [/^workflow\.default_assignee$/, 'must be a GitHub login: letters, digits and single hyphens'],
  [/^(selected_project_id|project_id)$/, 'must be 1–128 letters, digits, "_" or "-"'],
  [/\.slug$/, 'may use only letters, digits, ".", "_" and "-"'],
]

/** The allowed values, as people read them (option labels where the catalogue has them). */
function allowedText(ctx: DetailContext): string {
  const allowed = ctx.detail.allowed ?? ctx.spec?.options?.map((o) => o.value) ?? []
  const labels = allowed.map((v) => ctx.spec?.options?.find((o) => o.value === v)?.label ?? String(v))
  return labels.join(', ')
}

/**
 * One sentence per code, shaped by the field's kind and limits. Record<ErrorCode, …>
 * makes the compiler insist on a sentence for every code openapi.yaml lists.
 */
const SENTENCES: Record<ErrorCode, (ctx: DetailContext) => string> = {
  required: (ctx) =>
    is(ctx, 'number', 'range') ? `Enter a number for ${ctx.label}.`
      : is(ctx, 'select', 'theme') ? `Choose a value for ${ctx.label}.`
        : `${ctx.label} is required.`,
  unknown_field: (ctx) =>
    ctx.known ? `${ctx.label} cannot be changed here.` : 'This page sent a setting the service does not know. Reload the page and try again.',
  wrong_type: (ctx) =>
    is(ctx, 'switch') ? `${ctx.label} must be on or off.`
      : is(ctx, 'number') ? `${ctx.label} must be a whole number.`
        : is(ctx, 'range') ? `${ctx.label} must be a number.`
          : is(ctx, 'select', 'theme') ? `Choose one of the offered values for ${ctx.label}.`
            : `${ctx.label} has the wrong kind of value.`,
  out_of_range: ({ label, min, max }) =>
    min !== undefined && max !== undefined ? `${label} must be between ${min} and ${max}.`
      : min !== undefined ? `${label} must be at least ${min}.`
        : max !== undefined ? `${label} must be at most ${max}.`
          : `${label} is outside the allowed range.`,
  too_long: ({ label, max }) => (max !== undefined ? `${label} must be at most ${max} characters.` : `${label} is too long.`),
  bad_format: (ctx) => {
    const format = FORMATS.find(([pattern]) => pattern.test(ctx.detail.field))
    return format ? `${ctx.label} ${format[1]}.` : `${ctx.label} is not in the expected format.`
  },
  not_allowed: (ctx) => {
    const allowed = allowedText(ctx)
    if (is(ctx, 'model')) return allowed ? `${ctx.label} must be one of the allowed models: ${allowed}.` : `${ctx.label} is not one of the allowed models.`
    return allowed ? `${ctx.label} must be one of: ${allowed}.` : `${ctx.label} cannot take this value.`
  },
  duplicate: ({ label }) => `${label} is listed twice.`,
  quota: ({ label, max }) => (max !== undefined ? `${label} can have at most ${max} entries.` : `${label} has too many entries.`),
}

/** The codes the page has sentences for (all of openapi.yaml's). */
export const ERROR_CODES = Object.keys(SENTENCES) as ErrorCode[]

/** The sentence for one 422 detail. */
export function describeDetail(detail: FieldError): string {
  const known = fieldLabel(detail.field)
  const label = known ?? 'This value'
  const sentence = detail.code ? SENTENCES[detail.code] : undefined
  if (sentence) {
    const spec = fieldSpec(detail.field)
    // The detail's limits win; the catalogue's fill in what it leaves out.
    const fromSpec = detail.code === 'too_long' ? { min: undefined, max: spec?.maxLength } : { min: spec?.min, max: spec?.max }
    const useSpec = detail.code === 'too_long' || detail.code === 'out_of_range'
    return sentence({
      label,
      known: known !== undefined,
      spec,
      detail,
      min: detail.min ?? (useSpec ? fromSpec.min : undefined),
      max: detail.max ?? (useSpec ? fromSpec.max : undefined),
    })
  }
  // Today's service sends no code: its message ("must be an integer from
  // 0 to 86400") reads as a sentence after the field's label.
  if (known && /^[a-z]/.test(detail.message)) {
    return `${label} ${detail.message}${/[.!?]$/.test(detail.message) ? '' : '.'}`
  }
  return detail.message
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
      return error.message === GITHUB_TOKEN_INVALID
        ? 'GitHub no longer accepts your sign-in. Sign out and in again to list your GitHub projects.'
        : 'Your session has ended. Sign in again.'
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
