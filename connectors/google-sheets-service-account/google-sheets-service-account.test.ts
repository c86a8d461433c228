import { describe, expect, it } from 'vitest'
import { actionRequest } from '../../server/src/services/actions'
import { renderUrl, validateConnectionConfig } from '../../server/src/services/integrations'
import { getConnector } from '../registry'
import { connectorSchema } from '../schema'
import { walk } from '../testing'
import sheets from '../google-sheets/index'
import sheetsSa from './index'

const ID = '1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms'

describe('google-sheets-service-account connector', () => {
  it('parses, parsing its output again changes nothing, and is registered', () => {
    expect(connectorSchema.parse(sheetsSa)).toEqual(sheetsSa)
    expect(getConnector('google-sheets-service-account')).toBe(sheetsSa)
  })

  // https://developers.google.com/identity/protocols/oauth2/service-account#httprest
  it('uses a service account key at Google’s token endpoint with the spreadsheets scope', () => {
    expect(sheetsSa.auth).toMatchObject({ type: 'oauth2_jwt_bearer', tokenUrl: 'https://oauth2.googleapis.com/token', scopes: ['https://www.googleapis.com/auth/spreadsheets'], scopeSeparator: ' ', assertionLifetime: 3600, inject: { headers: { Authorization: 'Bearer {accessToken}' } } })
    if (sheetsSa.auth.type !== 'oauth2_jwt_bearer') throw new Error('unreachable')
    expect(sheetsSa.auth.fields.serviceAccountKey).toMatchObject({ type: 'textarea', required: true, helpUrl: 'https://cloud.google.com/iam/docs/keys-create-delete' })
    expect(sheetsSa.auth.fields.serviceAccountKey!.description).toMatch(/Share the spreadsheet with the service account’s email address/)
    expect(sheetsSa.auth.fields.subject).toMatchObject({ type: 'email', required: false })
    expect(sheetsSa.description).toMatch(/Share the spreadsheet with the service account’s email address/)
  })

  it('the auth type takes only serviceAccountKey (required) and subject as fields', () => {
    const auth = (fields: unknown) => connectorSchema.safeParse({ ...sheetsSa, auth: { type: 'oauth2_jwt_bearer', tokenUrl: 'https://oauth2.googleapis.com/token', fields } }).success
    expect(auth(undefined)).toBe(true)
    expect(auth({ serviceAccountKey: { label: 'Key', type: 'textarea' } })).toBe(true)
    expect(auth({ serviceAccountKey: { label: 'Key', type: 'textarea', required: false } })).toBe(false)
    expect(auth({ subject: { label: 'User', type: 'email' } })).toBe(false)
    expect(auth({ serviceAccountKey: { label: 'Key', type: 'textarea' }, apiKey: { label: 'Key' } })).toBe(false)
    expect(connectorSchema.safeParse({ ...sheetsSa, auth: { ...sheetsSa.auth, assertionLifetime: 3601 } }).success).toBe(false)
  })

  it('verifies with one cell of the spreadsheet', () => {
    if (sheetsSa.auth.type !== 'oauth2_jwt_bearer') throw new Error('unreachable')
    expect(sheetsSa.auth.verify).toEqual({ method: 'GET', path: '/values/A1', okStatus: [200] })
    const base = renderUrl(sheetsSa.http.baseUrl, validateConnectionConfig(sheetsSa, { spreadsheetId: ID }))
    expect(base + sheetsSa.auth.verify!.path).toBe(`https://sheets.googleapis.com/v4/spreadsheets/${ID}/values/A1`)
  })

  it('shares the OAuth variant’s API, objects, syncs, actions and hooks (not copies)', () => {
    expect(sheetsSa.http).toEqual(sheets.http)
    expect(sheetsSa.connectionConfig).toEqual(sheets.connectionConfig)
    expect(sheetsSa.objects).toEqual(sheets.objects)
    expect(sheetsSa.syncs).toEqual(sheets.syncs)
    expect(sheetsSa.actions.append_rows!.input).toBe(sheets.actions.append_rows!.input)
    expect(sheetsSa.hooks.syncItem).toBe(sheets.hooks.syncItem)
    expect(sheetsSa.hooks.discoverFields).toBe(sheets.hooks.discoverFields)
    const base = renderUrl(sheetsSa.http.baseUrl, { spreadsheetId: ID })
    expect(walk(sheetsSa, 'row', () => ({ body: { values: [['a']] } }), { baseUrl: base }).urls.map(String)).toEqual([`${base}/values/A2:Z?majorDimension=ROWS`])
    expect(actionRequest(sheetsSa.actions.append_rows!, { range: 'Sheet1!A1', values: [['x']] }).path).toBe('/values/Sheet1!A1:append?valueInputOption=USER_ENTERED&insertDataOption=INSERT_ROWS')
  })
})
