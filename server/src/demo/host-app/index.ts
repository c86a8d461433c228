/**
 * "Acme CRM": the demo host app a newcomer opens first. A small SaaS product that embeds
 * Patchbay's marketplace widget on its Integrations page, reads the end user's Demo CRM contacts
 * through Patchbay's proxy, and keeps its own copy of them from Patchbay's syncs (webhooks at
 * `POST /webhooks/patchbay`, then the records change feed) — its backend uses only the public SDK
 * (`sdk/src`), as a vendor's would.
 *
 * @example
 * const app = await startHostApp({ port: 3001, patchbayUrl: 'http://localhost:3000', secretKey: demo.secretKey })
 * console.log(`Open ${app.url}`)
 * await app.close()
 */
import { serve } from '@hono/node-server'
import { Hono, type Context } from 'hono'
import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Patchbay, PatchbayError } from '../../../../sdk/src/index'
import { AcmeBackend, SyncNotStarted, WebhookRejected } from './backend'
import { ContactsPage, DashboardPage, IntegrationsPage, NotFoundPage, type WidgetScript } from './pages'

export { AcmeBackend, DEMO_USER, type CrmContacts, type SyncedContacts } from './backend'

export interface HostAppOptions {
  /** Port to listen on; `0` (default) takes a free one. */
  port?: number
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string
  /** Where browsers (and this app's backend) reach Patchbay, e.g. `http://localhost:3000`. */
  patchbayUrl: string
  /** A secret API key of the environment the demo integrations live in. Stays on the server. */
  secretKey: string
  /** Lifetime of the connect sessions handed to the widget (60–86 400 s); default the API's (30 min). */
  sessionTtlSeconds?: number
  /** `fetch` for the SDK and the manifest request (tests: an in-process Patchbay app). */
  fetch?: (input: string, init: RequestInit) => Promise<Response>
  /**
   * Where Patchbay delivers webhooks to this app (`startHostApp` registers it); default
   * `http://127.0.0.1:PORT/webhooks/patchbay` (or the `host` it listens on, when not a loopback or
   * wildcard address).
   */
  webhookUrl?: string
}

export interface HostApp {
  /** `http://localhost:PORT` when listening on a loopback address. */
  url: string
  port: number
  /** The app's backend: its SDK client and its copy of the synced records. */
  backend: AcmeBackend
  close(): Promise<void>
}

/** How long `startHostApp` waits before trying again to register its webhook endpoint when Patchbay failed. */
const START_RETRY_MS = 15_000

const ASSETS: Record<string, string> = { 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8' }
const assetPath = (name: string) => new URL(`./public/${name}`, import.meta.url)

/**
 * The host app as a Hono app: pages, static assets and its backend API.
 * @param selfOrigins the origins this app is served from; a connect session is only minted for a
 *   request coming from one of them, and is bound to that origin.
 */
export function createHostApp(opts: HostAppOptions, selfOrigins: () => string[], backend: AcmeBackend = createBackend(opts)) {
  const f = fetcher(opts)
  const patchbayUrl = opts.patchbayUrl.replace(/\/+$/, '')
  const common = { patchbayUrl }
  const patchbayOrigin = new URL(patchbayUrl).origin

  /** The widget's script tag attributes, read from Patchbay on each page view (it may have been rebuilt). */
  async function widgetScript(): Promise<WidgetScript | { error: string }> {
    try {
      const res = await f(`${patchbayUrl}/embed/manifest.json`, { signal: AbortSignal.timeout(5000) })
      if (res.status === 404) return { error: `Patchbay at ${patchbayUrl} has no built widget. Run \`npm run build:embed\`, then restart Patchbay.` }
      if (!res.ok) return { error: `Patchbay answered HTTP ${res.status} for /embed/manifest.json.` }
      const manifest = (await res.json()) as { standalone?: { url?: string; integrity?: string } }
      const { url, integrity } = manifest.standalone ?? {}
      if (!url || !integrity) return { error: 'Patchbay’s widget manifest has no standalone script.' }
      return { url, integrity }
    } catch (err) {
      return { error: `Patchbay is not reachable at ${patchbayUrl} (${(err as Error).message}).` }
    }
  }

  const page = (c: Context, body: unknown, status: 200 | 404 = 200) => {
    c.header(
      'content-security-policy',
      [
        "default-src 'self'",
        `script-src 'self' ${patchbayOrigin}`,
        `connect-src 'self' ${patchbayOrigin}`,
        `img-src 'self' data: ${patchbayOrigin}`,
        "style-src 'self' 'unsafe-inline'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ].join('; '),
    )
    c.header('referrer-policy', 'strict-origin-when-cross-origin')
    c.header('x-content-type-options', 'nosniff')
    return c.html(`<!doctype html>${String(body)}`, status)
  }

  const fail = (c: Context, err: unknown) => {
    if (err instanceof PatchbayError) return c.json({ code: err.code, message: err.detail, requestId: err.requestId ?? null }, 502)
    throw err
  }
  /** Browsers send Origin on every POST: state-changing calls are taken only from this app's own pages. */
  const fromOwnPage = (c: Context) => {
    const origin = c.req.header('origin')
    return origin && selfOrigins().includes(origin) ? origin : undefined
  }

  return new Hono()
    .get('/', (c) => page(c, DashboardPage(common)))
    .get('/contacts', (c) => page(c, ContactsPage(common)))
    .get('/integrations', async (c) => page(c, IntegrationsPage({ ...common, widget: await widgetScript() })))
    .get('/assets/:name', (c) => {
      const type = ASSETS[c.req.param('name')]
      if (!type) return c.notFound()
      return c.body(readFileSync(assetPath(c.req.param('name'))), 200, { 'content-type': type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' })
    })
    .post('/api/patchbay/session', async (c) => {
      // Only this app's own pages get a token, bound to their origin.
      const origin = fromOwnPage(c)
      if (!origin) return c.json({ code: 'forbidden', message: 'Ask for a session from an Acme CRM page' }, 403)
      try {
        c.header('cache-control', 'no-store')
        return c.json(await backend.createSession(origin))
      } catch (err) {
        return fail(c, err)
      }
    })
    .get('/api/crm/contacts', async (c) => {
      const limit = Math.min(Math.max(Number(c.req.query('limit')) || 10, 1), 100)
      try {
        c.header('cache-control', 'no-store')
        return c.json(await backend.contacts(limit))
      } catch (err) {
        return fail(c, err)
      }
    })
    .get('/api/crm/synced', async (c) => {
      const limit = Math.min(Math.max(Number(c.req.query('limit')) || 10, 1), 50)
      try {
        c.header('cache-control', 'no-store')
        return c.json(await backend.synced(limit))
      } catch (err) {
        return fail(c, err)
      }
    })
    .post('/api/crm/sync', async (c) => {
      if (!fromOwnPage(c)) return c.json({ code: 'forbidden', message: 'Start a sync from an Acme CRM page' }, 403)
      try {
        return c.json({ run: await backend.syncNow() }, 202)
      } catch (err) {
        if (err instanceof SyncNotStarted) return c.json({ code: err.code, message: err.message }, 409)
        return fail(c, err)
      }
    })
    // Patchbay's webhooks (Standard Webhooks signatures): verified, deduplicated, then applied.
    .post('/webhooks/patchbay', async (c) => {
      const rawBody = await c.req.text()
      try {
        await backend.handleWebhook(rawBody, c.req.raw.headers)
        return c.body(null, 204)
      } catch (err) {
        if (err instanceof WebhookRejected) return c.json({ code: err.status === 400 ? 'webhook_invalid' : 'not_ready', message: err.message }, err.status)
        // Reading the change feed failed: a 5xx makes Patchbay deliver again later.
        if (err instanceof PatchbayError) return c.json({ code: err.code, message: err.detail }, 503)
        throw err
      }
    })
    .notFound((c) => (c.req.path.startsWith('/api/') ? c.json({ code: 'not_found', message: 'No such route' }, 404) : page(c, NotFoundPage(common), 404)))
}

function fetcher(opts: HostAppOptions): (input: string, init: RequestInit) => Promise<Response> {
  return opts.fetch ?? ((input: string, init: RequestInit) => fetch(input, init))
}

/** The app's backend, its SDK client using the app's secret key. */
export function createBackend(opts: HostAppOptions): AcmeBackend {
  const patchbay = new Patchbay({ secretKey: opts.secretKey, baseUrl: opts.patchbayUrl.replace(/\/+$/, ''), fetch: fetcher(opts) })
  return new AcmeBackend(patchbay, { sessionTtlSeconds: opts.sessionTtlSeconds })
}

/**
 * Starts the host app's HTTP server, then its backend (`AcmeBackend.start`: registers the webhook
 * endpoint and reads the change feed of existing connections). When Patchbay fails at that point
 * the app still serves its pages, and tries again every 15 s.
 */
export async function startHostApp(opts: HostAppOptions): Promise<HostApp> {
  const host = opts.host ?? '127.0.0.1'
  let port = 0
  const loopback = host === '127.0.0.1' || host === '::1' || host === 'localhost'
  const selfOrigins = () => [`http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`, ...(loopback ? [] : [`http://${host}:${port}`])]
  const backend = createBackend(opts)
  const app = createHostApp(opts, selfOrigins, backend)
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 0, hostname: host }, () => resolve(s as Server)) as Server
    s.once('error', reject)
  })
  port = (server.address() as AddressInfo).port
  const bracket = (h: string) => (h.includes(':') ? `[${h}]` : h)
  // Patchbay runs next to the demo: a loopback or wildcard listener is reached on 127.0.0.1.
  const reachable = loopback || host === '0.0.0.0' || host === '::' ? (host === '::1' ? '[::1]' : '127.0.0.1') : bracket(host)
  const webhookUrl = opts.webhookUrl ?? `http://${reachable}:${port}/webhooks/patchbay`

  let retry: NodeJS.Timeout | undefined
  let closed = false
  const start = async () => {
    try {
      await backend.start(webhookUrl)
    } catch (err) {
      if (closed) return
      console.warn(`Acme CRM: could not set up syncs with Patchbay at ${opts.patchbayUrl} (${(err as Error).message}); trying again in ${START_RETRY_MS / 1000} s`)
      retry = setTimeout(() => void start(), START_RETRY_MS).unref()
    }
  }
  await start()
  return {
    url: loopback ? `http://localhost:${port}` : `http://${bracket(host)}:${port}`,
    port,
    backend,
    close: () =>
      new Promise<void>((resolve) => {
        closed = true
        clearTimeout(retry)
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
