/**
 * What the Google connectors (`google-calendar`, `google-sheets`) share: Google's OAuth 2.0 for web
 * server applications, service accounts (their `…-service-account` variants), and how Google APIs
 * answer when a request should be tried again. Each connector adds its own scopes, base URL,
 * objects and limits.
 *
 * Sources, each cited again where it is used:
 * - OAuth 2.0 for web server applications (endpoints, `access_type`, `prompt`, token response,
 *   revocation): https://developers.google.com/identity/protocols/oauth2/web-server
 * - Endpoints and PKCE methods as published by Google's authorization server (OpenID discovery
 *   document): https://accounts.google.com/.well-known/openid-configuration
 * - PKCE (`code_challenge`, `code_challenge_method=S256`):
 *   https://developers.google.com/identity/protocols/oauth2/native-app#step1-code-verifier
 * - Refresh token expiration: https://developers.google.com/identity/protocols/oauth2#expiration
 */
import type { ConnectorInput } from './schema'

type OAuth2Input = Extract<ConnectorInput['auth'], { type: 'oauth2' }>

/**
 * Google's authorization code grant, with the given scopes (space-separated on the wire).
 * @example auth: googleAuth(['https://www.googleapis.com/auth/spreadsheets'])
 */
export function googleAuth(scopes: readonly string[]): OAuth2Input {
  return {
    type: 'oauth2',
    // web-server page, "Step 2: Redirect to Google's OAuth 2.0 server":
    // "Google's OAuth 2.0 endpoint is at https://accounts.google.com/o/oauth2/v2/auth".
    authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    // Same page, "Step 5: Exchange authorization code for refresh and access tokens":
    // "call the https://oauth2.googleapis.com/token endpoint"; the example request sends
    // `client_id` and `client_secret` as form parameters, hence `client_secret_post`.
    tokenUrl: 'https://oauth2.googleapis.com/token',
    clientAuth: 'client_secret_post',
    // Same page, "Revoking a token": "makes a request to https://oauth2.googleapis.com/revoke and
    // includes the token as a parameter" (`Content-type: application/x-www-form-urlencoded`), the
    // shape of an RFC 7009 request. "If the token is an access token and it has a corresponding
    // refresh token, the refresh token will also be revoked."
    revocationUrl: 'https://oauth2.googleapis.com/revoke',
    scopes: [...scopes],
    // The discovery document lists `"code_challenge_methods_supported": ["plain", "S256"]`; the
    // native-app page documents `code_challenge` and `code_challenge_method=S256` on the same
    // authorization endpoint. Google checks the verifier when a challenge was sent, also for a
    // web client that authenticates with its secret.
    pkce: true,
    // web-server page, "Step 1: Set authorization parameters":
    // - `access_type=offline`: "instructs the Google authorization server to return a refresh
    //   token and an access token the first time that your application exchanges an authorization
    //   code for tokens";
    // - `prompt=consent`: "Prompt the user for consent". Without it a user who connects a second
    //   time (a new connection after a deleted one) is not asked again and Google answers without a
    //   refresh token, leaving a connection that dies with its first access token.
    authorizationParams: { access_type: 'offline', prompt: 'consent' },
    // Access tokens last about an hour (`"expires_in": 3920` in the page's example) and are
    // renewed with the refresh token ("Refreshing an access token (offline access)"). A refresh
    // answer carries no new refresh token, so the stored one is kept. Refresh tokens stop working
    // when the user revokes access, after six months unused, or after 7 days for an app whose
    // OAuth consent screen is still in "Testing" (oauth2 overview, "Refresh token expiration").
    refreshable: true,
    // The token response says `"token_type": "Bearer"`; requests carry `Authorization: Bearer …`
    // ("Step 6: Calling Google APIs"), the default injection.
  }
}

/**
 * Statuses a Google API request is retried on (idempotent requests only, as the engine does):
 * 429 "Too many requests" and the 5xx answers Google's error guides say to retry with exponential
 * backoff (`500 backendError`, 502, 503, 504), e.g.
 * https://developers.google.com/workspace/calendar/api/guides/errors#500_backend_error and
 * https://developers.google.com/workspace/sheets/api/limits#exponential.
 *
 * Not 403: Google also reports exceeded per-user quotas as `403` with reason `rateLimitExceeded` or
 * `userRateLimitExceeded` (Calendar errors guide), but a 403 is equally a missing scope or a
 * calendar the user may not see; the schema retries by status only, so those 403s fail the
 * request (see the report).
 */
export const GOOGLE_RETRY = { on: [429, 500, 502, 503, 504] }

type JwtBearerInput = Extract<ConnectorInput['auth'], { type: 'oauth2_jwt_bearer' }>

/**
 * Google's token endpoint for service accounts. "Using OAuth 2.0 for Server to Server Applications",
 * HTTP/REST (https://developers.google.com/identity/protocols/oauth2/service-account#httprest),
 * "Forming the JWT claim set": `aud` "When making an access token request this value is always
 * https://oauth2.googleapis.com/token"; "Making the access token request": the signed JWT is
 * POSTed there. Key files carry the same URL as `token_uri`; a key naming another one is refused.
 */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token'

/**
 * A Google service account (OAuth 2.0 JWT bearer grant, RFC 7523 §2.1) with the given scopes, for
 * the `…-service-account` variants of the Google connectors. The end user pastes the service
 * account's JSON key file and, with domain-wide delegation, the user to act as.
 *
 * From the service-account page (HTTP/REST): the JWT is signed RS256 ("Service accounts rely on the
 * RSA SHA-256 algorithm"); `scope` is "A space-delimited list of the permissions that the application
 * requests"; `exp` has "a maximum of 1 hour after the issued time", hence an assertion lifetime of
 * 3600 s; the answer is `{ "access_token", "scope", "token_type": "Bearer", "expires_in": 3600 }`
 * and "After the access token expires, your application generates another JWT, signs it, and
 * requests another access token" (no refresh token). `sub`: "The email address of the user for
 * which the application is requesting delegated access", only for an account a Workspace
 * administrator granted domain-wide authority ("Delegating domain-wide authority to the service
 * account", same page), and only for the scopes the administrator listed.
 * @example auth: googleServiceAccountAuth(['https://www.googleapis.com/auth/spreadsheets'], 'the spreadsheet')
 */
export function googleServiceAccountAuth(scopes: readonly string[], what: string): JwtBearerInput {
  return {
    type: 'oauth2_jwt_bearer',
    tokenUrl: GOOGLE_TOKEN_URL,
    scopes: [...scopes],
    assertionLifetime: 3600,
    fields: {
      serviceAccountKey: {
        label: 'Service account key (JSON)',
        type: 'textarea',
        required: true,
        description: `The JSON key file of a service account in your Google Cloud project, pasted whole. Share ${what} with the service account’s email address (client_email in the file) first.`,
        placeholder: '{ "type": "service_account", "client_email": "…", "private_key": "…", … }',
        // Creating a key: IAM & Admin → Service accounts → Keys → Add key → Create new key → JSON.
        helpUrl: 'https://cloud.google.com/iam/docs/keys-create-delete',
      },
      subject: {
        label: 'Act as user',
        type: 'email',
        required: false,
        description: 'Google Workspace only, with domain-wide delegation granted by your administrator: the email address of the user whose data to use. Leave empty otherwise.',
        helpUrl: 'https://developers.google.com/identity/protocols/oauth2/service-account#delegatingauthority',
      },
    },
    // "Calling Google APIs" (same page): the access token goes in `Authorization: Bearer`, the default injection.
  }
}
