/**
 * Webhook endpoints, the outbox (events), deliveries and the delivery log. Times that decide
 * when an attempt is due use the database clock (`now()`), the same clock as the job engine.
 */
import { and, asc, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm'
import { inTransaction, type Db } from '../client'
import { webhookAttempts, webhookDeliveries, webhookEndpoints, webhookEvents, type WebhookDeliveryStatus } from '../schema/index'

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect
export type WebhookAttemptRow = typeof webhookAttempts.$inferSelect
export type WebhookEventRow = typeof webhookEvents.$inferSelect

export async function insertEndpoint(db: Db, row: typeof webhookEndpoints.$inferInsert): Promise<WebhookEndpointRow> {
  const [r] = await db.insert(webhookEndpoints).values(row).returning()
  return r!
}

export function findEndpoint(db: Db, environmentId: string, id: string): Promise<WebhookEndpointRow | undefined> {
  return db.query.webhookEndpoints.findFirst({ where: and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.environmentId, environmentId)) })
}

export function listEndpoints(db: Db, environmentId: string): Promise<WebhookEndpointRow[]> {
  return db.select().from(webhookEndpoints).where(eq(webhookEndpoints.environmentId, environmentId)).orderBy(asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id))
}

export async function updateEndpoint(db: Db, environmentId: string, id: string, patch: Partial<Pick<WebhookEndpointRow, 'url' | 'events' | 'description' | 'enabled' | 'secretEnc'>>): Promise<WebhookEndpointRow | undefined> {
  const [r] = await db
    .update(webhookEndpoints)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.environmentId, environmentId)))
    .returning()
  return r
}

/** Every endpoint's encrypted signing secret (key rotation). */
export function listEndpointSecrets(db: Db): Promise<{ id: string; environmentId: string; secretEnc: string }[]> {
  return db.select({ id: webhookEndpoints.id, environmentId: webhookEndpoints.environmentId, secretEnc: webhookEndpoints.secretEnc }).from(webhookEndpoints)
}

/** Replaces an endpoint's encrypted secret if it is still `previous` (a secret rotated meanwhile wins). @returns whether it was replaced. */
export async function rewriteEndpointSecret(db: Db, id: string, previous: string, secretEnc: string): Promise<boolean> {
  const rows = await db.update(webhookEndpoints).set({ secretEnc }).where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.secretEnc, previous))).returning({ id: webhookEndpoints.id })
  return rows.length > 0
}

export async function deleteEndpoint(db: Db, environmentId: string, id: string): Promise<boolean> {
  const rows = await db.delete(webhookEndpoints).where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.environmentId, environmentId))).returning({ id: webhookEndpoints.id })
  return rows.length === 1
}

/**
 * Inserts an event and one pending delivery, due now, per enabled endpoint of the environment
 * subscribed to its type (an empty `events` list subscribes to all).
 * @returns the deliveries created (possibly none).
 */
export async function insertEventWithDeliveries(
  tx: Db,
  event: { id: string; environmentId: string; type: string; payload: Record<string, unknown> },
  newDeliveryId: () => string,
): Promise<{ id: string; endpointId: string }[]> {
  await tx.insert(webhookEvents).values(event)
  const endpoints = await tx
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.environmentId, event.environmentId), eq(webhookEndpoints.enabled, true), sql`(cardinality(${webhookEndpoints.events}) = 0 OR ${event.type} = ANY(${webhookEndpoints.events}))`))
  if (endpoints.length === 0) return []
  const rows = endpoints.map((e) => ({ id: newDeliveryId(), eventId: event.id, endpointId: e.id, status: 'pending' as const, nextAttemptAt: sql`now()` }))
  await tx.insert(webhookDeliveries).values(rows as never)
  return rows.map((r) => ({ id: r.id, endpointId: r.endpointId }))
}

/**
 * Claims a due pending delivery for one attempt: counts the attempt and moves `next_attempt_at`
 * to the end of a lease, so a duplicate job (or the sweep) does not attempt it at the same time.
 * @returns the delivery with its event and endpoint, or undefined when it is not pending or not due.
 */
export async function claimDelivery(db: Db, id: string, leaseSeconds: number) {
  const [d] = await db
    .update(webhookDeliveries)
    .set({ attempts: sql`${webhookDeliveries.attempts} + 1`, nextAttemptAt: sql`now() + make_interval(secs => ${leaseSeconds})`, updatedAt: new Date() })
    .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.status, 'pending'), sql`${webhookDeliveries.nextAttemptAt} <= now() + interval '1 second'`))
    .returning()
  if (!d) return undefined
  const [row] = await db
    .select({ event: webhookEvents, endpoint: webhookEndpoints })
    .from(webhookEvents)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, d.endpointId))
    .where(eq(webhookEvents.id, d.eventId))
  return row && { delivery: d, event: row.event, endpoint: row.endpoint }
}

/** Logs an attempt and sets the delivery's outcome: succeeded, failed, or pending again in `retryInSeconds`. */
export async function finishAttempt(
  db: Db,
  attempt: typeof webhookAttempts.$inferInsert,
  outcome: { status: WebhookDeliveryStatus; retryInSeconds?: number; statusCode: number | null; error: string | null },
): Promise<void> {
  await inTransaction(db, async (tx) => {
    await tx.insert(webhookAttempts).values(attempt).onConflictDoNothing()
    await tx
      .update(webhookDeliveries)
      .set({
        status: outcome.status,
        nextAttemptAt: outcome.status === 'pending' ? sql`now() + make_interval(secs => ${outcome.retryInSeconds ?? 0})` : null,
        retryStep: outcome.status === 'pending' ? sql`${webhookDeliveries.retryStep} + 1` : webhookDeliveries.retryStep,
        lastStatusCode: outcome.statusCode,
        lastError: outcome.error,
        updatedAt: new Date(),
      })
      .where(eq(webhookDeliveries.id, attempt.deliveryId))
  })
}

/** Makes a delivery pending and due now, with a fresh retry schedule (redelivery). */
export async function resetDelivery(db: Db, environmentId: string, id: string): Promise<WebhookDeliveryRow | undefined> {
  const [d] = await db
    .update(webhookDeliveries)
    .set({ status: 'pending', retryStep: 0, nextAttemptAt: sql`now()`, updatedAt: new Date() })
    .where(and(eq(webhookDeliveries.id, id), inArray(webhookDeliveries.endpointId, db.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(eq(webhookEndpoints.environmentId, environmentId)))))
    .returning()
  return d
}

/** Pending deliveries overdue by more than `graceSeconds`: their job was lost (crash between commit and send, worker died). */
export async function listOverdueDeliveries(db: Db, graceSeconds: number, limit: number): Promise<{ id: string; attempts: number }[]> {
  return db
    .select({ id: webhookDeliveries.id, attempts: webhookDeliveries.attempts })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.status, 'pending'), lt(webhookDeliveries.nextAttemptAt, sql`now() - make_interval(secs => ${graceSeconds})`)))
    .orderBy(asc(webhookDeliveries.nextAttemptAt))
    .limit(limit)
}

export interface DeliveryFilter {
  environmentId: string
  endpointId?: string | undefined
  eventType?: string | undefined
  status?: WebhookDeliveryStatus | undefined
  /** Newest first: ids below this one. */
  beforeId?: string | undefined
  limit: number
}

export type DeliveryView = WebhookDeliveryRow & { eventType: string; eventCreatedAt: Date; attemptsLog: WebhookAttemptRow[] }

/** Deliveries of the environment, newest first, each with its attempts (oldest first). */
export async function listDeliveries(db: Db, f: DeliveryFilter): Promise<DeliveryView[]> {
  const where: SQL[] = [eq(webhookEndpoints.environmentId, f.environmentId)]
  if (f.endpointId) where.push(eq(webhookDeliveries.endpointId, f.endpointId))
  if (f.eventType) where.push(eq(webhookEvents.type, f.eventType))
  if (f.status) where.push(eq(webhookDeliveries.status, f.status))
  if (f.beforeId) {
    const [cursor] = await db.select({ createdAt: webhookDeliveries.createdAt }).from(webhookDeliveries).where(eq(webhookDeliveries.id, f.beforeId))
    if (!cursor) return []
    where.push(or(lt(webhookDeliveries.createdAt, cursor.createdAt), and(eq(webhookDeliveries.createdAt, cursor.createdAt), lt(webhookDeliveries.id, f.beforeId)))!)
  }
  const rows = await db
    .select({ d: webhookDeliveries, eventType: webhookEvents.type, eventCreatedAt: webhookEvents.createdAt })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(and(...where))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(f.limit)
  const ids = rows.map((r) => r.d.id)
  const attempts = ids.length ? await db.select().from(webhookAttempts).where(inArray(webhookAttempts.deliveryId, ids)).orderBy(asc(webhookAttempts.attempt)) : []
  return rows.map((r) => ({ ...r.d, eventType: r.eventType, eventCreatedAt: r.eventCreatedAt, attemptsLog: attempts.filter((a) => a.deliveryId === r.d.id) }))
}

export async function findDelivery(db: Db, environmentId: string, id: string): Promise<DeliveryView | undefined> {
  const rows = await db
    .select({ d: webhookDeliveries, eventType: webhookEvents.type, eventCreatedAt: webhookEvents.createdAt })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(and(eq(webhookDeliveries.id, id), eq(webhookEndpoints.environmentId, environmentId)))
  const r = rows[0]
  if (!r) return undefined
  const attemptsLog = await db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, id)).orderBy(asc(webhookAttempts.attempt))
  return { ...r.d, eventType: r.eventType, eventCreatedAt: r.eventCreatedAt, attemptsLog }
}

