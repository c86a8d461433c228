/** Field mappings: integration defaults (`connection_id` null) and connections' own. */
import { and, asc, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from '../client'
import { fieldMappings } from '../schema/index'

export type FieldMappingRow = typeof fieldMappings.$inferSelect

const scope = (integrationId: string, connectionId: string | null) =>
  and(eq(fieldMappings.integrationId, integrationId), connectionId === null ? isNull(fieldMappings.connectionId) : eq(fieldMappings.connectionId, connectionId))

export function findMapping(db: Db, integrationId: string, connectionId: string | null, object: string): Promise<FieldMappingRow | undefined> {
  return db.query.fieldMappings.findFirst({ where: and(scope(integrationId, connectionId), eq(fieldMappings.object, object)) })
}

export function listMappings(db: Db, integrationId: string, connectionId: string | null): Promise<FieldMappingRow[]> {
  return db.select().from(fieldMappings).where(scope(integrationId, connectionId)).orderBy(asc(fieldMappings.object))
}

/**
 * Creates or replaces a mapping; the version moves on only when the model or fields changed.
 * Call inside a transaction (read, then write). @returns the stored row and whether it changed.
 */
export async function saveMapping(tx: Db, row: { id: string; environmentId: string; integrationId: string; connectionId: string | null; object: string; model: string; fields: Record<string, unknown> }): Promise<{ row: FieldMappingRow; changed: boolean }> {
  const existing = await findMapping(tx, row.integrationId, row.connectionId, row.object)
  if (!existing) {
    const [r] = await tx.insert(fieldMappings).values(row).returning()
    return { row: r!, changed: true }
  }
  const [r] = await tx
    .update(fieldMappings)
    .set({
      model: row.model,
      fields: row.fields,
      version: sql`case when ${fieldMappings.model} = ${row.model} and ${fieldMappings.fields} = ${JSON.stringify(row.fields)}::jsonb then ${fieldMappings.version} else ${fieldMappings.version} + 1 end`,
      updatedAt: sql`now()`,
    })
    .where(eq(fieldMappings.id, existing.id))
    .returning()
  return { row: r!, changed: r!.version !== existing.version }
}

export async function deleteMapping(db: Db, integrationId: string, connectionId: string | null, object: string): Promise<boolean> {
  const rows = await db.delete(fieldMappings).where(and(scope(integrationId, connectionId), eq(fieldMappings.object, object))).returning({ id: fieldMappings.id })
  return rows.length === 1
}

/** Connections of an integration that have their own mapping of `object`. */
export function listConnectionsWithOwnMapping(db: Db, integrationId: string, object: string): Promise<{ connectionId: string | null }[]> {
  return db.select({ connectionId: fieldMappings.connectionId }).from(fieldMappings).where(and(eq(fieldMappings.integrationId, integrationId), eq(fieldMappings.object, object), sql`connection_id is not null`))
}
