import { afterEach, describe, expect, it } from 'vitest'
import { extractItems, firstPageUrl, getHeader, getPath, nextPage, parseLinkHeader } from '../../connectors/pagination'
import { getConnector } from '../../connectors/registry'
import type { Connector, Pagination } from '../../connectors/schema'
import { registerTestConnectors, testOffsetConnector, testSalesforceConnector } from './connectors'
import { STYLE_CONNECTORS, startFakeProvider, type FakeProvider, type FakeProviderOptions, type FakeStyle } from './provider'

const TOKEN = 'test-token'
const running: FakeProvider[] = []

async function start(options: FakeProviderOptions): Promise<FakeProvider> {
  const fake = await startFakeProvider(options)
  running.push(fake)
  return fake
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((f) => f.close()))
})

/** The connector's credential headers with every `{placeholder}` set to `token`. */
function authHeaders(connector: Connector, token = TOKEN): Record<string, string> {
  const templates = 'inject' in connector.auth ? connector.auth.inject.headers : {}
  return Object.fromEntries(Object.entries(templates).map(([k, v]) => [k, v.replace(/\{[a-zA-Z_]+\}/g, token)]))
}

function paginationOf(connector: Connector, object: string): Pagination {
  return connector.objects[object]!.pagination ?? connector.http.pagination!
}

/** The item's primary key, read where the connector's key field says. */
function keyOf(connector: Connector, object: string): (item: unknown) => unknown {
  const [name, field] = Object.entries(connector.objects[object]!.fields).find(([, f]) => f.key)!
  return (item) => getPath(item, field.from ?? name)
}

interface WalkedPage {
  url: URL
  status: number
  body: unknown
  headers: Headers
  items: unknown[]
}

/** Walks an object's list with the repo's pagination functions, as the sync engine does. */
async function walk(fake: FakeProvider, object: string, opts: { params?: Record<string, string>; headers?: Record<string, string>; maxPages?: number } = {}) {
  const connector = fake.connector
  const pagination = paginationOf(connector, object)
  const declared = connector.objects[object]!
  let url: URL | null = firstPageUrl(fake.url, { path: declared.path, params: { ...declared.params, ...opts.params } }, pagination)
  const pages: WalkedPage[] = []
  const items: unknown[] = []
  while (url) {
    if (pages.length === (opts.maxPages ?? 100)) throw new Error('walk did not end')
    const res = await fetch(url, { headers: { ...authHeaders(connector), ...opts.headers } })
    const body: unknown = await res.json()
    expect(res.status, JSON.stringify(body)).toBe(200)
    const pageItems = extractItems(body, pagination.itemsPath)
    pages.push({ url, status: res.status, body, headers: res.headers, items: pageItems })
    items.push(...pageItems)
    url = nextPage(pagination, { url, body, headers: res.headers, items: pageItems })
  }
  return { pages, items }
}

async function get(fake: FakeProvider, pathAndQuery: string, headers: Record<string, string> = authHeaders(fake.connector), signal?: AbortSignal) {
  const res = await fetch(fake.url + pathAndQuery, { headers, ...(signal ? { signal } : {}) })
  const text = await res.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = text
  }
  return { status: res.status, headers: res.headers, body, text }
}

const sortByKey = (key: (item: unknown) => unknown, items: unknown[]) => [...items].sort((a, b) => String(key(a)).localeCompare(String(key(b)), 'en', { numeric: true }))

describe('every style, walked to the end with the connector declarations', () => {
  const styles: FakeStyle[] = ['github', 'hubspot', 'stripe', 'salesforce', 'offset']
  for (const style of styles) {
    it(`${style}: every record of every object exactly once, as records() has it`, async () => {
      const fake = await start({ style, count: 250, pageSize: 100 })
      for (const object of Object.keys(fake.connector.objects)) {
        const { items, pages } = await walk(fake, object)
        const key = keyOf(fake.connector, object)
        const keys = items.map(key)
        expect(new Set(keys).size, object).toBe(250)
        expect(keys.length, object).toBe(250)
        expect(sortByKey(key, items)).toEqual(sortByKey(key, fake.collection(object).records()))
        expect(pages.length, object).toBe(3)
      }
      expect(fake.pagesServed).toBe(3 * Object.keys(fake.connector.objects).length)
      expect(fake.itemsServed).toBe(250 * Object.keys(fake.connector.objects).length)
    })
  }

  it('serves exactly the object paths the connectors declare', async () => {
    for (const [style, connector] of Object.entries(STYLE_CONNECTORS)) {
      const fake = await start({ style: style as FakeStyle, count: 1 })
      for (const object of Object.values(connector.objects)) {
        const path = object.path + (style === 'salesforce' ? `?q=${encodeURIComponent(object.params.q!)}` : '')
        expect((await get(fake, path)).status, `${style} ${object.path}`).toBe(200)
      }
      expect((await get(fake, '/nope')).status).toBe(404)
    }
  })

  it('offset: a last page of exactly `limit` items is followed by one empty page', async () => {
    const fake = await start({ style: 'offset', count: 300 })
    const { pages, items } = await walk(fake, 'item')
    expect(pages.map((p) => p.items.length)).toEqual([100, 100, 100, 0])
    expect(items).toHaveLength(300)
  })
})

describe('ordering and filters under random changes, against a brute-force model', () => {
  /** Deterministic PRNG (mulberry32). */
  function rng(seed: number) {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
  }

  it('github issues: sort=updated desc with since, and created order, page by page', async () => {
    let clock = Date.UTC(2025, 0, 1)
    const fake = await start({ style: 'github', count: 120, defaultObject: 'issue', now: () => clock })
    const random = rng(7)
    for (let k = 0; k < 60; k++) {
      clock += 1000
      const live = fake.records().map((r) => r.id as number)
      const r = random()
      if (r < 0.5) fake.update(live[Math.floor(random() * live.length)]!, random() < 0.3 ? { state: 'closed' } : undefined)
      else if (r < 0.75) fake.remove(live[Math.floor(random() * live.length)]!)
      else fake.add()
    }
    type Issue = { id: number; updated_at: string; state: string }
    const all = fake.records() as Issue[]
    const since = '2024-01-01T00:01:00Z'
    const cases: Record<string, string>[] = [
      { state: 'all', sort: 'updated', direction: 'desc', since },
      { state: 'all', sort: 'updated', direction: 'asc' },
      { state: 'open', sort: 'created', direction: 'desc' },
      { state: 'closed', sort: 'created', direction: 'asc', since },
    ]
    for (const params of cases) {
      let expected = all.filter((i) => (params.state === 'all' || i.state === params.state) && (!params.since || i.updated_at >= params.since))
      const sign = params.direction === 'asc' ? 1 : -1
      expected = expected.sort((a, b) => sign * (params.sort === 'updated' ? a.updated_at.localeCompare(b.updated_at) || a.id - b.id : a.id - b.id))
      const { items } = await walk(fake, 'issue', { params: { ...params, per_page: '7' } })
      expect(items.map((i) => (i as Issue).id), JSON.stringify(params)).toEqual(expected.map((i) => i.id))
    }
  })

  it('stripe: newest first with created ranges; hubspot and offset: id order with updated_since', async () => {
    let clock = Date.UTC(2025, 0, 1)
    const stripe = await start({ style: 'stripe', count: { customer: 90, invoice: 0, charge: 0 }, now: () => clock })
    const hub = await start({ style: 'hubspot', count: 90, now: () => clock })
    const offset = await start({ style: 'offset', count: 90, now: () => clock })
    const random = rng(11)
    for (const fake of [stripe, hub, offset]) {
      for (let k = 0; k < 40; k++) {
        clock += 1000
        const live = fake.records().map((r) => r.id as string)
        const r = random()
        if (r < 0.4) fake.update(live[Math.floor(random() * live.length)]!)
        else if (r < 0.7) fake.remove(live[Math.floor(random() * live.length)]!)
        else fake.add()
      }
    }
    type Customer = { id: string; created: number }
    const customers = stripe.records() as Customer[]
    const gte = customers[20]!.created
    const lt = customers[70]!.created
    const { items } = await walk(stripe, 'customer', { params: { 'created[gte]': String(gte), 'created[lt]': String(lt), limit: '9' } })
    expect(items.map((c) => (c as Customer).id)).toEqual(
      customers
        .filter((c) => c.created >= gte && c.created < lt)
        .map((c) => c.id)
        .reverse(),
    )
    const hubWalk = await walk(hub, 'contact', { params: { limit: '8' } })
    expect(hubWalk.items.map((c) => (c as { id: string }).id)).toEqual(hub.records().map((c) => c.id))
    type Item = { id: string; updated_at: string }
    const cut = '2024-01-01T00:00:45.000Z'
    const offsetWalk = await walk(offset, 'item', { params: { updated_since: cut } })
    expect(offsetWalk.items.map((i) => (i as Item).id)).toEqual((offset.records() as Item[]).filter((i) => i.updated_at >= cut).map((i) => i.id))
  })
})

describe('github', () => {
  it('links pages with RFC 8288 prev/next/last/first, keeping the query, and omits link on a single page', async () => {
    const fake = await start({ style: 'github', count: 250 })
    const { pages } = await walk(fake, 'repository')
    const rels = pages.map((p) => parseLinkHeader(getHeader(p.headers, 'link') ?? '').map((l) => l.rel.join(' ')))
    expect(rels).toEqual([
      ['next', 'last'],
      ['prev', 'next', 'last', 'first'],
      ['prev', 'first'],
    ])
    const first = parseLinkHeader(pages[0]!.headers.get('link')!)
    expect(new URL(first[0]!.uri).searchParams.get('per_page')).toBe('100')
    expect(new URL(first[0]!.uri).searchParams.get('page')).toBe('2')
    expect(new URL(first[1]!.uri).searchParams.get('page')).toBe('3')
    expect(Array.isArray(pages[0]!.body)).toBe(true)

    const small = await start({ style: 'github', count: 5 })
    const single = await walk(small, 'repository')
    expect(single.pages).toHaveLength(1)
    expect(single.pages[0]!.headers.get('link')).toBeNull()
  })

  it('defaults to 30 per page and caps per_page at 100', async () => {
    const fake = await start({ style: 'github', count: 250 })
    expect(((await get(fake, '/user/repos')).body as unknown[]).length).toBe(30)
    expect(((await get(fake, '/user/repos?per_page=500')).body as unknown[]).length).toBe(100)
  })

  it('sends x-ratelimit-* headers, reset in epoch seconds', async () => {
    const fake = await start({ style: 'github', count: 3 })
    const before = Math.floor(Date.now() / 1000)
    const a = await get(fake, '/user/repos')
    const b = await get(fake, '/user/repos')
    expect(a.headers.get('x-ratelimit-limit')).toBe('5000')
    expect(a.headers.get('x-ratelimit-remaining')).toBe('4999')
    expect(b.headers.get('x-ratelimit-remaining')).toBe('4998')
    const reset = Number(a.headers.get('x-ratelimit-reset'))
    expect(reset).toBeGreaterThan(before)
    expect(reset).toBeLessThanOrEqual(before + 3601)
  })

  it('filters issues on `since` (ISO 8601, updated_at) and lists recently updated first', async () => {
    let clock = Date.UTC(2025, 5, 1, 12, 0, 0)
    const fake = await start({ style: 'github', count: 500, defaultObject: 'issue', now: () => clock })
    const t0 = new Date(clock).toISOString().replace('.000Z', 'Z')
    fake.update(17)
    clock += 5000
    fake.update(3, { title: 'changed' })
    clock += 5000
    const added = fake.add()
    const sync = fake.connector.syncs.issues!
    expect(sync.updatedSinceParam).toBe('since')
    const { items } = await walk(fake, 'issue', { params: { [sync.updatedSinceParam!]: t0 } })
    expect(items.map((i) => (i as { id: number }).id)).toEqual([added.id, 3, 17])
    expect((items[1] as { title: string; updated_at: string }).title).toBe('changed')
    expect((items[1] as { updated_at: string }).updated_at).toBe('2025-06-01T12:00:05Z')
    // A since in the middle of the generated records keeps those updated at or after it.
    const mid = (fake.record(400) as { updated_at: string }).updated_at
    const later = await walk(fake, 'issue', { params: { since: mid } })
    expect(later.items).toHaveLength(101 + 3)
  })

  it('lists open issues unless state=all, and closes one with update()', async () => {
    const fake = await start({ style: 'github', count: 10, defaultObject: 'issue' })
    fake.update(2, { state: 'closed' })
    expect(((await get(fake, '/issues')).body as unknown[]).length).toBe(9)
    expect(((await get(fake, '/issues?state=closed')).body as { id: number }[]).map((i) => i.id)).toEqual([2])
    expect(((await get(fake, '/issues?state=all')).body as unknown[]).length).toBe(10)
  })

  it('answers a rate-limit storm as documented: primary and secondary', async () => {
    const fake = await start({ style: 'github', count: 3 })
    fake.rateLimitStorm({ every: 2, retryAfterSeconds: 30 })
    expect((await get(fake, '/user/repos')).status).toBe(200)
    const limited = await get(fake, '/user/repos')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0')
    expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 29)
    expect(limited.body).toMatchObject({ message: expect.stringContaining('rate limit'), documentation_url: expect.stringContaining('docs.github.com') })

    fake.rateLimitStorm({ every: 1, retryAfterSeconds: 60, kind: 'secondary', status: 403 })
    const secondary = await get(fake, '/user/repos')
    expect(secondary.status).toBe(403)
    expect(secondary.headers.get('retry-after')).toBe('60')
    expect((secondary.body as { message: string }).message).toMatch(/secondary rate limit/)
    fake.rateLimitStorm(null)
    expect((await get(fake, '/user/repos')).status).toBe(200)
  })

  it('finds a page deep in a million records without generating them', async () => {
    const fake = await start({ style: 'github', count: 1_000_000 })
    const t = performance.now()
    const middle = await get(fake, '/user/repos?per_page=100&page=5000')
    expect((middle.body as { id: number }[]).map((r) => r.id).slice(0, 2)).toEqual([499_901, 499_902])
    const links = parseLinkHeader(middle.headers.get('link')!)
    expect(new URL(links.find((l) => l.rel.includes('last'))!.uri).searchParams.get('page')).toBe('10000')
    fake.remove(1)
    const first = await get(fake, '/user/repos?per_page=2')
    expect((first.body as { id: number }[]).map((r) => r.id)).toEqual([2, 3])
    expect(fake.count).toBe(999_999)
    expect(performance.now() - t).toBeLessThan(1000)
  })
})

describe('hubspot', () => {
  it('pages with paging.next.after/link, no paging on the last page, and the requested properties', async () => {
    const fake = await start({ style: 'hubspot', count: 150 })
    const { pages } = await walk(fake, 'contact')
    const first = pages[0]!.body as { results: { id: string; properties: Record<string, unknown> }[]; paging: { next: { after: string; link: string } } }
    expect(first.paging.next.link).toBe(`?after=${first.paging.next.after}`)
    expect(Buffer.from(decodeURIComponent(first.paging.next.after), 'base64').toString()).toBe(`${first.results[99]!.id}\n`)
    expect(pages[1]!.body).not.toHaveProperty('paging')
    const contact = first.results[0]!
    expect(contact).toMatchObject({ id: '1000000001', archived: false, createdAt: '2024-01-01T00:00:00.000Z' })
    expect(Object.keys(contact.properties).sort()).toEqual(['company', 'createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname', 'lifecyclestage', 'phone'])
    // Without `properties`, the documented defaults only.
    const plain = (await get(fake, '/crm/v3/objects/contacts?limit=1')).body as { results: { properties: object }[] }
    expect(Object.keys(plain.results[0]!.properties).sort()).toEqual(['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'])
    // `limit` defaults to 10 and is capped at 100.
    expect(((await get(fake, '/crm/v3/objects/contacts')).body as { results: unknown[] }).results).toHaveLength(10)
    expect(((await get(fake, '/crm/v3/objects/contacts?limit=1000')).body as { results: unknown[] }).results).toHaveLength(100)
  })

  it('keeps cursors stable: a record archived mid-walk is skipped, none is repeated; archived=true lists it', async () => {
    const fake = await start({ style: 'hubspot', count: 300 })
    fake.onPage((page) => {
      if (page === 1) fake.remove('1000000251')
    })
    const { items } = await walk(fake, 'contact')
    const ids = items.map((c) => (c as { id: string }).id)
    expect(new Set(ids).size).toBe(299)
    expect(ids).not.toContain('1000000251')
    const archived = (await get(fake, '/crm/v3/objects/contacts?archived=true')).body as { results: { id: string; archived: boolean; archivedAt: string }[] }
    expect(archived.results).toMatchObject([{ id: '1000000251', archived: true }])
  })

  it('sends X-HubSpot-RateLimit-* and answers a storm with the documented 429', async () => {
    const fake = await start({ style: 'hubspot', count: 3 })
    const ok = await get(fake, '/crm/v3/objects/companies')
    expect(ok.headers.get('x-hubspot-ratelimit-max')).toBe('100')
    expect(ok.headers.get('x-hubspot-ratelimit-remaining')).toBe('99')
    expect(ok.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000')
    fake.rateLimitStorm({ every: 1 })
    const limited = await get(fake, '/crm/v3/objects/companies')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('x-hubspot-ratelimit-remaining')).toBe('0')
    expect(limited.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000')
    expect(limited.body).toMatchObject({ status: 'error', errorType: 'RATE_LIMIT', policyName: expect.any(String), correlationId: expect.any(String), message: expect.any(String) })
  })
})

describe('stripe', () => {
  it('lists newest first as { object, url, has_more, data }, paging with starting_after', async () => {
    const fake = await start({ style: 'stripe', count: 150 })
    const { pages, items } = await walk(fake, 'customer')
    expect(pages.map((p) => (p.body as { has_more: boolean }).has_more)).toEqual([true, false])
    expect(pages[0]!.body).toMatchObject({ object: 'list', url: '/v1/customers' })
    const last = (pages[0]!.items.at(-1) as { id: string }).id
    expect(pages[1]!.url.searchParams.get('starting_after')).toBe(last)
    const created = items.map((c) => (c as { created: number }).created)
    expect(created).toEqual([...created].sort((a, b) => b - a))
    expect((items[0] as { id: string }).id).toBe('cus_00000000000149')
    expect(pages[0]!.headers.get('request-id')).toMatch(/^req_/)
    // `limit` defaults to 10; over 100 is an invalid_request_error.
    expect(((await get(fake, '/v1/customers')).body as { data: unknown[] }).data).toHaveLength(10)
    const bad = await get(fake, '/v1/customers?limit=101')
    expect(bad.status).toBe(400)
    expect(bad.body).toMatchObject({ error: { type: 'invalid_request_error', param: 'limit' } })
  })

  it('filters charges on created[gte] (epoch seconds), the connector incremental parameter', async () => {
    let clock = Date.UTC(2025, 0, 1)
    const fake = await start({ style: 'stripe', count: { customer: 1, invoice: 1, charge: 200 }, defaultObject: 'charge', now: () => clock })
    const sync = fake.connector.syncs.charges!
    expect(sync.updatedSinceParam).toBe('created[gte]')
    const from = (fake.record('ch_00000000000150') as { created: number }).created
    const { items } = await walk(fake, 'charge', { params: { [sync.updatedSinceParam!]: String(from) } })
    expect(items.map((c) => (c as { id: string }).id)).toEqual(Array.from({ length: 50 }, (_, k) => `ch_${String(199 - k).padStart(14, '0')}`))
    clock += 60_000
    const added = fake.add({ amount: 4242 })
    expect(added).toMatchObject({ created: Math.floor(clock / 1000), amount: 4242 })
    const after = await walk(fake, 'charge', { params: { 'created[gte]': String(Math.floor(clock / 1000)) } })
    expect(after.items).toEqual([added])
  })

  it('answers 429 with a rate_limit error and 500 with an api_error', async () => {
    const fake = await start({ style: 'stripe', count: 3 })
    fake.rateLimitStorm({ every: 1 })
    const limited = await get(fake, '/v1/customers')
    expect(limited.status).toBe(429)
    expect(limited.body).toMatchObject({ error: { type: 'invalid_request_error', code: 'rate_limit', message: expect.any(String) } })
    fake.rateLimitStorm(null)
    fake.failNext(1, { status: 500 })
    const failed = await get(fake, '/v1/customers')
    expect(failed.status).toBe(500)
    expect(failed.body).toMatchObject({ error: { type: 'api_error' } })
  })

  it('update() without a patch changes metadata (Stripe objects have no update time)', async () => {
    const fake = await start({ style: 'stripe', count: 3 })
    const before = fake.record('cus_00000000000001')!
    const after = fake.update('cus_00000000000001')
    expect(after).toEqual({ ...before, metadata: { fake_revision: '1' } })
  })
})

describe('salesforce', () => {
  it('pages with nextRecordsUrl paths, done and totalSize, honouring Sforce-Query-Options batchSize', async () => {
    const fake = await start({ style: 'salesforce', count: 450 })
    const { pages, items } = await walk(fake, 'account', { headers: { 'Sforce-Query-Options': 'batchSize=200' } })
    expect(pages.map((p) => p.items.length)).toEqual([200, 200, 50])
    const bodies = pages.map((p) => p.body as { totalSize: number; done: boolean; nextRecordsUrl?: string })
    expect(bodies.map((b) => b.done)).toEqual([false, false, true])
    expect(bodies.every((b) => b.totalSize === 450)).toBe(true)
    expect(bodies[0]!.nextRecordsUrl).toMatch(/^\/services\/data\/v60\.0\/query\/01g[A-Za-z0-9]+-200$/)
    expect(bodies[1]!.nextRecordsUrl).toMatch(/-400$/)
    expect(bodies[2]).not.toHaveProperty('nextRecordsUrl')
    expect(items[0]).toMatchObject({ attributes: { type: 'Account' }, Id: '001000000000000000', CreatedDate: '2024-01-01T00:00:00.000+0000' })
    expect(pages[0]!.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/15000$/)
    expect(fake.requests.map((r) => r.pageIndex)).toEqual([0, 1, 2])
  })

  it('answers an unknown locator, a bad session and the API limit in the documented array shape', async () => {
    const fake = await start({ style: 'salesforce', count: 3, rejectToken: 'expired' })
    const bad = await get(fake, '/services/data/v60.0/query/01gNOPE-2000')
    expect(bad.status).toBe(400)
    expect(bad.body).toEqual([{ message: expect.any(String), errorCode: 'INVALID_QUERY_LOCATOR' }])
    const expired = await get(fake, '/services/data/v60.0/query?q=SELECT+Id+FROM+Account', { Authorization: 'Bearer expired' })
    expect(expired.status).toBe(401)
    expect(expired.body).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }])
    fake.rateLimitStorm({ every: 1 })
    const limited = await get(fake, '/services/data/v60.0/query?q=SELECT+Id+FROM+Account')
    expect(limited.status).toBe(403)
    expect(limited.body).toEqual([{ message: expect.any(String), errorCode: 'REQUEST_LIMIT_EXCEEDED' }])
  })
})

describe('offset', () => {
  it('returns { items, total }, filters on updated_since, and shifts offsets when an item is removed', async () => {
    let clock = Date.UTC(2025, 0, 1)
    const fake = await start({ style: 'offset', count: 250, now: () => clock })
    const first = await get(fake, '/items?offset=0&limit=100')
    expect(first.body).toMatchObject({ total: 250, items: expect.any(Array) })
    expect(first.headers.get('x-ratelimit-remaining')).toBe('999')

    const sync = fake.connector.syncs.items!
    const since = new Date(clock).toISOString()
    fake.update('item_00000010')
    clock += 1
    fake.update('item_00000005')
    const changed = await walk(fake, 'item', { params: { [sync.updatedSinceParam!]: since } })
    expect(changed.items.map((i) => (i as { id: string }).id)).toEqual(['item_00000005', 'item_00000010'])

    // Offset pagination over a changing list: removing an already-read item makes the walk skip one.
    fake.onPage((page) => {
      if (page === 1) fake.remove('item_00000000')
    })
    const { items } = await walk(fake, 'item')
    const ids = items.map((i) => (i as { id: string }).id)
    // 100 + 100 + 49 items read: item_00000000 (read before its removal) and 248 others, item_00000100 never.
    expect(ids).toHaveLength(249)
    expect(new Set(ids).size).toBe(249)
    expect(ids).toContain('item_00000000')
    expect(ids).not.toContain('item_00000100')
  })
})

describe('faults', () => {
  it('failNext: the next n requests get the fault, in the provider shape when no body is given', async () => {
    const fake = await start({ style: 'github', count: 3 })
    fake.failNext(2, { status: 502 })
    const a = await get(fake, '/user/repos')
    const b = await get(fake, '/user/repos')
    expect([a.status, b.status]).toEqual([502, 502])
    expect(a.body).toEqual({ message: 'Server Error', documentation_url: 'https://docs.github.com/rest', status: '502' })
    expect(a.headers.get('x-ratelimit-limit')).toBe('5000')
    fake.failNext(1, { status: 503, headers: { 'retry-after': '2' }, body: 'upstream down' })
    const c = await get(fake, '/user/repos')
    expect([c.status, c.headers.get('retry-after'), c.text]).toEqual([503, '2', 'upstream down'])
    expect((await get(fake, '/user/repos')).status).toBe(200)
  })

  it('malformedNext: 200 with a body that is not JSON', async () => {
    const fake = await start({ style: 'hubspot', count: 3 })
    fake.malformedNext(1)
    const res = await fetch(`${fake.url}/crm/v3/objects/contacts`, { headers: authHeaders(fake.connector) })
    expect(res.status).toBe(200)
    await expect(res.json()).rejects.toThrow(SyntaxError)
    expect((await get(fake, '/crm/v3/objects/contacts')).status).toBe(200)
  })

  it('delayNext: holds requests so a client timeout fires', async () => {
    const fake = await start({ style: 'offset', count: 3 })
    fake.delayNext(1, 300)
    await expect(get(fake, '/items', authHeaders(fake.connector), AbortSignal.timeout(50))).rejects.toThrow()
    const t = performance.now()
    expect((await get(fake, '/items')).status).toBe(200)
    expect(performance.now() - t).toBeLessThan(250)
  })

  it('close() does not wait for held requests', async () => {
    const fake = await startFakeProvider({ style: 'github', count: 1 })
    fake.delayNext(1, 60_000)
    const pending = get(fake, '/user/repos').catch((err: unknown) => err)
    await new Promise((r) => setTimeout(r, 20))
    const t = performance.now()
    await fake.close()
    expect(performance.now() - t).toBeLessThan(500)
    expect(await pending).toBeInstanceOf(Error)
  })

  it('rateLimit.enforce: requests over the budget are rate limited until the window ends', async () => {
    let clock = Date.UTC(2025, 0, 1)
    const fake = await start({ style: 'hubspot', count: 1, now: () => clock, rateLimit: { limit: 2, windowMs: 10_000, enforce: true } })
    const statuses = []
    for (let k = 0; k < 3; k++) statuses.push((await get(fake, '/crm/v3/objects/contacts')).status)
    expect(statuses).toEqual([200, 200, 429])
    clock += 10_000
    const next = await get(fake, '/crm/v3/objects/contacts')
    expect(next.status).toBe(200)
    expect(next.headers.get('x-hubspot-ratelimit-remaining')).toBe('1')
  })

  it('rateLimitStorm: every k-th request, the rest unaffected', async () => {
    const fake = await start({ style: 'offset', count: 3 })
    fake.rateLimitStorm({ every: 3, retryAfterSeconds: 7 })
    const statuses: number[] = []
    let limited
    for (let k = 0; k < 6; k++) {
      const r = await get(fake, '/items')
      statuses.push(r.status)
      if (r.status === 429) limited = r
    }
    expect(statuses).toEqual([200, 200, 429, 200, 200, 429])
    expect(limited!.headers.get('retry-after')).toBe('7')
    expect(limited!.headers.get('x-ratelimit-remaining')).toBe('0')
    expect(limited!.body).toEqual({ error: 'rate_limited', message: 'rate limit exceeded' })
  })

  it('failFromPage: pages from p on fail until clearFaults()', async () => {
    const fake = await start({ style: 'stripe', count: 350 })
    fake.failFromPage(2, { status: 500 })
    await expect(walk(fake, 'customer')).rejects.toThrow(/expected 500 to be 200/)
    expect(fake.requests.map((r) => [r.pageIndex, r.status])).toEqual([
      [0, 200],
      [1, 200],
      [2, 500],
    ])
    fake.clearFaults()
    expect((await walk(fake, 'customer')).items).toHaveLength(350)
  })

  it('onPage: sees each page with its request, can hold it, and can answer it', async () => {
    const fake = await start({ style: 'hubspot', count: 250 })
    const seen: [number, string | undefined][] = []
    fake.onPage(async (page, request) => {
      seen.push([page, request.credential])
      await new Promise((r) => setTimeout(r, 5))
      if (page === 2 && seen.length === 3) return { status: 500 }
    })
    await expect(walk(fake, 'contact')).rejects.toThrow()
    expect(seen).toEqual([
      [0, TOKEN],
      [1, TOKEN],
      [2, TOKEN],
    ])
    const failed = fake.requests.at(-1)!
    expect(failed.status).toBe(500)
    // The walk resumes from the failed page's URL.
    const retry = await get(fake, new URL(failed.url).pathname + new URL(failed.url).search)
    expect(retry.status).toBe(200)
  })
})

describe('auth', () => {
  it('records the credential each request carried, as injected by the connector', async () => {
    const stripe = await start({ style: 'stripe', count: 1 })
    await walk(stripe, 'customer')
    expect(stripe.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`)
    expect(stripe.requests[0]!.credential).toBe(TOKEN)
    const offset = await start({ style: 'offset', count: 1 })
    await walk(offset, 'item')
    expect(offset.requests[0]!.headers['x-api-key']).toBe(TOKEN)
    // Stripe's documented HTTP Basic form (key as user name) is read too.
    await get(stripe, '/v1/customers', { Authorization: `Basic ${Buffer.from('sk_test_abc:').toString('base64')}` })
    expect(stripe.requests.at(-1)!.credential).toBe('sk_test_abc')
  })

  it('answers a rejected or missing credential with 401 in each provider shape', async () => {
    const expected: Record<FakeStyle, unknown> = {
      github: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' },
      hubspot: { status: 'error', message: expect.stringContaining('Authentication credentials not found'), correlationId: expect.any(String), category: 'INVALID_AUTHENTICATION' },
      stripe: { error: { type: 'invalid_request_error', message: expect.stringContaining('Invalid API Key provided') } },
      salesforce: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
      offset: { error: 'unauthorized', message: expect.any(String) },
    }
    for (const style of Object.keys(expected) as FakeStyle[]) {
      const fake = await start({ style, count: 1, rejectToken: (t) => t === 'revoked' })
      const [object] = Object.values(fake.connector.objects)
      const path = object!.path + (style === 'salesforce' ? '?q=SELECT+Id+FROM+Account' : '')
      const rejected = await get(fake, path, authHeaders(fake.connector, 'revoked'))
      expect(rejected.status, style).toBe(401)
      expect(rejected.body, style).toEqual(expected[style])
      expect((await get(fake, path, {})).status, style).toBe(401)
      expect((await get(fake, path)).status, style).toBe(200)
    }
  })

  it('serves the connectors verify and account-info paths', async () => {
    for (const [style, connector] of Object.entries(STYLE_CONNECTORS)) {
      const fake = await start({ style: style as FakeStyle })
      const paths = [connector.accountInfo?.path, 'verify' in connector.auth ? connector.auth.verify?.path : undefined].filter((p): p is string => !!p)
      for (const path of paths) expect((await get(fake, path)).status, `${style} ${path}`).toBe(200)
    }
  })
})

describe('mutations', () => {
  it('update bumps the provider timestamps to now; remove, add and count', async () => {
    const clock = Date.UTC(2025, 2, 3, 4, 5, 6, 789)
    const hub = await start({ style: 'hubspot', count: 5, now: () => clock })
    const updated = hub.update('1000000003', { properties: { email: 'new@example.com' } })
    expect(updated).toMatchObject({ updatedAt: '2025-03-03T04:05:06.789Z', properties: { email: 'new@example.com', lastmodifieddate: '2025-03-03T04:05:06.789Z', firstname: 'First2' } })
    hub.remove('1000000001')
    const added = hub.add()
    expect(added.id).toBe('1000000006')
    expect(hub.count).toBe(5)
    expect(hub.records().map((r) => r.id)).toEqual(['1000000002', '1000000003', '1000000004', '1000000005', '1000000006'])
    expect(() => hub.update('1000000001')).toThrow(/removed/)
    expect(() => hub.update('42')).toThrow(/no record/)

    const sf = await start({ style: 'salesforce', count: 2, now: () => clock })
    expect(sf.update('001000000000000001')).toMatchObject({ LastModifiedDate: '2025-03-03T04:05:06.789+0000', SystemModstamp: '2025-03-03T04:05:06.789+0000' })
    const gh = await start({ style: 'github', count: 2, now: () => clock })
    expect(gh.update(1)).toMatchObject({ updated_at: '2025-03-03T04:05:06Z', created_at: '2024-01-01T00:00:00Z' })
  })
})

describe('test connectors', () => {
  it('registerTestConnectors registers once and is idempotent', () => {
    const first = registerTestConnectors()
    const second = registerTestConnectors()
    expect(second).toEqual(first)
    expect(getConnector('test-salesforce')).toBe(testSalesforceConnector)
    expect(getConnector('test-offset')).toBe(testOffsetConnector)
    expect(testSalesforceConnector.syncs.accounts!.mode).toBe('full')
    expect(testOffsetConnector.syncs.items).toMatchObject({ mode: 'incremental', updatedSinceParam: 'updated_since' })
  })
})
