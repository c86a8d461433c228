/**
 * The OAuth 2.0 authorization code flow with PKCE (RFC 6749 §4.1, RFC 7636), following the
 * OAuth 2.0 Security BCP (RFC 9700):
 *
 * 1. `startAuthorization` (widget, session token): stores a one-time state with an encrypted
 *    PKCE verifier, bound to the connect session and the widget's origin; returns a start URL.
 * 2. `beginInBrowser` (`GET /oauth/start`, in the popup): binds the state to this browser with
 *    an HttpOnly cookie (CSRF protection, RFC 9700 §4.7.1), then redirects to the provider.
 * 3. `completeAuthorization` (`GET /oauth/callback`): consumes the state once, checks the cookie,
 *    the session and the exact redirect URI, exchanges the code once, stores the connection.
 *
 * OAuth 1.0a connectors (RFC 5849 §2) take the same three steps and checks: step 2 also requests
 * temporary credentials and re-keys the state by the temporary token, step 3 matches the callback
 * by `oauth_token` and exchanges `oauth_verifier` (./oauth1.ts, docs/decisions/0016-oauth1.md).
 */
import * as oauth from 'oauth4webapi'
import type { AppContext } from '../context'
import { isLiteralPrivateHost } from '../lib/upstream'
import { bindOAuthState, consumeOAuthState, findConnectSession, findOAuthStateByHash, insertOAuthState, oauthStateSecretContext, type OAuthStateRow } from '../db/queries/sessions'
import { findIntegrationById } from '../db/queries/integrations'
import { PatchbayError, type ErrorCode } from '../lib/errors'
import { hashToken, newId, randomToken } from '../lib/ids'
import type { sessionIntegration, SessionPrincipal } from './connect-sessions'
import { fetchAccountLabel, getConnection, storeConnection } from './connections'
import { renderUrl, resolveIntegration, validateConnectionConfig, type ResolvedIntegration } from './integrations'
import { describeOAuthError, grantedScopes, oauthClientFor, tokenResponseOptions, tokensToCredentials } from './oauth-client'
import type { Credentials } from './credentials'
import { beginOAuth1, checkOAuth1Integration, exchangeOAuth1Verifier, oauth1StateHash } from './oauth1'

/** How long an authorization may take, ms (also bounded by the session's expiry). */
const STATE_TTL_MS = 10 * 60_000
export const BINDING_COOKIE_PREFIX = 'pb_oauth_'

/** The single redirect URI vendors register with providers. */
export function redirectUri(ctx: AppContext): string {
  return `${ctx.config.publicUrl}/oauth/callback`
}

/**
 * Begins an authorization for the session's end user, with an integration from
 * {@link sessionIntegration} (allowed and enabled).
 * @param origin the widget's `Origin`, the only target of the callback's postMessage.
 * @returns the URL to open in the popup and when it expires.
 * @throws {PatchbayError} `invalid_request` (not OAuth, bad config), `not_found` (reconnect of another user's connection).
 */
export async function startAuthorization(
  ctx: AppContext,
  session: SessionPrincipal,
  integration: ResolvedIntegration,
  input: { connectionConfig: Record<string, string>; connectionId?: string | undefined; origin: string | undefined },
): Promise<{ url: string; expiresAt: Date }> {
  const { connector, row } = integration
  if (connector.auth.type !== 'oauth2' && connector.auth.type !== 'oauth1') throw new PatchbayError('invalid_request', `${connector.name} does not connect with OAuth; submit its credentials form`)
  let config = validateConnectionConfig(connector, input.connectionConfig)
  if (input.connectionId) {
    const existing = await getConnection(ctx, session.environmentId, input.connectionId, session)
    if (existing.integrationId !== row.id) throw new PatchbayError('invalid_request', 'The connection belongs to another integration')
    if (!Object.keys(input.connectionConfig).length) config = existing.connectionConfig
  }
  // Fails early on a misconfigured integration.
  if (connector.auth.type === 'oauth1') await checkOAuth1Integration(ctx, integration, config)
  else await oauthClientFor(ctx, integration, config)
  const state = oauth.generateRandomState()
  const id = newId('st')
  const expiresAt = new Date(Math.min(Date.now() + STATE_TTL_MS, session.expiresAt.getTime()))
  await insertOAuthState(ctx.db, {
    id,
    stateHash: hashToken(state),
    environmentId: session.environmentId,
    connectSessionId: session.sessionId,
    integrationId: row.id,
    connectionId: input.connectionId ?? null,
    codeVerifierEnc: await ctx.secrets.encrypt(session.environmentId, oauth.generateRandomCodeVerifier(), oauthStateSecretContext(id)),
    redirectUri: redirectUri(ctx),
    openerOrigin: input.origin ?? null,
    connectionConfig: config,
    scopes: integration.scopes,
    expiresAt,
  })
  return { url: `${ctx.config.publicUrl}/oauth/start?state=${encodeURIComponent(state)}`, expiresAt }
}

/**
 * Binds the state to this browser and builds the provider's authorization URL. For OAuth 1.0a this
 * first requests temporary credentials; when the provider refuses them, the outcome is a `failure`
 * for the popup to hand to the widget, as the callback does.
 * @returns the provider URL and the cookie (name, value, max-age in s) to set, or the failure.
 * @throws {PatchbayError} `oauth_state_invalid` for an unknown, used, expired or already bound state.
 */
export async function beginInBrowser(
  ctx: AppContext,
  state: string,
): Promise<{ location: string; cookie: { name: string; value: string; maxAgeS: number } } | { failure: { result: AuthorizationResult; openerOrigin: string | null } }> {
  const st = await findOAuthStateByHash(ctx.db, hashToken(state))
  if (!st || st.consumedAt || st.expiresAt.getTime() <= Date.now()) throw new PatchbayError('oauth_state_invalid', 'This authorization link is invalid or has expired')
  const binding = randomToken(32)
  if (!(await bindOAuthState(ctx.db, st.id, hashToken(binding)))) throw new PatchbayError('oauth_state_invalid', 'This authorization link was already opened')
  const row = await findIntegrationById(ctx.db, st.integrationId)
  if (!row) throw new PatchbayError('oauth_state_invalid', 'The integration no longer exists')
  const integration = resolveIntegration(row)
  const auth = integration.connector.auth
  const cookie = { name: `${BINDING_COOKIE_PREFIX}${st.id}`, value: binding, maxAgeS: Math.ceil((st.expiresAt.getTime() - Date.now()) / 1000) }
  // OAuth 1.0a: temporary credentials first (RFC 5849 §2.1), then the provider's page with them (§2.2).
  if (auth.type === 'oauth1') {
    try {
      return { location: await beginOAuth1(ctx, st, integration), cookie }
    } catch (err) {
      if (!(err instanceof PatchbayError) || err.code !== 'oauth_exchange_failed') throw err
      ctx.log.warn({ integration: row.key, err: err.message }, 'OAuth 1.0a temporary credentials request failed')
      return { failure: fail(err.code, err.message, st.openerOrigin) }
    }
  }
  if (auth.type !== 'oauth2' || !integration.authorizationUrl) throw new PatchbayError('oauth_state_invalid', 'The integration no longer uses OAuth')
  const url = new URL(renderUrl(integration.authorizationUrl, st.connectionConfig))
  for (const [k, v] of Object.entries(auth.authorizationParams)) url.searchParams.set(k, v)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', row.clientId ?? '')
  url.searchParams.set('redirect_uri', st.redirectUri)
  if (st.scopes.length) url.searchParams.set('scope', st.scopes.join(auth.scopeSeparator))
  url.searchParams.set('state', state)
  if (auth.pkce) {
    const verifier = await ctx.secrets.decrypt(st.environmentId, st.codeVerifierEnc, oauthStateSecretContext(st.id))
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier))
    url.searchParams.set('code_challenge_method', 'S256')
  }
  return { location: url.toString(), cookie }
}

/** The outcome the callback page hands to the widget. */
export type AuthorizationResult =
  | { ok: true; connectionId: string; integration: string; reconnected: boolean }
  | { ok: false; code: ErrorCode; message: string }

/** A callback's outcome, the widget origin to post it to (null when unknown) and the state whose binding cookie goes. */
type CallbackOutcome = { result: AuthorizationResult; openerOrigin: string | null; stateId: string | null }

const fail = (code: ErrorCode, message: string, openerOrigin: string | null = null, stateId: string | null = null): CallbackOutcome => ({ result: { ok: false, code, message }, openerOrigin, stateId })

/**
 * Completes an authorization from the provider's redirect. Never throws for flow errors:
 * they become `{ ok: false, code }` for the callback page.
 * @param callbackUrl the full URL the provider redirected to.
 * @param cookies the request's cookies (for the browser binding).
 * @returns the result and the widget origin to post it to (null when unknown).
 */
export async function completeAuthorization(ctx: AppContext, callbackUrl: URL, cookies: Record<string, string>): Promise<CallbackOutcome> {
  const state = callbackUrl.searchParams.get('state')
  // An OAuth 1.0a callback carries the temporary token instead of a state (RFC 5849 §2.2).
  const oauth1Token = state ? null : callbackUrl.searchParams.get('oauth_token')
  if (!state && !oauth1Token) return fail('oauth_state_invalid', 'The provider did not return a state')
  const st = await consumeOAuthState(ctx.db, state ? hashToken(state) : oauth1StateHash(oauth1Token!))
  if (!st) return fail('oauth_state_invalid', 'This authorization was already completed or is unknown')
  const origin = st.openerOrigin
  const binding = cookies[`${BINDING_COOKIE_PREFIX}${st.id}`]
  if (!st.browserBindingHash || !binding || hashToken(binding) !== st.browserBindingHash) return fail('oauth_state_invalid', 'This authorization was started in another browser', origin, st.id)
  if (st.expiresAt.getTime() <= Date.now()) return fail('session_expired', 'The authorization took too long; please try again', origin, st.id)
  const session = await findConnectSession(ctx.db, st.connectSessionId)
  if (!session || session.expiresAt.getTime() <= Date.now()) return fail('session_expired', 'The connect session has expired; please try again', origin, st.id)
  if (st.redirectUri !== redirectUri(ctx)) return fail('oauth_state_invalid', 'Redirect URI mismatch', origin, st.id)
  const row = await findIntegrationById(ctx.db, st.integrationId)
  if (!row) return fail('not_found', 'The integration no longer exists', origin, st.id)
  const integration = resolveIntegration(row)
  if (state === null || integration.connector.auth.type === 'oauth1') {
    if (oauth1Token === null || integration.connector.auth.type !== 'oauth1') return fail('oauth_state_invalid', 'This callback does not match the authorization', origin, st.id)
    // RFC 5849 §2.2: an approval comes back with `oauth_verifier`; without one the user denied access.
    const verifier = callbackUrl.searchParams.get('oauth_verifier')
    if (!verifier) return fail('oauth_denied', 'Access was denied at the provider', origin, st.id)
    let credentials: Credentials
    try {
      credentials = await exchangeOAuth1Verifier(ctx, st, integration, oauth1Token, verifier)
    } catch (err) {
      const message = err instanceof PatchbayError ? err.message : 'The token credentials request failed'
      ctx.log.warn({ integration: row.key, err: message }, 'OAuth 1.0a token credentials request failed')
      return fail('oauth_exchange_failed', message, origin, st.id)
    }
    return storeAuthorization(ctx, { st, endUserId: session.endUserId, integration, credentials, config: st.connectionConfig, scopes: st.scopes })
  }
  const client = await oauthClientFor(ctx, integration, st.connectionConfig)

  let params: URLSearchParams
  try {
    params = oauth.validateAuthResponse(client.as, client.client, callbackUrl, state)
  } catch (err) {
    if (err instanceof oauth.AuthorizationResponseError) {
      const denied = err.error === 'access_denied'
      return fail(denied ? 'oauth_denied' : 'oauth_exchange_failed', denied ? 'Access was denied at the provider' : `The provider returned an error: ${describeOAuthError(err)}`, origin, st.id)
    }
    return fail('oauth_state_invalid', describeOAuthError(err), origin, st.id)
  }
  let tokens: oauth.TokenEndpointResponse
  try {
    const verifier = await ctx.secrets.decrypt(st.environmentId, st.codeVerifierEnc, oauthStateSecretContext(st.id))
    const auth = integration.connector.auth
    const res = await oauth.authorizationCodeGrantRequest(client.as, client.client, client.clientAuth, params, st.redirectUri, auth.type === 'oauth2' && auth.pkce ? verifier : oauth.nopkce, client.options)
    tokens = await oauth.processAuthorizationCodeResponse(client.as, client.client, res, { requireIdToken: false, ...tokenResponseOptions(auth) })
  } catch (err) {
    ctx.log.warn({ integration: row.key, err: describeOAuthError(err) }, 'authorization code exchange failed')
    return fail('oauth_exchange_failed', `The code exchange failed: ${describeOAuthError(err)}`, origin, st.id)
  }
  const credentials = tokensToCredentials(tokens)
  let config = st.connectionConfig
  try {
    const fromToken = integration.connector.hooks.afterTokenResponse?.(tokens as unknown as Record<string, unknown>)
    if (fromToken) config = { ...config, ...tokenConfig(integration.connector, fromToken) }
    const after = integration.connector.hooks.afterAuthorization
    if (after) config = { ...config, ...tokenConfig(integration.connector, await after({ tokenResponse: tokens as unknown as Record<string, unknown>, connectionConfig: config, callbackParams: callbackParamsOf(callbackUrl), get: bearerGet(ctx, credentials.accessToken) })) }
  } catch (err) {
    // A hook refuses what the provider answered (e.g. an instance URL outside its domain): nothing is stored.
    ctx.log.warn({ integration: row.key, err: (err as Error).message }, 'token response refused by the connector')
    return fail('oauth_exchange_failed', `The provider's token response was not usable: ${(err as Error).message}`, origin, st.id)
  }
  return storeAuthorization(ctx, { st, endUserId: session.endUserId, integration, credentials, config, scopes: grantedScopes(tokens, st.scopes) })
}

/**
 * The last step of both flows: reads the account label, stores the connection (or the new
 * credentials of the one being re-authorized) and says so to the callback page. Never throws.
 */
async function storeAuthorization(
  ctx: AppContext,
  input: { st: OAuthStateRow; endUserId: string; integration: ResolvedIntegration; credentials: Credentials; config: Record<string, string>; scopes: string[] },
): Promise<CallbackOutcome> {
  const { st, integration, credentials, config } = input
  const key = integration.row.key
  const accountLabel = await fetchAccountLabel(ctx, integration, credentials, config)
  try {
    const { id: connectionId, created } = await storeConnection(ctx, {
      environmentId: st.environmentId,
      integration,
      endUserId: input.endUserId,
      credentials,
      connectionConfig: config,
      scopes: input.scopes,
      accountLabel,
      connectionId: st.connectionId,
    })
    ctx.log.info({ connectionId, integration: key }, created ? 'connection created' : 'connection re-authorized')
    return { result: { ok: true, connectionId, integration: key, reconnected: !created }, openerOrigin: st.openerOrigin, stateId: st.id }
  } catch (err) {
    return err instanceof PatchbayError ? fail(err.code, err.message, st.openerOrigin, st.id) : fail('internal', 'The connection could not be saved', st.openerOrigin, st.id)
  }
}

/**
 * The connection config a connector's `afterTokenResponse` read from the token response, checked:
 * only fields declared with `source: 'token'`, each matching its pattern (the values are templated
 * into URLs that receive the credentials).
 * @throws {Error} naming the first field that is undeclared or does not match.
 */
function tokenConfig(connector: ResolvedIntegration['connector'], values: Record<string, string>): Record<string, string> {
  for (const [name, value] of Object.entries(values)) {
    const field = Object.hasOwn(connector.connectionConfig, name) ? connector.connectionConfig[name] : undefined
    if (!field || field.source !== 'token') throw new Error(`${name} is not a token-sourced connection config field`)
    if (typeof value !== 'string' || !new RegExp(`^(?:${field.pattern})$`).test(value)) throw new Error(`${field.label} does not have the expected form`)
  }
  return values
}

/**
 * The callback's query parameters an `afterAuthorization` hook may read (QuickBooks Online's
 * `realmId`): all but `code`, `state` and `iss` (RFC 6749 §4.1.2, RFC 9207 §2), the first value of
 * each name, at most 20 names of at most 1,000 characters each (a redirect is untrusted input).
 */
function callbackParamsOf(callbackUrl: URL): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of callbackUrl.searchParams) {
    if (name === 'code' || name === 'state' || name === 'iss' || Object.hasOwn(out, name) || value.length > 1000) continue
    if (Object.keys(out).length >= 20) break
    out[name] = value
  }
  return out
}

/**
 * GETs JSON from an absolute https URL with the new access token, for `afterAuthorization` hooks.
 * @throws {Error} for a non-https URL, a non-2xx answer or a body that is not JSON.
 */
function bearerGet(ctx: AppContext, accessToken: string) {
  return async (url: string): Promise<unknown> => {
    const u = new URL(url)
    if (u.protocol !== 'https:' && !isLiteralPrivateHost(u)) throw new Error('only https URLs may receive the access token')
    const res = await ctx.upstream.fetchJson({ method: 'GET', url: u, headers: { accept: 'application/json', 'user-agent': 'Patchbay', authorization: `Bearer ${accessToken}` }, allowPrivate: isLiteralPrivateHost(u), timeoutMs: 15_000 })
    if (res.status < 200 || res.status > 299) throw new Error(`${u.host} answered ${res.status}`)
    return res.body
  }
}
