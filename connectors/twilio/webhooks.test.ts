/**
 * Twilio's `X-Twilio-Signature`, with the worked example of
 * https://www.twilio.com/docs/usage/security#validating-requests: Auth Token `12345`, a POST to
 * `https://mycompany.com/myapp.php?foo=1&bar=2` with CallSid, Caller, Digits, From and To, whose
 * signature is `0/KCTR6DLpKmkAf8muzZqo1nDgQ=`.
 */
import { describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { verifyWebhookSignature } from '../webhooks'
import { webhookRequest } from '../webhook-testing'
import twilio from './index'

const DOC_TOKEN = '12345'
const DOC_URL = 'https://mycompany.com/myapp.php?foo=1&bar=2'
const DOC_SIGNATURE = '0/KCTR6DLpKmkAf8muzZqo1nDgQ='
/** The example's POST parameters, form-encoded as Twilio sends them, deliberately not in sorted order. */
const DOC_BODY = new URLSearchParams({ To: '+18005551212', Digits: '1234', CallSid: 'CA1234567890ABCDE', From: '+12349013030', Caller: '+12349013030' }).toString()
const FORM = 'application/x-www-form-urlencoded'
const webhooks = twilio.webhooks!

const request = (body: string, headers: Record<string, string>, url = DOC_URL, contentType = FORM) => webhookRequest(body, headers, { url, contentType })

describe('twilio webhooks', () => {
  it('verifies the documented example', () => {
    expect(DOC_BODY).toContain('To=%2B18005551212')
    expect(verifyWebhookSignature(webhooks.signature, request(DOC_BODY, { 'x-twilio-signature': DOC_SIGNATURE }), DOC_TOKEN)).toEqual({ ok: true })
    // A charset parameter on the content type changes nothing.
    expect(verifyWebhookSignature(webhooks.signature, request(DOC_BODY, { 'x-twilio-signature': DOC_SIGNATURE }, DOC_URL, `${FORM}; charset=utf-8`), DOC_TOKEN)).toEqual({ ok: true })
  })

  it('refuses the example with a changed parameter, an added one, another query string, another token, or no header', () => {
    const header = { 'x-twilio-signature': DOC_SIGNATURE }
    expect(verifyWebhookSignature(webhooks.signature, request(DOC_BODY.replace('Digits=1234', 'Digits=9999'), header), DOC_TOKEN)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(`${DOC_BODY}&Body=hi`, header), DOC_TOKEN)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(DOC_BODY, header, 'https://mycompany.com/myapp.php?foo=2&bar=2'), DOC_TOKEN)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(DOC_BODY, header), '54321')).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(DOC_BODY, {}), DOC_TOKEN)).toEqual({ ok: false, reason: 'signature_missing' })
    // The same fields as JSON: not what Twilio signed with this scheme, refused.
    const json = JSON.stringify(Object.fromEntries(new URLSearchParams(DOC_BODY)))
    expect(verifyWebhookSignature(webhooks.signature, request(json, header, DOC_URL, 'application/json'), DOC_TOKEN)).toEqual({ ok: false, reason: 'signature_mismatch' })
  })

  it("is HMAC-SHA1 of the URL and sorted form fields, with no timestamp, keyed with the connection's optional Auth Token field", () => {
    expect(webhooks.signature).toEqual({ type: 'hmac', algorithm: 'sha1', encoding: 'base64', header: 'X-Twilio-Signature', prefix: '', signed: ['url', 'sortedForm'] })
    expect(webhooks.secret).toEqual({ from: 'credentials', field: 'authToken' })
    const fields = twilio.auth.type === 'basic' ? twilio.auth.fields : {}
    expect(fields.authToken).toMatchObject({ type: 'password', required: false })
    expect(new RegExp(`^(?:${fields.authToken!.pattern})$`).test('0123456789abcdef0123456789abcdef')).toBe(true)
    // Twilio calls the URL set per number or request: one Patchbay URL per connection.
    expect(webhooks.route).toBeUndefined()
    expect(connectorSchema.parse(twilio)).toEqual(twilio)
  })
})
