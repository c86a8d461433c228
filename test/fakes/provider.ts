/**
 * Local fake providers for sync tests: one HTTP server on 127.0.0.1 (port 0) per instance, serving
 * one provider's list endpoints as that provider documents them.
 *
 * Styles, each serving the object paths its connector declares (`connector.objects[*].path`):
 * - `github` (`connectors/github`): bare JSON arrays, `per_page` + `page`, RFC 8288 `Link` header,
 *   `since` on `updated_at`, `x-ratelimit-*` headers (reset in epoch seconds).
 * - `hubspot` (`connectors/hubspot`): `{ results, paging: { next: { after, link } } }`, `limit` +
 *   `after`, `X-HubSpot-RateLimit-*` headers, `archived=true` lists removed records;
 *   `GET /crm/v3/properties/contacts|companies` describes the account's properties, custom ones included.
 * - `stripe` (`connectors/stripe`): `{ object: 'list', url, has_more, data }`, `limit` +
 *   `starting_after`, newest first, `created[gte|gt|lte|lt]` filters.
 * - `salesforce` (`test-salesforce` in `./connectors.ts`): SOQL query paging with
 *   `{ totalSize, done, nextRecordsUrl?, records }`.
 * - `offset` (`test-offset` in `./connectors.ts`): `?offset=&limit=&updated_since=` → `{ items, total }`.
 *
 * Records are generated from their index, so a million of them cost nothing until served; only
 * changes are stored (updated, removed and added records). Ids are stable and sort in index order.
 * Timestamps start at `epoch` and advance by `stepMs` per index; `update()` and `add()` stamp the
 * record with the current time (strictly later than every stored timestamp).
 *
 * Faults are scriptable per request (`failNext`, `malformedNext`, `delayNext`, `rateLimitStorm`)
 * and per page (`failFromPage`, `onPage`); every request is logged with its headers.
 *
 * @example
 * const fake = await startFakeProvider({ style: 'hubspot', count: 250 })
 * let url: URL | null = firstPageUrl(fake.url, hubspot.objects.contact!, hubspot.http.pagination)
 * // … fetch with `Authorization: Bearer x`, extractItems, nextPage …
 * await fake.close()
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import githubConnector from '../../connectors/github/index'
import hubspotConnector from '../../connectors/hubspot/index'
import type { Connector } from '../../connectors/schema'
import stripeConnector from '../../connectors/stripe/index'
import { SALESFORCE_API_VERSION, testOffsetConnector, testSalesforceConnector } from './connectors'

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/** Which provider's documented list behaviour a fake reproduces. */
export type FakeStyle = 'github' | 'hubspot' | 'stripe' | 'salesforce' | 'offset'

/** The connector whose object paths, pagination and rate-limit headers each style matches. */
export const STYLE_CONNECTORS: Readonly<Record<FakeStyle, Connector>> = {
  github: githubConnector,
  hubspot: hubspotConnector,
  stripe: stripeConnector,
  salesforce: testSalesforceConnector,
  offset: testOffsetConnector,
}

/**
 * A scripted response. `body`: an object or array is sent as JSON, a string as is; left out, the
 * body is the style's documented error shape for `status` (e.g. GitHub's
 * `{ message, documentation_url, status }`, Stripe's `{ error: { type, message } }`).
 * `headers` are added to (and override) the style's rate-limit headers.
 */
export interface FaultResponse {
  status: number
  headers?: Record<string, string>
  body?: unknown
}

/** One request as the fake received it. */
export interface FakeRequest {
  method: string
  /** The absolute URL requested (`http://127.0.0.1:<port>/path?query`). */
  url: string
  /** Request headers, names lower-cased (Node's `IncomingHttpHeaders`). */
  headers: IncomingHttpHeaders
  /**
   * The credential found: the token of `Authorization: Bearer|token <x>`, the user name of HTTP
   * Basic (Stripe's documented key-as-username form), or `X-Api-Key` (`offset` style).
   */
  credential?: string
  /** The connector object name whose list was requested, when it was a list request. */
  object?: string
  /** 0-based position of the requested page in a walk of the list (first page = 0). */
  pageIndex?: number
  /** The status answered. */
  status?: number
}

/** Options of {@link FakeProvider.rateLimitStorm}. */
export interface RateLimitStormOptions {
  /** Every `every`-th request from now on (1 = every request) is rate limited. */
  every: number
  /**
   * How long the provider tells clients to wait, seconds: `retry-after` (GitHub secondary limit,
   * `offset`), or the distance to `x-ratelimit-reset` (GitHub primary limit, `offset`). HubSpot,
   * Stripe and Salesforce document no wait header; this value is then unused. Default 1.
   */
  retryAfterSeconds?: number
  /**
   * Status to answer. Defaults: 429; Salesforce 403 (`REQUEST_LIMIT_EXCEEDED`, its documented
   * over-limit answer). GitHub documents 403 or 429 for both of its limits.
   */
  status?: number
  /** GitHub only: `primary` (`x-ratelimit-remaining: 0` + reset, the default) or `secondary` (`retry-after`). */
  kind?: 'primary' | 'secondary'
}

/**
 * Called before a list page is served, with its 0-based index in the walk. Returning (or resolving
 * to) a {@link FaultResponse} answers that instead; awaiting delays the page (e.g. while a test
 * kills the worker that asked for it).
 */
export type PageHook = (pageIndex: number, request: FakeRequest) => void | FaultResponse | Promise<void | FaultResponse>

/** Options of {@link startFakeProvider}. */
export interface FakeProviderOptions {
  style: FakeStyle
  /** Records per object: one number for every object, or by connector object name (default 0). */
  count?: number | Record<string, number>
  /** The object that the top-level `update`/`remove`/`add`/`records`/`count` act on (default: the connector's first object). */
  defaultObject?: string
  /**
   * Page size when a request names none (provider defaults otherwise: GitHub 30, HubSpot 10,
   * Stripe 10, Salesforce 2000, offset 50). For Salesforce it replaces the default batch size; a
   * request's `Sforce-Query-Options: batchSize=` still wins.
   */
  pageSize?: number
  /** Credentials answered with 401 in the provider's documented shape. Any other credential is accepted. */
  rejectToken?: string | ((credential: string) => boolean)
  /** Answer 401 to requests without credentials (default true). */
  requireAuth?: boolean
  /** Creation time of record 0 (default 2024-01-01T00:00:00Z). */
  epoch?: Date | number
  /** Time between consecutive records' creation, ms (default 1000). */
  stepMs?: number
  /** Clock for `update()`/`add()`/`remove()` and rate-limit windows, epoch ms (default `Date.now`). */
  now?: () => number
  /**
   * The budget the rate-limit headers report. Defaults: GitHub 5000 per hour, HubSpot 100 per
   * 10 s, Salesforce 15000 per day, offset 1000 per minute (Stripe sends no such headers). With
   * `enforce`, requests over the budget are answered as rate limited until the window ends.
   */
  rateLimit?: { limit?: number; windowMs?: number; enforce?: boolean }
}

/** One object's records on the fake. Ids are in the provider's format (GitHub numbers, others strings). */
export interface FakeCollection {
  /** The connector object name (`repository`, `contact`, `charge`, …). */
  readonly object: string
  /** The list path served (the connector object's `path`). */
  readonly path: string
  /** Records that exist now (removed ones excluded). */
  readonly count: number
  /**
   * Changes a record: deep-merges `patch` (arrays replaced) and sets its updated time to now
   * (`updated_at`, `updatedAt` + `lastmodifieddate`, `LastModifiedDate` + `SystemModstamp`). Stripe
   * objects have no update time; with no patch, `metadata.fake_revision` changes instead.
   * @returns the record as the list endpoint now returns it.
   * @throws {Error} when the id is unknown or removed.
   */
  update(id: string | number, patch?: Record<string, unknown>): Record<string, unknown>
  /** Deletes a record (HubSpot: archives it; it is then listed by `archived=true`). */
  remove(id: string | number): void
  /** Creates a record after every existing one (highest id, created now), with `patch` merged in. */
  add(patch?: Record<string, unknown>): Record<string, unknown>
  /** A record as the list endpoint returns it, or `undefined` when unknown or removed. */
  record(id: string | number): Record<string, unknown> | undefined
  /**
   * Every existing record, in id order, each as the list endpoint returns it for the connector's
   * declared object params (e.g. HubSpot `properties`). For equality checks against a full walk.
   */
  records(): Record<string, unknown>[]
}

/** A running fake provider. Mutations act on the default object; `collection(name)` reaches the others. */
export interface FakeProvider extends FakeCollection {
  readonly style: FakeStyle
  /** Origin of the server, `http://127.0.0.1:<port>`: the connector's `baseUrl` for tests. */
  readonly url: string
  readonly connector: Connector
  /** Every request received, in order (see {@link FakeRequest}). */
  readonly requests: FakeRequest[]
  /** List pages answered with 200 (faulted pages excluded). */
  readonly pagesServed: number
  /** Records in those pages. */
  readonly itemsServed: number
  /** The records of one connector object. @throws {Error} for an object the connector does not declare. */
  collection(object: string): FakeCollection
  /** The next `n` requests are answered with `fault`. */
  failNext(n: number, fault: FaultResponse): void
  /** The next `n` requests are answered 200 with a truncated, invalid JSON body. */
  malformedNext(n: number): void
  /** The next `n` requests are held `ms` milliseconds before being handled (for client timeouts). */
  delayNext(n: number, ms: number): void
  /**
   * Every `every`-th request from now on is answered as rate limited, with the provider's documented
   * status, headers and body (GitHub: 429/403 + `x-ratelimit-remaining: 0` + `x-ratelimit-reset`, or
   * `retry-after` for the secondary limit; HubSpot: 429 + `X-HubSpot-RateLimit-*` +
   * `{ status, message, errorType: 'RATE_LIMIT', correlationId, policyName }`; Stripe: 429 +
   * `{ error: { type, code: 'rate_limit', message } }`; Salesforce: 403 `REQUEST_LIMIT_EXCEEDED`;
   * offset: 429 + `Retry-After`). `null` stops the storm.
   */
  rateLimitStorm(options: RateLimitStormOptions | null): void
  /** Every list page whose index is `page` or more is answered with `fault` (default: a 500) until {@link clearFaults}. */
  failFromPage(page: number, fault?: FaultResponse): void
  /** Sets (or with `null` removes) the hook called before each list page. */
  onPage(hook: PageHook | null): void
  /** Cancels every scripted fault, the storm and the page hook. */
  clearFaults(): void
  /** Empties the request log and zeroes the counters. */
  resetLog(): void
  /** Stops the server; held (delayed) requests are dropped. */
  close(): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// Records: generated from an index, with stored changes only
// ---------------------------------------------------------------------------------------------

type Json = Record<string, unknown>

/** What a style's renderer knows of a record besides its index. */
interface RecordMeta {
  createdMs: number
  updatedMs: number
  /** Removal time (HubSpot `archivedAt`), when removed. */
  removedMs?: number
  /** Number of updates so far. */
  revision: number
}

/** How one object's records look and are identified. */
interface ObjectSpec {
  /** Resolution of the timestamps the provider shows, ms (filters compare at this resolution). */
  precisionMs: number
  idOf(index: number): string | number
  /** The index of an id, or undefined when it is not one of this object's ids. */
  indexOf(id: unknown): number | undefined
  /** The record as the list endpoint returns it. `params`: the request's query (e.g. HubSpot `properties`). */
  render(index: number, meta: RecordMeta, params: URLSearchParams): Json
  /** The change `update()` makes when given no patch. */
  defaultPatch?(revision: number): Json
}

/** First index in [lo, hi) for which `pred` holds, `pred` being monotonic (false…true); `hi` when none. */
function lowerBound(lo: number, hi: number, pred: (i: number) => boolean): number {
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2)
    if (pred(mid)) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** Number of elements of a sorted array that are < v. */
function countBelow(sorted: readonly number[], v: number): number {
  return lowerBound(0, sorted.length, (i) => sorted[i]! >= v)
}

/**
 * An ascending set of record indexes: the members of [lo, hi) not in `excluded`, plus `extras`
 * (both sorted, `extras` disjoint from the range's members). Rank and select cost
 * O(log n · log e), so a page deep in a million records is found without listing them.
 */
class IndexSet {
  readonly size: number
  constructor(
    private readonly lo: number,
    private readonly hi: number,
    private readonly excluded: readonly number[],
    private readonly extras: readonly number[],
  ) {
    this.size = Math.max(0, hi - lo) - excluded.length + extras.length
  }

  /** Members < v. */
  rank(v: number): number {
    const c = Math.min(Math.max(v, this.lo), Math.max(this.hi, this.lo))
    return c - this.lo - countBelow(this.excluded, c) + countBelow(this.extras, v)
  }

  /** The member at ascending position p (0 ≤ p < size). */
  select(p: number): number {
    const min = Math.min(this.lo, this.extras[0] ?? this.lo)
    const max = Math.max(this.hi - 1, this.extras[this.extras.length - 1] ?? this.hi - 1)
    return lowerBound(min, max + 1, (v) => this.rank(v + 1) > p)
  }
}

/** An ordered list of record indexes, read by position. */
interface View {
  readonly size: number
  at(position: number): number
}

function slice(view: View, start: number, count: number): number[] {
  const out: number[] = []
  for (let p = Math.max(0, start); p < Math.min(view.size, start + count); p++) out.push(view.at(p))
  return out
}

/** Which order a list is in. `updated-*` orders break ties by index. */
type Order = 'index-asc' | 'index-desc' | 'updated-asc' | 'updated-desc'

interface Query {
  order: Order
  /** Keep records whose shown update time is at or after this instant (ms). */
  updatedSince?: number
  /** Keep records created in [from, to) (ms). */
  createdFrom?: number
  createdTo?: number
  /** Whether unchanged generated records match the other filters (e.g. all generated GitHub issues are open). */
  regular?: boolean
  /** Filter for changed records (updated or added), given their rendered form. */
  changed?: (index: number) => boolean
}

/** One object's records: the generated ones plus stored changes. */
class Records {
  /** Creation times of added records; record `baseCount + j` was added at `added[j]`. */
  private readonly added: number[] = []
  /** Update times of changed records (updated or added). */
  private readonly bumped = new Map<number, number>()
  private readonly removed = new Map<number, number>()
  private readonly patches = new Map<number, Json>()
  private readonly revisions = new Map<number, number>()
  private lastStamp = -Infinity

  constructor(
    readonly spec: ObjectSpec,
    private readonly baseCount: number,
    private readonly epochMs: number,
    private readonly stepMs: number,
    private readonly now: () => number,
  ) {}

  get total(): number {
    return this.baseCount + this.added.length
  }

  get live(): number {
    return this.total - this.removed.size
  }

  createdMs(i: number): number {
    return i < this.baseCount ? this.epochMs + i * this.stepMs : this.added[i - this.baseCount]!
  }

  updatedMs(i: number): number {
    return this.bumped.get(i) ?? this.createdMs(i)
  }

  isRemoved(i: number): boolean {
    return this.removed.has(i)
  }

  meta(i: number): RecordMeta {
    const meta: RecordMeta = { createdMs: this.createdMs(i), updatedMs: this.updatedMs(i), revision: this.revisions.get(i) ?? 0 }
    const removedMs = this.removed.get(i)
    if (removedMs !== undefined) meta.removedMs = removedMs
    return meta
  }

  render(i: number, params: URLSearchParams): Json {
    const record = this.spec.render(i, this.meta(i), params)
    const patch = this.patches.get(i)
    return patch ? deepMerge(record, patch) : record
  }

  /** Index of an existing id. @throws {Error} when unknown. */
  indexOf(id: string | number, allowRemoved = false): number {
    const i = this.spec.indexOf(id)
    if (i === undefined || i >= this.total) throw new Error(`no record with id ${JSON.stringify(id)}`)
    if (!allowRemoved && this.removed.has(i)) throw new Error(`record ${JSON.stringify(id)} was removed`)
    return i
  }

  /** Now, but strictly after every timestamp stored or generated so far (so changed records sort last). */
  private stamp(): number {
    const floor = this.baseCount > 0 ? this.createdMs(this.baseCount - 1) : -Infinity
    const t = Math.max(this.now(), floor + 1, this.lastStamp + 1)
    this.lastStamp = t
    return t
  }

  update(i: number, patch: Json | undefined): void {
    const revision = (this.revisions.get(i) ?? 0) + 1
    this.revisions.set(i, revision)
    const change = patch ?? this.spec.defaultPatch?.(revision)
    if (change) this.patches.set(i, deepMerge(this.patches.get(i) ?? {}, change))
    this.bumped.set(i, this.stamp())
  }

  remove(i: number): void {
    this.removed.set(i, this.stamp())
  }

  add(patch: Json | undefined): number {
    const t = this.stamp()
    const i = this.total
    this.added.push(t)
    this.bumped.set(i, t)
    if (patch) this.patches.set(i, patch)
    return i
  }

  /** Removed records, in index order (HubSpot `archived=true`). */
  removedView(): View {
    const list = [...this.removed.keys()].sort((a, b) => a - b)
    return { size: list.length, at: (p) => list[p]! }
  }

  /** The records a list request matches, in its order. Costs O(e log e) for e stored changes. */
  query(q: Query): { view: View; set: IndexSet } {
    const precision = this.spec.precisionMs
    const total = this.total
    let from = 0
    let to = total
    // Creation times grow with the index (added records are stamped after every other), so a
    // creation-time range is an index range.
    if (q.createdFrom !== undefined) from = lowerBound(0, total, (i) => this.createdMs(i) >= q.createdFrom!)
    if (q.createdTo !== undefined) to = lowerBound(0, total, (i) => this.createdMs(i) >= q.createdTo!)
    // Shown time t' = floor(t / precision) * precision; t' >= since  ⇔  t >= ceil(since / precision) * precision.
    const since = q.updatedSince === undefined ? undefined : Math.ceil(q.updatedSince / precision) * precision
    const shownMatches = (i: number) => since === undefined || this.updatedMs(i) >= since

    // Unchanged generated records: a contiguous index range (their update time grows with the index).
    let lo = from
    if (since !== undefined) lo = Math.max(lo, lowerBound(0, this.baseCount, (i) => this.epochMs + i * this.stepMs >= since))
    const hi = q.regular === false ? lo : Math.min(to, this.baseCount)
    const changed = new Set<number>([...this.bumped.keys(), ...this.removed.keys()])
    const excluded = [...changed].filter((i) => i >= lo && i < hi).sort((a, b) => a - b)
    // Changed records that match, each checked on its own.
    const extras = [...this.bumped.keys()]
      .filter((i) => !this.removed.has(i) && i >= from && i < to && shownMatches(i) && (q.changed?.(i) ?? true))
      .sort((a, b) => a - b)

    if (q.order === 'index-asc' || q.order === 'index-desc') {
      const set = new IndexSet(lo, hi, excluded, extras)
      const view: View = q.order === 'index-asc' ? { size: set.size, at: (p) => set.select(p) } : { size: set.size, at: (p) => set.select(set.size - 1 - p) }
      return { view, set }
    }
    // By update time: unchanged records (update time = creation time, growing with the index) all
    // come before changed ones, which are stamped later than any of them.
    const set = new IndexSet(lo, hi, excluded, [])
    const recent = extras.sort((a, b) => this.updatedMs(a) - this.updatedMs(b) || a - b)
    const view: View =
      q.order === 'updated-asc'
        ? { size: set.size + recent.length, at: (p) => (p < set.size ? set.select(p) : recent[p - set.size]!) }
        : { size: set.size + recent.length, at: (p) => (p < recent.length ? recent[recent.length - 1 - p]! : set.select(set.size - 1 - (p - recent.length))) }
    return { view, set: new IndexSet(lo, hi, excluded, extras) }
  }
}

function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Deep merge of plain objects; arrays and other values in `patch` replace. Returns a new object. */
function deepMerge(base: Json, patch: Json): Json {
  const out: Json = { ...base }
  for (const [k, v] of Object.entries(patch)) {
    const current = out[k]
    out[k] = isPlainObject(current) && isPlainObject(v) ? deepMerge(current, v) : v
  }
  return out
}

const pad = (n: number, width: number) => String(n).padStart(width, '0')

/** `prefix` + the index zero-padded to `width` digits; sorts like the index. */
function paddedIds(prefix: string, width: number): Pick<ObjectSpec, 'idOf' | 'indexOf'> {
  const re = new RegExp(`^${prefix}(\\d{${width}})$`)
  return {
    idOf: (i) => prefix + pad(i, width),
    indexOf: (id) => {
      const m = typeof id === 'string' ? re.exec(id) : null
      return m ? Number(m[1]) : undefined
    },
  }
}

/** Integer ids `offset + index` (GitHub numbers, HubSpot numeric strings). */
function numericIds(offset: number, asString: boolean): Pick<ObjectSpec, 'idOf' | 'indexOf'> {
  return {
    idOf: (i) => (asString ? String(offset + i) : offset + i),
    indexOf: (id) => {
      const n = typeof id === 'number' ? id : typeof id === 'string' && /^\d+$/.test(id) ? Number(id) : NaN
      return Number.isSafeInteger(n) && n >= offset ? n - offset : undefined
    },
  }
}

// Timestamp formats.
/** GitHub: ISO 8601 `YYYY-MM-DDTHH:MM:SSZ` (list-issues `since` parameter and response examples). */
const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')
const isoMillis = (ms: number) => new Date(ms).toISOString()
/** Salesforce REST dates: `2024-01-01T00:00:00.000+0000`. */
const salesforceDate = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000')
const epochSeconds = (ms: number) => Math.floor(ms / 1000)

// ---------------------------------------------------------------------------------------------
// Per-request plumbing
// ---------------------------------------------------------------------------------------------

/** A response about to be written. */
interface Reply {
  status: number
  headers?: Record<string, string>
  /** JSON value, or a raw string. */
  body: unknown
}

/** What a list handler decided before rendering: the page's place, then how to render it. */
interface PagePlan {
  pageIndex: number
  render(): { reply: Reply; items: number }
}

interface RequestContext {
  url: URL
  req: IncomingMessage
  entry: FakeRequest
  /** 1-based number of this request on the server. */
  seq: number
  now: number
  records(object: string): Records
  pageSize: number | undefined
}

/** A rate-limit window's state, shown in the style's headers. */
interface RateWindow {
  limit: number
  windowMs: number
  start: number
  used: number
}

interface StyleDef {
  objects: Record<string, ObjectSpec>
  /** Documented default page size when a request names none. */
  defaultPageSize: number
  /** Headers on every response (rate limits, request ids). */
  headers(ctx: RequestContext, window: RateWindow | undefined): Record<string, string>
  /** The documented error body for a status (used when a fault gives none). */
  errorBody(status: number, ctx: RequestContext, message?: string): unknown
  unauthorized(ctx: RequestContext): Reply
  rateLimited(ctx: RequestContext, window: RateWindow | undefined, storm: RateLimitStormOptions): Reply
  /** Default budget of the rate-limit headers; undefined when the provider sends none. */
  rateLimit?: { limit: number; windowMs: number }
  credential(req: IncomingMessage): string | undefined
  /** A list request for `object`, or an immediate reply (bad parameter). */
  list(ctx: RequestContext, object: string): PagePlan | Reply
  /** Matches a path that is not a declared object path (Salesforce query locators). */
  route?(path: string): { object: string } | undefined
  /** Other GET endpoints the connector calls (verify, account info): path → body. */
  extras: Record<string, (ctx: RequestContext) => unknown>
}

function bearerOrBasic(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization
  if (!header) return undefined
  const m = /^(Bearer|token|Basic)\s+(.+)$/i.exec(header.trim())
  if (!m) return undefined
  if (m[1]!.toLowerCase() !== 'basic') return m[2]!
  const decoded = Buffer.from(m[2]!, 'base64').toString('utf8')
  return decoded.split(':')[0] || undefined
}

function intParam(params: URLSearchParams, name: string): number | undefined | 'invalid' {
  const raw = params.get(name)
  if (raw === null || raw === '') return undefined
  return /^-?\d+$/.test(raw) ? Number(raw) : 'invalid'
}

/** Parses an ISO 8601 date-time; undefined when absent, 'invalid' when unparseable. */
function dateParam(params: URLSearchParams, name: string): number | undefined | 'invalid' {
  const raw = params.get(name)
  if (raw === null || raw === '') return undefined
  const ms = /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : NaN
  return Number.isNaN(ms) ? 'invalid' : ms
}

const uuid = (seq: number) => `00000000-0000-4000-8000-${pad(seq, 12)}`

// ---------------------------------------------------------------------------------------------
// github
// ---------------------------------------------------------------------------------------------

const GITHUB_DOCS = 'https://docs.github.com/rest'

/**
 * GitHub REST API.
 * - Pagination: https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
 *   `per_page` (max 100) and `page` (1-based); the `link` header has `rel="prev"`, `"next"`,
 *   `"last"`, `"first"` links, the ones that do not apply left out, and is omitted when all results
 *   fit on one page. Default page size 30 (same page: "will only return 30 issues").
 * - Rate limits: https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
 *   `x-ratelimit-limit`, `-remaining`, `-used`, `-reset` ("in UTC epoch seconds") and `-resource`;
 *   5,000 requests per hour for a user. Over the primary limit: 403 or 429 with
 *   `x-ratelimit-remaining: 0`; over a secondary limit: 403 or 429, an error message saying so, and
 *   possibly `retry-after` (seconds)
 *   (https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#rate-limit-errors).
 * - Errors: `{ message, documentation_url }` (and, on current responses, `status` as a string),
 *   e.g. 401 `Bad credentials` (https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api).
 * - `GET /user/repos`: `sort` created|updated|pushed|full_name (default full_name), `direction`
 *   (default asc for full_name, else desc), `since` on update time
 *   (https://docs.github.com/en/rest/repos/repos#list-repositories-for-the-authenticated-user).
 * - `GET /issues`: `filter`, `state` open|closed|all (default open), `sort` created|updated|comments
 *   (default created), `direction` (default desc), `since` ("Only show results that were last
 *   updated after the given time … YYYY-MM-DDTHH:MM:SSZ")
 *   (https://docs.github.com/en/rest/issues/issues#list-issues-assigned-to-the-authenticated-user).
 *   The fake keeps issues updated at or after `since` (the boundary record is sent again, which a
 *   sync must tolerate), ignores `filter` (every issue is visible), and generates open issues only:
 *   `update(id, { state: 'closed' })` closes one.
 */
function githubStyle(): StyleDef {
  const owner = { login: 'octocat', id: 1, type: 'User' }
  const repository: ObjectSpec = {
    precisionMs: 1000,
    ...numericIds(1, false),
    render(i, meta) {
      const name = `repo-${pad(i, 8)}`
      const fullName = `${owner.login}/${name}`
      return {
        id: i + 1,
        node_id: `R_fake${pad(i, 8)}`,
        name,
        full_name: fullName,
        owner,
        private: i % 5 === 0,
        description: `Fake repository ${i}`,
        html_url: `https://github.com/${fullName}`,
        url: `https://api.github.com/repos/${fullName}`,
        default_branch: 'main',
        language: ['TypeScript', 'Go', 'Rust'][i % 3],
        stargazers_count: i % 97,
        created_at: isoSeconds(meta.createdMs),
        updated_at: isoSeconds(meta.updatedMs),
        pushed_at: isoSeconds(meta.updatedMs),
      }
    },
  }
  const issue: ObjectSpec = {
    precisionMs: 1000,
    ...numericIds(1, false),
    render(i, meta) {
      const number = i + 1
      const repo = `${owner.login}/repo-${pad(i % 10, 8)}`
      return {
        id: i + 1,
        node_id: `I_fake${pad(i, 8)}`,
        url: `https://api.github.com/repos/${repo}/issues/${number}`,
        repository_url: `https://api.github.com/repos/${repo}`,
        html_url: `https://github.com/${repo}/issues/${number}`,
        number,
        state: 'open',
        title: `Fake issue ${i}`,
        body: `Body of fake issue ${i}`,
        user: owner,
        labels: i % 4 === 0 ? [{ id: 208045946, name: 'bug', color: 'f29513', default: true }] : [],
        comments: i % 7,
        ...(i % 6 === 0 ? { pull_request: { url: `https://api.github.com/repos/${repo}/pulls/${number}`, html_url: `https://github.com/${repo}/pull/${number}` } } : {}),
        closed_at: null,
        created_at: isoSeconds(meta.createdMs),
        updated_at: isoSeconds(meta.updatedMs),
      }
    },
  }
  const errorBody = (status: number, _ctx: RequestContext, message?: string) => ({
    message: message ?? (status >= 500 ? 'Server Error' : status === 404 ? 'Not Found' : status === 422 ? 'Validation Failed' : 'Error'),
    documentation_url: GITHUB_DOCS,
    status: String(status),
  })
  return {
    objects: { repository, issue },
    defaultPageSize: 30,
    rateLimit: { limit: 5000, windowMs: 3_600_000 },
    credential: bearerOrBasic,
    headers(_ctx, w): Record<string, string> {
      if (!w) return {}
      return {
        'x-ratelimit-limit': String(w.limit),
        'x-ratelimit-remaining': String(Math.max(0, w.limit - w.used)),
        'x-ratelimit-used': String(Math.min(w.used, w.limit)),
        'x-ratelimit-reset': String(Math.ceil((w.start + w.windowMs) / 1000)),
        'x-ratelimit-resource': 'core',
      }
    },
    errorBody,
    unauthorized: (ctx) => ({ status: 401, body: errorBody(401, ctx, 'Bad credentials') }),
    rateLimited(ctx, w, storm): Reply {
      const wait = storm.retryAfterSeconds ?? 1
      const status = storm.status ?? 429
      if (storm.kind === 'secondary') {
        return {
          status,
          headers: { 'retry-after': String(wait) },
          body: {
            message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
            documentation_url: 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits',
            status: String(status),
          },
        }
      }
      return {
        status,
        headers: {
          'x-ratelimit-limit': String(w?.limit ?? 5000),
          'x-ratelimit-remaining': '0',
          'x-ratelimit-used': String(w?.limit ?? 5000),
          'x-ratelimit-reset': String(Math.ceil(ctx.now / 1000) + wait),
          'x-ratelimit-resource': 'core',
        },
        body: {
          message: 'API rate limit exceeded for user ID 1.',
          documentation_url: 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-primary-rate-limits',
          status: String(status),
        },
      }
    },
    list(ctx, object) {
      const p = ctx.url.searchParams
      const page = intParam(p, 'page') ?? 1
      const perPageRaw = intParam(p, 'per_page')
      const since = dateParam(p, 'since')
      if (page === 'invalid' || perPageRaw === 'invalid' || since === 'invalid') {
        return { status: 422, body: errorBody(422, ctx, 'Validation Failed') }
      }
      // per_page: "The number of results per page (max 100)"; larger values are capped.
      const perPage = Math.min(100, Math.max(1, perPageRaw ?? ctx.pageSize ?? 30))
      const sort = p.get('sort') ?? (object === 'repository' ? 'full_name' : 'created')
      const direction = p.get('direction') ?? (sort === 'full_name' ? 'asc' : 'desc')
      const byUpdate = sort === 'updated' || sort === 'pushed'
      const order: Order = byUpdate ? (direction === 'asc' ? 'updated-asc' : 'updated-desc') : direction === 'asc' ? 'index-asc' : 'index-desc'
      const records = ctx.records(object)
      const query: Query = { order }
      if (since !== undefined) query.updatedSince = since
      if (object === 'issue') {
        const state = p.get('state') ?? 'open'
        if (state !== 'all') {
          query.regular = state === 'open'
          query.changed = (i) => records.render(i, p).state === state
        }
      }
      const pageNo = Math.max(1, page)
      return {
        pageIndex: pageNo - 1,
        render() {
          const { view } = records.query(query)
          const items = slice(view, (pageNo - 1) * perPage, perPage).map((i) => records.render(i, p))
          const last = Math.max(1, Math.ceil(view.size / perPage))
          const headers: Record<string, string> = {}
          if (last > 1 || pageNo > 1) {
            const link = (n: number, rel: string) => {
              const u = new URL(ctx.url)
              u.searchParams.set('page', String(n))
              return `<${u.href}>; rel="${rel}"`
            }
            const links: string[] = []
            if (pageNo > 1) links.push(link(Math.min(pageNo - 1, last), 'prev'))
            if (pageNo < last) links.push(link(pageNo + 1, 'next'), link(last, 'last'))
            if (pageNo > 1) links.push(link(1, 'first'))
            headers.link = links.join(', ')
          }
          return { reply: { status: 200, headers, body: items }, items: items.length }
        },
      }
    },
    extras: {
      // https://docs.github.com/en/rest/users/users#get-the-authenticated-user
      '/user': () => ({ login: owner.login, id: owner.id, type: 'User', name: 'The Octocat', html_url: 'https://github.com/octocat' }),
    },
  }
}

// ---------------------------------------------------------------------------------------------
// hubspot
// ---------------------------------------------------------------------------------------------

/** One option of an `enumeration` property, as the properties API lists it. */
interface HubSpotOption {
  label: string
  value: string
  description: string
  displayOrder: number
  hidden: boolean
}

/** What the fake knows of one property: its definition's main keys, and (custom ones) its value on record `i`. */
export interface HubSpotPropertySpec {
  name: string
  label: string
  /** `string`, `number`, `date`, `datetime`, `enumeration` or `bool`. */
  type: string
  /** `text`, `textarea`, `phonenumber`, `number`, `date`, `select`, `radio`, `checkbox`, `booleancheckbox`, … */
  fieldType: string
  groupName: string
  description: string
  options?: [value: string, label: string, hidden?: boolean][]
  hidden?: boolean
  /** Custom properties only: the value record `i` has (HubSpot sends every value as text; `null` when unset). */
  value?: (i: number) => string | null
}

const option = (value: string, label: string, displayOrder: number, hidden = false): HubSpotOption => ({ label, value, description: '', displayOrder, hidden })

/**
 * The custom properties of the fake account (not HubSpot's own): one of each kind a mapping must
 * cope with. Contacts: a single-choice enumeration (`customer_tier`, with a hidden retired option),
 * a number, a multiple-checkbox enumeration (values joined with `;`) and a hidden property.
 * Companies: a single-choice enumeration.
 */
export const HUBSPOT_CUSTOM_PROPERTIES: Readonly<Record<'contact' | 'company', readonly HubSpotPropertySpec[]>> = {
  contact: [
    {
      name: 'customer_tier',
      label: 'Customer tier',
      type: 'enumeration',
      fieldType: 'select',
      groupName: 'contactinformation',
      description: 'Support tier of the customer',
      options: [
        ['gold', 'Gold'],
        ['silver', 'Silver'],
        ['bronze', 'Bronze'],
        ['platinum', 'Platinum (retired)', true],
      ],
      value: (i) => ['gold', 'silver', 'bronze'][i % 3]!,
    },
    { name: 'annual_spend', label: 'Annual spend', type: 'number', fieldType: 'number', groupName: 'contactinformation', description: 'Spend over the last 12 months, in USD', value: (i) => String(500 + (i % 20) * 250) },
    {
      name: 'interests',
      label: 'Interests',
      type: 'enumeration',
      fieldType: 'checkbox',
      groupName: 'contactinformation',
      description: '',
      options: [
        ['product', 'Product'],
        ['pricing', 'Pricing'],
        ['support', 'Support'],
      ],
      value: (i) => ['product', 'pricing;product', 'support', null][i % 4]!,
    },
    { name: 'legacy_import_id', label: 'Legacy import ID', type: 'string', fieldType: 'text', groupName: 'contactinformation', description: 'Id in the CRM this account migrated from', hidden: true, value: (i) => `L-${pad(i, 6)}` },
  ],
  company: [
    {
      name: 'partner_level',
      label: 'Partner level',
      type: 'enumeration',
      fieldType: 'radio',
      groupName: 'companyinformation',
      description: '',
      options: [
        ['registered', 'Registered'],
        ['certified', 'Certified'],
        ['elite', 'Elite'],
      ],
      value: (i) => ['registered', 'certified', 'elite'][i % 3]!,
    },
  ],
}

/** HubSpot's own properties that the fake's records carry (labels, types and field types as in a HubSpot account). */
const HUBSPOT_STANDARD_PROPERTIES: Readonly<Record<'contact' | 'company', readonly HubSpotPropertySpec[]>> = {
  contact: [
    { name: 'email', label: 'Email', type: 'string', fieldType: 'text', groupName: 'contactinformation', description: "A contact's email address" },
    { name: 'firstname', label: 'First Name', type: 'string', fieldType: 'text', groupName: 'contactinformation', description: "A contact's first name" },
    { name: 'lastname', label: 'Last Name', type: 'string', fieldType: 'text', groupName: 'contactinformation', description: "A contact's last name" },
    { name: 'phone', label: 'Phone Number', type: 'string', fieldType: 'phonenumber', groupName: 'contactinformation', description: "A contact's primary phone number" },
    { name: 'company', label: 'Company Name', type: 'string', fieldType: 'text', groupName: 'contactinformation', description: "Name of the contact's company" },
    {
      name: 'lifecyclestage',
      label: 'Lifecycle Stage',
      type: 'enumeration',
      fieldType: 'radio',
      groupName: 'contactinformation',
      description: 'The qualification of contacts to sales readiness.',
      options: [
        ['subscriber', 'Subscriber'],
        ['lead', 'Lead'],
        ['marketingqualifiedlead', 'Marketing Qualified Lead'],
        ['salesqualifiedlead', 'Sales Qualified Lead'],
        ['opportunity', 'Opportunity'],
        ['customer', 'Customer'],
        ['evangelist', 'Evangelist'],
        ['other', 'Other'],
      ],
    },
    { name: 'createdate', label: 'Create Date', type: 'datetime', fieldType: 'date', groupName: 'contactinformation', description: 'The date that a contact entered the system' },
    { name: 'lastmodifieddate', label: 'Last Modified Date', type: 'datetime', fieldType: 'date', groupName: 'contactinformation', description: 'Most recent timestamp of any property update for a contact.' },
    { name: 'hs_object_id', label: 'Record ID', type: 'number', fieldType: 'number', groupName: 'contactinformation', description: 'The unique ID for this record. This value is automatically set by HubSpot.' },
  ],
  company: [
    { name: 'name', label: 'Company name', type: 'string', fieldType: 'text', groupName: 'companyinformation', description: 'The name of the company or organization.' },
    { name: 'domain', label: 'Company Domain Name', type: 'string', fieldType: 'text', groupName: 'companyinformation', description: 'The domain name of the company or organization' },
    {
      name: 'industry',
      label: 'Industry',
      type: 'enumeration',
      fieldType: 'select',
      groupName: 'companyinformation',
      description: 'The type of business the company performs.',
      options: [
        ['COMPUTER_SOFTWARE', 'Computer Software'],
        ['FINANCIAL_SERVICES', 'Financial Services'],
      ],
    },
    { name: 'phone', label: 'Phone Number', type: 'string', fieldType: 'phonenumber', groupName: 'companyinformation', description: "A company's primary phone number." },
    { name: 'city', label: 'City', type: 'string', fieldType: 'text', groupName: 'companyinformation', description: "City where the company's primary location is." },
    { name: 'state', label: 'State/Region', type: 'string', fieldType: 'text', groupName: 'companyinformation', description: "The company's state or region." },
    { name: 'country', label: 'Country/Region', type: 'string', fieldType: 'text', groupName: 'companyinformation', description: 'The country/region in which the company or organization is located.' },
    { name: 'createdate', label: 'Create Date', type: 'datetime', fieldType: 'date', groupName: 'companyinformation', description: 'The date the company or organization was added to the database' },
    { name: 'hs_lastmodifieddate', label: 'Last Modified Date', type: 'datetime', fieldType: 'date', groupName: 'companyinformation', description: 'Most recent timestamp of any property update for this company.' },
    { name: 'hs_object_id', label: 'Record ID', type: 'number', fieldType: 'number', groupName: 'companyinformation', description: 'The unique ID for this record. This value is automatically set by HubSpot.' },
  ],
}

/** Values of the custom properties on record `i`. */
function customValues(kind: 'contact' | 'company', i: number): Record<string, string | null> {
  return Object.fromEntries(HUBSPOT_CUSTOM_PROPERTIES[kind].map((p) => [p.name, p.value!(i)]))
}

/** The results of `GET /crm/v3/properties/{objectType}`: HubSpot's own properties, then the account's custom ones. */
function hubspotProperties(kind: 'contact' | 'company'): Json[] {
  const at = isoMillis(Date.UTC(2023, 0, 1))
  const define = (p: HubSpotPropertySpec, custom: boolean, displayOrder: number): Json => ({
    name: p.name,
    label: p.label,
    type: p.type,
    fieldType: p.fieldType,
    description: p.description,
    groupName: p.groupName,
    options: (p.options ?? []).map(([value, label, hidden], k) => option(value, label, k + 1, hidden)),
    displayOrder,
    hasUniqueValue: p.name === 'hs_object_id',
    hidden: p.hidden ?? false,
    formField: custom || ['email', 'firstname', 'lastname', 'phone', 'company', 'name', 'domain'].includes(p.name),
    calculated: false,
    externalOptions: false,
    ...(custom ? { createdUserId: '12345' } : { hubspotDefined: true }),
    modificationMetadata: { archivable: custom, readOnlyDefinition: !custom, readOnlyOptions: !custom && p.type !== 'enumeration', readOnlyValue: p.name === 'hs_object_id' || p.name === 'createdate' || p.name.endsWith('lastmodifieddate') },
    createdAt: at,
    updatedAt: at,
    archived: false,
  })
  return [...HUBSPOT_STANDARD_PROPERTIES[kind].map((p) => define(p, false, -1)), ...HUBSPOT_CUSTOM_PROPERTIES[kind].map((p, n) => define(p, true, n + 1))]
}

/**
 * HubSpot CRM v3 objects.
 * - Lists: https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/guide and
 *   https://developers.hubspot.com/docs/api-reference/crm-companies-v3/guide: `limit` (max 100,
 *   default 10), `after` from `paging.next.after`; `{ results: [{ id, properties, createdAt,
 *   updatedAt, archived }], paging: { next: { after, link } } }`, no `paging` on the last page;
 *   `properties` names the properties returned (values are strings); `archived=true` lists archived
 *   records. The documented example cursor `NTI1Cg%3D%3D` is base64 of `525\n`, URL-encoded, and
 *   `link` is `?after=…`; the fake's cursors look the same (the id of the page's last record).
 *   Records are in id order, so a cursor stays valid when records are added or archived.
 * - Rate limits: https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines
 *   (100 requests per 10 s for OAuth apps; `X-HubSpot-RateLimit-Max`, `-Remaining` and
 *   `-Interval-Milliseconds`; no daily headers for OAuth calls:
 *   https://developers.hubspot.com/changelog/rate-limit-headers-will-now-appear-for-oauth-authenticated-calls).
 *   A 429's body: `{ status: 'error', message, errorType: 'RATE_LIMIT', correlationId, policyName,
 *   requestId }`, `policyName` naming the limit hit (https://developers.hubspot.com/docs/api/usage-details).
 * - Errors: `{ status: 'error', message, correlationId, category }`; a 401 has category
 *   `INVALID_AUTHENTICATION` ("Authentication credentials not found…",
 *   https://developers.hubspot.com/changelog/improvements-to-authentication-errors-for-v3-endpoints-in-developer-preview-program).
 * - Properties: `GET /crm/v3/properties/contacts` and `/companies`
 *   (https://developers.hubspot.com/docs/api-reference/legacy/crm/properties/get-properties) →
 *   `{ results: [{ name, label, type, fieldType, description, groupName, options: [{ label, value,
 *   description, displayOrder, hidden }], displayOrder, hasUniqueValue, hidden, formField,
 *   modificationMetadata, calculated, externalOptions, createdAt, updatedAt, archived, … }] }`;
 *   `archived=true` lists archived properties (none here). Type and field type pairs as in
 *   https://developers.hubspot.com/docs/api-reference/crm-properties-v3/guide ("Property type and
 *   fieldType values"). Listed: every standard property the records render (`hubspotDefined: true`)
 *   and {@link HUBSPOT_CUSTOM_PROPERTIES}, which records carry when `properties` names them, like
 *   any property. These requests are logged, and faulted by `failNext`, `malformedNext`,
 *   `delayNext` and storms, like any other; they are not list pages (`object` unset).
 */
function hubspotStyle(): StyleDef {
  const DEFAULT_PROPS = { contact: ['firstname', 'lastname', 'email'], company: ['name', 'domain'] }
  const STAGES = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer']
  const crmObject = (kind: 'contact' | 'company'): ObjectSpec => ({
    precisionMs: 1,
    ...numericIds(1_000_000_001, true),
    render(i, meta, params) {
      const id = String(1_000_000_001 + i)
      const all: Record<string, string | null> =
        kind === 'contact'
          ? {
              email: `contact${i}@example.com`,
              firstname: `First${i}`,
              lastname: `Last${i}`,
              phone: i % 3 === 0 ? null : `+1555${pad(i % 10_000_000, 7)}`,
              company: `Company ${i % 50}`,
              lifecyclestage: STAGES[i % STAGES.length]!,
              lastmodifieddate: isoMillis(meta.updatedMs),
              ...customValues('contact', i),
            }
          : {
              name: `Company ${i}`,
              domain: `company${i}.example.com`,
              industry: i % 2 === 0 ? 'COMPUTER_SOFTWARE' : 'FINANCIAL_SERVICES',
              phone: `+1555${pad(i % 10_000_000, 7)}`,
              city: 'Cambridge',
              state: 'MA',
              country: 'United States',
              hs_lastmodifieddate: isoMillis(meta.updatedMs),
              ...customValues('company', i),
            }
      const requested = params.get('properties')?.split(',').filter(Boolean) ?? DEFAULT_PROPS[kind]
      // Always returned: the id, creation and last-modified properties (documented examples).
      const properties: Record<string, string | null> = { createdate: isoMillis(meta.createdMs), hs_object_id: id }
      if (kind === 'contact') properties.lastmodifieddate = all.lastmodifieddate!
      else properties.hs_lastmodifieddate = all.hs_lastmodifieddate!
      for (const name of requested) if (!(name in properties)) properties[name] = all[name] ?? null
      const record: Json = { id, properties, createdAt: isoMillis(meta.createdMs), updatedAt: isoMillis(meta.updatedMs), archived: meta.removedMs !== undefined }
      if (meta.removedMs !== undefined) record.archivedAt = isoMillis(meta.removedMs)
      return record
    },
  })
  const objects = { contact: crmObject('contact'), company: crmObject('company') }
  const encodeAfter = (id: string) => encodeURIComponent(Buffer.from(`${id}\n`).toString('base64'))
  const decodeAfter = (raw: string): string | undefined => {
    let value = raw
    if (value.includes('%')) {
      try {
        value = decodeURIComponent(value)
      } catch {
        return undefined
      }
    }
    if (/^\d+$/.test(value)) return value
    const decoded = Buffer.from(value, 'base64').toString('utf8').trim()
    return /^\d+$/.test(decoded) ? decoded : undefined
  }
  const errorBody = (status: number, ctx: RequestContext, message?: string) => {
    const category = { 400: 'VALIDATION_ERROR', 401: 'INVALID_AUTHENTICATION', 403: 'MISSING_SCOPES', 404: 'OBJECT_NOT_FOUND' }[status]
    return {
      status: 'error',
      message: message ?? (status >= 500 ? 'internal error' : 'error'),
      correlationId: uuid(ctx.seq),
      ...(category ? { category } : {}),
    }
  }
  return {
    objects,
    defaultPageSize: 10,
    rateLimit: { limit: 100, windowMs: 10_000 },
    credential: bearerOrBasic,
    headers(_ctx, w): Record<string, string> {
      if (!w) return {}
      return {
        'X-HubSpot-RateLimit-Max': String(w.limit),
        'X-HubSpot-RateLimit-Remaining': String(Math.max(0, w.limit - w.used)),
        'X-HubSpot-RateLimit-Interval-Milliseconds': String(w.windowMs),
      }
    },
    errorBody,
    unauthorized: (ctx) => ({
      status: 401,
      body: errorBody(401, ctx, 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview'),
    }),
    rateLimited(ctx, w, storm) {
      return {
        status: storm.status ?? 429,
        headers: {
          'X-HubSpot-RateLimit-Max': String(w?.limit ?? 100),
          'X-HubSpot-RateLimit-Remaining': '0',
          'X-HubSpot-RateLimit-Interval-Milliseconds': String(w?.windowMs ?? 10_000),
        },
        body: {
          status: 'error',
          message: 'You have reached your ten_secondly_rolling limit.',
          errorType: 'RATE_LIMIT',
          correlationId: uuid(ctx.seq),
          policyName: 'TEN_SECONDLY_ROLLING',
          requestId: uuid(ctx.seq + 1_000_000),
        },
      }
    },
    list(ctx, object) {
      const p = ctx.url.searchParams
      const limitRaw = intParam(p, 'limit')
      if (limitRaw === 'invalid') return { status: 400, body: errorBody(400, ctx, 'Invalid input JSON on line 1 : limit') }
      const limit = Math.min(100, Math.max(1, limitRaw ?? ctx.pageSize ?? 10))
      const records = ctx.records(object)
      const afterRaw = p.get('after')
      let afterIndex: number | undefined
      if (afterRaw !== null && afterRaw !== '') {
        const id = decodeAfter(afterRaw)
        afterIndex = id === undefined ? undefined : records.spec.indexOf(id)
        if (afterIndex === undefined) return { status: 400, body: errorBody(400, ctx, `Invalid paging cursor: ${afterRaw}`) }
      }
      const archived = p.get('archived') === 'true'
      const locate = (): { view: View; start: number } => {
        if (archived) {
          const view = records.removedView()
          return { view, start: afterIndex === undefined ? 0 : lowerBound(0, view.size, (pos) => view.at(pos) > afterIndex!) }
        }
        const { view, set } = records.query({ order: 'index-asc' })
        return { view, start: afterIndex === undefined ? 0 : set.rank(afterIndex + 1) }
      }
      return {
        pageIndex: Math.floor(locate().start / limit),
        render() {
          // Located again: the page hook may have changed the records.
          const { view, start } = locate()
          const indexes = slice(view, start, limit)
          const body: Json = { results: indexes.map((i) => records.render(i, p)) }
          if (start + indexes.length < view.size && indexes.length > 0) {
            const after = encodeAfter(String(records.spec.idOf(indexes[indexes.length - 1]!)))
            body.paging = { next: { after, link: `?after=${after}` } }
          }
          return { reply: { status: 200, body }, items: indexes.length }
        },
      }
    },
    extras: {
      // https://developers.hubspot.com/docs/api-reference/account-account-info-v3/details/get-account-info-v3-details
      '/account-info/v3/details': () => ({ portalId: 62515, accountType: 'STANDARD', timeZone: 'US/Eastern', companyCurrency: 'USD', uiDomain: 'app.hubspot.com', dataHostingLocation: 'na1' }),
      // https://developers.hubspot.com/docs/api-reference/legacy/crm/properties/get-properties
      '/crm/v3/properties/contacts': (ctx) => ({ results: ctx.url.searchParams.get('archived') === 'true' ? [] : hubspotProperties('contact') }),
      '/crm/v3/properties/companies': (ctx) => ({ results: ctx.url.searchParams.get('archived') === 'true' ? [] : hubspotProperties('company') }),
    },
  }
}

// ---------------------------------------------------------------------------------------------
// stripe
// ---------------------------------------------------------------------------------------------

/**
 * Stripe API v1.
 * - Pagination: https://docs.stripe.com/api/pagination: `limit` "ranging between 1 and 100"
 *   (default 10), `starting_after` an object id, objects "in reverse chronological order";
 *   `{ object: 'list', url, has_more, data }`. `ending_before` is not implemented.
 * - `created` filter: https://docs.stripe.com/api/charges/list (`created[gte]`, `[gt]`, `[lte]`,
 *   `[lt]`, or an exact value; Unix epoch seconds). Offered on every list here, as on Stripe's.
 * - Errors: https://docs.stripe.com/api/errors: `{ error: { type, message, code?, param?, doc_url? } }`,
 *   `type` one of api_error, card_error, idempotency_error, invalid_request_error; 401 "No valid API
 *   key provided"; 429 "Too many requests hit the API too quickly" (error code `rate_limit`,
 *   https://docs.stripe.com/error-codes); 5xx `api_error`.
 * - Rate limits: https://docs.stripe.com/rate-limits: a 429 and no documented rate-limit headers.
 *   Every response carries `Request-Id` (https://docs.stripe.com/api/request_ids).
 */
function stripeStyle(): StyleDef {
  const customer: ObjectSpec = {
    precisionMs: 1000,
    ...paddedIds('cus_', 14),
    render(i, meta) {
      return {
        id: `cus_${pad(i, 14)}`,
        object: 'customer',
        address: null,
        balance: 0,
        created: epochSeconds(meta.createdMs),
        currency: 'usd',
        default_source: null,
        delinquent: false,
        description: null,
        email: `customer${i}@example.com`,
        invoice_prefix: `FAKE${pad(i % 10_000, 4)}`,
        livemode: false,
        metadata: {},
        name: `Customer ${i}`,
        next_invoice_sequence: 1,
        phone: null,
        preferred_locales: [],
        shipping: null,
        tax_exempt: 'none',
        test_clock: null,
      }
    },
    defaultPatch: (revision) => ({ metadata: { fake_revision: String(revision) } }),
  }
  const STATUSES = ['draft', 'open', 'paid', 'uncollectible', 'void'] as const
  const invoice: ObjectSpec = {
    precisionMs: 1000,
    ...paddedIds('in_', 14),
    render(i, meta) {
      const status = STATUSES[i % STATUSES.length]!
      const total = 1000 + (i % 100) * 10
      const paid = status === 'paid' ? total : 0
      return {
        id: `in_${pad(i, 14)}`,
        object: 'invoice',
        number: status === 'draft' ? null : `FAKE-${pad(i, 6)}`,
        customer: `cus_${pad(i % 100, 14)}`,
        customer_email: `customer${i % 100}@example.com`,
        customer_name: `Customer ${i % 100}`,
        status,
        currency: 'usd',
        total,
        amount_due: total,
        amount_paid: paid,
        amount_remaining: total - paid,
        due_date: null,
        hosted_invoice_url: status === 'draft' ? null : `https://invoice.stripe.com/i/fake_${pad(i, 14)}`,
        livemode: false,
        metadata: {},
        created: epochSeconds(meta.createdMs),
      }
    },
    defaultPatch: (revision) => ({ metadata: { fake_revision: String(revision) } }),
  }
  const charge: ObjectSpec = {
    precisionMs: 1000,
    ...paddedIds('ch_', 14),
    render(i, meta) {
      const amount = 500 + (i % 50) * 100
      return {
        id: `ch_${pad(i, 14)}`,
        object: 'charge',
        amount,
        amount_captured: amount,
        amount_refunded: 0,
        captured: true,
        created: epochSeconds(meta.createdMs),
        currency: 'usd',
        customer: i % 4 === 0 ? null : `cus_${pad(i % 100, 14)}`,
        description: null,
        disputed: false,
        failure_code: null,
        failure_message: null,
        livemode: false,
        metadata: {},
        paid: true,
        payment_intent: null,
        refunded: false,
        status: 'succeeded',
      }
    },
    defaultPatch: (revision) => ({ metadata: { fake_revision: String(revision) } }),
  }
  const errorBody = (status: number, _ctx: RequestContext, message?: string) => ({
    error: { type: status >= 500 ? 'api_error' : 'invalid_request_error', message: message ?? (status >= 500 ? 'An unknown error occurred' : 'Invalid request') },
  })
  return {
    objects: { customer, invoice, charge },
    defaultPageSize: 10,
    credential: bearerOrBasic,
    headers: (ctx) => ({ 'Request-Id': `req_fake${pad(ctx.seq, 10)}` }),
    errorBody,
    unauthorized: (ctx) => ({
      status: 401,
      body: { error: { type: 'invalid_request_error', message: `Invalid API Key provided: ${(ctx.entry.credential ?? '').slice(0, 8)}****` } },
    }),
    rateLimited: (_ctx, _w, storm) => ({
      status: storm.status ?? 429,
      body: {
        error: {
          type: 'invalid_request_error',
          code: 'rate_limit',
          doc_url: 'https://stripe.com/docs/error-codes/rate-limit',
          message: 'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
        },
      },
    }),
    list(ctx, object) {
      const p = ctx.url.searchParams
      const records = ctx.records(object)
      const invalid = (param: string, message: string, code = 'parameter_invalid_integer'): Reply => ({ status: 400, body: { error: { type: 'invalid_request_error', code, param, message } } })
      const limitRaw = intParam(p, 'limit')
      const limit = limitRaw ?? ctx.pageSize ?? 10
      if (limit === 'invalid' || limit < 1 || limit > 100) return invalid('limit', 'This value must be greater than or equal to 1 and less than or equal to 100.')
      const query: Query = { order: 'index-desc' }
      // created[gte|gt|lte|lt] and created=<exact>, epoch seconds.
      const bounds: [string, (s: number) => void][] = [
        ['created[gte]', (s) => (query.createdFrom = Math.max(query.createdFrom ?? -Infinity, s * 1000))],
        ['created[gt]', (s) => (query.createdFrom = Math.max(query.createdFrom ?? -Infinity, (s + 1) * 1000))],
        ['created[lte]', (s) => (query.createdTo = Math.min(query.createdTo ?? Infinity, (s + 1) * 1000))],
        ['created[lt]', (s) => (query.createdTo = Math.min(query.createdTo ?? Infinity, s * 1000))],
        ['created', (s) => ((query.createdFrom = s * 1000), (query.createdTo = (s + 1) * 1000))],
      ]
      for (const [name, apply] of bounds) {
        const v = intParam(p, name)
        if (v === 'invalid') return invalid(name, `Invalid integer: ${p.get(name)}`)
        if (v !== undefined) apply(v)
      }
      const after = p.get('starting_after')
      const afterIndex = after ? records.spec.indexOf(after) : undefined
      if (after && (afterIndex === undefined || afterIndex >= records.total)) return invalid('starting_after', `No such ${object}: '${after}'`, 'resource_missing')
      const locate = () => {
        const { view, set } = records.query(query)
        // Newest first: the objects after `starting_after` are those with a smaller index.
        return { view, start: afterIndex === undefined ? 0 : view.size - set.rank(afterIndex) }
      }
      return {
        pageIndex: Math.floor(locate().start / limit),
        render() {
          const { view, start } = locate()
          const indexes = slice(view, start, limit)
          const data = indexes.map((i) => records.render(i, p))
          return { reply: { status: 200, body: { object: 'list', url: ctx.url.pathname, has_more: start + indexes.length < view.size, data } }, items: data.length }
        },
      }
    },
    extras: {
      // https://docs.stripe.com/api/balance/balance_object
      '/v1/balance': () => ({ object: 'balance', available: [{ amount: 0, currency: 'usd', source_types: { card: 0 } }], livemode: false, pending: [{ amount: 0, currency: 'usd', source_types: { card: 0 } }] }),
      // https://docs.stripe.com/api/accounts/object
      '/v1/account': () => ({ id: 'acct_fake0000000001', object: 'account', email: 'owner@example.com', business_profile: { name: 'Fake Business' }, settings: { dashboard: { display_name: 'Fake Business' } } }),
    },
  }
}

// ---------------------------------------------------------------------------------------------
// salesforce
// ---------------------------------------------------------------------------------------------

/**
 * Salesforce REST API query paging (like `test-salesforce` in `./connectors.ts`).
 * - Query: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
 *   `GET /services/data/vXX.X/query?q=<SOQL>` → `{ totalSize, done, nextRecordsUrl?, records }`;
 *   up to 2,000 records per batch.
 * - Query More Results: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api/resources_query_more_results.htm
 *   `GET /services/data/vXX.X/query/<queryLocator>`; the documented example is
 *   `"nextRecordsUrl": "/services/data/v67.0/query/01gRO0000016PIAYA2-500"`, locator `<query id>-<offset>`.
 * - Batch size: `Sforce-Query-Options: batchSize=` (200 to 2,000)
 *   (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm).
 * - Errors: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm:
 *   a JSON array `[{ message, errorCode }]`; 401 for an expired or invalid session
 *   (`INVALID_SESSION_ID`, "Session expired or invalid"); 403 with `REQUEST_LIMIT_EXCEEDED` when
 *   the org's API request limit is exceeded; 500 `UNKNOWN_EXCEPTION`.
 * - `Sforce-Limit-Info: api-usage=<used>/<limit>` on every response
 *   (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm).
 *
 * The fake reads only the object name after `FROM` in `q` (`Account`) and keeps the records in Id
 * order; a query locator remembers the last Id served, so removing records during a walk never
 * shifts a later batch. Records are `{ attributes: { type, url }, Id, Name, Industry, CreatedDate,
 * LastModifiedDate, SystemModstamp }`, dates as `2024-01-01T00:00:00.000+0000`.
 */
function salesforceStyle(): StyleDef {
  const INDUSTRIES = ['Technology', 'Finance', 'Healthcare', 'Retail']
  const account: ObjectSpec = {
    precisionMs: 1,
    ...paddedIds('001', 15),
    render(i, meta) {
      const id = `001${pad(i, 15)}`
      return {
        attributes: { type: 'Account', url: `/services/data/${SALESFORCE_API_VERSION}/sobjects/Account/${id}` },
        Id: id,
        Name: `Account ${i}`,
        Industry: INDUSTRIES[i % INDUSTRIES.length],
        CreatedDate: salesforceDate(meta.createdMs),
        LastModifiedDate: salesforceDate(meta.updatedMs),
        SystemModstamp: salesforceDate(meta.updatedMs),
      }
    },
  }
  const SOBJECTS: Record<string, string> = { account: 'account' }
  /** Open query cursors: locator → where the next batch starts. */
  const cursors = new Map<string, { object: string; afterIndex: number; offset: number; totalSize: number; queryId: string; batch: number }>()
  let queries = 0
  const errorBody = (status: number, _ctx: RequestContext, message?: string) => [
    { message: message ?? (status >= 500 ? 'An unexpected error occurred.' : 'The request could not be processed.'), errorCode: status >= 500 ? 'UNKNOWN_EXCEPTION' : status === 404 ? 'NOT_FOUND' : 'INVALID_REQUEST' },
  ]
  const queryPath = /^\/services\/data\/v\d+\.\d+\/query(?:\/([^/]+))?\/?$/
  return {
    objects: { account },
    defaultPageSize: 2000,
    rateLimit: { limit: 15_000, windowMs: 86_400_000 },
    credential: bearerOrBasic,
    headers: (_ctx, w): Record<string, string> => (w ? { 'Sforce-Limit-Info': `api-usage=${w.used}/${w.limit}` } : {}),
    errorBody,
    unauthorized: () => ({ status: 401, body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] }),
    rateLimited: (_ctx, w, storm) => ({
      status: storm.status ?? 403,
      headers: { 'Sforce-Limit-Info': `api-usage=${w?.limit ?? 15_000}/${w?.limit ?? 15_000}` },
      body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
    }),
    route(path) {
      return queryPath.test(path) ? { object: 'account' } : undefined
    },
    list(ctx) {
      const locator = queryPath.exec(ctx.url.pathname)?.[1]
      let cursor
      if (locator !== undefined) {
        cursor = cursors.get(locator)
        if (!cursor) return { status: 400, body: [{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }] }
      } else {
        const q = ctx.url.searchParams.get('q') ?? ''
        const from = /\bFROM\s+(\w+)/i.exec(q)?.[1]
        if (!from) return { status: 400, body: [{ message: `unexpected token: ${JSON.stringify(q.slice(0, 40))}`, errorCode: 'MALFORMED_QUERY' }] }
        const object = SOBJECTS[from.toLowerCase()]
        if (!object) return { status: 400, body: [{ message: `sObject type '${from}' is not supported.`, errorCode: 'INVALID_TYPE' }] }
        const header = String(ctx.req.headers['sforce-query-options'] ?? '')
        const asked = /batchSize=(\d+)/i.exec(header)?.[1]
        const batch = asked !== undefined ? Math.min(2000, Math.max(200, Number(asked))) : Math.min(2000, Math.max(1, ctx.pageSize ?? 2000))
        queries++
        cursor = { object, afterIndex: -1, offset: 0, totalSize: ctx.records(object).live, queryId: `01gFAKE${pad(queries, 8)}AAA`, batch }
      }
      const c = cursor
      const records = ctx.records(c.object)
      return {
        pageIndex: Math.floor(c.offset / c.batch),
        render() {
          const { view, set } = records.query({ order: 'index-asc' })
          const start = set.rank(c.afterIndex + 1)
          const indexes = slice(view, start, c.batch)
          const done = start + indexes.length >= view.size
          const body: Json = { totalSize: c.totalSize, done }
          if (!done) {
            const offset = c.offset + indexes.length
            const next = `${c.queryId}-${offset}`
            cursors.set(next, { ...c, afterIndex: indexes[indexes.length - 1]!, offset })
            body.nextRecordsUrl = `/services/data/${SALESFORCE_API_VERSION}/query/${next}`
          }
          body.records = indexes.map((i) => records.render(i, ctx.url.searchParams))
          return { reply: { status: 200, body }, items: indexes.length }
        },
      }
    },
    extras: {
      [`/services/data/${SALESFORCE_API_VERSION}/limits`]: () => ({ DailyApiRequests: { Max: 15_000, Remaining: 14_000 } }),
    },
  }
}

// ---------------------------------------------------------------------------------------------
// offset
// ---------------------------------------------------------------------------------------------

/**
 * A generic offset API (like `test-offset` in `./connectors.ts`; no provider's documentation):
 * `GET /items?offset=0&limit=50&updated_since=<ISO 8601>` → `{ items, total }` in id order,
 * `limit` 1–100 (default 50), `total` the number of matching items. `X-RateLimit-Limit`,
 * `-Remaining`, `-Reset` (epoch seconds) on every response; a 429 adds `Retry-After` (seconds).
 * Errors: `{ error: <code>, message }`. Removing an item shifts every later offset by one, as on
 * any offset API: a walk in progress then skips an item.
 */
function offsetStyle(): StyleDef {
  const item: ObjectSpec = {
    precisionMs: 1,
    ...paddedIds('item_', 8),
    render(i, meta) {
      return { id: `item_${pad(i, 8)}`, name: `Item ${i}`, status: 'active', created_at: isoMillis(meta.createdMs), updated_at: isoMillis(meta.updatedMs) }
    },
  }
  const CODES: Record<number, string> = { 400: 'invalid_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 429: 'rate_limited' }
  const errorBody = (status: number, _ctx: RequestContext, message?: string) => ({ error: CODES[status] ?? (status >= 500 ? 'internal_error' : 'error'), message: message ?? `HTTP ${status}` })
  const headers = (w: RateWindow) => ({
    'X-RateLimit-Limit': String(w.limit),
    'X-RateLimit-Remaining': String(Math.max(0, w.limit - w.used)),
    'X-RateLimit-Reset': String(Math.ceil((w.start + w.windowMs) / 1000)),
  })
  return {
    objects: { item },
    defaultPageSize: 50,
    rateLimit: { limit: 1000, windowMs: 60_000 },
    credential: (req) => {
      const key = req.headers['x-api-key']
      return (Array.isArray(key) ? key[0] : key) ?? bearerOrBasic(req)
    },
    headers: (_ctx, w) => (w ? headers(w) : {}),
    errorBody,
    unauthorized: (ctx) => ({ status: 401, body: errorBody(401, ctx, 'invalid or missing API key') }),
    rateLimited(ctx, w, storm) {
      const wait = storm.retryAfterSeconds ?? 1
      return {
        status: storm.status ?? 429,
        headers: {
          'X-RateLimit-Limit': String(w?.limit ?? 1000),
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': String(Math.ceil(ctx.now / 1000) + wait),
          'Retry-After': String(wait),
        },
        body: errorBody(429, ctx, 'rate limit exceeded'),
      }
    },
    list(ctx, object) {
      const p = ctx.url.searchParams
      const offset = intParam(p, 'offset') ?? 0
      const limitRaw = intParam(p, 'limit')
      const since = dateParam(p, 'updated_since')
      if (offset === 'invalid' || offset < 0) return { status: 400, body: errorBody(400, ctx, 'offset must be a non-negative integer') }
      if (limitRaw === 'invalid') return { status: 400, body: errorBody(400, ctx, 'limit must be an integer') }
      if (since === 'invalid') return { status: 400, body: errorBody(400, ctx, 'updated_since must be an ISO 8601 date-time') }
      const limit = Math.min(100, Math.max(1, limitRaw ?? ctx.pageSize ?? 50))
      const records = ctx.records(object)
      const query: Query = { order: 'index-asc' }
      if (since !== undefined) query.updatedSince = since
      return {
        pageIndex: Math.floor(offset / limit),
        render() {
          const { view } = records.query(query)
          const items = slice(view, offset, limit).map((i) => records.render(i, p))
          return { reply: { status: 200, body: { items, total: view.size } }, items: items.length }
        },
      }
    },
    extras: {
      '/me': () => ({ id: 'acct_fake', name: 'Fake offset account' }),
    },
  }
}

const STYLES: Record<FakeStyle, () => StyleDef> = { github: githubStyle, hubspot: hubspotStyle, stripe: stripeStyle, salesforce: salesforceStyle, offset: offsetStyle }

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

/**
 * Starts a fake provider on 127.0.0.1 (a free port) in the given style.
 * @example
 * const fake = await startFakeProvider({ style: 'stripe', count: { customer: 250, charge: 10 } })
 * fake.collection('charge').add()
 * fake.rateLimitStorm({ every: 3 })
 * await fake.close()
 */
export async function startFakeProvider(options: FakeProviderOptions): Promise<FakeProvider> {
  const style = STYLES[options.style]()
  const connector = STYLE_CONNECTORS[options.style]
  const now = options.now ?? Date.now
  const epochMs = options.epoch === undefined ? Date.UTC(2024, 0, 1) : typeof options.epoch === 'number' ? options.epoch : options.epoch.getTime()
  const stepMs = options.stepMs ?? 1000
  const requireAuth = options.requireAuth ?? true

  // Objects: exactly the connector's, at the connector's paths.
  const collections = new Map<string, Records>()
  const byPath = new Map<string, string>()
  for (const [name, object] of Object.entries(connector.objects)) {
    const spec = style.objects[name]
    if (!spec) throw new Error(`the ${options.style} fake has no records for the connector's object ${JSON.stringify(name)}`)
    const count = typeof options.count === 'number' ? options.count : (options.count?.[name] ?? 0)
    collections.set(name, new Records(spec, count, epochMs, stepMs, now))
    byPath.set(object.path, name)
  }
  const defaultObject = options.defaultObject ?? Object.keys(connector.objects)[0]!
  const records = (object: string): Records => {
    const r = collections.get(object)
    if (!r) throw new Error(`the ${connector.id} connector declares no object ${JSON.stringify(object)}`)
    return r
  }

  const budget = style.rateLimit && { limit: options.rateLimit?.limit ?? style.rateLimit.limit, windowMs: options.rateLimit?.windowMs ?? style.rateLimit.windowMs }
  const window: RateWindow | undefined = budget && { ...budget, start: now(), used: 0 }

  // Fault scripts.
  let failures: FaultResponse[] = []
  let malformed = 0
  let delays: number[] = []
  let storm: (RateLimitStormOptions & { seen: number }) | null = null
  let failFrom: { page: number; fault: FaultResponse | undefined } | null = null
  let pageHook: PageHook | null = null

  const requests: FakeRequest[] = []
  let seq = 0
  let pagesServed = 0
  let itemsServed = 0
  let closed = false
  const held = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>()

  const hold = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry: { timer: NodeJS.Timeout; resolve: () => void } = { timer: setTimeout(() => {
        held.delete(entry)
        resolve()
      }, ms), resolve }
      held.add(entry)
    })

  function faultReply(fault: FaultResponse, ctx: RequestContext): Reply {
    return { status: fault.status, ...(fault.headers ? { headers: fault.headers } : {}), body: fault.body === undefined ? style.errorBody(fault.status, ctx) : fault.body }
  }

  function write(res: ServerResponse, ctx: RequestContext, reply: Reply): void {
    ctx.entry.status = reply.status
    if (res.destroyed || res.headersSent) return
    const raw = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body)
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...style.headers(ctx, window), ...reply.headers }
    res.writeHead(reply.status, headers)
    res.end(raw)
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin)
    const credential = style.credential(req)
    const entry: FakeRequest = { method: req.method ?? 'GET', url: url.href, headers: req.headers, ...(credential !== undefined ? { credential } : {}) }
    requests.push(entry)
    seq++
    const ctx: RequestContext = { url, req, entry, seq, now: now(), records, pageSize: options.pageSize }

    if (window) {
      if (ctx.now >= window.start + window.windowMs) {
        window.start = ctx.now
        window.used = 0
      }
      window.used++
    }

    const delay = delays.shift()
    if (delay !== undefined) {
      await hold(delay)
      if (closed) {
        res.destroy()
        return
      }
    }
    const failure = failures.shift()
    if (failure) return write(res, ctx, faultReply(failure, ctx))
    if (malformed > 0) {
      malformed--
      return write(res, ctx, { status: 200, body: '{"data": [{"id": "trunc' })
    }
    if (storm && ++storm.seen % storm.every === 0) return write(res, ctx, style.rateLimited(ctx, window, storm))
    if (window && options.rateLimit?.enforce && window.used > window.limit) {
      return write(res, ctx, style.rateLimited(ctx, window, { every: 1, retryAfterSeconds: Math.max(1, Math.ceil((window.start + window.windowMs - ctx.now) / 1000)) }))
    }

    const rejected = credential !== undefined && (typeof options.rejectToken === 'function' ? options.rejectToken(credential) : options.rejectToken === credential)
    if ((credential === undefined && requireAuth) || rejected) return write(res, ctx, style.unauthorized(ctx))

    if (req.method !== 'GET') return write(res, ctx, { status: 404, body: style.errorBody(404, ctx, 'Not Found') })
    const extra = style.extras[url.pathname]
    if (extra) return write(res, ctx, { status: 200, body: extra(ctx) })
    const object = byPath.get(url.pathname) ?? style.route?.(url.pathname)?.object
    if (!object) return write(res, ctx, { status: 404, body: style.errorBody(404, ctx, 'Not Found') })

    entry.object = object
    const plan = style.list(ctx, object)
    if (!('render' in plan)) return write(res, ctx, plan)
    entry.pageIndex = plan.pageIndex
    if (failFrom && plan.pageIndex >= failFrom.page) return write(res, ctx, faultReply(failFrom.fault ?? { status: 500 }, ctx))
    if (pageHook) {
      const override = await pageHook(plan.pageIndex, entry)
      if (closed) {
        res.destroy()
        return
      }
      if (override) return write(res, ctx, faultReply(override, ctx))
    }
    const { reply, items } = plan.render()
    pagesServed++
    itemsServed += items
    write(res, ctx, reply)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/plain' })
        res.end(`fake provider error: ${err instanceof Error ? err.stack : String(err)}`)
      }
    })
  })
  server.keepAliveTimeout = 1000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const collectionApi = (object: string): FakeCollection => {
    const r = records(object)
    const params = new URLSearchParams(connector.objects[object]?.params ?? {})
    return {
      object,
      path: connector.objects[object]!.path,
      get count() {
        return r.live
      },
      update(id, patch) {
        const i = r.indexOf(id)
        r.update(i, patch)
        return r.render(i, params)
      },
      remove(id) {
        r.remove(r.indexOf(id))
      },
      add(patch) {
        return r.render(r.add(patch), params)
      },
      record(id) {
        const i = r.spec.indexOf(id)
        return i === undefined || i >= r.total || r.isRemoved(i) ? undefined : r.render(i, params)
      },
      records() {
        const { view } = r.query({ order: 'index-asc' })
        return slice(view, 0, view.size).map((i) => r.render(i, params))
      },
    }
  }
  const apis = new Map([...collections.keys()].map((name) => [name, collectionApi(name)]))
  const main = apis.get(defaultObject)
  if (!main) throw new Error(`the ${connector.id} connector declares no object ${JSON.stringify(defaultObject)}`)

  return {
    style: options.style,
    url: origin,
    connector,
    requests,
    get pagesServed() {
      return pagesServed
    },
    get itemsServed() {
      return itemsServed
    },
    object: main.object,
    path: main.path,
    get count() {
      return main.count
    },
    update: (id, patch) => main.update(id, patch),
    remove: (id) => main.remove(id),
    add: (patch) => main.add(patch),
    record: (id) => main.record(id),
    records: () => main.records(),
    collection(object) {
      const api = apis.get(object)
      if (!api) throw new Error(`the ${connector.id} connector declares no object ${JSON.stringify(object)}`)
      return api
    },
    failNext(n, fault) {
      for (let k = 0; k < n; k++) failures.push(fault)
    },
    malformedNext(n) {
      malformed += n
    },
    delayNext(n, ms) {
      for (let k = 0; k < n; k++) delays.push(ms)
    },
    rateLimitStorm(opts) {
      if (opts && (!Number.isInteger(opts.every) || opts.every < 1)) throw new RangeError('rateLimitStorm: every must be a positive integer')
      storm = opts && { ...opts, seen: 0 }
    },
    failFromPage(page, fault) {
      failFrom = { page, fault }
    },
    onPage(hook) {
      pageHook = hook
    },
    clearFaults() {
      failures = []
      malformed = 0
      delays = []
      storm = null
      failFrom = null
      pageHook = null
    },
    resetLog() {
      requests.length = 0
      pagesServed = 0
      itemsServed = 0
    },
    async close() {
      if (closed) return
      closed = true
      for (const h of held) {
        clearTimeout(h.timer)
        h.resolve()
      }
      held.clear()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}
