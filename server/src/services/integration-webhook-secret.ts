/**
 * Integration webhook secrets delivered by a provider's handshake (connectors/webhooks.ts
 * `secretHandshake: { body }`): Notion POSTs a one-time `{ "verification_token": … }` to the
 * integration's webhook URL when a subscription is created in the integration's settings, then signs
 * every event with it; the developer must paste the token back into Notion to verify the
 * subscription (https://developers.notion.com/reference/webhooks, steps 2 and 3).
 *
 * So the token is stored, encrypted as the integration's webhook secret (AAD
 * `<integrationId>:provider_webhook_secret`, re-encrypted by `rotate-keys --data-keys` like any
 * integration webhook secret), only while the integration has none, and the vendor reads it exactly
 * once through an authenticated call ({@link revealIntegrationWebhookSecret}); afterwards it is
 * write-only like every secret. See docs/decisions/0014-provider-webhooks.md (addendum).
 */
import type { AppContext } from '../context'
import * as q from '../db/queries/integrations'
import { PatchbayError } from '../lib/errors'
import { storeWebhookSecretOnFirstUse } from './connection-webhook-secret'
import { getIntegration, webhookSecretContext, type IntegrationRow } from './integrations'

/**
 * Stores `secret` as the integration's provider webhook secret if it has none yet (trust on first
 * use), marking it revealable once; as {@link storeWebhookSecretOnFirstUse}.
 * @returns `stored` (this secret is now the integration's), `same` (it already was: a repeated
 *   handshake) or `other` (the integration holds another secret).
 */
export function storeIntegrationWebhookSecretOnFirstUse(ctx: AppContext, row: IntegrationRow, secret: string): Promise<'stored' | 'same' | 'other'> {
  return storeWebhookSecretOnFirstUse(ctx, row, secret, webhookSecretContext(row.id), { setIfUnset: q.setIntegrationWebhookSecretIfUnset, find: q.findIntegrationById })
}

/**
 * Returns, once, the provider webhook secret a handshake stored on integration `key` (Notion's
 * `verification_token`), so the vendor can paste it into the provider's settings; the same call
 * again answers 409. A secret the vendor set or cleared (`PATCH … webhookSecret`) is never
 * revealable. The value is not logged.
 * @returns the secret in clear.
 * @throws {PatchbayError} `not_found` (no such integration); `webhook_secret_not_revealable` (409:
 *   the connector's handshake does not deliver an integration secret, none arrived yet, it was
 *   revealed already, or the vendor set or cleared the secret since).
 */
export async function revealIntegrationWebhookSecret(ctx: AppContext, environmentId: string, key: string): Promise<string> {
  const integration = await getIntegration(ctx, environmentId, key)
  const handshake = integration.connector.webhooks?.secretHandshake
  if (!handshake || !('body' in handshake)) {
    throw new PatchbayError('webhook_secret_not_revealable', `${integration.connector.name} (${integration.connector.id}) does not deliver its webhook secret by a handshake: nothing to reveal`)
  }
  const enc = await q.takeIntegrationWebhookSecretReveal(ctx.db, integration.row.id)
  if (enc === undefined) {
    throw new PatchbayError('webhook_secret_not_revealable', 'No webhook secret is waiting to be revealed: none arrived from the provider yet, it was revealed already, or it was set or cleared since. To start over, clear it (PATCH webhookSecret: null) and create the subscription again at the provider.')
  }
  ctx.log.info({ integrationId: integration.row.id, connectorId: integration.connector.id }, 'provider webhook secret revealed (once)')
  return ctx.secrets.decrypt(environmentId, enc, webhookSecretContext(integration.row.id))
}
