/**
 * Per-connection provider webhook secrets: for connectors whose `webhooks.secret` is
 * `{ from: 'connection' }` (Zendesk generates one signing secret per webhook), the vendor's backend
 * creates the webhook at the provider, reads its secret there, and sets it on the connection.
 * Write-only: stored encrypted (AAD `<connectionId>:provider_webhook_secret`), never returned or
 * logged; the API shows only `webhookSecretSet`. See docs/decisions/0014-provider-webhooks.md.
 */
import type { AppContext } from '../context'
import * as q from '../db/queries/connections'
import { PatchbayError } from '../lib/errors'
import { getConnection } from './connections'
import { requireConnector } from './integrations'

/** The encryption context (AAD) of a connection's webhook secret: bound to the connection and the purpose. */
export function connectionWebhookSecretContext(connectionId: string): string {
  return `${connectionId}:provider_webhook_secret`
}

/**
 * Sets (`secret`) or clears (`null`) the provider webhook signing secret of connection `id`.
 * @throws {PatchbayError} `not_found` (no such connection in the environment);
 *   `webhook_secret_not_accepted` (409: the connection's connector declares no webhooks, or takes
 *   its secret from elsewhere: the integration, the client secret, the credentials).
 */
export async function setConnectionWebhookSecret(ctx: AppContext, environmentId: string, id: string, secret: string | null): Promise<void> {
  const connection = await getConnection(ctx, environmentId, id)
  const connector = requireConnector(connection.connectorId, connection.environmentId)
  const source = connector.webhooks?.secret
  if (source?.from !== 'connection') {
    const why = !source
      ? `${connector.name} (${connector.id}) declares no incoming webhooks`
      : `${connector.name} webhooks are signed with ${source.from === 'integration' ? "the integration's webhookSecret" : source.from === 'clientSecret' ? "the integration's client secret" : `the connection's credentials (${source.field})`}`
    throw new PatchbayError('webhook_secret_not_accepted', `This connection takes no webhook secret: ${why}`)
  }
  const enc = secret === null ? null : await ctx.secrets.encrypt(environmentId, secret, connectionWebhookSecretContext(id))
  await q.setConnectionWebhookSecret(ctx.db, id, enc)
}

/** The connection's provider webhook secret in clear, or `undefined` when none is set. */
export async function connectionWebhookSecretOf(ctx: AppContext, row: Pick<q.ConnectionRow, 'id' | 'environmentId' | 'webhookSecretEnc'>): Promise<string | undefined> {
  return row.webhookSecretEnc ? ctx.secrets.decrypt(row.environmentId, row.webhookSecretEnc, connectionWebhookSecretContext(row.id)) : undefined
}
