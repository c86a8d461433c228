/**
 * Test harness: a Patchbay app on a fresh test database (PGlite, or PostgreSQL when
 * `TEST_DATABASE_URL` is set) with a tenant and secret keys for both environments.
 */
import { createServer } from 'node:net'
import { createApp } from './app'
import { loadConfig, type Config } from './config'
import { closeContext, createContext, type AppContext } from './context'
import type { Database } from './db/client'
import { testDatabases, type TestDatabaseTarget } from './db/testing'
import { startJobs } from './jobs/queues'
import { generateMasterKey } from './lib/crypto'
import { createLogger } from './lib/logger'
import { loadKeyring } from './services/secrets'
import { createApiKey, createTenant } from './services/tenants'

export { testDatabases, type TestDatabaseTarget }

/** A config for tests: in-memory keys, a fixed public URL unless given. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', PATCHBAY_ENCRYPTION_KEY: generateMasterKey(), LOG_LEVEL: 'silent', PUBLIC_URL: 'http://127.0.0.1:3999', PATCHBAY_DEMO: '0', ...overrides })
}

export interface TestTenant {
  tenantId: string
  environmentId: string
  productionEnvironmentId: string
  secretKey: string
  productionSecretKey: string
}

export interface TestApp {
  app: ReturnType<typeof createApp>
  ctx: AppContext
  database: Database
  url?: string | undefined
  tenant: TestTenant
  /** Creates another tenant (for isolation tests). */
  newTenant(name?: string): Promise<TestTenant>
  /** `app.request` with a bearer token and a JSON body. */
  call(method: string, path: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>
  close(): Promise<void>
}

export async function createTestApp(target: TestDatabaseTarget, config: Config = testConfig()): Promise<TestApp> {
  const { database, url, drop } = await target.open()
  const log = createLogger('silent')
  const ctx = await createContext(config, database, log, loadKeyring(config), { jobPollIntervalMs: 100 })
  await startJobs(ctx, { work: true })
  const app = createApp(ctx)
  const newTenant = async (name = 'Test vendor'): Promise<TestTenant> => {
    const t = await createTenant(ctx, name)
    return {
      tenantId: t.tenantId,
      environmentId: t.environments.development,
      productionEnvironmentId: t.environments.production,
      secretKey: (await createApiKey(ctx, t.tenantId, 'development')).key,
      productionSecretKey: (await createApiKey(ctx, t.tenantId, 'production')).key,
    }
  }
  const tenant = await newTenant()
  return {
    app,
    ctx,
    database,
    url,
    tenant,
    newTenant,
    call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers }
      const token = opts.token === undefined ? tenant.secretKey : opts.token
      if (token) headers.authorization = `Bearer ${token}`
      let body: string | undefined
      if (opts.body !== undefined) {
        headers['content-type'] ??= 'application/json'
        body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body)
      }
      return Promise.resolve(app.request(path, { method, headers, body }))
    },
    async close() {
      await closeContext(ctx)
      await drop()
    },
  }
}

/** How a test or script reaches Patchbay: `app.request` or real HTTP. */
export type Requester = (path: string, init?: RequestInit) => Promise<Response>

/**
 * Drives an OAuth connection like the widget and a person would, without a browser:
 * starts the authorization with the session token, opens the start URL (getting the binding
 * cookie), logs in and consents at the demo provider, then calls the callback.
 * @returns the callback's JSON result and the raw pieces for failure tests.
 */
export async function connectViaOAuth(
  request: Requester,
  opts: { sessionToken: string; integration: string; origin?: string; decision?: 'allow' | 'deny'; connectionId?: string; user?: { username: string; password: string } },
): Promise<{ status: number; result: Record<string, unknown>; callbackPath: string; cookie: string }> {
  const { authorizeViaHttp } = await import('./demo/provider/browserless')
  const headers: Record<string, string> = { authorization: `Bearer ${opts.sessionToken}`, 'content-type': 'application/json' }
  if (opts.origin) headers.origin = opts.origin
  const started = await request('/v1/embed/oauth/authorizations', { method: 'POST', headers, body: JSON.stringify({ integration: opts.integration, ...(opts.connectionId ? { connectionId: opts.connectionId } : {}) }) })
  if (started.status !== 201) throw new Error(`authorization start failed: ${started.status} ${await started.text()}`)
  const { url } = (await started.json()) as { url: string }
  const start = new URL(url)
  const redirect = await request(start.pathname + start.search, { redirect: 'manual' })
  if (redirect.status !== 302) throw new Error(`start page failed: ${redirect.status} ${await redirect.text()}`)
  const cookie = (redirect.headers.get('set-cookie') ?? '').split(';')[0]!
  const user = opts.user ?? { username: 'ada', password: 'lovelace' }
  const final = new URL(await authorizeViaHttp({ authorizationUrl: redirect.headers.get('location')!, ...user, decision: opts.decision ?? 'allow' }))
  const callbackPath = final.pathname + final.search
  const res = await request(callbackPath, { headers: { cookie, accept: 'application/json' } })
  return { status: res.status, result: (await res.json()) as Record<string, unknown>, callbackPath, cookie }
}

/** A free TCP port on 127.0.0.1, for a server that must know its URL (PUBLIC_URL, OAuth redirect URI) before it listens. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}
