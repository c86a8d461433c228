/**
 * Verifying Patchbay's webhooks (Standard Webhooks): the signature is
 * `v1,<base64 HMAC-SHA256(secret, "<webhook-id>.<webhook-timestamp>.<raw body>")>` and the
 * timestamp must be within 5 minutes of now (replay protection). Uses WebCrypto only, so it
 * runs wherever `crypto.subtle` does (Node 18+, Deno, Bun, Workers).
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 */
import { PatchbayError } from './errors'
import type { WebhookEvent } from './types'

/** Options of {@link verifyWebhook}. */
export interface VerifyWebhookOptions {
  /** Largest accepted distance between `webhook-timestamp` and now, in seconds; default 300. */
  toleranceSeconds?: number
  /** The current time (tests). */
  now?: Date
}

/** Request headers as a `Headers` object or a plain record (Node's `req.headers` works). */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined
  for (const [k, v] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v
  }
  return undefined
}

const invalid = (detail: string) => new PatchbayError({ code: 'webhook_invalid', status: 0, detail })

function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

function bytesToBase64(bytes: Uint8Array): string {
  let bin = ''
  for (const b of bytes) bin += String.fromCharCode(b)
  return btoa(bin)
}

/** Compares without an early exit on the first differing character. */
function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/**
 * Checks a webhook request and returns its event.
 * @param rawBody the request body exactly as received (do not parse and re-serialize it).
 * @param headers the request headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
 * @param secret the endpoint's signing secret, `whsec_…`.
 * @throws {PatchbayError} code `webhook_invalid` when a header is missing, the signature does not
 *   match or the timestamp is more than `toleranceSeconds` away from now.
 * @example
 * app.post('/webhooks/patchbay', async (req, res) => {
 *   const event = await verifyWebhook(req.rawBody, req.headers, process.env.PATCHBAY_WEBHOOK_SECRET!)
 *   if (event.type === 'connection.needs_reauth') notify(event.data.endUserId)
 *   res.sendStatus(204)
 * })
 */
export async function verifyWebhook(rawBody: string, headers: WebhookHeaders, secret: string, options: VerifyWebhookOptions = {}): Promise<WebhookEvent> {
  const id = header(headers, 'webhook-id')
  const timestamp = header(headers, 'webhook-timestamp')
  const signatures = header(headers, 'webhook-signature')
  if (!id || !timestamp || !signatures) throw invalid('Missing webhook-id, webhook-timestamp or webhook-signature header')
  if (!/^\d+$/.test(timestamp)) throw invalid('Invalid webhook-timestamp')
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000)
  const tolerance = options.toleranceSeconds ?? 300
  if (Math.abs(now - Number(timestamp)) > tolerance) throw invalid('The webhook timestamp is outside the tolerance (replayed or clock skew)')
  let key: Uint8Array
  try {
    key = base64ToBytes(secret.startsWith('whsec_') ? secret.slice(6) : secret)
  } catch {
    throw new TypeError('verifyWebhook: `secret` is not a whsec_… secret')
  }
  const cryptoKey = await crypto.subtle.importKey('raw', key as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, new TextEncoder().encode(`${id}.${timestamp}.${rawBody}`)))
  const expected = bytesToBase64(mac)
  // Several signatures may be sent, space-separated (`v1,<sig> v1,<sig>`), e.g. during a secret rotation.
  const ok = signatures.split(' ').some((s) => {
    const [version, sig] = s.split(',')
    return version === 'v1' && sig !== undefined && timingSafeEqual(sig, expected)
  })
  if (!ok) throw invalid('The webhook signature does not match')
  try {
    return JSON.parse(rawBody) as WebhookEvent
  } catch {
    throw invalid('The webhook body is not JSON')
  }
}
