/**
 * Google Calendar with a Google service account instead of a user's consent: the end user pastes
 * a service account's JSON key file, names the calendar, and shares that calendar with the
 * account's email address (or, in Google Workspace with domain-wide delegation, names the user to
 * act as). Events, their incremental sync and the create-event action are `google-calendar`'s,
 * shared by reference (`../google-calendar/index.ts`), on the named calendar instead of `primary`.
 *
 * Why a calendar id: without delegation, `primary` is the service account's own (empty) calendar,
 * and a calendar shared with it is not on its calendar list (the list holds the calendars a user
 * added; https://developers.google.com/workspace/calendar/api/concepts/events-calendars, "Calendar
 * vs CalendarList"). So the calendar is named in the connection config and is the base URL, which
 * is the only URL part a connection config value can fill. The `calendar` object (calendar list)
 * and its sync are left out for the same reason.
 *
 * Sources:
 * - Service accounts, JWT bearer grant: `../google.ts` ({@link googleServiceAccountAuth}) and
 *   https://developers.google.com/identity/protocols/oauth2/service-account#httprest
 * - Scopes: https://developers.google.com/workspace/calendar/api/auth
 * - Calendars and events (ids, sharing): https://developers.google.com/workspace/calendar/api/concepts/events-calendars,
 *   https://developers.google.com/workspace/calendar/api/concepts/sharing
 * - Events: list / insert: https://developers.google.com/workspace/calendar/api/v3/reference/events/list,
 *   https://developers.google.com/workspace/calendar/api/v3/reference/events/insert
 */
import calendar from '../google-calendar/index'
import { googleServiceAccountAuth } from '../google'
import { defineConnector } from '../schema'

const events = calendar.objects.event!
const createEvent = calendar.actions.create_event!

// The sharing permissions named in the description are Google Calendar's: "See all event details",
// "Make changes to events" (https://support.google.com/calendar/answer/37082, "Share your calendar
// with someone"); in the API they are the ACL roles `reader` and `writer`
// (https://developers.google.com/workspace/calendar/api/concepts/sharing).
export default defineConnector({
  ...calendar,
  id: 'google-calendar-service-account',
  name: 'Google Calendar (service account)',
  description:
    'Share the events of one Google calendar using a Google Cloud service account, and add events to it from this app. Share the calendar with the service account’s email address first (“Make changes to events” to add events, “See all event details” to read only).',
  auth: {
    // `calendar.events` ("View and edit events on all your calendars", scopes page): the calendar is
    // shared with the account, not owned by it, so `calendar.events.owned` (the OAuth variant's
    // scope, "calendars you own") does not reach it. A vendor whose integration only reads can set
    // the integration's scopes to `https://www.googleapis.com/auth/calendar.events.readonly`
    // ("View events on all your calendars"). No calendar list scope: there is no calendar list here.
    ...googleServiceAccountAuth(['https://www.googleapis.com/auth/calendar.events'], 'the calendar'),
    // One event of the calendar: proves the token and that the calendar is shared with the account
    // (events.list answers 404 "Not Found" for a calendar the account cannot see) before saving.
    verify: { method: 'GET', path: '/events?maxResults=1', okStatus: [200] },
  },
  connectionConfig: {
    calendarId: {
      label: 'Calendar ID',
      // events-calendars page: a calendar "is identified by an ID, which is an email address"; the
      // primary calendar's id is its user's address; other calendars' ids are shown in Google
      // Calendar's settings, "Integrate calendar" section.
      description: 'The calendar’s ID, an email address: yours for your main calendar, or the one under Settings → Integrate calendar. With domain-wide delegation, “primary” is the main calendar of the user you act as.',
      placeholder: 'c_…@group.calendar.google.com',
      // An email address (local part without `/`, `?`, `%`: the value is one URL-encoded path
      // segment either way), or `primary` ("use the "primary" keyword", calendarList.get).
      pattern: 'primary|[A-Za-z0-9._+#-]{1,200}@[A-Za-z0-9.-]{1,200}',
      helpUrl: 'https://developers.google.com/workspace/calendar/api/concepts/events-calendars',
    },
  },
  http: {
    ...calendar.http,
    // events.list: `GET https://www.googleapis.com/calendar/v3/calendars/calendarId/events`.
    baseUrl: 'https://www.googleapis.com/calendar/v3/calendars/{calendarId}',
  },
  // The OAuth variant's account label comes from the user's calendar list, which a service account
  // has no use for; the connection is labelled with the account (or the user it acts as) instead.
  accountInfo: undefined,
  objects: {
    event: { ...events, path: '/events', description: 'Events of the calendar. A recurring event is one record (with its rule in Recurrence); changed or cancelled occurrences are records of their own.' },
  },
  syncs: { events: calendar.syncs.events! },
  actions: {
    create_event: { ...createEvent, path: '/events', description: 'Add an event to the calendar. Guests are not sent invitations (Google’s default).' },
  },
  hooks: {},
})
