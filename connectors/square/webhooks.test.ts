/**
 * Square's `x-square-hmacsha256-signature` (https://developer.squareup.com/docs/webhooks/step3validate):
 * base64 HMAC-SHA256 of the notification URL followed by the raw body, keyed with the
 * subscription's signature key. The documented example is the test vector of Square's own SDK,
 * https://github.com/square/square-nodejs-sdk/blob/master/test/utilities/webhooksHelper.test.ts
 * (signature key, notification URL, body and expected signature below).
 */
import { describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { verifyWebhookSignature, webhookEventType, webhookRouteValue } from '../webhooks'
import { webhookRequest } from '../webhook-testing'
import token from './fixtures/token-response.json' with { type: 'json' }
import square, { merchantFromToken } from './index'

const DOC_BODY = '{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification","event_id":"ac3ac95b-f97d-458c-a6e6-18981597e05f","created_at":"2022-07-13T20:30:59.037339943Z","data":{"type":"webhooks","id":"bc368e64-01aa-407e-b46e-3231809b1129"}}'
const DOC_SIGNATURE = 'GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4='
const DOC_KEY = 'Ibxx_5AKakO-3qeNVR61Dw'
const DOC_URL = 'https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9'
const webhooks = square.webhooks!

const request = (body: string, headers: Record<string, string>, url = DOC_URL) => webhookRequest(body, headers, { url })

describe('square webhooks', () => {
  it("verifies Square's test vector", () => {
    expect(verifyWebhookSignature(webhooks.signature, request(DOC_BODY, { 'x-square-hmacsha256-signature': DOC_SIGNATURE }), DOC_KEY)).toEqual({ ok: true })
  })

  it('refuses the vector with a tampered body, a reformatted body, another URL, another key, or no header', () => {
    const header = { 'x-square-hmacsha256-signature': DOC_SIGNATURE }
    expect(verifyWebhookSignature(webhooks.signature, request(DOC_BODY.replace('2022-07-13', '2022-06-13'), header), DOC_KEY)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(JSON.stringify(JSON.parse(DOC_BODY), null, 2), header), DOC_KEY)).toEqual({ ok: false, reason: 'signature_mismatch' })
    // The vector's own "URL mismatch" case: one character dropped.
    expect(verifyWebhookSignature(webhooks.signature, request(DOC_BODY, header, 'https://webhook.site/79a4f3a-dcfa-49ee-bac5-9d0edad886b9'), DOC_KEY)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(DOC_BODY, header), 'MCmhFRxGX82xMwg5FsaoQA')).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(DOC_BODY, {}), DOC_KEY)).toEqual({ ok: false, reason: 'signature_missing' })
    // Square signs no timestamp.
    expect(webhooks.signature).toEqual({ type: 'hmac', algorithm: 'sha256', encoding: 'base64', header: 'x-square-hmacsha256-signature', prefix: '', signed: ['url', 'body'] })
  })

  it('routes by merchant_id to the merchantId read from the token response, and reads type', () => {
    const req = request(DOC_BODY, {})
    expect(webhookRouteValue(webhooks.route!, req)).toBe('MLEFBHHSJGVHD')
    expect(webhooks.route!.connectionConfig).toBe('merchantId')
    expect(webhookEventType(webhooks, req)).toBe('webhooks.test_notification')
    // ObtainToken's documented response (fixture) → the config value events are matched against.
    expect(square.hooks.afterTokenResponse!(token.body)).toEqual({ merchantId: 'MLEFBHHSJGVHD' })
    expect(square.connectionConfig.merchantId).toMatchObject({ source: 'token', required: false })
  })

  it('stores no merchantId from a token response without a well-formed merchant_id', () => {
    expect(merchantFromToken({ access_token: 'x' })).toEqual({})
    expect(merchantFromToken({ merchant_id: 'ML/../x' })).toEqual({})
    expect(merchantFromToken({ merchant_id: 42 })).toEqual({})
  })

  it('takes the signature key from the integration; the connector still parses', () => {
    expect(webhooks.secret).toMatchObject({ from: 'integration', label: 'Signature key' })
    expect(connectorSchema.parse(square)).toEqual(square)
  })
})
