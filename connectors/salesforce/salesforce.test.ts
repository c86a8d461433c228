import { describe, expect, it } from 'vitest'
import sharedQuery from '../fixtures/salesforce-query.json' with { type: 'json' }
import { connectorSchema } from '../schema'
import { authorizationUrl, mapDefault, toRecord, walk } from '../testing'
import describeContact from './fixtures/contact-describe.json' with { type: 'json' }
import page1 from './fixtures/contacts-page-1.json' with { type: 'json' }
import page2 from './fixtures/contacts-page-2.json' with { type: 'json' }
import opportunities from './fixtures/opportunities.json' with { type: 'json' }
import organization from './fixtures/organization.json' with { type: 'json' }
import token from './fixtures/token-response.json' with { type: 'json' }
import salesforce, { API_VERSION, describeToFields, instanceHostFromToken, withMappedFields } from './index'

/** The base URL once the token response has given the instance host. */
const BASE = 'https://mycompany.my.salesforce.com'

const mapped = (object: string, record: unknown) => mapDefault(salesforce, object, record)

describe('salesforce connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(salesforce)).toEqual(salesforce)
    expect(salesforce.id).toBe('salesforce')
  })

  // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm&type=5
  // https://login.salesforce.com/.well-known/openid-configuration
  describe('auth', () => {
    it('uses the login.salesforce.com endpoints with the secret in the body, refresh tokens and RFC 7009 revocation', () => {
      expect(salesforce.auth).toMatchObject({
        type: 'oauth2',
        authorizationUrl: 'https://login.salesforce.com/services/oauth2/authorize',
        tokenUrl: 'https://login.salesforce.com/services/oauth2/token',
        revocationUrl: 'https://login.salesforce.com/services/oauth2/revoke',
        clientAuth: 'client_secret_post',
        refreshable: true,
        pkce: true,
      })
    })

    // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_tokens_scopes.htm&type=5
    it('asks for the minimal scopes api and refresh_token, space-separated, with a PKCE S256 challenge', () => {
      const url = authorizationUrl(salesforce, { clientId: '3MVG9IHf89I1t8hrvswazsWedXWY0i1qK20PSFaInvUgLFB6vrcb9bbWFTSIHpO8G2jxBLJA6uZGyPFC5Aejq', redirectUri: 'https://www.mycustomerorderstatus.com/oauth2/callback', state: 'mystate', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' })
      expect(url.origin + url.pathname).toBe('https://login.salesforce.com/services/oauth2/authorize')
      expect(url.searchParams.get('response_type')).toBe('code')
      expect(url.searchParams.get('scope')).toBe('api refresh_token')
      expect(url.searchParams.get('code_challenge')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')
      expect(url.searchParams.get('code_challenge_method')).toBe('S256')
    })
  })

  describe('instance URL from the token response', () => {
    it('stores the documented instance_url host, which the templated base URL then uses', () => {
      expect(salesforce.hooks.afterTokenResponse?.(token.body)).toEqual({ instanceHost: 'mycompany.my.salesforce.com' })
      expect(salesforce.http.baseUrl).toBe('https://{instanceHost}')
      expect(salesforce.connectionConfig.instanceHost).toMatchObject({ source: 'token', required: true })
    })

    it('accepts sandbox and legacy instance hosts, as the declared pattern does', () => {
      const pattern = new RegExp(`^(?:${salesforce.connectionConfig.instanceHost!.pattern})$`)
      for (const host of ['mycompany.my.salesforce.com', 'MyDomainName--SandboxName.sandbox.my.salesforce.com', 'na1.salesforce.com']) {
        // URL parsing lower-cases the host (DNS names are case-insensitive).
        expect(instanceHostFromToken({ instance_url: `https://${host}` })).toEqual({ instanceHost: host.toLowerCase() })
        expect(pattern.test(host), host).toBe(true)
      }
      expect(instanceHostFromToken({ instance_url: 'https://na1.salesforce.com/' })).toEqual({ instanceHost: 'na1.salesforce.com' })
    })

    it('refuses an instance_url that is missing, not https, not a bare origin, or not under salesforce.com', () => {
      for (const bad of [undefined, 42, 'not a url', 'http://na1.salesforce.com', 'https://na1.salesforce.com:8443', 'https://na1.salesforce.com/services', 'https://user:pw@na1.salesforce.com', 'https://evil.example', 'https://salesforce.com.evil.example', 'https://evilsalesforce.com']) {
        expect(() => instanceHostFromToken({ instance_url: bad }), String(bad)).toThrow(TypeError)
      }
      const pattern = new RegExp(`^(?:${salesforce.connectionConfig.instanceHost!.pattern})$`)
      for (const bad of ['evil.example', 'salesforce.com.evil.example', 'a/b.salesforce.com', 'x.salesforce.com/@evil']) expect(pattern.test(bad), bad).toBe(false)
    })
  })

  // https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm
  it('declares no rate-limit headers (Sforce-Limit-Info packs used/limit into one value) and keeps the default retries', () => {
    expect(salesforce.http.rateLimit).toBeUndefined()
    expect(salesforce.http.retry.on).toEqual([429, 502, 503, 504])
  })

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm
  describe('pagination (nextRecordsUrl until done)', () => {
    it('walks the documented query pages to the end on the instance host', () => {
      const { urls, items } = walk(salesforce, 'contact', (url) => (url.pathname.endsWith('/queryAll') ? page1 : page2), { baseUrl: BASE })
      // QueryAll's first page; its nextRecordsUrl "has query in the URL" (QueryAll resource page).
      expect(urls.map((u) => u.origin + u.pathname)).toEqual([`${BASE}/services/data/${API_VERSION}/queryAll`, `${BASE}/services/data/${API_VERSION}/query/01gD0000002HU6KIAW-2000`])
      expect(urls[0]!.searchParams.get('q')).toBe('SELECT Id, FirstName, LastName, Name, Email, Phone, MobilePhone, Title, Department, AccountId, Account.Name, LeadSource, MailingCity, MailingCountry, OwnerId, CreatedDate, LastModifiedDate, SystemModstamp, IsDeleted FROM Contact')
      // "These requests use nextRecordsUrl, and don't include any parameters."
      expect(urls[1]!.search).toBe('')
      expect(items.map((i) => (i as { Id: string }).Id)).toEqual(['003D000000QV9n2IAD', '003D000000QV9n3IAD', '003D000000QV9n4IAD'])
    })

    it('follows the shared three-page query fixture', () => {
      const pages = sharedQuery.pages
      const { urls, items } = walk(salesforce, 'account', (url) => {
        const locator = /\/query\/(.+)$/.exec(url.pathname)?.[1]
        return { body: locator === undefined ? pages[0] : locator.endsWith('-2') ? pages[1] : pages[2] }
      }, { baseUrl: sharedQuery.origin })
      expect(urls).toHaveLength(3)
      expect(urls[2]!.href).toBe(`${sharedQuery.origin.toLowerCase()}/services/data/v62.0/query/01gD0000002HU6KIAW-4`)
      expect(items).toHaveLength(5)
    })

    it('refuses a next page on another host (the token must not follow it)', () => {
      expect(() => walk(salesforce, 'opportunity', () => ({ body: { done: false, nextRecordsUrl: 'https://evil.example/x', records: [] } }), { baseUrl: BASE })).toThrow(/origin/)
    })
  })

  describe('fields', () => {
    it('maps a documented-shape contact, the account name from the relationship', () => {
      expect(toRecord(salesforce, 'contact', page1.body.records[0])).toEqual({
        id: '003D000000QV9n2IAD',
        firstName: 'Rose',
        lastName: 'Gonzalez',
        name: 'Rose Gonzalez',
        email: 'rose@edge.com',
        phone: '(512) 757-6000',
        mobilePhone: '(512) 757-9340',
        title: 'SVP, Procurement',
        department: 'Procurement',
        accountId: '001D000000IRFmaIAH',
        accountName: 'Edge Communications',
        leadSource: 'Trade Show',
        mailingCity: 'Austin',
        mailingCountry: 'USA',
        ownerId: '005D0000001QX8WIAW',
        createdAt: '2013-05-20T20:49:32.000+0000',
        updatedAt: '2013-05-20T20:49:32.000+0000',
      })
      expect(toRecord(salesforce, 'contact', page1.body.records[1])).toMatchObject({ lastName: 'Forbes', accountName: undefined, email: null })
    })

    it('maps an opportunity with its date, amount and stage', () => {
      expect(toRecord(salesforce, 'opportunity', opportunities.body.records[0])).toMatchObject({ id: '006D000000CnBIeIAN', amount: 75000, stage: 'Id. Decision Makers', closeDate: '2013-09-12', isWon: false })
    })

    it('syncs incrementally on SystemModstamp, with recycle-bin records stored as deleted', () => {
      expect(Object.values(salesforce.syncs).map((s) => [s.object, s.mode, s.cursorField, s.updatedSince?.name, s.updatedSince?.format, s.deletedWhen])).toEqual([
        ['contact', 'incremental', 'systemModstamp', 'q', 'iso8601', { path: 'IsDeleted', equals: true }],
        ['account', 'incremental', 'systemModstamp', 'q', 'iso8601', { path: 'IsDeleted', equals: true }],
        ['opportunity', 'incremental', 'systemModstamp', 'q', 'iso8601', { path: 'IsDeleted', equals: true }],
      ])
    })

    // Records purged from the recycle bin (15 days, or its limit, or emptyRecycleBin()) leave QueryAll:
    // https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_emptyrecyclebin.htm
    it('runs a scheduled full resync weekly, so purged records are marked deleted', () => {
      expect(Object.values(salesforce.syncs).map((s) => [s.defaultFrequency, s.fullResyncFrequency])).toEqual([
        ['6h', '7d'],
        ['1d', '7d'],
        ['6h', '7d'],
      ])
    })
  })

  describe('default mappings to the common models', () => {
    it('maps a contact, taking the company from Account.Name and normalising Salesforce datetimes', () => {
      const { check, result } = mapped('contact', page1.body.records[0])
      expect(check.errors).toEqual([])
      expect(result.errors).toEqual([])
      expect(result.value).toEqual({
        email: 'rose@edge.com',
        firstName: 'Rose',
        lastName: 'Gonzalez',
        phone: '(512) 757-6000',
        company: 'Edge Communications',
        title: 'SVP, Procurement',
        lifecycleStage: 'Trade Show',
        createdAt: '2013-05-20T20:49:32.000Z',
        updatedAt: '2013-05-20T20:49:32.000Z',
      })
    })

    it('maps an account to a company and an opportunity to a deal', () => {
      const account = { attributes: { type: 'Account' }, Id: '001D000000IRFmaIAH', Name: 'Edge Communications', Website: 'http://edgecomm.com', Industry: 'Electronics', Phone: '(512) 757-6000', CreatedDate: '2013-05-20T20:49:32.000+0000', LastModifiedDate: '2013-05-20T20:49:32.000+0000' }
      const company = mapped('account', account)
      expect(company.check.errors).toEqual([])
      expect(company.result).toEqual({ value: { name: 'Edge Communications', domain: 'http://edgecomm.com', industry: 'Electronics', phone: '(512) 757-6000', createdAt: '2013-05-20T20:49:32.000Z', updatedAt: '2013-05-20T20:49:32.000Z' }, errors: [] })
      const deal = mapped('opportunity', opportunities.body.records[0])
      expect(deal.check.errors).toEqual([])
      expect(deal.result).toEqual({ value: { name: 'Edge Emergency Generator', amount: 75000, currency: null, stage: 'Id. Decision Makers', closeDate: '2013-09-12', createdAt: '2013-05-20T20:49:32.000Z', updatedAt: '2013-05-24T11:12:13.000Z' }, errors: [] })
    })
  })

  // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_organization.htm
  it('labels the account with the org name from the Organization query', () => {
    expect(salesforce.accountInfo?.path).toBe(`/services/data/${API_VERSION}/query?q=SELECT%20Id%2C%20Name%20FROM%20Organization`)
    expect(salesforce.hooks.accountLabel?.(organization.body)).toBe('My Company, Inc.')
    expect(salesforce.hooks.accountLabel?.({ records: [] })).toBeUndefined()
    expect(salesforce.hooks.accountLabel?.(null)).toBeUndefined()
  })

  describe('custom fields', () => {
    // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
    it('discovers custom fields from the describe response, with active picklist values', async () => {
      const paths: string[] = []
      const fields = await salesforce.hooks.discoverFields!({ object: 'contact', get: async (path) => (paths.push(path), describeContact.body) })
      expect(paths).toEqual([`/services/data/${API_VERSION}/sobjects/Contact/describe`])
      expect(fields).toEqual({
        Tier__c: { type: 'enum', label: 'Tier', description: 'Support tier', enumValues: ['Gold', 'Silver'] },
        Languages__c: { type: 'string', label: 'Languages', description: 'Values separated by ;' },
        Renewal_Date__c: { type: 'date', label: 'Renewal date' },
        Seats__c: { type: 'number', label: 'Seats' },
        Secret_Code__c: { type: 'string', label: 'Secret code' },
        Active__c: { type: 'boolean', label: 'Active' },
        Last_Login__c: { type: 'datetime', label: 'Last login' },
      })
      expect(describeToFields(null)).toEqual({})
      expect(await salesforce.hooks.discoverFields!({ object: 'nope', get: async () => ({}) })).toBeUndefined()
    })

    it('adds the fields a mapping reads to the SOQL, once, and nothing that is not a field path', () => {
      const params = salesforce.objects.contact!.params
      const out = salesforce.hooks.listParams!({ object: 'contact', params, mappedPaths: ['Email', 'email', 'Tier__c', 'Owner.Name', 'attributes.type', 'Tier__c', 'x FROM User', 'a.b.c', 'Emails.0.value'] })
      expect(out.q).toBe(`${params.q!.replace(' FROM Contact', '')}, Tier__c, Owner.Name FROM Contact`)
      expect(withMappedFields({ q: 'SELECT Id FROM Account' }, [])).toEqual({ q: 'SELECT Id FROM Account' })
      expect(withMappedFields({}, ['Tier__c'])).toEqual({})
    })
  })

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_create.htm
  describe('create_contact', () => {
    const action = salesforce.actions.create_contact!
    it('posts Contact fields to the sObject resource, as a contact record (write-back)', () => {
      expect(action).toMatchObject({ method: 'POST', path: `/services/data/${API_VERSION}/sobjects/Contact`, object: 'contact' })
      const body = { LastName: 'Gonzalez', FirstName: 'Rose', Email: 'rose@edge.com', AccountId: '001D000000IRFmaIAH' }
      expect(action.input.parse(body)).toEqual(body)
    })
    it('requires LastName and rejects bad values and unknown fields', () => {
      expect(action.input.safeParse({ FirstName: 'Rose' }).success).toBe(false)
      expect(action.input.safeParse({ LastName: '' }).success).toBe(false)
      expect(action.input.safeParse({ LastName: 'x'.repeat(81) }).success).toBe(false)
      expect(action.input.safeParse({ LastName: 'Forbes', Email: 'nope' }).success).toBe(false)
      expect(action.input.safeParse({ LastName: 'Forbes', AccountId: '001D0000' }).success).toBe(false)
      expect(action.input.safeParse({ LastName: 'Forbes', Id: '003D000000QV9n2IAD' }).success).toBe(false)
    })
  })
})
