/**
 * Linear's `Linear-Signature` (https://linear.app/developers/webhooks#securing-webhooks): the hex
 * HMAC-SHA256 of the raw body with the webhook's secret, and `webhookTimestamp` (Unix ms) in the
 * body within a minute. The page gives the recipe but no secret with a signature, so the signatures
 * here are computed with that recipe and a made-up secret; the body has the payload's documented
 * fields (`action`, `type`, `data`, `url`, `organizationId`, `webhookTimestamp`) with made-up values.
 */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { verifyWebhookSignature, webhookEventType } from '../webhooks'
import { webhookRequest, WEBHOOK_URL } from '../webhook-testing'
import linear from './index'

const SECRET = 'lin_wh_made-up-secret-71b2c9'
const NOW = new Date('2026-12-01T12:00:00Z')
const payload = (webhookTimestamp: number) =>
  JSON.stringify({ action: 'create', type: 'Issue', createdAt: '2026-12-01T11:59:59.000Z', organizationId: 'e8f2c6d4-0000-4000-8000-000000000001', url: 'https://linear.app/acme/issue/ENG-1', data: { id: 'a3c9b1e2-0000-4000-8000-000000000002', identifier: 'ENG-1', title: 'Fix login' }, webhookTimestamp, webhookId: 'b7d1-0003' })
const webhooks = linear.webhooks!
const sign = (body: string, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex')
const request = (body: string, signature?: string) => webhookRequest(body, signature === undefined ? {} : { 'linear-signature': signature }, { url: `${WEBHOOK_URL}/conn_1` })

describe('linear webhooks', () => {
  it('verifies a fresh delivery signed with the documented recipe', () => {
    const body = payload(NOW.getTime() - 2_000)
    expect(verifyWebhookSignature(webhooks.signature, request(body, sign(body)), SECRET, { now: NOW })).toEqual({ ok: true })
  })

  it('refuses a tampered body, another secret and a missing signature', () => {
    const body = payload(NOW.getTime())
    expect(verifyWebhookSignature(webhooks.signature, request(body.replace('Fix login', 'Fix logout'), sign(body)), SECRET, { now: NOW })).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(body, sign(body, 'another')), SECRET, { now: NOW })).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(body), SECRET, { now: NOW })).toEqual({ ok: false, reason: 'signature_missing' })
  })

  it('refuses a correctly signed delivery whose webhookTimestamp is more than a minute away', () => {
    const edge = payload(NOW.getTime() - 60_000)
    expect(verifyWebhookSignature(webhooks.signature, request(edge, sign(edge)), SECRET, { now: NOW }).ok).toBe(true)
    const stale = payload(NOW.getTime() - 61_000)
    expect(verifyWebhookSignature(webhooks.signature, request(stale, sign(stale)), SECRET, { now: NOW })).toEqual({ ok: false, reason: 'timestamp_stale' })
    const future = payload(NOW.getTime() + 61_000)
    expect(verifyWebhookSignature(webhooks.signature, request(future, sign(future)), SECRET, { now: NOW })).toEqual({ ok: false, reason: 'timestamp_stale' })
    const none = JSON.stringify({ action: 'create', type: 'Issue' })
    expect(verifyWebhookSignature(webhooks.signature, request(none, sign(none)), SECRET, { now: NOW })).toEqual({ ok: false, reason: 'timestamp_missing' })
  })

  it('reads the entity type as the event type, takes the secret from the integration, and needs one URL per connection', () => {
    expect(webhookEventType(webhooks, request(payload(NOW.getTime())))).toBe('Issue')
    expect(webhooks.secret).toMatchObject({ from: 'integration' })
    expect(webhooks.route).toBeUndefined()
    expect(connectorSchema.parse(linear)).toEqual(linear)
  })
})
