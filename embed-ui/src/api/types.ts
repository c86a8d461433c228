/**
 * The JSON shapes of the widget-facing API (`/v1/embed/*`), mirrored by hand from the zod
 * schemas in `server/src/routes/embed.ts` and `server/src/routes/schemas.ts` (the widget is a
 * separate bundle and must not import server code). Keep the two in step.
 */

/** A field the end user fills in when connecting (API key, username, subdomain…). */
export interface FormField {
  name: string
  label: string
  /** `textarea`: a multi-line value, such as a pasted JSON key file. */
  type: 'text' | 'password' | 'url' | 'email' | 'textarea'
  required: boolean
  description?: string
  placeholder?: string
  /** A JavaScript regular expression the whole value must match (the server anchors it). */
  pattern?: string
  helpUrl?: string
  /** Pre-filled value (connection config fields). */
  default?: string
}

/** An integration the end user may connect (`GET /v1/embed/integrations`). */
export interface CatalogEntry {
  key: string
  connectorId: string
  name: string
  description: string
  categories: string[]
  /** An SVG document; rendered only as an `<img>` data URL, never injected. */
  logo: string
  /** `oauth2`, `oauth2_client_credentials`, `oauth2_jwt_bearer` (a service account key), `api_key`, `basic`… */
  authType: string
  scopes: string[]
  credentialFields: FormField[]
  connectionConfigFields: FormField[]
  /** `false`: turned off by the vendor; existing connections stay visible, no new ones. */
  enabled: boolean
  /** Whether one end user may connect several accounts. Absent means `false`. */
  allowMultipleConnections?: boolean
}

export type ConnectionStatus = 'active' | 'needs_reauth' | 'error' | 'revoked'

/** A connection of the end user (`GET /v1/embed/connections`); never its credentials. */
export interface Connection {
  id: string
  /** The integration key. */
  integration: string
  connectorId: string
  endUserId: string
  status: ConnectionStatus
  statusReason: string | null
  accountLabel: string | null
  scopes: string[]
  connectionConfig: Record<string, string>
  expiresAt: string | null
  lastRefreshedAt: string | null
  lastVerifiedAt: string | null
  createdAt: string
  updatedAt: string
}

/** `GET /v1/embed/session`. */
export interface Session {
  endUser: { id: string; email: string | null; displayName: string | null }
  expiresAt: string
  allowedIntegrations: string[] | null
}

/** RFC 9457 problem document, as every Patchbay error is rendered. */
export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  code: string
  requestId?: string
  /** `invalid_request`: which fields, e.g. `credentials.apiKey` or `fields.email` (with the check's `code`). */
  errors?: { path: string; message: string; code?: string }[]
}

/** Body of `POST /v1/embed/connections`. */
export interface ConnectWithFormInput {
  integration: string
  credentials: Record<string, string>
  connectionConfig?: Record<string, string>
  /** Re-authorization: replace this connection's credentials and keep its id. */
  connectionId?: string
}

/** Body of `POST /v1/embed/oauth/authorizations`. */
export interface StartAuthorizationInput {
  integration: string
  connectionConfig?: Record<string, string>
  connectionId?: string
}

export interface Authorization {
  url: string
  expiresAt: string
}

export interface Deleted {
  deleted: true
  revoked?: boolean
}

export type SyncRunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled'

/** One run of a sync (`Sync.lastRun`). */
export interface SyncRun {
  id: string
  connectionId: string
  sync: string
  model: string
  status: SyncRunStatus
  trigger: 'initial' | 'schedule' | 'manual'
  mode: 'incremental' | 'full'
  attempts: number
  pages: number
  added: number
  updated: number
  deleted: number
  /** Why the run failed, or the last retried error while it runs. */
  error: { code: string; message: string } | null
  changesCursor: string
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
}

/** A sync of a connection (`GET /v1/embed/connections/{id}/syncs`). */
export interface Sync {
  /** The connector's sync name, e.g. `contacts`. */
  name: string
  model: string
  description: string | null
  mode: 'incremental' | 'full'
  status: 'enabled' | 'paused'
  /** In effect: `<n>s|m|h|d`, e.g. `15m`. */
  frequency: string
  /** Whether this connection has its own frequency. */
  customFrequency: boolean
  nextRunAt: string | null
  lastSucceededAt: string | null
  lastRun: SyncRun | null
}

/** The frequencies the end user may choose; `null` when the vendor does not let them. */
export type FrequencyBounds = { min: string; max: string } | null

/** `GET /v1/embed/connections/{id}/syncs`. */
export interface ConnectionSyncs {
  data: Sync[]
  endUserFrequency: FrequencyBounds
}

/**
 * Field mapping (issue 5): how the records of a connector object (`contact`) arrive in the vendor's
 * own model (`Contact`). Mirrors `server/src/mapping/schema.ts` and `check.ts`.
 */

/** The type of a vendor or provider field. `datetime`: ISO 8601 with a time; `date`: `YYYY-MM-DD`. */
export type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'datetime' | 'date' | 'enum' | 'object' | 'array'

/** One field of a vendor model. `enumValues` only (and always) on `enum` fields. */
export interface VendorField {
  type: FieldType
  /** A record without a value for it arrives with an error; a mapping must map it. */
  required: boolean
  description?: string
  enumValues?: string[]
}

/** The vendor's data model, e.g. `Contact`; `fields` in the vendor's order. */
export interface VendorModel {
  name: string
  description?: string
  fields: Record<string, VendorField>
}

/** How a date is written: ISO 8601 with a time, an ISO 8601 day, epoch seconds or milliseconds. */
export type DateFormat = 'datetime' | 'date' | 'epoch_s' | 'epoch_ms'

/** One step applied to a provider value, in order. */
export type Transform =
  /** Reads a date (`input`: how the provider writes it; without it, guessed) and writes it as `output`. */
  | { type: 'date'; input?: DateFormat; output: DateFormat }
  /** Keeps one part of text split on `separator`: `rest` is everything after the first part. */
  | { type: 'split'; separator: string; part: 'first' | 'last' | 'rest' | number }
  /** Provider value (as text) → vendor value; others become `fallback`, or an error without one. */
  | { type: 'enum'; map: Record<string, string>; fallback?: string }
  /** Replaces an empty value (null, missing, `""`). */
  | { type: 'default'; value: string | number | boolean }
  | { type: 'lowercase' | 'uppercase' | 'trim' }
  | { type: 'number' }
  | { type: 'string' }
  | { type: 'boolean' }

/** Where one vendor field's value comes from. */
export type FieldMapping =
  /** A provider field (`path`, dotted: `properties.email`), then its transforms. */
  | { source: 'field'; path: string; transforms?: Transform[] }
  /** 2 to 10 provider fields as text, joined by `separator`; empty ones are left out. */
  | { source: 'join'; paths: string[]; separator: string }
  /** The same value for every record. */
  | { source: 'constant'; value: string | number | boolean | null }

/** A mapping to the model `model`: vendor field name → source. Unmapped fields are left out. */
export interface Mapping {
  model: string
  fields: Record<string, FieldMapping>
}

/** A stored mapping: the connection's own (`connection`) or the vendor's default (`integration`). */
export interface SavedMapping extends Mapping {
  object: string
  version: number
  scope: 'connection' | 'integration'
  updatedAt: string
}

/**
 * One finding of the server's mapping check; `field` is the vendor field, `''` for the whole mapping.
 * Error codes: `model_mismatch`, `required_unmapped`, `unknown_field`, `unknown_path`, `type_mismatch`,
 * `invalid_transform`. Warning codes: `enum_unmapped` (`values`: provider values without a vendor
 * value), `conversion_may_fail`, `unchecked_path`. `message` is plain English.
 */
export interface CheckIssue {
  field: string
  code: string
  message: string
  values?: string[]
}

/** The check of a mapping: saved only when `ok` (no errors); warnings do not block. */
export interface MappingCheck {
  ok: boolean
  errors: CheckIssue[]
  warnings: CheckIssue[]
}

/** `custom`: the connection's own mapping; `default`: the vendor's; `unmapped`: none. */
export type MappingStatus = 'custom' | 'default' | 'unmapped'

/** An object of a connection that can be mapped (`GET /v1/embed/connections/{id}/mappings`). */
export interface MappingTarget {
  /** The connector object, e.g. `contact`. */
  object: string
  /** In plain words, e.g. `Contacts`. */
  objectLabel: string
  model: VendorModel
  /** The mapping in effect (the connection's own, else the vendor's default), or null. */
  mapping: SavedMapping | null
  status: MappingStatus
}

/** A provider field the end user can map from. */
export interface ProviderFieldView {
  path: string
  label: string
  type: FieldType
  enumValues?: string[]
  description?: string
  /** Up to 3 distinct non-empty values from the end user's records. */
  samples: unknown[]
  /** Discovered in the account (a custom field), not declared by the connector. */
  custom: boolean
}

/** What the mapping screen needs (`GET /v1/embed/connections/{id}/mappings/{object}`). */
export interface MappingEditorData {
  object: string
  objectLabel: string
  model: VendorModel
  mapping: SavedMapping | null
  status: MappingStatus
  /** What to start from when `mapping` is null. */
  suggested: Mapping
  fields: ProviderFieldView[]
  /** Custom-field discovery: when it last ran, and why it failed. */
  discovery: { discoveredAt: string | null; error: string | null }
}

/** `POST /v1/embed/connections/{id}/mappings/{object}/preview`: the check, and up to 3 records as they would arrive. */
export interface MappingPreview {
  check: MappingCheck
  samples: { raw: unknown; value: Record<string, unknown>; errors: { field: string; message: string }[] }[]
}

/** `PUT /v1/embed/connections/{id}/mappings/{object}`. */
export type SavedMappingResult = SavedMapping & { warnings: CheckIssue[] }
