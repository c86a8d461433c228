import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { DEMO_USERS } from './accounts.ts'
import { MemoryStore } from './adapter.ts'
import { createApiHandler, type Fault } from './api.ts'
import { checkChurnCounts, Churner, DEFAULT_CHURN_COUNTS } from './churn.ts'
import { CrmStore } from './crm-store.ts'
import { sendJson } from './http-util.ts'
import { createInteractionHandler } from './interactions.ts'
import { createOidcProvider, ROUTES } from './oidc.ts'
import { FixedWindowLimiter } from './rate-limit.ts'
import { TokenVerifier } from './token-auth.ts'
import type { ChurnCounts, ChurnResult, DemoProvider, DemoProviderOptions, DemoStats } from './types.ts'

export type { ChurnCounts, ChurnOptions, ChurnResult, DemoClient, DemoProvider, DemoProviderOptions, DemoStats, TokenRequestStats } from './types.ts'
export { authorizeViaHttp, type AuthorizeViaHttpOptions, CookieJar } from './browserless.ts'

const API_PREFIX = '/api/v1'

/** Contacts seeded per account unless `contactsPerAccount` says otherwise: enough for many pages. */
const DEFAULT_CONTACTS_PER_ACCOUNT = 2500

function emptyStats(): DemoStats {
  return { tokenRequests: { authorization_code: 0, refresh_token: 0, client_credentials: 0, total: 0 }, revocations: 0, apiRequests: 0 }
}

/**
 * Starts the bundled demo provider on one Node HTTP server: a real OAuth 2.0 authorization server and
 * OpenID Provider (oidc-provider 9) plus the "Demo CRM" REST API it protects under `/api/v1`.
 *
 * - Discovery: `${url}/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4; RFC 8414).
 * - Authorization code flow with required S256 PKCE (RFC 6749 §4.1, RFC 7636); login and consent pages
 *   under `/interaction/:uid` (demo logins in `users`).
 * - Refresh tokens for every client with the `refresh_token` grant, rotated on each use; replaying a
 *   rotated one fails with `invalid_grant` and revokes the whole grant (RFC 9700 §4.14.2).
 * - Client credentials (RFC 6749 §4.4), revocation (RFC 7009), introspection (RFC 7662).
 * - API access tokens are opaque and validated in-process (see `TokenVerifier`).
 * - With `churn`, contacts change, disappear (leaving tombstones, see `createApiHandler`) and appear
 *   on a timer; `churnNow` applies one such step on demand.
 *
 * The server listens first (port 0 picks a free one) so the issuer can carry the real port.
 *
 * @example
 * const demo = await startDemoProvider({ clients: [{ clientId: 'patchbay', clientSecret: 's3cret', redirectUris: ['http://127.0.0.1:3000/callback'] }] })
 * // … run the flow against demo.authorizationUrl / demo.tokenUrl, call `${demo.apiBaseUrl}/contacts`
 * await demo.close()
 */
export async function startDemoProvider(opts: DemoProviderOptions): Promise<DemoProvider> {
  checkOptions(opts)
  const host = opts.host ?? '127.0.0.1'
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end()
  const server = createServer((req, res) => handle(req, res))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })

  try {
    const { port } = server.address() as AddressInfo
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
    const apiBaseUrl = `${url}${API_PREFIX}`
    const stats = emptyStats()
    const faults: Fault[] = []
    const rateLimit = opts.rateLimit ?? { requests: 1000, windowSeconds: 60 }
    const limiter = new FixedWindowLimiter(rateLimit)

    let verifier: TokenVerifier | undefined
    const store = new MemoryStore((model, id) => {
      if (model === 'AccessToken' || model === 'ClientCredentials') verifier?.invalidate(id)
    })
    const provider = await createOidcProvider({
      issuer: url,
      apiResource: apiBaseUrl,
      clients: opts.clients,
      accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 3600,
      store,
      stats,
      cookieSuffix: `_${port}`,
    })
    verifier = new TokenVerifier(provider, apiBaseUrl, opts.apiKeys ?? [])

    const crm = new CrmStore(opts.contactsPerAccount ?? DEFAULT_CONTACTS_PER_ACCOUNT)
    const api = createApiHandler({ store: crm, verifier, limiter, stats, faults })
    const churner = new Churner()
    const churnNow = (accountKey?: string, counts: Partial<ChurnCounts> = {}): ChurnResult[] => {
      const base = opts.churn ?? DEFAULT_CHURN_COUNTS
      const full = { updates: counts.updates ?? base.updates, deletes: counts.deletes ?? base.deletes, creates: counts.creates ?? base.creates }
      checkChurnCounts(full, 'churnNow')
      const accounts = accountKey === undefined ? [...crm.accounts()] : [crm.account(accountKey, accountKey)]
      const at = new Date()
      return accounts.map((account) => churner.step(account, full, at))
    }
    const interaction = createInteractionHandler(provider)
    const oidc = provider.callback()

    handle = (req, res) => {
      const raw = req.url ?? '/'
      const fail = (err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: 'server_error', message: String(err) })
        else res.destroy()
      }
      if (raw.startsWith(API_PREFIX) && (raw.length === API_PREFIX.length || raw[API_PREFIX.length] === '/' || raw[API_PREFIX.length] === '?')) {
        const parsed = new URL(raw, url)
        api(req, res, parsed.pathname.slice(API_PREFIX.length), parsed).catch(fail)
      } else if (raw.startsWith('/interaction/')) {
        interaction(req, res, raw.split('?')[0] as string).catch(fail)
      } else {
        oidc(req, res)
      }
    }

    const churnTimer = opts.churn ? setInterval(() => churnNow(), opts.churn.intervalMs).unref() : undefined

    return {
      url,
      apiBaseUrl,
      authorizationUrl: `${url}${ROUTES.authorization}`,
      tokenUrl: `${url}${ROUTES.token}`,
      revocationUrl: `${url}${ROUTES.revocation}`,
      introspectionUrl: `${url}${ROUTES.introspection}`,
      stats,
      resetStats() {
        const fresh = emptyStats()
        Object.assign(stats.tokenRequests, fresh.tokenRequests)
        stats.revocations = 0
        stats.apiRequests = 0
      },
      users: DEMO_USERS.map(({ username, password }) => ({ username, password })),
      failNext(n, status, headers = {}) {
        if (!Number.isInteger(n) || n < 1) throw new RangeError('failNext: n must be a positive integer')
        if (!Number.isInteger(status) || status < 100 || status > 599) throw new RangeError('failNext: status must be an HTTP status code')
        faults.push({ remaining: n, status, headers })
      },
      churnNow,
      close: () => {
        clearInterval(churnTimer)
        return closeServer(server)
      },
    }
  } catch (err) {
    await closeServer(server)
    throw err
  }
}

/** @throws RangeError for option values oidc-provider or the API would only reject later, per request. */
function checkOptions(opts: DemoProviderOptions): void {
  const positiveInt = (v: number | undefined, name: string, min = 1) => {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < min)) throw new RangeError(`startDemoProvider: ${name} must be an integer >= ${min}`)
  }
  positiveInt(opts.accessTokenTtlSeconds, 'accessTokenTtlSeconds')
  positiveInt(opts.contactsPerAccount, 'contactsPerAccount', 0)
  positiveInt(opts.rateLimit?.requests, 'rateLimit.requests')
  positiveInt(opts.rateLimit?.windowSeconds, 'rateLimit.windowSeconds')
  if (opts.churn) {
    positiveInt(opts.churn.intervalMs, 'churn.intervalMs')
    // Node's timers take at most 2^31 - 1 ms and fire after 1 ms for anything longer.
    if (opts.churn.intervalMs > 2 ** 31 - 1) throw new RangeError('startDemoProvider: churn.intervalMs must be at most 2147483647')
    checkChurnCounts(opts.churn, 'startDemoProvider: churn')
  }
  const ids = new Set<string>()
  for (const c of opts.clients) {
    if (ids.has(c.clientId)) throw new RangeError(`startDemoProvider: duplicate clientId ${c.clientId}`)
    ids.add(c.clientId)
  }
}

function closeServer(server: ReturnType<typeof createServer>): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) return resolve()
    server.close((err) => (err ? reject(err) : resolve()))
    server.closeAllConnections()
  })
}
