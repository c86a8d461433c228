/**
 * The authenticated proxy: forwards a vendor's request to the provider of a connection with
 * the connection's credentials, only to the integration's base URL, with retries for idempotent
 * requests on 429/5xx (honouring `Retry-After`) and one token refresh on a 401.
 * The provider's status, headers (less hop-by-hop) and body come back unchanged.
 */
import type { IncomingMessage } from 'node:http'
import type { AppContext } from '../context'
import { PatchbayError } from '../lib/errors'
import { isLiteralPrivateHost, stripHopByHop, type UpstreamRequest } from '../lib/upstream'
import { authenticationFor } from './credentials'
import { oauth1AuthorizationFor } from './oauth1'
import type { LoadedConnection } from './credential-store'
import { renderHeaders, renderUrl } from './integrations'
import { ensureFreshCredentials, isRefreshable } from './token-refresh'

/** Request bodies larger than this are refused (they are buffered so that retries can resend them), bytes. */
export const MAX_PROXY_BODY_BYTES = 10 * 1024 * 1024

/** RFC 9110 §9.2.2: methods whose repetition has the same effect, so they may be retried. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])

/** Request headers never forwarded: ours (auth, cookies) or the transport's. */
const DROP_REQUEST = new Set(['authorization', 'cookie', 'host', 'content-length', 'origin', 'referer', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-request-id'])

export interface ProxyRequest {
  environmentId: string
  connectionId: string
  method: string
  /** The provider path relative to the base URL, starting with `/`, still percent-encoded. */
  path: string
  /** The query string including `?`, or `''`. */
  search: string
  headers: Record<string, string | string[] | undefined>
  body?: Buffer | undefined
}

/**
 * Resolves the target URL under the base URL.
 * @throws {PatchbayError} `upstream_host_not_allowed` when the path would leave the base URL (dot segments, `//host`, backslashes).
 */
export function targetUrl(base: URL, path: string, search: string): URL {
  let decoded: string
  try {
    decoded = decodeURIComponent(path)
  } catch {
    throw new PatchbayError('invalid_request', 'The proxy path is not valid percent-encoding')
  }
  if (!path.startsWith('/') || path.startsWith('//') || decoded.includes('\\') || decoded.split('/').some((seg) => seg === '..' || seg === '.')) {
    throw new PatchbayError('upstream_host_not_allowed', 'The proxy path must stay under the integration base URL')
  }
  const url = new URL(base.pathname.replace(/\/$/, '') + path + search, base.origin)
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname.replace(/\/$/, ''))) {
    throw new PatchbayError('upstream_host_not_allowed', 'The proxy path must stay under the integration base URL')
  }
  return url
}

/** Parsed base URL per loaded connection (entries are replaced when the connection changes). */
const baseUrls = new WeakMap<LoadedConnection, URL>()

function activeOrThrow(loaded: LoadedConnection): void {
  const { status } = loaded.connection
  if (status === 'needs_reauth') throw new PatchbayError('reauth_required', 'The connection needs to be authorized again by its end user')
  if (status !== 'active') throw new PatchbayError('connection_not_active', `The connection is ${status}`)
}

/**
 * Forwards one request.
 * @returns the provider's response; the caller streams its body to the client.
 * @throws {PatchbayError} `not_found`, `reauth_required`, `connection_not_active`, `upstream_host_not_allowed`, `upstream_unreachable`.
 */
export async function proxyRequest(ctx: AppContext, req: ProxyRequest): Promise<IncomingMessage> {
  let loaded = await ctx.credentials.get(req.environmentId, req.connectionId)
  activeOrThrow(loaded)
  loaded = await ensureFreshCredentials(ctx, loaded)
  const method = req.method.toUpperCase()
  const idempotent = IDEMPOTENT.has(method)
  let base = baseUrls.get(loaded)
  if (!base) {
    base = new URL(renderUrl(loaded.integration.baseUrl, loaded.connection.connectionConfig))
    baseUrls.set(loaded, base)
  }
  const url = targetUrl(base, req.path, req.search)
  const forwarded = stripHopByHop(req.headers)
  for (const h of DROP_REQUEST) delete forwarded[h]
  for (const h of Object.keys(forwarded)) if (h.startsWith('x-patchbay-')) delete forwarded[h]
  const policy = loaded.integration.connector.http.retry
  const allowPrivate = isLiteralPrivateHost(base)

  const send = (l: LoadedConnection) => {
    const auth = authenticationFor(l.integration.connector, l.credentials)
    let u = url
    for (const k in auth.query) {
      if (u === url) u = new URL(url)
      u.searchParams.set(k, auth.query[k]!)
    }
    const headers: Record<string, string | string[]> = { ...renderHeaders(l.integration.connector.http.headers, l.connection.connectionConfig), ...forwarded, ...auth.headers }
    if (req.body?.length) headers['content-length'] = String(req.body.length)
    const upstream = { method, url: u, headers, body: req.body, allowPrivate }
    if (l.integration.connector.auth.type === 'oauth1') return ctx.upstream.sendWithRetry(upstream, policy, idempotent, () => signOAuth1(ctx, l, upstream))
    return ctx.upstream.sendWithRetry(upstream, policy, idempotent)
  }

  let res = await send(loaded)
  if (res.statusCode === 401 && isRefreshable(loaded)) {
    res.resume()
    loaded = await ensureFreshCredentials(ctx, loaded, true)
    res = await send(loaded)
  }
  return res
}

/**
 * An OAuth 1.0a attempt: the request signed now (a fresh nonce and timestamp, RFC 5849 §3.3) over
 * its final method, URL and, for a form-encoded body, the body's parameters (§3.4.1.3.1).
 */
async function signOAuth1(ctx: AppContext, l: LoadedConnection, req: UpstreamRequest): Promise<UpstreamRequest> {
  const type = req.headers['content-type']
  const form = req.body?.length && /^application\/x-www-form-urlencoded\s*(;|$)/i.test(String(Array.isArray(type) ? type[0] : (type ?? ''))) ? new URLSearchParams(req.body.toString('utf8')) : undefined
  const authorization = await oauth1AuthorizationFor(ctx, l.integration, l.credentials, { method: req.method, url: req.url, form })
  return { ...req, headers: { ...req.headers, authorization } }
}
