import { describe, expect, it } from 'vitest'
import { nextPage } from '../pagination'
import { connectorSchema } from '../schema'
import { authorizationUrl, mapDefault, paginationOf, toRecord, walk } from '../testing'
import { actionRequest } from '../../server/src/services/actions'
import cancelEvent from './fixtures/cancel-event.json' with { type: 'json' }
import eventTypes from './fixtures/event-types.json' with { type: 'json' }
import rateLimited from './fixtures/rate-limit-429.json' with { type: 'json' }
import events1 from './fixtures/scheduled-events-page-1.json' with { type: 'json' }
import events2 from './fixtures/scheduled-events-page-2.json' with { type: 'json' }
import token from './fixtures/token-response.json' with { type: 'json' }
import usersMe from './fixtures/users-me.json' with { type: 'json' }
import calendly, { calendlyAccountFrom, uuidOf, withUser } from './index'

const BASE = 'https://api.calendly.com'
const CONFIG = calendlyAccountFrom(token.body)
const matches = (name: string, value: string) => new RegExp(`^(?:${calendly.connectionConfig[name]!.pattern})$`).test(value)
/** The list parameters the engine sends for this connection (the hook's answer). */
const paramsFor = (object: string) => calendly.hooks.listParams!({ object, params: calendly.objects[object]!.params, mappedPaths: [], connectionConfig: CONFIG })
const adjust = (item: unknown) => calendly.hooks.syncItem!(item, { name: 'scheduledEvents', model: 'scheduledEvent' })

describe('calendly connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(calendly)).toEqual(calendly)
    expect(calendly.id).toBe('calendly')
  })

  // https://developer.calendly.com/creating-an-oauth-app
  // https://developer.calendly.com/how-to-access-calendly-data-on-behalf-of-authenticated-users
  describe('auth', () => {
    it('uses auth.calendly.com with PKCE, the secret in the body and refresh tokens', () => {
      expect(calendly.auth).toMatchObject({ type: 'oauth2', authorizationUrl: 'https://auth.calendly.com/oauth/authorize', tokenUrl: 'https://auth.calendly.com/oauth/token', clientAuth: 'client_secret_post', pkce: true, refreshable: true })
    })

    // https://developer.calendly.com/docs/authentication/scopes
    it('builds the authorization URL with an S256 challenge and the three scopes it needs', () => {
      const url = authorizationUrl(calendly, { clientId: 'CLIENT_ID', redirectUri: 'https://app.example/cb', state: 'STATE', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' })
      expect(url.origin + url.pathname).toBe('https://auth.calendly.com/oauth/authorize')
      expect(url.searchParams.get('response_type')).toBe('code')
      expect(url.searchParams.get('code_challenge_method')).toBe('S256')
      expect(url.searchParams.get('scope')).toBe('users:read event_types:read scheduled_events:write')
    })

    // https://developer.calendly.com/docs/api-guides/how-to-find-the-organization-or-user-uri
    it('stores the user and organization URIs of the token response as connection config', () => {
      expect(CONFIG).toEqual({ userUri: 'https://api.calendly.com/users/EBHAAFHDCAEQTSEZ', organizationUri: 'https://api.calendly.com/organizations/EBHAAFHDCAEQTSEZ' })
      for (const [name, value] of Object.entries(CONFIG)) {
        expect(calendly.connectionConfig[name]!.source, name).toBe('token')
        expect(matches(name, value), name).toBe(true)
      }
      expect(calendly.hooks.afterTokenResponse).toBe(calendlyAccountFrom)
    })

    it('refuses a token response without a Calendly user URI, and drops an odd organization', () => {
      expect(() => calendlyAccountFrom({ ...token.body, owner: undefined })).toThrow(/no Calendly user/)
      for (const owner of ['https://evil.example/users/AAAA', 'https://api.calendly.com/users/AAAA/../x', 'https://api.calendly.com/users/AAAA?x=1', 'https://api.calendly.com/organizations/AAAA', 42]) {
        expect(() => calendlyAccountFrom({ ...token.body, owner }), String(owner)).toThrow(/no Calendly user/)
      }
      expect(calendlyAccountFrom({ ...token.body, organization: 'https://evil.example/organizations/X' })).toEqual({ userUri: CONFIG.userUri })
    })
  })

  // https://developer.calendly.com/api-docs/overview/rate-limits
  it('reads X-RateLimit-* with the reset as seconds from now, keeps to the free plan’s 50 a minute, and retries 429', () => {
    expect(calendly.http.rateLimit).toEqual({ limitHeader: 'X-RateLimit-Limit', remainingHeader: 'X-RateLimit-Remaining', resetHeader: 'X-RateLimit-Reset', resetUnit: 'delta_s', requests: 50, windowMs: 60_000 })
    expect(Object.keys(rateLimited.headers)).toEqual(['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'])
    expect(rateLimited.headers['X-RateLimit-Reset']).toBe('60')
    expect(calendly.http.retry.on).toContain(rateLimited.status)
  })

  // https://developer.calendly.com/api-docs/calendly-api/scheduled-events/list-scheduled-events
  describe('meetings (List Events, page_token)', () => {
    it('asks with the connected user’s URI, 100 a page, and follows next_page_token to the last page', () => {
      const { urls, items } = walk(calendly, 'scheduledEvent', (url) => (url.searchParams.has('page_token') ? events2 : events1), { extraParams: paramsFor('scheduledEvent') })
      expect(urls).toHaveLength(2)
      expect(urls[0]!.origin + urls[0]!.pathname).toBe(`${BASE}/scheduled_events`)
      expect(urls[0]!.searchParams.get('user')).toBe('https://api.calendly.com/users/EBHAAFHDCAEQTSEZ')
      expect(urls[0]!.href).toContain('user=https%3A%2F%2Fapi.calendly.com%2Fusers%2FEBHAAFHDCAEQTSEZ')
      expect(urls[0]!.searchParams.get('count')).toBe('100')
      expect(urls[0]!.searchParams.get('sort')).toBe('start_time:asc')
      expect(urls[0]!.searchParams.has('organization')).toBe(false)
      expect(urls[1]!.searchParams.get('page_token')).toBe('sNjq4TvMDfUHEl7zHRR0k0E1PCEJWvdi')
      expect(urls[1]!.searchParams.get('user')).toBe(urls[0]!.searchParams.get('user'))
      expect(items.map((e) => (e as { uri: string }).uri)).toEqual(['https://api.calendly.com/scheduled_events/GBGBDCAADAEDCRZ2', 'https://api.calendly.com/scheduled_events/CCCCCCCCCCCCCCCC'])
    })

    it('stops on a page whose next_page_token is null', () => {
      const pagination = paginationOf(calendly, 'scheduledEvent')
      const url = new URL(`${BASE}/scheduled_events?count=100`)
      expect(nextPage(pagination, { url, body: events2.body, headers: {}, items: events2.body.collection })).toBeNull()
    })

    it('adds the user to every list, and nothing when the connection has no user URI', () => {
      expect(paramsFor('eventType')).toEqual({ user: CONFIG.userUri })
      expect(withUser({ sort: 'start_time:asc' }, {})).toEqual({ sort: 'start_time:asc' })
      expect(withUser({}, undefined)).toEqual({})
      expect(withUser({}, { userUri: 'https://evil.example/users/X' })).toEqual({})
    })

    it('syncs in full: min_start_time filters by when a meeting starts, not when it changed', () => {
      expect(Object.values(calendly.syncs).map((s) => [s.object, s.mode])).toEqual([
        ['scheduledEvent', 'full'],
        ['eventType', 'full'],
      ])
    })

    it('maps the documented meeting, with its uuid added from the URI', () => {
      const item = adjust(events1.body.collection[0])
      expect(toRecord(calendly, 'scheduledEvent', item)).toEqual({
        uri: 'https://api.calendly.com/scheduled_events/GBGBDCAADAEDCRZ2',
        uuid: 'GBGBDCAADAEDCRZ2',
        name: '15 Minute Meeting',
        status: 'active',
        startTime: '2019-08-24T14:15:22.123456Z',
        endTime: '2019-08-24T14:30:22.123456Z',
        eventType: 'https://api.calendly.com/event_types/GBGBDCAADAEDCRZ2',
        locationType: 'physical',
        location: 'Calendly Office',
        joinUrl: undefined,
        notes: 'Internal meeting notes',
        inviteesActive: 0,
        inviteesLimit: 0,
        hosts: [{ user: 'https://api.calendly.com/users/GBGBDCAADAEDCRZ2', user_email: 'user@example.com', user_name: 'John Smith' }],
        cancellationReason: undefined,
        createdAt: '2019-01-02T03:04:05.092125Z',
        updatedAt: '2019-01-02T03:04:05.092125Z',
      })
      expect(toRecord(calendly, 'scheduledEvent', adjust(events2.body.collection[0]))).toMatchObject({ uuid: 'CCCCCCCCCCCCCCCC', status: 'canceled', locationType: 'zoom', joinUrl: 'https://calendly.zoom.us/j/0000000000', cancellationReason: 'Schedule conflict' })
    })

    it('takes the uuid only from a Calendly URI', () => {
      expect(uuidOf('https://api.calendly.com/scheduled_events/GBGBDCAADAEDCRZ2')).toBe('GBGBDCAADAEDCRZ2')
      for (const bad of ['https://evil.example/scheduled_events/X', 'https://api.calendly.com/scheduled_events/a/b', 'https://api.calendly.com/scheduled_events/', null, 7]) expect(uuidOf(bad), String(bad)).toBeUndefined()
      expect(adjust({ uri: 'nope' })).toEqual({ uri: 'nope' })
      expect(adjust(null)).toBeNull()
    })

    it('maps to the event model by default', () => {
      const { check, result } = mapDefault(calendly, 'scheduledEvent', events1.body.collection[0])
      expect(check.errors).toEqual([])
      expect(result).toEqual({
        value: { title: '15 Minute Meeting', description: 'Internal meeting notes', startAt: '2019-08-24T14:15:22.123Z', endAt: '2019-08-24T14:30:22.123Z', location: 'Calendly Office', createdAt: '2019-01-02T03:04:05.092Z', updatedAt: '2019-01-02T03:04:05.092Z' },
        errors: [],
      })
    })
  })

  it('maps the documented meeting type', () => {
    const { urls, items } = walk(calendly, 'eventType', () => eventTypes, { extraParams: paramsFor('eventType') })
    expect(urls.map((u) => u.pathname)).toEqual(['/event_types'])
    expect(toRecord(calendly, 'eventType', items[0])).toEqual({
      uri: 'https://api.calendly.com/event_types/AAAAAAAAAAAAAAAA',
      name: '15 Minute Meeting',
      active: true,
      slug: 'acmesales',
      schedulingUrl: 'https://calendly.com/acmesales',
      duration: 30,
      kind: 'solo',
      type: 'StandardEventType',
      description: '15 Minute Meeting',
      secret: true,
      createdAt: '2019-01-02T03:04:05.678123Z',
      updatedAt: '2019-08-07T06:05:04.321123Z',
    })
  })

  // https://developer.calendly.com/docs/api-guides/how-to-find-the-organization-or-user-uri
  it('labels the account from /users/me', () => {
    expect(calendly.accountInfo).toEqual({ path: '/users/me' })
    expect(calendly.hooks.accountLabel!(usersMe.body)).toBe('John Doe (test@example.com)')
    expect(calendly.hooks.accountLabel!({ resource: { email: 'test@example.com' } })).toBe('test@example.com')
    expect(calendly.hooks.accountLabel!({})).toBeUndefined()
  })

  // https://developer.calendly.com/api-docs/calendly-api/scheduled-events/create-scheduled-event-cancellation
  describe('cancel_event', () => {
    const action = calendly.actions.cancel_event!
    it('posts the reason as JSON to the meeting’s cancellation', () => {
      const input = action.input.parse(cancelEvent.request)
      const request = actionRequest(action, input)
      expect(action.method).toBe('POST')
      expect(request.path).toBe('/scheduled_events/GBGBDCAADAEDCRZ2/cancellation')
      expect(request.json).toEqual({ reason: 'Schedule conflict' })
      expect(request.path.startsWith('/scheduled_events/')).toBe(true)
    })

    it('takes a uuid, never a URI or a path, and a reason of at most 10,000 characters', () => {
      expect(action.input.safeParse({ uuid: 'GBGBDCAADAEDCRZ2' }).success).toBe(true)
      for (const uuid of ['https://api.calendly.com/scheduled_events/GBGBDCAADAEDCRZ2', '../users/me', 'a/b', '']) expect(action.input.safeParse({ uuid }).success, uuid).toBe(false)
      expect(action.input.safeParse({ uuid: 'X', reason: 'x'.repeat(10_001) }).success).toBe(false)
      expect(action.input.safeParse({ uuid: 'X', notify: false }).success).toBe(false)
    })
  })
})
