import { describe, expect, it } from 'vitest'
import { Collection, CrmStore, decodeCursor, encodeCursor } from './crm-store.ts'
import { seedCompanies, seedContacts } from './seed.ts'

describe('seed data', () => {
  it('is deterministic per account and differs between accounts', () => {
    const a = seedContacts('user:ada', 10, seedCompanies('user:ada'))
    expect(seedContacts('user:ada', 10, seedCompanies('user:ada'))).toEqual(a)
    expect(seedContacts('user:grace', 10, seedCompanies('user:grace'))).not.toEqual(a)
    expect(a.map((c) => c.id).slice(0, 2)).toEqual(['ct_0001', 'ct_0002'])
    for (const c of a) expect(c.updated_at >= c.created_at).toBe(true)
  })
})

describe('Collection', () => {
  const fresh = () => new CrmStore(25).account('key:1', 'test').contacts

  it('pages with an opaque cursor until next_cursor is null', () => {
    const contacts = fresh()
    const seen: string[] = []
    let after: string | undefined
    for (;;) {
      const page = contacts.list({ limit: 10, ...(after ? { after } : {}) })
      seen.push(...page.data.map((c) => c.id))
      if (!page.next_cursor) break
      after = decodeCursor(page.next_cursor)
    }
    expect(seen).toHaveLength(25)
    expect(new Set(seen).size).toBe(25)
  })

  it('keeps its order across inserts and deletes', () => {
    const contacts = fresh()
    const added = contacts.insert({ email: 'n@x.test', first_name: 'N', last_name: 'X', company_id: null, lifecycle_stage: 'lead', phone: null })
    expect(added.id).toBe('ct_0026')
    expect(contacts.remove('ct_0010')).toBe(true)
    expect(contacts.remove('ct_0010')).toBe(false)
    const page = contacts.list({ limit: 100, after: 'ct_0008' })
    expect(page.data.map((c) => c.id).slice(0, 2)).toEqual(['ct_0009', 'ct_0011'])
    expect(page.data.at(-1)?.id).toBe('ct_0026')
    expect(page.next_cursor).toBeNull()
  })

  it('filters by updated_since without losing the cursor', () => {
    const contacts = fresh()
    const since = contacts.list({ limit: 100 }).data.map((c) => c.updated_at).sort()[12] as string
    const first = contacts.list({ limit: 5, updatedSince: since })
    const rest = contacts.list({ limit: 100, updatedSince: since, after: decodeCursor(first.next_cursor as string) as string })
    const all = [...first.data, ...rest.data]
    expect(all).toHaveLength(13)
    expect(all.every((c) => c.updated_at >= since)).toBe(true)
  })

  it('rejects cursors it did not make', () => {
    expect(decodeCursor(encodeCursor('ct_0003'))).toBe('ct_0003')
    expect(decodeCursor('bm9wZQ')).toBeUndefined()
    expect(new Collection('co', 3, []).list({ limit: 5 })).toEqual({ data: [], next_cursor: null })
  })
})

describe('Collection tombstones', () => {
  const fresh = () => new CrmStore(25).account('key:1', 'test').contacts
  const at = new Date('2030-01-01T00:00:00.000Z')

  it('replaces a deleted record by a tombstone, listed only with includeDeleted', () => {
    const contacts = fresh()
    expect(contacts.remove('ct_0003', at)).toBe(true)
    expect(contacts.get('ct_0003')).toBeUndefined()
    expect(contacts.size).toBe(24)
    expect(contacts.deletedCount).toBe(1)
    expect(contacts.list({ limit: 100 }).data.map((c) => c.id)).not.toContain('ct_0003')
    const all = contacts.list({ limit: 100, includeDeleted: true }).data
    expect(all).toHaveLength(25)
    expect(all[2]).toEqual({ id: 'ct_0003', deleted: true, deleted_at: at.toISOString(), updated_at: at.toISOString() })
    expect(contacts.update('ct_0003', { phone: null })).toBeUndefined()
    expect(contacts.remove('ct_0003')).toBe(false)
  })

  it('pages across tombstones, also with a tombstone as the cursor', () => {
    const contacts = fresh()
    for (const id of ['ct_0004', 'ct_0005', 'ct_0006']) contacts.remove(id, at)
    const first = contacts.list({ limit: 5, includeDeleted: true })
    expect(first.data.at(-1)?.id).toBe('ct_0005')
    const next = contacts.list({ limit: 2, includeDeleted: true, after: decodeCursor(first.next_cursor as string) as string })
    expect(next.data.map((c) => c.id)).toEqual(['ct_0006', 'ct_0007'])
    expect(contacts.list({ limit: 2, after: 'ct_0005' }).data.map((c) => c.id)).toEqual(['ct_0007', 'ct_0008'])
    // Only tombstones changed after `at`: the live list is empty and says so on its first page.
    expect(contacts.list({ limit: 2, updatedSince: at.toISOString() })).toEqual({ data: [], next_cursor: null })
    const deleted = contacts.list({ limit: 2, updatedSince: at.toISOString(), includeDeleted: true })
    expect(deleted.data.map((c) => c.id)).toEqual(['ct_0004', 'ct_0005'])
    const rest = contacts.list({ limit: 2, updatedSince: at.toISOString(), includeDeleted: true, after: decodeCursor(deleted.next_cursor as string) as string })
    expect(rest).toEqual({ data: [expect.objectContaining({ id: 'ct_0006', deleted: true })], next_cursor: null })
  })

  it('an incremental walk over 2,500 contacts reads each entry about once', () => {
    const contacts = new CrmStore(2500).account('key:1', 'test').contacts
    for (let i = 1; i <= 2500; i += 250) contacts.update(`ct_${String(i).padStart(4, '0')}`, { phone: null }, at)
    const started = performance.now()
    let pages = 0
    for (let run = 0; run < 100; run++) {
      let after: string | undefined
      do {
        const page = contacts.list({ limit: 100, updatedSince: at.toISOString(), includeDeleted: true, ...(after ? { after } : {}) })
        expect(page.data).toHaveLength(10)
        after = page.next_cursor ? decodeCursor(page.next_cursor) : undefined
        pages++
      } while (after)
    }
    expect(pages).toBe(100)
    // 100 walks of 2,500 entries take a few ms; the bound only catches a quadratic regression.
    expect(performance.now() - started).toBeLessThan(1000)
  })
})
