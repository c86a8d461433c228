/** The cache of custom fields found in connected accounts (`hooks.discoverFields`). */
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../client'
import { discoveredFields } from '../schema/index'

export type DiscoveredFieldsRow = typeof discoveredFields.$inferSelect

export function findDiscoveredFields(db: Db, connectionId: string, object: string): Promise<DiscoveredFieldsRow | undefined> {
  return db.query.discoveredFields.findFirst({ where: and(eq(discoveredFields.connectionId, connectionId), eq(discoveredFields.object, object)) })
}

/** Stores a successful discovery (`fields`), or a failed one (`error`: the previous list is kept). */
export async function saveDiscovery(db: Db, connectionId: string, object: string, outcome: { fields: Record<string, unknown> } | { error: string }): Promise<DiscoveredFieldsRow> {
  const now = new Date()
  const values = 'fields' in outcome ? { fields: outcome.fields, discoveredAt: now, attemptedAt: now, error: null } : { attemptedAt: now, error: outcome.error }
  const [row] = await db
    .insert(discoveredFields)
    .values({ connectionId, object, fields: 'fields' in outcome ? outcome.fields : {}, discoveredAt: 'fields' in outcome ? now : null, attemptedAt: now, error: 'error' in outcome ? outcome.error : null })
    .onConflictDoUpdate({ target: [discoveredFields.connectionId, discoveredFields.object], set: { ...values, fields: 'fields' in outcome ? outcome.fields : sql`${discoveredFields.fields}` } })
    .returning()
  return row!
}
