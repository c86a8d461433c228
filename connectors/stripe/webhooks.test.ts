/**
 * Stripe's `Stripe-Signature` (https://docs.stripe.com/webhooks#verify-manually). The page gives
 * the header's shape (`t=1492774577,v1=5257a869…,v0=6ffbb59b…`) but no secret for it, so the
 * signatures here are computed with the documented recipe: HMAC-SHA256 hex of `<t>.<raw body>`.
 */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { verifyWebhookSignature, webhookEventType } from '../webhooks'
import { webhookRequest, WEBHOOK_URL } from '../webhook-testing'
import stripe from './index'

const SECRET = 'whsec_test5f2a9c1e7b3d'
const webhooks = stripe.webhooks!
const BODY = JSON.stringify({ id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy', object: 'event', type: 'customer.created', data: { object: { id: 'cus_1', object: 'customer' } } })
const T = 1492774577
const sign = (t: number, body: string, secret = SECRET) => createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')
const request = (body: string, header: string) => webhookRequest(body, { 'stripe-signature': header }, { url: `${WEBHOOK_URL}/conn_1` })
const at = (s: number) => new Date(s * 1000)

describe('stripe webhooks', () => {
  it('verifies a header of the documented shape, with a v0 signature and two v1 signatures (a rolled secret)', () => {
    const header = `t=${T},v1=${sign(T, BODY, 'whsec_oldsecret')},v1=${sign(T, BODY)},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39`
    expect(verifyWebhookSignature(webhooks.signature, request(BODY, header), SECRET, { now: at(T + 10) })).toEqual({ ok: true })
    expect(webhookEventType(webhooks, request(BODY, header))).toBe('customer.created')
  })

  it('refuses a tampered body and a stale timestamp (default tolerance five minutes)', () => {
    const header = `t=${T},v1=${sign(T, BODY)}`
    expect(verifyWebhookSignature(webhooks.signature, request(BODY.replace('cus_1', 'cus_2'), header), SECRET, { now: at(T) })).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(BODY, header), SECRET, { now: at(T + 300) }).ok).toBe(true)
    expect(verifyWebhookSignature(webhooks.signature, request(BODY, header), SECRET, { now: at(T + 301) })).toEqual({ ok: false, reason: 'timestamp_stale' })
  })

  it("takes the secret from the connection's optional webhookSecret field, with per-connection URLs", () => {
    expect(webhooks.secret).toEqual({ from: 'credentials', field: 'webhookSecret' })
    expect(webhooks.route).toBeUndefined()
    const fields = stripe.auth.type === 'api_key' ? stripe.auth.fields : {}
    expect(fields.webhookSecret).toMatchObject({ type: 'password', required: false })
    expect(new RegExp(fields.webhookSecret!.pattern!).test('whsec_abc123')).toBe(true)
    expect(new RegExp(fields.webhookSecret!.pattern!).test('sk_live_abc')).toBe(false)
    // The API key alone is still what authenticates requests.
    expect(stripe.auth.type === 'api_key' && stripe.auth.inject.headers).toEqual({ Authorization: 'Bearer {apiKey}' })
    expect(connectorSchema.parse(stripe)).toEqual(stripe)
  })
})
