import { describe, expect, it } from 'vitest'
import { COMMON_MODELS } from '../common-models'
import { connectorSchema, type Connector } from '../schema'
import { authorizationUrl, toRecord, walk } from '../testing'
import { applyMapping } from '../../server/src/mapping/apply'
import { checkMapping, providerFieldsOf } from '../../server/src/mapping/check'
import { mappingSchema } from '../../server/src/mapping/schema'
import { renderUrl, validateConnectionConfig } from '../../server/src/services/integrations'
import issues from './fixtures/issues.json' with { type: 'json' }
import linkHeaders from './fixtures/link-headers.json' with { type: 'json' }
import projects from './fixtures/projects.json' with { type: 'json' }
import token from './fixtures/token-response.json' with { type: 'json' }
import user from './fixtures/user.json' with { type: 'json' }
import gitlab from './index'

/** The connector with its templated URLs rendered for one host, as the engine does per connection. */
function forHost(host: string): Connector {
  const config = validateConnectionConfig(gitlab, { host })
  if (gitlab.auth.type !== 'oauth2') throw new Error('unexpected auth')
  return {
    ...gitlab,
    auth: { ...gitlab.auth, authorizationUrl: renderUrl(gitlab.auth.authorizationUrl, config), tokenUrl: renderUrl(gitlab.auth.tokenUrl, config) },
    http: { ...gitlab.http, baseUrl: renderUrl(gitlab.http.baseUrl, config) },
  }
}

describe('gitlab connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(gitlab)).toEqual(gitlab)
    expect(gitlab.id).toBe('gitlab')
  })

  // https://docs.gitlab.com/api/oauth2/
  describe('auth', () => {
    it('uses the instance’s /oauth endpoints, PKCE, the secret in the body, refresh and RFC 7009 revocation', () => {
      expect(gitlab.auth).toMatchObject({
        type: 'oauth2',
        authorizationUrl: 'https://{host}/oauth/authorize',
        tokenUrl: 'https://{host}/oauth/token',
        revocationUrl: 'https://{host}/oauth/revoke',
        clientAuth: 'client_secret_post',
        pkce: true,
        refreshable: true,
      })
      expect(gitlab.http.baseUrl).toBe('https://{host}/api/v4')
    })

    // https://docs.gitlab.com/integration/oauth_provider/#view-all-authorized-applications
    it('asks for read_api only, and builds the authorization URL on gitlab.com and on a self-managed host', () => {
      const params = { clientId: 'APP_ID', redirectUri: 'https://app.example/cb', state: 'STATE', codeChallenge: '2i0WFA-0AerkjQm4X4oDEhqA17QIAKNjXpagHBXmO_U' }
      const com = authorizationUrl(forHost('gitlab.com'), params)
      expect(com.origin + com.pathname).toBe('https://gitlab.com/oauth/authorize')
      expect(com.searchParams.get('scope')).toBe('read_api')
      expect(com.searchParams.get('code_challenge')).toBe('2i0WFA-0AerkjQm4X4oDEhqA17QIAKNjXpagHBXmO_U')
      expect(com.searchParams.get('code_challenge_method')).toBe('S256')
      const own = authorizationUrl(forHost('gitlab.example.com'), params)
      expect(own.origin + own.pathname).toBe('https://gitlab.example.com/oauth/authorize')
      expect(forHost('gitlab.example.com').http.baseUrl).toBe('https://gitlab.example.com/api/v4')
      expect(gitlab.auth.type === 'oauth2' && gitlab.auth.scopes).toEqual(['read_api'])
    })

    // The documented token response is standard (bearer, expires_in, refresh_token): no hook needed.
    it('needs no token-response hook: the documented answer is a plain RFC 6749 bearer token with a refresh token', () => {
      expect(token.body).toMatchObject({ token_type: 'bearer', expires_in: 7200 })
      expect(typeof token.body.refresh_token).toBe('string')
      expect(gitlab.hooks.afterTokenResponse).toBeUndefined()
    })
  })

  describe('the host the end user enters', () => {
    it('accepts host names', () => {
      for (const host of ['gitlab.com', 'gitlab.example.com', 'code.my-company.co.uk', 'git.xn--bcher-kva.example']) {
        expect(validateConnectionConfig(gitlab, { host }), host).toEqual({ host })
      }
    })

    it('refuses anything that could move the token elsewhere: schemes, paths, ports, credentials, IPs, localhost', () => {
      const bad = [
        'https://gitlab.com',
        'gitlab.com/evil',
        'gitlab.com:8443',
        'user@evil.com',
        'evil.com#gitlab.com',
        'evil.com?x=gitlab.com',
        'gitlab.com.',
        'localhost',
        '127.0.0.1',
        '169.254.169.254',
        '10.0.0.1',
        '0x7f.1',
        '1.0x7f',
        '[::1]',
        '::1',
        'gitlab com',
        '-gitlab.com',
        '',
      ]
      for (const host of bad) expect(() => validateConnectionConfig(gitlab, { host }), host).toThrow()
    })

    it('defaults to gitlab.com when the end user names no instance', () => {
      expect(validateConnectionConfig(gitlab, {})).toEqual({ host: 'gitlab.com' })
    })
  })

  // https://docs.gitlab.com/administration/settings/user_and_ip_rate_limits/#response-headers
  it('reads the documented RateLimit-* headers, reset in Unix seconds, and retries 429', () => {
    expect(gitlab.http.rateLimit).toMatchObject({ limitHeader: 'RateLimit-Limit', remainingHeader: 'RateLimit-Remaining', resetHeader: 'RateLimit-Reset', resetUnit: 'epoch_s' })
    expect(gitlab.http.rateLimit?.requests).toBeUndefined()
    expect(Number(linkHeaders.rateLimitHeaders.headers['RateLimit-Reset'])).toBe(1609844400)
    expect(gitlab.http.retry.on).toContain(429)
  })

  // https://docs.gitlab.com/api/rest/#pagination
  describe('pagination (Link rel="next", per_page ≤ 100)', () => {
    const base = 'https://gitlab.example.com/api/v4'

    it('walks the projects with keyset pagination until the Link header is gone', () => {
      const { urls, items } = walk(
        gitlab,
        'project',
        (url) => {
          const after = url.searchParams.get('id_after')
          if (after === null) {
            // The documented keyset answer: the next link adds `id_after` to the same query.
            const next = new URL(url)
            next.searchParams.set('id_after', '4')
            return { body: [projects.body[0]], headers: { link: `<${next.href}>; rel="next"` } }
          }
          return { body: [projects.body[1]], headers: {} }
        },
        { baseUrl: base },
      )
      expect(urls[0]!.href).toBe(`${base}/projects?membership=true&simple=true&pagination=keyset&order_by=id&sort=asc&per_page=100`)
      expect(urls[1]!.searchParams.get('id_after')).toBe('4')
      expect(items.map((p) => (p as { id: number }).id)).toEqual([4, 6])
    })

    it('follows the documented keyset Link header as given', () => {
      const { urls } = walk(gitlab, 'project', (url) => (url.searchParams.has('id_after') ? { body: [] } : { body: projects.body, headers: new Headers({ Link: linkHeaders.keyset.link }) }), { baseUrl: base })
      expect(urls.map((u) => u.href)).toEqual([`${base}/projects?membership=true&simple=true&pagination=keyset&order_by=id&sort=asc&per_page=100`, 'https://gitlab.example.com/api/v4/projects?pagination=keyset&per_page=50&order_by=id&sort=asc&id_after=42'])
    })

    it('walks the issues by offset pages, following rel="next" among prev/first/last', () => {
      const last = 3
      const { urls, items } = walk(
        gitlab,
        'issue',
        (url) => {
          const page = Number(url.searchParams.get('page') ?? '1')
          const at = (p: number) => {
            const u = new URL(url)
            u.searchParams.set('page', String(p))
            return `<${u.href}>`
          }
          // The documented shape (offset example): prev, next, first, last, only those that apply.
          const link = [page > 1 && `${at(page - 1)}; rel="prev"`, page < last && `${at(page + 1)}; rel="next"`, `${at(1)}; rel="first"`, `${at(last)}; rel="last"`].filter(Boolean).join(', ')
          return { body: issues.body.map((i) => ({ ...i, id: i.id * 10 + page })), headers: { link } }
        },
        { baseUrl: base },
      )
      expect(urls.map((u) => u.searchParams.get('page'))).toEqual([null, '2', '3'])
      expect(urls[0]!.href).toBe(`${base}/issues?scope=all&order_by=updated_at&sort=desc&per_page=100`)
      expect(items).toHaveLength(3)
    })

    it('refuses a next link to another host (the token is sent on every page)', () => {
      expect(() => walk(gitlab, 'issue', () => ({ body: issues.body, headers: { link: '<https://evil.example/api/v4/issues?page=2>; rel="next"' } }), { baseUrl: base })).toThrow(/origin/)
    })
  })

  describe('fields', () => {
    // https://docs.gitlab.com/api/projects/#list-all-projects
    it('maps the documented project (simple=true)', () => {
      expect(toRecord(gitlab, 'project', projects.body[0])).toEqual({
        id: 4,
        name: 'Diaspora Client',
        nameWithNamespace: 'Diaspora / Diaspora Client',
        pathWithNamespace: 'diaspora/diaspora-client',
        description: null,
        defaultBranch: 'master',
        webUrl: 'http://example.com/diaspora/diaspora-client',
        starCount: 0,
        forksCount: 0,
        createdAt: '2013-09-30T13:46:02Z',
        lastActivityAt: '2013-09-30T13:46:02Z',
      })
    })

    // https://docs.gitlab.com/api/issues/#list-issues
    it('maps the documented issue', () => {
      expect(toRecord(gitlab, 'issue', issues.body[0])).toEqual({
        id: 76,
        iid: 6,
        projectId: 1,
        title: 'Consequatur vero maxime deserunt laboriosam est voluptas dolorem.',
        description: 'Ratione dolores corrupti mollitia soluta quia.',
        state: 'opened',
        author: 'eileen.lowe',
        assignee: 'root',
        labels: ['foo', 'bar'],
        reference: 'my-group/my-project#6',
        webUrl: 'http://example.com/my-group/my-project/issues/6',
        confidential: false,
        dueDate: '2016-07-22',
        createdAt: '2016-01-04T15:31:51.081Z',
        updatedAt: '2016-01-04T15:31:51.081Z',
        closedAt: null,
      })
    })

    it('syncs issues incrementally with updated_after on updated_at, projects in full', () => {
      expect(gitlab.syncs.issues).toMatchObject({ object: 'issue', mode: 'incremental', cursorField: 'updatedAt', updatedSinceParam: 'updated_after' })
      expect(gitlab.objects.issue!.fields.updatedAt!.from).toBe('updated_at')
      expect(gitlab.syncs.projects).toMatchObject({ object: 'project', mode: 'full' })
    })
  })

  describe('default mapping to the common issue', () => {
    const object = gitlab.objects.issue!
    const model = COMMON_MODELS.issue
    const mapping = mappingSchema.parse({ model: 'issue', fields: object.defaultMapping })

    it('passes the check with no errors or warnings', () => {
      expect(checkMapping(model, providerFieldsOf(object), mapping)).toEqual({ ok: true, errors: [], warnings: [] })
    })

    it('maps the documented issue', () => {
      expect(applyMapping(model, mapping, issues.body[0])).toEqual({
        value: {
          title: 'Consequatur vero maxime deserunt laboriosam est voluptas dolorem.',
          body: 'Ratione dolores corrupti mollitia soluta quia.',
          state: 'opened',
          url: 'http://example.com/my-group/my-project/issues/6',
          assignee: 'root',
          createdAt: '2016-01-04T15:31:51.081Z',
          updatedAt: '2016-01-04T15:31:51.081Z',
          closedAt: null,
        },
        errors: [],
      })
    })
  })

  // https://docs.gitlab.com/api/users/#get-the-current-user
  it('labels the account with the username from GET /user', () => {
    expect(gitlab.accountInfo).toEqual({ path: '/user' })
    expect(gitlab.hooks.accountLabel?.(user.body)).toBe('john_smith')
    expect(gitlab.hooks.accountLabel?.({})).toBeUndefined()
    expect(gitlab.hooks.accountLabel?.(null)).toBeUndefined()
  })

  // https://docs.gitlab.com/api/issues/#new-issue
  describe('create_issue', () => {
    const input = gitlab.actions.create_issue!.input
    it('posts to /projects/{id}/issues with the documented attributes', () => {
      expect(gitlab.actions.create_issue).toMatchObject({ method: 'POST', path: '/projects/{id}/issues' })
      const body = { id: 4, title: 'Issues with auth', labels: 'bug', assignee_ids: [1], due_date: '2016-03-11', confidential: false }
      expect(input.parse(body)).toEqual(body)
    })
    it('rejects a missing title, unknown keys, a bad due date, and a project id that would change the path', () => {
      expect(input.safeParse({ id: 4 }).success).toBe(false)
      expect(input.safeParse({ id: 4, title: 'x', weight_typo: 1 }).success).toBe(false)
      expect(input.safeParse({ id: 4, title: 'x', due_date: '11/03/2016' }).success).toBe(false)
      for (const id of ['diaspora%2Fdiaspora', '../4', '4/issues', -1, 0, 1.5]) expect(input.safeParse({ id, title: 'x' }).success, String(id)).toBe(false)
    })
  })
})
