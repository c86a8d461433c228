import { and, eq } from 'drizzle-orm'
import type { Db } from '../client'
import { dataKeys } from '../schema/index'

export type DataKeyRow = typeof dataKeys.$inferSelect

export function findDataKey(db: Db, id: string): Promise<DataKeyRow | undefined> {
  return db.query.dataKeys.findFirst({ where: eq(dataKeys.id, id) })
}

export function findActiveDataKey(db: Db, environmentId: string): Promise<DataKeyRow | undefined> {
  return db.query.dataKeys.findFirst({ where: and(eq(dataKeys.environmentId, environmentId), eq(dataKeys.active, true)) })
}

export async function insertDataKey(db: Db, row: typeof dataKeys.$inferInsert): Promise<void> {
  await db.insert(dataKeys).values(row)
}

export function listDataKeys(db: Db): Promise<DataKeyRow[]> {
  return db.select().from(dataKeys)
}

export async function updateWrappedKey(db: Db, id: string, wrappedKey: string, masterKeyId: string): Promise<void> {
  await db.update(dataKeys).set({ wrappedKey, masterKeyId }).where(eq(dataKeys.id, id))
}

/** Makes `id` the environment's only active data key. */
export async function activateDataKey(db: Db, environmentId: string, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(dataKeys).set({ active: false }).where(eq(dataKeys.environmentId, environmentId))
    await tx.update(dataKeys).set({ active: true }).where(eq(dataKeys.id, id))
  })
}
