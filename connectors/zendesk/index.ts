/**
 * Zendesk Support (Ticketing API v2 on the account's subdomain, OAuth 2.0).
 *
 * Sources, each cited again where it is used:
 * - OAuth flow: https://support.zendesk.com/hc/en-us/articles/4408845965210-Using-OAuth-authentication-with-your-application
 *   and https://developer.zendesk.com/api-reference/ticketing/oauth/grant_type_tokens/
 * - PKCE: https://developer.zendesk.com/documentation/api-basics/authentication/using-pkce-to-make-zendesk-oauth-access-tokens-more-secure/
 * - Refresh tokens: https://developer.zendesk.com/documentation/api-basics/authentication/refresh-token
 * - Scopes: https://developer.zendesk.com/api-reference/ticketing/oauth/oauth_tokens/ (`scopes`)
 * - Incremental exports: https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/
 *   and https://developer.zendesk.com/documentation/ticketing/managing-tickets/using-the-incremental-export-api
 * - Cursor pagination: https://developer.zendesk.com/documentation/api-basics/pagination/paginating-through-lists-using-cursor-pagination
 * - Rate limits: https://developer.zendesk.com/api-reference/introduction/rate-limits and
 *   https://developer.zendesk.com/documentation/api-basics/best-practices/best-practices-for-avoiding-rate-limiting
 * - Tickets: https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/
 * - Users: https://developer.zendesk.com/api-reference/ticketing/users/users/
 *
 * - Webhooks: https://developer.zendesk.com/documentation/webhooks/verifying/ (signature),
 *   https://developer.zendesk.com/api-reference/webhooks/webhooks-api/webhooks/ (signing secret) and
 *   https://developer.zendesk.com/api-reference/webhooks/event-types/webhook-event-types/ (event schema)
 *
 * Incoming webhooks: Zendesk generates one signing secret per webhook ("Each webhook has a unique
 * signing secret", verifying page), so the vendor's backend creates the webhook through the API
 * (the proxy, `POST /api/v2/webhooks` with the connection's `providerWebhookUrl` as endpoint), reads
 * its secret (`GET /api/v2/webhooks/{webhook_id}/signing_secret`) and sets it on the connection
 * (`PUT /v1/connections/{id}/webhook-secret`): the `connection` secret source.
 */
import { z } from 'zod'
import { firstString } from '../helpers'
import { defineConnector } from '../schema'

/** A teal rounded square with a white speech bubble (not Zendesk's logo). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Zendesk">' +
  '<rect width="64" height="64" rx="14" fill="#03363d"/>' +
  '<path d="M16 18h32a4 4 0 0 1 4 4v16a4 4 0 0 1-4 4H30l-9 8v-8h-5a4 4 0 0 1-4-4V22a4 4 0 0 1 4-4z" fill="#fff"/>' +
  '</svg>'

const userId = z.number().int().positive()

export default defineConnector({
  id: 'zendesk',
  name: 'Zendesk',
  description: 'Bring in your Zendesk tickets and the people behind them, and open new tickets in Zendesk from this app.',
  categories: ['support'],
  logo,
  docsUrl: 'https://developer.zendesk.com/api-reference/',
  // Every Zendesk account has its own host, https://{subdomain}.zendesk.com, for the API and for
  // OAuth. A subdomain is one DNS label, so the default pattern fits.
  connectionConfig: {
    subdomain: {
      label: 'Zendesk subdomain',
      description: 'The first part of your Zendesk address: mycompany in mycompany.zendesk.com.',
      placeholder: 'mycompany',
      required: true,
    },
  },
  auth: {
    type: 'oauth2',
    // Using OAuth authentication with your application: send the user to
    // https://{subdomain}.zendesk.com/oauth/authorizations/new (response_type=code, redirect_uri,
    // client_id, scope, state), then POST the code to https://{subdomain}.zendesk.com/oauth/tokens.
    // A global OAuth client (one client for every Zendesk account) uses the same per-account URLs.
    authorizationUrl: 'https://{subdomain}.zendesk.com/oauth/authorizations/new',
    tokenUrl: 'https://{subdomain}.zendesk.com/oauth/tokens',
    // The token request carries client_id and client_secret as body parameters (grant type tokens API).
    clientAuth: 'client_secret_post',
    // Grant type tokens API: "When using PKCE, the initial authorization request must also include
    // the code_challenge and code_challenge_method parameters", and the token request the code_verifier.
    pkce: true,
    // Scopes, space-separated ("read", "write", or "resource:scope" such as "tickets:write"):
    // - `read`: every GET endpoint. The incremental export and /users/me answer resource-scoped
    //   tokens with "You are missing the following required scopes: read" (reported in
    //   https://support.zendesk.com/hc/en-us/community/posts/4485954843162), so `tickets:read` and
    //   `users:read` alone are not enough.
    // - `tickets:write`: only for `create_ticket`; drop it for a read-only integration.
    scopes: ['read', 'tickets:write'],
    // Access tokens expire (`expires_in`) and come with a refresh token (refresh token guide;
    // grant_type=refresh_token at the same token endpoint).
    refreshable: true,
    // No revocationUrl: Zendesk revokes through its OAuth Tokens API
    // (DELETE /api/v2/oauth/tokens/{oauth_token_id}), not an RFC 7009 endpoint.
  },
  http: {
    baseUrl: 'https://{subdomain}.zendesk.com',
    // Rate limits page: "X-Rate-Limit: 700 / X-Rate-Limit-Remaining: 699" for the current minute on
    // every response; Ticketing API list endpoints add `ratelimit-reset: 41`, the seconds until the
    // window resets (best practices page). Over the limit: 429 with `Retry-After` in seconds, which
    // the engine waits for. The account-wide limit depends on the plan (the rate limits page lists
    // each plan's figure), so no proactive budget is set; the incremental export endpoints have their own limit of
    // 10 requests a minute, which the engine only learns from their 429s.
    rateLimit: { limitHeader: 'X-Rate-Limit', remainingHeader: 'X-Rate-Limit-Remaining', resetHeader: 'ratelimit-reset', resetUnit: 'delta_s' },
  },
  // https://developer.zendesk.com/api-reference/ticketing/users/users/#show-self
  accountInfo: { path: '/api/v2/users/me' },
  webhooks: {
    // One secret per webhook, created by Zendesk (verifying page: "Each webhook has a unique signing
    // secret"; Webhooks API: "Show Webhook Signing Secret", GET /api/v2/webhooks/{webhook_id}/signing_secret),
    // set by the vendor on each connection. Hence no `route`: each connection has its own URL.
    secret: { from: 'connection', label: 'Webhook signing secret', helpUrl: 'https://developer.zendesk.com/api-reference/webhooks/webhooks-api/webhooks/' },
    // https://developer.zendesk.com/documentation/webhooks/verifying/: headers X-Zendesk-Webhook-Signature
    // ("the main signature") and X-Zendesk-Webhook-Signature-Timestamp; "Represented simply:
    // base64(HMACSHA256(TIMESTAMP + BODY))"; the timestamp is ISO 8601 (`2021-07-25T10:00:00Z` in
    // Zendesk's examples).
    //
    // Order: the event connectors page (https://developer.zendesk.com/documentation/event-connectors/webhooks/verifying/)
    // writes base64(HMACSHA256((BODY)(TIMESTAMP))), and its worked example verifies only body then
    // timestamp (connectors/webhooks.test.ts). We follow the verifying page: it belongs to the
    // Webhooks documentation of the Webhooks API these webhooks are created with (POST /api/v2/webhooks),
    // where the signing secret is documented ("Each webhook has a unique signing secret"); the event connectors page
    // belongs to another section. If Zendesk's webhooks turn out to sign body + timestamp, only
    // `signed` changes (and connectors/zendesk/webhooks.test.ts says which order is declared).
    //
    // Replay window: Zendesk documents none ("These signatures will also help prevent against replay
    // attacks"). 300 s, as Stripe and Slack document and Patchbay's own deliveries use: events are
    // sent as they happen, so a genuine request is seconds old. Zendesk does not say whether a retry
    // is signed anew; one that kept its first timestamp and came over 5 minutes later would be refused.
    signature: {
      type: 'hmac',
      algorithm: 'sha256',
      encoding: 'base64',
      header: 'X-Zendesk-Webhook-Signature',
      signed: ['timestamp', 'body'],
      timestamp: { header: 'X-Zendesk-Webhook-Signature-Timestamp', unit: 'iso8601', toleranceSeconds: 300 },
    },
    // Event subscriptions (user, organization, article… events) POST a JSON payload whose top-level
    // `type` names the event ("zen:event-type:user.active_changed"; webhook event types page, "Event
    // schema"). Webhooks connected to a trigger or automation send the body the trigger defines, so
    // their events have no type (null) unless that body has a top-level `type`.
    eventType: { body: 'type' },
    docs: 'https://developer.zendesk.com/documentation/webhooks/verifying/',
  },
  objects: {
    ticket: {
      label: 'Tickets',
      description: 'Support requests, including closed ones; deleted tickets are marked deleted.',
      // Incremental Ticket Export, Cursor Based. The first request needs `start_time` (Unix epoch
      // seconds; the export returns tickets whose generated_timestamp is at or after it; 0 exports
      // everything). Later pages are `after_url`, which carries the cursor.
      path: '/api/v2/incremental/tickets/cursor.json',
      docs: 'https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-ticket-export-cursor-based',
      params: { start_time: '0' },
      // `after_url` is "URL to fetch the next page of results". It is also present on the last page
      // (`end_of_stream: true`), to resume from later, so the walk requests it once more; that answer
      // has no tickets and the same `after_url`, which ends the walk (a repeated URL is the end). The
      // schema has no way to stop on `end_of_stream: true` (see the report).
      pagination: { type: 'next_url', nextUrlPath: 'after_url', itemsPath: 'tickets' },
      fields: {
        id: { type: 'integer', key: true },
        subject: { type: 'string' },
        description: { type: 'string', description: 'The first comment' },
        status: { type: 'enum', enumValues: ['new', 'open', 'pending', 'hold', 'solved', 'closed', 'deleted'] },
        priority: { type: 'enum', enumValues: ['urgent', 'high', 'normal', 'low'] },
        type: { type: 'enum', enumValues: ['problem', 'incident', 'question', 'task'] },
        requesterId: { type: 'integer', from: 'requester_id' },
        submitterId: { type: 'integer', from: 'submitter_id' },
        assigneeId: { type: 'integer', from: 'assignee_id' },
        organizationId: { type: 'integer', from: 'organization_id' },
        groupId: { type: 'integer', from: 'group_id' },
        tags: { type: 'array' },
        externalId: { type: 'string', from: 'external_id' },
        channel: { type: 'string', from: 'via.channel' },
        customFields: { type: 'array', from: 'custom_fields', description: '[{ id, value }]' },
        url: { type: 'string', description: 'API URL of the ticket' },
        createdAt: { type: 'datetime', from: 'created_at' },
        updatedAt: { type: 'datetime', from: 'updated_at' },
        generatedTimestamp: { type: 'integer', from: 'generated_timestamp', description: 'Unix epoch seconds of the last change the export saw' },
      },
      commonModel: 'ticket',
      // requesterEmail stays unmapped: a ticket has only requester_id (the user's email needs the
      // users sync, or the export's `include=users` sideload, which arrives outside `tickets`).
      defaultMapping: {
        subject: { source: 'field', path: 'subject' },
        description: { source: 'field', path: 'description' },
        status: { source: 'field', path: 'status' },
        priority: { source: 'field', path: 'priority' },
        createdAt: { source: 'field', path: 'created_at' },
        updatedAt: { source: 'field', path: 'updated_at' },
      },
    },
    user: {
      label: 'People',
      description: 'End users (requesters), agents and admins.',
      // List Users with cursor pagination: page[size] (at most 100) and page[after] = meta.after_cursor
      // while meta.has_more is true.
      path: '/api/v2/users',
      docs: 'https://developer.zendesk.com/api-reference/ticketing/users/users/#list-users',
      pagination: { type: 'cursor', cursorParam: 'page[after]', cursorPath: 'meta.after_cursor', hasMorePath: 'meta.has_more', itemsPath: 'users', limitParam: 'page[size]', limit: 100 },
      fields: {
        id: { type: 'integer', key: true },
        name: { type: 'string' },
        email: { type: 'string' },
        phone: { type: 'string' },
        role: { type: 'enum', enumValues: ['end-user', 'agent', 'admin'] },
        organizationId: { type: 'integer', from: 'organization_id' },
        externalId: { type: 'string', from: 'external_id' },
        locale: { type: 'string' },
        timeZone: { type: 'string', from: 'time_zone' },
        tags: { type: 'array' },
        active: { type: 'boolean', description: 'false once the user is deleted' },
        suspended: { type: 'boolean' },
        verified: { type: 'boolean' },
        userFields: { type: 'object', from: 'user_fields', description: 'Custom user field values by key' },
        lastLoginAt: { type: 'datetime', from: 'last_login_at' },
        createdAt: { type: 'datetime', from: 'created_at' },
        updatedAt: { type: 'datetime', from: 'updated_at' },
      },
      // Most Zendesk users are end users (the people who ask for help), so a user is a contact;
      // its role (end-user, agent, admin) is the contact's stage.
      commonModel: 'contact',
      defaultMapping: {
        email: { source: 'field', path: 'email' },
        firstName: { source: 'field', path: 'name', transforms: [{ type: 'split', separator: ' ', part: 'first' }] },
        lastName: { source: 'field', path: 'name', transforms: [{ type: 'split', separator: ' ', part: 'rest' }] },
        phone: { source: 'field', path: 'phone' },
        company: { source: 'field', path: 'organization_id' },
        lifecycleStage: { source: 'field', path: 'role' },
        createdAt: { source: 'field', path: 'created_at' },
        updatedAt: { source: 'field', path: 'updated_at' },
      },
    },
  },
  syncs: {
    tickets: {
      object: 'ticket',
      description: 'Tickets changed since the last run, deleted ones included.',
      mode: 'incremental',
      // Exported tickets carry generated_timestamp (Unix seconds), the value start_time is compared
      // with ("the API compares the start_time with the ticket's generated_timestamp", export guide),
      // so its largest value is the next run's start_time, in the unit the parameter takes.
      cursorField: 'generatedTimestamp',
      updatedSinceParam: 'start_time',
      defaultFrequency: '15m',
      // The export lists deleted tickets with status "deleted" (export guide, "Excluding deleted tickets").
      deletedWhen: { path: 'status', equals: 'deleted' },
    },
    // Full: the incremental user export also takes start_time in Unix seconds, but users carry no
    // generated_timestamp, only updated_at in ISO 8601, and a sync sends its cursor as stored.
    users: { object: 'user', mode: 'full', defaultFrequency: '6h' },
  },
  actions: {
    create_ticket: {
      description: 'Open a ticket.',
      // https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#create-ticket:
      // POST /api/v2/tickets with { ticket: { subject, comment: { body }, priority, … } }; a comment
      // is required (it becomes the description). `closed` cannot be set on creation. No `object`:
      // the body wraps the fields in `ticket`, so it is not a ticket record's shape (see the report).
      method: 'POST',
      path: '/api/v2/tickets',
      input: z.strictObject({
        ticket: z.strictObject({
          subject: z.string().min(1).optional(),
          comment: z
            .strictObject({ body: z.string().min(1).optional(), html_body: z.string().min(1).optional(), public: z.boolean().optional(), author_id: userId.optional() })
            .refine((c) => c.body !== undefined || c.html_body !== undefined, 'a comment needs a body or an html_body'),
          priority: z.enum(['urgent', 'high', 'normal', 'low']).optional(),
          type: z.enum(['problem', 'incident', 'question', 'task']).optional(),
          status: z.enum(['new', 'open', 'pending', 'hold', 'solved']).optional(),
          requester_id: userId.optional(),
          // A requester who may not exist yet: Zendesk creates the user (Tickets API, "Creating a ticket with a new requester").
          requester: z.strictObject({ email: z.email(), name: z.string().min(1).optional(), locale_id: z.number().int().optional() }).optional(),
          assignee_id: userId.optional(),
          group_id: z.number().int().positive().optional(),
          organization_id: z.number().int().positive().optional(),
          tags: z.array(z.string().min(1)).optional(),
          external_id: z.string().min(1).optional(),
          due_at: z.iso.datetime().optional(),
          custom_fields: z.array(z.strictObject({ id: z.number().int().positive(), value: z.unknown() })).optional(),
        }),
      }),
    },
  },
  hooks: {
    // GET /api/v2/users/me → { user: { name, email, … } }.
    accountLabel: (body) => firstString(body, ['user.email', 'user.name']),
  },
})
