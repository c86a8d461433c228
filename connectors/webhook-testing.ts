/**
 * For connectors' webhook tests: an incoming request as the server hands it to the pure functions
 * of ./webhooks once the signature is verified (the body parsed as the service parses it).
 */
import { parseWebhookBody, type IncomingWebhook } from './webhooks'

/** An integration's routed webhook URL in tests; per-connection URLs add `/conn_1`. */
export const WEBHOOK_URL = 'https://patchbay.example/v1/webhooks/providers/int_1'

/**
 * A `POST` of `body` to `opts.url` (default {@link WEBHOOK_URL}) with `headers` (lower-case names)
 * plus `content-type: opts.contentType` (default `application/json`) and the body parsed for that
 * type; with `contentType: null`, no content type and no parsed body.
 */
export function webhookRequest(body: string, headers: Record<string, string> = {}, opts: { url?: string; contentType?: string | null } = {}): IncomingWebhook {
  const rawBody = new TextEncoder().encode(body)
  const url = opts.url ?? WEBHOOK_URL
  const contentType = opts.contentType === undefined ? 'application/json' : opts.contentType
  if (contentType === null) return { method: 'POST', url, headers, rawBody }
  return { method: 'POST', url, headers: { 'content-type': contentType, ...headers }, rawBody, body: parseWebhookBody(rawBody, contentType) }
}
