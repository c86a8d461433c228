/**
 * Calendly's `Calendly-Webhook-Signature: t=…,v1=…`
 * (https://developer.calendly.com/api-docs/overview/webhooks/webhook-signatures): HMAC-SHA256 hex of
 * `<t>.<raw body>` with the OAuth app's webhook signing key. The page gives the recipe but no key
 * with a signature, so the signatures here are computed with that recipe and a made-up key. The
 * body has the shape of a delivery (`event`, `created_at`, `payload`), with made-up values.
 */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { verifyWebhookSignature, webhookEventType } from '../webhooks'
import { webhookRequest, WEBHOOK_URL } from '../webhook-testing'
import calendly from './index'

const SIGNING_KEY = 'made-up-calendly-signing-key-3f9a'
const T = 1_767_225_600
const BODY = JSON.stringify({
  event: 'invitee.created',
  created_at: '2026-01-01T00:00:00.000000Z',
  payload: { email: 'ada@example.com', name: 'Ada Lovelace', status: 'active', scheduled_event: { uri: 'https://api.calendly.com/scheduled_events/BBBBBBBBBBBBBBBB', name: '30 Minute Meeting' } },
})
const webhooks = calendly.webhooks!
const sign = (t: number, body: string, key = SIGNING_KEY) => createHmac('sha256', key).update(`${t}.${body}`).digest('hex')
const request = (body: string, header?: string) => webhookRequest(body, header === undefined ? {} : { 'calendly-webhook-signature': header }, { url: `${WEBHOOK_URL}/conn_1` })
const at = (s: number) => new Date(s * 1000)

describe('calendly webhooks', () => {
  it('verifies a delivery signed with the documented recipe', () => {
    expect(verifyWebhookSignature(webhooks.signature, request(BODY, `t=${T},v1=${sign(T, BODY)}`), SIGNING_KEY, { now: at(T + 5) })).toEqual({ ok: true })
  })

  it('refuses a tampered body, another key, a changed t, and a missing header', () => {
    const header = `t=${T},v1=${sign(T, BODY)}`
    expect(verifyWebhookSignature(webhooks.signature, request(BODY.replace('Ada Lovelace', 'Eve'), header), SIGNING_KEY, { now: at(T) })).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(BODY, header), 'another-key', { now: at(T) })).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(BODY, `t=${T + 1},v1=${sign(T, BODY)}`), SIGNING_KEY, { now: at(T) })).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(BODY), SIGNING_KEY, { now: at(T) })).toEqual({ ok: false, reason: 'signature_missing' })
    // A Stripe-Signature header is not read.
    expect(verifyWebhookSignature(webhooks.signature, { ...request(BODY), headers: { 'stripe-signature': header } }, SIGNING_KEY, { now: at(T) })).toEqual({ ok: false, reason: 'signature_missing' })
  })

  it('refuses a delivery more than three minutes old (a replay)', () => {
    const req = request(BODY, `t=${T},v1=${sign(T, BODY)}`)
    expect(verifyWebhookSignature(webhooks.signature, req, SIGNING_KEY, { now: at(T + 180) }).ok).toBe(true)
    expect(verifyWebhookSignature(webhooks.signature, req, SIGNING_KEY, { now: at(T + 181) })).toEqual({ ok: false, reason: 'timestamp_stale' })
  })

  it('reads the event name from `event`, the key from the integration, and needs one URL per connection', () => {
    expect(webhookEventType(webhooks, request(BODY))).toBe('invitee.created')
    expect(webhooks.secret).toMatchObject({ from: 'integration', label: 'Webhook signing key' })
    expect(webhooks.route).toBeUndefined()
    expect(connectorSchema.parse(calendly)).toEqual(calendly)
  })
})
