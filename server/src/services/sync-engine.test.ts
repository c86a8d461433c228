/** The sync engine's pure parts: the plan of a connector sync, page → records, the incremental cursor. */
import { describe, expect, it } from 'vitest'
import { defineConnector, type ConnectorInput } from '../../../connectors/schema'
import github from '../../../connectors/github/index'
import { canonicalJson, contentHash } from '../lib/canonical-json'
import { capCursor, firstPage, pageRecords, syncPlan } from './sync-engine'

const base: ConnectorInput = {
  id: 'x',
  name: 'X',
  description: 'x',
  categories: ['crm'],
  logo: '<svg/>',
  docsUrl: 'https://example.com',
  auth: { type: 'api_key', inject: { headers: { 'X-Key': '{apiKey}' } }, verify: { path: '/me' } },
  http: { baseUrl: 'https://api.example.com/v2', pagination: { type: 'cursor', cursorParam: 'after', cursorPath: 'next', itemsPath: 'items', limitParam: 'limit', limit: 50 } },
  objects: {
    contact: { path: '/contacts', params: { archived: 'true' }, fields: { uid: { type: 'string', key: true, from: 'meta.id' }, modified: { type: 'datetime', from: 'meta.modified' } } },
  },
  syncs: { contacts: { object: 'contact', mode: 'incremental', cursorField: 'modified', updatedSinceParam: 'since', deletedWhen: { path: 'archived', equals: true } } },
}

describe('syncPlan', () => {
  it('resolves the key and cursor fields to their `from` paths', () => {
    const plan = syncPlan(defineConnector(base), 'contacts')
    expect(plan).toMatchObject({ model: 'contact', path: '/contacts', keyPath: 'meta.id', cursorPath: 'meta.modified', updatedSinceParam: 'since', mode: 'incremental' })
  })
  it('refuses an unknown sync', () => {
    expect(() => syncPlan(defineConnector(base), 'nope')).toThrow(/no sync "nope"/)
  })
  it('uses GitHub’s declarations (Link pagination, `since` on updated_at)', () => {
    const plan = syncPlan(github, 'issues')
    expect(plan.pagination.type).toBe('link')
    expect(plan.updatedSinceParam).toBe('since')
    expect(plan.cursorPath).toBe('updated_at')
  })
})

describe('firstPage', () => {
  const plan = syncPlan(defineConnector(base), 'contacts')
  it('adds params, the page size and, for incremental runs with a cursor, the since parameter', () => {
    expect(firstPage('https://api.example.com/v2', plan, '2026-01-01T00:00:00.000Z', 'incremental').href).toBe('https://api.example.com/v2/contacts?archived=true&limit=50&since=2026-01-01T00%3A00%3A00.000Z')
    expect(firstPage('https://api.example.com/v2/', plan, '2026-01-01T00:00:00.000Z', 'full').href).toBe('https://api.example.com/v2/contacts?archived=true&limit=50')
    expect(firstPage('https://api.example.com/v2', plan, null, 'incremental').searchParams.has('since')).toBe(false)
  })
})

describe('pageRecords', () => {
  const plan = syncPlan(defineConnector(base), 'contacts')
  it('extracts ids, hashes canonical JSON, keeps the last duplicate, skips items without an id, separates deletions', () => {
    const items = [
      { meta: { id: 'a', modified: '2026-01-02T00:00:00Z' }, name: 'A1' },
      { meta: { id: 7, modified: '2026-01-05T00:00:00Z' }, name: 'Seven' },
      { meta: { modified: '2026-02-01T00:00:00Z' }, name: 'no id' },
      { meta: { id: 'a', modified: '2026-01-03T00:00:00Z' }, name: 'A2' },
      { meta: { id: 'gone', modified: '2026-01-04T00:00:00Z' }, archived: true },
    ]
    const page = pageRecords(plan, items, '2026-01-01T00:00:00Z')
    expect(page.batch.externalIds).toEqual(['a', '7'])
    expect(page.batch.data[0]).toBe(canonicalJson(items[3]))
    expect(page.batch.hashes[0]).toBe(contentHash(canonicalJson(items[3])))
    expect(page.deletedIds).toEqual(['gone'])
    expect(page.skipped).toBe(1)
    // The item without an id does not move the cursor; the others do.
    expect(page.cursorMax).toBe('2026-01-05T00:00:00Z')
  })
  it('hashes content, not key order', () => {
    const [a] = pageRecords(plan, [{ meta: { id: 'a' }, x: 1, y: [1, { b: 2, a: 1 }] }], null).batch.hashes
    const [b] = pageRecords(plan, [{ y: [1, { a: 1, b: 2 }], x: 1, meta: { id: 'a' } }], null).batch.hashes
    expect(a).toBe(b)
  })
  it('applies the connector’s syncItem hook (and drops items it returns null for)', () => {
    const c = defineConnector({ ...base, hooks: { syncItem: (item) => ((item as { drop?: boolean }).drop ? null : { ...(item as object), seenBy: 'hook' }) } })
    const page = pageRecords(syncPlan(c, 'contacts'), [{ meta: { id: '1' } }, { meta: { id: '2' }, drop: true }], null)
    expect(page.batch.externalIds).toEqual(['1'])
    expect(JSON.parse(page.batch.data[0]!)).toEqual({ meta: { id: '1' }, seenBy: 'hook' })
  })
  it('compares numeric cursors as numbers (Stripe `created`)', () => {
    const c = defineConnector({ ...base, objects: { contact: { ...base.objects!.contact!, fields: { uid: { type: 'string', key: true, from: 'meta.id' }, modified: { type: 'integer', from: 'created' } } } } })
    expect(pageRecords(syncPlan(c, 'contacts'), [{ meta: { id: '1' }, created: 9 }, { meta: { id: '2' }, created: 10 }], 8).cursorMax).toBe(10)
  })
})

describe('capCursor', () => {
  const started = new Date('2026-06-01T12:00:00.000Z')
  it('never stores a cursor later than the run’s start minus the look-back', () => {
    expect(capCursor('2026-06-01T11:59:30.000Z', started)).toBe('2026-06-01T11:59:00.000Z')
    expect(capCursor('2026-05-01T00:00:00.000Z', started)).toBe('2026-05-01T00:00:00.000Z')
    expect(capCursor(Math.floor(started.getTime() / 1000), started)).toBe(Math.floor(started.getTime() / 1000) - 60)
    expect(capCursor(started.getTime(), started)).toBe(started.getTime() - 60_000)
    expect(capCursor('opaque-token', started)).toBe('opaque-token')
    expect(capCursor(null, started)).toBeNull()
  })
})
