/**
 * The public view of a connection — what the API returns and webhook events carry. Never its
 * credentials. Its shape is the `Connection` schema in routes/schemas.ts (checked where routes
 * return it).
 */
import { getConnectorFor } from '../../../connectors/registry'
import type { ConnectionView } from '../db/queries/connections'
import type { ConnectionStatus } from '../db/schema/index'
import { providerWebhookUrl } from './provider-webhooks'

/** Dates are ISO 8601 strings; `expiresAt` is the access token's expiry, null when it does not expire. */
export interface PublicConnection {
  id: string
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

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/** The public view of a connection: never its credentials. */
export function connectionOut(c: ConnectionView): PublicConnection {
  return {
    id: c.id,
    integration: c.integrationKey,
    connectorId: c.connectorId,
    endUserId: c.endUserExternalId,
    status: c.status,
    statusReason: c.statusReason,
    accountLabel: c.accountLabel,
    scopes: c.scopes,
    connectionConfig: c.connectionConfig,
    expiresAt: iso(c.expiresAt),
    lastRefreshedAt: iso(c.lastRefreshedAt),
    lastVerifiedAt: iso(c.lastVerifiedAt),
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  }
}

/**
 * A connection as the vendor's API shows it (`GET /v1/connections[/{id}]`): {@link connectionOut}
 * with its provider webhook settings. `webhookSecretSet`: whether a per-connection webhook secret
 * is set (never the secret); `providerWebhookUrl`: the URL to give the provider for this
 * connection's events, `null` when its connector declares no webhooks. Webhook events and the
 * widget carry {@link connectionOut} only.
 * @param publicUrl Patchbay's public URL (`PUBLIC_URL`, no trailing slash).
 */
export function connectionDetailOut(c: ConnectionView, publicUrl: string): PublicConnection & { webhookSecretSet: boolean; providerWebhookUrl: string | null } {
  const connector = getConnectorFor(c.environmentId, c.connectorId)
  const url = connector ? providerWebhookUrl(publicUrl, c.integrationId, connector) : null
  return { ...connectionOut(c), webhookSecretSet: !!c.webhookSecretEnc, providerWebhookUrl: url?.replace('{connectionId}', c.id) ?? null }
}
