/**
 * Incremental syncs whose filter lives inside a query-text parameter, end to end through the job
 * queue and the real sync engine, on PGlite and PostgreSQL, with the real Salesforce connector
 * against a fake QueryAll on 127.0.0.1:
 *
 * `test/helpers/salesforce-query-all.ts`, which reads the one WHERE clause an incremental run sends
 * (`SystemModstamp >= <dateTime> OR IsDeleted = true`, the dateTime an unquoted SOQL literal) and
 * answers 400 to anything else, as Salesforce answers a malformed query; two records a batch.
 */
import { sql } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { upsertEndUser } from '../server/src/db/queries/end-users'
import { rowsOf } from '../server/src/db/queries/records'
import { newId } from '../server/src/lib/ids'
import { saveConnection } from '../server/src/services/connections'
import { createIntegration } from '../server/src/services/integrations'
import { createTestApp, testConfig, testDatabases, type TestApp } from '../server/src/testing'
import { API_VERSION } from '../connectors/salesforce/index'
import { contact, CONTACT_FIELDS, stamp, startSalesforceQueryAll, type SalesforceQueryAll as Fake } from './helpers/salesforce-query-all'
import { triggerRun } from './helpers/sync-runs'

const TOKEN = 'sf-token-1'
/** The fake QueryAll (test/helpers/salesforce-query-all.ts), two records a batch. */
const startSalesforce = (records: Parameters<typeof startSalesforceQueryAll>[0]) => startSalesforceQueryAll(records, { token: TOKEN, batchSize: 2 })

describe.each(testDatabases())('templated incremental syncs (Salesforce SOQL) on $name', (target) => {
  let t: TestApp
  let endUserId: string
  let integrations = 0
  const fakes: Fake[] = []

  async function connect(f: Fake) {
    const integration = await createIntegration(t.ctx, t.tenant.environmentId, { key: `sf-${++integrations}`, connectorId: 'salesforce', clientId: 'client', clientSecret: 'secret', overrides: { baseUrl: f.url }, allowMultipleConnections: true, syncSettings: { autoStart: false } })
    return saveConnection(t.ctx, { environmentId: t.tenant.environmentId, integration, endUserId, credentials: { type: 'oauth2', accessToken: TOKEN }, scopes: [], connectionConfig: { instanceHost: 'acme.my.salesforce.com' } })
  }

  const trigger = (connectionId: string, sync: string, body: Record<string, unknown> = {}) => triggerRun(t, connectionId, sync, body)

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
