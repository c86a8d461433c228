/**
 * POST lists (`body`, `graphql`) and GraphQL actions in the connector language: reading an
 * operation's variables, the load-time checks, and the pure pagination of POST requests.
 * Sources: https://spec.graphql.org/October2021/ (§5.8.3, §5.8.4, §7.1.2),
 * https://relay.dev/graphql/connections.htm, HubSpot's CRM search
 * (https://developers.hubspot.com/docs/api/crm/search: `POST /crm/v3/objects/{object}/search` with
 * `{ filterGroups, sorts, properties, limit, after }`, answered `{ total, results, paging: { next: { after } } }`).
 */
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { operationProblems, readOperation } from './graphql'
import { firstListRequest, nextListRequest, withListParam, type ListRequest } from './pagination'
import { defineConnector, paginationSchema, type ConnectorInput } from './schema'
import { parseCustomConnector } from '../server/src/services/custom-connectors'
import { firstPageRequest, syncPlan } from '../server/src/services/sync-engine'

describe('readOperation', () => {
  it('reads the type, the defined and the used variables', () => {
    expect(readOperation('query Issues($first: Int, $after: String) { issues(first: $first, after: $after) { nodes { id } } }')).toEqual({ type: 'query', declared: ['first', 'after'], used: ['first', 'after'] })
    expect(readOperation('mutation($input: IssueCreateInput!) { issueCreate(input: $input) { success } }')).toEqual({ type: 'mutation', declared: ['input'], used: ['input'] })
    expect(readOperation('{ viewer { id } }')).toEqual({ type: 'query', declared: [], used: [] })
  })
  it('ignores `$` in strings and comments', () => {
    expect(readOperation('query Q($a: Int = 1) {\n # uses $b\n x(a: $a, s: "costs $5", t: """$c""") { id } }').used).toEqual(['a'])
  })
  it('refuses subscriptions, several operations, fragments and a variable defined twice', () => {
    expect(() => readOperation('subscription S { x }')).toThrow(/subscriptions/)
    expect(() => readOperation('query A { a } query B { b }')).toThrow(/exactly one operation/)
    expect(() => readOperation('query A { ...F } fragment F on X { id }')).toThrow(/exactly one operation/)
    expect(() => readOperation('query A($a: Int, $a: Int) { x(a: $a) }')).toThrow(/defined twice/)
    expect(() => readOperation('issues { id }')).toThrow(/query.*mutation/)
  })
})

describe('operationProblems', () => {
  it('finds undefined, unused and missing variables, and the wrong operation type (GraphQL §5.8.3, §5.8.4)', () => {
    expect(operationProblems('query Q($first: Int) { x(first: $first, after: $after) { id } }', 'query', ['first'])).toEqual(['uses $after, which it does not define'])
    expect(operationProblems('query Q($first: Int, $unused: Int) { x(first: $first) { id } }', 'query', [])).toEqual(['defines $unused but never uses it'])
    expect(operationProblems('query Q($first: Int) { x(first: $first) { id } }', 'query', ['first', 'after'])).toEqual(['does not define $after'])
    expect(operationProblems('mutation M { x }', 'query', [])).toEqual(['must be a query, not a mutation'])
    expect(operationProblems('query Q($first: Int) { x(first: $first) { id } }', 'query', ['first'])).toEqual([])
  })
})

/** A GraphQL connector like Linear's, small enough to break one piece at a time. */
const gql: ConnectorInput = {
  id: 'gql-x',
  name: 'GQL',
  description: 'x',
  categories: ['dev-tools'],
  logo: '<svg/>',
  docsUrl: 'https://example.com',
  auth: { type: 'api_key', inject: { headers: { Authorization: '{apiKey}' } }, verify: { path: '/me' } },
  http: { baseUrl: 'https://api.example.com' },
  objects: {
    item: {
      path: '/graphql',
      graphql: { query: 'query Items($first: Int, $after: String, $filter: ItemFilter) { items(first: $first, after: $after, filter: $filter) { nodes { id updatedAt } pageInfo { hasNextPage endCursor } } }' },
      pagination: { type: 'relay', itemsPath: 'data.items.nodes', pageInfoPath: 'data.items.pageInfo', limitParam: 'first', limit: 25 },
      fields: { id: { type: 'string', key: true }, updatedAt: { type: 'datetime' } },
    },
  },
  syncs: { items: { object: 'item', mode: 'incremental', cursorField: 'updatedAt', updatedSince: { name: 'filter', value: { updatedAt: { gt: '{cursor}' } } } } },
  actions: {
    create: { description: 'x', method: 'POST', path: '/graphql', graphql: { query: 'mutation C($input: ItemInput!) { itemCreate(input: $input) { success } }', inputVariable: 'input' }, input: z.object({ name: z.string() }) },
  },
}

/** A HubSpot-search-like body list: POST with the cursor and page size as JSON members. */
const search: ConnectorInput = {
  ...gql,
  id: 'search-x',
  http: { baseUrl: 'https://api.example.com' },
  objects: {
    contact: {
      path: '/crm/v3/objects/contacts/search',
      body: { sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }], properties: ['email'] },
      pagination: { type: 'cursor', cursorParam: 'after', cursorPath: 'paging.next.after', itemsPath: 'results', limitParam: 'limit', limit: 100 },
      fields: { id: { type: 'string', key: true }, updatedAt: { type: 'datetime', from: 'updatedAt' } },
    },
  },
  syncs: { contacts: { object: 'contact', mode: 'incremental', cursorField: 'updatedAt', updatedSince: { name: 'filterGroups', value: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GT', value: '{cursor}' }] }] } } },
  actions: {},
}

/** The issues `defineConnector` reports for a definition, as `path: message` lines. */
function problems(input: ConnectorInput): string[] {
  try {
    defineConnector(input)
    return []
  } catch (err) {
    return (err as z.ZodError).issues.map((i) => `${i.path.join('.')}: ${i.message}`)
  }
}
const withObject = (patch: Record<string, unknown>): ConnectorInput => ({ ...gql, objects: { item: { ...gql.objects!.item!, ...patch } as never } })

describe('load-time checks of POST lists and GraphQL actions', () => {
  it('accepts a sound GraphQL connector and a sound body list', () => {
    expect(problems(gql)).toEqual([])
    expect(problems(search)).toEqual([])
  })

  it('refuses a query that lacks a variable Patchbay sets (cursor, page size, incremental filter)', () => {
    expect(problems(withObject({ graphql: { query: 'query Items($first: Int, $filter: ItemFilter) { items(first: $first, filter: $filter) { nodes { id } } }' } }))).toEqual(['objects.item.graphql.query: does not define $after'])
    expect(problems(withObject({ graphql: { query: 'query Items($after: String) { items(after: $after) { nodes { id } } }' } }))).toEqual(['objects.item.graphql.query: does not define $first', 'objects.item.graphql.query: does not define $filter'])
    expect(problems(withObject({ graphql: { query: 'query Items($first: Int, $after: String, $filter: ItemFilter) { items(first: $first, after: $after, filter: $filter, order: $order) { nodes { id } } }' } }))).toEqual(['objects.item.graphql.query: uses $order, which it does not define'])
    expect(problems(withObject({ graphql: { query: 'mutation M($first: Int, $after: String, $filter: ItemFilter) { x(first: $first, after: $after, filter: $filter) }' } }))).toEqual(['objects.item.graphql.query: must be a query, not a mutation'])
  })

  it('refuses static variables the query does not define', () => {
    expect(problems(withObject({ graphql: { query: gql.objects!.item!.graphql!.query, variables: { includeArchived: true } } }))).toEqual(['objects.item.graphql.query: does not define $includeArchived'])
  })

  it('pairs relay pagination with graphql objects only, and body lists with cursor or offset', () => {
    expect(problems(withObject({ graphql: undefined }))).toContain('objects.item.pagination: `relay` pagination needs a `graphql` object')
    expect(problems(withObject({ pagination: { type: 'cursor', cursorParam: 'after', cursorPath: 'x', itemsPath: 'y' } }))).toContain('objects.item.pagination: a `graphql` list pages with `relay`, not `cursor`')
    expect(problems({ ...search, objects: { contact: { ...search.objects!.contact!, pagination: { type: 'link' } } } })).toEqual(['objects.contact.pagination: a `body` list pages with `cursor` or `offset`, not `link`'])
    expect(problems(withObject({ body: { a: 1 } }))).toContain('objects.item: an object is a `body` list or a `graphql` list, not both')
  })

  it('refuses updatedSince on a GET list, next to updatedSinceParam, or without the {cursor} placeholder', () => {
    const getList: ConnectorInput = { ...search, objects: { contact: { ...search.objects!.contact!, body: undefined, pagination: undefined } }, http: { baseUrl: 'https://api.example.com', pagination: { type: 'cursor', cursorParam: 'after', cursorPath: 'n', itemsPath: 'results' } } }
    expect(problems(getList)).toEqual(['syncs.contacts.updatedSince: `updatedSince` is for `body` and `graphql` lists; a GET list takes `updatedSinceParam`'])
    expect(problems({ ...search, syncs: { contacts: { ...search.syncs!.contacts!, updatedSinceParam: 'since' } } })).toEqual(['syncs.contacts.updatedSince: set `updatedSince` or `updatedSinceParam`, not both'])
    expect(problems({ ...search, syncs: { contacts: { ...search.syncs!.contacts!, updatedSince: { name: 'filterGroups', value: [] } } } })).toEqual(["syncs.contacts.updatedSince.value: the value must hold the string '{cursor}'"])
  })

  it('checks GraphQL actions: a POST of JSON without path placeholders, whose mutation defines the input variables', () => {
    const action = gql.actions!.create!
    expect(problems({ ...gql, actions: { create: { ...action, method: 'PUT' } } })).toEqual(['actions.create.method: a GraphQL action is a POST'])
    expect(problems({ ...gql, actions: { create: { ...action, path: '/graphql/{id}' } } })).toEqual(['actions.create.path: a GraphQL action takes no path placeholders: the input goes into the variables'])
    expect(problems({ ...gql, actions: { create: { ...action, graphql: { query: action.graphql!.query, inputVariable: 'data' } } } })).toEqual(['actions.create.graphql.query: does not define $data'])
    // Without inputVariable, each key of an object input is a variable.
    expect(problems({ ...gql, actions: { create: { ...action, graphql: { query: 'mutation U($id: ID!) { itemUpdate(id: $id) { success } }' }, input: z.object({ id: z.string(), name: z.string() }) } } })).toEqual(['actions.create.graphql.query: does not define $name'])
  })

  it('checks a GraphQL accountInfo: a query without variables', () => {
    expect(problems({ ...gql, accountInfo: { path: '/graphql', graphql: { query: '{ viewer { id } }' } } })).toEqual([])
    expect(problems({ ...gql, accountInfo: { path: '/graphql', graphql: { query: 'query V($id: ID) { user(id: $id) { id } }' } } })).toEqual(['accountInfo.graphql.query: takes no variables'])
  })
})

describe('custom connectors (JSON definitions)', () => {
  const definition = () => JSON.parse(JSON.stringify({ ...gql, id: undefined, actions: { create: { description: 'x', method: 'POST', path: '/graphql', graphql: gql.actions!.create!.graphql, input: { type: 'object', properties: { name: { type: 'string' } } } } } })) as Record<string, unknown>

  it('may declare GraphQL lists, incremental variables and mutations as data', () => {
    const c = parseCustomConnector('gql-custom', definition())
    expect(c.objects.item!.graphql!.variables).toEqual({})
    expect(c.syncs.items!.updatedSince).toEqual({ name: 'filter', value: { updatedAt: { gt: '{cursor}' } } })
    expect(c.actions.create!.graphql).toEqual({ query: gql.actions!.create!.graphql!.query, inputVariable: 'input' })
  })

  it('reports a query problem as invalid_request at its path', () => {
    const bad = definition()
    ;(bad.objects as { item: { graphql: { query: string } } }).item.graphql.query = 'query Items($first: Int) { items(first: $first) { nodes { id } } }'
    expect(() => parseCustomConnector('gql-custom', bad)).toThrow(expect.objectContaining({ code: 'invalid_request', extra: expect.objectContaining({ errors: expect.arrayContaining([{ path: 'objects.item.graphql.query', message: 'does not define $after' }]) }) }))
  })
})

describe('POST list requests', () => {
  const p = (input: unknown) => paginationSchema.parse(input)

  it('a body list starts with its body plus the page size, params staying in the query', () => {
    const pagination = p(search.objects!.contact!.pagination)
    const first = firstListRequest('https://api.example.com', { path: '/crm/v3/objects/contacts/search', params: { hapikey: 'no' }, body: search.objects!.contact!.body as Record<string, unknown> }, pagination)
    expect(first).toEqual({ kind: 'body', url: new URL('https://api.example.com/crm/v3/objects/contacts/search?hapikey=no'), body: { sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }], properties: ['email'], limit: 100 } })
  })

  it('cursor pagination moves the cursor into the body until there is none, keeping the rest', () => {
    const pagination = p(search.objects!.contact!.pagination)
    const first: ListRequest = { kind: 'body', url: new URL('https://api.example.com/s'), body: { limit: 100, properties: ['email'] } }
    const second = nextListRequest(pagination, { body: { results: [{ id: '1' }], paging: { next: { after: '101' } } }, headers: {}, items: [{ id: '1' }] }, first)
    expect(second).toEqual({ kind: 'body', url: first.url, body: { limit: 100, properties: ['email'], after: '101' } })
    expect(nextListRequest(pagination, { body: { results: [] }, headers: {}, items: [] }, second!)).toBeNull()
    // The same cursor again is the end, not a loop.
    expect(nextListRequest(pagination, { body: { results: [{}], paging: { next: { after: '101' } } }, headers: {}, items: [{}] }, second!)).toBeNull()
  })

  it('offset pagination advances a body member', () => {
    const pagination = p({ type: 'offset', offsetParam: 'offset', itemsPath: 'items', limitParam: 'limit', limit: 2 })
    const first = firstListRequest('https://api.example.com', { path: '/find', body: { q: 'x' } }, pagination)
    expect(first.kind === 'body' && first.body).toEqual({ q: 'x', limit: 2, offset: 0 })
    const second = nextListRequest(pagination, { body: {}, headers: {}, items: [1, 2] }, first)
    expect(second?.kind === 'body' && second.body).toEqual({ q: 'x', limit: 2, offset: 2 })
    expect(nextListRequest(pagination, { body: {}, headers: {}, items: [3] }, second!)).toBeNull()
  })

  it('refuses to page a POST list with a next-page URL', () => {
    expect(() => nextListRequest(p({ type: 'next_url', nextUrlPath: 'next', itemsPath: 'items' }), { body: { next: '/x' }, headers: {}, items: [] }, { kind: 'body', url: new URL('https://a.example/'), body: {} })).toThrow(/cannot page a POST list/)
  })

  it('withListParam keeps values as they are in bodies and variables, as text in a query', () => {
    const url = new URL('https://a.example/x')
    expect(withListParam({ kind: 'get', url }, 'since', 5)).toEqual({ kind: 'get', url: new URL('https://a.example/x?since=5') })
    expect(withListParam({ kind: 'graphql', url, body: { query: 'q', variables: { first: 1 } } }, 'after', 'c')).toEqual({ kind: 'graphql', url, body: { query: 'q', variables: { first: 1, after: 'c' } } })
  })

  it('an incremental body list puts the cursor where updatedSince says, with nothing in full runs', () => {
    const plan = syncPlan(defineConnector(search), 'contacts')
    const incremental = firstPageRequest('https://api.example.com', plan, '2026-01-01T00:00:00.000Z', 'incremental')
    expect(incremental.kind === 'body' && incremental.body.filterGroups).toEqual([{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GT', value: '2026-01-01T00:00:00.000Z' }] }])
    const full = firstPageRequest('https://api.example.com', plan, '2026-01-01T00:00:00.000Z', 'full')
    expect(full.kind === 'body' && 'filterGroups' in full.body).toBe(false)
  })
})
