/**
 * Patchbay under test, in its own process: starts the server (production settings, silent
 * logs, PGlite in `BENCH_DATA_DIR`, or `DATABASE_URL` when set), then creates through the
 * services a tenant with a secret key, a `demo-crm-api-key` integration and a `demo-crm` (OAuth 2.0)
 * integration pointing at the benchmark's upstream, an end user and one connection of each.
 * Reports `{ url, secretKey, connectionId, oauthConnectionId }` to the parent over IPC.
 * With `DATABASE_URL`, the run's tenant is deleted again on stop (cascading to everything else).
 * Forked by `bench/proxy.ts` with the upstream port as its argument.
 */
import { randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { loadConfig } from '../server/src/config'
import { upsertEndUser } from '../server/src/db/queries/end-users'
import { tenants } from '../server/src/db/schema/index'
import { newId } from '../server/src/lib/ids'
import { startServer, type RunningServer } from '../server/src/server'
import { saveConnection } from '../server/src/services/connections'
import { createIntegration } from '../server/src/services/integrations'
import { createApiKey, createTenant } from '../server/src/services/tenants'
import { serveParent, toParent } from './ipc'

const upstreamPort = Number(process.argv[2])
const baseUrl = `http://127.0.0.1:${upstreamPort}`
const dataDir = process.env.BENCH_DATA_DIR
if (!upstreamPort || (!dataDir && !process.env.DATABASE_URL)) throw new Error('usage: patchbay-process.ts <upstreamPort> with BENCH_DATA_DIR or DATABASE_URL set')

let server: RunningServer | undefined
let tenantId: string | undefined

serveParent(async () => {
  if (!server) return
  if (tenantId && process.env.DATABASE_URL) await server.ctx.db.delete(tenants).where(eq(tenants.id, tenantId)).catch(() => {})
  await server.close()
})

try {
  const config = loadConfig({
    NODE_ENV: 'production',
    PATCHBAY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    PORT: '0',
    LOG_LEVEL: 'silent',
    PATCHBAY_DEMO: '0',
    PATCHBAY_DATA_DIR: dataDir,
    DATABASE_URL: process.env.DATABASE_URL || undefined,
  })
  const started = Date.now()
  server = await startServer(config)
  const ctx = server.ctx
  const tenant = await createTenant(ctx, `bench-${new Date().toISOString()}`)
  tenantId = tenant.tenantId
  const environmentId = tenant.environments.production
  const { key: secretKey } = await createApiKey(ctx, tenant.tenantId, 'production', 'bench')
  const endUser = await upsertEndUser(ctx.db, { id: newId('eu'), environmentId, externalId: 'bench-user' })

  const apiKeyIntegration = await createIntegration(ctx, environmentId, { key: 'bench-api-key', connectorId: 'demo-crm-api-key', overrides: { baseUrl } })
  const connectionId = await saveConnection(ctx, {
    environmentId,
    integration: apiKeyIntegration,
    endUserId: endUser.id,
    credentials: { type: 'api_key', values: { apiKey: 'k' } },
    connectionConfig: {},
    scopes: [],
  })

  // OAuth 2.0 bearer variant: a non-expiring access token, so no refresh is ever due.
  const oauthIntegration = await createIntegration(ctx, environmentId, { key: 'bench-oauth', connectorId: 'demo-crm', clientId: 'bench-client', overrides: { baseUrl } })
  const oauthConnectionId = await saveConnection(ctx, {
    environmentId,
    integration: oauthIntegration,
    endUserId: endUser.id,
    credentials: { type: 'oauth2', accessToken: 'bench-access-token' },
    connectionConfig: {},
    scopes: [],
  })

  toParent({ type: 'ready', url: server.url, secretKey, connectionId, oauthConnectionId, database: ctx.database.kind, startupMs: Date.now() - started })
} catch (err) {
  toParent({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) })
  process.exit(1)
}
