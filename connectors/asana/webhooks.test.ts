/**
 * Asana's incoming webhooks (https://developers.asana.com/docs/webhooks-guide): the `X-Hook-Secret`
 * handshake, then `X-Hook-Signature` = hex HMAC-SHA256 of the body keyed with that secret. Asana
 * publishes the handshake's secret (https://developers.asana.com/reference/createwebhook) but no
 * body + signature pair, so signatures here are computed with the recipe of Asana's own receiver
 * (https://github.com/Asana/devrel-examples/blob/master/javascript/webhooks-nodejs/index.js).
 */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { MAX_HANDSHAKE_SECRET_LENGTH, verifyWebhookSignature, webhookEventType, webhookSecretHandshake } from '../webhooks'
import { webhookRequest, WEBHOOK_URL } from '../webhook-testing'
import asana from './index'

/** The `X-Hook-Secret` of the "Establish a webhook" example. */
const SECRET = 'b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81'
const webhooks = asana.webhooks!
/** An event delivery shaped as the guide's examples: `{ events: [{ user, created_at, action, resource, parent }] }`. */
const BODY = JSON.stringify({ events: [{ user: { gid: '1516', resource_type: 'user' }, created_at: '2026-03-01T12:00:00.000Z', action: 'changed', resource: { gid: '1337', resource_type: 'task' }, parent: null, change: { field: 'name', action: 'changed' } }] })
const request = (body: string, headers: Record<string, string>) => webhookRequest(body, headers, { url: `${WEBHOOK_URL}/conn_1` })
const sign = (body: string, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex')

describe('asana webhooks', () => {
  it('verifies the hex HMAC-SHA256 of the body in X-Hook-Signature', () => {
    expect(verifyWebhookSignature(webhooks.signature, request(BODY, { 'x-hook-signature': sign(BODY) }), SECRET)).toEqual({ ok: true })
    // Heartbeats are signed empty batches.
    expect(verifyWebhookSignature(webhooks.signature, request('{"events":[]}', { 'x-hook-signature': sign('{"events":[]}') }), SECRET)).toEqual({ ok: true })
    expect(webhookEventType(webhooks, request(BODY, {}))).toBeUndefined()
  })

  it('refuses a tampered body, another secret and a missing signature', () => {
    expect(verifyWebhookSignature(webhooks.signature, request(BODY.replace('1337', '1338'), { 'x-hook-signature': sign(BODY) }), SECRET)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(BODY, { 'x-hook-signature': sign(BODY, 'another-webhooks-secret') }), SECRET)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(BODY, {}), SECRET)).toEqual({ ok: false, reason: 'signature_missing' })
  })

  it('reads the secret the handshake offers in X-Hook-Secret, and nothing unusable', () => {
    expect(webhookSecretHandshake(webhooks, request('', { 'x-hook-secret': SECRET }))).toBe(SECRET)
    expect(webhookSecretHandshake(webhooks, request(BODY, { 'x-hook-signature': sign(BODY) }))).toBeUndefined()
    expect(webhookSecretHandshake(webhooks, request('', { 'x-hook-secret': '' }))).toBeUndefined()
    expect(webhookSecretHandshake(webhooks, request('', { 'x-hook-secret': 'has a space' }))).toBeUndefined()
    expect(webhookSecretHandshake(webhooks, request('', { 'x-hook-secret': 'a'.repeat(MAX_HANDSHAKE_SECRET_LENGTH + 1) }))).toBeUndefined()
  })

  it("keeps the secret on the connection, on per-connection URLs; the handshake needs a connection secret", () => {
    expect(webhooks.secret.from).toBe('connection')
    expect(webhooks.route).toBeUndefined()
    const { id: _id, hooks: _hooks, ...definition } = asana
    const withIntegrationSecret = connectorSchema.safeParse({ ...definition, id: 'asana', webhooks: { ...webhooks, secret: { from: 'integration' } } })
    expect(withIntegrationSecret.success).toBe(false)
    expect(JSON.stringify(withIntegrationSecret.error?.issues)).toContain('secretHandshake')
  })
})
