/**
 * Slack's request signing, with the worked example of
 * https://docs.slack.dev/authentication/verifying-requests-from-slack (a slash command's form body,
 * signing secret `8f742231b10e8888abcd99yyyzzz85a5`, timestamp 1531420618), routing by `team_id`
 * and the `url_verification` handshake (https://docs.slack.dev/reference/events/url_verification).
 */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { verifyWebhookSignature, webhookEventType, webhookHandshake, webhookRouteValue } from '../webhooks'
import { webhookRequest } from '../webhook-testing'
import slack, { teamFromToken } from './index'

const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5'
const DOC_TIMESTAMP = '1531420618'
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c'
const DOC_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503'
const webhooks = slack.webhooks!

const request = (body: string, headers: Record<string, string>, contentType = 'application/x-www-form-urlencoded') => webhookRequest(body, headers, { contentType })
const at = (unixSeconds: number) => new Date(unixSeconds * 1000)

describe('slack webhooks', () => {
  it('verifies the documented example signature', () => {
    const req = request(DOC_BODY, { 'x-slack-signature': DOC_SIGNATURE, 'x-slack-request-timestamp': DOC_TIMESTAMP })
    expect(verifyWebhookSignature(webhooks.signature, req, DOC_SECRET, { now: at(Number(DOC_TIMESTAMP) + 30) })).toEqual({ ok: true })
  })

  it('refuses the example with a tampered body, another timestamp, or another secret', () => {
    const tampered = request(DOC_BODY.replace('text=', 'text=hello'), { 'x-slack-signature': DOC_SIGNATURE, 'x-slack-request-timestamp': DOC_TIMESTAMP })
    expect(verifyWebhookSignature(webhooks.signature, tampered, DOC_SECRET, { now: at(Number(DOC_TIMESTAMP)) })).toEqual({ ok: false, reason: 'signature_mismatch' })
    const otherTime = request(DOC_BODY, { 'x-slack-signature': DOC_SIGNATURE, 'x-slack-request-timestamp': String(Number(DOC_TIMESTAMP) + 1) })
    expect(verifyWebhookSignature(webhooks.signature, otherTime, DOC_SECRET, { now: at(Number(DOC_TIMESTAMP)) })).toEqual({ ok: false, reason: 'signature_mismatch' })
    const good = request(DOC_BODY, { 'x-slack-signature': DOC_SIGNATURE, 'x-slack-request-timestamp': DOC_TIMESTAMP })
    expect(verifyWebhookSignature(webhooks.signature, good, `${DOC_SECRET}0`, { now: at(Number(DOC_TIMESTAMP)) }).ok).toBe(false)
  })

  it('refuses the example once it is more than five minutes old (a replay)', () => {
    const req = request(DOC_BODY, { 'x-slack-signature': DOC_SIGNATURE, 'x-slack-request-timestamp': DOC_TIMESTAMP })
    expect(verifyWebhookSignature(webhooks.signature, req, DOC_SECRET, { now: at(Number(DOC_TIMESTAMP) + 300) }).ok).toBe(true)
    expect(verifyWebhookSignature(webhooks.signature, req, DOC_SECRET, { now: at(Number(DOC_TIMESTAMP) + 301) })).toEqual({ ok: false, reason: 'timestamp_stale' })
    // Today: the documented request is long stale.
    expect(verifyWebhookSignature(webhooks.signature, req, DOC_SECRET)).toEqual({ ok: false, reason: 'timestamp_stale' })
  })

  it('routes by team_id to the teamId the token response stored, and reads event.type', () => {
    // The form body of the example and an Events API JSON envelope (https://docs.slack.dev/apis/events-api/).
    expect(webhookRouteValue(webhooks.route!, request(DOC_BODY, {}))).toBe('T1DC2JH3J')
    const event = request(JSON.stringify({ type: 'event_callback', team_id: 'T9TK3CUKW', event: { type: 'app_mention', text: 'hi' } }), {}, 'application/json')
    expect(webhookRouteValue(webhooks.route!, event)).toBe('T9TK3CUKW')
    expect(webhookEventType(webhooks, event)).toBe('app_mention')
    // The config value it is matched against comes from oauth.v2.access's `team.id`.
    expect(webhooks.route!.connectionConfig).toBe('teamId')
    expect(teamFromToken({ ok: true, team: { id: 'T9TK3CUKW', name: 'Acme' } }).teamId).toBe('T9TK3CUKW')
    expect(slack.connectionConfig.teamId?.source).toBe('token')
  })

  it('answers url_verification with its challenge as text/plain', () => {
    // The documented payload of https://docs.slack.dev/reference/events/url_verification
    const req = request(JSON.stringify({ token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' }), {}, 'application/json')
    expect(webhookHandshake(webhooks, req)).toEqual({ contentType: 'text/plain', body: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' })
  })

  it('takes the signing secret from the integration', () => {
    expect(webhooks.secret).toMatchObject({ from: 'integration' })
    // Signed here with the same recipe, to show the declaration is the recipe: v0:<ts>:<body>.
    const body = '{"type":"event_callback","team_id":"T1"}'
    const ts = '1700000000'
    const sig = `v0=${createHmac('sha256', 's3cret').update(`v0:${ts}:${body}`).digest('hex')}`
    expect(verifyWebhookSignature(webhooks.signature, request(body, { 'x-slack-signature': sig, 'x-slack-request-timestamp': ts }, 'application/json'), 's3cret', { now: at(1700000000) }).ok).toBe(true)
  })
})
