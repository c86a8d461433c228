/**
 * What services need, built once at start (see `main.ts` and `createContext`) and passed
 * explicitly: no module-level singletons, so tests build as many isolated servers as they like.
 */
import { startCustomConnectors } from './services/custom-connectors'
import { randomToken } from './lib/ids'
import type { Config } from './config'
import type { Database, Db } from './db/client'
import type { Logger } from './lib/logger'
import { SecretBox, type Keyring } from './services/secrets'
import { CredentialStore } from './services/credential-store'
import { UpstreamClient } from './lib/upstream'
import { RateLimits } from './services/rate-limits'
import { createJobEngine, type JobEngine } from './jobs/engine'
import { defineQueues } from './jobs/queues'

export interface AppContext {
  config: Config
  database: Database
  db: Db
  log: Logger
  secrets: SecretBox
  /** Cached, decrypted connection credentials, invalidated by NOTIFY across processes. */
  credentials: CredentialStore
  /** Keep-alive HTTP client for provider calls (proxy, verification, account info). */
  upstream: UpstreamClient
  /** Per-connection request budgets of syncs and actions (services/rate-limits.ts). */
  rateLimits: RateLimits
  /** Identifies this process in refresh leases and logs. */
  instanceId: string
  /** In-process single-flight of refreshes, keyed by connection id (the cross-process guard is the DB lease). */
  refreshes: Map<string, Promise<unknown>>
  /** Cache of API key and session token lookups (hash → principal), see middleware/auth.ts. */
  principals: Map<string, { value: unknown; until: number }>
  /**
   * The job engine, its queues defined (jobs/queues.ts). Started by `startServer`, `patchbay worker`
   * and the test harness (`startJobs`); until then `send` fails (callers that enqueue after a commit
   * log it and rely on the sweep).
   */
  jobs: JobEngine
  /** Stops following custom connector changes (services/custom-connectors.ts). */
  stopCustomConnectors: () => Promise<void>
}

export interface ContextOptions {
  /** The job engine's pause between fetches of an empty queue, ms (default 2000; tests shorten it). */
  jobPollIntervalMs?: number
  /** pg-boss's expiry monitor and maintenance interval, s (default 60; crash tests shorten it so a dead worker's job expires fast). */
  jobMaintenanceIntervalSeconds?: number
}

/** Wires the services to a database; `start()` subscribes to change notifications. */
export async function createContext(config: Config, database: Database, log: Logger, keyring: Keyring, opts: ContextOptions = {}): Promise<AppContext> {
  const secrets = new SecretBox(database.db, keyring)
  const ctx: AppContext = {
    config,
    database,
    db: database.db,
    log,
    secrets,
    credentials: undefined as unknown as CredentialStore,
    upstream: new UpstreamClient({ allowedPrivateHosts: config.allowedPrivateHosts }),
    rateLimits: new RateLimits(),
    instanceId: `${process.pid}-${randomToken(6)}`,
    refreshes: new Map(),
    principals: new Map(),
    stopCustomConnectors: async () => {},
    jobs: createJobEngine(database, { log, ...(opts.jobPollIntervalMs ? { pollIntervalMs: opts.jobPollIntervalMs } : {}), ...(opts.jobMaintenanceIntervalSeconds ? { maintenanceIntervalSeconds: opts.jobMaintenanceIntervalSeconds } : {}) }),
  }
  defineQueues(ctx.jobs, ctx)
  ctx.credentials = new CredentialStore(ctx)
  await ctx.credentials.start()
  ctx.stopCustomConnectors = await startCustomConnectors(ctx)
  return ctx
}

/** Releases what the context holds (listeners, sockets). The database is closed by its owner. */
export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.jobs.stop({ graceful: true, timeoutMs: 15_000 })
  await ctx.credentials.stop()
  await ctx.stopCustomConnectors()
  ctx.upstream.close()
}
