/**
 * The Trello connector against Trello's documentation. Fixtures are written after the object
 * definitions (https://developer.atlassian.com/cloud/trello/guides/rest-api/object-definitions/),
 * with the API reference's example ids; the three-legged flow and the signatures are tested against
 * a fake provider in test/oauth1-flow.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { COMMON_MODELS } from '../common-models'
import { connectorSchema } from '../schema'
import { toRecord, walk } from '../testing'
import { applyMapping } from '../../server/src/mapping/apply'
import { checkMapping, providerFieldsOf } from '../../server/src/mapping/check'
import { mappingSchema } from '../../server/src/mapping/schema'
import { actionRequest } from '../../server/src/services/actions'
import boards from './fixtures/boards.json' with { type: 'json' }
import cards from './fixtures/cards.json' with { type: 'json' }
import me from './fixtures/member-me.json' with { type: 'json' }
import trello, { BOARD_FIELDS, CARD_FIELDS } from './index'

const BASE = 'https://api.trello.com/1'

describe('trello connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(trello)).toEqual(trello)
    expect(trello.id).toBe('trello')
    expect(trello.categories).toEqual(['productivity'])
  })

  // https://developer.atlassian.com/cloud/trello/guides/rest-api/authorization/
  it('uses the documented OAuth 1.0a endpoints, HMAC-SHA1, read scope by default and a token that does not expire', () => {
    expect(trello.auth).toEqual({
      type: 'oauth1',
      requestTokenUrl: 'https://trello.com/1/OAuthGetRequestToken',
      authorizationUrl: 'https://trello.com/1/OAuthAuthorizeToken',
      accessTokenUrl: 'https://trello.com/1/OAuthGetAccessToken',
      signatureMethod: 'HMAC-SHA1',
      scopes: ['read'],
      scopeParam: 'scope',
      scopeSeparator: ',',
      authorizationParams: { expiration: 'never', name: '{integrationName}' },
    })
  })

  // https://developer.atlassian.com/cloud/trello/guides/rest-api/rate-limits/
  it('keeps to 100 requests per 10 s per token and retries 429', () => {
    expect(trello.http.rateLimit).toMatchObject({ requests: 100, windowMs: 10_000 })
    expect(trello.http.retry.on).toContain(429)
  })

  it('labels the account from GET /members/me', () => {
    expect(trello.accountInfo).toEqual({ path: '/members/me' })
    expect(trello.hooks.accountLabel!(me)).toBe('Bob Loblaw (bobloblaw)')
    expect(trello.hooks.accountLabel!({ username: 'bobloblaw', fullName: '' })).toBe('bobloblaw')
    expect(trello.hooks.accountLabel!(null)).toBeUndefined()
  })

  // https://developer.atlassian.com/cloud/trello/rest/api-group-members/#api-members-id-boards-get
  it('lists every board of the member in one request, with the fields it declares', () => {
    const { urls, items } = walk(trello, 'board', () => ({ body: boards }))
    expect(urls).toHaveLength(1)
    expect(urls[0]!.origin + urls[0]!.pathname).toBe(`${BASE}/members/me/boards`)
    expect(Object.fromEntries(urls[0]!.searchParams)).toEqual({ filter: 'all', fields: BOARD_FIELDS.join(',') })
    expect(items).toHaveLength(2)
    expect(toRecord(trello, 'board', items[1])).toMatchObject({ id: '5abbe4b7ddc1b351ef961401', name: 'Archived plans', closed: true, idOrganization: null })
    expect(Object.keys(trello.objects.board!.fields).sort()).toEqual([...BOARD_FIELDS].sort())
  })

  // https://developer.atlassian.com/cloud/trello/rest/api-group-members/#api-members-id-cards-get
  it('lists the cards the member is on, archived ones included, and maps them to issues', () => {
    const { urls, items } = walk(trello, 'card', () => ({ body: cards }))
    expect(urls).toHaveLength(1)
    expect(urls[0]!.origin + urls[0]!.pathname).toBe(`${BASE}/members/me/cards`)
    expect(Object.fromEntries(urls[0]!.searchParams)).toEqual({ filter: 'all' })
    expect(Object.keys(trello.objects.card!.fields).sort()).toEqual([...CARD_FIELDS].sort())
    const card = trello.objects.card!
    const model = COMMON_MODELS.issue
    const mapping = mappingSchema.parse({ model: 'issue', fields: card.defaultMapping })
    expect(checkMapping(model, providerFieldsOf(card), mapping).errors).toEqual([])
    const applied = applyMapping(model, mapping, items[0])
    expect(applied.errors).toEqual([])
    expect(applied.value).toMatchObject({
      title: '👋 What? Why? How?',
      body: "👋 Hey there,\n\nTrello's Platform team uses this board to keep developers up-to-date.",
      url: 'https://trello.com/c/GRSA8gzZ/1-what-why-how',
      updatedAt: '2026-11-29T16:42:11.012Z',
    })
  })

  it('syncs boards and cards in full (these lists take no changed-since filter)', () => {
    expect(Object.entries(trello.syncs).map(([name, s]) => [name, s.object, s.mode])).toEqual([
      ['boards', 'board', 'full'],
      ['cards', 'card', 'full'],
    ])
  })

  // https://developer.atlassian.com/cloud/trello/rest/api-group-cards/#api-cards-post
  describe('create_card', () => {
    const action = trello.actions.create_card!
    it('POSTs /cards form-encoded (so the OAuth 1.0a signature covers the parameters)', () => {
      const input = action.input.parse({ idList: '5abbe4b7ddc1b351ef961414', name: 'New card', pos: 'top', due: '2026-12-24T12:00:00Z', idMembers: '5abbe4b7ddc1b351ef961414,5abbe4b7ddc1b351ef961415' })
      const request = actionRequest(action, input)
      expect(action.method).toBe('POST')
      expect(request.path).toBe('/cards')
      expect(Object.fromEntries(request.form)).toEqual({ idList: '5abbe4b7ddc1b351ef961414', name: 'New card', pos: 'top', due: '2026-12-24T12:00:00Z', idMembers: '5abbe4b7ddc1b351ef961414,5abbe4b7ddc1b351ef961415' })
    })

    it('needs a list id; refuses unknown fields, bad ids and positions', () => {
      expect(action.input.safeParse({ idList: '5abbe4b7ddc1b351ef961414' }).success).toBe(true)
      expect(action.input.safeParse({ idList: '5abbe4b7ddc1b351ef961414', pos: 12.5 }).success).toBe(true)
      expect(action.input.safeParse({ name: 'x' }).success).toBe(false)
      expect(action.input.safeParse({ idList: '../boards' }).success).toBe(false)
      expect(action.input.safeParse({ idList: '5abbe4b7ddc1b351ef961414', pos: 'middle' }).success).toBe(false)
      expect(action.input.safeParse({ idList: '5abbe4b7ddc1b351ef961414', idMembers: 'bob' }).success).toBe(false)
      expect(action.input.safeParse({ idList: '5abbe4b7ddc1b351ef961414', nmae: 'typo' }).success).toBe(false)
    })
  })
})
