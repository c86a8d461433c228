/**
 * Connector actions end to end against the bundled Demo CRM (`create_contact` → `POST /contacts`,
 * which honours `Idempotency-Key`) and a test connector whose actions hit the provider's `/echo`:
 * success, idempotent replays, key reuse, validation, provider refusals, retries, 401 → needs_reauth,
 * concurrency, takeover of an abandoned run, and the run log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { demoCrmAccountLabel } from '../connectors/demo-crm/common'
import { registerConnector } from '../connectors/registry'
import { defineConnector } from '../connectors/schema'
import { findActionRun, finishActionRun, insertActionRun, reclaimActionRun } from '../server/src/db/queries/actions'
import { startDemoProvider, type DemoProvider } from '../server/src/demo/provider/index'
import { parseIdempotencyKey } from '../server/src/routes/actions'
import { actionInputHash, providerIdempotencyKey, runAction } from '../server/src/services/actions'
import { createTestApp, testDatabases, type TestApp } from '../server/src/testing'

/** Actions against the demo provider's `/echo`, which answers with the request it got (method, headers, body). */
registerConnector(
  defineConnector({
    id: 'test-actions-echo',
    name: 'Echo (actions test)',
    description: 'Actions that echo the request.',
    categories: ['other'],
    logo: '<svg xmlns="http://www.w3.org/2000/svg"/>',
    docsUrl: 'https://example.com/docs',
    auth: { type: 'api_key', inject: { headers: { 'X-Api-Key': '{apiKey}' } }, verify: { path: '/me' } },
    http: { baseUrl: 'http://127.0.0.1:4010/api/v1' },
    hooks: { accountLabel: demoCrmAccountLabel },
    actions: {
      post_echo: { description: 'POST /echo', method: 'POST', path: '/echo', input: z.strictObject({ n: z.number(), when: z.coerce.date().optional(), note: z.string().max(100).optional() }) },
      put_echo: { description: 'PUT /echo', method: 'PUT', path: '/echo', input: z.strictObject({ n: z.number() }) },
    },
  }),
)

interface Run {
  id: string
  connectionId: string
  action: string
  status: string
  idempotencyKey: string | null
  providerStatus: number | null
  output: unknown
  errorCode: string | null
  errorMessage: string | null
  createdAt: string
  finishedAt: string | null
  replayed?: boolean
}
interface Problem {
  code: string
  status: number
  errors?: { path: string; message: string }[]
  actionRunId?: string
  providerStatus?: number
  output?: unknown
  replayed?: boolean
}
interface Contact {
  id: string
  email: string
  first_name?: string
}

describe('parseIdempotencyKey', () => {
  it('takes a bare value or a Structured Field string (RFC 8941 §3.3.3)', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined()
    expect(parseIdempotencyKey('abc')).toBe('abc')
    expect(parseIdempotencyKey('"abc"')).toBe('abc')
    expect(parseIdempotencyKey('"a\\"b\\\\c"')).toBe('a"b\\c')
    expect(parseIdempotencyKey('""')).toBeUndefined()
    expect(parseIdempotencyKey('"abc')).toBe('"abc')
  })
})

describe.each(testDatabases())('actions on $name', (target) => {
  let t: TestApp
  let provider: DemoProvider
  let token: string
  let keyIndex = 0
  const apiKeys = Array.from({ length: 32 }, (_, i) => `actions-key-${i + 1}-3f9a0c`)

  /** Connects a fresh provider account (its own API key, so its own contacts). */
  async function connect(integration = 'crm'): Promise<{ id: string; apiKey: string }> {
    const apiKey = apiKeys[keyIndex++]!
    const r = await t.call('POST', '/v1/embed/connections', { token, body: { integration, credentials: { apiKey } } })
    expect(r.status, await r.clone().text()).toBe(201)
    return { id: ((await r.json()) as { id: string }).id, apiKey }
  }

  const run = (name: string, body: unknown, key?: string) => t.call('POST', `/v1/actions/${encodeURIComponent(name)}`, { body, headers: key === undefined ? {} : { 'idempotency-key': key } })

  async function ok(res: Response | Promise<Response>): Promise<Run> {
    const r = await res
    const text = await r.text()
    expect(r.status, text).toBe(200)
    return JSON.parse(text) as Run
  }
  async function problem(res: Response | Promise<Response>, status: number, code: string): Promise<Problem> {
    const r = await res
    const text = await r.text()
    expect(r.status, text).toBe(status)
    expect(r.headers.get('content-type')).toContain('application/problem+json')
    const p = JSON.parse(text) as Problem
    expect(p.code).toBe(code)
    return p
  }
  async function contacts(connectionId: string): Promise<Contact[]> {
    const r = await t.call('GET', `/v1/proxy/${connectionId}/contacts?limit=100`)
    expect(r.status).toBe(200)
    return ((await r.json()) as { data: Contact[] }).data
  }
  async function runsOf(connectionId: string): Promise<Run[]> {
    const r = await t.call('GET', `/v1/action-runs?connectionId=${connectionId}&limit=200`)
    expect(r.status).toBe(200)
    return ((await r.json()) as { data: Run[] }).data
  }

  beforeAll(async () => {
    t = await createTestApp(target)
    provider = await startDemoProvider({ clients: [{ clientId: 'unused', clientSecret: 'unused-secret', redirectUris: [] }], apiKeys, contactsPerAccount: 0 })
    // No initial syncs: their provider requests would disturb the counts below.
    for (const [key, connectorId] of [
      ['crm', 'demo-crm-api-key'],
      ['echo', 'test-actions-echo'],
    ]) {
      const r = await t.call('POST', '/v1/integrations', { body: { key, connectorId, allowMultipleConnections: true, syncSettings: { autoStart: false }, overrides: { baseUrl: provider.apiBaseUrl } } })
      expect(r.status, await r.clone().text()).toBe(201)
    }
    token = ((await (await t.call('POST', '/v1/connect-sessions', { body: { endUser: { id: 'actions-user' } } })).json()) as { token: string }).token
  })
  afterAll(async () => {
    await provider?.close()
    await t?.close()
  })

  it('creates a contact at the provider and records the run', async () => {
    const { id } = await connect()
    const before = provider.stats.apiRequests
    const r = await ok(run('create_contact', { connectionId: id, input: { email: 'ada@example.com', first_name: 'Ada' } }))
    expect(r).toMatchObject({ connectionId: id, action: 'create_contact', status: 'succeeded', providerStatus: 201, idempotencyKey: null, errorCode: null, replayed: false })
    expect(r.id).toMatch(/^act_/)
    expect(r.finishedAt).toEqual(expect.any(String))
    const created = r.output as Contact
    expect(created).toMatchObject({ email: 'ada@example.com', first_name: 'Ada' })
    expect(provider.stats.apiRequests - before).toBe(1)

    const at = await t.call('GET', `/v1/proxy/${id}/contacts/${created.id}`)
    expect(at.status).toBe(200)
    expect(await at.json()).toMatchObject({ id: created.id, email: 'ada@example.com' })

    const { replayed, ...stored } = r
    expect(replayed).toBe(false)
    expect(await ok(t.call('GET', `/v1/action-runs/${r.id}`))).toEqual(stored)
    expect(await runsOf(id)).toEqual([stored])
  })

  it('replays the stored result for a repeated Idempotency-Key without calling the provider again', async () => {
    const { id } = await connect()
    const body = { connectionId: id, input: { email: 'grace@example.com', last_name: 'Hopper' } }
    const before = provider.stats.apiRequests
    const first = await ok(run('create_contact', body, 'order-42'))
    expect(first).toMatchObject({ status: 'succeeded', idempotencyKey: 'order-42', replayed: false })
    // The same content in another key order is the same input.
    const again = await t.call('POST', '/v1/actions/create_contact', { body: { input: { last_name: 'Hopper', email: 'grace@example.com' }, connectionId: id }, headers: { 'idempotency-key': 'order-42' } })
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    const second = await ok(again)
    expect(second).toEqual({ ...first, replayed: true })
    // A Structured Field string is the same key.
    expect(await ok(run('create_contact', body, '"order-42"'))).toMatchObject({ id: first.id, replayed: true })
    expect(provider.stats.apiRequests - before).toBe(1)
    expect(await contacts(id)).toHaveLength(1)
    expect(await runsOf(id)).toHaveLength(1)
  })

  it('refuses a key reused with a different input (422), before calling the provider', async () => {
    const { id } = await connect()
    const first = await ok(run('create_contact', { connectionId: id, input: { email: 'a@example.com' } }, 'k-reuse'))
    const before = provider.stats.apiRequests
    const p = await problem(run('create_contact', { connectionId: id, input: { email: 'b@example.com' } }, 'k-reuse'), 422, 'idempotency_key_reused')
    expect(p.actionRunId).toBe(first.id)
    expect(provider.stats.apiRequests).toBe(before)
    expect((await contacts(id)).map((c) => c.email)).toEqual(['a@example.com'])
    // The key is scoped to the connection: another connection may use it.
    const other = await connect()
    expect(await ok(run('create_contact', { connectionId: other.id, input: { email: 'b@example.com' } }, 'k-reuse'))).toMatchObject({ status: 'succeeded', replayed: false })
  })

  it('refuses invalid input with the field paths, before recording or calling anything', async () => {
    const { id } = await connect()
    const before = provider.stats.apiRequests
    const p = await problem(run('create_contact', { connectionId: id, input: { email: 'not-an-email', phone: 12, nickname: 'x' } }), 400, 'invalid_request')
    const paths = p.errors!.map((e) => e.path).sort()
    expect(paths).toEqual(['input.email', 'input.nickname', 'input.phone'])
    expect((await problem(run('create_contact', { connectionId: id }), 400, 'invalid_request')).errors).toEqual([{ path: 'input', message: expect.any(String) }])
    expect((await problem(run('create_contact', { connectionId: id, input: {} }), 400, 'invalid_request')).errors!.map((e) => e.path)).toEqual(['input.email'])
    // The request body itself: strict, and the header is bounded.
    expect((await problem(run('create_contact', { connectionId: id, input: { email: 'a@example.com' }, extra: 1 }), 400, 'invalid_request')).errors).toEqual([{ path: '', message: expect.stringContaining('extra') }])
    expect((await problem(run('create_contact', { connectionId: id, input: { email: 'a@example.com' } }, 'k'.repeat(256)), 400, 'invalid_request')).errors!.map((e) => e.path)).toContain('idempotency-key')
    expect(provider.stats.apiRequests).toBe(before)
    expect(await runsOf(id)).toEqual([])
  })

  it('answers 404 for an unknown action or connection', async () => {
    const { id } = await connect()
    const before = provider.stats.apiRequests
    expect((await problem(run('delete_everything', { connectionId: id, input: {} }), 404, 'not_found')).status).toBe(404)
    // Names of Object.prototype are not actions.
    await problem(run('constructor', { connectionId: id, input: {} }), 404, 'not_found')
    await problem(run('create_contact', { connectionId: 'conn_doesnotexist', input: { email: 'a@example.com' } }), 404, 'not_found')
    // Another tenant's connection does not exist for this one.
    const other = await t.newTenant('Other vendor')
    const foreign = await t.call('POST', '/v1/actions/create_contact', { token: other.secretKey, body: { connectionId: id, input: { email: 'a@example.com' } } })
    expect(foreign.status).toBe(404)
    const mine = await ok(run('create_contact', { connectionId: id, input: { email: 'mine@example.com' } }))
    expect((await t.call('GET', `/v1/action-runs/${mine.id}`, { token: other.secretKey })).status).toBe(404)
    expect(((await (await t.call('GET', '/v1/action-runs', { token: other.secretKey })).json()) as { data: Run[] }).data).toEqual([])
    await problem(t.call('GET', '/v1/action-runs/act_doesnotexist'), 404, 'not_found')
    expect(provider.stats.apiRequests - before).toBe(1)
  })

  it("answers a provider refusal with 502 action_failed carrying the provider's status and body", async () => {
    const { id } = await connect()
    const p = await problem(run('create_contact', { connectionId: id, input: { email: 'a@example.com', company_id: 'co_nope' } }, 'k-422'), 502, 'action_failed')
    expect(p).toMatchObject({ status: 502, providerStatus: 422, replayed: false, output: { error: 'validation_failed', errors: [{ path: 'company_id', code: 'unknown_company' }] } })
    expect(p.actionRunId).toMatch(/^act_/)
    const stored = await ok(t.call('GET', `/v1/action-runs/${p.actionRunId}`))
    expect(stored).toMatchObject({ status: 'failed', providerStatus: 422, errorCode: null, output: p.output })
    expect(await contacts(id)).toEqual([])
    // A final answer is replayed too, without calling the provider.
    const before = provider.stats.apiRequests
    expect(await problem(run('create_contact', { connectionId: id, input: { email: 'a@example.com', company_id: 'co_nope' } }, 'k-422'), 502, 'action_failed')).toMatchObject({ actionRunId: p.actionRunId, providerStatus: 422, replayed: true })
    expect(provider.stats.apiRequests).toBe(before)
    expect((await runsOf(id)).map((r) => r.status)).toEqual(['failed'])
  })

  it('retries a 429 (honouring Retry-After) and succeeds', async () => {
    const { id } = await connect()
    const before = provider.stats.apiRequests
    provider.failNext(1, 429, { 'retry-after': '0' })
    const r = await ok(run('create_contact', { connectionId: id, input: { email: 'rl@example.com' } }))
    expect(r).toMatchObject({ status: 'succeeded', providerStatus: 201 })
    expect(provider.stats.apiRequests - before).toBe(2)
    expect(await contacts(id)).toHaveLength(1)
  })

  it('retries a 503 only when repeating is harmless: with a key or for PUT, not for a bare POST', async () => {
    const { id } = await connect('echo')
    let before = provider.stats.apiRequests
    provider.failNext(1, 503)
    const bare = await problem(run('post_echo', { connectionId: id, input: { n: 1 } }), 502, 'action_failed')
    expect(bare).toMatchObject({ providerStatus: 503, output: { error: 'injected_failure' } })
    expect(provider.stats.apiRequests - before).toBe(1)

    before = provider.stats.apiRequests
    provider.failNext(1, 503)
    expect(await ok(run('put_echo', { connectionId: id, input: { n: 2 } }))).toMatchObject({ status: 'succeeded', providerStatus: 200 })
    expect(provider.stats.apiRequests - before).toBe(2)

    before = provider.stats.apiRequests
    provider.failNext(1, 503)
    expect(await ok(run('post_echo', { connectionId: id, input: { n: 3 } }, 'k-503'))).toMatchObject({ status: 'succeeded', providerStatus: 200 })
    expect(provider.stats.apiRequests - before).toBe(2)
  })

  it('runs a key again after a transient failure, as the same run', async () => {
    const { id } = await connect()
    provider.failNext(3, 503) // every attempt of the first request (3 with the default retry policy)
    const p = await problem(run('create_contact', { connectionId: id, input: { email: 'later@example.com' } }, 'k-transient'), 502, 'action_failed')
    expect(p).toMatchObject({ providerStatus: 503, replayed: false })
    const r = await ok(run('create_contact', { connectionId: id, input: { email: 'later@example.com' } }, 'k-transient'))
    expect(r).toMatchObject({ id: p.actionRunId, status: 'succeeded', providerStatus: 201, replayed: false })
    expect(await contacts(id)).toHaveLength(1)
    expect(await runsOf(id)).toHaveLength(1)
  })

  it('sends the JSON input and a derived Idempotency-Key to the provider, never the caller key itself', async () => {
    const { id, apiKey } = await connect('echo')
    const withKey = await ok(run('post_echo', { connectionId: id, input: { n: 7, when: '2024-05-01T10:00:00Z' } }, 'my-key'))
    const echo = withKey.output as { method: string; headers: Record<string, string>; body: unknown }
    expect(echo.method).toBe('POST')
    expect(echo.body).toEqual({ n: 7, when: '2024-05-01T10:00:00.000Z' })
    expect(echo.headers['content-type']).toBe('application/json')
    expect(echo.headers['idempotency-key']).toBe(providerIdempotencyKey(id, 'post_echo', 'my-key'))
    expect(echo.headers['idempotency-key']).not.toContain('my-key')
    expect(providerIdempotencyKey(id, 'put_echo', 'my-key')).not.toBe(echo.headers['idempotency-key'])
    const without = await ok(run('post_echo', { connectionId: id, input: { n: 8 } }))
    expect((without.output as { headers: Record<string, string> }).headers['idempotency-key']).toBeUndefined()
    // The run log holds the provider's answer (here an echo carrying the API key header), but
    // nothing Patchbay adds holds a secret: the error fields and the key are ours.
    for (const r of await runsOf(id)) expect(JSON.stringify({ ...r, output: null })).not.toContain(apiKey)
  })

  it('records a run whose output PostgreSQL cannot store (\\u0000 in jsonb) without it', async () => {
    const { id } = await connect('echo')
    const r = await ok(run('post_echo', { connectionId: id, input: { n: 1, note: 'a\u0000b' } }, 'k-nul'))
    expect(r).toMatchObject({ status: 'succeeded', providerStatus: 200, output: null, errorMessage: expect.stringContaining('could not be stored') })
    expect(await ok(run('post_echo', { connectionId: id, input: { n: 1, note: 'a\u0000b' } }, 'k-nul'))).toMatchObject({ id: r.id, replayed: true })
  })

  it('marks an API-key connection needs_reauth on a 401 and stops calling the provider', async () => {
    const { id } = await connect()
    provider.failNext(1, 401)
    await problem(run('create_contact', { connectionId: id, input: { email: 'x@example.com' } }, 'k-401'), 409, 'reauth_required')
    const conn = (await (await t.call('GET', `/v1/connections/${id}`)).json()) as { status: string }
    expect(conn.status).toBe('needs_reauth')
    const [failed] = await runsOf(id)
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'reauth_required', providerStatus: null, idempotencyKey: 'k-401' })
    const before = provider.stats.apiRequests
    await problem(run('create_contact', { connectionId: id, input: { email: 'x@example.com' } }, 'k-401'), 409, 'reauth_required')
    await problem(run('create_contact', { connectionId: id, input: { email: 'y@example.com' } }), 409, 'reauth_required')
    expect(provider.stats.apiRequests).toBe(before)
    expect(await runsOf(id)).toHaveLength(1)
  })

  it('calls the provider once for two concurrent requests with one key', async () => {
    const { id } = await connect()
    const before = provider.stats.apiRequests
    const body = { connectionId: id, input: { email: 'twice@example.com' } }
    const answers = await Promise.all([run('create_contact', body, 'k-race'), run('create_contact', body, 'k-race'), run('create_contact', body, 'k-race')])
    const results = await Promise.all(answers.map(async (r) => ({ status: r.status, body: (await r.json()) as Run & Problem })))
    expect(provider.stats.apiRequests - before).toBe(1)
    const fresh = results.filter((r) => r.status === 200 && r.body.replayed === false)
    expect(fresh).toHaveLength(1)
    for (const r of results) {
      if (r.status === 200) expect(r.body.id).toBe(fresh[0]!.body.id)
      else expect(r).toMatchObject({ status: 409, body: { code: 'idempotency_in_progress', actionRunId: fresh[0]!.body.id } })
    }
    expect(await contacts(id)).toHaveLength(1)
  })

  it('refuses a key whose run is in progress and takes over one abandoned by a crashed request', async () => {
    const { id } = await connect()
    const input = { email: 'crash@example.com' }
    // A run left `running` by a request that died before finishing.
    const abandoned = await insertActionRun(t.ctx.db, { id: 'act_abandoned_' + target.name, environmentId: t.tenant.environmentId, connectionId: id, action: 'create_contact', idempotencyKey: 'k-crash', inputHash: actionInputHash(input) })
    expect(abandoned).toBeDefined()
    const before = provider.stats.apiRequests
    expect(await problem(run('create_contact', { connectionId: id, input }, 'k-crash'), 409, 'idempotency_in_progress')).toMatchObject({ actionRunId: abandoned!.id })
    expect(provider.stats.apiRequests).toBe(before)

    const taken = await runAction(t.ctx, t.tenant.environmentId, { connectionId: id, action: 'create_contact', input, idempotencyKey: 'k-crash' }, { staleAfterMs: 0 })
    expect(taken).toMatchObject({ replayed: false, run: { id: abandoned!.id, status: 'succeeded', providerStatus: 201 } })
    expect(provider.stats.apiRequests - before).toBe(1)
    // The crashed request's claim is void: it cannot overwrite the result.
    expect(await finishActionRun(t.ctx.db, abandoned!.id, abandoned!.createdAt, { status: 'failed', providerStatus: 500, output: null, errorCode: null, errorMessage: null })).toBeUndefined()
    expect((await findActionRun(t.ctx.db, t.tenant.environmentId, abandoned!.id))!.status).toBe('succeeded')
    expect(await ok(run('create_contact', { connectionId: id, input }, 'k-crash'))).toMatchObject({ id: abandoned!.id, replayed: true })
    expect(await contacts(id)).toHaveLength(1)
  })

  it('takes over a running run only once it is stale by the database clock, and voids the old claim', async () => {
    const { id } = await connect()
    const hash = actionInputHash({ email: 'claim@example.com' })
    const first = (await insertActionRun(t.ctx.db, { id: 'act_claim_' + target.name, environmentId: t.tenant.environmentId, connectionId: id, action: 'create_contact', idempotencyKey: 'k-claim', inputHash: hash }))!
    expect(await insertActionRun(t.ctx.db, { id: 'act_claim2_' + target.name, environmentId: t.tenant.environmentId, connectionId: id, action: 'create_contact', idempotencyKey: 'k-claim', inputHash: hash })).toBeUndefined()
    expect(await reclaimActionRun(t.ctx.db, first.id, hash, 60_000, [503])).toBeUndefined()
    await new Promise((r) => setTimeout(r, 5))
    expect(await reclaimActionRun(t.ctx.db, first.id, 'another-hash', 0, [503])).toBeUndefined()
    const second = (await reclaimActionRun(t.ctx.db, first.id, hash, 0, [503]))!
    expect(second).toMatchObject({ id: first.id, status: 'running' })
    expect(second.createdAt.getTime()).toBeGreaterThan(first.createdAt.getTime())
    const outcome = { status: 'succeeded' as const, providerStatus: 201, output: { id: 'x' }, errorCode: null, errorMessage: null }
    expect(await finishActionRun(t.ctx.db, first.id, first.createdAt, outcome)).toBeUndefined()
    expect(await finishActionRun(t.ctx.db, first.id, second.createdAt, outcome)).toMatchObject({ status: 'succeeded', output: { id: 'x' } })
    // A final answer is not taken over.
    expect(await reclaimActionRun(t.ctx.db, first.id, hash, 0, [503])).toBeUndefined()
  })

  it('lists runs newest first with filters and a cursor', async () => {
    const { id } = await connect()
    const made: string[] = []
    for (let i = 0; i < 3; i++) made.push((await ok(run('create_contact', { connectionId: id, input: { email: `p${i}@example.com` } }))).id)
    await problem(run('create_contact', { connectionId: id, input: { email: 'bad@example.com', company_id: 'co_nope' } }), 502, 'action_failed')
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page = (await (await t.call('GET', `/v1/action-runs?connectionId=${id}&status=succeeded&limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json()) as { data: Run[]; nextCursor: string | null }
      expect(page.data.length).toBeLessThanOrEqual(2)
      seen.push(...page.data.map((r) => r.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(seen).toEqual([...made].reverse())
    const failed = (await (await t.call('GET', `/v1/action-runs?connectionId=${id}&status=failed`)).json()) as { data: Run[] }
    expect(failed.data.map((r) => r.providerStatus)).toEqual([422])
    expect(((await (await t.call('GET', `/v1/action-runs?connectionId=${id}&action=nope`)).json()) as { data: Run[] }).data).toEqual([])
    expect(((await (await t.call('GET', `/v1/action-runs?connectionId=${id}&action=create_contact`)).json()) as { data: Run[] }).data).toHaveLength(4)
    await problem(t.call('GET', '/v1/action-runs?status=done'), 400, 'invalid_request')
  })
})
