/**
 * The complete OAuth 2.0 flow against the bundled oidc-provider on 127.0.0.1: authorization code
 * with PKCE, exchange, refresh with rotation, revocation; and its failures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoProvider, authorizeViaHttp, type DemoProvider } from '../server/src/demo/provider/index'
import { connectViaOAuth, createTestApp, testDatabases, type TestApp } from '../server/src/testing'
import { findConnectionRow } from '../server/src/db/queries/connections'
import demoCrm from '../connectors/demo-crm/index'
import { getConnector, registerConnector } from '../connectors/registry'
import { defineConnector, type ConnectorInput } from '../connectors/schema'

const ORIGIN = 'http://localhost:5173'

/** The provider's `/me` of the suite running now, read by the afterAuthorization test connector. */
let meUrl = ''
/** The `callbackParams` each afterAuthorization call of the callback-params test connector saw (the connector is registered once per process). */
const seen: Record<string, string>[] = []

describe.each(testDatabases())('OAuth 2.0 flow on $name', (target) => {
  let t: TestApp
  let provider: DemoProvider
  const request = (path: string, init?: RequestInit) => Promise.resolve(t.app.request(path, init))
  const session = async (body: Record<string, unknown> = {}) => {
    const r = await t.call('POST', '/v1/connect-sessions', { body: { endUser: { id: 'user-1', email: 'ada@example.com' }, allowedOrigins: [ORIGIN], ...body } })
    expect(r.status).toBe(201)
    return ((await r.json()) as { token: string }).token
  }

  /** Starts an authorization as the widget, opens it in the "browser" and consents; stops before the callback. */
  const authorizeUpToCallback = async (token: string, integration = 'crm') => {
    const started = await request('/v1/embed/oauth/authorizations', { method: 'POST', headers: { authorization: `Bearer ${token}`, origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify({ integration }) })
    const { url } = (await started.json()) as { url: string }
    const start = new URL(url)
    const redirect = await request(start.pathname + start.search, { redirect: 'manual' })
    const setCookie = redirect.headers.get('set-cookie') ?? ''
    const cookie = setCookie.split(';')[0]!
    const location = new URL(redirect.headers.get('location')!)
    const final = new URL(await authorizeViaHttp({ authorizationUrl: location.toString(), username: 'ada', password: 'lovelace', decision: 'allow' }))
    return { start, redirect, setCookie, cookie, location, final }
  }

  beforeAll(async () => {
    t = await createTestApp(target)
    provider = await startDemoProvider({ clients: [{ clientId: 'pb', clientSecret: 'pb-secret', redirectUris: ['http://127.0.0.1:3999/oauth/callback'] }], accessTokenTtlSeconds: 3600 })
    const r = await t.call('POST', '/v1/integrations', {
      body: { key: 'crm', connectorId: 'demo-crm', syncSettings: { autoStart: false }, clientId: 'pb', clientSecret: 'pb-secret', overrides: { authorizationUrl: provider.authorizationUrl, tokenUrl: provider.tokenUrl, revocationUrl: provider.revocationUrl, baseUrl: provider.apiBaseUrl } },
    })
    expect(r.status).toBe(201)
  })
  afterAll(async () => {
    await provider?.close()
    await t?.close()
  })

  it("keeps connection config read from the token response only when it is declared as from the token and matches its pattern", async () => {
    // Two variants of the Demo CRM whose hook reads the granted scope from the token response:
    // one declares it (a pattern of scope names), the other returns a value its pattern refuses.
    const variant = (id: string, read: (tokens: Record<string, unknown>) => Record<string, string>) =>
      getConnector(id) ??
      registerConnector(
        defineConnector({
          ...(demoCrm as unknown as ConnectorInput),
          id,
          connectionConfig: { grantedScope: { label: 'Granted scope', source: 'token', pattern: '[a-z._ ]+', required: false } },
          hooks: { ...demoCrm.hooks, afterTokenResponse: read },
        }),
      )
    variant('demo-crm-token-config', (tokens) => ({ grantedScope: String(tokens.scope) }))
    variant('demo-crm-token-config-bad', () => ({ grantedScope: 'https://attacker.example/' }))
    // (Registered once per process; the databases' suites each have their own provider.)
    meUrl = `${provider.apiBaseUrl}/me`
    // afterAuthorization: a request with the new access token (here the provider's /me, as Jira's accessible-resources).
    getConnector('demo-crm-after-auth') ??
      registerConnector(
        defineConnector({
          ...(demoCrm as unknown as ConnectorInput),
          id: 'demo-crm-after-auth',
          connectionConfig: { subject: { label: 'Subject', source: 'token', pattern: '[A-Za-z0-9_-]+', required: false } },
          hooks: { ...demoCrm.hooks, afterAuthorization: async ({ get }) => ({ subject: String(((await get(meUrl)) as { id: string }).id) }) },
        }),
      )
    for (const [key, connectorId] of [['tc-ok', 'demo-crm-token-config'], ['tc-bad', 'demo-crm-token-config-bad'], ['tc-after', 'demo-crm-after-auth']]) {
      const r = await t.call('POST', '/v1/integrations', { body: { key, connectorId, syncSettings: { autoStart: false }, clientId: 'pb', clientSecret: 'pb-secret', overrides: { authorizationUrl: provider.authorizationUrl, tokenUrl: provider.tokenUrl, revocationUrl: provider.revocationUrl, baseUrl: provider.apiBaseUrl } } })
      expect(r.status).toBe(201)
    }
    const ok = await connectViaOAuth(request, { sessionToken: await session(), integration: 'tc-ok', origin: ORIGIN })
    expect(ok.result).toMatchObject({ ok: true })
    const view = (await (await t.call('GET', `/v1/connections/${ok.result.connectionId as string}`)).json()) as { connectionConfig: Record<string, string> }
    expect(view.connectionConfig.grantedScope).toContain('contacts.read')

    const bad = await connectViaOAuth(request, { sessionToken: await session(), integration: 'tc-bad', origin: ORIGIN })
    expect(bad.result).toMatchObject({ ok: false, code: 'oauth_exchange_failed' })
    const list = (await (await t.call('GET', '/v1/connections?integration=tc-bad')).json()) as { data: unknown[] }
    expect(list.data).toEqual([])

    const after = await connectViaOAuth(request, { sessionToken: await session(), integration: 'tc-after', origin: ORIGIN })
    expect(after.result).toMatchObject({ ok: true })
    const afterView = (await (await t.call('GET', `/v1/connections/${after.result.connectionId as string}`)).json()) as { connectionConfig: Record<string, string> }
    const me = (await (await fetch(`${provider.apiBaseUrl}/me`, { headers: { authorization: 'Bearer nope' } })).status)
    expect(me).toBe(401) // /me needs the token: the hook's request carried it
    expect(afterView.connectionConfig.subject).toMatch(/^[A-Za-z0-9_-]+$/)
  })

  it("gives afterAuthorization the callback's own parameters (QuickBooks Online's realmId), not code or state", async () => {
    // A Demo CRM variant that reads a company id from the redirect, as QuickBooks Online's realmId
    // (https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0).
    getConnector('demo-crm-callback-params') ??
      registerConnector(
        defineConnector({
          ...(demoCrm as unknown as ConnectorInput),
          id: 'demo-crm-callback-params',
          connectionConfig: { realmId: { label: 'Company ID', source: 'token', pattern: '[0-9]{1,32}', required: true } },
          hooks: {
            ...demoCrm.hooks,
            afterAuthorization: async ({ callbackParams }) => {
              seen.push({ ...callbackParams })
              if (callbackParams.realmId === undefined) throw new Error('no realmId on the callback')
              return { realmId: callbackParams.realmId }
            },
          },
        }),
      )
    const r = await t.call('POST', '/v1/integrations', { body: { key: 'tc-realm', connectorId: 'demo-crm-callback-params', syncSettings: { autoStart: false }, clientId: 'pb', clientSecret: 'pb-secret', overrides: { authorizationUrl: provider.authorizationUrl, tokenUrl: provider.tokenUrl, revocationUrl: provider.revocationUrl, baseUrl: provider.apiBaseUrl } } })
    expect(r.status).toBe(201)

    // The provider's redirect, with the company id added as Intuit adds it.
    const { cookie, final } = await authorizeUpToCallback(await session(), 'tc-realm')
    final.searchParams.set('realmId', '9130347596842384658')
    expect([...final.searchParams.keys()]).toEqual(expect.arrayContaining(['code', 'state', 'realmId']))
    const ok = await request(final.pathname + final.search, { headers: { cookie, accept: 'application/json' } })
    const result = (await ok.json()) as { ok: boolean; connectionId: string }
    expect(result).toMatchObject({ ok: true })
    const view = (await (await t.call('GET', `/v1/connections/${result.connectionId}`)).json()) as { connectionConfig: Record<string, string> }
    expect(view.connectionConfig).toEqual({ realmId: '9130347596842384658' })
    expect(seen.at(-1)).toEqual({ realmId: '9130347596842384658' })

    // A value the field's pattern refuses refuses the connection; no realmId at all too.
    for (const realmId of ['../../evil', undefined]) {
      const again = await authorizeUpToCallback(await session(), 'tc-realm')
      if (realmId !== undefined) again.final.searchParams.set('realmId', realmId)
      const bad = await request(again.final.pathname + again.final.search, { headers: { cookie: again.cookie, accept: 'application/json' } })
      expect(await bad.json()).toMatchObject({ ok: false, code: 'oauth_exchange_failed' })
      expect(Object.keys(seen.at(-1)!)).toEqual(realmId === undefined ? [] : ['realmId'])
    }
  })

  it('connects with PKCE, stores encrypted tokens, proxies, refreshes with rotation and revokes on delete', async () => {
    const token = await session()
    provider.resetStats()
    const { status, result } = await connectViaOAuth(request, { sessionToken: token, integration: 'crm', origin: ORIGIN })
    expect(status).toBe(200)
    expect(result).toMatchObject({ ok: true, integration: 'crm', openerOrigin: ORIGIN })
    const connectionId = result.connectionId as string
    expect(provider.stats.tokenRequests.authorization_code).toBe(1)

    // The API shows the connection, never its tokens; the database holds only ciphertext.
    const got = await t.call('GET', `/v1/connections/${connectionId}`)
    const view = (await got.json()) as Record<string, unknown>
    expect(view).toMatchObject({ id: connectionId, integration: 'crm', endUserId: 'user-1', status: 'active', accountLabel: 'ada@demo-crm.test' })
    expect(view.scopes).toContain('contacts.read')
    expect(JSON.stringify(view)).not.toMatch(/accessToken|refreshToken/)
    const row = await findConnectionRow(t.ctx.db, connectionId)
    expect(row!.credentialsEnc).toMatch(/^pb1:dek_/)
    const creds = await t.ctx.credentials.get(t.tenant.environmentId, connectionId)
    expect(row!.credentialsEnc).not.toContain((creds.credentials as { accessToken: string }).accessToken)

    // Proxy: the provider's body comes back unchanged.
    const me = await t.call('GET', `/v1/proxy/${connectionId}/me`)
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({ email: 'ada@demo-crm.test' })
    expect(me.headers.get('x-ratelimit-limit')).toBeTruthy()

    // Refresh: force expiry; the next proxied call refreshes first, the refresh token rotates.
    const before = creds.credentials as { refreshToken: string; accessToken: string }
    await t.ctx.db.execute(`update connections set expires_at = now() - interval '1 minute' where id = '${connectionId}'` as never)
    const expired = { ...creds, credentials: { ...creds.credentials, expiresAt: new Date(Date.now() - 60_000).toISOString() } }
    ;(t.ctx.credentials as unknown as { entries: Map<string, unknown> }).entries.set(connectionId, expired)
    const after401 = await t.call('GET', `/v1/proxy/${connectionId}/contacts?limit=2`)
    expect(after401.status).toBe(200)
    expect(provider.stats.tokenRequests.refresh_token).toBe(1)
    const fresh = (await t.ctx.credentials.get(t.tenant.environmentId, connectionId)).credentials as { refreshToken: string; accessToken: string }
    expect(fresh.accessToken).not.toBe(before.accessToken)
    expect(fresh.refreshToken).not.toBe(before.refreshToken)
    const refreshed = (await (await t.call('GET', `/v1/connections/${connectionId}`)).json()) as { lastRefreshedAt: string | null }
    expect(refreshed.lastRefreshedAt).not.toBeNull()

    // Delete revokes at the provider (RFC 7009); the token then fails at the API.
    const del = await t.call('DELETE', `/v1/connections/${connectionId}`)
    expect(await del.json()).toEqual({ deleted: true, revoked: true })
    expect(provider.stats.revocations).toBe(1)
    const direct = await fetch(`${provider.apiBaseUrl}/me`, { headers: { authorization: `Bearer ${fresh.accessToken}` } })
    expect(direct.status).toBe(401)
    expect((await t.call('GET', `/v1/connections/${connectionId}`)).status).toBe(404)
  })

  it('refreshes once on a 401 from the provider and retries the request', async () => {
    const token = await session()
    const { result } = await connectViaOAuth(request, { sessionToken: token, integration: 'crm', origin: ORIGIN })
    const id = result.connectionId as string
    const before = (await t.ctx.credentials.get(t.tenant.environmentId, id)).credentials as { accessToken: string }
    // The provider rejects the (unexpired) access token once, as after a server-side invalidation (RFC 6750 §3.1).
    provider.resetStats()
    provider.failNext(1, 401, { 'www-authenticate': 'Bearer error="invalid_token"' })
    const r = await t.call('GET', `/v1/proxy/${id}/me`)
    expect(r.status).toBe(200)
    expect(provider.stats.tokenRequests.refresh_token).toBe(1)
    expect(provider.stats.apiRequests).toBe(2)
    const after = (await t.ctx.credentials.get(t.tenant.environmentId, id)).credentials as { accessToken: string }
    expect(after.accessToken).not.toBe(before.accessToken)
  })

  it('marks the connection needs_reauth on invalid_grant, after re-reading the stored credentials', async () => {
    const token = await session()
    const { result } = await connectViaOAuth(request, { sessionToken: token, integration: 'crm', origin: ORIGIN })
    const id = result.connectionId as string
    const loaded = await t.ctx.credentials.get(t.tenant.environmentId, id)
    // Revoke the grant behind Patchbay's back: the refresh token is now invalid.
    await fetch(provider.revocationUrl, { method: 'POST', headers: { authorization: `Basic ${Buffer.from('pb:pb-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${(loaded.credentials as { refreshToken: string }).refreshToken}` })
    ;(t.ctx.credentials as unknown as { entries: Map<string, unknown> }).entries.set(id, { ...loaded, credentials: { ...loaded.credentials, expiresAt: new Date(Date.now() - 1000).toISOString() } })
    const r = await t.call('GET', `/v1/proxy/${id}/me`)
    expect(r.status).toBe(409)
    expect(await r.json()).toMatchObject({ code: 'reauth_required' })
    const view = (await (await t.call('GET', `/v1/connections/${id}`)).json()) as { status: string; statusReason: string }
    expect(view.status).toBe('needs_reauth')
    expect(view.statusReason).toMatch(/invalid_grant/)

    // Re-authorizing keeps the same connection id and makes it active again.
    const again = await connectViaOAuth(request, { sessionToken: token, integration: 'crm', origin: ORIGIN, connectionId: id })
    expect(again.result).toMatchObject({ ok: true, connectionId: id, reconnected: true })
    expect(((await (await t.call('GET', `/v1/connections/${id}`)).json()) as { status: string }).status).toBe('active')
    expect((await t.call('GET', `/v1/proxy/${id}/me`)).status).toBe(200)
  })

  it('rejects a replayed state and a replayed code', async () => {
    const token = await session()
    const first = await connectViaOAuth(request, { sessionToken: token, integration: 'crm', origin: ORIGIN })
    expect(first.result.ok).toBe(true)
    const replay = await request(first.callbackPath, { headers: { cookie: first.cookie, accept: 'application/json' } })
    expect(replay.status).toBe(400)
    expect(await replay.json()).toMatchObject({ ok: false, code: 'oauth_state_invalid' })
  })

  it('rejects an unknown or forged state', async () => {
    const r = await request('/oauth/callback?code=abc&state=forged', { headers: { accept: 'application/json' } })
    expect(await r.json()).toMatchObject({ ok: false, code: 'oauth_state_invalid' })
    const start = await request('/oauth/start?state=forged')
    expect(start.status).toBe(400)
    expect(await start.json()).toMatchObject({ code: 'oauth_state_invalid' })
  })

  it('rejects a callback from another browser (no binding cookie) and a start link opened twice', async () => {
    const token = await session()
    const { start, redirect, location, final } = await authorizeUpToCallback(token)
    expect(redirect.status).toBe(302)
    expect((await request(start.pathname + start.search, { redirect: 'manual' })).status).toBe(400)
    expect(location.searchParams.get('code_challenge_method')).toBe('S256')
    expect(location.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(location.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:3999/oauth/callback')
    const r = await request(final.pathname + final.search, { headers: { accept: 'application/json' } })
    expect(await r.json()).toMatchObject({ ok: false, code: 'oauth_state_invalid' })
  })

  it('reports a denied consent as oauth_denied', async () => {
    const token = await session()
    const { result } = await connectViaOAuth(request, { sessionToken: token, integration: 'crm', origin: ORIGIN, decision: 'deny' })
    expect(result).toMatchObject({ ok: false, code: 'oauth_denied' })
  })

  it('fails the exchange when the redirect URI registered at the provider does not match', async () => {
    const other = await startDemoProvider({ clients: [{ clientId: 'pb2', clientSecret: 's', redirectUris: ['http://127.0.0.1:3999/oauth/callback'] }] })
    try {
      await t.call('POST', '/v1/integrations', { body: { key: 'crm-mismatch', connectorId: 'demo-crm', syncSettings: { autoStart: false }, clientId: 'pb2', clientSecret: 's', overrides: { authorizationUrl: other.authorizationUrl, tokenUrl: other.tokenUrl, baseUrl: other.apiBaseUrl } } })
      const token = await session()
      const started = await request('/v1/embed/oauth/authorizations', { method: 'POST', headers: { authorization: `Bearer ${token}`, origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify({ integration: 'crm-mismatch' }) })
      const { url } = (await started.json()) as { url: string }
      const u = new URL(url)
      const redirect = await request(u.pathname + u.search, { redirect: 'manual' })
      const location = new URL(redirect.headers.get('location')!)
      location.searchParams.set('redirect_uri', 'http://127.0.0.1:3999/elsewhere')
      // The provider refuses an unregistered redirect URI (RFC 6749 §3.1.2.4): no redirect back at all.
      const page = await fetch(location, { redirect: 'manual' })
      expect(page.status).toBe(400)
    } finally {
      await other.close()
    }
  })

  it('refuses a callback whose redirect URI differs from the one the authorization used', async () => {
    const token = await session()
    const { cookie, final } = await authorizeUpToCallback(token)
    // PUBLIC_URL changed between the authorization request and the callback.
    await t.ctx.db.execute(`update oauth_states set redirect_uri = 'https://old.example/oauth/callback' where consumed_at is null` as never)
    const r = await request(final.pathname + final.search, { headers: { cookie, accept: 'application/json' } })
    expect(await r.json()).toMatchObject({ ok: false, code: 'oauth_state_invalid', message: 'Redirect URI mismatch' })
  })

  it('refuses expired sessions and disallowed origins', async () => {
    const token = await session()
    const bad = await request('/v1/embed/oauth/authorizations', { method: 'POST', headers: { authorization: `Bearer ${token}`, origin: 'https://evil.example', 'content-type': 'application/json' }, body: JSON.stringify({ integration: 'crm' }) })
    expect(bad.status).toBe(403)
    expect(await bad.json()).toMatchObject({ code: 'origin_not_allowed' })

    // Session expires between start and callback: the callback refuses to connect.
    const short = await session()
    const { cookie, final } = await authorizeUpToCallback(short)
    await t.ctx.db.execute(`update connect_sessions set expires_at = now() - interval '1 second'` as never)
    const r = await request(final.pathname + final.search, { headers: { cookie, accept: 'application/json' } })
    expect(await r.json()).toMatchObject({ ok: false, code: 'session_expired' })
    t.ctx.principals.clear()
    const after = await request('/v1/embed/integrations', { headers: { authorization: `Bearer ${short}`, origin: ORIGIN } })
    expect(after.status).toBe(401)
    expect(await after.json()).toMatchObject({ code: 'session_expired' })
  })

  it('posts the result only to the widget origin on the HTML callback page', async () => {
    const token = await session()
    const { cookie, setCookie, final } = await authorizeUpToCallback(token)
    expect(setCookie).toMatch(/HttpOnly/i)
    expect(setCookie).toMatch(/SameSite=Lax/i)
    const page = await request(final.pathname + final.search, { headers: { cookie } })
    const html = await page.text()
    expect(html).toContain(`window.opener.postMessage(m,o)`)
    expect(html).toContain(JSON.stringify(ORIGIN))
    expect(html).not.toContain("'*'")
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'nonce-/)
  })
})
