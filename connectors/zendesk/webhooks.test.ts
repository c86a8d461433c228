/**
 * Zendesk's webhook signature (https://developer.zendesk.com/documentation/webhooks/verifying/):
 * `X-Zendesk-Webhook-Signature` = base64(HMAC-SHA256(TIMESTAMP + BODY)), the ISO 8601 timestamp in
 * `X-Zendesk-Webhook-Signature-Timestamp`. That page gives no secret + body + signature example, so
 * the signatures here are computed with its recipe. The event payload follows the "Event schema"
 * example of https://developer.zendesk.com/api-reference/webhooks/event-types/webhook-event-types/.
 */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { verifyWebhookSignature, webhookEventType } from '../webhooks'
import { webhookRequest, WEBHOOK_URL } from '../webhook-testing'
import zendesk from './index'

/** A secret of the shape Zendesk's examples show (base64 text, used as the HMAC key as is). */
const SECRET = 'dGVzdC1zaWduaW5nLXNlY3JldC1mb3ItcGF0Y2hiYXk='
const webhooks = zendesk.webhooks!
const BODY = JSON.stringify({
  type: 'zen:event-type:user.active_changed',
  account_id: 12514403,
  id: '2b24ef10-19d4-4740-93cf-8f98ec4776c0',
  time: '2099-07-04T05:33:18Z',
  zendesk_event_version: '2022-06-20',
  subject: 'zen:user:6596848315901',
  detail: { id: '6596848315901', role: 'end-user' },
  event: { current: false, previous: true },
})
const TS = '2026-03-01T12:00:00Z'
const NOW = new Date('2026-03-01T12:00:20Z')
const sign = (timestamp: string, body: string, secret = SECRET) => createHmac('sha256', secret).update(timestamp + body).digest('base64')
const request = (body: string, headers: Record<string, string>) => webhookRequest(body, headers, { url: `${WEBHOOK_URL}/conn_1` })
const signed = (body: string, timestamp = TS, secret = SECRET) => request(body, { 'x-zendesk-webhook-signature': sign(timestamp, body, secret), 'x-zendesk-webhook-signature-timestamp': timestamp })

describe('zendesk webhooks', () => {
  it('verifies base64 HMAC-SHA256 of timestamp + body and reads the event type from the body', () => {
    expect(verifyWebhookSignature(webhooks.signature, signed(BODY), SECRET, { now: NOW })).toEqual({ ok: true })
    expect(webhookEventType(webhooks, signed(BODY))).toBe('zen:event-type:user.active_changed')
    // A trigger webhook's own body has no `type`: forwarded with no event type.
    expect(webhookEventType(webhooks, signed('{"ticket_id":"35436"}'))).toBeUndefined()
  })

  it('signs the timestamp first: the body-then-timestamp order of the event connectors page is refused', () => {
    const other = request(BODY, { 'x-zendesk-webhook-signature': createHmac('sha256', SECRET).update(BODY + TS).digest('base64'), 'x-zendesk-webhook-signature-timestamp': TS })
    expect(verifyWebhookSignature(webhooks.signature, other, SECRET, { now: NOW })).toEqual({ ok: false, reason: 'signature_mismatch' })
  })

  it('refuses a tampered body, a changed timestamp and another secret', () => {
    const good = signed(BODY)
    expect(verifyWebhookSignature(webhooks.signature, request(BODY.replace('end-user', 'admin'), good.headers as Record<string, string>), SECRET, { now: NOW })).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(BODY, { ...(good.headers as Record<string, string>), 'x-zendesk-webhook-signature-timestamp': '2026-03-01T12:00:10Z' }), SECRET, { now: NOW })).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, signed(BODY, TS, 'another-webhooks-secret'), SECRET, { now: NOW })).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(BODY, { 'x-zendesk-webhook-signature-timestamp': TS }), SECRET, { now: NOW })).toEqual({ ok: false, reason: 'signature_missing' })
    expect(verifyWebhookSignature(webhooks.signature, request(BODY, { 'x-zendesk-webhook-signature': sign(TS, BODY) }), SECRET, { now: NOW })).toEqual({ ok: false, reason: 'timestamp_missing' })
  })

  it('refuses a timestamp more than five minutes away, either way, and one that is not a date', () => {
    expect(verifyWebhookSignature(webhooks.signature, signed(BODY, '2026-03-01T11:55:20Z'), SECRET, { now: NOW }).ok).toBe(true)
    expect(verifyWebhookSignature(webhooks.signature, signed(BODY, '2026-03-01T11:55:19Z'), SECRET, { now: NOW })).toEqual({ ok: false, reason: 'timestamp_stale' })
    expect(verifyWebhookSignature(webhooks.signature, signed(BODY, '2026-03-01T12:05:21Z'), SECRET, { now: NOW })).toEqual({ ok: false, reason: 'timestamp_stale' })
    expect(verifyWebhookSignature(webhooks.signature, signed(BODY, 'not a date'), SECRET, { now: NOW })).toEqual({ ok: false, reason: 'timestamp_invalid' })
  })

  it('takes its secret from the connection, on per-connection URLs; a route would be refused', () => {
    expect(webhooks.secret.from).toBe('connection')
    expect(webhooks.route).toBeUndefined()
    const { id: _id, hooks: _hooks, ...definition } = zendesk
    const routed = connectorSchema.safeParse({ ...definition, id: 'zendesk', webhooks: { ...webhooks, route: { body: 'account_id', connectionConfig: 'subdomain' } } })
    expect(routed.success).toBe(false)
    expect(JSON.stringify(routed.error?.issues)).toContain('per-connection URLs')
  })
})
