/**
 * Google Calendar (Calendar API v3, Google OAuth 2.0 for web server apps): the events of the user's
 * primary calendar, the list of calendars they see, and creating an event.
 *
 * Sources, each cited again where it is used:
 * - OAuth (shared with Google Sheets): `../google.ts`
 * - Scopes: https://developers.google.com/workspace/calendar/api/auth
 * - Events: list: https://developers.google.com/workspace/calendar/api/v3/reference/events/list
 * - Event resource: https://developers.google.com/workspace/calendar/api/v3/reference/events
 * - Events: insert: https://developers.google.com/workspace/calendar/api/v3/reference/events/insert
 *   and the guide https://developers.google.com/workspace/calendar/api/guides/create-events
 * - CalendarList: list / get: https://developers.google.com/workspace/calendar/api/v3/reference/calendarList/list,
 *   https://developers.google.com/workspace/calendar/api/v3/reference/calendarList/get
 * - Calendars and events (calendar ids are email addresses, primary calendars):
 *   https://developers.google.com/workspace/calendar/api/concepts/events-calendars
 * - Synchronizing resources (sync tokens vs `updatedMin`): https://developers.google.com/workspace/calendar/api/guides/sync
 * - Errors: https://developers.google.com/workspace/calendar/api/guides/errors
 * - Usage limits: https://developers.google.com/workspace/calendar/api/guides/quota
 */
import { z } from 'zod'
import { GOOGLE_RETRY, googleAuth } from '../google'
import { defineConnector } from '../schema'

/** A blue rounded square with a white calendar page (not Google's calendar icon). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Google Calendar">' +
  '<rect width="64" height="64" rx="14" fill="#1a73e8"/>' +
  '<rect x="15" y="17" width="34" height="32" rx="4" fill="#fff"/>' +
  '<path d="M15 27h34M24 13v8M40 13v8" stroke="#1a73e8" stroke-width="4" stroke-linecap="round"/>' +
  '<path d="M26 35h4v8M34 35h5l-3 8" fill="none" stroke="#1a73e8" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/>' +
  '</svg>'

/**
 * Scopes (https://developers.google.com/workspace/calendar/api/auth):
 * - `calendar.events.owned`: "See, create, change, and delete events on Google calendars you own".
 *   The primary calendar is owned by its user ("Primary calendars are owned by their associated
 *   user account", events-calendars page), so this one scope covers both listing its events and
 *   inserting one, and is narrower than `calendar.events` ("View and edit events on all your
 *   calendars"). An integration that never creates events can use
 *   `calendar.events.owned.readonly` instead.
 * - `calendar.calendarlist.readonly`: "See the list of Google calendars you're subscribed to", for
 *   `calendarList.list` and `calendarList.get` (their Authorization sections), which also name the
 *   connected account (below), so no `openid email` scopes are needed for the label.
 */
export const CALENDAR_SCOPES = ['https://www.googleapis.com/auth/calendar.events.owned', 'https://www.googleapis.com/auth/calendar.calendarlist.readonly']

/** An event's start or end (EventDateTime): a `dateTime` for timed events, a `date` for all-day ones. */
const eventDateTime = z
  .strictObject({
    // "The time, as a combined date-time value (formatted according to RFC3339). A time zone offset
    // is required unless a time zone is explicitly specified in timeZone."
    dateTime: z.iso.datetime({ offset: true, local: true }).optional(),
    // "The date, in the format "yyyy-mm-dd", if this is an all-day event."
    date: z.iso.date().optional(),
    // "The time zone in which the time is specified. (Formatted as an IANA Time Zone Database name,
    // e.g. "Europe/Zurich".)"
    timeZone: z.string().regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, 'an IANA time zone name such as Europe/Zurich').optional(),
  })
  .refine((d) => (d.dateTime === undefined) !== (d.date === undefined), 'give either dateTime or date')
  .refine((d) => d.dateTime === undefined || /(Z|[+-]\d{2}:\d{2})$/i.test(d.dateTime) || d.timeZone !== undefined, 'a dateTime without an offset needs a timeZone')

/**
 * Optional text. A record written back through the mapping carries `null` for an empty field; it is
 * left out of the request rather than refused.
 */
const optionalText = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined)

export default defineConnector({
  id: 'google-calendar',
  name: 'Google Calendar',
  description: 'Share the events of your main Google calendar and the list of your calendars, and add events to your calendar from this app.',
  categories: ['productivity'],
  logo,
  docsUrl: 'https://developers.google.com/workspace/calendar/api/guides/overview',
  auth: googleAuth(CALENDAR_SCOPES),
  http: {
    // Every method's HTTP request is under `https://www.googleapis.com/calendar/v3/` (e.g. events.list:
    // `GET https://www.googleapis.com/calendar/v3/calendars/calendarId/events`).
    baseUrl: 'https://www.googleapis.com/calendar/v3',
    retry: GOOGLE_RETRY,
    // Usage limits page, "Calendar API quotas": "Per minute per user per project | 600 requests"
    // (per project: 10,000); "Quotas are calculated per minute using a sliding window". A connection is one
    // user, so the per-user quota is the connection's budget. No rate-limit headers are sent; an
    // exceeded quota is "a 403 usageLimits status code or a 429 usageLimits status code". (Projects
    // created from May 2026 get Google's new quotas, announced on the same page.)
    rateLimit: { requests: 600, windowMs: 60_000 },
    // events.list and calendarList.list page the same way: `pageToken` takes the previous answer's
    // `nextPageToken`, which is "Omitted if no further results are available"; `maxResults` sets the
    // page size ("The number of events in the resulting page may be less than this value, or none
    // at all, even if there are more events matching the query. Incomplete pages can be detected by
    // a non-empty nextPageToken field", so only the token ends the walk). Events default to 250 a
    // page, at most 2,500; 250 keeps pages small.
    pagination: { type: 'cursor', cursorParam: 'pageToken', cursorPath: 'nextPageToken', itemsPath: 'items', limitParam: 'maxResults', limit: 250 },
  },
  // calendarList.get with calendarId `primary` ("If you want to access the primary calendar of the
  // currently logged in user, use the "primary" keyword"); a calendar "is identified by an ID, which
  // is an email address", and the primary calendar's is the user's address.
  accountInfo: { path: '/users/me/calendarList/primary' },
  objects: {
    event: {
      label: 'Events',
      description: 'Events of your primary calendar. A recurring event is one record (with its rule in Recurrence); changed or cancelled occurrences are records of their own.',
      path: '/calendars/primary/events',
      docs: 'https://developers.google.com/workspace/calendar/api/v3/reference/events/list',
      // events.list parameters:
      // - `showDeleted=true`: "Whether to include deleted events (with status equals "cancelled") in
      //   the result". With `updatedMin`, "entries deleted since this time will always be included
      //   regardless of showDeleted"; the full first run sees deletions too this way.
      // - `singleEvents` is left at its default (false): recurring events come once, as the series,
      //   not expanded into every occurrence (an endless series would expand without end). With
      //   both showDeleted and singleEvents false, "Cancelled instances of recurring events (but not
      //   the underlying recurring event) will still be included".
      // - no `orderBy`: `orderBy=startTime` "is only available when querying single events (i.e. the
      //   parameter singleEvents is True)". And `updatedMin` is one of the "query parameters that
      //   cannot be specified together with nextSyncToken" (with iCalUID, orderBy, q, timeMin,
      //   timeMax…), so this connector's incremental sync is `updatedMin` alone (see `syncs.events`).
      //   The default order is "unspecified, stable".
      params: { showDeleted: 'true' },
      // Event resource. `start`/`end` hold `dateTime` (timed) or `date` (all-day).
      fields: {
        id: { type: 'string', key: true },
        // "confirmed", "tentative", or "cancelled" ("The event is cancelled (deleted)").
        status: { type: 'enum', enumValues: ['confirmed', 'tentative', 'cancelled'] },
        summary: { type: 'string', description: 'Title of the event' },
        description: { type: 'string', description: 'Description of the event; can contain HTML' },
        location: { type: 'string', description: 'Geographic location of the event as free-form text' },
        startDateTime: { type: 'datetime', from: 'start.dateTime', description: 'Start of a timed event' },
        startDate: { type: 'date', from: 'start.date', description: 'Start day of an all-day event' },
        endDateTime: { type: 'datetime', from: 'end.dateTime', description: 'End of a timed event (exclusive)' },
        endDate: { type: 'date', from: 'end.date', description: 'End day of an all-day event (exclusive)' },
        timeZone: { type: 'string', from: 'start.timeZone' },
        organizerEmail: { type: 'string', from: 'organizer.email' },
        creatorEmail: { type: 'string', from: 'creator.email' },
        attendees: { type: 'array', description: 'Attendees: email, displayName, responseStatus…' },
        recurrence: { type: 'array', description: 'RRULE, EXRULE, RDATE and EXDATE lines of a recurring event (RFC 5545)' },
        recurringEventId: { type: 'string', description: 'For an occurrence of a recurring event, the id of the recurring event' },
        htmlLink: { type: 'string', description: 'Link to the event in the Google Calendar web UI' },
        hangoutLink: { type: 'string', description: 'An absolute link to the Google Hangout associated with this event' },
        iCalUID: { type: 'string', description: 'Event id in the iCalendar format (RFC 5545), shared across calendars' },
        eventType: { type: 'string' },
        created: { type: 'datetime' },
        // "Last modification time of the main event data (as a RFC3339 timestamp). Updating event
        // reminders will not cause this to change."
        updated: { type: 'datetime' },
      },
      commonModel: 'event',
      // An all-day event has `start.date` and no `start.dateTime`, so its startAt/endAt stay empty
      // here: a mapping field reads one path, and joining `start.dateTime` with `start.date` gives
      // text the checker only warns about. An end user can map startAt to `start.date` instead.
      defaultMapping: {
        title: { source: 'field', path: 'summary' },
        description: { source: 'field', path: 'description' },
        startAt: { source: 'field', path: 'start.dateTime' },
        endAt: { source: 'field', path: 'end.dateTime' },
        location: { source: 'field', path: 'location' },
        createdAt: { source: 'field', path: 'created' },
        updatedAt: { source: 'field', path: 'updated' },
      },
    },
    calendar: {
      label: 'Calendars',
      description: 'The calendars on your calendar list: your own, shared ones and subscriptions.',
      // calendarList.list; 100 entries a page by default, at most 250.
      path: '/users/me/calendarList',
      docs: 'https://developers.google.com/workspace/calendar/api/v3/reference/calendarList/list',
      fields: {
        id: { type: 'string', key: true, description: 'Calendar id, an email address' },
        summary: { type: 'string', description: 'Title of the calendar' },
        summaryOverride: { type: 'string', description: 'The title the user gave the calendar' },
        description: { type: 'string' },
        timeZone: { type: 'string' },
        // "freeBusyReader", "reader", "writer", "owner".
        accessRole: { type: 'enum', enumValues: ['freeBusyReader', 'reader', 'writer', 'owner'] },
        primary: { type: 'boolean', description: 'Whether it is the primary calendar of the user' },
        backgroundColor: { type: 'string' },
        selected: { type: 'boolean', description: 'Whether it shows in the calendar UI' },
        hidden: { type: 'boolean' },
      },
    },
  },
  syncs: {
    events: {
      object: 'event',
      description: 'Events changed since the last run; deleted events are marked deleted.',
      mode: 'incremental',
      // `updatedMin`: "Lower bound for an event's last modification time (as a RFC3339 timestamp) to
      // filter by"; the stored cursor is the largest `updated` seen (RFC 3339 in UTC, so no `+` to
      // encode). Google's sync guide prefers sync tokens (`nextSyncToken` of the last page, sent back
      // as `syncToken`), which the schema cannot store (see the report). Google answers `410 Gone`
      // (`updatedMinTooLongAgo`, "The requested minimum modification time lies too far in the past")
      // when a connection has not synced for a long time; such runs fail until a full resync.
      cursorField: 'updated',
      updatedSinceParam: 'updatedMin',
      defaultFrequency: '15m',
      // Event `status`: "cancelled - The event is cancelled (deleted) … All other cancelled events
      // represent deleted events. Clients should remove their locally synced copies … Deleted events
      // are only guaranteed to have the id field populated." A cancelled occurrence of a recurring
      // event ("this instance should no longer be presented to the user") is deleted as well.
      deletedWhen: { path: 'status', equals: 'cancelled' },
    },
    // calendarList.list has no modified-since filter (its sync token has the same limits as above).
    calendars: { object: 'calendar', mode: 'full', defaultFrequency: '1d' },
  },
  actions: {
    create_event: {
      description: 'Add an event to your primary calendar. Guests are not sent invitations (Google’s default).',
      // events.insert: `POST https://www.googleapis.com/calendar/v3/calendars/calendarId/events` with
      // an Event resource, of which `start` and `end` are required. `sendUpdates` is not sent:
      // "Whether to send notifications about the creation of the new event. Note that some emails
      // might still be sent. The default is false." Calendar id `primary` keeps the action on the
      // calendar `calendar.events.owned` covers.
      method: 'POST',
      path: '/calendars/primary/events',
      // The input is an event in the record's shape, so a record of the end user's model can be
      // written back through the mapping (title → summary, startAt → start.dateTime, …).
      object: 'event',
      input: z.strictObject({
        summary: optionalText,
        description: optionalText,
        location: optionalText,
        start: eventDateTime,
        end: eventDateTime,
        // "recurrence[]: List of RRULE, EXRULE, RDATE and EXDATE lines for a recurring event, as
        // specified in RFC5545"; a recurring event needs a timeZone in start and end.
        recurrence: z.array(z.string().regex(/^(RRULE|EXRULE|RDATE|EXDATE)[:;]/, 'an RRULE, EXRULE, RDATE or EXDATE line')).optional(),
        // "attendees[].email: The attendee's email address … Required when adding an attendee."
        attendees: z.array(z.strictObject({ email: z.email(), displayName: z.string().optional(), optional: z.boolean().optional() })).optional(),
        reminders: z
          .strictObject({
            useDefault: z.boolean(),
            // `reminders.overrides[]`: "The maximum number of override reminders is 5"; `minutes`:
            // "Valid values are between 0 and 40320 (4 weeks in minutes)".
            overrides: z.array(z.strictObject({ method: z.enum(['email', 'popup']), minutes: z.number().int().min(0).max(40_320) })).max(5).optional(),
          })
          .optional(),
        transparency: z.enum(['opaque', 'transparent']).optional(),
        visibility: z.enum(['default', 'public', 'private', 'confidential']).optional(),
      }),
    },
  },
  hooks: {
    // calendarList.get(`primary`) → CalendarListEntry `{ id, summary, primary: true, … }`; the id of
    // a primary calendar is the account's email address.
    accountLabel: (body) => {
      const entry = body as { id?: unknown; summary?: unknown } | null
      for (const candidate of [entry?.id, entry?.summary]) if (typeof candidate === 'string' && candidate.includes('@')) return candidate
      return typeof entry?.summary === 'string' && entry.summary !== '' ? entry.summary : undefined
    },
  },
})
