/** Vendor models of an environment. */
import { and, asc, eq, sql } from 'drizzle-orm'
import type { Db } from '../client'
import { vendorModels } from '../schema/index'

export type VendorModelRow = typeof vendorModels.$inferSelect

export function listModels(db: Db, environmentId: string): Promise<VendorModelRow[]> {
  return db.select().from(vendorModels).where(eq(vendorModels.environmentId, environmentId)).orderBy(asc(vendorModels.name))
}

export function findModel(db: Db, environmentId: string, name: string): Promise<VendorModelRow | undefined> {
  return db.query.vendorModels.findFirst({ where: and(eq(vendorModels.environmentId, environmentId), eq(vendorModels.name, name)) })
}

/**
 * Creates the model or replaces its definition; the version moves on only when the definition changed.
 * @returns the stored row and whether it was created.
 */
export async function upsertModel(db: Db, row: { id: string; environmentId: string; name: string; description: string | null; fields: VendorModelRow['fields'] }): Promise<{ row: VendorModelRow; created: boolean }> {
  const [r] = await db
    .insert(vendorModels)
    .values(row)
    .onConflictDoUpdate({
      target: [vendorModels.environmentId, vendorModels.name],
      set: {
        description: row.description,
        fields: row.fields,
        version: sql`case when ${vendorModels.fields} = excluded.fields and ${vendorModels.description} is not distinct from excluded.description then ${vendorModels.version} else ${vendorModels.version} + 1 end`,
        updatedAt: sql`now()`,
      },
    })
    .returning()
  return { row: r!, created: r!.id === row.id }
}

export async function deleteModel(db: Db, environmentId: string, name: string): Promise<boolean> {
  const rows = await db.delete(vendorModels).where(and(eq(vendorModels.environmentId, environmentId), eq(vendorModels.name, name))).returning({ id: vendorModels.id })
  return rows.length === 1
}
