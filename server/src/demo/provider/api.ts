import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { ContactCreate, ContactPatch, fieldErrors } from './api-schemas.ts'
import { type AccountData, type CrmStore, decodeCursor, type ListOptions } from './crm-store.ts'
import { BodyTooLargeError, readBody, sendJson } from './http-util.ts'
import type { FixedWindowLimiter } from './rate-limit.ts'
import type { Principal, TokenVerifier } from './token-auth.ts'
import type { DemoStats } from './types.ts'

/** One queued injected failure (see `DemoProvider.failNext`). */
export interface Fault {
  remaining: number
  status: number
  headers: Record<string, string>
}

/** What the CRM API handler needs from the server that mounts it. */
export interface ApiDeps {
  store: CrmStore
  verifier: TokenVerifier
  limiter: FixedWindowLimiter
  stats: DemoStats
  faults: Fault[]
}

/** Error raised inside a route and rendered as `{ error, message, ...extra }`. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: OutgoingHttpHeaders = {},
  ) {
    super(message)
  }
}

const DEFAULT_LIMIT = 50
const MAX_LIMIT = 100

/**
 * Builds the handler of the demo CRM REST API mounted at `/api/v1`.
 *
 * Auth is a bearer access token (RFC 6750 §2.1) or `X-Api-Key`. Failures follow RFC 6750 §3.1: 401
 * `invalid_token` with `WWW-Authenticate: Bearer error="invalid_token"`, 403 `insufficient_scope`.
 * Every authenticated response carries `X-RateLimit-Limit/Remaining/Reset`; over budget is 429 with
 * `Retry-After` (RFC 6585 §4).
 *
 * Lists (`GET /contacts`, `GET /companies`) use keyset pagination by id: `?limit=1..100` (default 50)
 * and `&cursor=<next_cursor>` give `{ data, next_cursor }`, `next_cursor: null` on the last page.
 * `&updated_since=<ISO 8601>` keeps records with `updated_at` at or after that instant.
 *
 * Deleting a contact (`DELETE /contacts/{id}`, or the provider's churn) leaves a tombstone
 * `{ id, deleted: true, deleted_at, updated_at }` with `updated_at` = `deleted_at` = the deletion
 * time. `GET /contacts?include_deleted=true` lists tombstones too, in their place in the id order and
 * under the same `updated_since` filter, so an incremental sync sees deletions as changes. It is the
 * idea of HubSpot's `archived=true`, except that live records stay in the list
 * (https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/guide). Without it (or
 * with `include_deleted=false`) lists never show deleted contacts, and `GET /contacts/{id}` of a
 * deleted one, like `PATCH` and `DELETE`, is 404. Companies are never deleted.
 *
 * @param path the request path with the `/api/v1` prefix removed (`/me`, `/contacts/ct_0001`).
 */
export function createApiHandler(deps: ApiDeps) {
  return async function handleApi(req: IncomingMessage, res: ServerResponse, path: string, url: URL): Promise<void> {
    deps.stats.apiRequests++
    const fault = deps.faults[0]
    if (fault) {
      if (--fault.remaining <= 0) deps.faults.shift()
      sendJson(res, fault.status, { error: 'injected_failure', message: `injected failure (HTTP ${fault.status})` }, fault.headers)
      return
    }
    let headers: OutgoingHttpHeaders = {}
    try {
      const principal = await authenticate(req, deps.verifier)
      const rate = deps.limiter.hit(principal.rateKey)
      headers = { 'x-ratelimit-limit': rate.limit, 'x-ratelimit-remaining': rate.remaining, 'x-ratelimit-reset': rate.reset }
      if (!rate.allowed) {
        throw new ApiError(429, 'rate_limited', `rate limit of ${rate.limit} requests exceeded`, {}, { 'retry-after': String(rate.retryAfter) })
      }
      await route(req, res, path, url, principal, deps, headers)
    } catch (err) {
      if (err instanceof ApiError) sendJson(res, err.status, { error: err.code, message: err.message, ...err.extra }, { ...headers, ...err.headers })
      else if (err instanceof BodyTooLargeError) sendJson(res, 413, { error: 'payload_too_large', message: err.message }, headers)
      else sendJson(res, 500, { error: 'server_error', message: String(err) }, headers)
    }
  }
}

async function authenticate(req: IncomingMessage, verifier: TokenVerifier): Promise<Principal> {
  const apiKey = req.headers['x-api-key']
  if (typeof apiKey === 'string' && apiKey) {
    const principal = verifier.apiKey(apiKey)
    if (!principal) throw unauthorized('invalid API key')
    return principal
  }
  const authorization = req.headers.authorization
  if (!authorization) throw unauthorized('missing credentials: send Authorization: Bearer <token> or X-Api-Key')
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization)
  if (!match?.[1]) throw unauthorized('malformed Authorization header, expected Bearer')
  const principal = await verifier.bearer(match[1])
  if (!principal) throw unauthorized('access token is invalid, expired or revoked')
  return principal
}

/**
 * 401 with an RFC 6750 §3 challenge. Missing credentials also carry `error="invalid_token"` (§3.1
 * would omit it) so clients can treat every 401 alike.
 */
function unauthorized(message: string): ApiError {
  const challenge = `Bearer realm="demo-crm", error="invalid_token", error_description="${message.replace(/"/g, "'")}"`
  return new ApiError(401, 'invalid_token', message, {}, { 'www-authenticate': challenge })
}

function requireScope(principal: Principal, ...anyOf: string[]): void {
  if (principal.scopes === 'all' || anyOf.some((s) => (principal.scopes as ReadonlySet<string>).has(s))) return
  throw new ApiError(403, 'insufficient_scope', `requires scope ${anyOf.join(' or ')}`, { required_scope: anyOf[0] }, {
    'www-authenticate': `Bearer realm="demo-crm", error="insufficient_scope", scope="${anyOf[0]}"`,
  })
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  url: URL,
  principal: Principal,
  deps: ApiDeps,
  headers: OutgoingHttpHeaders,
): Promise<void> {
  const method = req.method ?? 'GET'
  const [resource, id, extra] = path.split('/').slice(1)
  const ok = (status: number, body: unknown, more: OutgoingHttpHeaders = {}) => sendJson(res, status, body, { ...headers, ...more })

  if (resource === 'echo') {
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined
    const body = hasBody ? await readBody(req) : ''
    return ok(200, { method, path: url.pathname, query: queryObject(url), headers: req.headers, ...(body ? { body: parseMaybeJson(body) } : {}) })
  }
  if (resource === 'me' && id === undefined) {
    allow(method, ['GET'])
    return ok(200, { id: principal.subject, name: principal.name, email: principal.email, account: principal.account })
  }
  if (extra !== undefined || (resource !== 'contacts' && resource !== 'companies')) {
    throw new ApiError(404, 'not_found', `no route for ${method} ${url.pathname}`)
  }
  const account = deps.store.account(principal.accountKey, principal.account)

  if (resource === 'companies') {
    allow(method, ['GET'])
    requireScope(principal, 'companies.read')
    if (id === undefined) return ok(200, account.companies.list(listOptions(url)))
    return ok(200, found(account.companies.get(id), id))
  }

  if (id === undefined) {
    allow(method, ['GET', 'POST'])
    if (method === 'GET') {
      requireScope(principal, 'contacts.read', 'contacts.write')
      return ok(200, account.contacts.list(listOptions(url)))
    }
    requireScope(principal, 'contacts.write')
    return createContact(req, account, ok)
  }

  allow(method, ['GET', 'PATCH', 'DELETE'])
  if (method === 'GET') {
    requireScope(principal, 'contacts.read', 'contacts.write')
    return ok(200, found(account.contacts.get(id), id))
  }
  requireScope(principal, 'contacts.write')
  if (method === 'DELETE') {
    if (!account.contacts.remove(id)) found(undefined, id)
    res.writeHead(204, headers).end()
    return
  }
  const patch = ContactPatch.safeParse(parseJson(await readBody(req)))
  if (!patch.success) throw validationFailed(fieldErrors(patch.error))
  checkCompany(account, patch.data.company_id)
  return ok(200, found(account.contacts.update(id, patch.data), id))
}

/**
 * `POST /contacts` with optional `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header §2):
 * a repeated key with the same body replays the first response (`Idempotent-Replayed: true`); with a
 * different body it is rejected with 422 `idempotency_key_reused`.
 */
async function createContact(
  req: IncomingMessage,
  account: AccountData,
  ok: (status: number, body: unknown, more?: OutgoingHttpHeaders) => void,
): Promise<void> {
  const raw = await readBody(req)
  const key = req.headers['idempotency-key']
  const fingerprint = raw.trim()
  if (typeof key === 'string' && key) {
    const previous = account.idempotency.get(key)
    if (previous) {
      if (previous.fingerprint !== fingerprint) {
        throw new ApiError(422, 'idempotency_key_reused', 'Idempotency-Key was already used with a different request body')
      }
      return ok(previous.status, previous.body, { 'idempotent-replayed': 'true' })
    }
  }
  const parsed = ContactCreate.safeParse(parseJson(raw))
  if (!parsed.success) throw validationFailed(fieldErrors(parsed.error))
  checkCompany(account, parsed.data.company_id)
  const contact = account.contacts.insert(parsed.data)
  if (typeof key === 'string' && key) account.idempotency.set(key, { fingerprint, status: 201, body: contact })
  return ok(201, contact, { location: `/api/v1/contacts/${contact.id}` })
}

function checkCompany(account: AccountData, companyId: string | null | undefined): void {
  if (companyId && !account.companies.get(companyId)) {
    throw validationFailed([{ path: 'company_id', code: 'unknown_company', message: `no company ${companyId}` }])
  }
}

function validationFailed(errors: unknown[]): ApiError {
  return new ApiError(422, 'validation_failed', 'request body is invalid', { errors })
}

function found<T>(item: T | undefined, id: string): T {
  if (item === undefined) throw new ApiError(404, 'not_found', `no record ${id}`)
  return item
}

function allow(method: string, methods: string[]): void {
  if (!methods.includes(method)) {
    throw new ApiError(405, 'method_not_allowed', `${method} not allowed`, {}, { allow: methods.join(', ') })
  }
}

function listOptions(url: URL): ListOptions {
  const q = url.searchParams
  const rawLimit = q.get('limit')
  const limit = rawLimit === null || rawLimit === '' ? DEFAULT_LIMIT : Number(rawLimit)
  if (!Number.isInteger(limit) || limit < 1) throw new ApiError(400, 'invalid_request', 'limit must be a positive integer')
  const options: ListOptions = { limit: Math.min(limit, MAX_LIMIT) }
  const cursor = q.get('cursor')
  if (cursor) {
    const after = decodeCursor(cursor)
    if (after === undefined) throw new ApiError(400, 'invalid_request', 'cursor is invalid')
    options.after = after
  }
  const since = q.get('updated_since')
  if (since) {
    const ms = Date.parse(since)
    if (Number.isNaN(ms)) throw new ApiError(400, 'invalid_request', 'updated_since must be an ISO 8601 date-time')
    options.updatedSince = new Date(ms).toISOString()
  }
  const includeDeleted = q.get('include_deleted')
  if (includeDeleted !== null && includeDeleted !== '') {
    if (includeDeleted !== 'true' && includeDeleted !== 'false') throw new ApiError(400, 'invalid_request', 'include_deleted must be true or false')
    options.includeDeleted = includeDeleted === 'true'
  }
  return options
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new ApiError(400, 'invalid_request', 'request body must be JSON')
  }
}

function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of url.searchParams) {
    const prev = out[k]
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
  }
  return out
}
