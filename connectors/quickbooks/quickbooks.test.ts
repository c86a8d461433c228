import { describe, expect, it } from 'vitest'
import { bodyError } from '../pagination'
import { connectorSchema } from '../schema'
import { authorizationUrl, mapDefault, toRecord, walk } from '../testing'
import { actionRequest } from '../../server/src/services/actions'
import { renderUrl, validateConnectionConfig } from '../../server/src/services/integrations'
import { firstPage, syncPlan } from '../../server/src/services/sync-engine'
import companyInfo from './fixtures/companyinfo.json' with { type: 'json' }
import createCustomer from './fixtures/create-customer.json' with { type: 'json' }
import createInvoice from './fixtures/create-invoice.json' with { type: 'json' }
import customers from './fixtures/customers.json' with { type: 'json' }
import invoices from './fixtures/invoices.json' with { type: 'json' }
import token from './fixtures/token-response.json' with { type: 'json' }
import vendors from './fixtures/vendors.json' with { type: 'json' }
import quickbooks, { API_HOST_PATTERN, realmFrom } from './index'

const REALM = '9130347596842384658'
/** The base URL once the user's (default) host and the redirect's realmId are known. */
const BASE = renderUrl(quickbooks.http.baseUrl, { ...validateConnectionConfig(quickbooks, { apiHost: 'quickbooks.api.intuit.com' }), realmId: REALM })

/** Runs the afterAuthorization hook with the given callback parameters against a fake `get`. */
async function afterAuthorization(callbackParams: Record<string, string>, answer: unknown = companyInfo.read, connectionConfig: Record<string, string> = { apiHost: 'quickbooks.api.intuit.com' }) {
  const urls: string[] = []
  const config = await quickbooks.hooks.afterAuthorization!({ tokenResponse: token.body, connectionConfig, callbackParams, get: async (url) => (urls.push(url), answer) })
  return { urls, config }
}

const mapped = (object: string, record: unknown) => mapDefault(quickbooks, object, record)

describe('quickbooks connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(quickbooks)).toEqual(quickbooks)
    expect(quickbooks.id).toBe('quickbooks')
  })

  // https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0
  describe('auth', () => {
    it('uses Intuit’s endpoints, Basic client authentication, refresh tokens and revocation', () => {
      expect(quickbooks.auth).toMatchObject({
        type: 'oauth2',
        authorizationUrl: 'https://appcenter.intuit.com/connect/oauth2',
        tokenUrl: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
        revocationUrl: 'https://developer.api.intuit.com/v2/oauth2/tokens/revoke',
        clientAuth: 'client_secret_basic',
        refreshable: true,
      })
    })

    it('builds the authorization URL with the accounting scope only', () => {
      const url = authorizationUrl(quickbooks, { clientId: 'ABc123', redirectUri: 'https://app.example/oauth/callback', state: 's1', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' })
      expect(url.origin + url.pathname).toBe('https://appcenter.intuit.com/connect/oauth2')
      expect(url.searchParams.get('scope')).toBe('com.intuit.quickbooks.accounting')
      expect(url.searchParams.get('response_type')).toBe('code')
    })

    it('the token response is a plain bearer token: no company id in it, so no afterTokenResponse hook', () => {
      expect(token.body).toMatchObject({ token_type: 'bearer', expires_in: 3600 })
      expect(token.body).not.toHaveProperty('realmId')
      expect(quickbooks.hooks.afterTokenResponse).toBeUndefined()
      expect(new URL(token.callback).searchParams.get('realmId')).toBe(REALM)
    })
  })

  describe('the company (realmId from the redirect)', () => {
    it('takes realmId from the callback and checks it with a CompanyInfo read on the chosen host', async () => {
      const params = Object.fromEntries([...new URL(token.callback).searchParams].filter(([k]) => k !== 'code' && k !== 'state'))
      const { urls, config } = await afterAuthorization(params)
      expect(config).toEqual({ realmId: REALM })
      expect(urls).toEqual([`https://quickbooks.api.intuit.com/v3/company/${REALM}/companyinfo/${REALM}?minorversion=75`])
      const sandbox = await afterAuthorization({ realmId: '4620816365257778210' }, companyInfo.read, { apiHost: 'sandbox-quickbooks.api.intuit.com' })
      expect(sandbox.urls[0]).toBe('https://sandbox-quickbooks.api.intuit.com/v3/company/4620816365257778210/companyinfo/4620816365257778210?minorversion=75')
    })

    it('refuses a missing or malformed realmId, another host, and a company the token cannot read', async () => {
      await expect(afterAuthorization({})).rejects.toThrow(/realmId/)
      await expect(afterAuthorization({ realmId: '123/../456' })).rejects.toThrow(/realmId/)
      await expect(afterAuthorization({ realmId: '' })).rejects.toThrow(/realmId/)
      await expect(afterAuthorization({ realmId: REALM }, companyInfo.read, { apiHost: 'evil.example' })).rejects.toThrow(/host/)
      await expect(afterAuthorization({ realmId: REALM }, { Fault: { Error: [{ code: '3100' }] } })).rejects.toThrow(/could not be read/)
      await expect(afterAuthorization({ realmId: REALM }, null)).rejects.toThrow(/could not be read/)
    })

    it('lets the user pick production or sandbox, and nothing else, and templates both into the base URL', () => {
      expect(quickbooks.connectionConfig.realmId).toMatchObject({ source: 'token', required: true })
      expect(quickbooks.connectionConfig.apiHost).toMatchObject({ source: 'user', default: 'quickbooks.api.intuit.com' })
      for (const bad of ['evil.example', 'quickbooks.api.intuit.com.evil.example', 'quickbooks.api.intuit.com/x', 'api.intuit.com']) {
        expect(new RegExp(`^(?:${API_HOST_PATTERN})$`).test(bad), bad).toBe(false)
        expect(() => validateConnectionConfig(quickbooks, { apiHost: bad }), bad).toThrow()
      }
      expect(BASE).toBe(`https://quickbooks.api.intuit.com/v3/company/${REALM}`)
    })
  })

  // https://blogs.intuit.com/2016/08/08/idg-concurrent-api-use-changes-coming-soon/
  it('keeps to 500 requests a minute per company and retries 429', () => {
    expect(quickbooks.http.rateLimit).toMatchObject({ requests: 500, windowMs: 60_000 })
    expect(quickbooks.http.retry.on).toContain(429)
  })

  // https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries
  describe('queries', () => {
    it('lists each entity with one select … MAXRESULTS 1000 query at minor version 75, and stops', () => {
      for (const [object, fixture, entity] of [['customer', customers, 'Customer'], ['vendor', vendors, 'Vendor'], ['invoice', invoices, 'Invoice']] as const) {
        const { urls, items } = walk(quickbooks, object, () => fixture, { baseUrl: BASE })
        expect(urls).toHaveLength(1)
        expect(urls[0]!.pathname).toBe(`/v3/company/${REALM}/query`)
        expect(urls[0]!.searchParams.get('query')).toBe(`select * from ${entity} MAXRESULTS 1000`)
        expect(urls[0]!.searchParams.get('minorversion')).toBe('75')
        expect(items).toHaveLength(1)
        expect(firstPage(BASE, syncPlan(quickbooks, `${object}s`), null, 'full').href).toBe(urls[0]!.href)
        expect(quickbooks.syncs[`${object}s`]).toMatchObject({ object, mode: 'incremental', cursorField: 'updatedAt' })
      }
    })

    // The example `WHERE Metadata.LastUpdatedTime > '2011-08-10T10:20:30-0700'`:
    // https://developer.intuit.com/docs/00_quickbooks_online/2_build/20_explore_the_quickbooks_online_api/50_data_queries
    it('an incremental run filters on Metadata.LastUpdatedTime >= the last cursor, in UTC with a ±hhmm offset, before MAXRESULTS', () => {
      for (const [object, fixture, entity] of [['customer', customers, 'Customer'], ['vendor', vendors, 'Vendor'], ['invoice', invoices, 'Invoice']] as const) {
        const plan = syncPlan(quickbooks, `${object}s`)
        // The cursor is the largest MetaData.LastUpdatedTime seen, as QuickBooks writes it.
        const item = (fixture.body.QueryResponse as unknown as Record<string, { MetaData: { LastUpdatedTime: string } }[]>)[entity]![0]!
        expect(toRecord(quickbooks, object, item)).toMatchObject({ updatedAt: item.MetaData.LastUpdatedTime })
        const url = firstPage(BASE, plan, '2014-09-18T12:56:01-07:00', 'incremental')
        expect(url.pathname).toBe(`/v3/company/${REALM}/query`)
        expect(url.searchParams.get('query')).toBe(`select * from ${entity} where Metadata.LastUpdatedTime >= '2014-09-18T19:56:01+0000' MAXRESULTS 1000`)
        expect(url.searchParams.get('minorversion')).toBe('75')
        // A full run (the first, or a full resync) keeps the unfiltered query.
        expect(firstPage(BASE, plan, '2014-09-18T12:56:01-07:00', 'full').searchParams.get('query')).toBe(`select * from ${entity} MAXRESULTS 1000`)
        // A stored cursor that is not a date-time never reaches the query.
        expect(() => firstPage(BASE, plan, "2014-09-18T12:56:01-07:00' or Id > '0", 'incremental')).toThrow(/is not a date-time/)
      }
    })

    // Queries answer active customers and vendors only (https://blogs.intuit.com/2014/03/20/advanced-sql-queries);
    // deleted invoices are gone: only a full run marks them deleted.
    it('runs hourly incremental syncs with a daily full resync', () => {
      expect(Object.values(quickbooks.syncs).map((s) => [s.defaultFrequency, s.fullResyncFrequency])).toEqual([
        ['1h', '1d'],
        ['1h', '1d'],
        ['1h', '1d'],
      ])
    })

    it('fails a page that is full (maxResults 1000: there may be more) instead of syncing part of the list', () => {
      const errorWhen = quickbooks.http.errorWhen
      const full = { QueryResponse: { Customer: Array.from({ length: 1000 }, (_, i) => ({ Id: String(i + 1) })), startPosition: 1, maxResults: 1000 } }
      expect(bodyError(errorWhen, full)).toBeDefined()
      expect(bodyError(errorWhen, customers.body)).toBeUndefined()
      expect(bodyError(errorWhen, { QueryResponse: { Customer: [], startPosition: 1, maxResults: 999 } })).toBeUndefined()
      // Action answers have no QueryResponse.
      expect(bodyError(errorWhen, { Customer: { Id: '1' }, time: '2015-07-23T11:02:25.149-07:00' })).toBeUndefined()
    })
  })

  describe('fields and mappings', () => {
    // https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer
    it('maps the documented customer, and to a contact', () => {
      const customer = customers.body.QueryResponse.Customer[0]
      expect(toRecord(quickbooks, 'customer', customer)).toMatchObject({
        id: '1',
        displayName: "Amy's Bird Sanctuary",
        companyName: "Amy's Bird Sanctuary",
        givenName: 'Amy',
        familyName: 'Lauterbach',
        email: 'Birds@Intuit.com',
        phone: '(650) 555-3311',
        active: true,
        isJob: false,
        balance: 274,
        syncToken: '4',
        billingAddress: { City: 'Bayshore', Line1: '4581 Finch St.', PostalCode: '94326', Lat: 'INVALID', Long: 'INVALID', CountrySubDivisionCode: 'CA', Id: '2' },
        createdAt: '2014-09-11T16:48:43-07:00',
        updatedAt: '2014-09-18T12:56:01-07:00',
      })
      const { check, result } = mapped('customer', customer)
      expect(check.errors).toEqual([])
      expect(result).toEqual({
        value: { email: 'Birds@Intuit.com', firstName: 'Amy', lastName: 'Lauterbach', phone: '(650) 555-3311', company: "Amy's Bird Sanctuary", title: null, lifecycleStage: null, createdAt: '2014-09-11T23:48:43.000Z', updatedAt: '2014-09-18T19:56:01.000Z' },
        errors: [],
      })
    })

    // https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/vendor
    it('maps the documented vendor, and to a company', () => {
      const vendor = vendors.body.QueryResponse.Vendor[0]
      expect(toRecord(quickbooks, 'vendor', vendor)).toMatchObject({ id: '30', displayName: 'Books by Bessie', email: 'Books@Intuit.com', website: 'http://www.booksbybessie.co', accountNumber: '1345', vendor1099: false, balance: 0 })
      const { check, result } = mapped('vendor', vendor)
      expect(check.errors).toEqual([])
      expect(result.value).toEqual({ name: 'Books by Bessie', domain: null, industry: null, phone: '(650) 555-7745', createdAt: '2014-09-12T17:07:56.000Z', updatedAt: '2014-09-17T18:13:46.000Z' })
    })

    // https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice
    it('maps the documented invoice', () => {
      const record = toRecord(quickbooks, 'invoice', invoices.body.QueryResponse.Invoice[0])
      expect(record).toMatchObject({ id: '130', number: '1037', date: '2014-09-19', dueDate: '2014-10-19', customerId: '24', customerName: 'Sonnenschein Family Store', billEmail: 'Familiystore@intuit.com', total: 362.07, balance: 362.07, totalTax: 26.82, emailStatus: 'NotSet', printStatus: 'NeedToPrint', customerMemo: 'Thank you for your business and have a great day!' })
      expect(record.lines).toHaveLength(3)
      expect(quickbooks.objects.invoice!.commonModel).toBeUndefined()
    })
  })

  // https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/companyinfo
  it('labels the account with the company’s name from the CompanyInfo query', () => {
    expect(quickbooks.accountInfo).toEqual({ path: '/query?query=select%20*%20from%20CompanyInfo&minorversion=75' })
    expect(new URL(BASE + quickbooks.accountInfo!.path).searchParams.get('query')).toBe('select * from CompanyInfo')
    expect(quickbooks.hooks.accountLabel?.(companyInfo.query)).toBe("Larry's Bakery")
    expect(quickbooks.hooks.accountLabel?.({ QueryResponse: { CompanyInfo: [{ LegalName: 'Larry Ltd' }] } })).toBe('Larry Ltd')
    expect(quickbooks.hooks.accountLabel?.({ QueryResponse: {} })).toBeUndefined()
  })

  describe('actions', () => {
    // https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer#create-a-customer
    it('create_customer posts the documented body to /customer at minor version 75', () => {
      const action = quickbooks.actions.create_customer!
      expect(action).toMatchObject({ method: 'POST', body: 'json' })
      const request = actionRequest(action, action.input.parse(createCustomer.request))
      expect(request).toMatchObject({ path: '/customer?minorversion=75', json: createCustomer.request })
      expect(new URL(BASE + request.path).pathname).toBe(`/v3/company/${REALM}/customer`)
      expect(action.input.safeParse({ GivenName: 'Amy' }).success).toBe(true)
      expect(action.input.safeParse({ CompanyName: 'Only a company' }).success).toBe(false)
      expect(action.input.safeParse({ DisplayName: '   ' }).success).toBe(false)
      expect(action.input.safeParse({ DisplayName: 'x', PrimaryEmailAddr: { Address: 'nope' } }).success).toBe(false)
      expect(action.input.safeParse({ DisplayName: 'x', Title: 'A very long title here' }).success).toBe(false)
      expect(action.input.safeParse({ DisplayName: 'x', Id: '1' }).success).toBe(false)
    })

    // https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice#create-an-invoice
    it('create_invoice posts a CustomerRef and lines to /invoice', () => {
      const action = quickbooks.actions.create_invoice!
      expect(actionRequest(action, action.input.parse(createInvoice.request))).toMatchObject({ path: '/invoice?minorversion=75', json: createInvoice.request })
      const withDescription = { ...createInvoice.request, Line: [...createInvoice.request.Line, { DetailType: 'DescriptionOnly', Description: 'Thanks!' }], DueDate: '2026-01-31', DocNumber: 'INV-1' }
      expect(action.input.parse(withDescription)).toEqual(withDescription)
      expect(action.input.safeParse({ CustomerRef: { value: '1' }, Line: [] }).success).toBe(false)
      expect(action.input.safeParse({ Line: createInvoice.request.Line }).success).toBe(false)
      expect(action.input.safeParse({ ...createInvoice.request, Line: [{ DetailType: 'SubTotalLineDetail', Amount: 1 }] }).success).toBe(false)
      expect(action.input.safeParse({ ...createInvoice.request, DocNumber: 'x'.repeat(22) }).success).toBe(false)
    })
  })
})
