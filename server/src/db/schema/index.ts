/**
 * The database schema. Tables are plural snake_case; TypeScript keys camelCase.
 * Migrations in `migrations/` are generated from this file by `npm run db:generate`.
 */
import { sql } from 'drizzle-orm'
import { bigint, boolean, index, integer, jsonb, pgSequence, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()

/** A SaaS vendor using Patchbay. */
export const tenants = pgTable('tenants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: createdAt(),
})

/** `development` or `production` of a tenant: every other row belongs to exactly one. */
export const environments = pgTable(
  'environments',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('environments_tenant_name').on(t.tenantId, t.name)],
)

/** Per-environment data encryption keys, wrapped by the master key (envelope encryption). */
export const dataKeys = pgTable(
  'data_keys',
  {
    id: text('id').primaryKey(),
    environmentId: text('environment_id').notNull().references(() => environments.id, { onDelete: 'cascade' }),
    /** `pbk1:<masterKeyId>:<iv>:<ciphertext+tag>`, base64url parts. */
    wrappedKey: text('wrapped_key').notNull(),
    masterKeyId: text('master_key_id').notNull(),
    /** The key new ciphertexts use; older keys stay for reading until re-encryption. */
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [index('data_keys_environment').on(t.environmentId)],
)

/** Secret API keys, stored as SHA-256 hashes; the key itself is shown once. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    environmentId: text('environment_id').notNull().references(() => environments.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    keyHash: text('key_hash').notNull(),
    /** First characters of the key, for display (`pb_sk_dev_AbC…`). */
    prefix: text('prefix').notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('api_keys_hash').on(t.keyHash)],
)

/** Overrides of a connector's URLs for one integration (enterprise hosts, sandboxes, tests). */
export interface IntegrationOverrides {
  baseUrl?: string
  authorizationUrl?: string
  tokenUrl?: string
  revocationUrl?: string
}

/** A connector enabled in an environment, with the vendor's OAuth client. */
export const integrations = pgTable(
  'integrations',
  {
    id: text('id').primaryKey(),
    environmentId: text('environment_id').notNull().references(() => environments.id, { onDelete: 'cascade' }),
    /** The vendor's name for it, unique per environment, used in the API (`github`, `github-enterprise`). */
    key: text('key').notNull(),
    connectorId: text('connector_id').notNull(),
    displayName: text('display_name'),
    clientId: text('client_id'),
    clientSecretEnc: text('client_secret_enc'),
    /** Encrypted signing secret of the provider's incoming webhooks (AAD `<id>:provider_webhook_secret`), when the connector takes it from the integration. */
    webhookSecretEnc: text('webhook_secret_enc'),
    /**
     * Whether `webhookSecretEnc` was stored by a provider's secret handshake (Notion's
     * `verification_token`) and not yet revealed to the vendor: true allows one reveal
     * (`POST /v1/integrations/{key}/webhook-secret/reveal`), which sets it back to false; a secret
     * the vendor set is never revealable. Defaults to false, so no other write path makes a secret readable.
     */
    webhookSecretRevealable: boolean('webhook_secret_revealable').notNull().default(false),
    /** Null: the connector's default scopes. */
    scopes: text('scopes').array(),
    overrides: jsonb('overrides').$type<IntegrationOverrides>().notNull().default({}),
    enabled: boolean('enabled').notNull().default(true),
    /** Whether an end user may connect several accounts; otherwise connecting again re-authorizes the existing connection. */
    allowMultipleConnections: boolean('allow_multiple_connections').notNull().default(false),
    syncSettings: jsonb('sync_settings').$type<IntegrationSyncSettings>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('integrations_environment_key').on(t.environmentId, t.key)],
)

/** The vendor's own user, identified by the vendor's id. */
export const endUsers = pgTable(
  'end_users',
  {
    id: text('id').primaryKey(),
    environmentId: text('environment_id').notNull().references(() => environments.id, { onDelete: 'cascade' }),
    externalId: text('external_id').notNull(),
    email: text('email'),
    displayName: text('display_name'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('end_users_environment_external').on(t.environmentId, t.externalId)],
)

export type ConnectionStatus = 'active' | 'needs_reauth' | 'error' | 'revoked'

/** An end user's authorized account at a provider, through one integration. */
export const connections = pgTable(
  'connections',
  {
    id: text('id').primaryKey(),
    environmentId: text('environment_id').notNull().references(() => environments.id, { onDelete: 'cascade' }),
    integrationId: text('integration_id').notNull().references(() => integrations.id, { onDelete: 'cascade' }),
    endUserId: text('end_user_id').notNull().references(() => endUsers.id, { onDelete: 'cascade' }),
    status: text('status').$type<ConnectionStatus>().notNull().default('active'),
    /** Why the status is not `active`, in plain words (never a secret). */
    statusReason: text('status_reason'),
    accountLabel: text('account_label'),
    scopes: text('scopes').array().notNull().default(sql`'{}'::text[]`),
    connectionConfig: jsonb('connection_config').$type<Record<string, string>>().notNull().default({}),
    /** Encrypted JSON of the credentials (see services/credentials.ts). */
    credentialsEnc: text('credentials_enc').notNull(),
    /** Incremented on every credentials write: the compare-and-swap token for refresh. */
    credentialsVersion: integer('credentials_version').notNull().default(1),
    /**
     * Encrypted signing secret of the provider's webhooks for this connection (AAD
     * `<id>:provider_webhook_secret`), set by the vendor when the connector takes it from the
     * connection (`webhooks.secret.from: 'connection'`, Zendesk).
     */
    webhookSecretEnc: text('webhook_secret_enc'),
    /** Access token expiry; null when it does not expire. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    /** A refresh lease: one process refreshes at a time (compare-and-swap on this column). */
    refreshLeaseUntil: timestamp('refresh_lease_until', { withTimezone: true }),
    refreshLeaseOwner: text('refresh_lease_owner'),
    lastRefreshedAt: timestamp('last_refreshed_at', { withTimezone: true }),
    lastVerifiedAt: timestamp('last_verified_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('connections_environment_end_user').on(t.environmentId, t.endUserId),
    index('connections_integration').on(t.integrationId),
    // Routes incoming provider webhooks by a config value (`connection_config @> '{"teamId":"T…"}'`).
    index('connections_config').using('gin', t.connectionConfig.op('jsonb_path_ops')),
  ],
)

/** A short-lived token a vendor's backend mints for one end user's widget. */
export const connectSessions = pgTable(
  'connect_sessions',
  {
    id: text('id').primaryKey(),
    environmentId: text('environment_id').notNull().references(() => environments.id, { onDelete: 'cascade' }),
    endUserId: text('end_user_id').notNull().references(() => endUsers.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    /** Integration keys the widget may show and connect; null = all enabled. */
    allowedIntegrations: text('allowed_integrations').array(),
    /** Origins (`https://app.example.com`) the widget may call from; null = any. */
    allowedOrigins: text('allowed_origins').array(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('connect_sessions_token_hash').on(t.tokenHash)],
)

/** A pending OAuth authorization request (RFC 6749 §4.1.1), consumed once by the callback. */
export const oauthStates = pgTable(
  'oauth_states',
  {
    id: text('id').primaryKey(),
    /** SHA-256 of the `state` parameter sent to the provider. */
    stateHash: text('state_hash').notNull(),
    environmentId: text('environment_id').notNull().references(() => environments.id, { onDelete: 'cascade' }),
    connectSessionId: text('connect_session_id').notNull().references(() => connectSessions.id, { onDelete: 'cascade' }),
    integrationId: text('integration_id').notNull().references(() => integrations.id, { onDelete: 'cascade' }),
    /** Set when re-authorizing an existing connection (same id kept). */
    connectionId: text('connection_id'),
    /** Encrypted PKCE code verifier (RFC 7636 §4.1). */
    codeVerifierEnc: text('code_verifier_enc').notNull(),
    redirectUri: text('redirect_uri').notNull(),
    /** The widget's origin: the only target of the callback page's postMessage. */
    openerOrigin: text('opener_origin'),
    /** SHA-256 of the browser-binding cookie set when the popup starts (RFC 9700 §4.7.1). */
    browserBindingHash: text('browser_binding_hash'),
    connectionConfig: jsonb('connection_config').$type<Record<string, string>>().notNull().default({}),
    scopes: text('scopes').array().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    consumedAt: timestamp('consumed_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('oauth_states_state_hash').on(t.stateHash)],
)

/** A vendor's URL receiving signed webhooks (Standard Webhooks) for some or all event types. */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    environmentId: text('environment_id').notNull().references(() => environments.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    /** Event types delivered; empty = all. */
    events: text('events').array().notNull().default(sql`'{}'::text[]`),
    /** The signing secret (`whsec_<base64>`), encrypted with the SecretBox (context `<id>:webhook_secret`). */
    secretEnc: text('secret_enc').notNull(),
    description: text('description'),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('webhook_endpoints_environment').on(t.environmentId)],
)

/** The outbox: one row per event, written in the transaction of the change that caused it. Its id is the `webhook-id`. */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: text('id').primaryKey(),
    environmentId: text('environment_id').notNull().references(() => environments.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('webhook_events_environment').on(t.environmentId, t.createdAt)],
)

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed'

/** One event to one endpoint: its state across attempts. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    eventId: text('event_id').notNull().references(() => webhookEvents.id, { onDelete: 'cascade' }),
    endpointId: text('endpoint_id').notNull().references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    status: text('status').$type<WebhookDeliveryStatus>().notNull().default('pending'),
    /** Attempts made so far (all rounds). */
    attempts: integer('attempts').notNull().default(0),
    /** Retries made in the current round (reset by a redelivery): the index into the retry schedule. */
    retryStep: integer('retry_step').notNull().default(0),
    /** When the next attempt is due; while an attempt runs, the end of its claim (lease). Null once finished. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('webhook_deliveries_endpoint').on(t.endpointId, t.id),
    index('webhook_deliveries_event').on(t.eventId),
    index('webhook_deliveries_due').on(t.nextAttemptAt).where(sql`status = 'pending'`),
  ],
)

/** The delivery log: one row per HTTP attempt. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: text('id').primaryKey(),
    deliveryId: text('delivery_id').notNull().references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    durationMs: integer('duration_ms').notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    /** The first 1 KB of the response body. */
    responseBody: text('response_body'),
  },
  (t) => [uniqueIndex('webhook_attempts_delivery_attempt').on(t.deliveryId, t.attempt)],
)

/**
 * Sync settings of an integration (the vendor's defaults for every connection of it).
 * Frequencies are `<n>s|m|h|d` strings, e.g. `15m`.
 */
export interface IntegrationSyncSettings {
  /** Start the connector's syncs when a connection is made (initial sync). Default true. */
  autoStart?: boolean
  /**
   * Per sync name: disabled by default, another default frequency than the connector's, or another
   * full-resync frequency (incremental syncs: a scheduled run is a full resync when the last
   * successful full run is older than this) than the connector's `fullResyncFrequency`.
   */
  syncs?: Record<string, { enabled?: boolean; frequency?: string; fullResyncFrequency?: string }>
  /** Bounds within which an end user may change a sync's frequency in the widget; absent: they may not. */
  endUserFrequency?: { min: string; max: string }
}

export type SyncStatus = 'enabled' | 'paused'

/** One connector sync of one connection: its schedule and incremental cursor. */
export const syncs = pgTable(
  'syncs',
  {
    id: text('id').primaryKey(),
    environmentId: text('environment_id').notNull().references(() => environments.id, { onDelete: 'cascade' }),
    connectionId: text('connection_id').notNull().references(() => connections.id, { onDelete: 'cascade' }),
    /** The connector's sync name (`contacts`). */
    name: text('name').notNull(),
    status: text('status').$type<SyncStatus>().notNull().default('enabled'),
    /** `<n>s|m|h|d`; null: the integration's or the connector's default. */
    frequency: text('frequency'),
    /** When the scheduler starts the next run; null while paused. */
    nextRunAt: timestamp('next_run_at', { withTimezone: true }),
    /** The incremental cursor: the largest `cursorField` value of the last successful run. */
    cursor: jsonb('cursor').$type<string | number | null>(),
    lastRunId: text('last_run_id'),
    lastSucceededAt: timestamp('last_succeeded_at', { withTimezone: true }),
    /**
     * When the last successful FULL run finished (initial run, manual `fullResync`, a full sync's
     * runs, a scheduled full resync); the scheduler compares it with `fullResyncFrequency`.
     */
    lastFullSyncAt: timestamp('last_full_sync_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('syncs_connection_name').on(t.connectionId, t.name), index('syncs_due').on(t.nextRunAt).where(sql`status = 'enabled'`)],
)

export type SyncRunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled'
export type SyncRunTrigger = 'initial' | 'schedule' | 'manual'

/** Where a run is: written with every page, so a killed run resumes from here. */
export interface SyncCheckpoint {
  /** `fetch`: walking pages; `delete`: marking unseen records deleted (full syncs); `done`. */
  phase: 'fetch' | 'delete' | 'done'
  /** The next page to request (credentials never included); null once the last page is stored. */
  nextUrl: string | null
  /**
   * A POST list's next page (`body` and `graphql` objects, connectors/pagination.ts `ListRequest`):
   * its JSON body, sent to `nextUrl`. Absent for GET lists. Holds no credentials.
   */
  nextBody?: Record<string, unknown> | null
  /** The largest `cursorField` value stored so far in this run. */
  cursorMax?: string | number | null
  /** Delete phase: the last external id examined (keyset over the records' primary key). */
  deleteAfter?: string
}

/** One execution of a sync, resumable from its checkpoint. */
export const syncRuns = pgTable(
  'sync_runs',
  {
    id: text('id').primaryKey(),
    environmentId: text('environment_id').notNull().references(() => environments.id, { onDelete: 'cascade' }),
    syncId: text('sync_id').notNull().references(() => syncs.id, { onDelete: 'cascade' }),
    connectionId: text('connection_id').notNull().references(() => connections.id, { onDelete: 'cascade' }),
    syncName: text('sync_name').notNull(),
    model: text('model').notNull(),
    status: text('status').$type<SyncRunStatus>().notNull().default('queued'),
    trigger: text('trigger').$type<SyncRunTrigger>().notNull(),
    mode: text('mode').$type<'incremental' | 'full'>().notNull(),
    /** Fencing token: incremented by each job slice that claims the run; a write with an older value is refused. */
    slice: integer('slice').notNull().default(0),
    /** Failed attempts so far (retryable errors); the run fails after the configured limit. */
    attempts: integer('attempts').notNull().default(0),
    checkpoint: jsonb('checkpoint').$type<SyncCheckpoint>().notNull(),
    /** The incremental cursor the run started from. */
    cursorBefore: jsonb('cursor_before').$type<string | number | null>(),
    /** The change feed position before the run (`seq`): read from here to get its changes. */
    feedSeqBefore: bigint('feed_seq_before', { mode: 'number' }),
    pages: integer('pages').notNull().default(0),
    added: integer('added').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    deleted: integer('deleted').notNull().default(0),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** Last sign of life (claim or checkpoint); a queued or running run silent for too long is re-queued. */
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('sync_runs_sync').on(t.syncId, t.createdAt),
    index('sync_runs_connection').on(t.connectionId, t.createdAt),
    // At most one unfinished run per sync: triggering again returns it.
    uniqueIndex('sync_runs_one_active').on(t.syncId).where(sql`status in ('queued', 'running')`),
    index('sync_runs_active').on(t.heartbeatAt).where(sql`status in ('queued', 'running')`),
  ],
)

/** Change feed positions: every insert, change or deletion of a record takes the next value. */
export const recordsSeq = pgSequence('records_seq')

export type RecordAction = 'added' | 'updated' | 'deleted'

/** A provider record synced for a connection, with a content hash so unchanged records are not rewritten. */
export const records = pgTable(
  'records',
  {
    connectionId: text('connection_id').notNull().references(() => connections.id, { onDelete: 'cascade' }),
    /** The connector object (`contact`). */
    model: text('model').notNull(),
    /** The provider's id (the object's key field). */
    externalId: text('external_id').notNull(),
    /**
     * The record as the provider returned it, as canonical JSON text (sorted keys). Text, not jsonb:
     * it is written and read whole, and skipping jsonb's parse on write and print on read is about a
     * third of a sync's and most of a feed read's database time (bench/sync.ts). Cast to jsonb to query.
     */
    data: text('data').notNull(),
    /** SHA-256 (base64url) of `data`. */
    hash: text('hash').notNull(),
    /** Position in the change feed; moves on every change. */
    seq: bigint('seq', { mode: 'number' }).notNull().default(sql`nextval('records_seq')`),
    lastAction: text('last_action').$type<RecordAction>().notNull(),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    /** The last full-sync run that saw it (deletion detection). */
    lastSeenRunId: text('last_seen_run_id'),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.model, t.externalId] }), index('records_feed').on(t.connectionId, t.model, t.seq)],
)

export type ActionRunStatus = 'running' | 'succeeded' | 'failed'

/** One run of a connector action; with an idempotency key, a repeat replays the stored result. */
export const actionRuns = pgTable(
  'action_runs',
  {
    id: text('id').primaryKey(),
    environmentId: text('environment_id').notNull().references(() => environments.id, { onDelete: 'cascade' }),
    connectionId: text('connection_id').notNull().references(() => connections.id, { onDelete: 'cascade' }),
    action: text('action').notNull(),
    idempotencyKey: text('idempotency_key'),
    /** SHA-256 of the canonical JSON input: a key reused with another input is refused. */
    inputHash: text('input_hash').notNull(),
    status: text('status').$type<ActionRunStatus>().notNull().default('running'),
    providerStatus: integer('provider_status'),
    output: jsonb('output').$type<unknown>(),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    createdAt: createdAt(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('action_runs_idempotency').on(t.connectionId, t.action, t.idempotencyKey), index('action_runs_connection').on(t.connectionId, t.createdAt)],
)

/**
 * A vendor's own data model (`Contact { email, firstName, … }`) in an environment: what field
 * mappings map provider records to. `fields` is validated by `mapping/schema.ts` (`vendorModelSchema`).
 */
export const vendorModels = pgTable(
  'vendor_models',
  {
    id: text('id').primaryKey(),
    environmentId: text('environment_id').notNull().references(() => environments.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description'),
    fields: jsonb('fields').$type<Record<string, { type: string; required: boolean; description?: string | undefined; enumValues?: string[] | undefined }>>().notNull(),
    /** Incremented whenever the definition changes, so a mapping can say which version it was made for. */
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('vendor_models_environment_name').on(t.environmentId, t.name)],
)

/**
 * A field mapping from a connector object (`contact`) to a vendor model: an integration's default
 * (`connection_id` null) or one connection's own. `fields` is validated by `mapping/schema.ts`.
 */
export const fieldMappings = pgTable(
  'field_mappings',
  {
    id: text('id').primaryKey(),
    environmentId: text('environment_id').notNull().references(() => environments.id, { onDelete: 'cascade' }),
    integrationId: text('integration_id').notNull().references(() => integrations.id, { onDelete: 'cascade' }),
    /** Null: the integration's default for its connections. */
    connectionId: text('connection_id').references(() => connections.id, { onDelete: 'cascade' }),
    /** The connector object mapped (`contact`). */
    object: text('object').notNull(),
    /** The vendor model it maps to (`Contact`). */
    model: text('model').notNull(),
    fields: jsonb('fields').$type<Record<string, unknown>>().notNull(),
    /** Moves on with every change, so records and webhooks can say which mapping produced them. */
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('field_mappings_default').on(t.integrationId, t.object).where(sql`connection_id is null`),
    uniqueIndex('field_mappings_connection').on(t.connectionId, t.object).where(sql`connection_id is not null`),
  ],
)

/**
 * Custom fields found in a connected account (`hooks.discoverFields`), cached per connection and
 * object: the last good list, and the error of the last failed attempt (kept with the old list).
 */
export const discoveredFields = pgTable(
  'discovered_fields',
  {
    connectionId: text('connection_id').notNull().references(() => connections.id, { onDelete: 'cascade' }),
    object: text('object').notNull(),
    /** `{ '<dotted path>': { type, label?, description?, enumValues? } }`. */
    fields: jsonb('fields').$type<Record<string, unknown>>().notNull(),
    /** When the list was last read from the provider (null: never succeeded). */
    discoveredAt: timestamp('discovered_at', { withTimezone: true }),
    /** When discovery was last attempted, successful or not. */
    attemptedAt: timestamp('attempted_at', { withTimezone: true }).notNull(),
    /** The last attempt's failure in plain words, or null. */
    error: text('error'),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.object] })],
)

/**
 * A vendor's own connector for an environment (issue 6, "custom connectors"): the same definition
 * language as the built-in ones, stored as JSON (`connectors/schema.ts` checks it on every load).
 */
export const customConnectors = pgTable(
  'custom_connectors',
  {
    environmentId: text('environment_id').notNull().references(() => environments.id, { onDelete: 'cascade' }),
    connectorId: text('connector_id').notNull(),
    /** The definition as the vendor sent it (JSON; action inputs as JSON Schema). */
    definition: jsonb('definition').$type<Record<string, unknown>>().notNull(),
    /** Moves on with every change. */
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.environmentId, t.connectorId] })],
)
