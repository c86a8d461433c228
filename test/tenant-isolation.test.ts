/**
 * Tenant isolation: one environment's key never reads or changes another's data; a connect
 * session sees only its own end user's connections, in its own environment, for the integrations
 * it allows. And no secret (client secret, access/refresh token, API key) reaches a response body
 * or a log line.
 *
 * Three environments take part: tenant A's development and production, and tenant B's
 * development. They use the same integration keys and end-user ids on purpose, so a lookup that
 * forgot its environment would find the other's row.
 */
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoProvider, type DemoProvider } from '../server/src/demo/provider/index'
import { REDACT_PATHS } from '../server/src/lib/logger'
import { connectViaOAuth, createTestApp, testDatabases, type TestApp } from '../server/src/testing'

const CLIENT_SECRET = 'client-secret-9a4e71c03d5b28f6'
/** Demo provider API keys: one per connection made with the API-key connector. */
const API_KEYS = {
  aDevAlice: 'apikey-a-dev-alice-3f81c6d0e2',
  aDevAliceOther: 'apikey-a-dev-alice-other-7b29e4a1',
  aDevBob: 'apikey-a-dev-bob-c05d7e9f14',
  aProdAlice: 'apikey-a-prod-alice-58a3b1e6c7',
  bDevAlice: 'apikey-b-dev-alice-e92f04d6a8',
} as const

interface Env {
  name: string
  environmentId: string
  secretKey: string
  apiKey: string
  /** Connection ids by what they are. */
  conns: { aliceKey: string; aliceOAuth: string; aliceOther?: string; bobKey?: string }
  integrations: string[]
  endUsers: string[]
}

describe.each(testDatabases())('tenant isolation on $name', (target) => {
  let t: TestApp
  let provider: DemoProvider
  let aDev: Env
  let aProd: Env
  let bDev: Env
  let envs: Env[]
  /** Every response body these tests received, with the route that sent it. */
  const bodies: { route: string; text: string }[] = []
  const logs: string[] = []
  const oauthTokens: string[] = []
  const sessionTokens: string[] = []

  async function call(method: string, path: string, token: string, body?: unknown) {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` }
    if (body !== undefined) headers['content-type'] = 'application/json'
    const res = await t.app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await res.text()
    bodies.push({ route: `${method} ${path}`, text })
    return { status: res.status, text, json: text ? (JSON.parse(text) as Record<string, unknown> & { data?: Record<string, unknown>[]; code?: string }) : {} }
  }
  /** `app.request` for `connectViaOAuth`, recording bodies too. */
  const request = async (path: string, init?: RequestInit) => {
    const res = await t.app.request(path, init)
    bodies.push({ route: `${init?.method ?? 'GET'} ${path.split('?')[0]}`, text: await res.clone().text() })
    return res
  }

  async function session(env: Env, endUser: string, extra: Record<string, unknown> = {}): Promise<string> {
    const r = await call('POST', '/v1/connect-sessions', env.secretKey, { endUser: { id: endUser }, ...extra })
    expect(r.status, r.text).toBe(201)
    const token = r.json.token as string
    sessionTokens.push(token)
    return token
  }

  async function connectWithKey(sessionToken: string, integration: string, apiKey: string): Promise<string> {
    const r = await call('POST', '/v1/embed/connections', sessionToken, { integration, credentials: { apiKey } })
    expect(r.status, r.text).toBe(201)
    return r.json.id as string
  }

  async function connectOAuth(env: Env, sessionToken: string): Promise<string> {
    const { status, result } = await connectViaOAuth(request, { sessionToken, integration: 'crm' })
    expect(status).toBe(200)
    const id = result.connectionId as string
    const view = (await call('GET', `/v1/connections/${id}`, env.secretKey)).json
    expect(view.status).toBe('active')
    return id
  }

  /** What the owner sees: everything the isolation tests must leave unchanged. */
  async function view(env: Env) {
    const out: Record<string, unknown> = {}
    for (const path of ['/v1/integrations', '/v1/connections', '/v1/end-users', ...env.integrations.map((k) => `/v1/integrations/${k}`), ...Object.values(env.conns).map((id) => `/v1/connections/${id}`), ...env.endUsers.map((u) => `/v1/end-users/${u}`)]) {
      const r = await call('GET', path, env.secretKey)
      out[path] = { status: r.status, body: r.json }
    }
    return out
  }
  const views = async () => Object.fromEntries(await Promise.all(envs.map(async (e) => [e.name, await view(e)] as const)))
  const allConnIds = (e: Env) => Object.values(e.conns).filter((x): x is string => !!x)
  const ids = (r: { json: { data?: Record<string, unknown>[] } }, field = 'id') => (r.json.data ?? []).map((x) => x[field] as string).sort()
  /** Ordered pairs of different environments: (owner, intruder). */
  const pairs = () => envs.flatMap((owner) => envs.filter((e) => e !== owner).map((intruder) => [owner, intruder] as const))

  beforeAll(async () => {
    t = await createTestApp(target)
    t.ctx.log = pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, { write: (line: string) => void logs.push(line) })
    provider = await startDemoProvider({ clients: [{ clientId: 'pb', clientSecret: CLIENT_SECRET, redirectUris: ['http://127.0.0.1:3999/oauth/callback'] }], apiKeys: Object.values(API_KEYS), accessTokenTtlSeconds: 3600 })
    const b = await t.newTenant('Tenant B')
    const blank = { conns: {} as Env['conns'], integrations: ['crm', 'crm-key'], endUsers: ['alice'] }
    aDev = { name: 'A development', environmentId: t.tenant.environmentId, secretKey: t.tenant.secretKey, apiKey: API_KEYS.aDevAlice, ...structuredClone(blank) }
    aProd = { name: 'A production', environmentId: t.tenant.productionEnvironmentId, secretKey: t.tenant.productionSecretKey, apiKey: API_KEYS.aProdAlice, ...structuredClone(blank) }
    bDev = { name: 'B development', environmentId: b.environmentId, secretKey: b.secretKey, apiKey: API_KEYS.bDevAlice, ...structuredClone(blank) }
    envs = [aDev, aProd, bDev]
    const overrides = { authorizationUrl: provider.authorizationUrl, tokenUrl: provider.tokenUrl, revocationUrl: provider.revocationUrl, baseUrl: provider.apiBaseUrl }
    for (const env of envs) {
      expect((await call('POST', '/v1/integrations', env.secretKey, { key: 'crm', connectorId: 'demo-crm', syncSettings: { autoStart: false }, clientId: 'pb', clientSecret: CLIENT_SECRET, overrides })).status).toBe(201)
      expect((await call('POST', '/v1/integrations', env.secretKey, { key: 'crm-key', connectorId: 'demo-crm-api-key', syncSettings: { autoStart: false }, overrides: { baseUrl: provider.apiBaseUrl } })).status).toBe(201)
      const alice = await session(env, 'alice')
      env.conns.aliceKey = await connectWithKey(alice, 'crm-key', env.apiKey)
      env.conns.aliceOAuth = await connectOAuth(env, alice)
    }
    // Only A development has a third integration and a second end user.
    expect((await call('POST', '/v1/integrations', aDev.secretKey, { key: 'other-key', connectorId: 'demo-crm-api-key', syncSettings: { autoStart: false }, overrides: { baseUrl: provider.apiBaseUrl } })).status).toBe(201)
    aDev.integrations.push('other-key')
    aDev.conns.aliceOther = await connectWithKey(await session(aDev, 'alice'), 'other-key', API_KEYS.aDevAliceOther)
    aDev.conns.bobKey = await connectWithKey(await session(aDev, 'bob'), 'crm-key', API_KEYS.aDevBob)
    aDev.endUsers.push('bob')
    for (const env of envs) {
      for (const id of allConnIds(env)) {
        const creds = (await t.ctx.credentials.get(env.environmentId, id)).credentials as { accessToken?: string; refreshToken?: string }
        for (const tok of [creds.accessToken, creds.refreshToken]) if (tok) oauthTokens.push(tok)
      }
    }
    expect(oauthTokens.length).toBe(6) // an access and a refresh token for each of the three OAuth connections
  })
  afterAll(async () => {
    await provider?.close()
    await t?.close()
  })

  it('lists only its own integrations, connections and end users in each environment', async () => {
    for (const env of envs) {
      expect((await call('GET', '/v1/integrations', env.secretKey)).json.data!.map((i) => i.key).sort(), env.name).toEqual([...env.integrations].sort())
      expect(ids(await call('GET', '/v1/connections', env.secretKey)), env.name).toEqual(allConnIds(env).sort())
      expect(ids(await call('GET', '/v1/end-users', env.secretKey)), env.name).toEqual([...env.endUsers].sort())
      // Filters by a key or id that exists elsewhere find nothing foreign.
      expect(ids(await call('GET', '/v1/connections?endUserId=alice', env.secretKey)), env.name).toEqual([env.conns.aliceKey, env.conns.aliceOAuth, ...(env.conns.aliceOther ? [env.conns.aliceOther] : [])].sort())
      expect(ids(await call('GET', '/v1/connections?integration=crm-key', env.secretKey)), env.name).toEqual([env.conns.aliceKey, ...(env.conns.bobKey ? [env.conns.bobKey] : [])].sort())
      if (env !== aDev) {
        expect(ids(await call('GET', '/v1/connections?endUserId=bob', env.secretKey)), env.name).toEqual([])
        expect(ids(await call('GET', '/v1/connections?integration=other-key', env.secretKey)), env.name).toEqual([])
      }
      // A page that starts before every id still holds only this environment's rows.
      expect(ids(await call('GET', '/v1/connections?cursor=conn_&limit=200', env.secretKey)), env.name).toEqual(allConnIds(env).sort())
      expect(ids(await call('GET', '/v1/end-users?cursor=eu_&limit=200', env.secretKey)), env.name).toEqual([...env.endUsers].sort())
    }
  })

  it('answers 404 for a foreign integration key and leaves it unchanged; a namesake change stays in its environment', async () => {
    const before = await views()
    for (const intruder of [aProd, bDev]) {
      for (const [method, body] of [['GET'], ['PATCH', { displayName: 'pwned', clientSecret: 'attacker-secret', overrides: { baseUrl: 'https://evil.example/api' } }], ['DELETE']] as const) {
        const r = await call(method, '/v1/integrations/other-key', intruder.secretKey, body)
        expect(r.status, `${intruder.name} ${method} other-key: ${r.text}`).toBe(404)
        expect(r.json.code).toBe('not_found')
      }
    }
    expect(await views()).toEqual(before)

    // B renames its own `crm-key`: only B's changes.
    const renamed = await call('PATCH', '/v1/integrations/crm-key', bDev.secretKey, { displayName: 'Renamed by B' })
    expect(renamed.status).toBe(200)
    const after = await views()
    expect(after[aDev.name]).toEqual(before[aDev.name])
    expect(after[aProd.name]).toEqual(before[aProd.name])
    expect((after[bDev.name] as Record<string, { body: { displayName: string } }>)['/v1/integrations/crm-key']!.body.displayName).toBe('Renamed by B')
  })

  it('answers 404 for a foreign connection id on GET, DELETE and the proxy, without calling the provider', async () => {
    for (const env of envs) expect((await call('GET', `/v1/proxy/${env.conns.aliceKey}/me`, env.secretKey)).status).toBe(200) // warms the credential cache
    const before = await views()
    const calls = provider.stats.apiRequests
    for (const [owner, intruder] of pairs()) {
      for (const id of allConnIds(owner)) {
        for (const [method, path] of [
          ['GET', `/v1/connections/${id}`],
          ['DELETE', `/v1/connections/${id}`],
          ['GET', `/v1/proxy/${id}/me`],
          ['POST', `/v1/proxy/${id}/contacts`],
          ['DELETE', `/v1/proxy/${id}/contacts/ct_0001`],
        ] as const) {
          const r = await call(method, path, intruder.secretKey, method === 'POST' ? { email: 'intruder@example.com' } : undefined)
          expect(r.status, `${intruder.name} ${method} ${owner.name}'s ${path}: ${r.text}`).toBe(404)
          expect(r.json.code).toBe('not_found')
        }
      }
    }
    expect(provider.stats.apiRequests, 'the provider saw a request for a foreign connection').toBe(calls)
    expect(await views()).toEqual(before)
    for (const env of envs) expect((await call('GET', `/v1/proxy/${env.conns.aliceOAuth}/me`, env.secretKey)).status).toBe(200)
  })

  it('answers 404 for a foreign end user on GET and DELETE and leaves them unchanged', async () => {
    const before = await views()
    for (const intruder of [aProd, bDev]) {
      for (const method of ['GET', 'DELETE']) {
        const r = await call(method, '/v1/end-users/bob', intruder.secretKey)
        expect(r.status, `${intruder.name} ${method} bob: ${r.text}`).toBe(404)
        expect(r.json.code).toBe('not_found')
      }
    }
    expect(await views()).toEqual(before)
  })

  it('shows a connect session only its environment: catalog, connections, deletes and reconnects', async () => {
    // Sessions first: creating one updates the intruder's own end user.
    const tokens = new Map<Env, string>()
    for (const env of envs) tokens.set(env, await session(env, 'alice'))
    const before = await views()
    const calls = provider.stats.apiRequests
    for (const [owner, intruder] of pairs()) {
      const token = tokens.get(intruder)!
      const catalog = await call('GET', '/v1/embed/integrations', token)
      expect(catalog.json.data!.map((i) => i.key).sort(), intruder.name).toEqual([...intruder.integrations].sort())
      const list = await call('GET', '/v1/embed/connections', token)
      expect(ids(list), intruder.name).toEqual([intruder.conns.aliceKey, intruder.conns.aliceOAuth, ...(intruder.conns.aliceOther ? [intruder.conns.aliceOther] : [])].sort())
      for (const id of allConnIds(owner)) {
        const del = await call('DELETE', `/v1/embed/connections/${id}`, token)
        expect(del.status, `${intruder.name} session deletes ${owner.name}'s ${id}: ${del.text}`).toBe(404)
        // Reconnect of a foreign connection, with credentials the provider would accept.
        const re = await call('POST', '/v1/embed/connections', token, { integration: 'crm-key', credentials: { apiKey: intruder.apiKey }, connectionId: id })
        expect(re.status, `${intruder.name} session reconnects ${owner.name}'s ${id}: ${re.text}`).toBe(404)
        const oauth = await call('POST', '/v1/embed/oauth/authorizations', token, { integration: 'crm', connectionId: id })
        expect(oauth.status, `${intruder.name} session re-authorizes ${owner.name}'s ${id}: ${oauth.text}`).toBe(404)
      }
      if (owner === aDev) {
        // `other-key` exists only in A development.
        const use = await call('POST', '/v1/embed/connections', token, { integration: 'other-key', credentials: { apiKey: API_KEYS.aDevAliceOther } })
        expect(use.status, use.text).toBe(404)
        expect((await call('POST', '/v1/embed/oauth/authorizations', token, { integration: 'other-key' })).status).toBe(404)
        const limited = await call('POST', '/v1/connect-sessions', intruder.secretKey, { endUser: { id: 'alice' }, allowedIntegrations: ['other-key'] })
        expect(limited.status, limited.text).toBe(400)
      }
    }
    expect(provider.stats.apiRequests, 'the provider saw a request').toBe(calls)
    expect(await views()).toEqual(before)
  })

  it("keeps one end user's session away from another end user's connections in the same environment", async () => {
    const bob = await session(aDev, 'bob')
    // Control: bob can reconnect his own connection (same id), so the refusals below are about ownership.
    const own = await call('POST', '/v1/embed/connections', bob, { integration: 'crm-key', credentials: { apiKey: API_KEYS.aDevBob }, connectionId: aDev.conns.bobKey })
    expect(own.status, own.text).toBe(201)
    expect(own.json.id).toBe(aDev.conns.bobKey)

    const before = await views()
    const calls = provider.stats.apiRequests
    expect(ids(await call('GET', '/v1/embed/connections', bob))).toEqual([aDev.conns.bobKey])
    for (const id of [aDev.conns.aliceKey, aDev.conns.aliceOAuth, aDev.conns.aliceOther!]) {
      expect((await call('DELETE', `/v1/embed/connections/${id}`, bob)).status, `bob deletes alice's ${id}`).toBe(404)
      const integration = id === aDev.conns.aliceOther ? 'other-key' : 'crm-key'
      expect((await call('POST', '/v1/embed/connections', bob, { integration, credentials: { apiKey: API_KEYS.aDevBob }, connectionId: id })).status, `bob reconnects alice's ${id}`).toBe(404)
      expect((await call('POST', '/v1/embed/oauth/authorizations', bob, { integration: 'crm', connectionId: id })).status, `bob re-authorizes alice's ${id}`).toBe(404)
    }
    expect(provider.stats.apiRequests).toBe(calls)
    expect(await views()).toEqual(before)
  })

  it('keeps a session limited to some integrations away from the others', async () => {
    const token = await session(aDev, 'alice', { allowedIntegrations: ['crm-key'] })
    const before = await views()
    const calls = provider.stats.apiRequests
    expect((await call('GET', '/v1/embed/integrations', token)).json.data!.map((i) => i.key)).toEqual(['crm-key'])
    expect(ids(await call('GET', '/v1/embed/connections', token))).toEqual([aDev.conns.aliceKey])
    expect((await call('GET', '/v1/embed/session', token)).json.allowedIntegrations).toEqual(['crm-key'])

    const use = await call('POST', '/v1/embed/connections', token, { integration: 'other-key', credentials: { apiKey: API_KEYS.aDevAliceOther } })
    expect(use.status, use.text).toBe(403)
    expect(use.json.code).toBe('integration_not_allowed')
    const oauth = await call('POST', '/v1/embed/oauth/authorizations', token, { integration: 'crm' })
    expect(oauth.status, oauth.text).toBe(403)
    expect(oauth.json.code).toBe('integration_not_allowed')
    for (const id of [aDev.conns.aliceOther!, aDev.conns.aliceOAuth]) {
      expect((await call('DELETE', `/v1/embed/connections/${id}`, token)).status, `delete ${id}`).toBe(404)
      // An allowed integration with a connection id of a disallowed one.
      expect((await call('POST', '/v1/embed/connections', token, { integration: 'crm-key', credentials: { apiKey: API_KEYS.aDevAlice }, connectionId: id })).status, `reconnect ${id}`).toBe(404)
    }
    expect(provider.stats.apiRequests).toBe(calls)
    expect(await views()).toEqual(before)
  })

  it("deletes only its own namesake end user and integration, never another environment's", async () => {
    const before = await views()
    expect((await call('DELETE', '/v1/end-users/alice', bDev.secretKey)).status).toBe(200)
    expect((await call('DELETE', '/v1/integrations/crm', aProd.secretKey)).status).toBe(200)
    const after = await views()
    expect(after[aDev.name]).toEqual(before[aDev.name])
    // B lost alice and her connections; A production lost `crm` and its connection.
    expect(ids(await call('GET', '/v1/connections', bDev.secretKey))).toEqual([])
    expect(ids(await call('GET', '/v1/connections', aProd.secretKey))).toEqual([aProd.conns.aliceKey])
    for (const env of [aDev, aProd]) expect((await call('GET', `/v1/proxy/${env.conns.aliceKey}/me`, env.secretKey)).status, env.name).toBe(200)
    expect((await call('GET', `/v1/proxy/${aDev.conns.aliceOAuth}/me`, aDev.secretKey)).status).toBe(200)
  })

  // Known bug: the principal cache (middleware/auth.ts, PRINCIPAL_TTL_MS) keeps a deleted end user's
  // session alive; POST /v1/embed/connections then verifies the credentials at the provider and
  // fails on the connections → end_users foreign key with a 500.
  it("refuses a deleted end user's session with a 4xx, never a 500", async () => {
    const token = await session(aDev, 'carol')
    expect((await call('GET', '/v1/embed/connections', token)).status).toBe(200) // now cached
    expect((await call('DELETE', '/v1/end-users/carol', aDev.secretKey)).status).toBe(200)
    const r = await call('POST', '/v1/embed/connections', token, { integration: 'crm-key', credentials: { apiKey: API_KEYS.aDevAlice } })
    expect(r.status, r.text).toBeGreaterThanOrEqual(400)
    expect(r.status, r.text).toBeLessThan(500)
  })

  it('does not forward the Patchbay key or cookies to the provider', async () => {
    // Not recorded in `bodies`: the demo provider's echo shows the API key Patchbay injected, by design.
    const res = await t.app.request(`/v1/proxy/${aDev.conns.aliceKey}/echo`, { headers: { authorization: `Bearer ${aDev.secretKey}`, cookie: 'pb_session=abc123', 'x-custom': 'kept' } })
    expect(res.status).toBe(200)
    const echoed = (await res.json()) as { headers: Record<string, string> }
    expect(echoed.headers['x-custom']).toBe('kept')
    expect(echoed.headers['x-api-key']).toBe(API_KEYS.aDevAlice)
    expect(JSON.stringify(echoed)).not.toContain(aDev.secretKey)
    expect(echoed.headers.authorization).toBeUndefined()
    expect(echoed.headers.cookie).toBeUndefined()
  })

  it('never puts a client secret, token or API key in a response body or a log line', () => {
    const secrets = [CLIENT_SECRET, ...Object.values(API_KEYS), ...oauthTokens, ...envs.map((e) => e.secretKey)]
    expect(bodies.length).toBeGreaterThan(300)
    for (const s of secrets) {
      expect(bodies.filter((b) => b.text.includes(s)).map((b) => b.route), `a response body contains ${s.slice(0, 14)}…`).toEqual([])
      expect(logs.filter((l) => l.includes(s)), `a log line contains ${s.slice(0, 14)}…`).toEqual([])
    }
    // Session tokens are shown once, when created, and nowhere else (this also shows the scan sees the bodies).
    for (const s of sessionTokens) expect(bodies.filter((b) => b.text.includes(s)).map((b) => b.route)).toEqual(['POST /v1/connect-sessions'])
  })
})
