/**
 * The one state an integration is shown in, from the catalog entry, the end user's connections
 * and a running OAuth flow. Problems win over "connected" so they are never hidden.
 */
import type { CatalogEntry, Connection, ConnectionStatus } from '../api/types'
import type { Tone } from '../components/badge'
import { format, type Messages } from '../messages'

export type IntegrationState = 'disabled' | 'authorizing' | 'needs_reauth' | 'error' | 'connected' | 'not_connected'

export function integrationState(entry: CatalogEntry, connections: Connection[], authorizing: boolean): IntegrationState {
  if (!entry.enabled) return 'disabled'
  if (authorizing) return 'authorizing'
  if (connections.some((c) => c.status === 'needs_reauth' || c.status === 'revoked')) return 'needs_reauth'
  if (connections.some((c) => c.status === 'error')) return 'error'
  if (connections.some((c) => c.status === 'active')) return 'connected'
  return 'not_connected'
}

/** Badge tone and text for an integration; `null` when there is nothing to say (not connected). */
export function stateBadge(state: IntegrationState, connections: Connection[], m: Messages): { tone: Tone; label: string } | null {
  switch (state) {
    case 'disabled':
      return { tone: 'neutral', label: m.status.disabled }
    case 'authorizing':
      return { tone: 'info', label: m.status.authorizing }
    case 'needs_reauth':
      return { tone: 'warning', label: m.status.needsReauth }
    case 'error':
      return { tone: 'danger', label: m.status.error }
    case 'connected': {
      const n = connections.filter((c) => c.status === 'active').length
      return { tone: 'success', label: n > 1 ? format(m.status.connectedCount, { count: n }) : m.status.connected }
    }
    default:
      return null
  }
}

/** Badge of one connection. */
export function connectionBadge(status: ConnectionStatus, m: Messages): { tone: Tone; label: string } {
  if (status === 'active') return { tone: 'success', label: m.status.connected }
  if (status === 'needs_reauth') return { tone: 'warning', label: m.status.needsReauth }
  if (status === 'revoked') return { tone: 'warning', label: m.status.revoked }
  return { tone: 'danger', label: m.status.error }
}

/** Category id to display name: the messages' name, else the id in sentence case (`dev-tools` → `Dev tools`). */
export function categoryName(id: string, m: Messages): string {
  const named = m.categories[id]
  if (named) return named
  const words = id.replace(/[-_]+/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}
