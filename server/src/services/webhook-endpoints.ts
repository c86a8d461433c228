/**
 * Webhook endpoints (per environment) and the delivery log: create, list, change, delete,
 * rotate the signing secret, list deliveries, redeliver.
 */
import { randomBytes } from 'node:crypto'
import type { AppContext } from '../context'
import * as q from '../db/queries/webhooks'
import type { WebhookDeliveryStatus } from '../db/schema/index'
import { notFound, PatchbayError } from '../lib/errors'
import { newId } from '../lib/ids'
import { enqueueDelivery, type WebhookEventType } from './webhook-outbox'
import { pageOf } from '../lib/pages'

export type WebhookEndpointRow = q.WebhookEndpointRow
export type DeliveryView = q.DeliveryView

/** A new signing secret: `whsec_` and 24 random bytes in base64 (the Standard Webhooks format). */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`
}

/** The encryption context (AAD) of an endpoint's signing secret. */
export const endpointSecretContext = (endpointId: string) => `${endpointId}:webhook_secret`

function checkUrl(url: string): void {
  const u = new URL(url)
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new PatchbayError('invalid_request', 'The endpoint URL must be http(s)', { errors: [{ path: 'url', message: 'must be an http(s) URL' }] })
  if (u.username || u.password) throw new PatchbayError('invalid_request', 'The endpoint URL must not contain credentials', { errors: [{ path: 'url', message: 'must not contain user:password' }] })
}

/** Creates an endpoint. @returns the endpoint and its secret (shown this once). */
export async function createWebhookEndpoint(ctx: AppContext, environmentId: string, input: { url: string; events?: WebhookEventType[] | undefined; description?: string | null | undefined; enabled?: boolean | undefined }): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
  checkUrl(input.url)
  const id = newId('whe')
  const secret = generateWebhookSecret()
  const endpoint = await q.insertEndpoint(ctx.db, {
    id,
    environmentId,
    url: input.url,
    events: [...new Set(input.events ?? [])],
    secretEnc: await ctx.secrets.encrypt(environmentId, secret, endpointSecretContext(id)),
    description: input.description ?? null,
    enabled: input.enabled ?? true,
  })
  return { endpoint, secret }
}

export function listWebhookEndpoints(ctx: AppContext, environmentId: string): Promise<WebhookEndpointRow[]> {
  return q.listEndpoints(ctx.db, environmentId)
}

/** @throws {PatchbayError} `not_found`. */
export async function getWebhookEndpoint(ctx: AppContext, environmentId: string, id: string): Promise<WebhookEndpointRow> {
  const e = await q.findEndpoint(ctx.db, environmentId, id)
  if (!e) throw notFound('Webhook endpoint', id)
  return e
}

/** Changes the fields given; `description: null` clears it. Pending deliveries keep going to the new URL. */
export async function updateWebhookEndpoint(ctx: AppContext, environmentId: string, id: string, patch: { url?: string | undefined; events?: WebhookEventType[] | undefined; description?: string | null | undefined; enabled?: boolean | undefined }): Promise<WebhookEndpointRow> {
  if (patch.url !== undefined) checkUrl(patch.url)
  const set: Parameters<typeof q.updateEndpoint>[3] = {}
  if (patch.url !== undefined) set.url = patch.url
  if (patch.events !== undefined) set.events = [...new Set(patch.events)]
  if (patch.description !== undefined) set.description = patch.description
  if (patch.enabled !== undefined) set.enabled = patch.enabled
  const e = await q.updateEndpoint(ctx.db, environmentId, id, set)
  if (!e) throw notFound('Webhook endpoint', id)
  return e
}

/** Deletes an endpoint with its deliveries and their log. */
export async function deleteWebhookEndpoint(ctx: AppContext, environmentId: string, id: string): Promise<void> {
  if (!(await q.deleteEndpoint(ctx.db, environmentId, id))) throw notFound('Webhook endpoint', id)
}

/**
 * Replaces the signing secret at once: attempts from now on are signed with the new one only.
 * @returns the endpoint and its new secret (shown this once).
 */
export async function rotateWebhookSecret(ctx: AppContext, environmentId: string, id: string): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
  await getWebhookEndpoint(ctx, environmentId, id)
  const secret = generateWebhookSecret()
  const endpoint = await q.updateEndpoint(ctx.db, environmentId, id, { secretEnc: await ctx.secrets.encrypt(environmentId, secret, endpointSecretContext(id)) })
  if (!endpoint) throw notFound('Webhook endpoint', id)
  return { endpoint, secret }
}

export interface ListDeliveriesInput {
  endpointId?: string | undefined
  eventType?: WebhookEventType | undefined
  status?: WebhookDeliveryStatus | undefined
  cursor?: string | undefined
  limit: number
}

/** A page of deliveries, newest first, with their attempts. */
export async function listWebhookDeliveries(ctx: AppContext, environmentId: string, input: ListDeliveriesInput): Promise<{ data: DeliveryView[]; nextCursor: string | null }> {
  const rows = await q.listDeliveries(ctx.db, { environmentId, endpointId: input.endpointId, eventType: input.eventType, status: input.status, beforeId: input.cursor, limit: input.limit + 1 })
  return pageOf(rows, input.limit, (r) => r.id)
}

/**
 * Queues a new attempt now, whatever the delivery's state (failed, succeeded or waiting for a
 * retry), with a fresh retry schedule.
 * @throws {PatchbayError} `not_found`.
 */
export async function redeliverWebhook(ctx: AppContext, environmentId: string, id: string): Promise<DeliveryView> {
  const d = await q.resetDelivery(ctx.db, environmentId, id)
  if (!d) throw notFound('Webhook delivery', id)
  await enqueueDelivery(ctx, d.id, d.attempts, { suffix: 'redeliver' })
  return (await q.findDelivery(ctx.db, environmentId, id))!
}
