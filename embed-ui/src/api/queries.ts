/**
 * Server state of the widget: `queryOptions` factories (one per resource) and the mutation hooks.
 * Components read data through these only; they never call the API client themselves.
 * @see https://tanstack.com/query/v5/docs/framework/react/guides/query-options
 */
import { QueryClient, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query'
import { ApiError, type ApiClient } from './client'
import type { Connection, ConnectWithFormInput } from './types'

/** Query keys. Every widget has its own QueryClient, so keys need no session or tenant part. */
export const embedKeys = {
  all: ['embed'] as const,
  session: () => [...embedKeys.all, 'session'] as const,
  integrations: () => [...embedKeys.all, 'integrations'] as const,
  connections: () => [...embedKeys.all, 'connections'] as const,
}

/** The session (end user, expiry). */
export const sessionQuery = (api: ApiClient) => queryOptions({ queryKey: embedKeys.session(), queryFn: () => api.getSession() })

/** The catalog this end user may connect (`GET /v1/embed/integrations`). */
export const integrationsQuery = (api: ApiClient) => queryOptions({ queryKey: embedKeys.integrations(), queryFn: () => api.listIntegrations(), staleTime: 5 * 60_000 })

/** The end user's connections (`GET /v1/embed/connections`). */
export const connectionsQuery = (api: ApiClient) => queryOptions({ queryKey: embedKeys.connections(), queryFn: () => api.listConnections(), staleTime: 30_000 })

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
