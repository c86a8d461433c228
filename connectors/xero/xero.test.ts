import { describe, expect, it } from 'vitest'
import { COMMON_MODELS } from '../common-models'
import { getHeader } from '../pagination'
import { connectorSchema, type Connector } from '../schema'
import { authorizationUrl, paginationOf, toRecord, walk } from '../testing'
import { applyMapping } from '../../server/src/mapping/apply'
import { checkMapping, providerFieldsOf } from '../../server/src/mapping/check'
import { mappingSchema } from '../../server/src/mapping/schema'
import { actionRequest } from '../../server/src/services/actions'
import { renderHeaders } from '../../server/src/services/integrations'
import connections from './fixtures/connections.json' with { type: 'json' }
import contacts1 from './fixtures/contacts-page-1.json' with { type: 'json' }
import contacts2 from './fixtures/contacts-page-2.json' with { type: 'json' }
import createContact from './fixtures/create-contact.json' with { type: 'json' }
import invoices from './fixtures/invoices.json' with { type: 'json' }
import rateLimitHeaders from './fixtures/rate-limit-headers.json' with { type: 'json' }
import xero, { authEventIdOf, CONNECTIONS_URL, tenantFrom, withIsoDates } from './index'

const BASE = 'https://api.xero.com/api.xro/2.0'
const TENANT_ID = 'fe79f7dd-b6d4-4a92-ba7b-538af6289c58'

/** A JWT-shaped token whose payload carries `claims` (illustrative: unsigned, for the authEventId preference only). */
const jwtWith = (claims: Record<string, unknown>) => `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`

async function afterAuthorization(body: unknown, accessToken: unknown = 'opaque') {
  const urls: string[] = []
  const config = await xero.hooks.afterAuthorization!({ tokenResponse: { access_token: accessToken, token_type: 'Bearer' }, connectionConfig: {}, callbackParams: {}, get: async (url) => (urls.push(url), body) })
  return { urls, config }
}

/** A page as the engine stores it: each item through the connector's `syncItem` hook. */
const synced = (items: readonly unknown[], name = 'contacts', model = 'contact') => items.map((i) => xero.hooks.syncItem!(i, { name, model }))

describe('xero connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(xero)).toEqual(xero)
    expect(xero.id).toBe('xero')
  })

  // https://developer.xero.com/documentation/guides/oauth2/auth-flow/
  // https://developer.xero.com/documentation/oauth2/pkce-flow
  // https://developer.xero.com/documentation/guides/oauth2/scopes/
  describe('auth', () => {
    it('uses login.xero.com and identity.xero.com with HTTP Basic client authentication, PKCE, refresh tokens and RFC 7009 revocation', () => {
      expect(xero.auth).toMatchObject({
        type: 'oauth2',
        authorizationUrl: 'https://login.xero.com/identity/connect/authorize',
        tokenUrl: 'https://identity.xero.com/connect/token',
        revocationUrl: 'https://identity.xero.com/connect/revocation',
        clientAuth: 'client_secret_basic',
        pkce: true,
        refreshable: true,
      })
    })

    it('builds the documented authorization URL with the narrow scopes and an S256 challenge', () => {
      const url = authorizationUrl(xero, { clientId: 'YOURCLIENTID', redirectUri: 'https://example.com/callback', state: '123', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' })
      expect(url.origin + url.pathname).toBe('https://login.xero.com/identity/connect/authorize')
      expect(url.searchParams.get('response_type')).toBe('code')
      expect(url.searchParams.get('client_id')).toBe('YOURCLIENTID')
      expect(url.searchParams.get('scope')).toBe('offline_access accounting.contacts accounting.invoices.read')
      expect(url.searchParams.get('code_challenge')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')
      expect(url.searchParams.get('code_challenge_method')).toBe('S256')
      // Neither the deprecated broad scope nor write access to invoices is asked for.
      expect(url.searchParams.get('scope')).not.toMatch(/accounting\.transactions|accounting\.invoices( |$)/)
    })
  })

  describe('organisation selection (afterAuthorization)', () => {
    it('asks /connections with the new token and stores the documented organisation', async () => {
      const { urls, config } = await afterAuthorization(connections.body)
      expect(urls).toEqual([CONNECTIONS_URL])
      expect(CONNECTIONS_URL).toBe('https://api.xero.com/connections')
      expect(config).toEqual({ tenantId: TENANT_ID, tenantName: 'Demo Company (NZ)' })
      for (const [name, value] of Object.entries(config)) {
        const field = xero.connectionConfig[name]!
        expect(field.source, name).toBe('token')
        expect(new RegExp(`^(?:${field.pattern})$`).test(value), name).toBe(true)
      }
    })

    it('skips practice tenants, and prefers the organisation authorised in this flow', async () => {
      const practice = { ...connections.body[0]!, tenantId: '0ab6b1a2-0000-4000-8000-00000000000a', tenantType: 'PRACTICE', tenantName: 'A practice' } // made up
      const older = { ...connections.body[0]!, tenantId: '1b2c3d4e-0000-4000-8000-00000000000b', tenantName: 'Older Org', authEventId: 'e1e1e1e1-0000-4000-8000-000000000001' } // made up
      const latest = { ...connections.body[0]!, authEventId: 'e2e2e2e2-0000-4000-8000-000000000002' }
      expect((await afterAuthorization([practice, older, latest])).config.tenantName).toBe('Older Org')
      expect((await afterAuthorization([practice, older, latest], jwtWith({ authentication_event_id: 'e2e2e2e2-0000-4000-8000-000000000002' }))).config).toEqual({ tenantId: TENANT_ID, tenantName: 'Demo Company (NZ)' })
      // An event id that matches nothing falls back to the first organisation.
      expect((await afterAuthorization([practice, older], jwtWith({ authentication_event_id: 'nope' }))).config.tenantName).toBe('Older Org')
      expect(authEventIdOf('not-a-jwt')).toBeUndefined()
      expect(authEventIdOf('a.!!!.c')).toBeUndefined()
      expect(authEventIdOf(jwtWith({ sub: 'x' }))).toBeUndefined()
    })

    it('refuses the connection when no organisation was connected', async () => {
      await expect(afterAuthorization([])).rejects.toThrow(/no Xero organisation/)
      await expect(afterAuthorization([{ ...connections.body[0]!, tenantType: 'PRACTICE' }])).rejects.toThrow(/no Xero organisation/)
      await expect(afterAuthorization([{ ...connections.body[0]!, tenantId: 'x\r\nx-evil: 1' }])).rejects.toThrow(/no Xero organisation/)
      await expect(afterAuthorization({ Status: 'OK' })).rejects.toThrow(/no Xero organisation/)
      expect(tenantFrom([{ ...connections.body[0]!, tenantName: 'bad\nname' }])).toEqual({ tenantId: TENANT_ID })
    })
  })

  describe('the xero-tenant-id header', () => {
    it('is templated from the stored tenant id on every request', () => {
      expect(xero.http.headers).toEqual({ 'xero-tenant-id': '{tenantId}' })
      expect(renderHeaders(xero.http.headers, { tenantId: TENANT_ID, tenantName: 'Demo Company (NZ)' })).toEqual({ 'xero-tenant-id': TENANT_ID })
    })

    it('fails without a tenant id, and its pattern keeps line breaks out of the header', () => {
      expect(() => renderHeaders(xero.http.headers, {})).toThrow(/tenantId is missing/)
      const pattern = new RegExp(`^(?:${xero.connectionConfig.tenantId!.pattern})$`)
      expect(pattern.test(TENANT_ID)).toBe(true)
      for (const bad of [`${TENANT_ID}\r\nx-evil: 1`, 'Demo Company', '']) expect(pattern.test(bad), bad).toBe(false)
    })
  })

  // https://developer.xero.com/documentation/guides/oauth2/limits/
  it('budgets 60 calls a minute per organisation and reads X-MinLimit-Remaining', () => {
    expect(xero.http.rateLimit).toEqual({ remainingHeader: 'X-MinLimit-Remaining', requests: 60, windowMs: 60_000, resetUnit: 'epoch_s' })
    expect(getHeader(rateLimitHeaders.ok, xero.http.rateLimit!.remainingHeader!)).toBe('59')
    expect(getHeader(rateLimitHeaders.limited, xero.http.rateLimit!.remainingHeader!)).toBe('0')
    expect(xero.http.retry.on).toContain(429)
  })

  // https://developer.xero.com/documentation/api/accounting/contacts
  describe('pagination (page numbers from 1, 100 per page)', () => {
    it('asks page 1 with pageSize 100 and stops on the documented (short) page', () => {
      const { urls, items } = walk(xero, 'contact', () => contacts1)
      expect(urls.map((u) => u.href)).toEqual([`${BASE}/Contacts?pageSize=100&page=1`])
      expect(items).toHaveLength(2)
    })

    it('moves to the next page number while pages are full', () => {
      const small = { ...xero, http: { ...xero.http, pagination: { ...paginationOf(xero, 'contact'), limit: 2 } } } as Connector
      const { urls, items } = walk(small, 'contact', (url) => (url.searchParams.get('page') === '1' ? contacts1 : contacts2))
      expect(urls.map((u) => u.searchParams.get('page'))).toEqual(['1', '2'])
      expect(items.map((c) => (c as { Name: string }).Name)).toEqual(['Katherine Warren', 'Lisa Parker', 'Ridgeway University'])
    })

    it('reads invoices from the Invoices list', () => {
      const { urls, items } = walk(xero, 'invoice', () => invoices)
      expect(urls.map((u) => u.href)).toEqual([`${BASE}/Invoices?pageSize=100&page=1`])
      expect(items.map((i) => (i as { InvoiceNumber: string }).InvoiceNumber)).toEqual(['INV-0001', 'INV-0002', 'INV-0003'])
    })
  })

  describe('fields', () => {
    it('rewrites Xero’s /Date(…)/ values as ISO 8601 before storing, leaving nested ones and other values alone', () => {
      const [kat] = synced(contacts1.body.Contacts) as Record<string, unknown>[]
      expect(kat!.UpdatedDateUTC).toBe('2017-08-21T20:49:04.227Z')
      expect(kat!.Name).toBe('Katherine Warren')
      const [, paid] = synced(invoices.body.Invoices, 'invoices', 'invoice') as Record<string, unknown>[]
      expect(paid).toMatchObject({ Date: '2018-10-20T00:00:00.000Z', DueDate: '2018-12-30T00:00:00.000Z', FullyPaidOnDate: '2018-11-29T00:00:00.000Z', DateString: '2018-10-20T00:00:00' })
      expect((paid!.Payments as { Date: string }[])[0]!.Date).toBe('/Date(1543449600000+0000)/')
      expect(withIsoDates('x')).toBe('x')
      const untouched = { Name: 'x', UpdatedDateUTC: '2020-01-01T00:00:00Z' }
      expect(withIsoDates(untouched)).toBe(untouched)
      expect(withIsoDates({ UpdatedDateUTC: '/Date(99999999999999999999)/' })).toEqual({ UpdatedDateUTC: '/Date(99999999999999999999)/' })
    })

    it('maps a documented contact', () => {
      expect(toRecord(xero, 'contact', synced(contacts1.body.Contacts)[0])).toEqual({
        id: '5cc8cf28-567e-4d43-b287-687cfcaec47c',
        name: 'Katherine Warren',
        firstName: 'Katherine',
        lastName: 'Warren',
        email: 'kat.warren@clampett.com',
        status: 'ACTIVE',
        contactNumber: undefined,
        accountNumber: undefined,
        companyNumber: 'NumberBusiness1234',
        taxNumber: undefined,
        isCustomer: true,
        isSupplier: true,
        phones: contacts1.body.Contacts[0]!.Phones,
        addresses: contacts1.body.Contacts[0]!.Addresses,
        defaultCurrency: undefined,
        updatedAt: '2017-08-21T20:49:04.227Z',
      })
    })

    it('maps documented invoices, marking Status DELETED as deleted', () => {
      expect(toRecord(xero, 'invoice', synced(invoices.body.Invoices, 'invoices', 'invoice')[1])).toMatchObject({
        id: '046d8a6d-1ae1-4b4d-9340-5601bdf41b87',
        number: 'INV-0002',
        type: 'ACCREC',
        status: 'PAID',
        contactId: 'a3675fc4-f8dd-4f03-ba5b-f1870566bcd7',
        contactName: 'Barney Rubble-83203',
        date: '2018-10-20T00:00:00',
        dueDate: '2018-12-30T00:00:00',
        currency: 'NZD',
        subTotal: 40,
        totalTax: 6,
        total: 46,
        amountPaid: 46,
        fullyPaidAt: '2018-11-29T00:00:00.000Z',
        updatedAt: '2018-11-02T16:36:32.690Z',
      })
      expect(xero.syncs.invoices!.deletedWhen).toEqual({ path: 'Status', equals: 'DELETED' })
      expect(xero.objects.invoice!.commonModel).toBeUndefined()
    })

    it('syncs in full: If-Modified-Since is a header and `where` a filter expression', () => {
      expect(Object.values(xero.syncs).map((s) => [s.object, s.mode])).toEqual([
        ['contact', 'full'],
        ['invoice', 'full'],
      ])
    })
  })

  describe('default mapping to the contact model', () => {
    it('maps a synced contact, its /Date(…)/ update time included', () => {
      const o = xero.objects.contact!
      const model = COMMON_MODELS.contact
      const mapping = mappingSchema.parse({ model: 'contact', fields: o.defaultMapping })
      expect(checkMapping(model, providerFieldsOf(o), mapping).errors).toEqual([])
      const [kat, lisa] = synced(contacts1.body.Contacts)
      expect(applyMapping(model, mapping, kat)).toEqual({
        value: { email: 'kat.warren@clampett.com', firstName: 'Katherine', lastName: 'Warren', phone: null, company: 'Katherine Warren', title: null, lifecycleStage: 'ACTIVE', createdAt: null, updatedAt: '2017-08-21T20:49:04.227Z' },
        errors: [],
      })
      expect(applyMapping(model, mapping, lisa).errors).toEqual([])
      // Unadjusted, Xero's date would not parse: that is why syncItem runs first.
      expect(applyMapping(model, mapping, contacts1.body.Contacts[0]).errors).not.toEqual([])
    })
  })

  // https://developer.xero.com/documentation/api/accounting/contacts
  describe('create_contact', () => {
    const action = xero.actions.create_contact!
    it('PUTs the documented request to /Contacts as JSON', () => {
      expect(action).toMatchObject({ method: 'PUT', path: '/Contacts', body: 'json' })
      expect(action.object).toBeUndefined()
      const input = action.input.parse(createContact.request)
      const request = actionRequest(action, input)
      expect(request).toMatchObject({ path: '/Contacts', json: createContact.request })
      expect(`${BASE}${request.path}`).toBe('https://api.xero.com/api.xro/2.0/Contacts')
      expect(createContact.response.Contacts[0]!.ContactID).toMatch(/^[0-9a-f-]{36}$/)
    })

    it('requires a Name and refuses bad emails, phone types, read-only and unknown elements', () => {
      expect(action.input.safeParse({ Contacts: [] }).success).toBe(false)
      expect(action.input.safeParse({ Contacts: [{ EmailAddress: 'a@b.co' }] }).success).toBe(false)
      expect(action.input.safeParse({ Contacts: [{ Name: ' ' }] }).success).toBe(false)
      expect(action.input.safeParse({ Contacts: [{ Name: 'x'.repeat(256) }] }).success).toBe(false)
      expect(action.input.safeParse({ Contacts: [{ Name: 'ABC Limited', EmailAddress: 'nope' }] }).success).toBe(false)
      expect(action.input.safeParse({ Contacts: [{ Name: 'ABC Limited', Phones: [{ PhoneType: 'PAGER' }] }] }).success).toBe(false)
      expect(action.input.safeParse({ Contacts: [{ Name: 'ABC Limited', ContactID: '3ff6d40c-af9a-40a3-89ce-3c1556a25591' }] }).success).toBe(false)
      expect(action.input.safeParse({ Contacts: [{ Name: 'ABC Limited', Addresses: [{ AddressType: 'STREET', City: 'Wellington' }] }] }).success).toBe(true)
      expect(action.input.safeParse({ Contacts: Array.from({ length: 51 }, (_, i) => ({ Name: `C${i}` })) }).success).toBe(false)
      expect(action.input.safeParse({ Name: 'ABC Limited' }).success).toBe(false)
    })
  })
})
