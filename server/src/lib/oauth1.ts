/**
 * OAuth 1.0a request signing (RFC 5849 §3) on the `oauth-1.0a` library: the library builds the
 * signature base string (§3.4.1) and the `Authorization: OAuth …` header (§3.5.1); this file only
 * supplies what it leaves to its user — the HMAC (node:crypto), a cryptographically random nonce,
 * and the request parameters parsed the way §3.4.1.3.1 says (the library would read `+` in a query
 * as a plus sign, where the form encoding means a space). It does no HTTP: callers send the request
 * with their own client (retries, rate limits, timeouts), so a request is signed right before each
 * attempt, after its final URL is known.
 */
import { createHmac, randomBytes } from 'node:crypto'
import OAuth from 'oauth-1.0a'

/** RFC 5849 §3.4.2 (`HMAC-SHA1`) and its SHA-256 variant, which some providers accept. */
export type OAuth1SignatureMethod = 'HMAC-SHA1' | 'HMAC-SHA256'

/** The client credentials (RFC 5849 §1.1): the consumer key and secret. */
export interface OAuth1Consumer {
  key: string
  secret: string
}

/** Temporary or token credentials (RFC 5849 §1.1): `oauth_token` and its shared secret. */
export interface OAuth1Token {
  key: string
  secret: string
}

/** One request to sign. */
export interface OAuth1Request {
  method: string
  /** The absolute URL as it will be sent, query included. */
  url: URL
  /** An `application/x-www-form-urlencoded` body: its parameters are signed (§3.4.1.3.1). Other bodies are not. */
  form?: URLSearchParams | undefined
}

/**
 * A library instance for one consumer: HMAC with node:crypto (base64 digest, §3.4.2) and a nonce of
 * 32 random bytes (base64url), since the library's own nonce comes from `Math.random`.
 */
export function oauth1Signer(consumer: OAuth1Consumer, signatureMethod: OAuth1SignatureMethod): OAuth {
  const algorithm = signatureMethod === 'HMAC-SHA256' ? 'sha256' : 'sha1'
  const signer = new OAuth({
    consumer,
    signature_method: signatureMethod,
    hash_function: (base, key) => createHmac(algorithm, key).update(base).digest('base64'),
  })
  signer.getNonce = () => randomBytes(32).toString('base64url')
  return signer
}

/**
 * The base string URI (§3.4.1.2: scheme and host lower case, default port left out, no query) and
 * the request parameters (§3.4.1.3.1: the query and a form body, decoded as form encoding, repeated
 * names kept), in the shape the library takes as `request.url` and `request.data`.
 */
export function signingInput(request: OAuth1Request): { url: string; data: Record<string, string | string[]> } {
  const data: Record<string, string | string[]> = {}
  const add = (params: URLSearchParams) => {
    for (const [k, v] of params) {
      const prev = data[k]
      data[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
    }
  }
  add(request.url.searchParams)
  if (request.form) add(request.form)
  return { url: `${request.url.protocol}//${request.url.host}${request.url.pathname}`, data }
}

/** The protocol parameters the library sets (RFC 5849 §3.1), signature included. */
const PROTOCOL_PARAMS = ['oauth_consumer_key', 'oauth_token', 'oauth_signature_method', 'oauth_timestamp', 'oauth_nonce', 'oauth_version', 'oauth_signature'] as const

/**
 * The `Authorization` header value for a request (RFC 5849 §3.5.1), signed with the consumer and,
 * when given, the token credentials (§3.4.2: key = consumer secret & token secret).
 * @param extra protocol parameters to send and sign besides the standard ones: `oauth_callback`
 *   (§2.1) or `oauth_verifier` (§2.3).
 */
export function oauth1Authorization(signer: OAuth, request: OAuth1Request, token?: OAuth1Token, extra: Record<string, string> = {}): string {
  const input = signingInput(request)
  const data = { ...input.data, ...extra }
  const signed = signer.authorize({ method: request.method.toUpperCase(), url: input.url, data }, token)
  // `authorize` returns the protocol parameters and the signature (and, merged in, the request's own
  // parameters): only the protocol ones go in the header (§3.5.1), the others stay where they are.
  const params: Record<string, string | number> = { ...extra }
  for (const k of PROTOCOL_PARAMS) if (signed[k] !== undefined) params[k] = signed[k]
  return signer.toHeader(params as unknown as OAuth.Authorization).Authorization
}

/**
 * Parses a credentials response body (RFC 5849 §2.1, §2.3: `application/x-www-form-urlencoded`
 * with `oauth_token` and `oauth_token_secret`).
 * @throws {Error} when `oauth_token` is missing or empty, or `oauth_token_secret` is missing (the message names the parameter, never a value).
 */
export function parseCredentialsResponse(body: string): { token: OAuth1Token; params: URLSearchParams } {
  const params = new URLSearchParams(body.trim())
  const key = params.get('oauth_token')
  const secret = params.get('oauth_token_secret')
  if (!key) throw new Error('the response has no oauth_token')
  if (secret === null) throw new Error('the response has no oauth_token_secret')
  return { token: { key, secret }, params }
}
