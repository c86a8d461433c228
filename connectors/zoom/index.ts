/**
 * Zoom (REST API v2, OAuth 2.0 user authorization).
 *
 * Sources, each cited again where it is used:
 * - OAuth 2.0 (authorize, token with a Basic header, refresh, PKCE): https://developers.zoom.us/docs/integrations/oauth/
 *   and the OAuth sample of the API reference, https://developers.zoom.us/docs/api/
 * - Granular scopes: https://developers.zoom.us/docs/integrations/oauth-scopes-granular/
 * - Base URL and the `me` keyword: https://developers.zoom.us/docs/api/ ("Send HTTP requests to the base URL https://api.zoom.us/v2/")
 * - Pagination (`next_page_token`): https://developers.zoom.us/docs/api/using-zoom-apis/#pagination
 * - Rate limits: https://developers.zoom.us/docs/api/rate-limits/
 * - Meetings: https://developers.zoom.us/docs/api/meetings/ (List meetings, Create a meeting)
 * - Users: https://developers.zoom.us/docs/api/users/ (List users, Get a user)
 * - Webhooks: https://developers.zoom.us/docs/api/webhooks/ (verify webhook events, validate your
 *   webhook endpoint) and Zoom's sample receiver https://github.com/zoom/webhook-sample (index.js)
 *
 * Not here: cloud recordings. List all recordings (`GET /users/me/recordings`) answers one
 * `from`–`to` window of at most a month per request, so reading them all means walking month by
 * month, which a sync cannot declare (see the report).
 */
import { z } from 'zod'
import { anchored, firstString, labelWithDetail } from '../helpers'
import { defineConnector } from '../schema'

/** A blue rounded square with a white camera shape (not Zoom's logo). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Zoom">' +
  '<rect width="64" height="64" rx="14" fill="#2563eb"/>' +
  '<rect x="14" y="22" width="24" height="20" rx="4" fill="#fff"/><path d="M40 29l10-6v18l-10-6z" fill="#fff"/>' +
  '</svg>'

/** A Zoom account id (letters, digits, `-` and `_`, as in Get a user's `account_id`). */
export const ZOOM_ACCOUNT_ID_PATTERN = '[A-Za-z0-9_-]{1,64}'

/** Get a user for the connected user (`me`), on the API base URL. */
export const ZOOM_USERS_ME_URL = 'https://api.zoom.us/v2/users/me'

/**
 * Get a user's answer → the connection's `accountId` (`account_id`), or nothing when it is missing
 * or malformed (the connection is kept; its webhook events are then not routed to it).
 */
export function zoomAccountFrom(me: unknown): Record<string, string> {
  const id = (me as { account_id?: unknown } | null)?.account_id
  return typeof id === 'string' && anchored(ZOOM_ACCOUNT_ID_PATTERN).test(id) ? { accountId: id } : {}
}

/** Meeting types of Create a meeting: 1 instant, 2 scheduled, 3 recurring with no fixed time, 8 recurring with a fixed time. */
const MEETING_TYPES = [1, 2, 3, 8] as const

export default defineConnector({
  id: 'zoom',
  name: 'Zoom',
  description: 'Bring in your Zoom meetings and your account’s users, and schedule Zoom meetings from this app.',
  categories: ['communication', 'productivity'],
  logo,
  docsUrl: 'https://developers.zoom.us/docs/api/',
  // The Zoom account the user belongs to: Get a user (`GET /users/me`) answers `account_id`
  // ("The user's account ID", e.g. `q6gBJVO5TzexKYTb_I2rpg` in fixtures/users-me.json), read right
  // after authorization so that webhook events (`payload.account_id`) find their connection.
  connectionConfig: {
    accountId: { label: 'Zoom account', source: 'token', pattern: ZOOM_ACCOUNT_ID_PATTERN, required: false, description: 'The Zoom account of the connected user, from Get a user when you connect; routes webhook events.' },
  },
  auth: {
    type: 'oauth2',
    // OAuth page, user authorization: redirect to https://zoom.us/oauth/authorize with
    // response_type=code, client_id, redirect_uri (and a PKCE code_challenge, "Zoom supports Proof
    // Key for Code Exchange (PKCE) when requesting user tokens"); then POST https://zoom.us/oauth/token.
    authorizationUrl: 'https://zoom.us/oauth/authorize',
    tokenUrl: 'https://zoom.us/oauth/token',
    // API reference, OAuth 2.0 sample: `curl -X POST https://zoom.us/oauth/token -H "Authorization:
    // Basic BASE64_ENCODED_CLIENT_ID_AND_SECRET" -d "grant_type=authorization_code&code=…&redirect_uri=…"`.
    clientAuth: 'client_secret_basic',
    pkce: true,
    // Granular scopes page. Zoom grants the scopes ticked on the app's Scopes page; those named
    // here must be among them:
    // - `user:read:user`: Get a user (`/users/me`, the account label);
    // - `meeting:read:list_meetings`: List meetings;
    // - `meeting:write:meeting`: Create a meeting, for `create_meeting` only;
    // The users sync needs `user:read:list_users:admin` (List users is an account-level API), which
    // only an admin can grant: an integration that wants it adds it; the default stays user-level.
    scopes: ['user:read:user', 'meeting:read:list_meetings', 'meeting:write:meeting'],
    // API reference: "Use the refresh token (for OAuth) … when the current token expires"; access
    // tokens are "valid for one hour". Each refresh answer carries a new refresh token, which the
    // engine stores. No RFC 7009 revocation endpoint is declared (Zoom's revoke call is not
    // documented as RFC 7009).
    refreshable: true,
  },
  http: {
    // API reference: "Send HTTP requests to the base URL https://api.zoom.us/v2/".
    baseUrl: 'https://api.zoom.us/v2',
    // Rate limits page: limits are per account and per "Rate Limit Label" (Light, Medium, Heavy,
    // Resource-intensive), per second or per day; responses carry X-RateLimit-Limit and
    // X-RateLimit-Remaining (plus X-RateLimit-Category and X-RateLimit-Type); a 429 over a daily
    // limit carries `Retry-After` as a date (`2020-05-31T00:00:00Z`). The limits depend on the plan
    // and the label, so no proactive budget is declared; there is no reset header.
    rateLimit: { limitHeader: 'X-RateLimit-Limit', remainingHeader: 'X-RateLimit-Remaining' },
    retry: { on: [429, 502, 503, 504], maxAttempts: 3, maxDelayMs: 10_000 },
    // List meetings / List users: `page_size` ("The number of records returned within a single API
    // call", at most 300) and `next_page_token` ("returned whenever the set of available results
    // exceeds the current page size. The expiration period for this token is 15 minutes"); the last
    // page has an empty one, which the engine reads as the end.
    pagination: { type: 'cursor', cursorParam: 'next_page_token', cursorPath: 'next_page_token', itemsPath: 'meetings', limitParam: 'page_size', limit: 300 },
  },
  // Get a user with the `me` keyword ("For user-level apps, pass the me value instead of the userId parameter").
  accountInfo: { path: '/users/me' },
  objects: {
    meeting: {
      label: 'Meetings',
      description: 'Scheduled meetings the connected user hosts, upcoming and past (until they expire).',
      // List meetings: GET /users/{userId}/meetings (`me` for the connected user). `type=scheduled`:
      // "All valid previous (unexpired) meetings, live meetings, and upcoming scheduled meetings";
      // "This API only supports scheduled meetings. This API does not return information about
      // instant meetings"; "only returns a user's unexpired meetings". Rate Limit Label: Medium.
      path: '/users/me/meetings',
      docs: 'https://developers.zoom.us/docs/api/meetings/#tag/meetings/GET/users/{userId}/meetings',
      params: { type: 'scheduled' },
      fields: {
        // The meeting number (int64); a recurring meeting keeps it across occurrences, and the list
        // shows each meeting once.
        id: { type: 'integer', key: true, description: 'The meeting ID (meeting number)' },
        uuid: { type: 'string' },
        topic: { type: 'string' },
        type: { type: 'integer', description: '1 instant, 2 scheduled, 3 recurring with no fixed time, 8 recurring with a fixed time' },
        startTime: { type: 'datetime', from: 'start_time' },
        duration: { type: 'integer', description: 'Minutes' },
        timezone: { type: 'string' },
        agenda: { type: 'string' },
        joinUrl: { type: 'string', from: 'join_url' },
        hostId: { type: 'string', from: 'host_id' },
        createdAt: { type: 'datetime', from: 'created_at' },
      },
      commonModel: 'event',
      // No `endAt`: the list gives a start and a duration, which no mapping transform adds up. The
      // join link is where a Zoom meeting takes place.
      defaultMapping: {
        title: { source: 'field', path: 'topic' },
        description: { source: 'field', path: 'agenda' },
        startAt: { source: 'field', path: 'start_time' },
        location: { source: 'field', path: 'join_url' },
        createdAt: { source: 'field', path: 'created_at' },
      },
    },
    user: {
      label: 'Users',
      description: 'Active members of the connected Zoom account (needs an admin’s consent).',
      // List users: GET /users, `status` active by default; account-level (granular scope
      // user:read:list_users:admin). Rate Limit Label: Medium.
      path: '/users',
      docs: 'https://developers.zoom.us/docs/api/users/#tag/users/GET/users',
      params: { status: 'active' },
      pagination: { type: 'cursor', cursorParam: 'next_page_token', cursorPath: 'next_page_token', itemsPath: 'users', limitParam: 'page_size', limit: 300 },
      fields: {
        id: { type: 'string', key: true },
        email: { type: 'string' },
        firstName: { type: 'string', from: 'first_name' },
        lastName: { type: 'string', from: 'last_name' },
        displayName: { type: 'string', from: 'display_name' },
        type: { type: 'integer', description: '1 Basic, 2 Licensed, 4 Unassigned without Meetings Basic, 99 None' },
        status: { type: 'string' },
        department: { type: 'string', from: 'dept' },
        timezone: { type: 'string' },
        picUrl: { type: 'string', from: 'pic_url' },
        createdAt: { type: 'datetime', from: 'created_at' },
        lastLoginTime: { type: 'datetime', from: 'last_login_time' },
      },
      commonModel: 'user',
      defaultMapping: {
        name: { source: 'field', path: 'display_name' },
        email: { source: 'field', path: 'email' },
        avatarUrl: { source: 'field', path: 'pic_url' },
        createdAt: { source: 'field', path: 'created_at' },
      },
    },
  },
  // Full syncs: neither list has a changed-since parameter (List meetings' `from`/`to` are dates of
  // the meetings, not of their changes). A meeting that expires leaves the list, so a complete full
  // run marks it deleted.
  syncs: {
    meetings: { object: 'meeting', mode: 'full', defaultFrequency: '1h' },
    users: { object: 'user', mode: 'full', defaultFrequency: '1d' },
  },
  actions: {
    create_meeting: {
      description: 'Schedule a Zoom meeting hosted by the connected user.',
      // Create a meeting: POST /users/{userId}/meetings (`me`), JSON body → 201 with the meeting
      // (id, join_url, start_url…). "100 requests per day. The rate limit is applied against the
      // userId of the meeting host used to make the request." Rate Limit Label: Medium.
      method: 'POST',
      path: '/users/me/meetings',
      input: z
        .strictObject({
          topic: z.string().min(1).max(200),
          type: z.union(MEETING_TYPES.map((t) => z.literal(t)) as [z.ZodLiteral<1>, z.ZodLiteral<2>, z.ZodLiteral<3>, z.ZodLiteral<8>]).default(2),
          // "yyyy-MM-ddTHH:mm:ssZ" in GMT, or local time without the Z together with `timezone`.
          start_time: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z?$/, 'yyyy-MM-ddTHH:mm:ss, with Z for GMT').optional(),
          duration: z.number().int().positive().optional(),
          timezone: z.string().min(1).max(64).optional(),
          agenda: z.string().max(2000).optional(),
          password: z.string().max(10).regex(/^[A-Za-z0-9@\-_*]*$/, 'letters, digits and @ - _ * only').optional(),
          default_password: z.boolean().optional(),
          pre_schedule: z.boolean().optional(),
          schedule_for: z.string().min(1).optional(),
          recurrence: z.record(z.string(), z.unknown()).optional(),
          settings: z.record(z.string(), z.unknown()).optional(),
          tracking_fields: z.array(z.strictObject({ field: z.string(), value: z.string().optional() })).optional(),
          template_id: z.string().optional(),
        })
        // "start_time … used for scheduled and/or recurring meetings with fixed time".
        .refine((m) => (m.type !== 2 && m.type !== 8) || m.start_time !== undefined, { message: 'a scheduled meeting (type 2 or 8) needs start_time', path: ['start_time'] }),
    },
  },
  webhooks: {
    // "Secret Token" of the app's event subscriptions (Marketplace app, Features → Access), one per app:
    // the integration's webhook secret.
    secret: { from: 'integration', label: 'Secret Token', helpUrl: 'https://developers.zoom.us/docs/api/webhooks/' },
    // Verify webhook events: `x-zm-signature` = "v0=" + hex HMAC-SHA256 (secret token) of
    // "v0:{x-zm-request-timestamp}:{request body}" (Zoom's sample builds
    // `v0:${req.headers['x-zm-request-timestamp']}:${body}`); the timestamp is in epoch seconds.
    // Five minutes either way, as for Slack's identical scheme.
    signature: {
      type: 'hmac',
      algorithm: 'sha256',
      encoding: 'hex',
      header: 'x-zm-signature',
      prefix: 'v0=',
      signed: [{ literal: 'v0:' }, 'timestamp', { literal: ':' }, 'body'],
      timestamp: { header: 'x-zm-request-timestamp', unit: 's', toleranceSeconds: 300 },
    },
    // Every event names the account: `{ "event": "meeting.started", "event_ts": …, "payload": { "account_id": …, "object": … } }`.
    route: { body: 'payload.account_id', connectionConfig: 'accountId' },
    eventType: { body: 'event' },
    // Validate your webhook endpoint: `{ "event": "endpoint.url_validation", "payload": { "plainToken": … } }`
    // is answered 200 with `{ "plainToken": …, "encryptedToken": <hex HMAC-SHA256 of plainToken with
    // the secret token> }`, when the URL is saved and every 72 hours. Zoom signs it like any event
    // (its sample checks x-zm-signature before answering), and Patchbay answers only signed ones.
    handshake: { when: { body: 'event', equals: 'endpoint.url_validation' }, respond: { body: 'payload.plainToken', as: 'json', digest: { field: 'encryptedToken', algorithm: 'sha256', encoding: 'hex' } } },
    docs: 'https://developers.zoom.us/docs/api/webhooks/',
  },
  hooks: {
    // Get a user (`me`) → `account_id`, for webhook routing.
    afterAuthorization: async ({ get }) => zoomAccountFrom(await get(ZOOM_USERS_ME_URL)),
    // Get a user (`me`) → "Jill Chill (jchill@example.com)".
    accountLabel: (body) => labelWithDetail(firstString(body, ['display_name']), firstString(body, ['email'])),
  },
})
