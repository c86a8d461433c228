/**
 * GitHub's webhook signature, with the test values of
 * https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
 * (secret "It's a Secret to Everybody", payload "Hello, World!").
 */
import { describe, expect, it } from 'vitest'
import { verifyWebhookSignature, webhookEventType, type IncomingWebhook } from '../webhooks'
import github from './index'

const DOC_SECRET = "It's a Secret to Everybody"
const DOC_PAYLOAD = 'Hello, World!'
const DOC_SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'
const webhooks = github.webhooks!

const request = (body: string, headers: Record<string, string>): IncomingWebhook => ({ method: 'POST', url: 'https://patchbay.example/v1/webhooks/providers/int_1/conn_1', headers, rawBody: new TextEncoder().encode(body) })

describe('github webhooks', () => {
  it('verifies the documented test values', () => {
    expect(verifyWebhookSignature(webhooks.signature, request(DOC_PAYLOAD, { 'x-hub-signature-256': DOC_SIGNATURE }), DOC_SECRET)).toEqual({ ok: true })
  })

  it('refuses a tampered payload, another secret, and the old SHA-1 header alone', () => {
    expect(verifyWebhookSignature(webhooks.signature, request('Hello, World?', { 'x-hub-signature-256': DOC_SIGNATURE }), DOC_SECRET)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(DOC_PAYLOAD, { 'x-hub-signature-256': DOC_SIGNATURE }), "It's a Secret to Nobody")).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(DOC_PAYLOAD, { 'x-hub-signature': 'sha1=whatever' }), DOC_SECRET)).toEqual({ ok: false, reason: 'signature_missing' })
  })

  it('signs no timestamp (GitHub sends none), takes the event name from X-GitHub-Event and needs per-connection URLs', () => {
    expect(webhooks.signature).toEqual({ type: 'hmac', algorithm: 'sha256', encoding: 'hex', header: 'X-Hub-Signature-256', prefix: 'sha256=', signed: ['body'] })
    expect(webhookEventType(webhooks, request('{}', { 'x-github-event': 'issues' }))).toBe('issues')
    expect(webhooks.route).toBeUndefined()
    expect(webhooks.secret).toMatchObject({ from: 'integration' })
  })
})
