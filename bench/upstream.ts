/**
 * The benchmark's upstream "provider": a minimal keep-alive node:http server answering every
 * request with the same ~200-byte JSON body. `GET …/inspect` instead returns the request headers
 * it received, so the benchmark can check what the proxy injected. Forked by `bench/proxy.ts`.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { serveParent, toParent } from './ipc'

const BODY = Buffer.from(
  JSON.stringify({
    data: [
      { id: 'ct_0001', first_name: 'Ada', last_name: 'Lovelace', email: 'ada@demo-crm.test' },
      { id: 'ct_0002', first_name: 'Alan', last_name: 'Turing', email: 'alan@demo-crm.test' },
    ],
    next_cursor: null,
  }),
)

const server = http.createServer((req, res) => {
  req.resume()
  if (req.url?.endsWith('/inspect')) {
    const body = Buffer.from(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }))
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
    res.end(body)
    return
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length })
  res.end(BODY)
})
server.keepAliveTimeout = 65_000

server.listen(0, '127.0.0.1', () => {
  toParent({ type: 'ready', port: (server.address() as AddressInfo).port, bodyBytes: BODY.length })
})
serveParent(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})
