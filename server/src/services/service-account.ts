/**
 * Service accounts: the OAuth 2.0 JWT bearer grant (RFC 7523 §2.1) with a key the end user pastes.
 *
 * The pair, as oauth4webapi does for every grant: {@link parseServiceAccountKey} checks the pasted
 * JSON key file and keeps what signing needs; {@link requestJwtBearerToken} signs an assertion
 * ({@link signAssertion}) and exchanges it at the integration's token endpoint, on connect and
 * again whenever the access token expires (`token-refresh.ts`, under its single-flight lease).
 *
 * Key file and assertion as Google documents them ("Using OAuth 2.0 for Server to Server
 * Applications", HTTP/REST: https://developers.google.com/identity/protocols/oauth2/service-account#httprest):
 * - the JWT header is `{"alg":"RS256","typ":"JWT"}` ("Service accounts rely on the RSA SHA-256
 *   algorithm"); `kid` is the key file's `private_key_id` (same page, "Addendum: Service account
 *   authorization without OAuth": "For kid, specify your service account's private key ID");
 * - claims: `iss` "The email address of the service account", `scope` "A space-delimited list of
 *   the permissions that the application requests", `aud` "When making an access token request
 *   this value is always https://oauth2.googleapis.com/token", `exp` "a maximum of 1 hour after the
 *   issued time", `iat`; and `sub`, "The email address of the user for which the application is
 *   requesting delegated access" (domain-wide delegation);
 * - the request: `POST` to the token endpoint, form-encoded,
 *   `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=…`, no client authentication;
 *   the answer `{ "access_token", "scope", "token_type": "Bearer", "expires_in": 3600 }`.
 *
 * Safety: the token request goes only to the integration's token URL (the connector's, or the
 * vendor's override); a key whose `token_uri` names another URL is refused, never followed (it
 * would let a pasted file point the server anywhere, SSRF). Error messages never quote the key:
 * not even a JSON syntax error's message, which can contain a slice of the input.
 */
import * as jose from 'jose'
import * as oauth from 'oauth4webapi'
import { z } from 'zod'
import type { AppContext } from '../context'
import { PatchbayError } from '../lib/errors'
import type { JwtBearerCredentials } from './credentials'
import type { ResolvedIntegration } from './integrations'
import { describeOAuthError, grantedToken, oauthClientFor, type GrantedToken } from './oauth-client'

/** RFC 7523 §2.1: the `grant_type` of the JWT bearer grant. */
export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer'

/** The field errors path of the pasted key. */
const KEY_PATH = 'credentials.serviceAccountKey'

/**
 * What Patchbay reads from a key file; other members (`project_id`, `client_id`, `auth_uri`…) are
 * ignored. Messages name the member, never its value.
 */
const keyFileSchema = z.object({
  type: z.literal('service_account', { error: 'type must be "service_account" (this is not a service account key file)' }),
  client_email: z.email({ error: 'client_email must be the service account’s email address' }),
  private_key: z.string({ error: 'private_key is missing' }).min(1, { error: 'private_key is missing' }).max(10_000, { error: 'private_key is too long' }),
  private_key_id: z.string({ error: 'private_key_id is missing' }).regex(/^[A-Za-z0-9_-]{1,200}$/, { error: 'private_key_id must be the key’s id (letters and digits)' }),
  token_uri: z.string({ error: 'token_uri must be a URL' }).max(2000).optional(),
})

const invalidKey = (message: string) => new PatchbayError('invalid_request', 'Invalid service account key', { errors: [{ path: KEY_PATH, message }] })

/**
 * Parses a PKCS #8 PEM RSA private key for RS256 signing.
 * @throws {PatchbayError} `invalid_request` (field error on `credentials.serviceAccountKey`) when it is not one.
 */
async function importKey(pem: string): Promise<CryptoKey> {
  try {
    return await jose.importPKCS8(pem, 'RS256')
  } catch {
    throw invalidKey('private_key is not a PEM-encoded RSA private key ("-----BEGIN PRIVATE KEY-----")')
  }
}

/**
 * Checks a pasted service account key file (JSON) and keeps what signing needs.
 * @param text the file's content as pasted.
 * @param tokenUrl the connector's token endpoint (https://oauth2.googleapis.com/token for Google):
 *   a key whose `token_uri` is another URL is refused; a key without `token_uri` is accepted.
 * @returns the key's email, PEM private key and key id (the PEM is checked to be an RSA key).
 * @throws {PatchbayError} `invalid_request` with `errors: [{ path: 'credentials.serviceAccountKey', message }]`
 *   for text that is not JSON, not a service account key, a private key that does not parse, or a foreign `token_uri`.
 */
export async function parseServiceAccountKey(text: string, tokenUrl: string): Promise<Pick<JwtBearerCredentials, 'clientEmail' | 'privateKey' | 'privateKeyId'>> {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw invalidKey('This is not JSON: paste the whole key file, from { to }')
  }
  const parsed = keyFileSchema.safeParse(json)
  if (!parsed.success) {
    const messages = [...new Set(parsed.error.issues.map((i) => (i.path.length === 0 ? 'The key file must be a JSON object' : i.message)))]
    throw new PatchbayError('invalid_request', 'Invalid service account key', { errors: messages.map((message) => ({ path: KEY_PATH, message })) })
  }
  const key = parsed.data
  if (key.token_uri !== undefined && key.token_uri !== tokenUrl) {
    throw invalidKey(`token_uri must be ${tokenUrl}: tokens are requested only there, never at a URL from the key file`)
  }
  await importKey(key.private_key)
  return { clientEmail: key.client_email, privateKey: key.private_key, privateKeyId: key.private_key_id }
}

/** The optional `subject` field (domain-wide delegation): an email address. */
export function parseSubject(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined
  if (!z.email().safeParse(value).success) throw new PatchbayError('invalid_request', 'Invalid credentials', { errors: [{ path: 'credentials.subject', message: 'must be an email address' }] })
  return value
}

/**
 * Signs a JWT bearer assertion (RFC 7523 §3) with the service account's key: header
 * `{ alg: RS256, typ: JWT, kid }`, claims `iss`, `aud`, `iat`, `exp` (= `iat` + `lifetimeSeconds`),
 * `scope` (when there are scopes) and `sub` (when acting as a user).
 * @param now epoch ms (tests pass their clock).
 * @throws {PatchbayError} `invalid_request` when the stored key no longer parses (cannot happen for a key that passed {@link parseServiceAccountKey}).
 */
export async function signAssertion(
  key: Pick<JwtBearerCredentials, 'clientEmail' | 'privateKey' | 'privateKeyId' | 'subject'>,
  claims: { audience: string; scope: string; lifetimeSeconds: number; now?: number },
): Promise<string> {
  const iat = Math.floor((claims.now ?? Date.now()) / 1000)
  const payload: jose.JWTPayload = {}
  if (claims.scope) payload.scope = claims.scope
  if (key.subject) payload.sub = key.subject
  return new jose.SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.privateKeyId })
    .setIssuer(key.clientEmail)
    .setAudience(claims.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + claims.lifetimeSeconds)
    .sign(await importKey(key.privateKey))
}

/** No client authentication: the signed assertion is the credential (Google's request has only `grant_type` and `assertion`). */
const noClientAuthentication: oauth.ClientAuth = () => {}

/**
 * Signs a fresh assertion and exchanges it for an access token at the integration's token URL
 * (RFC 7523 §2.1), the assertion's `aud` being that URL.
 * @throws {oauth.ResponseBodyError} the provider's OAuth error (`invalid_grant` for a deleted or
 *   disabled key, a bad signature or a clock skew; `unauthorized_client` for a delegation not granted);
 *   other oauth4webapi or network errors as thrown. Callers turn them into Patchbay errors
 *   ({@link connectError} on connect, `token-refresh.ts` on renewal).
 */
export async function requestJwtBearerToken(ctx: AppContext, integration: ResolvedIntegration, connectionConfig: Record<string, string>, credentials: JwtBearerCredentials): Promise<GrantedToken> {
  const auth = integration.connector.auth
  if (auth.type !== 'oauth2_jwt_bearer') throw new PatchbayError('internal', `${integration.connector.id} does not use the JWT bearer grant`)
  // oauthClientFor renders the token URL and allows plain http only for loopback/private hosts.
  const client = await oauthClientFor(ctx, integration, connectionConfig, { clientId: credentials.clientEmail, clientSecret: '' })
  const audience = client.as.token_endpoint!
  const assertion = await signAssertion(credentials, { audience, scope: integration.scopes.join(auth.scopeSeparator), lifetimeSeconds: auth.assertionLifetime })
  const res = await oauth.genericTokenEndpointRequest(client.as, client.client, noClientAuthentication, JWT_BEARER_GRANT_TYPE, { assertion }, client.options)
  return grantedToken(await oauth.processGenericTokenEndpointResponse(client.as, client.client, res), integration.scopes)
}

/**
 * A token request failure on connect, as a Patchbay error: the provider refusing the key or the
 * delegation (an OAuth error answer, 4xx) is `credentials_invalid`; anything else (5xx, network)
 * is `upstream_unreachable`, since the end user cannot fix it. Never includes the key.
 */
export function connectError(connectorName: string, err: unknown): PatchbayError {
  if (err instanceof PatchbayError) return err
  if (err instanceof oauth.ResponseBodyError && err.status < 500) return new PatchbayError('credentials_invalid', `${connectorName} rejected this service account key: ${describeOAuthError(err)}`)
  return new PatchbayError('upstream_unreachable', `${connectorName} could not issue a token right now (${describeOAuthError(err)}); try again later`)
}
