import { describe, expect, it } from 'vitest'
import { FixedWindowLimiter } from './rate-limit.ts'

describe('FixedWindowLimiter', () => {
  it('allows `requests` per window and per key, then reports when the window resets', () => {
    const limiter = new FixedWindowLimiter({ requests: 2, windowSeconds: 10 })
    const t0 = 1_700_000_003_000 // 3 s into a 10 s window
    expect(limiter.hit('a', t0)).toMatchObject({ allowed: true, remaining: 1 })
    expect(limiter.hit('a', t0)).toMatchObject({ allowed: true, remaining: 0 })
    expect(limiter.hit('a', t0)).toEqual({ allowed: false, limit: 2, remaining: 0, reset: 1_700_000_010, retryAfter: 7 })
    expect(limiter.hit('b', t0)).toMatchObject({ allowed: true })
    expect(limiter.hit('a', t0 + 7_000)).toMatchObject({ allowed: true, remaining: 1, reset: 1_700_000_020 })
  })
})
