/**
 * Incoming provider webhooks end to end: a provider's signed request to
 * `/v1/webhooks/providers/{integrationId}[/{connectionId}]` is verified, answered or routed to its
 * connection(s), and reaches the vendor's endpoint as a signed `provider.webhook` (through the
 * outbox); everything else is refused with a problem and delivers nothing.
 */
import { createHmac } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { Writable } from 'node:stream'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { findConnectionRow } from '../server/src/db/queries/connections'
import { findIntegrationByKey } from '../server/src/db/queries/integrations'
import { upsertEndUser } from '../server/src/db/queries/end-users'
import { newId } from '../server/src/lib/ids'
import { REDACT_PATHS } from '../server/src/lib/logger'
import { saveConnection } from '../server/src/services/connections'
import type { Credentials } from '../server/src/services/credentials'
import { getIntegration } from '../server/src/services/integrations'
import { MAX_PROVIDER_WEBHOOK_BYTES } from '../server/src/services/provider-webhooks'
import { createTestApp, testConfig, testDatabases, type TestApp, type TestTenant } from '../server/src/testing'

/** Distinctive secrets, so a leak is found by a substring search. */
const SLACK_SIGNING_SECRET = 'slack-signing-secret-9c2e71d04b'
const STRIPE_WEBHOOK_SECRET = 'whsec_stripe7e1c0a9f3b52'
const CUSTOM_SECRET = 'custom-hook-secret-5a8d2f'
const XERO_WEBHOOK_KEY = 'xero-webhook-key-3e8a1c7f0b'
const HUBSPOT_CLIENT_SECRET = 'hubspot-client-secret-6c0d9e2a71'
const TWILIO_AUTH_TOKEN = 'c0ffee0123456789abcdef0123456789'
const QUICKBOOKS_VERIFIER_TOKEN = 'qbo-verifier-token-6d41e9b2'
const ZENDESK_SIGNING_SECRET = 'zendesk-signing-secret-4b7e0c92d1'
const ASANA_HOOK_SECRET = 'asana-hook-secret-0d9e3b7a55c1'
const ZOOM_SECRET_TOKEN = 'zoom-secret-token-8b2f6e0c13'
const NOTION_VERIFICATION_TOKEN = 'secret_notionVerification7c1e4a9b02'

interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: string
}

/** The vendor's webhook receiver on 127.0.0.1: records every request and answers 200. */
async function startReceiver() {
  const received: Received[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.push({ path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.writeHead(200).end('ok')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    on: (path: string) => received.filter((r) => r.path === path),
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

async function until<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 50))
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Slack's recipe (https://docs.slack.dev/authentication/verifying-requests-from-slack): `v0=` + hex HMAC-SHA256 of `v0:<ts>:<body>`. */
function slackHeaders(body: string, secret = SLACK_SIGNING_SECRET, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  return { 'content-type': 'application/json', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}` }
}
/** Stripe's recipe (https://docs.stripe.com/webhooks#verify-manually). */
function stripeHeaders(body: string, secret = STRIPE_WEBHOOK_SECRET, t = Math.floor(Date.now() / 1000)): Record<string, string> {
  return { 'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}` }
}

/** A vendor's own connector, as JSON: a shop API whose webhooks sign method + URL + body, routed by a header. */
const CUSTOM_CONNECTOR = {
  name: 'Shop API',
  description: 'A custom connector with webhooks.',
  categories: ['commerce'],
  docsUrl: 'https://shop.example/docs',
  auth: { type: 'api_key', inject: { headers: { 'X-Api-Key': '{apiKey}' } }, verify: { path: '/me' } },
  connectionConfig: { shop: { label: 'Shop' } },
  http: { baseUrl: 'https://{shop}.shop.example/api' },
  webhooks: {
    secret: { from: 'integration' },
    signature: { type: 'hmac', encoding: 'base64', header: 'X-Shop-Hmac', signed: ['method', 'url', 'body'] },
    route: { header: 'X-Shop-Domain', pattern: '^([a-z0-9-]+)\\.shop\\.example$', connectionConfig: 'shop' },
    eventType: { header: 'X-Shop-Topic' },
    docs: 'https://shop.example/docs/webhooks',
  },
}

describe.each(testDatabases())('provider webhooks on $name', (target) => {
  let t: TestApp
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  const responses: string[] = []

  beforeAll(async () => {
    t = await createTestApp(target, { ...testConfig(), webhookRetryDelaysMs: [150, 150] })
    receiver = await startReceiver()
  })
  afterAll(async () => {
    await receiver?.close()
    await t?.close()
  })

  /** An API call whose response text is kept for the leak check. */
  async function api(tenant: TestTenant, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const r = await t.call(method, path, { token: tenant.secretKey, body })
    const text = await r.text()
    responses.push(text)
    return { status: r.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
  }

  /** A provider's POST (no API key). */
  async function provider(path: string, body: string | Uint8Array, headers: Record<string, string>): Promise<{ status: number; text: string; headers: Headers }> {
    const r = await t.app.request(path, { method: 'POST', headers, body: body as BodyInit })
    const text = await r.text()
    responses.push(text)
    return { status: r.status, text, headers: r.headers }
  }

  /** A connection stored as the OAuth flow or the connect form would, without a provider. */
  async function connect(tenant: TestTenant, integrationKey: string, endUser: string, credentials: Credentials, connectionConfig: Record<string, string> = {}): Promise<string> {
    const integration = await getIntegration(t.ctx, tenant.environmentId, integrationKey)
    const eu = await upsertEndUser(t.ctx.db, { id: newId('eu'), environmentId: tenant.environmentId, externalId: endUser })
    return saveConnection(t.ctx, { environmentId: tenant.environmentId, integration, endUserId: eu.id, credentials, connectionConfig, scopes: [] })
  }

  /** A fresh environment with a `provider.webhook` endpoint at `path` and a Slack integration with its signing secret. */
  async function environment(path: string) {
    const tenant = await t.newTenant()
    const ep = await api(tenant, 'POST', '/v1/webhook-endpoints', { url: receiver.base + path, events: ['provider.webhook'] })
    expect(ep.status).toBe(201)
    const slack = await api(tenant, 'POST', '/v1/integrations', { key: 'slack', connectorId: 'slack', clientId: 'slack-client', clientSecret: 'slack-client-secret', webhookSecret: SLACK_SIGNING_SECRET, syncSettings: { autoStart: false } })
    expect(slack.status).toBe(201)
    const row = await findIntegrationByKey(t.ctx.db, tenant.environmentId, 'slack')
    return { tenant, endpointSecret: ep.json.secret as string, slackId: row!.id, slackUrl: slack.json.providerWebhookUrl as string }
  }

  const deliveryCount = async (tenant: TestTenant) => ((await api(tenant, 'GET', '/v1/webhook-deliveries?limit=200')).json.data as unknown[]).length

  it('verifies a Slack event, routes it by team_id and delivers it as a signed provider.webhook', async () => {
    const env = await environment('/slack')
    expect(env.slackUrl).toBe(`http://127.0.0.1:3999/v1/webhooks/providers/${env.slackId}`)
    const connectionId = await connect(env.tenant, 'slack', 'user-7', { type: 'oauth2', accessToken: 'xoxb-token' }, { teamId: 'T0ACME' })
    await connect(env.tenant, 'slack', 'user-8', { type: 'oauth2', accessToken: 'xoxb-other' }, { teamId: 'T0OTHER' })

    const event = { token: 'x', team_id: 'T0ACME', type: 'event_callback', event_id: 'Ev1', event: { type: 'app_mention', text: '<@U1> hello', channel: 'C1' } }
    const body = JSON.stringify(event)
    const res = await provider(`/v1/webhooks/providers/${env.slackId}`, body, slackHeaders(body))
    expect(res.status).toBe(200)
    expect(res.text).toBe('')

    const [got] = await until(() => receiver.on('/slack').length >= 1 && receiver.on('/slack'))
    const delivered = new Webhook(env.endpointSecret).verify(got!.body, got!.headers as Record<string, string>) as { type: string; data: Record<string, unknown> }
    expect(delivered.type).toBe('provider.webhook')
    expect(delivered.data).toEqual({ connectionId, integration: 'slack', connectorId: 'slack', endUserId: 'user-7', providerEventType: 'app_mention', body: event, receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) })
    // Only the connection of that workspace got it.
    await sleep(300)
    expect(receiver.on('/slack')).toHaveLength(1)
  })

  it('delivers one event per connection when several end users connected the same workspace', async () => {
    const env = await environment('/slack-shared')
    const a = await connect(env.tenant, 'slack', 'user-a', { type: 'oauth2', accessToken: 'xoxb-a' }, { teamId: 'T0SHARED' })
    const b = await connect(env.tenant, 'slack', 'user-b', { type: 'oauth2', accessToken: 'xoxb-b' }, { teamId: 'T0SHARED' })
    const body = JSON.stringify({ team_id: 'T0SHARED', type: 'event_callback', event: { type: 'team_join' } })
    expect((await provider(`/v1/webhooks/providers/${env.slackId}`, body, slackHeaders(body))).status).toBe(200)
    const got = await until(() => receiver.on('/slack-shared').length >= 2 && receiver.on('/slack-shared'))
    expect(got.map((r) => (JSON.parse(r.body) as { data: { connectionId: string } }).data.connectionId).sort()).toEqual([a, b].sort())
  })

  it('refuses a wrong, missing or stale signature with 401 and delivers nothing', async () => {
    const env = await environment('/slack-bad')
    await connect(env.tenant, 'slack', 'user-1', { type: 'oauth2', accessToken: 'xoxb-1' }, { teamId: 'T0BAD' })
    const body = JSON.stringify({ team_id: 'T0BAD', type: 'event_callback', event: { type: 'message' } })
    const url = `/v1/webhooks/providers/${env.slackId}`
    const cases: [string, Record<string, string>][] = [
      ['another secret', slackHeaders(body, 'not-the-signing-secret')],
      ['tampered body', { ...slackHeaders(body.replace('message', 'messagf')) }],
      ['no signature', { 'content-type': 'application/json', 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)) }],
      ['no timestamp', { 'content-type': 'application/json', 'x-slack-signature': slackHeaders(body)['x-slack-signature']! }],
      ['stale timestamp (10 minutes old)', slackHeaders(body, SLACK_SIGNING_SECRET, Math.floor(Date.now() / 1000) - 600)],
    ]
    for (const [label, headers] of cases) {
      const res = await provider(url, body, headers)
      expect(res.status, label).toBe(401)
      expect(res.headers.get('content-type')).toContain('application/problem+json')
      expect(JSON.parse(res.text), label).toMatchObject({ status: 401, code: 'webhook_signature_invalid' })
    }
    await sleep(300)
    expect(receiver.on('/slack-bad')).toEqual([])
    expect(await deliveryCount(env.tenant)).toBe(0)
  })

  it("answers Slack's url_verification with the challenge, without forwarding it", async () => {
    const env = await environment('/slack-handshake')
    const body = JSON.stringify({ token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' })
    const res = await provider(`/v1/webhooks/providers/${env.slackId}`, body, slackHeaders(body))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain')
    expect(res.text).toBe('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P')
    // Unsigned, it is refused like any other request.
    expect((await provider(`/v1/webhooks/providers/${env.slackId}`, body, { 'content-type': 'application/json' })).status).toBe(401)
    await sleep(200)
    expect(await deliveryCount(env.tenant)).toBe(0)
  })

  it('acknowledges an event no connection matches with 200 and forwards nothing', async () => {
    const env = await environment('/slack-unroutable')
    await connect(env.tenant, 'slack', 'user-1', { type: 'oauth2', accessToken: 'xoxb-1' }, { teamId: 'T0KNOWN' })
    for (const event of [{ team_id: 'T0UNKNOWN', type: 'event_callback', event: { type: 'message' } }, { type: 'event_callback', event: { type: 'message' } }]) {
      const body = JSON.stringify(event)
      const res = await provider(`/v1/webhooks/providers/${env.slackId}`, body, slackHeaders(body))
      expect(res.status).toBe(200)
    }
    await sleep(300)
    expect(receiver.on('/slack-unroutable')).toEqual([])
    expect(await deliveryCount(env.tenant)).toBe(0)
  })

  it("verifies per-connection URLs with the connection's own secret (Stripe) and keeps connections to their integration", async () => {
    const env = await environment('/stripe')
    const created = await api(env.tenant, 'POST', '/v1/integrations', { key: 'stripe', connectorId: 'stripe', syncSettings: { autoStart: false } })
    expect(created.status).toBe(201)
    const stripeId = (await findIntegrationByKey(t.ctx.db, env.tenant.environmentId, 'stripe'))!.id
    expect(created.json.providerWebhookUrl).toBe(`http://127.0.0.1:3999/v1/webhooks/providers/${stripeId}/{connectionId}`)
    const withSecret = await connect(env.tenant, 'stripe', 'user-1', { type: 'api_key', values: { apiKey: 'sk_test_1', webhookSecret: STRIPE_WEBHOOK_SECRET } })
    const withoutSecret = await connect(env.tenant, 'stripe', 'user-2', { type: 'api_key', values: { apiKey: 'sk_test_2' } })
    const slackConnection = await connect(env.tenant, 'slack', 'user-3', { type: 'oauth2', accessToken: 'xoxb-3' }, { teamId: 'T0S' })

    const event = { id: 'evt_1', object: 'event', type: 'invoice.paid', data: { object: { id: 'in_1' } } }
    const body = JSON.stringify(event)
    expect((await provider(`/v1/webhooks/providers/${stripeId}/${withSecret}`, body, stripeHeaders(body))).status).toBe(200)
    const [got] = await until(() => receiver.on('/stripe').length >= 1 && receiver.on('/stripe'))
    expect(JSON.parse(got!.body)).toMatchObject({ type: 'provider.webhook', data: { connectionId: withSecret, integration: 'stripe', endUserId: 'user-1', providerEventType: 'invoice.paid', body: event } })

    // Another account's secret does not verify this connection's URL.
    expect((await provider(`/v1/webhooks/providers/${stripeId}/${withSecret}`, body, stripeHeaders(body, 'whsec_someoneelse'))).status).toBe(401)
    // A connection without a secret: 409; a connection of another integration, an unknown one, or none: 404.
    const missing = await provider(`/v1/webhooks/providers/${stripeId}/${withoutSecret}`, body, stripeHeaders(body))
    expect([missing.status, JSON.parse(missing.text).code]).toEqual([409, 'webhook_secret_missing'])
    for (const path of [`/v1/webhooks/providers/${stripeId}/${slackConnection}`, `/v1/webhooks/providers/${stripeId}/conn_doesnotexist`, `/v1/webhooks/providers/${stripeId}`]) {
      const r = await provider(path, body, stripeHeaders(body))
      expect([r.status, JSON.parse(r.text).code], path).toEqual([404, 'not_found'])
    }
    await sleep(300)
    expect(receiver.on('/stripe')).toHaveLength(1)
  })

  it('refuses unknown integrations, connectors without webhooks and a missing secret with clear codes', async () => {
    const env = await environment('/codes')
    const body = JSON.stringify({ team_id: 'T1', type: 'event_callback' })
    const unknown = await provider('/v1/webhooks/providers/int_doesnotexist', body, slackHeaders(body))
    expect([unknown.status, JSON.parse(unknown.text).code]).toEqual([404, 'not_found'])

    expect((await api(env.tenant, 'POST', '/v1/integrations', { key: 'crm', connectorId: 'demo-crm-api-key', syncSettings: { autoStart: false } })).status).toBe(201)
    const crm = await api(env.tenant, 'GET', '/v1/integrations/crm')
    expect(crm.json.providerWebhookUrl).toBeNull()
    const crmId = (await findIntegrationByKey(t.ctx.db, env.tenant.environmentId, 'crm'))!.id
    const none = await provider(`/v1/webhooks/providers/${crmId}`, body, slackHeaders(body))
    expect([none.status, JSON.parse(none.text).code]).toEqual([404, 'webhooks_not_supported'])

    expect((await api(env.tenant, 'PATCH', '/v1/integrations/slack', { webhookSecret: null })).json.webhookSecretSet).toBe(false)
    const noSecret = await provider(`/v1/webhooks/providers/${env.slackId}`, body, slackHeaders(body))
    expect([noSecret.status, JSON.parse(noSecret.text).code]).toEqual([409, 'webhook_secret_missing'])

    // A disabled integration does not receive.
    expect((await api(env.tenant, 'PATCH', '/v1/integrations/slack', { webhookSecret: SLACK_SIGNING_SECRET, enabled: false })).status).toBe(200)
    expect((await provider(`/v1/webhooks/providers/${env.slackId}`, body, slackHeaders(body))).status).toBe(404)
  })

  it('refuses a body over 1 MiB with 413 before reading it', async () => {
    const env = await environment('/big')
    await connect(env.tenant, 'slack', 'user-1', { type: 'oauth2', accessToken: 'xoxb-1' }, { teamId: 'T0BIG' })
    const big = JSON.stringify({ team_id: 'T0BIG', type: 'event_callback', pad: 'x'.repeat(MAX_PROVIDER_WEBHOOK_BYTES) })
    const res = await provider(`/v1/webhooks/providers/${env.slackId}`, big, slackHeaders(big))
    expect(res.status).toBe(413)
    expect(JSON.parse(res.text)).toMatchObject({ code: 'payload_too_large' })
    // Just under the limit is fine.
    const fits = JSON.stringify({ team_id: 'T0BIG', type: 'event_callback', pad: 'x'.repeat(MAX_PROVIDER_WEBHOOK_BYTES - 200) })
    expect((await provider(`/v1/webhooks/providers/${env.slackId}`, fits, slackHeaders(fits))).status).toBe(200)
  })

  it('lets a custom (JSON) connector declare webhooks: header routing with a capture group, URL in the signature', async () => {
    const env = await environment('/custom')
    expect((await api(env.tenant, 'PUT', '/v1/connectors/custom/shop-api', CUSTOM_CONNECTOR)).status).toBe(201)
    const created = await api(env.tenant, 'POST', '/v1/integrations', { key: 'shop', connectorId: 'shop-api', webhookSecret: CUSTOM_SECRET, syncSettings: { autoStart: false } })
    expect(created.status).toBe(201)
    const shopId = (await findIntegrationByKey(t.ctx.db, env.tenant.environmentId, 'shop'))!.id
    const connectionId = await connect(env.tenant, 'shop', 'user-1', { type: 'api_key', values: { apiKey: 'k' } }, { shop: 'acme' })
    const body = JSON.stringify({ order: 42 })
    // Signed over the URL the provider was given (PUBLIC_URL + path + query).
    const sign = (url: string) => createHmac('sha256', CUSTOM_SECRET).update(`POST${url}${body}`).digest('base64')
    const path = `/v1/webhooks/providers/${shopId}?source=shop`
    const headers = (url: string) => ({ 'content-type': 'application/json', 'x-shop-domain': 'acme.shop.example', 'x-shop-topic': 'orders/create', 'x-shop-hmac': sign(url) })
    expect((await provider(path, body, headers(`http://127.0.0.1:3999${path}`))).status).toBe(200)
    const [got] = await until(() => receiver.on('/custom').length >= 1 && receiver.on('/custom'))
    expect(JSON.parse(got!.body)).toMatchObject({ data: { connectionId, providerEventType: 'orders/create', body: { order: 42 } } })
    // Signed for another URL: refused.
    expect((await provider(path, body, headers(`https://elsewhere.example${path}`))).status).toBe(401)
  })

  it('keeps the webhook secret write-only: set, changed, cleared, encrypted at rest, refused where it does not apply', async () => {
    const env = await environment('/secret')
    const got = await api(env.tenant, 'GET', '/v1/integrations/slack')
    expect(got.json.webhookSecretSet).toBe(true)
    expect(got.json).not.toHaveProperty('webhookSecret')
    const patched = await api(env.tenant, 'PATCH', '/v1/integrations/slack', { displayName: 'Slack (prod)' })
    expect(patched.json.webhookSecretSet).toBe(true)
    const row = await findIntegrationByKey(t.ctx.db, env.tenant.environmentId, 'slack')
    expect(row!.webhookSecretEnc).toMatch(/^pb1:/)
    expect(row!.webhookSecretEnc).not.toContain(SLACK_SIGNING_SECRET)
    // GitHub signs with an integration secret too; Stripe and HubSpot-style connectors do not take one.
    const stripe = await api(env.tenant, 'POST', '/v1/integrations', { key: 'stripe2', connectorId: 'stripe', webhookSecret: 'whsec_x' })
    expect(stripe.status).toBe(400)
    expect(stripe.json.errors).toEqual([expect.objectContaining({ path: 'webhookSecret' })])
    const crm = await api(env.tenant, 'POST', '/v1/integrations', { key: 'crm2', connectorId: 'demo-crm-api-key', webhookSecret: 'x' })
    expect([crm.status, (crm.json.errors as { path: string }[])[0]!.path]).toEqual([400, 'webhookSecret'])
  })

  it("verifies Twilio's form posts on a per-connection URL with the connection's Auth Token (URL and sorted fields signed)", async () => {
    const env = await environment('/twilio')
    expect((await api(env.tenant, 'POST', '/v1/integrations', { key: 'twilio', connectorId: 'twilio', syncSettings: { autoStart: false } })).status).toBe(201)
    const twilioId = (await findIntegrationByKey(t.ctx.db, env.tenant.environmentId, 'twilio'))!.id
    const accountSid = `AC${'0'.repeat(32)}`
    const connectionId = await connect(env.tenant, 'twilio', 'user-1', { type: 'basic', values: { username: `SK${'1'.repeat(32)}`, password: 'a'.repeat(32), authToken: TWILIO_AUTH_TOKEN } }, { accountSid })
    const fields = { To: '+15558675310', From: '+15017122661', Body: 'Hi there', AccountSid: accountSid, MessageSid: `SM${'2'.repeat(32)}` }
    const body = new URLSearchParams(fields).toString()
    const path = `/v1/webhooks/providers/${twilioId}/${connectionId}?kind=sms`
    // https://www.twilio.com/docs/usage/security#validating-requests: the full URL, then each field name and value sorted by name.
    const signed = `http://127.0.0.1:3999${path}` + Object.keys(fields).sort().map((k) => k + fields[k as keyof typeof fields]).join('')
    const headers = (token: string) => ({ 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': createHmac('sha1', token).update(signed).digest('base64') })
    expect((await provider(path, body, headers(TWILIO_AUTH_TOKEN))).status).toBe(200)
    const [got] = await until(() => receiver.on('/twilio').length >= 1 && receiver.on('/twilio'))
    expect(JSON.parse(got!.body)).toMatchObject({ type: 'provider.webhook', data: { connectionId, connectorId: 'twilio', providerEventType: null, body: fields } })
    // The API key secret is not the signing key; a changed field fails.
    expect((await provider(path, body, headers('a'.repeat(32)))).status).toBe(401)
    expect((await provider(path, body.replace('Hi+there', 'Bye'), headers(TWILIO_AUTH_TOKEN))).status).toBe(401)
    await sleep(300)
    expect(receiver.on('/twilio')).toHaveLength(1)
  })

  it("routes QuickBooks' CloudEvents batches by intuitaccountid to the company's connection, and never a mixed batch", async () => {
    const env = await environment('/quickbooks')
    expect((await api(env.tenant, 'POST', '/v1/integrations', { key: 'quickbooks', connectorId: 'quickbooks', clientId: 'qbo-client', clientSecret: 'qbo-client-secret', webhookSecret: QUICKBOOKS_VERIFIER_TOKEN, syncSettings: { autoStart: false } })).status).toBe(201)
    const qboId = (await findIntegrationByKey(t.ctx.db, env.tenant.environmentId, 'quickbooks'))!.id
    const acme = await connect(env.tenant, 'quickbooks', 'user-1', { type: 'oauth2', accessToken: 'qbo-at-1' }, { apiHost: 'quickbooks.api.intuit.com', realmId: '310687' })
    await connect(env.tenant, 'quickbooks', 'user-2', { type: 'oauth2', accessToken: 'qbo-at-2' }, { apiHost: 'quickbooks.api.intuit.com', realmId: '9130347596842384658' })
    const event = (realm: string, id: string) => ({ specversion: '1.0', id, source: 'intuit.x', type: 'qbo.customer.created.v1', datacontenttype: 'application/json', time: '2026-12-01T10:00:00Z', intuitentityid: '58', intuitaccountid: realm, data: {} })
    const post = (batch: unknown[]) => {
      const body = JSON.stringify(batch)
      return provider(`/v1/webhooks/providers/${qboId}`, body, { 'content-type': 'application/json', 'intuit-signature': createHmac('sha256', QUICKBOOKS_VERIFIER_TOKEN).update(body).digest('base64') })
    }
    expect((await post([event('310687', 'e1'), event('310687', 'e2')])).status).toBe(200)
    const [got] = await until(() => receiver.on('/quickbooks').length >= 1 && receiver.on('/quickbooks'))
    expect(JSON.parse(got!.body)).toMatchObject({ data: { connectionId: acme, providerEventType: 'qbo.customer.created.v1', body: [{ id: 'e1' }, { id: 'e2' }] } })
    // A batch naming two companies is acknowledged and forwarded to neither.
    expect((await post([event('310687', 'e3'), event('9130347596842384658', 'e4')])).status).toBe(200)
    await sleep(300)
    expect(receiver.on('/quickbooks')).toHaveLength(1)
  })

  it("answers Xero's Intent to receive (200 / bare 401), its HEAD probe, and splits a payload of two organisations", async () => {
    // https://developer.xero.com/documentation/guides/webhooks/overview/: x-xero-signature = base64 HMAC-SHA256 of the body with the webhook key.
    const env = await environment('/xero')
    const created = await api(env.tenant, 'POST', '/v1/integrations', { key: 'xero', connectorId: 'xero', clientId: 'xero-client', clientSecret: 'xero-client-secret', webhookSecret: XERO_WEBHOOK_KEY, syncSettings: { autoStart: false } })
    expect(created.status).toBe(201)
    const xeroId = (await findIntegrationByKey(t.ctx.db, env.tenant.environmentId, 'xero'))!.id
    const url = `/v1/webhooks/providers/${xeroId}`
    expect(created.json.providerWebhookUrl).toBe(`http://127.0.0.1:3999${url}`)
    const sign = (body: string, key = XERO_WEBHOOK_KEY) => ({ 'content-type': 'application/json', 'x-xero-signature': createHmac('sha256', key).update(body).digest('base64') })

    const itr = JSON.stringify({ events: [], lastEventSequence: 0, firstEventSequence: 0, entropy: 'S0m3r4Nd0mt3xt' })
    const ok = await provider(url, itr, sign(itr))
    expect([ok.status, ok.text]).toEqual([200, ''])
    const bad = await provider(url, itr, sign(itr, 'not-the-webhook-key'))
    expect([bad.status, bad.text, bad.headers.get('content-type')]).toEqual([401, '', null])
    expect((await provider(url, itr, { 'content-type': 'application/json' })).status).toBe(401)

    // Providers probing the URL (Intercom sends HEAD when it is saved): 200 without a body; unknown ones 404.
    const head = await t.app.request(url, { method: 'HEAD' })
    expect([head.status, await head.text()]).toEqual([200, ''])
    expect((await t.app.request('/v1/webhooks/providers/int_doesnotexist', { method: 'HEAD' })).status).toBe(404)

    const [tenantA, tenantB] = ['c2cc9b6e-9458-4c7d-93cc-f02b81b0594f', 'fe79f7dd-b6d4-4a92-ba7b-538af6289c58']
    const a = await connect(env.tenant, 'xero', 'user-a', { type: 'oauth2', accessToken: 'xa' }, { tenantId: tenantA })
    const b = await connect(env.tenant, 'xero', 'user-b', { type: 'oauth2', accessToken: 'xb' }, { tenantId: tenantB })
    const ev = (tenantId: string, eventCategory: string, n: number) => ({ resourceUrl: `https://api.xero.com/api.xro/2.0/Contacts/${n}`, resourceId: String(n), eventDateUtc: '2026-10-05T08:59:39.902', eventType: 'UPDATE', eventCategory, tenantId, tenantType: 'ORGANISATION' })
    const payload = { events: [ev(tenantA, 'CONTACT', 1), ev(tenantB, 'INVOICE', 2), ev(tenantA, 'CONTACT', 3)], firstEventSequence: 1, lastEventSequence: 3, entropy: 'KQXWTBHZLM' }
    const body = JSON.stringify(payload)
    expect((await provider(url, body, sign(body))).status).toBe(200)
    const got = await until(() => receiver.on('/xero').length >= 2 && receiver.on('/xero'))
    const byConnection = Object.fromEntries(got.map((r) => JSON.parse(r.body) as { data: { connectionId: string } }).map((e) => [e.data.connectionId, e.data]))
    expect(byConnection[a]).toMatchObject({ providerEventType: 'CONTACT', body: { ...payload, events: [payload.events[0], payload.events[2]] } })
    expect(byConnection[b]).toMatchObject({ providerEventType: 'INVOICE', body: { ...payload, events: [payload.events[1]] } })
    await sleep(300)
    expect(receiver.on('/xero')).toHaveLength(2)
  })

  it('verifies HubSpot v3 over the URL it called (partly decoded) with the client secret, and routes by portalId', async () => {
    const env = await environment('/hubspot')
    expect((await api(env.tenant, 'POST', '/v1/integrations', { key: 'hubspot', connectorId: 'hubspot', clientId: 'hs-client', clientSecret: HUBSPOT_CLIENT_SECRET, syncSettings: { autoStart: false } })).status).toBe(201)
    const hubspotId = (await findIntegrationByKey(t.ctx.db, env.tenant.environmentId, 'hubspot'))!.id
    const connectionId = await connect(env.tenant, 'hubspot', 'user-1', { type: 'oauth2', accessToken: 'hs-token' }, { portalId: '33' })
    const path = `/v1/webhooks/providers/${hubspotId}?app=crm%3Async`
    const events = [{ eventId: 1, subscriptionId: 25, portalId: 33, appId: 1160452, occurredAt: Date.now(), subscriptionType: 'contact.creation', attemptNumber: 0, objectId: 123 }]
    const body = JSON.stringify(events)
    const ts = String(Date.now())
    // https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests: method + URI (%3A decoded) + body + timestamp.
    const sign = (uri: string) => createHmac('sha256', HUBSPOT_CLIENT_SECRET).update(`POST${uri}${body}${ts}`).digest('base64')
    const headers = (uri: string) => ({ 'content-type': 'application/json', 'x-hubspot-request-timestamp': ts, 'x-hubspot-signature-v3': sign(uri) })
    const refused = await provider(path, body, headers(`http://127.0.0.1:3999${path}`))
    expect([refused.status, JSON.parse(refused.text).code]).toEqual([401, 'webhook_signature_invalid'])
    expect((await provider(path, body, headers(`http://127.0.0.1:3999${path.replace('%3A', ':')}`))).status).toBe(200)
    const [got] = await until(() => receiver.on('/hubspot').length >= 1 && receiver.on('/hubspot'))
    expect(JSON.parse(got!.body)).toMatchObject({ data: { connectionId, providerEventType: 'contact.creation', body: events } })
  })

  it("verifies Zendesk with the connection's own secret, which the vendor sets and clears through the API (write-only)", async () => {
    const env = await environment('/zendesk')
    expect((await api(env.tenant, 'POST', '/v1/integrations', { key: 'zendesk', connectorId: 'zendesk', clientId: 'zd-client', clientSecret: 'zd-client-secret', syncSettings: { autoStart: false } })).status).toBe(201)
    const zendeskId = (await findIntegrationByKey(t.ctx.db, env.tenant.environmentId, 'zendesk'))!.id
    const connectionId = await connect(env.tenant, 'zendesk', 'user-1', { type: 'oauth2', accessToken: 'zd-token' }, { subdomain: 'acme' })
    const other = await connect(env.tenant, 'zendesk', 'user-2', { type: 'oauth2', accessToken: 'zd-token-2' }, { subdomain: 'globex' })
    const slackConnection = await connect(env.tenant, 'slack', 'user-3', { type: 'oauth2', accessToken: 'xoxb-1' }, { teamId: 'T0ZD' })
    const path = `/v1/webhooks/providers/${zendeskId}/${connectionId}`

    // The connection view gives the URL to create the webhook with, and no secret yet.
    const before = await api(env.tenant, 'GET', `/v1/connections/${connectionId}`)
    expect(before.json).toMatchObject({ id: connectionId, webhookSecretSet: false, providerWebhookUrl: `http://127.0.0.1:3999${path}` })
    expect((await api(env.tenant, 'GET', `/v1/connections/${slackConnection}`)).json).toMatchObject({ webhookSecretSet: false, providerWebhookUrl: env.slackUrl })

    // https://developer.zendesk.com/documentation/webhooks/verifying/: base64(HMAC-SHA256(timestamp + body)).
    const event = { type: 'zen:event-type:user.active_changed', account_id: 12514403, id: '2b24ef10-19d4-4740-93cf-8f98ec4776c0', subject: 'zen:user:6596848315901', detail: { id: '6596848315901' }, event: { current: false, previous: true } }
    const body = JSON.stringify(event)
    const zendeskHeaders = (secret: string, ts = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')) => ({ 'content-type': 'application/json', 'x-zendesk-webhook-signature-timestamp': ts, 'x-zendesk-webhook-signature': createHmac('sha256', secret).update(ts + body).digest('base64') })
    const missing = await provider(path, body, zendeskHeaders(ZENDESK_SIGNING_SECRET))
    expect([missing.status, JSON.parse(missing.text).code]).toEqual([409, 'webhook_secret_missing'])

    // Set: 204 with no body; refused where the connector takes no connection secret, or malformed.
    const set = await t.call('PUT', `/v1/connections/${connectionId}/webhook-secret`, { token: env.tenant.secretKey, body: { secret: ZENDESK_SIGNING_SECRET } })
    const setText = await set.text()
    responses.push(setText)
    expect([set.status, setText]).toEqual([204, ''])
    const refused = await api(env.tenant, 'PUT', `/v1/connections/${slackConnection}/webhook-secret`, { secret: ZENDESK_SIGNING_SECRET })
    expect([refused.status, refused.json.code]).toEqual([409, 'webhook_secret_not_accepted'])
    expect((await findConnectionRow(t.ctx.db, slackConnection))!.webhookSecretEnc).toBeNull()
    expect((await api(env.tenant, 'PUT', `/v1/connections/${connectionId}/webhook-secret`, { secret: '' })).status).toBe(400)
    expect((await api(env.tenant, 'PUT', `/v1/connections/conn_doesnotexist/webhook-secret`, { secret: 'x' })).status).toBe(404)
    // Another environment cannot set it on this connection.
    expect((await api(await t.newTenant(), 'PUT', `/v1/connections/${connectionId}/webhook-secret`, { secret: 'attacker-secret' })).status).toBe(404)
    const row = (await findConnectionRow(t.ctx.db, connectionId))!
    expect(row.webhookSecretEnc).toMatch(/^pb1:dek_[A-Za-z0-9]+:/)
    expect(row.webhookSecretEnc).not.toContain(ZENDESK_SIGNING_SECRET)
    expect((await api(env.tenant, 'GET', `/v1/connections/${connectionId}`)).json).toMatchObject({ webhookSecretSet: true })
    const listed = (await api(env.tenant, 'GET', '/v1/connections?integration=zendesk')).json.data as { id: string; webhookSecretSet: boolean }[]
    expect(listed.map((c) => [c.id, c.webhookSecretSet]).sort()).toEqual([[connectionId, true], [other, false]].sort())

    // A signed event on the connection's URL is delivered; another secret, or another connection's URL, is refused.
    expect((await provider(path, body, zendeskHeaders(ZENDESK_SIGNING_SECRET))).status).toBe(200)
    const [got] = await until(() => receiver.on('/zendesk').length >= 1 && receiver.on('/zendesk'))
    expect(JSON.parse(got!.body)).toMatchObject({ type: 'provider.webhook', data: { connectionId, integration: 'zendesk', connectorId: 'zendesk', endUserId: 'user-1', providerEventType: 'zen:event-type:user.active_changed', body: event } })
    const wrong = await provider(path, body, zendeskHeaders('zendesk-secret-of-another-webhook'))
    expect([wrong.status, JSON.parse(wrong.text).code]).toEqual([401, 'webhook_signature_invalid'])
    const stale = await provider(path, body, zendeskHeaders(ZENDESK_SIGNING_SECRET, new Date(Date.now() - 600_000).toISOString()))
    expect(stale.status).toBe(401)
    expect((await provider(`/v1/webhooks/providers/${zendeskId}/${other}`, body, zendeskHeaders(ZENDESK_SIGNING_SECRET))).status).toBe(409)

    // Cleared: events are refused again until a secret is set.
    const cleared = await t.call('DELETE', `/v1/connections/${connectionId}/webhook-secret`, { token: env.tenant.secretKey })
    expect([cleared.status, await cleared.text()]).toEqual([204, ''])
    expect((await findConnectionRow(t.ctx.db, connectionId))!.webhookSecretEnc).toBeNull()
    expect((await api(env.tenant, 'GET', `/v1/connections/${connectionId}`)).json).toMatchObject({ webhookSecretSet: false })
    const after = await provider(path, body, zendeskHeaders(ZENDESK_SIGNING_SECRET))
    expect([after.status, JSON.parse(after.text).code]).toEqual([409, 'webhook_secret_missing'])
    await sleep(300)
    expect(receiver.on('/zendesk')).toHaveLength(1)
  })

  it("stores Asana's X-Hook-Secret on first use, echoes it, verifies events with it, and refuses another until it is cleared", async () => {
    const env = await environment('/asana')
    expect((await api(env.tenant, 'POST', '/v1/integrations', { key: 'asana', connectorId: 'asana', clientId: 'asana-client', clientSecret: 'asana-client-secret', syncSettings: { autoStart: false } })).status).toBe(201)
    const asanaId = (await findIntegrationByKey(t.ctx.db, env.tenant.environmentId, 'asana'))!.id
    const connectionId = await connect(env.tenant, 'asana', 'user-1', { type: 'oauth2', accessToken: 'asana-token' })
    const other = await connect(env.tenant, 'asana', 'user-2', { type: 'oauth2', accessToken: 'asana-token-2' })
    const path = `/v1/webhooks/providers/${asanaId}/${connectionId}`
    expect((await api(env.tenant, 'GET', `/v1/connections/${connectionId}`)).json).toMatchObject({ webhookSecretSet: false, providerWebhookUrl: `http://127.0.0.1:3999${path}` })

    // https://developers.asana.com/reference/createwebhook: the handshake is a POST with X-Hook-Secret, answered 200 with the same header.
    const handshake = (secret: string, url = path) => provider(url, '', { 'x-hook-secret': secret })
    const first = await handshake(ASANA_HOOK_SECRET)
    expect([first.status, first.text, first.headers.get('x-hook-secret')]).toEqual([200, '', ASANA_HOOK_SECRET])
    const row = (await findConnectionRow(t.ctx.db, connectionId))!
    expect(row.webhookSecretEnc).toMatch(/^pb1:dek_[A-Za-z0-9]+:/)
    expect(row.webhookSecretEnc).not.toContain(ASANA_HOOK_SECRET)
    expect((await api(env.tenant, 'GET', `/v1/connections/${connectionId}`)).json).toMatchObject({ webhookSecretSet: true })

    // Events: X-Hook-Signature = hex HMAC-SHA256 of the body with that secret.
    const payload = { events: [{ user: { gid: '1516', resource_type: 'user' }, created_at: '2026-12-01T10:00:00.000Z', action: 'changed', resource: { gid: '1337', resource_type: 'task' }, parent: null }] }
    const body = JSON.stringify(payload)
    const sign = (secret: string) => ({ 'content-type': 'application/json', 'x-hook-signature': createHmac('sha256', secret).update(body).digest('hex') })
    expect((await provider(path, body, sign(ASANA_HOOK_SECRET))).status).toBe(200)
    const [got] = await until(() => receiver.on('/asana').length >= 1 && receiver.on('/asana'))
    expect(JSON.parse(got!.body)).toMatchObject({ type: 'provider.webhook', data: { connectionId, connectorId: 'asana', endUserId: 'user-1', providerEventType: null, body: payload } })
    expect((await provider(path, body, sign('asana-secret-of-someone-else'))).status).toBe(401)

    // A second handshake with another secret is refused and changes nothing; the same one is echoed again.
    const second = await handshake('asana-attacker-secret-1f2e')
    expect([second.status, JSON.parse(second.text).code, second.headers.get('x-hook-secret')]).toEqual([409, 'conflict', null])
    expect((await findConnectionRow(t.ctx.db, connectionId))!.webhookSecretEnc).toBe(row.webhookSecretEnc)
    expect((await handshake(ASANA_HOOK_SECRET)).status).toBe(200)
    expect((await provider(path, body, sign('asana-attacker-secret-1f2e'))).status).toBe(401)
    // Another connection has no secret: its events are refused until its own handshake.
    expect((await provider(`/v1/webhooks/providers/${asanaId}/${other}`, body, sign(ASANA_HOOK_SECRET))).status).toBe(409)

    // Once the vendor clears it, the next handshake sets a new one.
    const cleared = await t.call('DELETE', `/v1/connections/${connectionId}/webhook-secret`, { token: env.tenant.secretKey })
    expect(cleared.status).toBe(204)
    const renewed = await handshake('asana-hook-secret-renewed-77')
    expect([renewed.status, renewed.headers.get('x-hook-secret')]).toEqual([200, 'asana-hook-secret-renewed-77'])
    expect((await provider(path, body, sign(ASANA_HOOK_SECRET))).status).toBe(401)
    expect((await provider(path, body, sign('asana-hook-secret-renewed-77'))).status).toBe(200)
    await until(() => receiver.on('/asana').length >= 2)
    await sleep(300)
    expect(receiver.on('/asana')).toHaveLength(2)
  })

  it("answers Zoom's endpoint.url_validation with the encryptedToken and routes a signed event by account_id", async () => {
    const env = await environment('/zoom')
    const created = await api(env.tenant, 'POST', '/v1/integrations', { key: 'zoom', connectorId: 'zoom', clientId: 'zoom-client', clientSecret: 'zoom-client-secret', webhookSecret: ZOOM_SECRET_TOKEN, syncSettings: { autoStart: false } })
    expect(created.status).toBe(201)
    const zoomId = (await findIntegrationByKey(t.ctx.db, env.tenant.environmentId, 'zoom'))!.id
    const url = `/v1/webhooks/providers/${zoomId}`
    expect(created.json.providerWebhookUrl).toBe(`http://127.0.0.1:3999${url}`)
    const acme = await connect(env.tenant, 'zoom', 'user-1', { type: 'oauth2', accessToken: 'zoom-at-1' }, { accountId: 'q6gBJVO5TzexKYTb_I2rpg' })
    await connect(env.tenant, 'zoom', 'user-2', { type: 'oauth2', accessToken: 'zoom-at-2' }, { accountId: 'OtherAccount_01' })
    // https://developers.zoom.us/docs/api/webhooks/: x-zm-signature = v0= + hex HMAC-SHA256 of v0:{timestamp}:{body}.
    const sign = (body: string, secret = ZOOM_SECRET_TOKEN) => {
      const ts = String(Math.floor(Date.now() / 1000))
      return { 'content-type': 'application/json', 'x-zm-request-timestamp': ts, 'x-zm-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}` }
    }

    const plainToken = 'qgg8vlvZRS6UYooatFL8Aw'
    const validation = JSON.stringify({ payload: { plainToken }, event_ts: Date.now(), event: 'endpoint.url_validation' })
    const answered = await provider(url, validation, sign(validation))
    expect(answered.status).toBe(200)
    expect(answered.headers.get('content-type')).toContain('application/json')
    expect(JSON.parse(answered.text)).toEqual({ plainToken, encryptedToken: createHmac('sha256', ZOOM_SECRET_TOKEN).update(plainToken).digest('hex') })
    // Unsigned, or signed with another token, it is refused: the answer is an HMAC of a value the caller chose.
    expect((await provider(url, validation, { 'content-type': 'application/json' })).status).toBe(401)
    expect((await provider(url, validation, sign(validation, 'another-apps-token'))).status).toBe(401)

    const event = { event: 'meeting.started', event_ts: Date.now(), payload: { account_id: 'q6gBJVO5TzexKYTb_I2rpg', object: { id: '1234567890', topic: 'My Meeting' } } }
    const body = JSON.stringify(event)
    expect((await provider(url, body, sign(body))).status).toBe(200)
    const [got] = await until(() => receiver.on('/zoom').length >= 1 && receiver.on('/zoom'))
    expect(JSON.parse(got!.body)).toMatchObject({ type: 'provider.webhook', data: { connectionId: acme, connectorId: 'zoom', providerEventType: 'meeting.started', body: event } })
    await sleep(300)
    expect(receiver.on('/zoom')).toHaveLength(1)
  })

  it("stores Notion's verification_token on first use only, reveals it once, then verifies and routes events by workspace_id", async () => {
    const env = await environment('/notion')
    const created = await api(env.tenant, 'POST', '/v1/integrations', { key: 'notion', connectorId: 'notion', clientId: 'notion-client', clientSecret: 'notion-client-secret', syncSettings: { autoStart: false } })
    expect(created.status).toBe(201)
    const notionId = (await findIntegrationByKey(t.ctx.db, env.tenant.environmentId, 'notion'))!.id
    const url = `/v1/webhooks/providers/${notionId}`
    expect(created.json).toMatchObject({ providerWebhookUrl: `http://127.0.0.1:3999${url}`, webhookSecretSet: false })
    const workspaceA = '13950b26-c203-4f3b-b97d-93ec06319565'
    const acme = await connect(env.tenant, 'notion', 'user-1', { type: 'oauth2', accessToken: 'notion-at-1' }, { workspaceId: workspaceA, botId: 'bot-1' })
    await connect(env.tenant, 'notion', 'user-2', { type: 'oauth2', accessToken: 'notion-at-2' }, { workspaceId: 'a0b1c2d3-0000-4000-8000-000000000002', botId: 'bot-2' })
    /** The reveal answer holds the secret by design: read with t.call so it stays out of the leak check. */
    const reveal = async () => {
      const r = await t.call('POST', '/v1/integrations/notion/webhook-secret/reveal', { token: env.tenant.secretKey })
      return { status: r.status, cacheControl: r.headers.get('cache-control'), json: (await r.json()) as Record<string, unknown> }
    }
    // Every log line of this test, with the production redaction rules: the token must appear in none.
    const logLines: string[] = []
    const log = t.ctx.log
    ;(t.ctx as { log: unknown }).log = pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) }))
    onTestFinished(() => void ((t.ctx as { log: unknown }).log = log))
    // Nothing to reveal before Notion's handshake.
    expect((await reveal()).json.code).toBe('webhook_secret_not_revealable')
    // https://developers.notion.com/reference/webhooks step 3: sha256= + hex HMAC-SHA256 of the body, keyed with the verification_token.
    const sign = (body: string, key = NOTION_VERIFICATION_TOKEN) => ({ 'content-type': 'application/json', 'x-notion-signature': `sha256=${createHmac('sha256', key).update(body).digest('hex')}` })
    const event = { id: '367cba44-b6f3-4c92-81e7-6a2e9659efd4', timestamp: '2026-12-01T10:00:00.000Z', workspace_id: workspaceA, subscription_id: '29d75c0d-5546-4414-8459-7b7a92f1fc4b', integration_id: '0ef2e755-4912-8096-91c1-00376a88a5ca', type: 'page.created', authors: [{ id: 'c7c11cca-1d73-471d-9b6e-bdef51470190', type: 'person' }], attempt_number: 1, entity: { id: '153104cd-477e-809d-8dc4-ff2d96ae3090', type: 'page' } }
    const body = JSON.stringify(event)
    // Before the handshake there is no secret: events are refused, not forwarded.
    expect((await provider(url, body, sign(body))).status).toBe(409)

    // Step 2: a one-time, unsigned POST of { verification_token } when the subscription is created.
    const handshake = (token: string) => provider(url, JSON.stringify({ verification_token: token }), { 'content-type': 'application/json' })
    const first = await handshake(NOTION_VERIFICATION_TOKEN)
    expect([first.status, first.text]).toEqual([200, ''])
    const row = (await findIntegrationByKey(t.ctx.db, env.tenant.environmentId, 'notion'))!
    expect(row.webhookSecretEnc).toMatch(/^pb1:dek_[A-Za-z0-9]+:/)
    expect(row.webhookSecretEnc).not.toContain(NOTION_VERIFICATION_TOKEN)
    expect(row.webhookSecretRevealable).toBe(true)
    expect((await api(env.tenant, 'GET', '/v1/integrations/notion')).json).toMatchObject({ webhookSecretSet: true })

    // A second handshake with another token is refused and changes nothing; the same token again is accepted.
    const second = await handshake('secret_attackerToken0001')
    expect([second.status, JSON.parse(second.text).code]).toEqual([409, 'conflict'])
    expect((await findIntegrationByKey(t.ctx.db, env.tenant.environmentId, 'notion'))!.webhookSecretEnc).toBe(row.webhookSecretEnc)
    expect((await handshake(NOTION_VERIFICATION_TOKEN)).status).toBe(200)

    // The vendor reads it once, to paste it into Notion; then it is write-only.
    const revealed = await reveal()
    expect([revealed.status, revealed.json, revealed.cacheControl]).toEqual([200, { secret: NOTION_VERIFICATION_TOKEN }, 'no-store'])
    const again = await reveal()
    expect([again.status, again.json.code]).toEqual([409, 'webhook_secret_not_revealable'])
    expect(JSON.stringify(again.json)).not.toContain(NOTION_VERIFICATION_TOKEN)

    // Signed events are verified with it and routed by workspace_id, with the event type from `type`.
    expect((await provider(url, body, sign(body))).status).toBe(200)
    const [got] = await until(() => receiver.on('/notion').length >= 1 && receiver.on('/notion'))
    expect(JSON.parse(got!.body)).toMatchObject({ type: 'provider.webhook', data: { connectionId: acme, connectorId: 'notion', endUserId: 'user-1', providerEventType: 'page.created', body: event } })
    expect((await provider(url, body, sign(body, 'secret_attackerToken0001'))).status).toBe(401)
    expect((await provider(url, body.replace('page.created', 'page.deleted'), sign(body))).status).toBe(401)

    // A secret the vendor sets is never revealable; clearing it lets a new subscription's handshake in, revealable once again.
    expect((await api(env.tenant, 'PATCH', '/v1/integrations/notion', { webhookSecret: 'secret_setByVendor0001' })).status).toBe(200)
    expect((await reveal()).json.code).toBe('webhook_secret_not_revealable')
    expect((await api(env.tenant, 'PATCH', '/v1/integrations/notion', { webhookSecret: null })).status).toBe(200)
    expect((await handshake('secret_renewedToken0002')).status).toBe(200)
    expect((await reveal()).json).toEqual({ secret: 'secret_renewedToken0002' })
    // Other connectors have nothing to reveal.
    const slackReveal = await t.call('POST', '/v1/integrations/slack/webhook-secret/reveal', { token: env.tenant.secretKey })
    expect([slackReveal.status, ((await slackReveal.json()) as { code: string }).code]).toEqual([409, 'webhook_secret_not_revealable'])
    await sleep(300)
    expect(receiver.on('/notion')).toHaveLength(1)
    expect(logLines.join('\n')).toContain('provider webhook secret revealed (once)')
    for (const token of [NOTION_VERIFICATION_TOKEN, 'secret_attackerToken0001', 'secret_renewedToken0002']) expect(logLines.filter((l) => l.includes(token))).toEqual([])
  })

  it('never returned a webhook secret in any response', () => {
    expect(responses.length).toBeGreaterThan(30)
    for (const secret of [SLACK_SIGNING_SECRET, STRIPE_WEBHOOK_SECRET, CUSTOM_SECRET, TWILIO_AUTH_TOKEN, QUICKBOOKS_VERIFIER_TOKEN, XERO_WEBHOOK_KEY, HUBSPOT_CLIENT_SECRET, ZENDESK_SIGNING_SECRET, ASANA_HOOK_SECRET, ZOOM_SECRET_TOKEN, NOTION_VERIFICATION_TOKEN]) expect(responses.filter((r) => r.includes(secret))).toEqual([])
  })
})
