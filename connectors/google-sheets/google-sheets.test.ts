import { describe, expect, it } from 'vitest'
import { actionRequest } from '../../server/src/services/actions'
import { renderUrl, validateConnectionConfig } from '../../server/src/services/integrations'
import { pageRecords, syncPlan } from '../../server/src/services/sync-engine'
import { connectorSchema, discoveredFieldsSchema } from '../schema'
import { authorizationUrl, toRecord, walk } from '../testing'
import append from './fixtures/append.json' with { type: 'json' }
import readRange from './fixtures/read-range.json' with { type: 'json' }
import token from './fixtures/token-response.json' with { type: 'json' }
import sheets, { A1_RANGE, COLUMNS, fnv1a64, headerToFields, rowToRecord } from './index'

/** The spreadsheet id of the placeholder in the connect form (Google's sample spreadsheet). */
const ID = '1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms'
const BASE = renderUrl(sheets.http.baseUrl, validateConnectionConfig(sheets, { spreadsheetId: ID }))

// Derived from the documented read (read-range.json, Sheet1!A1:D5): the answer for this connector's
// ranges is the same sheet cut differently — the header row for A1:Z1, the other rows for A2:Z.
// The `range` values are what Google echoes for such requests ("this range indicates the entire
// requested range", ValueRange); they are written here, not copied from a page.
const [headerRow, ...dataRows] = readRange.body.values
const headerAnswer = { range: 'Sheet1!A1:Z1', majorDimension: 'ROWS', values: [headerRow] }
const rowsAnswer = { range: 'Sheet1!A2:Z1000', majorDimension: 'ROWS', values: dataRows }

describe('google-sheets connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(sheets)).toEqual(sheets)
    expect(sheets.id).toBe('google-sheets')
  })

  // https://developers.google.com/identity/protocols/oauth2/web-server, https://developers.google.com/workspace/sheets/api/scopes
  describe('auth', () => {
    it('uses Google’s endpoints with offline access, a consent prompt, PKCE and the spreadsheets scope only', () => {
      expect(sheets.auth).toMatchObject({ type: 'oauth2', tokenUrl: 'https://oauth2.googleapis.com/token', revocationUrl: 'https://oauth2.googleapis.com/revoke', clientAuth: 'client_secret_post', pkce: true, refreshable: true })
      const url = authorizationUrl(sheets, { clientId: 'CLIENT_ID', redirectUri: 'https://app.example/cb', state: 'STATE', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' })
      expect(url.origin + url.pathname).toBe('https://accounts.google.com/o/oauth2/v2/auth')
      expect(url.searchParams.get('scope')).toBe('https://www.googleapis.com/auth/spreadsheets')
      expect(url.searchParams.get('access_type')).toBe('offline')
      expect(url.searchParams.get('prompt')).toBe('consent')
      expect(url.searchParams.get('code_challenge_method')).toBe('S256')
    })

    it('needs no token-response hook', () => {
      expect(token.body).toMatchObject({ token_type: 'Bearer' })
      expect(sheets.hooks.afterTokenResponse).toBeUndefined()
    })
  })

  // https://developers.google.com/workspace/sheets/api/guides/concepts
  describe('the spreadsheet id the end user enters', () => {
    it('accepts spreadsheet ids and puts them in the base URL', () => {
      for (const spreadsheetId of [ID, 'aBC-123_xYz']) expect(validateConnectionConfig(sheets, { spreadsheetId })).toEqual({ spreadsheetId })
      expect(BASE).toBe(`https://sheets.googleapis.com/v4/spreadsheets/${ID}`)
    })

    it('refuses anything that is not one path segment of letters, digits, - and _', () => {
      for (const spreadsheetId of ['', '..', '../drive', 'a/b', 'a.b', 'a?b', 'a#b', 'a b', 'https://docs.google.com/spreadsheets/d/x/edit']) {
        expect(() => validateConnectionConfig(sheets, { spreadsheetId }), spreadsheetId).toThrow()
      }
      expect(() => validateConnectionConfig(sheets, {})).toThrow()
    })
  })

  // https://developers.google.com/workspace/sheets/api/limits
  it('keeps to 60 requests a minute per user and retries 429 and 5xx', () => {
    expect(sheets.http.rateLimit).toMatchObject({ requests: 60, windowMs: 60_000 })
    expect(sheets.http.retry.on).toEqual([429, 500, 502, 503, 504])
  })

  // https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets.values/get
  describe('reading the rows (one request, no pagination)', () => {
    it('reads A2:Z of the first sheet in a single request', () => {
      const { urls, items } = walk(sheets, 'row', () => ({ body: rowsAnswer }), { baseUrl: BASE })
      expect(urls.map((u) => u.href)).toEqual([`${BASE}/values/A2:Z?majorDimension=ROWS`])
      expect(items).toEqual(dataRows)
    })

    it('stops after the documented answer as given, too', () => {
      expect(walk(sheets, 'row', () => ({ body: readRange.body }), { baseUrl: BASE }).urls).toHaveLength(1)
    })
  })

  describe('rows as records (syncItem)', () => {
    it('keys each row by a hash of its cells and names the cells by column', () => {
      const record = rowToRecord(dataRows[0])
      expect(record).toEqual({ id: fnv1a64('["Wheel","$20.50","4","3/1/2016"]'), A: 'Wheel', B: '$20.50', C: '4', D: '3/1/2016' })
      expect(record!.id).toMatch(/^[0-9a-f]{16}$/)
      expect(toRecord(sheets, 'row', record)).toMatchObject({ id: record!.id, A: 'Wheel', B: '$20.50', C: '4', D: '3/1/2016', E: undefined, Z: undefined })
    })

    it('stores the documented rows through the sync plan, one record per distinct row', () => {
      const { batch, skipped } = pageRecords(syncPlan(sheets, 'rows'), dataRows, null)
      expect(batch.externalIds).toHaveLength(4)
      expect(new Set(batch.externalIds).size).toBe(4)
      expect(batch.data.map((d) => JSON.parse(d).A)).toEqual(['Wheel', 'Door', 'Engine', 'Totals'])
      expect(skipped).toBe(0)
    })

    it('skips empty rows, treats trailing empty cells as absent, merges identical rows and re-keys an edited row', () => {
      // Rows between data come as [] ("empty trailing rows and columns will not be included").
      expect(rowToRecord([])).toBeNull()
      expect(rowToRecord(['', ''])).toBeNull()
      expect(rowToRecord('not a row')).toBeNull()
      expect(rowToRecord(['Door', '$15', ''])!.id).toBe(rowToRecord(['Door', '$15'])!.id)
      const { batch } = pageRecords(syncPlan(sheets, 'rows'), [dataRows[1], [], dataRows[1]], null)
      expect(batch.externalIds).toHaveLength(1)
      expect(rowToRecord(['Door', '$16', '2', '3/15/2016'])!.id).not.toBe(rowToRecord(dataRows[1])!.id)
    })

    it('reads only columns A to Z', () => {
      const wide = Array.from({ length: 30 }, (_, i) => `c${i}`)
      const record = rowToRecord(wide)!
      expect(Object.keys(record)).toEqual(['id', ...COLUMNS])
      expect(record.Z).toBe('c25')
    })

    it('uses the FNV-1a 64-bit hash (published test vectors)', () => {
      expect(fnv1a64('')).toBe('cbf29ce484222325')
      expect(fnv1a64('a')).toBe('af63dc4c8601ec8c')
      expect(fnv1a64('foobar')).toBe('85944171f73967e8')
    })
  })

  describe('column names from the header row (discoverFields)', () => {
    it('reads A1:Z1 and labels each column with its header', async () => {
      const calls: [string, Record<string, string> | undefined][] = []
      const found = await sheets.hooks.discoverFields!({ object: 'row', get: async (path, query) => (calls.push([path, query]), headerAnswer) })
      expect(calls).toEqual([['/values/A1:Z1', undefined]])
      expect(found).toEqual({ A: { type: 'string', label: 'Item' }, B: { type: 'string', label: 'Cost' }, C: { type: 'string', label: 'Stocked' }, D: { type: 'string', label: 'Ship Date' } })
      expect(discoveredFieldsSchema.safeParse(found).success).toBe(true)
      // The discovered paths are declared fields: the header only relabels them.
      for (const path of Object.keys(found!)) expect(sheets.objects.row!.fields[path]).toBeDefined()
    })

    it('keeps the letter of a column without a header, and reads nothing for an empty sheet', () => {
      expect(headerToFields({ values: [['Name', '', 'Email']] })).toEqual({ A: { type: 'string', label: 'Name' }, C: { type: 'string', label: 'Email' } })
      expect(headerToFields({ range: 'Sheet1!A1:Z1', majorDimension: 'ROWS' })).toEqual({})
      expect(headerToFields(null)).toEqual({})
    })

    it('has no default mapping: a sheet fits no common model', () => {
      expect(sheets.objects.row!.commonModel).toBeUndefined()
      expect(sheets.syncs.rows).toMatchObject({ object: 'row', mode: 'full' })
    })
  })

  it('declares no account info (no “me” endpoint under the base URL)', () => {
    expect(sheets.accountInfo).toBeUndefined()
  })

  // https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets.values/append
  describe('append_rows', () => {
    const action = sheets.actions.append_rows!

    it('posts the documented values to values/{range}:append with USER_ENTERED and INSERT_ROWS', () => {
      expect(action).toMatchObject({ method: 'POST', body: 'json' })
      const input = action.input.parse(append.request)
      const request = actionRequest(action, input)
      expect(request.path).toBe('/values/Sheet1!A1%3AE1:append?valueInputOption=USER_ENTERED&insertDataOption=INSERT_ROWS')
      expect(request.json).toEqual({ majorDimension: 'ROWS', values: append.request.values })
      const url = new URL(BASE + request.path)
      expect(url.origin + url.pathname).toBe(`https://sheets.googleapis.com/v4/spreadsheets/${ID}/values/Sheet1!A1%3AE1:append`)
      expect(Object.fromEntries(url.searchParams)).toEqual({ valueInputOption: 'USER_ENTERED', insertDataOption: 'INSERT_ROWS' })
    })

    it('takes A1 ranges with or without a sheet name, quoted sheet names, numbers, booleans and nulls', () => {
      for (const range of ['Sheet1!A1', 'Sheet1', 'A1:E1', "'My Custom Sheet'!A:A", "'Jon's_Data'!A1:D5", "'My Custom Sheet'", 'Sheet1!1:2', 'Sheet1!A5:A']) {
        expect(A1_RANGE.test(range), range).toBe(true)
      }
      expect(action.input.safeParse({ range: 'Sheet1!A1', values: [['x', 1, 2.5, true, null]] }).success).toBe(true)
    })

    it('refuses ranges that are not A1 notation, empty values, objects in cells and unknown keys', () => {
      const bad = [
        { values: append.request.values },
        { range: '', values: append.request.values },
        { range: 'Sheet1!A1/../x', values: append.request.values },
        { range: 'Sheet1!A1?x=1', values: append.request.values },
        { range: 'My Sheet!A1', values: append.request.values },
        { range: 'Sheet1!A1', values: [] },
        { range: 'Sheet1!A1', values: [[]] },
        { range: 'Sheet1!A1', values: [[{ formula: '=1' }]] },
        { range: 'Sheet1!A1', values: [['x']], valueInputOption: 'RAW' },
      ]
      for (const input of bad) expect(action.input.safeParse(input).success, JSON.stringify(input)).toBe(false)
    })
  })
})
