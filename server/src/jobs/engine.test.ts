import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '../db/client'
import { testDatabases } from '../db/testing'
import { createLogger } from '../lib/logger'
import { createJobEngine, JobEngineError, type JobEngine } from './engine'

const log = createLogger('silent')
const POLL_MS = 25

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 10))
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe.each(testDatabases())('job engine on $name', (target) => {
  let database: Database
  let url: string | undefined
  let drop: () => Promise<void>
  const engines: JobEngine[] = []
  const extra: Database[] = []

  function engine(db = database): JobEngine {
    const e = createJobEngine(db, { log, pollIntervalMs: POLL_MS })
    engines.push(e)
    return e
  }

  beforeEach(async () => {
    ;({ database, url, drop } = await target.open())
  })
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.stop({ graceful: false })))
    await Promise.all(extra.splice(0).map((d) => d.close()))
    await drop()
  })

  it('handles a sent job once, with its data and attempt 1', async () => {
    const jobs = engine()
    const seen: { data: unknown; attempt: number }[] = []
    jobs.define<{ n: number }>('test.once', async ({ data, attempt }) => void seen.push({ data, attempt }))
    await jobs.start()
    const id = await jobs.send('test.once', { n: 7 })
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    await until(async () => (await jobs.getJob('test.once', id!))?.state === 'completed')
    await sleep(100)
    expect(seen).toEqual([{ data: { n: 7 }, attempt: 1 }])
  })

  it('retries with backoff after a thrown error, then succeeds', async () => {
    const jobs = engine()
    const runs: { attempt: number; at: number }[] = []
    jobs.define('test.flaky', async ({ attempt }) => {
      runs.push({ attempt, at: Date.now() })
      if (attempt < 3) throw new Error(`boom ${attempt}`)
    }, { retryLimit: 3, retryDelaySeconds: 1, retryBackoff: true })
    await jobs.start()
    const id = (await jobs.send('test.flaky', {}))!
    await until(async () => (await jobs.getJob('test.flaky', id))?.state === 'completed', 15_000)
    expect(runs.map((r) => r.attempt)).toEqual([1, 2, 3])
    // Backoff with delay 1 s: retry 1 after 1–2 s, retry 2 after 2–4 s.
    expect(runs[1]!.at - runs[0]!.at).toBeGreaterThanOrEqual(900)
    expect(runs[2]!.at - runs[1]!.at).toBeGreaterThanOrEqual(1900)
  }, 20_000)

  it('fails a job for good after its retry limit, keeping the error', async () => {
    const jobs = engine()
    let runs = 0
    jobs.define('test.broken', async () => {
      runs++
      throw new Error('always')
    }, { retryLimit: 2, retryDelaySeconds: 0 })
    await jobs.start()
    const id = (await jobs.send('test.broken', {}))!
    await until(async () => (await jobs.getJob('test.broken', id))?.state === 'failed')
    await sleep(200)
    expect(runs).toBe(3)
    const job = await jobs.getJob('test.broken', id)
    expect(job).toMatchObject({ state: 'failed', attempt: 3, output: { message: 'always' } })
  })

  it('never runs two jobs of one key at once, and runs different keys in parallel', async () => {
    const jobs = engine()
    const spans: { key: string; start: number; end: number }[] = []
    jobs.define<{ key: string }>('test.exclusive', async ({ data }) => {
      const start = Date.now()
      await sleep(150)
      spans.push({ key: data.key, start, end: Date.now() })
    }, { policy: 'singleton', concurrency: 4 })
    await jobs.start()
    // Queued in an order where the second job in line has a busy key (head-of-line case).
    for (const key of ['a', 'a', 'a', 'b', 'b', 'c']) expect(await jobs.send('test.exclusive', { key }, { singletonKey: key })).not.toBeNull()
    await until(() => spans.length === 6)
    for (const key of ['a', 'b']) {
      const mine = spans.filter((s) => s.key === key).sort((x, y) => x.start - y.start)
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.start, `key ${key} overlaps`).toBeGreaterThanOrEqual(mine[i - 1]!.end)
    }
    const first = (key: string) => spans.find((s) => s.key === key)!
    const overlap = (x: { start: number; end: number }, y: { start: number; end: number }) => x.start < y.end && y.start < x.end
    expect(overlap(first('a'), first('b')) && overlap(first('a'), first('c'))).toBe(true)
    // 3 jobs of key a in sequence bound the total; keys b and c ran alongside.
    const total = Math.max(...spans.map((s) => s.end)) - Math.min(...spans.map((s) => s.start))
    expect(total).toBeLessThan(3 * 150 + 400)
  })

  it('refuses unknown queues and sends before start', async () => {
    const jobs = engine()
    jobs.define('test.known', async () => {})
    await expect(jobs.send('test.known', {})).rejects.toMatchObject({ code: 'engine_not_started' })
    await jobs.start({ work: false })
    await expect(jobs.send('test.unknown', {})).rejects.toBeInstanceOf(JobEngineError)
    await jobs.schedule('test.known', '*/5 * * * *', { x: 1 })
    await jobs.unschedule('test.known')
  })

  it.runIf(target.name === 'postgres')('shares the work between two worker processes, each job handled once', async () => {
    const second = await openDatabase({ url: url!, max: 5 })
    extra.push(second)
    const sender = engine()
    const handled = new Map<number, string[]>()
    const handler = (who: string) => async ({ data }: { data: { n: number } }) => {
      await sleep(20)
      handled.set(data.n, [...(handled.get(data.n) ?? []), who])
    }
    const [w1, w2] = [engine(), engine(second)]
    for (const [e, who] of [[sender, 'sender'], [w1, 'one'], [w2, 'two']] as const) e.define('test.shared', handler(who), { concurrency: 3 })
    await sender.start({ work: false })
    await Promise.all([w1.start(), w2.start()])
    const N = 60
    for (let n = 0; n < N; n++) await sender.send('test.shared', { n })
    await until(() => handled.size === N, 15_000)
    await sleep(200)
    expect([...handled.values()].every((who) => who.length === 1)).toBe(true)
    const by = (who: string) => [...handled.values()].filter((w) => w[0] === who).length
    expect(by('one')).toBeGreaterThan(0)
    expect(by('two')).toBeGreaterThan(0)
    expect(by('sender')).toBe(0)
  }, 20_000)

  it.runIf(target.name === 'postgres')('runs on a pool of its own when given the URL', async () => {
    const jobs = createJobEngine(database, { log, pollIntervalMs: POLL_MS, url })
    engines.push(jobs)
    const seen: string[] = []
    jobs.define<{ key: string }>('test.own-pool', async ({ data }) => void seen.push(data.key), { policy: 'singleton' })
    await jobs.start()
    for (const key of ['a', 'a', 'b']) await jobs.send('test.own-pool', { key }, { singletonKey: key })
    await until(() => seen.length === 3)
    expect(seen.sort()).toEqual(['a', 'a', 'b'])
  })

  it.runIf(target.name === 'postgres')('keeps one key exclusive across two worker processes', async () => {
    const second = await openDatabase({ url: url!, max: 5 })
    extra.push(second)
    const spans: { key: string; start: number; end: number }[] = []
    const handler = async ({ data }: { data: { key: string } }) => {
      const start = Date.now()
      await sleep(60)
      spans.push({ key: data.key, start, end: Date.now() })
    }
    const [w1, w2] = [engine(), engine(second)]
    for (const e of [w1, w2]) e.define('test.exclusive2', handler, { policy: 'singleton', concurrency: 3 })
    await Promise.all([w1.start(), w2.start()])
    for (let i = 0; i < 5; i++) for (const key of ['a', 'b']) await w1.send('test.exclusive2', { key }, { singletonKey: key })
    await until(() => spans.length === 10, 15_000)
    for (const key of ['a', 'b']) {
      const mine = spans.filter((s) => s.key === key).sort((x, y) => x.start - y.start)
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.start).toBeGreaterThanOrEqual(mine[i - 1]!.end)
    }
  }, 20_000)
})
