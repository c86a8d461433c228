/**
 * One connected account: label, status, connected since, last verified, what to do when it is not
 * healthy, its syncs, its field mappings, and the Reconnect / Disconnect actions.
 */
import { useId, type MouseEvent, type ReactNode } from 'react'
import type { CatalogEntry, Connection, MappingTarget } from '../../api/types'
import { Alert } from '../../components/alert'
import { Badge } from '../../components/badge'
import { Button } from '../../components/button'
import { useWidget } from '../../context'
import { formatDate, formatRelative } from '../../format-time'
import { format } from '../../messages'
import { connectionBadge } from '../integration-state'
import { MappingTargets } from '../mapping/mapping-targets'
import { ConnectionSyncs } from './connection-syncs'

export interface ConnectionCardProps {
  entry: CatalogEntry
  connection: Connection
  onReconnect: (connection: Connection) => void
  onDisconnect: (connection: Connection, event: MouseEvent<HTMLButtonElement>) => void
  /** Opens the mapping screen of one of the connection's objects. */
  onEditMapping: (connection: Connection, target: MappingTarget) => void
  /** Shown under the account (the reconnect form of credentials-based integrations). */
  children?: ReactNode
}

/** The name an account is shown with. */
export function accountName(entry: CatalogEntry, c: Connection, defaultLabel: string): string {
  return c.accountLabel || format(defaultLabel, { name: entry.name })
}

export function ConnectionCard({ entry, connection: c, onReconnect, onDisconnect, onEditMapping, children }: ConnectionCardProps) {
  const { messages: m, locale } = useWidget()
  const id = useId()
  const badge = connectionBadge(c.status, m)
  const label = accountName(entry, c, m.connection.defaultLabel)
  const problem = c.status !== 'active'

  return (
    <li className="pb-conn" data-state={c.status} data-connection-id={c.id} aria-labelledby={`${id}-label`}>
      <div className="pb-conn-head">
        <p id={`${id}-label`} className="pb-conn-label">
          {label}
        </p>
        <Badge tone={badge.tone}>{badge.label}</Badge>
      </div>
      <dl className="pb-meta">
        <div>
          <dt>{m.connection.connectedSince}</dt>
          <dd>{formatDate(c.createdAt, locale)}</dd>
        </div>
        <div>
          <dt>{m.connection.lastVerified}</dt>
          <dd>{c.lastVerifiedAt ? <time dateTime={c.lastVerifiedAt} title={new Date(c.lastVerifiedAt).toLocaleString(locale)}>{formatRelative(c.lastVerifiedAt, locale)}</time> : m.connection.never}</dd>
        </div>
      </dl>
      {c.status === 'needs_reauth' && (
        <Alert tone="warning" title={format(m.connection.needsReauth, { name: entry.name })} state="needs_reauth" quiet>
          {m.connection.needsReauthAction}
        </Alert>
      )}
      {c.status === 'error' && (
        <Alert tone="danger" title={c.statusReason ? format(m.connection.error, { reason: c.statusReason }) : m.connection.errorUnknown} state="error" quiet>
          {m.connection.errorAction}
        </Alert>
      )}
      {c.status === 'revoked' && (
        <Alert tone="warning" title={format(m.connection.revoked, { name: entry.name })} state="revoked" quiet>
          {m.connection.revokedAction}
        </Alert>
      )}
      <ConnectionSyncs connectionId={c.id} integration={entry.key} />
      <MappingTargets connectionId={c.id} onEdit={(t) => onEditMapping(c, t)} />
      {children ?? (
        <div className="pb-actions">
          {entry.enabled && (
            <Button variant={problem ? 'primary' : 'secondary'} size="sm" aria-describedby={`${id}-label`} onClick={() => onReconnect(c)}>
              {m.connection.reconnect}
            </Button>
          )}
          <Button variant="ghost" size="sm" className="pb-btn-danger-text" aria-describedby={`${id}-label`} onClick={(e) => onDisconnect(c, e)}>
            {m.connection.disconnect}
          </Button>
        </div>
      )}
    </li>
  )
}
