/**
 * The Patchbay client for a vendor's backend. Runs wherever `fetch` does (Node 18+, Deno, Bun,
 * Cloudflare Workers): no Node-only APIs, no dependencies.
 *
 * Never use it in a browser: it holds your secret key. The browser gets a connect session
 * token (`connectSessions.create`) and talks to Patchbay through the widget.
 */
import { errorFromProblem, errorFromStatus, isPatchbayProblem, isProblemResponse, mediaType, PatchbayError } from './errors'
import type {
  ConnectSession,
  ConnectSessionCreateParams,
  Connection,
  ConnectionDetail,
  ConnectionListParams,
  Connector,
  CustomConnector,
  Deleted,
  EndUser,
  Integration,
  WebhookSecretReveal,
  IntegrationCreateParams,
  IntegrationUpdateParams,
  List,
  Page,
  PageParams,
  RequestOptions,
  WebhookDelivery,
  WebhookDeliveryListParams,
  WebhookEndpoint,
  WebhookEndpointCreateParams,
  WebhookEndpointUpdateParams,
  WebhookEndpointWithSecret,
  WebhookEvent,
  RecordListParams,
  RecordsPage,
  Sync,
  SyncedRecord,
  SyncRun,
  SyncRunListParams,
  SyncTriggerParams,
  VendorModel,
  VendorModelPutParams,
  FieldMapping,
  MappingPutParams,
  MappingSaved,
  MappingPreview,
  ProviderFields,
} from './types'
import { verifyWebhook, type VerifyWebhookOptions, type WebhookHeaders } from './webhooks'
import type { ActionFailedProblem, ActionRun, ActionRunListParams, ActionRunParams, ActionRunResult } from './types'

/** Options of {@link Patchbay}. */
export interface PatchbayOptions {
  /** A secret API key, `pb_sk_dev_…` or `pb_sk_prod_…`. Keep it on your server. */
  secretKey: string
  /** Where your Patchbay runs, e.g. `https://patchbay.example.com` (a path prefix is kept). */
  baseUrl: string
  /** A `fetch` implementation; default `globalThis.fetch`. Use it for tests, proxies or instrumentation. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>
  /**
   * Milliseconds before a call fails with `PatchbayError` code `timeout`; default 30 000, `0` for none.
   * For `proxy(...)`, which returns a streaming `Response`, it covers the time until the response headers.
   */
  timeoutMs?: number
}

type QueryValue = string | number | boolean | null | undefined
/** Query parameters: `undefined` and `null` are left out, arrays repeat the key (`?a=1&a=2`). */
export type QueryParams = Record<string, QueryValue | readonly QueryValue[]>

/**
 * A proxied request body. Strings, `ArrayBuffer`s, typed arrays, `Blob`, `FormData`,
 * `URLSearchParams` and `ReadableStream` are sent as they are; anything else (plain objects,
 * arrays, numbers, booleans) is sent as JSON with `content-type: application/json` unless you
 * set a content type. `undefined` and `null` send no body.
 */
export type ProxyBody = BodyInit | object | number | boolean | null | undefined

/** A request to the provider's API, see {@link ProxyClient}. */
export interface ProxyRequest {
  /** HTTP method; default `GET`. */
  method?: string
  /**
   * Path relative to the integration's base URL, e.g. `/contacts?limit=5` (the demo CRM's base URL
   * is `…/api/v1`). Sent as given: percent-encode segments yourself (`encodeURIComponent`). It may
   * carry a query string; `query` is appended to it.
   */
  path: string
  query?: QueryParams
  /**
   * Headers for the provider. Patchbay adds the connection's credentials and drops `authorization`,
   * `cookie`, `host`, `origin`, `referer`, `x-forwarded-*`, `x-request-id` and `x-patchbay-*`.
   */
  headers?: HeadersInit
  body?: ProxyBody
}

/** Options of the `proxy.get/post/put/patch/delete` shortcuts. */
export interface ProxyCallOptions extends RequestOptions {
  query?: QueryParams
  /** As in {@link ProxyRequest.headers}; `accept: application/json` is added unless you set `accept`. */
  headers?: HeadersInit
}

/** A `proxy.post/put/patch/delete` shortcut's options: {@link ProxyCallOptions} and a body. */
export interface ProxyCallOptionsWithBody extends ProxyCallOptions {
  body?: ProxyBody
}

/**
 * The provider's answer, whatever its status: a provider 4xx/5xx is a result, not an exception.
 * `data` is the parsed JSON when the content type is JSON (`application/json`, `*+json`) and the
 * body parses, else the text; `null` for an empty body. `T` is not checked at runtime.
 */
export interface ProxyResult<T = unknown> {
  /** The provider's HTTP status. */
  status: number
  /** `true` for a 2xx status. */
  ok: boolean
  /** The provider's response headers (less hop-by-hop headers), e.g. rate limit headers. */
  headers: Headers
  data: T
}

/**
 * Calls the provider's API as a connection. Two layers:
 *
 * - `proxy(connectionId, request)` resolves to the provider's raw `Response`: status, headers
 *   and (streaming) body unchanged.
 * - `proxy.get/post/put/patch/delete(connectionId, path, options)` read the body and resolve to
 *   a {@link ProxyResult} `{ status, ok, headers, data }`.
 *
 * Both tell "Patchbay failed" from "the provider answered": when Patchbay itself could not make
 * the call (`reauth_required`, `connection_not_active`, `not_found`, `upstream_unreachable`,
 * `unauthenticated`, …) they **throw** a {@link PatchbayError}; whatever the provider answered,
 * including 4xx and 5xx, they **return**. Patchbay's own failures are recognised by their
 * `application/problem+json` body with `type: "urn:patchbay:error:<code>"`, so a provider that
 * answers with its own RFC 9457 problem document is still returned, not thrown.
 *
 * Patchbay retries idempotent requests on the connector's retry statuses (honouring
 * `Retry-After`) and refreshes an expired OAuth token once on a 401 before answering.
 */
export interface ProxyClient {
  /**
   * Sends one request to the provider and resolves to its raw `Response`.
   * @throws {PatchbayError} when Patchbay could not make the call (see {@link ProxyClient}), and `network_error`/`timeout`.
   * @throws {TypeError} when `path` is an absolute URL or leaves the base URL (`..` segments).
   * @example
   * const res = await patchbay.proxy(connectionId, { path: '/contacts', query: { limit: 5 } })
   * if (res.status === 404) …
   * const body = await res.json()
   */
  (connectionId: string, request: ProxyRequest, options?: RequestOptions): Promise<Response>
  /**
   * `GET` and read the answer. @see {@link ProxyClient} for errors.
   * @example
   * const { status, data } = await patchbay.proxy.get<{ data: Contact[]; next_cursor: string | null }>(id, '/contacts', { query: { limit: 5 } })
   */
  get<T = unknown>(connectionId: string, path: string, options?: ProxyCallOptions): Promise<ProxyResult<T>>
  /** `POST` and read the answer; a plain object `body` is sent as JSON. @see {@link ProxyClient} for errors. */
  post<T = unknown>(connectionId: string, path: string, options?: ProxyCallOptionsWithBody): Promise<ProxyResult<T>>
  /** `PUT` and read the answer; a plain object `body` is sent as JSON. @see {@link ProxyClient} for errors. */
  put<T = unknown>(connectionId: string, path: string, options?: ProxyCallOptionsWithBody): Promise<ProxyResult<T>>
  /** `PATCH` and read the answer; a plain object `body` is sent as JSON. @see {@link ProxyClient} for errors. */
  patch<T = unknown>(connectionId: string, path: string, options?: ProxyCallOptionsWithBody): Promise<ProxyResult<T>>
  /** `DELETE` and read the answer. @see {@link ProxyClient} for errors. */
  delete<T = unknown>(connectionId: string, path: string, options?: ProxyCallOptionsWithBody): Promise<ProxyResult<T>>
}

const DEFAULT_TIMEOUT_MS = 30_000

/**
 * The Patchbay API client.
 *
 * Every method resolves to the API's JSON answer and rejects with a {@link PatchbayError} whose
 * `code` is the API's stable error code (`not_found`, `invalid_request` with `errors`,
 * `unauthenticated`, …), or `network_error` / `timeout` / `http_<status>` when no problem
 * document came back. No call is retried by the SDK.
 *
 * @example
 * import { Patchbay } from '@patchbay/sdk'
 * const patchbay = new Patchbay({ secretKey: process.env.PATCHBAY_SECRET_KEY!, baseUrl: 'https://patchbay.example.com' })
 * const { token } = await patchbay.connectSessions.create({ endUser: { id: user.id, email: user.email } })
 */
export class Patchbay {
  /** The API's base URL, without a trailing slash. */
  readonly baseUrl: string
  readonly connectSessions: ConnectSessions
  readonly integrations: Integrations
  readonly connectors: Connectors
  readonly endUsers: EndUsers
  readonly connections: Connections
  readonly proxy: ProxyClient

  readonly webhookEndpoints: WebhookEndpoints
  readonly webhookDeliveries: WebhookDeliveries
  readonly actions: Actions
  readonly actionRuns: ActionRuns
  readonly syncs: Syncs
  readonly syncRuns: SyncRuns
  readonly records: Records
  readonly models: Models
  readonly mappings: Mappings
  /**
   * Verifying webhooks; the same as the standalone `verifyWebhook` (which needs no client). It
   * uses the endpoint's signing secret (`whsec_…`), not `secretKey`.
   */
  readonly webhooks: { verify(rawBody: string, headers: WebhookHeaders, secret: string, options?: VerifyWebhookOptions): Promise<WebhookEvent> } = { verify: verifyWebhook }

  /**
   * @throws {TypeError} when `secretKey` is missing or is a connect session token (`pb_cs_…`),
   *   `baseUrl` is not an http(s) URL, `timeoutMs` is negative, or there is no `fetch`.
   */
  constructor(options: PatchbayOptions) {
    const { secretKey, baseUrl } = options ?? ({} as PatchbayOptions)
    if (typeof secretKey !== 'string' || !secretKey) throw new TypeError('Patchbay: `secretKey` is required (a secret API key, pb_sk_…)')
    if (secretKey.startsWith('pb_cs_')) throw new TypeError('Patchbay: `secretKey` is a connect session token; the SDK needs a secret API key (pb_sk_…)')
    let url: URL
    try {
      url = new URL(baseUrl)
    } catch {
      throw new TypeError(`Patchbay: \`baseUrl\` is not a URL: ${JSON.stringify(baseUrl)}`)
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('Patchbay: `baseUrl` must be an http(s) URL')
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new TypeError('Patchbay: `timeoutMs` must be a number >= 0')
    const f = options.fetch ?? globalThis.fetch
    if (typeof f !== 'function') throw new TypeError('Patchbay: no global fetch; pass `fetch` in the options')

    this.baseUrl = (url.origin + url.pathname).replace(/\/+$/, '')
    const transport = new Transport(this.baseUrl, secretKey, (input, init) => f(input, init), timeoutMs)
    this.connectSessions = new ConnectSessions(transport)
    this.integrations = new Integrations(transport)
    this.connectors = new Connectors(transport)
    this.endUsers = new EndUsers(transport)
    this.connections = new Connections(transport)
    this.proxy = createProxyClient(transport)
    this.webhookEndpoints = new WebhookEndpoints(transport)
    this.webhookDeliveries = new WebhookDeliveries(transport)
    this.actions = new Actions(transport)
    this.actionRuns = new ActionRuns(transport)
    this.syncs = new Syncs(transport)
    this.syncRuns = new SyncRuns(transport)
    this.records = new Records(transport)
    this.models = new Models(transport)
    this.mappings = new Mappings(transport)
  }
}

/** Webhook endpoints: URLs that receive signed events (Standard Webhooks). */
export class WebhookEndpoints {
  /** @internal */
  constructor(private readonly t: Transport) {}

  /**
   * Registers an endpoint. Keep the returned `secret` (`whsec_…`): it is shown only here.
   * @param input.events event types to receive; absent or empty: all.
   * @throws {PatchbayError} `invalid_request` (with `errors`), `unauthenticated`.
   */
  async create(input: WebhookEndpointCreateParams, options?: RequestOptions): Promise<WebhookEndpointWithSecret> {
    return this.t.json('POST', '/v1/webhook-endpoints', { body: input, options })
  }

  /** Lists the environment's endpoints (not paginated). @throws {PatchbayError} `unauthenticated`. */
  async list(options?: RequestOptions): Promise<List<WebhookEndpoint>> {
    return this.t.json('GET', '/v1/webhook-endpoints', { options })
  }

  /** Gets an endpoint (never its secret). @throws {PatchbayError} `not_found`, `unauthenticated`. */
  async get(id: string, options?: RequestOptions): Promise<WebhookEndpoint> {
    return this.t.json('GET', `/v1/webhook-endpoints/${enc(id)}`, { options })
  }

  /** Changes the fields given. @throws {PatchbayError} `not_found`, `invalid_request`, `unauthenticated`. */
  async update(id: string, patch: WebhookEndpointUpdateParams, options?: RequestOptions): Promise<WebhookEndpoint> {
    return this.t.json('PATCH', `/v1/webhook-endpoints/${enc(id)}`, { body: patch, options })
  }

  /** Deletes an endpoint and its deliveries. @throws {PatchbayError} `not_found`, `unauthenticated`. */
  async delete(id: string, options?: RequestOptions): Promise<Deleted> {
    return this.t.json('DELETE', `/v1/webhook-endpoints/${enc(id)}`, { options })
  }

  /** Replaces the signing secret at once; the new one is returned only here. @throws {PatchbayError} `not_found`, `unauthenticated`. */
  async rotateSecret(id: string, options?: RequestOptions): Promise<WebhookEndpointWithSecret> {
    return this.t.json('POST', `/v1/webhook-endpoints/${enc(id)}/rotate-secret`, { options })
  }
}

/** Webhook deliveries: one event to one endpoint, with every attempt. */
export class WebhookDeliveries {
  /** @internal */
  constructor(private readonly t: Transport) {}

  /**
   * Lists deliveries, newest first, one page at a time, each with its attempts.
   * @throws {PatchbayError} `invalid_request`, `unauthenticated`.
   */
  async list(params: WebhookDeliveryListParams = {}, options?: RequestOptions): Promise<Page<WebhookDelivery>> {
    return this.t.json('GET', '/v1/webhook-deliveries', { query: { ...params }, options })
  }

  /**
   * Queues a new attempt now, whatever the delivery's state, with a fresh retry schedule.
   * @throws {PatchbayError} `not_found`, `unauthenticated`.
   */
  async redeliver(id: string, options?: RequestOptions): Promise<WebhookDelivery> {
    return this.t.json('POST', `/v1/webhook-deliveries/${enc(id)}/redeliver`, { options })
  }
}

/** Connector actions: writes to the provider (create a contact…) that a connector declares. */
export class Actions {
  /** @internal */
  constructor(private readonly t: Transport) {}

  /**
   * Runs the action `name` of the connection's connector (`POST /v1/actions/{name}`). The input is
   * checked against the action's schema, then sent to the provider with the connection's credentials.
   * Give an `idempotencyKey` to make the call safe to retry: a repeat returns the stored result
   * (`replayed: true`) without calling the provider again.
   * @returns the run when the provider accepted it (2xx): `output` is its response body.
   * @throws {PatchbayError} `action_failed` (502) when the provider refused it: read the provider's
   *   status and body with {@link isActionFailed} (`err.problem.providerStatus`, `.output`, `.actionRunId`);
   *   `invalid_request` (with `errors`, paths starting with `input.` or `record.`); `mapping_required`,
   *   `mapping_not_invertible` (with `record`); `not_found` (connection or
   *   action); `idempotency_key_reused` (422), `idempotency_in_progress` (409); `reauth_required`,
   *   `connection_not_active`; `upstream_rate_limited`, `upstream_unreachable`; `unauthenticated`.
   * @example
   * const run = await patchbay.actions.run('create_contact', { connectionId, input: { email: 'ada@example.com' }, idempotencyKey: `contact-${user.id}` })
   * console.log(run.output) // the provider's new contact
   * // Write-back in your model's shape, through the connection's mapping (two-way sync):
   * await patchbay.actions.run('create_contact', { connectionId, record: { email: 'ada@example.com', firstName: 'Ada', lifecycleStage: 'lead' } })
   */
  async run(name: string, params: ActionRunParams, options?: RequestOptions): Promise<ActionRunResult> {
    const { idempotencyKey, connectionId, input, record } = params
    const headers: Record<string, string> = idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }
    return this.t.json('POST', `/v1/actions/${enc(name)}`, { body: record === undefined ? { connectionId, input } : { connectionId, record }, headers, options })
  }
}

/**
 * Whether `err` is the {@link PatchbayError} of an action the provider refused (`action_failed`),
 * narrowing `err.problem` to carry `actionRunId`, `providerStatus` and `output` (the provider's body).
 * @example
 * catch (err) { if (isActionFailed(err) && err.problem.providerStatus === 422) showErrors(err.problem.output) }
 */
export function isActionFailed(err: unknown): err is PatchbayError & { code: 'action_failed'; problem: ActionFailedProblem } {
  return err instanceof PatchbayError && err.code === 'action_failed' && typeof err.problem === 'object' && err.problem !== null
}

/** Action runs: the record of every `actions.run`, succeeded or failed. */
export class ActionRuns {
  /** @internal */
  constructor(private readonly t: Transport) {}

  /**
   * Lists action runs, newest first, one page at a time.
   * @throws {PatchbayError} `invalid_request` (bad `limit` or `status`), `unauthenticated`.
   */
  async list(params: ActionRunListParams = {}, options?: RequestOptions): Promise<Page<ActionRun>> {
    return this.t.json('GET', '/v1/action-runs', { query: { ...params }, options })
  }

  /**
   * Iterates over every action run matching `filter`, newest first, with pages of `filter.limit` (default 200).
   * @throws {PatchbayError} as {@link ActionRuns.list}, from the page that failed.
   */
  listAll(filter: Omit<ActionRunListParams, 'cursor'> = {}, options?: RequestOptions): AsyncGenerator<ActionRun, void, undefined> {
    return paginate((cursor) => this.list({ limit: 200, ...filter, cursor }, options))
  }

  /** Gets one run. @throws {PatchbayError} `not_found`, `unauthenticated`. */
  async get(id: string, options?: RequestOptions): Promise<ActionRun> {
    return this.t.json('GET', `/v1/action-runs/${enc(id)}`, { options })
  }
}

/** Connect sessions: short-lived tokens that let the widget act for one end user. */
export class ConnectSessions {
  /** @internal */
  constructor(private readonly t: Transport) {}

  /**
   * Creates a connect session for an end user, creating or updating the end user from `endUser`.
   * Give `token` to your frontend for the widget; it expires at `expiresAt`.
   * @param params.endUser `{ id, email?, displayName? }`: `id` is your own id of the user (1–255 chars).
   * @param params.allowedIntegrations integration keys the widget may show; default all enabled ones.
   * @param params.allowedOrigins origins (`https://app.example.com`) the widget may run on; default any.
   * @param params.ttlSeconds lifetime in seconds, 60–86 400; default 1800.
   * @returns `{ token, expiresAt, endUserId }`, `endUserId` being your id.
   * @throws {PatchbayError} `invalid_request` (with `errors`, e.g. an unknown integration key), `unauthenticated`.
   */
  async create(params: ConnectSessionCreateParams, options?: RequestOptions): Promise<ConnectSession> {
    return this.t.json('POST', '/v1/connect-sessions', { body: params, options })
  }
}

/** Connectors: the providers Patchbay ships. */
export class Connectors {
  /** @internal */
  constructor(private readonly t: Transport) {}

  /**
   * Lists every connector this Patchbay ships and the environment's custom ones (not paginated).
   * @returns `{ data: [{ id, name, description, categories, authType, defaultScopes, docsUrl, custom }] }`
   * @throws {PatchbayError} `unauthenticated`.
   */
  async list(options?: RequestOptions): Promise<List<Connector>> {
    return this.t.json('GET', '/v1/connectors', { options })
  }

  /**
   * Creates or replaces a custom connector: your own connector for any HTTP API, as data in the
   * language of the built-in ones (`connectors/schema.ts`; action inputs as JSON Schema; no hooks).
   * Then enable it with `integrations.create({ key, connectorId: id })`.
   * @throws {PatchbayError} `invalid_request` with `errors: [{ path, message }]`; `conflict` when a built-in connector has the id.
   * @example
   * await patchbay.connectors.putCustom('acme-api', { name: 'Acme API', description: '…', categories: ['crm'], docsUrl: 'https://api.acme.test/docs',
   *   auth: { type: 'api_key', inject: { headers: { 'X-Api-Key': '{apiKey}' } }, verify: { path: '/me' } },
   *   http: { baseUrl: 'https://api.acme.test/v1', pagination: { type: 'cursor', cursorParam: 'cursor', cursorPath: 'next_cursor', itemsPath: 'data' } },
   *   objects: { contact: { path: '/contacts', fields: { id: { type: 'string', key: true }, email: { type: 'string' } } } },
   *   syncs: { contacts: { object: 'contact', mode: 'full' } } })
   */
  async putCustom(id: string, definition: Record<string, unknown>, options?: RequestOptions): Promise<CustomConnector> {
    return this.t.json('PUT', `/v1/connectors/custom/${enc(id)}`, { body: definition, options })
  }

  /** A custom connector's stored definition and version. @throws {PatchbayError} `not_found`. */
  async getCustom(id: string, options?: RequestOptions): Promise<CustomConnector> {
    return this.t.json('GET', `/v1/connectors/custom/${enc(id)}`, { options })
  }

  /** Deletes a custom connector. @throws {PatchbayError} `not_found`; `conflict` while integrations use it. */
  async deleteCustom(id: string, options?: RequestOptions): Promise<Deleted> {
    return this.t.json('DELETE', `/v1/connectors/custom/${enc(id)}`, { options })
  }
}

/** Integrations: connectors enabled in your environment, with your OAuth client. Keyed by your `key`. */
export class Integrations {
  /** @internal */
  constructor(private readonly t: Transport) {}

  /**
   * Lists the environment's integrations (not paginated).
   * @throws {PatchbayError} `unauthenticated`.
   */
  async list(options?: RequestOptions): Promise<List<Integration>> {
    return this.t.json('GET', '/v1/integrations', { options })
  }

  /**
   * Gets one integration by key.
   * @throws {PatchbayError} `not_found`, `unauthenticated`.
   */
  async get(key: string, options?: RequestOptions): Promise<Integration> {
    return this.t.json('GET', `/v1/integrations/${enc(key)}`, { options })
  }

  /**
   * Enables a connector as an integration. For OAuth 2.0 connectors, register the returned
   * `redirectUri` with the provider. `clientSecret` is stored encrypted and never returned
   * (`hasClientSecret` tells whether one is set). For connectors with incoming webhooks, paste the
   * returned `providerWebhookUrl` into the provider's console and, where the connector signs with an
   * integration secret (Slack's signing secret, GitHub's webhook secret), pass it as `webhookSecret`
   * (write-only, `webhookSecretSet` tells); events arrive as `provider.webhook`.
   * @param input.key your key: letters, digits, `.`, `_`, `-`, 1–100 chars, starting with a letter or digit.
   * @param input.connectorId a connector `id` from `connectors.list()`.
   * @param input.overrides replace connector URLs (`baseUrl`, `authorizationUrl`, `tokenUrl`, `revocationUrl`).
   * @throws {PatchbayError} `invalid_request` (with `errors`), `conflict` (the key exists), `unauthenticated`.
   */
  async create(input: IntegrationCreateParams, options?: RequestOptions): Promise<Integration> {
    return this.t.json('POST', '/v1/integrations', { body: input, options })
  }

  /**
   * Changes an integration; only the fields given change, `null` clears a nullable field.
   * @throws {PatchbayError} `not_found`, `invalid_request` (with `errors`), `unauthenticated`.
   */
  async update(key: string, patch: IntegrationUpdateParams, options?: RequestOptions): Promise<Integration> {
    return this.t.json('PATCH', `/v1/integrations/${enc(key)}`, { body: patch, options })
  }

  /**
   * Deletes an integration **and all its connections**.
   * @returns `{ deleted: true }`
   * @throws {PatchbayError} `not_found`, `unauthenticated`.
   */
  async delete(key: string, options?: RequestOptions): Promise<Deleted> {
    return this.t.json('DELETE', `/v1/integrations/${enc(key)}`, { options })
  }

  /**
   * Reads, once, the webhook signing secret the provider delivered to the integration's
   * `providerWebhookUrl` in its verification handshake (Notion: create the subscription in the
   * integration's Webhooks tab, call this, paste `secret` into Notion's "Verify" dialog). A second
   * call fails: the secret is then write-only like every secret. To start over, `update(key, {
   * webhookSecret: null })` and create the subscription again.
   * @returns `{ secret }`, in clear: do not log or store it.
   * @throws {PatchbayError} `not_found`, `webhook_secret_not_revealable` (nothing is waiting: none
   *   arrived, already revealed, set or cleared since, or the connector delivers no secret this way), `unauthenticated`.
   */
  async revealWebhookSecret(key: string, options?: RequestOptions): Promise<WebhookSecretReveal> {
    return this.t.json('POST', `/v1/integrations/${enc(key)}/webhook-secret/reveal`, { options })
  }
}

/** End users: your users, known by your own id. Created by `connectSessions.create`. */
export class EndUsers {
  /** @internal */
  constructor(private readonly t: Transport) {}

  /**
   * Lists end users, one page at a time.
   * @param params.limit page size 1–200, default 50. @param params.cursor the previous page's `nextCursor`.
   * @returns `{ data, nextCursor }`, `nextCursor` `null` on the last page.
   * @throws {PatchbayError} `invalid_request` (bad `limit`), `unauthenticated`.
   */
  async list(params: PageParams = {}, options?: RequestOptions): Promise<Page<EndUser>> {
    return this.t.json('GET', '/v1/end-users', { query: { ...params }, options })
  }

  /**
   * Iterates over every end user, fetching pages of `params.limit` (default 200) as needed.
   * @example for await (const user of patchbay.endUsers.listAll()) console.log(user.id)
   * @throws {PatchbayError} as {@link EndUsers.list}, from the page that failed.
   */
  listAll(params: Omit<PageParams, 'cursor'> = {}, options?: RequestOptions): AsyncGenerator<EndUser, void, undefined> {
    return paginate((cursor) => this.list({ limit: 200, ...params, cursor }, options))
  }

  /**
   * Gets an end user by your id.
   * @throws {PatchbayError} `not_found`, `unauthenticated`.
   */
  async get(id: string, options?: RequestOptions): Promise<EndUser> {
    return this.t.json('GET', `/v1/end-users/${enc(id)}`, { options })
  }

  /**
   * Deletes an end user with their connections and connect sessions.
   * @returns `{ deleted: true }`
   * @throws {PatchbayError} `not_found`, `unauthenticated`.
   */
  async delete(id: string, options?: RequestOptions): Promise<Deleted> {
    return this.t.json('DELETE', `/v1/end-users/${enc(id)}`, { options })
  }
}

/** Connections: an end user's authorized link to an integration. Never expose credentials. */
export class Connections {
  /** @internal */
  constructor(private readonly t: Transport) {}

  /**
   * Lists connections, one page at a time, oldest first.
   * @param params.endUserId your id of the end user. @param params.integration an integration key.
   * @param params.status `active`, `needs_reauth`, `error` or `revoked`.
   * @param params.limit page size 1–200, default 50. @param params.cursor the previous page's `nextCursor`.
   * @returns `{ data, nextCursor }`, `nextCursor` `null` on the last page. Unknown end users or
   *   integrations give an empty page, not an error.
   * @throws {PatchbayError} `invalid_request` (bad `limit` or `status`), `unauthenticated`.
   */
  async list(params: ConnectionListParams = {}, options?: RequestOptions): Promise<Page<ConnectionDetail>> {
    return this.t.json('GET', '/v1/connections', { query: { ...params }, options })
  }

  /**
   * Iterates over every connection matching `filter`, following `nextCursor` with pages of
   * `filter.limit` (default 200).
   * @example
   * for await (const c of patchbay.connections.listAll({ status: 'needs_reauth' })) notify(c.endUserId)
   * @throws {PatchbayError} as {@link Connections.list}, from the page that failed.
   */
  listAll(filter: Omit<ConnectionListParams, 'cursor'> = {}, options?: RequestOptions): AsyncGenerator<ConnectionDetail, void, undefined> {
    return paginate((cursor) => this.list({ limit: 200, ...filter, cursor }, options))
  }

  /**
   * Gets a connection: status, scopes, account label, token expiry; never its credentials.
   * @throws {PatchbayError} `not_found`, `unauthenticated`.
   */
  async get(id: string, options?: RequestOptions): Promise<ConnectionDetail> {
    return this.t.json('GET', `/v1/connections/${enc(id)}`, { options })
  }

  /**
   * Sets the connection's provider webhook signing secret, for connectors whose provider generates
   * one per webhook (Zendesk): create the webhook at the provider (through the proxy) with the
   * connection's `providerWebhookUrl`, read its signing secret (Zendesk:
   * `GET /api/v2/webhooks/{webhook_id}/signing_secret`), and pass it here. Write-only: stored
   * encrypted, never returned (`webhookSecretSet` tells); replaces any previous one.
   * @param secret the provider's signing secret, 1–2000 characters.
   * @example
   * await patchbay.connections.setWebhookSecret(connection.id, signingSecret.secret)
   * @throws {PatchbayError} `invalid_request` (empty or too long), `not_found`,
   *   `webhook_secret_not_accepted` (the connector takes no secret from the connection), `unauthenticated`.
   */
  async setWebhookSecret(id: string, secret: string, options?: RequestOptions): Promise<void> {
    await this.t.json<undefined>('PUT', `/v1/connections/${enc(id)}/webhook-secret`, { body: { secret }, options })
  }

  /**
   * Clears the connection's provider webhook signing secret: its provider webhooks are then
   * refused (`409 webhook_secret_missing`) until one is set again.
   * @throws {PatchbayError} `not_found`, `webhook_secret_not_accepted`, `unauthenticated`.
   */
  async deleteWebhookSecret(id: string, options?: RequestOptions): Promise<void> {
    await this.t.json<undefined>('DELETE', `/v1/connections/${enc(id)}/webhook-secret`, { options })
  }

  /**
   * Deletes a connection, first revoking its tokens at the provider where it supports RFC 7009
   * (a failed revocation does not stop the deletion).
   * @returns `{ deleted: true, revoked }`, `revoked` telling whether the provider confirmed the revocation.
   * @throws {PatchbayError} `not_found`, `unauthenticated`.
   */
  async delete(id: string, options?: RequestOptions): Promise<Deleted> {
    return this.t.json('DELETE', `/v1/connections/${enc(id)}`, { options })
  }
}

/** Vendor models: your own data model per environment (`Contact { email, firstName, … }`), the target of field mappings. */
export class Models {
  /** @internal */
  constructor(private readonly t: Transport) {}

  /** The environment's models, by name. @throws {PatchbayError} `unauthenticated`. */
  async list(options?: RequestOptions): Promise<List<VendorModel>> {
    return this.t.json('GET', '/v1/models', { options })
  }

  /** One model. @throws {PatchbayError} `not_found`, `unauthenticated`. */
  async get(name: string, options?: RequestOptions): Promise<VendorModel> {
    return this.t.json('GET', `/v1/models/${enc(name)}`, { options })
  }

  /**
   * Creates or replaces a model (idempotent). Field types: `string`, `number`, `integer`, `boolean`,
   * `datetime`, `date`, `enum` (with `enumValues`), `object`, `array`; `required` defaults to false.
   * @returns the model; its `version` moves on only when the definition changed.
   * @throws {PatchbayError} `invalid_request` (with `errors`), `unauthenticated`.
   * @example await patchbay.models.put('Contact', { fields: { email: { type: 'string', required: true }, lifecycleStage: { type: 'enum', enumValues: ['lead', 'customer'] } } })
   */
  async put(name: string, definition: VendorModelPutParams, options?: RequestOptions): Promise<VendorModel> {
    return this.t.json('PUT', `/v1/models/${enc(name)}`, { body: definition, options })
  }

  /** Deletes a model. @throws {PatchbayError} `not_found`, `unauthenticated`. */
  async delete(name: string, options?: RequestOptions): Promise<Deleted> {
    return this.t.json('DELETE', `/v1/models/${enc(name)}`, { options })
  }
}

/**
 * Field mappings: how a connector object (`contact`) becomes one of your models (`Contact`). An
 * integration's default applies to every connection without its own. Mappings are checked against
 * the model and the connector's fields before they are saved (`invalid_request` lists what is wrong).
 */
export class Mappings {
  /** @internal */
  constructor(private readonly t: Transport) {}

  /** The mapping in effect for a connection's object (its own, else the default), or `{ mapping: null }`. @throws {PatchbayError} `not_found`. */
  async get(connectionId: string, object: string, options?: RequestOptions): Promise<{ mapping: FieldMapping | null }> {
    return this.t.json('GET', `/v1/connections/${enc(connectionId)}/mappings/${enc(object)}`, { options })
  }

  /** Sets a connection's own mapping (sends `mapping.updated` when it changed). @throws {PatchbayError} `invalid_request`, `not_found`. */
  async put(connectionId: string, object: string, mapping: MappingPutParams, options?: RequestOptions): Promise<MappingSaved> {
    return this.t.json('PUT', `/v1/connections/${enc(connectionId)}/mappings/${enc(object)}`, { body: mapping, options })
  }

  /** Removes a connection's own mapping; the default applies again. @throws {PatchbayError} `not_found`. */
  async delete(connectionId: string, object: string, options?: RequestOptions): Promise<Deleted> {
    return this.t.json('DELETE', `/v1/connections/${enc(connectionId)}/mappings/${enc(object)}`, { options })
  }

  /**
   * The fields of a connection's object: the connector's declared fields and the account's custom
   * fields (discovered live, cached an hour; `refresh: true` reads them again), each with up to three
   * sample values, and with `model` a suggested mapping to it. @throws {PatchbayError} `not_found`.
   */
  async fields(connectionId: string, object: string, params: { model?: string; refresh?: boolean } = {}, options?: RequestOptions): Promise<ProviderFields> {
    return this.t.json('GET', `/v1/connections/${enc(connectionId)}/fields/${enc(object)}`, { query: { model: params.model, refresh: params.refresh ? 'true' : undefined }, options })
  }

  /** Checks a mapping without saving it and returns three of the connection's records as they would arrive. @throws {PatchbayError} `invalid_request`, `not_found`. */
  async preview(connectionId: string, object: string, mapping: MappingPutParams, options?: RequestOptions): Promise<MappingPreview> {
    return this.t.json('POST', `/v1/connections/${enc(connectionId)}/mappings/${enc(object)}/preview`, { body: mapping, options })
  }

  /** An integration's default mappings. @throws {PatchbayError} `not_found`. */
  async listDefaults(integrationKey: string, options?: RequestOptions): Promise<List<FieldMapping>> {
    return this.t.json('GET', `/v1/integrations/${enc(integrationKey)}/mappings`, { options })
  }

  /** Sets an integration's default mapping of an object. @throws {PatchbayError} `invalid_request`, `not_found`. */
  async putDefault(integrationKey: string, object: string, mapping: MappingPutParams, options?: RequestOptions): Promise<MappingSaved> {
    return this.t.json('PUT', `/v1/integrations/${enc(integrationKey)}/mappings/${enc(object)}`, { body: mapping, options })
  }

  /** Removes an integration's default mapping of an object. @throws {PatchbayError} `not_found`. */
  async deleteDefault(integrationKey: string, object: string, options?: RequestOptions): Promise<Deleted> {
    return this.t.json('DELETE', `/v1/integrations/${enc(integrationKey)}/mappings/${enc(object)}`, { options })
  }
}

/** Syncs of a connection: one per connector sync (e.g. `contacts`), scheduled, triggered, paused. */
export class Syncs {
  /** @internal */
  constructor(private readonly t: Transport) {}

  /**
   * A connection's syncs with their frequency, status, next run and last run.
   * @throws {PatchbayError} `not_found`, `unauthenticated`.
   */
  async list(connectionId: string, options?: RequestOptions): Promise<List<Sync>> {
    return this.t.json('GET', `/v1/connections/${enc(connectionId)}/syncs`, { options })
  }

  /**
   * Runs a sync now. When a run is already queued or running, that run is returned instead.
   * @param params.fullResync list everything again (and detect deletions), ignoring the incremental cursor.
   * @returns the run; its `changesCursor` is where its changes start in the records feed.
   * @throws {PatchbayError} `not_found`, `reauth_required`, `connection_not_active`, `unauthenticated`.
   */
  async trigger(connectionId: string, sync: string, params: SyncTriggerParams = {}, options?: RequestOptions): Promise<SyncRun> {
    return this.t.json('POST', `/v1/connections/${enc(connectionId)}/syncs/${enc(sync)}/trigger`, { body: params, options })
  }

  /** Stops scheduled runs and cancels the unfinished run. @throws {PatchbayError} `not_found`, `unauthenticated`. */
  async pause(connectionId: string, sync: string, options?: RequestOptions): Promise<Sync> {
    return this.t.json('POST', `/v1/connections/${enc(connectionId)}/syncs/${enc(sync)}/pause`, { options })
  }

  /** Resumes scheduled runs (the next starts within a minute). @throws {PatchbayError} `not_found`, `unauthenticated`. */
  async resume(connectionId: string, sync: string, options?: RequestOptions): Promise<Sync> {
    return this.t.json('POST', `/v1/connections/${enc(connectionId)}/syncs/${enc(sync)}/resume`, { options })
  }

  /**
   * Sets how often the sync runs for this connection (`15m`, `1h`, `1d`; 1m–30d), or `null` for the default.
   * @throws {PatchbayError} `invalid_request`, `not_found`, `unauthenticated`.
   */
  async setFrequency(connectionId: string, sync: string, frequency: string | null, options?: RequestOptions): Promise<Sync> {
    return this.t.json('PATCH', `/v1/connections/${enc(connectionId)}/syncs/${enc(sync)}`, { body: { frequency }, options })
  }
}

/** Sync runs: the history of every sync, with counts and errors. */
export class SyncRuns {
  /** @internal */
  constructor(private readonly t: Transport) {}

  /**
   * Lists runs, newest first, one page at a time.
   * @throws {PatchbayError} `invalid_request`, `unauthenticated`.
   */
  async list(params: SyncRunListParams = {}, options?: RequestOptions): Promise<Page<SyncRun>> {
    return this.t.json('GET', '/v1/sync-runs', { query: { ...params }, options })
  }

  /** One run. @throws {PatchbayError} `not_found`, `unauthenticated`. */
  async get(id: string, options?: RequestOptions): Promise<SyncRun> {
    return this.t.json('GET', `/v1/sync-runs/${enc(id)}`, { options })
  }
}

/** Synced records and their change feed. */
export class Records {
  /** @internal */
  constructor(private readonly t: Transport) {}

  /**
   * One page of the change feed of a connection's model (e.g. `contact`): records added, updated and
   * deleted (`deletedAt` set), in the order they changed.
   * @param params.cursor `nextCursor` of the previous page, or `changes.cursor` of a `sync.succeeded`
   *   webhook; absent: from the start. @param params.limit 1–1000, default 100.
   * @returns `{ data, nextCursor, hasMore }`: store `nextCursor` and pass it next time to get only newer changes.
   * @throws {PatchbayError} `invalid_request` (bad cursor), `not_found`, `unauthenticated`.
   */
  async list(params: RecordListParams, options?: RequestOptions): Promise<RecordsPage> {
    return this.t.json('GET', '/v1/records', { query: { ...params }, options })
  }

  /**
   * Iterates over the change feed page by page until it is caught up (`hasMore` false). Each page
   * carries the `nextCursor` to store once its records are processed.
   * @example
   * for await (const page of patchbay.records.pages({ connectionId, model: 'contact', cursor: saved })) {
   *   await upsertLocally(page.data)
   *   saved = page.nextCursor
   * }
   */
  async *pages(params: RecordListParams, options?: RequestOptions): AsyncGenerator<RecordsPage, void, undefined> {
    let cursor = params.cursor
    for (;;) {
      const page = await this.list({ limit: 500, ...params, ...(cursor !== undefined ? { cursor } : {}) }, options)
      yield page
      if (!page.hasMore) return
      cursor = page.nextCursor
    }
  }

  /**
   * Iterates over every change after `params.cursor`, record by record, until the feed is caught up.
   * @example for await (const r of patchbay.records.iterate({ connectionId, model: 'contact' })) console.log(r.action, r.id)
   */
  async *iterate(params: RecordListParams, options?: RequestOptions): AsyncGenerator<SyncedRecord, void, undefined> {
    for await (const page of this.pages(params, options)) yield* page.data
  }
}

async function* paginate<T>(page: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined
  do {
    const p = await page(cursor)
    yield* p.data
    cursor = p.nextCursor ?? undefined
  } while (cursor)
}

function createProxyClient(t: Transport): ProxyClient {
  const call = async (connectionId: string, request: ProxyRequest, options?: RequestOptions): Promise<Response> => {
    const { url, headers, body } = proxyParts(t, connectionId, request)
    return t.send(url, { method: (request.method ?? 'GET').toUpperCase(), headers, body }, options, true, async (res) => {
      if (isProblemResponse(res)) {
        const problem = parseJson(await res.clone().text())
        if (isPatchbayProblem(problem)) {
          await res.body?.cancel()
          throw errorFromProblem(problem, res)
        }
      }
      return res
    })
  }
  const shortcut =
    (method: string) =>
    async <T>(connectionId: string, path: string, options: ProxyCallOptionsWithBody = {}): Promise<ProxyResult<T>> => {
      const { query, headers: given, body, ...rest } = options
      const headers = new Headers(given)
      if (!headers.has('accept')) headers.set('accept', 'application/json')
      const parts = proxyParts(t, connectionId, { path, query, headers, body })
      return t.send(parts.url, { method, headers: parts.headers, body: parts.body }, rest, false, async (res) => {
        const text = await res.text()
        if (isProblemResponse(res)) {
          const problem = parseJson(text)
          if (isPatchbayProblem(problem)) throw errorFromProblem(problem, res)
        }
        const type = mediaType(res.headers.get('content-type'))
        let data: unknown = text === '' ? null : text
        if (text !== '' && (type === 'application/json' || type.endsWith('+json'))) {
          const parsed = parseJson(text)
          if (parsed !== NOT_JSON) data = parsed
        }
        return { status: res.status, ok: res.ok, headers: res.headers, data: data as T }
      })
    }
  return Object.assign(call, { get: shortcut('GET'), post: shortcut('POST'), put: shortcut('PUT'), patch: shortcut('PATCH'), delete: shortcut('DELETE') })
}

/** The proxied URL `/v1/proxy/<connectionId><path>?<query>`, headers and encoded body. */
function proxyParts(t: Transport, connectionId: string, request: ProxyRequest): { url: string; headers: Headers; body: BodyInit | undefined } {
  if (typeof connectionId !== 'string' || !connectionId) throw new TypeError('proxy: `connectionId` is required')
  let path = request.path ?? ''
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) throw new TypeError(`proxy: \`path\` must be relative to the integration's base URL, not a full URL: ${path}`)
  path = path.split('#')[0]!
  if (!path.startsWith('/')) path = `/${path}`
  const q = path.indexOf('?')
  const pathname = q === -1 ? path : path.slice(0, q)
  const search = [q === -1 ? '' : path.slice(q + 1), request.query ? queryString(request.query) : ''].filter(Boolean).join('&')
  const prefix = `/v1/proxy/${enc(connectionId)}`
  const url = new URL(t.baseUrl + prefix + pathname + (search ? `?${search}` : ''))
  // The URL parser resolves `..` and `%2e%2e`: refuse a path that would leave the proxy prefix.
  if (!url.pathname.startsWith(new URL(t.baseUrl + prefix + '/').pathname)) throw new TypeError(`proxy: \`path\` must stay under the integration's base URL: ${request.path}`)
  const headers = new Headers(request.headers)
  return { url: url.href, headers, body: encodeBody(request.body, headers) }
}

function encodeBody(body: ProxyBody, headers: Headers): BodyInit | undefined {
  if (body === undefined || body === null) return undefined
  if (
    typeof body === 'string' ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    body instanceof URLSearchParams ||
    (typeof Blob !== 'undefined' && body instanceof Blob) ||
    (typeof FormData !== 'undefined' && body instanceof FormData) ||
    (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream)
  ) {
    return body as BodyInit
  }
  if (!headers.has('content-type')) headers.set('content-type', 'application/json')
  return JSON.stringify(body)
}

const NOT_JSON = Symbol('not json')
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return NOT_JSON
  }
}

function queryString(query: QueryParams): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined && v !== null) params.append(key, String(v))
  }
  return params.toString()
}

const enc = (segment: string) => {
  if (typeof segment !== 'string' || !segment) throw new TypeError('Patchbay: an id or key is required')
  return encodeURIComponent(segment)
}

/** @internal HTTP, auth, timeouts and error mapping, shared by the resources. */
class Transport {
  readonly #secretKey: string

  constructor(
    readonly baseUrl: string,
    secretKey: string,
    private readonly fetch: (input: string, init: RequestInit) => Promise<Response>,
    private readonly timeoutMs: number,
  ) {
    this.#secretKey = secretKey
  }

  /** A JSON API call: resolves to the parsed body of a 2xx answer (`undefined` for a 204), else throws the mapped error. */
  json<T>(method: string, path: string, opts: { query?: QueryParams; body?: unknown; headers?: Record<string, string>; options?: RequestOptions | undefined }): Promise<T> {
    const search = opts.query ? queryString(opts.query) : ''
    const headers = new Headers({ ...opts.headers, accept: 'application/json' })
    let body: string | undefined
    if (opts.body !== undefined) {
      headers.set('content-type', 'application/json')
      body = JSON.stringify(opts.body)
    }
    return this.send(this.baseUrl + path + (search ? `?${search}` : ''), { method, headers, body }, opts.options, false, async (res) => {
      const text = await res.text()
      if (!res.ok) {
        const problem = isProblemResponse(res) ? parseJson(text) : undefined
        throw isPatchbayProblem(problem) ? errorFromProblem(problem, res) : errorFromStatus(res, text)
      }
      if (res.status === 204) return undefined as T
      const parsed = parseJson(text)
      if (parsed === NOT_JSON) {
        throw new PatchbayError({ code: 'invalid_response', status: res.status, detail: `Expected JSON from ${method} ${path}, got ${res.headers.get('content-type') ?? 'no content type'}`, requestId: res.headers.get('x-request-id') ?? undefined })
      }
      return parsed as T
    })
  }

  /**
   * Sends a request with the secret key and a timeout, then lets `consume` read the response
   * while the timeout still runs. Maps fetch failures to `network_error` / `timeout`; an abort
   * through `options.signal` rejects with the signal's reason, as `fetch` does.
   * @param streaming the result keeps reading the body after `consume` returns: the caller's
   *   signal stays connected to it.
   */
  async send<T>(url: string, init: { method: string; headers: Headers; body?: BodyInit | undefined }, options: RequestOptions | undefined, streaming: boolean, consume: (res: Response) => Promise<T>): Promise<T> {
    const signal = options?.signal
    signal?.throwIfAborted()
    const timeoutMs = options?.timeoutMs ?? this.timeoutMs
    const controller = new AbortController()
    let timedOut = false
    const timer = timeoutMs > 0 ? setTimeout(() => ((timedOut = true), controller.abort()), timeoutMs) : undefined
    const onAbort = () => controller.abort(signal!.reason)
    signal?.addEventListener('abort', onAbort, { once: true })
    init.headers.set('authorization', `Bearer ${this.#secretKey}`)
    const requestInit: RequestInit & { duplex?: 'half' } = { method: init.method, headers: init.headers, body: init.body, signal: controller.signal }
    if (typeof ReadableStream !== 'undefined' && init.body instanceof ReadableStream) requestInit.duplex = 'half'
    let done = false
    try {
      const res = await this.fetch(url, requestInit)
      const out = await consume(res)
      done = true
      return out
    } catch (err) {
      if (err instanceof PatchbayError) throw err
      if (signal?.aborted) throw signal.reason
      if (timedOut) throw new PatchbayError({ code: 'timeout', status: 0, detail: `No answer from ${init.method} ${stripQuery(url)} within ${timeoutMs} ms`, cause: err })
      throw new PatchbayError({ code: 'network_error', status: 0, detail: `Could not reach Patchbay (${init.method} ${stripQuery(url)}): ${describe(err)}`, cause: err })
    } finally {
      clearTimeout(timer)
      if (!(streaming && done)) signal?.removeEventListener('abort', onAbort)
    }
  }
}

const stripQuery = (url: string) => url.split('?')[0]!

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const cause = (err as { cause?: unknown }).cause
  return cause instanceof Error && cause.message ? `${err.message} (${cause.message})` : err.message
}
