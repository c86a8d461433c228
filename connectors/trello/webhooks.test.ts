/**
 * Trello's webhook signature (https://developer.atlassian.com/cloud/trello/guides/rest-api/webhooks/,
 * "Webhook Signatures"): base64 HMAC-SHA1 of the body followed by the callback URL, keyed with the
 * application's OAuth secret. The page gives no worked example with a secret, so the expected values
 * are computed here with that recipe, independently of connectors/webhooks.ts.
 */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { verifyWebhookSignature, webhookEventType, type IncomingWebhook } from '../webhooks'
import trello from './index'

const webhooks = trello.webhooks!
const SECRET = 'trello-app-oauth-secret'
const CALLBACK = 'https://patchbay.example/v1/webhooks/providers/int_1/conn_1'
const BODY = JSON.stringify({ action: { id: '5f1e', type: 'updateCard', data: { card: { id: '5abbe4b7ddc1b351ef961414', name: 'Ship it' } } }, model: { id: '5abbe4b7ddc1b351ef961414' } })
const sign = (body: string, url: string, secret = SECRET) => createHmac('sha1', secret).update(body + url).digest('base64')
const request = (body: string, headers: Record<string, string>, url = CALLBACK): IncomingWebhook => ({ method: 'POST', url, headers, rawBody: new TextEncoder().encode(body) })

describe('trello webhooks', () => {
  it('verifies the body + callback URL signature with the application secret', () => {
    expect(verifyWebhookSignature(webhooks.signature, request(BODY, { 'x-trello-webhook': sign(BODY, CALLBACK) }), SECRET)).toEqual({ ok: true })
  })

  it('refuses a tampered body, a signature made for another callback URL, and another secret', () => {
    const signature = sign(BODY, CALLBACK)
    expect(verifyWebhookSignature(webhooks.signature, request(BODY.replace('Ship it', 'Sink it'), { 'x-trello-webhook': signature }), SECRET)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(BODY, { 'x-trello-webhook': sign(BODY, CALLBACK.replace('conn_1', 'conn_2')) }), SECRET)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(BODY, { 'x-trello-webhook': signature }), 'another-secret')).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(BODY, {}), SECRET)).toEqual({ ok: false, reason: 'signature_missing' })
  })

  it('keys with the OAuth consumer secret, takes the event from action.type, and uses one URL per connection', () => {
    expect(webhooks.secret).toEqual({ from: 'clientSecret' })
    expect(webhookEventType(webhooks, { ...request(BODY, {}), body: JSON.parse(BODY) })).toBe('updateCard')
    expect(webhooks.route).toBeUndefined()
  })
})
