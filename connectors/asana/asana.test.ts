import { describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { authorizationUrl, mapDefault, toRecord, walk } from '../testing'
import me from './fixtures/me.json' with { type: 'json' }
import projects from './fixtures/projects.json' with { type: 'json' }
import rateLimited from './fixtures/rate-limited.json' with { type: 'json' }
import page1 from './fixtures/tasks-page-1.json' with { type: 'json' }
import page2 from './fixtures/tasks-page-2.json' with { type: 'json' }
import users from './fixtures/users.json' with { type: 'json' }
import workspaces from './fixtures/workspaces.json' with { type: 'json' }
import asana from './index'

const mapped = (object: 'user' | 'task', record: unknown) => mapDefault(asana, object, record)

describe('asana connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(asana)).toEqual(asana)
    expect(asana.id).toBe('asana')
  })

  // https://developers.asana.com/docs/oauth
  describe('auth', () => {
    it('uses the documented authorize, token and revoke endpoints, with refresh tokens', () => {
      expect(asana.auth).toMatchObject({
        type: 'oauth2',
        authorizationUrl: 'https://app.asana.com/-/oauth_authorize',
        tokenUrl: 'https://app.asana.com/-/oauth_token',
        revocationUrl: 'https://app.asana.com/-/oauth_revoke',
        clientAuth: 'client_secret_post',
        pkce: true,
        refreshable: true,
      })
    })

    // https://developers.asana.com/docs/oauth-scopes
    it('asks for space-separated granular read scopes and tasks:write, with a PKCE S256 challenge', () => {
      const url = authorizationUrl(asana, { clientId: '1234567890', redirectUri: 'https://app.example/cb', state: 's1', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' })
      expect(url.origin + url.pathname).toBe('https://app.asana.com/-/oauth_authorize')
      expect(url.searchParams.get('response_type')).toBe('code')
      expect(url.searchParams.get('scope')).toBe('workspaces:read projects:read users:read tasks:read tasks:write')
      expect(url.searchParams.get('code_challenge_method')).toBe('S256')
      expect(asana.auth.type === 'oauth2' && asana.auth.scopes).not.toContain('default')
    })

    it('needs no token-response hook (the user comes from GET /users/me)', () => {
      expect(asana.hooks.afterTokenResponse).toBeUndefined()
    })
  })

  // https://developers.asana.com/docs/rate-limits
  describe('rate limits', () => {
    it('budgets the free domain’s 150 requests per minute, since Asana documents no rate-limit headers', () => {
      expect(asana.http.rateLimit).toMatchObject({ requests: 150, windowMs: 60_000 })
      expect(asana.http.rateLimit?.remainingHeader).toBeUndefined()
    })
    it('retries the documented 429, which carries Retry-After in seconds', () => {
      expect(rateLimited.status).toBe(429)
      expect(rateLimited.headers['Retry-After']).toBe('30')
      expect(asana.http.retry.on).toContain(429)
    })
  })

  // https://developers.asana.com/docs/pagination
  describe('pagination (next_page.offset → offset, limit ≤ 100, data)', () => {
    it('walks pages until next_page is null, passing the offset token on', () => {
      const { urls, items } = walk(asana, 'task', (url) => (url.searchParams.has('offset') ? page2 : page1))
      expect(urls).toHaveLength(2)
      expect(urls[0]!.origin + urls[0]!.pathname).toBe('https://app.asana.com/api/1.0/tasks')
      expect(urls[0]!.searchParams.get('limit')).toBe('100')
      expect(urls[0]!.searchParams.get('opt_fields')).toContain('modified_at')
      expect(urls[1]!.searchParams.get('offset')).toBe('eyJ0eXAiOJiKV1iQLCJhbGciOiJIUzI1NiJ9')
      expect(urls[1]!.searchParams.get('limit')).toBe('100')
      expect(items.map((t) => (t as { gid: string }).gid)).toEqual(['12345', '54321'])
    })

    it('stops on a single last page (projects, users, workspaces)', () => {
      expect(walk(asana, 'project', () => projects).urls).toHaveLength(1)
      expect(walk(asana, 'user', () => users).items).toHaveLength(1)
      expect(walk(asana, 'workspace', () => workspaces).items).toHaveLength(1)
    })
  })

  describe('objects and syncs', () => {
    it('asks for every mapped field with opt_fields (lists answer compact records otherwise)', () => {
      for (const [name, object] of Object.entries(asana.objects)) {
        const requested = new Set((object.params.opt_fields ?? '').split(','))
        for (const field of Object.values(object.fields)) {
          const path = field.from ?? ''
          if (path === '' || path === 'gid') continue
          const top = path.split('.')[0]!
          expect(requested.has(path) || requested.has(top) || [...requested].some((f) => f.startsWith(`${top}.`)), `${name}: ${path}`).toBe(true)
        }
      }
    })

    it('syncs workspaces, projects and users in full, and tasks not at all (GET /tasks needs a per-connection filter)', () => {
      expect(Object.values(asana.syncs).map((s) => [s.object, s.mode])).toEqual([
        ['workspace', 'full'],
        ['project', 'full'],
        ['user', 'full'],
      ])
      expect(Object.values(asana.syncs).some((s) => s.object === 'task')).toBe(false)
    })

    // https://developers.asana.com/reference/gettask (TaskResponse example)
    it('maps the documented task', () => {
      expect(toRecord(asana, 'task', page1.body.data[0])).toEqual({
        gid: '12345',
        name: 'Buy catnip',
        notes: 'Mittens really likes the stuff from Humboldt.',
        completed: false,
        subtype: 'default_task',
        assignee: 'Greg Sanchez',
        assigneeId: '12345',
        projects: [{ gid: '12345', resource_type: 'project', name: 'Stuff to buy' }],
        tags: [{ gid: '59746', name: 'Grade A' }],
        workspaceId: '12345',
        dueOn: '2019-09-15',
        permalinkUrl: 'https://app.asana.com/0/resource/123456789/list',
        createdAt: '2012-02-22T02:06:58.147Z',
        modifiedAt: '2012-02-22T02:06:58.147Z',
        completedAt: null,
      })
    })

    // https://developers.asana.com/reference/getprojects
    it('maps the documented project', () => {
      expect(toRecord(asana, 'project', projects.body.data[0])).toMatchObject({
        gid: '12345',
        name: 'Stuff to buy',
        archived: false,
        completed: false,
        color: 'light-green',
        owner: 'Greg Sanchez',
        team: 'Marketing',
        workspaceId: '12345',
        dueOn: '2019-09-15',
        modifiedAt: '2012-02-22T02:06:58.147Z',
      })
    })

    // https://developers.asana.com/reference/getusers and /reference/getworkspaces
    it('maps the documented user and workspace', () => {
      expect(toRecord(asana, 'user', users.body.data[0])).toEqual({
        gid: '12345',
        name: 'Greg Sanchez',
        email: 'gsanchez@example.com',
        photoUrl: 'https://...',
        workspaces: [{ gid: '12345', resource_type: 'workspace', name: 'My Company Workspace' }],
      })
      expect(toRecord(asana, 'workspace', workspaces.body.data[0])).toEqual({ gid: '12345', name: 'My Company Workspace', isOrganization: false, emailDomains: ['asana.com'] })
    })
  })

  describe('default mappings', () => {
    it('task → issue: passes the check and maps the documented tasks, completed or not', () => {
      const open = mapped('task', page1.body.data[0])
      expect(open.check).toEqual({ ok: true, errors: [], warnings: [] })
      expect(open.result).toEqual({
        value: {
          title: 'Buy catnip',
          body: 'Mittens really likes the stuff from Humboldt.',
          state: 'open',
          url: 'https://app.asana.com/0/resource/123456789/list',
          assignee: 'Greg Sanchez',
          createdAt: '2012-02-22T02:06:58.147Z',
          updatedAt: '2012-02-22T02:06:58.147Z',
          closedAt: null,
        },
        errors: [],
      })
      expect(mapped('task', page2.body.data[0]).result.value).toMatchObject({ state: 'completed', closedAt: '2012-02-22T02:06:58.147Z', assignee: null })
    })

    it('user → user: passes the check with no warnings and maps the documented user', () => {
      const { check, result } = mapped('user', users.body.data[0])
      expect(check).toEqual({ ok: true, errors: [], warnings: [] })
      expect(result).toEqual({ value: { name: 'Greg Sanchez', email: 'gsanchez@example.com', username: null, avatarUrl: 'https://...', createdAt: null }, errors: [] })
    })
  })

  // https://developers.asana.com/reference/getuser
  it('labels the account with the email, else the name, from GET /users/me', () => {
    expect(asana.accountInfo).toEqual({ path: '/users/me' })
    expect(asana.hooks.accountLabel?.(me.body)).toBe('gsanchez@example.com')
    expect(asana.hooks.accountLabel?.({ data: { name: 'Greg Sanchez' } })).toBe('Greg Sanchez')
    expect(asana.hooks.accountLabel?.({ errors: [{ message: 'Not Authorized' }] })).toBeUndefined()
    expect(asana.hooks.accountLabel?.(null)).toBeUndefined()
  })

  // https://developers.asana.com/reference/createtask
  describe('create_task', () => {
    const input = asana.actions.create_task!.input
    it('posts a data envelope to /tasks', () => {
      expect(asana.actions.create_task).toMatchObject({ method: 'POST', path: '/tasks' })
      const body = { data: { name: 'Buy catnip', notes: 'Mittens really likes the stuff from Humboldt.', workspace: '12345', assignee: 'me', due_on: '2019-09-15' } }
      expect(input.parse(body)).toEqual(body)
      expect(input.safeParse({ data: { name: 'x', projects: ['12345'] } }).success).toBe(true)
      expect(input.safeParse({ data: { name: 'x', parent: '12345', assignee: 'gsanchez@example.com' } }).success).toBe(true)
    })
    it('needs a name and a workspace, projects or parent; refuses unknown keys, bad gids and both due dates', () => {
      expect(input.safeParse({ data: { workspace: '12345' } }).success).toBe(false)
      expect(input.safeParse({ data: { name: 'x' } }).success).toBe(false)
      expect(input.safeParse({ name: 'x', workspace: '12345' }).success).toBe(false)
      expect(input.safeParse({ data: { name: 'x', workspace: '12345', colour: 'red' } }).success).toBe(false)
      expect(input.safeParse({ data: { name: 'x', workspace: 'My Workspace' } }).success).toBe(false)
      expect(input.safeParse({ data: { name: 'x', workspace: '12345', due_on: '2019-09-15', due_at: '2019-09-15T02:06:58.147Z' } }).success).toBe(false)
    })
  })
})
