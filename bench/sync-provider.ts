/**
 * The sync benchmark's provider (`bench/sync.ts`): a keep-alive node:http server on 127.0.0.1 that
 * lists CRM contacts generated on the fly, HubSpot-style cursor pagination
 * (`{ results, paging: { next: { after } } }`). Contact `i` is a pure function of `i`
 * ({@link contact}), so the benchmark can build the very same rows for its COPY ceiling without
 * asking the provider.
 *
 *   GET /n/<total>/contacts?limit=1000&after=<index>
 *
 * The dataset size is part of the path, so one process serves every size: an integration's
 * `overrides.baseUrl` is `http://127.0.0.1:<port>/n/<total>` and the connector's path `/contacts`
 * is appended to it. Any `x-api-key` is accepted; a missing one gets 401.
 *
 * Forked by `bench/sync.ts`; reports `{ type: 'ready', port }` and answers CPU queries with the
 * number of requests served so far (bench/ipc.ts).
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { pathToFileURL } from 'node:url'
import { defineConnector, type Connector } from '../connectors/schema'
import { serveParent, toParent } from './ipc'

/** Records per page the bench connector asks for (bulk size). */
export const PAGE_SIZE = 1000
/** The largest page the provider serves. */
const MAX_PAGE = 5000

const FIRST = ['Ada', 'Alan', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Radia', 'Linus', 'Frances', 'John', 'Katherine', 'Dennis', 'Hedy', 'Tim', 'Sophie', 'Niklaus', 'Joan', 'Leslie']
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Perlman', 'Torvalds', 'Allen', 'McCarthy', 'Johnson', 'Ritchie', 'Lamarr', 'Berners-Lee', 'Wilson', 'Wirth', 'Clarke', 'Lamport']
const COMPANIES = ['Acme Corporation', 'Globex', 'Initech', 'Umbrella Analytics', 'Hooli', 'Stark Industries', 'Wayne Enterprises', 'Soylent Foods', 'Vandelay Industries', 'Cyberdyne Systems', 'Tyrell Corporation', 'Wonka Industries']
const TITLES = ['Head of Operations', 'VP Sales', 'Account Executive', 'Chief Technology Officer', 'Marketing Manager', 'Procurement Lead', 'Software Engineer', 'Customer Success Manager', 'Finance Director', 'Office Manager']
const CITIES: [string, string, string][] = [
  ['Berlin', 'DE', 'Europe/Berlin'],
  ['London', 'GB', 'Europe/London'],
  ['Paris', 'FR', 'Europe/Paris'],
  ['Amsterdam', 'NL', 'Europe/Amsterdam'],
  ['New York', 'US', 'America/New_York'],
  ['San Francisco', 'US', 'America/Los_Angeles'],
  ['Toronto', 'CA', 'America/Toronto'],
  ['Sydney', 'AU', 'Australia/Sydney'],
  ['Tokyo', 'JP', 'Asia/Tokyo'],
  ['São Paulo', 'BR', 'America/Sao_Paulo'],
]
const STAGES = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist']
const SOURCES = ['ORGANIC_SEARCH', 'PAID_SEARCH', 'EMAIL_MARKETING', 'SOCIAL_MEDIA', 'REFERRALS', 'DIRECT_TRAFFIC', 'OFFLINE']
const TAGS = ['newsletter', 'webinar-2024', 'trial', 'enterprise', 'partner', 'churn-risk', 'upsell', 'event-lead']
const STREETS = ['Main Street', 'Hauptstraße', 'Rue de Rivoli', 'Baker Street', 'Market Street', 'King Street', 'Prinsengracht', 'Avenida Paulista']

/** A 32-bit mix of `n` (lowbias32): deterministic, well spread, cheap. */
function mix(n: number): number {
  n = Math.imul(n ^ (n >>> 16), 0x7feb352d)
  n = Math.imul(n ^ (n >>> 15), 0x846ca68b)
  return (n ^ (n >>> 16)) >>> 0
}

const pick = <T>(list: readonly T[], r: number): T => list[r % list.length]!
const BASE_TIME = Date.UTC(2021, 0, 1)

/** The provider's id of contact `i` (HubSpot ids are numeric strings). */
export const contactId = (i: number): string => String(100_000_000 + i)

/**
 * Contact number `i` (0-based), the same on every call: about 15 fields of CRM contact data,
 * ~480–560 bytes as JSON, keys in the provider's (unsorted) order.
 */
export function contact(i: number): Record<string, unknown> {
  const a = mix(i + 1)
  const b = mix(a ^ 0x9e3779b9)
  const c = mix(b ^ 0x85ebca6b)
  const first = pick(FIRST, a)
  const last = pick(LAST, a >>> 8)
  const company = pick(COMPANIES, b)
  const [city, country, timezone] = pick(CITIES, b >>> 8)
  const created = BASE_TIME + (a % 94_608_000) * 1000
  const updated = created + (c % 31_536_000) * 1000
  return {
    id: contactId(i),
    email: `${first}.${last}.${i}@${company.toLowerCase().replace(/[^a-z]+/g, '')}.example`.toLowerCase(),
    firstName: first,
    lastName: last,
    phone: `+1 555 ${String(a % 1000).padStart(3, '0')} ${String(b % 10_000).padStart(4, '0')}`,
    company,
    jobTitle: pick(TITLES, c),
    lifecycleStage: pick(STAGES, c >>> 4),
    leadSource: pick(SOURCES, c >>> 8),
    leadScore: c % 101,
    ownerId: `owner_${(b >>> 12) % 50}`,
    tags: [pick(TAGS, a >>> 16), pick(TAGS, b >>> 20)],
    address: { street: `${(c >>> 12) % 400} ${pick(STREETS, c >>> 20)}`, city, postalCode: String(10_000 + (a % 89_999)), country },
    timezone,
    emailOptIn: (c & 1) === 1,
    createdAt: new Date(created).toISOString(),
    updatedAt: new Date(updated).toISOString(),
  }
}

/** A grey rounded square with a white "B": bench connector only. */
const LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Bench">' +
  '<rect width="64" height="64" rx="14" fill="#6b7280"/>' +
  '<path d="M22 16v32h12a8 8 0 0 0 0-16H22h10a8 8 0 0 0 0-16z" fill="none" stroke="#fff" stroke-width="6" stroke-linejoin="round"/>' +
  '</svg>'

/**
 * The bench connector: API key in `X-Api-Key`, one object (`contact`), one full sync, pages of
 * {@link PAGE_SIZE}. Point an integration at the provider with `overrides.baseUrl`
 * (`http://127.0.0.1:<port>/n/<total>`).
 */
export function benchConnector(): Connector {
  return defineConnector({
    id: 'bench-crm',
    name: 'Bench CRM (local)',
    description: 'Generated CRM contacts served by bench/sync-provider.ts, for the sync benchmark.',
    categories: ['crm'],
    logo: LOGO,
    docsUrl: 'https://bench-crm.invalid/docs',
    auth: {
      type: 'api_key',
      fields: { apiKey: { label: 'API key', type: 'password', required: true } },
      inject: { headers: { 'X-Api-Key': '{apiKey}' } },
      verify: { method: 'GET', path: '/contacts?limit=1', okStatus: [200] },
    },
    http: {
      baseUrl: 'https://bench-crm.invalid',
      pagination: { type: 'cursor', cursorParam: 'after', cursorPath: 'paging.next.after', itemsPath: 'results', limitParam: 'limit', limit: PAGE_SIZE },
    },
    objects: {
      contact: {
        path: '/contacts',
        fields: {
          id: { type: 'string', key: true },
          email: { type: 'string' },
          firstName: { type: 'string' },
          lastName: { type: 'string' },
          updatedAt: { type: 'datetime' },
        },
      },
    },
    syncs: { contacts: { object: 'contact', mode: 'full', defaultFrequency: '1d' } },
  })
}

/** One page's JSON body: contacts `from` … `from + limit - 1` (capped at `total`). */
export function pageBody(total: number, from: number, limit: number): string {
  const end = Math.min(total, from + limit)
  const results: Record<string, unknown>[] = []
  for (let i = from; i < end; i++) results.push(contact(i))
  return JSON.stringify({ results, paging: end < total ? { next: { after: String(end) } } : {} })
}

const ROUTE = /^\/n\/(\d{1,9})\/contacts(?:\?|$)/

/** Requests served since the process started (any path), for the benchmark's remap phase. */
let served = 0

/** Starts the provider on 127.0.0.1 (random port). */
export function startSyncProvider(): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    served++
    req.resume()
    const m = ROUTE.exec(req.url ?? '')
    if (req.method !== 'GET' || !m) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}')
      return
    }
    if (!req.headers['x-api-key']) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"missing X-Api-Key"}')
      return
    }
    const q = new URL(req.url!, 'http://x').searchParams
    const total = Number(m[1])
    const from = Math.max(0, Number(q.get('after') ?? 0) || 0)
    const limit = Math.min(MAX_PAGE, Math.max(1, Number(q.get('limit') ?? 100) || 100))
    const body = Buffer.from(pageBody(total, from, limit))
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
    res.end(body)
  })
  server.keepAliveTimeout = 65_000
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port })))
}

// Forked by bench/sync.ts: serve until told to stop.
if (process.send && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { server, port } = await startSyncProvider()
  toParent({ type: 'ready', port })
  serveParent(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }, () => served)
}
