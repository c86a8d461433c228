/**
 * "Full run every N": the scheduler (`sweepSyncs`) makes a run of an incremental sync a full resync,
 * deletion pass included, when its last successful full run is older than the sync's
 * `fullResyncFrequency` (the connector's, or the integration's override), and an incremental run
 * otherwise. End to end through the job queue and the real sync engine, on PGlite and PostgreSQL,
 * with the real Salesforce connector (`fullResyncFrequency: '7d'`) against a fake QueryAll on
 * 127.0.0.1. Time is controlled through the sync row (`next_run_at`, `last_full_sync_at`), never slept.
 *
 * The fake answers `GET /services/data/vXX.X/queryAll?q=<SOQL>` → `{ totalSize, done, records }`
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm),
 * reading the incremental `WHERE SystemModstamp >= <dateTime> OR IsDeleted = true`. A record
 * purged from the recycle bin is simply absent from every answer: only a full run can notice it.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sql } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MINOR_VERSION } from '../connectors/quickbooks/index'
import { upsertEndUser } from '../server/src/db/queries/end-users'
import { newId } from '../server/src/lib/ids'
import { saveConnection } from '../server/src/services/connections'
import { createIntegration } from '../server/src/services/integrations'
import { sweepSyncs } from '../server/src/services/syncs'
import { createTestApp, testConfig, testDatabases, type TestApp } from '../server/src/testing'
import { contact, stamp, startSalesforceQueryAll, type SalesforceQueryAll as Fake } from './helpers/salesforce-query-all'
import { finishedSync, getSync } from './helpers/sync-runs'

const TOKEN = 'sf-token-full'
const DAY = 86_400_000
/** The fake QueryAll (test/helpers/salesforce-query-all.ts), every record in one batch. */
const startSalesforce = (records: Parameters<typeof startSalesforceQueryAll>[0]) => startSalesforceQueryAll(records, { token: TOKEN })

interface SyncView { name: string; fullResyncFrequency: string | null; lastFullSyncAt: string | null; nextFullResyncAt: string | null; lastRun: { id: string; status: string; mode: string; trigger: string; deleted: number } | null }

/** Makes the sync `name` due now, its last full run `ageMs` ago, sweeps once, and waits for the run the sweep started. */
async function sweepDue(t: TestApp, connectionId: string, name: string, ageMs: number): Promise<SyncView> {
  await t.ctx.db.execute(sql`update syncs set next_run_at = now() - interval '1 second', last_full_sync_at = now() - make_interval(secs => ${ageMs / 1000}) where connection_id = ${connectionId} and name = ${name}`)
  const before = await getSync<SyncView>(t, connectionId, name)
  await sweepSyncs(t.ctx)
  return finishedSync<SyncView>(t, connectionId, name, before.lastRun?.id ?? null)
}

describe.each(testDatabases())('scheduled full resyncs of incremental syncs on $name', (target) => {
  let t: TestApp
  let endUserId: string
  let integrations = 0
  const fakes: Fake[] = []

  async function connect(f: Fake, syncSettings: Record<string, unknown> = {}) {
    const integration = await createIntegration(t.ctx, t.tenant.environmentId, { key: `sf-full-${++integrations}`, connectorId: 'salesforce', clientId: 'client', clientSecret: 'secret', overrides: { baseUrl: f.url }, allowMultipleConnections: true, syncSettings: { autoStart: false, ...syncSettings } })
    return saveConnection(t.ctx, { environmentId: t.tenant.environmentId, integration, endUserId, credentials: { type: 'oauth2', accessToken: TOKEN }, scopes: [], connectionConfig: { instanceHost: 'acme.my.salesforce.com' } })
  }

  /** Waits until the sync's last run is `previousRunId`'s successor (or any run when null) and finished. */
  const finishedRun = (connectionId: string, previousRunId: string | null) => finishedSync<SyncView>(t, connectionId, 'contacts', previousRunId)

  async function triggerFull(connectionId: string) {
    const res = await t.call('POST', `/v1/connections/${connectionId}/syncs/contacts/trigger`, { body: {} })
    expect(res.status).toBe(202)
    return finishedRun(connectionId, null)
  }

  /** Makes the sync due now, its last full run `ageMs` ago, then sweeps once. */
  const sweepWithLastFullRun = (connectionId: string, ageMs: number) => sweepDue(t, connectionId, 'contacts', ageMs)

  async function liveIds(connectionId: string): Promise<string[]> {
    const res = await t.call('GET', `/v1/records?${new URLSearchParams({ connectionId, model: 'contact', limit: '200' })}`)
    const page = (await res.json()) as { data: { id: string; action: string }[] }
    const last = new Map<string, string>()
    for (const r of page.data) last.set(r.id, r.action)
    return [...last].filter(([, action]) => action !== 'deleted').map(([id]) => id).sort()
  }

  beforeAll(async () => {
    t = await createTestApp(target, testConfig())
    endUserId = (await upsertEndUser(t.ctx.db, { id: newId('eu'), environmentId: t.tenant.environmentId, externalId: 'u-full' })).id
  })
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((f) => f.close()))
  })
  afterAll(async () => {
    await t?.close()
  })

  it('the initial run counts as full; a scheduled run is incremental until the last full run is 7 days old, then full with a deletion pass', async () => {
    const t0 = Date.UTC(2026, 0, 1, 10)
    const records = [contact(1, t0), contact(2, t0 + 60_000), contact(3, t0 + 120_000)]
    const f = await startSalesforce(records)
    fakes.push(f)
    const id = await connect(f)

    const initial = await triggerFull(id)
    expect(initial.lastRun).toMatchObject({ status: 'succeeded', mode: 'full' })
    expect(initial.fullResyncFrequency).toBe('7d')
    expect(initial.lastFullSyncAt).not.toBeNull()
    expect(Date.parse(initial.nextFullResyncAt!) - Date.parse(initial.lastFullSyncAt!)).toBe(7 * DAY)
    expect(await liveIds(id)).toEqual([records[0]!.Id, records[1]!.Id, records[2]!.Id].sort())

    // Contact 2 is purged from the recycle bin: no query of Salesforce returns it any more.
    const purged = records.splice(1, 1)[0]!

    // Last full run 6 days ago: the scheduled run is incremental, and cannot see the purge.
    f.queries.length = 0
    const incremental = await sweepWithLastFullRun(id, 6 * DAY)
    expect(incremental.lastRun).toMatchObject({ status: 'succeeded', mode: 'incremental', trigger: 'schedule', deleted: 0 })
    expect(f.queries).toEqual([expect.stringContaining(' WHERE SystemModstamp >= ')])
    expect(await liveIds(id)).toContain(purged.Id)
    // An incremental run leaves the full-resync clock alone.
    expect(Date.now() - Date.parse(incremental.lastFullSyncAt!)).toBeGreaterThanOrEqual(6 * DAY - 60_000)

    // Last full run 8 days ago: the scheduled run lists everything and marks the purged contact deleted.
    f.queries.length = 0
    const full = await sweepWithLastFullRun(id, 8 * DAY)
    expect(full.lastRun).toMatchObject({ status: 'succeeded', mode: 'full', trigger: 'schedule', deleted: 1 })
    expect(f.queries).toEqual([expect.not.stringContaining('WHERE')])
    expect(await liveIds(id)).toEqual([records[0]!.Id, records[1]!.Id].sort())
    expect(Date.now() - Date.parse(full.lastFullSyncAt!)).toBeLessThan(60_000)
    expect(Date.parse(full.nextFullResyncAt!) - Date.parse(full.lastFullSyncAt!)).toBe(7 * DAY)

    // The full resync stored a cursor: the next scheduled run is incremental again.
    const next = await sweepWithLastFullRun(id, DAY)
    expect(next.lastRun).toMatchObject({ status: 'succeeded', mode: 'incremental', deleted: 0 })
  })

  it("an integration's fullResyncFrequency overrides the connector's", async () => {
    const records = [contact(1, Date.UTC(2026, 0, 1, 10)), contact(2, Date.UTC(2026, 0, 1, 11))]
    const f = await startSalesforce(records)
    fakes.push(f)
    const id = await connect(f, { syncs: { contacts: { fullResyncFrequency: '2d' } } })
    const initial = await triggerFull(id)
    expect(initial.fullResyncFrequency).toBe('2d')
    expect(Date.parse(initial.nextFullResyncAt!) - Date.parse(initial.lastFullSyncAt!)).toBe(2 * DAY)

    records.pop()
    // 1 day: still incremental under the override.
    expect((await sweepWithLastFullRun(id, DAY)).lastRun).toMatchObject({ mode: 'incremental', deleted: 0 })
    // 3 days: older than the integration's 2d (the connector's 7d would still say incremental).
    expect((await sweepWithLastFullRun(id, 3 * DAY)).lastRun).toMatchObject({ status: 'succeeded', mode: 'full', deleted: 1 })
  })

  it('a sync that never completed a full run gets one from the scheduler', async () => {
    const f = await startSalesforce([contact(1, Date.UTC(2026, 0, 1, 10))])
    fakes.push(f)
    const id = await connect(f)
    await triggerFull(id)
    // As after the migration for a sync whose full runs are unknown: no last full run at all.
    await t.ctx.db.execute(sql`update syncs set next_run_at = now() - interval '1 second', last_full_sync_at = null where connection_id = ${id} and name = 'contacts'`)
    const before = await getSync<SyncView>(t, id, 'contacts')
    expect(before.nextFullResyncAt).toBeNull()
    await sweepSyncs(t.ctx)
    expect((await finishedRun(id, before.lastRun!.id)).lastRun).toMatchObject({ status: 'succeeded', mode: 'full', trigger: 'schedule' })
  })
})

/**
 * QuickBooks: `GET /v3/company/<realmId>/query?query=<select statement>`
 * (https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries),
 * the fake answering active customers only, as "SELECT * FROM Customer" "retrieves all active
 * customers" (https://blogs.intuit.com/2014/03/20/advanced-sql-queries), filtered by
 * `where Metadata.LastUpdatedTime >= '<dateTime>'` in the example's `±hhmm` spelling; anything
 * else is a 400.
 */
describe.each(testDatabases())('QuickBooks incremental syncs with a daily full resync on $name', (target) => {
  const REALM = '4620816365022001'
  let t: TestApp
  let endUserId: string

  interface Customer { Id: string; DisplayName: string; Active: boolean; MetaData: { CreateTime: string; LastUpdatedTime: string } }
  /** QuickBooks' spelling of a time: `2026-01-01T02:00:00-08:00`. */
  const pacific = (ms: number) => new Date(ms - 8 * 3_600_000).toISOString().slice(0, 19) + '-08:00'
  const customer = (i: number, at: number): Customer => ({ Id: String(i), DisplayName: `Customer ${i}`, Active: true, MetaData: { CreateTime: pacific(at), LastUpdatedTime: pacific(at) } })

  async function startQuickBooks(customers: Customer[]) {
    const queries: string[] = []
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
      }
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { fault: { type: 'AUTHENTICATION' } })
      if (url.pathname !== `/v3/company/${REALM}/query` || url.searchParams.get('minorversion') !== MINOR_VERSION) return send(404, {})
      const q = url.searchParams.get('query') ?? ''
      queries.push(q)
      const m = /^select \* from Customer(?: where Metadata\.LastUpdatedTime >= '(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\+0000')? MAXRESULTS 1000$/.exec(q)
      if (!m) return send(400, { Fault: { Error: [{ Message: 'Error parsing query' }], type: 'ValidationFault' } })
      const since = m[1] ? Date.parse(`${m[1]}Z`) : undefined
      const rows = customers.filter((c) => c.Active && (since === undefined || Date.parse(c.MetaData.LastUpdatedTime) >= since))
      send(200, { QueryResponse: { Customer: rows, startPosition: 1, maxResults: rows.length }, time: new Date().toISOString() })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    return { url, queries, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
  }

  const finished = (connectionId: string, previousRunId: string | null) => finishedSync<SyncView>(t, connectionId, 'customers', previousRunId)
  const sweepWithLastFullRun = (connectionId: string, ageMs: number) => sweepDue(t, connectionId, 'customers', ageMs)

  beforeAll(async () => {
    t = await createTestApp(target, testConfig())
    endUserId = (await upsertEndUser(t.ctx.db, { id: newId('eu'), environmentId: t.tenant.environmentId, externalId: 'u-qb' })).id
  })
  afterAll(async () => {
    await t?.close()
  })

  it('hourly runs read what changed since the cursor; a customer made inactive is marked deleted by the daily full resync', async () => {
    const t0 = Date.UTC(2026, 0, 1, 10)
    const customers = [customer(1, t0), customer(2, t0 + 60_000)]
    const f = await startQuickBooks(customers)
    try {
      const integration = await createIntegration(t.ctx, t.tenant.environmentId, { key: 'qb', connectorId: 'quickbooks', clientId: 'client', clientSecret: 'secret', overrides: { baseUrl: `${f.url}/v3/company/{realmId}` }, syncSettings: { autoStart: false } })
      const id = await saveConnection(t.ctx, { environmentId: t.tenant.environmentId, integration, endUserId, credentials: { type: 'oauth2', accessToken: TOKEN }, scopes: [], connectionConfig: { realmId: REALM, apiHost: 'quickbooks.api.intuit.com' } })

      const res = await t.call('POST', `/v1/connections/${id}/syncs/customers/trigger`, { body: {} })
      expect(res.status).toBe(202)
      const initial = await finished(id, null)
      expect(initial.lastRun).toMatchObject({ status: 'succeeded', mode: 'full' })
      expect(initial.fullResyncFrequency).toBe('1d')
      expect(f.queries).toEqual(['select * from Customer MAXRESULTS 1000'])

      // Customer 2 is made inactive (QuickBooks' delete): it leaves every query's results.
      customers[1] = { ...customers[1]!, Active: false, MetaData: { ...customers[1]!.MetaData, LastUpdatedTime: pacific(Date.now() - 60_000) } }
      const hourly = await sweepWithLastFullRun(id, 2 * 3_600_000)
      expect(hourly.lastRun).toMatchObject({ status: 'succeeded', mode: 'incremental', deleted: 0 })
      // The largest LastUpdatedTime of the first run (customer 2's, 10:01 UTC) in UTC with a +0000 offset.
      expect(f.queries.at(-1)).toBe("select * from Customer where Metadata.LastUpdatedTime >= '2026-01-01T10:01:00+0000' MAXRESULTS 1000")

      const daily = await sweepWithLastFullRun(id, 25 * 3_600_000)
      expect(daily.lastRun).toMatchObject({ status: 'succeeded', mode: 'full', trigger: 'schedule', deleted: 1 })
      expect(f.queries.at(-1)).toBe('select * from Customer MAXRESULTS 1000')
      const page = (await (await t.call('GET', `/v1/records?${new URLSearchParams({ connectionId: id, model: 'customer', limit: '50' })}`)).json()) as { data: { id: string; action: string }[] }
      expect(page.data.filter((r) => r.action === 'deleted').map((r) => r.id)).toEqual(['2'])
    } finally {
      await f.close()
    }
  })
})
