import { describe, expect, it } from 'vitest'
import airtable from '../airtable/index'
import page1 from '../airtable/fixtures/records-page-1.json' with { type: 'json' }
import { connectorSchema } from '../schema'
import { walk } from '../testing'
import { authenticationFor } from '../../server/src/services/credentials'
import airtablePat from './index'

const BASE = 'https://api.airtable.com/v0/appY3WxIBCdKPDdIa/tbltp8DGLhqbUmjK1'
/** The format of a personal access token (made-up value). */
const TOKEN = `patAbCdEfGhIjKlMn.${'0123456789abcdef'.repeat(4)}`

describe('airtable-pat connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(airtablePat)).toEqual(airtablePat)
    expect(airtablePat.id).toBe('airtable-pat')
  })

  // https://airtable.com/developers/web/api/authentication
  it('sends the token as a bearer token and verifies it on one record of the table', () => {
    expect(airtablePat.auth).toMatchObject({ type: 'api_key', inject: { headers: { Authorization: 'Bearer {apiKey}' }, query: {} }, verify: { method: 'GET', path: '/?pageSize=1', okStatus: [200] } })
    expect(authenticationFor(airtablePat, { type: 'api_key', values: { apiKey: TOKEN } }).headers).toEqual({ authorization: `Bearer ${TOKEN}` })
  })

  // https://airtable.com/developers/web/guides/personal-access-tokens
  it('accepts personal access tokens only', () => {
    const field = airtablePat.auth.type === 'api_key' ? airtablePat.auth.fields.apiKey : undefined
    const anchored = new RegExp(`^(?:${field!.pattern})$`)
    expect(anchored.test(TOKEN)).toBe(true)
    for (const bad of ['keyAbCdEfGhIjKlMn', 'patAbCdEfGhIjKlMn', 'Bearer x']) expect(anchored.test(bad), bad).toBe(false)
  })

  it('shares everything but auth with the OAuth connector', () => {
    const { id, name, description, auth, ...rest } = airtablePat
    const { id: _i, name: _n, description: _d, auth: _a, ...oauthRest } = airtable
    expect(rest).toEqual(oauthRest)
    expect(walk(airtablePat, 'record', () => ({ body: { records: page1.body.records } }), { baseUrl: BASE }).items).toHaveLength(2)
  })
})
