/**
 * GitLab's webhook secret token (https://docs.gitlab.com/user/project/integrations/webhooks/#validate-payloads-by-using-a-secret-token):
 * the token chosen when the webhook is created, sent as is in `X-Gitlab-Token`. GitLab documents
 * no signature to check, so there is no example to verify; the push event body is the example of
 * https://docs.gitlab.com/user/project/integrations/webhook_events/#push-events (shortened).
 */
import { describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { verifyWebhookSignature, webhookEventType } from '../webhooks'
import { webhookRequest, WEBHOOK_URL } from '../webhook-testing'
import gitlab from './index'

const TOKEN = 'a-long-random-secret-token-8c1f'
const PUSH = JSON.stringify({ object_kind: 'push', event_name: 'push', ref: 'refs/heads/master', user_username: 'jsmith', project_id: 15, project: { id: 15, name: 'Diaspora', path_with_namespace: 'mike/diaspora' } })
const webhooks = gitlab.webhooks!

const request = (headers: Record<string, string>, body = PUSH) => webhookRequest(body, headers, { url: `${WEBHOOK_URL}/conn_1` })

describe('gitlab webhooks', () => {
  it('accepts the secret token in X-Gitlab-Token, exactly', () => {
    expect(verifyWebhookSignature(webhooks.signature, request({ 'x-gitlab-token': TOKEN, 'x-gitlab-event': 'Push Hook' }), TOKEN)).toEqual({ ok: true })
  })

  it('refuses another token, a token with extra characters or different case, and no token', () => {
    expect(verifyWebhookSignature(webhooks.signature, request({ 'x-gitlab-token': 'another-token' }), TOKEN)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request({ 'x-gitlab-token': `${TOKEN} ` }), TOKEN)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request({ 'x-gitlab-token': TOKEN.toUpperCase() }), TOKEN)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(webhooks.signature, request({}), TOKEN)).toEqual({ ok: false, reason: 'signature_missing' })
    // The token in another header is not read.
    expect(verifyWebhookSignature(webhooks.signature, request({ authorization: TOKEN }), TOKEN)).toEqual({ ok: false, reason: 'signature_missing' })
  })

  it('is a shared token, not a signature: the body is not covered (GitLab signs nothing), and there is no timestamp', () => {
    expect(webhooks.signature).toEqual({ type: 'token', header: 'X-Gitlab-Token', prefix: '' })
    expect(verifyWebhookSignature(webhooks.signature, request({ 'x-gitlab-token': TOKEN }, '{"object_kind":"push","project_id":16}'), TOKEN)).toEqual({ ok: true })
  })

  it('takes the event name from X-Gitlab-Event, the token from the integration, and needs one URL per connection', () => {
    expect(webhookEventType(webhooks, request({ 'x-gitlab-event': 'Push Hook' }))).toBe('Push Hook')
    expect(webhookEventType(webhooks, request({}))).toBeUndefined()
    expect(webhooks.secret).toMatchObject({ from: 'integration', label: 'Secret token' })
    expect(webhooks.route).toBeUndefined()
    expect(connectorSchema.parse(gitlab)).toEqual(gitlab)
  })
})
