import { and, asc, eq, isNotNull, isNull } from 'drizzle-orm'
import type { Db } from '../client'
import { integrations } from '../schema/index'

export type IntegrationRow = typeof integrations.$inferSelect
export type NewIntegration = typeof integrations.$inferInsert

export function listIntegrations(db: Db, environmentId: string): Promise<IntegrationRow[]> {
  return db.select().from(integrations).where(eq(integrations.environmentId, environmentId)).orderBy(asc(integrations.key))
}

export function findIntegrationByKey(db: Db, environmentId: string, key: string): Promise<IntegrationRow | undefined> {
  return db.query.integrations.findFirst({ where: and(eq(integrations.environmentId, environmentId), eq(integrations.key, key)) })
}

export function findIntegrationById(db: Db, id: string): Promise<IntegrationRow | undefined> {
  return db.query.integrations.findFirst({ where: eq(integrations.id, id) })
}

/** Inserts unless the key exists; returns whether a row was inserted. */
export async function insertIntegration(db: Db, row: NewIntegration): Promise<boolean> {
  const inserted = await db.insert(integrations).values(row).onConflictDoNothing().returning({ id: integrations.id })
  return inserted.length === 1
}

export async function updateIntegration(db: Db, id: string, patch: Partial<NewIntegration>): Promise<void> {
  await db.update(integrations).set({ ...patch, updatedAt: new Date() }).where(eq(integrations.id, id))
}

export async function deleteIntegration(db: Db, id: string): Promise<void> {
  await db.delete(integrations).where(eq(integrations.id, id))
}

/** Integrations holding a client secret ciphertext, for key rotation. */
export async function listIntegrationSecrets(db: Db): Promise<{ id: string; environmentId: string; clientSecretEnc: string }[]> {
  const rows = await db.select({ id: integrations.id, environmentId: integrations.environmentId, clientSecretEnc: integrations.clientSecretEnc }).from(integrations)
  return rows.filter((r): r is { id: string; environmentId: string; clientSecretEnc: string } => !!r.clientSecretEnc)
}

export async function setIntegrationSecret(db: Db, id: string, clientSecretEnc: string): Promise<void> {
  await db.update(integrations).set({ clientSecretEnc }).where(eq(integrations.id, id))
}

/** Integrations holding a provider webhook secret ciphertext, for key rotation. */
export async function listIntegrationWebhookSecrets(db: Db): Promise<{ id: string; environmentId: string; webhookSecretEnc: string }[]> {
  const rows = await db.select({ id: integrations.id, environmentId: integrations.environmentId, webhookSecretEnc: integrations.webhookSecretEnc }).from(integrations).where(isNotNull(integrations.webhookSecretEnc))
  return rows.filter((r): r is { id: string; environmentId: string; webhookSecretEnc: string } => !!r.webhookSecretEnc)
}

/** Replaces a provider webhook secret ciphertext only if it is still `expected` (a concurrent PATCH wins); returns whether it did. */
export async function setIntegrationWebhookSecret(db: Db, id: string, expected: string, webhookSecretEnc: string): Promise<boolean> {
  const rows = await db.update(integrations).set({ webhookSecretEnc }).where(and(eq(integrations.id, id), eq(integrations.webhookSecretEnc, expected))).returning({ id: integrations.id })
  return rows.length === 1
}

/**
 * Stores a provider webhook secret ciphertext that a secret handshake delivered (Notion's
 * `verification_token`), only while the integration has none (compare-and-swap on `NULL`, so of
 * two concurrent handshakes exactly one wins), and marks it revealable once.
 * @returns whether it was stored.
 */
export async function setIntegrationWebhookSecretIfUnset(db: Db, id: string, webhookSecretEnc: string): Promise<boolean> {
  const rows = await db
    .update(integrations)
    .set({ webhookSecretEnc, webhookSecretRevealable: true, updatedAt: new Date() })
    .where(and(eq(integrations.id, id), isNull(integrations.webhookSecretEnc)))
    .returning({ id: integrations.id })
  return rows.length === 1
}

/**
 * Takes the one reveal of a handshake-stored webhook secret: clears `webhook_secret_revealable` if
 * it is set and a secret is stored, atomically, so two concurrent calls cannot both get it.
 * @returns the ciphertext to decrypt, or `undefined` when there is nothing to reveal.
 */
export async function takeIntegrationWebhookSecretReveal(db: Db, id: string): Promise<string | undefined> {
  const rows = await db
    .update(integrations)
    .set({ webhookSecretRevealable: false, updatedAt: new Date() })
    .where(and(eq(integrations.id, id), eq(integrations.webhookSecretRevealable, true), isNotNull(integrations.webhookSecretEnc)))
    .returning({ webhookSecretEnc: integrations.webhookSecretEnc })
  return rows[0]?.webhookSecretEnc ?? undefined
}
