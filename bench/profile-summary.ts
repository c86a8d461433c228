/**
 * Summarises a V8 CPU profile (`.cpuprofile`, e.g. from `BENCH_PROFILE_DIR=… npm run bench`):
 * busy time by area (Patchbay modules, Hono, @hono/node-server, node:http, GC…), the top
 * functions by self time and by inclusive time. Idle time is left out, and so is everything before
 * the first sample inside the proxy route (start-up, migrations, seeding).
 *
 *   npx tsx bench/profile-summary.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}
interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

const [file, topArg] = process.argv.slice(2)
if (!file) {
  console.error('usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]')
  process.exit(1)
}
const TOP = Number(topArg ?? 25)
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile

const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)

const root = process.cwd()
function where(cf: CallFrame): string {
  let url = cf.url.replace(/^file:\/\//, '')
  if (url.startsWith(root)) url = url.slice(root.length + 1)
  url = url.replace(/^.*node_modules\//, '')
  return url ? `${url}:${cf.lineNumber + 1}` : ''
}
const keyOf = (cf: CallFrame) => `${cf.functionName || '(anonymous)'} ${where(cf)}`.trim()

function area(cf: CallFrame): string {
  const u = cf.url
  if (!u) return cf.functionName.startsWith('(') ? cf.functionName : '(native/builtin)'
  if (u.startsWith('node:')) {
    const mod = u.slice(5).split('/')[1] ?? u.slice(5)
    return `node:${/^_?http|https|agent|incoming|outgoing|client|server|common/.test(mod) ? 'http' : mod.replace(/^internal\//, '')}`
  }
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)
  if (nm) return nm[1]!
  const rel = u.replace(/^file:\/\//, '').replace(root + '/', '')
  return rel.replace(/\.[tj]s$/, '')
}

const stackOf = (id: number): ProfileNode[] => {
  const out: ProfileNode[] = []
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) out.push(byId.get(cur)!)
  return out
}

// Skip everything before the proxy route first runs.
let start = profile.samples.findIndex((id) => stackOf(id).some((n) => n.callFrame.functionName === 'proxyRequest'))
if (start < 0) start = 0

const self = new Map<string, number>()
const inclusive = new Map<string, number>()
const areas = new Map<string, number>()
let busy = 0
let idle = 0
for (let i = start; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0
  const node = byId.get(profile.samples[i]!)!
  const fn = node.callFrame.functionName
  if (fn === '(idle)') {
    idle += dt
    continue
  }
  busy += dt
  self.set(keyOf(node.callFrame), (self.get(keyOf(node.callFrame)) ?? 0) + dt)
  areas.set(area(node.callFrame), (areas.get(area(node.callFrame)) ?? 0) + dt)
  const seen = new Set<string>()
  for (const n of stackOf(node.id)) {
    const k = keyOf(n.callFrame)
    if (seen.has(k)) continue
    seen.add(k)
    inclusive.set(k, (inclusive.get(k) ?? 0) + dt)
  }
}

const pct = (v: number) => `${((100 * v) / busy).toFixed(1).padStart(5)}%`
const print = (title: string, m: Map<string, number>, n: number, filter: (k: string) => boolean = () => true) => {
  console.log(`\n${title}`)
  for (const [k, v] of [...m].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`  ${pct(v)}  ${k}`)
}

console.log(`${file}: ${(busy / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(2)} s idle after the first proxied request (percentages are of busy time)`)
print('Self time by area', areas, TOP)
print('Self time by function', self, TOP)
print('Inclusive time by function', inclusive, TOP * 2, (k) => !k.startsWith('(root)') && !k.startsWith('(program)'))
