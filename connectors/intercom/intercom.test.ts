import { describe, expect, it } from 'vitest'
import { getHeader } from '../pagination'
import { connectorSchema } from '../schema'
import { authorizationUrl, mapDefault, toRecord, walk } from '../testing'
import page1 from './fixtures/contacts-page-1.json' with { type: 'json' }
import page2 from './fixtures/contacts-page-2.json' with { type: 'json' }
import conversations from './fixtures/conversations.json' with { type: 'json' }
import createContact from './fixtures/create-contact.json' with { type: 'json' }
import me from './fixtures/me.json' with { type: 'json' }
import rateLimitHeaders from './fixtures/rate-limit-headers.json' with { type: 'json' }
import intercom from './index'

const mapped = (object: string, record: unknown) => mapDefault(intercom, object, record)

describe('intercom connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(intercom)).toEqual(intercom)
    expect(intercom.id).toBe('intercom')
  })

  // https://developers.intercom.com/docs/build-an-integration/learn-more/authentication/setting-up-oauth
  describe('auth', () => {
    it('uses app.intercom.com/oauth and the eagle token endpoint, secret in the body, no refresh', () => {
      expect(intercom.auth).toMatchObject({
        type: 'oauth2',
        authorizationUrl: 'https://app.intercom.com/oauth',
        tokenUrl: 'https://api.intercom.io/auth/eagle/token',
        clientAuth: 'client_secret_post',
        refreshable: false,
      })
    })

    it('builds the authorization URL without scopes (permissions are set on the app)', () => {
      const url = authorizationUrl(intercom, { clientId: 'a1b2c3', redirectUri: 'https://app.example/cb', state: 'example' })
      expect(url.origin + url.pathname).toBe('https://app.intercom.com/oauth')
      expect(url.searchParams.get('client_id')).toBe('a1b2c3')
      expect(url.searchParams.get('state')).toBe('example')
      expect(url.searchParams.has('scope')).toBe(false)
    })

    it('has no token-response hook: { token_type, token, access_token } is a standard response', () => {
      expect(intercom.hooks.afterTokenResponse).toBeUndefined()
      // The only config is the workspace id, read from GET /me after authorization (webhooks.test.ts).
      expect(Object.keys(intercom.connectionConfig)).toEqual(['appId'])
      expect(intercom.connectionConfig.appId?.source).toBe('token')
    })
  })

  // https://developers.intercom.com/building-apps/docs/update-your-api-version
  // https://developers.intercom.com/building-apps/docs/rest-apis
  it('pins Intercom-Version 2.14 on the routed api.intercom.io host', () => {
    expect(intercom.http.headers).toEqual({ 'Intercom-Version': '2.14' })
    expect(intercom.http.baseUrl).toBe('https://api.intercom.io')
  })

  // https://developers.intercom.com/docs/references/rest-api/errors/rate-limiting
  it('reads the X-RateLimit-* headers, reset as a Unix timestamp, and budgets 10,000 a minute in 10-second windows', () => {
    const limit = intercom.http.rateLimit!
    expect(limit).toMatchObject({ limitHeader: 'X-RateLimit-Limit', remainingHeader: 'X-RateLimit-Remaining', resetHeader: 'X-RateLimit-Reset', resetUnit: 'epoch_s', windowMs: 10_000 })
    expect(limit.requests! * (60_000 / limit.windowMs!)).toBeLessThanOrEqual(10_000)
    expect(getHeader(rateLimitHeaders.headers, 'x-ratelimit-remaining')).toBe('166')
    expect(getHeader(rateLimitHeaders.headers, 'x-ratelimit-reset')).toBe('1487332510')
  })

  // https://developers.intercom.com/docs/build-an-integration/learn-more/rest-apis/pagination
  describe('pagination (starting_after ← pages.next.starting_after, per_page ≤ 150)', () => {
    it('walks the contacts pages until pages.next is gone', () => {
      const { urls, items } = walk(intercom, 'contact', (url) => (url.searchParams.has('starting_after') ? page2 : page1))
      expect(urls).toHaveLength(2)
      expect(urls[0]!.href).toBe('https://api.intercom.io/contacts?per_page=150')
      expect(urls[1]!.searchParams.get('starting_after')).toBe(page1.body.pages.next!.starting_after)
      expect(items.map((c) => (c as { id: string }).id)).toEqual(['6762f0dd1bb69f9f2193bb83', '6762f0df1bb69f9f2193bb84'])
    })

    it('reads conversations from `conversations` and stops on the documented single page', () => {
      const { urls, items } = walk(intercom, 'conversation', () => conversations)
      expect(urls.map((u) => u.href)).toEqual(['https://api.intercom.io/conversations?per_page=150'])
      expect(items).toHaveLength(1)
    })

    it('syncs both in full (only the POST search endpoints filter by update time)', () => {
      expect(Object.values(intercom.syncs).map((s) => [s.object, s.mode])).toEqual([
        ['contact', 'full'],
        ['conversation', 'full'],
      ])
    })
  })

  describe('fields', () => {
    it('maps the documented contact', () => {
      expect(toRecord(intercom, 'contact', page2.body.data[0])).toEqual({
        id: '6762f0df1bb69f9f2193bb84',
        externalId: '70',
        role: 'user',
        email: 'joe@bloggs.com',
        phone: null,
        name: 'Joe Bloggs',
        avatar: null,
        ownerId: null,
        country: null,
        city: null,
        unsubscribedFromEmails: false,
        customAttributes: {},
        createdAt: 1734537439,
        updatedAt: 1734537439,
        signedUpAt: 1734537439,
        lastSeenAt: null,
      })
    })

    it('maps the documented conversation', () => {
      expect(toRecord(intercom, 'conversation', conversations.body.conversations[0])).toMatchObject({
        id: '471',
        title: null,
        state: 'closed',
        open: false,
        priority: 'not_priority',
        subject: '',
        body: '<p>this is the message body</p>',
        deliveredAs: 'admin_initiated',
        authorEmail: 'admin166@email.com',
        contacts: [{ type: 'contact', id: '6762f0f31bb69f9f2193bb8b', external_id: '70' }],
        adminAssigneeId: 991267715,
        tags: [],
        createdAt: 1734537460,
      })
    })
  })

  describe('default mappings to the common models', () => {
    it('maps a contact, splitting the name and converting Unix seconds', () => {
      const { check, result } = mapped('contact', page2.body.data[0])
      expect(check.errors).toEqual([])
      expect(result).toEqual({
        value: { email: 'joe@bloggs.com', firstName: 'Joe', lastName: 'Bloggs', phone: null, company: null, title: null, lifecycleStage: 'user', createdAt: '2024-12-18T15:57:19.000Z', updatedAt: '2024-12-18T15:57:19.000Z' },
        errors: [],
      })
      // The created contact has no name: both name parts are empty, not an error.
      expect(mapped('contact', page1.body.data[0]).result).toMatchObject({ value: { email: 'joebloggs@intercom.io', firstName: null, lastName: null }, errors: [] })
    })

    it('maps a conversation to a ticket', () => {
      const { check, result } = mapped('conversation', conversations.body.conversations[0])
      expect(check.errors).toEqual([])
      expect(result).toEqual({
        value: { subject: '', description: '<p>this is the message body</p>', status: 'closed', priority: 'not_priority', requesterEmail: null, createdAt: '2024-12-18T15:57:40.000Z', updatedAt: '2024-12-18T15:57:40.000Z' },
        errors: [],
      })
    })
  })

  // https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/admins/identifyadmin
  it('labels the account with the admin’s email and the workspace name from /me', () => {
    expect(intercom.accountInfo).toEqual({ path: '/me' })
    expect(intercom.hooks.accountLabel?.(me.body)).toBe('admin1@email.com (MyApp 1)')
    expect(intercom.hooks.accountLabel?.({ app: { name: 'MyApp 1' } })).toBe('MyApp 1')
    expect(intercom.hooks.accountLabel?.(null)).toBeUndefined()
  })

  // https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/contacts/createcontact
  describe('create_contact', () => {
    const action = intercom.actions.create_contact!
    it('posts the documented body to /contacts, as a contact record (write-back)', () => {
      expect(action).toMatchObject({ method: 'POST', path: '/contacts', object: 'contact' })
      expect(action.input.parse(createContact.request)).toEqual(createContact.request)
      const lead = { role: 'lead' as const, name: 'Joe Bloggs', custom_attributes: { plan: 'pro', seats: 3 } }
      expect(action.input.parse(lead)).toEqual(lead)
    })
    it('needs one of email, external_id or role, and rejects bad values and unknown fields', () => {
      expect(action.input.safeParse({ name: 'Joe Bloggs' }).success).toBe(false)
      expect(action.input.safeParse({ external_id: '70' }).success).toBe(true)
      expect(action.input.safeParse({ email: 'nope' }).success).toBe(false)
      expect(action.input.safeParse({ role: 'visitor' }).success).toBe(false)
      expect(action.input.safeParse({ email: 'a@b.co', signed_up_at: '2024-01-01' }).success).toBe(false)
      expect(action.input.safeParse({ email: 'a@b.co', custom_attributes: { nested: { x: 1 } } }).success).toBe(false)
      expect(action.input.safeParse({ email: 'a@b.co', id: '6762f0dd1bb69f9f2193bb83' }).success).toBe(false)
    })
  })
})
