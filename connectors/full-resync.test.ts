/**
 * Load-time checks of a sync's `fullResyncFrequency` (connectors/schema.ts), the `±hhmm` cursor
 * format QuickBooks' query example uses (connectors/pagination.ts `formatCursor`), and the full-
 * resync decision of the scheduler (server/src/services/syncs.ts `fullResyncDue`).
 */
import { describe, expect, it } from 'vitest'
import { fullResyncDue, nextFullResyncAt, effectiveFullResyncFrequency } from '../server/src/services/syncs'
import { fillCursorTemplate, formatCursor } from './pagination'
import { connectorSchema, defineConnector, type ConnectorInput } from './schema'

const DAY = 86_400_000

const base = {
  id: 'test-resync',
  name: 'Test resync',
  description: 'A GET list with incremental and full syncs.',
  categories: ['crm'],
  logo: '<svg xmlns="http://www.w3.org/2000/svg"/>',
  docsUrl: 'https://example.com/docs',
  auth: { type: 'api_key', inject: { headers: { Authorization: 'Bearer {apiKey}' } }, verify: { path: '/me' } },
  http: { baseUrl: 'https://api.example.com', pagination: { type: 'next_url', nextUrlPath: 'next', itemsPath: 'records' } },
  objects: { contact: { path: '/contacts', fields: { id: { type: 'string', key: true }, updatedAt: { type: 'datetime' } } } },
} satisfies Partial<ConnectorInput>
const incremental = { object: 'contact', mode: 'incremental', cursorField: 'updatedAt', updatedSinceParam: 'since', defaultFrequency: '1h' } as const

const problems = (syncs: ConnectorInput['syncs']) => {
  const r = connectorSchema.safeParse({ ...base, syncs })
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

describe('fullResyncFrequency at load time', () => {
  it('accepts an incremental sync with a full resync longer than its frequency, up to 30d', () => {
    expect(problems({ contacts: { ...incremental, fullResyncFrequency: '7d' } })).toEqual([])
    expect(problems({ contacts: { ...incremental, fullResyncFrequency: '61m' } })).toEqual([])
    expect(problems({ contacts: { ...incremental, fullResyncFrequency: '30d' } })).toEqual([])
    expect(problems({ contacts: incremental })).toEqual([])
  })

  it('refuses one not longer than defaultFrequency, out of range, malformed, or on a full sync', () => {
    expect(problems({ contacts: { ...incremental, fullResyncFrequency: '1h' } })).toEqual(['syncs.contacts.fullResyncFrequency: must be longer than defaultFrequency (1h)'])
    expect(problems({ contacts: { ...incremental, fullResyncFrequency: '30m' } })).toEqual(['syncs.contacts.fullResyncFrequency: must be longer than defaultFrequency (1h)'])
    expect(problems({ contacts: { ...incremental, defaultFrequency: '2d', fullResyncFrequency: '48h' } })).toEqual(['syncs.contacts.fullResyncFrequency: must be longer than defaultFrequency (2d)'])
    expect(problems({ contacts: { ...incremental, fullResyncFrequency: '31d' } })).toEqual(['syncs.contacts.fullResyncFrequency: must be between 1m and 30d'])
    expect(problems({ contacts: { ...incremental, fullResyncFrequency: 'weekly' } })).toHaveLength(1)
    expect(problems({ contacts: { object: 'contact', mode: 'full', fullResyncFrequency: '1d' } })).toEqual(['syncs.contacts.fullResyncFrequency: only an incremental sync has full resyncs; every run of a full sync is one'])
  })
})

describe('the scheduler’s full-resync decision', () => {
  const connector = defineConnector({ ...base, syncs: { contacts: { ...incremental, fullResyncFrequency: '7d' }, plain: incremental, everything: { object: 'contact', mode: 'full' } } })
  const now = new Date('2026-03-01T12:00:00Z')
  const ago = (ms: number) => new Date(now.getTime() - ms)

  it('is due when the last full run is at least fullResyncFrequency old, or there was none', () => {
    expect(fullResyncDue({ name: 'contacts', lastFullSyncAt: ago(6 * DAY) }, {}, connector, now)).toBe(false)
    expect(fullResyncDue({ name: 'contacts', lastFullSyncAt: ago(7 * DAY) }, {}, connector, now)).toBe(true)
    expect(fullResyncDue({ name: 'contacts', lastFullSyncAt: ago(8 * DAY) }, {}, connector, now)).toBe(true)
    expect(fullResyncDue({ name: 'contacts', lastFullSyncAt: null }, {}, connector, now)).toBe(true)
    expect(nextFullResyncAt({ name: 'contacts', lastFullSyncAt: ago(DAY) }, {}, connector)).toEqual(new Date(now.getTime() + 6 * DAY))
  })

  it("takes the integration's override, and never applies to syncs without one or to full syncs", () => {
    const settings = { syncs: { contacts: { fullResyncFrequency: '2d' }, plain: { fullResyncFrequency: '1d' } } }
    expect(effectiveFullResyncFrequency('contacts', settings, connector)).toBe('2d')
    expect(fullResyncDue({ name: 'contacts', lastFullSyncAt: ago(3 * DAY) }, settings, connector, now)).toBe(true)
    expect(fullResyncDue({ name: 'contacts', lastFullSyncAt: ago(DAY) }, settings, connector, now)).toBe(false)
    expect(fullResyncDue({ name: 'plain', lastFullSyncAt: ago(2 * DAY) }, settings, connector, now)).toBe(true)
    expect(fullResyncDue({ name: 'plain', lastFullSyncAt: ago(300 * DAY) }, {}, connector, now)).toBe(false)
    expect(effectiveFullResyncFrequency('everything', { syncs: { everything: { fullResyncFrequency: '1d' } } }, connector)).toBeNull()
    expect(fullResyncDue({ name: 'everything', lastFullSyncAt: null }, {}, connector, now)).toBe(false)
    expect(effectiveFullResyncFrequency('no-such-sync', settings, connector)).toBeNull()
  })
})

// Intuit's query example: `WHERE Metadata.LastUpdatedTime > '2011-08-10T10:20:30-0700'`
// (https://developer.intuit.com/docs/00_quickbooks_online/2_build/20_explore_the_quickbooks_online_api/50_data_queries).
describe('the iso8601_offset_hhmm cursor format', () => {
  it('writes UTC whole seconds with a +0000 offset, whatever the cursor’s own offset', () => {
    expect(formatCursor('2011-08-10T10:20:30-0700', 'iso8601_offset_hhmm')).toBe('2011-08-10T17:20:30+0000')
    expect(formatCursor('2015-07-24T10:35:08.999-07:00', 'iso8601_offset_hhmm')).toBe('2015-07-24T17:35:08+0000')
    expect(formatCursor(1_709_294_400, 'iso8601_offset_hhmm')).toBe('2024-03-01T12:00:00+0000')
    expect(fillCursorTemplate("select * from Customer where Metadata.LastUpdatedTime >= '{cursor}' MAXRESULTS 1000", '2014-09-18T12:56:01-07:00', 'iso8601_offset_hhmm')).toBe("select * from Customer where Metadata.LastUpdatedTime >= '2014-09-18T19:56:01+0000' MAXRESULTS 1000")
  })

  it('refuses a cursor that is not a date-time', () => {
    expect(() => formatCursor("2011-08-10T10:20:30-0700' or Id > '0", 'iso8601_offset_hhmm')).toThrow(/is not a date-time/)
  })
})
