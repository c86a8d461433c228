/**
 * End-to-end harness: a real Patchbay server, the bundled Demo CRM provider, the Acme CRM host
 * app and Debian's headless Chromium (playwright-core), all on 127.0.0.1 inside the test.
 *
 * Browser suites run on PGlite only: what they add over the API tests is the browser (popup,
 * postMessage, shadow DOM, SRI, CORS), which does not depend on the database; the same server
 * code runs on PostgreSQL in the API suites.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Patchbay } from '../../sdk/src/index'
import { loadConfig } from '../../server/src/config'
import { testDatabases } from '../../server/src/db/testing'
import { DEMO_USER, startHostApp, type HostApp } from '../../server/src/demo/host-app/index'
import { startDemoProvider, type DemoProvider } from '../../server/src/demo/provider/index'
import { seedCompanies, seedContacts } from '../../server/src/demo/provider/seed'
import { generateMasterKey } from '../../server/src/lib/crypto'
import { startServer, type RunningServer } from '../../server/src/server'
import { freePort } from '../../server/src/testing'
import { createApiKey, createTenant } from '../../server/src/services/tenants'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const SCREENSHOTS = join(ROOT, 'test-artifacts', 'screenshots')
export const CHROMIUM = process.env.PATCHBAY_CHROMIUM ?? '/usr/bin/chromium'
const EMBED_DIR = join(ROOT, 'dist', 'embed')

/** The Demo CRM account `ada` logs in to, and its first contacts (deterministic seed data). */
export const ADA = { username: 'ada', password: 'lovelace', accountLabel: 'ada@demo-crm.test' }
export const CONTACTS_PER_ACCOUNT = 30
export function seededContacts(accountKey: string) {
  return seedContacts(accountKey, CONTACTS_PER_ACCOUNT, seedCompanies(accountKey))
}

/**
 * `describe` when Chromium is installed. Without it the suite is skipped with a message, unless
 * `PATCHBAY_REQUIRE_BROWSER=1` (CI), where it fails.
 */
export function describeInBrowser(name: string, fn: () => void): void {
  if (existsSync(CHROMIUM)) {
    describe(name, fn)
    return
  }
  const why = `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set PATCHBAY_CHROMIUM)`
  if (process.env.PATCHBAY_REQUIRE_BROWSER === '1') {
    describe(name, () => {
      it('needs a browser', () => {
        throw new Error(`PATCHBAY_REQUIRE_BROWSER=1 but ${why}`)
      })
    })
    return
  }
  console.warn(`[e2e] skipping "${name}": ${why}`)
  describe.skip(`${name} (skipped: ${why})`, fn)
}

/** Newest modification time under a folder, in ms. */
function newest(dir: string): number {
  let t = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return t
}

/**
 * Makes sure `dist/embed/` holds a widget build at least as new as `embed-ui/src`: builds it with
 * `npm run build:embed` when missing or stale. Test files run in parallel, so the build is
 * guarded by a lock folder; the others wait for it.
 * @throws when the build script is missing or fails (its output is in the message).
 */
export async function ensureWidgetBuilt(): Promise<void> {
  const manifest = join(EMBED_DIR, 'manifest.json')
  const fresh = () => existsSync(manifest) && statSync(manifest).mtimeMs >= newest(join(ROOT, 'embed-ui', 'src'))
  if (fresh()) return
  const lock = join(ROOT, 'test-artifacts', '.embed-build.lock')
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true })
  const deadline = Date.now() + 120_000
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch {
      // Another test file is building; a lock older than two minutes is left over from a crash.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true })
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`)
      await new Promise((r) => setTimeout(r, 250))
    }
  }
  try {
    if (fresh()) return
    try {
      // Not vitest's NODE_ENV=test: with it the standalone bundle calls the dev JSX runtime
      // (`jsxDEV`) that its bundled production React does not have, and the widget crashes.
      execFileSync('npm', ['run', '-s', 'build:embed'], { cwd: ROOT, stdio: 'pipe', timeout: 120_000, env: { ...process.env, NODE_ENV: 'production' } })
    } catch (err) {
      const e = err as { stdout?: Buffer; stderr?: Buffer; message: string }
      throw new Error(`The widget could not be built (npm run build:embed): ${e.message}\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`)
    }
    if (!existsSync(manifest)) throw new Error(`npm run build:embed did not write ${manifest}`)
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

export { freePort }

export interface Stack {
  patchbay: RunningServer
  /** Patchbay's URL, also its PUBLIC_URL: the OAuth redirect URI is `${patchbayUrl}/oauth/callback`. */
  patchbayUrl: string
  provider: DemoProvider
  host: HostApp
  /** The host app on 127.0.0.1 (same host name as Patchbay and the provider). */
  hostUrl: string
  /** The SDK with the tenant's development secret key. */
  sdk: Patchbay
  secretKey: string
  /** The tenant's development environment, where the integrations live. */
  environmentId: string
  /** The OAuth client Patchbay uses at the provider. */
  client: { clientId: string; clientSecret: string }
  /** The key the provider accepts for the API-key connector. */
  providerApiKey: string
  close(): Promise<void>
}

/**
 * Starts Patchbay (PGlite), the Demo CRM provider with an OAuth client whose redirect URI is
 * Patchbay's callback, a tenant with the integrations `demo-crm` and `demo-crm-api-key` (created
 * through the API with the SDK), and the host app.
 */
export async function startStack(opts: { sessionTtlSeconds?: number } = {}): Promise<Stack> {
  const cleanup: (() => Promise<unknown>)[] = []
  const close = async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {})
  }
  try {
    const db = await testDatabases()[0]!.open()
    cleanup.push(db.drop)
    let patchbay: RunningServer | undefined
    for (let attempt = 0; !patchbay; attempt++) {
      const port = await freePort()
      const config = loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, PATCHBAY_ENCRYPTION_KEY: generateMasterKey(), PATCHBAY_DEMO: '0', LOG_LEVEL: 'silent' })
      patchbay = await startServer(config, { database: db.database }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EADDRINUSE' || attempt > 3) throw err
        return undefined
      })
    }
    cleanup.push(() => patchbay.close())
    const patchbayUrl = patchbay.ctx.config.publicUrl

    const providerApiKey = 'demo_e2e_right_key'
    const clientSecret = 'e2e-client-secret'
    const provider = await startDemoProvider({
      clients: [{ clientId: 'acme', clientSecret, name: 'Acme CRM (via Patchbay)', redirectUris: [`${patchbayUrl}/oauth/callback`], grantTypes: ['authorization_code', 'refresh_token'] }],
      apiKeys: [providerApiKey],
      contactsPerAccount: CONTACTS_PER_ACCOUNT,
    })
    cleanup.push(() => provider.close())

    const tenant = await createTenant(patchbay.ctx, 'Acme CRM (e2e)')
    const { key: secretKey } = await createApiKey(patchbay.ctx, tenant.tenantId, 'development', 'e2e')
    const sdk = new Patchbay({ secretKey, baseUrl: patchbayUrl })
    await sdk.integrations.create({
      key: 'demo-crm',
      connectorId: 'demo-crm',
      clientId: 'acme',
      clientSecret,
      overrides: { authorizationUrl: provider.authorizationUrl, tokenUrl: provider.tokenUrl, revocationUrl: provider.revocationUrl, baseUrl: provider.apiBaseUrl },
    })
    await sdk.integrations.create({ key: 'demo-crm-api-key', connectorId: 'demo-crm-api-key', overrides: { baseUrl: provider.apiBaseUrl } })

    const host = await startHostApp({ host: '127.0.0.1', port: 0, patchbayUrl, secretKey, sessionTtlSeconds: opts.sessionTtlSeconds })
    cleanup.push(() => host.close())
    return {
      patchbay,
      patchbayUrl,
      provider,
      host,
      hostUrl: `http://127.0.0.1:${host.port}`,
      sdk,
      secretKey,
      environmentId: tenant.environments.development,
      client: { clientId: 'acme', clientSecret },
      providerApiKey,
      close,
    }
  } catch (err) {
    await close()
    throw err
  }
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })
}

/** The events the widget dispatched on its element, recorded from the first moment of the page. */
export interface WidgetEvent {
  type: string
  detail: Record<string, unknown> | null
}

/**
 * A browser context for one test: desktop viewport, uncaught page errors and console errors
 * (CSP violations among them) collected, and every widget event recorded (a capture listener on
 * `window` sees them whether or not they bubble).
 */
export async function newContext(browser: Browser): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 })
  await context.addInitScript(() => {
    const w = window as unknown as { __widgetEvents: { type: string; detail: unknown }[] }
    w.__widgetEvents = []
    for (const type of ['ready', 'connect', 'reconnect', 'disconnect', 'error', 'close', 'mapping']) {
      window.addEventListener(
        type,
        (e) => {
          if ((e.target as Element | null)?.localName === 'patchbay-marketplace') w.__widgetEvents.push({ type, detail: (e as CustomEvent).detail ?? null })
        },
        true,
      )
    }
  })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`))
  page.on('console', (msg) => {
    // Refused API calls (401, 422…) are logged by the browser too; they are expected in some tests.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(`console: ${msg.text()}`)
  })
  return { context, page, errors }
}

export function widgetEvents(page: Page): Promise<WidgetEvent[]> {
  return page.evaluate(() => (window as unknown as { __widgetEvents: WidgetEvent[] }).__widgetEvents)
}

/**
 * Right after a new connection the widget opens its field-mapping screen (the demo's Acme declares
 * a `Contact` model the Demo CRM's contacts map to): waits for it and chooses "Later".
 */
export async function skipMappingPrompt(widget: Locator): Promise<void> {
  const editor = widget.locator('[data-patchbay-mapping]')
  await editor.waitFor({ state: 'visible', timeout: 10_000 })
  await editor.getByRole('button', { name: 'Later', exact: true }).click()
  await editor.waitFor({ state: 'detached', timeout: 10_000 })
}

/** Saves a screenshot as `test-artifacts/screenshots/<name>.png`. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) })
}

/**
 * The lifecycle every browser suite shares: one stack and one browser per file, a fresh browser
 * context per test (`open()`), and after each test: no uncaught page error or console error, and
 * the demo end user disconnected again.
 */
export function browserSuite(): { readonly stack: Stack; open(): Promise<{ context: BrowserContext; page: Page }> } {
  let stack: Stack | undefined
  let browser: Browser | undefined
  let current: { context: BrowserContext; errors: string[] } | undefined
  beforeAll(async () => {
    await ensureWidgetBuilt()
    ;[stack, browser] = await Promise.all([startStack(), launchBrowser()])
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
  })
  afterEach(async () => {
    const seen = current?.errors ?? []
    await current?.context.close()
    current = undefined
    for await (const c of stack!.sdk.connections.listAll({ endUserId: DEMO_USER.id })) await stack!.sdk.connections.delete(c.id)
    expect(seen).toEqual([])
  })
  return {
    get stack() {
      return stack!
    },
    async open() {
      const { context, page, errors } = await newContext(browser!)
      current = { context, errors }
      return { context, page }
    },
  }
}
