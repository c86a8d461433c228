/**
 * A node:http server on 127.0.0.1 for trying the built widget in a real browser: a host page, the
 * files of `dist/embed`, the fake `/v1/embed/*` API (`fake-api.ts`) and a stand-in for Patchbay's
 * OAuth pages (`/oauth/start` completes at once and posts the result to the opener, like
 * `callbackPage` in `server/src/routes/oauth.ts`). Used by `bench/widget-size.ts` and
 * `embed-ui/scripts/screenshots.ts`; Node only.
 */
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'
import { OAUTH_MESSAGE_TYPE } from '../popup'
import type { FakeApi } from './fake-api'

export interface ServeOptions {
  api: FakeApi
  /** Folder of the built files, served under `/embed/`. */
  distDir?: string
  /** The host page for `/` (gets the server origin). */
  page: (origin: string) => string
  /** Added to every API answer, to look like a network. */
  apiLatencyMs?: number
  /** `/oauth/start` answers as if the user declined. */
  denyOAuth?: () => boolean
}

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const headers = new Headers()
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v)
  const body = chunks.length ? Buffer.concat(chunks) : undefined
  return new Request(new URL(req.url ?? '/', origin), { method: req.method, headers, ...(body && req.method !== 'GET' ? { body } : {}) })
}

/** The popup page: completes the authorization in the fake and posts the result to the opener's origin. */
function callbackPage(result: Record<string, unknown>, openerOrigin: string): string {
  const json = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c')
  return `<!doctype html><meta charset="utf-8"><title>Connected</title><p>You can close this window.</p>
<script>(function(){var m=${json({ type: OAUTH_MESSAGE_TYPE, ...result })};if(window.opener){window.opener.postMessage(m,${json(openerOrigin)});setTimeout(function(){window.close()},50)}})()</script>`
}

export async function serveWidget(options: ServeOptions): Promise<{ origin: string; close: () => Promise<void> }> {
  const distDir = resolve(options.distDir ?? 'dist/embed')
  let origin = ''
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', origin)
      if (url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        return res.end(options.page(origin))
      }
      if (url.pathname.startsWith('/embed/') && /^[\w.-]+$/.test(url.pathname.slice(7))) {
        const body = await readFile(join(distDir, url.pathname.slice(7))).catch(() => null)
        if (!body) return res.writeHead(404).end()
        res.writeHead(200, { 'content-type': url.pathname.endsWith('.json') ? 'application/json' : 'text/javascript', 'cache-control': 'public, max-age=31536000, immutable' })
        return res.end(body)
      }
      if (url.pathname === '/oauth/start') {
        const m = /^st_(.+)_(new|conn_\w+)$/.exec(url.searchParams.get('state') ?? '')
        const result = options.denyOAuth?.()
          ? { ok: false, code: 'oauth_denied', message: 'Access was denied at the provider' }
          : m
            ? options.api.completeAuthorization(m[1]!, m[2] === 'new' ? undefined : m[2])
            : { ok: false, code: 'oauth_state_invalid', message: 'Unknown state' }
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        return res.end(callbackPage(result, origin))
      }
      if (url.pathname.startsWith('/v1/embed/')) {
        if (options.apiLatencyMs) await new Promise((r) => setTimeout(r, options.apiLatencyMs))
        const answer = await options.api.handle(await toRequest(req, origin))
        res.writeHead(answer.status, Object.fromEntries(answer.headers))
        return res.end(Buffer.from(await answer.arrayBuffer()))
      }
      res.writeHead(404).end()
    })().catch((err: unknown) => {
      res.writeHead(500).end(String(err))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

/** A minimal host page with the element and the standalone script. */
export function hostPage(options: { script: string; attributes?: Record<string, string>; head?: string; body?: string; style?: string }) {
  return (origin: string) => {
    const attrs = { 'session-token': 'pb_cs_test', 'base-url': origin, ...options.attributes }
    const attrText = Object.entries(attrs)
      .map(([k, v]) => ` ${k}="${v.replace(/"/g, '&quot;')}"`)
      .join('')
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Host app</title>
<style>body{margin:0;padding:24px;font:16px Georgia,serif;background:#fff}${options.style ?? ''}</style>${options.head ?? ''}</head>
<body>${options.body ?? ''}<patchbay-marketplace${attrText}></patchbay-marketplace>
<script src="/embed/${options.script}"></script></body></html>`
  }
}
