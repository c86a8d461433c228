/**
 * HubSpot's v3 request signature
 * (https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests#validate-the-v3-request-signature):
 * `X-HubSpot-Signature-v3`, base64 HMAC-SHA256 keyed with the app's client secret of method + URI
 * (some percent-encoded characters decoded) + body + `X-HubSpot-Request-Timestamp` (milliseconds),
 * refused when older than 5 minutes. The page gives the recipe but no worked v3 example, so
 * signatures here are computed with it. Event payloads: field names of the webhooks guide
 * (https://developers.hubspot.com/docs/api-reference/legacy/webhooks/guide), values made up.
 */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { verifyWebhookSignature, webhookEventType, webhookRouteParts } from '../webhooks'
import { webhookRequest } from '../webhook-testing'
import accountDetails from './fixtures/account-details.json' with { type: 'json' }
import hubspot, { portalFrom } from './index'

const CLIENT_SECRET = 'hubspot-client-secret-4d1f8a27'
const webhooks = hubspot.webhooks!
const NOW = new Date('2026-10-05T09:00:00Z')
const event = (portalId: number, subscriptionType: string, objectId: number) => ({ eventId: objectId * 10, subscriptionId: 25, portalId, appId: 1160452, occurredAt: NOW.getTime() - 5_000, subscriptionType, attemptNumber: 0, objectId, changeSource: 'CRM', propertyName: 'lifecyclestage', propertyValue: 'subscriber' })
const BODY = JSON.stringify([event(33, 'contact.propertyChange', 1246965), event(33, 'contact.propertyChange', 1246978)])
/** What HubSpot signs: the URI it called, with the listed characters decoded. */
const sign = (method: string, signedUri: string, body: string, ts: string, secret = CLIENT_SECRET) => createHmac('sha256', secret).update(`${method}${signedUri}${body}${ts}`).digest('base64')
const request = (url: string, body: string, headers: Record<string, string>) => webhookRequest(body, headers, { url })
const URL_PLAIN = 'https://patchbay.example/v1/webhooks/providers/int_1'
const TS = String(NOW.getTime() - 30_000)

describe('hubspot webhooks', () => {
  it('verifies method + URI + body + millisecond timestamp, signed with the client secret', () => {
    const req = request(URL_PLAIN, BODY, { 'x-hubspot-signature-v3': sign('POST', URL_PLAIN, BODY, TS), 'x-hubspot-request-timestamp': TS })
    expect(verifyWebhookSignature(webhooks.signature, req, CLIENT_SECRET, { now: NOW })).toEqual({ ok: true })
    expect(webhooks.secret).toEqual({ from: 'clientSecret' })
  })

  it('decodes the listed characters of the URI (and only those) before checking, as HubSpot does', () => {
    // The URL as it reaches Patchbay keeps the encoding; HubSpot signed it with %3A, %40, %2C decoded, %26 kept.
    const called = `${URL_PLAIN}?source=hub%3Aspot&owner=ops%40acme.example&list=a%2Cb&q=x%26y`
    const signedAs = `${URL_PLAIN}?source=hub:spot&owner=ops@acme.example&list=a,b&q=x%26y`
    const req = (signature: string) => request(called, BODY, { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': TS })
    expect(verifyWebhookSignature(webhooks.signature, req(sign('POST', signedAs, BODY, TS)), CLIENT_SECRET, { now: NOW })).toEqual({ ok: true })
    // Lower-case hex is the same octet.
    expect(verifyWebhookSignature(webhooks.signature, { ...req(sign('POST', signedAs, BODY, TS)), url: called.replace('%3A', '%3a') }, CLIENT_SECRET, { now: NOW })).toEqual({ ok: true })
    // Signed over the raw URI, or with %26 decoded too: not what HubSpot does, refused.
    expect(verifyWebhookSignature(webhooks.signature, req(sign('POST', called, BODY, TS)), CLIENT_SECRET, { now: NOW })).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, req(sign('POST', signedAs.replace('%26', '&'), BODY, TS)), CLIENT_SECRET, { now: NOW })).toEqual({ ok: false, reason: 'signature_mismatch' })
  })

  it('refuses a tampered body, another URI or method, and a timestamp over five minutes old', () => {
    const sig = sign('POST', URL_PLAIN, BODY, TS)
    const headers = { 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': TS }
    expect(verifyWebhookSignature(webhooks.signature, request(URL_PLAIN, BODY.replace('1246965', '1246966'), headers), CLIENT_SECRET, { now: NOW })).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(`${URL_PLAIN}/conn_2`, BODY, headers), CLIENT_SECRET, { now: NOW })).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, { ...request(URL_PLAIN, BODY, headers), method: 'PUT' }, CLIENT_SECRET, { now: NOW })).toEqual({ ok: false, reason: 'signature_mismatch' })
    // The timestamp is signed: changing it breaks the signature; a correctly signed old one is stale.
    expect(verifyWebhookSignature(webhooks.signature, request(URL_PLAIN, BODY, { ...headers, 'x-hubspot-request-timestamp': String(Number(TS) + 1) }), CLIENT_SECRET, { now: NOW })).toEqual({ ok: false, reason: 'signature_mismatch' })
    const old = String(NOW.getTime() - 301_000)
    const stale = request(URL_PLAIN, BODY, { 'x-hubspot-signature-v3': sign('POST', URL_PLAIN, BODY, old), 'x-hubspot-request-timestamp': old })
    expect(verifyWebhookSignature(webhooks.signature, stale, CLIENT_SECRET, { now: NOW })).toEqual({ ok: false, reason: 'timestamp_stale' })
    expect(verifyWebhookSignature(webhooks.signature, request(URL_PLAIN, BODY, { 'x-hubspot-signature-v3': sig }), CLIENT_SECRET, { now: NOW })).toEqual({ ok: false, reason: 'timestamp_missing' })
  })

  it("routes a batch by each event's portalId, splitting one that mixes accounts", () => {
    expect(webhooks.route).toEqual({ body: '*.portalId', connectionConfig: 'portalId', split: true })
    const one = request(URL_PLAIN, BODY, {})
    expect(webhookRouteParts(webhooks.route!, one)).toEqual([{ value: '33', body: one.body }])
    expect(webhookEventType(webhooks, one)).toBe('contact.propertyChange')

    const a1 = event(33, 'contact.creation', 1), b1 = event(44, 'contact.propertyChange', 2), a2 = event(33, 'contact.propertyChange', 3), noPortal = { ...event(55, 'contact.creation', 4), portalId: undefined }
    const mixed = request(URL_PLAIN, JSON.stringify([a1, b1, a2, noPortal]), {})
    const parts = webhookRouteParts(webhooks.route!, mixed)
    // Each account gets only its own events, in order; an event without a portalId goes nowhere.
    expect(parts).toEqual([{ value: '33', body: [a1, a2] }, { value: '44', body: [b1] }].map((p) => ({ ...p, body: JSON.parse(JSON.stringify(p.body)) })))
    // Mixed types in one account's share: no single event type.
    expect(webhookEventType(webhooks, { ...mixed, body: parts[0]!.body })).toBeUndefined()
    expect(webhookEventType(webhooks, { ...mixed, body: parts[1]!.body })).toBe('contact.propertyChange')
    // Not an array (another kind of HubSpot request signed the same way): routed nowhere.
    expect(webhookRouteParts(webhooks.route!, request(URL_PLAIN, '{"portalId":33}', {}))).toEqual([])
  })

  it('reads the account id after authorization from the account-info endpoint', async () => {
    expect(portalFrom(accountDetails.body)).toEqual({ portalId: '12345678' })
    expect(hubspot.connectionConfig.portalId).toMatchObject({ source: 'token', required: false })
    expect(new RegExp(`^(?:${hubspot.connectionConfig.portalId!.pattern})$`).test('12345678')).toBe(true)
    const urls: string[] = []
    const config = await hubspot.hooks.afterAuthorization!({ tokenResponse: { access_token: 'x' }, connectionConfig: {}, callbackParams: {}, get: async (url) => (urls.push(url), accountDetails.body) })
    expect(urls).toEqual(['https://api.hubapi.com/account-info/v3/details'])
    expect(config).toEqual({ portalId: '12345678' })
    for (const bad of [{}, { portalId: '123' }, { portalId: -1 }, { portalId: 1.5 }, null]) expect(() => portalFrom(bad)).toThrow('did not name the connected account')
    expect(connectorSchema.parse(hubspot).webhooks).toEqual(webhooks)
  })
})
