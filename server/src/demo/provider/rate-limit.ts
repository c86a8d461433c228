/** Budget of a rate limiter: `requests` per fixed window of `windowSeconds`. */
export interface RateLimitOptions {
  requests: number
  windowSeconds: number
}

/** Outcome of one {@link FixedWindowLimiter.hit}. `reset` is in Unix epoch seconds. */
export interface RateLimitResult {
  allowed: boolean
  limit: number
  remaining: number
  reset: number
  /** Seconds until the window resets (≥ 1), for `Retry-After` (RFC 9110 §10.2.3). */
  retryAfter: number
}

/**
 * Fixed-window counter per key (a token or an API key). Windows are aligned to the Unix epoch, so
 * every key's window resets at the same instant, like many real SaaS APIs. Over budget the caller
 * answers 429 (RFC 6585 §4) with `Retry-After`.
 */
export class FixedWindowLimiter {
  readonly #counts = new Map<string, number>()
  #windowStart = 0

  constructor(private readonly options: RateLimitOptions) {}

  hit(key: string, now = Date.now()): RateLimitResult {
    const windowMs = this.options.windowSeconds * 1000
    const start = now - (now % windowMs)
    if (start !== this.#windowStart) {
      this.#windowStart = start
      this.#counts.clear()
    }
    const count = (this.#counts.get(key) ?? 0) + 1
    this.#counts.set(key, count)
    const resetMs = start + windowMs
    return {
      allowed: count <= this.options.requests,
      limit: this.options.requests,
      remaining: Math.max(0, this.options.requests - count),
      reset: Math.ceil(resetMs / 1000),
      retryAfter: Math.max(1, Math.ceil((resetMs - now) / 1000)),
    }
  }
}
