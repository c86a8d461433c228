/**
 * The webhook outbox. A service that changes something webhooks report calls {@link recordEvent}
 * with the transaction of that change, so the event exists if and only if the change committed;
 * after the commit it calls {@link enqueueDeliveries}. If that send is lost (crash, database
 * blip), the sweep (`webhooks.sweep`, every minute) finds the overdue pending delivery: delivery
 * is at least once. See docs/decisions/0009-webhooks.md.
 */
import type { AppContext } from '../context'
import type { Db } from '../db/client'
import { insertEventWithDeliveries, listOverdueDeliveries } from '../db/queries/webhooks'
import { newId } from '../lib/ids'

/**
 * Event types. `mapping.updated`: a connection's field mapping changed; `mapping.applied`: the
 * connection's stored records were re-emitted in the change feed in the shape of the mapping now in
 * effect (after a change of its own mapping or of the integration's default), with the same
 * `changes` as `sync.succeeded`, so one handler reads the feed for both. `provider.webhook`: a
 * provider's own webhook, verified and routed to a connection (services/provider-webhooks.ts).
 */
export const WEBHOOK_EVENT_TYPES = ['connection.created', 'connection.needs_reauth', 'connection.deleted', 'sync.succeeded', 'sync.failed', 'mapping.updated', 'mapping.applied', 'provider.webhook'] as const
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number]

/** A delivery created in a transaction, to enqueue once it committed. */
export interface PendingDelivery {
  id: string
  endpointId: string
}

export const DELIVER_QUEUE = 'webhooks.deliver'
export const SWEEP_QUEUE = 'webhooks.sweep'

/** What a `webhooks.deliver` job carries. `key` also names the job (see {@link enqueueDelivery}). */
export interface DeliverJob {
  deliveryId: string
}

/**
 * Inserts an event (the outbox row) and one pending delivery per enabled endpoint subscribed to
 * `type`, inside the caller's transaction. No I/O but these inserts.
 * @returns the deliveries to pass to {@link enqueueDeliveries} after the commit.
 */
export function recordEvent(tx: Db, event: { environmentId: string; type: WebhookEventType; payload: object }): Promise<PendingDelivery[]> {
  return insertEventWithDeliveries(tx, { id: newId('evt'), ...event, payload: event.payload as Record<string, unknown> }, () => newId('whd'))
}

/**
 * Queues one delivery job. The queue's policy is `short` keyed by `<deliveryId>:<attempts made>`:
 * at most one queued job per pending attempt, so the sweep and a retry never pile up jobs for the
 * same attempt. `suffix` distinguishes a manual redelivery from a retry already scheduled later.
 * Never throws: a lost job is found again by the sweep.
 */
export async function enqueueDelivery(ctx: AppContext, deliveryId: string, attemptsMade: number, opts: { inSeconds?: number; suffix?: string } = {}): Promise<void> {
  try {
    await ctx.jobs.send<DeliverJob>(DELIVER_QUEUE, { deliveryId }, { singletonKey: `${deliveryId}:${attemptsMade}${opts.suffix ? `:${opts.suffix}` : ''}`, ...(opts.inSeconds ? { startAfter: opts.inSeconds } : {}) })
  } catch (err) {
    ctx.log.warn({ deliveryId, err: (err as Error).message }, 'webhook delivery not queued; the sweep will pick it up')
  }
}

/** Queues the deliveries of committed events (first attempts). */
export async function enqueueDeliveries(ctx: AppContext, deliveries: PendingDelivery[]): Promise<void> {
  for (const d of deliveries) await enqueueDelivery(ctx, d.id, 0)
}

/**
 * Re-queues pending deliveries overdue by more than `graceSeconds` (default 60): their job was
 * lost between commit and send, or the worker running it died. Harmless when the job still
 * exists: the `short` policy refuses a second queued job, and an attempt first claims the delivery.
 * @returns how many were re-queued.
 */
export async function sweepWebhookDeliveries(ctx: AppContext, opts: { graceSeconds?: number; limit?: number } = {}): Promise<number> {
  const overdue = await listOverdueDeliveries(ctx.db, opts.graceSeconds ?? 60, opts.limit ?? 500)
  for (const d of overdue) await enqueueDelivery(ctx, d.id, d.attempts)
  if (overdue.length) ctx.log.info({ count: overdue.length }, 'webhook sweep re-queued overdue deliveries')
  return overdue.length
}
