/**
 * Xero's webhook signature (https://developer.xero.com/documentation/guides/webhooks/overview/):
 * `x-xero-signature`, the raw body hashed with HMACSHA256 keyed with the app's webhook key,
 * base64-encoded; "Intent to receive" wants 200 for correctly signed requests and 401 for the
 * others, with no body. The page shows the validation payload and the event fields but no key and
 * signature, so signatures here are computed with the recipe over those payloads.
 */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { verifyWebhookSignature, webhookEventType, webhookRouteParts } from '../webhooks'
import { webhookRequest } from '../webhook-testing'
import xero from './index'

const WEBHOOK_KEY = 'xero-webhook-key-Zq3v9T1mB7pL0aX2'
const webhooks = xero.webhooks!
/** The "Intent to receive" validation payload as the page shows it. */
const ITR_BODY = JSON.stringify({ events: [], lastEventSequence: 0, firstEventSequence: 0, entropy: 'S0m3r4Nd0mt3xt' })
const TENANT = 'c2cc9b6e-9458-4c7d-93cc-f02b81b0594f'
const OTHER = 'fe79f7dd-b6d4-4a92-ba7b-538af6289c58'
/** An event with the fields the page lists (`eventType` UPDATE, `eventCategory` CONTACT…). */
const event = (tenantId: string, eventCategory: string, resourceId: string) => ({
  resourceUrl: `https://api.xero.com/api.xro/2.0/${eventCategory === 'CONTACT' ? 'Contacts' : 'Invoices'}/${resourceId}`,
  resourceId,
  eventDateUtc: '2026-10-05T08:59:39.902',
  eventType: 'UPDATE',
  eventCategory,
  tenantId,
  tenantType: 'ORGANISATION',
})
const sign = (body: string, key = WEBHOOK_KEY) => createHmac('sha256', key).update(body).digest('base64')
const request = (body: string, headers: Record<string, string> = {}) => webhookRequest(body, headers)

describe('xero webhooks', () => {
  it('verifies the Intent to receive payload signed with the webhook key, and refuses it signed otherwise', () => {
    expect(verifyWebhookSignature(webhooks.signature, request(ITR_BODY, { 'x-xero-signature': sign(ITR_BODY) }), WEBHOOK_KEY)).toEqual({ ok: true })
    // Intent to receive sends incorrectly signed payloads too: they must be refused.
    expect(verifyWebhookSignature(webhooks.signature, request(ITR_BODY, { 'x-xero-signature': sign(ITR_BODY, 'not-the-key') }), WEBHOOK_KEY)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(ITR_BODY.replace('S0m3', 'S0m4'), { 'x-xero-signature': sign(ITR_BODY) }), WEBHOOK_KEY)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(ITR_BODY), WEBHOOK_KEY)).toEqual({ ok: false, reason: 'signature_missing' })
  })

  it("answers refusals with a bare 401 and takes the webhook key from the integration; no timestamp is signed", () => {
    expect(webhooks.refusal).toBe('empty')
    expect(webhooks.secret).toMatchObject({ from: 'integration', label: 'Webhook key' })
    expect(webhooks.signature).toEqual({ type: 'hmac', algorithm: 'sha256', encoding: 'base64', header: 'x-xero-signature', prefix: '', signed: ['body'] })
  })

  it('routes events by tenantId, one share per organisation, and sends the validation payload nowhere', () => {
    expect(webhooks.route).toMatchObject({ body: 'events.*.tenantId', connectionConfig: 'tenantId', split: true })
    // The tenant id afterAuthorization stores (from GET /connections) is what events carry.
    expect(xero.connectionConfig.tenantId?.source).toBe('token')
    expect(webhookRouteParts(webhooks.route!, request(ITR_BODY))).toEqual([])

    const a1 = event(TENANT, 'CONTACT', '717f2bfc-c6d4-41fd-b238-3f2f0c0cf777'), b1 = event(OTHER, 'INVOICE', '00000000-0000-4000-8000-000000000001'), a2 = event(TENANT, 'CONTACT', '00000000-0000-4000-8000-000000000002')
    const payload = { events: [a1, b1, a2], lastEventSequence: 3, firstEventSequence: 1, entropy: 'KQXWTBHZLM' }
    const req = request(JSON.stringify(payload))
    const parts = webhookRouteParts(webhooks.route!, req)
    expect(parts).toEqual([
      { value: TENANT, body: { ...payload, events: [a1, a2] } },
      { value: OTHER, body: { ...payload, events: [b1] } },
    ])
    // The envelope is copied, never changed in place.
    expect((req.body as { events: unknown[] }).events).toHaveLength(3)
    expect(webhookEventType(webhooks, { ...req, body: parts[0]!.body })).toBe('CONTACT')
    expect(webhookEventType(webhooks, { ...req, body: parts[1]!.body })).toBe('INVOICE')
    expect(webhookEventType(webhooks, req)).toBeUndefined()
    expect(connectorSchema.parse(xero).webhooks).toEqual(webhooks)
  })
})
