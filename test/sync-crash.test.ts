/**
 * Crash safety of syncs, with real processes: a Patchbay process is killed with SIGKILL while a sync
 * waits for a page (at random pages, several times), then started again on the same database. The
 * run resumes from its last checkpoint; the records equal the provider's, with no duplicates, on
 * PGlite (a data folder) and PostgreSQL. On PostgreSQL, two worker processes sharing the database
 * never run one connection's sync twice at once.
 * The provider is the local HubSpot fake (cursor pagination `paging.next.after`, full syncs).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, describe, expect, it } from 'vitest'
import { generateMasterKey } from '../server/src/lib/crypto'
import { testDatabases } from '../server/src/testing'
import { startFakeProvider, type FakeProvider } from './fakes/provider'

const NODE = join(import.meta.dirname, 'helpers', 'sync-node.ts')

interface Ready {
  url?: string
  secretKey?: string
  connectionIds?: string[]
}

/** Starts a Patchbay process and resolves with its first JSON line. */
function spawnNode(env: Record<string, string>): Promise<{ child: ChildProcess; ready: Ready }> {
  // `node --import tsx` (not the tsx CLI, which runs the script in a grandchild): SIGKILL must hit the process that works.
  const child = spawn(process.execPath, ['--import', 'tsx', NODE], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.once('line', (line) => resolve({ child, ready: JSON.parse(line) as Ready }))
    child.once('exit', (code) => reject(new Error(`node exited with ${code} before it was ready`)))
  })
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', () => (clearTimeout(t), resolve()))
    child.kill('SIGTERM')
  })
}

interface Run {
  id: string
  status: string
  added: number
  updated: number
  deleted: number
  changesCursor: string
  error: unknown
}

const CONTACTS = 1_200 // 12 pages of 100

describe.each(testDatabases())('sync crash recovery on $name', (target) => {
  const cleanups: (() => Promise<void> | void)[] = []
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c()
  })

  async function database(): Promise<Record<string, string>> {
    if (target.name === 'pglite') {
      const dir = mkdtempSync(join(tmpdir(), 'patchbay-crash-'))
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
      return { PATCHBAY_DATA_DIR: dir }
    }
    const { url, drop } = await target.open()
    cleanups.push(drop)
    return { DATABASE_URL: url! }
  }

  it('resumes after SIGKILL at random pages: every record exactly once, equal to the provider', { timeout: 120_000 }, async () => {
    const fake: FakeProvider = await startFakeProvider({ style: 'hubspot', count: { contact: CONTACTS, company: 0 } })
    cleanups.push(() => fake.close())
    const env = { ...(await database()), PATCHBAY_ENCRYPTION_KEY: generateMasterKey() }

    let node: ChildProcess | undefined
    const killAt: number[] = []
    let kills = 0
    fake.onPage(async (pageIndex, req) => {
      if (req.object !== 'contact' || killAt.length === 0 || pageIndex < killAt[0]!) return
      killAt.shift()
      kills++
      await killHard(node!)
      return { status: 503 }
    })
    const planKills = (n: number, pages: number) => {
      const set = new Set<number>()
      while (set.size < n) set.add(1 + Math.floor(Math.random() * (pages - 1)))
      killAt.push(...[...set].sort((a, b) => a - b))
    }

    planKills(3, CONTACTS / 100)
    let started = await spawnNode({ ...env, SETUP_JSON: '1', SETUP_CONNECTOR: 'hubspot', SETUP_BASE_URL: fake.url })
    node = started.child
    const { secretKey, connectionIds } = started.ready
    const connectionId = connectionIds![0]!
    let url = started.ready.url!
    const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) })
      expect(res.status, await res.clone().text()).toBeLessThan(300)
      return (await res.json()) as T
    }

    /** Restarts the process whenever it was killed, until the newest contacts run has finished. */
    async function runToEnd(notId?: string): Promise<Run> {
      for (let i = 0; i < 1200; i++) {
        if (node!.exitCode !== null || node!.signalCode !== null) {
          started = await spawnNode(env)
          node = started.child
          url = started.ready.url!
        }
        const runs = await api<{ data: Run[] }>('GET', `/v1/sync-runs?connectionId=${connectionId}&sync=contacts&limit=1`).catch(() => ({ data: [] as Run[] }))
        const run = runs.data[0]
        if (run && run.id !== notId && ['succeeded', 'failed'].includes(run.status)) return run
        await new Promise((r) => setTimeout(r, 100))
      }
      throw new Error('the run did not finish')
    }

    async function feed(cursor?: string): Promise<{ records: { id: string; action: string; data: unknown; deletedAt: string | null }[]; cursor: string }> {
      const records: { id: string; action: string; data: unknown; deletedAt: string | null }[] = []
      for (;;) {
        const q = new URLSearchParams({ connectionId, model: 'contact', limit: '1000', ...(cursor ? { cursor } : {}) })
        const page = await api<{ data: typeof records; nextCursor: string; hasMore: boolean }>('GET', `/v1/records?${q}`)
        records.push(...page.data)
        cursor = page.nextCursor
        if (!page.hasMore) return { records, cursor }
      }
    }

    try {
      // 1. The initial (full) sync, killed three times.
      const first = await runToEnd()
      expect(kills).toBe(3)
      expect(first).toMatchObject({ status: 'succeeded', added: CONTACTS, updated: 0, deleted: 0 })
      const all = await feed()
      expect(all.records).toHaveLength(CONTACTS)
      expect(new Set(all.records.map((r) => r.id)).size).toBe(CONTACTS)
      const truth = new Map(fake.records().map((r) => [String(r.id), r]))
      for (const r of all.records) expect(r.data).toEqual(truth.get(r.id))

      // 2. Changes at the provider, a full run killed twice: the feed holds each change once.
      const ids = [...truth.keys()]
      const updated = [ids[5]!, ids[333]!, ids[1100]!]
      const removed = [ids[7]!, ids[640]!]
      for (const id of updated) fake.update(id, { properties: { firstname: `Changed ${id}` } })
      for (const id of removed) fake.remove(id)
      const added = [String(fake.add().id), String(fake.add().id)]
      planKills(2, CONTACTS / 100)
      const kills0 = kills
      await api('POST', `/v1/connections/${connectionId}/syncs/contacts/trigger`, {})
      const second = await runToEnd(first.id)
      expect(kills - kills0).toBe(2)
      expect(second).toMatchObject({ status: 'succeeded', added: 2, updated: 3, deleted: 2 })
      const changes = await feed(all.cursor)
      expect(changes.records.map((r) => r.id).sort()).toEqual([...updated, ...removed, ...added].sort())
      const live = new Map<string, unknown>()
      for (const r of [...all.records, ...changes.records]) {
        if (r.deletedAt) live.delete(r.id)
        else live.set(r.id, r.data)
      }
      const now = fake.records()
      expect(live.size).toBe(now.length)
      for (const r of now) expect(live.get(String(r.id))).toEqual(r)
    } finally {
      fake.onPage(null)
      await stop(node!)
    }
  })

  it.skipIf(target.name !== 'postgres')('never runs one connection’s sync twice at once across worker processes', { timeout: 120_000 }, async () => {
    const CONNECTIONS = 6
    const fake = await startFakeProvider({ style: 'hubspot', count: { contact: 500, company: 0 } })
    cleanups.push(() => fake.close())
    const env = { ...(await database()), PATCHBAY_ENCRYPTION_KEY: generateMasterKey() }
    const inFlight = new Map<string, number>()
    let maxPerConnection = 0
    let maxOverall = 0
    let overall = 0
    fake.onPage(async (_page, req) => {
      const key = req.credential ?? '?'
      const n = (inFlight.get(key) ?? 0) + 1
      inFlight.set(key, n)
      overall++
      maxPerConnection = Math.max(maxPerConnection, n)
      maxOverall = Math.max(maxOverall, overall)
      await new Promise((r) => setTimeout(r, 15))
      inFlight.set(key, inFlight.get(key)! - 1)
      overall--
    })
    // The server does not work jobs; two worker processes do.
    const server = await spawnNode({ ...env, PATCHBAY_WORKERS: '0', SETUP_JSON: '1', SETUP_CONNECTOR: 'hubspot', SETUP_BASE_URL: fake.url, SETUP_CONNECTIONS: String(CONNECTIONS) })
    const workers = await Promise.all([spawnNode({ ...env, NODE_ROLE: 'worker' }), spawnNode({ ...env, NODE_ROLE: 'worker' })])
    try {
      const { url, secretKey, connectionIds } = server.ready
      const get = async <T>(path: string) => (await (await fetch(url + path, { headers: { authorization: `Bearer ${secretKey}` } })).json()) as T
      // Trigger each sync again while its initial run is still going: triggers coalesce, runs never overlap.
      for (const id of connectionIds!) await fetch(`${url}/v1/connections/${id}/syncs/contacts/trigger`, { method: 'POST', headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' }, body: '{}' })
      for (let i = 0; i < 600; i++) {
        const runs = await get<{ data: Run[] }>(`/v1/sync-runs?sync=contacts&limit=200`)
        if (runs.data.length >= CONNECTIONS && runs.data.every((r) => r.status === 'succeeded')) break
        await new Promise((r) => setTimeout(r, 100))
      }
      const runs = await get<{ data: Run[] }>(`/v1/sync-runs?sync=contacts&limit=200`)
      expect(runs.data.filter((r) => r.status === 'succeeded').length).toBeGreaterThanOrEqual(CONNECTIONS)
      for (const id of connectionIds!) {
        const page = await get<{ data: unknown[] }>(`/v1/records?connectionId=${id}&model=contact&limit=1000`)
        expect(page.data).toHaveLength(500)
      }
      expect(maxPerConnection).toBe(1)
      expect(maxOverall).toBeGreaterThan(1) // connections did run in parallel
    } finally {
      fake.onPage(null)
      await Promise.all([stop(server.child), ...workers.map((w) => stop(w.child))])
    }
  })
})
