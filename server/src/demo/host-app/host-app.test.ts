/**
 * The demo host app's backend routes, through `app.request`, its SDK wired to an in-process
 * Patchbay app (and a real Demo CRM provider for the proxy). The syncs part runs the host app on
 * a real port, so Patchbay's webhook worker can deliver to it. The browser side is covered by
 * `test/e2e/`.
 */
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Patchbay } from '../../../../sdk/src/index'
import { generateWebhookSecret } from '../../services/webhook-endpoints'
import { createTestApp, testDatabases, type TestApp } from '../../testing'
import { startDemoProvider, type DemoProvider } from '../provider/index'
import { createHostApp, DEMO_USER, startHostApp, type HostApp, type SyncedContacts } from './index'

const PATCHBAY = 'http://127.0.0.1:3999'
const HOST = 'http://localhost:3001'

describe.each(testDatabases())('demo host app on $name', (target) => {
  let t: TestApp
  let provider: DemoProvider
  let app: ReturnType<typeof createHostApp>
  let manifest: Response | undefined

  beforeAll(async () => {
    t = await createTestApp(target)
    provider = await startDemoProvider({ clients: [], apiKeys: ['right-key'], contactsPerAccount: 12 })
    expect((await t.call('POST', '/v1/integrations', { body: { key: 'demo-crm-api-key', connectorId: 'demo-crm-api-key', overrides: { baseUrl: provider.apiBaseUrl } } })).status).toBe(201)
    const fetch = async (input: string, init: RequestInit) => (input.endsWith('/embed/manifest.json') && manifest ? manifest.clone() : t.app.request(input, init))
    app = createHostApp({ patchbayUrl: PATCHBAY, secretKey: t.tenant.secretKey, fetch }, () => [HOST, 'http://127.0.0.1:3001'])
  })
  afterAll(async () => {
    await provider?.close()
    await t?.close()
  })

  const session = (origin?: string) => app.request('/api/patchbay/session', { method: 'POST', headers: origin ? { origin } : {} })
  const contacts = async () => {
    const r = await app.request('/api/crm/contacts?limit=3')
    expect(r.status).toBe(200)
    return (await r.json()) as Record<string, unknown>
  }

  it('mints a connect session only for its own pages, bound to the page origin', async () => {
    expect((await session()).status).toBe(403)
    expect((await session('https://evil.example')).status).toBe(403)
    const r = await session(HOST)
    expect(r.status).toBe(200)
    expect(r.headers.get('cache-control')).toBe('no-store')
    const { token } = (await r.json()) as { token: string }
    expect(token).toMatch(/^pb_cs_/)
    const ok = await t.app.request('/v1/embed/session', { headers: { authorization: `Bearer ${token}`, origin: HOST } })
    expect(await ok.json()).toMatchObject({ endUser: { id: DEMO_USER.id, email: DEMO_USER.email, displayName: DEMO_USER.displayName } })
    const elsewhere = await t.app.request('/v1/embed/session', { headers: { authorization: `Bearer ${token}`, origin: 'http://127.0.0.1:3001' } })
    expect(await elsewhere.json()).toMatchObject({ code: 'origin_not_allowed' })
  })

  it('reads contacts through the proxy: not connected, connected, needs reauth', async () => {
    expect(await contacts()).toEqual({ state: 'not_connected' })

    const { token } = (await (await session(HOST)).json()) as { token: string }
    const made = await t.app.request('/v1/embed/connections', { method: 'POST', headers: { authorization: `Bearer ${token}`, origin: HOST, 'content-type': 'application/json' }, body: JSON.stringify({ integration: 'demo-crm-api-key', credentials: { apiKey: 'right-key' } }) })
    expect(made.status).toBe(201)
    const { id } = (await made.json()) as { id: string }
    const connected = await contacts()
    expect(connected).toMatchObject({ state: 'connected', connection: { id, integration: 'demo-crm-api-key', status: 'active' }, hasMore: true })
    expect(connected.contacts).toHaveLength(3)
    expect((connected.contacts as { email: string }[])[0]!.email).toMatch(/@/)

    await t.ctx.db.execute(`update connections set status = 'needs_reauth', status_reason = 'invalid_grant' where id = '${id}'` as never)
    expect(await contacts()).toMatchObject({ state: 'needs_reauth', connection: { id }, reason: 'invalid_grant' })
  })

  it('reports Patchbay failures as JSON, not as a crash', async () => {
    const broken = createHostApp({ patchbayUrl: PATCHBAY, secretKey: 'pb_sk_dev_wrong', fetch: (input, init) => Promise.resolve(t.app.request(input, init)) }, () => [HOST])
    const r = await broken.request('/api/crm/contacts')
    expect(r.status).toBe(502)
    expect(await r.json()).toMatchObject({ code: 'unauthenticated' })
  })

  it('renders the pages with a CSP allowing Patchbay, and the widget script with its integrity', async () => {
    for (const path of ['/', '/contacts']) {
      const r = await app.request(path)
      expect(r.status).toBe(200)
      expect(r.headers.get('content-security-policy')).toContain(`script-src 'self' ${PATCHBAY}`)
      expect(await r.text()).toContain('Jamie Rivera')
    }
    manifest = Response.json({ standalone: { file: 'patchbay-embed.abc.js', integrity: 'sha384-xyz', url: `${PATCHBAY}/embed/patchbay-embed.abc.js` } })
    const html = await (await app.request('/integrations')).text()
    expect(html).toContain(`<script src="${PATCHBAY}/embed/patchbay-embed.abc.js" integrity="sha384-xyz" crossorigin="anonymous" defer=""></script>`)
    expect(html).toContain(`<patchbay-marketplace base-url="${PATCHBAY}" theme="light">`)

    manifest = new Response('{"code":"not_found"}', { status: 404 })
    const missing = await (await app.request('/integrations')).text()
    expect(missing).toContain('has no built widget')
    expect(missing).not.toContain('<patchbay-marketplace')
    expect((await app.request('/nope')).status).toBe(404)
    expect((await app.request('/assets/app.js')).headers.get('content-type')).toMatch(/javascript/)
    expect((await app.request('/assets/..%2Findex.ts')).status).toBe(404)
  })
})

/** Polls `fn` until it returns something truthy. */
async function until<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe.each(testDatabases())('demo host app keeps a copy of synced contacts on $name', (target) => {
  const API_KEY = 'sync-key'
  const ACCOUNT = 'key:1'
  let t: TestApp
  let provider: DemoProvider
  let host: HostApp
  let sdk: Patchbay
  let connectionId: string
  const inProcess = (input: string, init: RequestInit) => Promise.resolve(t.app.request(input, init))

  beforeAll(async () => {
    t = await createTestApp(target)
    provider = await startDemoProvider({ clients: [], apiKeys: [API_KEY], contactsPerAccount: 30 })
    expect((await t.call('POST', '/v1/integrations', { body: { key: 'demo-crm-api-key', connectorId: 'demo-crm-api-key', overrides: { baseUrl: provider.apiBaseUrl } } })).status).toBe(201)
    sdk = new Patchbay({ secretKey: t.tenant.secretKey, baseUrl: PATCHBAY, fetch: inProcess })
    host = await startHostApp({ patchbayUrl: PATCHBAY, secretKey: t.tenant.secretKey, fetch: inProcess })
  })
  afterAll(async () => {
    await host?.close()
    await provider?.close()
    await t?.close()
  })

  const synced = async (limit = 50): Promise<SyncedContacts & { state: 'connected' }> => {
    const r = await fetch(`${host.url}/api/crm/synced?limit=${limit}`)
    expect(r.status).toBe(200)
    const body = (await r.json()) as SyncedContacts
    expect(body.state).toBe('connected')
    return body as SyncedContacts & { state: 'connected' }
  }

  /** The provider's live contacts, read from its API with the connection's key. */
  async function providerContacts(): Promise<Map<string, { last_name: string; lifecycle_stage: string; phone: string | null }>> {
    const all = new Map<string, { last_name: string; lifecycle_stage: string; phone: string | null }>()
    let cursor: string | null = null
    do {
      const res = await fetch(`${provider.apiBaseUrl}/contacts?limit=100${cursor ? `&cursor=${cursor}` : ''}`, { headers: { 'x-api-key': API_KEY } })
      const page = (await res.json()) as { data: { id: string; last_name: string; lifecycle_stage: string; phone: string | null }[]; next_cursor: string | null }
      for (const c of page.data) all.set(c.id, c)
      cursor = page.next_cursor
    } while (cursor)
    return all
  }

  it('registers one webhook endpoint for the sync and connection events', async () => {
    const { data } = await sdk.webhookEndpoints.list()
    expect(data).toHaveLength(1)
    expect(data[0]).toMatchObject({ url: `http://127.0.0.1:${host.port}/webhooks/patchbay`, enabled: true })
    expect([...data[0]!.events].sort()).toEqual(['connection.created', 'connection.deleted', 'connection.needs_reauth', 'mapping.applied', 'sync.failed', 'sync.succeeded'])
    const r = await fetch(`${host.url}/api/crm/synced`)
    expect(await r.json()).toEqual({ state: 'not_connected' })
  })

  it('fills its copy from the sync webhook and the change feed after a connection is made', async () => {
    const { token } = await host.backend.createSession(HOST)
    const made = await t.app.request('/v1/embed/connections', { method: 'POST', headers: { authorization: `Bearer ${token}`, origin: HOST, 'content-type': 'application/json' }, body: JSON.stringify({ integration: 'demo-crm-api-key', credentials: { apiKey: API_KEY } }) })
    expect(made.status).toBe(201)
    connectionId = ((await made.json()) as { id: string }).id

    const live = await providerContacts()
    expect(live.size).toBe(30)
    const view = await until(async () => {
      const v = await synced()
      return v.contacts.count === live.size && v.sync?.lastRun?.status === 'succeeded' && v
    }, 'the initial sync in the host app')
    expect(view.connection).toMatchObject({ id: connectionId, integration: 'demo-crm-api-key', status: 'active' })
    expect(view.companies.count).toBeGreaterThan(0)
    expect(view.sync).toMatchObject({ status: 'enabled', lastRun: { trigger: 'initial', added: 30, deleted: 0 } })
    expect(view.contacts.recent).toHaveLength(30)
    expect(view.contacts.recent.every((c) => live.has(c.id) && !c.deleted && c.email.includes('@'))).toBe(true)
    // Newest change first.
    const times = view.contacts.recent.map((c) => c.changedAt)
    expect([...times].sort().reverse()).toEqual(times)
    // It came through the webhook: the copy was empty when the app started.
    expect(host.backend.webhookStats.handled).toBeGreaterThan(0)
  })

  it('shows churn at the provider after "Sync now": updated, deleted and new contacts', async () => {
    const [step] = provider.churnNow(ACCOUNT, { updates: 2, deletes: 1, creates: 1 })
    expect(step).toBeDefined()
    const forbidden = await fetch(`${host.url}/api/crm/sync`, { method: 'POST', headers: { origin: 'https://evil.example' } })
    expect(forbidden.status).toBe(403)
    const started = await fetch(`${host.url}/api/crm/sync`, { method: 'POST', headers: { origin: host.url } })
    expect(started.status).toBe(202)
    const { run } = (await started.json()) as { run: { id: string; trigger: string } }
    expect(run.trigger).toBe('manual')

    const live = await providerContacts()
    const view = await until(async () => {
      const v = await synced()
      return v.sync?.lastRun?.id === run.id && v.sync.lastRun.status === 'succeeded' && v.contacts.recent.some((c) => c.id === step!.deleted[0] && c.deleted) && v
    }, 'the churn in the host app')
    expect(view.sync?.lastRun).toMatchObject({ added: 1, updated: 2, deleted: 1 })
    expect(view.contacts.count).toBe(live.size)
    expect(view.contacts.deleted).toBe(1)
    const byId = new Map(view.contacts.recent.map((c) => [c.id, c]))
    expect(byId.get(step!.created[0]!)).toMatchObject({ deleted: false, change: 'added' })
    for (const id of step!.updated) {
      expect(byId.get(id)).toMatchObject({ deleted: false, change: 'updated', lastName: live.get(id)!.last_name, stage: live.get(id)!.lifecycle_stage, mappingVersion: null })
    }
    // The four changes are the most recent rows.
    expect(new Set(view.contacts.recent.slice(0, 4).map((c) => c.id))).toEqual(new Set([...step!.updated, ...step!.deleted, ...step!.created]))
  })

  it('refuses webhooks with a bad signature, and handles a redelivered one only once', async () => {
    const url = `${host.url}/webhooks/patchbay`
    const body = JSON.stringify({ type: 'sync.succeeded', timestamp: new Date().toISOString(), data: { connection: { id: connectionId, endUserId: DEMO_USER.id }, changes: { model: 'contact' } } })
    const forged = new Webhook(generateWebhookSecret())
    const now = new Date()
    const attempts: Record<string, string>[] = [
      {},
      { 'webhook-id': 'msg_forged', 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': forged.sign('msg_forged', now, body) },
      { 'webhook-id': 'msg_forged', 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': 'v1,AAAA' },
    ]
    for (const headers of attempts) {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
      expect(r.status).toBe(400)
      expect(await r.json()).toMatchObject({ code: 'webhook_invalid' })
    }

    // An app whose backend has not registered its endpoint yet asks Patchbay to come back later.
    const unstarted = createHostApp({ patchbayUrl: PATCHBAY, secretKey: t.tenant.secretKey, fetch: inProcess }, () => [HOST])
    expect((await unstarted.request('/webhooks/patchbay', { method: 'POST', headers: attempts[1]!, body })).status).toBe(503)

    const { data } = await sdk.webhookDeliveries.list({ eventType: 'sync.succeeded', status: 'succeeded' })
    const delivery = data[0]!
    const before = { ...host.backend.webhookStats }
    await sdk.webhookDeliveries.redeliver(delivery.id)
    await until(async () => (await sdk.webhookDeliveries.list({ eventType: 'sync.succeeded' })).data.find((d) => d.id === delivery.id && d.status === 'succeeded' && d.attemptCount === 2), 'the redelivery')
    expect(host.backend.webhookStats).toEqual({ handled: before.handled, duplicates: before.duplicates + 1 })
  })

  it('after a restart, keeps the same endpoint and reads the feed again before serving', async () => {
    const { port } = host
    await host.close()
    host = await startHostApp({ patchbayUrl: PATCHBAY, secretKey: t.tenant.secretKey, fetch: inProcess, port })
    const live = await providerContacts()
    const view = await synced()
    expect(view.contacts.count).toBe(live.size)
    expect((await sdk.webhookEndpoints.list()).data).toHaveLength(1)

    // The rotated secret signs the next deliveries.
    const [step] = provider.churnNow(ACCOUNT, { updates: 0, deletes: 0, creates: 1 })
    const started = await fetch(`${host.url}/api/crm/sync`, { method: 'POST', headers: { origin: host.url } })
    expect(started.status).toBe(202)
    await until(async () => (await synced()).contacts.recent.some((c) => c.id === step!.created[0]), 'the new contact after the restart')
    expect((await synced()).contacts.count).toBe(live.size + 1)
  })

  it("shows the contacts in Acme's own shape once the end user maps them: re-emitted by mapping.applied, no refetch", async () => {
    // Acme declared its Contact model when it started.
    expect((await sdk.models.get('Contact')).fields).toMatchObject({ stage: { type: 'enum', enumValues: ['prospect', 'qualified', 'customer'] } })
    const before = await synced()
    expect(before.contacts.recent.every((c) => c.mappingVersion === null)).toBe(true)
    const live = await providerContacts()
    const apiRequests = provider.stats.apiRequests
    // What the widget's mapping screen saves for the end user (PUT /v1/embed/connections/{id}/mappings/contact).
    const saved = await sdk.mappings.put(connectionId, 'contact', {
      model: 'Contact',
      fields: {
        email: { source: 'field', path: 'email' },
        firstName: { source: 'field', path: 'first_name' },
        lastName: { source: 'field', path: 'last_name' },
        stage: { source: 'field', path: 'lifecycle_stage', transforms: [{ type: 'enum', map: { lead: 'prospect', opportunity: 'qualified', customer: 'customer' } }] },
        since: { source: 'field', path: 'created_at' },
      },
    })
    const view = await until(async () => {
      const v = await synced()
      return v.contacts.recent.filter((c) => !c.deleted).every((c) => c.mappingVersion === saved.version) && v
    }, "contacts in Acme's shape")
    const STAGES: Record<string, string> = { lead: 'prospect', opportunity: 'qualified', customer: 'customer' }
    for (const c of view.contacts.recent.filter((x) => !x.deleted)) {
      expect(c).toMatchObject({ lastName: live.get(c.id)!.last_name, stage: STAGES[live.get(c.id)!.lifecycle_stage] })
    }
    expect(view.contacts.count).toBe(live.size)
    expect(provider.stats.apiRequests).toBe(apiRequests)
  })
})
