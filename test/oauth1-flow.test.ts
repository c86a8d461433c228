/**
 * The OAuth 1.0a three-legged flow (RFC 5849 §2) end to end, server level, against the fake
 * Trello-shaped provider on 127.0.0.1 (test/fakes/oauth1-provider.ts), which verifies every
 * signature with code written from the RFC: temporary credentials with `oauth_callback`, the
 * authorization page in the widget's popup, the callback matched by `oauth_token`, token
 * credentials with `oauth_verifier`, then signed proxy requests (query and form body), an action
 * and the initial syncs. Also: replayed and unknown tokens, denial, another browser, an unconfirmed
 * callback, a wrong consumer secret, and no secret in any answer or log line.
 */
import { Writable } from 'node:stream'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import trello from '../connectors/trello/index'
import { registerConnector } from '../connectors/registry'
import { defineConnector, type ConnectorInput } from '../connectors/schema'
import { findConnectionRow } from '../server/src/db/queries/connections'
import { REDACT_PATHS } from '../server/src/lib/logger'
import { createTestApp, testDatabases, type TestApp } from '../server/src/testing'
import { startFakeOAuth1Provider, type FakeOAuth1Provider } from './fakes/oauth1-provider'

const ORIGIN = 'http://localhost:5173'
const CONSUMER_KEY = 'trello-api-key-0123456789abcdef'
const CONSUMER_SECRET = 'consumer-secret-that-must-never-leak'
const LIST_ID = '5abbe4b7ddc1b351ef961401'

describe.each(testDatabases())('OAuth 1.0a flow (Trello) on $name', (target) => {
  let t: TestApp
  let fake: FakeOAuth1Provider
  let connectorId: string
  const logLines: string[] = []
  const request = (path: string, init?: RequestInit) => Promise.resolve(t.app.request(path, init))

  const session = async () => {
    const r = await t.call('POST', '/v1/connect-sessions', { body: { endUser: { id: 'user-1' }, allowedOrigins: [ORIGIN] } })
    expect(r.status).toBe(201)
    return ((await r.json()) as { token: string }).token
  }
  /** The widget starts an authorization; the popup opens the start URL (binding cookie, temporary credentials, redirect). */
  const start = async (token?: string, accept?: string) => {
    const started = await request('/v1/embed/oauth/authorizations', { method: 'POST', headers: { authorization: `Bearer ${token ?? (await session())}`, origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify({ integration: 'trello' }) })
    expect(started.status).toBe(201)
    const startUrl = new URL(((await started.json()) as { url: string }).url)
    const redirect = await request(startUrl.pathname + startUrl.search, { redirect: 'manual', headers: accept ? { accept } : {} })
    return { startUrl, redirect, cookie: (redirect.headers.get('set-cookie') ?? '').split(';')[0]! }
  }
  /** The person at the provider's authorization page; returns the callback URL the provider redirects to. */
  const consent = async (location: string, decision: 'allow' | 'deny' = 'allow') => {
    const res = await fetch(`${location}&decision=${decision}`, { redirect: 'manual' })
    expect(res.status).toBe(302)
    return new URL(res.headers.get('location')!)
  }
  const callback = (url: URL, cookie: string, accept = 'application/json') => request(url.pathname + url.search, { headers: { cookie, accept } })
  /** All three legs; returns the callback's JSON. */
  const connect = async () => {
    const { redirect, cookie } = await start()
    expect(redirect.status).toBe(302)
    const res = await callback(await consent(redirect.headers.get('location')!), cookie)
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
  const secretsIn = (text: string) => [CONSUMER_SECRET, ...fake.issuedSecrets, ...[...fake.accessTokens].flatMap(([k, v]) => [k, v.secret])].filter((s) => text.includes(s))

  beforeAll(async () => {
    fake = await startFakeOAuth1Provider({ consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET })
    // Trello as shipped, its endpoints moved to the fake (one connector per suite: each has its own fake).
    connectorId = `trello-fake-${new URL(fake.url).port}`
    const input = trello as unknown as ConnectorInput
    registerConnector(
      defineConnector({
        ...input,
        id: connectorId,
        auth: { ...(trello.auth as Extract<ConnectorInput['auth'], { type: 'oauth1' }>), requestTokenUrl: fake.requestTokenUrl, authorizationUrl: fake.authorizationUrl, accessTokenUrl: fake.accessTokenUrl },
        http: { ...trello.http, baseUrl: fake.apiBaseUrl },
      }),
    )
    t = await createTestApp(target)
    // Capture every log line, with the production redaction rules.
    const sink = new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) })
    ;(t.ctx as { log: unknown }).log = pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink)
    const r = await t.call('POST', '/v1/integrations', { body: { key: 'trello', connectorId, displayName: 'Acme Boards', clientId: CONSUMER_KEY, clientSecret: CONSUMER_SECRET, scopes: ['read', 'write'] } })
    expect(r.status, await r.clone().text()).toBe(201)
    expect(await r.json()).toMatchObject({ authType: 'oauth1', redirectUri: 'http://127.0.0.1:3999/oauth/callback', hasClientSecret: true })
  })
  afterAll(async () => {
    await t?.close()
    await fake?.close()
  })

  it('connects through the three legs, then signs proxy requests, actions and syncs with the token credentials', async () => {
    const { redirect, cookie } = await start()
    expect(redirect.status).toBe(302)
    expect(cookie).toMatch(/^pb_oauth_st_/)
    // Leg 1: temporary credentials, signed with the consumer only, with the callback (RFC 5849 §2.1).
    const temp = fake.requests.filter((q) => q.path === '/1/OAuthGetRequestToken').at(-1)!
    expect(temp.refused).toBeNull()
    expect(temp.oauth.oauth_callback).toBe('http://127.0.0.1:3999/oauth/callback')
    expect(temp.oauth.oauth_token).toBeUndefined()
    // Leg 2: the popup goes to the authorization page with the temporary token, Trello's parameters and the integration's scopes.
    const location = new URL(redirect.headers.get('location')!)
    expect(location.origin + location.pathname).toBe(fake.authorizationUrl)
    expect(Object.fromEntries(location.searchParams)).toEqual({ oauth_token: expect.stringMatching(/^[0-9a-f]{32}$/), scope: 'read,write', expiration: 'never', name: 'Acme Boards' })
    // Leg 3: the callback carries oauth_token and oauth_verifier; the token request is signed with the temporary secret.
    const cb = await consent(location.toString())
    expect(cb.origin + cb.pathname).toBe('http://127.0.0.1:3999/oauth/callback')
    const res = await callback(cb, cookie)
    const body = (await res.json()) as Record<string, unknown>
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body).toMatchObject({ ok: true, integration: 'trello', reconnected: false, openerOrigin: ORIGIN })
    const access = fake.requests.filter((q) => q.path === '/1/OAuthGetAccessToken')
    expect(access).toHaveLength(1)
    expect(access[0]).toMatchObject({ refused: null, oauth: { oauth_token: location.searchParams.get('oauth_token'), oauth_verifier: cb.searchParams.get('oauth_verifier') } })
    const connectionId = body.connectionId as string

    // The account label came from a signed GET /1/members/me; the API shows no credentials.
    const view = await (await t.call('GET', `/v1/connections/${connectionId}`)).json()
    expect(view).toMatchObject({ id: connectionId, status: 'active', accountLabel: 'Ada Lovelace (ada)', scopes: ['read', 'write'] })
    expect(fake.accessTokens.size).toBe(1)
    const [token, { secret }] = [...fake.accessTokens][0]!
    expect(secretsIn(JSON.stringify(view))).toEqual([])
    const row = (await findConnectionRow(t.ctx.db, connectionId))!
    expect(row.credentialsEnc).not.toContain(secret)
    expect((await t.ctx.credentials.get(t.tenant.environmentId, connectionId)).credentials).toEqual({ type: 'oauth1', token, tokenSecret: secret })

    // Proxy: the signature covers the final URL's query (`+` is a space) …
    const search = await t.call('GET', `/v1/proxy/${connectionId}/search?query=release+notes&modelTypes=cards`)
    expect(search.status, await search.clone().text()).toBe(200)
    expect(await search.json()).toEqual({ echo: { query: 'release notes', modelTypes: 'cards' } })
    // … and a form body's parameters (RFC 5849 §3.4.1.3.1).
    const created = await t.call('POST', `/v1/proxy/${connectionId}/cards`, { body: `idList=${LIST_ID}&name=From+the+proxy`, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    expect(created.status, await created.clone().text()).toBe(200)
    expect(fake.createdCards.at(-1)).toEqual({ idList: LIST_ID, name: 'From the proxy' })

    // A retried proxy request is signed again: a new nonce per attempt (RFC 5849 §3.3).
    fake.failNextApi(503)
    const retried = await t.call('GET', `/v1/proxy/${connectionId}/members/me`)
    expect(retried.status).toBe(200)
    const attempts = fake.requests.filter((q) => q.path === '/1/members/me').slice(-2)
    expect(attempts.map((q) => q.refused)).toEqual([null, null])
    expect(attempts[0]!.oauth.oauth_nonce).not.toBe(attempts[1]!.oauth.oauth_nonce)

    // The create_card action sends its input form-encoded, signed.
    const action = await t.call('POST', '/v1/actions/create_card', { body: { connectionId, input: { idList: LIST_ID, name: 'From the action', pos: 'top' } } })
    expect(action.status, await action.clone().text()).toBe(200)
    expect(fake.createdCards.at(-1)).toEqual({ idList: LIST_ID, name: 'From the action', pos: 'top' })

    // The initial syncs read boards and cards with signed requests.
    for (const [sync, model, count] of [['boards', 'board', 1], ['cards', 'card', 2]] as const) {
      let run: { status: string; added: number } | undefined
      for (let i = 0; i < 200 && !(run && ['succeeded', 'failed'].includes(run.status)); i++) {
        run = ((await (await t.call('GET', `/v1/sync-runs?connectionId=${connectionId}&sync=${sync}&limit=1`)).json()) as { data: { status: string; added: number }[] }).data[0]
        await new Promise((r) => setTimeout(r, 50))
      }
      expect(run, sync).toMatchObject({ status: 'succeeded', added: count })
      const records = (await (await t.call('GET', `/v1/records?connectionId=${connectionId}&model=${model}`)).json()) as { data: unknown[] }
      expect(records.data).toHaveLength(count)
    }

    // Every API request reached the fake signed with these token credentials, and was accepted.
    const api = fake.requests.filter((q) => !q.path.startsWith('/1/OAuth'))
    expect(api.length).toBeGreaterThanOrEqual(6)
    for (const q of api) expect(q, `${q.method} ${q.path}`).toMatchObject({ refused: null, oauth: { oauth_token: token, oauth_consumer_key: CONSUMER_KEY } })
    expect(new Set(api.map((q) => q.oauth.oauth_nonce)).size).toBe(api.length)
    expect(secretsIn(logLines.join('\n'))).toEqual([])
    expect(logLines.join('\n')).toContain('connection created')
  })

  it('refuses a replayed callback and an unknown oauth_token, exchanging the verifier once', async () => {
    const { redirect, cookie } = await start()
    const cb = await consent(redirect.headers.get('location')!)
    const before = fake.requests.filter((q) => q.path === '/1/OAuthGetAccessToken').length
    expect((await callback(cb, cookie)).status).toBe(200)
    const replay = await callback(cb, cookie)
    expect(replay.status).toBe(400)
    expect(await replay.json()).toMatchObject({ code: 'oauth_state_invalid' })
    const forged = new URL(cb)
    forged.searchParams.set('oauth_token', 'f'.repeat(32))
    const unknown = await callback(forged, cookie)
    expect(unknown.status).toBe(400)
    expect(await unknown.json()).toMatchObject({ code: 'oauth_state_invalid' })
    // A callback with neither state nor oauth_token.
    expect(await (await request('/oauth/callback?oauth_verifier=x', { headers: { cookie, accept: 'application/json' } })).json()).toMatchObject({ code: 'oauth_state_invalid' })
    expect(fake.requests.filter((q) => q.path === '/1/OAuthGetAccessToken').length).toBe(before + 1)
  })

  it('reports a denied authorization (a callback without oauth_verifier) as oauth_denied to the widget', async () => {
    const connections = async () => ((await (await t.call('GET', '/v1/connections')).json()) as { data: unknown[] }).data.length
    const count = await connections()
    const before = fake.requests.filter((q) => q.path === '/1/OAuthGetAccessToken').length
    const { redirect, cookie } = await start()
    const cb = await consent(redirect.headers.get('location')!, 'deny')
    expect(cb.searchParams.has('oauth_verifier')).toBe(false)
    const res = await callback(cb, cookie, 'text/html')
    expect(res.status).toBe(400)
    const html = await res.text()
    // The page posts the result to the widget's origin only.
    expect(html).toContain('"code":"oauth_denied"')
    expect(html).toContain(`var o="${ORIGIN}"`)
    expect(fake.requests.filter((q) => q.path === '/1/OAuthGetAccessToken').length).toBe(before)
    expect(await connections()).toBe(count)
  })

  it('refuses a callback from another browser (no binding cookie) and a start link opened twice', async () => {
    const { startUrl, redirect } = await start()
    const again = await request(startUrl.pathname + startUrl.search, { redirect: 'manual' })
    expect(again.status).toBe(400)
    expect(await again.json()).toMatchObject({ code: 'oauth_state_invalid' })
    const cb = await consent(redirect.headers.get('location')!)
    const res = await callback(cb, 'pb_oauth_st_x=forged')
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ code: 'oauth_state_invalid', openerOrigin: ORIGIN })
  })

  it('stops when the provider does not confirm the callback, or refuses the consumer', async () => {
    // The popup shows the failure and posts it to the widget's origin, as the callback page does.
    fake.unconfirmedCallbackNext()
    const { redirect } = await start()
    expect(redirect.status).toBe(502)
    expect(redirect.headers.get('location')).toBeNull()
    const page = await redirect.text()
    expect(page).toContain('"code":"oauth_exchange_failed"')
    expect(page).toContain('oauth_callback_confirmed')
    expect(page).toContain(`var o="${ORIGIN}"`)

    expect((await t.call('PATCH', '/v1/integrations/trello', { body: { clientSecret: 'a-wrong-consumer-secret' } })).status).toBe(200)
    try {
      const refused = await start(undefined, 'application/json')
      expect(refused.redirect.status).toBe(502)
      const text = await refused.redirect.text()
      expect(JSON.parse(text)).toMatchObject({ code: 'oauth_exchange_failed', detail: 'The provider refused the temporary credentials request (HTTP 401)' })
      expect(text).not.toContain('a-wrong-consumer-secret')
      expect(fake.requests.at(-1)).toMatchObject({ path: '/1/OAuthGetRequestToken', refused: 'invalid signature' })
    } finally {
      expect((await t.call('PATCH', '/v1/integrations/trello', { body: { clientSecret: CONSUMER_SECRET } })).status).toBe(200)
    }
    expect(secretsIn(logLines.join('\n'))).toEqual([])
  })

  it('needs the consumer secret before a flow starts', async () => {
    expect((await t.call('POST', '/v1/integrations', { body: { key: 'trello-no-secret', connectorId, clientId: CONSUMER_KEY } })).status).toBe(201)
    const r = await request('/v1/embed/oauth/authorizations', { method: 'POST', headers: { authorization: `Bearer ${await session()}`, origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify({ integration: 'trello-no-secret' }) })
    expect(r.status).toBe(400)
    expect(await r.json()).toMatchObject({ code: 'invalid_request', detail: 'Integration trello-no-secret has no OAuth consumer secret (client secret)' })
    const noKey = await t.call('POST', '/v1/integrations', { body: { key: 'trello-no-key', connectorId } })
    expect(noKey.status).toBe(400)
  })

  it('marks the connection needs_reauth when the provider no longer accepts its token (nothing to refresh)', async () => {
    const { status, body } = await connect()
    expect(status).toBe(200)
    const connectionId = body.connectionId as string
    const [token] = [...fake.accessTokens].at(-1)!
    fake.accessTokens.delete(token) // revoked at the provider
    const r = await t.call('POST', '/v1/actions/create_card', { body: { connectionId, input: { idList: LIST_ID, name: 'Too late' } } })
    expect(r.status).toBe(409)
    expect(await r.json()).toMatchObject({ code: 'reauth_required' })
    expect(await (await t.call('GET', `/v1/connections/${connectionId}`)).json()).toMatchObject({ status: 'needs_reauth' })
  })

  it('refuses the credentials form for an OAuth 1.0a integration', async () => {
    const r = await t.call('POST', '/v1/embed/connections', { token: await session(), body: { integration: 'trello', credentials: { token: 'x' } }, headers: { origin: ORIGIN } })
    expect(r.status).toBe(400)
    expect(await r.json()).toMatchObject({ code: 'invalid_request' })
  })
})
