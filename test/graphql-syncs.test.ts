/**
 * POST lists end to end, through the job queue and the real sync engine, on PGlite and PostgreSQL:
 *
 * - Linear (GraphQL): a fake `POST /graphql` on 127.0.0.1 serving `issues` as a Relay connection
 *   (`first`/`after`, `pageInfo { hasNextPage endCursor }`, https://linear.app/developers/pagination)
 *   and the `filter: { updatedAt: { gt } }` of incremental runs (https://linear.app/developers/filtering);
 *   an HTTP 200 with `errors` fails the run (https://spec.graphql.org/October2021/#sec-Errors); the
 *   `createIssue` action sends the `issueCreate` mutation; the account label comes from `viewer`.
 * - A REST search list that is a POST with the cursor in the JSON body, shaped like HubSpot's CRM
 *   search (https://developers.hubspot.com/docs/api/crm/search: `{ filterGroups, sorts, properties,
 *   limit, after }` → `{ total, results, paging: { next: { after } } }`); the HubSpot connector
 *   itself is not changed, a test connector declares the search.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sql } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import linear, { ISSUE_CREATE_MUTATION, ISSUES_QUERY, VIEWER_QUERY } from '../connectors/linear/index'
import { getConnector, registerConnector } from '../connectors/registry'
import { defineConnector } from '../connectors/schema'
import { upsertEndUser } from '../server/src/db/queries/end-users'
import { rowsOf } from '../server/src/db/queries/records'
import { newId } from '../server/src/lib/ids'
import { runAction } from '../server/src/services/actions'
import { fetchAccountLabel, saveConnection } from '../server/src/services/connections'
import { createIntegration } from '../server/src/services/integrations'
import { createTestApp, testConfig, testDatabases, type TestApp } from '../server/src/testing'
import { triggerRun } from './helpers/sync-runs'

const TOKEN = 'lin-token-1'

interface Seen {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: { query?: string; variables?: Record<string, unknown>; [k: string]: unknown }
}
type Answer = { status?: number; body: unknown; headers?: Record<string, string> }

/** A JSON-over-POST fake on 127.0.0.1 that logs every request and answers with `handle`. */
async function startFake(handle: (req: Seen, index: number) => Answer) {
  const requests: Seen[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const seen: Seen = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: text ? (JSON.parse(text) as Seen['body']) : {} }
      requests.push(seen)
      const answer = handle(seen, requests.length - 1)
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers })
      res.end(JSON.stringify(answer.body))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}
type Fake = Awaited<ReturnType<typeof startFake>>

/** Linear-shaped issues, created an hour apart from 2026-01-01 (well before any run). */
function makeIssues(count: number) {
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString()
  return Array.from({ length: count }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
    identifier: `ENG-${i + 1}`,
    title: `Issue ${i + 1}`,
    description: null,
    priority: i % 5,
    url: `https://linear.app/acme/issue/ENG-${i + 1}`,
    createdAt: at(i),
    updatedAt: at(i),
    state: { id: 's1', name: 'Backlog', type: 'backlog' },
    assignee: null,
    team: { id: 't1', key: 'ENG', name: 'Engineering' },
    project: null,
  }))
}
type Issue = ReturnType<typeof makeIssues>[number]

/**
 * Answers the Issues query as Linear documents it: `first` nodes after the node whose id is the
 * cursor (ids as cursors), oldest first, `filter.updatedAt.gt` applied.
 */
function issuesPage(all: Issue[], variables: Record<string, unknown> = {}): Answer {
  const gt = (variables.filter as { updatedAt?: { gt?: string } } | undefined)?.updatedAt?.gt
  const matching = gt ? all.filter((i) => i.updatedAt > gt) : all
  const start = typeof variables.after === 'string' ? matching.findIndex((i) => i.id === variables.after) + 1 : 0
  const first = typeof variables.first === 'number' ? variables.first : 50
  const nodes = matching.slice(start, start + first)
  return {
    body: { data: { issues: { nodes, pageInfo: { hasNextPage: start + first < matching.length, endCursor: nodes.at(-1)?.id ?? null } } } },
    headers: { 'X-RateLimit-Requests-Limit': '5000', 'X-RateLimit-Requests-Remaining': '4999', 'X-RateLimit-Requests-Reset': String(Date.now() + 3_600_000) },
  }
}

/** A REST search that is a POST, shaped like HubSpot's CRM search (see the module comment). */
const searchConnector = defineConnector({
  id: 'test-crm-search',
  name: 'Test CRM search (fake)',
  description: 'A HubSpot-like POST search list, for sync tests.',
  categories: ['crm'],
  logo: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#6b7280"/></svg>',
  docsUrl: 'https://developers.hubspot.com/docs/api/crm/search',
  auth: { type: 'api_key', inject: { headers: { Authorization: 'Bearer {apiKey}' } }, verify: { path: '/me' } },
  http: { baseUrl: 'https://api.example.invalid' },
  objects: {
    contact: {
      path: '/crm/v3/objects/contacts/search',
      body: { sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }], properties: ['email', 'lastmodifieddate'] },
      pagination: { type: 'cursor', cursorParam: 'after', cursorPath: 'paging.next.after', itemsPath: 'results', limitParam: 'limit', limit: 100 },
      fields: { id: { type: 'string', key: true }, email: { type: 'string', from: 'properties.email' }, updatedAt: { type: 'datetime' } },
    },
  },
  syncs: {
    contacts: { object: 'contact', mode: 'incremental', cursorField: 'updatedAt', updatedSince: { name: 'filterGroups', value: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GT', value: '{cursor}' }] }] } },
  },
})

describe.each(testDatabases())('POST and GraphQL lists on $name', (target) => {
  let t: TestApp
  let endUserId: string
  let integrations = 0
  const fakes: Fake[] = []

  async function fake(handle: (req: Seen, index: number) => Answer): Promise<Fake> {
    const f = await startFake(handle)
    fakes.push(f)
    return f
  }

  async function connect(f: Fake, connectorId: string) {
    const oauth = getConnector(connectorId)!.auth.type === 'oauth2'
    const integration = await createIntegration(t.ctx, t.tenant.environmentId, {
      key: `int-${++integrations}`,
      connectorId,
      ...(oauth ? { clientId: 'client', clientSecret: 'secret' } : {}),
      overrides: { baseUrl: f.url },
      allowMultipleConnections: true,
      syncSettings: { autoStart: false },
    })
    const credentials = oauth ? ({ type: 'oauth2', accessToken: TOKEN } as const) : ({ type: 'api_key', values: { apiKey: TOKEN } } as const)
    const id = await saveConnection(t.ctx, { environmentId: t.tenant.environmentId, integration, endUserId, credentials, scopes: [], connectionConfig: {} })
    return { id, integration }
  }

  const trigger = (connectionId: string, sync: string) => triggerRun(t, connectionId, sync)

  async function feed(connectionId: string, model: string, cursor?: string) {
    const records: { id: string; action: string; data: Record<string, unknown> }[] = []
    for (;;) {
      const q = new URLSearchParams({ connectionId, model, limit: '200', ...(cursor ? { cursor } : {}) })
      const page = (await (await t.call('GET', `/v1/records?${q}`)).json()) as { data: typeof records; nextCursor: string; hasMore: boolean }
      records.push(...page.data)
      cursor = page.nextCursor
      if (!page.hasMore) return { records, cursor }
    }
  }

  async function checkpoints(connectionId: string): Promise<string[]> {
    return rowsOf<{ cp: string }>(await t.ctx.db.execute(sql`select checkpoint::text as cp from sync_runs where connection_id = ${connectionId}`)).map((r) => r.cp)
  }

  beforeAll(async () => {
    if (!getConnector(searchConnector.id)) registerConnector(searchConnector)
    const config = testConfig()
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

  it('linear issues: pages to the end with first/after, then an incremental run filters on updatedAt', async () => {
    const issues = makeIssues(120)
    const f = await fake((req) => issuesPage(issues, req.body.variables))
    const { id } = await connect(f, 'linear')

    const run = await trigger(id, 'issues')
    expect(run).toMatchObject({ status: 'succeeded', mode: 'full', pages: 3, added: 120, error: null })
    // Every page: POST /graphql, the bearer token, the Issues query; `after` is the previous page's endCursor.
    expect(f.requests.map((r) => [r.method, r.path, r.headers.authorization, r.headers['content-type'], r.body.query === ISSUES_QUERY])).toEqual(Array(3).fill(['POST', '/graphql', `Bearer ${TOKEN}`, 'application/json', true]))
    expect(f.requests.map((r) => r.body.variables)).toEqual([{ first: 50 }, { first: 50, after: issues[49]!.id }, { first: 50, after: issues[99]!.id }])
    const first = await feed(id, 'issue')
    expect(first.records.map((r) => r.id).sort()).toEqual(issues.map((i) => i.id).sort())
    expect(first.records.find((r) => r.id === issues[7]!.id)?.data).toEqual(issues[7])
    for (const cp of await checkpoints(id)) expect(cp).not.toContain(TOKEN)

    // Changes at Linear: two issues updated now, one created.
    const now = new Date().toISOString()
    issues[3] = { ...issues[3]!, title: 'Renamed', updatedAt: now }
    issues[60] = { ...issues[60]!, state: { id: 's2', name: 'Done', type: 'completed' }, updatedAt: now }
    issues.push({ ...makeIssues(121)[120]!, createdAt: now, updatedAt: now })
    f.requests.length = 0
    const again = await trigger(id, 'issues')
    expect(again).toMatchObject({ status: 'succeeded', mode: 'incremental', pages: 1, added: 1, updated: 2 })
    // The newest updatedAt of the first run (issue 120's), as `filter.updatedAt.gt`.
    expect(f.requests.map((r) => r.body.variables)).toEqual([{ first: 50, filter: { updatedAt: { gt: issues[119]!.updatedAt } } }])
    const changes = await feed(id, 'issue', first.cursor)
    expect(changes.records.map((r) => [r.id, r.action]).sort()).toEqual([[issues[3]!.id, 'updated'], [issues[60]!.id, 'updated'], [issues[120]!.id, 'added']].sort())
  })

  it('linear: an HTTP 200 with a GraphQL errors array fails the run at once, not read as an empty page', async () => {
    const issues = makeIssues(120)
    const f = await fake((req, index) => (index === 1 ? { body: { data: null, errors: [{ message: 'Query too complex', extensions: { code: 'QUERY_TOO_COMPLEX' } }] } } : issuesPage(issues, req.body.variables)))
    const { id } = await connect(f, 'linear')
    const run = await trigger(id, 'issues')
    expect(run).toMatchObject({ status: 'failed', attempts: 1, pages: 1, error: { code: 'upstream_error', message: expect.stringContaining('GraphQL error: Query too complex') } })
    expect(f.requests).toHaveLength(2)
    // Partial data does not save a page either.
    const partial = await fake((req) => ({ body: { ...(issuesPage(issues, req.body.variables).body as object), errors: [{ message: 'Cannot return null for non-nullable field' }] } }))
    const other = await connect(partial, 'linear')
    expect(await trigger(other.id, 'issues')).toMatchObject({ status: 'failed', pages: 0, added: 0, error: { code: 'upstream_error' } })
    expect((await feed(other.id, 'issue')).records).toEqual([])
    // hasNextPage without an endCursor: the answer does not match the connector; failed, not looped or retried.
    const cursorless = await fake(() => ({ body: { data: { issues: { nodes: issues.slice(0, 2), pageInfo: { hasNextPage: true, endCursor: null } } } } }))
    const third = await connect(cursorless, 'linear')
    expect(await trigger(third.id, 'issues')).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'upstream_invalid_response', message: expect.stringContaining('endCursor') } })
    expect(cursorless.requests).toHaveLength(1)
  })

  it('linear createIssue: sends the issueCreate mutation with the input as $input; GraphQL errors fail the run', async () => {
    let fail = false
    const f = await fake(() =>
      fail
        ? { body: { data: null, errors: [{ message: 'Argument Validation Error', extensions: { code: 'INVALID_INPUT' } }] } }
        : { body: { data: { issueCreate: { success: true, issue: { id: 'i-1', identifier: 'ENG-121', title: 'New exception', url: 'https://linear.app/acme/issue/ENG-121' } } } } },
    )
    const { id } = await connect(f, 'linear')
    const input = { teamId: 't1', title: 'New exception', description: 'From the app', priority: 2 }
    const ok = await runAction(t.ctx, t.tenant.environmentId, { connectionId: id, action: 'createIssue', input })
    expect(ok.run).toMatchObject({ status: 'succeeded', providerStatus: 200, output: { data: { issueCreate: { success: true } } } })
    expect(f.requests).toHaveLength(1)
    expect(f.requests[0]).toMatchObject({ method: 'POST', path: '/graphql', body: { query: ISSUE_CREATE_MUTATION, variables: { input } } })
    expect(f.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`)
    fail = true
    const refused = await runAction(t.ctx, t.tenant.environmentId, { connectionId: id, action: 'createIssue', input })
    expect(refused.run).toMatchObject({ status: 'failed', providerStatus: 200, output: { errors: [{ message: 'Argument Validation Error' }] } })
  })

  it('linear account label: the viewer query, POSTed', async () => {
    const f = await fake(() => ({ body: { data: { viewer: { id: 'u', name: 'Ada Lovelace', email: 'ada@example.com' }, organization: { name: 'Acme', urlKey: 'acme' } } } }))
    const { integration } = await connect(f, 'linear')
    expect(await fetchAccountLabel(t.ctx, integration, { type: 'oauth2', accessToken: TOKEN }, {})).toBe('ada@example.com (Acme)')
    expect(f.requests.map((r) => [r.method, r.path, r.headers.authorization, r.body])).toEqual([['POST', '/graphql', `Bearer ${TOKEN}`, { query: VIEWER_QUERY }]])
  })

  it('a REST search that is a POST: the cursor and page size travel in the JSON body; incremental runs add the filter', async () => {
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString()
    const contacts = Array.from({ length: 250 }, (_, i) => ({ id: String(i + 1), properties: { email: `c${i + 1}@example.com` }, createdAt: at(i), updatedAt: at(i), archived: false }))
    const f = await fake((req) => {
      const after = Number(req.body.after ?? 0)
      const limit = Number(req.body.limit)
      const gt = (req.body.filterGroups as { filters: { value: string }[] }[] | undefined)?.[0]?.filters[0]?.value
      const matching = gt ? contacts.filter((c) => c.updatedAt > gt) : contacts
      const results = matching.slice(after, after + limit)
      return { body: { total: matching.length, results, ...(after + limit < matching.length ? { paging: { next: { after: String(after + limit) } } } : {}) } }
    })
    const { id } = await connect(f, searchConnector.id)
    const run = await trigger(id, 'contacts')
    expect(run).toMatchObject({ status: 'succeeded', mode: 'full', pages: 3, added: 250 })
    const declared = { sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }], properties: ['email', 'lastmodifieddate'], limit: 100 }
    expect(f.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/crm/v3/objects/contacts/search', declared],
      ['POST', '/crm/v3/objects/contacts/search', { ...declared, after: '100' }],
      ['POST', '/crm/v3/objects/contacts/search', { ...declared, after: '200' }],
    ])
    expect((await feed(id, 'contact')).records).toHaveLength(250)

    f.requests.length = 0
    contacts[9] = { ...contacts[9]!, properties: { email: 'new@example.com' }, updatedAt: new Date().toISOString() }
    expect(await trigger(id, 'contacts')).toMatchObject({ status: 'succeeded', mode: 'incremental', pages: 1, added: 0, updated: 1 })
    expect(f.requests.map((r) => r.body)).toEqual([{ ...declared, filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GT', value: at(249) }] }] }])
  })
})

// The Linear connector is registered (connectors/registry.ts), so the tests above use it by id.
it('linear is a registered connector', () => {
  expect(getConnector('linear')).toBe(linear)
})
