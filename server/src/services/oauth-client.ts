/**
 * The OAuth 2.0 client side of Patchbay, on oauth4webapi: builds its authorization server and
 * client objects from an integration, and turns token endpoint responses into credentials.
 * Grants: authorization code with PKCE (RFC 6749 §4.1, RFC 7636), refresh (RFC 6749 §6),
 * client credentials (RFC 6749 §4.4); revocation (RFC 7009). The JWT bearer grant (RFC 7523) is in
 * ./service-account.ts.
 */
import * as oauth from 'oauth4webapi'
import type { AppContext } from '../context'
import { PatchbayError } from '../lib/errors'
import { isLiteralPrivateHost } from '../lib/upstream'
import type { OAuth2Credentials } from './credentials'
import { clientSecretOf, renderUrl, type ResolvedIntegration } from './integrations'

/** What oauth4webapi needs to talk to one provider for one integration. */
export interface OAuthClient {
  as: oauth.AuthorizationServer
  client: oauth.Client
  clientAuth: oauth.ClientAuth
  /**
   * oauth4webapi options: plain http is allowed only for loopback/private hosts the vendor
   * configured (tests, demo); a `customFetch` re-encodes token requests as JSON for connectors that
   * declare `tokenRequestBody: 'json'`.
   */
  options: { [oauth.allowInsecureRequests]?: boolean; [oauth.customFetch]?: typeof fetch }
}

/**
 * A fetch that sends a form-encoded request body (RFC 6749 §4.1.3 parameters) as the same members
 * in a JSON object, for token endpoints that are ordinary JSON APIs (Square's ObtainToken:
 * https://developer.squareup.com/reference/square/o-auth/obtain-token). Other bodies pass unchanged.
 */
export const jsonTokenRequestFetch = ((url: string, init: RequestInit) => {
  if (!(init.body instanceof URLSearchParams)) return fetch(url, init)
  const headers = new Headers(init.headers)
  headers.set('content-type', 'application/json')
  return fetch(url, { ...init, headers, body: JSON.stringify(Object.fromEntries(init.body)) })
}) as typeof fetch

/**
 * Builds the oauth4webapi objects. The issuer is the authorization endpoint's origin (used to
 * check an RFC 9207 `iss` response parameter when the provider sends one).
 * @throws {PatchbayError} `invalid_request` when the integration has no client id.
 */
export async function oauthClientFor(ctx: AppContext, integration: ResolvedIntegration, connectionConfig: Record<string, string>, clientOverride?: { clientId: string; clientSecret: string }): Promise<OAuthClient> {
  const clientId = clientOverride?.clientId ?? integration.row.clientId
  if (!clientId) throw new PatchbayError('invalid_request', `Integration ${integration.row.key} has no OAuth client id`)
  const secret = clientOverride?.clientSecret ?? (await clientSecretOf(ctx, integration.row))
  const tokenUrl = integration.tokenUrl ? renderUrl(integration.tokenUrl, connectionConfig) : undefined
  const authorizationUrl = integration.authorizationUrl ? renderUrl(integration.authorizationUrl, connectionConfig) : undefined
  const revocationUrl = integration.revocationUrl ? renderUrl(integration.revocationUrl, connectionConfig) : undefined
  const issuer = new URL(authorizationUrl ?? tokenUrl!).origin
  const method = 'clientAuth' in integration.connector.auth ? integration.connector.auth.clientAuth : 'client_secret_basic'
  const clientAuth = !secret ? oauth.None() : method === 'client_secret_post' ? oauth.ClientSecretPost(secret) : oauth.ClientSecretBasic(secret)
  const urls = [tokenUrl, authorizationUrl, revocationUrl].filter((u): u is string => !!u).map((u) => new URL(u))
  const insecure = urls.some((u) => u.protocol === 'http:')
  if (insecure && !urls.every((u) => u.protocol === 'https:' || isLiteralPrivateHost(u))) {
    throw new PatchbayError('invalid_request', `Integration ${integration.row.key} uses plain http for a public host; OAuth requires https (RFC 9700 §2.6)`)
  }
  return {
    as: { issuer, authorization_endpoint: authorizationUrl, token_endpoint: tokenUrl, revocation_endpoint: revocationUrl },
    client: { client_id: clientId },
    clientAuth,
    options: {
      ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}),
      ...(integration.connector.auth.type === 'oauth2' && integration.connector.auth.tokenRequestBody === 'json' ? { [oauth.customFetch]: jsonTokenRequestFetch } : {}),
    },
  }
}

/**
 * Turns a token endpoint response (RFC 6749 §5.1) into stored credentials, keeping
 * `previous.refreshToken` when none is returned (§6). The expiry comes from `expires_in` (seconds);
 * without it, from an ISO 8601 `expires_at` instant, which some providers send instead (Square:
 * https://developer.squareup.com/reference/square/objects/ObtainTokenResponse).
 */
export function tokensToCredentials(tokens: oauth.TokenEndpointResponse, previous?: OAuth2Credentials): OAuth2Credentials {
  const expiresAt = typeof tokens.expires_at === 'string' ? Date.parse(tokens.expires_at) : NaN
  return {
    type: 'oauth2',
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? previous?.refreshToken,
    tokenType: tokens.token_type,
    expiresAt: typeof tokens.expires_in === 'number' ? new Date(Date.now() + tokens.expires_in * 1000).toISOString() : Number.isFinite(expiresAt) ? new Date(expiresAt).toISOString() : undefined,
  }
}

/** An access token from a grant without a refresh token (client credentials, JWT bearer), as stored, and the scopes it grants. */
export interface GrantedToken {
  accessToken: string
  /** ISO 8601 (see {@link tokensToCredentials}); undefined when the answer has no expiry. */
  expiresAt: string | undefined
  scopes: string[]
}

/** The {@link GrantedToken} of a token endpoint response, for the scopes that were requested. */
export function grantedToken(tokens: oauth.TokenEndpointResponse, requested: string[]): GrantedToken {
  const { accessToken, expiresAt } = tokensToCredentials(tokens)
  return { accessToken, expiresAt, scopes: grantedScopes(tokens, requested) }
}

/**
 * The client credentials grant (RFC 6749 §4.4) with the end user's client, at the integration's
 * token URL, for the integration's scopes; on connect and on every renewal (`token-refresh.ts`).
 * @throws {oauth.ResponseBodyError} the provider's OAuth error; other oauth4webapi or network
 *   errors as thrown; {@link PatchbayError} `invalid_request` for an empty client id or plain http to a public host.
 */
export async function requestClientCredentialsToken(ctx: AppContext, integration: ResolvedIntegration, connectionConfig: Record<string, string>, endUserClient: { clientId: string; clientSecret: string }): Promise<GrantedToken> {
  const client = await oauthClientFor(ctx, integration, connectionConfig, endUserClient)
  const auth = integration.connector.auth
  const scope = integration.scopes.join(auth.type === 'oauth2_client_credentials' ? auth.scopeSeparator : ' ')
  const res = await oauth.clientCredentialsGrantRequest(client.as, client.client, client.clientAuth, scope ? { scope } : {}, client.options)
  return grantedToken(await oauth.processClientCredentialsResponse(client.as, client.client, res), integration.scopes)
}

/** Scopes granted by a token response (RFC 6749 §5.1: absent means as requested). */
export function grantedScopes(tokens: oauth.TokenEndpointResponse, requested: string[]): string[] {
  return typeof tokens.scope === 'string' ? tokens.scope.split(/[ ,]+/).filter(Boolean) : requested
}

/** Whether an error from oauth4webapi is the provider's `invalid_grant` (RFC 6749 §5.2). */
export function isInvalidGrant(err: unknown): boolean {
  return err instanceof oauth.ResponseBodyError && err.error === 'invalid_grant'
}

/** A safe, secret-free description of an oauth4webapi or network error. */
export function describeOAuthError(err: unknown): string {
  if (err instanceof oauth.ResponseBodyError) return `${err.error}${err.error_description ? `: ${err.error_description}` : ''} (HTTP ${err.status})`
  if (err instanceof oauth.AuthorizationResponseError) return `${err.error}${err.error_description ? `: ${err.error_description}` : ''}`
  if (err instanceof Error) return err.message
  return 'unknown error'
}

/**
 * Options for oauth4webapi's token response processing: the connector's extra `token_type` values
 * (`auth.tokenTypes`, e.g. Slack's `bot`) are accepted as well as `bearer` and `dpop`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-7.1
 */
export function tokenResponseOptions(auth: { type: string; tokenTypes?: readonly string[] | undefined }): { recognizedTokenTypes?: oauth.RecognizedTokenTypes } {
  const types = auth.type === 'oauth2' ? (auth.tokenTypes ?? []) : []
  return types.length ? { recognizedTokenTypes: Object.fromEntries(types.map((t) => [t.toLowerCase(), () => {}])) as oauth.RecognizedTokenTypes } : {}
}
