import { describe, expect, it } from 'vitest'
import { MAX_RESET_WAIT_MS, parseReset, RateLimits } from './rate-limits'

const github = { remainingHeader: 'x-ratelimit-remaining', resetHeader: 'x-ratelimit-reset', resetUnit: 'epoch_s' as const }

describe('RateLimits', () => {
  const now = 1_700_000_000_000

  it('blocks a connection until the reset the provider gives when nothing remains', () => {
    const limits = new RateLimits()
    limits.observe('c1', github, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 90) }, now)
    expect(limits.delay('c1', github, now)).toBe(90_000)
    expect(limits.delay('c2', github, now)).toBe(0)
    limits.observe('c3', github, { 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': String(now / 1000 + 90) }, now)
    expect(limits.delay('c3', github, now)).toBe(0)
  })

  it('never blocks for longer than an hour, whatever the reset header says (a misdeclared unit)', () => {
    const limits = new RateLimits()
    // Milliseconds declared as seconds: a reset 55,000 years ahead.
    limits.observe('c1', github, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now + 60_000) }, now)
    expect(parseReset(String(now + 60_000), 'epoch_s', now)! - now).toBeGreaterThan(MAX_RESET_WAIT_MS)
    expect(limits.delay('c1', github, now)).toBe(MAX_RESET_WAIT_MS)
  })

  it('keeps the declared budget as a sliding window', () => {
    const limits = new RateLimits()
    const budget = { requests: 2, windowMs: 1000, resetUnit: 'epoch_s' as const }
    limits.record('c1', budget, now)
    limits.record('c1', budget, now + 100)
    expect(limits.delay('c1', budget, now + 200)).toBe(800)
    expect(limits.delay('c1', budget, now + 900)).toBe(100)
    expect(limits.delay('c1', budget, now + 1000)).toBe(0)
  })
})
