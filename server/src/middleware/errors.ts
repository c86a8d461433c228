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
    if (status >= 400 && status < 500) return problem(c, 'invalid_request', err.message || 'The request is not valid', {}, status)
  }
  if (err instanceof SyntaxError) return problem(c, 'invalid_request', 'The request body is not valid JSON')
  c.get('ctx')?.log.error({ err, requestId: c.get('requestId') }, 'unhandled error')
  return problem(c, 'internal', 'An unexpected error happened; it has been logged')
}
