/**
 * Zoom's incoming webhooks (https://developers.zoom.us/docs/api/webhooks/): `x-zm-signature` =
 * `v0=` + hex HMAC-SHA256 of `v0:{x-zm-request-timestamp}:{body}` with the app's secret token, and
 * the `endpoint.url_validation` challenge answered with `{ plainToken, encryptedToken }`. Zoom's page
 * gives no secret + body + signature triple, so signatures are computed with the recipe of Zoom's
 * sample receiver (https://github.com/zoom/webhook-sample, index.js).
 */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { verifyWebhookSignature, webhookEventType, webhookHandshake, webhookRouteValue } from '../webhooks'
import { webhookRequest } from '../webhook-testing'
import usersMe from './fixtures/users-me.json' with { type: 'json' }
import zoom, { ZOOM_USERS_ME_URL, zoomAccountFrom } from './index'

const SECRET = 'zoom-secret-token-7f3a91c2'
const webhooks = zoom.webhooks!
const TS = 1772366400 // 2026-03-01T12:00:00Z
const NOW = new Date((TS + 20) * 1000)
const EVENT = JSON.stringify({ event: 'meeting.started', event_ts: TS * 1000, payload: { account_id: 'q6gBJVO5TzexKYTb_I2rpg', object: { id: '1234567890', uuid: '4444AAAiAAAAAiAiAiiAii==', host_id: 'KDcuGIm1QgePTO8WbOqwIQ', topic: 'My Meeting', type: 2 } } })
const request = (body: string, headers: Record<string, string>) => webhookRequest(body, headers)
const signed = (body: string, ts = TS, secret = SECRET) => request(body, { 'x-zm-request-timestamp': String(ts), 'x-zm-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}` })

describe('zoom webhooks', () => {
  it('verifies v0= HMAC-SHA256 of v0:{timestamp}:{body}, routes by payload.account_id and reads the event', () => {
    expect(verifyWebhookSignature(webhooks.signature, signed(EVENT), SECRET, { now: NOW })).toEqual({ ok: true })
    expect(webhookRouteValue(webhooks.route!, signed(EVENT))).toBe('q6gBJVO5TzexKYTb_I2rpg')
    expect(webhooks.route!.connectionConfig).toBe('accountId')
    expect(webhookEventType(webhooks, signed(EVENT))).toBe('meeting.started')
  })

  it('refuses another secret, a tampered body, a changed or stale timestamp', () => {
    expect(verifyWebhookSignature(webhooks.signature, signed(EVENT, TS, 'another-app'), SECRET, { now: NOW })).toEqual({ ok: false, reason: 'signature_mismatch' })
    const good = signed(EVENT)
    expect(verifyWebhookSignature(webhooks.signature, request(EVENT.replace('My Meeting', 'Your Meeting'), good.headers as Record<string, string>), SECRET, { now: NOW })).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request(EVENT, { ...(good.headers as Record<string, string>), 'x-zm-request-timestamp': String(TS + 1) }), SECRET, { now: NOW })).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, signed(EVENT, TS - 600), SECRET, { now: NOW })).toEqual({ ok: false, reason: 'timestamp_stale' })
    expect(verifyWebhookSignature(webhooks.signature, request(EVENT, { 'x-zm-signature': 'v0=00' }), SECRET, { now: NOW })).toEqual({ ok: false, reason: 'timestamp_missing' })
  })

  it('answers endpoint.url_validation with plainToken and its hex HMAC-SHA256 as encryptedToken', () => {
    const plainToken = 'qgg8vlvZRS6UYooatFL8Aw'
    const body = JSON.stringify({ payload: { plainToken }, event_ts: TS * 1000, event: 'endpoint.url_validation' })
    const answer = webhookHandshake(webhooks, signed(body), SECRET)
    expect(answer?.contentType).toBe('application/json')
    expect(JSON.parse(answer!.body)).toEqual({ plainToken, encryptedToken: createHmac('sha256', SECRET).update(plainToken).digest('hex') })
    // Without the secret, or for an ordinary event, there is no answer.
    expect(webhookHandshake(webhooks, signed(body))).toBeUndefined()
    expect(webhookHandshake(webhooks, signed(EVENT), SECRET)).toBeUndefined()
  })

  it('reads the account id from Get a user when connecting, and leaves out a malformed one', async () => {
    const urls: string[] = []
    const config = await zoom.hooks.afterAuthorization!({ tokenResponse: { access_token: 'at', token_type: 'bearer' }, connectionConfig: {}, callbackParams: {}, get: async (url) => (urls.push(url), usersMe.body) })
    expect(config).toEqual({ accountId: 'q6gBJVO5TzexKYTb_I2rpg' })
    expect(urls).toEqual([ZOOM_USERS_ME_URL])
    expect(zoomAccountFrom({ account_id: 'a/b' })).toEqual({})
    expect(zoomAccountFrom({})).toEqual({})
    expect(zoomAccountFrom(null)).toEqual({})
  })

  it('declares the digest in JSON only', () => {
    const { id: _id, hooks: _hooks, ...definition } = zoom
    const asText = connectorSchema.safeParse({ ...definition, id: 'zoom', webhooks: { ...webhooks, handshake: { ...webhooks.handshake!, respond: { ...webhooks.handshake!.respond, as: 'text' } } } })
    expect(asText.success).toBe(false)
    expect(JSON.stringify(asText.error?.issues)).toContain('set as to json')
  })
})
