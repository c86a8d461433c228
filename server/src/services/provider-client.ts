/**
 * Calls Patchbay makes to a provider on its own behalf (sync pages, actions), as opposed to the
 * proxy, which forwards the vendor's requests unchanged.
 *
 * One call = one logical request, with:
 * - the connection's credentials injected (fresh: refreshed before expiry);
 * - the connector's request budget and the provider's rate-limit headers respected (services/rate-limits.ts);
 * - a timeout on every attempt (headers and body);
 * - retries with exponential backoff and full jitter on network errors, timeouts and the connector's
 *   retryable statuses (`http.retry.on`), idempotent requests only (a 429 is retried for any method:
 *   the provider refused it without acting);
 * - 429 waits for `Retry-After` (RFC 9110 §10.2.3) or the reset header, up to `maxWaitMs`; a longer
 *   wait throws `upstream_rate_limited` with `retryAfterMs`, so a sync ends its slice instead of
 *   holding a worker;
 * - a 401 refreshes the access token once and retries; a second 401 (or a 401 on credentials that
 *   cannot be refreshed) marks the connection `needs_reauth` and throws `reauth_required`.
 * Other statuses are returned to the caller.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { AppContext } from '../context'
import { PatchbayError } from '../lib/errors'
import { isLiteralPrivateHost, parseRetryAfter } from '../lib/upstream'
import { authenticationFor } from './credentials'
import { oauth1AuthorizationFor } from './oauth1'
import type { LoadedConnection } from './credential-store'
import { renderHeaders, renderUrl } from './integrations'
import { ensureFreshCredentials, isRefreshable, markNeedsReauth } from './token-refresh'

/** Largest provider response body read, bytes. */
export const MAX_PROVIDER_BODY_BYTES = 50 * 1024 * 1024

export interface ProviderCall {
  method: string
  /** Absolute URL under the connection's base URL (see {@link providerUrl}); credentials are added here. */
  url: URL
  /** Sent as JSON when defined. */
  json?: unknown
  /** Sent as `application/x-www-form-urlencoded` when defined (instead of `json`). */
  form?: URLSearchParams
  headers?: Record<string, string>
  /** Whether repeating the request is harmless (GET, or a write carrying an idempotency key). */
  idempotent: boolean
  /** The longest rate-limit wait inside this call, ms (default `config.sync.rateLimitMaxWaitMs`). */
  maxWaitMs?: number
  signal?: AbortSignal
}

export interface ProviderResponse {
  status: number
  headers: IncomingHttpHeaders
  /** Parsed JSON when the body is JSON, else the text (`''` when empty). */
  body: unknown
  /** Whether a non-empty body failed to parse as JSON although the response said it was JSON (or had no type). */
  malformed: boolean
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(t)
      reject(signal!.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })

/** The base URL of a loaded connection with its config placeholders filled in. */
export function connectionBaseUrl(loaded: LoadedConnection): string {
  return renderUrl(loaded.integration.baseUrl, loaded.connection.connectionConfig).replace(/\/+$/, '')
}

/** `base + path` (concatenated, so a base path such as `/api/v1` is kept). */
export function providerUrl(loaded: LoadedConnection, path: string): URL {
  return new URL(connectionBaseUrl(loaded) + path)
}

/** Removes credential query parameters (the connector's `inject.query` names) from a URL, e.g. before storing it. */
export function withoutCredentials(loaded: LoadedConnection, url: URL): URL {
  const auth = loaded.integration.connector.auth
  if (!('inject' in auth) || Object.keys(auth.inject.query).length === 0) return url
  const clean = new URL(url)
  for (const k of Object.keys(auth.inject.query)) clean.searchParams.delete(k)
  return clean
}

/**
 * Makes one call (see the module comment for retries, rate limits and refresh).
 * @returns the final response and the connection as last loaded (credentials may have been refreshed).
 * @throws {PatchbayError} `reauth_required` (the connection is now `needs_reauth`);
 *   `upstream_rate_limited` with `extra.retryAfterMs` when the wait would exceed `maxWaitMs`;
 *   `upstream_unreachable` on network errors and timeouts once retries are spent;
 *   `upstream_host_not_allowed` for a private target; `payload_too_large` for a body over {@link MAX_PROVIDER_BODY_BYTES}.
 */
export async function callProvider(ctx: AppContext, loaded: LoadedConnection, call: ProviderCall): Promise<{ response: ProviderResponse; loaded: LoadedConnection }> {
  const connector = loaded.integration.connector
  const limit = connector.http.rateLimit
  const retry = connector.http.retry
  const maxWaitMs = call.maxWaitMs ?? ctx.config.sync.rateLimitMaxWaitMs
  const id = loaded.connection.id
  const body = call.form ? Buffer.from(call.form.toString()) : call.json === undefined ? undefined : Buffer.from(JSON.stringify(call.json))
  let refreshed = false
  let failures = 0
  let rateLimited = 0
  loaded = await ensureFreshCredentials(ctx, loaded)
  for (;;) {
    const wait = ctx.rateLimits.delay(id, limit)
    if (wait > maxWaitMs) throw rateLimitedError(wait)
    if (wait > 0) await sleep(wait, call.signal)
    ctx.rateLimits.record(id, limit)
    let response: ProviderResponse
    try {
      response = await send(ctx, loaded, call, body)
    } catch (err) {
      if (!(err instanceof PatchbayError) || err.code !== 'upstream_unreachable' || !call.idempotent || ++failures >= retry.maxAttempts) throw err
      await sleep(backoff(failures), call.signal)
      continue
    }
    ctx.rateLimits.observe(id, limit, response.headers)
    const { status } = response
    if (status === 401) {
      if (refreshed || !isRefreshable(loaded)) {
        await markNeedsReauth(ctx, id, `The provider refused the credentials (HTTP 401)${refreshed ? ' after a token refresh' : ''}`)
        throw new PatchbayError('reauth_required', 'The provider refused the credentials: the connection needs to be authorized again')
      }
      refreshed = true
      loaded = await ensureFreshCredentials(ctx, loaded, true)
      continue
    }
    // GitHub answers an exhausted primary limit with 403 and `x-ratelimit-remaining: 0`
    // (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit).
    // Its secondary limit is a 403 with `retry-after`.
    if (status === 429 || (status === 403 && (response.headers['retry-after'] !== undefined || (limit?.remainingHeader && response.headers[limit.remainingHeader.toLowerCase()] === '0')))) {
      rateLimited++
      // Retry-After, else the reset header (already applied by `observe`), else the declared window
      // (HubSpot sends neither: its limit is per 10 s window), else backoff.
      const after = parseRetryAfter(response.headers['retry-after']) ?? (ctx.rateLimits.delay(id, limit) || limit?.windowMs || backoff(rateLimited))
      ctx.rateLimits.block(id, Date.now() + after)
      if (after > maxWaitMs || rateLimited > 20) throw rateLimitedError(after)
      continue
    }
    if (retry.on.includes(status) && call.idempotent && ++failures < retry.maxAttempts) {
      await sleep(backoff(failures), call.signal)
      continue
    }
    return { response, loaded }
  }
}

/** Full jitter: a random wait in [0, min(10 s, 250 ms · 2^n)) (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
function backoff(n: number): number {
  return Math.random() * Math.min(10_000, 250 * 2 ** n)
}

function rateLimitedError(retryAfterMs: number): PatchbayError {
  return new PatchbayError('upstream_rate_limited', `The provider's rate limit is reached; retry in ${Math.ceil(retryAfterMs / 1000)} s`, { retryAfterMs: Math.ceil(retryAfterMs) })
}

async function send(ctx: AppContext, loaded: LoadedConnection, call: ProviderCall, body: Buffer | undefined): Promise<ProviderResponse> {
  const connector = loaded.integration.connector
  const auth = authenticationFor(connector, loaded.credentials)
  const url = new URL(call.url)
  for (const [k, v] of Object.entries(auth.query)) url.searchParams.set(k, v)
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'Patchbay' }
  Object.assign(headers, renderHeaders(connector.http.headers, loaded.connection.connectionConfig))
  for (const [k, v] of Object.entries(call.headers ?? {})) headers[k.toLowerCase()] = v
  Object.assign(headers, auth.headers)
  // OAuth 1.0a: signed for this attempt's final method, URL and form body (RFC 5849 §3.4.1), a new nonce each time.
  if (connector.auth.type === 'oauth1') headers.authorization = await oauth1AuthorizationFor(ctx, loaded.integration, loaded.credentials, { method: call.method, url, form: call.form })
  if (body) {
    headers['content-type'] = call.form ? 'application/x-www-form-urlencoded' : 'application/json'
    headers['content-length'] = String(body.length)
  }
  const timeoutMs = ctx.config.providerTimeoutMs
  const res = await ctx.upstream.send({ method: call.method, url, headers, body, timeoutMs, allowPrivate: isLiteralPrivateHost(url) })
  const chunks: Buffer[] = []
  let size = 0
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => res.destroy(new Error('timeout')), timeoutMs)
    res.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_PROVIDER_BODY_BYTES) res.destroy(new PatchbayError('payload_too_large', `The provider's response is larger than ${MAX_PROVIDER_BODY_BYTES} bytes`))
      else chunks.push(c)
    })
    res.once('end', () => (clearTimeout(timer), resolve()))
    res.once('error', (err) => {
      clearTimeout(timer)
      reject(err instanceof PatchbayError ? err : new PatchbayError('upstream_unreachable', `Reading the response from ${url.host} failed: ${err.message === 'timeout' ? 'timed out' : err.message}`))
    })
  })
  const text = Buffer.concat(chunks).toString('utf8')
  const type = String(res.headers['content-type'] ?? '')
  let parsed: unknown = text
  let malformed = false
  if (text !== '' && (/json/i.test(type) || type === '')) {
    try {
      parsed = JSON.parse(text)
    } catch {
      malformed = true
    }
  }
  return { status: res.statusCode ?? 0, headers: res.headers, body: parsed, malformed }
}
