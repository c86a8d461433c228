/**
 * A Patchbay process for the crash and multi-worker tests: the server with its workers (or only a
 * worker, `NODE_ROLE=worker`), with sync timings shortened so a killed process's run is picked up
 * within seconds, and the sweep every 300 ms instead of every minute.
 *
 * Environment: `DATABASE_URL` or `PATCHBAY_DATA_DIR`, `PATCHBAY_ENCRYPTION_KEY`, `NODE_ROLE`
 * (`server` | `worker`), `SETUP_JSON` (server only: when set, creates a tenant, an integration of
 * `SETUP_CONNECTOR` with base URL `SETUP_BASE_URL` and `SETUP_CONNECTIONS` connections with bearer
 * tokens `tok-1…`, then prints one JSON line `{ "ready": …, "secretKey", "connectionIds" }`).
 * Prints `{ "ready": true, "url" }` once listening.
 */
import { loadConfig } from '../../server/src/config'
import { closeContext, createContext } from '../../server/src/context'
import { openDatabase } from '../../server/src/db/client'
import { startJobs } from '../../server/src/jobs/queues'
import { createLogger } from '../../server/src/lib/logger'
import { startServer } from '../../server/src/server'
import { saveConnection } from '../../server/src/services/connections'
import { upsertEndUser } from '../../server/src/db/queries/end-users'
import { newId } from '../../server/src/lib/ids'
import { createIntegration } from '../../server/src/services/integrations'
import { loadKeyring } from '../../server/src/services/secrets'
import { sweepSyncs } from '../../server/src/services/syncs'
import { createApiKey, createTenant } from '../../server/src/services/tenants'

const config = loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', PATCHBAY_DEMO: '0', PORT: '0' })
config.sync = { ...config.sync, sliceMs: 1_500, jobExpireSeconds: 4, staleAfterMs: 3_000, retryDelaysMs: [100, 200, 400], rateLimitMaxWaitMs: 2_000 }
const context = { jobPollIntervalMs: 50, jobMaintenanceIntervalSeconds: 1 }

const role = process.env.NODE_ROLE ?? 'server'
let ctx: Awaited<ReturnType<typeof createContext>>
let close: () => Promise<void>
if (role === 'worker') {
  const log = createLogger(config.logLevel)
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir })
  ctx = await createContext(config, database, log, loadKeyring(config, log), context)
  await startJobs(ctx, { work: true })
  const c = ctx
  close = async () => {
    await closeContext(c)
    await database.close()
  }
  console.log(JSON.stringify({ ready: true }))
} else {
  const server = await startServer(config, { context })
  ctx = server.ctx
  close = server.close
  let setup: Record<string, unknown> = {}
  if (process.env.SETUP_JSON) {
    const t = await createTenant(ctx, 'Crash test')
    const environmentId = t.environments.development
    const secretKey = (await createApiKey(ctx, t.tenantId, 'development')).key
    const integration = await createIntegration(ctx, environmentId, { key: 'p', connectorId: process.env.SETUP_CONNECTOR!, clientId: 'client', clientSecret: 'secret', overrides: { baseUrl: process.env.SETUP_BASE_URL! }, allowMultipleConnections: true })
    const endUser = await upsertEndUser(ctx.db, { id: newId('eu'), environmentId, externalId: 'u1' })
    const connectionIds: string[] = []
    for (let i = 1; i <= Number(process.env.SETUP_CONNECTIONS ?? 1); i++) {
      connectionIds.push(await saveConnection(ctx, { environmentId, integration, endUserId: endUser.id, credentials: { type: 'oauth2', accessToken: `tok-${i}` }, scopes: [], connectionConfig: {} }))
    }
    setup = { secretKey, connectionIds }
  }
  console.log(JSON.stringify({ ready: true, url: server.url, ...setup }))
}
const sweep = setInterval(() => void sweepSyncs(ctx).catch(() => {}), 300)
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    clearInterval(sweep)
    await close()
    process.exit(0)
  })
}
