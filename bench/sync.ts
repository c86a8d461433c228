/**
 * Sync benchmark (`npm run bench:sync`): records per second of a sync end to end on PostgreSQL
 * (fetch pages from a local provider, canonical JSON + SHA-256 per record, one upsert statement +
 * checkpoint per page, then reading the whole change feed), with the process's peak memory, next
 * to a ceiling measured in the same run: `COPY records FROM STDIN` of the same rows into the same
 * table. Prints the figures, the ratio and PASS/FAIL against the targets; always exits 0 unless
 * something breaks (it measures, it does not test).
 *
 * Parts (all on 127.0.0.1):
 *   - provider: bench/sync-provider.ts in its own process; deterministic CRM contacts (~540 bytes
 *     of JSON each) generated on the fly, cursor pages of 1000, keep-alive node:http;
 *   - Patchbay: context and job engine in THIS process (as `startServer` builds them, production
 *     settings, silent logs); a bench connector (`bench-crm`, one full sync) registered at run time;
 *   - PostgreSQL: `BENCH_DATABASE_URL` or `DATABASE_URL` (a tenant of its own, deleted at the
 *     end), else a fresh database on `BENCH_ADMIN_URL` (default postgres://postgres@127.0.0.1:5432/postgres),
 *     dropped at the end.
 *
 * Per size: (1) a pipeline baseline without the database (fetch + JSON.parse of every page, then
 * canonical JSON + hash of its items) that shows what the Node side costs; (2) the sync: wall time
 * from `triggerSync` to the run's `finishedAt`, RSS sampled every 100 ms; (3) the change feed read
 * through `listRecords` in pages of 1000; (3b) the remap: a field mapping put on the synced connection,
 * timed until every record is re-emitted in the model's shape (`mapping.applied`), with the provider's
 * request count meanwhile (0: a mapping change needs no refetch); (4) the COPY ceiling: the same rows (same canonical JSON and
 * hash) prepared in a temporary file, then timed streaming it with postgres.js
 * `sql\`copy …\`.writable()` into a second connection of the same table. A CHECKPOINT precedes each
 * timed database phase; the rows of one phase are deleted (and the table vacuumed) before the next.
 *
 * CPU lines: % of one core used during the phase by this process (Patchbay), the provider, PostgreSQL
 * (this database's backends plus the server's background processes, read from /proc when the server
 * is local) and every other process; a high "other" means the machine was shared and figures are low.
 *
 *   npx tsx bench/sync.ts                        # sizes 100000 and 1000000
 *   npx tsx bench/sync.ts --records 20000        # one size (or a comma-separated list)
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/sync.ts --records 200000
 */
import { fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { eq } from 'drizzle-orm'
import postgres from 'postgres'
import { registerConnector } from '../connectors/registry'
import { loadConfig } from '../server/src/config'
import { closeContext, createContext, type AppContext } from '../server/src/context'
import { openDatabase, type Database } from '../server/src/db/client'
import { upsertEndUser } from '../server/src/db/queries/end-users'
import { tenants } from '../server/src/db/schema/index'
import { startJobs } from '../server/src/jobs/queues'
import { canonicalJson, contentHash } from '../server/src/lib/canonical-json'
import { newId, randomToken } from '../server/src/lib/ids'
import { createLogger } from '../server/src/lib/logger'
import { saveConnection } from '../server/src/services/connections'
import { createIntegration } from '../server/src/services/integrations'
import { mappingSchema, vendorModelSchema } from '../server/src/mapping/schema'
import { putConnectionMapping } from '../server/src/services/mappings'
import { putModel } from '../server/src/services/models'
import { listRecords } from '../server/src/services/records'
import { loadKeyring } from '../server/src/services/secrets'
import { pageRecords, syncPlan } from '../server/src/services/sync-engine'
import { getRun, triggerSync } from '../server/src/services/syncs'
import { createTenant } from '../server/src/services/tenants'
import { stopChild, type ChildMessage, type ParentMessage } from './ipc'
import { benchConnector, contact, contactId, PAGE_SIZE } from './sync-provider'

const TARGET_RPS = 25_000
const TARGET_SHARE = 0.35
/** RSS may grow by at most this much from 25 % to 100 % of a run, and between the smallest and the largest run's peak. */
const FLAT_MB = 64
const SAMPLE_MS = 100
const FEED_PAGE = 1000

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const MB = (bytes: number) => bytes / 2 ** 20
const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US')
const fmtMB = (bytes: number) => `${Math.round(MB(bytes))}`
const pct = (x: number) => `${Math.round(x * 100)}%`

function parseSizes(argv: string[]): number[] {
  let value = '100000,1000000'
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--records') value = argv[++i] ?? ''
    else if (a.startsWith('--records=')) value = a.slice('--records='.length)
    else throw new Error(`unknown argument ${a} (usage: tsx bench/sync.ts [--records N[,N…]])`)
  }
  const sizes = value.split(',').map((s) => Number(s.replace(/_/g, '').trim()))
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < PAGE_SIZE)) throw new Error(`--records wants whole numbers ≥ ${PAGE_SIZE}, got ${JSON.stringify(value)}`)
  return sizes
}

// ---------------------------------------------------------------------------------------------
// Provider process

interface Provider {
  port: number
  /** CPU time used so far, µs (user + system). */
  cpu(): Promise<number>
  /** Requests the provider has served so far. */
  requests(): Promise<number>
  stop(): Promise<void>
}

async function startProvider(): Promise<Provider> {
  // Inherit the tsx loader, not profiling flags.
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--cpu-prof') && !a.startsWith('--inspect'))
  const proc: ChildProcess = fork(here('./sync-provider.ts'), [], { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  const pending = new Map<number, (msg: { usage: NodeJS.CpuUsage; requests?: number }) => void>()
  let queries = 0
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the provider did not start within 30 s')), 30_000)
    proc.on('message', (msg: ChildMessage) => {
      if (msg.type === 'ready') {
        clearTimeout(timer)
        resolve(msg.port as number)
      } else if (msg.type === 'cpu') {
        pending.get(msg.id)?.(msg)
        pending.delete(msg.id)
      }
    })
    proc.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the provider exited with code ${code} before it was ready`))
    })
  })
  const send = (m: ParentMessage) => proc.connected && proc.send(m)
  /** One `cpu` query: the provider's CPU usage and request count now. */
  const query = () =>
    new Promise<{ usage: NodeJS.CpuUsage; requests?: number }>((resolve) => {
      const id = ++queries
      pending.set(id, resolve)
      send({ type: 'cpu', id })
    })
  return {
    port,
    cpu: async () => {
      const { usage } = await query()
      return usage.user + usage.system
    },
    requests: async () => (await query()).requests ?? NaN,
    stop: () => stopChild(proc, () => send({ type: 'stop' })),
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring helpers

/** Samples `process.memoryUsage().rss` every 100 ms and keeps the peak. */
class RssSampler {
  peak = process.memoryUsage().rss
  private readonly timer: NodeJS.Timeout
  constructor() {
    this.timer = setInterval(() => this.sample(), SAMPLE_MS)
  }
  sample(): number {
    const rss = process.memoryUsage().rss
    if (rss > this.peak) this.peak = rss
    return rss
  }
  stop(): number {
    clearInterval(this.timer)
    return this.sample()
  }
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
 * CPU use over a window, % of one core: this process (Patchbay), the provider, PostgreSQL (this
 * database's backends and the server's background processes, from /proc when the server is local)
 * and everything else on the machine (other databases' backends, unrelated processes, the kernel).
 */
interface CpuShare {
  patchbay: number
  provider: number
  postgres: number | null
  other: number
}

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on every Linux build that matters). */
const CLOCK_TICKS = 100

/** CPU time (user + system) of a local process, ms; null when unreadable. */
function procCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS) * 1000
  } catch {
    return null
  }
}

/** CPU time so far of each PostgreSQL process serving this database (plus background processes), by pid; null when the server is not local. */
async function postgresCpu(sql: postgres.Sql): Promise<Map<number, number> | null> {
  if (os.platform() !== 'linux') return null
  const rows = await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database() or datname is null`
  const out = new Map<number, number>()
  for (const { pid } of rows) {
    const ms = procCpuMs(pid)
    if (ms !== null) out.set(pid, ms)
  }
  // Our own session's backend must be visible, else the server runs elsewhere (or in a container).
  const [self] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`
  return out.has(self!.pid) ? out : null
}

async function cpuWindow(provider: Provider, sql: postgres.Sql): Promise<() => Promise<CpuShare>> {
  const m0 = machineTimes()
  const self0 = process.cpuUsage()
  const prov0 = await provider.cpu()
  const pg0 = await postgresCpu(sql)
  const t0 = performance.now()
  return async () => {
    const ms = performance.now() - t0
    const self = process.cpuUsage(self0)
    const prov = (await provider.cpu()) - prov0
    const pg1 = pg0 && (await postgresCpu(sql))
    const m1 = machineTimes()
    const cores = os.cpus().length
    const machine = m1.all === m0.all ? 0 : ((m1.busy - m0.busy) / (m1.all - m0.all)) * cores
    const patchbay = (self.user + self.system) / 1000 / ms
    const providerShare = prov / 1000 / ms
    let pgMs: number | null = null
    if (pg0 && pg1) {
      pgMs = 0
      for (const [pid, end] of pg1) pgMs += end - (pg0.get(pid) ?? 0)
    }
    const pg = pgMs === null ? null : pgMs / ms
    return { patchbay, provider: providerShare, postgres: pg, other: Math.max(0, machine - patchbay - providerShare - (pg ?? 0)) }
  }
}

const fmtCpu = (c: CpuShare) => `Patchbay ${pct(c.patchbay)} / provider ${pct(c.provider)} / ${c.postgres === null ? 'rest (PostgreSQL and others)' : `PostgreSQL ${pct(c.postgres)} / other processes`} ${pct(c.other)} of one core`

// ---------------------------------------------------------------------------------------------
// Phases

interface SizeResult {
  records: number
  pipeline: { fetchRps: number; hashRps: number; bytesPerRecord: number }
  sync: { seconds: number; rps: number; fetchSeconds: number; deleteSeconds: number; pages: number; cpu: CpuShare }
  feed: { seconds: number; rps: number }
  remap: { seconds: number; rps: number; providerRequests: number; cpu: CpuShare }
  e2eRps: number
  copy: { seconds: number; rps: number; cpu: CpuShare }
  rss: { start: number; peak: number; marks: number[]; feedPeak: number }
}

/**
 * Fetches every page from the provider over one keep-alive connection and parses it (timed), then
 * turns its items into canonical JSON + hashes with the engine's own `pageRecords` (timed apart).
 */
async function pipelineBaseline(baseUrl: string, n: number): Promise<SizeResult['pipeline']> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  const plan = syncPlan(benchConnector(), 'contacts')
  let fetchMs = 0
  let hashMs = 0
  let bytes = 0
  let after = 0
  let seen = 0
  try {
    for (;;) {
      const t0 = performance.now()
      const text = await new Promise<string>((resolve, reject) => {
        const req = http.get(`${baseUrl}/contacts?limit=${PAGE_SIZE}&after=${after}`, { agent, headers: { 'x-api-key': 'bench', accept: 'application/json' } }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
          res.once('error', reject)
        })
        req.once('error', reject)
      })
      const body = JSON.parse(text) as { results: unknown[]; paging: { next?: { after: string } } }
      const t1 = performance.now()
      const page = pageRecords(plan, body.results, null)
      const t2 = performance.now()
      fetchMs += t1 - t0
      hashMs += t2 - t1
      for (const d of page.batch.data) bytes += d.length
      seen += page.batch.externalIds.length
      if (!body.paging.next) break
      after = Number(body.paging.next.after)
    }
  } finally {
    agent.destroy()
  }
  if (seen !== n) throw new Error(`pipeline baseline saw ${seen} records, expected ${n}`)
  return { fetchRps: n / (fetchMs / 1000), hashRps: n / (hashMs / 1000), bytesPerRecord: bytes / n }
}

/** Triggers the sync and waits for its run to succeed, sampling RSS and progress. */
async function timeSync(ctx: AppContext, provider: Provider, sql: postgres.Sql, environmentId: string, connectionId: string, n: number, rss: RssSampler): Promise<{ sync: SizeResult['sync']; marks: number[] }> {
  const cpuDone = await cpuWindow(provider, sql)
  const wallStart = Date.now()
  const t0 = performance.now()
  const { run } = await triggerSync(ctx, environmentId, connectionId, 'contacts')
  const marks: number[] = []
  let deleteSeenAt: number | null = null
  let last = run
  for (;;) {
    await sleep(SAMPLE_MS)
    last = await getRun(ctx, environmentId, run.id)
    const now = rss.sample()
    while (marks.length < 3 && last.added >= ((marks.length + 1) / 4) * n) marks.push(now)
    if (deleteSeenAt === null && last.checkpoint.phase !== 'fetch') deleteSeenAt = performance.now()
    if (['succeeded', 'failed', 'cancelled'].includes(last.status)) break
    if (performance.now() - t0 > 30 * 60_000) throw new Error('the sync did not finish within 30 minutes')
  }
  const tEnd = performance.now()
  marks.push(rss.sample())
  const cpu = await cpuDone()
  if (last.status !== 'succeeded') throw new Error(`the sync run ${last.status}: ${last.errorCode ?? ''} ${last.errorMessage ?? ''}`)
  if (last.added !== n) throw new Error(`the sync added ${last.added} records, expected ${n}`)
  // finishedAt is the database's clock (same machine): more precise than the 100 ms poll.
  const seconds = last.finishedAt ? Math.max(1, last.finishedAt.getTime() - wallStart) / 1000 : (tEnd - t0) / 1000
  const fetchSeconds = deleteSeenAt === null ? seconds : Math.min(seconds, (deleteSeenAt - t0) / 1000)
  return { sync: { seconds, rps: n / seconds, fetchSeconds, deleteSeconds: seconds - fetchSeconds, pages: last.pages, cpu }, marks }
}

/** Reads the whole change feed through the service, pages of 1000; checks ids and some hashes. */
async function timeFeed(ctx: AppContext, environmentId: string, connectionId: string, n: number, rss: RssSampler): Promise<SizeResult['feed']> {
  const seen = new Uint8Array(n)
  let count = 0
  let cursor: string | undefined
  const t0 = performance.now()
  for (;;) {
    const page = await listRecords(ctx, environmentId, { connectionId, model: 'contact', cursor, limit: FEED_PAGE })
    for (const r of page.data) {
      const i = Number(r.id) - Number(contactId(0))
      if (!(i >= 0 && i < n) || seen[i]) throw new Error(`unexpected or repeated record ${r.id} in the feed`)
      seen[i] = 1
      if (i % 9973 === 0 && r.hash !== contentHash(canonicalJson(contact(i)))) throw new Error(`record ${r.id} has an unexpected hash`)
    }
    count += page.data.length
    cursor = page.nextCursor
    rss.sample()
    if (!page.hasMore) break
  }
  const seconds = (performance.now() - t0) / 1000
  if (count !== n) throw new Error(`the feed returned ${count} records, expected ${n}`)
  return { seconds, rps: n / seconds }
}

/** The vendor model the remap phase maps the bench contacts to. */
const BENCH_MODEL = 'BenchContact'

/**
 * Times a mapping change on a synced connection: from `putConnectionMapping` until the remap job
 * has re-emitted every stored record and recorded `mapping.applied` (polled every 100 ms in the
 * outbox), counting the provider's requests meanwhile (expected: none; a full resync is the
 * alternative Merge takes). Then checks the re-emitted feed: `n` records, in the model's shape.
 */
async function timeRemap(ctx: AppContext, provider: Provider, sql: postgres.Sql, environmentId: string, connectionId: string, n: number): Promise<SizeResult['remap']> {
  const requestsBefore = await provider.requests()
  const cpuDone = await cpuWindow(provider, sql)
  const t0 = performance.now()
  const mapping = mappingSchema.parse({
    model: BENCH_MODEL,
    fields: { email: { source: 'field', path: 'email' }, name: { source: 'field', path: 'firstName' }, surname: { source: 'field', path: 'lastName' } },
  })
  await putConnectionMapping(ctx, environmentId, connectionId, 'contact', mapping)
  let applied: { cursor: string; updated: number } | undefined
  while (!applied) {
    await sleep(SAMPLE_MS)
    const [row] = await sql<{ changes: { cursor: string; updated: number } }[]>`
      select payload->'changes' as changes from webhook_events
      where type = 'mapping.applied' and payload->'connection'->>'id' = ${connectionId} limit 1`
    applied = row?.changes
    if (performance.now() - t0 > 30 * 60_000) throw new Error('the remap did not finish within 30 minutes')
  }
  const seconds = (performance.now() - t0) / 1000
  const cpu = await cpuDone()
  const providerRequests = (await provider.requests()) - requestsBefore
  if (applied.updated !== n) throw new Error(`the remap re-emitted ${applied.updated} records, expected ${n}`)
  let seen = 0
  let cursor: string | undefined = applied.cursor
  for (;;) {
    const page = await listRecords(ctx, environmentId, { connectionId, model: 'contact', cursor, limit: FEED_PAGE })
    for (const r of page.data) {
      const data = r.data as Record<string, unknown>
      if (typeof data.email !== 'string' || typeof data.surname !== 'string' || 'lastName' in data || r.mapping?.model !== BENCH_MODEL) throw new Error(`record ${r.id} is not in the ${BENCH_MODEL} shape after the remap`)
    }
    seen += page.data.length
    cursor = page.nextCursor
    if (!page.hasMore) break
  }
  if (seen !== n) throw new Error(`the feed after the remap returned ${seen} records, expected ${n}`)
  return { seconds, rps: n / seconds, providerRequests, cpu }
}

/** A text-format COPY line: tab-separated, backslash escapes (PostgreSQL docs, COPY "Text Format"). */
const copyText = (s: string) => s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))

/** Writes the COPY input for `n` records of `connectionId` (the same canonical JSON and hash as the sync stores). */
async function prepareCopy(file: string, connectionId: string, n: number): Promise<void> {
  const out = createWriteStream(file, { highWaterMark: 1 << 20 })
  const prefix = `${copyText(connectionId)}\tcontact\t`
  let chunk = ''
  for (let i = 0; i < n; i++) {
    const item = contact(i)
    const text = canonicalJson(item)
    chunk += `${prefix}${copyText(String(item.id))}\t${copyText(text)}\t${contentHash(text)}\tadded\t\\N\n`
    if ((i + 1) % PAGE_SIZE === 0 || i === n - 1) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()))
      chunk = ''
    }
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())))
}

/** Streams the prepared file through `COPY records (…) FROM STDIN`. */
async function timeCopy(sql: postgres.Sql, provider: Provider, file: string): Promise<{ seconds: number; cpu: CpuShare }> {
  const cpuDone = await cpuWindow(provider, sql)
  const t0 = performance.now()
  const writable = await sql`copy records (connection_id, model, external_id, data, hash, last_action, last_seen_run_id) from stdin`.writable()
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), writable)
  const seconds = (performance.now() - t0) / 1000
  return { seconds, cpu: await cpuDone() }
}

/** Count and an order-independent checksum of (external id, hash) of a connection's records. */
async function fingerprint(sql: postgres.Sql, connectionId: string): Promise<string> {
  const [row] = await sql<{ n: string; sum: string }[]>`
    select count(*)::text as n, coalesce(sum(hashtextextended(external_id || ':' || hash, 0)), 0)::text as sum
    from records where connection_id = ${connectionId} and model = 'contact'`
  return `${row!.n}/${row!.sum}`
}

async function clearRecords(sql: postgres.Sql, connectionId: string): Promise<void> {
  await sql`delete from records where connection_id = ${connectionId}`
  await sql`vacuum records`
}

/** CHECKPOINT before a timed phase, so that one phase's dirty pages are not written during the next (superuser only; skipped otherwise). */
async function checkpoint(sql: postgres.Sql): Promise<void> {
  await sql`checkpoint`.catch(() => {})
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const sizes = parseSizes(process.argv.slice(2))
  const cpus = os.cpus()
  console.log(`Patchbay sync benchmark: node ${process.version}, ${cpus.length} CPU core(s) (${cpus[0]?.model.trim() ?? 'unknown'}), ${os.platform()} ${os.arch()}`)
  const busy0 = machineTimes()
  await sleep(500)
  const busy1 = machineTimes()
  const busy = (busy1.busy - busy0.busy) / Math.max(1, busy1.all - busy0.all)
  console.log(`Machine busy before the run: ${Math.round(busy * 100)}% of all cores${busy > 0.1 ? ' -- WARNING: other processes are using the CPU; figures will be lower and noisier' : ''}`)

  const cleanups: (() => Promise<void>)[] = []
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch((err: Error) => console.error(`cleanup: ${err.message}`))
  }
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)))

  try {
    // Database: the given one (a tenant of our own), else a fresh database dropped at the end.
    let url = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL
    let where: string
    if (url) {
      where = `${new URL(url).host}${new URL(url).pathname} (given; a tenant of its own, deleted at the end)`
    } else {
      const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
      const name = `patchbay_bench_${randomToken(10).toLowerCase()}`
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
      try {
        await admin`select 1`
      } catch (err) {
        await admin.end({ timeout: 1 })
        console.log(`SKIPPED: no PostgreSQL at ${adminUrl} (${(err as Error).message}); set BENCH_DATABASE_URL, DATABASE_URL or BENCH_ADMIN_URL`)
        return
      }
      await admin.unsafe(`create database ${name}`)
      cleanups.push(async () => {
        await admin.unsafe(`drop database if exists ${name} with (force)`)
        await admin.end()
      })
      const u = new URL(adminUrl)
      u.pathname = `/${name}`
      url = u.toString()
      where = `${u.host}/${name} (temporary, dropped at the end)`
    }
    const sql = postgres(url, { max: 1, onnotice: () => {} })
    cleanups.push(() => sql.end({ timeout: 5 }))
    const settings = await sql<{ name: string; setting: string; unit: string | null }[]>`
      select name, setting, unit from pg_settings where name in ('shared_buffers', 'synchronous_commit', 'max_wal_size', 'wal_level', 'fsync')`
    const [{ version } = { version: '?' }] = await sql<{ version: string }[]>`select current_setting('server_version') as version`
    console.log(`PostgreSQL ${version} at ${where}`)
    console.log(`  ${settings.map((s) => `${s.name}=${s.setting}${s.unit ?? ''}`).join(', ')}`)

    const provider = await startProvider()
    cleanups.push(() => provider.stop())
    const providerUrl = `http://127.0.0.1:${provider.port}`

    registerConnector(benchConnector())
    const config = loadConfig({ NODE_ENV: 'production', PATCHBAY_ENCRYPTION_KEY: randomBytes(32).toString('base64'), PORT: '0', LOG_LEVEL: 'silent', PATCHBAY_DEMO: '0', DATABASE_URL: url })
    const database: Database = await openDatabase({ url, max: 10 })
    cleanups.push(() => database.close())
    const log = createLogger('silent')
    const ctx = await createContext(config, database, log, loadKeyring(config, log))
    await startJobs(ctx, { work: true })
    cleanups.push(() => closeContext(ctx))

    const tenant = await createTenant(ctx, `bench-sync-${new Date().toISOString()}`)
    if (process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL) {
      // Registered before closeContext's cleanup, so it runs after it (cleanups run in reverse).
      cleanups.splice(cleanups.length - 1, 0, async () => void (await database.db.delete(tenants).where(eq(tenants.id, tenant.tenantId))))
    }
    const environmentId = tenant.environments.production
    const endUser = await upsertEndUser(ctx.db, { id: newId('eu'), environmentId, externalId: 'bench-user' })
    await putModel(ctx, environmentId, vendorModelSchema.parse({ name: BENCH_MODEL, fields: { email: { type: 'string', required: true }, name: { type: 'string' }, surname: { type: 'string' } } }))
    const tmp = mkdtempSync(join(os.tmpdir(), 'patchbay-bench-sync-'))
    cleanups.push(async () => rmSync(tmp, { recursive: true, force: true }))

    console.log(`provider  ${providerUrl}  (cursor pages of ${PAGE_SIZE}, records generated on the fly, own process)`)
    console.log(`sizes     ${sizes.map(fmtInt).join(', ')} records; sync = trigger → run succeeded (incl. the full sync's deletion pass); feed = listRecords, pages of ${FEED_PAGE}\n`)

    const results: SizeResult[] = []
    for (const n of sizes) {
      console.log(`── ${fmtInt(n)} records ──`)
      const integration = await createIntegration(ctx, environmentId, {
        key: `bench-${n}-${randomToken(6).toLowerCase()}`,
        connectorId: 'bench-crm',
        overrides: { baseUrl: `${providerUrl}/n/${n}` },
        allowMultipleConnections: true,
        syncSettings: { autoStart: false },
      })
      const connect = () => saveConnection(ctx, { environmentId, integration, endUserId: endUser.id, credentials: { type: 'api_key', values: { apiKey: 'bench' } }, connectionConfig: {}, scopes: [] })
      const syncConnection = await connect()
      const copyConnection = await connect()

      const pipe = await pipelineBaseline(`${providerUrl}/n/${n}`, n)
      console.log(`  pipeline without database: fetch + JSON.parse ${fmtInt(pipe.fetchRps)} rec/s; canonical JSON + SHA-256 ${fmtInt(pipe.hashRps)} rec/s (${Math.round(pipe.bytesPerRecord)} bytes/record)`)

      await checkpoint(sql)
      const rss = new RssSampler()
      const rssStart = rss.sample()
      const { sync, marks } = await timeSync(ctx, provider, sql, environmentId, syncConnection, n, rss)
      console.log(`  sync:  ${sync.seconds.toFixed(2)} s = ${fmtInt(sync.rps)} rec/s  (${sync.pages} pages; fetch+store ~${sync.fetchSeconds.toFixed(1)} s, deletion pass ~${sync.deleteSeconds.toFixed(1)} s)`)
      console.log(`         CPU: ${fmtCpu(sync.cpu)}`)
      const feedRss = new RssSampler()
      const feed = await timeFeed(ctx, environmentId, syncConnection, n, feedRss)
      const feedPeak = feedRss.stop()
      rss.stop()
      const e2eRps = n / (sync.seconds + feed.seconds)
      console.log(`  feed:  ${feed.seconds.toFixed(2)} s = ${fmtInt(feed.rps)} rec/s;  end to end (sync + feed) ${fmtInt(e2eRps)} rec/s`)
      console.log(`  RSS MB: start ${fmtMB(rssStart)}, at 25/50/75/100 % ${marks.map(fmtMB).join(' / ')}, peak ${fmtMB(rss.peak)} (feed read peak ${fmtMB(Math.max(feedPeak, feedRss.peak))})`)
      const remap = await timeRemap(ctx, provider, sql, environmentId, syncConnection, n)
      console.log(`  remap: ${remap.seconds.toFixed(2)} s = ${fmtInt(remap.rps)} rec/s re-emitted in the ${BENCH_MODEL} shape after a mapping change, ${remap.providerRequests} provider requests (the full sync: ${sync.pages} pages); ${pct(remap.seconds / sync.seconds)} of the full sync's time`)
      console.log(`         CPU: ${fmtCpu(remap.cpu)}`)

      const synced = await fingerprint(sql, syncConnection)
      await clearRecords(sql, syncConnection)
      const file = join(tmp, `copy-${n}.tsv`)
      await prepareCopy(file, copyConnection, n)
      await checkpoint(sql)
      const copy = await timeCopy(sql, provider, file)
      rmSync(file, { force: true })
      const copied = await fingerprint(sql, copyConnection)
      if (copied !== synced) throw new Error(`COPY rows differ from the synced rows (${copied} vs ${synced})`)
      await clearRecords(sql, copyConnection)
      const copyRps = n / copy.seconds
      console.log(`  COPY:  ${copy.seconds.toFixed(2)} s = ${fmtInt(copyRps)} rows/s (same rows: count and checksum of ids + hashes match);  sync = ${pct(sync.rps / copyRps)} of COPY, end to end = ${pct(e2eRps / copyRps)}`)
      console.log(`         CPU: ${fmtCpu(copy.cpu)}\n`)

      results.push({ records: n, pipeline: pipe, sync, feed, remap, e2eRps, copy: { seconds: copy.seconds, rps: copyRps, cpu: copy.cpu }, rss: { start: rssStart, peak: rss.peak, marks, feedPeak: Math.max(feedPeak, feedRss.peak) } })
    }

    printSummary(results)
  } finally {
    await cleanup()
  }
}

function printSummary(results: SizeResult[]): void {
  const head = ['records', 'sync s', 'sync rec/s', 'feed rec/s', 'e2e rec/s', 'COPY rows/s', 'sync/COPY', 'e2e/COPY', 'remap s', 'remap/sync', 'remap requests', 'peak RSS MB', 'RSS 25/50/75/100 % MB']
  const rows = results.map((r) => [
    fmtInt(r.records),
    r.sync.seconds.toFixed(1),
    fmtInt(r.sync.rps),
    fmtInt(r.feed.rps),
    fmtInt(r.e2eRps),
    fmtInt(r.copy.rps),
    pct(r.sync.rps / r.copy.rps),
    pct(r.e2eRps / r.copy.rps),
    r.remap.seconds.toFixed(1),
    pct(r.remap.seconds / r.sync.seconds),
    String(r.remap.providerRequests),
    fmtMB(r.rss.peak),
    r.rss.marks.map(fmtMB).join(' / '),
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padStart(widths[i]!))).join('  ')
  console.log('Summary (PostgreSQL)')
  console.log(line(head))
  for (const r of rows) console.log(line(r))
  console.log('')

  const mark = (ok: boolean) => (ok ? 'PASS' : 'FAIL')
  console.log(`Targets (issue): ≥ ${fmtInt(TARGET_RPS)} records/s and ≥ ${pct(TARGET_SHARE)} of the COPY ceiling, memory flat; shown for the sync alone and end to end (sync + feed read).`)
  for (const r of results) {
    const share = (rps: number) => rps / r.copy.rps
    console.log(
      `${fmtInt(r.records).padStart(9)} records:  records/s  sync ${fmtInt(r.sync.rps)} ${mark(r.sync.rps >= TARGET_RPS)}, end to end ${fmtInt(r.e2eRps)} ${mark(r.e2eRps >= TARGET_RPS)};  ` +
        `share of COPY (${fmtInt(r.copy.rps)} rows/s)  sync ${pct(share(r.sync.rps))} ${mark(share(r.sync.rps) >= TARGET_SHARE)}, end to end ${pct(share(r.e2eRps))} ${mark(share(r.e2eRps) >= TARGET_SHARE)}`,
    )
  }
  const growth = results.map((r) => r.rss.marks[3]! - r.rss.marks[0]!)
  const first = results[0]!
  const lastR = results.at(-1)!
  const across = lastR.rss.peak - first.rss.peak
  const flat = growth.every((g) => MB(g) <= FLAT_MB) && MB(across) <= FLAT_MB
  console.log(
    `memory: RSS growth from 25 % to 100 % of each run ${growth.map((g) => `${Math.round(MB(g))} MB`).join(', ')}` +
      (results.length > 1 ? `; peak ${fmtMB(lastR.rss.peak)} MB at ${fmtInt(lastR.records)} vs ${fmtMB(first.rss.peak)} MB at ${fmtInt(first.records)} records` : '') +
      `   target flat (≤ ${FLAT_MB} MB growth)  ${mark(flat)}`,
  )
}

await main()
