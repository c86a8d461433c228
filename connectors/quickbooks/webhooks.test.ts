/**
 * QuickBooks Online webhooks: `intuit-signature`, the base64 HMAC-SHA256 of the body keyed with the
 * app's verifier token
 * (https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks/managing-webhooks-notifications#validating-the-notification).
 * Intuit's pages give the recipe but no token with a signature, so the signatures here are computed
 * with that recipe and a made-up token. The payloads are Intuit's samples: the CloudEvents one and
 * the legacy one of https://blogs.a.intuit.com/2025/11/12/upcoming-change-to-webhooks-payload-structure.
 */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { verifyWebhookSignature, webhookEventType, webhookRouteValue } from '../webhooks'
import { webhookRequest } from '../webhook-testing'
import quickbooks, { realmFrom, REALM_ID_PATTERN } from './index'

const VERIFIER_TOKEN = 'f1a2b3c4-made-up-verifier-token'
const webhooks = quickbooks.webhooks!
/** The blog's CloudEvents sample, as Intuit sends it (a JSON array). */
const CLOUD_EVENT = {
  specversion: '1.0',
  id: '88cd52aa-33b6-4351-9aa4-47572edbd068',
  source: 'intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=',
  type: 'qbo.account.created.v1',
  datacontenttype: 'application/json',
  time: '2025-09-10T21:31:25.179851517Z',
  intuitentityid: '1234',
  intuitaccountid: '310687',
  data: {},
}
const BODY = JSON.stringify([CLOUD_EVENT])
/** The blog's sample in the legacy format. */
const LEGACY = JSON.stringify({ eventNotifications: [{ realmId: '310687', dataChangeEvent: { entities: [{ id: '1234', operation: 'Create', name: 'Account', lastUpdated: '2025-09-08T20:52:31.657Z' }] } }] })

const sign = (body: string, token = VERIFIER_TOKEN) => createHmac('sha256', token).update(body).digest('base64')
const request = (body: string, headers: Record<string, string> = {}) => webhookRequest(body, headers)

describe('quickbooks webhooks', () => {
  it('verifies a notification signed with the documented recipe (base64 HMAC-SHA256 of the body, verifier token as key)', () => {
    expect(verifyWebhookSignature(webhooks.signature, request(BODY, { 'intuit-signature': sign(BODY) }), VERIFIER_TOKEN)).toEqual({ ok: true })
    expect(verifyWebhookSignature(webhooks.signature, request(LEGACY, { 'intuit-signature': sign(LEGACY) }), VERIFIER_TOKEN)).toEqual({ ok: true })
  })

  it('refuses a tampered body, another token, a hex digest, and a missing header; there is no timestamp', () => {
    const tampered = BODY.replace('310687', '310688')
    expect(verifyWebhookSignature(webhooks.signature, request(tampered, { 'intuit-signature': sign(BODY) }), VERIFIER_TOKEN)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(BODY, { 'intuit-signature': sign(BODY, 'the-oauth-client-secret') }), VERIFIER_TOKEN)).toEqual({ ok: false, reason: 'signature_mismatch' })
    const hex = createHmac('sha256', VERIFIER_TOKEN).update(BODY).digest('hex')
    expect(verifyWebhookSignature(webhooks.signature, request(BODY, { 'intuit-signature': hex }), VERIFIER_TOKEN)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(BODY), VERIFIER_TOKEN)).toEqual({ ok: false, reason: 'signature_missing' })
    expect(webhooks.signature).toEqual({ type: 'hmac', algorithm: 'sha256', encoding: 'base64', header: 'intuit-signature', prefix: '', signed: ['body'] })
  })

  it('routes the CloudEvents sample by intuitaccountid to the realmId config, and reads its type', () => {
    const req = request(BODY)
    expect(webhookRouteValue(webhooks.route!, req)).toBe('310687')
    expect(new RegExp(`^(?:${REALM_ID_PATTERN})$`).test('310687')).toBe(true)
    expect(webhooks.route!.connectionConfig).toBe('realmId')
    expect(webhookEventType(webhooks, req)).toBe('qbo.account.created.v1')
    // A batch of one company's events is routed; the type is named only when all agree.
    const batch = request(JSON.stringify([CLOUD_EVENT, { ...CLOUD_EVENT, id: 'e2', type: 'qbo.customer.updated.v1', intuitentityid: '58' }]))
    expect(webhookRouteValue(webhooks.route!, batch)).toBe('310687')
    expect(webhookEventType(webhooks, batch)).toBeUndefined()
  })

  it('routes nothing for a batch that mixes companies, or for the legacy format', () => {
    const mixed = request(JSON.stringify([CLOUD_EVENT, { ...CLOUD_EVENT, id: 'e3', intuitaccountid: '9130347596842384658' }]))
    expect(webhookRouteValue(webhooks.route!, mixed)).toBeUndefined()
    expect(webhookRouteValue(webhooks.route!, request(LEGACY))).toBeUndefined()
  })

  it('takes the verifier token from the integration; realmId is set at connect time from the redirect', async () => {
    expect(webhooks.secret).toMatchObject({ from: 'integration', label: 'Verifier token' })
    expect(quickbooks.connectionConfig.realmId?.source).toBe('token')
    const config = await realmFrom({ callbackParams: { realmId: '310687' }, connectionConfig: {}, get: async () => ({ CompanyInfo: { CompanyName: 'Sandbox Company' } }) })
    expect(config).toEqual({ realmId: '310687' })
    expect(connectorSchema.parse(quickbooks)).toEqual(quickbooks)
  })
})
