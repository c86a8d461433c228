/**
 * The API's request and response shapes, under the SDK's names.
 *
 * Every shape is derived from the server's zod schemas (`server/src/routes/schemas.ts`) with
 * `import type`, so the SDK has one source of truth and no runtime dependency on the server.
 */
import type {
  ConnectionOut,
  ConnectionStatusOut,
  ConnectorOut,
  ConnectSessionCreateInput,
  ConnectSessionOut,
  DeletedOut,
  EndUserOut,
  IntegrationCreateInput,
  IntegrationOut,
  IntegrationUpdateInput,
  ProblemOut,
} from '../../server/src/routes/schemas'

/** A connection of an end user to an integration. Never contains credentials. */
export type Connection = ConnectionOut
/** `active` (usable), `needs_reauth` (the end user must connect again), `error`, `revoked`. */
export type ConnectionStatus = ConnectionStatusOut
/** A connector enabled for your environment, with your OAuth client settings (never the client secret). */
export type Integration = IntegrationOut
/** What `integrations.create` takes. `clientSecret` is write-only. */
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

/** A connector Patchbay ships (`GET /v1/connectors`); enable one with `integrations.create`. */
export type Connector = ConnectorOut

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
