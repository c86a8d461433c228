/**
 * Syncs end to end against the bundled Demo CRM (cursor pagination, `updated_since`, tombstones,
 * `X-RateLimit-*` headers, injected failures): initial sync, incremental runs, deletions, the
 * change feed, retries, rate limits, 401 → needs_reauth, pause/resume, the sync webhooks and the API's errors.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startDemoProvider, type DemoProvider } from '../server/src/demo/provider/index'
import { createTestApp, testConfig, testDatabases, type TestApp } from '../server/src/testing'

const CONTACTS = 240

interface Run {
  id: string
  status: string
  mode: string
  trigger: string
  attempts: number
  pages: number
  added: number
  updated: number
  deleted: number
  error: { code: string; message: string } | null
  changesCursor: string
}
interface Rec {
  id: string
  action: string
  data: Record<string, unknown>
  deletedAt: string | null
}

describe.each(testDatabases())('syncs on $name', (target) => {
  let t: TestApp
  let provider: DemoProvider
  let token: string
  let receiver: Server
  let received: { headers: IncomingHttpHeaders; body: string }[] = []
  let secret: string
  let keyIndex = 0
  const keys = Array.from({ length: 8 }, (_, i) => `key-${i + 1}`)

  const json = async <T>(res: Response | Promise<Response>, status = 200): Promise<T> => {
    const r = await res
    const text = await r.text()
    expect(r.status, text).toBe(status)
    return JSON.parse(text) as T
  }

  /** Connects a fresh account (its own API key, so its own data at the provider). */
  async function connect(): Promise<{ id: string; key: string; account: string }> {
    const key = keys[keyIndex++]!
    const conn = await json<{ id: string }>(t.call('POST', '/v1/embed/connections', { token, body: { integration: 'crm', credentials: { apiKey: key } } }), 201)
    return { id: conn.id, key, account: `key:${keyIndex}` }
  }

  async function waitForRun(connectionId: string, sync: string, notId?: string): Promise<Run> {
    for (let i = 0; i < 400; i++) {
      const runs = await json<{ data: Run[] }>(t.call('GET', `/v1/sync-runs?connectionId=${connectionId}&sync=${sync}&limit=1`))
      const run = runs.data[0]
      if (run && run.id !== notId && ['succeeded', 'failed', 'cancelled'].includes(run.status)) return run
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`no finished ${sync} run for ${connectionId}`)
  }

  async function readFeed(connectionId: string, model: string, cursor?: string): Promise<{ records: Rec[]; cursor: string }> {
    const records: Rec[] = []
    for (;;) {
      const q = new URLSearchParams({ connectionId, model, limit: '70', ...(cursor ? { cursor } : {}) })
      const page = await json<{ data: Rec[]; nextCursor: string; hasMore: boolean }>(t.call('GET', `/v1/records?${q}`))
      records.push(...page.data)
      cursor = page.nextCursor
      if (!page.hasMore) return { records, cursor }
    }
  }

  /** The provider's live contacts, straight from its API. */
  async function providerContacts(apiKey: string): Promise<Map<string, Record<string, unknown>>> {
    const out = new Map<string, Record<string, unknown>>()
    let cursor: string | null = null
    do {
      const res = await fetch(`${provider.apiBaseUrl}/contacts?limit=100${cursor ? `&cursor=${cursor}` : ''}`, { headers: { 'x-api-key': apiKey } })
      const body = (await res.json()) as { data: Record<string, unknown>[]; next_cursor: string | null }
      for (const c of body.data) out.set(c.id as string, c)
      cursor = body.next_cursor
    } while (cursor)
    return out
  }

  /** Folds a feed into the current state: the last version of each record wins. */
  function fold(records: Rec[]): Map<string, Rec> {
    const state = new Map<string, Rec>()
    for (const r of records) state.set(r.id, r)
    return state
  }

  beforeAll(async () => {
    const config = testConfig()
    config.sync = { ...config.sync, retryDelaysMs: [30, 60, 90], maxAttempts: 3, rateLimitMaxWaitMs: 3_000 }
    t = await createTestApp(target, config)
    provider = await startDemoProvider({ clients: [], apiKeys: keys, contactsPerAccount: CONTACTS })
    await json(t.call('POST', '/v1/integrations', { body: { key: 'crm', connectorId: 'demo-crm-api-key', allowMultipleConnections: true, overrides: { baseUrl: provider.apiBaseUrl } } }), 201)
    token = (await json<{ token: string }>(t.call('POST', '/v1/connect-sessions', { body: { endUser: { id: 'u1' } } }), 201)).token
    receiver = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        received.push({ headers: req.headers, body })
        res.writeHead(204).end()
      })
    })
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
    const { port } = receiver.address() as { port: number }
    secret = (await json<{ secret: string }>(t.call('POST', '/v1/webhook-endpoints', { body: { url: `http://127.0.0.1:${port}/hooks`, events: ['sync.succeeded', 'sync.failed'] } }), 201)).secret
  })
  afterAll(async () => {
    await provider?.close()
    await t?.close()
    await new Promise((r) => receiver?.close(r))
  })
  beforeEach(() => {
    received = []
  })

  it('runs an initial sync after connecting and the feed holds exactly the provider records', async () => {
    const { id, key } = await connect()
    const run = await waitForRun(id, 'contacts')
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'initial', mode: 'full', added: CONTACTS, updated: 0, deleted: 0, pages: Math.ceil(CONTACTS / 100), error: null })
    const companies = await waitForRun(id, 'companies')
    expect(companies).toMatchObject({ status: 'succeeded', added: 20 })

    const feed = await readFeed(id, 'contact')
    expect(feed.records).toHaveLength(CONTACTS)
    expect(new Set(feed.records.map((r) => r.id)).size).toBe(CONTACTS)
    const truth = await providerContacts(key)
    for (const r of feed.records) expect(r.data).toEqual(truth.get(r.id))
    expect(feed.records.every((r) => r.action === 'added' && r.deletedAt === null)).toBe(true)
    // Caught up: the cursor returns nothing more.
    expect((await readFeed(id, 'contact', feed.cursor)).records).toHaveLength(0)

    const syncs = await json<{ data: { name: string; status: string; frequency: string; lastRun: Run | null; nextRunAt: string }[] }>(t.call('GET', `/v1/connections/${id}/syncs`))
    expect(syncs.data.map((s) => [s.name, s.status, s.frequency])).toEqual([['companies', 'enabled', '1h'], ['contacts', 'enabled', '15m']])
    expect(syncs.data[1]!.lastRun?.id).toBe(run.id)
  })

  it('syncs incrementally: only changes, deletions seen through tombstones, a signed sync.succeeded webhook', async () => {
    const { id, key, account } = await connect()
    const initial = await waitForRun(id, 'contacts')
    const { cursor } = await readFeed(id, 'contact')
    const [churn] = provider.churnNow(account, { updates: 3, deletes: 2, creates: 4 })
    received = []

    const triggered = await json<Run>(t.call('POST', `/v1/connections/${id}/syncs/contacts/trigger`, { body: {} }), 202)
    expect(triggered.status).toMatch(/queued|running/)
    const run = await waitForRun(id, 'contacts', initial.id)
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'manual', mode: 'incremental', added: 4, updated: 3, deleted: 2 })

    const changes = await readFeed(id, 'contact', cursor)
    expect(changes.records.map((r) => r.id).sort()).toEqual([...churn!.updated, ...churn!.deleted, ...churn!.created].sort())
    for (const r of changes.records) {
      const action = churn!.created.includes(r.id) ? 'added' : churn!.deleted.includes(r.id) ? 'deleted' : 'updated'
      expect(r.action, r.id).toBe(action)
      expect(r.deletedAt !== null).toBe(action === 'deleted')
    }
    // The run's own changesCursor gives the same changes.
    expect((await readFeed(id, 'contact', run.changesCursor)).records).toHaveLength(changes.records.length)

    // The whole feed, folded, equals the provider's live contacts.
    const state = fold((await readFeed(id, 'contact')).records)
    const live = [...state.values()].filter((r) => r.deletedAt === null)
    const truth = await providerContacts(key)
    expect(live.length).toBe(truth.size)
    for (const r of live) expect(r.data).toEqual(truth.get(r.id))

    // sync.succeeded, verified as a receiver would.
    for (let i = 0; i < 100 && !received.some((h) => h.body.includes(run.id)); i++) await new Promise((r) => setTimeout(r, 50))
    const hit = received.find((h) => h.body.includes(run.id))!
    const event = new Webhook(secret).verify(hit.body, hit.headers as Record<string, string>) as { type: string; data: { connection: { id: string }; run: Run; changes: { model: string; cursor: string; added: number; updated: number; deleted: number } } }
    expect(event.type).toBe('sync.succeeded')
    expect(event.data.connection.id).toBe(id)
    expect(event.data.changes).toEqual({ model: 'contact', cursor: run.changesCursor, added: 4, updated: 3, deleted: 2 })
  })

  it('a full resync detects deletions without tombstones and rewrites nothing unchanged', async () => {
    const { id, key } = await connect()
    await waitForRun(id, 'contacts')
    const before = await readFeed(id, 'contact')
    // Delete at the provider; the full resync lists everything without `updated_since`.
    const gone = before.records.slice(10, 13).map((r) => r.id)
    for (const cid of gone) expect((await fetch(`${provider.apiBaseUrl}/contacts/${cid}`, { method: 'DELETE', headers: { 'x-api-key': key } })).status).toBe(204)
    const prev = (await json<{ data: Run[] }>(t.call('GET', `/v1/sync-runs?connectionId=${id}&sync=contacts&limit=1`))).data[0]!
    await json(t.call('POST', `/v1/connections/${id}/syncs/contacts/trigger`, { body: { fullResync: true } }), 202)
    const run = await waitForRun(id, 'contacts', prev.id)
    expect(run).toMatchObject({ status: 'succeeded', mode: 'full', added: 0, updated: 0, deleted: 3 })
    const changes = await readFeed(id, 'contact', before.cursor)
    expect(changes.records.map((r) => r.id).sort()).toEqual(gone.sort())
    expect(changes.records.every((r) => r.action === 'deleted')).toBe(true)

    // Once more: nothing changed, so the feed stays where it was.
    await json(t.call('POST', `/v1/connections/${id}/syncs/contacts/trigger`, { body: { fullResync: true } }), 202)
    const again = await waitForRun(id, 'contacts', run.id)
    expect(again).toMatchObject({ status: 'succeeded', added: 0, updated: 0, deleted: 0 })
    expect((await readFeed(id, 'contact', changes.cursor)).records).toHaveLength(0)
  })

  it('retries 5xx and 429s, then succeeds', async () => {
    const { id } = await connect()
    const first = await waitForRun(id, 'contacts')
    provider.failNext(2, 503)
    provider.failNext(1, 429, { 'retry-after': '1' })
    provider.failNext(2, 500)
    const run0 = await json<Run>(t.call('POST', `/v1/connections/${id}/syncs/contacts/trigger`, { body: { fullResync: true } }), 202)
    const run = await waitForRun(id, 'contacts', first.id)
    expect(run.id).toBe(run0.id)
    expect(run).toMatchObject({ status: 'succeeded', added: 0, updated: 0, deleted: 0 })
  })

  it('fails a run that keeps failing with a clear error and a sync.failed webhook', async () => {
    const { id } = await connect()
    const first = await waitForRun(id, 'contacts')
    provider.failNext(3, 500) // one request per attempt: 500 is not in the connector's retry.on
    await json(t.call('POST', `/v1/connections/${id}/syncs/contacts/trigger`, { body: {} }), 202)
    const run = await waitForRun(id, 'contacts', first.id)
    expect(run.status).toBe('failed')
    expect(run.attempts).toBe(3)
    expect(run.error).toMatchObject({ code: 'upstream_error', message: expect.stringContaining('HTTP 500') })
    for (let i = 0; i < 100 && !received.some((h) => h.body.includes(run.id)); i++) await new Promise((r) => setTimeout(r, 50))
    const hit = received.find((h) => h.body.includes(run.id))!
    const event = new Webhook(secret).verify(hit.body, hit.headers as Record<string, string>) as { type: string; data: { run: Run } }
    expect(event.type).toBe('sync.failed')
    expect(event.data.run.error?.code).toBe('upstream_error')
  })

  it('a 401 marks the connection needs_reauth and fails the run without retries', async () => {
    const { id } = await connect()
    const first = await waitForRun(id, 'contacts')
    provider.failNext(1, 401)
    await json(t.call('POST', `/v1/connections/${id}/syncs/contacts/trigger`, { body: {} }), 202)
    const run = await waitForRun(id, 'contacts', first.id)
    expect(run).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'reauth_required' } })
    expect(await json<{ status: string }>(t.call('GET', `/v1/connections/${id}`))).toMatchObject({ status: 'needs_reauth' })
    const again = await t.call('POST', `/v1/connections/${id}/syncs/contacts/trigger`, { body: {} })
    expect(again.status).toBe(409)
    expect(await again.json()).toMatchObject({ code: 'reauth_required' })
  })

  it('pauses, resumes and changes frequency; rejects bad input with clear errors', async () => {
    const { id } = await connect()
    await waitForRun(id, 'contacts')
    const paused = await json<{ status: string; nextRunAt: string | null }>(t.call('POST', `/v1/connections/${id}/syncs/contacts/pause`))
    expect(paused).toMatchObject({ status: 'paused', nextRunAt: null })
    const resumed = await json<{ status: string; nextRunAt: string | null }>(t.call('POST', `/v1/connections/${id}/syncs/contacts/resume`))
    expect(resumed.status).toBe('enabled')
    expect(resumed.nextRunAt).not.toBeNull()
    const changed = await json<{ frequency: string; customFrequency: boolean }>(t.call('PATCH', `/v1/connections/${id}/syncs/contacts`, { body: { frequency: '2h' } }))
    expect(changed).toMatchObject({ frequency: '2h', customFrequency: true })
    const reset = await json<{ frequency: string; customFrequency: boolean }>(t.call('PATCH', `/v1/connections/${id}/syncs/contacts`, { body: { frequency: null } }))
    expect(reset).toMatchObject({ frequency: '15m', customFrequency: false })

    const problem = async (res: Promise<Response>, status: number, code: string) => {
      const r = await res
      expect(r.status).toBe(status)
      expect(r.headers.get('content-type')).toContain('application/problem+json')
      expect(await r.json()).toMatchObject({ code })
    }
    await problem(t.call('PATCH', `/v1/connections/${id}/syncs/contacts`, { body: { frequency: '10s' } }), 400, 'invalid_request')
    await problem(t.call('PATCH', `/v1/connections/${id}/syncs/contacts`, { body: { frequency: 'often' } }), 400, 'invalid_request')
    await problem(t.call('POST', `/v1/connections/${id}/syncs/nope/trigger`, { body: {} }), 404, 'not_found')
    await problem(t.call('GET', `/v1/connections/conn_missing/syncs`), 404, 'not_found')
    await problem(t.call('GET', `/v1/records?connectionId=${id}&model=contact&cursor=bm9wZQ`), 400, 'invalid_request')
    await problem(t.call('GET', `/v1/records?connectionId=${id}`), 400, 'invalid_request')
    await problem(t.call('GET', `/v1/sync-runs/run_missing`), 404, 'not_found')
    await problem(t.call('POST', '/v1/integrations', { body: { key: 'crm-bad', connectorId: 'demo-crm-api-key', syncSettings: { syncs: { nope: { enabled: false } } } } }), 400, 'invalid_request')
    // Another tenant sees none of it.
    const other = await t.newTenant('Other')
    await problem(t.call('GET', `/v1/records?connectionId=${id}&model=contact`, { token: other.secretKey }), 404, 'not_found')
    await problem(t.call('POST', `/v1/connections/${id}/syncs/contacts/trigger`, { token: other.secretKey, body: {} }), 404, 'not_found')
    expect((await json<{ data: unknown[] }>(t.call('GET', `/v1/sync-runs?connectionId=${id}`, { token: other.secretKey }))).data).toHaveLength(0)
  })

  it('honours integration sync settings: a disabled sync starts paused, autoStart off skips the initial sync', async () => {
    await json(t.call('POST', '/v1/integrations', { body: { key: 'crm-quiet', connectorId: 'demo-crm-api-key', overrides: { baseUrl: provider.apiBaseUrl }, syncSettings: { autoStart: false, syncs: { companies: { enabled: false, frequency: '6h' } } } } }), 201)
    const conn = await json<{ id: string }>(t.call('POST', '/v1/embed/connections', { token, body: { integration: 'crm-quiet', credentials: { apiKey: keys[keyIndex++]! } } }), 201)
    const syncs = await json<{ data: { name: string; status: string; frequency: string; lastRun: unknown }[] }>(t.call('GET', `/v1/connections/${conn.id}/syncs`))
    expect(syncs.data.map((s) => [s.name, s.status, s.frequency, s.lastRun])).toEqual([['companies', 'paused', '6h', null], ['contacts', 'enabled', '15m', null]])
    expect((await json<{ data: unknown[] }>(t.call('GET', `/v1/sync-runs?connectionId=${conn.id}`))).data).toHaveLength(0)
  })
})

describe.each(testDatabases())('end users choosing a sync frequency on $name', (target) => {
  let t: TestApp
  let provider: DemoProvider
  afterAll(async () => {
    await provider?.close()
    await t?.close()
  })

  it('lets the end user choose within the vendor’s bounds only, and only for their own connections', async () => {
    t = await createTestApp(target)
    provider = await startDemoProvider({ clients: [], apiKeys: ['k1'], contactsPerAccount: 10 })
    const call = async (method: string, path: string, token: string, body?: unknown) => {
      const res = await t.call(method, path, { token, ...(body !== undefined ? { body } : {}) })
      return { status: res.status, body: (await res.json()) as Record<string, any> }
    }
    const key = t.tenant.secretKey
    expect((await call('POST', '/v1/integrations', key, { key: 'crm', connectorId: 'demo-crm-api-key', allowMultipleConnections: true, overrides: { baseUrl: provider.apiBaseUrl }, syncSettings: { autoStart: false } })).status).toBe(201)
    const session = async (id: string) => (await call('POST', '/v1/connect-sessions', key, { endUser: { id } })).body.token as string
    const ada = await session('ada')
    const conn = (await call('POST', '/v1/embed/connections', ada, { integration: 'crm', credentials: { apiKey: 'k1' } })).body.id as string

    // No bounds set: the end user sees the schedule but may not change it.
    const view = await call('GET', `/v1/embed/connections/${conn}/syncs`, ada)
    expect(view.status).toBe(200)
    expect(view.body.endUserFrequency).toBeNull()
    expect(view.body.data.map((s: { name: string; frequency: string }) => [s.name, s.frequency])).toEqual([['companies', '1h'], ['contacts', '15m']])
    expect(await call('PATCH', `/v1/embed/connections/${conn}/syncs/contacts`, ada, { frequency: '1h' })).toMatchObject({ status: 403, body: { code: 'forbidden' } })

    // With bounds: inside is accepted, outside refused.
    expect((await call('PATCH', '/v1/integrations/crm', key, { syncSettings: { endUserFrequency: { min: '30m', max: '1d' } } })).status).toBe(200)
    expect(await call('PATCH', `/v1/embed/connections/${conn}/syncs/contacts`, ada, { frequency: '2h' })).toMatchObject({ status: 200, body: { frequency: '2h', customFrequency: true } })
    expect(await call('PATCH', `/v1/embed/connections/${conn}/syncs/contacts`, ada, { frequency: '15m' })).toMatchObject({ status: 403, body: { code: 'forbidden' } })
    expect(await call('PATCH', `/v1/embed/connections/${conn}/syncs/contacts`, ada, { frequency: '2d' })).toMatchObject({ status: 403, body: { code: 'forbidden' } })
    expect((await call('GET', `/v1/connections/${conn}/syncs`, key)).body.data[1]).toMatchObject({ name: 'contacts', frequency: '2h' })

    // Another end user cannot see or change it.
    const bob = await session('bob')
    expect((await call('GET', `/v1/embed/connections/${conn}/syncs`, bob)).status).toBe(404)
    expect((await call('PATCH', `/v1/embed/connections/${conn}/syncs/contacts`, bob, { frequency: '2h' })).status).toBe(404)
    // Bounds must make sense.
    expect(await call('PATCH', '/v1/integrations/crm', key, { syncSettings: { endUserFrequency: { min: '1d', max: '1h' } } })).toMatchObject({ status: 400, body: { code: 'invalid_request' } })
  })
})
