/**
 * Incremental syncs whose filter lives inside a query-text parameter: the cursor formats
 * (connectors/pagination.ts `formatCursor`), the templating, the load-time checks of a formatted
 * `updatedSince` (connectors/schema.ts), and the first and incremental URLs of the Salesforce syncs.
 * SOQL dateTime literals: https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm
 */
import { describe, expect, it } from 'vitest'
import { PatchbayError } from '../server/src/lib/errors'
import { firstPage, runParams, syncPlan } from '../server/src/services/sync-engine'
import { fillCursorTemplate, formatCursor } from './pagination'
import salesforce, { API_VERSION, withMappedFields } from './salesforce/index'
import { connectorSchema, type ConnectorInput } from './schema'

const HOSTILE = "2024-01-01T00:00:00Z' OR Id != '"

describe('formatCursor', () => {
  it('re-serialises ISO date-times in UTC, whole seconds rounded down', () => {
    expect(formatCursor('2024-03-01T12:00:00.999+0000', 'iso8601')).toBe('2024-03-01T12:00:00Z') // Salesforce's own spelling
    expect(formatCursor('2015-07-24T10:35:08-07:00', 'iso8601')).toBe('2015-07-24T17:35:08Z') // an offset is applied
    expect(formatCursor('2024-03-01T00:30:00+01:00', 'iso8601')).toBe('2024-02-29T23:30:00Z')
    expect(formatCursor('2024-03-01T12:00:00.123456Z', 'iso8601_ms')).toBe('2024-03-01T12:00:00.123Z')
    expect(formatCursor('2024-03-01T12:00:00.5Z', 'iso8601_offset')).toBe('2024-03-01T12:00:00+00:00')
  })

  it('takes epoch numbers (seconds below 1e11, else milliseconds) and writes epochs as digits', () => {
    expect(formatCursor(1_709_294_400, 'iso8601')).toBe('2024-03-01T12:00:00Z')
    expect(formatCursor(1_709_294_400_123, 'iso8601_ms')).toBe('2024-03-01T12:00:00.123Z')
    expect(formatCursor('2024-03-01T12:00:00.123Z', 'epoch_ms')).toBe('1709294400123')
    expect(formatCursor('2024-03-01T12:00:00.999Z', 'epoch_s')).toBe('1709294400')
    expect(formatCursor('1709294400', 'epoch_s')).toBe('1709294400')
  })

  it.each([
    HOSTILE,
    '2024-01-01T00:00:00Z OR IsDeleted = false',
    '2024-01-01',
    '2024-01-01T00:00:00', // no zone: which instant is it?
    '2024-02-30T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T00:00:00+25:00',
    ' 2024-01-01T00:00:00Z',
    '2024-01-01T00:00:00Z\n',
    'yesterday',
    '',
    '+275760-09-13T00:00:00Z',
  ])('refuses %j rather than splice it into a query', (cursor) => {
    let error: unknown
    try {
      formatCursor(cursor, 'iso8601')
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(PatchbayError)
    expect(error).toMatchObject({ code: 'upstream_invalid_response', status: 502 })
    expect((error as Error).message).toMatch(/not put into the provider's query/)
  })

  it('refuses numbers that are not whole, non-negative epochs', () => {
    for (const n of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 1e20]) expect(() => formatCursor(n, 'epoch_ms')).toThrow(PatchbayError)
  })

  it('fills the one {cursor} of a template', () => {
    expect(fillCursorTemplate("select * from Customer where MetaData.LastUpdatedTime >= '{cursor}'", '2015-07-24T10:35:08-07:00', 'iso8601_offset')).toBe("select * from Customer where MetaData.LastUpdatedTime >= '2015-07-24T17:35:08+00:00'")
    expect(() => fillCursorTemplate('WHERE SystemModstamp >= {cursor}', HOSTILE, 'iso8601')).toThrow(/is not a date-time/)
  })
})

describe('a formatted updatedSince at load time', () => {
  const base = {
    id: 'test-soql',
    name: 'Test SOQL',
    description: 'A GET list with its filter inside the query text.',
    categories: ['crm'],
    logo: '<svg xmlns="http://www.w3.org/2000/svg"/>',
    docsUrl: 'https://example.com/docs',
    auth: { type: 'api_key', inject: { headers: { Authorization: 'Bearer {apiKey}' } }, verify: { path: '/me' } },
    http: { baseUrl: 'https://api.example.com', pagination: { type: 'next_url', nextUrlPath: 'next', itemsPath: 'records' } },
    objects: {
      contact: { path: '/query', params: { q: 'SELECT Id, Stamp FROM Contact' }, fields: { id: { type: 'string', key: true, from: 'Id' }, stamp: { type: 'datetime', from: 'Stamp' } } },
      search: { path: '/search', body: {}, pagination: { type: 'cursor', cursorParam: 'after', cursorPath: 'next', itemsPath: 'records' }, fields: { id: { type: 'string', key: true } } },
    },
  } satisfies Partial<ConnectorInput>
  const problems = (syncs: ConnectorInput['syncs']) => {
    const r = connectorSchema.safeParse({ ...base, syncs })
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
  }
  const good = { object: 'contact', mode: 'incremental', cursorField: 'stamp', updatedSince: { name: 'q', value: 'SELECT Id, Stamp FROM Contact WHERE Stamp >= {cursor}', format: 'iso8601' } } as const

  it('accepts a GET list whose query parameter holds {cursor} once', () => {
    expect(problems({ contacts: good })).toEqual([])
  })

  it('refuses a template without {cursor}, with two, a non-string value, a POST list, a full sync or no cursorField', () => {
    expect(problems({ contacts: { ...good, updatedSince: { ...good.updatedSince, value: 'SELECT Id FROM Contact' } } })).toEqual(["syncs.contacts.updatedSince.value: with `format`, the value must be a string holding '{cursor}' exactly once"])
    expect(problems({ contacts: { ...good, updatedSince: { ...good.updatedSince, value: '{cursor} {cursor}' } } })).toHaveLength(1)
    expect(problems({ contacts: { ...good, updatedSince: { ...good.updatedSince, value: ['{cursor}'] } } })).toHaveLength(1)
    expect(problems({ contacts: { ...good, object: 'search' } })).toEqual(['syncs.contacts.updatedSince.format: a formatted `updatedSince` templates a query parameter of a GET list; `body` and `graphql` lists take `{cursor}` values without `format`'])
    expect(problems({ contacts: { ...good, mode: 'full' } })).toEqual(['syncs.contacts.mode: a templated `updatedSince` needs `mode: incremental`'])
    const { cursorField: _, ...noCursor } = good
    expect(problems({ contacts: noCursor })).toEqual(['syncs.contacts.cursorField: a templated `updatedSince` needs the `cursorField` its cursor comes from'])
    expect(problems({ contacts: { ...good, updatedSince: { ...good.updatedSince, format: 'rfc822' as 'iso8601' } } })).toHaveLength(1)
  })
})

describe('salesforce incremental syncs', () => {
  const BASE = 'https://acme.my.salesforce.com'
  const CONTACT_Q = 'SELECT Id, FirstName, LastName, Name, Email, Phone, MobilePhone, Title, Department, AccountId, Account.Name, LeadSource, MailingCity, MailingCountry, OwnerId, CreatedDate, LastModifiedDate, SystemModstamp, IsDeleted FROM Contact'

  it('a full (first) run reads the whole QueryAll with the object’s own query', () => {
    const url = firstPage(BASE, syncPlan(salesforce, 'contacts'), null, 'full')
    expect(url.origin + url.pathname).toBe(`${BASE}/services/data/${API_VERSION}/queryAll`)
    expect([...url.searchParams]).toEqual([['q', CONTACT_Q]])
    // A full resync with a cursor stored ignores it.
    expect(firstPage(BASE, syncPlan(salesforce, 'contacts'), '2024-03-01T12:00:00.000+0000', 'full').href).toBe(url.href)
  })

  it('an incremental run filters on SystemModstamp from the last cursor, as a SOQL dateTime literal, and keeps the recycle bin', () => {
    const url = firstPage(BASE, syncPlan(salesforce, 'contacts'), '2024-03-01T12:00:00.000+0000', 'incremental')
    expect(url.href).toBe(`${BASE}/services/data/${API_VERSION}/queryAll?q=${new URLSearchParams({ q: `${CONTACT_Q} WHERE SystemModstamp >= 2024-03-01T12:00:00Z OR IsDeleted = true` }).toString().slice(2)}`)
    expect(url.searchParams.get('q')).toBe(`${CONTACT_Q} WHERE SystemModstamp >= 2024-03-01T12:00:00Z OR IsDeleted = true`)
    expect(firstPage(BASE, syncPlan(salesforce, 'opportunities'), '2024-03-01T12:00:00.000+0000', 'incremental').searchParams.get('q')).toMatch(/ FROM Opportunity WHERE SystemModstamp >= 2024-03-01T12:00:00Z OR IsDeleted = true$/)
  })

  it('the mapping’s extra fields reach the incremental SELECT, the filter stays', () => {
    const params = runParams(syncPlan(salesforce, 'contacts'), '2024-03-01T12:00:00.000+0000', 'incremental')
    expect(withMappedFields(params, ['Tier__c', 'Owner.Name']).q).toBe(`${CONTACT_Q.replace(' FROM Contact', ', Tier__c, Owner.Name FROM Contact')} WHERE SystemModstamp >= 2024-03-01T12:00:00Z OR IsDeleted = true`)
  })

  it('refuses a hostile stored cursor instead of building the query', () => {
    expect(() => firstPage(BASE, syncPlan(salesforce, 'contacts'), HOSTILE, 'incremental')).toThrow(PatchbayError)
  })
})
