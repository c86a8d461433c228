import type Provider from 'oidc-provider'
import { findUser } from './accounts.ts'

/** Who is calling the CRM API, after the bearer token or API key has been checked. */
export interface Principal {
  /** Key of the account's data in the CRM store, e.g. `user:ada`, `client:acme`, `key:1`. */
  accountKey: string
  kind: 'user' | 'client' | 'api_key'
  /** OIDC `sub`, client id, or the API key's index. */
  subject: string
  name: string
  email: string | null
  /** Human label of the connected account, returned by `GET /me` as `account`. */
  account: string
  /** Granted scopes; `'all'` for API keys. */
  scopes: ReadonlySet<string> | 'all'
  /** Rate-limit bucket: the token or key itself. */
  rateKey: string
  /** Epoch ms after which the credential stops working (`Infinity` for API keys). */
  expiresAt: number
}

const CACHE_LIMIT = 10_000

/**
 * Validates opaque access tokens in-process, the way a resource server co-located with its
 * authorization server may (RFC 6750 §3.1 for the error semantics; RFC 7662 describes the equivalent
 * remote check). Looks in `AccessToken` (authorization_code / refresh_token grants) then
 * `ClientCredentials` (RFC 6749 §4.4). Tokens whose audience is set must name `audience`.
 *
 * Lookups are cached per token until expiry; {@link invalidate} (called by the store when oidc-provider
 * destroys a token or revokes its grant) drops an entry at once, so RFC 7009 revocation takes effect
 * on the next request.
 */
export class TokenVerifier {
  readonly #cache = new Map<string, Principal>()
  readonly #byApiKey = new Map<string, Principal>()

  constructor(
    private readonly provider: Provider,
    private readonly audience: string,
    apiKeys: readonly string[],
  ) {
    apiKeys.forEach((key, i) => {
      const subject = String(i + 1)
      this.#byApiKey.set(key, {
        accountKey: `key:${subject}`,
        kind: 'api_key',
        subject,
        name: `API key ${subject}`,
        email: null,
        account: `Demo CRM workspace (API key ${subject})`,
        scopes: 'all',
        rateKey: `key:${key}`,
        expiresAt: Infinity,
      })
    })
  }

  /** Returns the principal of a static API key, or `undefined`. */
  apiKey(key: string): Principal | undefined {
    return this.#byApiKey.get(key)
  }

  /** Returns the principal of a live access token, or `undefined` when unknown, expired or revoked. */
  async bearer(token: string): Promise<Principal | undefined> {
    const cached = this.#cache.get(token)
    if (cached) {
      if (cached.expiresAt > Date.now()) return cached
      this.#cache.delete(token)
      return undefined
    }
    const principal = await this.#lookup(token)
    if (principal) {
      if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear()
      this.#cache.set(token, principal)
    }
    return principal
  }

  /** Forgets a cached token (its value is its id for opaque tokens). */
  invalidate(tokenId: string): void {
    this.#cache.delete(tokenId)
  }

  async #lookup(token: string): Promise<Principal | undefined> {
    if (token.length < 16 || token.length > 256) return undefined
    const at = await this.provider.AccessToken.find(token)
    const found = at ?? (await this.provider.ClientCredentials.find(token))
    if (!found || found.isExpired) return undefined
    const aud = (found as unknown as { aud?: string | string[] }).aud
    if (aud !== undefined && !(Array.isArray(aud) ? aud.includes(this.audience) : aud === this.audience)) return undefined
    const scopes = new Set((found.scope ?? '').split(' ').filter(Boolean))
    const expiresAt = (found.exp ?? 0) * 1000
    const clientId = found.clientId ?? 'unknown'
    if (at?.accountId) {
      const user = findUser(at.accountId)
      return {
        accountKey: `user:${at.accountId}`,
        kind: 'user',
        subject: at.accountId,
        name: user?.name ?? at.accountId,
        email: user?.email ?? null,
        account: `${user?.name ?? at.accountId}'s Demo CRM`,
        scopes,
        rateKey: `token:${token}`,
        expiresAt,
      }
    }
    return {
      accountKey: `client:${clientId}`,
      kind: 'client',
      subject: clientId,
      name: `Service client ${clientId}`,
      email: null,
      account: `Demo CRM workspace (client ${clientId})`,
      scopes,
      rateKey: `token:${token}`,
      expiresAt,
    }
  }
}
