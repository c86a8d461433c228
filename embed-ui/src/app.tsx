/**
 * The widget's screens: loading, error (with Retry), the catalog, and the detail view of one
 * integration over it. Sends `ready` once the catalog is first on screen.
 */
import { useEffect, useRef, useState, type HTMLAttributes } from 'react'
import { useQuery } from '@tanstack/react-query'
import { connectionsQuery, integrationsQuery } from './api/queries'
import { Button } from './components/button'
import { Icon } from './components/icons'
import { describeError, reportError, useWidget } from './context'
import { Catalog } from './features/catalog/catalog'
import { OAuthFlowContext, useOAuthFlow } from './features/connect/use-oauth-flow'
import { Detail } from './features/detail/detail'

function Skeleton({ label }: { label: string }) {
  return (
    <div className="pb-loading" role="status" aria-live="polite" data-state="loading">
      <span className="pb-sr-only">{label}</span>
      <div className="pb-skel pb-skel-title" aria-hidden="true" />
      <div className="pb-skel pb-skel-search" aria-hidden="true" />
      <div className="pb-grid" aria-hidden="true">
        {[0, 1, 2, 3, 4, 5].map((i) => (
          <div key={i} className="pb-skel pb-skel-card" />
        ))}
      </div>
    </div>
  )
}

/** `rootProps`: theme attributes for the root element. */
export function App({ rootProps }: { rootProps?: HTMLAttributes<HTMLDivElement> & { 'data-theme'?: string } }) {
  const { api, messages: m, emit, allowedIntegrations, authorized } = useWidget()
  const flow = useOAuthFlow()
  // Without a token or a way to get one, stay in the loading state until the host provides it.
  const integrations = useQuery({ ...integrationsQuery(api), enabled: authorized })
  const connections = useQuery({ ...connectionsQuery(api), enabled: authorized })
  const [selected, setSelected] = useState<string | null>(null)
  const readySent = useRef(false)
  const reported = useRef<unknown>(null)

  const allowed = allowedIntegrations?.length ? new Set(allowedIntegrations) : null
  const entries = (integrations.data ?? []).filter((e) => !allowed || allowed.has(e.key))
  const conns = (connections.data ?? []).filter((c) => !allowed || allowed.has(c.integration))
  const error = integrations.error ?? connections.error
  const loaded = integrations.isSuccess && connections.isSuccess
  // Once loaded, keep showing the data if a background refetch fails.
  const status = loaded ? 'ready' : error ? 'error' : 'loading'

  useEffect(() => {
    if (status === 'ready' && !readySent.current) {
      readySent.current = true
      if (typeof performance !== 'undefined') performance.mark?.('patchbay:catalog-ready')
      emit('ready', { integrations: entries.length, connections: conns.length })
    }
  }, [status, emit, entries.length, conns.length])

  useEffect(() => {
    if (status === 'error' && error && reported.current !== error) {
      reported.current = error
      reportError(emit, 'load', error)
    }
  }, [status, error, emit])

  const entry = selected ? entries.find((e) => e.key === selected) : undefined

  return (
    <OAuthFlowContext.Provider value={flow}>
      <div className="pb-root" data-patchbay-widget="" data-state={status} aria-busy={status === 'loading' || undefined} {...rootProps}>
        {status === 'loading' && <Skeleton label={m.catalog.loading} />}
        {status === 'error' && (
          <div className="pb-error" role="alert" data-state="error">
            <span className="pb-error-icon" aria-hidden="true">
              <Icon name="alert" />
            </span>
            <p className="pb-empty-title">{m.errors.loadTitle}</p>
            <p className="pb-muted">{describeError(error, m)}</p>
            <Button
              variant="primary"
              pending={integrations.isFetching || connections.isFetching}
              onClick={() => {
                if (integrations.isError) void integrations.refetch()
                if (connections.isError) void connections.refetch()
              }}
            >
              {m.errors.retry}
            </Button>
          </div>
        )}
        {status === 'ready' && (
          <>
            <Catalog entries={entries} connections={conns} onOpen={setSelected} hidden={!!entry} />
            {entry && (
              <Detail
                key={entry.key}
                entry={entry}
                connections={conns.filter((c) => c.integration === entry.key)}
                onClose={() => {
                  flow.dismiss()
                  setSelected(null)
                }}
              />
            )}
          </>
        )}
      </div>
    </OAuthFlowContext.Provider>
  )
}
