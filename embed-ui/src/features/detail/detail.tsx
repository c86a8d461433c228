/**
 * The integration detail: what it does, what it asks for in plain words, the end user's accounts
 * with their state, and the way to connect (OAuth popup, or the connector's form). A modal view
 * over the catalog: focus moves in, Escape or Back closes it, focus returns to the card.
 * The mapping screen opens over it (from an account's “Fields”, or right after connecting when an
 * object needs mapping).
 */
import { lazy, Suspense, useEffect, useId, useRef, useState, type ReactNode } from 'react'
import { useQuery } from '@tanstack/react-query'
import { mappingTargetsQuery, useConnectWithForm, useDisconnect } from '../../api/queries'
import type { CatalogEntry, Connection, MappingTarget } from '../../api/types'
import { Alert } from '../../components/alert'
import { Badge } from '../../components/badge'
import { Button } from '../../components/button'
import { Dialog } from '../../components/dialog'
import { Icon } from '../../components/icons'
import { Logo } from '../../components/logo'
import { describeError, reportError, useWidget } from '../../context'
import { format } from '../../messages'
import { ConnectForm, type ConnectValues } from '../connect/connect-form'
import { useOAuth, type OAuthState } from '../connect/use-oauth-flow'
import { ConnectionCard } from '../connected/connection-card'
import { DisconnectDialog } from '../connected/disconnect-dialog'
import { loadMappingEditor } from '../mapping/load-editor'
import { categoryName, integrationState, stateBadge } from '../integration-state'
import { describeScope } from './scopes'

export interface DetailProps {
  entry: CatalogEntry
  /** The end user's connections of this integration. */
  connections: Connection[]
  onClose: () => void
}

type Banner = 'connected' | 'reconnected' | 'disconnected' | 'mapped' | 'mappingReset'

/** The mapping screen: of which connection and object, and whether it opened by itself after connecting. */
interface Editing {
  connectionId: string
  target: MappingTarget
  prompt?: boolean
}

/** Only the fields the end user may set (the server refuses the others, e.g. token-derived ones). */
function userConfig(entry: CatalogEntry, config: Record<string, string>): Record<string, string> {
  return Object.fromEntries(entry.connectionConfigFields.filter((f) => f.name in config).map((f) => [f.name, config[f.name]!]))
}

/** The mapping editor, loaded the first time it is shown (its own script in the standalone widget). */
const MappingEditor = lazy(() =>
  loadMappingEditor(currentOrigin).then(
    (m) => ({ default: m.MappingEditor }),
    () => ({ default: EditorUnavailable }),
  ),
)

/** Shown instead of the editor when its script could not be loaded (offline, blocked): says so, and closes. */
function EditorUnavailable({ onClose }: { onClose: () => void }) {
  const { messages: m } = useWidget()
  return (
    <Alert tone="danger" title={format(m.mapping.loadError, { reason: m.errors.network })} state="error">
      <Button size="sm" onClick={onClose}>
        {m.mapping.later}
      </Button>
    </Alert>
  )
}
/** The API origin of the widget that asked last (where the standalone editor script is served from when the widget's own URL is unknown). */
let currentOrigin = ''

export function Detail({ entry, connections, onClose }: DetailProps) {
  const { api, messages: m, emit } = useWidget()
  currentOrigin = api.origin
  const flow = useOAuth()
  const connect = useConnectWithForm(api)
  const disconnect = useDisconnect(api)
  const titleId = useId()
  const headingRef = useRef<HTMLHeadingElement>(null)
  const bannerRef = useRef<HTMLDivElement>(null)
  /** Which form is open: a new connection's (`{}`) or a reconnect's (`{ connectionId }`). */
  const [form, setForm] = useState<{ connectionId?: string } | null>(null)
  const [banner, setBanner] = useState<Banner | null>(null)
  const [confirm, setConfirm] = useState<Connection | null>(null)
  const [editing, setEditing] = useState<Editing | null>(null)
  /** Counts outcomes, so that the same banner twice takes focus twice. */
  const [outcomes, setOutcomes] = useState(0)
  /** The connection just made with the form (OAuth's is in the flow's state). */
  const [formConnected, setFormConnected] = useState<string | null>(null)
  const prompted = useRef<string | null>(null)

  const isOAuth = entry.authType === 'oauth2' || entry.authType === 'oauth1'
  const needsForm = !isOAuth || entry.connectionConfigFields.length > 0
  const mine = [...connections].sort((a, b) => a.createdAt.localeCompare(b.createdAt))
  const run: OAuthState | null = flow.state?.request.integration === entry.key ? flow.state : null
  const state = integrationState(entry, mine, run?.phase === 'authorizing')
  const badge = stateBadge(state, mine, m)
  const canAdd = entry.enabled && (mine.length === 0 || entry.allowMultipleConnections === true)
  const shown: Banner | null = run?.phase === 'success' ? (run.reconnected ? 'reconnected' : 'connected') : banner

  // Outcomes take focus, so keyboard and screen reader users land on the news.
  useEffect(() => {
    if (shown) bannerRef.current?.focus()
  }, [shown, run, outcomes])

  // Right after connecting: an object that needs mapping opens the mapping screen (once per connection).
  const fresh = (run?.phase === 'success' && !run.reconnected && run.connectionId) || formConnected
  const freshTargets = useQuery({ ...mappingTargetsQuery(api, fresh || ''), enabled: !!fresh })
  useEffect(() => {
    const target = freshTargets.data?.find((t) => t.status === 'unmapped')
    if (fresh && target && prompted.current !== fresh) {
      prompted.current = fresh
      setEditing({ connectionId: fresh, target, prompt: true })
    }
  }, [fresh, freshTargets.data])

  const closeEditor = (outcome?: 'saved' | 'reset') => {
    setEditing(null)
    if (!outcome) return
    flow.dismiss()
    setBanner(outcome === 'saved' ? 'mapped' : 'mappingReset')
    setOutcomes((n) => n + 1)
  }

  const startOAuth = (extra: { connectionId?: string; connectionConfig?: Record<string, string> }) => {
    setBanner(null)
    setForm(null)
    return flow.start({ integration: entry.key, ...extra })
  }

  const submitCredentials = (connectionId: string | undefined) => (values: ConnectValues) => {
    setBanner(null)
    flow.dismiss()
    return connect.mutateAsync({ integration: entry.key, ...values, ...(connectionId ? { connectionId } : {}) }).then(
      (c) => {
        setForm(null)
        setBanner(connectionId ? 'reconnected' : 'connected')
        if (!connectionId) setFormConnected(c.id)
        emit(connectionId ? 'reconnect' : 'connect', { connectionId: c.id, integration: entry.key })
        return null
      },
      (err: unknown) => {
        reportError(emit, 'connect', err, entry.key)
        return err
      },
    )
  }

  const reconnect = (c: Connection) => {
    if (isOAuth) startOAuth({ connectionId: c.id, connectionConfig: userConfig(entry, c.connectionConfig) })
    else {
      setBanner(null)
      setForm({ connectionId: c.id })
    }
  }

  const openConfirm = (c: Connection) => {
    disconnect.reset()
    setConfirm(c)
  }

  const confirmDisconnect = () => {
    if (!confirm) return
    const c = confirm
    disconnect.mutate(c, {
      onSuccess: () => {
        setConfirm(null)
        setBanner('disconnected')
        emit('disconnect', { connectionId: c.id, integration: entry.key })
      },
      onError: (err) => reportError(emit, 'disconnect', err, entry.key),
    })
  }

  const retry = run && run.phase !== 'authorizing' && run.phase !== 'success' ? () => flow.start(run.request) : undefined
  const flowAlert = (() => {
    if (!run) return null
    const retryButton = retry && (
      <Button variant="primary" size="sm" onClick={retry}>
        {m.oauth.retry}
      </Button>
    )
    switch (run.phase) {
      case 'authorizing':
        return (
          <Alert
            tone="info"
            state="authorizing"
            title={format(m.oauth.authorizing, { name: entry.name })}
            actions={
              <>
                <Button size="sm" onClick={flow.focus}>
                  {m.oauth.focusPopup}
                </Button>
                <Button size="sm" variant="ghost" onClick={flow.cancel}>
                  {m.oauth.cancel}
                </Button>
              </>
            }
          />
        )
      case 'closed':
        return <Alert tone="warning" state="closed" title={m.oauth.closed} actions={retryButton} />
      case 'denied':
        return <Alert tone="warning" state="denied" title={format(m.oauth.denied, { name: entry.name })} actions={retryButton} />
      case 'blocked':
        return <Alert tone="warning" state="blocked" title={m.oauth.blocked} actions={retryButton} />
      case 'failed':
        return <Alert tone="danger" state="failed" title={format(m.oauth.failed, { name: entry.name, reason: describeError(run.error, m) })} actions={retryButton} />
      default:
        return null
    }
  })()

  const newForm = (submitLabel: string, onCancel?: () => void): ReactNode => (
    <ConnectForm
      entry={entry}
      withCredentials={!isOAuth}
      submitLabel={submitLabel}
      pending={!isOAuth && connect.isPending}
      onSubmit={isOAuth ? (v) => startOAuth({ connectionConfig: v.connectionConfig }) : submitCredentials(undefined)}
      onCancel={onCancel}
    />
  )

  return (
    <Dialog className="pb-detail" labelledBy={titleId} onClose={onClose} initialFocus={headingRef} data-state={state} data-integration={entry.key}>
      <div className="pb-detail-body" inert={confirm !== null} hidden={!!editing}>
        <div className="pb-detail-nav">
          <Button variant="ghost" size="sm" onClick={onClose}>
            <Icon name="back" />
            {m.detail.back}
          </Button>
        </div>

        <header className="pb-hero">
          <Logo svg={entry.logo} size={56} />
          <div className="pb-hero-text">
            <h2 id={titleId} ref={headingRef} tabIndex={-1} className="pb-title">
              {entry.name}
            </h2>
            {entry.categories.length > 0 && <p className="pb-muted pb-small">{entry.categories.map((c) => categoryName(c, m)).join(' · ')}</p>}
          </div>
          {badge && <Badge tone={badge.tone}>{badge.label}</Badge>}
        </header>
        <p className="pb-desc">{entry.description}</p>

        {shown && (
          <Alert ref={bannerRef} tone="success" state={shown} title={format(m.detail[`${shown}Banner`], { name: entry.name })} />
        )}
        {flowAlert}
        {!entry.enabled && (
          <Alert tone="neutral" state="disabled" quiet title={format(m.detail.disabledTitle, { name: entry.name })}>
            {m.detail.disabledBody}
          </Alert>
        )}

        {mine.length > 0 && (
          <section className="pb-section" aria-labelledby={`${titleId}-accounts`}>
            <h3 id={`${titleId}-accounts`} className="pb-section-title">
              {m.detail.accountsTitle}
            </h3>
            <ul className="pb-conns" role="list">
              {mine.map((c) => (
                <ConnectionCard key={c.id} entry={entry} connection={c} onReconnect={reconnect} onDisconnect={openConfirm} onEditMapping={(x, target) => setEditing({ connectionId: x.id, target })}>
                  {form?.connectionId === c.id ? (
                    <ConnectForm
                      entry={entry}
                      withCredentials
                      initialConfig={userConfig(entry, c.connectionConfig)}
                      submitLabel={m.form.submitReconnect}
                      pending={connect.isPending}
                      onSubmit={submitCredentials(c.id)}
                      onCancel={() => setForm(null)}
                    />
                  ) : undefined}
                </ConnectionCard>
              ))}
            </ul>
          </section>
        )}

        {entry.scopes.length > 0 || isOAuth ? (
          <section className="pb-section" aria-labelledby={`${titleId}-perms`}>
            <h3 id={`${titleId}-perms`} className="pb-section-title">
              {format(m.detail.permissionsTitle, { name: entry.name })}
            </h3>
            {entry.scopes.length ? (
              <>
                <p className="pb-muted">{mine.length ? m.detail.permissionsIntroConnected : m.detail.permissionsIntro}</p>
                <ul className="pb-scopes" role="list">
                  {entry.scopes.map((s) => (
                    <li key={s}>
                      <Icon name="check" />
                      <span>{describeScope(s, m.scopes)}</span>
                      <code>{s}</code>
                    </li>
                  ))}
                </ul>
              </>
            ) : (
              <p className="pb-muted">{m.detail.noScopes}</p>
            )}
          </section>
        ) : null}

        {canAdd && (
          <section className="pb-section pb-connect" aria-labelledby={`${titleId}-connect`} data-state={run?.phase === 'authorizing' ? 'authorizing' : 'idle'}>
            <h3 id={`${titleId}-connect`} className="pb-section-title">
              {mine.length ? m.detail.addAnother : format(m.detail.connectTitle, { name: entry.name })}
            </h3>
            <p className="pb-muted">{format(isOAuth ? m.detail.howOAuth : m.detail.howForm, { name: entry.name })}</p>
            {mine.length > 0 && !form && needsForm ? (
              <div className="pb-actions">
                <Button onClick={() => setForm({})}>{m.detail.addAnother}</Button>
              </div>
            ) : mine.length > 0 && form?.connectionId ? null : needsForm ? (
              newForm(mine.length ? m.detail.addAnother : m.detail.connect, mine.length ? () => setForm(null) : undefined)
            ) : (
              <div className="pb-actions">
                <Button variant={mine.length ? 'secondary' : 'primary'} onClick={() => startOAuth({})}>
                  {mine.length ? m.detail.addAnother : m.detail.connect}
                </Button>
              </div>
            )}
          </section>
        )}
      </div>

      {editing && (
        <Suspense fallback={<div className="pb-loading" role="status" aria-live="polite" data-state="loading" />}>
          <MappingEditor key={`${editing.connectionId}/${editing.target.object}`} entry={entry} connectionId={editing.connectionId} target={editing.target} prompt={editing.prompt} onClose={closeEditor} />
        </Suspense>
      )}

      {confirm && (
        <DisconnectDialog
          entry={entry}
          connection={confirm}
          pending={disconnect.isPending}
          error={disconnect.error}
          onConfirm={confirmDisconnect}
          onCancel={() => setConfirm(null)}
        />
      )}
    </Dialog>
  )
}
