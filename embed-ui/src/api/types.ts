/**
 * The JSON shapes of the widget-facing API (`/v1/embed/*`), mirrored by hand from the zod
 * schemas in `server/src/routes/embed.ts` and `server/src/routes/schemas.ts` (the widget is a
 * separate bundle and must not import server code). Keep the two in step.
 */

/** A field the end user fills in when connecting (API key, username, subdomain…). */
export interface FormField {
  name: string
  label: string
  type: 'text' | 'password' | 'url' | 'email'
  required: boolean
  description?: string
  placeholder?: string
  /** A JavaScript regular expression the whole value must match (the server anchors it). */
  pattern?: string
  helpUrl?: string
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
  /** `oauth2`, `oauth2_client_credentials`, `api_key`, `basic`… */
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
  errors?: { path: string; message: string }[]
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
