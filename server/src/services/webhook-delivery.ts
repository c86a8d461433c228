/**
 * Delivers one webhook attempt, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`).
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 *
 * Outcome of an attempt:
 * - 2xx: `succeeded`.
 * - network error, timeout (10 s), 408, 429 (its `Retry-After` honoured) or 5xx: retried after the
 *   next wait of `config.webhookRetryDelaysMs` (±20 % jitter), then `failed` when the schedule is spent.
 * - any other status (3xx: redirects are not followed; 4xx: the receiver refused this message, a
 *   retry would get the same answer; 410 Gone is the usual way to say "stop"), or a target that
 *   is not allowed (private address): `failed` at once. Redelivery stays possible.
 *
 * Retries are scheduled here (a new job with `startAfter`), not by pg-boss: the schedule, the
 * `Retry-After` and the delivery log live in one place, and pg-boss's own retry is off.
 */
import type { IncomingMessage } from 'node:http'
import { Webhook } from 'standardwebhooks'
import type { AppContext } from '../context'
import { claimDelivery, finishAttempt, type WebhookEventRow } from '../db/queries/webhooks'
import { PatchbayError } from '../lib/errors'
import { newId } from '../lib/ids'
import { isLiteralPrivateHost, parseRetryAfter } from '../lib/upstream'
import { endpointSecretContext } from './webhook-endpoints'
import { enqueueDelivery } from './webhook-outbox'

/** How long a claimed attempt keeps other jobs off the delivery (longer than the 10 s timeout). */
const CLAIM_SECONDS = 60
const TIMEOUT_MS = 10_000
const EXCERPT_BYTES = 1024

/** The JSON body of an event: the same bytes on every attempt. */
export function eventBody(event: Pick<WebhookEventRow, 'type' | 'createdAt' | 'payload'>): string {
  return JSON.stringify({ type: event.type, timestamp: event.createdAt.toISOString(), data: event.payload })
}

/**
 * Makes one attempt of a delivery if it is pending and due (otherwise another job has it, or it
 * is finished: nothing to do), logs it and schedules the next attempt when it is retryable.
 */
export async function deliverWebhook(ctx: AppContext, deliveryId: string): Promise<void> {
  const claimed = await claimDelivery(ctx.db, deliveryId, CLAIM_SECONDS)
  if (!claimed) return
  const { delivery, event, endpoint } = claimed
  const body = eventBody(event)
  const startedAt = new Date()
  const started = performance.now()
  let statusCode: number | null = null
  let error: string | null = null
  let responseBody: string | null = null
  let retryAfterMs: number | undefined
  let retryable = true
  try {
    // Inside the try: any failure (even decrypting the secret) is logged as this attempt and retried.
    const secret = await ctx.secrets.decrypt(endpoint.environmentId, endpoint.secretEnc, endpointSecretContext(endpoint.id))
    const url = new URL(endpoint.url)
    const res = await ctx.upstream.send({
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Patchbay-Webhooks',
        'webhook-id': event.id,
        'webhook-timestamp': String(Math.floor(startedAt.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign(event.id, startedAt, body),
      },
      body: Buffer.from(body),
      timeoutMs: TIMEOUT_MS,
      allowPrivate: isLiteralPrivateHost(url),
    })
    statusCode = res.statusCode ?? 0
    retryAfterMs = parseRetryAfter(res.headers['retry-after'])
    responseBody = await readExcerpt(res, TIMEOUT_MS - (performance.now() - started))
  } catch (err) {
    error = (err as Error).message
    if (err instanceof PatchbayError && err.code === 'upstream_host_not_allowed') retryable = false
  }
  const durationMs = Math.round(performance.now() - started)
  const attempt = { id: newId('wha'), deliveryId, attempt: delivery.attempts, startedAt, durationMs, statusCode, error, responseBody }
  const ok = statusCode !== null && statusCode >= 200 && statusCode < 300
  if (statusCode !== null && !ok) retryable = statusCode === 408 || statusCode === 429 || statusCode >= 500
  const delays = ctx.config.webhookRetryDelaysMs
  if (ok) {
    await finishAttempt(ctx.db, attempt, { status: 'succeeded', statusCode, error: null })
  } else if (retryable && delivery.retryStep < delays.length) {
    const planned = delays[delivery.retryStep]! * (0.8 + Math.random() * 0.4)
    const max = Math.max(...delays)
    const waitMs = Math.min(Math.max(planned, retryAfterMs ?? 0), max)
    const inSeconds = Math.max(0.001, waitMs / 1000)
    await finishAttempt(ctx.db, attempt, { status: 'pending', retryInSeconds: inSeconds, statusCode, error: error ?? `HTTP ${statusCode}` })
    await enqueueDelivery(ctx, deliveryId, delivery.attempts, { inSeconds })
  } else {
    await finishAttempt(ctx.db, attempt, { status: 'failed', statusCode, error: error ?? `HTTP ${statusCode}` })
  }
  ctx.log.info({ deliveryId, eventId: event.id, endpointId: endpoint.id, attempt: delivery.attempts, statusCode, error, durationMs }, 'webhook attempt')
}

/** Reads up to `EXCERPT_BYTES` of the response (as text), then drops the rest. */
function readExcerpt(res: IncomingMessage, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    const done = () => {
      clearTimeout(timer)
      res.removeAllListeners('data')
      if (!res.complete) res.destroy()
      resolve(Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8'))
    }
    const timer = setTimeout(done, Math.max(1, timeoutMs))
    res.on('data', (c: Buffer) => {
      chunks.push(c)
      size += c.length
      if (size >= EXCERPT_BYTES) done()
    })
    res.once('end', done)
    res.once('error', done)
    res.once('close', done)
  })
}
