/**
 * Per-connection request budgets for calls Patchbay makes on its own (syncs, actions).
 *
 * Two signals decide when the next request to a provider may go:
 * - proactive: the connector's declared budget (`http.rateLimit.requests` per `windowMs`), kept as
 *   a sliding-window log of the last requests of each connection in this process. A connection's
 *   syncs run one at a time across processes (ADR 0010), so the log sees all of its sync traffic.
 * - reactive: the provider's own headers. When `remainingHeader` says 0, no request goes before the
 *   time in `resetHeader` (e.g. GitHub's `x-ratelimit-remaining: 0` with `x-ratelimit-reset`, epoch s).
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { Connector } from '../../../connectors/schema'

type RateLimit = NonNullable<Connector['http']['rateLimit']>

/**
 * The longest a reset header may block a connection, ms (1 h: the longest window providers document,
 * e.g. GitHub's hourly primary limit). A later reset means a misdeclared `resetUnit` (seconds read as
 * milliseconds point decades ahead), and must not block a connection for good.
 */
export const MAX_RESET_WAIT_MS = 3_600_000

function header(headers: IncomingHttpHeaders, name: string | undefined): string | undefined {
  if (!name) return undefined
  const v = headers[name.toLowerCase()]
  return Array.isArray(v) ? v[0] : v
}

/**
 * The time (epoch ms) given by a reset header, or undefined when absent or unparseable.
 * `epoch_s`/`epoch_ms`: an instant; `delta_s`: seconds from `now`.
 */
export function parseReset(value: string | undefined, unit: RateLimit['resetUnit'], now = Date.now()): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined
  const n = Number(value)
  if (unit === 'epoch_ms') return n
  if (unit === 'delta_s') return now + n * 1000
  return n * 1000
}

export class RateLimits {
  private readonly log = new Map<string, number[]>()
  private readonly blockedUntil = new Map<string, number>()

  /** How long (ms) the next request of `connectionId` must wait; 0 when it may go now. */
  delay(connectionId: string, limit: RateLimit | undefined, now = Date.now()): number {
    let wait = Math.max(0, (this.blockedUntil.get(connectionId) ?? 0) - now)
    if (limit?.requests && limit.windowMs) {
      const times = this.prune(connectionId, limit.windowMs, now)
      if (times.length >= limit.requests) wait = Math.max(wait, times[times.length - limit.requests]! + limit.windowMs - now)
    }
    return wait
  }

  /** Counts a request that is being sent now. */
  record(connectionId: string, limit: RateLimit | undefined, now = Date.now()): void {
    if (!limit?.requests || !limit.windowMs) return
    const times = this.prune(connectionId, limit.windowMs, now)
    times.push(now)
  }

  /**
   * Reads a response's rate-limit headers: with nothing remaining, blocks the connection until the
   * reset time (or for `fallbackMs` when the reset is not given), at most {@link MAX_RESET_WAIT_MS}.
   */
  observe(connectionId: string, limit: RateLimit | undefined, headers: IncomingHttpHeaders, now = Date.now(), fallbackMs = 1000): void {
    if (!limit) return
    const remaining = header(headers, limit.remainingHeader)
    if (remaining === undefined || Number(remaining) > 0) return
    const reset = parseReset(header(headers, limit.resetHeader), limit.resetUnit, now)
    this.block(connectionId, Math.min(reset ?? now + fallbackMs, now + MAX_RESET_WAIT_MS))
  }

  /** No request of `connectionId` before `until` (epoch ms), e.g. after a 429 with `Retry-After`. */
  block(connectionId: string, until: number): void {
    if (until > (this.blockedUntil.get(connectionId) ?? 0)) this.blockedUntil.set(connectionId, until)
    if (this.blockedUntil.size > 50_000) this.sweep()
  }

  private prune(connectionId: string, windowMs: number, now: number): number[] {
    let times = this.log.get(connectionId)
    if (!times) {
      times = []
      if (this.log.size > 50_000) this.log.clear()
      this.log.set(connectionId, times)
    }
    let drop = 0
    while (drop < times.length && times[drop]! <= now - windowMs) drop++
    if (drop) times.splice(0, drop)
    return times
  }

  private sweep(now = Date.now()): void {
    for (const [id, until] of this.blockedUntil) if (until <= now) this.blockedUntil.delete(id)
  }
}
