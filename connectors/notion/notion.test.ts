import { describe, expect, it } from 'vitest'
import { COMMON_MODELS } from '../common-models'
import { connectorSchema } from '../schema'
import { authorizationUrl, toRecord, walk } from '../testing'
import { applyMapping } from '../../server/src/mapping/apply'
import { checkMapping, providerFieldsOf } from '../../server/src/mapping/check'
import { mappingSchema } from '../../server/src/mapping/schema'
import createPage from './fixtures/create-page.json' with { type: 'json' }
import me from './fixtures/me.json' with { type: 'json' }
import token from './fixtures/token-response.json' with { type: 'json' }
import page1 from './fixtures/users-page-1.json' with { type: 'json' }
import page2 from './fixtures/users-page-2.json' with { type: 'json' }
import notion, { NOTION_VERSION, workspaceFromToken } from './index'

describe('notion connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(notion)).toEqual(notion)
    expect(notion.id).toBe('notion')
  })

  // https://developers.notion.com/docs/authorization, https://developers.notion.com/reference/create-a-token
  describe('auth', () => {
    it('uses the public-integration endpoints, HTTP Basic client authentication, refresh, and no PKCE or RFC 7009 revocation', () => {
      expect(notion.auth).toMatchObject({
        type: 'oauth2',
        authorizationUrl: 'https://api.notion.com/v1/oauth/authorize',
        tokenUrl: 'https://api.notion.com/v1/oauth/token',
        clientAuth: 'client_secret_basic',
        pkce: false,
        refreshable: true,
        scopes: [],
      })
      expect(notion.auth.type === 'oauth2' && notion.auth.revocationUrl).toBeFalsy()
    })

    it('sends owner=user and no scope', () => {
      const url = authorizationUrl(notion, { clientId: '463558a3-725e-4f37-b6d3-0889894f68de', redirectUri: 'https://app.example/cb', state: 's1', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' })
      expect(url.origin + url.pathname).toBe('https://api.notion.com/v1/oauth/authorize')
      expect(url.searchParams.get('owner')).toBe('user')
      expect(url.searchParams.get('response_type')).toBe('code')
      expect(url.searchParams.has('scope')).toBe(false)
      expect(url.searchParams.has('code_challenge')).toBe(false)
    })

    it('sends the Notion-Version header on every request', () => {
      expect(notion.http.headers).toEqual({ 'Notion-Version': NOTION_VERSION })
      expect(NOTION_VERSION).toBe('2026-03-11')
    })
  })

  describe('token response → connection config', () => {
    it('stores the workspace id and name and the bot id of the guide’s example', () => {
      expect(notion.hooks.afterTokenResponse?.(token.body)).toEqual({
        workspaceId: 'j565j4d7x3-2882-61bs-564a-jj9d9ui-c36hxfr7x',
        workspaceName: "Ada's Notion Workspace",
        botId: 'b3414d659-1224-5ty7-6ffr-cc9d8773drt601288f',
      })
    })

    it('reads the current reference shape (UUID ids, refresh token, a user owner)', () => {
      expect(workspaceFromToken(token.reference.body)).toEqual({
        workspaceId: '3c90c3cc-0d44-4b50-8888-8dd25736052a',
        workspaceName: "Ada's Notion Workspace",
        botId: '3c90c3cc-0d44-4b50-8888-8dd25736052a',
      })
    })

    it('leaves out a null name and values that do not fit the declared patterns', () => {
      expect(workspaceFromToken({ ...token.body, workspace_name: null })).toEqual({ workspaceId: token.body.workspace_id, botId: token.body.bot_id })
      expect(workspaceFromToken({ workspace_id: 'x/../y', workspace_name: 'line\nbreak', bot_id: 42 })).toEqual({})
      expect(workspaceFromToken({ workspace_id: 'a'.repeat(64), workspace_name: 'n'.repeat(201) })).toEqual({})
    })

    it('declares those values as token-sourced config, never asked in the connect form', () => {
      expect(Object.entries(notion.connectionConfig).map(([k, f]) => [k, f.source])).toEqual([
        ['workspaceId', 'token'],
        ['workspaceName', 'token'],
        ['botId', 'token'],
      ])
      for (const [name, value] of Object.entries(workspaceFromToken(token.body))) {
        expect(new RegExp(`^(?:${notion.connectionConfig[name]!.pattern})$`).test(value), name).toBe(true)
      }
    })
  })

  // https://developers.notion.com/reference/request-limits
  it('budgets three requests per second and retries 429 and 529', () => {
    expect(notion.http.rateLimit).toMatchObject({ requests: 3, windowMs: 1_000 })
    expect(notion.http.retry.on).toEqual([429, 502, 503, 504, 529])
  })

  // https://developers.notion.com/reference/intro#pagination
  describe('pagination (next_cursor → start_cursor while has_more, page_size ≤ 100)', () => {
    it('walks the documented users pages to the end', () => {
      const { urls, items } = walk(notion, 'user', (url) => (url.searchParams.has('start_cursor') ? page2 : page1))
      expect(urls.map((u) => u.href)).toEqual(['https://api.notion.com/v1/users?page_size=100', 'https://api.notion.com/v1/users?page_size=100&start_cursor=fe2cc560-036c-44cd-90e8-294d5a74cebc'])
      expect(items.map((u) => (u as { name: string }).name)).toEqual(['Avocado Lovelace', 'Doug Engelbot', 'Ada Example'])
    })

    it('stops when has_more is false even if a cursor is present', () => {
      const { urls } = walk(notion, 'user', () => ({ body: { ...page1.body, has_more: false } }))
      expect(urls).toHaveLength(1)
    })
  })

  describe('users', () => {
    // https://developers.notion.com/reference/get-users
    it('maps the documented person and bot', () => {
      expect(toRecord(notion, 'user', page1.body.results[0])).toEqual({
        id: 'd40e767c-d7af-4b18-a86d-55c61f1e39a4',
        type: 'person',
        name: 'Avocado Lovelace',
        email: 'avo@example.org',
        avatarUrl: 'https://secure.notion-static.com/e6a352a8-8381-44d0-a1dc-9ed80e62b53d.jpg',
      })
      expect(toRecord(notion, 'user', page1.body.results[1])).toMatchObject({ type: 'bot', name: 'Doug Engelbot', email: undefined })
    })

    it('is the only sync, in full: pages and data sources are listed by POST endpoints', () => {
      expect(Object.keys(notion.objects)).toEqual(['user'])
      expect(notion.syncs).toMatchObject({ users: { object: 'user', mode: 'full' } })
    })

    it('maps to the common user: the check passes with no warnings, and the documented person maps', () => {
      const object = notion.objects.user!
      const mapping = mappingSchema.parse({ model: 'user', fields: object.defaultMapping })
      expect(checkMapping(COMMON_MODELS.user, providerFieldsOf(object), mapping)).toEqual({ ok: true, errors: [], warnings: [] })
      expect(applyMapping(COMMON_MODELS.user, mapping, page1.body.results[0])).toEqual({
        value: { name: 'Avocado Lovelace', email: 'avo@example.org', username: null, avatarUrl: 'https://secure.notion-static.com/e6a352a8-8381-44d0-a1dc-9ed80e62b53d.jpg', createdAt: null },
        errors: [],
      })
    })
  })

  // https://developers.notion.com/reference/get-self
  it('labels the account with the workspace name, else the bot name, from GET /v1/users/me', () => {
    expect(notion.accountInfo).toEqual({ path: '/v1/users/me' })
    expect(notion.hooks.accountLabel?.(me.body)).toBe('pied piper')
    expect(notion.hooks.accountLabel?.({ ...me.body, bot: { ...me.body.bot, workspace_name: 'Notion Team' } })).toBe('Notion Team')
    expect(notion.hooks.accountLabel?.({ object: 'error', status: 401, code: 'unauthorized' })).toBeUndefined()
    expect(notion.hooks.accountLabel?.(null)).toBeUndefined()
  })

  // https://developers.notion.com/reference/post-page
  describe('create_page', () => {
    const input = notion.actions.create_page!.input
    it('posts the documented request to /v1/pages', () => {
      expect(notion.actions.create_page).toMatchObject({ method: 'POST', path: '/v1/pages' })
      expect(input.parse(createPage.request)).toEqual(createPage.request)
      const underPage = { parent: { page_id: '59833787-2cf9-4fdf-8782-e53db20768a5' }, properties: { title: { title: [{ text: { content: 'Notes' } }] } }, children: [{ object: 'block', type: 'paragraph', paragraph: { rich_text: [{ type: 'text', text: { content: 'Hello' } }] } }] }
      expect(input.parse(underPage)).toEqual(underPage)
      expect(input.safeParse({ parent: { workspace: true }, properties: {} }).success).toBe(true)
      expect(input.safeParse({ properties: {} }).success).toBe(true)
    })
    it('refuses two parents, non-UUID ids, unknown keys and more than 100 blocks', () => {
      expect(input.safeParse({ parent: { page_id: '59833787-2cf9-4fdf-8782-e53db20768a5', data_source_id: 'd9824bdc-8445-4327-be8b-5b47500af6ce' } }).success).toBe(false)
      expect(input.safeParse({ parent: { page_id: '../../v1/users' } }).success).toBe(false)
      expect(input.safeParse({ parent: { workspace: false } }).success).toBe(false)
      expect(input.safeParse({ ...createPage.request, archived: true }).success).toBe(false)
      expect(input.safeParse({ ...createPage.request, children: Array.from({ length: 101 }, () => ({ type: 'divider', divider: {} })) }).success).toBe(false)
    })
  })
})
