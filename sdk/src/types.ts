/**
 * The API's request and response shapes, under the SDK's names.
 *
 * Every shape is derived from the server's zod schemas (`server/src/routes/schemas.ts`) with
 * `import type`, so the SDK has one source of truth and no runtime dependency on the server.
 */
import type {
  ConnectionDetailOut,
  ConnectionOut,
  ConnectionStatusOut,
  ConnectorOut,
  CustomConnectorOut,
  ConnectSessionCreateInput,
  ConnectSessionOut,
  DeletedOut,
  EndUserOut,
  IntegrationCreateInput,
  IntegrationOut,
  IntegrationUpdateInput,
  ProblemOut,
  RecordsPageOut,
  SyncedRecordOut,
  SyncOut,
  SyncRunOut,
  SyncRunStatusOut,
  SyncSettingsInput,
  VendorModelOut,
  FieldMappingOut,
  MappingPutInput,
  MappingSavedOut,
  MappingPreviewOut,
  ProviderFieldsOut,
  VendorModelPutInput,
  WebhookDeliveryOut,
  WebhookDeliveryStatusOut,
  WebhookEndpointCreateInput,
  WebhookEndpointOut,
  WebhookEndpointUpdateInput,
  WebhookEndpointWithSecretOut,
  WebhookEventTypeOut,
} from '../../server/src/routes/schemas'
import type { ActionRunOut, ActionRunResultOut, ActionRunStatusOut } from '../../server/src/routes/schemas'

/** A connection of an end user to an integration. Never contains credentials. */
export type Connection = ConnectionOut
/**
 * A connection as `connections.get`/`list` show it: {@link Connection} with `webhookSecretSet`
 * (a per-connection provider webhook secret is set; never the secret) and `providerWebhookUrl`
 * (the URL the provider should call with its events; `null` without provider webhooks).
 */
export type ConnectionDetail = ConnectionDetailOut
/** `active` (usable), `needs_reauth` (the end user must connect again), `error`, `revoked`. */
export type ConnectionStatus = ConnectionStatusOut
/** A connector enabled for your environment, with your OAuth client settings (never the client secret). */
export type Integration = IntegrationOut
/** What `integrations.create` takes. `clientSecret` and `webhookSecret` (the provider's webhook signing secret) are write-only. */
export type IntegrationCreateParams = IntegrationCreateInput
/** What `integrations.update` takes: any subset of the writable fields; `null` clears a field. */
export type IntegrationUpdateParams = IntegrationUpdateInput
/** An end user, identified by your own id (`id`). */
export type EndUser = EndUserOut
/** What `connectSessions.create` takes. */
export type ConnectSessionCreateParams = ConnectSessionCreateInput
/** A short-lived token for the widget. `expiresAt` is an ISO 8601 date-time. */
export type ConnectSession = ConnectSessionOut
/** The RFC 9457 problem document every API error is rendered as. */
export type Problem = ProblemOut
/** The answer of every `delete`. `revoked` (connections only): the provider confirmed the token revocation (RFC 7009). */
export type Deleted = DeletedOut
/**
 * The answer of `integrations.revealWebhookSecret`: the webhook signing secret a provider's
 * handshake delivered (Notion's `verification_token`), in clear, given this one time only.
 */
export interface WebhookSecretReveal {
  secret: string
}

/** A connector Patchbay ships (`GET /v1/connectors`); enable one with `integrations.create`. */
export type Connector = ConnectorOut
/** A custom connector as stored: its definition (as sent) and version. */
export type CustomConnector = CustomConnectorOut

/** A list without pagination (`{ data }`). */
export interface List<T> {
  data: T[]
}

/** One page of a cursor-paginated list. Pass `nextCursor` as `cursor` for the next page; `null` on the last page. */
export interface Page<T> {
  data: T[]
  nextCursor: string | null
}

/** Pagination parameters. */
export interface PageParams {
  /** `nextCursor` of the previous page. */
  cursor?: string
  /** Page size, 1–200; the API's default is 50. */
  limit?: number
}

/** Filters of `connections.list`; all optional and combined with AND. */
export interface ConnectionListParams extends PageParams {
  /** Your id of the end user (as given in `connectSessions.create`). */
  endUserId?: string
  /** Integration key. */
  integration?: string
  status?: ConnectionStatus
}

/** Options every call accepts. */
export interface RequestOptions {
  /** Aborts the call; it then rejects with the signal's reason. */
  signal?: AbortSignal
  /** Overrides the client's `timeoutMs` for this call, in milliseconds; `0` disables the timeout. */
  timeoutMs?: number
}

/** Webhook event types: `connection.created`, `connection.needs_reauth`, `connection.deleted`, `sync.succeeded`, `sync.failed`, `mapping.updated`, `mapping.applied`, `provider.webhook`. */
export type WebhookEventType = WebhookEventTypeOut
/** A webhook endpoint. Its secret is only in the answers of `create` and `rotateSecret`. */
export type WebhookEndpoint = WebhookEndpointOut
/** The answer of `webhookEndpoints.create` and `rotateSecret`: the endpoint and its `secret` (`whsec_…`), shown once. */
export type WebhookEndpointWithSecret = WebhookEndpointWithSecretOut
export type WebhookEndpointCreateParams = WebhookEndpointCreateInput
export type WebhookEndpointUpdateParams = WebhookEndpointUpdateInput
/** One event to one endpoint, with every attempt. */
export type WebhookDelivery = WebhookDeliveryOut
export type WebhookDeliveryStatus = WebhookDeliveryStatusOut

/** Filters of `webhookDeliveries.list`. */
export interface WebhookDeliveryListParams extends PageParams {
  endpointId?: string
  eventType?: WebhookEventType
  status?: WebhookDeliveryStatus
}

/**
 * The JSON body of a webhook, as returned by `verifyWebhook`. `timestamp` is when the event
 * happened (ISO 8601); `webhook-id` (the event id) is the same on every attempt: deduplicate on it.
 * Connection events carry the connection as the API shows it (for `connection.deleted`, as it was).
 */
export type WebhookEvent =
  | { type: 'connection.created' | 'connection.needs_reauth' | 'connection.deleted'; timestamp: string; data: Connection }
  | { type: 'sync.succeeded' | 'sync.failed'; timestamp: string; data: SyncEventData }
  | { type: 'mapping.updated'; timestamp: string; data: MappingUpdatedEventData }
  | { type: 'mapping.applied'; timestamp: string; data: MappingAppliedEventData }
  | { type: 'provider.webhook'; timestamp: string; data: ProviderWebhookEventData }

/**
 * `data` of `provider.webhook`: a provider's own webhook (a Slack event, a Stripe event…), verified
 * by Patchbay with the provider's signature and routed to this connection. `body` is the provider's
 * JSON body as it sent it (form fields as an object for form-encoded bodies; `null` when neither);
 * `providerEventType` is the provider's name of the event (`app_mention`, `invoice.paid`, GitHub's
 * `X-GitHub-Event`), when the connector knows where it is. One event per matching connection.
 */
export interface ProviderWebhookEventData {
  connectionId: string
  /** The integration key. */
  integration: string
  connectorId: string
  /** Your id of the end user. */
  endUserId: string
  providerEventType: string | null
  body: unknown
  /** When Patchbay received it (ISO 8601). */
  receivedAt: string
}

/** `data` of `mapping.updated`: a connection's own mapping changed (the records follow with `mapping.applied`). */
export interface MappingUpdatedEventData {
  connectionId: string
  integration: string
  endUserId: string
  mapping: FieldMapping
}

/**
 * `data` of `mapping.applied`: the connection's stored records of `changes.model` were re-emitted in
 * the feed in the shape of the mapping now in effect (`null`: none, the provider's shape). Read
 * them like a sync's changes, from `changes.cursor`.
 */
export interface MappingAppliedEventData {
  connection: Connection
  changes: { model: string; cursor: string; added: number; updated: number; deleted: number }
  mapping: { model: string; version: number; scope: 'connection' | 'integration' } | null
}

/**
 * `data` of `sync.succeeded` and `sync.failed`: the connection, the finished run (with `error` when it
 * failed) and where its changes are: read `records.list({ connectionId, model, cursor })` from `changes.cursor`.
 */
export interface SyncEventData {
  connection: Connection
  run: SyncRun
  changes: { model: string; cursor: string; added: number; updated: number; deleted: number }
}

/** A sync of a connection: its schedule, status and last run. */
export type Sync = SyncOut
/** One execution of a sync, with counts and, when it failed, `error: { code, message }`. */
export type SyncRun = SyncRunOut
/** `queued`, `running`, `succeeded`, `failed` or `cancelled`. */
export type SyncRunStatus = SyncRunStatusOut
/** An integration's sync defaults (`integrations.create/update`). */
export type SyncSettings = SyncSettingsInput
/** What `syncs.trigger` takes. */
export interface SyncTriggerParams {
  /** List everything again and detect deletions, ignoring the incremental cursor. */
  fullResync?: boolean
}
/** What `syncRuns.list` takes. */
export interface SyncRunListParams {
  connectionId?: string
  sync?: string
  status?: SyncRunStatus
  /** 1–200, default 50. */
  limit?: number
  cursor?: string
}
/** A synced record: the provider's `data`, its id, and what its last change was. */
export type SyncedRecord = SyncedRecordOut
/** A page of the records change feed. */
export type RecordsPage = RecordsPageOut
/** What `records.list` takes. */
export interface RecordListParams {
  connectionId: string
  /** The connector object, e.g. `contact`. */
  model: string
  cursor?: string
  /** ISO 8601: only records changed after this instant. */
  modifiedAfter?: string
  /** 1–1000, default 100. */
  limit?: number
  /** Also return the provider's record (`raw`) when a field mapping shapes `data`. */
  includeRaw?: boolean
}

/** `running`, `succeeded` (the provider answered 2xx) or `failed` (it refused, or did not answer: see `errorCode`). */
export type ActionRunStatus = ActionRunStatusOut
/**
 * One run of a connector action. `output` is the provider's response body (parsed JSON, else text;
 * `null` when empty or when the provider did not answer); `providerStatus` its HTTP status.
 */
export type ActionRun = ActionRunOut
/** The answer of `actions.run`: the run, and `replayed` when it is the stored result of an earlier call with the same idempotency key. */
export type ActionRunResult = ActionRunResultOut
/** What `actions.run` takes. */
export type ActionRunParams = {
  /** The connection to act for. */
  connectionId: string
  /**
   * Makes the call safe to repeat (1–255 printable ASCII characters, scoped to this connection and
   * action): a repeat with the same input returns the stored result instead of acting twice; with
   * another input it fails with `idempotency_key_reused`; while the first is running, `idempotency_in_progress`.
   */
  idempotencyKey?: string
} & (
  | {
      /** The action's input, checked against the connector's schema for it (e.g. `{ email }` for the Demo CRM's `create_contact`). */
      input: unknown
      record?: undefined
    }
  | {
      /**
       * Write-back: a record in your model's shape (`{ email, firstName, lifecycleStage }`), turned into
       * the action's input by the inverse of the connection's mapping of the action's object. Fails with
       * `mapping_required` without a mapping, `mapping_not_invertible` when it cannot be inverted.
       */
      record: Record<string, unknown>
      input?: undefined
    }
)
/** Filters of `actionRuns.list`; all optional and combined with AND. */
export interface ActionRunListParams extends PageParams {
  connectionId?: string
  /** An action name, e.g. `create_contact`. */
  action?: string
  status?: ActionRunStatus
}
/**
 * The problem document of an `action_failed` error (the provider refused the action), as found in
 * `PatchbayError.problem`: the run's id, the provider's HTTP status and response body.
 */
export type ActionFailedProblem = Problem & {
  code: 'action_failed'
  actionRunId: string
  providerStatus: number | null
  output: unknown
  /** The stored result of an earlier call with the same idempotency key. */
  replayed: boolean
}

/** A vendor model: your data model's fields with their types, and a `version` that moves on with every change. */
export type VendorModel = VendorModelOut
/** What `models.put` takes: `{ description?, fields }`. */
export type VendorModelPutParams = VendorModelPutInput

/** A stored field mapping (`scope`: the connection's own, or the integration's default). */
export type FieldMapping = FieldMappingOut
/** What `mappings.put`/`putDefault` take: `{ model, fields: { <model field>: { source: 'field', path, transforms? } | { source: 'join', paths, separator } | { source: 'constant', value } } }`. */
export type MappingPutParams = MappingPutInput
/** A saved mapping with the check's warnings (e.g. provider enum values the map does not cover). */
export type MappingSaved = MappingSavedOut
/** `mappings.fields`: the provider fields of a connection's object (declared and discovered custom fields) with sample values, a suggested mapping, the discovery status. */
export type ProviderFields = ProviderFieldsOut
/** `mappings.preview`: the check of a mapping and three records as they would arrive. */
export type MappingPreview = MappingPreviewOut
