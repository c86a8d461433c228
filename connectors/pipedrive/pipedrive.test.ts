import { describe, expect, it } from 'vitest'
import { getHeader } from '../pagination'
import { connectorSchema } from '../schema'
import { authorizationUrl, mapDefault, toRecord, walk } from '../testing'
import deals from './fixtures/deals.json' with { type: 'json' }
import organizations from './fixtures/organizations.json' with { type: 'json' }
import page1 from './fixtures/persons-page-1.json' with { type: 'json' }
import page2 from './fixtures/persons-page-2.json' with { type: 'json' }
import rateLimitHeaders from './fixtures/rate-limit-headers.json' with { type: 'json' }
import token from './fixtures/token-response.json' with { type: 'json' }
import usersMe from './fixtures/users-me.json' with { type: 'json' }
import pipedrive, { companyDomainFromToken } from './index'

/** The base URL once the token response has given the company domain. */
const BASE = 'https://mycompanydomain.pipedrive.com'

const mapped = (object: string, record: unknown) => mapDefault(pipedrive, object, record)

describe('pipedrive connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(pipedrive)).toEqual(pipedrive)
    expect(pipedrive.id).toBe('pipedrive')
  })

  // https://pipedrive.readme.io/docs/marketplace-oauth-authorization
  // https://developers.pipedrive.com/docs/api/v1/Oauth
  describe('auth', () => {
    it('uses oauth.pipedrive.com with HTTP Basic client authentication and refresh tokens', () => {
      expect(pipedrive.auth).toMatchObject({
        type: 'oauth2',
        authorizationUrl: 'https://oauth.pipedrive.com/oauth/authorize',
        tokenUrl: 'https://oauth.pipedrive.com/oauth/token',
        clientAuth: 'client_secret_basic',
        refreshable: true,
      })
    })

    // https://pipedrive.readme.io/docs/marketplace-scopes-and-permissions-explanations
    it('builds the documented authorization URL; scopes are set in the Developer Hub, not sent', () => {
      const url = authorizationUrl(pipedrive, { clientId: 'b4d083d9216986345b32', redirectUri: 'https://awesomeapp.com/oauth/callback', state: '148aHxbdd92', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' })
      expect(url.origin + url.pathname).toBe('https://oauth.pipedrive.com/oauth/authorize')
      expect(url.searchParams.get('client_id')).toBe('b4d083d9216986345b32')
      expect(url.searchParams.get('redirect_uri')).toBe('https://awesomeapp.com/oauth/callback')
      expect(url.searchParams.get('state')).toBe('148aHxbdd92')
      expect(url.searchParams.has('scope')).toBe(false)
    })
  })

  // https://developers.pipedrive.com/changelog/post/new-parameter-in-oauth-oauthtoken-responses
  describe('api_domain from the token response', () => {
    it('stores the company label of the documented api_domain, which the base URL is built from', () => {
      expect(pipedrive.hooks.afterTokenResponse?.(token.body)).toEqual({ companyDomain: 'mycompanydomain' })
      expect(pipedrive.http.baseUrl).toBe('https://{companyDomain}.pipedrive.com')
      const pattern = new RegExp(`^(?:${pipedrive.connectionConfig.companyDomain!.pattern})$`)
      expect(pattern.test('mycompanydomain')).toBe(true)
      expect(pipedrive.connectionConfig.companyDomain).toMatchObject({ source: 'token', required: true })
    })

    it('refuses anything but https://<company>.pipedrive.com', () => {
      for (const bad of [undefined, '', 'mycompanydomain', 'http://x.pipedrive.com', 'https://pipedrive.com', 'https://a.b.pipedrive.com', 'https://x.pipedrive.com.evil.example', 'https://x.pipedrive.com/api', 'https://x.pipedrive.com:444', 'https://evil.example']) {
        expect(() => companyDomainFromToken({ api_domain: bad }), String(bad)).toThrow(TypeError)
      }
    })
  })

  // https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting
  it('reads the documented x-ratelimit-* headers, reset in seconds from now', () => {
    expect(pipedrive.http.rateLimit).toEqual({ limitHeader: 'x-ratelimit-limit', remainingHeader: 'x-ratelimit-remaining', resetHeader: 'x-ratelimit-reset', resetUnit: 'delta_s' })
    const limit = pipedrive.http.rateLimit!
    expect(getHeader(rateLimitHeaders.headers, limit.remainingHeader!)).toBe('39')
    expect(getHeader(rateLimitHeaders.headers, limit.resetHeader!)).toBe('2')
  })

  // https://pipedrive.readme.io/docs/core-api-concepts-pagination
  describe('pagination (cursor ← additional_data.next_cursor, limit ≤ 500)', () => {
    it('walks the persons pages to a null next_cursor', () => {
      const { urls, items } = walk(pipedrive, 'person', (url) => (url.searchParams.has('cursor') ? page2 : page1), { baseUrl: BASE })
      expect(urls.map((u) => u.href)).toEqual([`${BASE}/api/v2/persons?limit=500`, `${BASE}/api/v2/persons?limit=500&cursor=eyJhY3Rpdml0aWVzIjoyN30`])
      expect(items.map((p) => (p as { id: number }).id)).toEqual([1, 2])
    })

    it('keeps updated_since on every page of an incremental run', () => {
      const { urls } = walk(pipedrive, 'deal', (url) => (url.searchParams.has('cursor') ? deals : { body: { ...deals.body, additional_data: { next_cursor: 'abc' } } }), { baseUrl: BASE, extraParams: { updated_since: '2025-01-01T10:20:00Z' } })
      expect(urls.map((u) => u.searchParams.get('updated_since'))).toEqual(['2025-01-01T10:20:00Z', '2025-01-01T10:20:00Z'])
      expect(urls[1]!.searchParams.get('cursor')).toBe('abc')
    })
  })

  describe('fields', () => {
    it('maps a person, the first email and phone flattened', () => {
      expect(toRecord(pipedrive, 'person', page1.body.data[0])).toEqual({
        id: 1,
        name: 'Will Smith',
        firstName: 'Will',
        lastName: 'Smith',
        email: 'will.smith@example.com',
        emails: page1.body.data[0]!.emails,
        phone: '12345',
        phones: page1.body.data[0]!.phones,
        jobTitle: 'Head of Sales',
        orgId: 1234,
        ownerId: 123,
        isDeleted: false,
        visibleTo: 3,
        labelIds: [1],
        customFields: { d4de1c1518b4531717c676029a45911c340390a6: 'Gold' },
        createdAt: '2023-01-08T05:30:20Z',
        updatedAt: '2023-02-08T05:30:20Z',
      })
      expect(toRecord(pipedrive, 'person', page2.body.data[0])).toMatchObject({ email: undefined, phone: undefined, orgId: null })
    })

    it('maps an organization and a deal', () => {
      expect(toRecord(pipedrive, 'organization', organizations.body.data[0])).toMatchObject({ id: 1234, name: 'Org Name', address: { value: 'Mustamäe tee 3a, 10615 Tallinn', country: 'Estonia', locality: 'Tallinn' }, createdAt: '2022-11-01T08:55:59Z' })
      expect(toRecord(pipedrive, 'deal', deals.body.data[0])).toMatchObject({ id: 1, title: 'New name for a great deal', value: 1000000, currency: 'EUR', status: 'open', stageId: 1, expectedCloseDate: '2022-12-31', updatedAt: '2022-09-27T13:21:10Z' })
    })

    it('syncs incrementally on update_time with updated_since, marking is_deleted records deleted', () => {
      for (const [name, object] of [['persons', 'person'], ['organizations', 'organization'], ['deals', 'deal']] as const) {
        expect(pipedrive.syncs[name]).toMatchObject({ object, mode: 'incremental', cursorField: 'updatedAt', updatedSinceParam: 'updated_since', deletedWhen: { path: 'is_deleted', equals: true } })
        expect(pipedrive.objects[object]!.fields.updatedAt).toMatchObject({ type: 'datetime', from: 'update_time' })
      }
    })
  })

  describe('default mappings to the common models', () => {
    it('maps a person to a contact', () => {
      const { check, result } = mapped('person', page1.body.data[0])
      expect(check.errors).toEqual([])
      expect(result).toEqual({
        value: { email: 'will.smith@example.com', firstName: 'Will', lastName: 'Smith', phone: '12345', company: '1234', title: 'Head of Sales', lifecycleStage: null, createdAt: '2023-01-08T05:30:20.000Z', updatedAt: '2023-02-08T05:30:20.000Z' },
        errors: [],
      })
      expect(mapped('person', page2.body.data[0]).result.errors).toEqual([])
    })

    it('maps an organization to a company and a deal to a deal', () => {
      const company = mapped('organization', organizations.body.data[0])
      expect(company.check.errors).toEqual([])
      expect(company.result).toEqual({ value: { name: 'Org Name', domain: null, industry: null, phone: null, createdAt: '2022-11-01T08:55:59.000Z', updatedAt: '2023-01-05T12:00:00.000Z' }, errors: [] })
      const deal = mapped('deal', deals.body.data[0])
      expect(deal.check.errors).toEqual([])
      expect(deal.result).toEqual({ value: { name: 'New name for a great deal', amount: 1000000, currency: 'EUR', stage: '1', closeDate: '2022-12-31', createdAt: '2022-01-04T10:44:11.000Z', updatedAt: '2022-09-27T13:21:10.000Z' }, errors: [] })
    })
  })

  // https://developers.pipedrive.com/docs/api/v1/Users#getCurrentUser
  it('labels the account with the user’s email and company from /users/me', () => {
    expect(pipedrive.accountInfo).toEqual({ path: '/api/v1/users/me' })
    expect(pipedrive.hooks.accountLabel?.(usersMe.body)).toBe('jane@pipedrive.com (Pipedrive Sales)')
    expect(pipedrive.hooks.accountLabel?.({ data: { company_name: 'Acme' } })).toBe('Acme')
    expect(pipedrive.hooks.accountLabel?.({ success: false })).toBeUndefined()
  })

  // https://developers.pipedrive.com/docs/api/v1/Persons#addPerson
  describe('add_person', () => {
    const action = pipedrive.actions.add_person!
    it('posts a v2 person to /api/v2/persons, as a person record (write-back)', () => {
      expect(action).toMatchObject({ method: 'POST', path: '/api/v2/persons', object: 'person' })
      const body = { name: 'Will Smith', org_id: 1234, emails: [{ value: 'will.smith@example.com', primary: true, label: 'work' }], phones: [{ value: '12345' }], visible_to: 3 as const }
      expect(action.input.parse(body)).toEqual(body)
    })
    it('needs a name and rejects malformed entries, unknown visibility and unknown fields', () => {
      expect(action.input.safeParse({ emails: [{ value: 'a@b.co' }] }).success).toBe(false)
      expect(action.input.safeParse({ name: '   ' }).success).toBe(false)
      expect(action.input.safeParse({ name: 'x', emails: [{ primary: true }] }).success).toBe(false)
      expect(action.input.safeParse({ name: 'x', visible_to: 2 }).success).toBe(false)
      expect(action.input.safeParse({ name: 'x', org_id: -1 }).success).toBe(false)
      expect(action.input.safeParse({ name: 'x', custom_fields: { tier: 'Gold' } }).success).toBe(false)
      expect(action.input.safeParse({ name: 'x', custom_fields: { d4de1c1518b4531717c676029a45911c340390a6: 'Gold' } }).success).toBe(true)
      expect(action.input.safeParse({ name: 'x', email: 'a@b.co' }).success).toBe(false)
    })
  })
})
