/**
 * Environment configuration, parsed once with zod. Every setting Patchbay reads lives here
 * and is documented in README.md ("Configuration").
 */
import { z } from 'zod'

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes')

const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** HTTP port of the API server. */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  /** The URL browsers and providers reach this server at; the OAuth redirect URI is `${PUBLIC_URL}/oauth/callback`. */
  PUBLIC_URL: z.string().url().optional(),
  /** PostgreSQL connection string. Unset: embedded PGlite in PATCHBAY_DATA_DIR. */
  DATABASE_URL: z.string().optional(),
  PATCHBAY_DATA_DIR: z.string().default('./.patchbay'),
  /** Master key (32 bytes, base64) wrapping each environment's data key. */
  PATCHBAY_ENCRYPTION_KEY: z.string().optional(),
  /** Earlier master keys (comma-separated), still accepted for reading during a rotation. */
  PATCHBAY_PREVIOUS_ENCRYPTION_KEYS: z.string().optional(),
  /** Refresh an access token when it expires within this many seconds. */
  PATCHBAY_REFRESH_MARGIN_SECONDS: z.coerce.number().int().min(0).default(300),
  /** Start the bundled demo provider and seed a demo tenant. Default: on outside production. */
  PATCHBAY_DEMO: bool.optional(),
  /** Port of the bundled demo provider (0 = any free port). */
  PATCHBAY_DEMO_PROVIDER_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  /** Port of the demo host app "Acme CRM" (0 = any free port; a free port is taken if busy). */
  PATCHBAY_DEMO_APP_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  /** Host names (comma-separated) the proxy may reach even though they resolve to private addresses. */
  PATCHBAY_ALLOWED_PRIVATE_HOSTS: z.string().default(''),
  /** Run background jobs (webhook deliveries, later syncs) in the server process. Default on; off when only `patchbay worker` processes should run them. */
  PATCHBAY_WORKERS: bool.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
})

/** Parsed configuration with derived values. */
export interface Config {
  env: 'development' | 'production' | 'test'
  port: number
  host: string
  publicUrl: string
  databaseUrl: string | undefined
  dataDir: string
  encryptionKey: string | undefined
  previousEncryptionKeys: string[]
  refreshMarginMs: number
  demo: boolean
  demoProviderPort: number
  demoAppPort: number
  allowedPrivateHosts: string[]
  logLevel: string
  /** Whether the server process runs background jobs (PATCHBAY_WORKERS, default true). */
  workers: boolean
  /** Waits before each webhook retry, in ms (not an environment variable; tests shorten it). */
  webhookRetryDelaysMs: number[]
  /** Timeout of one provider request made by syncs and actions (headers and body), ms. */
  providerTimeoutMs: number
  /** Sync engine tuning (not environment variables; tests shorten them). See docs/decisions/0010-syncs.md. */
  sync: SyncTuning
}

export interface SyncTuning {
  /** A sync job works at most this long, then checkpoints and queues its continuation, ms. */
  sliceMs: number
  /** pg-boss expiry of a sync job (a worker that died holds its connection's key until then), s. Must exceed `sliceMs` plus one provider call. */
  jobExpireSeconds: number
  /** A queued or running run with no heartbeat for this long is re-queued by the sweep, ms. */
  staleAfterMs: number
  /** Failed attempts (retryable errors) before a run fails. */
  maxAttempts: number
  /** Waits before attempt 2, 3, … of a run after a retryable error, ms (±20 % jitter). */
  retryDelaysMs: number[]
  /** The longest rate-limit wait inside a job; a longer one ends the slice and resumes later, ms. */
  rateLimitMaxWaitMs: number
  /** Records examined per transaction when a full sync marks unseen records deleted. */
  deleteBatchSize: number
  /** Interval of the sweep that starts scheduled syncs and re-queues stale runs, cron (every minute). */
  sweepCron: string
}

export const SYNC_TUNING: SyncTuning = {
  sliceMs: 30_000,
  jobExpireSeconds: 180,
  staleAfterMs: 240_000,
  maxAttempts: 5,
  retryDelaysMs: [10_000, 60_000, 300_000, 900_000],
  rateLimitMaxWaitMs: 15_000,
  deleteBatchSize: 5_000,
  sweepCron: '* * * * *',
}

/** 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h: 10 attempts over about 15.7 h (see docs/decisions/0009-webhooks.md). */
export const WEBHOOK_RETRY_DELAYS_MS = [5, 30, 120, 600, 1800, 3600, 7200, 14_400, 28_800].map((s) => s * 1000)

/**
 * Reads the configuration from `env` (default `process.env`).
 * @throws {z.ZodError} listing every invalid variable.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const e = configSchema.parse(env)
  const list = (s: string | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean)
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    databaseUrl: e.DATABASE_URL || undefined,
    dataDir: e.PATCHBAY_DATA_DIR,
    encryptionKey: e.PATCHBAY_ENCRYPTION_KEY || undefined,
    previousEncryptionKeys: list(e.PATCHBAY_PREVIOUS_ENCRYPTION_KEYS),
    refreshMarginMs: e.PATCHBAY_REFRESH_MARGIN_SECONDS * 1000,
    demo: e.PATCHBAY_DEMO ?? e.NODE_ENV !== 'production',
    demoProviderPort: e.PATCHBAY_DEMO_PROVIDER_PORT,
    demoAppPort: e.PATCHBAY_DEMO_APP_PORT,
    allowedPrivateHosts: list(e.PATCHBAY_ALLOWED_PRIVATE_HOSTS),
    logLevel: e.LOG_LEVEL,
    workers: e.PATCHBAY_WORKERS ?? true,
    webhookRetryDelaysMs: WEBHOOK_RETRY_DELAYS_MS,
    providerTimeoutMs: 30_000,
    sync: { ...SYNC_TUNING },
  }
}
