import { generateKeyPair, randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import Provider, { type ClientMetadata, type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider'
import { findAccount } from './accounts.ts'
import type { MemoryStore } from './adapter.ts'
import { errorPage } from './pages.ts'
import type { DemoClient, DemoStats } from './types.ts'

/** Scopes of the CRM API resource server; only these end up in API access tokens. */
export const API_SCOPES = ['contacts.read', 'contacts.write', 'companies.read'] as const

/** All scopes the provider knows: OpenID Connect scopes plus the API scopes. */
export const ALL_SCOPES = ['openid', 'offline_access', 'profile', 'email', ...API_SCOPES] as const

/** Endpoint paths, relative to the issuer. */
export const ROUTES = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  revocation: '/oauth/revoke',
  introspection: '/oauth/introspect',
  userinfo: '/oauth/userinfo',
  jwks: '/oauth/jwks',
  end_session: '/oauth/logout',
} as const

const DEFAULT_GRANTS: NonNullable<DemoClient['grantTypes']> = ['authorization_code', 'refresh_token']

let signingKey: Promise<JsonWebKey> | undefined

/** One RS256 signing key per process (ID Tokens, RFC 7518 §3.3), generated once and reused by every demo provider. */
function rsaSigningKey(): Promise<JsonWebKey> {
  signingKey ??= promisify(generateKeyPair)('rsa', { modulusLength: 2048 }).then(({ privateKey }) => ({
    ...privateKey.export({ format: 'jwk' }),
    kid: 'demo-rs256',
    alg: 'RS256',
    use: 'sig',
  }))
  return signingKey
}

/** Maps a {@link DemoClient} to oidc-provider client metadata (RFC 7591 §2 names). */
export function clientMetadata(client: DemoClient): ClientMetadata {
  const grants = client.grantTypes ?? DEFAULT_GRANTS
  return {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    client_name: client.name ?? client.clientId,
    redirect_uris: client.redirectUris,
    grant_types: grants,
    response_types: grants.includes('authorization_code') ? ['code'] : [],
    token_endpoint_auth_method: 'client_secret_basic',
  }
}

/** What {@link createOidcProvider} needs besides the issuer. */
export interface OidcOptions {
  issuer: string
  /** Resource indicator and audience of the CRM API (RFC 8707 §2), e.g. `${issuer}/api/v1`. */
  apiResource: string
  clients: DemoClient[]
  accessTokenTtlSeconds: number
  store: MemoryStore
  stats: DemoStats
  /** Suffix for cookie names, so providers on other ports of the same host do not overwrite each other's cookies. */
  cookieSuffix: string
}

/**
 * Builds the oidc-provider instance: authorization code flow with mandatory S256 PKCE (RFC 7636 §4.2),
 * rotating refresh tokens (RFC 6749 §6, RFC 9700 §4.14.2), client credentials (RFC 6749 §4.4),
 * revocation (RFC 7009), introspection (RFC 7662) and userinfo.
 *
 * oidc-provider only puts non-OpenID scopes into access tokens that have a resource server audience,
 * so resource indicators (RFC 8707) are on with the CRM API as the default resource: a plain RFC 6749
 * client that sends no `resource` parameter still gets an opaque access token for the API carrying
 * its API scopes. A request with only OpenID scopes gets a userinfo access token instead.
 */
export async function createOidcProvider(o: OidcOptions): Promise<Provider> {
  const apiScopes = new Set<string>(API_SCOPES)
  const hasApiScope = (scopes: Set<string>) => [...scopes].some((s) => apiScopes.has(s))
  const ttl = o.accessTokenTtlSeconds

  const configuration: Configuration = {
    adapter: o.store.factory(),
    clients: o.clients.map(clientMetadata),
    jwks: { keys: [(await rsaSigningKey()) as never] },
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      names: { session: `demo_crm_session${o.cookieSuffix}`, interaction: `demo_crm_interaction${o.cookieSuffix}`, resume: `demo_crm_resume${o.cookieSuffix}` },
    },
    findAccount,
    claims: { openid: ['sub'], profile: ['name', 'given_name', 'family_name'], email: ['email', 'email_verified'] },
    scopes: [...ALL_SCOPES],
    responseTypes: ['code'],
    routes: ROUTES,
    pkce: { required: () => true },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    // Every client with the refresh_token grant gets one, with or without offline_access.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    // Tokens outlive the browser session: integrations keep working after the user signs out.
    expiresWithSession: async () => false,
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: ttl,
      ClientCredentials: ttl,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 14 * 24 * 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
    },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      clientCredentials: { enabled: true },
      revocation: {
        enabled: true,
        // RFC 7009 §2.1: a client may only revoke tokens that were issued to it.
        allowedPolicy: async (_ctx, client, token) => {
          if (token.clientId !== client.clientId) throw new errors.InvalidRequest('client is not authorized to revoke the presented token')
          return true
        },
      },
      introspection: { enabled: true, allowedPolicy: async () => true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf ?? o.apiResource,
        useGrantedResource: async (_ctx, model) => hasApiScope((model as unknown as { scopes: Set<string> }).scopes),
        getResourceServerInfo: async (_ctx, resource) => {
          if (resource !== o.apiResource) throw new errors.InvalidTarget(`unknown resource ${resource}`)
          return { scope: API_SCOPES.join(' '), audience: o.apiResource, accessTokenFormat: 'opaque', accessTokenTTL: ttl }
        },
      },
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html'
      ctx.body = errorPage(String(out.error), out.error_description ? String(out.error_description) : undefined)
    },
  }

  const provider = new Provider(o.issuer, configuration)
  provider.use(countRequests(o.stats))
  return provider
}

/**
 * Koa middleware counting token endpoint calls by `grant_type` and revocation calls, after the
 * provider has answered, so failures (invalid_grant, invalid_client…) count too.
 */
function countRequests(stats: DemoStats) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next()
    if (ctx.method !== 'POST') return
    if (ctx.path === ROUTES.token) {
      stats.tokenRequests.total++
      const gty = ctx.oidc?.params?.grant_type
      if (gty === 'authorization_code' || gty === 'refresh_token' || gty === 'client_credentials') stats.tokenRequests[gty]++
    } else if (ctx.path === ROUTES.revocation) {
      stats.revocations++
    }
  }
}
