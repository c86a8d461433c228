/**
 * Notion (REST API, OAuth 2.0 for public integrations).
 *
 * Sources, each cited again where it is used:
 * - Authorization guide (public integration flow): https://developers.notion.com/docs/authorization
 * - Token endpoints: https://developers.notion.com/reference/create-a-token,
 *   https://developers.notion.com/reference/refresh-a-token, https://developers.notion.com/reference/revoke-token
 * - Versioning: https://developers.notion.com/reference/versioning and
 *   https://developers.notion.com/docs/upgrade-guide-2026-03-11
 * - Pagination: https://developers.notion.com/reference/intro#pagination
 * - Request limits: https://developers.notion.com/reference/request-limits
 * - Users: https://developers.notion.com/reference/get-users, https://developers.notion.com/reference/get-self,
 *   https://developers.notion.com/reference/user
 * - Create a page: https://developers.notion.com/reference/post-page
 * - Search (POST, not synced): https://developers.notion.com/reference/post-search
 * - Webhooks: https://developers.notion.com/reference/webhooks,
 *   https://developers.notion.com/reference/webhooks-events-delivery
 */
import { z } from 'zod'
import { anchored, firstString } from '../helpers'
import { defineConnector } from '../schema'

/** A near-black rounded square with a white page whose corner is folded (not Notion's cube). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Notion">' +
  '<rect width="64" height="64" rx="14" fill="#191919"/>' +
  '<path d="M20 14h17l9 9v27H20z" fill="#fff"/>' +
  '<path d="M37 14v9h9" fill="#c8c8c8"/>' +
  '<path d="M25 32h14M25 38h14M25 44h9" stroke="#191919" stroke-width="3" stroke-linecap="round"/>' +
  '</svg>'

/** The Notion API version every request names (required header, versioning page). */
export const NOTION_VERSION = '2026-03-11'

/**
 * A workspace or bot id from the token response. Notion ids are UUIDs; the guide's example uses
 * other letter-digit-hyphen strings, which the default connection config pattern (a DNS label:
 * letters, digits and inner hyphens, at most 63 characters) accepts as well.
 */
const ID_PATTERN = '[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?'
/** A workspace name, shown to people only: 1–200 characters without control characters. */
const NAME_PATTERN = '[^\\x00-\\x1f\\x7f]{1,200}'

const isId = (v: unknown): v is string => typeof v === 'string' && anchored(ID_PATTERN).test(v)
const isName = (v: unknown): v is string => typeof v === 'string' && anchored(NAME_PATTERN).test(v)

/**
 * The token response (create-a-token reference: `access_token`, `token_type`, `refresh_token`,
 * `bot_id`, `workspace_id`, `workspace_name`, `workspace_icon`, `owner`, …) → connection config:
 * which workspace the connection reaches and which bot acts in it. `workspace_id` and `bot_id` are
 * "Not null", `workspace_name` may be null (guide's field table). Values that do not fit the
 * declared patterns are left out rather than stored (the engine does not check token-sourced
 * config values against their patterns).
 */
export function workspaceFromToken(tokenResponse: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  if (isId(tokenResponse.workspace_id)) out.workspaceId = tokenResponse.workspace_id
  if (isName(tokenResponse.workspace_name)) out.workspaceName = tokenResponse.workspace_name
  if (isId(tokenResponse.bot_id)) out.botId = tokenResponse.bot_id
  return out
}

/** A Notion id: a UUID, with or without dashes (as in page URLs). */
const notionId = z.string().regex(/^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/, 'a Notion id (UUID)')
/** A JSON object whose inside Notion validates (property values, blocks, icons). */
const jsonObject = z.record(z.string(), z.unknown())

export default defineConnector({
  id: 'notion',
  name: 'Notion',
  description: 'Bring in the people of your Notion workspace, and create Notion pages from this app. It can use the pages you share with it when you connect.',
  categories: ['productivity'],
  logo,
  docsUrl: 'https://developers.notion.com/',
  connectionConfig: {
    workspaceId: { label: 'Notion workspace', source: 'token', pattern: ID_PATTERN, required: true, description: 'The workspace this connection reaches, from Notion’s token response.' },
    workspaceName: { label: 'Workspace name', source: 'token', pattern: NAME_PATTERN, required: false },
    botId: { label: 'Notion bot', source: 'token', pattern: ID_PATTERN, required: true, description: 'The bot user that acts for this connection; it identifies the authorization.' },
  },
  auth: {
    type: 'oauth2',
    // Authorization guide, public integration auth flow: the authorization URL from the
    // integration's settings is `https://api.notion.com/v1/oauth/authorize` with `client_id`,
    // `response_type=code`, `owner=user` and `redirect_uri`. Notion has no OAuth scopes: what the
    // integration may do is set by its capabilities, and the user picks the pages to share.
    authorizationUrl: 'https://api.notion.com/v1/oauth/authorize',
    authorizationParams: { owner: 'user' },
    scopes: [],
    // https://developers.notion.com/reference/create-a-token: `POST /v1/oauth/token`,
    // "Authorization: Basic <encoded-value>, where <encoded-value> is the base64-encoded string
    // username:password" (client id and secret).
    tokenUrl: 'https://api.notion.com/v1/oauth/token',
    clientAuth: 'client_secret_basic',
    // No `revocationUrl`: `POST /v1/oauth/revoke` (revoke-token reference) takes a JSON body
    // `{ "token": … }` and a required `Notion-Version` header, which the generic RFC 7009 call
    // (form body, no extra headers) does not send.
    //
    // Notion documents no PKCE parameters for this flow (neither the guide nor the token reference
    // mention `code_challenge` or `code_verifier`), and its API answers undocumented body fields with
    // `validation_error`; the state and the browser binding still protect the flow.
    pkce: false,
    // The token response now carries a `refresh_token`, and `POST /v1/oauth/token` with
    // `grant_type=refresh_token` "Refreshes an access token, generating a new access token and new
    // refresh token" (refresh-a-token reference). No `expires_in` is documented, so the engine
    // refreshes when the API answers 401.
    refreshable: true,
    // `Authorization: Bearer <token>` (https://developers.notion.com/reference/authentication) is the default injection.
  },
  http: {
    baseUrl: 'https://api.notion.com',
    // https://developers.notion.com/reference/versioning: "The Notion-Version header must be included
    // in all REST API requests." 2026-03-11 is the latest version (upgrade guide); its breaking
    // changes (block `position`, `archived` → `in_trash`, `meeting_notes`) do not touch the users
    // list or page creation used here.
    headers: { 'Notion-Version': NOTION_VERSION },
    // https://developers.notion.com/reference/request-limits: "The rate limit for incoming requests
    // per connection is an average of three requests per second. Some bursts beyond the average rate
    // are allowed"; over it, HTTP 429 `rate_limited` with `Retry-After` in seconds. Notion also
    // answers 529 `service_overload` with `Retry-After`; it is retried (with backoff) like a 503.
    rateLimit: { requests: 3, windowMs: 1_000 },
    retry: { on: [429, 502, 503, 504, 529] },
    // https://developers.notion.com/reference/intro#pagination: list endpoints take `start_cursor`
    // and `page_size` (max 100) and answer `{ object: "list", results, has_more, next_cursor }`;
    // `next_cursor` is null on the last page.
    pagination: { type: 'cursor', cursorParam: 'start_cursor', cursorPath: 'next_cursor', hasMorePath: 'has_more', itemsPath: 'results', limitParam: 'page_size', limit: 100 },
  },
  // https://developers.notion.com/reference/get-self: the bot user of the token, with its owner.
  accountInfo: { path: '/v1/users/me' },
  objects: {
    user: {
      label: 'People',
      description: 'Members of the workspace (guests are not listed) and its bots.',
      // https://developers.notion.com/reference/get-users: "Returns a paginated list of Users for the
      // workspace … Guests are not included in the response"; needs the integration's user
      // information capability (403 otherwise), and the email only with "including email addresses".
      path: '/v1/users',
      docs: 'https://developers.notion.com/reference/get-users',
      fields: {
        id: { type: 'string', key: true },
        type: { type: 'enum', enumValues: ['person', 'bot'] },
        name: { type: 'string' },
        email: { type: 'string', from: 'person.email', description: 'People only' },
        avatarUrl: { type: 'string', from: 'avatar_url' },
      },
      commonModel: 'user',
      defaultMapping: {
        name: { source: 'field', path: 'name' },
        email: { source: 'field', path: 'person.email' },
        avatarUrl: { source: 'field', path: 'avatar_url' },
      },
    },
  },
  // Only users are synced, in full (no "changed since" filter). Pages and data sources are listed by
  // `POST /v1/search` and `POST /v1/data_sources/{id}/query`, both POST with the cursor in the JSON
  // body; Patchbay syncs read pages with GET, so they cannot be declared (see the report).
  syncs: {
    users: { object: 'user', mode: 'full', defaultFrequency: '1d' },
  },
  actions: {
    create_page: {
      description: 'Create a page under a page or in a data source (database), or, without a parent, as a private page of the workspace.',
      // https://developers.notion.com/reference/post-page: `POST /v1/pages` with `parent`
      // (`page_id`, `data_source_id`, or, for public integrations, omitted or `{ "workspace": true }`),
      // `properties` ("If the new page is a child of an existing page, title is the only valid
      // property"; in a data source they follow its schema), `children` (blocks), `icon`, `cover`.
      // `database_id` parents are the pre-2025-09-03 form, still accepted for single-source databases.
      // Size limits (request-limits page): at most 100 elements in a block array, 1000 blocks and
      // 500 KB per request; Notion checks the rest and answers 400 `validation_error`.
      method: 'POST',
      path: '/v1/pages',
      input: z.strictObject({
        parent: z
          .union([
            z.strictObject({ page_id: notionId }),
            z.strictObject({ data_source_id: notionId }),
            z.strictObject({ database_id: notionId }),
            z.strictObject({ workspace: z.literal(true) }),
          ])
          .optional(),
        properties: z.record(z.string().min(1), jsonObject).optional(),
        children: z.array(jsonObject).max(100).optional(),
        icon: jsonObject.optional(),
        cover: jsonObject.optional(),
      }),
    },
  },
  webhooks: {
    // https://developers.notion.com/reference/webhooks: subscriptions are created in the
    // integration's settings (Webhooks tab → "+ Create a subscription"), so the secret belongs to
    // the integration. Step 2: "When you create a subscription, Notion sends a one-time POST request
    // to your webhook URL. The body of the request contains a verification_token"; the developer
    // then clicks "Verify" in the Webhooks tab and pastes it. Step 3: every event carries a
    // signature made with that token. Patchbay stores the token on first use and reveals it once
    // (`POST /v1/integrations/{key}/webhook-secret/reveal`).
    secret: { from: 'integration', label: 'Verification token', helpUrl: 'https://developers.notion.com/reference/webhooks' },
    secretHandshake: { body: 'verification_token' },
    // https://developers.notion.com/reference/webhooks (Step 3, "Validating event payloads"):
    // `X-Notion-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw request body keyed with the
    // verification_token. No timestamp is signed (events carry a `timestamp` body member only).
    signature: { type: 'hmac', algorithm: 'sha256', encoding: 'hex', header: 'X-Notion-Signature', prefix: 'sha256=', signed: ['body'] },
    // https://developers.notion.com/reference/webhooks-events-delivery ("Event properties"): every
    // event has `workspace_id` ("The workspace ID where the event originated from") and `type`
    // ("Type of the event, e.g. page.created"); one subscription serves every workspace that
    // installed the (public) integration, so events are routed by workspace to the `workspaceId`
    // stored from the token response.
    route: { body: 'workspace_id', connectionConfig: 'workspaceId' },
    eventType: { body: 'type' },
    docs: 'https://developers.notion.com/reference/webhooks',
  },
  hooks: {
    afterTokenResponse: (tokenResponse) => workspaceFromToken(tokenResponse),
    // `GET /v1/users/me` → the bot `{ name, bot: { owner, workspace_name? } }`: the workspace's name
    // when Notion gives it, else the bot's name.
    accountLabel: (body) => firstString(body, ['bot.workspace_name', 'name']),
  },
})
