import { describe, expect, it } from 'vitest'
import { getHeader } from '../pagination'
import { connectorSchema } from '../schema'
import { authorizationUrl, mapDefault, toRecord, walk } from '../testing'
import createTicket from './fixtures/create-ticket.json' with { type: 'json' }
import rateLimitHeaders from './fixtures/rate-limit-headers.json' with { type: 'json' }
import export1 from './fixtures/tickets-export-page-1.json' with { type: 'json' }
import export2 from './fixtures/tickets-export-page-2.json' with { type: 'json' }
import usersMe from './fixtures/users-me.json' with { type: 'json' }
import users1 from './fixtures/users-page-1.json' with { type: 'json' }
import users2 from './fixtures/users-page-2.json' with { type: 'json' }
import zendesk from './index'

/** The base URL for the subdomain `company` (the documented examples' account). */
const BASE = 'https://company.zendesk.com'

const mapped = (object: string, record: unknown) => mapDefault(zendesk, object, record)

describe('zendesk connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(zendesk)).toEqual(zendesk)
    expect(zendesk.id).toBe('zendesk')
  })

  describe('subdomain and auth', () => {
    it('asks the end user for the subdomain, a DNS label, and templates it into every URL', () => {
      const field = zendesk.connectionConfig.subdomain!
      expect(field).toMatchObject({ source: 'user', required: true })
      const pattern = new RegExp(`^(?:${field.pattern})$`)
      for (const ok of ['company', 'my-company', 'acme2']) expect(pattern.test(ok), ok).toBe(true)
      for (const bad of ['company.zendesk.com', 'evil.example/x', '-x', 'a b', '']) expect(pattern.test(bad), bad).toBe(false)
      expect(zendesk.http.baseUrl).toBe('https://{subdomain}.zendesk.com')
    })

    // https://support.zendesk.com/hc/en-us/articles/4408845965210-Using-OAuth-authentication-with-your-application
    // https://developer.zendesk.com/api-reference/ticketing/oauth/grant_type_tokens/
    it('uses the account’s OAuth endpoints with PKCE, refresh tokens and the secret in the body', () => {
      expect(zendesk.auth).toMatchObject({
        type: 'oauth2',
        authorizationUrl: 'https://{subdomain}.zendesk.com/oauth/authorizations/new',
        tokenUrl: 'https://{subdomain}.zendesk.com/oauth/tokens',
        clientAuth: 'client_secret_post',
        pkce: true,
        refreshable: true,
      })
    })

    it('builds the authorization URL on the subdomain with space-separated minimal scopes', () => {
      // The engine fills in {subdomain} before building the URL (renderUrl); the test helper does not.
      if (zendesk.auth.type !== 'oauth2') throw new Error('expected oauth2')
      const onCompany = { ...zendesk, auth: { ...zendesk.auth, authorizationUrl: zendesk.auth.authorizationUrl.replace('{subdomain}', 'company') } }
      const url = authorizationUrl(onCompany, { clientId: 'zdg-patchbay', redirectUri: 'https://app.example/cb', state: 's1', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' })
      expect(url.origin + url.pathname).toBe('https://company.zendesk.com/oauth/authorizations/new')
      expect(url.searchParams.get('scope')).toBe('read tickets:write')
      expect(url.searchParams.get('code_challenge_method')).toBe('S256')
    })
  })

  // https://developer.zendesk.com/api-reference/introduction/rate-limits
  // https://developer.zendesk.com/documentation/api-basics/best-practices/best-practices-for-avoiding-rate-limiting
  it('reads X-Rate-Limit and X-Rate-Limit-Remaining, and ratelimit-reset in seconds', () => {
    const limit = zendesk.http.rateLimit!
    expect(limit).toEqual({ limitHeader: 'X-Rate-Limit', remainingHeader: 'X-Rate-Limit-Remaining', resetHeader: 'ratelimit-reset', resetUnit: 'delta_s' })
    // Header names are case-insensitive: the documented responses write them in lower case.
    expect(getHeader(rateLimitHeaders.headers, limit.limitHeader!)).toBe('700')
    expect(getHeader(rateLimitHeaders.headers, limit.remainingHeader!)).toBe('699')
    expect(getHeader(rateLimitHeaders.headers, limit.resetHeader!)).toBe('41')
    expect(zendesk.http.retry.on).toContain(429)
  })

  describe('tickets: cursor-based incremental export', () => {
    it('starts from start_time=0, follows after_url, and stops once after_url repeats past end_of_stream', () => {
      let lastPageServed = 0
      const { urls, items } = walk(zendesk, 'ticket', (url) => {
        const cursor = url.searchParams.get('cursor')
        if (cursor === null) return export1
        if (cursor === export1.body.after_cursor) return export2
        // The resume point after end_of_stream: nothing new, the same cursor again.
        lastPageServed++
        return { body: { ...export2.body, tickets: [], before_url: export2.body.after_url, before_cursor: export2.body.after_cursor } }
      }, { baseUrl: BASE })
      expect(urls.map((u) => u.href)).toEqual([`${BASE}/api/v2/incremental/tickets/cursor.json?start_time=0`, export1.body.after_url, export2.body.after_url])
      expect(lastPageServed).toBe(1)
      expect(items.map((t) => (t as { id: number }).id)).toEqual([35436, 35437])
    })

    it('an incremental run replaces start_time with the cursor, in Unix seconds like generated_timestamp', () => {
      const { urls } = walk(zendesk, 'ticket', () => ({ body: { tickets: [], after_url: null, end_of_stream: true } }), { baseUrl: BASE, extraParams: { start_time: '1304591932' } })
      expect(urls[0]!.searchParams.getAll('start_time')).toEqual(['1304591932'])
      expect(zendesk.syncs.tickets).toMatchObject({ object: 'ticket', mode: 'incremental', cursorField: 'generatedTimestamp', updatedSinceParam: 'start_time', deletedWhen: { path: 'status', equals: 'deleted' } })
      expect(zendesk.objects.ticket!.fields.generatedTimestamp).toMatchObject({ type: 'integer', from: 'generated_timestamp' })
      // The deleted ticket on the last page is the one the sync stores as deleted.
      expect(export2.body.tickets[0]!.status).toBe('deleted')
    })

    it('refuses an after_url on another host', () => {
      expect(() => walk(zendesk, 'ticket', () => ({ body: { tickets: [], after_url: 'https://evil.example/api/v2/incremental/tickets/cursor.json?cursor=x', end_of_stream: false } }), { baseUrl: BASE })).toThrow(/origin/)
    })
  })

  // https://developer.zendesk.com/documentation/api-basics/pagination/paginating-through-lists-using-cursor-pagination
  it('users: walks page[after] = meta.after_cursor while meta.has_more, page[size]=100', () => {
    const { urls, items } = walk(zendesk, 'user', (url) => (url.searchParams.get('page[after]') === 'xxx' ? users2 : users1), { baseUrl: BASE })
    expect(urls).toHaveLength(2)
    expect(urls[0]!.searchParams.get('page[size]')).toBe('100')
    expect(urls[1]!.searchParams.get('page[after]')).toBe('xxx')
    expect(items.map((u) => (u as { id: number }).id)).toEqual([35436, 20978392])
    expect(zendesk.syncs.users).toMatchObject({ object: 'user', mode: 'full' })
  })

  describe('fields', () => {
    // https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/
    it('maps the documented ticket', () => {
      expect(toRecord(zendesk, 'ticket', export1.body.tickets[0])).toEqual({
        id: 35436,
        subject: 'Help, my printer is on fire!',
        description: 'The fire is very colorful.',
        status: 'open',
        priority: 'high',
        type: 'incident',
        requesterId: 20978392,
        submitterId: 76872,
        assigneeId: 235323,
        organizationId: 509974,
        groupId: 98738,
        tags: ['enterprise', 'other_tag'],
        externalId: 'ahg35h3jh',
        channel: 'web',
        customFields: [
          { id: 27642, value: '745' },
          { id: 27648, value: 'yes' },
        ],
        url: 'https://company.zendesk.com/api/v2/tickets/35436.json',
        createdAt: '2009-07-20T22:55:29Z',
        updatedAt: '2011-05-05T10:38:52Z',
        generatedTimestamp: 1304591932,
      })
    })

    // https://developer.zendesk.com/api-reference/ticketing/users/users/
    it('maps the documented user', () => {
      expect(toRecord(zendesk, 'user', users1.body.users[0])).toMatchObject({ id: 35436, name: 'Johnny Agent', email: 'johnny@example.com', phone: '+15551234567', role: 'agent', organizationId: 57542, timeZone: 'Copenhagen', suspended: true, userFields: { user_dropdown: 'option_1' }, createdAt: '2009-07-20T22:55:29Z' })
    })
  })

  describe('default mappings to the common models', () => {
    it('maps a ticket to the ticket model', () => {
      const { check, result } = mapped('ticket', export1.body.tickets[0])
      expect(check.errors).toEqual([])
      expect(result).toEqual({
        value: { subject: 'Help, my printer is on fire!', description: 'The fire is very colorful.', status: 'open', priority: 'high', requesterEmail: null, createdAt: '2009-07-20T22:55:29.000Z', updatedAt: '2011-05-05T10:38:52.000Z' },
        errors: [],
      })
    })

    it('maps a user to a contact, splitting the name', () => {
      const { check, result } = mapped('user', users1.body.users[0])
      expect(check.errors).toEqual([])
      expect(result).toEqual({
        value: { email: 'johnny@example.com', firstName: 'Johnny', lastName: 'Agent', phone: '+15551234567', company: '57542', title: null, lifecycleStage: 'agent', createdAt: '2009-07-20T22:55:29.000Z', updatedAt: '2011-05-05T10:38:52.000Z' },
        errors: [],
      })
    })
  })

  // https://developer.zendesk.com/api-reference/ticketing/users/users/#show-self
  it('labels the account with the signed-in user’s email', () => {
    expect(zendesk.accountInfo).toEqual({ path: '/api/v2/users/me' })
    expect(zendesk.hooks.accountLabel?.(usersMe.body)).toBe('johnny@example.com')
    expect(zendesk.hooks.accountLabel?.({ user: { name: 'Anonymous user', email: null } })).toBe('Anonymous user')
    expect(zendesk.hooks.accountLabel?.({})).toBeUndefined()
  })

  // https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#create-ticket
  describe('create_ticket', () => {
    const action = zendesk.actions.create_ticket!
    it('posts the documented { ticket } body to /api/v2/tickets', () => {
      expect(action).toMatchObject({ method: 'POST', path: '/api/v2/tickets' })
      expect(action.object).toBeUndefined()
      expect(action.input.parse(createTicket.request)).toEqual(createTicket.request)
      const withRequester = { ticket: { subject: 'Hi', comment: { html_body: '<p>Hi</p>', public: false }, requester: { email: 'amy@example.org', name: 'Amy' }, tags: ['vip'], due_at: '2024-03-05T09:00:00Z', type: 'task' as const } }
      expect(action.input.parse(withRequester)).toEqual(withRequester)
    })
    it('needs a comment with a body, and known priorities, statuses and fields', () => {
      expect(action.input.safeParse({ ticket: { subject: 'x' } }).success).toBe(false)
      expect(action.input.safeParse({ ticket: { comment: {} } }).success).toBe(false)
      expect(action.input.safeParse({ ticket: { comment: { body: 'x' }, priority: 'critical' } }).success).toBe(false)
      expect(action.input.safeParse({ ticket: { comment: { body: 'x' }, status: 'closed' } }).success).toBe(false)
      expect(action.input.safeParse({ ticket: { comment: { body: 'x' }, requester: { email: 'nope' } } }).success).toBe(false)
      expect(action.input.safeParse({ ticket: { comment: { body: 'x' } }, extra: 1 }).success).toBe(false)
      expect(action.input.safeParse({ subject: 'x', comment: { body: 'x' } }).success).toBe(false)
    })
  })
})
