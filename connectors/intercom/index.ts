/**
 * Intercom (REST API 2.14, OAuth for public apps).
 *
 * Sources, each cited again where it is used:
 * - OAuth: https://developers.intercom.com/docs/build-an-integration/learn-more/authentication/setting-up-oauth
 * - Versioning: https://developers.intercom.com/building-apps/docs/update-your-api-version and
 *   https://developers.intercom.com/docs/references/rest-api/api.intercom.io/Models/intercom_version
 * - REST API basics, regional hosting: https://developers.intercom.com/building-apps/docs/rest-apis
 * - Pagination: https://developers.intercom.com/docs/build-an-integration/learn-more/rest-apis/pagination
 * - Rate limits: https://developers.intercom.com/docs/references/rest-api/errors/rate-limiting
 * - Endpoints and examples (Intercom's own OpenAPI description of version 2.14, the source of the
 *   reference pages): https://github.com/intercom/Intercom-OpenAPI/blob/main/descriptions/2.14/api.intercom.io.yaml
 *   — /me (identifyAdmin), /contacts (ListContacts, CreateContact), /conversations (listConversations)
 */
import { z } from 'zod'
import { anchored, firstString, labelWithDetail } from '../helpers'
import { defineConnector } from '../schema'

/** A navy rounded square with a white chat bubble holding three dots (not Intercom's logo). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Intercom">' +
  '<rect width="64" height="64" rx="14" fill="#1f2a44"/>' +
  '<path d="M32 14c11 0 20 7 20 16s-9 16-20 16c-2 0-4 0-6-1l-10 5 3-8c-4-3-7-7-7-12 0-9 9-16 20-16z" fill="#fff"/>' +
  '<g fill="#1f2a44"><circle cx="24" cy="30" r="3"/><circle cx="32" cy="30" r="3"/><circle cx="40" cy="30" r="3"/></g>' +
  '</svg>'

/** Intercom timestamps are Unix epoch seconds (`created_at: 1734537437`). */
const EPOCH = 'Unix epoch seconds'
const epochToDatetime = [{ type: 'date' as const, input: 'epoch_s' as const, output: 'datetime' as const }]

/**
 * A workspace id (`app.id_code`; `"app_id": "a86dr8yl"` in webhook notifications,
 * `"id_code": "this_is_an_id1_that_should_be_at_least_40"` in the /me example): letters, digits
 * and underscores.
 */
export const APP_ID_PATTERN = '[A-Za-z0-9_]{1,64}'

/** Identify an admin (`GET /me`, identifyAdmin in the OpenAPI description above), on the routed host. */
export const ME_URL = 'https://api.intercom.io/me'

/**
 * The workspace of a /me answer (`{ app: { id_code, … }, … }`) → connection config `appId`, the
 * value webhook notifications carry in `app_id`. The token response does not name the workspace.
 * @throws {Error} when the answer names no workspace of the expected form: the connection is refused.
 */
export function workspaceFrom(me: unknown): { appId: string } {
  const id = (me as { app?: { id_code?: unknown } } | null)?.app?.id_code
  if (typeof id !== 'string' || !anchored(APP_ID_PATTERN).test(id)) throw new Error('Intercom did not name the connected workspace')
  return { appId: id }
}

export default defineConnector({
  id: 'intercom',
  name: 'Intercom',
  description: 'Bring in your Intercom contacts and conversations, and add new contacts to Intercom from this app.',
  categories: ['support', 'communication'],
  logo,
  docsUrl: 'https://developers.intercom.com/docs/references/rest-api/api.intercom.io',
  // The workspace, read after authorization (`hooks.afterAuthorization`); webhook notifications are
  // routed to connections by it. Connections made before it was read lack it (their notifications
  // are acknowledged, not forwarded) until they are re-authorized.
  connectionConfig: {
    appId: { label: 'Intercom workspace', description: 'The id of the Intercom workspace you connected, taken from Intercom when you connect.', source: 'token', pattern: APP_ID_PATTERN, required: false },
  },
  auth: {
    type: 'oauth2',
    // Setting up OAuth, "Get the authorization code": send the user to
    // https://app.intercom.com/oauth?client_id=…&state=… (redirect_uri optional, the first redirect
    // URL of the app by default).
    authorizationUrl: 'https://app.intercom.com/oauth',
    // "Trade your authorization code for an access token": POST https://api.intercom.io/auth/eagle/token
    // with code, client_id and client_secret as body parameters. The answer carries the token under
    // both `token` and the standard `access_token`, with token_type Bearer.
    tokenUrl: 'https://api.intercom.io/auth/eagle/token',
    clientAuth: 'client_secret_post',
    // Permissions are ticked in the app's Developer Hub settings ("People & conversation data":
    // Read and list users and companies, Read conversations, Write users and companies for
    // create_contact; "Workspace data": Read admins for /me); the authorization URL takes no scope.
    scopes: [],
    // The guide does not mention PKCE; the challenge is sent anyway, as unknown parameters are
    // ignored (RFC 6749 §3.1).
    pkce: true,
    // Intercom access tokens do not expire and no refresh token is issued (the token response above
    // has none); a revoked token answers 401, which marks the connection for re-authorization.
    refreshable: false,
  },
  http: {
    // REST API page: workspaces are hosted in the US, the EU or Australia; "If you call
    // api.intercom.io, we'll attempt to route your request to the correct region" — the regional hosts
    // (api.eu.intercom.io, api.au.intercom.io) only pin it. The token response does not say the
    // region, so the routed host is used (see the report).
    baseUrl: 'https://api.intercom.io',
    // Update your API version: the version is the app's (Developer Hub) unless a request sets it
    // with the Intercom-Version header ("By default, it's equal to the version set in the app
    // package", intercom_version model). Pinned to 2.14, the reference's current version, so response
    // shapes do not change under the connector.
    headers: { 'Intercom-Version': '2.14' },
    // Rate limiting page: 10,000 calls a minute per app and 25,000 per workspace, "evenly distributed
    // into 10 second windows" (the example: 1000 a minute is 167 per 10-second window). Every
    // authenticated response has X-RateLimit-Limit and X-RateLimit-Remaining for the current window,
    // and X-RateLimit-Reset "Shown as UNIX timestamp"; over it, 429.
    rateLimit: { limitHeader: 'X-RateLimit-Limit', remainingHeader: 'X-RateLimit-Remaining', resetHeader: 'X-RateLimit-Reset', resetUnit: 'epoch_s', requests: 1666, windowMs: 10_000 },
    // Pagination guide: list APIs return `pages`; "When a next value is provided, the starting_after
    // value must be sent back in a new request"; the last page has no `pages.next`. `per_page` is at
    // most 150 for contacts and conversations.
    pagination: { type: 'cursor', cursorParam: 'starting_after', cursorPath: 'pages.next.starting_after', itemsPath: 'data', limitParam: 'per_page', limit: 150 },
  },
  // identifyAdmin: GET /me → the authorising admin with the workspace as `app`.
  accountInfo: { path: '/me' },
  objects: {
    contact: {
      label: 'Contacts',
      description: 'Users and leads of the workspace.',
      path: '/contacts',
      docs: 'https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/contacts/listcontacts',
      fields: {
        id: { type: 'string', key: true },
        externalId: { type: 'string', from: 'external_id', description: 'Your own id for a user' },
        role: { type: 'enum', enumValues: ['user', 'lead'] },
        email: { type: 'string' },
        phone: { type: 'string' },
        name: { type: 'string' },
        avatar: { type: 'string', description: 'Image URL' },
        ownerId: { type: 'integer', from: 'owner_id' },
        country: { type: 'string', from: 'location.country' },
        city: { type: 'string', from: 'location.city' },
        unsubscribedFromEmails: { type: 'boolean', from: 'unsubscribed_from_emails' },
        customAttributes: { type: 'object', from: 'custom_attributes' },
        createdAt: { type: 'integer', from: 'created_at', description: EPOCH },
        updatedAt: { type: 'integer', from: 'updated_at', description: EPOCH },
        signedUpAt: { type: 'integer', from: 'signed_up_at', description: EPOCH },
        lastSeenAt: { type: 'integer', from: 'last_seen_at', description: EPOCH },
      },
      commonModel: 'contact',
      // A contact's name is one field: split at the first space for the common first and last names.
      defaultMapping: {
        email: { source: 'field', path: 'email' },
        firstName: { source: 'field', path: 'name', transforms: [{ type: 'split', separator: ' ', part: 'first' }] },
        lastName: { source: 'field', path: 'name', transforms: [{ type: 'split', separator: ' ', part: 'rest' }] },
        phone: { source: 'field', path: 'phone' },
        lifecycleStage: { source: 'field', path: 'role' },
        createdAt: { source: 'field', path: 'created_at', transforms: epochToDatetime },
        updatedAt: { source: 'field', path: 'updated_at', transforms: epochToDatetime },
      },
    },
    conversation: {
      label: 'Conversations',
      description: 'Conversations with contacts, open, snoozed or closed.',
      path: '/conversations',
      docs: 'https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/conversations/listconversations',
      // Same cursor as contacts, but the items are in `conversations` (type conversation.list).
      pagination: { type: 'cursor', cursorParam: 'starting_after', cursorPath: 'pages.next.starting_after', itemsPath: 'conversations', limitParam: 'per_page', limit: 150 },
      fields: {
        id: { type: 'string', key: true },
        title: { type: 'string' },
        state: { type: 'enum', enumValues: ['open', 'closed', 'snoozed'] },
        open: { type: 'boolean' },
        read: { type: 'boolean' },
        priority: { type: 'enum', enumValues: ['priority', 'not_priority'] },
        subject: { type: 'string', from: 'source.subject', description: 'Email subject of the first message; empty for chats' },
        body: { type: 'string', from: 'source.body', description: 'The first message, as HTML' },
        deliveredAs: { type: 'string', from: 'source.delivered_as' },
        authorEmail: { type: 'string', from: 'source.author.email' },
        contacts: { type: 'array', from: 'contacts.contacts', description: '[{ type, id, external_id }]' },
        adminAssigneeId: { type: 'integer', from: 'admin_assignee_id' },
        teamAssigneeId: { type: 'integer', from: 'team_assignee_id' },
        tags: { type: 'array', from: 'tags.tags' },
        customAttributes: { type: 'object', from: 'custom_attributes' },
        createdAt: { type: 'integer', from: 'created_at', description: EPOCH },
        updatedAt: { type: 'integer', from: 'updated_at', description: EPOCH },
        waitingSince: { type: 'integer', from: 'waiting_since', description: EPOCH },
        snoozedUntil: { type: 'integer', from: 'snoozed_until', description: EPOCH },
      },
      // A conversation is a support request: its first message is the ticket's subject and body.
      commonModel: 'ticket',
      defaultMapping: {
        subject: { source: 'field', path: 'source.subject' },
        description: { source: 'field', path: 'source.body' },
        status: { source: 'field', path: 'state' },
        priority: { source: 'field', path: 'priority' },
        createdAt: { source: 'field', path: 'created_at', transforms: epochToDatetime },
        updatedAt: { source: 'field', path: 'updated_at', transforms: epochToDatetime },
      },
    },
  },
  // Full syncs: neither list endpoint filters by update time. Changes since a time are only found
  // with POST /contacts/search and POST /conversations/search (an `updated_at >` filter in a JSON
  // body), which a GET sync cannot declare; contact search also compares timestamps by day only
  // ("Datetime queries are not currently supported", ListContacts/SearchContacts description).
  syncs: {
    contacts: { object: 'contact', mode: 'full', defaultFrequency: '6h' },
    conversations: { object: 'conversation', mode: 'full', defaultFrequency: '1h' },
  },
  actions: {
    create_contact: {
      description: 'Create a contact (a user or a lead).',
      // CreateContact: POST /contacts with a JSON body, e.g. { "email": "joebloggs@intercom.io" };
      // at least one of email, external_id or role. Timestamps in Unix seconds.
      method: 'POST',
      path: '/contacts',
      // The body is a contact record's own fields, so a record in the vendor's shape is written back
      // through the inverse of the connection's contact mapping.
      object: 'contact',
      input: z
        .strictObject({
          role: z.enum(['user', 'lead']).optional(),
          external_id: z.string().min(1).optional(),
          email: z.email().optional(),
          phone: z.string().min(1).optional(),
          name: z.string().min(1).optional(),
          avatar: z.url().optional(),
          signed_up_at: z.number().int().nonnegative().optional(),
          last_seen_at: z.number().int().nonnegative().optional(),
          owner_id: z.number().int().positive().optional(),
          unsubscribed_from_emails: z.boolean().optional(),
          custom_attributes: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
        })
        .refine((c) => c.email !== undefined || c.external_id !== undefined || c.role !== undefined, 'include at least one of email, external_id or role'),
    },
  },
  webhooks: {
    // https://developers.intercom.com/docs/webhooks/webhook-notifications: notifications are signed
    // with the app's client_secret: `X-Hub-Signature: sha1=<hex>`, the HMAC-SHA1 (RFC 2104) hex
    // digest of the JSON body (example: `sha1=21ff2e149e0fdcac6f947740f6177f6434bda921`,
    // https://developers.intercom.com/intercom-api-reference/v1.0/reference/signed-notifications).
    // No timestamp is signed.
    secret: { from: 'clientSecret' },
    signature: { type: 'hmac', algorithm: 'sha1', encoding: 'hex', header: 'X-Hub-Signature', prefix: 'sha1=', signed: ['body'] },
    // https://developers.intercom.com/docs/webhooks/setting-up-webhooks: subscriptions belong to the
    // app, which receives notifications "from all Workspaces where you install your App"; each
    // notification (`type: notification_event`) names its workspace in `app_id` and its kind in
    // `topic` (`conversation.user.created`, `ping`…).
    route: { body: 'app_id', connectionConfig: 'appId' },
    eventType: { body: 'topic' },
    docs: 'https://developers.intercom.com/docs/webhooks/webhook-notifications',
  },
  hooks: {
    afterAuthorization: async ({ get }) => workspaceFrom(await get(ME_URL)),
    // GET /me → { email, name, app: { name, … } }: "admin1@email.com (MyApp 1)".
    accountLabel: (body) => labelWithDetail(firstString(body, ['email']), firstString(body, ['app.name'])),
  },
})
