/**
 * Widget budget (`npm run bench:widget`): the gzipped size of the two widget bundles in
 * `dist/embed` (built first when missing, or always with `--build`) against their targets, and
 * the time to first render of the catalog in headless Chromium.
 *
 *   - component  (`patchbay-react.<hash>.js`, React external): target ≤ 35 kB gzipped
 *   - standalone (`patchbay-embed.<hash>.js`, React bundled):  target ≤ 100 kB gzipped
 *   - first render: a minimal host page with `<patchbay-marketplace>` and the standalone script,
 *     served with a fake `/v1/embed/*` API from node:http on 127.0.0.1 (embed-ui/src/testing/serve.ts);
 *     from navigation start (`performance.now()` is relative to it) until the first catalog card
 *     is laid out and a frame has been produced after the widget's `ready` event. Each run uses a
 *     fresh browser context (cold HTTP cache); the median of 5 runs is reported.
 *
 * Prints PASS/MISS and always exits 0, like bench/proxy.ts: it measures, it does not test.
 * Environment: BENCH_RUNS (default 5), BENCH_API_LATENCY_MS (added to each API answer, default 0),
 * CHROMIUM (default /usr/bin/chromium).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { chromium } from 'playwright-core'
import { createFakeApi } from '../embed-ui/src/testing/fake-api'
import { catalog, connection } from '../embed-ui/src/testing/fixtures'
import { hostPage, serveWidget } from '../embed-ui/src/testing/serve'

const DIST = 'dist/embed'
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const API_LATENCY_MS = Number(process.env.BENCH_API_LATENCY_MS ?? 0)
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'
/** Bytes (1 kB = 1000 bytes, as Vite prints them). */
const TARGETS = { component: 35_000, standalone: 100_000 }

type Manifest = Record<'component' | 'standalone', { file: string; integrity: string }> & { mapping?: { file: string; integrity: string } }

function build(): void {
  console.log('building the widget (npm run build:embed)…')
  const r = spawnSync('npm', ['run', '-s', 'build:embed'], { stdio: 'inherit' })
  if (r.status !== 0) throw new Error('npm run build:embed failed')
}

function manifest(): Manifest {
  const path = join(DIST, 'manifest.json')
  const read = () => JSON.parse(readFileSync(path, 'utf8')) as Partial<Manifest>
  let m = existsSync(path) ? read() : {}
  const complete = (x: Partial<Manifest>): x is Manifest => !!x.component && !!x.standalone && existsSync(join(DIST, x.component.file)) && existsSync(join(DIST, x.standalone.file))
  if (process.argv.includes('--build') || !complete(m)) {
    build()
    m = read()
  }
  if (!complete(m)) throw new Error(`${path} does not list both bundles`)
  return m
}

const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`

async function firstRender(script: string): Promise<number[]> {
  const api = createFakeApi({ integrations: catalog, connections: [connection('github', { accountLabel: 'ada-lovelace' })] })
  // The marker: resolves with performance.now() at the first frame after the catalog is ready and its first card is laid out.
  const head = `<script>window.__pbFirstCard=new Promise(function(resolve,reject){document.addEventListener('ready',function(e){
var card=e.target.shadowRoot&&e.target.shadowRoot.querySelector('[data-pb-card]');
if(!card||!card.getBoundingClientRect().height)return reject(new Error('ready but no visible card'));
requestAnimationFrame(function(){resolve(performance.now())})},{once:true,capture:true})})</script>`
  const server = await serveWidget({ api, page: hostPage({ script, head }), apiLatencyMs: API_LATENCY_MS })
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
  const times: number[] = []
  try {
    for (let i = 0; i < RUNS + 1; i++) {
      const context = await browser.newContext({ viewport: { width: 1024, height: 768 } })
      const page = await context.newPage()
      await page.goto(server.origin + '/', { waitUntil: 'commit' })
      const t = await page.evaluate(() => (window as unknown as { __pbFirstCard: Promise<number> }).__pbFirstCard)
      if (i > 0) times.push(t) // the first run warms up Chromium itself (not the page's cache: each context is fresh)
      await context.close()
    }
  } finally {
    await browser.close()
    await server.close()
  }
  return times
}

async function main() {
  const m = manifest()
  console.log(`widget bundles in ${DIST}\n`)
  console.log('bundle       file                                raw        gzip     brotli   target (gzip)')
  for (const kind of ['component', 'standalone'] as const) {
    const buf = readFileSync(join(DIST, m[kind].file))
    const gz = gzipSync(buf, { level: 9 }).length
    const br = brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length
    const ok = gz <= TARGETS[kind]
    console.log(`${kind.padEnd(12)} ${m[kind].file.padEnd(34)} ${kB(buf.length).padStart(9)} ${kB(gz).padStart(9)} ${kB(br).padStart(9)}   ≤ ${kB(TARGETS[kind])}  ${ok ? 'PASS' : 'MISS'}`)
  }
  if (m.mapping) {
    const buf = readFileSync(join(DIST, m.mapping.file))
    console.log(`${'mapping'.padEnd(12)} ${m.mapping.file.padEnd(34)} ${kB(buf.length).padStart(9)} ${kB(gzipSync(buf, { level: 9 }).length).padStart(9)} ${kB(brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length).padStart(9)}   (loaded by the standalone when the mapping screen first opens)`)
  }
  console.log(`\n(component: React and react-dom excluded, @tanstack/react-query and the mapping editor included; standalone: everything but the mapping editor)\n`)

  const times = await firstRender(m.standalone.file)
  const sorted = [...times].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)]!
  console.log(`first render of the catalog (headless Chromium, standalone script, fake API on 127.0.0.1${API_LATENCY_MS ? ` + ${API_LATENCY_MS} ms per API call` : ''}):`)
  console.log(`  runs: ${times.map((t) => `${t.toFixed(0)} ms`).join(', ')}`)
  console.log(`  median of ${times.length}: ${median.toFixed(0)} ms (min ${sorted[0]!.toFixed(0)}, max ${sorted.at(-1)!.toFixed(0)}), from navigation start to the first card on screen`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
