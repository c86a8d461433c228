/**
 * The webhooks language: its schema and cross-checks, and each signature scheme on requests
 * signed here with Node's HMAC (the documented provider examples are in each connector's test).
 */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { connectorSchema, type ConnectorInput } from './schema'
import {
  connectorWebhooksSchema,
  decodeOctets,
  parseWebhookBody,
  safeEqual,
  verifyWebhookSignature,
  webhookEventType,
  webhookHandshake,
  webhookRouteParts,
  webhookRouteValue,
  webhookSignatureSchema,
  type ConnectorWebhooksInput,
  type IncomingWebhook,
} from './webhooks'

const SECRET = 'test-secret-1f4e'
const enc = (s: string) => new TextEncoder().encode(s)
const request = (body: string, headers: Record<string, string> = {}, extra: Partial<IncomingWebhook> = {}): IncomingWebhook => ({
  method: 'POST',
  url: 'https://patchbay.example/v1/webhooks/providers/int_1?x=1',
  headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
  rawBody: enc(body),
  ...extra,
})
const mac = (alg: string, message: string, encoding: 'hex' | 'base64', secret = SECRET) => createHmac(alg, secret).update(message).digest(encoding)
const sig = (input: unknown) => webhookSignatureSchema.parse(input)
const now = new Date('2026-03-01T12:00:00Z')
const nowS = Math.floor(now.getTime() / 1000)

/** A small connector to attach `webhooks` sections to. */
const connector = (webhooks: ConnectorWebhooksInput, more: Partial<ConnectorInput> = {}): ConnectorInput => ({
  id: 'example',
  name: 'Example',
  description: 'An example.',
  categories: ['other'],
  logo: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>',
  docsUrl: 'https://example.com/docs',
  auth: { type: 'oauth2', authorizationUrl: 'https://example.com/authorize', tokenUrl: 'https://example.com/token' },
  http: { baseUrl: 'https://api.example.com' },
  connectionConfig: { teamId: { label: 'Team', source: 'token', required: false } },
  webhooks,
  ...more,
})

describe('webhooks schema', () => {
  const base: ConnectorWebhooksInput = { secret: { from: 'integration' }, signature: { type: 'hmac', header: 'X-Sig' }, docs: 'https://example.com/webhooks' }

  it('fills defaults: HMAC-SHA256 hex of the body, 300 s tolerance', () => {
    const w = connectorWebhooksSchema.parse({ ...base, signature: { type: 'hmac', header: 'X-Sig', timestamp: { header: 'X-Ts' } } })
    expect(w.signature).toEqual({ type: 'hmac', algorithm: 'sha256', encoding: 'hex', header: 'X-Sig', prefix: '', signed: ['body'], timestamp: { header: 'X-Ts', unit: 's', toleranceSeconds: 300 } })
    expect(connectorWebhooksSchema.parse({ ...base, signature: { type: 'stripe' } }).signature).toEqual({ type: 'stripe', header: 'Stripe-Signature', scheme: 'v1', toleranceSeconds: 300 })
  })

  it('refuses typos, unknown schemes, patterns without exactly one group, and timestamps in two places', () => {
    expect(connectorWebhooksSchema.safeParse({ ...base, extra: 1 }).success).toBe(false)
    expect(connectorWebhooksSchema.safeParse({ ...base, signature: { type: 'rsa', header: 'X' } }).success).toBe(false)
    expect(connectorWebhooksSchema.safeParse({ ...base, signature: { type: 'hmac', header: 'X', algorithm: 'md5' } }).success).toBe(false)
    expect(connectorWebhooksSchema.safeParse({ ...base, route: { header: 'X-Shop', pattern: '^[a-z]+$', connectionConfig: 'shop' } }).success).toBe(false)
    expect(connectorWebhooksSchema.safeParse({ ...base, route: { header: 'X-Shop', pattern: '^([a-z]+)\\.([a-z]+)$', connectionConfig: 'shop' } }).success).toBe(false)
    expect(connectorWebhooksSchema.safeParse({ ...base, route: { header: 'X-Shop', pattern: '^([a-z]+', connectionConfig: 'shop' } }).success).toBe(false)
    expect(connectorWebhooksSchema.safeParse({ ...base, route: { header: 'X-Shop', pattern: '^(?:www\\.)?([a-z]+)$', connectionConfig: 'shop' } }).success).toBe(true)
    expect(connectorWebhooksSchema.safeParse({ ...base, signature: { type: 'hmac', header: 'X', timestamp: { header: 'X-Ts', body: 'ts' } } }).success).toBe(false)
    expect(connectorWebhooksSchema.safeParse({ ...base, route: { header: 'X', body: 'y', connectionConfig: 'teamId' } }).success).toBe(false)
  })

  it('cross-checks the connector: routing config declared, clientSecret only with OAuth, credentials field exists', () => {
    expect(connectorSchema.safeParse(connector({ ...base, route: { body: 'team_id', connectionConfig: 'teamId' } })).success).toBe(true)
    const undeclared = connectorSchema.safeParse(connector({ ...base, route: { body: 'team_id', connectionConfig: 'workspace' } }))
    expect(undeclared.error?.issues.map((i) => i.path.join('.'))).toEqual(['webhooks.route.connectionConfig'])
    const apiKey = { type: 'api_key', inject: { headers: { 'X-Key': '{apiKey}' } }, verify: { path: '/me' }, fields: { apiKey: { label: 'Key' }, hookSecret: { label: 'Hook secret', required: false } } } as const
    expect(connectorSchema.safeParse(connector({ ...base, secret: { from: 'clientSecret' } }, { auth: apiKey })).error?.issues.map((i) => i.path.join('.'))).toEqual(['webhooks.secret.from'])
    expect(connectorSchema.safeParse(connector({ ...base, secret: { from: 'credentials', field: 'hookSecret' } }, { auth: apiKey })).success).toBe(true)
    expect(connectorSchema.safeParse(connector({ ...base, secret: { from: 'credentials', field: 'nope' } }, { auth: apiKey })).error?.issues.map((i) => i.path.join('.'))).toEqual(['webhooks.secret.field'])
    expect(connectorSchema.safeParse(connector({ ...base, secret: { from: 'credentials', field: 'hookSecret' }, route: { body: 'team_id', connectionConfig: 'teamId' } }, { auth: apiKey })).success).toBe(false)
    expect(connectorSchema.safeParse(connector({ ...base, signature: { type: 'hmac', header: 'X', signed: ['timestamp', 'body'] } })).error?.issues.map((i) => i.path.join('.'))).toEqual(['webhooks.signature.timestamp'])
  })

  it('is plain data: a definition survives a JSON round trip (custom connectors)', () => {
    const parsed = connectorSchema.parse(connector({ ...base, route: { body: 'team_id', connectionConfig: 'teamId' }, eventType: { body: 'event.type' } }))
    expect(connectorSchema.parse(JSON.parse(JSON.stringify({ ...parsed, hooks: undefined }))).webhooks).toEqual(parsed.webhooks)
  })
})

describe('hmac signatures', () => {
  it('checks an HMAC of the body with a prefix (GitHub style), case-insensitive hex, and refuses a tampered body', () => {
    const s = sig({ type: 'hmac', header: 'X-Sig-256', prefix: 'sha256=' })
    const body = '{"a":1}'
    expect(verifyWebhookSignature(s, request(body, { 'X-Sig-256': `sha256=${mac('sha256', body, 'hex')}` }), SECRET)).toEqual({ ok: true })
    expect(verifyWebhookSignature(s, request(body, { 'X-Sig-256': `sha256=${mac('sha256', body, 'hex').toUpperCase()}` }), SECRET)).toEqual({ ok: true })
    expect(verifyWebhookSignature(s, request('{"a":2}', { 'X-Sig-256': `sha256=${mac('sha256', body, 'hex')}` }), SECRET)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(s, request(body, { 'X-Sig-256': mac('sha256', body, 'hex') }), SECRET)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(s, request(body), SECRET)).toEqual({ ok: false, reason: 'signature_missing' })
    expect(verifyWebhookSignature(s, request(body, { 'X-Sig-256': `sha256=${mac('sha256', body, 'hex')}` }), 'another-secret')).toEqual({ ok: false, reason: 'signature_mismatch' })
  })

  it('checks SHA-1 (Intercom style) and SHA-512, hex and base64', () => {
    const body = '{"type":"notification_event"}'
    expect(verifyWebhookSignature(sig({ type: 'hmac', algorithm: 'sha1', header: 'X-Hub-Signature', prefix: 'sha1=' }), request(body, { 'X-Hub-Signature': `sha1=${mac('sha1', body, 'hex')}` }), SECRET).ok).toBe(true)
    expect(verifyWebhookSignature(sig({ type: 'hmac', algorithm: 'sha512', encoding: 'base64', header: 'X-Sig' }), request(body, { 'X-Sig': mac('sha512', body, 'base64') }), SECRET).ok).toBe(true)
    // The right digest in the wrong encoding is refused.
    expect(verifyWebhookSignature(sig({ type: 'hmac', encoding: 'base64', header: 'X-Sig' }), request(body, { 'X-Sig': mac('sha256', body, 'hex') }), SECRET).ok).toBe(false)
  })

  it('signs method, full URL, body and a millisecond timestamp (HubSpot v3 style), within the tolerance only', () => {
    const s = sig({ type: 'hmac', encoding: 'base64', header: 'X-Sig-V3', signed: ['method', 'url', 'body', 'timestamp'], timestamp: { header: 'X-Request-Timestamp', unit: 'ms', toleranceSeconds: 300 } })
    const body = '[{"eventId":1}]'
    const ts = String(now.getTime() - 60_000)
    const req = (t: string, b = body, url = 'https://patchbay.example/v1/webhooks/providers/int_1?x=1') => request(b, { 'X-Sig-V3': mac('sha256', `POST${url}${b}${t}`, 'base64'), 'X-Request-Timestamp': t })
    expect(verifyWebhookSignature(s, req(ts), SECRET, { now })).toEqual({ ok: true })
    const stale = String(now.getTime() - 301_000)
    expect(verifyWebhookSignature(s, req(stale), SECRET, { now })).toEqual({ ok: false, reason: 'timestamp_stale' })
    // Signed for another URL: refused.
    expect(verifyWebhookSignature(s, req(ts, body, 'https://evil.example/hook'), SECRET, { now })).toEqual({ ok: false, reason: 'signature_mismatch' })
    // The timestamp header is required.
    expect(verifyWebhookSignature(s, request(body, { 'X-Sig-V3': 'x' }), SECRET, { now })).toEqual({ ok: false, reason: 'timestamp_missing' })
  })

  it('signs an ISO 8601 timestamp followed by the body (Zendesk style)', () => {
    const s = sig({ type: 'hmac', encoding: 'base64', header: 'X-Hook-Signature', signed: ['timestamp', 'body'], timestamp: { header: 'X-Hook-Signature-Timestamp', unit: 'iso8601' } })
    const body = '{"ticket":1}'
    const ok = '2026-03-01T11:58:00Z'
    expect(verifyWebhookSignature(s, request(body, { 'X-Hook-Signature': mac('sha256', ok + body, 'base64'), 'X-Hook-Signature-Timestamp': ok }), SECRET, { now })).toEqual({ ok: true })
    const old = '2026-03-01T11:50:00Z'
    expect(verifyWebhookSignature(s, request(body, { 'X-Hook-Signature': mac('sha256', old + body, 'base64'), 'X-Hook-Signature-Timestamp': old }), SECRET, { now })).toEqual({ ok: false, reason: 'timestamp_stale' })
    expect(verifyWebhookSignature(s, request(body, { 'X-Hook-Signature': mac('sha256', `yesterday${body}`, 'base64'), 'X-Hook-Signature-Timestamp': 'yesterday' }), SECRET, { now })).toEqual({ ok: false, reason: 'timestamp_invalid' })
  })

  it('reads a timestamp from the body only once the signature is verified (Linear style)', () => {
    const s = sig({ type: 'hmac', header: 'X-Signature', timestamp: { body: 'webhookTimestamp', unit: 'ms', toleranceSeconds: 60 } })
    const fresh = JSON.stringify({ action: 'create', webhookTimestamp: now.getTime() - 10_000 })
    expect(verifyWebhookSignature(s, request(fresh, { 'X-Signature': mac('sha256', fresh, 'hex') }), SECRET, { now })).toEqual({ ok: true })
    const old = JSON.stringify({ action: 'create', webhookTimestamp: now.getTime() - 120_000 })
    expect(verifyWebhookSignature(s, request(old, { 'X-Signature': mac('sha256', old, 'hex') }), SECRET, { now })).toEqual({ ok: false, reason: 'timestamp_stale' })
    // A forged body with a fresh timestamp fails on the signature, not on the timestamp.
    expect(verifyWebhookSignature(s, request(fresh, { 'X-Signature': mac('sha256', old, 'hex') }), SECRET, { now })).toEqual({ ok: false, reason: 'signature_mismatch' })
    const none = JSON.stringify({ action: 'create' })
    expect(verifyWebhookSignature(s, request(none, { 'X-Signature': mac('sha256', none, 'hex') }), SECRET, { now })).toEqual({ ok: false, reason: 'timestamp_missing' })
  })

  it('signs raw bytes: a body that is not valid UTF-8 is verified as sent', () => {
    const bytes = new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])
    const digest = createHmac('sha256', SECRET).update(bytes).digest('hex')
    expect(verifyWebhookSignature(sig({ type: 'hmac', header: 'X-Sig' }), { ...request(''), rawBody: bytes, headers: { 'x-sig': digest } }, SECRET).ok).toBe(true)
  })
})

describe('stripe-style signatures', () => {
  const s = sig({ type: 'stripe' })
  const body = '{"id":"evt_1","type":"customer.created"}'
  const header = (t: number, ...sigs: string[]) => ({ 'Stripe-Signature': [`t=${t}`, ...sigs].join(',') })

  it('accepts any v1 signature, ignores v0, and refuses stale timestamps', () => {
    const good = mac('sha256', `${nowS}.${body}`, 'hex')
    expect(verifyWebhookSignature(s, request(body, header(nowS, `v1=${good}`)), SECRET, { now })).toEqual({ ok: true })
    expect(verifyWebhookSignature(s, request(body, header(nowS, 'v1=00ff', `v1=${good}`, 'v0=abc')), SECRET, { now })).toEqual({ ok: true })
    expect(verifyWebhookSignature(s, request(body, header(nowS, `v0=${good}`)), SECRET, { now })).toEqual({ ok: false, reason: 'signature_missing' })
    const old = nowS - 301
    expect(verifyWebhookSignature(s, request(body, header(old, `v1=${mac('sha256', `${old}.${body}`, 'hex')}`)), SECRET, { now })).toEqual({ ok: false, reason: 'timestamp_stale' })
    // Changing t invalidates the signature (it is signed).
    expect(verifyWebhookSignature(s, request(body, header(nowS - 1, `v1=${good}`)), SECRET, { now })).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(s, request(body, { 'Stripe-Signature': `v1=${good}` }), SECRET, { now })).toEqual({ ok: false, reason: 'timestamp_missing' })
  })
})

describe('token signatures', () => {
  it('compares a shared token header in constant time (GitLab style)', () => {
    const s = sig({ type: 'token', header: 'X-Gitlab-Token' })
    expect(verifyWebhookSignature(s, request('{}', { 'X-Gitlab-Token': SECRET }), SECRET)).toEqual({ ok: true })
    expect(verifyWebhookSignature(s, request('{}', { 'X-Gitlab-Token': `${SECRET}x` }), SECRET)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(s, request('{}', { 'X-Gitlab-Token': '' }), SECRET)).toEqual({ ok: false, reason: 'signature_missing' })
    expect(verifyWebhookSignature(s, request('{}'), SECRET)).toEqual({ ok: false, reason: 'signature_missing' })
  })

  it('safeEqual compares strings of any length', () => {
    expect(safeEqual('abc', 'abc')).toBe(true)
    expect(safeEqual('abc', 'abd')).toBe(false)
    expect(safeEqual('abc', 'abcd')).toBe(false)
    expect(safeEqual('', '')).toBe(true)
  })
})

describe('routing, event type, handshake', () => {
  const withBody = (body: string, headers: Record<string, string> = {}, contentType = 'application/json') => {
    const r = request(body, { 'content-type': contentType, ...headers })
    return { ...r, body: parseWebhookBody(r.rawBody, contentType) }
  }

  it('reads the route value from a header narrowed by the capture group (Shopify style), or from a body path', () => {
    const shopify = { header: 'X-Shopify-Shop-Domain', pattern: '^([a-z0-9-]+)\\.myshopify\\.com$', connectionConfig: 'shop' }
    expect(webhookRouteValue(shopify, withBody('{}', { 'X-Shopify-Shop-Domain': 'acme.myshopify.com' }))).toBe('acme')
    expect(webhookRouteValue(shopify, withBody('{}', { 'X-Shopify-Shop-Domain': 'acme.example.com' }))).toBeUndefined()
    expect(webhookRouteValue(shopify, withBody('{}'))).toBeUndefined()
    expect(webhookRouteValue({ body: 'team_id', connectionConfig: 'teamId' }, withBody('{"team_id":"T1"}'))).toBe('T1')
    expect(webhookRouteValue({ body: 'team_id', connectionConfig: 'teamId' }, withBody('{"team_id":""}'))).toBeUndefined()
    expect(webhookRouteValue({ body: 'account.id', connectionConfig: 'teamId' }, withBody('{"account":{"id":42}}'))).toBe('42')
    // Form bodies (Slack slash commands) are read as fields.
    expect(webhookRouteValue({ body: 'team_id', connectionConfig: 'teamId' }, withBody('team_id=T9&text=hi', {}, 'application/x-www-form-urlencoded'))).toBe('T9')
  })

  it('reads the event type from a header or a nested body path', () => {
    expect(webhookEventType({ eventType: { header: 'X-GitHub-Event' } }, withBody('{}', { 'X-GitHub-Event': 'push' }))).toBe('push')
    expect(webhookEventType({ eventType: { body: 'event.type' } }, withBody('{"event":{"type":"app_mention"}}'))).toBe('app_mention')
    expect(webhookEventType({ eventType: { body: 'event.type' } }, withBody('{"event":{}}'))).toBeUndefined()
    expect(webhookEventType({}, withBody('{"type":"x"}'))).toBeUndefined()
  })

  it('answers a handshake as text or JSON, and only when the body says so', () => {
    const handshake = { when: { body: 'type', equals: 'url_verification' }, respond: { body: 'challenge', as: 'text' as const } }
    expect(webhookHandshake({ handshake }, withBody('{"type":"url_verification","challenge":"abc"}'))).toEqual({ contentType: 'text/plain', body: 'abc' })
    expect(webhookHandshake({ handshake: { ...handshake, respond: { body: 'challenge', as: 'json' } } }, withBody('{"type":"url_verification","challenge":"abc"}'))).toEqual({ contentType: 'application/json', body: '{"challenge":"abc"}' })
    expect(webhookHandshake({ handshake }, withBody('{"type":"event_callback","challenge":"abc"}'))).toBeUndefined()
    expect(webhookHandshake({ handshake }, withBody('{"type":"url_verification"}'))).toBeUndefined()
    expect(webhookHandshake({}, withBody('{"type":"url_verification","challenge":"abc"}'))).toBeUndefined()
  })

  it('parses JSON and form bodies and gives undefined for anything else', () => {
    expect(parseWebhookBody(enc('{"a":[1]}'), 'application/json; charset=utf-8')).toEqual({ a: [1] })
    expect(parseWebhookBody(enc('a=1&b=x%20y'), 'application/x-www-form-urlencoded')).toEqual({ a: '1', b: 'x y' })
    expect(parseWebhookBody(enc('<xml/>'), 'application/xml')).toBeUndefined()
  })
})

describe('sortedForm signed part (Twilio style)', () => {
  const s = sig({ type: 'hmac', algorithm: 'sha1', encoding: 'base64', header: 'X-Sig', signed: ['url', 'sortedForm'] })
  const url = 'https://patchbay.example/v1/webhooks/providers/int_1/conn_1?a=1'
  const form = 'application/x-www-form-urlencoded'

  it('signs the URL then each field name and decoded value, sorted by name (case-sensitive), then by value', () => {
    // Fields out of order, an encoded value, a repeated name and a lower-case name (sorted after upper case).
    const body = 'b=2&To=%2B1%20555&a=x&a=w&B=1'
    const expected = mac('sha1', `${url}B1To+1 555awaxb2`, 'base64')
    expect(verifyWebhookSignature(s, request(body, { 'X-Sig': expected, 'content-type': form }, { url }), SECRET)).toEqual({ ok: true })
    expect(verifyWebhookSignature(s, request(body.replace('b=2', 'b=3'), { 'X-Sig': expected, 'content-type': form }, { url }), SECRET)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(s, request(body, { 'X-Sig': expected, 'content-type': form }, { url: `${url}&b=1` }), SECRET)).toEqual({ ok: false, reason: 'signature_mismatch' })
    // An empty form signs the URL alone.
    expect(verifyWebhookSignature(s, request('', { 'X-Sig': mac('sha1', url, 'base64'), 'content-type': form }, { url }), SECRET)).toEqual({ ok: true })
  })

  it('refuses a request that is not form-encoded, so a body is never left out of the signature', () => {
    // The URL alone is what an empty form signs; a JSON body with that signature must not pass.
    const urlOnly = mac('sha1', url, 'base64')
    expect(verifyWebhookSignature(s, request('{"forged":true}', { 'X-Sig': urlOnly, 'content-type': 'application/json' }, { url }), SECRET)).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(s, request('', { 'X-Sig': urlOnly }, { url }), SECRET)).toEqual({ ok: false, reason: 'signature_mismatch' })
  })

  it('is accepted by the schema as plain data', () => {
    expect(connectorWebhooksSchema.safeParse({ secret: { from: 'integration' }, signature: { type: 'hmac', header: 'X', signed: ['url', 'sortedForm'] }, docs: 'https://example.com/w' }).success).toBe(true)
    expect(connectorWebhooksSchema.safeParse({ secret: { from: 'integration' }, signature: { type: 'hmac', header: 'X', signed: ['sortedfields'] }, docs: 'https://example.com/w' }).success).toBe(false)
  })
})

describe('wildcard body paths (batches)', () => {
  const withBody = (body: string) => {
    const r = request(body, { 'content-type': 'application/json' })
    return { ...r, body: parseWebhookBody(r.rawBody, 'application/json') }
  }
  const route = { body: '*.accountId', connectionConfig: 'teamId' }

  it('routes a batch whose elements all name the same account, at any depth', () => {
    expect(webhookRouteValue(route, withBody('[{"accountId":"A1"},{"accountId":"A1"}]'))).toBe('A1')
    expect(webhookRouteValue({ body: 'events.*.tenant.id', connectionConfig: 'teamId' }, withBody('{"events":[{"tenant":{"id":7}},{"tenant":{"id":7}}]}'))).toBe('7')
    expect(webhookEventType({ eventType: { body: '*.type' } }, withBody('[{"type":"a.created"},{"type":"a.created"}]'))).toBe('a.created')
  })

  it('gives no value for a batch that mixes accounts, an empty batch, a missing or non-scalar value, or a non-array', () => {
    expect(webhookRouteValue(route, withBody('[{"accountId":"A1"},{"accountId":"A2"}]'))).toBeUndefined()
    expect(webhookRouteValue(route, withBody('[{"accountId":"A1"},{}]'))).toBeUndefined()
    expect(webhookRouteValue(route, withBody('[{"accountId":"A1"},{"accountId":{"id":"A1"}}]'))).toBeUndefined()
    expect(webhookRouteValue(route, withBody('[]'))).toBeUndefined()
    expect(webhookRouteValue(route, withBody('{"accountId":"A1"}'))).toBeUndefined()
    expect(webhookEventType({ eventType: { body: '*.type' } }, withBody('[{"type":"a.created"},{"type":"a.deleted"}]'))).toBeUndefined()
  })

  it('leaves paths without * as they were (indices still work)', () => {
    expect(webhookRouteValue({ body: '1.accountId', connectionConfig: 'teamId' }, withBody('[{"accountId":"A1"},{"accountId":"A2"}]'))).toBe('A2')
    expect(webhookRouteValue({ body: 'a.b', connectionConfig: 'teamId' }, withBody('{"a":{"b":false}}'))).toBe('false')
  })
})

describe('partly decoded URLs (HubSpot v3 style)', () => {
  it('decodes only the listed octets, in either hex case', () => {
    expect(decodeOctets('https://x.example/a%2Fb?c=%3a%3A%26%2f%41', ['%3A', '%2F'])).toBe('https://x.example/a/b?c=::%26/%41')
    expect(decodeOctets('https://x.example/%zz%3', ['%3A'])).toBe('https://x.example/%zz%3')
  })

  it('signs the URL with those octets decoded, and refuses a bad octet in the declaration', () => {
    const s = sig({ type: 'hmac', encoding: 'base64', header: 'X-Sig', signed: ['method', { url: { decode: ['%3A', '%40'] } }, 'body'] })
    const url = 'https://patchbay.example/v1/webhooks/providers/int_1?who=a%40b%3Ac%26d'
    const good = mac('sha256', 'POSThttps://patchbay.example/v1/webhooks/providers/int_1?who=a@b:c%26d{}', 'base64')
    expect(verifyWebhookSignature(s, request('{}', { 'X-Sig': good }, { url }), SECRET)).toEqual({ ok: true })
    expect(verifyWebhookSignature(s, request('{}', { 'X-Sig': mac('sha256', `POST${url}{}`, 'base64') }, { url }), SECRET)).toEqual({ ok: false, reason: 'signature_mismatch' })
    for (const decode of [['%G1'], [':'], ['%3'], []]) expect(webhookSignatureSchema.safeParse({ type: 'hmac', header: 'X', signed: [{ url: { decode } }] }).success, JSON.stringify(decode)).toBe(false)
  })
})

describe('refusal answer (Xero style)', () => {
  const base: ConnectorWebhooksInput = { secret: { from: 'integration' }, signature: { type: 'hmac', header: 'X-Sig' }, docs: 'https://example.com/webhooks' }
  it('is absent (a problem) by default, and takes only problem or empty', () => {
    expect(connectorWebhooksSchema.parse(base).refusal).toBeUndefined()
    expect(connectorWebhooksSchema.parse({ ...base, refusal: 'empty' }).refusal).toBe('empty')
    expect(connectorWebhooksSchema.safeParse({ ...base, refusal: 'silent' }).success).toBe(false)
  })
})

describe('split batches (HubSpot, Xero)', () => {
  const base: ConnectorWebhooksInput = { secret: { from: 'integration' }, signature: { type: 'hmac', header: 'X-Sig' }, docs: 'https://example.com/webhooks' }
  const withJson = (value: unknown) => {
    const r = request(JSON.stringify(value), { 'content-type': 'application/json' })
    return { ...r, body: parseWebhookBody(r.rawBody, 'application/json') }
  }

  it('needs a body path with exactly one * segment that is not the last', () => {
    const issues = (body: string) => connectorSchema.safeParse(connector({ ...base, route: { body, connectionConfig: 'teamId', split: true } })).error?.issues.map((i) => i.path.join('.')) ?? []
    expect(issues('events.*.tenantId')).toEqual([])
    expect(issues('*.portalId')).toEqual([])
    for (const bad of ['tenantId', 'a.*.b.*.c', 'events.*', 'a*.b']) expect(issues(bad), bad).toEqual(['webhooks.route.split'])
    // Header routes cannot split.
    expect(connectorWebhooksSchema.safeParse({ ...base, route: { header: 'X-Team', connectionConfig: 'teamId', split: true } }).success).toBe(false)
  })

  it('gives each account its own elements, copying the envelope, and leaves out elements without a value', () => {
    const route = { body: 'data.events.*.account.id', connectionConfig: 'teamId', split: true }
    const body = { data: { events: [{ n: 1, account: { id: 'A' } }, { n: 2, account: { id: 'B' } }, { n: 3 }, { n: 4, account: { id: 'A' } }], page: 1 }, v: 2 }
    const req = withJson(body)
    expect(webhookRouteParts(route, req)).toEqual([
      { value: 'A', body: { data: { events: [body.data.events[0], body.data.events[3]], page: 1 }, v: 2 } },
      { value: 'B', body: { data: { events: [body.data.events[1]], page: 1 }, v: 2 } },
    ])
    expect(req.body).toEqual(body)
    // A pattern narrows each element's value; elements it does not match go nowhere.
    expect(webhookRouteParts({ body: '*.shop', pattern: '^([a-z]+)\\.example$', connectionConfig: 'teamId', split: true }, withJson([{ shop: 'acme.example' }, { shop: 'evil.test' }]))).toEqual([{ value: 'acme', body: [{ shop: 'acme.example' }] }])
    // Not an array where the * is: nothing.
    expect(webhookRouteParts(route, withJson({ data: { events: { account: { id: 'A' } } } }))).toEqual([])
  })

  it('caps the number of accounts, and without split keeps the whole body for one value', () => {
    const many = withJson(Array.from({ length: 5 }, (_, i) => ({ id: `T${i}` })))
    expect(webhookRouteParts({ body: '*.id', connectionConfig: 'teamId', split: true }, many, 3).map((p) => p.value)).toEqual(['T0', 'T1', 'T2'])
    expect(webhookRouteParts({ body: '*.id', connectionConfig: 'teamId' }, many)).toEqual([])
    const same = withJson([{ id: 'T1' }, { id: 'T1' }])
    expect(webhookRouteParts({ body: '*.id', connectionConfig: 'teamId' }, same)).toEqual([{ value: 'T1', body: same.body }])
  })
})

describe("Zendesk's documented examples disagree on the order (connectors/zendesk follows the verifying page)", () => {
  // https://developer.zendesk.com/documentation/webhooks/verifying/ says base64(HMACSHA256(TIMESTAMP + BODY));
  // https://developer.zendesk.com/documentation/event-connectors/webhooks/verifying/ says
  // base64(HMACSHA256((BODY)(TIMESTAMP))) and gives a worked example (secret, body, timestamp,
  // signature), which indeed verifies only as body + timestamp.
  const doc = { secret: 'HRkRd4BeOAoUkfZr-mhauJT64rvBASlJRoIyPsd3zeA=', body: '{"say": "hello"}', timestamp: '2021-07-25T10:00:00Z', signature: 'tRDSF7URY8BLCDlaBcQ7FHu051Zk+aAB0NKMP53teMw=' }
  const scheme = (signed: ('timestamp' | 'body')[]) => sig({ type: 'hmac', encoding: 'base64', header: 'X-Zendesk-Webhook-Signature', signed, timestamp: { header: 'X-Zendesk-Webhook-Signature-Timestamp', unit: 'iso8601' } })
  const req = (body = doc.body) => request(body, { 'X-Zendesk-Webhook-Signature': doc.signature, 'X-Zendesk-Webhook-Signature-Timestamp': doc.timestamp })
  const at = new Date('2021-07-25T10:01:00Z')
  it('verifies the worked example as body + timestamp only, and refuses it tampered or late', () => {
    expect(verifyWebhookSignature(scheme(['body', 'timestamp']), req(), doc.secret, { now: at })).toEqual({ ok: true })
    expect(verifyWebhookSignature(scheme(['timestamp', 'body']), req(), doc.secret, { now: at })).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(scheme(['body', 'timestamp']), req('{"say": "hellO"}'), doc.secret, { now: at })).toEqual({ ok: false, reason: 'signature_mismatch' })
    expect(verifyWebhookSignature(scheme(['body', 'timestamp']), req(), doc.secret, { now: new Date('2021-07-25T10:06:00Z') })).toEqual({ ok: false, reason: 'timestamp_stale' })
  })
})
