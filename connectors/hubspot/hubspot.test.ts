import { describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { authorizationUrl, toRecord, walk } from '../testing'
import account from './fixtures/account-details.json' with { type: 'json' }
import companies from './fixtures/companies.json' with { type: 'json' }
import page1 from './fixtures/contacts-page-1.json' with { type: 'json' }
import page2 from './fixtures/contacts-page-2.json' with { type: 'json' }
import hubspot from './index'

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
