import { describe, expect, it } from 'vitest'
import { checkMapping, providerFieldsOf } from '../../server/src/mapping/check'
import { COMMON_MODELS } from '../common-models'
import { connectorSchema, discoveredFieldsSchema } from '../schema'
import { authorizationUrl, toRecord, walk } from '../testing'
import account from './fixtures/account-details.json' with { type: 'json' }
import companies from './fixtures/companies.json' with { type: 'json' }
import contactProperties from './fixtures/contact-properties.json' with { type: 'json' }
import page1 from './fixtures/contacts-page-1.json' with { type: 'json' }
import page2 from './fixtures/contacts-page-2.json' with { type: 'json' }
import hubspot, { propertiesToFields, withMappedProperties } from './index'

describe('hubspot connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(hubspot)).toEqual(hubspot)
  })

  // https://developers.hubspot.com/docs/apps/legacy-apps/authentication/working-with-oauth
  // https://developers.hubspot.com/docs/apps/legacy-apps/authentication/oauth-quickstart-guide
  describe('auth', () => {
    it('uses the documented endpoints with the client secret in the form body', () => {
      expect(hubspot.auth).toMatchObject({
        type: 'oauth2',
        authorizationUrl: 'https://app.hubspot.com/oauth/authorize',
        tokenUrl: 'https://api.hubapi.com/oauth/v1/token',
        clientAuth: 'client_secret_post',
        refreshable: true,
        pkce: true,
      })
      expect(hubspot.auth.type === 'oauth2' && hubspot.auth.revocationUrl).toBeFalsy()
    })

    it('requests space-separated CRM scopes, read scopes for each object', () => {
      const url = authorizationUrl(hubspot, { clientId: '7fff1e36-2d40-4ae1-bbb1-5266d59564fb', redirectUri: 'https://www.example.com/auth-callback', state: 'WeHH_yy2irpl8UYAvv-my', codeChallenge: 'x'.repeat(43) })
      expect(url.searchParams.get('scope')).toBe('oauth crm.objects.contacts.read crm.objects.companies.read crm.objects.contacts.write')
      // The quickstart's own example encodes the spaces as %20; URLSearchParams uses +, which
      // application/x-www-form-urlencoded decoding (and HubSpot) reads as a space too.
      expect(decodeURIComponent(url.search.replaceAll('+', ' '))).toContain('scope=oauth crm.objects.contacts.read')
      expect(url.searchParams.get('code_challenge_method')).toBe('S256')
    })
  })

  // https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines#rate-limits
  it('reads the documented X-HubSpot-RateLimit-* headers and budgets 100 requests per 10 s', () => {
    expect(hubspot.http.rateLimit).toMatchObject({ limitHeader: 'X-HubSpot-RateLimit-Max', remainingHeader: 'X-HubSpot-RateLimit-Remaining', requests: 100, windowMs: 10_000 })
    expect(hubspot.http.rateLimit?.resetHeader).toBeUndefined()
  })

  // https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/guide
  describe('pagination (paging.next.after → after, limit ≤ 100)', () => {
    it('walks the documented pages to the end', () => {
      const { urls, items } = walk(hubspot, 'contact', (url) => (url.searchParams.get('after') === null ? page1 : page2))
      expect(urls).toHaveLength(2)
      expect(urls[0]!.pathname).toBe('/crm/v3/objects/contacts')
      expect(urls[0]!.searchParams.get('limit')).toBe('100')
      expect(urls[0]!.searchParams.get('properties')).toBe('email,firstname,lastname,phone,company,lifecyclestage,createdate,lastmodifieddate')
      // The cursor value is passed on verbatim as the `after` parameter, as HubSpot's client libraries do.
      expect(urls[1]!.searchParams.get('after')).toBe('NTI1Cg%3D%3D')
      expect(urls[1]!.searchParams.get('limit')).toBe('100')
      expect(items.map((i) => (i as { id: string }).id)).toEqual(['98630638716', '512'])
    })

    it('stops on a page without paging (companies)', () => {
      const { urls, items } = walk(hubspot, 'company', () => companies)
      expect(urls).toHaveLength(1)
      expect(items).toHaveLength(1)
    })
  })

  describe('fields', () => {
    it('maps a documented contact from properties.*', () => {
      expect(toRecord(hubspot, 'contact', page1.body.results[0])).toEqual({
        id: '98630638716',
        email: 'mark.s@lumon.industries',
        firstName: 'Mark',
        lastName: 'S.',
        phone: undefined,
        companyName: undefined,
        lifecycleStage: undefined,
        createdAt: '2025-02-11T15:45:00.400Z',
        updatedAt: '2025-02-11T15:52:10.273Z',
        archived: false,
      })
    })

    it('maps a documented company from properties.*', () => {
      expect(toRecord(hubspot, 'company', companies.body.results[0])).toMatchObject({
        id: '6493611979',
        name: 'HubSpot',
        domain: 'hubspot.com',
        industry: 'Technology',
        phone: '555-555-555',
        city: 'Cambridge',
        state: 'Massachusetts',
        archived: false,
      })
    })

    it('syncs both objects in full (the list endpoints have no modified-since filter)', () => {
      expect(Object.values(hubspot.syncs).map((s) => [s.object, s.mode])).toEqual([
        ['contact', 'full'],
        ['company', 'full'],
      ])
    })
  })

  // https://developers.hubspot.com/docs/api-reference/legacy/crm/properties/get-properties (response shape and example)
  // https://developers.hubspot.com/docs/api-reference/crm-properties-v3/guide ("Property type and fieldType values")
  describe('custom fields (properties API)', () => {
    const fields = propertiesToFields(contactProperties.body)

    it('reads the documented example: a select enumeration becomes an enum of its option values', () => {
      expect(fields['properties.my_contact_property']).toEqual({ type: 'enum', label: 'My Contact Property', enumValues: ['A', 'B'] })
    })

    it('types each property as its value arrives in the objects API (always text)', () => {
      expect(fields).toEqual({
        'properties.my_contact_property': { type: 'enum', label: 'My Contact Property', enumValues: ['A', 'B'] },
        'properties.email': { type: 'string', label: 'Email', description: "A contact's email address" },
        // number and bool values are strings in records: text, with a note saying what the text holds.
        'properties.annual_spend': { type: 'string', label: 'Annual spend', description: 'Spend over the last 12 months, in USD · A number, written as text' },
        'properties.newsletter_opt_in': { type: 'string', label: 'Newsletter opt-in', description: 'true or false, written as text' },
        'properties.renewal_date': { type: 'date', label: 'Renewal date', description: 'Day the contract renews' },
        'properties.createdate': { type: 'datetime', label: 'Create Date', description: 'The date that a contact entered the system' },
        // Multiple checkboxes: several values joined with ';', so text, not an enum.
        'properties.interests': { type: 'string', label: 'Interests', description: 'Values separated by ;' },
        // Hidden options are left out of the enum values.
        'properties.customer_tier': { type: 'enum', label: 'Customer tier', description: 'Support tier of the customer', enumValues: ['gold', 'silver'] },
        // An enumeration with no options yet cannot be an enum.
        'properties.region': expect.objectContaining({ type: 'string', label: 'Region (no options yet)' }),
      })
      expect(fields['properties.region']).not.toHaveProperty('enumValues')
    })

    it('leaves hidden properties out', () => {
      expect(contactProperties.body.results.find((p) => p.name === 'legacy_import_id')?.hidden).toBe(true)
      expect(Object.keys(fields)).not.toContain('properties.legacy_import_id')
    })

    it('gives what discoverFields may return (discoveredFieldsSchema), de-duplicating and capping enum values', () => {
      expect(discoveredFieldsSchema.safeParse(fields).success).toBe(true)
      const many = { results: [{ name: 'big', label: 'Big', type: 'enumeration', fieldType: 'select', options: [...Array.from({ length: 600 }, (_, i) => ({ label: `V${i}`, value: `v${i}` })), { label: 'again', value: 'v0' }, { label: 'empty', value: '' }] }] }
      const big = propertiesToFields(many)['properties.big']!
      expect(big.enumValues).toHaveLength(500)
      expect(big.enumValues!.slice(0, 2)).toEqual(['v0', 'v1'])
      expect(discoveredFieldsSchema.safeParse(propertiesToFields(many)).success).toBe(true)
    })

    it.each([
      ['null', null],
      ['a string', 'oops'],
      ['an array', [{ name: 'email', type: 'string' }]],
      ['no results', {}],
      ['results not a list', { results: { name: 'email' } }],
      ['malformed entries', { results: [null, 1, 'email', { label: 'no name' }, { name: 5 }, { name: 'has space', type: 'string' }, { name: 'a.b', type: 'string' }, { name: '', type: 'string' }] }],
    ])('reads %s as no fields', (_what, body) => {
      expect(propertiesToFields(body)).toEqual({})
    })

    it('discoverFields reads GET /crm/v3/properties/{objectType} for contacts and companies only', async () => {
      const asked: string[] = []
      const get = async (path: string) => {
        asked.push(path)
        return contactProperties.body
      }
      expect(await hubspot.hooks.discoverFields!({ object: 'contact', get })).toEqual(fields)
      expect(await hubspot.hooks.discoverFields!({ object: 'company', get })).toEqual(fields)
      expect(await hubspot.hooks.discoverFields!({ object: 'deal', get })).toBeUndefined()
      expect(asked).toEqual(['/crm/v3/properties/contacts', '/crm/v3/properties/companies'])
    })
  })

  // https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/guide: the list endpoints return
  // only the properties named in `properties`.
  describe('list parameters for a mapping (withMappedProperties)', () => {
    const params = hubspot.objects.contact!.params

    it('adds the properties.<name> paths a mapping reads, after the declared ones, once each, sorted as given', () => {
      const out = withMappedProperties('contact', params, ['createdAt', 'properties.annual_spend', 'properties.customer_tier', 'properties.email'])
      expect(out).toEqual({ properties: 'email,firstname,lastname,phone,company,lifecyclestage,createdate,lastmodifieddate,annual_spend,customer_tier', archived: 'false' })
      // The server hands paths sorted (readPaths), so the same mapping always gives the same parameters.
      expect(withMappedProperties('contact', params, ['properties.annual_spend', 'properties.customer_tier', 'properties.customer_tier'])).toEqual(out)
    })

    it('ignores paths that are not one property: top-level fields, nested paths, odd names', () => {
      const out = withMappedProperties('contact', params, ['id', 'updatedAt', 'properties', 'properties.a.b', 'properties.bad-name', 'other.customer_tier', 'xproperties.tier'])
      expect(out).toEqual(params)
    })

    it('returns a copy and leaves other objects, and objects without a properties parameter, alone', () => {
      const out = withMappedProperties('contact', params, [])
      expect(out).toEqual(params)
      expect(out).not.toBe(params)
      expect(withMappedProperties('deal', { properties: 'dealname' }, ['properties.amount'])).toEqual({ properties: 'dealname' })
      expect(withMappedProperties('contact', { archived: 'false' }, ['properties.customer_tier'])).toEqual({ archived: 'false' })
      expect(hubspot.objects.contact!.params.properties).toBe('email,firstname,lastname,phone,company,lifecyclestage,createdate,lastmodifieddate')
    })

    it('is the listParams hook, for companies too', () => {
      const company = hubspot.objects.company!.params
      expect(hubspot.hooks.listParams!({ object: 'company', params: company, mappedPaths: ['properties.partner_level'] })).toEqual({ ...company, properties: `${company.properties},partner_level` })
      expect(hubspot.hooks.listParams!({ object: 'contact', params, mappedPaths: ['properties.customer_tier'] })).toEqual(withMappedProperties('contact', params, ['properties.customer_tier']))
    })
  })

  describe('default mappings to the common models', () => {
    it('maps contacts to the common contact', () => {
      expect(hubspot.objects.contact!.commonModel).toBe('contact')
      expect(hubspot.objects.contact!.defaultMapping).toEqual({
        email: { source: 'field', path: 'properties.email', transforms: [] },
        firstName: { source: 'field', path: 'properties.firstname', transforms: [] },
        lastName: { source: 'field', path: 'properties.lastname', transforms: [] },
        phone: { source: 'field', path: 'properties.phone', transforms: [] },
        company: { source: 'field', path: 'properties.company', transforms: [] },
        lifecycleStage: { source: 'field', path: 'properties.lifecyclestage', transforms: [] },
        createdAt: { source: 'field', path: 'createdAt', transforms: [] },
        updatedAt: { source: 'field', path: 'updatedAt', transforms: [] },
      })
    })

    it('maps companies to the common company', () => {
      expect(hubspot.objects.company!.commonModel).toBe('company')
      expect(hubspot.objects.company!.defaultMapping).toEqual({
        name: { source: 'field', path: 'properties.name', transforms: [] },
        domain: { source: 'field', path: 'properties.domain', transforms: [] },
        industry: { source: 'field', path: 'properties.industry', transforms: [] },
        phone: { source: 'field', path: 'properties.phone', transforms: [] },
        createdAt: { source: 'field', path: 'createdAt', transforms: [] },
        updatedAt: { source: 'field', path: 'updatedAt', transforms: [] },
      })
    })

    it.each(['contact', 'company'] as const)('%s: the default mapping passes the check with no warnings, and reads only declared fields', (name) => {
      const object = hubspot.objects[name]!
      const check = checkMapping(COMMON_MODELS[object.commonModel!], providerFieldsOf(object), { model: object.commonModel!, fields: object.defaultMapping! })
      expect(check).toEqual({ ok: true, errors: [], warnings: [] })
    })
  })

  // https://developers.hubspot.com/docs/api-reference/account-account-info-v3/details/get-account-info-v3-details
  it('labels the account by its Hub ID', () => {
    expect(hubspot.accountInfo).toEqual({ path: '/account-info/v3/details' })
    expect(hubspot.hooks.accountLabel?.(account.body)).toBe('Hub 12345678')
    expect(hubspot.hooks.accountLabel?.({})).toBeUndefined()
  })

  // https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/guide ("Create contacts")
  describe('create_contact', () => {
    const input = hubspot.actions.create_contact!.input
    it('posts a properties object to /crm/v3/objects/contacts', () => {
      expect(hubspot.actions.create_contact).toMatchObject({ method: 'POST', path: '/crm/v3/objects/contacts' })
      const body = { properties: { email: 'example@hubspot.com', firstname: 'Jane', lastname: 'Doe', phone: '(555) 555-5555', company: 'HubSpot', lifecyclestage: 'marketingqualifiedlead' } }
      expect(input.parse(body)).toEqual(body)
    })
    it('needs one of email, firstname or lastname, and a valid email', () => {
      expect(input.safeParse({ properties: { phone: '1' } }).success).toBe(false)
      expect(input.safeParse({ properties: { email: 'not-an-email' } }).success).toBe(false)
      expect(input.safeParse({ properties: { lastname: 'Doe' } }).success).toBe(true)
      expect(input.safeParse({ properties: { email: 'a@b.co' }, extra: 1 }).success).toBe(false)
    })
  })
})
