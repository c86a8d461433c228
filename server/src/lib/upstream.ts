/**
 * The HTTP client for provider calls: keep-alive agents (Node's `fetch` is ~4× slower as a
 * proxy client here), a guard against private-network targets (SSRF, including DNS rebinding:
 * the check runs on the resolved address of every connection), timeouts and retries with
 * exponential backoff and full jitter that honour `Retry-After` (RFC 9110 §10.2.3).
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http'
import https from 'node:https'
import dns, { type LookupAddress } from 'node:dns'
import net from 'node:net'
import { PatchbayError } from './errors'

const PRIVATE = new net.BlockList()
for (const [addr, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) {
  PRIVATE.addSubnet(addr, prefix, 'ipv4')
}
for (const [addr, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) PRIVATE.addSubnet(addr, prefix, 'ipv6')

/** Whether an IP address is loopback, link-local, private, CGNAT, multicast or unspecified. */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address)
  if (family === 0) return false
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return PRIVATE.check(mapped[1]!, 'ipv4')
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6')
}

const literalPrivate = new Map<string, boolean>()
/** Whether a URL's host is a private address written literally (or `localhost`): then the vendor chose it on purpose. Memoised per host name. */
export function isLiteralPrivateHost(url: URL): boolean {
  let v = literalPrivate.get(url.hostname)
  if (v === undefined) {
    const host = url.hostname.replace(/^\[|\]$/g, '')
    v = host === 'localhost' || isPrivateAddress(host)
    if (literalPrivate.size > 10_000) literalPrivate.clear()
    literalPrivate.set(url.hostname, v)
  }
  return v
}

export interface UpstreamRequest {
  method: string
  url: URL
  headers: Record<string, string | string[]>
  body?: Buffer | undefined
  /** Socket inactivity and response-start timeout, ms (default 30 000). */
  timeoutMs?: number
  /** Allow private/loopback targets (only when the integration's own base URL is one). */
  allowPrivate?: boolean
}

/** When and how often to retry. */
export interface RetryPolicy {
  /** Statuses that are retried (e.g. 429, 502, 503, 504). */
  on: number[]
  /** Total attempts including the first. */
  maxAttempts: number
  /** The longest single wait, ms; a longer `Retry-After` returns the response instead of waiting. */
  maxDelayMs: number
  /** First backoff step, ms (default 200); attempt n waits up to base·2ⁿ (full jitter). */
  baseDelayMs?: number
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host'])

/** Removes hop-by-hop headers (RFC 9110 §7.6.1), including those named in `Connection`. */
export function stripHopByHop(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const named = new Set(String(headers.connection ?? '').toLowerCase().split(',').map((s) => s.trim()).filter(Boolean))
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of Object.entries(headers)) {
    const key = k.toLowerCase()
    if (v === undefined || HOP_BY_HOP.has(key) || named.has(key)) continue
    out[key] = v
  }
  return out
}

/**
 * Parses `Retry-After` (delta-seconds or an HTTP-date, RFC 9110 §10.2.3).
 * @returns the wait in ms, or undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value
  if (!v) return undefined
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000
  const date = Date.parse(v)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export class UpstreamClient {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 256, scheduling: 'lifo' })
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 256, scheduling: 'lifo' })
  private readonly allowedPrivateHosts: Set<string>

  constructor(opts: { allowedPrivateHosts?: string[] } = {}) {
    this.allowedPrivateHosts = new Set((opts.allowedPrivateHosts ?? []).map((h) => h.toLowerCase()))
  }

  /**
   * Sends one request and resolves when the response headers arrive; the body is a stream the
   * caller must consume or destroy.
   * @throws {PatchbayError} `upstream_host_not_allowed` for a private target that is not allowed;
   *   `upstream_unreachable` on network errors and timeouts.
   */
  send(req: UpstreamRequest): Promise<IncomingMessage> {
    const { url } = req
    const allowPrivate = req.allowPrivate || this.allowedPrivateHosts.has(url.hostname.toLowerCase())
    const literal = url.hostname.replace(/^\[|\]$/g, '')
    if (!allowPrivate && net.isIP(literal) && isPrivateAddress(literal)) {
      return Promise.reject(new PatchbayError('upstream_host_not_allowed', `Requests to ${url.hostname} are not allowed`))
    }
    const isHttps = url.protocol === 'https:'
    const lookup = allowPrivate ? undefined : guardedLookup
    return new Promise((resolve, reject) => {
      const r = (isHttps ? https : http).request(
        {
          method: req.method,
          protocol: url.protocol,
          hostname: literal,
          port: url.port || undefined,
          path: url.pathname + url.search,
          headers: req.headers,
          agent: isHttps ? this.httpsAgent : this.httpAgent,
          ...(lookup ? { lookup } : {}),
          ...(isHttps ? { servername: net.isIP(literal) ? undefined : literal } : {}),
        },
        (res) => {
          r.setTimeout(0)
          resolve(res)
        },
      )
      r.setTimeout(req.timeoutMs ?? 30_000, () => r.destroy(new Error('timeout')))
      r.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EPRIVATE') reject(new PatchbayError('upstream_host_not_allowed', `Requests to ${url.hostname} are not allowed (it resolves to a private address)`))
        else reject(new PatchbayError('upstream_unreachable', `Could not reach ${url.host}: ${err.message === 'timeout' ? 'timed out' : (err.code ?? err.message)}`))
      })
      r.end(req.body)
    })
  }

  /**
   * {@link send} with retries: retryable statuses per `policy` and, when `idempotent`, network
   * errors. Waits `Retry-After` when given (up to `maxDelayMs`), else exponential backoff with full jitter.
   * @param prepare when given, builds each attempt's request instead of `req` (an OAuth 1.0a
   *   signature needs a new nonce per attempt, RFC 5849 §3.3).
   * @returns the last response (possibly a retryable status after the last attempt).
   */
  async sendWithRetry(req: UpstreamRequest, policy: RetryPolicy, idempotent: boolean, prepare?: () => Promise<UpstreamRequest>): Promise<IncomingMessage> {
    const base = policy.baseDelayMs ?? 200
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= policy.maxAttempts
      let res: IncomingMessage
      try {
        res = await this.send(prepare ? await prepare() : req)
      } catch (err) {
        if (last || !idempotent || !(err instanceof PatchbayError) || err.code !== 'upstream_unreachable') throw err
        await sleep(Math.random() * Math.min(policy.maxDelayMs, base * 2 ** attempt))
        continue
      }
      if (last || !policy.on.includes(res.statusCode ?? 0) || (!idempotent && res.statusCode !== 429)) return res
      const retryAfter = parseRetryAfter(res.headers['retry-after'])
      if (retryAfter !== undefined && retryAfter > policy.maxDelayMs) return res
      res.resume()
      await sleep(retryAfter ?? Math.random() * Math.min(policy.maxDelayMs, base * 2 ** attempt))
    }
  }

  /**
   * Sends a request and reads the whole body (at most `maxBytes`, default 5 MiB), parsing JSON when it is JSON.
   * For small control requests (verification, account info), not for the proxy.
   */
  async fetchJson(req: UpstreamRequest, maxBytes = 5 * 1024 * 1024): Promise<{ status: number; headers: IncomingHttpHeaders; body: unknown }> {
    const res = await this.send(req)
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of res) {
      size += (chunk as Buffer).length
      if (size > maxBytes) {
        res.destroy()
        throw new PatchbayError('upstream_unreachable', `Response from ${req.url.host} is larger than ${maxBytes} bytes`)
      }
      chunks.push(chunk as Buffer)
    }
    const text = Buffer.concat(chunks).toString('utf8')
    let body: unknown = text
    if (/json/i.test(String(res.headers['content-type'] ?? ''))) {
      try {
        body = JSON.parse(text)
      } catch {
        /* leave as text */
      }
    }
    return { status: res.statusCode ?? 0, headers: res.headers, body }
  }

  close(): void {
    this.httpAgent.destroy()
    this.httpsAgent.destroy()
  }
}

/** `dns.lookup` that fails with `EPRIVATE` when any resolved address is private. */
function guardedLookup(hostname: string, options: dns.LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0)
    const list = addresses as LookupAddress[]
    if (list.some((a) => isPrivateAddress(a.address))) {
      const e: NodeJS.ErrnoException = new Error(`${hostname} resolves to a private address`)
      e.code = 'EPRIVATE'
      return callback(e, '', 0)
    }
    if (options.all) return callback(null, list)
    callback(null, list[0]!.address, list[0]!.family)
  })
}
