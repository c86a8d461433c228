/**
 * Per-connection provider webhook secrets: for connectors whose `webhooks.secret` is
 * `{ from: 'connection' }` (Zendesk generates one signing secret per webhook), the vendor's backend
 * creates the webhook at the provider, reads its secret there, and sets it on the connection; for
 * connectors with a `secretHandshake` (Asana's `X-Hook-Secret`) the provider's handshake stores it
 * when the connection has none ({@link storeConnectionWebhookSecretOnFirstUse}).
 * Write-only: stored encrypted (AAD `<connectionId>:provider_webhook_secret`), never returned or
 * logged; the API shows only `webhookSecretSet`. See docs/decisions/0014-provider-webhooks.md.
 */
import { safeEqual } from '../../../connectors/webhooks'
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

/**
 * Stores `secret` as the connection's provider webhook secret if it has none yet (trust on first
 * use: Asana's `X-Hook-Secret` handshake, connectors/webhooks.ts `secretHandshake`). Atomic: of two
 * concurrent handshakes exactly one is stored.
 * @returns `stored` (this secret is now the connection's), `same` (it already was: a repeated
 *   handshake) or `other` (the connection holds another secret: the vendor must clear it first).
 */
export async function storeConnectionWebhookSecretOnFirstUse(ctx: AppContext, row: Pick<q.ConnectionRow, 'id' | 'environmentId' | 'webhookSecretEnc'>, secret: string): Promise<'stored' | 'same' | 'other'> {
  if (!row.webhookSecretEnc) {
    const enc = await ctx.secrets.encrypt(row.environmentId, secret, connectionWebhookSecretContext(row.id))
    if (await q.setConnectionWebhookSecretIfUnset(ctx.db, row.id, enc)) return 'stored'
  }
  // Set before, or by a concurrent handshake or PUT just now: compare with what is stored.
  const current = row.webhookSecretEnc ? row : await q.findConnectionRow(ctx.db, row.id)
  const stored = current ? await connectionWebhookSecretOf(ctx, current) : undefined
  return stored !== undefined && safeEqual(stored, secret) ? 'same' : 'other'
}

/** The connection's provider webhook secret in clear, or `undefined` when none is set. */
export async function connectionWebhookSecretOf(ctx: AppContext, row: Pick<q.ConnectionRow, 'id' | 'environmentId' | 'webhookSecretEnc'>): Promise<string | undefined> {
  return row.webhookSecretEnc ? ctx.secrets.decrypt(row.environmentId, row.webhookSecretEnc, connectionWebhookSecretContext(row.id)) : undefined
}
