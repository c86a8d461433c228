/**
 * Server state of the widget: `queryOptions` factories (one per resource) and the mutation hooks.
 * Components read data through these only; they never call the API client themselves.
 * @see https://tanstack.com/query/v5/docs/framework/react/guides/query-options
 */
import { keepPreviousData, QueryClient, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query'
import { ApiError, type ApiClient } from './client'
import type { Connection, ConnectionSyncs, ConnectWithFormInput, Mapping, Sync } from './types'

/** Query keys. Every widget has its own QueryClient, so keys need no session or tenant part. */
export const embedKeys = {
  all: ['embed'] as const,
  session: () => [...embedKeys.all, 'session'] as const,
  integrations: () => [...embedKeys.all, 'integrations'] as const,
  connections: () => [...embedKeys.all, 'connections'] as const,
  /** Under the connections: refreshing them (connect, reconnect, disconnect) refreshes these too. */
  syncs: (connectionId: string) => [...embedKeys.connections(), connectionId, 'syncs'] as const,
  /** A connection's mapping targets; the editors and previews are under it, so one invalidation refreshes all. */
  mappings: (connectionId: string) => [...embedKeys.connections(), connectionId, 'mappings'] as const,
  mappingEditor: (connectionId: string, object: string) => [...embedKeys.mappings(connectionId), object] as const,
  mappingPreview: (connectionId: string, object: string, mapping: Mapping) => [...embedKeys.mappingEditor(connectionId, object), 'preview', mapping] as const,
}

/** The session (end user, expiry). */
export const sessionQuery = (api: ApiClient) => queryOptions({ queryKey: embedKeys.session(), queryFn: () => api.getSession() })

/** The catalog this end user may connect (`GET /v1/embed/integrations`). */
export const integrationsQuery = (api: ApiClient) => queryOptions({ queryKey: embedKeys.integrations(), queryFn: () => api.listIntegrations(), staleTime: 5 * 60_000 })

/** The end user's connections (`GET /v1/embed/connections`). */
export const connectionsQuery = (api: ApiClient) => queryOptions({ queryKey: embedKeys.connections(), queryFn: () => api.listConnections(), staleTime: 30_000 })

/** Polling of a connection's syncs: often while a run is queued or running, calmly otherwise. */
export const SYNC_POLL_MS = { active: 2_000, idle: 10_000 }

/** Whether a run of this sync is queued or running. */
export const isSyncing = (s: Sync): boolean => s.lastRun?.status === 'queued' || s.lastRun?.status === 'running'

/** A 404: the connection is gone, or the server predates syncs. Not worth asking again. */
export const isNotFound = (err: unknown): boolean => err instanceof ApiError && err.status === 404

/**
 * A connection's syncs and the frequencies the end user may choose (`GET /v1/embed/connections/{id}/syncs`).
 * `poll: false` (e.g. while it is off screen) stops the periodic refresh.
 */
export const syncsQuery = (api: ApiClient, connectionId: string, poll = true) =>
  queryOptions({
    queryKey: embedKeys.syncs(connectionId),
    queryFn: () => api.listSyncs(connectionId),
    refetchInterval: (q) => (!poll || isNotFound(q.state.error) ? false : q.state.data?.data.some(isSyncing) ? SYNC_POLL_MS.active : SYNC_POLL_MS.idle),
  })

/** The objects of a connection that can be mapped to the vendor's models (`GET /v1/embed/connections/{id}/mappings`). */
export const mappingTargetsQuery = (api: ApiClient, connectionId: string) =>
  queryOptions({ queryKey: embedKeys.mappings(connectionId), queryFn: () => api.listMappings(connectionId), staleTime: 30_000 })

/** The mapping screen's data: model, mapping in effect, suggestion, provider fields with samples. */
export const mappingEditorQuery = (api: ApiClient, connectionId: string, object: string) =>
  queryOptions({ queryKey: embedKeys.mappingEditor(connectionId, object), queryFn: () => api.getMappingEditor(connectionId, object) })

/**
 * The check of a draft mapping and three records as they would arrive. Keyed by the mapping, so
 * going back to an earlier draft needs no request; the previous answer stays shown while the next loads.
 */
export const mappingPreviewQuery = (api: ApiClient, connectionId: string, object: string, mapping: Mapping) =>
  queryOptions({ queryKey: embedKeys.mappingPreview(connectionId, object, mapping), queryFn: () => api.previewMapping(connectionId, object, mapping), staleTime: 60_000, placeholderData: keepPreviousData })

/** Only failures that may pass on their own are retried: no answer, or a 5xx / 429. */
export function isTransient(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 0 || err.status === 429 || err.status >= 500)
}

/** The QueryClient of one widget instance. */
export function createWidgetQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: (count, err) => count < 1 && isTransient(err), retryDelay: 400, refetchOnWindowFocus: true },
      mutations: { retry: false },
    },
  })
}

/** Puts a connection into the cached list (new, or replacing the one with its id). */
function upsertConnection(list: Connection[] | undefined, c: Connection): Connection[] {
  if (!list) return [c]
  return list.some((x) => x.id === c.id) ? list.map((x) => (x.id === c.id ? c : x)) : [...list, c]
}

/** Connects with a credentials form (API key, basic, client credentials); verified by the server first. */
export function useConnectWithForm(api: ApiClient) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (input: ConnectWithFormInput) => api.connectWithForm(input),
    onSuccess: (connection) => {
      qc.setQueryData(embedKeys.connections(), (list: Connection[] | undefined) => upsertConnection(list, connection))
      void qc.invalidateQueries({ queryKey: embedKeys.connections() })
    },
  })
}

/** Disconnects (deletes) a connection; the server revokes the provider's token where it can. */
export function useDisconnect(api: ApiClient) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (connection: Connection) => api.deleteConnection(connection.id),
    onSuccess: (_res, connection) => {
      qc.setQueryData(embedKeys.connections(), (list: Connection[] | undefined) => list?.filter((x) => x.id !== connection.id))
      void qc.invalidateQueries({ queryKey: embedKeys.connections() })
    },
  })
}

/** Starts an OAuth authorization; the caller opens the returned URL in the popup. */
export function useStartAuthorization(api: ApiClient) {
  return useMutation({ mutationFn: api.startAuthorization })
}

/**
 * Sets how often one sync of a connection runs (`PATCH /v1/embed/connections/{id}/syncs/{sync}`); `null`: the default.
 * While pending, `variables` holds the chosen value (show it instead of the cached one).
 */
export function useSetSyncFrequency(api: ApiClient, connectionId: string) {
  const qc = useQueryClient()
  const queryKey = embedKeys.syncs(connectionId)
  return useMutation({
    mutationFn: (input: { sync: string; frequency: string | null }) => api.setSyncFrequency(connectionId, input.sync, input.frequency),
    // One change at a time per connection, in order: arrowing through a select sends several, and the last must win.
    scope: { id: `syncs:${connectionId}` },
    // A poll answered after the change would put the old value back.
    onMutate: () => qc.cancelQueries({ queryKey }),
    onSuccess: (sync) => {
      qc.setQueryData(queryKey, (old: ConnectionSyncs | undefined) => old && { ...old, data: old.data.map((s) => (s.name === sync.name ? sync : s)) })
    },
    // Refused or not: read again (the allowed range may have changed; a poll may have been cancelled).
    onSettled: () => {
      void qc.invalidateQueries({ queryKey })
    },
  })
}

/**
 * After a mapping changed: the targets are read again (the caller waits for them), the editors and
 * previews only marked stale (an editor reads its data afresh when opened).
 */
function invalidateMappings(qc: QueryClient, connectionId: string): Promise<void> {
  void qc.invalidateQueries({ queryKey: embedKeys.mappings(connectionId), refetchType: 'none' })
  return qc.invalidateQueries({ queryKey: embedKeys.mappings(connectionId), exact: true })
}

/** Saves a connection's own mapping of `object`; the targets and the editor are read again. */
export function useSaveMapping(api: ApiClient, connectionId: string, object: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (mapping: Mapping) => api.saveMapping(connectionId, object, mapping),
    onSuccess: () => invalidateMappings(qc, connectionId),
  })
}

/** Removes a connection's own mapping of `object` (the vendor's default applies again). */
export function useResetMapping(api: ApiClient, connectionId: string, object: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: () => api.resetMapping(connectionId, object),
    // Also after a 404 (no own mapping any more): the state shown was out of date.
    onSettled: () => invalidateMappings(qc, connectionId),
  })
}

/** Looks for the provider's custom fields again (`?refresh=true`) and puts the answer in the editor's cache. */
export function useRefreshMappingFields(api: ApiClient, connectionId: string, object: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: () => api.getMappingEditor(connectionId, object, { refresh: true }),
    onSuccess: (data) => qc.setQueryData(embedKeys.mappingEditor(connectionId, object), data),
  })
}
