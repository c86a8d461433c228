/**
 * "Acme CRM": the demo host app a newcomer opens first. A small SaaS product that embeds
 * Patchbay's marketplace widget on its Integrations page and reads the end user's Demo CRM
 * contacts through Patchbay's proxy — its backend uses only the public SDK (`sdk/src`), as a
 * vendor's would.
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
import { AcmeBackend } from './backend'
import { ContactsPage, DashboardPage, IntegrationsPage, NotFoundPage, type WidgetScript } from './pages'

export { AcmeBackend, DEMO_USER, type CrmContacts } from './backend'

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
}

export interface HostApp {
  /** `http://localhost:PORT` when listening on a loopback address. */
  url: string
  port: number
  close(): Promise<void>
}

const ASSETS: Record<string, string> = { 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8' }
const assetPath = (name: string) => new URL(`./public/${name}`, import.meta.url)

/**
 * The host app as a Hono app: pages, static assets and its backend API.
 * @param selfOrigins the origins this app is served from; a connect session is only minted for a
 *   request coming from one of them, and is bound to that origin.
 */
export function createHostApp(opts: HostAppOptions, selfOrigins: () => string[]) {
  const f = opts.fetch ?? ((input: string, init: RequestInit) => fetch(input, init))
  const patchbayUrl = opts.patchbayUrl.replace(/\/+$/, '')
  const backend = new AcmeBackend(new Patchbay({ secretKey: opts.secretKey, baseUrl: patchbayUrl, fetch: f }), { sessionTtlSeconds: opts.sessionTtlSeconds })
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
      // Browsers send Origin on every POST; only this app's own pages get a token, bound to their origin.
      const origin = c.req.header('origin')
      if (!origin || !selfOrigins().includes(origin)) return c.json({ code: 'forbidden', message: 'Ask for a session from an Acme CRM page' }, 403)
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
    .notFound((c) => (c.req.path.startsWith('/api/') ? c.json({ code: 'not_found', message: 'No such route' }, 404) : page(c, NotFoundPage(common), 404)))
}

/** Starts the host app's HTTP server. */
export async function startHostApp(opts: HostAppOptions): Promise<HostApp> {
  const host = opts.host ?? '127.0.0.1'
  let port = 0
  const loopback = host === '127.0.0.1' || host === '::1' || host === 'localhost'
  const selfOrigins = () => [`http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`, ...(loopback ? [] : [`http://${host}:${port}`])]
  const app = createHostApp(opts, selfOrigins)
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 0, hostname: host }, () => resolve(s as Server)) as Server
    s.once('error', reject)
  })
  port = (server.address() as AddressInfo).port
  return {
    url: loopback ? `http://localhost:${port}` : `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
