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
