/** Connections from a credentials form: API key (verified first), client credentials grant, validation errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoProvider, type DemoProvider } from '../server/src/demo/provider/index'
import { authenticationFor } from '../server/src/services/credentials'
import { defineConnector } from '../connectors/schema'
import { createTestApp, testDatabases, type TestApp } from '../server/src/testing'

describe('authenticationFor', () => {
  const base = { id: 'x', name: 'X', description: 'x', categories: ['other' as const], logo: '<svg/>', docsUrl: 'https://example.com', http: { baseUrl: 'https://api.example.com' } }
  it('builds HTTP Basic (RFC 7617) from username and password', () => {
    const c = defineConnector({ ...base, auth: { type: 'basic', verify: { path: '/me' } } })
    expect(authenticationFor(c, { type: 'basic', values: { username: 'AC123', password: 'tok:en' } }).headers).toEqual({ authorization: `Basic ${Buffer.from('AC123:tok:en').toString('base64')}` })
  })
  it('puts a connector’s fixed password (Freshdesk’s X) beside the typed user name, and a typed value cannot replace it', () => {
    const c = defineConnector({ ...base, auth: { type: 'basic', fields: { username: { label: 'API key', type: 'password' } }, fixed: { password: 'X' }, verify: { path: '/me' } } })
    const expected = { authorization: `Basic ${Buffer.from('key123:X').toString('base64')}` }
    expect(authenticationFor(c, { type: 'basic', values: { username: 'key123' } }).headers).toEqual(expected)
    expect(authenticationFor(c, { type: 'basic', values: { username: 'key123', password: 'other' } }).headers).toEqual(expected)
    expect(() => defineConnector({ ...base, auth: { type: 'basic', fixed: { password: 'X' }, verify: { path: '/me' } } })).toThrow(/fixed/)
  })
  it('fills header and query templates from the credentials', () => {
    const c = defineConnector({ ...base, auth: { type: 'api_key', inject: { headers: { Authorization: 'Token {apiKey}' }, query: { key: '{apiKey}' } }, verify: { path: '/me' } } })
    expect(authenticationFor(c, { type: 'api_key', values: { apiKey: 'abc' } })).toEqual({ headers: { authorization: 'Token abc' }, query: { key: 'abc' } })
  })
})

describe.each(testDatabases())('credential forms on $name', (target) => {
  let t: TestApp
  let provider: DemoProvider
  let token: string
  const post = (body: unknown) => t.call('POST', '/v1/embed/connections', { token, body })

  beforeAll(async () => {
    t = await createTestApp(target)
    provider = await startDemoProvider({ clients: [{ clientId: 'm2m', clientSecret: 'm2m-secret', redirectUris: [], grantTypes: ['client_credentials'] }], apiKeys: ['good-key'] })
    await t.call('POST', '/v1/integrations', { body: { key: 'crm-key', connectorId: 'demo-crm-api-key', syncSettings: { autoStart: false }, overrides: { baseUrl: provider.apiBaseUrl } } })
    await t.call('POST', '/v1/integrations', { body: { key: 'crm-m2m', connectorId: 'demo-crm-client-credentials', syncSettings: { autoStart: false }, overrides: { baseUrl: provider.apiBaseUrl, tokenUrl: provider.tokenUrl } } })
    token = ((await (await t.call('POST', '/v1/connect-sessions', { body: { endUser: { id: 'u1' } } })).json()) as { token: string }).token
  })
  afterAll(async () => {
    await provider?.close()
    await t?.close()
  })

  it('verifies an API key with a test request before saving it', async () => {
    const bad = await post({ integration: 'crm-key', credentials: { apiKey: 'wrong-key' } })
    expect(bad.status).toBe(422)
    expect(await bad.json()).toMatchObject({ code: 'credentials_invalid', detail: expect.stringMatching(/rejected/) })
    expect(((await (await t.call('GET', '/v1/connections')).json()) as { data: unknown[] }).data).toHaveLength(0)

    const good = await post({ integration: 'crm-key', credentials: { apiKey: 'good-key' } })
    expect(good.status).toBe(201)
    const conn = (await good.json()) as { id: string; status: string; accountLabel: string }
    expect(conn.status).toBe('active')
    expect(conn.accountLabel).toBeTruthy()
    expect(JSON.stringify(conn)).not.toContain('good-key')
    expect((await t.call('GET', `/v1/proxy/${conn.id}/contacts?limit=1`)).status).toBe(200)
  })

  it('keeps one account per end user unless the integration allows several', async () => {
    const first = (await (await post({ integration: 'crm-key', credentials: { apiKey: 'good-key' } })).json()) as { id: string }
    const again = (await (await post({ integration: 'crm-key', credentials: { apiKey: 'good-key' } })).json()) as { id: string }
    expect(again.id).toBe(first.id)
    await t.call('POST', '/v1/integrations', { body: { key: 'crm-multi', connectorId: 'demo-crm-api-key', syncSettings: { autoStart: false }, allowMultipleConnections: true, overrides: { baseUrl: provider.apiBaseUrl } } })
    const a = (await (await post({ integration: 'crm-multi', credentials: { apiKey: 'good-key' } })).json()) as { id: string }
    const b = (await (await post({ integration: 'crm-multi', credentials: { apiKey: 'good-key' } })).json()) as { id: string }
    expect(a.id).not.toBe(b.id)
    const catalog = (await (await t.call('GET', '/v1/embed/integrations', { token })).json()) as { data: { key: string; allowMultipleConnections: boolean }[] }
    expect(catalog.data.find((i) => i.key === 'crm-multi')?.allowMultipleConnections).toBe(true)
    expect(catalog.data.find((i) => i.key === 'crm-key')?.allowMultipleConnections).toBe(false)
  })

  it('tells a provider outage apart from a wrong key', async () => {
    provider.failNext(1, 503) // the verification request is not retried: the end user is waiting
    const r = await post({ integration: 'crm-key', credentials: { apiKey: 'good-key' } })
    expect(r.status).toBe(502)
    expect(await r.json()).toMatchObject({ code: 'upstream_unreachable' })
  })

  it('explains missing and unknown fields', async () => {
    const r = await post({ integration: 'crm-key', credentials: { nope: 'x' } })
    expect(r.status).toBe(400)
    const body = (await r.json()) as { code: string; errors: { path: string }[] }
    expect(body.code).toBe('invalid_request')
    expect(body.errors.map((e) => e.path).sort()).toEqual(['credentials.apiKey', 'credentials.nope'])
    const oauth = await t.call('POST', '/v1/integrations', { body: { key: 'gh', connectorId: 'github', clientId: 'x' } })
    expect(oauth.status).toBe(201)
    expect(await (await post({ integration: 'gh', credentials: {} })).json()).toMatchObject({ code: 'invalid_request', detail: expect.stringMatching(/OAuth/) })
  })

  it('connects with the client credentials grant and renews the token when it expires', async () => {
    provider.resetStats()
    const bad = await post({ integration: 'crm-m2m', credentials: { clientId: 'm2m', clientSecret: 'wrong' } })
    expect(bad.status).toBe(422)
    expect(await bad.json()).toMatchObject({ code: 'credentials_invalid' })
    const r = await post({ integration: 'crm-m2m', credentials: { clientId: 'm2m', clientSecret: 'm2m-secret' } })
    expect(r.status).toBe(201)
    const id = ((await r.json()) as { id: string }).id
    expect(provider.stats.tokenRequests.client_credentials).toBe(2)
    expect((await t.call('GET', `/v1/proxy/${id}/contacts?limit=1`)).status).toBe(200)
    const loaded = await t.ctx.credentials.get(t.tenant.environmentId, id)
    ;(t.ctx.credentials as unknown as { entries: Map<string, unknown> }).entries.set(id, { ...loaded, credentials: { ...loaded.credentials, expiresAt: new Date(Date.now() - 1000).toISOString() } })
    expect((await t.call('GET', `/v1/proxy/${id}/me`)).status).toBe(200)
    expect(provider.stats.tokenRequests.client_credentials).toBe(3)
  })
})
