/**
 * The one error class the SDK throws for a failed call. Its `code` is the API's stable error
 * code (`server/src/lib/errors.ts`), or one of the SDK's own codes for failures that never
 * reached the API or got no problem document back.
 */
import type { ErrorCode } from '../../server/src/lib/errors'
import type { Problem } from './types'

/**
 * Codes set by the SDK itself (`status` is `0` for the first three):
 * - `network_error`: the request did not complete (DNS, refused connection, reset…); `cause` holds the fetch error.
 * - `timeout`: no answer within `timeoutMs`. The request may still have been processed.
 * - `invalid_response`: a 2xx answer whose body is not the JSON the API promises (e.g. a misconfigured reverse proxy).
 * - `http_<status>`: an error status without a Patchbay problem document (e.g. `http_502` from a load balancer).
 * - `webhook_invalid`: `verifyWebhook` refused a request (bad signature, missing header, timestamp outside the tolerance).
 */
export type SdkErrorCode = 'network_error' | 'timeout' | 'invalid_response' | 'webhook_invalid' | `http_${number}`

/** Every code a {@link PatchbayError} may carry. Unknown future API codes are passed through as strings. */
export type PatchbayErrorCode = ErrorCode | SdkErrorCode | (string & {})

/** A validation failure of one field: `path` is dotted (`endUser.email`), `message` is human-readable. */
export interface FieldError {
  path: string
  message: string
}

/**
 * A Patchbay API call failed. Branch on `code`, never on `message`.
 *
 * @example
 * try {
 *   await patchbay.connections.get(id)
 * } catch (err) {
 *   if (err instanceof PatchbayError && err.code === 'not_found') return null
 *   throw err
 * }
 */
export class PatchbayError extends Error {
  override readonly name = 'PatchbayError'
  /** Stable code: `not_found`, `invalid_request`, `unauthenticated`, `reauth_required`, … or an {@link SdkErrorCode}. */
  readonly code: PatchbayErrorCode
  /** HTTP status of the answer; `0` when there was none (`network_error`, `timeout`). */
  readonly status: number
  /** Human-readable explanation, safe to log; never contains a secret. */
  readonly detail: string
  /** The API's request id (`x-request-id`), to quote when reporting a problem. */
  readonly requestId: string | undefined
  /** Field errors of an `invalid_request`. */
  readonly errors: FieldError[] | undefined
  /** The problem document as received, when there was one. */
  readonly problem: Problem | undefined

  constructor(init: { code: PatchbayErrorCode; status: number; detail: string; requestId?: string | undefined; errors?: FieldError[] | undefined; problem?: Problem | undefined; cause?: unknown }) {
    super(init.detail, init.cause === undefined ? undefined : { cause: init.cause })
    this.code = init.code
    this.status = init.status
    this.detail = init.detail
    this.requestId = init.requestId
    this.errors = init.errors
    this.problem = init.problem
  }
}

/** The content type of RFC 9457 problem documents. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json'
/** Patchbay's problem `type`s start with this; providers may send problem documents too (RFC 9457 is common). */
const PATCHBAY_PROBLEM_TYPE = 'urn:patchbay:error:'

/** Whether a response claims to be a problem document (by media type, ignoring parameters). */
export function isProblemResponse(res: Response): boolean {
  return mediaType(res.headers.get('content-type')) === PROBLEM_CONTENT_TYPE
}

/** `application/json; charset=utf-8` → `application/json`. */
export function mediaType(contentType: string | null): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase()
}

/**
 * Whether a parsed body is a problem document written by Patchbay itself: its `type` is
 * `urn:patchbay:error:<code>` and it has a string `code`.
 */
export function isPatchbayProblem(body: unknown): body is Problem {
  if (typeof body !== 'object' || body === null) return false
  const p = body as Record<string, unknown>
  return typeof p.type === 'string' && p.type.startsWith(PATCHBAY_PROBLEM_TYPE) && typeof p.code === 'string'
}

/** The error for a Patchbay problem document. */
export function errorFromProblem(problem: Problem, res: Response): PatchbayError {
  return new PatchbayError({
    code: problem.code,
    status: typeof problem.status === 'number' ? problem.status : res.status,
    detail: typeof problem.detail === 'string' ? problem.detail : problem.title ?? `HTTP ${res.status}`,
    requestId: problem.requestId ?? res.headers.get('x-request-id') ?? undefined,
    errors: Array.isArray(problem.errors) ? problem.errors : undefined,
    problem,
  })
}

/** The error for an error status without a Patchbay problem document: code `http_<status>`. */
export function errorFromStatus(res: Response, text: string): PatchbayError {
  const snippet = text.trim().replace(/\s+/g, ' ').slice(0, 300)
  return new PatchbayError({
    code: `http_${res.status}`,
    status: res.status,
    detail: `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${snippet ? `: ${snippet}` : ''}`,
    requestId: res.headers.get('x-request-id') ?? undefined,
  })
}
