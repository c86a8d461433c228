import * as oauth from 'oauth4webapi'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { authorizeViaHttp, CookieJar } from './browserless.ts'
import { type DemoProvider, startDemoProvider } from './index.ts'

const REDIRECT = 'http://127.0.0.1:9/callback'
const CONTACTS = 130
const insecure = { [oauth.allowInsecureRequests]: true }

let demo: DemoProvider
let as: oauth.AuthorizationServer
const client: oauth.Client = { client_id: 'patchbay' }
const auth = oauth.ClientSecretBasic('s3cret')

beforeAll(async () => {
  demo = await startDemoProvider({
    clients: [
      { clientId: 'patchbay', name: 'Patchbay', clientSecret: 's3cret', redirectUris: [REDIRECT] },
      { clientId: 'worker', clientSecret: 'w0rker', redirectUris: [], grantTypes: ['client_credentials'] },
    ],
    apiKeys: ['key-123'],
    contactsPerAccount: CONTACTS,
    rateLimit: { requests: 200, windowSeconds: 60 },
  })
  const issuer = new URL(demo.url)
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure))
})

afterAll(() => demo?.close())

beforeEach(() => demo.resetStats())

/** Runs the authorization code + PKCE flow (RFC 6749 §4.1, RFC 7636) through the HTML pages. */
async function authorize(opts: { decision?: 'allow' | 'deny'; password?: string; scope?: string; jar?: CookieJar } = {}) {
  const verifier = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  const url = new URL(as.authorization_endpoint as string)
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: opts.scope ?? 'openid email contacts.read companies.read',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString()
  const callback = await authorizeViaHttp({
    authorizationUrl: url.href,
    username: 'ada',
    password: opts.password ?? 'lovelace',
    decision: opts.decision ?? 'allow',
    cookieJar: opts.jar,
  })
  return { callback: new URL(callback), verifier, state }
}

async function exchange() {
  const { callback, verifier, state } = await authorize()
  const params = oauth.validateAuthResponse(as, client, callback, state)
  const res = await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT, verifier, insecure)
  return oauth.processAuthorizationCodeResponse(as, client, res)
}

const api = (path: string, token: string, init: RequestInit = {}) =>
  fetch(`${demo.apiBaseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } })

describe('demo provider', () => {
  it('publishes discovery metadata with PKCE S256 and the expected endpoints', () => {
    expect(as.issuer).toBe(demo.url)
    expect(as.authorization_endpoint).toBe(demo.authorizationUrl)
    expect(as.token_endpoint).toBe(demo.tokenUrl)
    expect(as.revocation_endpoint).toBe(demo.revocationUrl)
    expect(as.code_challenge_methods_supported).toEqual(['S256'])
    expect(as.scopes_supported).toEqual(expect.arrayContaining(['contacts.read', 'contacts.write', 'companies.read']))
  })

  it('rejects an authorization request without PKCE', async () => {
    const url = new URL(demo.authorizationUrl)
    url.search = new URLSearchParams({ client_id: 'patchbay', redirect_uri: REDIRECT, response_type: 'code', scope: 'contacts.read', state: 'x' }).toString()
    const res = await fetch(url, { redirect: 'manual' })
    const location = new URL(res.headers.get('location') ?? '')
    expect(location.searchParams.get('error')).toBe('invalid_request')
  })

  it('runs the code flow; the access token reads /me and pages through all contacts', async () => {
    const tokens = await exchange()
    expect(tokens.token_type).toBe('bearer')
    expect(tokens.refresh_token).toBeTruthy()
    expect(tokens.scope?.split(' ')).toEqual(expect.arrayContaining(['contacts.read', 'companies.read']))

    const me = await api('/me', tokens.access_token)
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({ id: 'ada', name: 'Ada Lovelace', email: 'ada@demo-crm.test' })
    expect(me.headers.get('x-ratelimit-limit')).toBe('200')

    const ids: string[] = []
    let cursor: string | null = null
    do {
      const res = await api(`/contacts?limit=40${cursor ? `&cursor=${cursor}` : ''}`, tokens.access_token)
      const page = (await res.json()) as { data: { id: string }[]; next_cursor: string | null }
      ids.push(...page.data.map((c) => c.id))
      cursor = page.next_cursor
    } while (cursor)
    expect(ids).toHaveLength(CONTACTS)
    expect(new Set(ids).size).toBe(CONTACTS)
    expect(ids[0]).toBe('ct_0001')
    expect([...ids].sort()).toEqual(ids)

    const companies = (await (await api('/companies', tokens.access_token)).json()) as { data: unknown[] }
    expect(companies.data).toHaveLength(20)
    expect(demo.stats.tokenRequests).toMatchObject({ authorization_code: 1, total: 1 })
  })

  it('enforces scopes: a read token cannot create contacts', async () => {
    const tokens = await exchange()
    const res = await api('/contacts', tokens.access_token, { method: 'POST', body: JSON.stringify({ email: 'x@y.test' }) })
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ error: 'insufficient_scope' })
  })

  it('rotates refresh tokens; replaying the old one fails with invalid_grant', async () => {
    const first = await exchange()
    const res = await oauth.refreshTokenGrantRequest(as, client, auth, first.refresh_token as string, insecure)
    const second = await oauth.processRefreshTokenResponse(as, client, res)
    expect(second.refresh_token).toBeTruthy()
    expect(second.refresh_token).not.toBe(first.refresh_token)
    expect((await api('/contacts?limit=1', second.access_token)).status).toBe(200)

    const replay = await oauth.refreshTokenGrantRequest(as, client, auth, first.refresh_token as string, insecure)
    await expect(oauth.processRefreshTokenResponse(as, client, replay)).rejects.toMatchObject({ error: 'invalid_grant' })
    // Reuse detection revokes the whole grant (RFC 9700 §4.14.2), so the newer tokens die too.
    expect((await api('/me', second.access_token)).status).toBe(401)
    expect(demo.stats.tokenRequests).toMatchObject({ authorization_code: 1, refresh_token: 2, total: 3 })
  })

  it('revocation (RFC 7009) makes the access token fail on the API', async () => {
    const tokens = await exchange()
    expect((await api('/me', tokens.access_token)).status).toBe(200)
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, tokens.access_token, insecure))
    const res = await api('/me', tokens.access_token)
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/)
    expect(await res.json()).toMatchObject({ error: 'invalid_token' })
    expect(demo.stats.revocations).toBe(1)
  })

  it('deny ends the flow with access_denied at the redirect URI', async () => {
    const { callback, state } = await authorize({ decision: 'deny', scope: 'contacts.read' })
    expect(callback.origin + callback.pathname).toBe(REDIRECT)
    expect(callback.searchParams.get('error')).toBe('access_denied')
    expect(() => oauth.validateAuthResponse(as, client, callback, state)).toThrow(oauth.AuthorizationResponseError)
  })

  it('a wrong password shows the login page again with an error', async () => {
    await expect(authorize({ password: 'nope' })).rejects.toThrow(/Wrong username or password/)
  })

  it('a second authorization in the same browser session skips login and consent', async () => {
    const jar = new CookieJar()
    await authorize({ jar })
    const { callback } = await authorize({ jar, password: 'not used' })
    expect(callback.searchParams.get('code')).toBeTruthy()
  })

  it('an openid-only request gets a userinfo token, not an API token', async () => {
    const { callback, verifier, state } = await authorize({ scope: 'openid profile' })
    const params = oauth.validateAuthResponse(as, client, callback, state)
    const res = await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT, verifier, insecure)
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, res)
    const sub = oauth.getValidatedIdTokenClaims(tokens)?.sub as string
    const info = await oauth.processUserInfoResponse(as, client, sub, await oauth.userInfoRequest(as, client, tokens.access_token, insecure))
    expect(info).toMatchObject({ sub: 'ada', name: 'Ada Lovelace' })
    expect((await api('/contacts', tokens.access_token)).status).toBe(403)
  })

  it('expired access tokens are rejected; clients without the refresh_token grant get none', async () => {
    const short = await startDemoProvider({
      clients: [{ clientId: 'c', clientSecret: 's', redirectUris: [REDIRECT], grantTypes: ['authorization_code'] }],
      accessTokenTtlSeconds: 2,
      contactsPerAccount: 1,
    })
    try {
      const issuer = new URL(short.url)
      const meta = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure))
      const c: oauth.Client = { client_id: 'c' }
      const verifier = oauth.generateRandomCodeVerifier()
      const url = new URL(short.authorizationUrl)
      url.search = new URLSearchParams({
        client_id: 'c', redirect_uri: REDIRECT, response_type: 'code', scope: 'contacts.read offline_access', state: 's',
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      }).toString()
      const callback = await authorizeViaHttp({ authorizationUrl: url.href, username: 'grace', password: 'hopper', decision: 'allow' })
      const params = oauth.validateAuthResponse(meta, c, new URL(callback), 's')
      const res = await oauth.authorizationCodeGrantRequest(meta, c, oauth.ClientSecretPost('s'), params, REDIRECT, verifier, insecure)
      const tokens = await oauth.processAuthorizationCodeResponse(meta, c, res)
      expect(tokens.refresh_token).toBeUndefined()
      expect(tokens.expires_in).toBe(2)
      const me = await fetch(`${short.apiBaseUrl}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })
      expect(await me.json()).toMatchObject({ id: 'grace' })
      await new Promise((r) => setTimeout(r, 2050))
      const later = await fetch(`${short.apiBaseUrl}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })
      expect(later.status).toBe(401)
    } finally {
      await short.close()
    }
  })

  it('client credentials (RFC 6749 §4.4) yields a token for a service account', async () => {
    const worker: oauth.Client = { client_id: 'worker' }
    const res = await oauth.clientCredentialsGrantRequest(as, worker, oauth.ClientSecretPost('w0rker'), { scope: 'contacts.read' }, insecure)
    const tokens = await oauth.processClientCredentialsResponse(as, worker, res)
    const me = await api('/me', tokens.access_token)
    expect(await me.json()).toMatchObject({ id: 'worker' })
    expect((await api('/contacts?limit=5', tokens.access_token)).status).toBe(200)
    expect((await api('/companies', tokens.access_token)).status).toBe(403)
    expect(demo.stats.tokenRequests).toMatchObject({ client_credentials: 1, total: 1 })
  })

  it('counts failed token requests too', async () => {
    const res = await oauth.refreshTokenGrantRequest(as, client, auth, 'not-a-refresh-token-at-all', insecure)
    await expect(oauth.processRefreshTokenResponse(as, client, res)).rejects.toMatchObject({ error: 'invalid_grant' })
    expect(demo.stats.tokenRequests).toEqual({ authorization_code: 0, refresh_token: 1, client_credentials: 0, total: 1 })
  })

  it('accepts API keys and rejects unknown ones', async () => {
    const ok = await fetch(`${demo.apiBaseUrl}/contacts?limit=100`, { headers: { 'x-api-key': 'key-123' } })
    expect(ok.status).toBe(200)
    expect(((await ok.json()) as { data: unknown[] }).data).toHaveLength(100)
    const bad = await fetch(`${demo.apiBaseUrl}/me`, { headers: { 'x-api-key': 'nope' } })
    expect(bad.status).toBe(401)
    const none = await fetch(`${demo.apiBaseUrl}/me`)
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/)
  })

  it('creates contacts with validation and Idempotency-Key', async () => {
    const headers = { 'x-api-key': 'key-123', 'content-type': 'application/json' }
    const invalid = await fetch(`${demo.apiBaseUrl}/contacts`, { method: 'POST', headers, body: JSON.stringify({ first_name: 'No email' }) })
    expect(invalid.status).toBe(422)
    expect(await invalid.json()).toMatchObject({ error: 'validation_failed', errors: [expect.objectContaining({ path: 'email' })] })

    const body = JSON.stringify({ email: 'new@person.test', first_name: 'New' })
    const a = await fetch(`${demo.apiBaseUrl}/contacts`, { method: 'POST', headers: { ...headers, 'idempotency-key': 'k1' }, body })
    const b = await fetch(`${demo.apiBaseUrl}/contacts`, { method: 'POST', headers: { ...headers, 'idempotency-key': 'k1' }, body })
    expect(a.status).toBe(201)
    expect(b.status).toBe(201)
    const [ca, cb] = (await Promise.all([a.json(), b.json()])) as { id: string }[]
    expect(cb).toEqual(ca)
    expect(ca?.id).toBe(`ct_${String(CONTACTS + 1).padStart(4, '0')}`)

    const patched = await fetch(`${demo.apiBaseUrl}/contacts/${ca?.id}`, { method: 'PATCH', headers, body: JSON.stringify({ lifecycle_stage: 'customer' }) })
    expect(await patched.json()).toMatchObject({ lifecycle_stage: 'customer' })
    expect((await fetch(`${demo.apiBaseUrl}/contacts/${ca?.id}`, { method: 'DELETE', headers })).status).toBe(204)
    expect((await fetch(`${demo.apiBaseUrl}/contacts/${ca?.id}`, { headers })).status).toBe(404)
  })

  it('filters by updated_since', async () => {
    const headers = { 'x-api-key': 'key-123' }
    const all = (await (await fetch(`${demo.apiBaseUrl}/contacts?limit=100`, { headers })).json()) as { data: { updated_at: string }[] }
    const since = [...all.data.map((c) => c.updated_at)].sort()[50] as string
    const res = (await (await fetch(`${demo.apiBaseUrl}/contacts?limit=100&updated_since=${since}`, { headers })).json()) as { data: { updated_at: string }[] }
    expect(res.data.length).toBeGreaterThan(0)
    expect(res.data.every((c) => c.updated_at >= since)).toBe(true)
  })

  it('rate limits per key with 429 and Retry-After', async () => {
    const limited = await startDemoProvider({ clients: [], apiKeys: ['k'], rateLimit: { requests: 3, windowSeconds: 60 }, contactsPerAccount: 1 })
    try {
      const statuses: number[] = []
      let last: Response | undefined
      for (let i = 0; i < 4; i++) {
        last = await fetch(`${limited.apiBaseUrl}/me`, { headers: { 'x-api-key': 'k' } })
        statuses.push(last.status)
      }
      expect(statuses).toEqual([200, 200, 200, 429])
      expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(last?.headers.get('x-ratelimit-remaining')).toBe('0')
      expect(Number(last?.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000)
    } finally {
      await limited.close()
    }
  })

  it('failNext injects failures for the next n requests', async () => {
    demo.failNext(2, 503, { 'retry-after': '1' })
    const headers = { 'x-api-key': 'key-123' }
    const r1 = await fetch(`${demo.apiBaseUrl}/me`, { headers })
    const r2 = await fetch(`${demo.apiBaseUrl}/me`, { headers })
    const r3 = await fetch(`${demo.apiBaseUrl}/me`, { headers })
    expect([r1.status, r2.status, r3.status]).toEqual([503, 503, 200])
    expect(r1.headers.get('retry-after')).toBe('1')
    expect(demo.stats.apiRequests).toBe(3)
  })

  it('echo returns the request as seen by the API', async () => {
    const res = await fetch(`${demo.apiBaseUrl}/echo/x?a=1&a=2`, { method: 'POST', headers: { 'x-api-key': 'key-123', 'x-test': 'yes' }, body: '{"n":1}' })
    expect(await res.json()).toMatchObject({ method: 'POST', path: '/api/v1/echo/x', query: { a: ['1', '2'] }, headers: { 'x-test': 'yes' }, body: { n: 1 } })
  })
})

describe('demo provider: deletions and churn', () => {
  type Entry = { id: string; updated_at: string; deleted?: true; deleted_at?: string; lifecycle_stage?: string; phone?: string | null; last_name?: string }
  let crm: DemoProvider
  beforeAll(async () => {
    crm = await startDemoProvider({ clients: [], apiKeys: ['k1', 'k2', 'k3'], contactsPerAccount: 60, rateLimit: { requests: 10_000, windowSeconds: 60 } })
  })
  afterAll(() => crm?.close())

  const call = (key: string, path: string, init: RequestInit = {}) => fetch(`${crm.apiBaseUrl}${path}`, { ...init, headers: { 'x-api-key': key, ...init.headers } })
  /** Every entry of `GET /contacts` with `query`, page by page (`limit` per page). */
  async function listAll(key: string, query: string, limit = 7): Promise<Entry[]> {
    const out: Entry[] = []
    let cursor: string | null = null
    do {
      const res = await call(key, `/contacts?limit=${limit}${query ? `&${query}` : ''}${cursor ? `&cursor=${cursor}` : ''}`)
      expect(res.status).toBe(200)
      const page = (await res.json()) as { data: Entry[]; next_cursor: string | null }
      out.push(...page.data)
      cursor = page.next_cursor
    } while (cursor)
    return out
  }

  it('keeps tombstones of deleted contacts, listed in id order only with include_deleted=true', async () => {
    const since = new Date().toISOString()
    for (const id of ['ct_0005', 'ct_0021', 'ct_0022']) expect((await call('k1', `/contacts/${id}`, { method: 'DELETE' })).status).toBe(204)

    const live = await listAll('k1', '')
    expect(live).toHaveLength(57)
    expect(live.some((c) => c.deleted)).toBe(false)
    expect(await listAll('k1', 'include_deleted=false')).toEqual(live)

    const all = await listAll('k1', 'include_deleted=true')
    expect(all.map((c) => c.id)).toEqual(Array.from({ length: 60 }, (_, i) => `ct_${String(i + 1).padStart(4, '0')}`))
    const tombstones = all.filter((c) => c.deleted)
    expect(tombstones.map((c) => c.id)).toEqual(['ct_0005', 'ct_0021', 'ct_0022'])
    for (const t of tombstones) {
      expect(t).toEqual({ id: t.id, deleted: true, deleted_at: expect.any(String), updated_at: t.deleted_at })
      expect(t.updated_at >= since).toBe(true)
    }

    // Seeded data predates `since`: only the deletions are newer, and only include_deleted shows them.
    expect(await listAll('k1', `updated_since=${since}`)).toEqual([])
    expect(await listAll('k1', `updated_since=${since}&include_deleted=true`, 2)).toEqual(tombstones)

    expect((await call('k1', '/contacts/ct_0005')).status).toBe(404)
    expect((await call('k1', '/contacts/ct_0005', { method: 'DELETE' })).status).toBe(404)
    expect((await call('k1', '/contacts/ct_0005', { method: 'PATCH', body: JSON.stringify({ phone: null }) })).status).toBe(404)
    const bad = await call('k1', '/contacts?include_deleted=yes')
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: 'invalid_request' })
  })

  it('churnNow changes exactly the requested counts, visible through updated_since', async () => {
    const before = new Map((await listAll('k2', '', 100)).map((c) => [c.id, c]))
    expect(before.size).toBe(60)
    const since = new Date().toISOString()
    const [step, ...others] = crm.churnNow('key:2', { updates: 4, deletes: 2, creates: 3 })
    expect(others).toEqual([])
    expect(step).toMatchObject({ accountKey: 'key:2', created: ['ct_0061', 'ct_0062', 'ct_0063'] })
    expect(step!.updated).toHaveLength(4)
    expect(step!.deleted).toHaveLength(2)
    expect(new Set([...step!.updated, ...step!.deleted]).size).toBe(6)
    expect(step!.at >= since).toBe(true)

    const changed = await listAll('k2', `updated_since=${since}&include_deleted=true`)
    expect(changed.map((c) => c.id)).toEqual([...step!.updated, ...step!.deleted, ...step!.created].sort())
    for (const c of changed) expect(c.updated_at).toBe(step!.at)
    for (const id of step!.deleted) expect(changed.find((c) => c.id === id)).toEqual({ id, deleted: true, deleted_at: step!.at, updated_at: step!.at })
    for (const id of step!.updated) {
      const now = changed.find((c) => c.id === id)!
      const old = before.get(id)!
      expect(now.deleted).toBeUndefined()
      // One of lifecycle stage, phone or last name really changed.
      expect([now.lifecycle_stage !== old.lifecycle_stage, now.phone !== old.phone, now.last_name !== old.last_name].filter(Boolean)).toHaveLength(1)
    }
    expect(await listAll('k2', `updated_since=${since}`)).toHaveLength(7)
    expect(await listAll('k2', '', 100)).toHaveLength(60 - 2 + 3)
    // Accounts nobody touched are left alone.
    expect((await listAll('k3', `updated_since=${since}&include_deleted=true`)).length).toBe(0)
  })

  it('churn is reproducible per account, defaults to 5/1/1 and checks its counts', async () => {
    const [x, y] = await Promise.all([1, 2].map(() => startDemoProvider({ clients: [], contactsPerAccount: 60 })))
    try {
      const counts = { updates: 4, deletes: 2, creates: 3 }
      const ids = (r: { updated: string[]; deleted: string[]; created: string[] } | undefined) => r && { updated: r.updated, deleted: r.deleted, created: r.created }
      const steps = [x!.churnNow('key:1', counts)[0], x!.churnNow('key:1', counts)[0], y!.churnNow('key:1', counts)[0], y!.churnNow('key:1', counts)[0]]
      // The same account on the same seed data makes the same choices, step after step.
      expect(ids(steps[2])).toEqual(ids(steps[0]))
      expect(ids(steps[3])).toEqual(ids(steps[1]))
      expect(ids(steps[1])).not.toEqual(ids(steps[0]))
      expect(ids(x!.churnNow('key:2', counts)[0])!.updated).not.toEqual(steps[0]!.updated)

      // Without counts: the defaults, in every account seeded so far (here key:1 and key:2).
      const all = x!.churnNow()
      expect(all.map((r) => r.accountKey)).toEqual(['key:1', 'key:2'])
      for (const r of all) expect([r.updated.length, r.deleted.length, r.created.length]).toEqual([5, 1, 1])
      expect(() => x!.churnNow('key:1', { deletes: -1 })).toThrow(RangeError)
      expect(() => x!.churnNow('key:1', { updates: 1.5 })).toThrow(RangeError)
    } finally {
      await Promise.all([x?.close(), y?.close()])
    }
  })

  it('runs churn on a timer for the accounts in use, 2,500 contacts each by default', async () => {
    await expect(startDemoProvider({ clients: [], churn: { intervalMs: 0, updates: 1, deletes: 0, creates: 0 } })).rejects.toThrow(RangeError)
    await expect(startDemoProvider({ clients: [], churn: { intervalMs: 10, updates: 1, deletes: -1, creates: 0 } })).rejects.toThrow(RangeError)
    const ticking = await startDemoProvider({ clients: [], apiKeys: ['k'], churn: { intervalMs: 20, updates: 2, deletes: 1, creates: 1 } })
    try {
      const since = new Date().toISOString()
      const get = (q: string) => fetch(`${ticking.apiBaseUrl}/contacts?limit=100&${q}`, { headers: { 'x-api-key': 'k' } })
      expect((await get('')).status).toBe(200)
      let changed: Entry[] = []
      for (let i = 0; i < 100 && changed.filter((c) => c.deleted).length < 2; i++) {
        await new Promise((r) => setTimeout(r, 20))
        changed = ((await (await get(`updated_since=${since}&include_deleted=true`)).json()) as { data: Entry[] }).data
      }
      expect(changed.filter((c) => c.deleted).length).toBeGreaterThanOrEqual(2)
      expect(changed.map((c) => c.id)).toContain('ct_2501')
    } finally {
      await ticking.close()
    }
  })
})
