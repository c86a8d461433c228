import { and, asc, eq, gt, sql } from 'drizzle-orm'
import type { Db } from '../client'
import { endUsers } from '../schema/index'

export type EndUserRow = typeof endUsers.$inferSelect

/** Creates or updates the end user with the vendor's id; returns the stored row. */
export async function upsertEndUser(db: Db, row: typeof endUsers.$inferInsert): Promise<EndUserRow> {
  const [stored] = await db
    .insert(endUsers)
    .values(row)
    .onConflictDoUpdate({
      target: [endUsers.environmentId, endUsers.externalId],
      // Absent fields keep their stored values.
      set: { email: sql`coalesce(excluded.email, ${endUsers.email})`, displayName: sql`coalesce(excluded.display_name, ${endUsers.displayName})`, updatedAt: new Date() },
    })
    .returning()
  return stored!
}

export function findEndUserByExternalId(db: Db, environmentId: string, externalId: string): Promise<EndUserRow | undefined> {
  return db.query.endUsers.findFirst({ where: and(eq(endUsers.environmentId, environmentId), eq(endUsers.externalId, externalId)) })
}

export function findEndUserById(db: Db, id: string): Promise<EndUserRow | undefined> {
  return db.query.endUsers.findFirst({ where: eq(endUsers.id, id) })
}

/** A page of end users ordered by internal id, after `afterId`. */
export function listEndUsers(db: Db, environmentId: string, limit: number, afterId?: string): Promise<EndUserRow[]> {
  const where = afterId ? and(eq(endUsers.environmentId, environmentId), gt(endUsers.id, afterId)) : eq(endUsers.environmentId, environmentId)
  return db.select().from(endUsers).where(where).orderBy(asc(endUsers.id)).limit(limit)
}

export async function deleteEndUser(db: Db, id: string): Promise<void> {
  await db.delete(endUsers).where(eq(endUsers.id, id))
}
