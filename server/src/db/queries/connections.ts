import { and, asc, eq, gt, isNotNull, isNull, lt, ne, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../client'
import { connections, endUsers, integrations, type ConnectionStatus } from '../schema/index'

export type ConnectionRow = typeof connections.$inferSelect
export type NewConnection = typeof connections.$inferInsert

/** A connection with the keys the API shows: its integration's key and its end user's vendor id. */
export interface ConnectionView extends ConnectionRow {
  integrationKey: string
  connectorId: string
  endUserExternalId: string
}

const viewColumns = { row: connections, integrationKey: integrations.key, connectorId: integrations.connectorId, endUserExternalId: endUsers.externalId }

function selectView(db: Db) {
  return db
    .select(viewColumns)
    .from(connections)
    .innerJoin(integrations, eq(integrations.id, connections.integrationId))
    .innerJoin(endUsers, eq(endUsers.id, connections.endUserId))
}

const flatten = (r: { row: ConnectionRow; integrationKey: string; connectorId: string; endUserExternalId: string }): ConnectionView => ({
  ...r.row,
  integrationKey: r.integrationKey,
  connectorId: r.connectorId,
  endUserExternalId: r.endUserExternalId,
})

export async function insertConnection(db: Db, row: NewConnection): Promise<void> {
  await db.insert(connections).values(row)
}

/** The connection `id` if it belongs to `environmentId`. */
export async function findConnection(db: Db, environmentId: string, id: string): Promise<ConnectionView | undefined> {
  const rows = await selectView(db).where(and(eq(connections.id, id), eq(connections.environmentId, environmentId))).limit(1)
  return rows[0] && flatten(rows[0])
}

export interface ConnectionFilter {
  environmentId: string
  endUserId?: string | undefined
  integrationId?: string | undefined
  status?: ConnectionStatus | undefined
  afterId?: string | undefined
  limit: number
}

export async function listConnections(db: Db, f: ConnectionFilter): Promise<ConnectionView[]> {
  const where: SQL[] = [eq(connections.environmentId, f.environmentId)]
  if (f.endUserId) where.push(eq(connections.endUserId, f.endUserId))
  if (f.integrationId) where.push(eq(connections.integrationId, f.integrationId))
  if (f.status) where.push(eq(connections.status, f.status))
  if (f.afterId) where.push(gt(connections.id, f.afterId))
  const rows = await selectView(db).where(and(...where)).orderBy(asc(connections.id)).limit(f.limit)
  return rows.map(flatten)
}

export async function setConnectionStatus(db: Db, id: string, status: ConnectionStatus, statusReason: string | null): Promise<void> {
  await db.update(connections).set({ status, statusReason, updatedAt: new Date() }).where(eq(connections.id, id))
}

/**
 * Sets the status only if it differs from the current one (an atomic transition).
 * @returns the connection's environment when the status changed, else undefined.
 */
export async function changeConnectionStatus(db: Db, id: string, status: ConnectionStatus, statusReason: string | null): Promise<{ environmentId: string } | undefined> {
  const rows = await db
    .update(connections)
    .set({ status, statusReason, updatedAt: new Date() })
    .where(and(eq(connections.id, id), ne(connections.status, status)))
    .returning({ environmentId: connections.environmentId })
  return rows[0]
}

/** Replaces credentials after a re-authorization (same connection id), back to `active`. */
export async function replaceConnectionCredentials(db: Db, id: string, patch: Pick<NewConnection, 'credentialsEnc' | 'expiresAt' | 'scopes' | 'connectionConfig' | 'accountLabel'>): Promise<void> {
  await db
    .update(connections)
    .set({ ...patch, status: 'active', statusReason: null, credentialsVersion: sql`${connections.credentialsVersion} + 1`, lastVerifiedAt: new Date(), updatedAt: new Date() })
    .where(eq(connections.id, id))
}

/**
 * Takes the refresh lease of a connection if nobody holds a live one (compare-and-swap).
 * @param leaseMs how long the lease lasts if its holder dies (ms).
 * @returns the row as it is under the lease, or undefined when another process holds it.
 */
export async function acquireRefreshLease(db: Db, id: string, owner: string, leaseMs: number): Promise<ConnectionRow | undefined> {
  const now = new Date()
  const rows = await db
    .update(connections)
    .set({ refreshLeaseOwner: owner, refreshLeaseUntil: new Date(now.getTime() + leaseMs) })
    .where(and(eq(connections.id, id), or(isNull(connections.refreshLeaseUntil), lt(connections.refreshLeaseUntil, now))))
    .returning()
  return rows[0]
}

/**
 * Stores refreshed credentials and releases the lease, only if `owner` still holds it and the
 * credentials are still at `expectedVersion`. Returns false if the write lost the race.
 */
export async function storeRefreshedCredentials(
  db: Db,
  id: string,
  owner: string,
  expectedVersion: number,
  patch: Pick<NewConnection, 'credentialsEnc' | 'expiresAt'> & { scopes?: string[] },
): Promise<boolean> {
  const now = new Date()
  const rows = await db
    .update(connections)
    .set({ ...patch, credentialsVersion: expectedVersion + 1, refreshLeaseOwner: null, refreshLeaseUntil: null, lastRefreshedAt: now, updatedAt: now })
    .where(and(eq(connections.id, id), eq(connections.refreshLeaseOwner, owner), eq(connections.credentialsVersion, expectedVersion)))
    .returning({ id: connections.id })
  return rows.length === 1
}

export async function releaseRefreshLease(db: Db, id: string, owner: string): Promise<void> {
  await db.update(connections).set({ refreshLeaseOwner: null, refreshLeaseUntil: null }).where(and(eq(connections.id, id), eq(connections.refreshLeaseOwner, owner)))
}

export function findConnectionRow(db: Db, id: string): Promise<ConnectionRow | undefined> {
  return db.query.connections.findFirst({ where: eq(connections.id, id) })
}

export async function deleteConnection(db: Db, id: string): Promise<void> {
  await db.delete(connections).where(eq(connections.id, id))
}

/** Rows holding ciphertexts, for key rotation. */
export function listConnectionSecrets(db: Db) {
  return db.select({ id: connections.id, environmentId: connections.environmentId, credentialsEnc: connections.credentialsEnc, credentialsVersion: connections.credentialsVersion }).from(connections)
}

/** Re-encrypted credentials written only if they did not change meanwhile. */
export async function rewriteConnectionSecret(db: Db, id: string, version: number, credentialsEnc: string): Promise<boolean> {
  const rows = await db.update(connections).set({ credentialsEnc }).where(and(eq(connections.id, id), eq(connections.credentialsVersion, version))).returning({ id: connections.id })
  return rows.length === 1
}

/** Sets (a ciphertext) or clears (`null`) a connection's provider webhook signing secret. */
export async function setConnectionWebhookSecret(db: Db, id: string, webhookSecretEnc: string | null): Promise<void> {
  await db.update(connections).set({ webhookSecretEnc, updatedAt: new Date() }).where(eq(connections.id, id))
}

/**
 * Sets a connection's provider webhook secret only if it has none (compare-and-swap on `NULL`), for
 * trust-on-first-use handshakes (Asana): of two concurrent handshakes exactly one is stored.
 * @returns whether this ciphertext was stored.
 */
export async function setConnectionWebhookSecretIfUnset(db: Db, id: string, webhookSecretEnc: string): Promise<boolean> {
  const rows = await db.update(connections).set({ webhookSecretEnc, updatedAt: new Date() }).where(and(eq(connections.id, id), isNull(connections.webhookSecretEnc))).returning({ id: connections.id })
  return rows.length === 1
}

/** Connections holding a provider webhook secret, for key rotation. */
export async function listConnectionWebhookSecrets(db: Db): Promise<{ id: string; environmentId: string; webhookSecretEnc: string }[]> {
  const rows = await db.select({ id: connections.id, environmentId: connections.environmentId, webhookSecretEnc: connections.webhookSecretEnc }).from(connections).where(isNotNull(connections.webhookSecretEnc))
  return rows.filter((r): r is { id: string; environmentId: string; webhookSecretEnc: string } => !!r.webhookSecretEnc)
}

/** A re-encrypted webhook secret, written only if the ciphertext is still `expected` (compare-and-swap: a concurrent PUT or DELETE wins). */
export async function rewriteConnectionWebhookSecret(db: Db, id: string, expected: string, webhookSecretEnc: string): Promise<boolean> {
  const rows = await db.update(connections).set({ webhookSecretEnc }).where(and(eq(connections.id, id), eq(connections.webhookSecretEnc, expected))).returning({ id: connections.id })
  return rows.length === 1
}

export async function listConnectionIdsOfIntegration(db: Db, integrationId: string): Promise<string[]> {
  return (await db.select({ id: connections.id }).from(connections).where(eq(connections.integrationId, integrationId))).map((r) => r.id)
}

export async function listConnectionIdsOfEndUser(db: Db, endUserId: string): Promise<string[]> {
  return (await db.select({ id: connections.id }).from(connections).where(eq(connections.endUserId, endUserId))).map((r) => r.id)
}

/**
 * Connections of an integration whose connection config has `key` = `value` (routing incoming
 * provider webhooks; uses the `connections_config` GIN index), oldest first, at most `limit`.
 */
export async function findConnectionsByConfigValue(db: Db, integrationId: string, key: string, value: string, limit: number): Promise<ConnectionView[]> {
  const rows = await selectView(db)
    .where(and(eq(connections.integrationId, integrationId), sql`${connections.connectionConfig} @> ${JSON.stringify({ [key]: value })}::jsonb`))
    .orderBy(asc(connections.createdAt), asc(connections.id))
    .limit(limit)
  return rows.map(flatten)
}
