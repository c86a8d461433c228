/**
 * One error class for the whole server. Services throw {@link PatchbayError}; `app.onError`
 * renders it once as RFC 9457 `application/problem+json` with a stable `code`.
 */

/** Stable error codes, part of the public API (the SDK's `PatchbayError.code`). */
export const ERROR_CODES = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  origin_not_allowed: 403,
  integration_not_allowed: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  session_expired: 401,
  oauth_state_invalid: 400,
  oauth_denied: 400,
  oauth_exchange_failed: 502,
  credentials_invalid: 422,
  connection_not_active: 409,
  reauth_required: 409,
  upstream_unreachable: 502,
  upstream_rate_limited: 429,
  /** The provider answered with an error status (the body excerpt is in the problem). */
  upstream_error: 502,
  /** The provider's response could not be read: malformed JSON, or not the shape the connector declares. */
  upstream_invalid_response: 502,
  /** A connector action reached the provider, which refused it (`providerStatus`, `output` in the problem). */
  action_failed: 502,
  /** An `Idempotency-Key` was used before with a different input. */
  idempotency_key_reused: 422,
  /** A request with this `Idempotency-Key` is still running. */
  idempotency_in_progress: 409,
  /** A record in the vendor's model shape was sent, but the connection has no mapping of the action's object. */
  mapping_required: 409,
  /** The mapping in effect cannot be written back (`errors` says why), e.g. it lowercases or splits a field. */
  mapping_not_invertible: 422,
  upstream_host_not_allowed: 400,
  /** An incoming provider webhook's signature is missing, wrong, or its timestamp is stale (the provider should not retry). */
  webhook_signature_invalid: 401,
  /** The integration's connector declares no incoming webhooks. */
  webhooks_not_supported: 404,
  /** The signing secret an incoming provider webhook needs is not set (on the integration, on the connection, or in the connection's credentials). */
  webhook_secret_missing: 409,
  /** A webhook secret was set on a connection whose connector does not take one from the connection (`webhooks.secret.from` is not `connection`). */
  webhook_secret_not_accepted: 409,
  /** `POST /v1/integrations/{key}/webhook-secret/reveal`: no handshake-delivered secret is waiting (none arrived, it was revealed already, or the vendor set or cleared it). */
  webhook_secret_not_revealable: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal: 500,
} as const

export type ErrorCode = keyof typeof ERROR_CODES

/**
 * An error with a stable `code`, an HTTP status derived from it, and a message safe to show
 * (it must never contain a secret).
 * @example throw new PatchbayError('not_found', 'Connection conn_123 does not exist')
 */
export class PatchbayError extends Error {
  readonly status: number
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra problem members, e.g. `{ errors: [{ path, message }] }`. Never secrets. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'PatchbayError'
    this.status = ERROR_CODES[code]
  }
}

/** Shorthand for the frequent 404. */
export function notFound(what: string, id: string): PatchbayError {
  return new PatchbayError('not_found', `${what} ${JSON.stringify(id)} does not exist`)
}
