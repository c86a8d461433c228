/**
 * "Exactly one refresh at a time per connection, even across processes": 200 simultaneous
 * proxied requests on an expired token, over two server processes sharing PostgreSQL (and over
 * one process on PGlite), cause exactly one call to the token endpoint.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoProvider, type DemoProvider } from '../server/src/demo/provider/index'
import { findConnectionRow } from '../server/src/db/queries/connections'
import { decryptCredentials, encryptCredentials } from '../server/src/services/credentials'
import { connectViaOAuth, createTestApp, testConfig, testDatabases, type TestApp } from '../server/src/testing'
import { generateMasterKey } from '../server/src/lib/crypto'
import { sql } from 'drizzle-orm'

const REQUESTS = 200

function startProcess(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/server-process.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.once('line', (line) => resolve({ url: (JSON.parse(line) as { url: string }).url, child }))
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)))
  })
}

describe.each(testDatabases())('token refresh under concurrency on $name', (target) => {
  const key = generateMasterKey()
  let t: TestApp
  let provider: DemoProvider
  let connectionId: string
  const children: ChildProcess[] = []

  beforeAll(async () => {
    t = await createTestApp(target, testConfig({ PATCHBAY_ENCRYPTION_KEY: key }))
    provider = await startDemoProvider({ clients: [{ clientId: 'pb', clientSecret: 'pb-secret', redirectUris: ['http://127.0.0.1:3999/oauth/callback'] }], rateLimit: { requests: 10_000, windowSeconds: 60 } })
    await t.call('POST', '/v1/integrations', { body: { key: 'crm', connectorId: 'demo-crm', syncSettings: { autoStart: false }, clientId: 'pb', clientSecret: 'pb-secret', overrides: { authorizationUrl: provider.authorizationUrl, tokenUrl: provider.tokenUrl, baseUrl: provider.apiBaseUrl } } })
    const s = (await (await t.call('POST', '/v1/connect-sessions', { body: { endUser: { id: 'u1' } } })).json()) as { token: string }
    const { result } = await connectViaOAuth((p, init) => Promise.resolve(t.app.request(p, init)), { sessionToken: s.token, integration: 'crm' })
    connectionId = result.connectionId as string
  })
  afterAll(async () => {
    for (const c of children) c.kill('SIGTERM')
    await provider?.close()
    await t?.close()
  })

  /** Stores the credentials with an access token that expired a minute ago. */
  async function expireToken(): Promise<void> {
    const row = (await findConnectionRow(t.ctx.db, connectionId))!
    const creds = await decryptCredentials(t.ctx, row.environmentId, row.id, row.credentialsEnc)
    const expired = { ...creds, expiresAt: new Date(Date.now() - 60_000).toISOString() }
    const enc = await encryptCredentials(t.ctx, row.environmentId, row.id, expired)
    await t.ctx.db.execute(sql`update connections set credentials_enc = ${enc}, expires_at = now() - interval '1 minute', credentials_version = credentials_version + 1 where id = ${row.id}`)
    await t.ctx.credentials.changed(row.id)
  }

  it(`${REQUESTS} simultaneous requests cause one token request`, async () => {
    let bases: string[]
    let call: (base: string, i: number) => Promise<Response>
    if (target.name === 'postgres') {
      const env = { DATABASE_URL: t.url!, PATCHBAY_ENCRYPTION_KEY: key, PORT: '0', LOG_LEVEL: 'silent', PATCHBAY_DEMO: '0', NODE_ENV: 'test', PUBLIC_URL: 'http://127.0.0.1:3999' }
      const procs = await Promise.all([startProcess(env), startProcess(env)])
      children.push(...procs.map((p) => p.child))
      bases = procs.map((p) => p.url)
      call = (base) => fetch(`${base}/v1/proxy/${connectionId}/me`, { headers: { authorization: `Bearer ${t.tenant.secretKey}` } })
      // Warm both processes' caches with the still-valid token first.
      for (const b of bases) expect((await call(b, 0)).status).toBe(200)
    } else {
      bases = ['in-process']
      call = () => Promise.resolve(t.app.request(`/v1/proxy/${connectionId}/me`, { headers: { authorization: `Bearer ${t.tenant.secretKey}` } }))
    }
    await expireToken()
    await new Promise((r) => setTimeout(r, 200)) // let NOTIFY reach the other processes
    provider.resetStats()
    const responses = await Promise.all(Array.from({ length: REQUESTS }, (_, i) => call(bases[i % bases.length]!, i)))
    const statuses = responses.map((r) => r.status)
    expect(statuses.filter((s) => s === 200)).toHaveLength(REQUESTS)
    expect(provider.stats.tokenRequests.refresh_token).toBe(1)
    expect(provider.stats.tokenRequests.total).toBe(1)
    expect(provider.stats.apiRequests).toBe(REQUESTS)
    const row = await findConnectionRow(t.ctx.db, connectionId)
    expect(row!.refreshLeaseOwner).toBeNull()
    expect(row!.expiresAt!.getTime()).toBeGreaterThan(Date.now())
  })
})
