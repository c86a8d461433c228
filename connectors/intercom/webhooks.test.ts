/**
 * Intercom's signed notifications (https://developers.intercom.com/docs/webhooks/webhook-notifications):
 * `X-Hub-Signature: sha1=<hex>`, HMAC-SHA1 of the body keyed with the app's client_secret. The
 * documented example request
 * (https://developers.intercom.com/intercom-api-reference/v1.0/reference/signed-notifications)
 * shows a body and a signature but not the secret behind it, so signatures here are computed with
 * the recipe over that example body; routing reads its `app_id`.
 */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { verifyWebhookSignature, webhookEventType, webhookRouteValue } from '../webhooks'
import { webhookRequest } from '../webhook-testing'
import me from './fixtures/me.json' with { type: 'json' }
import intercom, { workspaceFrom } from './index'

const CLIENT_SECRET = 'intercom-client-secret-7b2e9d41'
const webhooks = intercom.webhooks!
/** The documented example notification, as sent (pretty-printed JSON). */
const DOC_BODY = `{
  "type" : "notification_event",
  "id" : "notif_78c122d0-23ba-11e4-9464-79b01267cc2e",
  "topic" : "user.created",
  "app_id" : "a86dr8yl",
  "data" : {
    "type" : "notification_event_data",
    "item" : {
      "type" : "user",
      "id" : "530370b477ad7120001d",
      "user_id" : "25",
      "name" : "Hoban Washburne",
      "unsubscribed_from_emails" : false,
      "custom_attributes" : {}
    }
  }
}`
const DOC_SIGNATURE = 'sha1=21ff2e149e0fdcac6f947740f6177f6434bda921'
const sign = (body: string, secret = CLIENT_SECRET) => `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`
const request = (body: string, headers: Record<string, string>) => webhookRequest(body, headers)

describe('intercom webhooks', () => {
  it("verifies the example body signed with the app's client secret (sha1= + 40 hex digits)", () => {
    const signature = sign(DOC_BODY)
    expect(signature).toMatch(/^sha1=[0-9a-f]{40}$/)
    expect(verifyWebhookSignature(webhooks.signature, request(DOC_BODY, { 'x-hub-signature': signature }), CLIENT_SECRET)).toEqual({ ok: true })
    expect(webhooks.secret).toEqual({ from: 'clientSecret' })
  })

  it("refuses a tampered body, another secret, a SHA-256 digest, and the example's signature under our secret", () => {
    expect(verifyWebhookSignature(webhooks.signature, request(DOC_BODY.replace('Hoban', 'Malcolm'), { 'x-hub-signature': sign(DOC_BODY) }), CLIENT_SECRET)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(DOC_BODY, { 'x-hub-signature': sign(DOC_BODY, 'another') }), CLIENT_SECRET)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(DOC_BODY, { 'x-hub-signature': `sha1=${createHmac('sha256', CLIENT_SECRET).update(DOC_BODY).digest('hex')}` }), CLIENT_SECRET).ok).toBe(false)
    expect(verifyWebhookSignature(webhooks.signature, request(DOC_BODY, { 'x-hub-signature': DOC_SIGNATURE }), CLIENT_SECRET)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(DOC_BODY, {}), CLIENT_SECRET)).toEqual({ ok: false, reason: 'signature_missing' })
  })

  it('routes by app_id to the workspace read from /me after authorization, and reads the topic', () => {
    const req = request(DOC_BODY, {})
    expect(webhookRouteValue(webhooks.route!, req)).toBe('a86dr8yl')
    expect(webhooks.route!.connectionConfig).toBe('appId')
    expect(webhookEventType(webhooks, req)).toBe('user.created')
    // GET /me (documented example) → app.id_code, the same id as a notification's app_id.
    expect(workspaceFrom(me.body)).toEqual({ appId: 'this_is_an_id1_that_should_be_at_least_40' })
    expect(new RegExp(`^(?:${intercom.connectionConfig.appId!.pattern})$`).test('a86dr8yl')).toBe(true)
    expect(intercom.connectionConfig.appId).toMatchObject({ source: 'token', required: false })
    expect(connectorSchema.parse(intercom).webhooks).toEqual(webhooks)
  })

  it('refuses the connection when /me names no workspace of the expected form', () => {
    expect(() => workspaceFrom({ type: 'admin', email: 'a@example.com' })).toThrow('did not name the connected workspace')
    expect(() => workspaceFrom({ app: { id_code: 'bad id/../x' } })).toThrow()
    expect(() => workspaceFrom(null)).toThrow()
  })

  it('calls /me on the routed API host with the new token (afterAuthorization)', async () => {
    const urls: string[] = []
    const config = await intercom.hooks.afterAuthorization!({ tokenResponse: {}, connectionConfig: {}, callbackParams: {}, get: async (url) => (urls.push(url), me.body) })
    expect(urls).toEqual(['https://api.intercom.io/me'])
    expect(config).toEqual({ appId: 'this_is_an_id1_that_should_be_at_least_40' })
  })
})
