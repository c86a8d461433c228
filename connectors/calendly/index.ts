/**
 * Calendly (API v2, OAuth 2.0).
 *
 * Sources, each cited again where it is used:
 * - OAuth (authorize, token, refresh, PKCE): https://developer.calendly.com/creating-an-oauth-app
 *   and https://developer.calendly.com/how-to-access-calendly-data-on-behalf-of-authenticated-users
 * - Scopes: https://developer.calendly.com/docs/authentication/scopes
 * - User and organization URIs (`owner` / `organization` of the token response, `GET /users/me`):
 *   https://developer.calendly.com/docs/api-guides/how-to-find-the-organization-or-user-uri
 * - List Events: https://developer.calendly.com/api-docs/calendly-api/scheduled-events/list-scheduled-events
 * - Cancel Event: https://developer.calendly.com/api-docs/calendly-api/scheduled-events/create-scheduled-event-cancellation
 * - Event types (`GET /event_types`) and every schema: Calendly's OpenAPI document,
 *   https://developer.calendly.com/openapi/calendly-api.yaml
 * - Rate limits: https://developer.calendly.com/api-docs/overview/rate-limits
 * - Webhook signatures: https://developer.calendly.com/api-docs/overview/webhooks/webhook-signatures
 * Not here: invitees. They are listed per event (`GET /scheduled_events/{uuid}/invitees`), a list
 * nested under each record, which a sync cannot declare.
 */
import { z } from 'zod'
import { anchored, firstString, labelWithDetail } from '../helpers'
import { defineConnector } from '../schema'

/** A teal rounded square with a white "C" ring (not Calendly's logo). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Calendly">' +
  '<rect width="64" height="64" rx="14" fill="#0f766e"/>' +
  '<path d="M43 22a14 14 0 1 0 0 20" fill="none" stroke="#fff" stroke-width="7" stroke-linecap="round"/>' +
  '</svg>'

/**
 * Calendly resource ids: the last segment of a resource URI (`AAAAAAAAAAAAAAAA` in the docs, UUIDs
 * in practice). Letters, digits and `-` only, so an id never adds a path segment or a query.
 */
export const CALENDLY_ID = '[A-Za-z0-9-]{1,64}'
/** A user URI as the token response's `owner` and `/users/me`'s `uri` give it. */
export const USER_URI_PATTERN = `https://api\\.calendly\\.com/users/${CALENDLY_ID}`
/** An organization URI as the token response's `organization` gives it. */
export const ORGANIZATION_URI_PATTERN = `https://api\\.calendly\\.com/organizations/${CALENDLY_ID}`

/**
 * The connected user and organization from the token response → connection config. "If you
 * authenticated with OAuth … the user URI is given as the value of the `owner` key; the
 * organization URI is given as the value of the `organization` key" (how-to-find-the-organization-
 * or-user-uri page), so no extra request is needed. The user URI is what every list is filtered by.
 * @throws {Error} when `owner` is not a Calendly user URI: the connection is refused.
 */
export function calendlyAccountFrom(tokenResponse: Record<string, unknown>): Record<string, string> {
  const { owner, organization } = tokenResponse
  if (typeof owner !== 'string' || !anchored(USER_URI_PATTERN).test(owner)) throw new Error('the token response names no Calendly user')
  const out: Record<string, string> = { userUri: owner }
  if (typeof organization === 'string' && anchored(ORGANIZATION_URI_PATTERN).test(organization)) out.organizationUri = organization
  return out
}

/**
 * The list parameters of a connection: `user=<user URI>` added to both lists. List Events and the
 * event types list need one of `user`, `organization` or `group` (List Events page: "Pass
 * `organization` parameter to return events for that organization (requires admin/owner
 * privilege)"; "`user` can only be used alone when requesting your own personal events. This will
 * return your events within any organization that you are currently in or were a part of in the
 * past"). `user` works for every connected user, admin or not, so it is the one used. Query values
 * are URL-encoded by the engine.
 */
export function withUser(params: Readonly<Record<string, string>>, config: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const user = config?.userUri
  return user !== undefined && anchored(USER_URI_PATTERN).test(user) ? { ...params, user } : { ...params }
}

/** The id at the end of a Calendly resource URI (`…/scheduled_events/GBGBDCAADAEDCRZ2` → `GBGBDCAADAEDCRZ2`), or `undefined`. */
export function uuidOf(uri: unknown): string | undefined {
  if (typeof uri !== 'string') return undefined
  const m = /^https:\/\/api\.calendly\.com\/[a-z_]+\/([A-Za-z0-9-]{1,64})$/.exec(uri)
  return m?.[1]
}

export default defineConnector({
  id: 'calendly',
  name: 'Calendly',
  description: 'Bring in your Calendly meetings and meeting types, and cancel a meeting from this app.',
  categories: ['productivity'],
  logo,
  docsUrl: 'https://developer.calendly.com/',
  auth: {
    type: 'oauth2',
    // Creating an OAuth app page: redirect the user to Calendly's authorization page with
    // client_id, response_type=code, redirect_uri and code_challenge; exchange the code with a POST
    // to the token endpoint. Hosts from the "how to access Calendly data on behalf of authenticated
    // users" page ("Get Authorization Code" / "Get Access Token"):
    authorizationUrl: 'https://auth.calendly.com/oauth/authorize',
    tokenUrl: 'https://auth.calendly.com/oauth/token',
    // The token request carries client_id and client_secret in the form body (Get Access Token
    // example: `--data 'client_id=…' --data 'client_secret=…'`).
    clientAuth: 'client_secret_post',
    // Creating an OAuth app page: "For all OAuth applications (web or native) use a specific
    // redirect_uri, a Proof Key for Code Exchange (PKCE), and S256 for code_challenge_method";
    // "While we will not enforce PKCE for web applications, we recommend using PKCE".
    pkce: true,
    // Scopes page: `users:read` (GET /users/me, the account label), `event_types:read` (GET
    // /event_types), `scheduled_events:write` (POST …/cancellation; "A :write scope implicitly
    // includes the corresponding :read scope", so it also covers GET /scheduled_events). An
    // integration that never cancels should ask `scheduled_events:read` instead.
    scopes: ['users:read', 'event_types:read', 'scheduled_events:write'],
    // "Access tokens expire after 2 hours. Use a refresh token to get a new access token. Refresh
    // tokens don't expire until they are used." (on-behalf-of page).
    refreshable: true,
  },
  // Read from the token response by `hooks.afterTokenResponse`, never typed by the end user. The
  // patterns allow exactly Calendly's URIs: these values only go into query parameters (URL-encoded),
  // never into a URL's host or path.
  connectionConfig: {
    userUri: { label: 'Calendly user', description: 'The URI of the Calendly user who connected, taken from Calendly when you connect.', source: 'token', pattern: USER_URI_PATTERN, required: true },
    organizationUri: { label: 'Calendly organization', description: 'The URI of that user’s current organization.', source: 'token', pattern: ORGANIZATION_URI_PATTERN, required: false },
  },
  http: {
    baseUrl: 'https://api.calendly.com',
    // Rate limits page: "user-based rate limiting": 500 requests per user per minute (paid plans),
    // 50 (free plan); "All responses include the following headers": X-RateLimit-Limit,
    // X-RateLimit-Remaining and X-RateLimit-Reset, "Number of seconds until the limit resets
    // (typically 60 seconds)", a delta. The free plan's 50 a minute is the proactive budget, as
    // the plan is not known here; the headers give the real numbers.
    rateLimit: { limitHeader: 'X-RateLimit-Limit', remainingHeader: 'X-RateLimit-Remaining', resetHeader: 'X-RateLimit-Reset', resetUnit: 'delta_s', requests: 50, windowMs: 60_000 },
    retry: { on: [429, 502, 503, 504], maxAttempts: 3, maxDelayMs: 10_000 },
    // List Events: `count` "Number of results to return per page (1-100)", default 20; the answer's
    // `pagination.next_page_token` goes into `page_token` ("Opaque cursor for retrieving the next
    // page of results") and is null on the last page.
    pagination: { type: 'cursor', cursorParam: 'page_token', cursorPath: 'pagination.next_page_token', itemsPath: 'collection', limitParam: 'count', limit: 100 },
  },
  // Get current user: GET /users/me → { resource: { uri, name, email, current_organization, … } }.
  accountInfo: { path: '/users/me' },
  objects: {
    scheduledEvent: {
      label: 'Meetings',
      description: 'Meetings booked with the connected user, upcoming and past, active and canceled.',
      path: '/scheduled_events',
      docs: 'https://developer.calendly.com/api-docs/calendly-api/scheduled-events/list-scheduled-events',
      // `sort`: "Order results by the specified field and direction … Supported fields are:
      // start_time"; a fixed order keeps the pages stable. No `status` filter: canceled meetings
      // stay records with `status: canceled`. `user` is added per connection (`hooks.listParams`).
      params: { sort: 'start_time:asc' },
      fields: {
        uri: { type: 'string', key: true, description: 'The meeting’s URI; its last segment is the uuid' },
        uuid: { type: 'string', description: 'The last segment of `uri` (added by Patchbay), as Cancel Event takes it' },
        name: { type: 'string' },
        status: { type: 'enum', enumValues: ['active', 'canceled'] },
        startTime: { type: 'datetime', from: 'start_time' },
        endTime: { type: 'datetime', from: 'end_time' },
        eventType: { type: 'string', from: 'event_type', description: 'URI of the meeting type' },
        locationType: { type: 'string', from: 'location.type', description: 'physical, zoom, google_conference…' },
        location: { type: 'string', from: 'location.location' },
        joinUrl: { type: 'string', from: 'location.join_url' },
        notes: { type: 'string', from: 'meeting_notes_plain' },
        inviteesActive: { type: 'integer', from: 'invitees_counter.active' },
        inviteesLimit: { type: 'integer', from: 'invitees_counter.limit' },
        hosts: { type: 'array', from: 'event_memberships' },
        cancellationReason: { type: 'string', from: 'cancellation.reason' },
        createdAt: { type: 'datetime', from: 'created_at' },
        updatedAt: { type: 'datetime', from: 'updated_at' },
      },
      commonModel: 'event',
      defaultMapping: {
        title: { source: 'field', path: 'name' },
        description: { source: 'field', path: 'meeting_notes_plain' },
        startAt: { source: 'field', path: 'start_time' },
        endAt: { source: 'field', path: 'end_time' },
        location: { source: 'field', path: 'location.location' },
        createdAt: { source: 'field', path: 'created_at' },
        updatedAt: { source: 'field', path: 'updated_at' },
      },
    },
    eventType: {
      label: 'Meeting types',
      description: 'The kinds of meeting the connected user offers (15-minute call, demo…).',
      // GET /event_types (scope event_types:read) with `user` or `organization`, paginated like List Events.
      path: '/event_types',
      docs: 'https://developer.calendly.com/docs/authentication/scopes',
      fields: {
        uri: { type: 'string', key: true },
        name: { type: 'string' },
        active: { type: 'boolean' },
        slug: { type: 'string' },
        schedulingUrl: { type: 'string', from: 'scheduling_url' },
        duration: { type: 'integer', description: 'Minutes' },
        kind: { type: 'enum', enumValues: ['solo', 'group'] },
        type: { type: 'string', description: 'StandardEventType or AdhocEventType' },
        description: { type: 'string', from: 'description_plain' },
        secret: { type: 'boolean' },
        createdAt: { type: 'datetime', from: 'created_at' },
        updatedAt: { type: 'datetime', from: 'updated_at' },
      },
    },
  },
  // Full syncs. List Events filters by `min_start_time` ("Include events with start times after
  // this time"), the meeting's start, not the time it changed: a meeting booked today for next week
  // or canceled today can start before the last start seen, so a start-time cursor would miss it.
  // The list has no changed-since filter; a complete full run marks meetings no longer listed deleted.
  syncs: {
    scheduledEvents: { object: 'scheduledEvent', mode: 'full', defaultFrequency: '1h' },
    eventTypes: { object: 'eventType', mode: 'full', defaultFrequency: '1d' },
  },
  actions: {
    cancel_event: {
      description: 'Cancel a meeting; its invitees are told.',
      // Cancel Event: POST /scheduled_events/{uuid}/cancellation with `{ reason }` ("reason string
      // Optional <=10000 characters") → 201 { resource: Cancellation } (scope scheduled_events:write).
      method: 'POST',
      path: '/scheduled_events/{uuid}/cancellation',
      input: z.strictObject({
        uuid: z.string().regex(anchored(CALENDLY_ID), 'a Calendly meeting uuid (the last segment of its URI)'),
        reason: z.string().max(10_000).optional(),
      }),
    },
  },
  // Webhook subscriptions are created through the API (`POST /webhook_subscriptions` with `url`,
  // `events`, `organization`, `user` and `scope`, https://developer.calendly.com/api-docs/overview/examples/webhooks),
  // one per connection, with the connection's own Patchbay URL: the connection that created the
  // subscription is the one its events are for.
  webhooks: {
    // Webhook signatures page: "When you create an OAuth 2.0 app, a webhook signing key will
    // automatically be generated for all webhooks related to your application" (shown with the
    // app's credentials). Subscriptions made with a personal access token take their own
    // `signing_key` instead; this connector connects with OAuth.
    secret: { from: 'integration', label: 'Webhook signing key', helpUrl: 'https://developer.calendly.com/api-docs/overview/webhooks/webhook-signatures' },
    // Same page: the signing key "will produce the `Calendly-Webhook-Signature`", `t=<unix
    // seconds>,v1=<hex>`, the HMAC-SHA256 of `<t>.<raw body>`: Stripe's scheme in another header.
    // The page has receivers reject old timestamps to prevent replays; three minutes, the
    // tolerance of Calendly's sample code, is used here.
    signature: { type: 'stripe', header: 'Calendly-Webhook-Signature', scheme: 'v1', toleranceSeconds: 180 },
    // A delivery names its event in `event` (`invitee.created`, `invitee.canceled`…), next to `payload`.
    eventType: { body: 'event' },
    docs: 'https://developer.calendly.com/api-docs/overview/webhooks/webhook-signatures',
  },
  hooks: {
    afterTokenResponse: calendlyAccountFrom,
    listParams: ({ params, connectionConfig }) => withUser(params, connectionConfig),
    // The meeting's uuid, for Cancel Event, next to its URI.
    syncItem: (item) => {
      const uuid = uuidOf((item as { uri?: unknown } | null)?.uri)
      return uuid && item && typeof item === 'object' ? { ...item, uuid } : item
    },
    // GET /users/me → "John Doe (test@example.com)".
    accountLabel: (body) => labelWithDetail(firstString(body, ['resource.name']), firstString(body, ['resource.email'])),
  },
})
