/**
 * Incoming provider webhooks: a provider (Slack, GitHub, Stripe…) POSTs an event to
 * `/v1/webhooks/providers/{integrationId}[/{connectionId}]`; Patchbay verifies its signature as the
 * connector's `webhooks` section declares (connectors/webhooks.ts), answers handshakes, finds the
 * connection(s) it is for, and records one `provider.webhook` event per connection in the outbox,
 * so the vendor receives it like any Patchbay webhook (signed, retried, logged).
 * See docs/decisions/0014-provider-webhooks.md.
 *
 * Nothing is parsed or stored before the signature is verified, and no provider is called: the
 * request does a few reads, one transaction of inserts, and answers.
 */
import type { Connector } from '../../../connectors/schema'
import { parseWebhookBody, verifyWebhookSignature, webhookEventType, webhookHandshake, webhookRouteParts, webhookSecretHandshake, type IncomingWebhook } from '../../../connectors/webhooks'
import type { AppContext } from '../context'
import { inTransaction } from '../db/client'
import { findConnection, findConnectionsByConfigValue, type ConnectionView } from '../db/queries/connections'
import { findIntegrationById } from '../db/queries/integrations'
import { notFound, PatchbayError } from '../lib/errors'
import { clientSecretOf, resolveIntegration, webhookSecretOf, type ResolvedIntegration } from './integrations'
import { connectionWebhookSecretOf, storeConnectionWebhookSecretOnFirstUse } from './connection-webhook-secret'
import { storeIntegrationWebhookSecretOnFirstUse } from './integration-webhook-secret'
import { enqueueDeliveries, recordEvent, type PendingDelivery } from './webhook-outbox'

/** Largest provider webhook body accepted, bytes (1 MiB); larger ones are refused with 413. */
export const MAX_PROVIDER_WEBHOOK_BYTES = 1024 * 1024

/** At most this many connections receive one routed event (several end users may connect the same workspace). */
export const MAX_ROUTED_CONNECTIONS = 50

/** At most this many accounts share a split batch (`route.split`); elements of further accounts are not forwarded. */
export const MAX_ROUTED_ACCOUNTS = 100

/** Ids in URLs: what `newId` makes, checked before they reach the database. */
const ID = /^[A-Za-z0-9_-]{1,100}$/

/**
 * The URL to paste into the provider's webhook settings for an integration, or `null` when its
 * connector declares no webhooks. For connectors without routing, one URL per connection:
 * `{connectionId}` stands for the connection's id.
 * @param publicUrl Patchbay's public URL (`PUBLIC_URL`, no trailing slash).
 */
export function providerWebhookUrl(publicUrl: string, integrationId: string, connector: Pick<Connector, 'webhooks'>): string | null {
  if (!connector.webhooks) return null
  const base = `${publicUrl}/v1/webhooks/providers/${integrationId}`
  return connector.webhooks.route ? base : `${base}/{connectionId}`
}

/**
 * `data` of a `provider.webhook` event: the connection it was routed to and the provider's event.
 * `body` is the provider's JSON body (form fields as an object for form-encoded bodies; `null` when
 * it is neither; for a split batch, with the batch narrowed to the connection's account's elements); `receivedAt` is when Patchbay received it (ISO 8601).
 */
export interface ProviderWebhookPayload {
  connectionId: string
  integration: string
  connectorId: string
  endUserId: string
  providerEventType: string | null
  body: unknown
  receivedAt: string
}

/** What the route answers the provider. */
export interface ProviderWebhookAnswer {
  /**
   * `handshake`: answered with `body`; `forwarded`: recorded for this many connections;
   * `unroutable`: no connection matched (acknowledged, not forwarded); `refused`: the signature was
   * refused and the connector asks for a bare 401 (`webhooks.refusal: 'empty'`, Xero).
   */
  outcome: 'handshake' | 'forwarded' | 'unroutable' | 'refused'
  forwarded: number
  contentType?: string
  body?: string
  /** Response headers of a handshake (Asana's echoed `X-Hook-Secret`). */
  headers?: Record<string, string>
}

/** The incoming request, as the route read it (the body once, within {@link MAX_PROVIDER_WEBHOOK_BYTES}). */
export interface ProviderWebhookRequest {
  integrationId: string
  /** From the URL's second segment, for connectors without routing (or to name the connection explicitly). */
  connectionId?: string | undefined
  method: string
  /** The full URL as the provider called it: Patchbay's public URL + path + query. */
  url: string
  /** Header values by lower-case name. */
  headers: Record<string, string | undefined>
  rawBody: Uint8Array
}

async function integrationFor(ctx: AppContext, integrationId: string): Promise<ResolvedIntegration> {
  const row = ID.test(integrationId) ? await findIntegrationById(ctx.db, integrationId) : undefined
  if (!row || !row.enabled) throw notFound('Integration', integrationId)
  return resolveIntegration(row)
}

async function connectionOf(ctx: AppContext, integration: ResolvedIntegration, connectionId: string): Promise<ConnectionView> {
  const connection = ID.test(connectionId) ? await findConnection(ctx.db, integration.row.environmentId, connectionId) : undefined
  if (!connection || connection.integrationId !== integration.row.id) throw notFound('Connection', connectionId)
  return connection
}

/** The signing secret as the connector declares its source. @throws {PatchbayError} `webhook_secret_missing`. */
async function signingSecret(ctx: AppContext, integration: ResolvedIntegration, connection: ConnectionView | undefined): Promise<string> {
  const source = integration.connector.webhooks!.secret
  let secret: string | undefined
  if (source.from === 'integration') secret = await webhookSecretOf(ctx, integration.row)
  else if (source.from === 'clientSecret') secret = await clientSecretOf(ctx, integration.row)
  else if (source.from === 'connection') secret = connection ? await connectionWebhookSecretOf(ctx, connection) : undefined
  else if (connection) {
    const { credentials } = await ctx.credentials.get(connection.environmentId, connection.id)
    secret = 'values' in credentials ? credentials.values[source.field] : undefined
  }
  if (!secret) {
    const where =
      source.from === 'integration' ? `the integration's webhookSecret` : source.from === 'clientSecret' ? `the integration's clientSecret` : source.from === 'connection' ? `the connection's webhook secret (PUT /v1/connections/{id}/webhook-secret)` : `the connection's ${source.field}`
    throw new PatchbayError('webhook_secret_missing', `No webhook signing secret: set ${where}`)
  }
  return secret
}

/**
 * Checks that a provider webhook URL would be accepted, without a body or signature: the
 * integration exists, is enabled and declares webhooks, and a connection, if given, belongs to it.
 * Providers probe the URL when it is saved (Intercom sends a HEAD request:
 * https://developers.intercom.com/docs/webhooks/setting-up-webhooks). Reveals nothing a POST would not.
 * @throws {PatchbayError} `not_found`, `webhooks_not_supported` as {@link receiveProviderWebhook}.
 */
export async function checkProviderWebhookUrl(ctx: AppContext, integrationId: string, connectionId: string | undefined): Promise<void> {
  const integration = await integrationFor(ctx, integrationId)
  if (!integration.connector.webhooks) throw new PatchbayError('webhooks_not_supported', `${integration.connector.name} (${integration.connector.id}) declares no incoming webhooks`)
  if (connectionId !== undefined) await connectionOf(ctx, integration, connectionId)
}

/**
 * Answers a secret handshake (connectors/webhooks.ts `secretHandshake`, Asana's `X-Hook-Secret`):
 * the offered secret becomes the connection's webhook secret when it has none (trust on first use,
 * Asana's documented model: "We strongly recommend storing this secret",
 * https://developers.asana.com/docs/webhooks-guide#the-webhook-handshake), or matches the stored one
 * (a repeated handshake); either way the header is echoed with 200, which completes the provider's
 * webhook creation. Another secret while one is stored is refused, so nobody who learns the
 * connection's URL can replace the secret; the vendor clears it (`DELETE
 * /v1/connections/{id}/webhook-secret`) before creating a new webhook. Neither value is logged.
 * @throws {PatchbayError} `conflict` (409) when the connection holds another secret.
 */
async function secretHandshake(ctx: AppContext, integration: ResolvedIntegration, connection: ConnectionView, offered: string): Promise<ProviderWebhookAnswer> {
  const outcome = await storeConnectionWebhookSecretOnFirstUse(ctx, connection, offered)
  const log = { integrationId: integration.row.id, connectorId: integration.connector.id, connectionId: connection.id }
  if (outcome === 'other') {
    ctx.log.warn(log, 'provider webhook secret handshake refused: the connection already has another secret')
    throw new PatchbayError('conflict', 'This connection already has a webhook secret: clear it (DELETE /v1/connections/{id}/webhook-secret) before creating another webhook for it')
  }
  ctx.log.info({ ...log, outcome }, 'provider webhook secret handshake answered')
  const h = integration.connector.webhooks!.secretHandshake!
  return { outcome: 'handshake', forwarded: 0, body: '', headers: 'header' in h ? { [h.header]: offered } : {} }
}

/**
 * Answers a body secret handshake (connectors/webhooks.ts `secretHandshake: { body }`, Notion's
 * one-time `{ "verification_token": … }`, https://developers.notion.com/reference/webhooks step 2):
 * the token becomes the integration's webhook secret when it has none, revealable once to the
 * vendor (services/integration-webhook-secret.ts), or matches the stored one (a repeated
 * handshake); either way 200 with no body. Another token while one is stored is refused, so nobody
 * who learns the URL can replace the secret; the vendor clears it (`PATCH /v1/integrations/{key}`
 * with `webhookSecret: null`) before creating a new subscription. Neither value is logged.
 * @throws {PatchbayError} `conflict` (409) when the integration holds another secret.
 */
async function integrationSecretHandshake(ctx: AppContext, integration: ResolvedIntegration, offered: string): Promise<ProviderWebhookAnswer> {
  const outcome = await storeIntegrationWebhookSecretOnFirstUse(ctx, integration.row, offered)
  const log = { integrationId: integration.row.id, connectorId: integration.connector.id }
  if (outcome === 'other') {
    ctx.log.warn(log, 'provider webhook secret handshake refused: the integration already has another secret')
    throw new PatchbayError('conflict', "This integration already has a webhook secret: clear it (PATCH /v1/integrations/{key} with webhookSecret: null) before creating another subscription")
  }
  ctx.log.info({ ...log, outcome }, 'provider webhook secret handshake answered; reveal it once with POST /v1/integrations/{key}/webhook-secret/reveal')
  return { outcome: 'handshake', forwarded: 0, body: '' }
}

/**
 * Verifies, answers or forwards one provider webhook.
 * @returns what to answer the provider: 200, or a bare 401 for `refused`.
 * @throws {PatchbayError} `not_found` (unknown or disabled integration, unknown connection or one of
 *   another integration, or a routed-only URL without a connection for a connector without routing);
 *   `webhooks_not_supported` (the connector declares no webhooks); `webhook_secret_missing` (409);
 *   `webhook_signature_invalid` (401: missing or wrong signature, stale or bad timestamp);
 *   `conflict` (409: a secret handshake offering another secret than the connection's or integration's).
 */
export async function receiveProviderWebhook(ctx: AppContext, req: ProviderWebhookRequest, opts: { now?: Date } = {}): Promise<ProviderWebhookAnswer> {
  const integration = await integrationFor(ctx, req.integrationId)
  const webhooks = integration.connector.webhooks
  if (!webhooks) throw new PatchbayError('webhooks_not_supported', `${integration.connector.name} (${integration.connector.id}) declares no incoming webhooks`)
  if (!webhooks.route && req.connectionId === undefined) throw new PatchbayError('not_found', `${integration.connector.name} webhooks go to one URL per connection: /v1/webhooks/providers/${integration.row.id}/{connectionId}`)

  // A connection named in the URL must belong to the integration (ids are random, so a 404 tells an
  // unauthenticated caller nothing it could use); a per-connection secret needs it anyway.
  const connection = req.connectionId !== undefined ? await connectionOf(ctx, integration, req.connectionId) : undefined
  const incoming: IncomingWebhook = { method: req.method, url: req.url, headers: req.headers, rawBody: req.rawBody }

  // A handshake that hands over the secret (Asana, Notion) comes before any secret exists, so it is not signed.
  // A header one stores a connection secret, so its connector has no route and `connection` is set (checked above).
  const offered = webhookSecretHandshake(webhooks, incoming)
  if (offered !== undefined) return 'body' in webhooks.secretHandshake! ? integrationSecretHandshake(ctx, integration, offered) : secretHandshake(ctx, integration, connection!, offered)

  const secret = await signingSecret(ctx, integration, connection)
  const verdict = verifyWebhookSignature(webhooks.signature, incoming, secret, opts)
  if (!verdict.ok) {
    ctx.log.info({ integrationId: integration.row.id, connectorId: integration.connector.id, reason: verdict.reason }, 'provider webhook refused')
    if (webhooks.refusal === 'empty') return { outcome: 'refused', forwarded: 0 }
    throw new PatchbayError('webhook_signature_invalid', `The webhook signature could not be verified (${verdict.reason.replace(/_/g, ' ')})`)
  }

  incoming.body = parseWebhookBody(req.rawBody, req.headers['content-type'])
  const handshake = webhookHandshake(webhooks, incoming, secret)
  if (handshake) return { outcome: 'handshake', forwarded: 0, contentType: handshake.contentType, body: handshake.body }

  const providerEventType = webhookEventType(webhooks, incoming) ?? null
  // Each connection with the body (and event type) it receives: a split batch gives each account
  // only its own elements (connectors/webhooks.ts, `route.split`).
  const targets: { connection: ConnectionView; body: unknown; providerEventType: string | null }[] = []
  if (connection) targets.push({ connection, body: incoming.body, providerEventType })
  else if (webhooks.route) {
    const parts = webhookRouteParts(webhooks.route, incoming, MAX_ROUTED_ACCOUNTS)
    for (const part of parts) {
      const type = part.body === incoming.body ? providerEventType : (webhookEventType(webhooks, { ...incoming, body: part.body }) ?? null)
      for (const c of await findConnectionsByConfigValue(ctx.db, integration.row.id, webhooks.route.connectionConfig, part.value, MAX_ROUTED_CONNECTIONS)) targets.push({ connection: c, body: part.body, providerEventType: type })
    }
  }
  if (!targets.length) {
    // Acknowledged (the provider would otherwise retry for days) but not forwarded. No secret, header or body is logged.
    ctx.log.info({ integrationId: integration.row.id, connectorId: integration.connector.id, providerEventType }, 'provider webhook matched no connection; acknowledged, not forwarded')
    return { outcome: 'unroutable', forwarded: 0 }
  }

  const receivedAt = (opts.now ?? new Date()).toISOString()
  const deliveries = await inTransaction(ctx.db, async (tx) => {
    const all: PendingDelivery[] = []
    for (const { connection: c, body, providerEventType } of targets) {
      const payload: ProviderWebhookPayload = { connectionId: c.id, integration: c.integrationKey, connectorId: c.connectorId, endUserId: c.endUserExternalId, providerEventType, body: body === undefined ? null : body, receivedAt }
      all.push(...(await recordEvent(tx, { environmentId: integration.row.environmentId, type: 'provider.webhook', payload })))
    }
    return all
  })
  await enqueueDeliveries(ctx, deliveries)
  return { outcome: 'forwarded', forwarded: targets.length }
}
