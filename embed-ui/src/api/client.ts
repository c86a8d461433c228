/**
 * A small client for the widget-facing API (`/v1/embed/*`). The only module that calls `fetch`.
 *
 * Authentication is the connect session token as `Authorization: Bearer pb_cs_…`. When the API
 * answers 401 with `session_expired` or `unauthenticated` and the host gave a way to get a new
 * token (`getSessionToken`), the token is renewed — once for all requests failing together — and
 * the failed request is sent again, once.
 */
import type { Authorization, CatalogEntry, Connection, ConnectionSyncs, ConnectWithFormInput, Deleted, Mapping, MappingEditorData, MappingPreview, MappingTarget, Problem, SavedMappingResult, Session, StartAuthorizationInput, Sync } from './types'

/** Codes the client adds to the server's (`server/src/lib/errors.ts`) for failures before an answer. */
export type ClientErrorCode = 'network_error' | 'bad_response'

/**
 * A failed API call: the problem document's fields, or `network_error` when no answer came.
 * @example if (err instanceof ApiError && err.code === 'credentials_invalid') showFormError()
 */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    /** HTTP status; 0 when the request never got an answer. */
    readonly status: number,
    /** Stable code, e.g. `invalid_request`, `session_expired`, `network_error`. */
    readonly code: string,
    /** Human-readable detail from the server (English). */
    readonly detail: string,
    /** Field errors of an `invalid_request`, with dotted paths such as `credentials.apiKey` or `fields.email`. */
    readonly errors: { path: string; message: string; code?: string }[] = [],
    readonly requestId?: string,
  ) {
    super(detail)
  }
}

/** Codes that mean "the token is no good": worth one renewal through `getSessionToken`. */
const RENEWABLE = new Set(['session_expired', 'unauthenticated'])

export interface ApiClientOptions {
  /** Patchbay's base URL, e.g. `https://patchbay.example.com` (a path prefix is kept). */
  baseUrl: string
  /** The current session token, if the host gave one. */
  getToken: () => string | undefined
  /** Fetches a fresh token from the host's backend; without it an expired session is final. */
  renewToken?: (() => Promise<string>) | undefined
  fetch?: typeof fetch
}

export interface ApiClient {
  /** The resolved API origin (where the OAuth popup posts its result from). */
  readonly origin: string
  getSession(): Promise<Session>
  listIntegrations(): Promise<CatalogEntry[]>
  listConnections(): Promise<Connection[]>
  connectWithForm(input: ConnectWithFormInput): Promise<Connection>
  startAuthorization(input: StartAuthorizationInput): Promise<Authorization>
  deleteConnection(id: string): Promise<Deleted>
  listSyncs(connectionId: string): Promise<ConnectionSyncs>
  /** `frequency: null` goes back to the default. */
  setSyncFrequency(connectionId: string, sync: string, frequency: string | null): Promise<Sync>
  /** The objects of a connection that can be mapped to the vendor's models, and their state. */
  listMappings(connectionId: string): Promise<MappingTarget[]>
  /** What the mapping screen needs; `refresh`: look for the provider's custom fields again first. */
  getMappingEditor(connectionId: string, object: string, options?: { refresh?: boolean }): Promise<MappingEditorData>
  /** Checks a mapping without saving it, with up to three records as they would arrive. */
  previewMapping(connectionId: string, object: string, mapping: Mapping): Promise<MappingPreview>
  /** Saves the connection's own mapping (checked by the server: `invalid_request` with `errors` when not valid). */
  saveMapping(connectionId: string, object: string, mapping: Mapping): Promise<SavedMappingResult>
  /** Removes the connection's own mapping: the vendor's default applies again. */
  resetMapping(connectionId: string, object: string): Promise<Deleted>
}

/** `/v1/embed/connections/{id}/mappings[/{object}]`. */
const mappingsPath = (id: string, object?: string) => `/v1/embed/connections/${encodeURIComponent(id)}/mappings${object === undefined ? '' : `/${encodeURIComponent(object)}`}`

/** Resolves `baseUrl` against the page (an empty one means the page's own origin). */
export function resolveBaseUrl(baseUrl: string): URL {
  const here = typeof location === 'undefined' ? 'http://localhost/' : location.href
  return new URL(baseUrl || '/', here)
}

async function toApiError(res: Response): Promise<ApiError> {
  let p: Partial<Problem> = {}
  try {
    p = (await res.json()) as Partial<Problem>
  } catch {
    // not JSON (a proxy's HTML error page): keep the status
  }
  const code = typeof p.code === 'string' ? p.code : res.status >= 500 ? 'internal' : 'bad_response'
  return new ApiError(res.status, code, typeof p.detail === 'string' ? p.detail : `HTTP ${res.status}`, Array.isArray(p.errors) ? p.errors : [], p.requestId)
}

/**
 * Creates the client. Tokens renewed through `renewToken` are kept until the host gives a new one.
 * @example const api = createApiClient({ baseUrl: 'https://patchbay.example.com', getToken: () => token })
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = resolveBaseUrl(options.baseUrl)
  const root = base.href.replace(/\/$/, '')
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init))
  /** The last token obtained through `renewToken`, and the host token it replaced. */
  let renewed: { token: string; replaced: string | undefined } | undefined
  let renewal: Promise<string> | undefined

  const current = (): string | undefined => {
    const given = options.getToken()
    // A new token from the host (attribute or prop changed) wins over one we renewed earlier.
    if (renewed && renewed.replaced === given) return renewed.token
    return given
  }

  /** One renewal at a time; concurrent callers share it. */
  const renew = (): Promise<string> => {
    if (!options.renewToken) return Promise.reject(new ApiError(401, 'session_expired', 'The session has expired'))
    renewal ??= Promise.resolve()
      .then(() => options.renewToken!())
      .then(
        (token) => {
          if (typeof token !== 'string' || !token) throw new Error('getSessionToken returned no token')
          renewed = { token, replaced: options.getToken() }
          return token
        },
        (err: unknown) => {
          throw new ApiError(401, 'session_expired', `Could not renew the session: ${err instanceof Error ? err.message : String(err)}`)
        },
      )
      .finally(() => {
        renewal = undefined
      })
    return renewal
  }

  async function send(method: string, path: string, token: string | undefined, body: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (token) headers.authorization = `Bearer ${token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    try {
      return await doFetch(root + path, { method, headers, body: body === undefined ? null : JSON.stringify(body), credentials: 'omit', mode: 'cors' })
    } catch (err) {
      throw new ApiError(0, 'network_error', err instanceof Error ? err.message : 'The network request failed')
    }
  }

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let token = current() ?? (options.renewToken ? await renew() : undefined)
    let res = await send(method, path, token, body)
    if (res.status === 401 && options.renewToken) {
      const err = await toApiError(res)
      if (!RENEWABLE.has(err.code)) throw err
      // Another request may already have renewed the token while this one was in flight.
      const latest = current()
      token = latest && latest !== token ? latest : await renew()
      res = await send(method, path, token, body)
    }
    if (!res.ok) throw await toApiError(res)
    try {
      return (await res.json()) as T
    } catch {
      throw new ApiError(res.status, 'bad_response', 'The server answered with something that is not JSON')
    }
  }

  return {
    origin: base.origin,
    getSession: () => request<Session>('GET', '/v1/embed/session'),
    listIntegrations: () => request<{ data: CatalogEntry[] }>('GET', '/v1/embed/integrations').then((r) => r.data),
    listConnections: () => request<{ data: Connection[] }>('GET', '/v1/embed/connections').then((r) => r.data),
    connectWithForm: (input) => request<Connection>('POST', '/v1/embed/connections', { ...input, connectionConfig: input.connectionConfig ?? {} }),
    startAuthorization: (input) => request<Authorization>('POST', '/v1/embed/oauth/authorizations', { ...input, connectionConfig: input.connectionConfig ?? {} }),
    deleteConnection: (id) => request<Deleted>('DELETE', `/v1/embed/connections/${encodeURIComponent(id)}`),
    listSyncs: (id) => request<ConnectionSyncs>('GET', `/v1/embed/connections/${encodeURIComponent(id)}/syncs`),
    setSyncFrequency: (id, sync, frequency) => request<Sync>('PATCH', `/v1/embed/connections/${encodeURIComponent(id)}/syncs/${encodeURIComponent(sync)}`, { frequency }),
    listMappings: (id) => request<{ data: MappingTarget[] }>('GET', mappingsPath(id)).then((r) => r.data),
    getMappingEditor: (id, object, o) => request<MappingEditorData>('GET', mappingsPath(id, object) + (o?.refresh ? '?refresh=true' : '')),
    previewMapping: (id, object, mapping) => request<MappingPreview>('POST', `${mappingsPath(id, object)}/preview`, mapping),
    saveMapping: (id, object, mapping) => request<SavedMappingResult>('PUT', mappingsPath(id, object), mapping),
    resetMapping: (id, object) => request<Deleted>('DELETE', mappingsPath(id, object)),
  }
}
