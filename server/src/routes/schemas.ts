/**
 * Request and response schemas of the public API: the single source for validation, the
 * OpenAPI document and the SDK's types (`sdk/` imports these types only).
 */
import { z } from '@hono/zod-openapi'
import type { ConnectionView } from '../services/connections'
import type { ResolvedIntegration } from '../services/integrations'
import { providerWebhookUrl } from '../services/provider-webhooks'
import type { DeliveryView, WebhookEndpointRow } from '../services/webhook-endpoints'
import { mappingSchema, vendorModelSchema } from '../mapping/schema'

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().openapi({ description: 'Stable error code, e.g. `invalid_request`, `not_found`, `reauth_required`' }),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem')

/** Standard error responses, all `application/problem+json`. */
export function problems(...statuses: (400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 502)[]) {
  const out: Record<number, { description: string; content: { 'application/problem+json': { schema: typeof Problem } } }> = {}
  for (const s of statuses) out[s] = { description: 'Error', content: { 'application/problem+json': { schema: Problem } } }
  return out
}

export const json = <T extends z.ZodType>(schema: T, description = 'OK') => ({ description, content: { 'application/json': { schema } } })
export const body = <T extends z.ZodType>(schema: T) => ({ required: true, content: { 'application/json': { schema } } })

const key = z.string().min(1).max(100).regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, 'letters, digits, . _ - (starting with a letter or digit)')
const url = z.string().url().max(2000)

export const EndUserInput = z.object({
  id: z.string().min(1).max(255).openapi({ description: "The vendor's own id of the end user", example: 'user_42' }),
  email: z.string().email().max(320).optional(),
  displayName: z.string().max(255).optional(),
}).strict()

export const ConnectSessionCreate = z
  .object({
    endUser: EndUserInput,
    allowedIntegrations: z.array(key).max(200).optional().openapi({ description: 'Integration keys the widget may use; default all enabled' }),
    allowedOrigins: z.array(url).max(50).optional().openapi({ description: 'Origins the widget may run on; default any' }),
    ttlSeconds: z.number().int().min(60).max(86_400).optional().openapi({ description: 'Lifetime in seconds, default 1800' }),
  })
  .strict()
  .openapi('ConnectSessionCreate')

export const ConnectSession = z.object({ token: z.string(), expiresAt: z.string().datetime(), endUserId: z.string() }).openapi('ConnectSession')

const Overrides = z
  .object({ baseUrl: url.optional(), authorizationUrl: url.optional(), tokenUrl: url.optional(), revocationUrl: url.optional() })
  .strict()
  .openapi({ description: 'Replace connector URLs (enterprise hosts, sandboxes). May use connection config placeholders such as {subdomain}.' })

const frequency = z.string().max(10).regex(/^\d{1,6}(s|m|h|d)$/, 'a number and a unit (s, m, h, d), e.g. 15m').openapi({ example: '1h' })

export const SyncSettings = z
  .object({
    autoStart: z.boolean().optional().openapi({ description: 'Run every enabled sync once right after a connection is made (default true)' }),
    syncs: z
      .record(
        z.string().max(100),
        z
          .object({
            enabled: z.boolean().optional(),
            frequency: frequency.optional(),
            fullResyncFrequency: frequency.optional().openapi({ description: "Incremental syncs: a scheduled run is a full resync (deletions detected) when the last successful full run is older than this; longer than the sync's frequency, at most 30d. Overrides the connector's `fullResyncFrequency`" }),
          })
          .strict(),
      )
      .optional()
      .openapi({ description: "Per sync name: off by default (`enabled: false`), another default frequency than the connector's, or another full-resync frequency" }),
    endUserFrequency: z.object({ min: frequency, max: frequency }).strict().optional().openapi({ description: 'Let end users choose a frequency within these bounds in the widget' }),
  })
  .strict()
  .openapi('SyncSettings')

export const IntegrationCreate = z
  .object({
    key,
    connectorId: z.string().min(1).max(100),
    displayName: z.string().max(200).nullish(),
    clientId: z.string().min(1).max(500).nullish(),
    clientSecret: z.string().min(1).max(2000).nullish().openapi({ description: 'Write-only: never returned' }),
    webhookSecret: z.string().min(1).max(2000).nullish().openapi({ description: "Write-only: the signing secret of the provider's webhooks (Slack's signing secret, GitHub's webhook secret), for connectors that take it from the integration; `null` clears it" }),
    scopes: z.array(z.string().min(1).max(200)).max(100).nullish(),
    overrides: Overrides.optional(),
    enabled: z.boolean().optional(),
    allowMultipleConnections: z.boolean().optional().openapi({ description: 'Let an end user connect several accounts; default false (connecting again re-authorizes the existing connection)' }),
    syncSettings: SyncSettings.optional(),
  })
  .strict()
  .openapi('IntegrationCreate')

export const IntegrationUpdate = IntegrationCreate.omit({ key: true, connectorId: true }).strict().openapi('IntegrationUpdate')

export const Integration = z
  .object({
    key: z.string(),
    connectorId: z.string(),
    displayName: z.string(),
    clientId: z.string().nullable(),
    hasClientSecret: z.boolean(),
    scopes: z.array(z.string()),
    overrides: Overrides,
    enabled: z.boolean(),
    allowMultipleConnections: z.boolean(),
    syncSettings: SyncSettings,
    authType: z.string(),
    redirectUri: z.string().nullable().openapi({ description: 'Register this redirect URI with the provider (OAuth 2.0 and 1.0a only)' }),
    webhookSecretSet: z.boolean().openapi({ description: 'Whether a provider webhook signing secret is set (`webhookSecret`; never returned)' }),
    providerWebhookUrl: z.string().nullable().openapi({ description: "Paste this URL into the provider's webhook settings; `{connectionId}` is a connection's id where the provider calls one URL per connection. Null: the connector declares no incoming webhooks" }),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi('Integration')

/** The public view of an integration; `publicUrl` is Patchbay's (`PUBLIC_URL`), for the provider webhook URL. */
export function integrationOut(i: ResolvedIntegration, redirectUri: string, publicUrl: string): z.infer<typeof Integration> {
  return {
    key: i.row.key,
    connectorId: i.row.connectorId,
    displayName: i.row.displayName ?? i.connector.name,
    clientId: i.row.clientId,
    hasClientSecret: !!i.row.clientSecretEnc,
    scopes: i.scopes,
    overrides: i.row.overrides ?? {},
    enabled: i.row.enabled,
    allowMultipleConnections: i.row.allowMultipleConnections,
    syncSettings: i.row.syncSettings,
    authType: i.connector.auth.type,
    redirectUri: i.connector.auth.type === 'oauth2' || i.connector.auth.type === 'oauth1' ? redirectUri : null,
    webhookSecretSet: !!i.row.webhookSecretEnc,
    providerWebhookUrl: providerWebhookUrl(publicUrl, i.row.id, i.connector),
    createdAt: i.row.createdAt.toISOString(),
    updatedAt: i.row.updatedAt.toISOString(),
  }
}

export const ConnectionStatus = z.enum(['active', 'needs_reauth', 'error', 'revoked'])

export const Connection = z
  .object({
    id: z.string(),
    integration: z.string().openapi({ description: 'Integration key' }),
    connectorId: z.string(),
    endUserId: z.string().openapi({ description: "The vendor's id of the end user" }),
    status: ConnectionStatus,
    statusReason: z.string().nullable(),
    accountLabel: z.string().nullable(),
    scopes: z.array(z.string()),
    connectionConfig: z.record(z.string(), z.string()),
    expiresAt: z.string().datetime().nullable().openapi({ description: 'Access token expiry, if any' }),
    lastRefreshedAt: z.string().datetime().nullable(),
    lastVerifiedAt: z.string().datetime().nullable(),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi('Connection')

/** A connection as the vendor's API shows it: {@link Connection} with its provider webhook settings (services/connection-view.ts `connectionDetailOut`). */
export const ConnectionDetail = Connection.extend({
  webhookSecretSet: z.boolean().openapi({ description: 'Whether a per-connection provider webhook signing secret is set (`PUT /v1/connections/{id}/webhook-secret`; never returned)' }),
  providerWebhookUrl: z
    .string()
    .nullable()
    .openapi({ description: "The URL the provider should call with this connection's events (give it to the provider, e.g. when creating a Zendesk webhook through the proxy): the connection's own URL, or the integration's routed URL for connectors that route events themselves (Slack). Null: the connector declares no incoming webhooks" }),
}).openapi('ConnectionDetail')

/** The body of `PUT /v1/connections/{id}/webhook-secret`. */
export const ConnectionWebhookSecretPut = z
  .object({ secret: z.string().min(1).max(2000).openapi({ description: "Write-only: the signing secret the provider generated for this connection's webhook (Zendesk: `GET /api/v2/webhooks/{webhook_id}/signing_secret`)" }) })
  .strict()
  .openapi('ConnectionWebhookSecretPut')

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/** The public view of a connection, produced by the service layer (webhook payloads use it too). */
export { connectionDetailOut, connectionOut } from '../services/connection-view'

export const Page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() })

export const PageQuery = z.object({
  cursor: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
})

export const EndUser = z
  .object({ id: z.string(), email: z.string().nullable(), displayName: z.string().nullable(), createdAt: z.string().datetime(), updatedAt: z.string().datetime() })
  .openapi('EndUser')

export const Deleted = z.object({ deleted: z.literal(true), revoked: z.boolean().optional() }).openapi('Deleted')

export const Connector = z
  .object({ id: z.string(), name: z.string(), description: z.string(), categories: z.array(z.string()), authType: z.string(), defaultScopes: z.array(z.string()), docsUrl: z.string(), custom: z.boolean().openapi({ description: "This environment's own connector (`PUT /v1/connectors/custom/{id}`)" }) })
  .openapi('Connector')

export const CustomConnectorPut = z
  .record(z.string(), z.unknown())
  .openapi('CustomConnectorPut', {
    description:
      "A connector definition as JSON, in the language of the built-in ones (connectors/schema.ts): `name`, `description`, `categories`, `docsUrl`, `auth`, `connectionConfig`, `http` (baseUrl, headers, retry, rateLimit, pagination), `objects`, `syncs`, `actions` (each `input` a JSON Schema), optional `logo` (inline SVG). No hooks.",
    example: { name: 'Acme API', description: 'Contacts from the Acme API', categories: ['crm'], docsUrl: 'https://api.acme.test/docs', auth: { type: 'api_key', inject: { headers: { 'X-Api-Key': '{apiKey}' } }, verify: { path: '/me' } }, http: { baseUrl: 'https://api.acme.test/v1', pagination: { type: 'cursor', cursorParam: 'cursor', cursorPath: 'next_cursor', itemsPath: 'data' } }, objects: { contact: { path: '/contacts', fields: { id: { type: 'string', key: true }, email: { type: 'string' } } } }, syncs: { contacts: { object: 'contact', mode: 'full' } } },
  })

export const CustomConnector = z
  .object({ id: z.string(), definition: z.record(z.string(), z.unknown()), version: z.number().int(), createdAt: z.string().datetime(), updatedAt: z.string().datetime() })
  .openapi('CustomConnector')
export type CustomConnectorOut = z.infer<typeof CustomConnector>

// ── Webhooks ────────────────────────────────────────────────────────────────────────────────

/** Kept in step with `WEBHOOK_EVENT_TYPES` (services/webhook-outbox.ts). `sync.*` come with syncs. */
export const WebhookEventType = z.enum(['connection.created', 'connection.needs_reauth', 'connection.deleted', 'sync.succeeded', 'sync.failed', 'mapping.updated', 'mapping.applied', 'provider.webhook']).openapi('WebhookEventType')

export const WebhookEndpointCreate = z
  .object({
    url: url.openapi({ description: 'Receives `POST` requests with the event as JSON' }),
    events: z.array(WebhookEventType).max(50).optional().openapi({ description: 'Event types to receive; empty or absent: all' }),
    description: z.string().max(500).nullish(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .openapi('WebhookEndpointCreate')

export const WebhookEndpointUpdate = WebhookEndpointCreate.partial().strict().openapi('WebhookEndpointUpdate')

export const WebhookEndpoint = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(WebhookEventType).openapi({ description: 'Empty: all event types' }),
    description: z.string().nullable(),
    enabled: z.boolean(),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi('WebhookEndpoint')

export const WebhookEndpointWithSecret = WebhookEndpoint.extend({
  secret: z.string().openapi({ description: 'The signing secret (`whsec_…`), shown only in this answer' }),
}).openapi('WebhookEndpointWithSecret')

export function webhookEndpointOut(e: WebhookEndpointRow): z.infer<typeof WebhookEndpoint> {
  return {
    id: e.id,
    url: e.url,
    events: e.events as z.infer<typeof WebhookEventType>[],
    description: e.description,
    enabled: e.enabled,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  }
}

export const WebhookDeliveryStatus = z.enum(['pending', 'succeeded', 'failed'])

export const WebhookAttempt = z
  .object({
    attempt: z.number().int(),
    startedAt: z.string().datetime(),
    durationMs: z.number().int(),
    statusCode: z.number().int().nullable().openapi({ description: "The receiver's status; null on a network error or timeout" }),
    error: z.string().nullable(),
    responseBody: z.string().nullable().openapi({ description: 'The first 1 KB of the response body' }),
  })
  .openapi('WebhookAttempt')

export const WebhookDelivery = z
  .object({
    id: z.string(),
    eventId: z.string().openapi({ description: 'The `webhook-id` header: the same on every attempt' }),
    eventType: WebhookEventType,
    endpointId: z.string(),
    status: WebhookDeliveryStatus,
    attemptCount: z.number().int(),
    nextAttemptAt: z.string().datetime().nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    attempts: z.array(WebhookAttempt),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi('WebhookDelivery')

export function webhookDeliveryOut(d: DeliveryView): z.infer<typeof WebhookDelivery> {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType as z.infer<typeof WebhookEventType>,
    endpointId: d.endpointId,
    status: d.status,
    attemptCount: d.attempts,
    nextAttemptAt: iso(d.status === 'pending' ? d.nextAttemptAt : null),
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    attempts: d.attemptsLog.map((a) => ({ attempt: a.attempt, startedAt: a.startedAt.toISOString(), durationMs: a.durationMs, statusCode: a.statusCode, error: a.error, responseBody: a.responseBody })),
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  }
}

export type WebhookEventTypeOut = z.infer<typeof WebhookEventType>
export type WebhookEndpointOut = z.infer<typeof WebhookEndpoint>
export type WebhookEndpointWithSecretOut = z.infer<typeof WebhookEndpointWithSecret>
export type WebhookEndpointCreateInput = z.input<typeof WebhookEndpointCreate>
export type WebhookEndpointUpdateInput = z.input<typeof WebhookEndpointUpdate>
export type WebhookDeliveryOut = z.infer<typeof WebhookDelivery>
export type WebhookDeliveryStatusOut = z.infer<typeof WebhookDeliveryStatus>

export type ConnectionOut = z.infer<typeof Connection>
export type ConnectionDetailOut = z.infer<typeof ConnectionDetail>
export type ConnectionWebhookSecretPutInput = z.input<typeof ConnectionWebhookSecretPut>
export type IntegrationOut = z.infer<typeof Integration>
export type EndUserOut = z.infer<typeof EndUser>
export type ConnectSessionOut = z.infer<typeof ConnectSession>
export type ConnectSessionCreateInput = z.input<typeof ConnectSessionCreate>
export type IntegrationCreateInput = z.input<typeof IntegrationCreate>
export type IntegrationUpdateInput = z.input<typeof IntegrationUpdate>
export type ProblemOut = z.infer<typeof Problem>
export type ConnectorOut = z.infer<typeof Connector>
export type DeletedOut = z.infer<typeof Deleted>
export type ConnectionStatusOut = z.infer<typeof ConnectionStatus>

// ── Syncs and records ───────────────────────────────────────────────────────────────────────

export const SyncRunStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']).openapi('SyncRunStatus')

export const SyncRun = z
  .object({
    id: z.string(),
    connectionId: z.string(),
    sync: z.string(),
    model: z.string(),
    status: SyncRunStatus,
    trigger: z.enum(['initial', 'schedule', 'manual']),
    mode: z.enum(['incremental', 'full']).openapi({ description: '`full`: lists everything and marks records it did not see as deleted' }),
    attempts: z.number().int().openapi({ description: 'Failed attempts so far (retried with growing delays)' }),
    pages: z.number().int(),
    added: z.number().int(),
    updated: z.number().int(),
    deleted: z.number().int(),
    error: z.object({ code: z.string(), message: z.string() }).nullable().openapi({ description: 'Why the run failed, or the last retried error while it runs' }),
    changesCursor: z.string().openapi({ description: "Read `GET /v1/records` from this cursor to get this run's changes" }),
    createdAt: z.string().datetime(),
    startedAt: z.string().datetime().nullable(),
    finishedAt: z.string().datetime().nullable(),
  })
  .openapi('SyncRun')

export const Sync = z
  .object({
    name: z.string(),
    model: z.string(),
    description: z.string().nullable(),
    mode: z.enum(['incremental', 'full']),
    status: z.enum(['enabled', 'paused']),
    frequency: z.string().openapi({ description: 'In effect (the connection’s own, else the integration’s or the connector’s default)' }),
    customFrequency: z.boolean().openapi({ description: 'Whether this connection has its own frequency' }),
    nextRunAt: z.string().datetime().nullable(),
    lastSucceededAt: z.string().datetime().nullable(),
    fullResyncFrequency: z.string().nullable().openapi({ description: 'Incremental syncs: in effect (the integration’s, else the connector’s); a scheduled run is a full resync when the last full run is older. null: no scheduled full resyncs' }),
    lastFullSyncAt: z.string().datetime().nullable().openapi({ description: 'When the last successful full run (initial, manual `fullResync`, scheduled full resync) finished' }),
    nextFullResyncAt: z.string().datetime().nullable().openapi({ description: 'From then on the next scheduled run is a full resync; null when none is scheduled or no full run has succeeded yet' }),
    lastRun: SyncRun.nullable(),
  })
  .openapi('Sync')

export const SyncTrigger = z
  .object({ fullResync: z.boolean().optional().openapi({ description: 'List everything again (and detect deletions), ignoring the incremental cursor' }) })
  .strict()
  .openapi('SyncTrigger')

export const SyncUpdate = z
  .object({ frequency: frequency.nullable().openapi({ description: 'null: back to the default' }) })
  .strict()
  .openapi('SyncUpdate')

export const RecordAction = z.enum(['added', 'updated', 'deleted'])

export const SyncedRecord = z
  .object({
    id: z.string().openapi({ description: "The provider's id" }),
    model: z.string(),
    action: RecordAction.openapi({ description: 'The last change' }),
    data: z.record(z.string(), z.unknown()).openapi({ description: "The record in your model's shape when a field mapping is in effect (`mapping`), else as the provider returned it" }),
    mapping: z
      .object({ model: z.string(), version: z.number().int(), errors: z.array(z.object({ field: z.string(), message: z.string() })) })
      .nullable()
      .openapi({ description: 'The mapping that shaped `data`, and the fields it could not fill; null when none is in effect' }),
    raw: z.record(z.string(), z.unknown()).optional().openapi({ description: "The provider's record, with `includeRaw=true` when a mapping shaped `data`" }),
    hash: z.string().openapi({ description: 'SHA-256 (base64url) of the canonical JSON of `data`' }),
    firstSeenAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
    deletedAt: z.string().datetime().nullable(),
  })
  .openapi('Record')

export const RecordsQuery = z.object({
  connectionId: z.string().min(1).max(100),
  model: z.string().min(1).max(100).openapi({ description: 'The connector object, e.g. `contact`' }),
  cursor: z.string().max(200).optional().openapi({ description: '`nextCursor` of the previous page, or `changes.cursor` of a sync webhook; absent: from the start' }),
  modifiedAfter: z.string().max(40).datetime({ offset: true }).optional().openapi({ description: 'Only records changed after this instant' }),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  includeRaw: z.enum(['true', 'false']).optional().openapi({ description: "Also return the provider's record (`raw`) when a mapping shapes `data`" }),
})

export const RecordsPage = z
  .object({
    data: z.array(SyncedRecord),
    nextCursor: z.string().openapi({ description: 'Where to continue; store it and ask again later for newer changes' }),
    hasMore: z.boolean(),
  })
  .openapi('RecordsPage')

export type SyncOut = z.infer<typeof Sync>
export type SyncRunOut = z.infer<typeof SyncRun>
export type SyncRunStatusOut = z.infer<typeof SyncRunStatus>
export type SyncedRecordOut = z.infer<typeof SyncedRecord>
export type RecordsPageOut = z.infer<typeof RecordsPage>
export type SyncSettingsInput = z.input<typeof SyncSettings>

// ── Actions ─────────────────────────────────────────────────────────────────────────────────

export const ActionRunStatus = z.enum(['running', 'succeeded', 'failed']).openapi('ActionRunStatus')

export const ActionRunCreate = z
  .object({
    connectionId: z.string().min(1).max(100),
    input: z.unknown().optional().openapi({ description: "The action's input, checked against the connector's schema for it (which decides whether it may be absent); sent to the provider as the JSON body" }),
    record: z
      .record(z.string().max(100), z.unknown())
      .optional()
      .openapi({ description: "Instead of `input`, for actions that write an object's records: a record in your model's shape, written back through the inverse of the connection's mapping of that object (fields the action does not take are left out)" }),
  })
  .strict()
  .openapi('ActionRunCreate')

export const ActionRun = z
  .object({
    id: z.string().openapi({ example: 'act_3xk2…' }),
    connectionId: z.string(),
    action: z.string().openapi({ description: "The action's name in the connector", example: 'create_contact' }),
    status: ActionRunStatus,
    idempotencyKey: z.string().nullable().openapi({ description: 'The `Idempotency-Key` of the request, if any' }),
    providerStatus: z.number().int().nullable().openapi({ description: "The provider's HTTP status; null when it did not answer" }),
    output: z.unknown().openapi({ description: "The provider's response body (parsed JSON, else text); null when empty or when it did not answer" }),
    errorCode: z.string().nullable().openapi({ description: 'Why the run failed before the provider answered: `reauth_required`, `upstream_rate_limited`, `upstream_unreachable`…' }),
    errorMessage: z.string().nullable(),
    createdAt: z.string().datetime().openapi({ description: 'When the run (or its latest attempt, after a takeover or a retry) started' }),
    finishedAt: z.string().datetime().nullable(),
  })
  .openapi('ActionRun')

export const ActionRunResult = ActionRun.extend({
  replayed: z.boolean().openapi({ description: 'The stored result of an earlier request with the same `Idempotency-Key`; the provider was not called' }),
}).openapi('ActionRunResult')

export type ActionRunOut = z.infer<typeof ActionRun>
export type ActionRunResultOut = z.infer<typeof ActionRunResult>
export type ActionRunStatusOut = z.infer<typeof ActionRunStatus>
export type ActionRunCreateInput = z.input<typeof ActionRunCreate>

// ── Vendor models ───────────────────────────────────────────────────────────────────────────

export const VendorModelPut = vendorModelSchema.omit({ name: true }).openapi('VendorModelPut')

export const VendorModel = z
  .object({
    name: z.string(),
    description: z.string().nullable(),
    fields: z.record(z.string(), z.object({ type: z.string(), required: z.boolean(), description: z.string().optional(), enumValues: z.array(z.string()).optional() })),
    version: z.number().int().openapi({ description: 'Moves on whenever the definition changes' }),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi('VendorModel')

export type VendorModelOut = z.infer<typeof VendorModel>
export type VendorModelPutInput = z.input<typeof VendorModelPut>

// ── Field mappings ──────────────────────────────────────────────────────────────────────────

// `.extend({})`: a copy made after @hono/zod-openapi extended zod (schemas built earlier, e.g. when a
// connector module loads first, lack `.openapi`).
export const MappingPut = mappingSchema.extend({}).openapi('MappingPut')

export const FieldMapping = z
  .object({
    object: z.string().openapi({ description: 'The connector object mapped, e.g. `contact`' }),
    model: z.string().openapi({ description: 'The vendor model it maps to' }),
    fields: z.record(z.string(), z.unknown()).openapi({ description: 'Per model field: `{ source: "field", path, transforms }`, `{ source: "join", paths, separator }` or `{ source: "constant", value }`' }),
    version: z.number().int(),
    scope: z.enum(['connection', 'integration']).openapi({ description: "`connection`: this connection's own; `integration`: the integration's default" }),
    updatedAt: z.string().datetime(),
  })
  .openapi('FieldMapping')

export const MappingSaved = FieldMapping.extend({ warnings: z.array(z.object({ field: z.string(), code: z.string(), message: z.string() }).passthrough()) }).openapi('MappingSaved')

const Issue = z.object({ field: z.string(), code: z.string(), message: z.string() }).passthrough()

const ProviderField = z
  .object({
    path: z.string().openapi({ description: 'Dotted path in the provider record, e.g. `properties.email`' }),
    label: z.string().openapi({ description: "The provider's name for it (custom fields), else the connector field's name in words" }),
    type: z.string(),
    enumValues: z.array(z.string()).optional(),
    description: z.string().optional(),
    samples: z.array(z.unknown()).openapi({ description: "Up to three distinct values from the account's records (synced, else read live)" }),
    custom: z.boolean().openapi({ description: 'Found in the connected account (custom field), not declared by the connector' }),
  })
  .openapi('ProviderField')

const Discovery = z
  .object({ discoveredAt: z.string().datetime().nullable(), error: z.string().nullable() })
  .openapi({ description: "Custom-field discovery: when the account's fields were last read, and why the last attempt failed (the previous list is kept)" })

export const ProviderFields = z
  .object({
    fields: z.array(ProviderField),
    suggested: MappingPut.nullable().openapi({ description: "A mapping to `model` to pre-fill a mapping screen (the connector's default mapping adapted to the model, then name similarity); null without `model`" }),
    discovery: Discovery,
  })
  .openapi('ProviderFields')

const ModelShape = z.object({ name: z.string(), description: z.string().optional(), fields: VendorModel.shape.fields })

export const MappingTarget = z
  .object({
    object: z.string(),
    objectLabel: z.string().openapi({ description: 'Plain words, e.g. `Contacts`' }),
    model: ModelShape,
    mapping: FieldMapping.nullable().openapi({ description: "The mapping in effect: the connection's own, else the integration's default" }),
    status: z.enum(['custom', 'default', 'unmapped']),
  })
  .openapi('MappingTarget')

export const MappingEditor = MappingTarget.extend({ fields: z.array(ProviderField), suggested: MappingPut, discovery: Discovery }).openapi('MappingEditor')

export const MappingPreview = z
  .object({
    check: z.object({ ok: z.boolean(), errors: z.array(Issue), warnings: z.array(Issue) }),
    samples: z.array(z.object({ raw: z.unknown(), value: z.record(z.string(), z.unknown()), errors: z.array(z.object({ field: z.string(), message: z.string() })) })),
  })
  .openapi('MappingPreview')

export type FieldMappingOut = z.infer<typeof FieldMapping>
export type MappingSavedOut = z.infer<typeof MappingSaved>
export type MappingPutInput = z.input<typeof MappingPut>
export type ProviderFieldsOut = z.infer<typeof ProviderFields>
export type MappingPreviewOut = z.infer<typeof MappingPreview>
