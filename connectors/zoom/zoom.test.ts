import { describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { authorizationUrl, mapDefault, toRecord, walk } from '../testing'
import { actionRequest } from '../../server/src/services/actions'
import createMeeting from './fixtures/create-meeting.json' with { type: 'json' }
import meetings1 from './fixtures/meetings-page-1.json' with { type: 'json' }
import meetings2 from './fixtures/meetings-page-2.json' with { type: 'json' }
import rateLimited from './fixtures/rate-limit-429.json' with { type: 'json' }
import token from './fixtures/token-response.json' with { type: 'json' }
import usersMe from './fixtures/users-me.json' with { type: 'json' }
import users from './fixtures/users.json' with { type: 'json' }
import zoom from './index'

const BASE = 'https://api.zoom.us/v2'

const mapped = (object: string, record: unknown) => mapDefault(zoom, object, record)

describe('zoom connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(zoom)).toEqual(zoom)
    expect(zoom.id).toBe('zoom')
  })

  // https://developers.zoom.us/docs/integrations/oauth/ and https://developers.zoom.us/docs/api/
  describe('auth', () => {
    it('uses zoom.us/oauth with the client in a Basic header, PKCE and refresh tokens', () => {
      expect(zoom.auth).toMatchObject({ type: 'oauth2', authorizationUrl: 'https://zoom.us/oauth/authorize', tokenUrl: 'https://zoom.us/oauth/token', clientAuth: 'client_secret_basic', pkce: true, refreshable: true })
      expect(zoom.auth.type === 'oauth2' && zoom.auth.revocationUrl).toBeUndefined()
    })

    // https://developers.zoom.us/docs/integrations/oauth-scopes-granular/
    it('asks for user-level granular scopes only, space-separated, with an S256 challenge', () => {
      const url = authorizationUrl(zoom, { clientId: 'CLIENT_ID', redirectUri: 'https://app.example/cb', state: 'STATE', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' })
      expect(url.origin + url.pathname).toBe('https://zoom.us/oauth/authorize')
      expect(url.searchParams.get('response_type')).toBe('code')
      expect(url.searchParams.get('code_challenge_method')).toBe('S256')
      expect(url.searchParams.get('scope')).toBe('user:read:user meeting:read:list_meetings meeting:write:meeting')
      expect(zoom.auth.type === 'oauth2' && zoom.auth.scopes.some((s) => s.endsWith(':admin'))).toBe(false)
    })

    it('needs no token-response hook: the documented answer is a bearer token with a refresh token', () => {
      expect(token.body).toMatchObject({ token_type: 'bearer', expires_in: 3599 })
      expect(typeof token.body.refresh_token).toBe('string')
      expect(zoom.hooks.afterTokenResponse).toBeUndefined()
    })
  })

  // https://developers.zoom.us/docs/api/rate-limits/
  it('reads X-RateLimit-Limit/Remaining, declares no reset header or budget, and retries 429', () => {
    expect(zoom.http.rateLimit).toEqual({ limitHeader: 'X-RateLimit-Limit', remainingHeader: 'X-RateLimit-Remaining', resetUnit: 'epoch_s' })
    expect(rateLimited.headers).toMatchObject({ 'X-RateLimit-Limit': '30000', 'X-RateLimit-Remaining': '0' })
    expect(zoom.http.retry.on).toContain(rateLimited.status)
  })

  // https://developers.zoom.us/docs/api/meetings/#tag/meetings/GET/users/{userId}/meetings
  describe('meetings (List meetings, next_page_token)', () => {
    it('lists the connected user’s scheduled meetings 300 a page until next_page_token is empty', () => {
      const { urls, items } = walk(zoom, 'meeting', (url) => (url.searchParams.has('next_page_token') ? meetings2 : meetings1))
      expect(urls).toHaveLength(2)
      expect(urls[0]!.href).toBe(`${BASE}/users/me/meetings?type=scheduled&page_size=300`)
      expect(urls[1]!.searchParams.get('next_page_token')).toBe('Tva2CuIdTgsv8wAnhyAdU3m06Y2HuLQtlh3')
      expect(urls[1]!.searchParams.get('type')).toBe('scheduled')
      expect(items.map((m) => (m as { id: number }).id)).toEqual([97763643886, 81029384756])
    })

    it('maps the documented meeting', () => {
      expect(toRecord(zoom, 'meeting', meetings1.body.meetings[0])).toEqual({
        id: 97763643886,
        uuid: 'aDYlohsHRtCd4ii1uC2+hA==',
        topic: 'My Meeting',
        type: 2,
        startTime: '2022-03-23T06:00:00Z',
        duration: 60,
        timezone: 'America/Los_Angeles',
        agenda: 'My Meeting',
        joinUrl: 'https://example.com/j/11111',
        hostId: '30R7kT7bTIKSNUFEuH_Qlg',
        createdAt: '2022-03-23T05:31:16Z',
      })
      expect(toRecord(zoom, 'meeting', meetings2.body.meetings[0])).toMatchObject({ type: 3, startTime: undefined })
    })

    it('maps to the event model by default, the join link as the location', () => {
      const { check, result } = mapped('meeting', meetings1.body.meetings[0])
      expect(check.errors).toEqual([])
      expect(result).toEqual({ value: { title: 'My Meeting', description: 'My Meeting', startAt: '2022-03-23T06:00:00.000Z', endAt: null, location: 'https://example.com/j/11111', createdAt: '2022-03-23T05:31:16.000Z', updatedAt: null }, errors: [] })
    })
  })

  // https://developers.zoom.us/docs/api/users/#tag/users/GET/users
  describe('users (List users)', () => {
    it('reads `users` 300 a page, active only, and stops on the empty next_page_token', () => {
      const { urls, items } = walk(zoom, 'user', () => users)
      expect(urls.map((u) => u.href)).toEqual([`${BASE}/users?status=active&page_size=300`])
      expect(items).toHaveLength(1)
    })

    it('maps the documented user, and to the user model', () => {
      expect(toRecord(zoom, 'user', users.body.users[0])).toEqual({
        id: 'KDcuGIm1QgePTO8WbOqwIQ',
        email: 'jchill@example.com',
        firstName: 'Jill',
        lastName: 'Chill',
        displayName: 'Jill Chill',
        type: 1,
        status: 'active',
        department: 'Developers',
        timezone: 'Asia/Shanghai',
        picUrl: 'https://example.com/photo.jpg',
        createdAt: '2019-06-01T07:58:03Z',
        lastLoginTime: '2019-06-01T07:58:03Z',
      })
      const { check, result } = mapped('user', users.body.users[0])
      expect(check.errors).toEqual([])
      expect(result.value).toEqual({ name: 'Jill Chill', email: 'jchill@example.com', username: null, avatarUrl: 'https://example.com/photo.jpg', createdAt: '2019-06-01T07:58:03.000Z' })
    })
  })

  it('syncs in full: no list has a changed-since parameter', () => {
    expect(Object.values(zoom.syncs).map((s) => [s.object, s.mode])).toEqual([
      ['meeting', 'full'],
      ['user', 'full'],
    ])
  })

  // https://developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId}
  it('labels the account from /users/me', () => {
    expect(zoom.accountInfo).toEqual({ path: '/users/me' })
    expect(zoom.hooks.accountLabel!(usersMe.body)).toBe('Jill Chill (jchill@example.com)')
    expect(zoom.hooks.accountLabel!({ email: 'jchill@example.com' })).toBe('jchill@example.com')
    expect(zoom.hooks.accountLabel!(null)).toBeUndefined()
  })

  // https://developers.zoom.us/docs/api/meetings/#tag/meetings/POST/users/{userId}/meetings
  describe('create_meeting', () => {
    const action = zoom.actions.create_meeting!
    it('posts the documented request as JSON to /users/me/meetings', () => {
      const input = action.input.parse(createMeeting.request)
      expect(input).toEqual(createMeeting.request)
      const request = actionRequest(action, input)
      expect(action.method).toBe('POST')
      expect(request.path).toBe('/users/me/meetings')
      expect(request.json).toEqual(createMeeting.request)
    })

    it('defaults to a scheduled meeting, which needs a start time; an instant one does not', () => {
      expect(action.input.safeParse({ topic: 'Sync' }).success).toBe(false)
      expect(action.input.parse({ topic: 'Sync', start_time: '2022-03-25T07:29:29Z' })).toEqual({ topic: 'Sync', type: 2, start_time: '2022-03-25T07:29:29Z' })
      expect(action.input.safeParse({ topic: 'Now', type: 1 }).success).toBe(true)
      expect(action.input.safeParse({ topic: 'Sync', type: 5 }).success).toBe(false)
      expect(action.input.safeParse({ topic: 'Sync', type: 1, start_time: '25/03/2022' }).success).toBe(false)
      expect(action.input.safeParse({ topic: 'Sync', type: 1, password: 'more than ten chars' }).success).toBe(false)
      expect(action.input.safeParse({ topic: 'Sync', type: 1, topc: 'typo' }).success).toBe(false)
      expect(action.input.safeParse({ topic: '', type: 1 }).success).toBe(false)
    })
  })
})
