import { describe, expect, it } from 'vitest'
import { applyMapping, invertMapping } from '../../server/src/mapping/apply'
import { checkMapping, providerFieldsOf } from '../../server/src/mapping/check'
import { mappingSchema } from '../../server/src/mapping/schema'
import { actionRequest } from '../../server/src/services/actions'
import { firstPage, pageRecords, syncPlan } from '../../server/src/services/sync-engine'
import { COMMON_MODELS } from '../common-models'
import { connectorSchema } from '../schema'
import { authorizationUrl, toRecord, walk } from '../testing'
import calendarList from './fixtures/calendar-list.json' with { type: 'json' }
import createEvent from './fixtures/create-event.json' with { type: 'json' }
import events1 from './fixtures/events-page-1.json' with { type: 'json' }
import events2 from './fixtures/events-page-2.json' with { type: 'json' }
import token from './fixtures/token-response.json' with { type: 'json' }
import calendar, { CALENDAR_SCOPES } from './index'

const BASE = 'https://www.googleapis.com/calendar/v3'

describe('google-calendar connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(calendar)).toEqual(calendar)
    expect(calendar.id).toBe('google-calendar')
  })

  // https://developers.google.com/identity/protocols/oauth2/web-server
  describe('auth', () => {
    it('uses Google’s endpoints, PKCE, the secret in the body, refresh and RFC 7009 revocation', () => {
      expect(calendar.auth).toMatchObject({
        type: 'oauth2',
        authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
        tokenUrl: 'https://oauth2.googleapis.com/token',
        revocationUrl: 'https://oauth2.googleapis.com/revoke',
        clientAuth: 'client_secret_post',
        pkce: true,
        refreshable: true,
        scopeSeparator: ' ',
      })
    })

    // https://developers.google.com/workspace/calendar/api/auth
    it('asks offline access with a consent prompt and only the owned-events and calendar-list scopes', () => {
      const url = authorizationUrl(calendar, { clientId: 'CLIENT_ID', redirectUri: 'https://app.example/cb', state: 'STATE', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' })
      expect(url.origin + url.pathname).toBe('https://accounts.google.com/o/oauth2/v2/auth')
      expect(url.searchParams.get('scope')).toBe('https://www.googleapis.com/auth/calendar.events.owned https://www.googleapis.com/auth/calendar.calendarlist.readonly')
      expect(url.searchParams.get('access_type')).toBe('offline')
      expect(url.searchParams.get('prompt')).toBe('consent')
      expect(url.searchParams.get('response_type')).toBe('code')
      expect(url.searchParams.get('code_challenge_method')).toBe('S256')
      expect(url.searchParams.get('code_challenge')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')
      expect(CALENDAR_SCOPES).not.toContain('https://www.googleapis.com/auth/calendar')
    })

    it('needs no token-response hook: the documented answer is a bearer token with a refresh token', () => {
      expect(token.body).toMatchObject({ token_type: 'Bearer', expires_in: 3920 })
      expect(typeof token.body.refresh_token).toBe('string')
      expect(calendar.hooks.afterTokenResponse).toBeUndefined()
    })
  })

  // https://developers.google.com/workspace/calendar/api/guides/quota and …/guides/errors
  it('keeps to the per-user quota and retries 429 and the 5xx answers Google says to back off from', () => {
    expect(calendar.http.rateLimit).toMatchObject({ requests: 600, windowMs: 60_000 })
    expect(calendar.http.retry.on).toEqual([429, 500, 502, 503, 504])
  })

  // https://developers.google.com/workspace/calendar/api/v3/reference/events/list
  describe('pagination (pageToken / nextPageToken)', () => {
    it('walks the events until a page has no nextPageToken, keeping the query on every page', () => {
      const { urls, items } = walk(calendar, 'event', (url) => (url.searchParams.get('pageToken') === events1.body.nextPageToken ? { body: events2.body } : { body: events1.body }))
      expect(urls.map((u) => u.href)).toEqual([
        `${BASE}/calendars/primary/events?showDeleted=true&maxResults=250`,
        `${BASE}/calendars/primary/events?showDeleted=true&maxResults=250&pageToken=${events1.body.nextPageToken}`,
      ])
      expect(items.map((e) => (e as { id: string }).id)).toEqual(['8bsjlt9t3mgn6ckuejeuflnre4', '3k1f7s0lmkqr8h5u2vbt6e9d0c', '6qv3kn0r5b9hd2mtg1e8s4ajc7'])
    })

    it('goes on past an empty page that still has a token (“or none at all, even if there are more”)', () => {
      const empty = { ...events1.body, items: [] }
      const { urls, items } = walk(calendar, 'event', (url) => {
        const token = url.searchParams.get('pageToken')
        return token === null ? { body: empty } : token === events1.body.nextPageToken ? { body: events2.body } : { body: {} }
      })
      expect(urls).toHaveLength(2)
      expect(items).toEqual(events2.body.items)
    })

    it('reads the calendar list in one page', () => {
      const { urls, items } = walk(calendar, 'calendar', () => ({ body: calendarList.body }))
      expect(urls.map((u) => u.href)).toEqual([`${BASE}/users/me/calendarList?maxResults=250`])
      expect(items).toHaveLength(2)
    })
  })

  describe('syncs', () => {
    it('syncs events incrementally with updatedMin on updated, and sends the stored cursor', () => {
      expect(calendar.syncs.events).toMatchObject({ object: 'event', mode: 'incremental', cursorField: 'updated', updatedSinceParam: 'updatedMin', deletedWhen: { path: 'status', equals: 'cancelled' } })
      const url = firstPage(BASE, syncPlan(calendar, 'events'), '2015-05-20T18:41:12.356Z', 'incremental')
      expect(url.href).toBe(`${BASE}/calendars/primary/events?showDeleted=true&maxResults=250&updatedMin=2015-05-20T18%3A41%3A12.356Z`)
      expect(url.searchParams.has('orderBy')).toBe(false)
      expect(url.searchParams.has('singleEvents')).toBe(false)
    })

    it('stores live events, marks cancelled ones deleted, and moves the cursor to the latest updated', () => {
      const { batch, deletedIds, cursorMax } = pageRecords(syncPlan(calendar, 'events'), [...events1.body.items, ...events2.body.items], null)
      expect(batch.externalIds).toEqual(['8bsjlt9t3mgn6ckuejeuflnre4', '3k1f7s0lmkqr8h5u2vbt6e9d0c'])
      expect(deletedIds).toEqual(['6qv3kn0r5b9hd2mtg1e8s4ajc7'])
      expect(cursorMax).toBe('2015-05-27T00:29:20.117Z')
    })

    it('syncs the calendar list in full', () => {
      expect(calendar.syncs.calendars).toMatchObject({ object: 'calendar', mode: 'full' })
    })
  })

  // https://developers.google.com/workspace/calendar/api/v3/reference/events
  describe('fields', () => {
    it('maps a timed, recurring event', () => {
      expect(toRecord(calendar, 'event', events1.body.items[0])).toEqual({
        id: '8bsjlt9t3mgn6ckuejeuflnre4',
        status: 'confirmed',
        summary: 'Google I/O 2015',
        description: "A chance to hear more about Google's developer products.",
        location: '800 Howard St., San Francisco, CA 94103',
        startDateTime: '2015-05-28T09:00:00-07:00',
        startDate: undefined,
        endDateTime: '2015-05-28T17:00:00-07:00',
        endDate: undefined,
        timeZone: 'America/Los_Angeles',
        organizerEmail: 'lpage@example.com',
        creatorEmail: 'lpage@example.com',
        attendees: events1.body.items[0]!.attendees,
        recurrence: ['RRULE:FREQ=DAILY;COUNT=2'],
        recurringEventId: undefined,
        htmlLink: events1.body.items[0]!.htmlLink,
        hangoutLink: undefined,
        iCalUID: '8bsjlt9t3mgn6ckuejeuflnre4@google.com',
        eventType: 'default',
        created: '2015-05-20T18:41:12.000Z',
        updated: '2015-05-20T18:41:12.356Z',
      })
    })

    it('maps an all-day event to its dates', () => {
      expect(toRecord(calendar, 'event', events2.body.items[0])).toMatchObject({ startDate: '2015-06-05', endDate: '2015-06-06', startDateTime: undefined, endDateTime: undefined })
    })

    // https://developers.google.com/workspace/calendar/api/v3/reference/calendarList
    it('maps the calendar list entries', () => {
      expect(toRecord(calendar, 'calendar', calendarList.body.items[0])).toEqual({
        id: 'lpage@example.com',
        summary: 'lpage@example.com',
        summaryOverride: undefined,
        description: undefined,
        timeZone: 'America/Los_Angeles',
        accessRole: 'owner',
        primary: true,
        backgroundColor: '#9fe1e7',
        selected: true,
        hidden: undefined,
      })
      expect(toRecord(calendar, 'calendar', calendarList.body.items[1])).toMatchObject({ id: 'en.usa#holiday@group.v.calendar.google.com', accessRole: 'reader', primary: undefined })
    })
  })

  describe('default mapping to the common event', () => {
    const object = calendar.objects.event!
    const model = COMMON_MODELS.event
    const mapping = mappingSchema.parse({ model: 'event', fields: object.defaultMapping })

    it('passes the check with no errors or warnings', () => {
      expect(checkMapping(model, providerFieldsOf(object), mapping)).toEqual({ ok: true, errors: [], warnings: [] })
    })

    it('maps the guide’s event, times in UTC', () => {
      expect(applyMapping(model, mapping, events1.body.items[0])).toEqual({
        value: {
          title: 'Google I/O 2015',
          description: "A chance to hear more about Google's developer products.",
          startAt: '2015-05-28T16:00:00.000Z',
          endAt: '2015-05-29T00:00:00.000Z',
          location: '800 Howard St., San Francisco, CA 94103',
          createdAt: '2015-05-20T18:41:12.000Z',
          updatedAt: '2015-05-20T18:41:12.356Z',
        },
        errors: [],
      })
    })

    it('leaves the times of an all-day event empty', () => {
      expect(applyMapping(model, mapping, events2.body.items[0]).value).toMatchObject({ title: 'Offsite', startAt: null, endAt: null })
    })

    // The action takes `object: 'event'`: a record of this model is written back through the
    // mapping; read-only keys (created, updated) are left out as recordToInput does.
    it('writes a common event back as create_event input', () => {
      const inverse = invertMapping(model, mapping)
      expect(inverse.invertible).toBe(true)
      const { created, updated, ...provider } = inverse.toProvider({ title: 'Google I/O 2015', description: null, startAt: '2015-05-28T16:00:00.000Z', endAt: '2015-05-29T00:00:00.000Z', location: '800 Howard St., San Francisco, CA 94103', createdAt: null, updatedAt: null }) as Record<string, unknown>
      expect(created ?? null).toBeNull()
      expect(updated ?? null).toBeNull()
      // An empty description (null) is left out of the request.
      const body = JSON.parse(JSON.stringify(calendar.actions.create_event!.input.parse(provider)))
      expect(body).toEqual({ summary: 'Google I/O 2015', location: '800 Howard St., San Francisco, CA 94103', start: { dateTime: '2015-05-28T16:00:00.000Z' }, end: { dateTime: '2015-05-29T00:00:00.000Z' } })
    })
  })

  // https://developers.google.com/workspace/calendar/api/v3/reference/calendarList/get
  it('labels the account with the primary calendar’s id, the user’s email address', () => {
    expect(calendar.accountInfo).toEqual({ path: '/users/me/calendarList/primary' })
    expect(calendar.hooks.accountLabel?.(calendarList.body.items[0])).toBe('lpage@example.com')
    expect(calendar.hooks.accountLabel?.({ id: 'primary-id', summary: 'Team' })).toBe('Team')
    expect(calendar.hooks.accountLabel?.({})).toBeUndefined()
    expect(calendar.hooks.accountLabel?.(null)).toBeUndefined()
  })

  // https://developers.google.com/workspace/calendar/api/v3/reference/events/insert
  describe('create_event', () => {
    const action = calendar.actions.create_event!
    const timed = { start: { dateTime: '2015-05-28T09:00:00-07:00' }, end: { dateTime: '2015-05-28T17:00:00-07:00' } }

    it('posts the guide’s event as JSON to the primary calendar', () => {
      expect(action).toMatchObject({ method: 'POST', path: '/calendars/primary/events', body: 'json', object: 'event' })
      const input = action.input.parse(createEvent.request)
      expect(input).toEqual(createEvent.request)
      const request = actionRequest(action, input)
      expect(request.path).toBe('/calendars/primary/events')
      expect(request.json).toEqual(createEvent.request)
    })

    it('takes all-day events and local times with a time zone', () => {
      expect(action.input.safeParse({ summary: 'Offsite', start: { date: '2015-06-05' }, end: { date: '2015-06-06' } }).success).toBe(true)
      expect(action.input.safeParse({ start: { dateTime: '2015-05-28T09:00:00', timeZone: 'America/Los_Angeles' }, end: { dateTime: '2015-05-28T17:00:00', timeZone: 'America/Los_Angeles' } }).success).toBe(true)
    })

    it('refuses a missing start, both or neither of date and dateTime, a local time without zone, bad emails and unknown keys', () => {
      const bad = [
        { summary: 'x', end: timed.end },
        { ...timed, start: { date: '2015-05-28', dateTime: '2015-05-28T09:00:00Z' } },
        { ...timed, start: {} },
        { ...timed, start: { dateTime: '2015-05-28T09:00:00' } },
        { ...timed, start: { date: '28/05/2015' } },
        { ...timed, attendees: [{ email: 'not-an-email' }] },
        { ...timed, reminders: { useDefault: false, overrides: Array.from({ length: 6 }, () => ({ method: 'popup', minutes: 10 })) } },
        { ...timed, recurrence: ['FREQ=DAILY'] },
        { ...timed, colour: 'red' },
      ]
      for (const input of bad) expect(action.input.safeParse(input).success, JSON.stringify(input)).toBe(false)
    })
  })
})
