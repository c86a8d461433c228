import { describe, expect, it } from 'vitest'
import { PatchbayError } from '../server/src/lib/errors'
import salesforce from './fixtures/salesforce-query.json' with { type: 'json' }
import githubLinks from './github/fixtures/link-headers.json' with { type: 'json' }
import hubspotPage1 from './hubspot/fixtures/contacts-page-1.json' with { type: 'json' }
import hubspotPage2 from './hubspot/fixtures/contacts-page-2.json' with { type: 'json' }
import { extractItems, firstPageUrl, getHeader, getPath, nextPage, parseLinkHeader, type HeadersLike } from './pagination'
import { paginationSchema, type Pagination } from './schema'
import stripePage1 from './stripe/fixtures/customers-page-1.json' with { type: 'json' }
import stripePage2 from './stripe/fixtures/customers-page-2.json' with { type: 'json' }

const p = (input: unknown): Pagination => paginationSchema.parse(input)

/** Follows `nextPage` from `start`, answering each URL with `respond`, until it returns null. */
function walk(pagination: Pagination, start: URL, respond: (url: URL) => { body: unknown; headers?: HeadersLike }, maxPages = 20) {
  const urls: string[] = []
  const items: unknown[] = []
  let url: URL | null = start
  while (url) {
    if (urls.length === maxPages) throw new Error('did not stop')
    urls.push(url.href)
    const { body, headers = {} } = respond(url)
    const pageItems = extractItems(body, pagination.itemsPath)
    items.push(...pageItems)
    url = nextPage(pagination, { url, body, headers, items: pageItems })
  }
  return { urls, items }
}

describe('getPath', () => {
  const doc = { paging: { next: { after: 'NTI1' } }, data: [{ id: 'a' }, { id: 'b' }], zero: 0, nil: null }
  it('reads dotted paths, array indexes, and the document for ""', () => {
    expect(getPath(doc, 'paging.next.after')).toBe('NTI1')
    expect(getPath(doc, 'data.1.id')).toBe('b')
    expect(getPath(doc, 'zero')).toBe(0)
    expect(getPath(doc, 'nil')).toBeNull()
    expect(getPath(doc, '')).toBe(doc)
  })
  it('returns undefined for anything missing, never an inherited property', () => {
    expect(getPath(doc, 'paging.prev.before')).toBeUndefined()
    expect(getPath(doc, 'nil.x')).toBeUndefined()
    expect(getPath(doc, 'data.2.id')).toBeUndefined()
    expect(getPath(doc, 'data.01')).toBeUndefined()
    expect(getPath(doc, 'data.length')).toBeUndefined()
    expect(getPath(doc, '__proto__')).toBeUndefined()
    expect(getPath(doc, 'paging.constructor')).toBeUndefined()
    expect(getPath('text', 'length')).toBeUndefined()
  })
  it('reads a top-level key that contains dots whole (OData @odata.nextLink), else splits on the dots', () => {
    const page = { '@odata.context': 'ctx', '@odata.nextLink': 'https://graph.microsoft.com/v1.0/me/messages?$skiptoken=X', value: [] }
    expect(getPath(page, '@odata.nextLink')).toBe(page['@odata.nextLink'])
    expect(getPath({ '@odata': { nextLink: 'nested' } }, '@odata.nextLink')).toBe('nested')
    expect(getPath({ value: [{ '@odata.etag': 'W/1' }] }, 'value.0.@odata.etag')).toBeUndefined()
  })
})

describe('extractItems', () => {
  it('returns the array at the path, or the body itself for ""', () => {
    expect(extractItems({ results: [1, 2] }, 'results')).toEqual([1, 2])
    expect(extractItems([1], '')).toEqual([1])
  })
  it('treats a missing or null array as an empty page', () => {
    expect(extractItems({}, 'results')).toEqual([])
    expect(extractItems({ results: null }, 'results')).toEqual([])
    expect(extractItems(null, 'results')).toEqual([])
  })
  it('fails loudly when the path holds something else', () => {
    expect(() => extractItems({ results: { id: 1 } }, 'results')).toThrow(TypeError)
    expect(() => extractItems({ results: 'x' }, 'results')).toThrow(/expected an array at items path "results"/)
  })
})

describe('firstPageUrl', () => {
  const cursor = p({ type: 'cursor', cursorParam: 'after', cursorPath: 'next', itemsPath: 'items', limitParam: 'limit', limit: 100 })
  it('keeps the base URL path, adds params and the page size', () => {
    expect(firstPageUrl('http://127.0.0.1:4010/api/v1', { path: '/contacts', params: { archived: 'false' } }, cursor).href).toBe('http://127.0.0.1:4010/api/v1/contacts?archived=false&limit=100')
    expect(firstPageUrl('https://api.github.com/', { path: '/user/repos' }, undefined).href).toBe('https://api.github.com/user/repos')
  })
  it('encodes parameter values', () => {
    expect(firstPageUrl('https://api.example.com', { path: '/x', params: { properties: 'a,b c' } }, undefined).search).toBe('?properties=a%2Cb+c')
  })
  it('starts offset pagination at startAt', () => {
    expect(firstPageUrl('https://api.example.com', { path: '/x' }, p({ type: 'offset', offsetParam: 'page', unit: 'pages', startAt: 1, itemsPath: 'items' })).search).toBe('?page=1')
  })
  it('refuses a base URL with unresolved placeholders', () => {
    expect(() => firstPageUrl('https://{subdomain}.zendesk.com/api/v2', { path: '/tickets' }, cursor)).toThrow(/\{subdomain\}/)
  })
})

describe('nextPage: cursor in the body (HubSpot)', () => {
  // https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/guide — `paging.next.after`
  const hubspot = p({ type: 'cursor', cursorParam: 'after', cursorPath: 'paging.next.after', itemsPath: 'results', limitParam: 'limit', limit: 100 })
  it('walks the documented paging object to the page without paging', () => {
    const start = new URL('https://api.hubapi.com/crm/v3/objects/contacts?limit=100')
    const { urls, items } = walk(hubspot, start, (url) => (url.searchParams.has('after') ? hubspotPage2 : hubspotPage1))
    expect(urls).toEqual([start.href, 'https://api.hubapi.com/crm/v3/objects/contacts?limit=100&after=NTI1Cg%253D%253D'])
    expect(items).toHaveLength(2)
  })
  it('replaces an earlier cursor instead of appending a second one', () => {
    const next = nextPage(hubspot, { url: new URL('https://h.example/x?after=1&limit=2'), body: { paging: { next: { after: '2' } } }, headers: {}, items: [1, 2] })
    expect(next?.search).toBe('?after=2&limit=2')
  })
  it('stops on an empty or repeated cursor, accepts numbers, rejects objects', () => {
    const url = new URL('https://h.example/x?after=7')
    expect(nextPage(hubspot, { url, body: { paging: { next: { after: '' } } }, headers: {}, items: [1] })).toBeNull()
    expect(nextPage(hubspot, { url, body: { paging: { next: { after: '7' } } }, headers: {}, items: [1] })).toBeNull()
    expect(nextPage(hubspot, { url, body: { paging: { next: { after: 8 } } }, headers: {}, items: [1] })?.searchParams.get('after')).toBe('8')
    expect(() => nextPage(hubspot, { url, body: { paging: { next: { after: { id: 1 } } } }, headers: {}, items: [1] })).toThrow(TypeError)
  })
  it('honours hasMorePath when the provider has one', () => {
    const withFlag = p({ type: 'cursor', cursorParam: 'cursor', cursorPath: 'meta.next', hasMorePath: 'meta.more', itemsPath: 'data' })
    const url = new URL('https://h.example/x')
    expect(nextPage(withFlag, { url, body: { meta: { next: 'c2', more: false } }, headers: {}, items: [1] })).toBeNull()
    expect(nextPage(withFlag, { url, body: { meta: { next: 'c2', more: true } }, headers: {}, items: [1] })?.href).toBe('https://h.example/x?cursor=c2')
  })
})

describe('nextPage: cursor from the last item (Stripe)', () => {
  // https://docs.stripe.com/api/pagination — `starting_after` = last id, `has_more`
  const stripe = p({ type: 'cursor', cursorParam: 'starting_after', cursorFrom: 'lastItem', cursorPath: 'id', hasMorePath: 'has_more', itemsPath: 'data', limitParam: 'limit', limit: 100 })
  it('walks the documented list objects until has_more is false', () => {
    const start = new URL('https://api.stripe.com/v1/customers?limit=100')
    const { urls, items } = walk(stripe, start, (url) => (url.searchParams.has('starting_after') ? stripePage2 : stripePage1))
    expect(urls).toEqual([start.href, 'https://api.stripe.com/v1/customers?limit=100&starting_after=cus_NffrFeUfNV2Hib'])
    expect(items).toHaveLength(2)
  })
  it('stops on an empty page even if has_more says otherwise', () => {
    expect(nextPage(stripe, { url: new URL('https://api.stripe.com/v1/customers'), body: { has_more: true, data: [] }, headers: {}, items: [] })).toBeNull()
  })
  it('without hasMorePath, walks until a page comes back empty', () => {
    const lastItem = p({ type: 'cursor', cursorParam: 'since_id', cursorFrom: 'lastItem', cursorPath: 'id', itemsPath: '' })
    const all = [{ id: 1 }, { id: 2 }, { id: 3 }]
    const { urls, items } = walk(lastItem, new URL('https://h.example/users'), (url) => {
      const since = Number(url.searchParams.get('since_id') ?? 0)
      return { body: all.filter((u) => u.id > since).slice(0, 2) }
    })
    expect(items).toEqual(all)
    expect(urls).toHaveLength(3)
  })
})

describe('nextPage: offset', () => {
  const rows = Array.from({ length: 5 }, (_, i) => ({ n: i }))
  it('advances by the items read and stops on a short page', () => {
    const offset = p({ type: 'offset', offsetParam: 'offset', itemsPath: 'rows', limitParam: 'limit', limit: 2 })
    const start = firstPageUrl('https://h.example', { path: '/rows' }, offset)
    const { urls, items } = walk(offset, start, (url) => {
      const from = Number(url.searchParams.get('offset'))
      return { body: { rows: rows.slice(from, from + 2) } }
    })
    expect(urls.map((u) => new URL(u).searchParams.get('offset'))).toEqual(['0', '2', '4'])
    expect(items).toEqual(rows)
  })
  it('stops on an empty page when it cannot tell a short one (no limit), and counts pages from startAt', () => {
    const pages = p({ type: 'offset', offsetParam: 'page', unit: 'pages', startAt: 1, itemsPath: 'rows' })
    const start = firstPageUrl('https://h.example', { path: '/rows' }, pages)
    const { urls, items } = walk(pages, start, (url) => {
      const page = Number(url.searchParams.get('page'))
      return { body: { rows: rows.slice((page - 1) * 2, page * 2) } }
    })
    expect(urls.map((u) => new URL(u).searchParams.get('page'))).toEqual(['1', '2', '3', '4'])
    expect(items).toEqual(rows)
  })
  it('stops exactly at a full last page when the next one is empty', () => {
    const offset = p({ type: 'offset', offsetParam: 'offset', itemsPath: 'rows', limitParam: 'limit', limit: 5 })
    const { urls } = walk(offset, firstPageUrl('https://h.example', { path: '/rows' }, offset), (url) => ({ body: { rows: url.searchParams.get('offset') === '0' ? rows : [] } }))
    expect(urls).toHaveLength(2)
  })
})

describe('nextPage: RFC 8288 Link header (GitHub)', () => {
  // https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
  const link = p({ type: 'link', limitParam: 'per_page', limit: 100 })
  it('takes rel="next" from the documented example header', () => {
    const next = nextPage(link, { url: new URL(githubLinks.middlePage.url), body: [], headers: { link: githubLinks.middlePage.link }, items: [] })
    expect(next?.href).toBe('https://api.github.com/repositories/1300192/issues?page=4')
    const perPage = nextPage(link, { url: new URL(githubLinks.perPage.url), body: [], headers: new Headers({ Link: githubLinks.perPage.link }), items: [] })
    expect(perPage?.href).toBe('https://api.github.com/repositories/1300192/issues?per_page=2&page=2')
  })
  it('walks to the last page, which has no rel="next"', () => {
    const base = 'https://api.github.com/repositories/1300192/issues?per_page=2'
    const { urls } = walk(link, new URL(base), (url) => {
      const page = Number(url.searchParams.get('page') ?? '1')
      const links = [page < 3 && `<${base}&page=${page + 1}>; rel="next"`, `<${base}&page=3>; rel="last"`, page > 1 && `<${base}&page=1>; rel="first"`]
      return { body: [{ page }], headers: { Link: links.filter(Boolean).join(', ') } }
    })
    expect(urls).toEqual([base, `${base}&page=2`, `${base}&page=3`])
  })
  it('returns null without a Link header or without the wanted rel', () => {
    const url = new URL('https://api.github.com/user/repos')
    expect(nextPage(link, { url, body: [], headers: {}, items: [] })).toBeNull()
    expect(nextPage(link, { url, body: [], headers: { link: '<https://api.github.com/user/repos?page=1>; rel="first"' }, items: [] })).toBeNull()
  })
  it('resolves a relative target against the current URL', () => {
    const next = nextPage(link, { url: new URL('https://api.example.com/v2/items?page=1'), body: [], headers: { link: '<?page=2>; rel=next' }, items: [] })
    expect(next?.href).toBe('https://api.example.com/v2/items?page=2')
  })
  it('refuses a next page on another origin (credentials would follow it)', () => {
    const call = () => nextPage(link, { url: new URL('https://api.github.com/issues'), body: [], headers: { link: '<https://evil.example/steal>; rel="next"' }, items: [] })
    expect(call).toThrow(PatchbayError)
    expect(call).toThrow(expect.objectContaining({ code: 'upstream_host_not_allowed' }))
  })
  it('uses a configured rel other than next', () => {
    const older = p({ type: 'link', rel: 'older' })
    expect(nextPage(older, { url: new URL('https://h.example/feed'), body: [], headers: { link: '<https://h.example/feed?before=9>; rel="older"' }, items: [] })?.href).toBe('https://h.example/feed?before=9')
  })
})

describe('parseLinkHeader', () => {
  it('parses quoted and unquoted rels, several rels in one value, and case-insensitive names', () => {
    expect(parseLinkHeader('<https://h/a>; rel=next, <https://h/b>; REL="Last Prev"')).toEqual([
      { uri: 'https://h/a', rel: ['next'], params: { rel: 'next' } },
      { uri: 'https://h/b', rel: ['last', 'prev'], params: { rel: 'Last Prev' } },
    ])
  })
  it('keeps commas and semicolons inside <…> and inside quoted strings', () => {
    const links = parseLinkHeader('<https://h/s?q=a,b;c=d>; rel="next"; title="Page 2, \\"more\\"; see", <https://h/x>; rel="last"')
    expect(links).toEqual([
      { uri: 'https://h/s?q=a,b;c=d', rel: ['next'], params: { rel: 'next', title: 'Page 2, "more"; see' } },
      { uri: 'https://h/x', rel: ['last'], params: { rel: 'last' } },
    ])
  })
  it('tolerates whitespace, empty members, valueless params, and keeps the first rel', () => {
    expect(parseLinkHeader(' ,  <https://h/a> ;rel = "next" ; rel="prev"; crossorigin ,, ')).toEqual([{ uri: 'https://h/a', rel: ['next'], params: { rel: 'next', crossorigin: '' } }])
  })
  it('skips malformed members and keeps the rest', () => {
    expect(parseLinkHeader('https://no-brackets; rel="next", <https://h/ok>; rel="next"').map((l) => l.uri)).toEqual(['https://h/ok'])
    expect(parseLinkHeader('<https://h/bad> junk; rel="next", <https://h/ok>; rel="next"').map((l) => l.uri)).toEqual(['https://h/ok'])
    expect(parseLinkHeader('<https://h/unterminated; rel="next"')).toEqual([])
    expect(parseLinkHeader('')).toEqual([])
  })
  it('reads a header given as a record with repeated values', () => {
    expect(getHeader({ LINK: ['<https://h/a>; rel="prev"', '<https://h/b>; rel="next"'] }, 'link')).toBe('<https://h/a>; rel="prev", <https://h/b>; rel="next"')
    expect(getHeader(new Headers({ Link: '<https://h/a>; rel="next"' }), 'LINK')).toBe('<https://h/a>; rel="next"')
    expect(getHeader({}, 'link')).toBeUndefined()
  })
})

describe('nextPage: next URL in the body (Salesforce-like)', () => {
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm
  const nextUrl = p({ type: 'next_url', nextUrlPath: 'nextRecordsUrl', itemsPath: 'records' })
  it('follows nextRecordsUrl (a path) on the same origin until done', () => {
    const start = new URL(salesforce.firstPath, salesforce.origin)
    const { urls, items } = walk(nextUrl, start, (url) => {
      const page = url.pathname.endsWith('-2') ? 1 : url.pathname.endsWith('-4') ? 2 : 0
      return { body: salesforce.pages[page] }
    })
    expect(urls).toEqual([
      'https://mydomainname.my.salesforce.com/services/data/v62.0/query?q=SELECT+Name+FROM+Account',
      'https://mydomainname.my.salesforce.com/services/data/v62.0/query/01gD0000002HU6KIAW-2',
      'https://mydomainname.my.salesforce.com/services/data/v62.0/query/01gD0000002HU6KIAW-4',
    ])
    expect(items.map((r) => (r as { Name: string }).Name)).toEqual(['Test 1', 'Test 2', 'Test 3', 'Test 4', 'Test 5'])
  })
  it('stops on a null or missing URL and refuses another origin', () => {
    const url = new URL('https://h.example/q')
    expect(nextPage(nextUrl, { url, body: { nextRecordsUrl: null, records: [] }, headers: {}, items: [] })).toBeNull()
    expect(() => nextPage(nextUrl, { url, body: { nextRecordsUrl: 'https://other.example/q/2' }, headers: {}, items: [] })).toThrow(/origin/)
  })
})
