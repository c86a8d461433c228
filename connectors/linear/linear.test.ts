/**
 * The Linear connector against Linear's documented requests and response shapes (fixtures written
 * from https://linear.app/developers/pagination, https://linear.app/developers/graphql and Linear's
 * public schema https://github.com/linear/linear/blob/master/packages/sdk/src/schema.graphql; values
 * made up). The engine-driven runs (real sync engine, fake GraphQL server) are in
 * test/graphql-syncs.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { COMMON_MODELS } from '../common-models'
import { graphqlErrors, readOperation } from '../graphql'
import { extractItems, firstListRequest, nextListRequest, type ListRequest } from '../pagination'
import { connectorSchema, defineConnector, type ConnectorInput } from '../schema'
import { authorizationUrl, paginationOf, toRecord } from '../testing'
import { applyMapping } from '../../server/src/mapping/apply'
import { mappingSchema } from '../../server/src/mapping/schema'
import { actionRequest } from '../../server/src/services/actions'
import { parseReset } from '../../server/src/services/rate-limits'
import { firstPageRequest, syncPlan } from '../../server/src/services/sync-engine'
import errorBody from './fixtures/error.json' with { type: 'json' }
import issueCreated from './fixtures/issue-create.json' with { type: 'json' }
import issues1 from './fixtures/issues-page-1.json' with { type: 'json' }
import issues2 from './fixtures/issues-page-2.json' with { type: 'json' }
import viewer from './fixtures/viewer.json' with { type: 'json' }
import linear, { ISSUE_CREATE_MUTATION, ISSUES_QUERY, linearAccountLabel, PAGE_SIZE, VIEWER_QUERY } from './index'

const BASE = 'https://api.linear.app'

/** Walks a list with the pure pagination functions, answering each request with `respond`. */
function walkPosts(object: string, respond: (req: ListRequest) => unknown, maxPages = 10) {
  const pagination = paginationOf(linear, object)
  const requests: ListRequest[] = []
  const items: unknown[] = []
  let req: ListRequest | null = firstListRequest(BASE, linear.objects[object]!, pagination)
  while (req) {
    if (requests.length === maxPages) throw new Error('did not stop')
    requests.push(req)
    const body = respond(req)
    const page = extractItems(body, pagination.itemsPath)
    items.push(...page)
    req = nextListRequest(pagination, { body, headers: {}, items: page }, req)
  }
  return { requests, items }
}

const variablesOf = (req: ListRequest) => (req.kind === 'graphql' ? req.body.variables : undefined)

describe('linear connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(linear)).toEqual(linear)
    expect(linear.id).toBe('linear')
    expect(linear.categories).toEqual(['dev-tools'])
  })

  // https://linear.app/developers/oauth-2-0-authentication
  describe('auth', () => {
    it('uses Linear’s endpoints, the secret in the token request body, PKCE and refresh tokens', () => {
      expect(linear.auth).toMatchObject({
        type: 'oauth2',
        authorizationUrl: 'https://linear.app/oauth/authorize',
        tokenUrl: 'https://api.linear.app/oauth/token',
        revocationUrl: 'https://api.linear.app/oauth/revoke',
        clientAuth: 'client_secret_post',
        pkce: true,
        refreshable: true,
        scopes: ['read'],
      })
    })

    it('builds the documented authorization URL (response_type=code, scope=read, state, S256 challenge)', () => {
      const url = authorizationUrl(linear, { clientId: 'YOUR_CLIENT_ID', redirectUri: 'YOUR_REDIRECT_URL', state: 'SECURE_RANDOM', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' })
      expect(url.origin + url.pathname).toBe('https://linear.app/oauth/authorize')
      expect(Object.fromEntries(url.searchParams)).toEqual({
        response_type: 'code',
        client_id: 'YOUR_CLIENT_ID',
        redirect_uri: 'YOUR_REDIRECT_URL',
        state: 'SECURE_RANDOM',
        scope: 'read',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      })
    })

    it('joins several scopes with commas, as the documented `scope=read,write`', () => {
      const wider = defineConnector({ ...(linear as ConnectorInput), auth: { ...linear.auth, scopes: ['read', 'write'] } as ConnectorInput['auth'] })
      expect(authorizationUrl(wider, { clientId: 'client1', redirectUri: 'http://localhost:3000/oauth/callback', state: 's' }).search).toContain('scope=read%2Cwrite')
    })
  })

  // https://linear.app/developers/rate-limiting
  it('reads the X-RateLimit-Requests-* headers; the reset as epoch ms, which cannot block for ages if Linear sends seconds', () => {
    expect(linear.http.rateLimit).toEqual({ limitHeader: 'X-RateLimit-Requests-Limit', remainingHeader: 'X-RateLimit-Requests-Remaining', resetHeader: 'X-RateLimit-Requests-Reset', resetUnit: 'epoch_ms' })
    const now = Date.UTC(2026, 2, 1)
    expect(parseReset(String(now + 60_000), 'epoch_ms', now)).toBe(now + 60_000)
    // An epoch-seconds value is read as an instant in 1970: no wait, rather than one of millennia.
    expect(parseReset(String(Math.floor(now / 1000) + 60), 'epoch_ms', now)).toBeLessThan(now)
  })

  describe('GraphQL lists', () => {
    it('every object is a query on /graphql paged by first/after over a Relay connection', () => {
      for (const [name, object] of Object.entries(linear.objects)) {
        expect(object.path, name).toBe('/graphql')
        const op = readOperation(object.graphql!.query)
        expect(op.type, name).toBe('query')
        expect(op.declared, name).toEqual(expect.arrayContaining(['first', 'after']))
        expect(object.pagination, name).toMatchObject({ type: 'relay', cursorParam: 'after', limitParam: 'first', limit: PAGE_SIZE, itemsPath: `data.${name === 'user' ? 'users' : `${name}s`}.nodes` })
      }
    })

    // https://linear.app/developers/pagination: "pass the value of pageInfo.endCursor as after …
    // as long as pageInfo.hasNextPage return true"
    it('walks the issues to the end: endCursor becomes `after` while hasNextPage is true', () => {
      const { requests, items } = walkPosts('issue', (req) => (variablesOf(req)?.after === undefined ? issues1 : issues2))
      expect(requests).toHaveLength(2)
      for (const r of requests) {
        expect(r.kind).toBe('graphql')
        expect(r.url.href).toBe('https://api.linear.app/graphql')
        expect(r.kind === 'graphql' && r.body.query).toBe(ISSUES_QUERY)
      }
      expect(variablesOf(requests[0]!)).toEqual({ first: 50 })
      expect(variablesOf(requests[1]!)).toEqual({ first: 50, after: '2f0b6a1e-6b0c-4c4a-9d2a-6f3e0e1d7a02' })
      expect(items.map((i) => (i as { identifier: string }).identifier)).toEqual(['ENG-1', 'ENG-2', 'DES-7'])
    })

    it('stops when a page repeats its cursor, and fails when hasNextPage has no endCursor', () => {
      const looping = { data: { issues: { nodes: [], pageInfo: { hasNextPage: true, endCursor: 'c1' } } } }
      expect(walkPosts('issue', () => looping).requests).toHaveLength(2)
      const broken = { data: { issues: { nodes: [], pageInfo: { hasNextPage: true, endCursor: null } } } }
      expect(() => walkPosts('issue', () => broken)).toThrow(/endCursor/)
    })

    // https://linear.app/developers/filtering: `filter: { updatedAt: { gt: … } }`
    it('an incremental issues run filters on updatedAt > the last cursor; a full run has no filter', () => {
      const plan = syncPlan(linear, 'issues')
      const incremental = firstPageRequest(BASE, plan, '2026-03-05T11:00:00.000Z', 'incremental')
      expect(variablesOf(incremental)).toEqual({ first: 50, filter: { updatedAt: { gt: '2026-03-05T11:00:00.000Z' } } })
      expect(variablesOf(firstPageRequest(BASE, plan, '2026-03-05T11:00:00.000Z', 'full'))).toEqual({ first: 50 })
      expect(variablesOf(firstPageRequest(BASE, plan, null, 'incremental'))).toEqual({ first: 50 })
      // The filter stays on the following pages.
      const next = nextListRequest(plan.pagination, { body: issues1, headers: {}, items: issues1.data.issues.nodes }, incremental)
      expect(variablesOf(next!)).toEqual({ first: 50, filter: { updatedAt: { gt: '2026-03-05T11:00:00.000Z' } }, after: '2f0b6a1e-6b0c-4c4a-9d2a-6f3e0e1d7a02' })
    })

    it('syncs issues incrementally on updatedAt and the rest in full', () => {
      expect(Object.entries(linear.syncs).map(([n, s]) => [n, s.object, s.mode, s.cursorField])).toEqual([
        ['issues', 'issue', 'incremental', 'updatedAt'],
        ['projects', 'project', 'full', undefined],
        ['teams', 'team', 'full', undefined],
        ['users', 'user', 'full', undefined],
      ])
    })

    it('maps an issue’s fields, nested ones included, and its default mapping to the common issue', () => {
      const node = issues1.data.issues.nodes[0]!
      expect(toRecord(linear, 'issue', node)).toMatchObject({
        id: '2f0b6a1e-6b0c-4c4a-9d2a-6f3e0e1d7a01',
        identifier: 'ENG-1',
        state: 'Done',
        stateType: 'completed',
        assignee: 'Ada Lovelace',
        assigneeEmail: 'ada@example.com',
        teamKey: 'ENG',
        project: 'Editor',
        priority: 1,
        dueDate: '2026-03-06',
        completedAt: '2026-03-05T11:00:00.000Z',
      })
      expect(toRecord(linear, 'issue', issues1.data.issues.nodes[1]!)).toMatchObject({ assignee: undefined, project: undefined, state: 'Backlog' })
      const o = linear.objects.issue!
      const mapped = applyMapping(COMMON_MODELS.issue, mappingSchema.parse({ model: 'issue', fields: o.defaultMapping }), node)
      expect(mapped.errors).toEqual([])
      expect(mapped.value).toMatchObject({ title: 'Crash when saving a draft', state: 'Done', assignee: 'Ada Lovelace', url: node.url, closedAt: '2026-03-05T11:00:00.000Z' })
    })
  })

  describe('GraphQL errors', () => {
    it('reads a non-empty errors array as a failure, whatever the data', () => {
      expect(graphqlErrors(errorBody)).toEqual({ message: 'GraphQL error: Argument Validation Error' })
      expect(graphqlErrors({ data: { issues: { nodes: [] } }, errors: [{ message: 'a' }, { message: 'b' }] })?.message).toBe('GraphQL errors: a; b')
      expect(graphqlErrors(issues1)).toBeUndefined()
      expect(graphqlErrors({ data: {}, errors: [] })).toBeUndefined()
    })
  })

  describe('actions', () => {
    it('createIssue sends the issueCreate mutation with the input as $input', () => {
      const action = linear.actions.createIssue!
      const input = action.input.parse({ teamId: '7e6d5c4b-0000-4000-8000-000000000001', title: 'New exception', description: 'Some text', priority: 2 })
      const req = actionRequest(action, input)
      expect(req.path).toBe('/graphql')
      expect(req.json).toEqual({ query: ISSUE_CREATE_MUTATION, variables: { input: { teamId: '7e6d5c4b-0000-4000-8000-000000000001', title: 'New exception', description: 'Some text', priority: 2 } } })
      expect(readOperation(ISSUE_CREATE_MUTATION)).toEqual({ type: 'mutation', declared: ['input'], used: ['input'] })
    })

    it('createIssue refuses what Linear would refuse: no team, an unknown field, a priority out of 0–4', () => {
      const input = linear.actions.createIssue!.input
      expect(input.safeParse({ title: 'x' }).success).toBe(false)
      expect(input.safeParse({ teamId: 't', title: 'x', team: 'ENG' }).success).toBe(false)
      expect(input.safeParse({ teamId: 't', title: 'x', priority: 5 }).success).toBe(false)
    })

    it('updateIssue sends issueUpdate with $id and $input', () => {
      const action = linear.actions.updateIssue!
      const req = actionRequest(action, action.input.parse({ id: 'ENG-1', input: { stateId: 's1', assigneeId: null } }))
      expect(req.json).toMatchObject({ variables: { id: 'ENG-1', input: { stateId: 's1', assigneeId: null } } })
      expect(action.input.safeParse({ id: 'ENG-1', input: {} }).success).toBe(false)
    })

    it('the documented issueCreate answer has no errors', () => {
      expect(graphqlErrors(issueCreated)).toBeUndefined()
    })
  })

  // https://linear.app/developers/graphql: `{ viewer { id name email } }`
  it('labels the account from the viewer query', () => {
    expect(linear.accountInfo).toEqual({ path: '/graphql', graphql: { query: VIEWER_QUERY } })
    expect(linearAccountLabel(viewer)).toBe('ada@example.com (Acme)')
    expect(linearAccountLabel({ data: { viewer: { name: 'Ada' } } })).toBe('Ada')
    expect(linearAccountLabel(errorBody)).toBeUndefined()
  })
})
