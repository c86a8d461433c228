/**
 * Proxy benchmark (`npm run bench`): latency (p50, p99) and throughput of Patchbay's proxy at 1
 * and 50 concurrent connections, next to two baselines measured in the same run:
 *   - direct:     the load generator calls the upstream itself;
 *   - bare proxy: a keep-alive node:http forwarder with no auth and no database (bench/bare-proxy.ts).
 * Upstream, bare proxy and Patchbay each run in their own process; the load generator runs here.
 * Prints the figures, the targets with PASS/MISS, and always exits 0 (it measures, it does not test).
 * See bench/README.md.
 *
 * Each scenario's measured time is split into BENCH_SLICES slices run round-robin with the other
 * scenarios, so that load from other processes on a shared machine affects all scenarios alike.
 *
 * Environment (all optional):
 *   BENCH_DURATION_MS   measured time per scenario and concurrency (default 5000)
 *   BENCH_WARMUP_MS     warm-up per scenario and concurrency, spread over its slices (default 1000)
 *   BENCH_SLICES        slices per scenario (default 5)
 *   BENCH_CONCURRENCY   comma-separated connection counts (default "1,50")
 *   BENCH_SCENARIOS     subset of "direct,bare,patchbay,oauth2" (default all)
 *   BENCH_PROFILE_DIR   write a V8 CPU profile of the Patchbay process there (see bench/profile-summary.ts)
 *   DATABASE_URL        PostgreSQL instead of PGlite in a temp dir (a unique tenant is created and deleted again)
 */
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stopChild, type ChildMessage, type ParentMessage } from './ipc'

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000)
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 1000)
/** Each scenario's measurement is split into this many slices, run round-robin with the other scenarios. */
const SLICES = Math.max(1, Number(process.env.BENCH_SLICES ?? 5))
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,50').split(',').map(Number)
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR
const SCENARIOS = new Set((process.env.BENCH_SCENARIOS ?? 'direct,bare,patchbay,oauth2').split(',').map((s) => s.trim()))

const TARGET_ADDED_MS = 0.5
const TARGET_RPS = 10_000
const TARGET_SHARE = 0.5

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// ---------------------------------------------------------------------------------------------
// Child processes

interface Child {
  name: string
  proc: ChildProcess
  ready: Record<string, unknown>
  /** CPU time used so far, µs (user + system). */
  cpu(): Promise<number>
  stop(): Promise<void>
}

let cpuQuery = 0

async function start(name: string, file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; execArgv?: string[] } = {}): Promise<Child> {
  // Inherit the tsx loader from this process (`tsx bench/proxy.ts` or `node --import tsx …`), not profiling flags.
  const execArgv = [...process.execArgv.filter((a) => !a.startsWith('--cpu-prof') && !a.startsWith('--inspect')), ...(opts.execArgv ?? [])]
  const proc = fork(here(file), args, { execArgv, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  const pending = new Map<number, (us: number) => void>()
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s`)), 60_000)
    proc.on('message', (msg: ChildMessage) => {
      if (msg.type === 'ready') {
        clearTimeout(timer)
        resolve(msg)
      } else if (msg.type === 'error') {
        clearTimeout(timer)
        reject(new Error(`${name} failed to start: ${msg.message}`))
      } else if (msg.type === 'cpu') {
        pending.get(msg.id)?.(msg.usage.user + msg.usage.system)
        pending.delete(msg.id)
      }
    })
    proc.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${name} exited with code ${code} before it was ready`))
    })
  })
  const send = (m: ParentMessage) => proc.connected && proc.send(m)
  return {
    name,
    proc,
    ready,
    cpu: () =>
      new Promise((resolve) => {
        const id = ++cpuQuery
        pending.set(id, resolve)
        send({ type: 'cpu', id })
      }),
    stop: () => stopChild(proc, () => send({ type: 'stop' }), 10_000),
  }
}

// ---------------------------------------------------------------------------------------------
// Load generator

interface Result {
  scenario: string
  c: number
  requests: number
  errors: number
  rps: number
  p50: number
  p99: number
  /** CPU use during the window, % of one core. */
  cpu: { gen: number; server: number | undefined; upstream: number; other: number }
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

const busyShare = (a: { busy: number; all: number }, b: { busy: number; all: number }) => (b.all === a.all ? 0 : (b.busy - a.busy) / (b.all - a.all))

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

/** What one measured slice produced (CPU times in µs). */
interface Slice {
  latencies: Float64Array
  errors: number
  elapsedUs: number
  cpu: { gen: number; server: number | undefined; upstream: number; machine: number }
}

/** Runs `c` request loops against `url` for `warmupMs` + `durationMs`; measures the last `durationMs`. */
async function slice(url: string, headers: Record<string, string>, c: number, server: Child | undefined, upstream: Child, warmupMs: number, durationMs: number): Promise<Slice> {
  const target = new URL(url)
  const agent = new http.Agent({ keepAlive: true, maxSockets: c })
  let latencies = new Float64Array(1 << 15)
  let count = 0
  let errors = 0
  let recording = false
  let running = true

  const once = () =>
    new Promise<void>((resolve) => {
      const t0 = process.hrtime.bigint()
      const req = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: 'GET', headers, agent }, (res) => {
        res.on('data', () => {})
        res.on('end', () => {
          if (recording) {
            if (res.statusCode !== 200) errors++
            else {
              if (count === latencies.length) {
                const bigger = new Float64Array(latencies.length * 2)
                bigger.set(latencies)
                latencies = bigger
              }
              latencies[count++] = Number(process.hrtime.bigint() - t0) / 1e6
            }
          }
          resolve()
        })
      })
      req.on('error', () => {
        if (recording) errors++
        resolve()
      })
      req.end()
    })
  const loop = async () => {
    while (running) await once()
  }
  const loops = Array.from({ length: c }, loop)

  await sleep(warmupMs)
  const [gen0, server0, up0] = [process.cpuUsage(), await server?.cpu(), await upstream.cpu()]
  const machine0 = machineTimes()
  const t0 = process.hrtime.bigint()
  recording = true
  await sleep(durationMs)
  recording = false
  const elapsedUs = Number(process.hrtime.bigint() - t0) / 1e3
  const gen1 = process.cpuUsage(gen0)
  const machine = busyShare(machine0, machineTimes()) * os.cpus().length * elapsedUs
  const [server1, up1] = [await server?.cpu(), await upstream.cpu()]
  running = false
  await Promise.all(loops)
  agent.destroy()
  return {
    latencies: latencies.subarray(0, count),
    errors,
    elapsedUs,
    cpu: { gen: gen1.user + gen1.system, server: server0 !== undefined && server1 !== undefined ? server1 - server0 : undefined, upstream: up1 - up0!, machine },
  }
}

/** Merges a scenario's slices into one result. */
function summarise(scenario: string, c: number, slices: Slice[]): Result {
  const count = slices.reduce((n, s) => n + s.latencies.length, 0)
  const sorted = new Float64Array(count)
  let offset = 0
  for (const s of slices) {
    sorted.set(s.latencies, offset)
    offset += s.latencies.length
  }
  sorted.sort()
  const elapsedUs = slices.reduce((n, s) => n + s.elapsedUs, 0)
  const sum = (f: (s: Slice) => number | undefined) => slices.reduce((n, s) => n + (f(s) ?? 0), 0)
  const pct = (us: number) => (100 * us) / elapsedUs
  const hasServer = slices.every((s) => s.cpu.server !== undefined)
  const cpu = { gen: pct(sum((s) => s.cpu.gen)), server: hasServer ? pct(sum((s) => s.cpu.server)) : undefined, upstream: pct(sum((s) => s.cpu.upstream)) }
  const machine = pct(sum((s) => s.cpu.machine))
  return {
    scenario,
    c,
    requests: count,
    errors: sum((s) => s.errors),
    rps: count / (elapsedUs / 1e6),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    cpu: { ...cpu, other: Math.max(0, machine - cpu.gen - (cpu.server ?? 0) - cpu.upstream) },
  }
}

/** One request, body parsed as JSON. */
function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) })
          } catch {
            resolve({ status: res.statusCode ?? 0, body: text })
          }
        })
      })
      .on('error', reject)
  })
}

// ---------------------------------------------------------------------------------------------
// Output

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US')
const fmtMs = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(3))
const fmtPct = (n: number | undefined) => (n === undefined ? '-' : `${Math.round(n)}%`)
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS')

function printTable(results: Result[]): void {
  const head = ['scenario', 'c', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'server µs/req', 'CPU gen/server/upstream/other']
  const rows = results.map((r) => [r.scenario, String(r.c), fmtInt(r.rps), fmtMs(r.p50), fmtMs(r.p99), String(r.errors), r.cpu.server === undefined ? '-' : String(Math.round((r.cpu.server * 1e4) / r.rps)), `${fmtPct(r.cpu.gen)} / ${fmtPct(r.cpu.server)} / ${fmtPct(r.cpu.upstream)} / ${fmtPct(r.cpu.other)}`])
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd()
  console.log(line(head))
  let lastC: number | undefined
  for (let i = 0; i < rows.length; i++) {
    if (lastC !== undefined && results[i]!.c !== lastC) console.log('')
    lastC = results[i]!.c
    console.log(line(rows[i]!))
  }
}

/** Share of the whole machine's CPU (all cores) busy over `ms`, from the kernel's per-core counters. */
async function machineBusy(ms: number): Promise<number> {
  const a = machineTimes()
  await sleep(ms)
  return busyShare(a, machineTimes())
}

/** Untimed load through both proxies so that V8 has optimised the hot paths before anything is measured. */
async function jitWarmup(urls: { url: string; headers: Record<string, string> }[], ms: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 })
  const until = Date.now() + ms
  const loop = async (u: { url: string; headers: Record<string, string> }) => {
    while (Date.now() < until) {
      await new Promise<void>((resolve) => {
        http.get(u.url, { headers: u.headers, agent }, (res) => res.resume().on('end', resolve)).on('error', () => resolve())
      })
    }
  }
  await Promise.all(urls.flatMap((u) => Array.from({ length: 8 }, () => loop(u))))
  agent.destroy()
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const cpus = os.cpus()
  const scenarios = SCENARIOS.size
  const estimate = Math.round((CONCURRENCY.length * scenarios * (WARMUP_MS + DURATION_MS)) / 1000)
  console.log(`Patchbay proxy benchmark: node ${process.version}, ${cpus.length} CPU core(s) (${cpus[0]?.model.trim() ?? 'unknown'}), ${os.platform()} ${os.arch()}`)
  if (cpus.length <= 2) {
    console.log(`Note: only ${cpus.length} core(s). The load generator, the proxy under test and the upstream share them, so absolute`)
    console.log('      throughput is lower than on a dedicated machine; compare scenarios within this run, not across machines.')
  }
  const busy = await machineBusy(1000)
  console.log(`Machine busy before the run: ${Math.round(busy * 100)}% of all cores${busy > 0.1 ? ' -- WARNING: other processes are using the CPU; figures will be lower and noisier' : ''}`)
  console.log(`Each scenario: ${WARMUP_MS} ms warm-up + ${DURATION_MS} ms measured, in ${SLICES} slices run round-robin across scenarios; concurrency ${CONCURRENCY.join(', ')}; ~${estimate + 2} s of load.\n`)

  const children: Child[] = []
  const dataDir = process.env.DATABASE_URL ? undefined : mkdtempSync(join(os.tmpdir(), 'patchbay-bench-'))
  let interrupted = false
  process.on('SIGINT', () => {
    // Also under `tsx`, which relays the terminal's SIGINT a second time. The children exit when
    // their IPC channel closes; the temp data folder goes with us.
    if (interrupted) return
    interrupted = true
    void Promise.all(children.map((ch) => ch.stop())).finally(() => {
      if (dataDir) rmSync(dataDir, { recursive: true, force: true })
      process.exit(130)
    })
  })
  try {
    const upstream = await start('upstream', './upstream.ts', [])
    children.push(upstream)
    const upstreamPort = upstream.ready.port as number
    const [bare, patchbay] = await Promise.all([
      start('bare proxy', './bare-proxy.ts', [String(upstreamPort)]),
      start('patchbay', './patchbay-process.ts', [String(upstreamPort)], {
        env: { BENCH_DATA_DIR: dataDir },
        execArgv: PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [],
      }),
    ])
    children.push(bare, patchbay)
    const pb = patchbay.ready as unknown as { url: string; secretKey: string; connectionId: string; oauthConnectionId: string; database: string; startupMs: number }
    console.log(`upstream  http://127.0.0.1:${upstreamPort}  (${upstream.ready.bodyBytes} byte JSON body)`)
    console.log(`bare      ${bare.ready.url as string}`)
    console.log(`patchbay  ${pb.url}  (database: ${pb.database}, started and seeded in ${pb.startupMs} ms)`)

    // Sanity: what the upstream receives through each proxy.
    const auth = { authorization: `Bearer ${pb.secretKey}` }
    const seen = async (url: string, headers: Record<string, string> = {}) => {
      const res = await getJson(url, headers)
      if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${JSON.stringify(res.body)}`)
      return (res.body as { headers: Record<string, string> }).headers
    }
    const viaKey = await seen(`${pb.url}/v1/proxy/${pb.connectionId}/inspect`, auth)
    const viaOAuth = await seen(`${pb.url}/v1/proxy/${pb.oauthConnectionId}/inspect`, auth)
    await seen(`${bare.ready.url as string}/inspect`)
    const leaked = JSON.stringify(viaKey).includes(pb.secretKey) || JSON.stringify(viaOAuth).includes(pb.secretKey)
    const injected = viaKey['x-api-key'] === 'k' && viaKey.authorization === undefined && viaOAuth.authorization === 'Bearer bench-access-token' && !leaked
    console.log(`credentials injected: ${injected ? 'yes' : 'NO'} (API key: x-api-key=${JSON.stringify(viaKey['x-api-key'])}, authorization=${JSON.stringify(viaKey.authorization)}; OAuth 2.0: authorization=${JSON.stringify(viaOAuth.authorization)}; Patchbay secret key forwarded: ${leaked ? 'YES' : 'no'})\n`)

    await jitWarmup(
      [
        { url: `${bare.ready.url as string}/echo`, headers: {} },
        { url: `${pb.url}/v1/proxy/${pb.connectionId}/echo`, headers: auth },
        { url: `${pb.url}/v1/proxy/${pb.oauthConnectionId}/echo`, headers: auth },
      ],
      2000,
    )

    const plan = [
      { key: 'direct', scenario: 'direct', url: `http://127.0.0.1:${upstreamPort}/echo`, headers: {}, server: undefined },
      { key: 'bare', scenario: 'bare proxy', url: `${bare.ready.url as string}/echo`, headers: {}, server: bare },
      { key: 'patchbay', scenario: 'patchbay proxy', url: `${pb.url}/v1/proxy/${pb.connectionId}/echo`, headers: auth, server: patchbay },
      { key: 'oauth2', scenario: 'patchbay (oauth2)', url: `${pb.url}/v1/proxy/${pb.oauthConnectionId}/echo`, headers: auth, server: patchbay },
    ].filter((p) => SCENARIOS.has(p.key))
    const results: Result[] = []
    for (const c of CONCURRENCY) {
      // Round-robin slices: a burst of load from elsewhere on the machine hits every scenario alike.
      const slices = plan.map(() => [] as Slice[])
      for (let round = 0; round < SLICES; round++) {
        for (const [i, p] of plan.entries()) slices[i]!.push(await slice(p.url, p.headers, c, p.server, upstream, WARMUP_MS / SLICES, DURATION_MS / SLICES))
      }
      for (const [i, p] of plan.entries()) results.push(summarise(p.scenario, c, slices[i]!))
    }

    printTable(results)
    console.log(`\nserver µs/req: CPU time the proxy process spends per request (robust to contention; compare bare vs Patchbay).\nCPU: % of one core used during the measured window by the load generator (gen), the proxy, the upstream, and everything\nelse on the machine (other: kernel, the idle proxy, unrelated processes); ${os.cpus().length} cores = ${os.cpus().length * 100}%.\n`)

    const find = (scenario: string, c: number) => results.find((r) => r.scenario === scenario && r.c === c)
    const lo = Math.min(...CONCURRENCY)
    const hi = Math.max(...CONCURRENCY)
    const [d1, b1, p1, o1] = [find('direct', lo), find('bare proxy', lo), find('patchbay proxy', lo), find('patchbay (oauth2)', lo)]
    if (d1 && b1 && p1) {
      const added = p1.p50 - d1.p50
      console.log(
        `added latency (c=${lo}, p50): ${added.toFixed(3)} ms vs direct   target < ${TARGET_ADDED_MS} ms   ${verdict(added < TARGET_ADDED_MS)}` +
          `   (bare proxy adds ${(b1.p50 - d1.p50).toFixed(3)} ms; Patchbay adds ${(p1.p50 - b1.p50).toFixed(3)} ms over the bare proxy${o1 ? `; oauth2 variant ${(o1.p50 - d1.p50).toFixed(3)} ms vs direct` : ''})`,
      )
    }
    const [dN, bN, pN, oN] = [find('direct', hi), find('bare proxy', hi), find('patchbay proxy', hi), find('patchbay (oauth2)', hi)]
    if (bN && pN && hi !== lo) {
      const share = pN.rps / bN.rps
      console.log(
        `throughput (c=${hi}): ${fmtInt(pN.rps)} req/s = ${Math.round(share * 100)}% of bare proxy (${fmtInt(bN.rps)} req/s)   targets ≥ ${fmtInt(TARGET_RPS)} req/s ${verdict(pN.rps >= TARGET_RPS)} and ≥ ${TARGET_SHARE * 100}% ${verdict(share >= TARGET_SHARE)}`,
      )
      if (dN) console.log(`  (direct ${fmtInt(dN.rps)} req/s; at c=${hi} Patchbay p50 adds ${(pN.p50 - dN.p50).toFixed(3)} ms vs direct${oN ? `; oauth2 variant ${fmtInt(oN.rps)} req/s = ${Math.round((oN.rps / bN.rps) * 100)}% of bare` : ''})`)
    }
    const failed = results.filter((r) => r.errors > 0)
    if (failed.length) console.log(`\nWARNING: errors or non-200 answers in: ${failed.map((r) => `${r.scenario} c=${r.c} (${r.errors})`).join(', ')}`)
  } finally {
    await Promise.all(children.map((ch) => ch.stop()))
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
    if (PROFILE_DIR) console.log(`\nCPU profile of the Patchbay process written to ${PROFILE_DIR} (open in Chrome DevTools or speedscope).`)
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
