/**
 * A confidential OAuth client registered with the demo provider (RFC 6749 §2). It may authenticate at
 * the token endpoint with `client_secret_basic` or `client_secret_post` (RFC 6749 §2.3.1).
 */
export interface DemoClient {
  clientId: string
  clientSecret: string
  /** Exact redirect URIs (RFC 6749 §3.1.2); may be empty for a client_credentials-only client. */
  redirectUris: string[]
  /** Display name on the consent page; defaults to `clientId`. */
  name?: string
  /** Default `['authorization_code', 'refresh_token']`. `refresh_token` makes every code exchange return a refresh token. */
  grantTypes?: ('authorization_code' | 'refresh_token' | 'client_credentials')[]
}

/** Options of `startDemoProvider`. */
export interface DemoProviderOptions {
  /** TCP port; `0` (default) picks a free one. */
  port?: number
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string
  clients: DemoClient[]
  /** Static API keys accepted by the REST API in `X-Api-Key` (the API-key connector variant). Each key is its own account. */
  apiKeys?: string[]
  /** Lifetime of access tokens in seconds (default 3600), both user tokens and client_credentials tokens. */
  accessTokenTtlSeconds?: number
  /** Contacts seeded per account (default 2500); data is deterministic per account. */
  contactsPerAccount?: number
  /**
   * Makes the data change over time: every `intervalMs`, each account seeded so far gets one churn
   * step (see {@link DemoProvider.churnNow}). Off by default, so tests stay deterministic.
   * @example { intervalMs: 20_000, updates: 5, deletes: 1, creates: 1 }
   */
  churn?: ChurnOptions
  /** Fixed-window budget per access token or API key; default `{ requests: 1000, windowSeconds: 60 }`. */
  rateLimit?: { requests: number; windowSeconds: number }
}

/** How many contacts one churn step changes, in each account. */
export interface ChurnCounts {
  /** Live contacts changed (a new lifecycle stage, phone or last name), `updated_at` bumped. */
  updates: number
  /** Live contacts deleted (they leave tombstones). Never the same contacts as `updates`. */
  deletes: number
  /** New contacts created. */
  creates: number
}

/** {@link DemoProviderOptions.churn}: a churn step every `intervalMs` milliseconds. */
export interface ChurnOptions extends ChurnCounts {
  intervalMs: number
}

/** What one churn step did to one account. Every change carries the same timestamp, `at`. */
export interface ChurnResult {
  accountKey: string
  /** ISO 8601 time of the step: the new `updated_at` of the changed contacts, `deleted_at` of the deleted ones. */
  at: string
  updated: string[]
  deleted: string[]
  created: string[]
}

/** Token endpoint requests by `grant_type` (RFC 6749 §4.1.3, §6, §4.4), successful or not. */
export interface TokenRequestStats {
  authorization_code: number
  refresh_token: number
  client_credentials: number
  /** Every POST to the token endpoint, including unknown or missing grant types. */
  total: number
}

/** Counters since start or the last `resetStats()`. */
export interface DemoStats {
  tokenRequests: TokenRequestStats
  /** POSTs to the revocation endpoint (RFC 7009 §2.1), successful or not. */
  revocations: number
  /** Requests under `/api/v1`, including rejected ones. */
  apiRequests: number
}

/** A running demo provider: an OAuth 2.0 / OpenID Connect authorization server plus the CRM API it protects. */
export interface DemoProvider {
  /** `http://127.0.0.1:PORT`, also the OIDC issuer (discovery at `/.well-known/openid-configuration`). */
  url: string
  /** `${url}/api/v1`, also the resource indicator (RFC 8707) and audience of access tokens. */
  apiBaseUrl: string
  authorizationUrl: string
  tokenUrl: string
  revocationUrl: string
  introspectionUrl: string
  /** Live counters; the object is mutated in place. */
  stats: DemoStats
  resetStats(): void
  /** Demo logins, e.g. `ada` / `lovelace`. */
  users: { username: string; password: string }[]
  /**
   * Makes the next `n` API requests (any path under `/api/v1`) fail with `status`, a JSON body
   * `{ error: 'injected_failure', message }` and the given extra headers (e.g. `{ 'retry-after': '1' }`).
   * Calls queue: `failNext(1, 503); failNext(1, 429)` fails the next request with 503, the one after with 429.
   */
  failNext(n: number, status: number, headers?: Record<string, string>): void
  /**
   * Applies one churn step now, the same as the `churn` timer does: in `accountKey` (seeded first if
   * no request has touched it yet), or else in every account seeded so far. Counts default to the
   * `churn` option's, or `{ updates: 5, deletes: 1, creates: 1 }`. Which contacts change follows a
   * PRNG seeded per account, so the same sequence of steps on the same data changes the same ids.
   * Accounts are keyed `user:<login>`, `client:<clientId>`, `key:<1-based index in apiKeys>`.
   * @throws RangeError when a count is not a non-negative integer.
   */
  churnNow(accountKey?: string, counts?: Partial<ChurnCounts>): ChurnResult[]
  /** Stops the churn timer, stops listening and drops open connections. */
  close(): Promise<void>
}
