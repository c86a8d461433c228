/**
 * The job engine: a PostgreSQL-backed queue (pg-boss 10) for sync runs, scheduled syncs and
 * webhook deliveries. It runs on PGlite (in process) and on PostgreSQL (shared by every server and
 * `patchbay worker` process); adding processes adds throughput. See docs/decisions/0008-job-engine.md.
 *
 * pg-boss stores the jobs and owns their state machine (created → active → completed | retry | failed,
 * retries with backoff, expiry, cron schedules, its own schema `pgboss` and its migrations). This file
 * adds what Patchbay needs on top: typed queue definitions, a fetch loop with a per-queue concurrency
 * and no fixed polling pause while there is work, and per-key exclusivity without head-of-line blocking.
 *
 * Per-key exclusivity ("no sync of one connection runs twice at once"): define the queue with
 * `policy: 'singleton'` and send jobs with `singletonKey` (for example the connection id). pg-boss
 * enforces at most one ACTIVE job per (queue, key) with a unique partial index, so the guarantee
 * holds across processes. pg-boss 10's own fetch fails as a whole (and retries after the polling
 * interval) when the next job in line has a key that is already active, which stalls every other
 * key queued behind it; the engine's fetch for such queues skips keys that are already active.
 * @see https://github.com/timgit/pg-boss/blob/10.4.2/docs/api/queues.md (queue policies)
 */
import PgBoss from 'pg-boss'
import type { Database } from '../db/client'
import type { Logger } from '../lib/logger'
import { sqlExecutor, type SqlExecutor } from './sql'

/**
 * pg-boss 10 queue policies.
 * - `standard`: no uniqueness.
 * - `short`: at most one QUEUED (created) job per key; sending another returns `null`.
 * - `singleton`: at most one ACTIVE job per key; any number may wait. Use for "never twice at once".
 * - `stately`: at most one job per key in each of created, retry and active: one running plus one
 *   waiting; further sends return `null` (coalesces repeated requests).
 */
export type QueuePolicy = 'standard' | 'short' | 'singleton' | 'stately'

/** A job as a handler sees it. */
export interface Job<T> {
  id: string
  data: T
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number
  /** The key the job was sent with (`singletonKey`), if any. */
  key: string | null
  /** Aborted when the job expires (`expireInSeconds`) or the engine stops without waiting. */
  signal: AbortSignal
}

export type JobHandler<T> = (job: Job<T>) => Promise<void>

export interface QueueOptions {
  /** Jobs of this queue run at once in THIS process (default 1). Total = sum over worker processes. */
  concurrency?: number
  /** See {@link QueuePolicy} (default `standard`). */
  policy?: QueuePolicy
  /** Retries after the first attempt (default 2, so 3 attempts). */
  retryLimit?: number
  /** Delay before a retry, in SECONDS (integer, default 0). With `retryBackoff` it is the base. */
  retryDelaySeconds?: number
  /** Exponential backoff with jitter: retry n waits between delay·2^(n-1) and delay·2^n seconds. */
  retryBackoff?: boolean
  /** A running job fails (and may be retried) after this many SECONDS (default 900). */
  expireInSeconds?: number
}

export interface SendOptions {
  /** Key for the queue's policy (e.g. a connection id for a `singleton` queue). */
  singletonKey?: string
  /** Run no earlier than this date, or this many SECONDS from now. */
  startAfter?: Date | number
  /** Override the queue's retry settings for this job. */
  retryLimit?: number
  retryDelaySeconds?: number
  retryBackoff?: boolean
  expireInSeconds?: number
  /** Higher runs first (default 0). */
  priority?: number
}

export interface JobEngineOptions {
  /**
   * PostgreSQL URL for a separate `pg` pool owned by pg-boss. Default (absent): pg-boss runs on the
   * given `database`'s own client (the only choice on PGlite; one pool to size on PostgreSQL).
   */
  url?: string | undefined
  /** Schema of pg-boss's tables (default `pgboss`). */
  schema?: string
  log: Logger
  /** Pause between fetches when a queue is empty, in MILLISECONDS (default 2000). */
  pollIntervalMs?: number
  /** Interval of pg-boss's expiry monitor and maintenance, in SECONDS (default 60). */
  maintenanceIntervalSeconds?: number
}

export interface StartOptions {
  /** Fetch and run jobs in this process (default true). False: only send and schedule. */
  work?: boolean
}

export interface StopOptions {
  /** Wait for running jobs to finish (default true). False: abort them and fail them (they retry). */
  graceful?: boolean
  /** With `graceful`, how long to wait before aborting, in MILLISECONDS (default 30000). */
  timeoutMs?: number
}

export type JobEngineErrorCode = 'engine_not_started' | 'queue_not_defined' | 'queue_already_defined' | 'invalid_queue' | 'job_expired' | 'engine_stopping'

/** Errors of the engine, with a stable `code`. */
export class JobEngineError extends Error {
  constructor(
    readonly code: JobEngineErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'JobEngineError'
  }
}

export interface JobEngine {
  /**
   * Defines a queue and its handler. Every process that sends to a queue defines it (with the same
   * options); the handler only runs where the engine was started with `work: true`.
   * Must be called before {@link JobEngine.start}.
   */
  define<T>(queue: string, handler: JobHandler<T>, opts?: QueueOptions): void
  /** Installs or migrates pg-boss's schema, creates or updates the defined queues and, with `work`, starts fetching. */
  start(opts?: StartOptions): Promise<void>
  /** Stops fetching, then waits for (or aborts) running jobs. Does not close the database. */
  stop(opts?: StopOptions): Promise<void>
  /**
   * Queues a job. Returns its id, or `null` when the queue's policy refused it (`short`/`stately`:
   * one already waiting for that key).
   */
  send<T>(queue: string, data: T, opts?: SendOptions): Promise<string | null>
  /** Sends `data` to `queue` on a cron schedule (5 fields, UTC, minute granularity); replaces an existing one. */
  schedule<T>(queue: string, cron: string, data: T): Promise<void>
  unschedule(queue: string): Promise<void>
  /** The current state of a job (`created`, `retry`, `active`, `completed`, `failed`, `cancelled`), or null. */
  getJob(queue: string, id: string): Promise<{ state: string; attempt: number; output: unknown } | null>
}

const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,100}$/

interface Definition {
  name: string
  handler: JobHandler<unknown>
  concurrency: number
  policy: QueuePolicy
  expireInSeconds: number
  queue: PgBoss.Queue
}

/**
 * Creates the job engine over an open database. Nothing touches the database before `start()`.
 * @example
 * const jobs = createJobEngine(database, { log })
 * jobs.define<{ connectionId: string }>('sync.run', async ({ data }) => runSync(data.connectionId), { policy: 'singleton', concurrency: 4 })
 * await jobs.start({ work: true })
 * await jobs.send('sync.run', { connectionId }, { singletonKey: connectionId })
 */
export function createJobEngine(database: Database, opts: JobEngineOptions): JobEngine {
  const schema = opts.schema ?? 'pgboss'
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new JobEngineError('invalid_queue', `invalid schema name ${JSON.stringify(schema)}`)
  const log = opts.log
  const pollIntervalMs = opts.pollIntervalMs ?? 2000
  const executor: SqlExecutor = sqlExecutor(database)
  const boss = new PgBoss({
    ...(opts.url ? { connectionString: opts.url, max: 4 } : { db: executor as PgBoss.Db }),
    schema,
    supervise: true,
    schedule: true,
    migrate: true,
    maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 60,
    monitorStateIntervalSeconds: opts.maintenanceIntervalSeconds ?? 60,
  })
  boss.on('error', (err: Error) => log.warn({ err: err.message }, 'job engine: pg-boss error'))
  const run = opts.url ? { executeSql: (text: string, values?: unknown[]) => (boss.getDb() as SqlExecutor).executeSql(text, values) } : executor
  const fetchExclusive = exclusiveFetchSql(schema)
  const definitions = new Map<string, Definition>()
  const runners: QueueRunner[] = []
  let state: 'new' | 'started' | 'stopping' | 'stopped' = 'new'

  function definition(queue: string): Definition {
    const def = definitions.get(queue)
    if (!def) throw new JobEngineError('queue_not_defined', `queue ${JSON.stringify(queue)} is not defined`)
    return def
  }
  function assertStarted(): void {
    if (state !== 'started') throw new JobEngineError(state === 'new' ? 'engine_not_started' : 'engine_stopping', `the job engine is ${state === 'new' ? 'not started' : 'stopping'}`)
  }

  return {
    define(queue, handler, o = {}) {
      if (state !== 'new') throw new JobEngineError('engine_not_started', 'define queues before start()')
      if (!QUEUE_NAME.test(queue)) throw new JobEngineError('invalid_queue', `invalid queue name ${JSON.stringify(queue)} (letters, digits, _ . -)`)
      if (definitions.has(queue)) throw new JobEngineError('queue_already_defined', `queue ${JSON.stringify(queue)} is already defined`)
      const concurrency = o.concurrency ?? 1
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new JobEngineError('invalid_queue', 'concurrency must be an integer ≥ 1')
      const expireInSeconds = o.expireInSeconds ?? 900
      definitions.set(queue, {
        name: queue,
        handler: handler as JobHandler<unknown>,
        concurrency,
        policy: o.policy ?? 'standard',
        expireInSeconds,
        queue: {
          name: queue,
          policy: o.policy ?? 'standard',
          retryLimit: o.retryLimit ?? 2,
          retryDelay: o.retryDelaySeconds ?? 0,
          retryBackoff: o.retryBackoff ?? false,
          expireInSeconds,
        },
      })
    },

    async start({ work = true } = {}) {
      if (state !== 'new') throw new JobEngineError('engine_stopping', 'the job engine was already started')
      await boss.start()
      for (const def of definitions.values()) {
        // create_queue is a no-op for an existing queue: update it so changed options apply.
        // Processes starting together may deadlock creating the same queue's partition: try again.
        for (let attempt = 1; ; attempt++) {
          try {
            if (await boss.getQueue(def.name)) await boss.updateQueue(def.name, def.queue)
            else await boss.createQueue(def.name, def.queue)
            break
          } catch (err) {
            if (attempt >= 5 || !['40P01', '23505'].includes((err as { code?: string }).code ?? '')) throw err
            await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 50))
          }
        }
      }
      state = 'started'
      if (!work) return
      for (const def of definitions.values()) {
        const exclusive = def.policy === 'singleton' || def.policy === 'stately'
        // Exclusive queues fetch one job per statement: a batch would insert several entries in the
        // unique index and two concurrent batches could wait on each other (deadlock).
        const fetch = exclusive
          ? async (n: number) => {
              const jobs: RawJob[] = []
              for (let i = 0; i < n; i++) {
                let rows: RawJob[]
                try {
                  rows = (await run.executeSql(fetchExclusive, [def.name])).rows as RawJob[]
                } catch (err) {
                  // Jobs already activated must run: keep them, report the error only when there are none.
                  if (jobs.length > 0) break
                  throw err
                }
                if (rows.length === 0) break
                jobs.push(...rows)
              }
              return jobs
            }
          : async (n: number) => (await boss.fetch(def.name, { batchSize: n, includeMetadata: true })) as RawJob[]
        const runner = new QueueRunner(def, boss, fetch, pollIntervalMs, log)
        runners.push(runner)
        runner.start()
      }
      log.info({ queues: [...definitions.keys()] }, 'job engine working')
    },

    async stop({ graceful = true, timeoutMs = 30_000 } = {}) {
      if (state === 'stopped' || state === 'stopping') return
      const wasStarted = state === 'started'
      state = 'stopping'
      await Promise.all(runners.map((r) => r.stop(graceful ? timeoutMs : 0)))
      if (wasStarted) await boss.stop({ graceful: false, wait: true, close: true, timeout: 1000 })
      state = 'stopped'
    },

    async send(queue, data, o = {}) {
      definition(queue)
      assertStarted()
      const options: PgBoss.SendOptions = {}
      if (o.singletonKey !== undefined) options.singletonKey = o.singletonKey
      if (o.startAfter !== undefined) options.startAfter = o.startAfter
      if (o.retryLimit !== undefined) options.retryLimit = o.retryLimit
      if (o.retryDelaySeconds !== undefined) options.retryDelay = o.retryDelaySeconds
      if (o.retryBackoff !== undefined) options.retryBackoff = o.retryBackoff
      if (o.expireInSeconds !== undefined) options.expireInSeconds = o.expireInSeconds
      if (o.priority !== undefined) options.priority = o.priority
      const id = await boss.send(queue, data as object, options)
      for (const r of runners) if (r.queue === queue) r.wake()
      return id
    },

    async schedule(queue, cron, data) {
      definition(queue)
      assertStarted()
      await boss.schedule(queue, cron, data as object, { tz: 'UTC' })
    },

    async unschedule(queue) {
      assertStarted()
      await boss.unschedule(queue)
    },

    async getJob(queue, id) {
      assertStarted()
      const job = await boss.getJobById(queue, id)
      if (!job) return null
      return { state: job.state, attempt: job.retryCount + (job.startedOn ? 1 : 0), output: job.output }
    },
  }
}

interface RawJob {
  id: string
  data: unknown
  retryCount: number
  singletonKey?: string | null
}

/** Fetches and runs the jobs of one queue in this process, up to its concurrency. */
class QueueRunner {
  readonly queue: string
  private readonly active = new Map<string, AbortController>()
  private readonly inFlight = new Set<Promise<void>>()
  private stopped = false
  private loopDone: Promise<void> = Promise.resolve()
  private wakeUp: (() => void) | null = null
  /** A wake() that came while not sleeping (e.g. during a fetch): the next sleep returns at once. */
  private woken = false

  constructor(
    private readonly def: Definition,
    private readonly boss: PgBoss,
    private readonly fetch: (n: number) => Promise<RawJob[]>,
    private readonly pollIntervalMs: number,
    private readonly log: Logger,
  ) {
    this.queue = def.name
  }

  start(): void {
    this.loopDone = this.loop()
  }

  /** Ends the pause between fetches (a job finished, or one was sent from this process). */
  wake(): void {
    if (this.wakeUp) this.wakeUp()
    else this.woken = true
  }

  async stop(timeoutMs: number): Promise<void> {
    this.stopped = true
    this.wake()
    await this.loopDone
    if (this.inFlight.size > 0 && timeoutMs > 0) {
      let timer: NodeJS.Timeout | undefined
      await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => (timer = setTimeout(r, timeoutMs)))])
      clearTimeout(timer)
    }
    for (const ac of this.active.values()) ac.abort(new JobEngineError('engine_stopping', 'the job engine stopped'))
    await Promise.allSettled([...this.inFlight])
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const free = this.def.concurrency - this.active.size
      let pause = this.pollIntervalMs
      if (free > 0) {
        try {
          const jobs = await this.fetch(free)
          // Run them even if stop() was called meanwhile: they are active now, and stop() waits for them.
          for (const job of jobs) this.run(job)
          // More may be waiting: fetch again at once while there are free slots.
          if (jobs.length > 0) pause = this.active.size < this.def.concurrency ? 0 : this.pollIntervalMs
        } catch (err) {
          // A concurrent fetch activated a job of the same key first (unique index): try again soon.
          if ((err as { code?: string }).code === '23505') pause = 5 + Math.floor(Math.random() * 20)
          else this.log.warn({ err: (err as Error).message, queue: this.queue }, 'job engine: fetch failed')
        }
      }
      if (pause > 0 && !this.stopped) await this.sleep(pause)
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.wakeUp = null
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.wakeUp = done
    })
  }

  private run(job: RawJob): void {
    const ac = new AbortController()
    this.active.set(job.id, ac)
    const expiry = setTimeout(() => ac.abort(new JobEngineError('job_expired', `job ${job.id} ran longer than ${this.def.expireInSeconds} s`)), this.def.expireInSeconds * 1000)
    const aborted = new Promise<never>((_, reject) => ac.signal.addEventListener('abort', () => reject(ac.signal.reason), { once: true }))
    aborted.catch(() => {})
    const p = (async () => {
      try {
        await Promise.race([this.def.handler({ id: job.id, data: job.data, attempt: job.retryCount + 1, key: job.singletonKey ?? null, signal: ac.signal }), aborted])
        await this.boss.complete(this.queue, job.id)
      } catch (err) {
        const e = err as Error
        this.log.warn({ queue: this.queue, jobId: job.id, attempt: job.retryCount + 1, err: e.message }, 'job failed')
        await this.boss.fail(this.queue, job.id, { name: e.name, message: e.message, code: (e as { code?: unknown }).code }).catch((failErr: Error) => this.log.error({ err: failErr.message, jobId: job.id }, 'job engine: could not record failure'))
      }
    })()
      .catch((err: Error) => this.log.error({ err: err.message, jobId: job.id }, 'job engine: could not record completion'))
      .finally(() => {
        clearTimeout(expiry)
        this.active.delete(job.id)
        this.inFlight.delete(p)
        this.wake()
      })
    this.inFlight.add(p)
  }
}

/**
 * pg-boss 10.4.2's `fetchNextJob` (src/plans.js) for one job, plus one condition: skip jobs whose
 * key already has an active job. pg-boss's unique index `job_i2`/`job_i3` still guarantees at most one active
 * job per key; this only avoids trying (and failing the whole batch) on a key that is busy.
 * Kept in step with the pinned pg-boss version (the engine tests exercise it).
 */
function exclusiveFetchSql(schema: string): string {
  return `
    WITH next AS (
      SELECT id, singleton_key
      FROM ${schema}.job j
      WHERE name = $1
        AND state < 'active'
        AND start_after < now()
        AND NOT EXISTS (
          SELECT 1 FROM ${schema}.job a
          WHERE a.name = $1 AND a.state = 'active' AND a.policy IN ('singleton', 'stately')
            AND COALESCE(a.singleton_key, '') = COALESCE(j.singleton_key, '')
        )
      ORDER BY priority DESC, created_on, id
      LIMIT 1
      FOR UPDATE SKIP LOCKED
    )
    UPDATE ${schema}.job j SET
      state = 'active',
      started_on = now(),
      retry_count = CASE WHEN started_on IS NOT NULL THEN retry_count + 1 ELSE retry_count END
    FROM next
    WHERE j.name = $1 AND j.id = next.id
    RETURNING j.id, j.data, j.retry_count AS "retryCount", j.singleton_key AS "singletonKey"
  `
}
