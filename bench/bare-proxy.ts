/**
 * The "bare proxy" baseline: a node:http server that forwards every request to the upstream
 * through a keep-alive `http.Agent` and pipes the answer back. No auth, no database, no header
 * rewriting beyond dropping hop-by-hop headers: the floor any Node proxy pays.
 * Forked by `bench/proxy.ts` with the upstream port as its argument.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { serveParent, toParent } from './ipc'

const upstreamPort = Number(process.argv[2])
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 })
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate'])

function withoutHopByHop(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {}
  for (const k in headers) if (!HOP_BY_HOP.has(k)) out[k] = headers[k]
  return out
}

const server = http.createServer((req, res) => {
  const up = http.request(
    { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: { ...withoutHopByHop(req.headers), host: `127.0.0.1:${upstreamPort}` }, agent },
    (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, withoutHopByHop(upRes.headers))
      upRes.pipe(res)
    },
  )
  up.on('error', () => {
    if (!res.headersSent) res.writeHead(502)
    res.end()
  })
  req.pipe(up)
})
server.keepAliveTimeout = 65_000

server.listen(0, '127.0.0.1', () => toParent({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }))
serveParent(async () => {
  server.closeAllConnections()
  agent.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})
