/**
 * Webhook delivery benchmark (`npm run bench:webhooks`): how many outgoing webhook deliveries per
 * second Patchbay makes to a local receiver, next to a baseline measured in the same run:
 *   - baseline: the bench itself sends the same number of signed POSTs straight to the receiver,
 *     over keep-alive, with the concurrency of the `webhooks.deliver` queue (the ceiling);
 *   - backlog:  N events are recorded first (`recordEvent` in a transaction, then
 *     `enqueueDeliveries`, as a change does) by a process-like context that does not run jobs; then
 *     a second context starts the job engine (`startJobs`) and the wall time runs until the
 *     receiver has seen all N `webhook-id`s and every delivery is `succeeded` in the database;
 *   - live:     events are recorded at half the backlog's rate by the context that also runs the jobs
 *     (one process, the default deployment), for the end-to-end latency at a sustainable load.
 * The receiver runs in its own process (this file forked with `--receiver`): a keep-alive node:http
 * server that verifies every request with the `standardwebhooks` package exactly as a vendor's
 * receiver would, counts unique `webhook-id`s and answers 204.
 *
 * Database: `BENCH_DATABASE_URL` or `DATABASE_URL` (the run's tenants are deleted at the end); else a
 * fresh temporary database on postgres://postgres@127.0.0.1:5432 (dropped at the end); else PGlite
 * in memory. Always exits 0 when it could measure (it measures, it does not test).
 *
 * Options: `--pglite` (skip PostgreSQL), `--events N` (default 5000), `--warmup N` (default 200), `--live-rate N` events/s (default
 * half the backlog rate), `--timeout S` per phase (default 300). `BENCH_LOG_LEVEL` shows Patchbay's logs.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { count, eq, inArray, sql } from 'drizzle-orm'
import postgres from 'postgres'
import { Webhook } from 'standardwebhooks'
import { loadConfig } from '../server/src/config'
import { closeContext, createContext, type AppContext } from '../server/src/context'
import { inTransaction, openDatabase, type Database } from '../server/src/db/client'
import { tenants, webhookAttempts, webhookDeliveries } from '../server/src/db/schema/index'
import type { JobEngine, QueueOptions } from '../server/src/jobs/engine'
import { defineQueues, startJobs } from '../server/src/jobs/queues'
import { generateMasterKey } from '../server/src/lib/crypto'
import { newId, randomToken } from '../server/src/lib/ids'
import { createLogger } from '../server/src/lib/logger'
import { loadKeyring } from '../server/src/services/secrets'
import { createTenant } from '../server/src/services/tenants'
import { eventBody } from '../server/src/services/webhook-delivery'
import { createWebhookEndpoint, generateWebhookSecret } from '../server/src/services/webhook-endpoints'
import { DELIVER_QUEUE, enqueueDeliveries, recordEvent } from '../server/src/services/webhook-outbox'
import { stopChild } from './ipc'

const LOCAL_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres'

/** Wall-clock time in ms with sub-ms resolution, comparable across the bench's processes. */
const now = () => performance.timeOrigin + performance.now()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// ---------------------------------------------------------------------------------------------
// The receiver (child process) and its IPC protocol

type ToReceiver =
  | { id: number; op: 'route'; path: string; secret: string; expect: number }
  | { id: number; op: 'stats'; path: string }
  | { id: number; op: 'collect'; path: string }
  | { id: number; op: 'cpu' }
  | { op: 'stop' }

interface RouteStats {
  unique: number
  total: number
  invalid: number
}

type FromReceiver =
  | { type: 'ready'; port: number }
  | { type: 'reply'; id: number; stats?: RouteStats; seqs?: number[]; times?: number[]; cpuUs?: number }
  | { type: 'reached'; path: string; at: number }

/** Runs in the forked child: the vendor's receiver. */
function runReceiver(): void {
  interface Route extends RouteStats {
    wh: Webhook
    expect: number
    ids: Set<string>
    seqs: number[]
    times: number[]
  }
  const routes = new Map<string, Route>()
  const send = (m: FromReceiver) => process.send?.(m)

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const at = now()
      const route = routes.get(req.url ?? '')
      if (!route || req.method !== 'POST') {
        res.writeHead(404).end()
        return
      }
      route.total++
      let event: { data?: { seq?: unknown } }
      try {
        // What a receiver does: verify the raw body against the headers (signature and timestamp).
        event = route.wh.verify(Buffer.concat(chunks).toString('utf8'), req.headers as Record<string, string>) as typeof event
      } catch {
        route.invalid++
        res.writeHead(400).end()
        return
      }
      const id = req.headers['webhook-id'] as string
      if (!route.ids.has(id)) {
        route.ids.add(id)
        route.unique = route.ids.size
        if (typeof event.data?.seq === 'number') {
          route.seqs.push(event.data.seq)
          route.times.push(at)
        }
        if (route.unique === route.expect) send({ type: 'reached', path: req.url!, at })
      }
      res.writeHead(204).end()
    })
  })
  server.keepAliveTimeout = 65_000

  process.on('message', (msg: ToReceiver) => {
    if (msg.op === 'stop') {
      server.closeAllConnections()
      server.close(() => process.exit(0))
      return
    }
    const stats = (r: Route | undefined): RouteStats => ({ unique: r?.unique ?? 0, total: r?.total ?? 0, invalid: r?.invalid ?? 0 })
    if (msg.op === 'route') {
      routes.set(msg.path, { wh: new Webhook(msg.secret), expect: msg.expect, ids: new Set(), seqs: [], times: [], unique: 0, total: 0, invalid: 0 })
      send({ type: 'reply', id: msg.id })
    } else if (msg.op === 'stats') {
      send({ type: 'reply', id: msg.id, stats: stats(routes.get(msg.path)) })
    } else if (msg.op === 'collect') {
      const r = routes.get(msg.path)
      send({ type: 'reply', id: msg.id, stats: stats(r), seqs: r?.seqs ?? [], times: r?.times ?? [] })
    } else if (msg.op === 'cpu') {
      const u = process.cpuUsage()
      send({ type: 'reply', id: msg.id, cpuUs: u.user + u.system })
    }
  })
  process.on('disconnect', () => process.exit(0))
  server.listen(0, '127.0.0.1', () => send({ type: 'ready', port: (server.address() as AddressInfo).port }))
}

interface Receiver {
  base: string
  route(path: string, secret: string, expect: number): Promise<void>
  stats(path: string): Promise<RouteStats>
  /** Receipt times (ms, see {@link now}) by event sequence number, first receipt of each `webhook-id`. */
  collect(path: string): Promise<{ stats: RouteStats; receivedAt: Map<number, number> }>
  cpuUs(): Promise<number>
  /** Resolves with the time the receiver saw the `expect`-th unique id of `path`. */
  reached(path: string): Promise<number>
  stop(): Promise<void>
}

async function startReceiver(): Promise<Receiver> {
  // Inherit the tsx loader from this process (`tsx bench/webhooks.ts`), not profiling flags.
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--cpu-prof') && !a.startsWith('--inspect'))
  const proc: ChildProcess = fork(fileURLToPath(import.meta.url), ['--receiver'], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const pending = new Map<number, (m: Extract<FromReceiver, { type: 'reply' }>) => void>()
  const reachedAt = new Map<string, number>()
  const waiting = new Map<string, (at: number) => void>()
  let nextId = 0
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the receiver did not start within 60 s')), 60_000)
    proc.once('exit', (code) => reject(new Error(`the receiver exited with code ${code}`)))
    proc.on('message', (m: FromReceiver) => {
      if (m.type === 'ready') {
        clearTimeout(timer)
        resolve(m.port)
      } else if (m.type === 'reply') {
        pending.get(m.id)?.(m)
        pending.delete(m.id)
      } else if (m.type === 'reached') {
        reachedAt.set(m.path, m.at)
        waiting.get(m.path)?.(m.at)
      }
    })
  })
  const call = (msg: Record<string, unknown>) =>
    new Promise<Extract<FromReceiver, { type: 'reply' }>>((resolve) => {
      const id = ++nextId
      pending.set(id, resolve)
      proc.send({ ...msg, id })
    })
  return {
    base: `http://127.0.0.1:${port}`,
    async route(path, secret, expect) {
      await call({ op: 'route', path, secret, expect })
    },
    async stats(path) {
      return (await call({ op: 'stats', path })).stats!
    },
    async collect(path) {
      const r = await call({ op: 'collect', path })
      const receivedAt = new Map<number, number>()
      r.seqs!.forEach((seq, i) => receivedAt.set(seq, r.times![i]!))
      return { stats: r.stats!, receivedAt }
    },
    async cpuUs() {
      return (await call({ op: 'cpu' })).cpuUs!
    },
    reached(path) {
      const at = reachedAt.get(path)
      if (at !== undefined) return Promise.resolve(at)
      return new Promise((resolve) => waiting.set(path, resolve))
    },
    stop: () => stopChild(proc, () => proc.send({ op: 'stop' })),
  }
}

// ---------------------------------------------------------------------------------------------
// Database

interface BenchDatabase {
  database: Database
  label: string
  /** The PostgreSQL database's name (undefined on PGlite). */
  dbName?: string | undefined
  /** Deletes what the run created and closes the database. */
  cleanup(tenantIds: string[]): Promise<void>
}

const redact = (url: string) => {
  const u = new URL(url)
  if (u.password) u.password = '***'
  return u.toString()
}

async function openBenchDatabase(pglite: boolean): Promise<BenchDatabase> {
  if (pglite) {
    const database = await openDatabase({})
    return { database, label: 'PGlite in memory (--pglite)', cleanup: () => database.close() }
  }
  const given = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL
  if (given) {
    const database = await openDatabase({ url: given })
    return {
      database,
      dbName: decodeURIComponent(new URL(given).pathname.slice(1)) || undefined,
      label: `PostgreSQL ${redact(given)} (from ${process.env.BENCH_DATABASE_URL ? 'BENCH_DATABASE_URL' : 'DATABASE_URL'}; the run's tenants are deleted at the end)`,
      async cleanup(tenantIds) {
        if (tenantIds.length) await database.db.delete(tenants).where(inArray(tenants.id, tenantIds))
        await database.close()
      },
    }
  }
  // As server/src/db/testing.ts does for tests: a fresh database on the local server, dropped afterwards.
  const admin = postgres(LOCAL_ADMIN_URL, { max: 1, onnotice: () => {}, connect_timeout: 3 })
  let version: string
  try {
    version = ((await admin`show server_version`)[0] as { server_version: string }).server_version
  } catch (err) {
    await admin.end({ timeout: 0 }).catch(() => {})
    const database = await openDatabase({})
    return { database, label: `PGlite in memory (no DATABASE_URL, and ${redact(LOCAL_ADMIN_URL)} is not reachable: ${(err as Error).message})`, cleanup: () => database.close() }
  }
  const name = `patchbay_bench_${randomToken(10).toLowerCase()}`
  await admin.unsafe(`create database ${name}`)
  const url = new URL(LOCAL_ADMIN_URL)
  url.pathname = `/${name}`
  try {
    const database = await openDatabase({ url: url.toString() })
    return {
      database,
      dbName: name,
      label: `PostgreSQL ${version}, temporary database ${name} on 127.0.0.1:5432 (dropped at the end)`,
      async cleanup() {
        await database.close().catch(() => {})
        await admin.unsafe(`drop database if exists ${name} with (force)`)
        await admin.end()
      },
    }
  } catch (err) {
    await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {})
    await admin.end().catch(() => {})
    throw err
  }
}

// ---------------------------------------------------------------------------------------------
// Measurements

/** The options `server/src/jobs/queues.ts` defines the deliver queue with (read, not copied). */
function deliverQueueOptions(ctx: AppContext): QueueOptions {
  let found: QueueOptions | undefined
  const probe: Pick<JobEngine, 'define'> = {
    define(queue, _handler, opts) {
      if (queue === DELIVER_QUEUE) found = opts ?? {}
    },
  }
  defineQueues(probe as JobEngine, ctx)
  if (!found) throw new Error(`queue ${DELIVER_QUEUE} is not defined in jobs/queues.ts`)
  return found
}

/** A connection view like the one `connection.created` carries, plus the bench's sequence number. */
function payloadFor(seq: number): Record<string, unknown> {
  const at = new Date().toISOString()
  return {
    id: `conn_bench${String(seq).padStart(11, '0')}`,
    integration: 'bench-crm',
    connectorId: 'demo-crm-api-key',
    endUserId: `user-${seq}`,
    status: 'active',
    statusReason: null,
    accountLabel: 'bench@example.com',
    scopes: [],
    connectionConfig: {},
    expiresAt: null,
    lastRefreshedAt: null,
    lastVerifiedAt: at,
    createdAt: at,
    updatedAt: at,
    seq,
  }
}

/** Records one event as a change does; returns when its transaction committed. */
async function createEvent(ctx: AppContext, environmentId: string, seq: number): Promise<number> {
  const deliveries = await inTransaction(ctx.db, (tx) => recordEvent(tx, { environmentId, type: 'connection.created', payload: payloadFor(seq) }))
  const committedAt = now()
  await enqueueDeliveries(ctx, deliveries)
  if (deliveries.length !== 1) throw new Error(`expected 1 delivery per event, got ${deliveries.length}`)
  return committedAt
}

/** Records `n` events with `c` concurrent producers as fast as they go. */
async function createBurst(ctx: AppContext, environmentId: string, n: number, c: number, createdAt: Float64Array): Promise<void> {
  let next = 0
  const producer = async () => {
    while (next < n) {
      const seq = next++
      createdAt[seq] = await createEvent(ctx, environmentId, seq)
    }
  }
  await Promise.all(Array.from({ length: Math.min(c, n) }, producer))
}

/** Records `n` events at `rate` per second (at most 32 in flight). */
async function createPaced(ctx: AppContext, environmentId: string, n: number, rate: number, createdAt: Float64Array): Promise<void> {
  const start = now()
  const inFlight = new Set<Promise<void>>()
  for (let seq = 0; seq < n; seq++) {
    const wait = start + (seq * 1000) / rate - now()
    if (wait >= 1) await sleep(wait)
    while (inFlight.size >= 32) await Promise.race(inFlight)
    const p: Promise<void> = createEvent(ctx, environmentId, seq).then((t) => {
      createdAt[seq] = t
      inFlight.delete(p)
    })
    inFlight.add(p)
  }
  await Promise.all(inFlight)
}

async function deliveryStatuses(ctx: AppContext, endpointId: string): Promise<Record<string, number>> {
  const rows = await ctx.db.select({ status: webhookDeliveries.status, n: count() }).from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId)).groupBy(webhookDeliveries.status)
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))
}

/**
 * Waits until the receiver has seen all `n` ids of `path`, then until the database has every
 * delivery of the endpoint `succeeded`. @returns both times, or throws after `timeoutMs`.
 */
async function waitDelivered(ctx: AppContext, receiver: Receiver, path: string, endpointId: string, n: number, timeoutMs: number): Promise<{ receivedAt: number; settledAt: number }> {
  const deadline = now() + timeoutMs
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), timeoutMs)
  })
  try {
    const receivedAt = await Promise.race([receiver.reached(path), timeout])
    for (;;) {
      const s = await deliveryStatuses(ctx, endpointId)
      if ((s.succeeded ?? 0) >= n) return { receivedAt, settledAt: now() }
      if (now() > deadline) throw new Error('timeout')
      await sleep(5)
    }
  } catch (err) {
    if ((err as Error).message !== 'timeout') throw err
    const [stats, statuses] = await Promise.all([receiver.stats(path), deliveryStatuses(ctx, endpointId)])
    throw new Error(`not all delivered within ${timeoutMs / 1000} s: receiver saw ${stats.unique}/${n} unique ids (${stats.total} requests, ${stats.invalid} invalid); deliveries in the database: ${JSON.stringify(statuses)}`)
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Diagnostic: the time of the candidate selection in pg-boss 10.4.2's fetch (`fetchNextJob` in
 * src/plans.js) for the deliver queue, read-only (no lock, no update), median of 9 runs. It reads
 * every queued job of the queue and sorts them, so its cost grows with the backlog.
 */
async function timeFetchSelect(ctx: AppContext): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < 9; i++) {
    const t0 = now()
    await ctx.db.execute(sql`SELECT id, singleton_key, policy FROM pgboss.job WHERE name = ${DELIVER_QUEUE} AND state < 'active' AND start_after < now() ORDER BY priority desc, created_on, id LIMIT 1`)
    times.push(now() - t0)
  }
  return times.sort((a, b) => a - b)[4]!
}

/** Diagnostic: mean and median HTTP time of the endpoint's attempts as Patchbay logged them (`webhook_attempts.duration_ms`). */
async function attemptDurations(ctx: AppContext, endpointId: string): Promise<{ mean: number; p50: number }> {
  const rows = await ctx.db
    .select({ ms: webhookAttempts.durationMs })
    .from(webhookAttempts)
    .innerJoin(webhookDeliveries, eq(webhookDeliveries.id, webhookAttempts.deliveryId))
    .where(eq(webhookDeliveries.endpointId, endpointId))
  const ms = Float64Array.from(rows, (r) => r.ms).sort()
  return { mean: ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length), p50: percentile(ms, 50) }
}

/** Busy and total CPU time of all cores since boot, ms. */
function machineTimes(): { busy: number; all: number } {
  let busy = 0
  let all = 0
  for (const { times: t } of os.cpus()) {
    busy += t.user + t.nice + t.sys + t.irq
    all += t.user + t.nice + t.sys + t.irq + t.idle
  }
  return { busy, all }
}

/**
 * CPU time so far of the PostgreSQL backends serving database `dbName`, µs: Linux, where a local
 * server's backends are visible in /proc with titles like `postgres: user db 127.0.0.1(port) idle`
 * (assumes the usual 100 clock ticks per second); else undefined. The pool's backends live through
 * a phase, so the difference over a phase is the server's work for the bench; other databases'
 * backends (tests running meanwhile) and the server's own processes (WAL writer…) are left out.
 */
function postgresCpuUs(dbName: string | undefined): number | undefined {
  if (process.platform !== 'linux' || !dbName) return undefined
  let ticks = 0
  let found = false
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p))
  } catch {
    return undefined
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const close = stat.lastIndexOf(')')
      if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${dbName} `)) continue
      const fields = stat.slice(close + 2).split(' ') // from field 3 (state): utime is field 14, stime 15
      ticks += Number(fields[11]) + Number(fields[12])
      found = true
    } catch {
      // the process ended meanwhile
    }
  }
  return found ? ticks * 10_000 : undefined
}

/** CPU use over a phase, in % of one core: this process, the receiver, local PostgreSQL processes (when visible) and the rest of the machine. */
interface CpuShare {
  bench: number
  receiver: number
  postgres: number | undefined
  other: number
  /** CPU time of this process, µs. */
  benchUs: number
  /** CPU time of the local PostgreSQL processes, µs. */
  postgresUs: number | undefined
}

async function measureCpu(receiver: Receiver, dbName: string | undefined): Promise<() => Promise<CpuShare>> {
  const [self0, rec0, pg0, m0, t0] = [process.cpuUsage(), await receiver.cpuUs(), postgresCpuUs(dbName), machineTimes(), now()]
  return async () => {
    const self = process.cpuUsage(self0)
    const rec = (await receiver.cpuUs()) - rec0
    const pg1 = postgresCpuUs(dbName)
    const pg = pg0 !== undefined && pg1 !== undefined ? Math.max(0, pg1 - pg0) : undefined
    const m1 = machineTimes()
    const elapsedUs = (now() - t0) * 1000
    const machineUs = m1.all === m0.all ? 0 : ((m1.busy - m0.busy) / (m1.all - m0.all)) * os.cpus().length * elapsedUs
    const benchUs = self.user + self.system
    const pct = (us: number) => (100 * us) / elapsedUs
    return { bench: pct(benchUs), receiver: pct(rec), postgres: pg === undefined ? undefined : pct(pg), other: Math.max(0, pct(machineUs - benchUs - rec - (pg ?? 0))), benchUs, postgresUs: pg }
  }
}

/** Samples this process's RSS every 50 ms; `stop()` returns the peak in bytes. */
function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage.rss()
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50)
  return {
    stop() {
      clearInterval(timer)
      return Math.max(peak, process.memoryUsage.rss())
    },
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

/** Latency from creation to first receipt per event, sorted; counts the events never received. */
function latencies(createdAt: Float64Array, receivedAt: Map<number, number>): Float64Array {
  const out = new Float64Array(createdAt.length)
  let k = 0
  for (let seq = 0; seq < createdAt.length; seq++) {
    const r = receivedAt.get(seq)
    if (r !== undefined) out[k++] = r - createdAt[seq]!
  }
  return out.subarray(0, k).sort()
}

/** The baseline: `n` signed POSTs from here to the receiver with `c` keep-alive connections. */
async function sendDirect(url: string, secret: string, n: number, c: number, createdAt: Float64Array): Promise<{ errors: number }> {
  const target = new URL(url)
  const agent = new http.Agent({ keepAlive: true, maxSockets: c })
  const wh = new Webhook(secret)
  let next = 0
  let errors = 0
  const once = (seq: number) =>
    new Promise<void>((resolve) => {
      createdAt[seq] = now()
      const id = newId('evt')
      const sentAt = new Date()
      const body = eventBody({ type: 'connection.created', createdAt: sentAt, payload: payloadFor(seq) })
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Patchbay-Webhooks',
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
            'webhook-signature': wh.sign(id, sentAt, body),
          },
        },
        (res) => {
          if (res.statusCode !== 204) errors++
          res.resume().on('end', resolve)
        },
      )
      req.on('error', () => {
        errors++
        resolve()
      })
      req.end(body)
    })
  const loop = async () => {
    while (next < n) await once(next++)
  }
  await Promise.all(Array.from({ length: Math.min(c, n) }, loop))
  agent.destroy()
  return { errors }
}

// ---------------------------------------------------------------------------------------------
// Output

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US')
const fmtMs = (n: number) => (Number.isNaN(n) ? '-' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : fmtInt(n))
const fmtMiB = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`

interface Row {
  phase: string
  events: number
  wallMs: number
  perSecond: number
  lat: Float64Array
  cpu: CpuShare
  note: string
}

function printTable(rows: Row[]): void {
  const head = ['phase', 'events', 'wall s', 'per s', 'p50 ms', 'p95 ms', 'max ms', 'CPU µs/evt', 'PG µs/evt', 'CPU bench/receiver/PG/other', 'note']
  const cells = rows.map((r) => [
    r.phase,
    fmtInt(r.events),
    (r.wallMs / 1000).toFixed(2),
    fmtInt(r.perSecond),
    fmtMs(percentile(r.lat, 50)),
    fmtMs(percentile(r.lat, 95)),
    fmtMs(percentile(r.lat, 100)),
    fmtInt(r.cpu.benchUs / r.events),
    r.cpu.postgresUs === undefined ? '-' : fmtInt(r.cpu.postgresUs / r.events),
    `${Math.round(r.cpu.bench)}% / ${Math.round(r.cpu.receiver)}% / ${r.cpu.postgres === undefined ? '-' : `${Math.round(r.cpu.postgres)}%`} / ${Math.round(r.cpu.other)}%`,
    r.note,
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: string[]) => c.map((cell, i) => (i === 0 || i >= c.length - 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd()
  console.log(line(head))
  for (const c of cells) console.log(line(c))
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { pglite: { type: 'boolean' }, events: { type: 'string' }, warmup: { type: 'string' }, 'live-rate': { type: 'string' }, timeout: { type: 'string' } } })
  const positive = (v: string | undefined, dflt: number, name: string) => {
    const n = v === undefined ? dflt : Number(v)
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`)
    return n
  }
  const N = Math.round(positive(values.events, 5000, 'events'))
  const WARMUP = Math.round(positive(values.warmup, 200, 'warmup'))
  const timeoutMs = positive(values.timeout, 300, 'timeout') * 1000

  const cpus = os.cpus()
  console.log(`Patchbay webhook delivery benchmark: node ${process.version}, ${cpus.length} CPU core(s) (${cpus[0]?.model.trim() ?? 'unknown'}), ${os.platform()} ${os.arch()}`)
  const m0 = machineTimes()
  await sleep(500)
  const m1 = machineTimes()
  const busy = m1.all === m0.all ? 0 : (m1.busy - m0.busy) / (m1.all - m0.all)
  console.log(`Machine busy before the run: ${Math.round(busy * 100)}% of all cores${busy > 0.1 ? ' -- WARNING: other processes are using the CPU; figures will be lower and noisier' : ''}`)

  const bench = await openBenchDatabase(values.pglite ?? false)
  console.log(`Database: ${bench.label}`)
  const tenantIds: string[] = []
  const contexts: AppContext[] = []
  let receiver: Receiver | undefined
  // One cleanup, whoever asks first (the end of the run or Ctrl-C); both wait for it to finish.
  let cleaning: Promise<void> | undefined
  const cleanup = (interrupted: boolean) =>
    (cleaning ??= (async () => {
      for (const ctx of [...contexts].reverse()) {
        if (interrupted) await ctx.jobs.stop({ graceful: false }).catch(() => {})
        await closeContext(ctx).catch(() => {})
      }
      await receiver?.stop().catch(() => {})
      await bench.cleanup(tenantIds).catch((err: Error) => console.error(`cleanup failed: ${err.message}`))
    })())
  // Also under `tsx`, which relays the terminal's SIGINT a second time: the second one finds the cleanup under way.
  process.on('SIGINT', () => void cleanup(true).finally(() => process.exit(130)))

  try {
    const config = loadConfig({ NODE_ENV: 'production', PATCHBAY_ENCRYPTION_KEY: generateMasterKey(), LOG_LEVEL: 'silent', PATCHBAY_DEMO: '0', PORT: '0' })
    const log = createLogger(process.env.BENCH_LOG_LEVEL ?? 'silent')
    const keyring = loadKeyring(config, log)
    // Contexts as processes: production settings (the engine's default poll interval), one database pool.
    const newContext = async (work: boolean) => {
      const ctx = await createContext(config, bench.database, log, keyring)
      contexts.push(ctx)
      await startJobs(ctx, { work })
      return ctx
    }
    // The API side: records events and sends jobs, runs none (like PATCHBAY_WORKERS=0).
    const api = await newContext(false)
    const queue = deliverQueueOptions(api)
    const C = queue.concurrency ?? 1
    receiver = await startReceiver()
    console.log(`Receiver: ${receiver.base} in its own process (node:http keep-alive; standardwebhooks verify; 204)`)
    console.log(`Deliver queue (server/src/jobs/queues.ts): concurrency ${C}, policy ${queue.policy ?? 'standard'}; job engine poll interval: the default (2000 ms)`)
    console.log(`Events: ${fmtInt(N)} per phase after ${fmtInt(WARMUP)} warm-up; one endpoint, so one delivery per event\n`)
    const target = async (label: string, expect: number) => {
      const t = await createTenant(api, `bench-webhooks-${label}-${new Date().toISOString()}`)
      tenantIds.push(t.tenantId)
      const environmentId = t.environments.production
      const path = `/hooks/${label}`
      const { endpoint, secret } = await createWebhookEndpoint(api, environmentId, { url: receiver!.base + path, description: `bench ${label}` })
      await receiver!.route(path, secret, expect)
      return { environmentId, endpointId: endpoint.id, path }
    }
    const rows: Row[] = []
    const problems: string[] = []
    const checkReceiver = async (phase: string, path: string, n: number) => {
      const { stats, receivedAt } = await receiver!.collect(path)
      if (stats.invalid) problems.push(`${phase}: ${stats.invalid} request(s) failed signature verification`)
      if (stats.total !== stats.unique) problems.push(`${phase}: ${stats.total - stats.unique} duplicate delivery(ies) (${stats.total} requests for ${stats.unique} ids)`)
      if (stats.unique !== n) problems.push(`${phase}: receiver saw ${stats.unique} of ${n} ids`)
      return receivedAt
    }

    // 1. Baseline: signed POSTs straight from here, with the deliver queue's concurrency (after a warm-up).
    {
      const warmSecret = generateWebhookSecret()
      await receiver.route('/direct-warmup', warmSecret, WARMUP)
      await sendDirect(receiver.base + '/direct-warmup', warmSecret, WARMUP, C, new Float64Array(WARMUP))
      const secret = generateWebhookSecret()
      const path = '/direct'
      await receiver.route(path, secret, N)
      const createdAt = new Float64Array(N)
      const cpu = await measureCpu(receiver, bench.dbName)
      const t0 = now()
      const { errors } = await sendDirect(receiver.base + path, secret, N, C, createdAt)
      const t1 = now()
      const share = await cpu()
      if (errors) problems.push(`baseline: ${errors} request(s) failed or were not answered 204`)
      const receivedAt = await checkReceiver('baseline', path, N)
      rows.push({ phase: `baseline (direct, c=${C})`, events: N, wallMs: t1 - t0, perSecond: N / ((t1 - t0) / 1000), lat: latencies(createdAt, receivedAt), cpu: share, note: 'latency: request start → received' })
    }

    // 2. Patchbay warm-up: a small backlog through a worker context of its own (JIT, caches).
    {
      const warm = await target('warmup', WARMUP)
      await createBurst(api, warm.environmentId, WARMUP, 10, new Float64Array(WARMUP))
      const warmWorker = await newContext(true)
      await waitDelivered(warmWorker, receiver, warm.path, warm.endpointId, WARMUP, timeoutMs)
      contexts.splice(contexts.indexOf(warmWorker), 1)
      await closeContext(warmWorker)
    }

    // 3. Backlog: N events recorded, then a worker context starts the job engine; until all are delivered.
    const backlogTarget = await target('backlog', N)
    const backlogCreatedAt = new Float64Array(N)
    const c0 = now()
    await createBurst(api, backlogTarget.environmentId, N, 10, backlogCreatedAt)
    const createMs = now() - c0
    const fetchFull = await timeFetchSelect(api)
    const backlogRss = rssSampler()
    const backlogCpu = await measureCpu(receiver, bench.dbName)
    const t0 = now()
    const worker = await newContext(true)
    const startMs = now() - t0
    const drained = await waitDelivered(worker, receiver, backlogTarget.path, backlogTarget.endpointId, N, timeoutMs)
    const backlogShare = await backlogCpu()
    const rssBacklog = backlogRss.stop()
    const backlogRate = N / ((drained.settledAt - t0) / 1000)
    const fetchEmpty = await timeFetchSelect(api)
    const attempts = await attemptDurations(api, backlogTarget.endpointId)
    rows.push({
      phase: 'patchbay backlog drain',
      events: N,
      wallMs: drained.settledAt - t0,
      perSecond: backlogRate,
      lat: latencies(backlogCreatedAt, await checkReceiver('backlog', backlogTarget.path, N)),
      cpu: backlogShare,
      note: `startJobs ${fmtInt(startMs)} ms, last received +${fmtInt(drained.receivedAt - t0)} ms, all succeeded +${fmtInt(drained.settledAt - t0)} ms; recording took ${(createMs / 1000).toFixed(2)} s (${fmtInt(N / (createMs / 1000))}/s); latency from commit, so it includes the wait in the backlog`,
    })

    // 4. Live: events recorded by the worker's own context (one process) at a sustainable rate.
    const liveRate = values['live-rate'] !== undefined ? positive(values['live-rate'], 1, 'live-rate') : Math.max(1, Math.round(backlogRate / 2))
    const liveN = Math.min(N, Math.max(100, Math.round(liveRate * 10)))
    let rssLive: number
    {
      const t = await target('live', liveN)
      const createdAt = new Float64Array(liveN)
      const rss = rssSampler()
      const cpu = await measureCpu(receiver, bench.dbName)
      const t0 = now()
      await createPaced(worker, t.environmentId, liveN, liveRate, createdAt)
      const createMs = now() - t0
      const { settledAt } = await waitDelivered(worker, receiver, t.path, t.endpointId, liveN, timeoutMs)
      const share = await cpu()
      rssLive = rss.stop()
      const receivedAt = await checkReceiver('live', t.path, liveN)
      rows.push({
        phase: `patchbay live (${fmtInt(liveRate)}/s)`,
        events: liveN,
        wallMs: settledAt - t0,
        perSecond: liveN / ((settledAt - t0) / 1000),
        lat: latencies(createdAt, receivedAt),
        cpu: share,
        note: `recorded at ${fmtInt(liveN / (createMs / 1000))}/s by the worker's own context; latency: commit → received`,
      })
    }

    printTable(rows)
    const [base, backlog, live] = rows as [Row, Row, Row]
    const maxRss = process.resourceUsage().maxRSS * 1024
    console.log(`\nCPU µs/evt: CPU time of this process (Patchbay + ${bench.database.kind === 'pglite' ? 'PGlite + ' : ''}producer or baseline sender) per event.`)
    console.log(`PG µs/evt: CPU time of the local PostgreSQL backends serving the bench's database, per event (from /proc; '-' when not visible: PGlite, a remote server).`)
    console.log(`CPU: % of one core during the phase for this process, the receiver, PostgreSQL, and the rest of the machine (kernel, other processes); ${cpus.length} cores = ${cpus.length * 100}%.\n`)
    console.log(`Patchbay: ${fmtInt(backlog.perSecond)} deliveries/s (backlog of ${fmtInt(N)} drained in ${(backlog.wallMs / 1000).toFixed(2)} s)`)
    console.log(`Baseline: ${fmtInt(base.perSecond)} req/s (signed POSTs from the bench, c=${C}, keep-alive)`)
    console.log(`Ratio:    ${(backlog.perSecond / base.perSecond).toFixed(3)} (Patchbay ÷ baseline) = ${((100 * backlog.perSecond) / base.perSecond).toFixed(1)}%`)
    console.log(`End-to-end latency (event committed → received), live at ${fmtInt(liveRate)} events/s: p50 ${fmtMs(percentile(live.lat, 50))} ms, p95 ${fmtMs(percentile(live.lat, 95))} ms`)
    console.log(`                                                backlog drain:   p50 ${fmtMs(percentile(backlog.lat, 50))} ms, p95 ${fmtMs(percentile(backlog.lat, 95))} ms (mostly queueing behind the backlog)`)
    console.log(`Peak RSS of this process: ${fmtMiB(rssBacklog)} during the backlog drain, ${fmtMiB(rssLive)} during the live phase, ${fmtMiB(maxRss)} over the whole run${bench.database.kind === 'postgres' ? ' (PostgreSQL server not included)' : ' (includes PGlite)'}`)
    console.log(`\nWhere the time goes (backlog drain):`)
    console.log(`  a delivery job is in flight ${fmtMs((C * 1000) / backlog.perSecond)} ms on average (concurrency ${C} ÷ ${fmtInt(backlog.perSecond)}/s); its HTTP attempt took ${fmtMs(attempts.mean)} ms (mean; p50 ${fmtMs(attempts.p50)} ms) per webhook_attempts.duration_ms,`)
    console.log(`  the rest is database round trips: pg-boss fetch, claim, event + endpoint read, attempt log + status transaction, pg-boss complete.`)
    if (bench.database.kind === 'pglite') {
      const us = backlog.cpu.benchUs / N
      console.log(`  PGlite runs the database on this process's one thread: ${Math.round(backlog.cpu.bench)}% of a core busy, ${fmtInt(us)} µs CPU per delivery (at most ~${fmtInt(1e6 / us)}/s on one core),`)
      console.log(`  so the HTTP attempt time above includes waiting for the busy event loop.`)
    } else if (backlog.cpu.postgresUs !== undefined) {
      console.log(`  CPU per delivery: ${fmtInt(backlog.cpu.benchUs / N)} µs in this process, ${fmtInt(backlog.cpu.postgresUs / N)} µs in PostgreSQL backends.`)
    }
    console.log(`  pg-boss fetch candidate query: ${fmtMs(fetchFull)} ms with ${fmtInt(N)} jobs queued, ${fmtMs(fetchEmpty)} ms with none (it reads and sorts every queued job; the runner fetches as slots free up, often 1 job per fetch).`)
    if (problems.length) console.log(`\nWARNING:\n  ${problems.join('\n  ')}`)
  } finally {
    await cleanup(false)
  }
}

if (process.argv.includes('--receiver')) {
  runReceiver()
} else {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err)
      process.exit(1)
    },
  )
}
