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
  /** Contacts seeded per account (default 250); data is deterministic per account. */
  contactsPerAccount?: number
  /** Fixed-window budget per access token or API key; default `{ requests: 1000, windowSeconds: 60 }`. */
  rateLimit?: { requests: number; windowSeconds: number }
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
  /** Stops listening and drops open connections. */
  close(): Promise<void>
}
