/**
 * Shopify's webhook HMAC (https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook):
 * `X-Shopify-Hmac-SHA256`, base64 HMAC-SHA256 of the raw body keyed with the app's client secret.
 * The page gives the recipe but no secret/body/signature triple, so signatures here are computed
 * with that recipe; the headers are the ones the page lists for a delivery.
 */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { verifyWebhookSignature, webhookEventType, webhookRouteValue } from '../webhooks'
import { webhookRequest } from '../webhook-testing'
import shopify from './index'

const CLIENT_SECRET = 'shpss_test0c5d7e2a9b41f6'
const webhooks = shopify.webhooks!
const BODY = JSON.stringify({ id: 820982911946154500, email: 'jon@example.com', created_at: '2026-10-01T10:00:00-04:00', total_price: '199.00' })
const sign = (body: string, secret = CLIENT_SECRET) => createHmac('sha256', secret).update(body).digest('base64')
const request = (body: string, headers: Record<string, string>) => webhookRequest(body, headers)
const delivery = (body = BODY, hmac = sign(BODY)) => request(body, { 'x-shopify-hmac-sha256': hmac, 'x-shopify-shop-domain': 'example-store.myshopify.com', 'x-shopify-topic': 'orders/create' })

describe('shopify webhooks', () => {
  it("verifies a body signed with the app's client secret (base64)", () => {
    expect(verifyWebhookSignature(webhooks.signature, delivery(), CLIENT_SECRET)).toEqual({ ok: true })
    expect(webhooks.secret).toEqual({ from: 'clientSecret' })
  })

  it('refuses a tampered body, another secret, a hex digest and a missing header', () => {
    expect(verifyWebhookSignature(webhooks.signature, delivery(BODY.replace('199.00', '1.00')), CLIENT_SECRET)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, delivery(BODY, sign(BODY, 'shpss_another')), CLIENT_SECRET)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, delivery(BODY, createHmac('sha256', CLIENT_SECRET).update(BODY).digest('hex')), CLIENT_SECRET)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(BODY, {}), CLIENT_SECRET)).toEqual({ ok: false, reason: 'signature_missing' })
  })

  it('signs no timestamp: Shopify sends none in the digest', () => {
    expect(webhooks.signature).toEqual({ type: 'hmac', algorithm: 'sha256', encoding: 'base64', header: 'X-Shopify-Hmac-Sha256', prefix: '', signed: ['body'] })
  })

  it('routes by X-Shopify-Shop-Domain to the shop the user entered, and reads the topic', () => {
    expect(webhooks.route?.connectionConfig).toBe('shop')
    expect(shopify.connectionConfig.shop?.source).toBe('user')
    expect(webhookRouteValue(webhooks.route!, delivery())).toBe('example-store')
    // Another host, or a look-alike domain, names no shop.
    for (const domain of ['example-store.myshopify.com.evil.example', 'example-store.example.com', 'myshopify.com']) {
      expect(webhookRouteValue(webhooks.route!, request(BODY, { 'x-shopify-shop-domain': domain })), domain).toBeUndefined()
    }
    expect(webhookEventType(webhooks, delivery())).toBe('orders/create')
    expect(connectorSchema.parse(shopify).webhooks).toEqual(webhooks)
  })
})
