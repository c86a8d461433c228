/**
 * `actions` and `actionRuns` of the SDK against a real Patchbay HTTP server (PGlite, and PostgreSQL
 * when TEST_DATABASE_URL is set) and the bundled demo provider's `create_contact`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoProvider, type DemoProvider } from '../../server/src/demo/provider/index'
import { startServer, type RunningServer } from '../../server/src/server'
import { createApiKey, createTenant } from '../../server/src/services/tenants'
import { freePort, testConfig, testDatabases } from '../../server/src/testing'
import { isActionFailed, Patchbay, PatchbayError, type ActionRun } from './index'

async function rejection(promise: Promise<unknown>): Promise<PatchbayError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(PatchbayError)
  return err as PatchbayError
}

describe.each(testDatabases())('SDK actions on $name', (target) => {
  let server: RunningServer
  let drop: () => Promise<void>
  let provider: DemoProvider
  let pb: Patchbay
  let connectionId: string

  beforeAll(async () => {
    const opened = await target.open()
    drop = opened.drop
    const port = await freePort()
    server = await startServer(testConfig({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` }), { database: opened.database })
    const tenant = await createTenant(server.ctx, 'SDK actions vendor')
    pb = new Patchbay({ secretKey: (await createApiKey(server.ctx, tenant.tenantId, 'development')).key, baseUrl: server.url })
    provider = await startDemoProvider({ clients: [{ clientId: 'unused', clientSecret: 'unused-secret', redirectUris: [] }], apiKeys: ['sdk-actions-key'], contactsPerAccount: 0 })
    await pb.integrations.create({ key: 'crm', connectorId: 'demo-crm-api-key', syncSettings: { autoStart: false }, overrides: { baseUrl: provider.apiBaseUrl } })
    const { token } = await pb.connectSessions.create({ endUser: { id: 'sdk-actions-user' } })
    const res = await fetch(`${server.url}/v1/embed/connections`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ integration: 'crm', credentials: { apiKey: 'sdk-actions-key' } }) })
    expect(res.status).toBe(201)
    connectionId = ((await res.json()) as { id: string }).id
  })
  afterAll(async () => {
    await provider?.close()
    await server?.close()
    await drop?.()
  })

  it('runs an action, replays it with the same idempotency key, and refuses the key with another input', async () => {
    const before = provider.stats.apiRequests
    const run = await pb.actions.run('create_contact', { connectionId, input: { email: 'ada@example.com', first_name: 'Ada' }, idempotencyKey: 'sdk-1' })
    expect(run).toMatchObject({ action: 'create_contact', connectionId, status: 'succeeded', providerStatus: 201, idempotencyKey: 'sdk-1', replayed: false, output: { email: 'ada@example.com' } })
    const again = await pb.actions.run('create_contact', { connectionId, input: { first_name: 'Ada', email: 'ada@example.com' }, idempotencyKey: 'sdk-1' })
    expect(again).toEqual({ ...run, replayed: true })
    expect(provider.stats.apiRequests - before).toBe(1)
    expect(await rejection(pb.actions.run('create_contact', { connectionId, input: { email: 'other@example.com' }, idempotencyKey: 'sdk-1' }))).toMatchObject({ code: 'idempotency_key_reused', status: 422 })
    const { replayed: _, ...stored } = run
    expect(await pb.actionRuns.get(run.id)).toEqual(stored)
  })

  it("throws action_failed with the provider's status and body, narrowed by isActionFailed", async () => {
    const err = await rejection(pb.actions.run('create_contact', { connectionId, input: { email: 'x@example.com', company_id: 'co_nope' } }))
    expect(err).toMatchObject({ code: 'action_failed', status: 502 })
    expect(isActionFailed(err)).toBe(true)
    if (!isActionFailed(err)) throw err
    expect(err.problem.providerStatus).toBe(422)
    expect(err.problem.output).toMatchObject({ error: 'validation_failed' })
    expect((await pb.actionRuns.get(err.problem.actionRunId)).status).toBe('failed')
    expect(isActionFailed(new PatchbayError({ code: 'not_found', status: 404, detail: 'x' }))).toBe(false)
    expect(isActionFailed(new Error('x'))).toBe(false)
  })

  it('maps invalid input and unknown actions', async () => {
    const invalid = await rejection(pb.actions.run('create_contact', { connectionId, input: { email: 'nope' } }))
    expect(invalid).toMatchObject({ code: 'invalid_request', status: 400 })
    expect(invalid.errors?.map((e) => e.path)).toEqual(['input.email'])
    expect(await rejection(pb.actions.run('no_such_action', { connectionId, input: {} }))).toMatchObject({ code: 'not_found', status: 404 })
    expect(await rejection(pb.actionRuns.get('act_missing'))).toMatchObject({ code: 'not_found' })
  })

  it('lists runs page by page and with listAll', async () => {
    const first = await pb.actionRuns.list({ connectionId, limit: 1 })
    expect(first.data).toHaveLength(1)
    expect(first.nextCursor).toEqual(expect.any(String))
    const second = await pb.actionRuns.list({ connectionId, limit: 1, cursor: first.nextCursor! })
    expect(second.data[0]!.id).not.toBe(first.data[0]!.id)
    const all: ActionRun[] = []
    for await (const r of pb.actionRuns.listAll({ connectionId, limit: 1 })) all.push(r)
    expect(all.map((r) => r.status).sort()).toEqual(['failed', 'succeeded'])
    expect((await pb.actionRuns.list({ action: 'create_contact', status: 'failed' })).data.map((r) => r.providerStatus)).toEqual([422])
  })
})
