/**
 * OAuth 1.0a (RFC 5849) for connectors with `auth.type: 'oauth1'` (Trello): the three-legged flow's
 * two server-to-server requests and the signature on every request Patchbay sends as a connection.
 *
 * The consumer key and secret are the integration's client id and secret. The flow reuses the
 * OAuth 2.0 popup machinery (server/src/services/oauth-flow.ts, docs/decisions/0016-oauth1.md):
 * `/oauth/start` binds the browser, then {@link beginOAuth1} gets temporary credentials and moves
 * the state row to be matched by the temporary token; `/oauth/callback` consumes it once and
 * {@link exchangeOAuth1Verifier} gets the token credentials.
 *
 * Signing itself is `server/src/lib/oauth1.ts` (the `oauth-1.0a` library); nothing here does HTTP
 * other than through `ctx.upstream`.
 */
import type { AppContext } from '../context'
import { oauthStateSecretContext, setOAuth1TemporaryCredentials, type OAuthStateRow } from '../db/queries/sessions'
import type { IntegrationRow } from '../db/queries/integrations'
import { PatchbayError } from '../lib/errors'
import { hashToken } from '../lib/ids'
import { oauth1Authorization, oauth1Signer, parseCredentialsResponse, type OAuth1Request, type OAuth1Token } from '../lib/oauth1'
import { isLiteralPrivateHost } from '../lib/upstream'
import type { Credentials, OAuth1Credentials } from './credentials'
import { clientSecretOf, renderUrl, type ResolvedIntegration } from './integrations'

type OAuth1Auth = Extract<ResolvedIntegration['connector']['auth'], { type: 'oauth1' }>
type Signer = ReturnType<typeof oauth1Signer>

/** The state hash of an OAuth 1.0a authorization once its temporary token is known (prefixed, so it never equals an OAuth 2.0 state's). */
export function oauth1StateHash(temporaryToken: string): string {
  return hashToken(`oauth1:${temporaryToken}`)
}

/** The connector's OAuth 1.0a settings. @throws {PatchbayError} `invalid_request` when the connector does not use OAuth 1.0a. */
function oauth1AuthOf(integration: ResolvedIntegration): OAuth1Auth {
  const auth = integration.connector.auth
  if (auth.type !== 'oauth1') throw new PatchbayError('invalid_request', `${integration.connector.name} does not use OAuth 1.0a`)
  return auth
}

/** Signers per integration row (a row object lives as long as the cached connections that hold it), so the consumer secret is decrypted once per load. */
const signers = new WeakMap<IntegrationRow, Promise<Signer>>()

/**
 * The signer of an integration: its client id and secret as the consumer (RFC 5849 §1.1).
 * @throws {PatchbayError} `invalid_request` when the integration has no client id or secret.
 */
function signerOf(ctx: AppContext, integration: ResolvedIntegration): Promise<Signer> {
  const row = integration.row
  let pending = signers.get(row)
  if (!pending) {
    const auth = oauth1AuthOf(integration)
    pending = (async () => {
      if (!row.clientId) throw new PatchbayError('invalid_request', `Integration ${row.key} has no OAuth consumer key (client id)`)
      const secret = await clientSecretOf(ctx, row)
      if (!secret) throw new PatchbayError('invalid_request', `Integration ${row.key} has no OAuth consumer secret (client secret)`)
      return oauth1Signer({ key: row.clientId, secret }, auth.signatureMethod)
    })()
    pending.catch(() => signers.delete(row))
    signers.set(row, pending)
  }
  return pending
}

/**
 * The `Authorization` header of one request sent as a connection (RFC 5849 §3.5.1), signed with the
 * consumer and the connection's token credentials. Call it for the final method, URL and form body,
 * right before each attempt (a new nonce and timestamp each time, §3.3).
 * @throws {PatchbayError} `invalid_request` for an integration without consumer credentials; `internal` for credentials of another kind.
 */
export async function oauth1AuthorizationFor(ctx: AppContext, integration: ResolvedIntegration, credentials: Credentials, request: OAuth1Request): Promise<string> {
  if (credentials.type !== 'oauth1') throw new PatchbayError('internal', 'The connection does not hold OAuth 1.0a credentials')
  const signer = await signerOf(ctx, integration)
  return oauth1Authorization(signer, request, { key: credentials.token, secret: credentials.tokenSecret })
}

/**
 * Checks that an integration can run the flow: consumer credentials set, and https endpoints (plain
 * http only for loopback/private hosts, as for OAuth 2.0, RFC 5849 §4.2/§4.8 leave transport
 * security to TLS).
 * @throws {PatchbayError} `invalid_request`.
 */
export async function checkOAuth1Integration(ctx: AppContext, integration: ResolvedIntegration, connectionConfig: Record<string, string>): Promise<void> {
  await signerOf(ctx, integration)
  const { requestTokenUrl, authorizationUrl, accessTokenUrl } = endpoints(integration, connectionConfig)
  for (const url of [requestTokenUrl, authorizationUrl, accessTokenUrl]) {
    if (url.protocol !== 'https:' && !isLiteralPrivateHost(url)) throw new PatchbayError('invalid_request', `Integration ${integration.row.key} uses plain http for a public host; OAuth requires https`)
  }
}

function endpoints(integration: ResolvedIntegration, connectionConfig: Record<string, string>) {
  const auth = oauth1AuthOf(integration)
  return {
    requestTokenUrl: new URL(renderUrl(auth.requestTokenUrl, connectionConfig)),
    authorizationUrl: new URL(renderUrl(auth.authorizationUrl, connectionConfig)),
    accessTokenUrl: new URL(renderUrl(auth.accessTokenUrl, connectionConfig)),
  }
}

/**
 * POSTs a signed credentials request (RFC 5849 §2.1, §2.3) and parses the form-encoded answer.
 * @throws {PatchbayError} `oauth_exchange_failed` for a non-200 answer, an unusable body or a network error (never with a secret in the message).
 */
async function credentialsRequest(ctx: AppContext, signer: Signer, url: URL, token: OAuth1Token | undefined, extra: Record<string, string>, what: string): Promise<{ token: OAuth1Token; params: URLSearchParams }> {
  const authorization = oauth1Authorization(signer, { method: 'POST', url }, token, extra)
  let res: { status: number; body: unknown }
  try {
    res = await ctx.upstream.fetchJson({ method: 'POST', url, headers: { authorization, accept: 'application/x-www-form-urlencoded, */*', 'user-agent': 'Patchbay', 'content-length': '0' }, allowPrivate: isLiteralPrivateHost(url), timeoutMs: 15_000 }, 64 * 1024)
  } catch (err) {
    throw new PatchbayError('oauth_exchange_failed', `The ${what} request failed: ${(err as Error).message}`)
  }
  if (res.status !== 200) throw new PatchbayError('oauth_exchange_failed', `The provider refused the ${what} request (HTTP ${res.status})`)
  try {
    return parseCredentialsResponse(typeof res.body === 'string' ? res.body : '')
  } catch (err) {
    throw new PatchbayError('oauth_exchange_failed', `The provider's ${what} answer is not usable: ${(err as Error).message}`)
  }
}

/**
 * Step 1 (in `/oauth/start`, after the browser is bound): requests temporary credentials with
 * `oauth_callback` = the state's redirect URI (RFC 5849 §2.1), which the provider must confirm
 * (`oauth_callback_confirmed=true`); stores the temporary token's hash (the callback's match) and
 * its secret, encrypted, in the state row; returns the provider's authorization URL (§2.2) with
 * `oauth_token`, the connector's `authorizationParams` (`{integrationName}` → the integration's
 * display name) and the scopes in `scopeParam`.
 * @throws {PatchbayError} `oauth_exchange_failed` when the provider refuses or answers badly;
 *   `oauth_state_invalid` when the state was used meanwhile.
 */
export async function beginOAuth1(ctx: AppContext, st: OAuthStateRow, integration: ResolvedIntegration): Promise<string> {
  const auth = oauth1AuthOf(integration)
  const signer = await signerOf(ctx, integration)
  const { requestTokenUrl, authorizationUrl } = endpoints(integration, st.connectionConfig)
  const { token, params } = await credentialsRequest(ctx, signer, requestTokenUrl, undefined, { oauth_callback: st.redirectUri }, 'temporary credentials')
  if (params.get('oauth_callback_confirmed') !== 'true') throw new PatchbayError('oauth_exchange_failed', 'The provider did not confirm the callback (oauth_callback_confirmed)')
  const secretEnc = await ctx.secrets.encrypt(st.environmentId, token.secret, oauthStateSecretContext(st.id))
  if (!(await setOAuth1TemporaryCredentials(ctx.db, st.id, oauth1StateHash(token.key), secretEnc))) throw new PatchbayError('oauth_state_invalid', 'This authorization link was already used')
  const url = new URL(authorizationUrl)
  const appName = integration.row.displayName ?? integration.connector.name
  for (const [k, v] of Object.entries(auth.authorizationParams)) url.searchParams.set(k, v.replaceAll('{integrationName}', appName))
  if (auth.scopeParam && st.scopes.length) url.searchParams.set(auth.scopeParam, st.scopes.join(auth.scopeSeparator))
  url.searchParams.set('oauth_token', token.key)
  return url.toString()
}

/**
 * Step 3 (in `/oauth/callback`, after the state was consumed and checked): exchanges the temporary
 * credentials and `oauth_verifier` for token credentials (RFC 5849 §2.3).
 * @throws {PatchbayError} `oauth_exchange_failed`.
 */
export async function exchangeOAuth1Verifier(ctx: AppContext, st: OAuthStateRow, integration: ResolvedIntegration, temporaryToken: string, verifier: string): Promise<OAuth1Credentials> {
  const signer = await signerOf(ctx, integration)
  const { accessTokenUrl } = endpoints(integration, st.connectionConfig)
  const temporarySecret = await ctx.secrets.decrypt(st.environmentId, st.codeVerifierEnc, oauthStateSecretContext(st.id))
  const { token } = await credentialsRequest(ctx, signer, accessTokenUrl, { key: temporaryToken, secret: temporarySecret }, { oauth_verifier: verifier }, 'token credentials')
  return { type: 'oauth1', token: token.key, tokenSecret: token.secret }
}
