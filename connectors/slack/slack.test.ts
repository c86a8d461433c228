import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { COMMON_MODELS } from '../common-models'
import { bodyError, extractItems } from '../pagination'
import { connectorSchema } from '../schema'
import { authorizationUrl, paginationOf, toRecord, walk } from '../testing'
import { applyMapping } from '../../server/src/mapping/apply'
import { checkMapping, providerFieldsOf } from '../../server/src/mapping/check'
import { mappingSchema } from '../../server/src/mapping/schema'
import { tokenResponseOptions } from '../../server/src/services/oauth-client'
import authTest from './fixtures/auth-test.json' with { type: 'json' }
import conversations from './fixtures/conversations.json' with { type: 'json' }
import slackError from './fixtures/error.json' with { type: 'json' }
import rateLimited from './fixtures/rate-limited.json' with { type: 'json' }
import token from './fixtures/token-response.json' with { type: 'json' }
import page1 from './fixtures/users-page-1.json' with { type: 'json' }
import page2 from './fixtures/users-page-2.json' with { type: 'json' }
import slack, { teamFromToken, withoutStatus } from './index'

describe('slack connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(slack)).toEqual(slack)
    expect(slack.id).toBe('slack')
  })

  // https://docs.slack.dev/authentication/installing-with-oauth, https://docs.slack.dev/reference/methods/oauth.v2.access
  describe('auth', () => {
    it('uses the OAuth v2 endpoints with HTTP Basic client authentication', () => {
      expect(slack.auth).toMatchObject({
        type: 'oauth2',
        authorizationUrl: 'https://slack.com/oauth/v2/authorize',
        tokenUrl: 'https://slack.com/api/oauth.v2.access',
        clientAuth: 'client_secret_basic',
        pkce: false,
        refreshable: true,
      })
      expect(slack.auth.type === 'oauth2' && slack.auth.revocationUrl).toBeFalsy()
    })

    // https://docs.slack.dev/reference/scopes
    it('asks for comma-separated bot scopes', () => {
      const url = authorizationUrl(slack, { clientId: '2141029472.691202649728', redirectUri: 'https://app.example/cb', state: 's1' })
      expect(url.origin + url.pathname).toBe('https://slack.com/oauth/v2/authorize')
      expect(url.searchParams.get('scope')).toBe('users:read,users:read.email,channels:read,chat:write')
      expect(url.searchParams.has('user_scope')).toBe(false)
      expect(url.searchParams.has('code_challenge')).toBe(false)
    })
  })

  describe('token response → connection config', () => {
    it('stores team.id, team.name and the bot user of the documented answer', () => {
      expect(slack.hooks.afterTokenResponse?.(token.body)).toEqual({ teamId: 'T9TK3CUKW', teamName: 'Slack Softball Team', botUserId: 'U0KRQLJ9H' })
    })

    it('copes with an org-wide install (team null), ok:false and values outside the patterns', () => {
      expect(teamFromToken({ ...token.body, team: null, is_enterprise_install: true })).toEqual({ botUserId: 'U0KRQLJ9H' })
      expect(teamFromToken({ ok: false, error: 'invalid_code' })).toEqual({})
      expect(teamFromToken({ ...token.body, team: { id: 't9/../x', name: 'a\u0000b' }, bot_user_id: 7 })).toEqual({})
    })

    it('keeps these values out of the connect form', () => {
      expect(Object.values(slack.connectionConfig).every((f) => f.source === 'token')).toBe(true)
    })

    // oauth4webapi (server/src/services/oauth-flow.ts) accepts only token_type bearer or dpop unless
    // told otherwise; Slack's documented answer has token_type "bot", declared in `auth.tokenTypes`.
    it('accepts the documented token_type "bot" through auth.tokenTypes, as the engine processes token responses', async () => {
      const as: oauth.AuthorizationServer = { issuer: 'https://slack.com', token_endpoint: slack.auth.type === 'oauth2' ? slack.auth.tokenUrl : '' }
      const client: oauth.Client = { client_id: '2141029472.691202649728' }
      const answer = () => new Response(JSON.stringify(token.body), { status: 200, headers: { 'content-type': 'application/json' } })
      await expect(oauth.processAuthorizationCodeResponse(as, client, answer(), { requireIdToken: false })).rejects.toThrow(/token_type/)
      const accepted = await oauth.processAuthorizationCodeResponse(as, client, answer(), { requireIdToken: false, ...tokenResponseOptions(slack.auth) })
      expect(accepted.access_token).toBe('xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy')
    })
  })

  // https://docs.slack.dev/apis/web-api/rate-limits
  it('budgets the Tier 2 floor of 20 requests per minute and retries 429 (Retry-After in seconds)', () => {
    expect(slack.http.rateLimit).toMatchObject({ requests: 20, windowMs: 60_000 })
    expect(slack.http.rateLimit?.remainingHeader).toBeUndefined()
    expect(rateLimited).toMatchObject({ status: 429, headers: { 'Retry-After': '30' } })
    expect(slack.http.retry.on).toContain(429)
  })

  // https://docs.slack.dev/apis/web-api/pagination
  describe('pagination (response_metadata.next_cursor → cursor, limit 200)', () => {
    it('walks the documented users.list pages until next_cursor is empty', () => {
      const { urls, items } = walk(slack, 'user', (url) => (url.searchParams.has('cursor') ? page2 : page1))
      expect(urls.map((u) => u.href)).toEqual(['https://slack.com/api/users.list?limit=200', 'https://slack.com/api/users.list?limit=200&cursor=dXNlcjpVMEc5V0ZYTlo%3D'])
      expect(items.map((m) => (m as { id: string }).id)).toEqual(['W012A3CDE', 'W07QCRPA4', 'W0EXAMPL3'])
    })

    it('reads channels from `channels` and stops when the cursor is missing', () => {
      const { urls, items } = walk(slack, 'channel', (url) => (url.searchParams.has('cursor') ? { body: { ok: true, channels: [], response_metadata: {} } } : conversations))
      expect(urls[0]!.href).toBe('https://slack.com/api/conversations.list?types=public_channel&limit=200')
      expect(urls[1]!.searchParams.get('cursor')).toBe('dGVhbTpDMDYxRkE1UEI=')
      expect(urls).toHaveLength(2)
      expect(items).toHaveLength(2)
    })

    // Slack's errors come with HTTP 200. A list error has no items array: the sync engine treats a
    // body without the items path as an invalid response (retried, then failed), never as an empty
    // last page that would mark every record deleted (server/src/services/sync-engine.ts, fetchPage).
    it('an ok:false answer has no items at the items path (the engine refuses it as a page)', () => {
      expect(extractItems(slackError.body, paginationOf(slack, 'user').itemsPath)).toEqual([])
      expect((slackError.body as Record<string, unknown>)[paginationOf(slack, 'user').itemsPath]).toBeUndefined()
    })
  })

  describe('fields', () => {
    // https://docs.slack.dev/reference/methods/users.list
    it('maps the documented members', () => {
      expect(toRecord(slack, 'user', page1.body.members[0])).toEqual({
        id: 'W012A3CDE',
        username: 'spengler',
        realName: 'Egon Spengler',
        displayName: 'spengler',
        email: 'spengler@ghostbusters.example.com',
        title: undefined,
        avatarUrl: 'https://.../avatar/e3b51ca72dee4ef87916ae2b9240df50.jpg',
        timeZone: 'America/Los_Angeles',
        isAdmin: true,
        isBot: false,
        deleted: false,
        updated: 1502138686,
      })
      expect(toRecord(slack, 'user', page1.body.members[1])).toMatchObject({ id: 'W07QCRPA4', realName: 'Glinda Southgood', displayName: 'Glinda the Fairly Good', title: 'Glinda the Good', email: 'glenda@south.oz.coven' })
    })

    // https://docs.slack.dev/reference/methods/conversations.list
    it('maps the documented channels', () => {
      expect(toRecord(slack, 'channel', conversations.body.channels[0])).toEqual({
        id: 'C012AB3CD',
        name: 'general',
        topic: 'Company-wide announcements and work-based matters',
        purpose: 'This channel is for team-wide communication and announcements. All team members are in this channel.',
        isPrivate: false,
        isArchived: false,
        isGeneral: true,
        isMember: true,
        numMembers: 4,
        creator: 'U012A3CDE',
        created: 1449252889,
      })
      expect(toRecord(slack, 'channel', conversations.body.channels[1])).toMatchObject({ name: 'random', purpose: undefined })
    })

    it('syncs both lists in full, marking deactivated members deleted', () => {
      expect(slack.syncs.users).toMatchObject({ object: 'user', mode: 'full', deletedWhen: { path: 'deleted', equals: true } })
      expect(slack.syncs.channels).toMatchObject({ object: 'channel', mode: 'full' })
      expect(page2.body.members[0]!.deleted).toBe(true)
    })

    it('drops the often-changing status from members before they are stored, and nothing else', () => {
      const member = page1.body.members[0]!
      const stored = slack.hooks.syncItem?.(member, { name: 'users', model: 'user' }) as typeof member
      expect(stored.profile).not.toHaveProperty('status_text')
      expect(stored.profile).not.toHaveProperty('status_emoji')
      expect(stored).toEqual({ ...member, profile: Object.fromEntries(Object.entries(member.profile).filter(([k]) => !k.startsWith('status_'))) })
      expect(member.profile.status_text).toBe('Print is dead')
      expect(slack.hooks.syncItem?.(conversations.body.channels[0], { name: 'channels', model: 'channel' })).toBe(conversations.body.channels[0])
      expect(withoutStatus(null)).toBeNull()
    })
  })

  it('maps members to the common user: the check passes with no warnings, and the documented member maps', () => {
    const object = slack.objects.user!
    const mapping = mappingSchema.parse({ model: 'user', fields: object.defaultMapping })
    expect(checkMapping(COMMON_MODELS.user, providerFieldsOf(object), mapping)).toEqual({ ok: true, errors: [], warnings: [] })
    expect(applyMapping(COMMON_MODELS.user, mapping, page1.body.members[0])).toEqual({
      value: { name: 'Egon Spengler', email: 'spengler@ghostbusters.example.com', username: 'spengler', avatarUrl: 'https://.../avatar/e3b51ca72dee4ef87916ae2b9240df50.jpg', createdAt: null },
      errors: [],
    })
  })

  // https://docs.slack.dev/reference/methods/auth.test
  it('labels the account with the team name from auth.test, and ignores ok:false answers', () => {
    expect(slack.accountInfo).toEqual({ path: '/auth.test' })
    expect(slack.hooks.accountLabel?.(authTest.body)).toBe('Subarachnoid Workspace')
    expect(slack.hooks.accountLabel?.({ ...authTest.body, team: '' })).toBe('https://subarachnoid.slack.com/')
    expect(slack.hooks.accountLabel?.(slackError.body)).toBeUndefined()
    expect(slack.hooks.accountLabel?.(null)).toBeUndefined()
  })

  // https://docs.slack.dev/reference/methods/chat.postMessage
  describe('post_message', () => {
    const input = slack.actions.post_message!.input
    it('posts JSON to chat.postMessage', () => {
      expect(slack.actions.post_message).toMatchObject({ method: 'POST', path: '/chat.postMessage' })
      const body = { channel: 'C012AB3CD', text: 'Hello world :tada:' }
      expect(input.parse(body)).toEqual(body)
      expect(input.safeParse({ channel: 'general', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Hello' } }] }).success).toBe(true)
      expect(input.safeParse({ channel: 'C012AB3CD', text: 'In thread', thread_ts: '1503435956.000247', reply_broadcast: true }).success).toBe(true)
    })
    it('needs text or blocks, a channel id or name, and refuses unknown keys and over-long text', () => {
      expect(input.safeParse({ channel: 'C012AB3CD' }).success).toBe(false)
      expect(input.safeParse({ channel: 'General Chat', text: 'x' }).success).toBe(false)
      expect(input.safeParse({ channel: 'C012AB3CD', text: 'x', as_user: true }).success).toBe(false)
      expect(input.safeParse({ channel: 'C012AB3CD', text: 'x'.repeat(40_001) }).success).toBe(false)
      expect(input.safeParse({ channel: 'C012AB3CD', text: 'x', reply_broadcast: true }).success).toBe(false)
      expect(input.safeParse({ channel: 'C012AB3CD', text: 'x', thread_ts: 'yesterday' }).success).toBe(false)
    })
  })

  // https://docs.slack.dev/reference/methods/conversations.list ("Typical error response", HTTP 200)
  it('reads a 200 with ok: false as an error, named by `error`; an ok answer is not one', () => {
    expect(bodyError(slack.http.errorWhen, slackError.body)).toEqual({ message: 'invalid_auth' })
    expect(bodyError(slack.http.errorWhen, conversations.body)).toBeUndefined()
  })
})
