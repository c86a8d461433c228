/**
 * Renders every error once, as RFC 9457 `application/problem+json` with a stable `code` and
 * the request id. Unknown errors become a generic 500 with no detail (never a stack or secret).
 */
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { ZodError } from 'zod'
import { ERROR_CODES, PatchbayError, type ErrorCode } from '../lib/errors'
import type { AppEnv } from './types'

/** The problem document. */
export function problem(c: Context<AppEnv>, code: ErrorCode, detail: string, extra: Record<string, unknown> = {}, status: number = ERROR_CODES[code]): Response {
  return c.json(
    { type: `urn:patchbay:error:${code}`, title: code.replace(/_/g, ' '), status, detail, code, requestId: c.get('requestId'), ...extra },
    status as 400,
    // The header tells Patchbay's own errors apart from a provider's problem document passed through the proxy.
    { 'content-type': 'application/problem+json', 'patchbay-error': code },
  )
}

/** zod issues as `{ path, message }` pairs with dotted paths. */
export function zodErrors(err: ZodError): { path: string; message: string }[] {
  return err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
}

/** SQLSTATE classes that mean the input was bad, not the server (PostgreSQL appendix A). */
const SQLSTATE_INPUT: Record<string, [ErrorCode, string]> = {
  '22021': ['invalid_request', 'The request contains a character that cannot be stored (e.g. NUL)'],
  '22P05': ['invalid_request', 'The request contains a character that cannot be stored'],
  '22001': ['invalid_request', 'A value is too long'],
  '22P02': ['invalid_request', 'A value has the wrong format'],
  '23503': ['conflict', 'The request refers to something that no longer exists'],
  '23505': ['conflict', 'This already exists'],
}

/** The SQLSTATE of a database error, looking through drizzle's wrapper (`cause`). */
function sqlState(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code
  }
  return undefined
}

export function onError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof PatchbayError) {
    if (err.status >= 500) c.get('ctx')?.log.warn({ code: err.code, requestId: c.get('requestId') }, err.message)
    return problem(c, err.code, err.message, err.extra)
  }
  if (err instanceof ZodError) return problem(c, 'invalid_request', 'The request is not valid', { errors: zodErrors(err) })
  if (err instanceof HTTPException) {
    const status = err.status
    if (status === 413) return problem(c, 'payload_too_large', err.message || 'The request body is too large')
    if (status === 401) return problem(c, 'unauthenticated', err.message || 'Authentication required')
    if (status === 415) return problem(c, 'unsupported_media_type', 'Send the body as application/json')
    if (status >= 400 && status < 500) return problem(c, 'invalid_request', err.message || 'The request is not valid', {}, status)
  }
  if (err instanceof SyntaxError) return problem(c, 'invalid_request', 'The request body is not valid JSON')
  const mapped = SQLSTATE_INPUT[sqlState(err) ?? '']
  if (mapped) return problem(c, mapped[0], mapped[1])
  c.get('ctx')?.log.error({ err, requestId: c.get('requestId') }, 'unhandled error')
  return problem(c, 'internal', 'An unexpected error happened; it has been logged')
}
