/**
 * The syncs of one connection, inside its card: what each last brought in (or why it failed), and
 * — when the app lets the end user choose — how often it runs. Refreshed while on screen: every
 * 10 s, every 2 s while a run is queued or running (`syncsQuery`).
 */
import { useEffect, useId, useRef, useState } from 'react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { ApiError } from '../../api/client'
import { embedKeys, isNotFound, isSyncing, syncsQuery, useSetSyncFrequency } from '../../api/queries'
import type { Sync } from '../../api/types'
import { Alert } from '../../components/alert'
import { describeError, reportError, useWidget } from '../../context'
import { format } from '../../messages'
import { describeSync, frequencyLabel, frequencyOptions, syncName } from './sync-format'

/** Whether `el` is on screen (in the viewport, not in a hidden subtree). `true` until known, and without IntersectionObserver. */
function useOnScreen(el: Element | null): boolean {
  const [on, setOn] = useState(true)
  useEffect(() => {
    if (!el || typeof IntersectionObserver === 'undefined') return
    const io = new IntersectionObserver((entries) => setOn(entries.at(-1)?.isIntersecting ?? true))
    io.observe(el)
    return () => io.disconnect()
  }, [el])
  return on
}

export interface ConnectionSyncsProps {
  connectionId: string
  /** The integration key, for `error` events. */
  integration: string
}

export function ConnectionSyncs({ connectionId, integration }: ConnectionSyncsProps) {
  const { api, messages: m } = useWidget()
  const qc = useQueryClient()
  const id = useId()
  const [el, setEl] = useState<HTMLElement | null>(null)
  const q = useQuery(syncsQuery(api, connectionId, useOnScreen(el)))
  const syncs = q.data?.data
  const bounds = q.data?.endUserFrequency ?? null

  // A run that just ended may have changed the connection (a provider that refused the token: reconnect needed).
  const syncing = !!syncs?.some(isSyncing)
  const wasSyncing = useRef(false)
  useEffect(() => {
    if (wasSyncing.current && !syncing) void qc.invalidateQueries({ queryKey: embedKeys.connections(), exact: true })
    wasSyncing.current = syncing
  }, [syncing, qc])

  // A connection without syncs (or a server without them: 404) shows nothing; the element stays so that
  // polling knows whether it is on screen.
  return (
    <section ref={setEl} className="pb-syncs" aria-labelledby={syncs?.length ? id : undefined} data-state={q.status}>
      {syncs ? (
        syncs.length > 0 && (
          <>
            <h4 id={id} className="pb-syncs-title">
              {m.syncs.title}
            </h4>
            <ul role="list">
              {syncs.map((s) => (
                <SyncRow key={s.name} sync={s} connectionId={connectionId} integration={integration} bounds={bounds} now={q.dataUpdatedAt} />
              ))}
            </ul>
          </>
        )
      ) : q.isError ? (
        !isNotFound(q.error) && <p className="pb-muted pb-small">{m.syncs.loadFailed}</p>
      ) : (
        // Reserves about one sync's height, so that the card does not jump when the answer comes.
        <div className="pb-skel pb-syncs-skel" aria-hidden="true" />
      )}
    </section>
  )
}

interface SyncRowProps extends ConnectionSyncsProps {
  sync: Sync
  bounds: { min: string; max: string } | null
  /** When the data was fetched: relative times are counted from it. */
  now: number
}

function SyncRow({ sync: s, connectionId, integration, bounds, now }: SyncRowProps) {
  const { api, messages: m, locale, emit } = useWidget()
  const change = useSetSyncFrequency(api, connectionId)
  const id = useId()
  const name = syncName(s.name, m.syncNames)
  const status = describeSync(s, m, locale, now)
  // While the change is on its way, show the chosen value rather than the cached one.
  const value = (change.isPending && change.variables.frequency) || s.frequency
  const err = change.error

  return (
    <li className="pb-sync" data-state={status.state} data-sync={s.name}>
      <div className="pb-sync-text">
        <p className="pb-sync-name">{name}</p>
        <p className="pb-sync-status">{status.text}</p>
      </div>
      {bounds && (
        <>
          <label htmlFor={id} className="pb-sr-only">
            {format(m.syncs.frequencyLabel, { name })}
          </label>
          <select
            id={id}
            className="pb-input pb-select"
            value={value}
            aria-invalid={err ? true : undefined}
            aria-describedby={err ? `${id}-error` : undefined}
            onChange={(e) => change.mutate({ sync: s.name, frequency: e.target.value }, { onError: (error) => reportError(emit, 'sync', error, integration) })}
          >
            {frequencyOptions(value, bounds).map((f) => (
              <option key={f} value={f}>
                {frequencyLabel(f, m.syncs.every)}
              </option>
            ))}
          </select>
        </>
      )}
      {err && (
        <div id={`${id}-error`} className="pb-sync-error">
          <Alert tone="danger" state="sync-failed" title={format(m.syncs.frequencyFailed, { name })}>
            {err instanceof ApiError && err.code === 'forbidden' ? m.syncs.frequencyForbidden : describeError(err, m)}
          </Alert>
        </div>
      )}
    </li>
  )
}
