import { describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { authorizationUrl, toRecord, walk } from '../testing'
import github from './index'
import issues from './fixtures/issues.json' with { type: 'json' }
import linkHeaders from './fixtures/link-headers.json' with { type: 'json' }
import repos from './fixtures/repos.json' with { type: 'json' }
import user from './fixtures/user.json' with { type: 'json' }

describe('github connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(github)).toEqual(github)
    expect(github.id).toBe('github')
  })

  describe('auth', () => {
    // https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
    it('uses the documented OAuth endpoints, client_secret_post, and no RFC 7009 revocation', () => {
      expect(github.auth).toMatchObject({
        type: 'oauth2',
        authorizationUrl: 'https://github.com/login/oauth/authorize',
        tokenUrl: 'https://github.com/login/oauth/access_token',
        clientAuth: 'client_secret_post',
        refreshable: false,
      })
      expect(github.auth.type === 'oauth2' && github.auth.revocationUrl).toBeFalsy()
    })

    // https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps
    // https://github.blog/changelog/2025-07-14-pkce-support-for-oauth-and-github-app-authentication
    it('asks for space-delimited minimal scopes and sends a PKCE S256 challenge', () => {
      const url = authorizationUrl(github, { clientId: 'Iv1.abc', redirectUri: 'https://app.example/cb', state: 's1', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' })
      expect(url.origin + url.pathname).toBe('https://github.com/login/oauth/authorize')
      expect(url.searchParams.get('scope')).toBe('read:user public_repo')
      expect(url.searchParams.get('code_challenge_method')).toBe('S256')
      expect(github.auth.type === 'oauth2' && github.auth.scopes).not.toContain('repo')
    })

    it('sends the documented media type and API version on every request', () => {
      expect(github.http.headers).toEqual({ Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' })
      expect(github.http.baseUrl).toBe('https://api.github.com')
    })
  })

  // https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#checking-the-status-of-your-rate-limit
  it('reads the documented rate-limit headers, reset in epoch seconds', () => {
    expect(github.http.rateLimit).toMatchObject({ limitHeader: 'x-ratelimit-limit', remainingHeader: 'x-ratelimit-remaining', resetHeader: 'x-ratelimit-reset', resetUnit: 'epoch_s' })
  })

  describe('pagination (Link header, per_page ≤ 100)', () => {
    // https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
    it('follows rel="next" until a page has none, keeping per_page', () => {
      const last = 3
      const { urls, items } = walk(github, 'issue', (url) => {
        const page = Number(url.searchParams.get('page') ?? '1')
        const at = (p: number) => `<https://api.github.com/issues?filter=all&state=all&sort=updated&direction=desc&per_page=100&page=${p}>`
        // The documented shape: prev/next/last/first, with only the links that apply.
        const link = [page > 1 && `${at(page - 1)}; rel="prev"`, page < last && `${at(page + 1)}; rel="next"`, page < last && `${at(last)}; rel="last"`, page > 1 && `${at(1)}; rel="first"`].filter(Boolean).join(', ')
        return { body: issues.body.map((i) => ({ ...i, id: i.id * 100 + page })), headers: link ? { link } : {} }
      })
      expect(urls.map((u) => u.searchParams.get('page'))).toEqual([null, '2', '3'])
      expect(urls[0]!.href).toBe('https://api.github.com/issues?filter=all&state=all&sort=updated&direction=desc&per_page=100')
      expect(items).toHaveLength(3)
    })

    it('reads the documented example headers', () => {
      const { urls } = walk(github, 'repository', (url) =>
        url.pathname === '/user/repos' ? { body: repos.body, headers: new Headers({ Link: linkHeaders.perPage.link }) } : { body: [], headers: new Headers() },
      )
      expect(urls.map((u) => u.href)).toEqual(['https://api.github.com/user/repos?per_page=100', 'https://api.github.com/repositories/1300192/issues?per_page=2&page=2'])
    })
  })

  describe('fields', () => {
    // https://docs.github.com/en/rest/repos/repos#list-repositories-for-the-authenticated-user
    it('maps the documented repository example', () => {
      expect(toRecord(github, 'repository', repos.body[0])).toEqual({
        id: 1296269,
        name: 'Hello-World',
        fullName: 'octocat/Hello-World',
        owner: 'octocat',
        private: false,
        description: 'This your first repo!',
        htmlUrl: 'https://github.com/octocat/Hello-World',
        defaultBranch: 'master',
        language: null,
        stars: 80,
        createdAt: '2011-01-26T19:01:12Z',
        updatedAt: '2011-01-26T19:14:43Z',
        pushedAt: '2011-01-26T19:06:43Z',
      })
    })

    // https://docs.github.com/en/rest/issues/issues#list-issues-assigned-to-the-authenticated-user
    it('maps the documented issue example', () => {
      const record = toRecord(github, 'issue', issues.body[0])
      expect(record).toMatchObject({
        id: 1,
        number: 1347,
        title: 'Found a bug',
        body: "I'm having a problem with this.",
        state: 'open',
        author: 'octocat',
        comments: 0,
        htmlUrl: 'https://github.com/octocat/Hello-World/issues/1347',
        repositoryUrl: 'https://api.github.com/repos/octocat/Hello-World',
        createdAt: '2011-04-22T13:33:48Z',
        updatedAt: '2011-04-22T13:33:48Z',
        closedAt: null,
      })
      expect(record.labels).toEqual([expect.objectContaining({ name: 'bug' })])
      expect(record.pullRequest).toMatchObject({ url: 'https://api.github.com/repos/octocat/Hello-World/pulls/1347' })
    })

    it('syncs issues incrementally on updated_at with the documented since parameter', () => {
      expect(github.syncs.issues).toMatchObject({ object: 'issue', mode: 'incremental', cursorField: 'updatedAt', updatedSinceParam: 'since' })
      expect(github.objects.issue!.fields.updatedAt!.from).toBe('updated_at')
    })
  })

  // https://docs.github.com/en/rest/users/users#get-the-authenticated-user
  it('labels the account with the login from GET /user', () => {
    expect(github.accountInfo).toEqual({ path: '/user' })
    expect(github.hooks.accountLabel?.(user.body)).toBe('octocat')
    expect(github.hooks.accountLabel?.({})).toBeUndefined()
    expect(github.hooks.accountLabel?.(null)).toBeUndefined()
  })

  // https://docs.github.com/en/rest/issues/issues#create-an-issue
  describe('create_issue', () => {
    const input = github.actions.create_issue!.input
    it('posts to the documented path with owner and repo from the input', () => {
      expect(github.actions.create_issue).toMatchObject({ method: 'POST', path: '/repos/{owner}/{repo}/issues' })
      expect(input.parse({ owner: 'octocat', repo: 'Hello-World', title: 'Found a bug', labels: ['bug'] })).toEqual({ owner: 'octocat', repo: 'Hello-World', title: 'Found a bug', labels: ['bug'] })
    })
    it('rejects a missing title, unknown keys, and owner/repo values that would change the path', () => {
      expect(input.safeParse({ owner: 'octocat', repo: 'Hello-World' }).success).toBe(false)
      expect(input.safeParse({ owner: 'octocat', repo: 'Hello-World', title: 'x', milestoneTypo: 1 }).success).toBe(false)
      for (const bad of ['..', '.', 'a/b', 'a?b', '%2e%2e', '']) {
        expect(input.safeParse({ owner: bad, repo: 'Hello-World', title: 'x' }).success, bad).toBe(false)
        expect(input.safeParse({ owner: 'octocat', repo: bad, title: 'x' }).success, bad).toBe(false)
      }
    })
  })
})
