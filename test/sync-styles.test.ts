/**
 * Syncs against local fakes of five real list APIs (test/fakes/provider.ts), end to end through
 * the job queue, on PGlite and PostgreSQL:
 *
 * - every pagination style walks to the end and the change feed holds exactly the provider's
 *   records: GitHub (`Link` header; `/user/repos` full, `/issues` incremental on `since`), HubSpot
 *   (`paging.next.after`), Stripe (`starting_after`/`has_more`, charges incremental on
 *   `created[gte]`), Salesforce (`nextRecordsUrl`), a generic offset API (`updated_since`);
 * - after changes at the provider the next run (full or incremental) puts exactly those changes in
 *   the feed;
 * - resilience: 429 storms with `Retry-After`, GitHub's primary (403 + reset) and secondary
 *   (403 + `retry-after`) limits, 500s, malformed JSON, a 200 HTML page, timeouts, persistent
 *   failures, 401 → `needs_reauth`, a response that does not match the connector; credentials on
 *   every page and never in a checkpoint (also when they travel in the query string).
 *
 * Connections are made with `saveConnection` (no OAuth flow), which starts the initial syncs.
 */
import { sql } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import githubConnector from '../connectors/github/index'
import { getConnector, registerConnector } from '../connectors/registry'
import { defineConnector, type Connector } from '../connectors/schema'
import { upsertEndUser } from '../server/src/db/queries/end-users'
import { rowsOf } from '../server/src/db/queries/records'
import { newId } from '../server/src/lib/ids'
import { saveConnection } from '../server/src/services/connections'
import type { Credentials } from '../server/src/services/credentials'
import { createIntegration } from '../server/src/services/integrations'
import { createTestApp, testConfig, testDatabases, type TestApp } from '../server/src/testing'
import { registerTestConnectors } from './fakes/connectors'
import { startFakeProvider, type FakeProvider, type FakeProviderOptions, type FakeRequest } from './fakes/provider'

/** The access token or API key of every connection (unless a test says otherwise). */
const TOKEN = 'tok-1'
/** `config.providerTimeoutMs` of the app under test. */
const PROVIDER_TIMEOUT_MS = 500
/** Slack for timer rounding when comparing request times with waits, ms. */
const TIMER_SLACK_MS = 25

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
type Item = Record<string, unknown>

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
const param = (r: FakeRequest, name: string) => new URL(r.url).searchParams.get(name)

/**
 * A GitHub-like connector whose token goes in the query string (`?access_token=`, as GitHub once
 * allowed): the provider then echoes the token in its `Link` URLs, so the engine must strip it
 * before storing the next page's URL in the checkpoint.
 */
const queryKeyConnector: Connector = defineConnector({
  id: 'test-github-query-key',
  name: 'Test GitHub, token in the query (fake)',
  description: 'GitHub-like Link pagination with the credential in a query parameter, for sync tests.',
  categories: ['dev-tools'],
  logo: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#6b7280"/></svg>',
  docsUrl: 'https://docs.github.com/en/rest',
  auth: {
    type: 'api_key',
    fields: { apiKey: { label: 'Token', type: 'password', required: true } },
    inject: { query: { access_token: '{apiKey}' } },
    verify: { method: 'GET', path: '/user', okStatus: [200] },
  },
  http: { baseUrl: 'https://api.github.invalid', rateLimit: githubConnector.http.rateLimit, pagination: githubConnector.http.pagination },
  objects: { repository: githubConnector.objects.repository! },
  syncs: { repositories: { object: 'repository', mode: 'full', defaultFrequency: '1d' } },
})

/** Records the time each request reached the fake (by wrapping the log's `push`). */
function clock(fake: FakeProvider): Map<FakeRequest, number> {
  const at = new Map<FakeRequest, number>()
  const push = fake.requests.push.bind(fake.requests)
  fake.requests.push = (...items: FakeRequest[]) => {
    for (const r of items) at.set(r, Date.now())
    return push(...items)
  }
  return at
}

/** Asserts that `records` are exactly `truth`: the same ids, each once, with the same data, none deleted. */
function expectSameRecords(records: Rec[], truth: Item[], key: (item: Item) => string): void {
  const ids = records.map((r) => r.id)
  expect(new Set(ids).size, 'each record once').toBe(ids.length)
  expect([...ids].sort()).toEqual(truth.map(key).sort())
  const byId = new Map(truth.map((item) => [key(item), item]))
  for (const r of records) {
    expect(r.data, r.id).toEqual(byId.get(r.id))
    expect(r.deletedAt, r.id).toBeNull()
  }
}

/** Asserts that the feed after a run holds exactly these changes, with the provider's current data. */
function expectChanges(changes: Rec[], expected: { added?: string[]; updated?: string[]; deleted?: string[] }, current: (id: string) => Item | undefined): void {
  const want = new Map<string, string>()
  for (const action of ['added', 'updated', 'deleted'] as const) for (const id of expected[action] ?? []) want.set(id, action)
  expect(changes.map((r) => r.id).sort()).toEqual([...want.keys()].sort())
  for (const r of changes) {
    expect(r.action, r.id).toBe(want.get(r.id))
    if (r.action === 'deleted') {
      expect(r.deletedAt, r.id).not.toBeNull()
    } else {
      expect(r.deletedAt, r.id).toBeNull()
      expect(r.data, r.id).toEqual(current(r.id))
    }
  }
}

const byId = (item: Item) => String(item.id)
const bySalesforceId = (item: Item) => String(item.Id)

describe.each(testDatabases())('sync styles on $name', (target) => {
  let t: TestApp
  let endUserId: string
  let integrations = 0
  const fakes: FakeProvider[] = []

  const json = async <T>(res: Response | Promise<Response>, status = 200): Promise<T> => {
    const r = await res
    const text = await r.text()
    expect(r.status, text).toBe(status)
    return JSON.parse(text) as T
  }

  async function fake(options: FakeProviderOptions): Promise<FakeProvider> {
    const f = await startFakeProvider(options)
    fakes.push(f)
    return f
  }

  /** An integration of `connectorId` pointed at the fake, and a connection with `credentials`. */
  async function connect(f: FakeProvider, opts: { connectorId?: string; credentials?: Credentials; autoStart?: boolean } = {}): Promise<string> {
    const connectorId = opts.connectorId ?? f.connector.id
    const oauth = getConnector(connectorId)!.auth.type === 'oauth2'
    const integration = await createIntegration(t.ctx, t.tenant.environmentId, {
      key: `int-${++integrations}`,
      connectorId,
      ...(oauth ? { clientId: 'client', clientSecret: 'secret' } : {}),
      overrides: { baseUrl: f.url },
      allowMultipleConnections: true,
      ...(opts.autoStart === false ? { syncSettings: { autoStart: false } } : {}),
    })
    const credentials: Credentials = opts.credentials ?? (oauth ? { type: 'oauth2', accessToken: TOKEN } : { type: 'api_key', values: { apiKey: TOKEN } })
    return saveConnection(t.ctx, { environmentId: t.tenant.environmentId, integration, endUserId, credentials, scopes: [], connectionConfig: {} })
  }

  async function waitRun(id: string): Promise<Run> {
    for (let i = 0; i < 600; i++) {
      const run = await json<Run>(t.call('GET', `/v1/sync-runs/${id}`))
      if (['succeeded', 'failed', 'cancelled'].includes(run.status)) return run
      await sleep(25)
    }
    throw new Error(`run ${id} did not finish`)
  }

  /** The first run of a sync (the initial sync a new connection starts), once finished. */
  async function initialRun(connectionId: string, sync: string): Promise<Run> {
    for (let i = 0; i < 400; i++) {
      const runs = await json<{ data: Run[] }>(t.call('GET', `/v1/sync-runs?connectionId=${connectionId}&sync=${sync}`))
      if (runs.data.length > 0) {
        expect(runs.data).toHaveLength(1)
        return waitRun(runs.data[0]!.id)
      }
      await sleep(25)
    }
    throw new Error(`no ${sync} run for ${connectionId}`)
  }

  /** Triggers a run through the API and waits for it to finish. */
  async function trigger(connectionId: string, sync: string, fullResync = false): Promise<Run> {
    const run = await json<Run>(t.call('POST', `/v1/connections/${connectionId}/syncs/${sync}/trigger`, { body: fullResync ? { fullResync } : {} }), 202)
    return waitRun(run.id)
  }

  async function readFeed(connectionId: string, model: string, cursor?: string): Promise<{ records: Rec[]; cursor: string }> {
    const records: Rec[] = []
    for (;;) {
      const q = new URLSearchParams({ connectionId, model, limit: '200', ...(cursor ? { cursor } : {}) })
      const page = await json<{ data: Rec[]; nextCursor: string; hasMore: boolean }>(t.call('GET', `/v1/records?${q}`))
      records.push(...page.data)
      cursor = page.nextCursor
      if (!page.hasMore) return { records, cursor }
    }
  }

  /** The whole feed (the current state of every record ever seen) equals the provider's live records. */
  async function expectState(connectionId: string, model: string, truth: Item[], key: (item: Item) => string = byId): Promise<void> {
    const { records } = await readFeed(connectionId, model)
    expectSameRecords(records.filter((r) => r.deletedAt === null), truth, key)
  }

  /** The stored checkpoints of every run of a connection, as JSON text. */
  async function checkpoints(connectionId: string): Promise<string[]> {
    const rows = rowsOf<{ cp: string }>(await t.ctx.db.execute(sql`select checkpoint::text as cp from sync_runs where connection_id = ${connectionId}`))
    return rows.map((r) => r.cp)
  }

  /** Credentials went on every request and into no checkpoint. */
  async function expectCredentials(f: FakeProvider, connectionId: string, credential = TOKEN): Promise<void> {
    expect(f.requests.length).toBeGreaterThan(0)
    expect(f.requests.filter((r) => r.credential !== credential).map((r) => r.url)).toEqual([])
    const stored = await checkpoints(connectionId)
    expect(stored.length).toBeGreaterThan(0)
    for (const cp of stored) expect(cp).not.toContain(credential)
  }

  beforeAll(async () => {
    registerTestConnectors()
    if (!getConnector(queryKeyConnector.id)) registerConnector(queryKeyConnector)
    const config = testConfig()
    config.providerTimeoutMs = PROVIDER_TIMEOUT_MS
    config.sync = { ...config.sync, retryDelaysMs: [30, 60, 90], maxAttempts: 3, rateLimitMaxWaitMs: 5_000 }
    t = await createTestApp(target, config)
    endUserId = (await upsertEndUser(t.ctx.db, { id: newId('eu'), environmentId: t.tenant.environmentId, externalId: 'u1' })).id
  })
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((f) => f.close()))
  })
  afterAll(async () => {
    await t?.close()
  })

  describe('each pagination style: the initial sync, then exactly the changes', () => {
    it('github: Link header pages; /user/repos full, /issues incremental on since', async () => {
      const gh = await fake({ style: 'github', count: { repository: 250, issue: 320 } })
      const repos = gh.collection('repository')
      const issues = gh.collection('issue')
      const id = await connect(gh)

      const repoRun = await initialRun(id, 'repositories')
      const issueRun = await initialRun(id, 'issues')
      expect(repoRun).toMatchObject({ status: 'succeeded', trigger: 'initial', mode: 'full', pages: 3, added: 250, updated: 0, deleted: 0, attempts: 0, error: null })
      expect(issueRun).toMatchObject({ status: 'succeeded', trigger: 'initial', mode: 'full', pages: 4, added: 320, updated: 0, deleted: 0, attempts: 0, error: null })
      // Each page once, in order, following `Link: <…page=N>; rel="next"` with `per_page=100`.
      const repoPages = gh.requests.filter((r) => r.object === 'repository')
      expect(repoPages.map((r) => [param(r, 'page'), param(r, 'per_page'), r.status])).toEqual([[null, '100', 200], ['2', '100', 200], ['3', '100', 200]])
      const issuePages = gh.requests.filter((r) => r.object === 'issue')
      expect(issuePages.map((r) => r.pageIndex)).toEqual([0, 1, 2, 3])
      for (const r of issuePages) expect([param(r, 'filter'), param(r, 'state'), param(r, 'sort'), param(r, 'direction'), param(r, 'since')]).toEqual(['all', 'all', 'updated', 'desc', null])
      await expectCredentials(gh, id)
      const repoFeed = await readFeed(id, 'repository')
      expectSameRecords(repoFeed.records, repos.records(), byId)
      const issueFeed = await readFeed(id, 'issue')
      expectSameRecords(issueFeed.records, issues.records(), byId)
      const newestIssue = issues.record(320)!

      // Changes at GitHub.
      repos.update(5, { description: 'Renamed' })
      repos.remove(17)
      const newRepo = repos.add()
      issues.update(3, { state: 'closed', closed_at: '2024-06-01T00:00:00Z' })
      issues.remove(9)
      const newIssue = issues.add({ title: 'A new issue' })
      gh.resetLog()

      // Repositories: a full run lists everything and marks the removed one deleted.
      const repoRun2 = await trigger(id, 'repositories')
      expect(repoRun2).toMatchObject({ status: 'succeeded', trigger: 'manual', mode: 'full', pages: 3, added: 1, updated: 1, deleted: 1 })
      expectChanges((await readFeed(id, 'repository', repoFeed.cursor)).records, { updated: ['5'], added: [byId(newRepo)], deleted: ['17'] }, (rid) => repos.record(rid))
      await expectState(id, 'repository', repos.records())

      // Issues: an incremental run asks for what changed since the newest `updated_at` it saw.
      const issueRun2 = await trigger(id, 'issues')
      expect(issueRun2).toMatchObject({ status: 'succeeded', mode: 'incremental', pages: 1, added: 1, updated: 1, deleted: 0 })
      const incremental = gh.requests.filter((r) => r.object === 'issue')
      expect(incremental).toHaveLength(1)
      expect(param(incremental[0]!, 'since')).toBe(newestIssue.updated_at)
      // A removed issue is invisible to `since`: only the update and the new issue.
      const issueChanges = await readFeed(id, 'issue', issueFeed.cursor)
      expectChanges(issueChanges.records, { updated: ['3'], added: [byId(newIssue)] }, (iid) => issues.record(iid))

      // A full resync lists everything again and finds the removed issue.
      const resync = await trigger(id, 'issues', true)
      expect(resync).toMatchObject({ status: 'succeeded', mode: 'full', added: 0, updated: 0, deleted: 1 })
      expectChanges((await readFeed(id, 'issue', issueChanges.cursor)).records, { deleted: ['9'] }, (iid) => issues.record(iid))
      await expectState(id, 'issue', issues.records())
      await expectCredentials(gh, id)
    })

    it('hubspot: cursor paging.next.after, full syncs', async () => {
      const hs = await fake({ style: 'hubspot', count: { contact: 250, company: 30 } })
      const contacts = hs.collection('contact')
      const id = await connect(hs)

      expect(await initialRun(id, 'contacts')).toMatchObject({ status: 'succeeded', trigger: 'initial', mode: 'full', pages: 3, added: 250, deleted: 0, attempts: 0 })
      expect(await initialRun(id, 'companies')).toMatchObject({ status: 'succeeded', mode: 'full', pages: 1, added: 30 })
      // `after` is the previous page's `paging.next.after`, passed on verbatim (base64 of the last id + "\n", URL-encoded).
      const after = (lastId: number) => encodeURIComponent(Buffer.from(`${lastId}\n`).toString('base64'))
      const pages = hs.requests.filter((r) => r.object === 'contact')
      expect(pages.map((r) => [param(r, 'after'), param(r, 'limit'), param(r, 'archived')])).toEqual([
        [null, '100', 'false'],
        [after(1_000_000_100), '100', 'false'],
        [after(1_000_000_200), '100', 'false'],
      ])
      await expectCredentials(hs, id)
      const feed = await readFeed(id, 'contact')
      expectSameRecords(feed.records, contacts.records(), byId)
      await expectState(id, 'company', hs.collection('company').records())

      contacts.update('1000000006', { properties: { firstname: 'Renamed' } })
      contacts.remove('1000000011')
      contacts.remove('1000000249')
      const added = contacts.add({ properties: { email: 'new@example.com' } })
      hs.resetLog()
      const run = await trigger(id, 'contacts')
      expect(run).toMatchObject({ status: 'succeeded', mode: 'full', pages: 3, added: 1, updated: 1, deleted: 2 })
      expectChanges((await readFeed(id, 'contact', feed.cursor)).records, { updated: ['1000000006'], added: [byId(added)], deleted: ['1000000011', '1000000249'] }, (cid) => contacts.record(cid))
      await expectState(id, 'contact', contacts.records())
      await expectCredentials(hs, id)
    })

    it('stripe: starting_after/has_more, newest first; customers full, charges incremental on created[gte]', async () => {
      const key = 'sk_test_fake123'
      const st = await fake({ style: 'stripe', count: { customer: 250, invoice: 0, charge: 300 } })
      const customers = st.collection('customer')
      const charges = st.collection('charge')
      const id = await connect(st, { credentials: { type: 'api_key', values: { apiKey: key } } })

      expect(await initialRun(id, 'customers')).toMatchObject({ status: 'succeeded', mode: 'full', pages: 3, added: 250, attempts: 0 })
      expect(await initialRun(id, 'invoices')).toMatchObject({ status: 'succeeded', mode: 'full', pages: 1, added: 0 })
      expect(await initialRun(id, 'charges')).toMatchObject({ status: 'succeeded', mode: 'full', pages: 3, added: 300 })
      // Newest first: page 2 starts after the oldest customer of page 1 (index 150), page 3 after index 50.
      const pages = st.requests.filter((r) => r.object === 'customer')
      expect(pages.map((r) => [param(r, 'starting_after'), param(r, 'limit')])).toEqual([[null, '100'], ['cus_00000000000150', '100'], ['cus_00000000000050', '100']])
      await expectCredentials(st, id, key)
      const customerFeed = await readFeed(id, 'customer')
      expectSameRecords(customerFeed.records, customers.records(), byId)
      const chargeFeed = await readFeed(id, 'charge')
      expectSameRecords(chargeFeed.records, charges.records(), byId)
      const newestCreated = charges.record('ch_00000000000299')!.created

      customers.update('cus_00000000000005')
      customers.remove('cus_00000000000100')
      const newCustomer = customers.add({ email: 'new@example.com' })
      const newCharges = [charges.add(), charges.add({ amount: 4200 })]
      st.resetLog()

      const run = await trigger(id, 'customers')
      expect(run).toMatchObject({ status: 'succeeded', mode: 'full', pages: 3, added: 1, updated: 1, deleted: 1 })
      expectChanges((await readFeed(id, 'customer', customerFeed.cursor)).records, { updated: ['cus_00000000000005'], added: [byId(newCustomer)], deleted: ['cus_00000000000100'] }, (cid) => customers.record(cid))
      await expectState(id, 'customer', customers.records())

      const chargeRun = await trigger(id, 'charges')
      expect(chargeRun).toMatchObject({ status: 'succeeded', mode: 'incremental', pages: 1, added: 2, updated: 0, deleted: 0 })
      const incremental = st.requests.filter((r) => r.object === 'charge')
      expect(incremental.map((r) => param(r, 'created[gte]'))).toEqual([String(newestCreated)])
      expectChanges((await readFeed(id, 'charge', chargeFeed.cursor)).records, { added: newCharges.map(byId) }, (cid) => charges.record(cid))
      await expectState(id, 'charge', charges.records())
      await expectCredentials(st, id, key)
    })

    it('salesforce: nextRecordsUrl query locators, full sync', async () => {
      const sf = await fake({ style: 'salesforce', count: 350, pageSize: 100 })
      const id = await connect(sf)

      expect(await initialRun(id, 'accounts')).toMatchObject({ status: 'succeeded', mode: 'full', pages: 4, added: 350, attempts: 0 })
      const pages = sf.requests.filter((r) => r.object === 'account')
      expect(pages.map((r) => new URL(r.url).pathname.replace(/01gFAKE\d{8}AAA/, '<query>'))).toEqual([
        '/services/data/v60.0/query',
        '/services/data/v60.0/query/<query>-100',
        '/services/data/v60.0/query/<query>-200',
        '/services/data/v60.0/query/<query>-300',
      ])
      expect(param(pages[0]!, 'q')).toMatch(/FROM Account ORDER BY Id$/)
      await expectCredentials(sf, id)
      const feed = await readFeed(id, 'account')
      expectSameRecords(feed.records, sf.records(), bySalesforceId)

      sf.update('001000000000000042', { Name: 'Renamed' })
      sf.remove('001000000000000000')
      const added = sf.add({ Name: 'New account' })
      sf.resetLog()
      const run = await trigger(id, 'accounts')
      expect(run).toMatchObject({ status: 'succeeded', mode: 'full', pages: 4, added: 1, updated: 1, deleted: 1 })
      expectChanges((await readFeed(id, 'account', feed.cursor)).records, { updated: ['001000000000000042'], added: [bySalesforceId(added)], deleted: ['001000000000000000'] }, (aid) => sf.record(aid))
      await expectState(id, 'account', sf.records(), bySalesforceId)
      await expectCredentials(sf, id)
    })

    it('offset: offset/limit pages, incremental on updated_since; a full resync finds removals', async () => {
      const off = await fake({ style: 'offset', count: 450 })
      const id = await connect(off)

      expect(await initialRun(id, 'items')).toMatchObject({ status: 'succeeded', mode: 'full', pages: 5, added: 450, attempts: 0 })
      expect(off.requests.map((r) => [param(r, 'offset'), param(r, 'limit'), param(r, 'updated_since')])).toEqual(['0', '100', '200', '300', '400'].map((o) => [o, '100', null]))
      await expectCredentials(off, id)
      const feed = await readFeed(id, 'item')
      expectSameRecords(feed.records, off.records(), byId)
      const newest = off.record('item_00000449')!.updated_at

      off.update('item_00000007', { name: 'Renamed' })
      off.remove('item_00000011')
      const added = off.add({ name: 'New item' })
      off.resetLog()
      const run = await trigger(id, 'items')
      expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental', pages: 1, added: 1, updated: 1, deleted: 0 })
      expect(off.requests.map((r) => [param(r, 'offset'), param(r, 'updated_since')])).toEqual([['0', newest]])
      const changes = await readFeed(id, 'item', feed.cursor)
      expectChanges(changes.records, { updated: ['item_00000007'], added: [byId(added)] }, (iid) => off.record(iid))

      const resync = await trigger(id, 'items', true)
      expect(resync).toMatchObject({ status: 'succeeded', mode: 'full', pages: 5, added: 0, updated: 0, deleted: 1 })
      expectChanges((await readFeed(id, 'item', changes.cursor)).records, { deleted: ['item_00000011'] }, (iid) => off.record(iid))
      await expectState(id, 'item', off.records())
      await expectCredentials(off, id)
    })
  })

  describe('resilience', () => {
    it('a 429 storm with Retry-After is waited out: the run finishes with the exact records, no attempt counted', async () => {
      const off = await fake({ style: 'offset', count: 450 })
      const at = clock(off)
      const id = await connect(off, { autoStart: false })
      off.rateLimitStorm({ every: 3, retryAfterSeconds: 1 })
      const run = await trigger(id, 'items')
      expect(run).toMatchObject({ status: 'succeeded', mode: 'full', attempts: 0, error: null, pages: 5, added: 450 })
      // Requests 3 and 6 were refused; each was repeated unchanged, no sooner than Retry-After said.
      expect(off.requests.map((r) => r.status)).toEqual([200, 200, 429, 200, 200, 429, 200])
      off.requests.forEach((r, i) => {
        if (r.status !== 429) return
        const again = off.requests[i + 1]!
        expect(again.url).toBe(r.url)
        expect(at.get(again)! - at.get(r)!).toBeGreaterThanOrEqual(1000 - TIMER_SLACK_MS)
      })
      expect(off.requests.filter((r) => r.status === 200).map((r) => param(r, 'offset'))).toEqual(['0', '100', '200', '300', '400'])
      expectSameRecords((await readFeed(id, 'item')).records, off.records(), byId)
      await expectCredentials(off, id)
    })

    it('GitHub primary limit (403, x-ratelimit-remaining: 0) is waited out until x-ratelimit-reset, not a failure', async () => {
      const gh = await fake({ style: 'github', count: { repository: 250, issue: 0 } })
      const at = clock(gh)
      const id = await connect(gh, { autoStart: false })
      gh.rateLimitStorm({ every: 3, status: 403, kind: 'primary', retryAfterSeconds: 1 })
      const run = await trigger(id, 'repositories')
      expect(run).toMatchObject({ status: 'succeeded', attempts: 0, error: null, pages: 3, added: 250 })
      expect(gh.requests.map((r) => r.status)).toEqual([200, 200, 403, 200])
      const [limited, again] = [gh.requests[2]!, gh.requests[3]!]
      expect(again.url).toBe(limited.url)
      // The fake's reset is ceil(now / 1000) + 1, in epoch seconds: the repeat must not come before it.
      const reset = (Math.ceil(at.get(limited)! / 1000) + 1) * 1000
      expect(at.get(again)!).toBeGreaterThanOrEqual(reset - TIMER_SLACK_MS)
      expectSameRecords((await readFeed(id, 'repository')).records, gh.collection('repository').records(), byId)
      await expectCredentials(gh, id)
    })

    it('GitHub secondary limit (403 with retry-after) is waited out, not a failure', async () => {
      const gh = await fake({ style: 'github', count: { repository: 250, issue: 0 } })
      const at = clock(gh)
      const id = await connect(gh, { autoStart: false })
      gh.rateLimitStorm({ every: 3, status: 403, kind: 'secondary', retryAfterSeconds: 1 })
      const run = await trigger(id, 'repositories')
      expect(run).toMatchObject({ status: 'succeeded', attempts: 0, error: null, pages: 3, added: 250 })
      expect(gh.requests.map((r) => r.status)).toEqual([200, 200, 403, 200])
      const [limited, again] = [gh.requests[2]!, gh.requests[3]!]
      expect(again.url).toBe(limited.url)
      expect(at.get(again)! - at.get(limited)!).toBeGreaterThanOrEqual(1000 - TIMER_SLACK_MS)
    })

    it('an HTML page answered 200 is retried, not read as an empty last page that deletes everything', async () => {
      const hs = await fake({ style: 'hubspot', count: { contact: 250, company: 0 } })
      const id = await connect(hs)
      await initialRun(id, 'contacts')
      await initialRun(id, 'companies')
      const before = await readFeed(id, 'contact')
      let served = false
      hs.onPage((page) => {
        if (page !== 0 || served) return
        served = true
        return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<html><body>Down for maintenance</body></html>' }
      })
      hs.resetLog()
      const run = await trigger(id, 'contacts')
      // Retried (a maintenance page is transient), then the real pages: nothing changed, nothing deleted.
      expect(run).toMatchObject({ status: 'succeeded', mode: 'full', attempts: 1, pages: 3, added: 0, updated: 0, deleted: 0 })
      expect(hs.requests.map((r) => [r.pageIndex, r.status])).toEqual([[0, 200], [0, 200], [1, 200], [2, 200]])
      expect((await readFeed(id, 'contact', before.cursor)).records).toEqual([])
      await expectState(id, 'contact', hs.records())
    })

    it('a 200 JSON answer without the items (an error in disguise) is retried, not read as an empty page', async () => {
      const hs = await fake({ style: 'hubspot', count: { contact: 250, company: 0 } })
      const id = await connect(hs)
      await initialRun(id, 'contacts')
      await initialRun(id, 'companies')
      const before = await readFeed(id, 'contact')
      let served = false
      hs.onPage((page) => {
        if (page !== 0 || served) return
        served = true
        return { status: 200, headers: { 'content-type': 'application/json' }, body: { status: 'error', message: 'temporarily unavailable' } }
      })
      hs.resetLog()
      const run = await trigger(id, 'contacts')
      expect(run).toMatchObject({ status: 'succeeded', mode: 'full', attempts: 1, added: 0, updated: 0, deleted: 0 })
      expect((await readFeed(id, 'contact', before.cursor)).records).toEqual([])
      await expectState(id, 'contact', hs.records())
    })

    it('500s on a page are retried from the checkpoint and the run succeeds', async () => {
      const hs = await fake({ style: 'hubspot', count: { contact: 250, company: 0 } })
      const id = await connect(hs, { autoStart: false })
      let failures = 0
      hs.onPage((page) => (page === 1 && failures++ < 2 ? { status: 500 } : undefined))
      const run = await trigger(id, 'contacts')
      expect(run).toMatchObject({ status: 'succeeded', attempts: 2, error: null, pages: 3, added: 250 })
      // Page 0 is stored before the failures, so it is never fetched again.
      expect(hs.requests.map((r) => [r.pageIndex, r.status])).toEqual([[0, 200], [1, 500], [1, 500], [1, 200], [2, 200]])
      expectSameRecords((await readFeed(id, 'contact')).records, hs.records(), byId)
      await expectCredentials(hs, id)
    })

    it('malformed JSON is retried, then the run succeeds', async () => {
      const st = await fake({ style: 'stripe', count: { customer: 250 } })
      const id = await connect(st, { autoStart: false })
      let served = false
      st.onPage((page) => {
        if (page !== 1 || served) return
        served = true
        return { status: 200, body: '{"object": "list", "has_more": true, "data": [{"id": "cus_' }
      })
      const run = await trigger(id, 'customers')
      expect(run).toMatchObject({ status: 'succeeded', attempts: 1, error: null, pages: 3, added: 250 })
      expect(st.requests.map((r) => r.pageIndex)).toEqual([0, 1, 1, 2])
      expectSameRecords((await readFeed(id, 'customer')).records, st.records(), byId)
      await expectCredentials(st, id)
    })

    it('a page that does not answer within providerTimeoutMs is asked again', async () => {
      const sf = await fake({ style: 'salesforce', count: 350, pageSize: 100 })
      const at = clock(sf)
      const id = await connect(sf, { autoStart: false })
      let held = false
      sf.onPage(async (page) => {
        if (page !== 1 || held) return
        held = true
        await sleep(PROVIDER_TIMEOUT_MS * 3)
      })
      const run = await trigger(id, 'accounts')
      expect(run).toMatchObject({ status: 'succeeded', error: null, pages: 4, added: 350 })
      expect(sf.requests.map((r) => r.pageIndex)).toEqual([0, 1, 1, 2, 3])
      const [first, again] = [sf.requests[1]!, sf.requests[2]!]
      expect(again.url).toBe(first.url)
      expect(at.get(again)! - at.get(first)!).toBeGreaterThanOrEqual(PROVIDER_TIMEOUT_MS - TIMER_SLACK_MS)
      expectSameRecords((await readFeed(id, 'account')).records, sf.records(), bySalesforceId)
    })

    it('persistent 500s fail the run with upstream_error after maxAttempts, and a failed full run deletes nothing', async () => {
      const gh = await fake({ style: 'github', count: { repository: 250, issue: 0 } })
      const id = await connect(gh)
      await initialRun(id, 'repositories')
      await initialRun(id, 'issues')
      const before = await readFeed(id, 'repository')
      gh.failFromPage(1)
      gh.resetLog()
      const run = await trigger(id, 'repositories')
      expect(run).toMatchObject({ status: 'failed', mode: 'full', attempts: 3, pages: 1, error: { code: 'upstream_error', message: expect.stringContaining('HTTP 500') } })
      // One request per attempt (500 is not in the connector's in-call retry list), resumed at page 1.
      expect(gh.requests.map((r) => [r.pageIndex, r.status])).toEqual([[0, 200], [1, 500], [1, 500], [1, 500]])
      expect((await readFeed(id, 'repository', before.cursor)).records).toEqual([])
    })

    it('persistent malformed JSON fails the run with upstream_invalid_response after maxAttempts', async () => {
      const off = await fake({ style: 'offset', count: 450 })
      const id = await connect(off, { autoStart: false })
      off.malformedNext(10)
      const run = await trigger(id, 'items')
      expect(run).toMatchObject({ status: 'failed', attempts: 3, pages: 0, error: { code: 'upstream_invalid_response', message: expect.stringContaining('not valid JSON') } })
      expect(off.requests.map((r) => param(r, 'offset'))).toEqual(['0', '0', '0'])
      expect((await readFeed(id, 'item')).records).toEqual([])
    })

    it('a 401 on an OAuth connection without a refresh token fails the run reauth_required and marks the connection needs_reauth', async () => {
      let revoked = false
      const hs = await fake({ style: 'hubspot', count: { contact: 250, company: 5 }, rejectToken: (credential) => revoked && credential === TOKEN })
      const id = await connect(hs)
      await initialRun(id, 'contacts')
      await initialRun(id, 'companies')
      const before = await readFeed(id, 'contact')
      revoked = true
      hs.resetLog()
      const run = await trigger(id, 'contacts')
      expect(run).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'reauth_required' } })
      // Neither retried nor refreshed: one request, answered 401.
      expect(hs.requests.map((r) => [new URL(r.url).pathname, param(r, 'after'), r.status, r.credential])).toEqual([['/crm/v3/objects/contacts', null, 401, TOKEN]])
      expect(await json<{ status: string }>(t.call('GET', `/v1/connections/${id}`))).toMatchObject({ status: 'needs_reauth' })
      const again = await t.call('POST', `/v1/connections/${id}/syncs/contacts/trigger`, { body: {} })
      expect(again.status).toBe(409)
      expect(await again.json()).toMatchObject({ code: 'reauth_required' })
      expect((await readFeed(id, 'contact', before.cursor)).records).toEqual([])
    })

    it('a response whose items are not an array fails the run at once, without retries', async () => {
      const gh = await fake({ style: 'github', count: { repository: 250, issue: 0 } })
      const id = await connect(gh, { autoStart: false })
      gh.onPage((page) => (page === 1 ? { status: 200, body: { message: 'Moved', items: [] } } : undefined))
      const run = await trigger(id, 'repositories')
      expect(run).toMatchObject({ status: 'failed', attempts: 1, pages: 1, error: { code: 'upstream_invalid_response', message: expect.stringContaining('does not match the connector') } })
      expect(gh.requests.map((r) => r.pageIndex)).toEqual([0, 1])
    })

    it('a credential in the query string goes on every page and is stripped from the stored next-page URL', async () => {
      const secret = 'query-secret-123'
      const gh = await fake({ style: 'github', count: { repository: 250, issue: 0 }, requireAuth: false })
      const id = await connect(gh, { connectorId: queryKeyConnector.id, credentials: { type: 'api_key', values: { apiKey: secret } }, autoStart: false })
      // While page index 2 is being fetched, the stored checkpoint holds the URL of page 2 or 3 (the
      // store of page index 1 may still be running), taken from a Link header that echoes the token.
      let midRun: string[] = []
      gh.onPage(async (page) => {
        if (page === 2) midRun = await checkpoints(id)
      })
      const run = await trigger(id, 'repositories')
      expect(run).toMatchObject({ status: 'succeeded', pages: 3, added: 250 })
      expect(gh.requests.map((r) => [param(r, 'page'), param(r, 'access_token')])).toEqual([[null, secret], ['2', secret], ['3', secret]])
      expect(midRun).toHaveLength(1)
      const { nextUrl } = JSON.parse(midRun[0]!) as { nextUrl: string }
      expect(['2', '3']).toContain(new URL(nextUrl).searchParams.get('page'))
      expect(midRun[0]).not.toContain(secret)
      for (const cp of await checkpoints(id)) expect(cp).not.toContain(secret)
      expectSameRecords((await readFeed(id, 'repository')).records, gh.collection('repository').records(), byId)
    })
  })
})
