/**
 * Helpers for connector tests: walk an object's pages against canned responses, map a provider
 * item to a record the way the engine does (`field.from ?? fieldName`), and map a provider item
 * to the object's common model with its default mapping.
 * Test-only; nothing in production imports this file.
 */
import { applyMapping } from '../server/src/mapping/apply'
import { checkMapping, providerFieldsOf } from '../server/src/mapping/check'
import { mappingSchema } from '../server/src/mapping/schema'
import { COMMON_MODELS } from './common-models'
import { extractItems, firstPageUrl, getPath, nextPage, type HeadersLike } from './pagination'
import type { Connector, Pagination } from './schema'

/** A canned response for one request. */
export interface CannedResponse {
  body: unknown
  headers?: HeadersLike
}

/** The pagination an object actually uses: its own, or the connector's default. */
export function paginationOf(connector: Connector, objectName: string): Pagination {
  const object = connector.objects[objectName]
  if (!object) throw new Error(`${connector.id} has no object ${objectName}`)
  const pagination = object.pagination ?? connector.http.pagination
  if (!pagination) throw new Error(`${connector.id}.${objectName} has no pagination`)
  return pagination
}

/**
 * Requests every page of an object from `respond` (a fake provider) until {@link nextPage} says
 * stop, at most `maxPages` times. `baseUrl` replaces `connector.http.baseUrl` (for templated ones).
 * @returns every URL requested, in order, and every item read.
 */
export function walk(
  connector: Connector,
  objectName: string,
  respond: (url: URL) => CannedResponse,
  options: { baseUrl?: string; extraParams?: Record<string, string>; maxPages?: number } = {},
): { urls: URL[]; items: unknown[] } {
  const object = connector.objects[objectName]!
  const pagination = paginationOf(connector, objectName)
  const urls: URL[] = []
  const items: unknown[] = []
  let url: URL | null = firstPageUrl(options.baseUrl ?? connector.http.baseUrl, { path: object.path, params: { ...object.params, ...options.extraParams } }, pagination)
  while (url) {
    if (urls.length >= (options.maxPages ?? 50)) throw new Error(`pagination did not stop after ${urls.length} pages`)
    urls.push(url)
    const { body, headers = {} } = respond(url)
    const pageItems = extractItems(body, pagination.itemsPath)
    items.push(...pageItems)
    url = nextPage(pagination, { url, body, headers, items: pageItems })
  }
  return { urls, items }
}

/** Maps a provider item to a record: each declared field read at `from` (or its own name). */
export function toRecord(connector: Connector, objectName: string, item: unknown): Record<string, unknown> {
  const object = connector.objects[objectName]!
  return Object.fromEntries(Object.entries(object.fields).map(([name, field]) => [name, getPath(item, field.from ?? name)]))
}

/**
 * An object's `defaultMapping` to its `commonModel`, as the engine takes it: `check` is the type
 * check of the mapping against the object's declared fields, `result` the mapping applied to `record`.
 */
export function mapDefault(connector: Connector, objectName: string, record: unknown) {
  const object = connector.objects[objectName]!
  const model = COMMON_MODELS[object.commonModel!]
  const mapping = mappingSchema.parse({ model: model.name, fields: object.defaultMapping })
  return { check: checkMapping(model, providerFieldsOf(object), mapping), result: applyMapping(model, mapping, record) }
}

/** Builds the authorization request URL as the engine does (RFC 6749 §4.1.1, RFC 7636 §4.3). */
export function authorizationUrl(connector: Connector, params: { clientId: string; redirectUri: string; state: string; codeChallenge?: string }): URL {
  const auth = connector.auth
  if (auth.type !== 'oauth2') throw new Error(`${connector.id} does not use the authorization code grant`)
  const url = new URL(auth.authorizationUrl)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', params.clientId)
  url.searchParams.set('redirect_uri', params.redirectUri)
  url.searchParams.set('state', params.state)
  if (auth.scopes.length > 0) url.searchParams.set('scope', auth.scopes.join(auth.scopeSeparator))
  if (auth.pkce && params.codeChallenge) {
    url.searchParams.set('code_challenge', params.codeChallenge)
    url.searchParams.set('code_challenge_method', 'S256')
  }
  for (const [name, value] of Object.entries(auth.authorizationParams)) url.searchParams.set(name, value)
  return url
}
