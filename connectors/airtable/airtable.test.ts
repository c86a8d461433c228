import { describe, expect, it } from 'vitest'
import { connectorSchema, discoveredFieldsSchema } from '../schema'
import { authorizationUrl, toRecord, walk } from '../testing'
import { applyMapping, invertMapping } from '../../server/src/mapping/apply'
import { checkMapping } from '../../server/src/mapping/check'
import { mappingSchema, vendorModelSchema } from '../../server/src/mapping/schema'
import { firstPage, syncPlan } from '../../server/src/services/sync-engine'
import schema from './fixtures/base-schema.json' with { type: 'json' }
import createRecord from './fixtures/create-record.json' with { type: 'json' }
import page1 from './fixtures/records-page-1.json' with { type: 'json' }
import page2 from './fixtures/records-page-2.json' with { type: 'json' }
import { recordsToFields, tablesToFields } from './common'
import airtable from './index'

/** A connection to the documented "Apartments" table (base ID from the list-bases example). */
const BASE = 'https://api.airtable.com/v0/appY3WxIBCdKPDdIa/tbltp8DGLhqbUmjK1'

describe('airtable connector (OAuth)', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(airtable)).toEqual(airtable)
    expect(airtable.id).toBe('airtable')
  })

  // https://airtable.com/developers/web/api/oauth-reference
  describe('auth', () => {
    it('uses the documented endpoints, PKCE, client_secret_basic and refresh tokens', () => {
      expect(airtable.auth).toMatchObject({
        type: 'oauth2',
        authorizationUrl: 'https://airtable.com/oauth2/v1/authorize',
        tokenUrl: 'https://airtable.com/oauth2/v1/token',
        clientAuth: 'client_secret_basic',
        pkce: true,
        refreshable: true,
        inject: { headers: { Authorization: 'Bearer {accessToken}' }, query: {} },
      })
    })

    it('builds an authorization request with every required parameter, scopes space-delimited', () => {
      const url = authorizationUrl(airtable, { clientId: 'a1b2c3d4-client', redirectUri: 'https://app.example/oauth/callback', state: 's'.repeat(43), codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' })
      expect(url.origin + url.pathname).toBe('https://airtable.com/oauth2/v1/authorize')
      expect(Object.fromEntries(url.searchParams)).toEqual({
        response_type: 'code',
        client_id: 'a1b2c3d4-client',
        redirect_uri: 'https://app.example/oauth/callback',
        state: 's'.repeat(43),
        scope: 'data.records:read data.records:write',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      })
    })
  })

  describe('connection config', () => {
    it('puts the base and table IDs in the base URL', () => {
      expect(airtable.http.baseUrl).toBe('https://api.airtable.com/v0/{baseId}/{tableId}')
      expect(airtable.objects.record!.path).toBe('/')
    })

    it('accepts only base and table IDs', () => {
      const base = new RegExp(`^(?:${airtable.connectionConfig.baseId!.pattern})$`)
      const table = new RegExp(`^(?:${airtable.connectionConfig.tableId!.pattern})$`)
      expect(base.test('appY3WxIBCdKPDdIa')).toBe(true)
      expect(table.test('tbltp8DGLhqbUmjK1')).toBe(true)
      for (const bad of ['tbltp8DGLhqbUmjK1', 'appY3WxIBCdKPDdI', 'appY3WxIBCdKPDdIa/x', 'Apartments']) expect(base.test(bad), bad).toBe(false)
      expect(table.test('Apartments')).toBe(false)
    })
  })

  // https://airtable.com/developers/web/api/rate-limits
  it('budgets 5 requests per second (per base; one connection is one base) and retries 429', () => {
    expect(airtable.http.rateLimit).toMatchObject({ requests: 5, windowMs: 1_000 })
    expect(airtable.http.rateLimit?.remainingHeader).toBeUndefined()
    expect(airtable.http.retry.on).toContain(429)
  })

  // https://airtable.com/developers/web/api/list-records
  describe('pagination (offset in the body → offset parameter, pageSize ≤ 100)', () => {
    it('walks the documented page, then a last page without offset', () => {
      const { urls, items } = walk(airtable, 'record', (url) => (url.searchParams.has('offset') ? page2 : page1), { baseUrl: BASE })
      // The table URL with a trailing slash: the only path the schema lets the object have (see the report).
      expect(urls.map((u) => u.href)).toEqual([`${BASE}/?pageSize=100`, `${BASE}/?pageSize=100&offset=itrHf8M5XsYfF8sz6%2FrecALlX0j3W6VaWsE`])
      expect(urls[1]!.searchParams.get('offset')).toBe('itrHf8M5XsYfF8sz6/recALlX0j3W6VaWsE')
      expect(items.map((r) => (r as { id: string }).id)).toEqual(['rec560UJdUtocSouk', 'rec3lbPRG4aVqkeOQ', 'recWharf000000001'])
    })

    it('syncs in full: there is no modified-since parameter', () => {
      expect(airtable.syncs.records).toMatchObject({ object: 'record', mode: 'full' })
      expect(firstPage(BASE, syncPlan(airtable, 'records'), '2022-09-12T21:03:48.000Z', 'full').search).toBe('?pageSize=100')
    })
  })

  it('maps a documented record', () => {
    expect(toRecord(airtable, 'record', page1.body.records[0])).toEqual({
      id: 'rec560UJdUtocSouk',
      createdTime: '2022-09-12T21:03:48.000Z',
      fields: { Address: '333 Post St', Name: 'Union Square', Visited: true },
    })
  })

  describe('custom fields (columns at fields.<name>)', () => {
    it('discovers the columns seen in a sample of records, typed by value', async () => {
      const calls: [string, Record<string, string> | undefined][] = []
      const found = await airtable.hooks.discoverFields!({ object: 'record', get: async (path, query) => (calls.push([path, query]), page1.body) })
      expect(calls).toEqual([['/', { pageSize: '100' }]])
      expect(found).toEqual({
        'fields.Address': { type: 'string', label: 'Address' },
        'fields.Name': { type: 'string', label: 'Name' },
        'fields.Visited': { type: 'boolean', label: 'Visited' },
      })
      expect(discoveredFieldsSchema.safeParse(found).success).toBe(true)
      // Parsed JSON, so `__proto__` is an own key as in a provider's answer.
      expect(recordsToFields(JSON.parse('{"records":[{"fields":{"a.b":1,"__proto__":2,"constructor":3,"Rating":4,"Tags":["x"],"Who":{"id":"usr1"}}}]}'))).toEqual({
        'fields.Rating': { type: 'number', label: 'Rating' },
        'fields.Tags': { type: 'array', label: 'Tags' },
        'fields.Who': { type: 'object', label: 'Who' },
      })
    })

    // https://airtable.com/developers/web/api/get-base-schema, https://airtable.com/developers/web/api/field-model
    it('turns the documented base schema into typed columns of one table (for a discovery that can reach it)', () => {
      expect(tablesToFields(schema.body, 'tbltp8DGLhqbUmjK1')).toEqual({
        'fields.Name': { type: 'string', label: 'Name', description: 'Name of the apartment' },
        'fields.Pictures': { type: 'array', label: 'Pictures' },
        'fields.District': { type: 'array', label: 'District' },
      })
      expect(Object.keys(tablesToFields(schema.body, 'tblK6MZHez0ZvBChZ'))).toEqual(['fields.Name', 'fields.Apartments'])
      expect(tablesToFields(schema.body, 'tblNope0000000000')).toEqual({})
      const typed = tablesToFields(
        {
          tables: [
            {
              id: 'tbl1',
              fields: [
                { name: 'Status', type: 'singleSelect', options: { choices: [{ id: 'selEdGmmn2C1Fq6gR', name: 'Todo', color: 'redLight2' }, { id: 'sel1', name: 'Done' }] } },
                { name: 'Due', type: 'date' },
                { name: 'Done at', type: 'dateTime' },
                { name: 'Count', type: 'count' },
                { name: 'Price', type: 'currency' },
                { name: 'OK', type: 'checkbox' },
                { name: 'Total', type: 'formula', options: { result: { type: 'number' } } },
                { name: 'Owner', type: 'singleCollaborator' },
                { name: 'v1.2', type: 'singleLineText' },
              ],
            },
          ],
        },
        'tbl1',
      )
      expect(typed).toEqual({
        'fields.Status': { type: 'enum', label: 'Status', enumValues: ['Todo', 'Done'] },
        'fields.Due': { type: 'date', label: 'Due' },
        'fields.Done at': { type: 'datetime', label: 'Done at' },
        'fields.Count': { type: 'integer', label: 'Count' },
        'fields.Price': { type: 'number', label: 'Price' },
        'fields.OK': { type: 'boolean', label: 'OK' },
        'fields.Total': { type: 'number', label: 'Total' },
        'fields.Owner': { type: 'object', label: 'Owner' },
      })
      expect(discoveredFieldsSchema.safeParse(typed).success).toBe(true)
    })
  })

  describe('mapping a table to a vendor model (no common model: tables are the user’s own)', () => {
    const place = vendorModelSchema.parse({ name: 'Place', fields: { name: { type: 'string', required: true }, address: { type: 'string' }, visited: { type: 'boolean' } } })
    const mapping = mappingSchema.parse({ model: 'Place', fields: { name: { source: 'field', path: 'fields.Name' }, address: { source: 'field', path: 'fields.Address' }, visited: { source: 'field', path: 'fields.Visited' } } })

    it('checks against the discovered columns and maps a documented record', () => {
      const fields = { id: { type: 'string' as const }, createdTime: { type: 'datetime' as const }, ...recordsToFields(page1.body) }
      expect(checkMapping(place, fields, mapping).ok).toBe(true)
      expect(applyMapping(place, mapping, page1.body.records[0])).toEqual({ value: { name: 'Union Square', address: '333 Post St', visited: true }, errors: [] })
      // An unticked checkbox is absent from the record.
      expect(applyMapping(place, mapping, page1.body.records[1]).value).toEqual({ name: 'Ferry Building', address: '1 Ferry Building', visited: null })
    })

    it('writes a place back as create_record input', () => {
      const input = invertMapping(place, mapping).toProvider({ name: 'Union Square', address: '333 Post St', visited: true })
      expect(airtable.actions.create_record!.input.parse(input)).toEqual(createRecord.body)
    })
  })

  // https://airtable.com/developers/web/api/create-records
  describe('create_record', () => {
    const action = airtable.actions.create_record!
    it('posts { fields } to the table URL, as a record', () => {
      expect(action).toMatchObject({ method: 'POST', path: '/', object: 'record' })
      expect(action.input.parse(createRecord.body)).toEqual(createRecord.body)
      expect(action.input.parse({ ...createRecord.body, typecast: true })).toMatchObject({ typecast: true })
    })
    it('needs at least one cell and no unknown keys', () => {
      expect(action.input.safeParse({ fields: {} }).success).toBe(false)
      expect(action.input.safeParse({}).success).toBe(false)
      expect(action.input.safeParse({ ...createRecord.body, id: 'rec560UJdUtocSouk' }).success).toBe(false)
    })
  })

  it('has no account info request: /v0/meta/whoami is not under the table URL', () => {
    expect(airtable.accountInfo).toBeUndefined()
  })
})
