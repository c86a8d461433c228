import { Readable } from 'node:stream'
import type { IncomingMessage } from 'node:http'
import { z } from '@hono/zod-openapi'
import { bodyLimit } from 'hono/body-limit'
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../middleware/types'
import { PatchbayError } from '../lib/errors'
import { stripHopByHop } from '../lib/upstream'
import { requireSecretKey } from '../middleware/auth'
import { MAX_PROXY_BODY_BYTES, proxyRequest } from '../services/proxy'
import { problems } from './schemas'
import { router, secretKeySecurity } from './router'

/** Bodies up to this size are read whole before answering (cheaper than streaming), bytes. */
const BUFFER_BELOW = 256 * 1024

/** The provider's response as a fetch `Response`, status/headers/body unchanged (less hop-by-hop headers). */
export async function toResponse(res: IncomingMessage, method: string, requestId?: string): Promise<Response> {
  // A plain header object: @hono/node-server hands it straight to writeHead (a Headers instance is re-validated and converted back).
  const headers = stripHopByHop(res.headers) as Record<string, string>
  if (requestId) headers['x-request-id'] = requestId
  const status = res.statusCode ?? 502
  if (method === 'HEAD' || status === 204 || status === 304) {
    res.resume()
    return new Response(null, { status, headers })
  }
  const length = Number(res.headers['content-length'] ?? NaN)
  if (length <= BUFFER_BELOW) {
    const buf = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)))
      res.once('error', reject)
      res.once('aborted', () => reject(new Error('upstream response aborted')))
    })
    return new Response(buf as unknown as BodyInit, { status, headers })
  }
  return new Response(Readable.toWeb(res) as ReadableStream, { status, headers })
}

/** Runs `mw` only for requests that may have a body: `c.req.raw.body` makes @hono/node-server build a full undici Request. */
const skipBodyless = (mw: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> => (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : mw(c, next))

const proxy = router()
proxy.openAPIRegistry.registerPath({
  method: 'get',
  path: '/v1/proxy/{connectionId}/{path}',
  tags: ['Proxy'],
  summary: 'Call the provider API as the connection (any method)',
  description:
    'Forwards the request to `<integration base URL>/<path>` with the connection\'s credentials. Any HTTP method. Idempotent requests are retried on 429/5xx honouring Retry-After; a 401 triggers one token refresh. The provider\'s status, headers and body are returned unchanged. Request bodies up to 10 MiB.',
  security: secretKeySecurity,
  request: { params: z.object({ connectionId: z.string(), path: z.string() }) },
  responses: { 200: { description: "The provider's response, unchanged" }, ...problems(400, 401, 404, 409, 413, 502) },
})
proxy.all(
  '/v1/proxy/:connectionId/*',
  requireSecretKey,
  skipBodyless(bodyLimit({ maxSize: MAX_PROXY_BODY_BYTES, onError: () => { throw new PatchbayError('payload_too_large', `Request bodies are limited to ${MAX_PROXY_BODY_BYTES} bytes`) } })),
  async (c) => {
    const connectionId = c.req.param('connectionId')
    const url = new URL(c.req.url)
    const prefix = `/v1/proxy/${encodeURIComponent(connectionId)}`
    const raw = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname.replace(/^\/v1\/proxy\/[^/]+/, '')
    const method = c.req.method
    const hasBody = method !== 'GET' && method !== 'HEAD'
    const body = hasBody ? Buffer.from(await c.req.arrayBuffer()) : undefined
    const res = await proxyRequest(c.get('ctx'), {
      environmentId: c.get('secret').environmentId,
      connectionId,
      method,
      path: raw || '/',
      search: url.search,
      headers: (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.headers ?? Object.fromEntries(c.req.raw.headers),
      body,
    })
    return toResponse(res, method, c.get('requestId'))
  },
)

export const proxyRoutes = proxy
