import { describe, expect, it } from 'vitest'
import { actionRequest } from '../../server/src/services/actions'
import { renderUrl, validateConnectionConfig } from '../../server/src/services/integrations'
import { firstPage, syncPlan } from '../../server/src/services/sync-engine'
import { getConnector } from '../registry'
import { connectorSchema } from '../schema'
import { walk } from '../testing'
import calendar from '../google-calendar/index'
import events1 from '../google-calendar/fixtures/events-page-1.json' with { type: 'json' }
import createEvent from '../google-calendar/fixtures/create-event.json' with { type: 'json' }
import calendarSa from './index'

const GROUP = 'c_0123456789abcdef@group.calendar.google.com'
const base = (calendarId: string) => renderUrl(calendarSa.http.baseUrl, validateConnectionConfig(calendarSa, { calendarId }))

describe('google-calendar-service-account connector', () => {
  it('parses, parsing its output again changes nothing, and is registered', () => {
    expect(connectorSchema.parse(calendarSa)).toEqual(calendarSa)
    expect(getConnector('google-calendar-service-account')).toBe(calendarSa)
  })

  // https://developers.google.com/identity/protocols/oauth2/service-account#httprest, https://developers.google.com/workspace/calendar/api/auth
  it('uses a service account key at Google’s token endpoint with calendar.events (shared calendars are not owned)', () => {
    expect(calendarSa.auth).toMatchObject({ type: 'oauth2_jwt_bearer', tokenUrl: 'https://oauth2.googleapis.com/token', scopes: ['https://www.googleapis.com/auth/calendar.events'], assertionLifetime: 3600 })
    if (calendarSa.auth.type !== 'oauth2_jwt_bearer') throw new Error('unreachable')
    expect(calendarSa.auth.fields.serviceAccountKey!.description).toMatch(/Share the calendar with the service account’s email address/)
    expect(calendarSa.auth.verify).toEqual({ method: 'GET', path: '/events?maxResults=1', okStatus: [200] })
    expect(calendarSa.accountInfo).toBeUndefined()
  })

  // https://developers.google.com/workspace/calendar/api/concepts/events-calendars
  it('takes a calendar id (an email address, or primary) and makes it the base URL, URL-encoded', () => {
    expect(base(GROUP)).toBe(`https://www.googleapis.com/calendar/v3/calendars/${encodeURIComponent(GROUP)}`)
    expect(base('ada@example.com')).toBe('https://www.googleapis.com/calendar/v3/calendars/ada%40example.com')
    expect(base('primary')).toBe('https://www.googleapis.com/calendar/v3/calendars/primary')
    expect(base('en.usa#holiday@group.v.calendar.google.com')).toBe('https://www.googleapis.com/calendar/v3/calendars/en.usa%23holiday%40group.v.calendar.google.com')
    for (const calendarId of ['', 'ada', '../users/me', 'a/b@example.com', 'a@b/c', 'a?b@example.com', 'primary2']) expect(() => validateConnectionConfig(calendarSa, { calendarId }), calendarId).toThrow()
    expect(() => validateConnectionConfig(calendarSa, {})).toThrow()
  })

  it('syncs the calendar’s events like the OAuth variant, from its own base URL', () => {
    expect(Object.keys(calendarSa.objects)).toEqual(['event'])
    expect(Object.keys(calendarSa.syncs)).toEqual(['events'])
    const { path, ...rest } = calendarSa.objects.event!
    const { path: oauthPath, ...oauthRest } = calendar.objects.event!
    expect([path, oauthPath]).toEqual(['/events', '/calendars/primary/events'])
    expect({ ...rest, description: '' }).toEqual({ ...oauthRest, description: '' })
    expect(calendarSa.syncs.events).toEqual(calendar.syncs.events)
    expect(calendarSa.http.pagination).toEqual(calendar.http.pagination)
    const b = base(GROUP)
    const { urls, items } = walk(calendarSa, 'event', () => ({ body: { ...events1.body, nextPageToken: undefined } }), { baseUrl: b })
    expect(urls.map(String)).toEqual([`${b}/events?showDeleted=true&maxResults=250`])
    expect(items).toEqual(events1.body.items)
    expect(firstPage(b, syncPlan(calendarSa, 'events'), '2026-01-01T00:00:00Z', 'incremental').href).toBe(`${b}/events?showDeleted=true&maxResults=250&updatedMin=2026-01-01T00%3A00%3A00Z`)
  })

  it('creates events on the calendar with the OAuth variant’s input', () => {
    const action = calendarSa.actions.create_event!
    expect(action.input).toBe(calendar.actions.create_event!.input)
    expect(action).toMatchObject({ method: 'POST', path: '/events', object: 'event' })
    const request = actionRequest(action, action.input.parse(createEvent.request))
    expect(base(GROUP) + request.path).toBe(`https://www.googleapis.com/calendar/v3/calendars/${encodeURIComponent(GROUP)}/events`)
  })
})
