/**
 * Incremental syncs whose filter lives inside a query-text parameter, end to end through the job
 * queue and the real sync engine, on PGlite and PostgreSQL, with the real Salesforce connector
 * against a fake QueryAll on 127.0.0.1:
 *
 * - `GET /services/data/vXX.X/queryAll?q=<SOQL>` → `{ totalSize, done, records, nextRecordsUrl? }`,
 *   the next batch at a path-only `nextRecordsUrl` "without any parameters"
 *   (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm);
 *   soft-deleted records come back with `IsDeleted: true`;
 * - the fake reads the one WHERE clause an incremental run sends, `SystemModstamp >= <dateTime> OR
 *   IsDeleted = true`, the dateTime an unquoted SOQL literal `YYYY-MM-DDThh:mm:ssZ`
 *   (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm),
 *   and answers 400 to anything else, as Salesforce answers a malformed query.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sql } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { API_VERSION } from '../connectors/salesforce/index'
import { upsertEndUser } from '../server/src/db/queries/end-users'
import { rowsOf } from '../server/src/db/queries/records'
import { newId } from '../server/src/lib/ids'
import { saveConnection } from '../server/src/services/connections'
import { createIntegration } from '../server/src/services/integrations'
import { createTestApp, testConfig, testDatabases, type TestApp } from '../server/src/testing'

const TOKEN = 'sf-token-1'
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
/** Salesforce's dateTime spelling in query results: `2026-01-01T10:00:00.000+0000`. */
const stamp = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000')
const CONTACT_FIELDS = 'SELECT Id, FirstName, LastName, Name, Email, Phone, MobilePhone, Title, Department, AccountId, Account.Name, LeadSource, MailingCity, MailingCountry, OwnerId, CreatedDate, LastModifiedDate, SystemModstamp, IsDeleted FROM Contact'

interface Contact { attributes: { type: string; url: string }; Id: string; LastName: string; Email: string; SystemModstamp: string; IsDeleted: boolean }
const contact = (i: number, at: number): Contact => {
  const id = `003D000000QV9n${String(i).padStart(2, '0')}IAD`
  return { attributes: { type: 'Contact', url: `/services/data/${API_VERSION}/sobjects/Contact/${id}` }, Id: id, LastName: `Last ${i}`, Email: `c${i}@example.com`, SystemModstamp: stamp(at), IsDeleted: false }
}

/** The fake QueryAll (see the module comment), two records a batch. */
async function startSalesforce(records: Contact[]) {
  const queries: string[] = []
  const requests: string[] = []
  const locators = new Map<string, Contact[]>()
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    requests.push(url.pathname + url.search)
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, [{ errorCode: 'INVALID_SESSION_ID' }])
    let rest: Contact[]
    if (url.pathname === `/services/data/${API_VERSION}/queryAll`) {
      const q = url.searchParams.get('q') ?? ''
      queries.push(q)
      const m = /^(SELECT .+ FROM Contact)(?: WHERE SystemModstamp >= (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z) OR IsDeleted = true)?$/.exec(q)
      if (!m || m[1] !== CONTACT_FIELDS) return send(400, [{ errorCode: 'MALFORMED_QUERY', message: 'unexpected query' }])
      const since = m[2] ? Date.parse(m[2]) : undefined
      rest = records.filter((r) => since === undefined || r.IsDeleted || Date.parse(r.SystemModstamp.replace('+0000', 'Z')) >= since)
    } else {
      const locator = /\/query\/(01gFAKE\d+)$/.exec(url.pathname)?.[1]
      if (!locator || !locators.has(locator)) return send(404, [{ errorCode: 'INVALID_QUERY_LOCATOR' }])
      rest = locators.get(locator)!
    }
    const batch = rest.slice(0, 2)
    const more = rest.slice(2)
    const locator = `01gFAKE${locators.size + 1}`
    if (more.length > 0) locators.set(locator, more)
    send(200, { totalSize: rest.length, done: more.length === 0, records: batch, ...(more.length > 0 ? { nextRecordsUrl: `/services/data/${API_VERSION}/query/${locator}` } : {}) })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url, queries, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}
type Fake = Awaited<ReturnType<typeof startSalesforce>>

describe.each(testDatabases())('templated incremental syncs (Salesforce SOQL) on $name', (target) => {
  let t: TestApp
  let endUserId: string
  let integrations = 0
  const fakes: Fake[] = []

  async function connect(f: Fake) {
    const integration = await createIntegration(t.ctx, t.tenant.environmentId, { key: `sf-${++integrations}`, connectorId: 'salesforce', clientId: 'client', clientSecret: 'secret', overrides: { baseUrl: f.url }, allowMultipleConnections: true, syncSettings: { autoStart: false } })
    return saveConnection(t.ctx, { environmentId: t.tenant.environmentId, integration, endUserId, credentials: { type: 'oauth2', accessToken: TOKEN }, scopes: [], connectionConfig: { instanceHost: 'acme.my.salesforce.com' } })
  }

  async function trigger(connectionId: string, sync: string, body: Record<string, unknown> = {}) {
    const res = await t.call('POST', `/v1/connections/${connectionId}/syncs/${sync}/trigger`, { body })
    expect(res.status).toBe(202)
    const { id } = (await res.json()) as { id: string }
    for (let i = 0; i < 600; i++) {
      const run = (await (await t.call('GET', `/v1/sync-runs/${id}`)).json()) as { status: string; [k: string]: unknown }
      if (['succeeded', 'failed', 'cancelled'].includes(run.status)) return run
      await sleep(25)
    }
    throw new Error(`run ${id} did not finish`)
  }

  async function feed(connectionId: string, cursor?: string) {
    const q = new URLSearchParams({ connectionId, model: 'contact', limit: '200', ...(cursor ? { cursor } : {}) })
    return (await (await t.call('GET', `/v1/records?${q}`)).json()) as { data: { id: string; action: string }[]; nextCursor: string }
  }

  beforeAll(async () => {
    const config = testConfig()
    config.sync = { ...config.sync, retryDelaysMs: [30, 60, 90], maxAttempts: 3 }
    t = await createTestApp(target, config)
    endUserId = (await upsertEndUser(t.ctx.db, { id: newId('eu'), environmentId: t.tenant.environmentId, externalId: 'u1' })).id
  })
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((f) => f.close()))
  })
  afterAll(async () => {
    await t?.close()
  })

  it('a second run sends the SOQL templated with the last SystemModstamp, and sees the recycle bin', async () => {
    const t0 = Date.UTC(2026, 0, 1, 10)
    const records = [contact(1, t0), contact(2, t0 + 3_600_000), contact(3, t0 + 7_200_000), { ...contact(4, t0), IsDeleted: true }]
    const f = await startSalesforce(records)
    fakes.push(f)
    const id = await connect(f)

    const first = await trigger(id, 'contacts')
    expect(first).toMatchObject({ status: 'succeeded', mode: 'full', pages: 2, added: 3, error: null })
    // The object's own query on the first run; the recycle-bin record is stored as deleted, not as a live record.
    expect(f.queries).toEqual([CONTACT_FIELDS])
    expect(f.requests[1]).toBe(`/services/data/${API_VERSION}/query/01gFAKE1`)
    const before = await feed(id)
    expect(before.data.map((r) => r.id).sort()).toEqual([records[0]!.Id, records[1]!.Id, records[2]!.Id])

    // At Salesforce: contact 2 edited now, contact 1 deleted (its SystemModstamp left as it was).
    records[1] = { ...records[1]!, LastName: 'Renamed', SystemModstamp: stamp(Date.now() - 120_000) }
    records[0] = { ...records[0]!, IsDeleted: true }
    f.queries.length = 0
    const second = await trigger(id, 'contacts')
    expect(second).toMatchObject({ status: 'succeeded', mode: 'incremental', added: 0, updated: 1, deleted: 1, error: null })
    // The largest SystemModstamp of the first run (contact 3's, 12:00:00.000+0000) as a SOQL literal, `>=`.
    expect(f.queries).toEqual([`${CONTACT_FIELDS} WHERE SystemModstamp >= 2026-01-01T12:00:00Z OR IsDeleted = true`])
    const changes = await feed(id, before.nextCursor)
    expect(changes.data.map((r) => [r.id, r.action]).sort()).toEqual([[records[0]!.Id, 'deleted'], [records[1]!.Id, 'updated']].sort())

    // Nothing changed: the same second is read again (contact 3 and the bin), and nothing is rewritten.
    const third = await trigger(id, 'contacts')
    expect(third).toMatchObject({ status: 'succeeded', mode: 'incremental', added: 0, updated: 0, deleted: 0 })
    expect(f.queries[1]).toBe(`${CONTACT_FIELDS} WHERE SystemModstamp >= ${new Date(Date.parse(records[1]!.SystemModstamp.replace('+0000', 'Z'))).toISOString().slice(0, 19)}Z OR IsDeleted = true`)
  })

  it('a stored cursor that is not a dateTime fails the run before any request; a full resync starts over', async () => {
    const records = [contact(1, Date.UTC(2026, 0, 1, 10))]
    const f = await startSalesforce(records)
    fakes.push(f)
    const id = await connect(f)
    expect(await trigger(id, 'contacts')).toMatchObject({ status: 'succeeded', mode: 'full', added: 1 })
    const hostile = "2027-01-01T00:00:00Z OR Id != '"
    await t.ctx.db.execute(sql`update syncs set cursor = to_jsonb(${hostile}::text) where connection_id = ${id} and name = 'contacts'`)
    f.requests.length = 0

    const refused = await trigger(id, 'contacts')
    expect(refused).toMatchObject({ status: 'failed', mode: 'incremental', pages: 0, error: { code: 'upstream_invalid_response', message: expect.stringContaining("is not a date-time") } })
    expect(f.requests).toEqual([])
    const failedEvents = await t.ctx.db.execute(sql`select count(*)::int as n from webhook_events where type = 'sync.failed' and payload::text like ${`%${String(refused.id)}%`}`)
    expect(rowsOf<{ n: number }>(failedEvents)[0]?.n).toBe(1)

    const resync = await trigger(id, 'contacts', { fullResync: true })
    expect(resync).toMatchObject({ status: 'succeeded', mode: 'full', error: null })
    expect(f.queries.at(-1)).toBe(CONTACT_FIELDS)
    // The resync's own largest SystemModstamp replaced the refused cursor (which sorted later): incremental again.
    expect(await trigger(id, 'contacts')).toMatchObject({ status: 'succeeded', mode: 'incremental', error: null })
    expect(f.queries.at(-1)).toBe(`${CONTACT_FIELDS} WHERE SystemModstamp >= 2026-01-01T10:00:00Z OR IsDeleted = true`)
  })
})
