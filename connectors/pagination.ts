/**
 * Pagination, as plain functions the engine (proxy and sync) calls between requests.
 *
 * The engine builds the first request with {@link firstPageUrl}, reads each response's items with
 * {@link extractItems}, and asks {@link nextPage} for the following request until it returns `null`.
 * Nothing here does I/O or keeps state: the state of a walk is the URL of the current page.
 *
 * @example
 * let url: URL | null = firstPageUrl(baseUrl, object, pagination)
 * while (url) {
 *   const res = await fetch(url, { headers })
 *   const body = await res.json()
 *   const items = extractItems(body, pagination.itemsPath)
 *   yield* items
 *   url = nextPage(pagination, { url, body, headers: res.headers, items })
 * }
 */
import { PatchbayError } from '../server/src/lib/errors'
import { getPath } from './json-path'
import { placeholders, type CursorFormat, type Pagination } from './schema'

/** Re-exported for the engine and tests that import it from here ({@link getPath} lives in ./json-path). */
export { getPath }

/** Response headers as a Fetch `Headers` or a plain record (names matched case-insensitively). */
export type HeadersLike = Headers | Record<string, string | readonly string[] | undefined>

/** One page the engine has just received. */
export interface Page {
  /** The URL that was requested for this page. */
  url: URL
  /** The parsed JSON body. */
  body: unknown
  headers: HeadersLike
  /** The page's items, as returned by {@link extractItems}. */
  items: readonly unknown[]
}

/** What {@link firstPageUrl} and {@link firstListRequest} need of an object definition. */
export interface ObjectRequest {
  path: string
  params?: Record<string, string>
  /** A `POST` list's JSON body (`objects.<name>.body`). */
  body?: Record<string, unknown> | undefined
  /** A GraphQL list (`objects.<name>.graphql`). */
  graphql?: { query: string; variables?: Record<string, unknown> | undefined } | undefined
}

/**
 * One list request, the state of a walk over a list's pages:
 * - `get`: `GET url` (pagination parameters in the query);
 * - `body`: `POST url` with a JSON body whose top-level members carry the pagination parameters;
 * - `graphql`: `POST url` with `{ query, variables }` (GraphQL over HTTP), the parameters being variables.
 * It holds no credentials (they are added when the request is sent), so it can be stored.
 */
export type ListRequest =
  | { kind: 'get'; url: URL }
  | { kind: 'body'; url: URL; body: Record<string, unknown> }
  | { kind: 'graphql'; url: URL; body: { query: string; variables: Record<string, unknown> } }

/** How a {@link ListRequest} is sent: `GET url`, or `POST url` with its JSON body. */
export function listRequestCall(request: ListRequest): { method: 'GET' | 'POST'; url: URL; json?: unknown } {
  return request.kind === 'get' ? { method: 'GET', url: request.url } : { method: 'POST', url: request.url, json: request.body }
}

/** One `link-value` of an RFC 8288 `Link` header. */
export interface LinkValue {
  /** The target as written between `<` and `>` (a URI-reference, possibly relative). */
  uri: string
  /** Relation types from the `rel` parameter, lower-cased (RFC 8288 §2.1.1 compares them case-insensitively). */
  rel: string[]
  /** Every parameter by lower-cased name; the first occurrence wins (RFC 8288 §3.3 for `rel`). */
  params: Record<string, string>
}

/**
 * The items of a page: the array at `itemsPath` (`''` when the body is the array, as on GitHub).
 * A missing or `null` value is an empty page (some APIs omit the array when there is nothing).
 * @throws {TypeError} when the value at `itemsPath` exists but is not an array, which means the
 *   connector's `itemsPath` does not match the provider's response.
 */
export function extractItems(body: unknown, itemsPath: string): unknown[] {
  const value = getPath(body, itemsPath)
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new TypeError(`expected an array at items path ${JSON.stringify(itemsPath)}, got ${typeof value}`)
  return value
}

/**
 * The URL of the first page of an object's list: `baseUrl` + `object.path`, the object's static
 * `params`, the page size (`limitParam=limit`) and, for offset pagination, the start offset or page.
 * @param baseUrl the connector's `http.baseUrl` with its `{placeholders}` already resolved.
 * @throws {TypeError} when `baseUrl` still contains a `{placeholder}`.
 * @example firstPageUrl('https://api.github.com', { path: '/user/repos' }, github.http.pagination)
 *   // https://api.github.com/user/repos?per_page=100
 */
export function firstPageUrl(baseUrl: string, object: ObjectRequest, pagination: Pagination | undefined): URL {
  const unresolved = placeholders(baseUrl)
  if (unresolved.length > 0) throw new TypeError(`base URL has unresolved placeholders: ${unresolved.map((p) => `{${p}}`).join(', ')}`)
  // Concatenate rather than resolve: `new URL('/contacts', 'http://h/api/v1')` would drop `/api/v1`.
  const url = new URL(baseUrl.replace(/\/+$/, '') + object.path)
  for (const [name, value] of Object.entries(object.params ?? {})) url.searchParams.set(name, value)
  if (pagination?.type === 'relay') return url // its parameters are GraphQL variables
  if (pagination?.limitParam && pagination.limit !== undefined) url.searchParams.set(pagination.limitParam, String(pagination.limit))
  if (pagination?.type === 'offset') url.searchParams.set(pagination.offsetParam, String(pagination.startAt))
  return url
}

/**
 * The first request of an object's list: for a GET list, `GET` {@link firstPageUrl}; for a `body`
 * list, `POST` with the object's body plus the page size (`limitParam`) and start offset as
 * top-level members; for a `graphql` list, `POST` with the query and its variables plus the page
 * size variable. `params` stay in the query string in every case.
 * @throws {TypeError} when `baseUrl` still contains a `{placeholder}`.
 * @example firstListRequest('https://api.linear.app', linear.objects.issue, linear.objects.issue.pagination)
 *   // { kind: 'graphql', url: https://api.linear.app/graphql, body: { query: 'query Issues(…', variables: { first: 100 } } }
 */
export function firstListRequest(baseUrl: string, object: ObjectRequest, pagination: Pagination | undefined): ListRequest {
  if (!object.body && !object.graphql) return { kind: 'get', url: firstPageUrl(baseUrl, object, pagination) }
  const url = firstPageUrl(baseUrl, { path: object.path, params: object.params ?? {} }, undefined)
  const members: Record<string, unknown> = {}
  if (pagination?.limitParam && pagination.limit !== undefined) members[pagination.limitParam] = pagination.limit
  if (pagination?.type === 'offset') members[pagination.offsetParam] = pagination.startAt
  if (object.graphql) return { kind: 'graphql', url, body: { query: object.graphql.query, variables: { ...object.graphql.variables, ...members } } }
  return { kind: 'body', url, body: { ...object.body, ...members } }
}

/**
 * The request with one more list parameter: a query parameter (`get`, the value as text), a
 * top-level body member (`body`) or a variable (`graphql`), the value kept as it is. Pure.
 */
export function withListParam(request: ListRequest, name: string, value: unknown): ListRequest {
  switch (request.kind) {
    case 'get': {
      const url = new URL(request.url)
      url.searchParams.set(name, typeof value === 'string' ? value : JSON.stringify(value))
      return { kind: 'get', url }
    }
    case 'body':
      return { kind: 'body', url: request.url, body: { ...request.body, [name]: value } }
    case 'graphql':
      return { kind: 'graphql', url: request.url, body: { query: request.body.query, variables: { ...request.body.variables, [name]: value } } }
  }
}

/** The current value of a list parameter (see {@link withListParam}); `undefined` when unset. */
function listParam(request: ListRequest, name: string): unknown {
  if (request.kind === 'get') return request.url.searchParams.get(name) ?? undefined
  const members: Record<string, unknown> = request.kind === 'graphql' ? request.body.variables : request.body
  return Object.hasOwn(members, name) ? members[name] : undefined
}

/**
 * The request of the page after `page`, or `null` when `page` is the last one. A `get` request
 * follows {@link nextPage}. A `body` or `graphql` request keeps its URL and body and changes one
 * parameter: `cursor` the cursor (as {@link nextPage} finds it), `offset` the offset or page number,
 * `relay` the cursor variable, set to `pageInfo.endCursor` while `pageInfo.hasNextPage` is `true`
 * (https://relay.dev/graphql/connections.htm#sec-undefined.PageInfo). A cursor equal to the
 * current one ends the walk, so a provider that repeats a cursor cannot make the engine loop.
 * @throws {TypeError} when a cursor is neither a string nor a number, when `hasNextPage` is true
 *   without an `endCursor`, or when the pagination cannot page a POST list (`link`, `next_url`).
 * @throws {PatchbayError} as {@link nextPage} for a `get` request.
 */
export function nextListRequest(pagination: Pagination, page: Omit<Page, 'url'>, request: ListRequest): ListRequest | null {
  if (request.kind === 'get') {
    const url = nextPage(pagination, { ...page, url: request.url })
    return url ? { kind: 'get', url } : null
  }
  const { body, items } = page
  let name: string
  let value: string | number
  switch (pagination.type) {
    case 'cursor': {
      const cursor = nextCursor(pagination, body, items)
      if (cursor === null) return null
      ;[name, value] = [pagination.cursorParam, cursor]
      break
    }
    case 'offset': {
      if (items.length === 0) return null
      if (pagination.limit !== undefined && items.length < pagination.limit) return null
      const raw = listParam(request, pagination.offsetParam)
      const current = typeof raw === 'number' && Number.isInteger(raw) ? raw : pagination.startAt
      ;[name, value] = [pagination.offsetParam, pagination.unit === 'pages' ? current + 1 : current + items.length]
      break
    }
    case 'relay': {
      const info = getPath(body, pagination.pageInfoPath)
      if (info === null || typeof info !== 'object' || (info as { hasNextPage?: unknown }).hasNextPage !== true) return null
      const end = (info as { endCursor?: unknown }).endCursor
      if (typeof end !== 'string' || end === '') throw new TypeError(`hasNextPage is true but ${JSON.stringify(pagination.pageInfoPath + '.endCursor')} is ${end === '' ? 'empty' : typeof end}`)
      ;[name, value] = [pagination.cursorParam, end]
      break
    }
    default:
      throw new TypeError(`${pagination.type} pagination cannot page a POST list`)
  }
  if (listParam(request, name) === value) return null
  return withListParam(request, name, value)
}

/**
 * The next cursor of `cursor` pagination: at `cursorPath` in the body, or in the last item
 * (`cursorFrom: 'lastItem'`); `null` at the end (no cursor, an empty page, or `hasMorePath` not `true`).
 * @throws {TypeError} when the cursor is neither a string nor a number.
 */
function nextCursor(pagination: Extract<Pagination, { type: 'cursor' }>, body: unknown, items: readonly unknown[]): string | number | null {
  if (pagination.hasMorePath !== undefined && getPath(body, pagination.hasMorePath) !== true) return null
  let cursor: unknown
  if (pagination.cursorFrom === 'lastItem') {
    if (items.length === 0) return null
    cursor = getPath(items[items.length - 1], pagination.cursorPath)
  } else {
    cursor = getPath(body, pagination.cursorPath)
  }
  if (cursor === undefined || cursor === null || cursor === '') return null
  if (typeof cursor !== 'string' && typeof cursor !== 'number') throw new TypeError(`cursor at ${JSON.stringify(pagination.cursorPath)} is a ${typeof cursor}, expected a string or number`)
  return cursor
}

/**
 * The URL of the page after `page`, or `null` when `page` is the last one.
 *
 * - `cursor` (`cursorFrom: 'body'`): the cursor at `cursorPath` in the body (HubSpot's
 *   `paging.next.after`) goes into `cursorParam`; no cursor means the end.
 * - `cursor` (`cursorFrom: 'lastItem'`): the value at `cursorPath` in the last item (Stripe's `id`
 *   for `starting_after`); an empty page means the end.
 * - With `hasMorePath` (Stripe's `has_more`), anything but `true` there means the end.
 * - `offset`: the offset advances by the number of items (`unit: 'items'`) or the page number by one
 *   (`unit: 'pages'`); an empty page, or one shorter than the requested `limit`, is the last.
 * - `link`: the target of the RFC 8288 `Link` header's link whose `rel` includes `pagination.rel`,
 *   resolved against the current URL (RFC 8288 §3.1, RFC 3986 §5).
 * - `next_url`: the URL at `nextUrlPath` in the body (Salesforce's `nextRecordsUrl`), resolved
 *   against the current URL, so a path-only value keeps the current origin.
 * - `relay` is for GraphQL lists, which are POSTs: see {@link nextListRequest}.
 *
 * A next URL equal to the current one is treated as the end, so a provider that repeats a cursor
 * cannot make the engine loop.
 * @throws {PatchbayError} `upstream_host_not_allowed` when a `link` or `next_url` target has another
 *   origin than the current page: credentials are injected on every page, so they must not follow
 *   a link off the provider's host.
 * @throws {TypeError} when a cursor is neither a string nor a number.
 */
export function nextPage(pagination: Pagination, page: Page): URL | null {
  const { url, body, items } = page
  let next: URL | null
  switch (pagination.type) {
    case 'cursor': {
      const cursor = nextCursor(pagination, body, items)
      if (cursor === null) return null
      next = new URL(url)
      next.searchParams.set(pagination.cursorParam, String(cursor))
      break
    }
    case 'offset': {
      if (items.length === 0) return null
      if (pagination.limit !== undefined && items.length < pagination.limit) return null
      const raw = url.searchParams.get(pagination.offsetParam)
      const current = raw !== null && /^-?\d+$/.test(raw) ? Number(raw) : pagination.startAt
      next = new URL(url)
      next.searchParams.set(pagination.offsetParam, String(pagination.unit === 'pages' ? current + 1 : current + items.length))
      break
    }
    case 'link': {
      const header = getHeader(page.headers, 'link')
      if (header === undefined) return null
      const wanted = pagination.rel.toLowerCase()
      const link = parseLinkHeader(header).find((l) => l.rel.includes(wanted))
      if (!link) return null
      next = sameOrigin(new URL(link.uri, url), url)
      break
    }
    case 'next_url': {
      const target = getPath(body, pagination.nextUrlPath)
      if (typeof target !== 'string' || target === '') return null
      next = sameOrigin(new URL(target, url), url)
      break
    }
    case 'relay':
      throw new TypeError('relay pagination pages GraphQL lists: use nextListRequest')
  }
  return next.href === url.href ? null : next
}

/**
 * Parses an RFC 8288 §3 `Link` header field value (several fields may be joined with `,`).
 *
 * Targets are taken verbatim from between `<` and `>`, so commas and semicolons inside a URI do not
 * split it. Parameter values may be tokens or quoted-strings with `\` escapes (RFC 9110 §5.6.4);
 * names are case-insensitive. `rel` may hold several space-separated relation types
 * (`rel="next last"`). Malformed members are skipped rather than failing the whole header.
 * @example parseLinkHeader('<https://api.github.com/repositories/1300192/issues?page=4>; rel="next"')
 *   // [{ uri: 'https://api.github.com/repositories/1300192/issues?page=4', rel: ['next'], params: { rel: 'next' } }]
 */
export function parseLinkHeader(value: string): LinkValue[] {
  const links: LinkValue[] = []
  const n = value.length
  let i = 0
  const skipSpace = () => {
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++
  }
  /** Skips to just after the next top-level comma (outside `<…>` and quotes), for recovery. */
  const skipMember = () => {
    let quoted = false
    for (; i < n; i++) {
      const c = value[i]
      if (quoted) {
        if (c === '\\') i++
        else if (c === '"') quoted = false
      } else if (c === '"') quoted = true
      else if (c === '<') {
        const close = value.indexOf('>', i)
        if (close < 0) { i = n; return }
        i = close
      } else if (c === ',') { i++; return }
    }
  }

  while (i < n) {
    while (i < n && (value[i] === ',' || value[i] === ' ' || value[i] === '\t')) i++
    if (i >= n) break
    if (value[i] !== '<') { skipMember(); continue }
    const close = value.indexOf('>', i + 1)
    if (close < 0) break
    const uri = value.slice(i + 1, close).trim()
    i = close + 1
    const params: Record<string, string> = {}
    let valid = true
    for (;;) {
      skipSpace()
      if (i >= n) break
      if (value[i] === ',') { i++; break }
      if (value[i] !== ';') { valid = false; skipMember(); break }
      i++
      skipSpace()
      const nameStart = i
      while (i < n && !/[\s;,=]/.test(value[i]!)) i++
      const name = value.slice(nameStart, i).toLowerCase()
      skipSpace()
      let paramValue = ''
      if (value[i] === '=') {
        i++
        skipSpace()
        if (value[i] === '"') {
          i++
          while (i < n && value[i] !== '"') {
            if (value[i] === '\\' && i + 1 < n) i++
            paramValue += value[i]
            i++
          }
          i++ // closing quote
        } else {
          const start = i
          while (i < n && value[i] !== ';' && value[i] !== ',') i++
          paramValue = value.slice(start, i).trim()
        }
      }
      if (name !== '' && !Object.hasOwn(params, name)) params[name] = paramValue
    }
    if (!valid || uri === '') continue
    const rel = (params.rel ?? '').toLowerCase().split(/\s+/).filter(Boolean)
    links.push({ uri, rel, params })
  }
  return links
}

/** A header value by case-insensitive name; repeated values are joined with `, ` (RFC 9110 §5.3). */
export function getHeader(headers: HeadersLike, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function') {
    return (headers as Headers).get(name) ?? undefined
  }
  const wanted = name.toLowerCase()
  const values: string[] = []
  for (const [key, value] of Object.entries(headers as Record<string, string | readonly string[] | undefined>)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue
    if (typeof value === 'string') values.push(value)
    else values.push(...value)
  }
  return values.length > 0 ? values.join(', ') : undefined
}

function sameOrigin(next: URL, current: URL): URL {
  if (next.origin !== current.origin) {
    throw new PatchbayError('upstream_host_not_allowed', `next page ${next.origin} is not on the current page's origin ${current.origin}`)
  }
  return next
}

/**
 * Whether a 2xx body is an error by the connector's `http.errorWhen` (Slack's `ok: false`), and
 * what the provider calls it. `undefined` when it is not one.
 */
export function bodyError(errorWhen: { path: string; equals: string | number | boolean; messagePath?: string | undefined } | undefined, body: unknown): { message: string } | undefined {
  if (!errorWhen || getPath(body, errorWhen.path) !== errorWhen.equals) return undefined
  const named = errorWhen.messagePath ? getPath(body, errorWhen.messagePath) : undefined
  return { message: typeof named === 'string' && named !== '' ? named.slice(0, 200) : 'an error' }
}

/** How a cursor is written into query text (a sync's `updatedSince.format`, connectors/schema.ts). */
export type { CursorFormat }

/**
 * An ISO 8601 / RFC 3339 §5.6 date-time with a zone: `2024-03-01T12:00:00Z`, `…:00.123+01:00`, and
 * the `+0000` spelling Salesforce returns (`2024-03-01T12:00:00.000+0000`). Nothing else: no spaces,
 * no quotes, no trailing text.
 */
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/

/** Milliseconds since the epoch of an ISO date-time string, or `undefined` if it is not one (or not a real instant, e.g. February 30). */
function parseIsoDateTime(text: string): number | undefined {
  const m = ISO_DATE_TIME.exec(text)
  if (!m) return undefined
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined
  const local = Date.UTC(y, mo - 1, d, h, mi, s, ms)
  if (new Date(local).getUTCDate() !== d) return undefined // day beyond the month's end
  const zone = m[8]!
  if (zone === 'Z') return local
  const sign = zone[0] === '-' ? -1 : 1
  const [zh, zm] = [Number(zone.slice(1, 3)), Number(zone.slice(-2))]
  if (zh > 23 || zm > 59) return undefined
  return local - sign * (zh * 60 + zm) * 60_000
}

/**
 * Writes a stored sync cursor in the declared `format`, re-serialised from the parsed value so that
 * no character of the provider's own text reaches a query:
 * - `iso8601`: `2024-03-01T12:00:00Z`, UTC, whole seconds (rounded DOWN, so a `>=` filter still
 *   includes the cursor's own instant); SOQL's `YYYY-MM-DDThh:mm:ssZ`
 *   (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm);
 * - `iso8601_ms`: `2024-03-01T12:00:00.123Z` (`Date.prototype.toISOString`);
 * - `iso8601_offset`: `2024-03-01T12:00:00+00:00`, UTC written as an offset, whole seconds rounded down;
 * - `iso8601_offset_hhmm`: `2024-03-01T12:00:00+0000`, the same with the offset as `±hhmm`, no colon:
 *   the spelling of Intuit's query example `Metadata.LastUpdatedTime > '2011-08-10T10:20:30-0700'`
 *   (https://developer.intuit.com/docs/00_quickbooks_online/2_build/20_explore_the_quickbooks_online_api/50_data_queries);
 * - `epoch_s`, `epoch_ms`: integer digits.
 * The ISO formats take an ISO 8601 date-time string with a zone (see {@link ISO_DATE_TIME}) or a
 * number of epoch seconds (below 10¹¹) or milliseconds; the epoch formats take the same.
 * @throws {PatchbayError} `upstream_invalid_response` (not retryable) when the cursor is not such a
 *   value, e.g. `2024-01-01T00:00:00Z' OR Id != '`: the run fails rather than splice it into a query.
 * @example formatCursor('2024-03-01T12:00:00.250+0000', 'iso8601') // '2024-03-01T12:00:00Z'
 */
export function formatCursor(cursor: string | number, format: CursorFormat): string {
  let ms: number | undefined
  if (typeof cursor === 'number') ms = Number.isSafeInteger(cursor) && cursor >= 0 ? (cursor < 1e11 ? cursor * 1000 : cursor) : undefined
  else if (/^\d{1,16}$/.test(cursor)) ms = Number(cursor) < 1e11 ? Number(cursor) * 1000 : Number(cursor)
  else ms = parseIsoDateTime(cursor)
  // 1970 to 9999 only: toISOString writes years past 9999 as +YYYYYY, which no query language reads.
  if (ms === undefined || !Number.isFinite(ms) || ms < 0 || ms > 253_402_300_799_999) {
    const shown = JSON.stringify(String(cursor).slice(0, 60))
    throw new PatchbayError('upstream_invalid_response', `The sync's cursor ${shown} is not a date-time or epoch number (${format}); it is not put into the provider's query. A full resync starts over without it.`, { retryable: false })
  }
  const iso = new Date(ms).toISOString() // YYYY-MM-DDTHH:mm:ss.sssZ
  switch (format) {
    case 'iso8601':
      return `${iso.slice(0, 19)}Z`
    case 'iso8601_ms':
      return iso
    case 'iso8601_offset':
      return `${iso.slice(0, 19)}+00:00`
    case 'iso8601_offset_hhmm':
      return `${iso.slice(0, 19)}+0000`
    case 'epoch_s':
      return String(Math.floor(ms / 1000))
    case 'epoch_ms':
      return String(ms)
  }
}

/**
 * `template` with its one `{cursor}` replaced by {@link formatCursor}'s output: the text of a
 * templated query parameter (a sync's `updatedSince` with `format`), e.g.
 * `SELECT Id FROM Contact WHERE SystemModstamp >= {cursor}` → `… >= 2024-03-01T12:00:00Z`.
 * @throws {PatchbayError} as {@link formatCursor}.
 */
export function fillCursorTemplate(template: string, cursor: string | number, format: CursorFormat): string {
  const value = formatCursor(cursor, format)
  return template.split('{cursor}').join(value)
}
