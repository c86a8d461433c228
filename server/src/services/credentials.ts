/**
 * Connection credentials: their shapes, encryption at rest and how they go on a request.
 * Credentials never leave the server: the API shows connections without them.
 */
import type { Connector } from '../../../connectors/schema'
import type { AppContext } from '../context'
import { PatchbayError } from '../lib/errors'

/** OAuth 2.0 tokens (RFC 6749 §5.1). `expiresAt` is ISO 8601; absent when the token does not expire. */
export interface OAuth2Credentials {
  type: 'oauth2'
  accessToken: string
  refreshToken?: string | undefined
  tokenType?: string | undefined
  expiresAt?: string | undefined
}
/** Client credentials grant (RFC 6749 §4.4): the end user's client plus the current token. */
export interface ClientCredentials {
  type: 'oauth2_client_credentials'
  clientId: string
  clientSecret: string
  accessToken?: string | undefined
  expiresAt?: string | undefined
}
/**
 * JWT bearer grant (RFC 7523 §2.1) with a service account key: what of the pasted key is needed to
 * sign assertions, plus the current access token. `privateKey` is a PKCS #8 PEM; like every
 * credential it is stored encrypted and never shown.
 */
export interface JwtBearerCredentials {
  type: 'oauth2_jwt_bearer'
  /** The service account's email address: the assertion's `iss`. */
  clientEmail: string
  privateKey: string
  /** The key's id: the assertion's `kid` header. */
  privateKeyId: string
  /** The user the account acts as (`sub`), with domain-wide delegation. */
  subject?: string | undefined
  accessToken?: string | undefined
  expiresAt?: string | undefined
}
/** Values of the connector's form fields (API key, username/password…). */
export interface FieldCredentials {
  type: 'api_key' | 'basic'
  values: Record<string, string>
}
/**
 * OAuth 1.0a token credentials (RFC 5849 §2.3): `oauth_token` and `oauth_token_secret`. They do not
 * expire by themselves (a provider may revoke them); requests are signed with them and the
 * integration's consumer key and secret (server/src/services/oauth1.ts).
 */
export interface OAuth1Credentials {
  type: 'oauth1'
  token: string
  tokenSecret: string
  /**
   * Never set by Patchbay: the token response carries no expiry (RFC 5849 §2.3). A provider-side
   * expiry (Trello's `expiration`) shows as a 401, which marks the connection `needs_reauth`.
   */
  expiresAt?: string | undefined
}
export type Credentials = OAuth2Credentials | ClientCredentials | JwtBearerCredentials | FieldCredentials | OAuth1Credentials

/** AAD context of a connection's credentials: the ciphertext only decrypts for this connection. */
const context = (connectionId: string) => `${connectionId}:credentials`

export function encryptCredentials(ctx: AppContext, environmentId: string, connectionId: string, credentials: Credentials): Promise<string> {
  return ctx.secrets.encrypt(environmentId, JSON.stringify(credentials), context(connectionId))
}

export async function decryptCredentials(ctx: AppContext, environmentId: string, connectionId: string, ciphertext: string): Promise<Credentials> {
  return JSON.parse(await ctx.secrets.decrypt(environmentId, ciphertext, context(connectionId))) as Credentials
}

/** Fills `{name}` from `values`. @throws {PatchbayError} `internal` for a missing value (a connector bug). */
function fill(template: string, values: Record<string, string | undefined>): string {
  return template.replace(/\{([a-zA-Z][a-zA-Z0-9_]*)\}/g, (_, name: string) => {
    const v = values[name]
    if (v === undefined) throw new PatchbayError('internal', `Credential template needs ${name}`)
    return v
  })
}

/**
 * The headers and query parameters that authenticate a request with these credentials,
 * per the connector's `auth.inject` (Basic: RFC 7617 §2). None for OAuth 1.0a, whose signature
 * depends on the request (server/src/services/oauth1.ts).
 */
export function authenticationFor(connector: Connector, credentials: Credentials): { headers: Record<string, string>; query: Record<string, string> } {
  const auth = connector.auth
  if (auth.type === 'basic') {
    // A connector's constant user name or password (`auth.fixed`, e.g. Freshdesk's `X`) wins over typed values.
    const { username = '', password = '' } = { ...(credentials as FieldCredentials).values, ...auth.fixed }
    return { headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` }, query: {} }
  }
  // OAuth 1.0a signs each request (method, URL, form body): see `oauth1AuthorizationFor`, called where the request is final.
  if (auth.type === 'oauth1' || credentials.type === 'oauth1') return { headers: {}, query: {} }
  const values: Record<string, string | undefined> = 'values' in credentials ? credentials.values : { accessToken: credentials.accessToken }
  const headers: Record<string, string> = {}
  const query: Record<string, string> = {}
  for (const [k, v] of Object.entries(auth.inject.headers)) headers[k.toLowerCase()] = fill(v, values)
  for (const [k, v] of Object.entries(auth.inject.query)) query[k] = fill(v, values)
  return { headers, query }
}

/** Expiry of the access token in epoch ms, or undefined when it does not expire. */
export function expiryOf(credentials: Credentials): number | undefined {
  return 'expiresAt' in credentials && credentials.expiresAt ? Date.parse(credentials.expiresAt) : undefined
}
