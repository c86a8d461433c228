/**
 * Notion's incoming webhooks (https://developers.notion.com/reference/webhooks): the one-time
 * `{ "verification_token": … }` handshake, then `X-Notion-Signature: sha256=<hex HMAC-SHA256 of the
 * raw body keyed with the verification_token>`; events name `workspace_id` and `type`
 * (https://developers.notion.com/reference/webhooks-events-delivery). Notion publishes no token +
 * body + signature triple, so signatures are computed with the documented recipe.
 */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { verifyWebhookSignature, webhookEventType, webhookRouteValue, webhookSecretHandshake } from '../webhooks'
import { webhookRequest } from '../webhook-testing'
import notion from './index'

const TOKEN = 'secret_tMrlL1qK5vuQAh1b6cZGhFChZTSYJlce98V0pYn7yBl'
const webhooks = notion.webhooks!
const WORKSPACE = '13950b26-c203-4f3b-b97d-93ec06319565'
// The shared event properties of the events-delivery page: id, timestamp, workspace_id,
// subscription_id, integration_id, type, authors, attempt_number, entity, data.
const EVENT = JSON.stringify({
  id: '367cba44-b6f3-4c92-81e7-6a2e9659efd4',
  timestamp: '2026-03-01T12:00:00.000Z',
  workspace_id: WORKSPACE,
  subscription_id: '29d75c0d-5546-4414-8459-7b7a92f1fc4b',
  integration_id: '0ef2e755-4912-8096-91c1-00376a88a5ca',
  type: 'page.created',
  authors: [{ id: 'c7c11cca-1d73-471d-9b6e-bdef51470190', type: 'person' }],
  attempt_number: 1,
  entity: { id: '153104cd-477e-809d-8dc4-ff2d96ae3090', type: 'page' },
  data: { parent: { id: '13950b26-c203-4f3b-b97d-93ec06319565', type: 'space' } },
})
const request = (body: string, headers: Record<string, string> = {}, contentType = 'application/json') => webhookRequest(body, headers, { contentType })
const sign = (body: string, key = TOKEN) => `sha256=${createHmac('sha256', key).update(body).digest('hex')}`
const signed = (body: string, key = TOKEN) => request(body, { 'x-notion-signature': sign(body, key) })

describe('notion webhooks', () => {
  it('verifies sha256= hex HMAC-SHA256 of the raw body, routes by workspace_id and reads the event type', () => {
    expect(verifyWebhookSignature(webhooks.signature, signed(EVENT), TOKEN)).toEqual({ ok: true })
    expect(webhookRouteValue(webhooks.route!, signed(EVENT))).toBe(WORKSPACE)
    expect(webhooks.route!.connectionConfig).toBe('workspaceId')
    expect(Object.keys(notion.connectionConfig)).toContain('workspaceId')
    expect(webhookEventType(webhooks, signed(EVENT))).toBe('page.created')
    // An event is not a handshake: it goes through verification.
    expect(webhookSecretHandshake(webhooks, signed(EVENT))).toBeUndefined()
  })

  it('refuses a tampered body, another token, a missing or unprefixed signature', () => {
    const good = signed(EVENT)
    expect(verifyWebhookSignature(webhooks.signature, request(EVENT.replace('page.created', 'page.deleted'), good.headers as Record<string, string>), TOKEN)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, signed(EVENT, 'secret_another'), TOKEN)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(EVENT), TOKEN)).toEqual({ ok: false, reason: 'signature_missing' })
    expect(verifyWebhookSignature(webhooks.signature, request(EVENT, { 'x-notion-signature': sign(EVENT).slice('sha256='.length) }), TOKEN)).toEqual({ ok: false, reason: 'signature_mismatch' })
  })

  it('takes the verification_token of the one-time handshake, and only a printable string', () => {
    expect(webhookSecretHandshake(webhooks, request(JSON.stringify({ verification_token: TOKEN })))).toBe(TOKEN)
    // Read from the raw body when the caller has not parsed it (the service does not, before verifying).
    const unparsed = request(JSON.stringify({ verification_token: TOKEN }))
    delete unparsed.body
    expect(webhookSecretHandshake(webhooks, unparsed)).toBe(TOKEN)
    for (const value of [42, '', 'has space', 'x'.repeat(513), null, { nested: TOKEN }]) expect(webhookSecretHandshake(webhooks, request(JSON.stringify({ verification_token: value })))).toBeUndefined()
    expect(webhookSecretHandshake(webhooks, request('verification_token=secret_x', {}, 'text/plain'))).toBeUndefined()
  })

  it('declares a body handshake only with an integration secret, and a header handshake only with a connection secret', () => {
    const { id: _id, hooks: _hooks, ...definition } = notion
    expect(connectorSchema.safeParse({ ...definition, id: 'notion' }).success).toBe(true)
    const withConnectionSecret = connectorSchema.safeParse({ ...definition, id: 'notion', webhooks: { ...webhooks, route: undefined, secret: { from: 'connection' } } })
    expect(withConnectionSecret.success).toBe(false)
    expect(JSON.stringify(withConnectionSecret.error?.issues)).toContain("needs secret: { from: 'integration' }")
    const headerWithIntegrationSecret = connectorSchema.safeParse({ ...definition, id: 'notion', webhooks: { ...webhooks, secretHandshake: { header: 'X-Hook-Secret' } } })
    expect(headerWithIntegrationSecret.success).toBe(false)
    expect(JSON.stringify(headerWithIntegrationSecret.error?.issues)).toContain("needs secret: { from: 'connection' }")
  })
})
