/**
 * Slack (Web API, OAuth v2 installation with a bot token).
 *
 * Sources, each cited again where it is used:
 * - Installing with OAuth (v2): https://docs.slack.dev/authentication/installing-with-oauth
 * - Token exchange: https://docs.slack.dev/reference/methods/oauth.v2.access
 * - Token rotation: https://docs.slack.dev/authentication/using-token-rotation
 * - Web API basics (JSON bodies, `ok`/`error`): https://docs.slack.dev/apis/web-api/
 * - Pagination: https://docs.slack.dev/apis/web-api/pagination
 * - Rate limits: https://docs.slack.dev/apis/web-api/rate-limits
 * - Methods: https://docs.slack.dev/reference/methods/users.list, …/conversations.list,
 *   …/auth.test, …/chat.postMessage
 * - Scopes: https://docs.slack.dev/reference/scopes
 */
import { z } from 'zod'
import { anchored, firstString } from '../helpers'
import { defineConnector } from '../schema'

/** An aubergine rounded square with a white speech bubble (not Slack's pinwheel). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Slack">' +
  '<rect width="64" height="64" rx="14" fill="#4a154b"/>' +
  '<path d="M16 20a6 6 0 0 1 6-6h20a6 6 0 0 1 6 6v14a6 6 0 0 1-6 6H30l-9 8v-8h1a6 6 0 0 1-6-6z" fill="#fff"/>' +
  '<g fill="#4a154b"><circle cx="24" cy="27" r="2.5"/><circle cx="32" cy="27" r="2.5"/><circle cx="40" cy="27" r="2.5"/></g>' +
  '</svg>'

/** Slack ids of teams, enterprises and users: upper-case letters and digits (`T9TK3CUKW`, `U0KRQLJ9H`). */
const SLACK_ID_PATTERN = '[A-Z0-9]{2,30}'
/** A team name, shown to people only: 1–200 characters without control characters. */
const NAME_PATTERN = '[^\\x00-\\x1f\\x7f]{1,200}'

/**
 * The `oauth.v2.access` answer → connection config. The bot token is `access_token` (with
 * `token_type: "bot"`); the workspace is `team: { id, name }`, and the bot's own user is
 * `bot_user_id` (oauth.v2.access example). An org-wide install has `team: null` and an
 * `enterprise` instead ("is_enterprise_install"), so `teamId`/`teamName` may be absent.
 * Values that do not fit the declared patterns are left out (the engine does not check
 * token-sourced config values against their patterns).
 */
export function teamFromToken(tokenResponse: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  if (tokenResponse.ok === false) return out
  const team = tokenResponse.team as { id?: unknown; name?: unknown } | null | undefined
  const put = (key: string, value: unknown, pattern: string) => {
    if (typeof value === 'string' && anchored(pattern).test(value)) out[key] = value
  }
  put('teamId', team?.id, SLACK_ID_PATTERN)
  put('teamName', team?.name, NAME_PATTERN)
  put('botUserId', tokenResponse.bot_user_id, SLACK_ID_PATTERN)
  return out
}

/**
 * A users.list member without its status (`profile.status_text`, `status_emoji`,
 * `status_expiration`): people change their status many times a day, and each change would store
 * the member again in a full sync although nothing the connector maps changed. Everything else is kept.
 */
export function withoutStatus(item: unknown): unknown {
  const member = item as { profile?: unknown } | null
  if (!member || typeof member !== 'object' || !member.profile || typeof member.profile !== 'object') return item
  const { status_text: _text, status_emoji: _emoji, status_expiration: _expiration, status_emoji_display_info: _display, ...profile } = member.profile as Record<string, unknown>
  return { ...member, profile }
}

/** A Slack timestamp (`ts`) of a message: seconds, a dot, microseconds (`1503435956.000247`). */
const messageTs = z.string().regex(/^\d{1,12}\.\d{1,9}$/)

export default defineConnector({
  id: 'slack',
  name: 'Slack',
  description: 'Bring in your Slack workspace’s members and public channels, and post messages to Slack from this app.',
  categories: ['communication'],
  logo,
  docsUrl: 'https://docs.slack.dev/',
  connectionConfig: {
    teamId: { label: 'Slack workspace', source: 'token', pattern: SLACK_ID_PATTERN, required: false, description: 'The workspace (team) the app was installed in, from Slack’s token response.' },
    teamName: { label: 'Workspace name', source: 'token', pattern: NAME_PATTERN, required: false },
    botUserId: { label: 'Bot user', source: 'token', pattern: SLACK_ID_PATTERN, required: false },
  },
  auth: {
    type: 'oauth2',
    // https://docs.slack.dev/authentication/installing-with-oauth: the user is sent to
    // `https://slack.com/oauth/v2/authorize` with `client_id`, `scope` (bot scopes,
    // comma-separated), `redirect_uri` and `state`; the code is exchanged at `oauth.v2.access`.
    authorizationUrl: 'https://slack.com/oauth/v2/authorize',
    tokenUrl: 'https://slack.com/api/oauth.v2.access',
    // No `revocationUrl`: tokens are revoked with the Web API method `auth.revoke`, called with the
    // token itself as bearer, not an RFC 7009 endpoint.
    //
    // Bot scopes (https://docs.slack.dev/reference/scopes):
    // - `users:read` for users.list, `users:read.email` for `profile.email` (it needs `users:read`);
    // - `channels:read` for public channels in conversations.list (private ones need `groups:read`);
    // - `chat:write` for chat.postMessage (in channels the bot is a member of; `chat:write.public`
    //   would let it post in any public channel).
    scopes: ['users:read', 'users:read.email', 'channels:read', 'chat:write'],
    scopeSeparator: ',',
    // oauth.v2.access takes a `code_verifier` "Used for PKCE", which Slack offers to apps set up as
    // public clients; Patchbay is a confidential client that authenticates with its secret, so no
    // challenge is sent.
    pkce: false,
    // oauth.v2.access: "If possible, avoid sending client_id and client_secret as parameters in your
    // request and instead supply the Client ID and Client Secret using the HTTP Basic authentication scheme."
    clientAuth: 'client_secret_basic',
    // Bot tokens do not expire unless the app turns on token rotation; then the answer carries
    // `expires_in` (12 hours) and a `refresh_token`, renewed through the same method with
    // `grant_type=refresh_token` (token rotation page). The engine refreshes only when a refresh
    // token was stored, so this is right for both kinds of apps.
    refreshable: true,
    // oauth.v2.access answers `"token_type": "bot"` (and `user` for user tokens in `authed_user`),
    // not RFC 6749's `bearer`; both are sent as bearer tokens.
    tokenTypes: ['bot', 'user'],
    // Web API: "Tokens should be passed as an HTTP Authorization header" (`Bearer xoxb-…`), the default injection.
  },
  http: {
    baseUrl: 'https://slack.com/api',
    // https://docs.slack.dev/apis/web-api/rate-limits: limits are "per API method per workspace/team
    // per app" in tiers: users.list and conversations.list are Tier 2, "20+ per minute";
    // chat.postMessage is special ("one message per second per channel"). Over a limit Slack answers
    // HTTP 429 with `Retry-After` in seconds. No rate-limit headers are sent, so the budget is the
    // Tier 2 floor for all calls of a connection (see the report: budgets are per connection, not per method).
    rateLimit: { requests: 20, windowMs: 60_000 },
    // https://docs.slack.dev/apis/web-api/pagination: pass `limit` and then `cursor` = the
    // `response_metadata.next_cursor` of the previous answer; "an empty, null, or non-existent
    // next_cursor" ends the collection. users.list and conversations.list recommend at most 200 per page.
    pagination: { type: 'cursor', cursorParam: 'cursor', cursorPath: 'response_metadata.next_cursor', itemsPath: 'members', limitParam: 'limit', limit: 200 },
    // Errors come with HTTP 200: "Callers should always check the value of the ok parameter in the
    // response" (conversations.list, "Typical error response"), the reason in `error`.
    errorWhen: { path: 'ok', equals: false, messagePath: 'error' },
  },
  // https://docs.slack.dev/reference/methods/auth.test: "Checks authentication & identity", answers
  // `{ ok, url, team, user, team_id, user_id }`.
  accountInfo: { path: '/auth.test' },
  objects: {
    user: {
      label: 'Members',
      description: 'Everyone in the workspace, bots and deactivated members included (deactivated ones are marked deleted).',
      // https://docs.slack.dev/reference/methods/users.list: "This method returns a list of all users
      // in the workspace. This includes deleted/deactivated users."
      path: '/users.list',
      docs: 'https://docs.slack.dev/reference/methods/users.list',
      fields: {
        id: { type: 'string', key: true },
        username: { type: 'string', from: 'name', description: 'The handle (deprecated by Slack in favour of display names)' },
        realName: { type: 'string', from: 'profile.real_name' },
        displayName: { type: 'string', from: 'profile.display_name' },
        email: { type: 'string', from: 'profile.email', description: 'Needs users:read.email' },
        title: { type: 'string', from: 'profile.title' },
        avatarUrl: { type: 'string', from: 'profile.image_512' },
        timeZone: { type: 'string', from: 'tz' },
        isAdmin: { type: 'boolean', from: 'is_admin' },
        isBot: { type: 'boolean', from: 'is_bot' },
        deleted: { type: 'boolean' },
        updated: { type: 'integer', description: 'Unix epoch seconds' },
      },
      commonModel: 'user',
      defaultMapping: {
        name: { source: 'field', path: 'profile.real_name' },
        email: { source: 'field', path: 'profile.email' },
        username: { source: 'field', path: 'name' },
        avatarUrl: { source: 'field', path: 'profile.image_512' },
      },
    },
    channel: {
      label: 'Channels',
      description: 'Public channels, archived ones included.',
      // https://docs.slack.dev/reference/methods/conversations.list: `types` "Default:
      // public_channel"; items are in `channels`.
      path: '/conversations.list',
      docs: 'https://docs.slack.dev/reference/methods/conversations.list',
      params: { types: 'public_channel' },
      pagination: { type: 'cursor', cursorParam: 'cursor', cursorPath: 'response_metadata.next_cursor', itemsPath: 'channels', limitParam: 'limit', limit: 200 },
      fields: {
        id: { type: 'string', key: true },
        name: { type: 'string' },
        topic: { type: 'string', from: 'topic.value' },
        purpose: { type: 'string', from: 'purpose.value' },
        isPrivate: { type: 'boolean', from: 'is_private' },
        isArchived: { type: 'boolean', from: 'is_archived' },
        isGeneral: { type: 'boolean', from: 'is_general' },
        isMember: { type: 'boolean', from: 'is_member', description: 'Whether the bot is in it (it can post there)' },
        numMembers: { type: 'integer', from: 'num_members' },
        creator: { type: 'string' },
        created: { type: 'integer', description: 'Unix epoch seconds' },
      },
    },
  },
  // Both lists are full syncs: neither method takes a "changed since" filter (arguments on their
  // pages: cursor, limit, team_id, include_locale / exclude_archived, types).
  syncs: {
    users: {
      object: 'user',
      mode: 'full',
      defaultFrequency: '6h',
      // A deactivated member stays in users.list with `deleted: true`.
      deletedWhen: { path: 'deleted', equals: true },
    },
    channels: { object: 'channel', mode: 'full', defaultFrequency: '6h' },
  },
  actions: {
    post_message: {
      description: 'Post a message to a channel (or a direct message to a user) as the app’s bot.',
      // https://docs.slack.dev/reference/methods/chat.postMessage: `channel` ("An encoded ID or channel
      // name"), and `text` or `blocks` (or attachments); `thread_ts` to reply in a thread. Write
      // methods accept JSON bodies with the token in the Authorization header (Web API page).
      // Slack answers a refused message with HTTP 200 and `{ "ok": false, "error": … }`.
      method: 'POST',
      path: '/chat.postMessage',
      input: z
        .strictObject({
          // An id (`C012AB3CD`, `U0KRQLJ9H`) or a channel name (lower-case letters, digits, `-`, `_`, `.`, up to 80).
          channel: z.string().regex(/^(#?[a-z0-9._-]{1,80}|[A-Z0-9]{2,30})$/, 'a channel id or name'),
          // "For best results, limit the number of characters in the text field to 4,000 characters.
          // Slack will truncate messages containing more than 40,000 characters."
          text: z.string().min(1).max(40_000).optional(),
          // Layout blocks, at most 50 per message.
          blocks: z.array(z.record(z.string(), z.unknown())).min(1).max(50).optional(),
          thread_ts: messageTs.optional(),
          reply_broadcast: z.boolean().optional(),
          mrkdwn: z.boolean().optional(),
          unfurl_links: z.boolean().optional(),
          unfurl_media: z.boolean().optional(),
        })
        .refine((m) => m.text !== undefined || m.blocks !== undefined, 'give text or blocks')
        .refine((m) => m.reply_broadcast === undefined || m.thread_ts !== undefined, 'reply_broadcast needs thread_ts'),
    },
  },
  // Events API deliveries (and slash commands, interactivity) to one Request URL per app, for every
  // workspace that installed it.
  webhooks: {
    // https://docs.slack.dev/authentication/verifying-requests-from-slack: "Slack creates a unique
    // string for your app" (the signing secret, under Basic Information), one per app, so one per integration.
    secret: { from: 'integration', label: 'Signing secret', helpUrl: 'https://api.slack.com/apps' },
    // Same page: the base string is `v0:` + `X-Slack-Request-Timestamp` + `:` + the raw body, hashed
    // with HMAC-SHA256 (hex) and sent as `X-Slack-Signature: v0=…`; requests whose timestamp is more
    // than five minutes from local time may be replays and should be ignored.
    signature: {
      type: 'hmac',
      algorithm: 'sha256',
      encoding: 'hex',
      header: 'X-Slack-Signature',
      prefix: 'v0=',
      signed: [{ literal: 'v0:' }, 'timestamp', { literal: ':' }, 'body'],
      timestamp: { header: 'X-Slack-Request-Timestamp', unit: 's', toleranceSeconds: 300 },
    },
    // https://docs.slack.dev/apis/events-api/: the outer event payload carries `team_id`, the
    // workspace the event happened in (the `team.id` of the oauth.v2.access answer, stored as
    // `teamId`); slash commands send `team_id` as a form field. The inner event's kind is `event.type`.
    route: { body: 'team_id', connectionConfig: 'teamId' },
    eventType: { body: 'event.type' },
    // https://docs.slack.dev/reference/events/url_verification: `{ "type": "url_verification",
    // "challenge": … }` when the Request URL is set; "respond in plaintext with the challenge attribute value".
    handshake: { when: { body: 'type', equals: 'url_verification' }, respond: { body: 'challenge', as: 'text' } },
    docs: 'https://docs.slack.dev/authentication/verifying-requests-from-slack',
  },
  hooks: {
    afterTokenResponse: (tokenResponse) => teamFromToken(tokenResponse),
    // `auth.test` → `{ ok, team, url, … }`. Slack reports errors with HTTP 200 and `ok: false`, so
    // the answer is read only when `ok` is true.
    accountLabel: (body) => ((body as { ok?: unknown } | null)?.ok === true ? firstString(body, ['team', 'url']) : undefined),
    syncItem: (item, sync) => (sync.model === 'user' ? withoutStatus(item) : item),
  },
})
