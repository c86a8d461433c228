/**
 * The SDK against a real Patchbay HTTP server (PGlite, and PostgreSQL when TEST_DATABASE_URL is
 * set) and the bundled demo provider: every resource method, the error mapping, the OAuth
 * connection, listing and the proxy's "Patchbay failed" vs "the provider answered" split.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoProvider, type DemoProvider } from '../../server/src/demo/provider/index'
import { startServer, type RunningServer } from '../../server/src/server'
import { upsertEndUser } from '../../server/src/db/queries/end-users'
import { newId } from '../../server/src/lib/ids'
import { saveConnection, setStatus } from '../../server/src/services/connections'
import { getIntegration } from '../../server/src/services/integrations'
import { createApiKey, createTenant } from '../../server/src/services/tenants'
import { connectViaOAuth, freePort, testConfig, testDatabases } from '../../server/src/testing'
import { Patchbay, PatchbayError, type Connection, type ProxyResult } from './index'

interface Contact {
  id: string
  first_name: string
  last_name: string
}
interface ContactPage {
  data: Contact[]
  next_cursor: string | null
}

/** Asserts that `promise` rejects with a PatchbayError and returns it. */
async function rejection(promise: Promise<unknown>): Promise<PatchbayError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(PatchbayError)
  return err as PatchbayError
}

describe('portability', () => {
  it('uses no Node-only API in the SDK sources (only fetch and web standards)', async () => {
    const { readdir, readFile } = await import('node:fs/promises')
    const dir = new URL('.', import.meta.url)
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const src = (await readFile(new URL(file, dir), 'utf8')).replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
      expect(src, file).not.toMatch(/from ['"]node:|require\(|\bBuffer\b|\bprocess\.|__dirname/)
      // Server modules are imported for their types only.
      for (const [line] of src.matchAll(/^import .*server\/src.*$/gm)) expect(line, file).toMatch(/^import type /)
    }
  })
})

describe.each(testDatabases())('SDK against a real server on $name', (target) => {
  let server: RunningServer
  let drop: () => Promise<void>
  let provider: DemoProvider
  let pb: Patchbay
  let secretKey: string
  let environmentId: string
  const request = (path: string, init?: RequestInit) => fetch(server.url + path, init)
  const connect = async (endUserId: string) => {
    const { token } = await pb.connectSessions.create({ endUser: { id: endUserId } })
    const { status, result } = await connectViaOAuth(request, { sessionToken: token, integration: 'crm' })
    expect(status).toBe(200)
    expect(result).toMatchObject({ ok: true, integration: 'crm' })
    return result.connectionId as string
  }

  beforeAll(async () => {
    const opened = await target.open()
    drop = opened.drop
    const port = await freePort()
    server = await startServer(testConfig({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` }), { database: opened.database })
    const tenant = await createTenant(server.ctx, 'SDK test vendor')
    secretKey = (await createApiKey(server.ctx, tenant.tenantId, 'development')).key
    environmentId = tenant.environments.development
    provider = await startDemoProvider({ clients: [{ clientId: 'pb', clientSecret: 'pb-secret', redirectUris: [`${server.url}/oauth/callback`] }], contactsPerAccount: 12 })
    pb = new Patchbay({ secretKey, baseUrl: server.url })
  })
  afterAll(async () => {
    await provider?.close()
    await server?.close()
    await drop?.()
  })

  describe('resources', () => {
    it('lists connectors', async () => {
      const { data } = await pb.connectors.list()
      expect(data.find((c) => c.id === 'demo-crm')).toMatchObject({ id: 'demo-crm', authType: 'oauth2' })
    })

    it('creates, gets, lists, updates and deletes integrations', async () => {
      const created = await pb.integrations.create({
        key: 'crm',
        connectorId: 'demo-crm',
        clientId: 'pb',
        clientSecret: 'pb-secret',
        overrides: { authorizationUrl: provider.authorizationUrl, tokenUrl: provider.tokenUrl, revocationUrl: provider.revocationUrl, baseUrl: provider.apiBaseUrl },
      })
      expect(created).toMatchObject({ key: 'crm', connectorId: 'demo-crm', hasClientSecret: true, enabled: true, redirectUri: `${server.url}/oauth/callback` })
      expect(JSON.stringify(created)).not.toContain('pb-secret')
      expect(await pb.integrations.get('crm')).toEqual(created)

      const temp = await pb.integrations.create({ key: 'crm.temp', connectorId: 'demo-crm', clientId: 'x' })
      expect((await pb.integrations.list()).data.map((i) => i.key).sort()).toEqual(['crm', 'crm.temp'])
      const updated = await pb.integrations.update('crm.temp', { displayName: 'Temporary CRM', enabled: false, scopes: ['contacts.read'] })
      expect(updated).toMatchObject({ key: 'crm.temp', displayName: 'Temporary CRM', enabled: false, scopes: ['contacts.read'] })
      expect(updated.createdAt).toBe(temp.createdAt)
      expect(await pb.integrations.delete('crm.temp')).toEqual({ deleted: true })
      expect((await rejection(pb.integrations.get('crm.temp'))).code).toBe('not_found')
    })

    it('creates connect sessions and lists, gets and deletes end users', async () => {
      const session = await pb.connectSessions.create({ endUser: { id: 'eu-a', email: 'a@example.com', displayName: 'A' }, allowedIntegrations: ['crm'], allowedOrigins: ['https://app.example.com'], ttlSeconds: 600 })
      expect(session.token).toMatch(/^pb_cs_/)
      expect(session.endUserId).toBe('eu-a')
      const ttl = Date.parse(session.expiresAt) - Date.now()
      expect(ttl).toBeGreaterThan(590_000)
      expect(ttl).toBeLessThanOrEqual(600_000)
      await pb.connectSessions.create({ endUser: { id: 'eu-b' } })

      expect(await pb.endUsers.get('eu-a')).toMatchObject({ id: 'eu-a', email: 'a@example.com', displayName: 'A' })
      const first = await pb.endUsers.list({ limit: 1 })
      expect(first.data).toHaveLength(1)
      expect(first.nextCursor).toEqual(expect.any(String))
      const second = await pb.endUsers.list({ limit: 1, cursor: first.nextCursor! })
      expect(second.data[0]!.id).not.toBe(first.data[0]!.id)
      const all = []
      for await (const u of pb.endUsers.listAll({ limit: 1 })) all.push(u.id)
      expect(all).toEqual(expect.arrayContaining(['eu-a', 'eu-b']))

      expect(await pb.endUsers.delete('eu-b')).toEqual({ deleted: true })
      expect((await rejection(pb.endUsers.get('eu-b'))).status).toBe(404)
    })
  })

  describe('errors', () => {
    it('maps not_found with the request id', async () => {
      const err = await rejection(pb.connections.get('conn_missing'))
      expect(err).toMatchObject({ name: 'PatchbayError', code: 'not_found', status: 404 })
      expect(err.detail).toContain('conn_missing')
      expect(err.message).toBe(err.detail)
      expect(err.requestId).toMatch(/^[0-9a-f-]{36}$/)
      expect(err.problem).toMatchObject({ type: 'urn:patchbay:error:not_found' })
    })

    it('maps invalid_request with field errors', async () => {
      const err = await rejection(pb.integrations.create({ key: 'not a key!', connectorId: 'demo-crm', overrides: { baseUrl: 'nope' } }))
      expect(err).toMatchObject({ code: 'invalid_request', status: 400 })
      expect(err.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(['key', 'overrides.baseUrl']))
      const strict = await rejection(pb.connectSessions.create({ endUser: { id: 'x' }, unknown: 1 } as never))
      expect(strict.code).toBe('invalid_request')
      expect((await rejection(pb.connections.list({ limit: 1000 }))).errors?.[0]?.path).toBe('limit')
      // A service-level check (not zod) reports its field too.
      const oauth = await rejection(pb.integrations.update('crm', { clientId: null }))
      expect(oauth.errors).toEqual([{ path: 'clientId', message: expect.any(String) }])
    })

    it('maps a bad key to unauthenticated and refuses a session token up front', async () => {
      const bad = new Patchbay({ secretKey: 'pb_sk_dev_wrong', baseUrl: server.url })
      expect(await rejection(bad.integrations.list())).toMatchObject({ code: 'unauthenticated', status: 401 })
      expect(() => new Patchbay({ secretKey: 'pb_cs_abc', baseUrl: server.url })).toThrow(TypeError)
      expect(() => new Patchbay({ secretKey, baseUrl: 'localhost:3000/x' })).toThrow(/http\(s\)/)
    })

    it('maps network failures, timeouts, non-problem errors and non-JSON answers', async () => {
      const down = new Patchbay({ secretKey, baseUrl: `http://127.0.0.1:${await freePort()}` })
      const net = await rejection(down.connectors.list())
      expect(net).toMatchObject({ code: 'network_error', status: 0 })
      expect(net.cause).toBeInstanceOf(Error)

      const hang = (_: string, init: RequestInit) => new Promise<Response>((_, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)))
      const slow = new Patchbay({ secretKey, baseUrl: server.url, fetch: hang, timeoutMs: 50 })
      expect(await rejection(slow.connectors.list())).toMatchObject({ code: 'timeout', status: 0 })
      // A caller's abort rejects with the caller's reason, not a PatchbayError.
      const reason = new Error('stop')
      const ac = new AbortController()
      const pending = slow.connectors.list({ signal: ac.signal, timeoutMs: 0 })
      ac.abort(reason)
      await expect(pending).rejects.toBe(reason)

      const gateway = new Patchbay({ secretKey, baseUrl: server.url, fetch: async () => new Response('<html>Bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }) })
      expect(await rejection(gateway.connectors.list())).toMatchObject({ code: 'http_502', status: 502, detail: 'HTTP 502: <html>Bad gateway</html>' })
      const html = new Patchbay({ secretKey, baseUrl: server.url, fetch: async () => new Response('<html>hi</html>', { status: 200, headers: { 'content-type': 'text/html' } }) })
      expect((await rejection(html.connectors.list())).code).toBe('invalid_response')
    })
  })

  describe('connections and proxy', () => {
    let connectionId: string

    it('connects through the demo provider with OAuth and lists the connection', async () => {
      connectionId = await connect('ada-1')
      const c = await pb.connections.get(connectionId)
      expect(c).toMatchObject({ id: connectionId, integration: 'crm', connectorId: 'demo-crm', endUserId: 'ada-1', status: 'active', accountLabel: 'ada@demo-crm.test' })
      expect(c.scopes).toContain('contacts.read')
      expect(JSON.stringify(c)).not.toMatch(/accessToken|refreshToken/)

      const page = await pb.connections.list({ endUserId: 'ada-1' })
      expect(page).toEqual({ data: [c], nextCursor: null })
      expect((await pb.connections.list({ endUserId: 'nobody' })).data).toEqual([])
      expect((await pb.connections.list({ integration: 'crm', status: 'active' })).data.map((x) => x.id)).toContain(connectionId)
      expect((await pb.connections.list({ status: 'revoked' })).data).toEqual([])
    })

    it('sets and clears a connection webhook secret (204, write-only), refused where the connector takes none', async () => {
      await pb.integrations.create({ key: 'zendesk', connectorId: 'zendesk', clientId: 'zd', clientSecret: 'zd-secret', syncSettings: { autoStart: false } })
      const eu = await upsertEndUser(server.ctx.db, { id: newId('eu'), environmentId, externalId: 'zd-user' })
      const integration = await getIntegration(server.ctx, environmentId, 'zendesk')
      const id = await saveConnection(server.ctx, { environmentId, integration, endUserId: eu.id, credentials: { type: 'oauth2', accessToken: 'zd-token' }, connectionConfig: { subdomain: 'acme' }, scopes: [] })
      expect(await pb.connections.get(id)).toMatchObject({ webhookSecretSet: false, providerWebhookUrl: `${server.url}/v1/webhooks/providers/${integration.row.id}/${id}` })
      expect(await pb.connections.setWebhookSecret(id, 'zd-signing-secret-81f3')).toBeUndefined()
      const set = await pb.connections.get(id)
      expect(set.webhookSecretSet).toBe(true)
      expect(JSON.stringify(set)).not.toContain('zd-signing-secret-81f3')
      expect(await pb.connections.deleteWebhookSecret(id)).toBeUndefined()
      expect((await pb.connections.get(id)).webhookSecretSet).toBe(false)
      expect((await rejection(pb.connections.setWebhookSecret(connectionId, 'x'))).code).toBe('webhook_secret_not_accepted')
      expect((await rejection(pb.connections.deleteWebhookSecret('conn_missing'))).code).toBe('not_found')
      await pb.connections.delete(id)
      await pb.integrations.delete('zendesk')
    })

    it('reveals, once, the webhook secret a provider handshake delivered (Notion verification_token)', async () => {
      const created = await pb.integrations.create({ key: 'notion', connectorId: 'notion', clientId: 'nt', clientSecret: 'nt-secret', syncSettings: { autoStart: false } })
      expect((await rejection(pb.integrations.revealWebhookSecret('notion'))).code).toBe('webhook_secret_not_revealable')
      // https://developers.notion.com/reference/webhooks step 2: Notion POSTs { verification_token } to the webhook URL.
      const handshake = await fetch(created.providerWebhookUrl!.replace(/^https?:\/\/[^/]+/, server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ verification_token: 'secret_sdkVerification9a1' }) })
      expect(handshake.status).toBe(200)
      expect(await pb.integrations.revealWebhookSecret('notion')).toEqual({ secret: 'secret_sdkVerification9a1' })
      expect((await rejection(pb.integrations.revealWebhookSecret('notion'))).code).toBe('webhook_secret_not_revealable')
      expect(JSON.stringify(await pb.integrations.get('notion'))).not.toContain('secret_sdkVerification9a1')
      await pb.integrations.delete('notion')
    })

    it('follows nextCursor in listAll', async () => {
      const other = await connect('ada-2')
      const third = await connect('ada-3')
      const seen: Connection[] = []
      for await (const c of pb.connections.listAll({ integration: 'crm', limit: 1 })) seen.push(c)
      expect(seen.map((c) => c.id)).toEqual(expect.arrayContaining([connectionId, other, third]))
      expect(new Set(seen.map((c) => c.id)).size).toBe(seen.length)
      // Stopping early stops fetching.
      let calls = 0
      const counted = new Patchbay({ secretKey, baseUrl: server.url, fetch: (url, init) => (calls++, fetch(url, init)) })
      for await (const c of counted.connections.listAll({ limit: 1 })) {
        expect(c.id).toEqual(expect.any(String))
        break
      }
      expect(calls).toBe(1)
    })

    it('proxies GET /contacts?limit=5 and returns the raw provider response', async () => {
      const res = await pb.proxy(connectionId, { path: '/contacts?limit=5' })
      expect(Object.prototype.toString.call(res)).toBe('[object Response]')
      expect(res.status).toBe(200)
      expect(res.headers.get('x-ratelimit-limit')).toBeTruthy()
      const body = (await res.json()) as ContactPage
      expect(body.data).toHaveLength(5)
      expect(body.next_cursor).toEqual(expect.any(String))

      // The shortcut parses JSON; following next_cursor reaches every contact.
      const names: string[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const r: ProxyResult<ContactPage> = await pb.proxy.get<ContactPage>(connectionId, '/contacts', { query: { limit: 5, cursor } })
        expect(r).toMatchObject({ status: 200, ok: true })
        names.push(...r.data.data.map((c) => `${c.first_name} ${c.last_name}`))
        cursor = r.data.next_cursor
        pages++
      } while (cursor)
      expect(names).toHaveLength(12)
      expect(pages).toBe(3)
    })

    it('forwards method, query, headers and a JSON body', async () => {
      const res = await pb.proxy(connectionId, { method: 'put', path: '/echo/x?a=1', query: { b: [2, 3], c: undefined }, headers: { 'x-custom': 'yes', 'x-patchbay-secret': 'no' }, body: { hello: 'world' } })
      const echo = (await res.json()) as { method: string; path: string; query: Record<string, unknown>; headers: Record<string, string>; body: unknown }
      expect(echo).toMatchObject({ method: 'PUT', path: '/api/v1/echo/x', body: { hello: 'world' } })
      expect(echo.query).toMatchObject({ a: '1', b: ['2', '3'] })
      expect(echo.headers['x-custom']).toBe('yes')
      expect(echo.headers['content-type']).toBe('application/json')
      expect(echo.headers['x-patchbay-secret']).toBeUndefined()
      expect(echo.headers.authorization).not.toContain(secretKey)
    })

    it('creates, updates and deletes through the shortcuts', async () => {
      const created = await pb.proxy.post<Contact>(connectionId, '/contacts', { body: { first_name: 'Grace', last_name: 'Hopper', email: 'grace@example.com' } })
      expect(created).toMatchObject({ status: 201, ok: true, data: { first_name: 'Grace' } })
      expect(created.headers.get('location')).toContain(created.data.id)
      const patched = await pb.proxy.patch<Contact>(connectionId, `/contacts/${created.data.id}`, { body: { last_name: 'Murray Hopper' } })
      expect(patched.data.last_name).toBe('Murray Hopper')
      const deleted = await pb.proxy.delete(connectionId, `/contacts/${created.data.id}`)
      expect(deleted.ok).toBe(true)
      const put = await pb.proxy.put(connectionId, '/echo', { body: 'plain text', headers: { 'content-type': 'text/plain' } })
      expect(put.data).toMatchObject({ method: 'PUT', body: 'plain text' })
    })

    it('passes a provider 404 through as a result, not an error', async () => {
      const r = await pb.proxy.get<{ error: string }>(connectionId, '/contacts/ct_missing')
      expect(r).toMatchObject({ status: 404, ok: false, data: { error: 'not_found' } })
      const raw = await pb.proxy(connectionId, { path: '/contacts/ct_missing' })
      expect(raw.status).toBe(404)
      expect(await raw.json()).toMatchObject({ error: 'not_found' })
    })

    it("returns a provider's own problem+json and throws only Patchbay's", async () => {
      const providerProblem = JSON.stringify({ type: 'https://api.provider.example/problems/out-of-credit', title: 'Out of credit', status: 403 })
      const fake = new Patchbay({ secretKey, baseUrl: server.url, fetch: async () => new Response(providerProblem, { status: 403, headers: { 'content-type': 'application/problem+json' } }) })
      const raw = await fake.proxy('conn_x', { path: '/x' })
      expect(raw.status).toBe(403)
      expect(await raw.json()).toMatchObject({ title: 'Out of credit' })
      expect((await fake.proxy.get(connectionId, '/x')).data).toMatchObject({ title: 'Out of credit' })
    })

    it('throws PatchbayError for an unknown connection and refuses paths that leave the base URL', async () => {
      expect(await rejection(pb.proxy.get('conn_missing', '/me'))).toMatchObject({ code: 'not_found', status: 404 })
      expect(await rejection(pb.proxy('conn_missing', { path: '/me' }))).toMatchObject({ code: 'not_found' })
      await expect(pb.proxy(connectionId, { path: '/../../connections' })).rejects.toThrow(TypeError)
      await expect(pb.proxy.get(connectionId, '/%2e%2e/%2E%2E/connections')).rejects.toThrow(TypeError)
      await expect(pb.proxy.get(connectionId, 'https://evil.example/')).rejects.toThrow(TypeError)
      // A path without a leading slash is taken as relative to the base URL.
      expect((await pb.proxy.get(connectionId, 'me')).data).toMatchObject({ email: 'ada@demo-crm.test' })
    })

    it('surfaces reauth_required as a PatchbayError', async () => {
      const id = await connect('ada-reauth')
      await setStatus(server.ctx, id, 'needs_reauth', 'invalid_grant: test')
      expect((await pb.connections.get(id)).status).toBe('needs_reauth')
      const err = await rejection(pb.proxy.get(id, '/me'))
      expect(err).toMatchObject({ code: 'reauth_required', status: 409 })
      expect(err.requestId).toEqual(expect.any(String))
      expect((await rejection(pb.proxy(id, { path: '/me' }))).code).toBe('reauth_required')
      expect((await pb.connections.list({ status: 'needs_reauth' })).data.map((c) => c.id)).toEqual([id])
    })

    it('deletes a connection, revoking its tokens', async () => {
      expect(await pb.connections.delete(connectionId)).toEqual({ deleted: true, revoked: true })
      expect((await rejection(pb.connections.get(connectionId))).code).toBe('not_found')
      expect((await rejection(pb.proxy.get(connectionId, '/me'))).code).toBe('not_found')
    })
  })
})
