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
import type { Db } from '../db/client'
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

/** A row holding a provider webhook secret ciphertext: a connection or an integration. */
type WebhookSecretRow = { id: string; environmentId: string; webhookSecretEnc: string | null }

/**
 * Trust on first use, for connection and integration webhook secrets alike: encrypts `secret` under
 * `context` and stores it with `setIfUnset` (a compare-and-swap on `NULL`) when `row` holds none, so
 * of two concurrent handshakes exactly one is stored; otherwise compares it, in constant time, with
 * what is stored (re-read with `find` when a concurrent write won the swap). Neither value is logged.
 * @returns `stored` (this secret is now the row's), `same` (it already was: a repeated handshake) or
 *   `other` (the row holds another secret: the vendor must clear it first).
 */
export async function storeWebhookSecretOnFirstUse(
  ctx: AppContext,
  row: WebhookSecretRow,
  secret: string,
  context: string,
  store: { setIfUnset: (db: Db, id: string, enc: string) => Promise<boolean>; find: (db: Db, id: string) => Promise<WebhookSecretRow | undefined> },
): Promise<'stored' | 'same' | 'other'> {
  if (!row.webhookSecretEnc && (await store.setIfUnset(ctx.db, row.id, await ctx.secrets.encrypt(row.environmentId, secret, context)))) return 'stored'
  // Set before, or by a concurrent handshake or write just now: compare with what is stored.
  const current = row.webhookSecretEnc ? row : await store.find(ctx.db, row.id)
  const stored = current?.webhookSecretEnc ? await ctx.secrets.decrypt(current.environmentId, current.webhookSecretEnc, context) : undefined
  return stored !== undefined && safeEqual(stored, secret) ? 'same' : 'other'
}

/**
 * Stores `secret` as the connection's provider webhook secret if it has none yet (trust on first
 * use: Asana's `X-Hook-Secret` handshake, connectors/webhooks.ts `secretHandshake`), as
 * {@link storeWebhookSecretOnFirstUse}.
 * @returns `stored`, `same` or `other` (the connection holds another secret: the vendor must clear it first).
 */
export function storeConnectionWebhookSecretOnFirstUse(ctx: AppContext, row: Pick<q.ConnectionRow, 'id' | 'environmentId' | 'webhookSecretEnc'>, secret: string): Promise<'stored' | 'same' | 'other'> {
  return storeWebhookSecretOnFirstUse(ctx, row, secret, connectionWebhookSecretContext(row.id), { setIfUnset: q.setConnectionWebhookSecretIfUnset, find: q.findConnectionRow })
}

/** The connection's provider webhook secret in clear, or `undefined` when none is set. */
export async function connectionWebhookSecretOf(ctx: AppContext, row: Pick<q.ConnectionRow, 'id' | 'environmentId' | 'webhookSecretEnc'>): Promise<string | undefined> {
  return row.webhookSecretEnc ? ctx.secrets.decrypt(row.environmentId, row.webhookSecretEnc, connectionWebhookSecretContext(row.id)) : undefined
}
