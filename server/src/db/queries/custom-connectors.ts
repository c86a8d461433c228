/** Vendors' own connectors (definitions as JSON), per environment. */
import { and, asc, eq, sql } from 'drizzle-orm'
import type { Db } from '../client'
import { customConnectors, integrations } from '../schema/index'

export type CustomConnectorRow = typeof customConnectors.$inferSelect

export function listAllCustomConnectors(db: Db): Promise<CustomConnectorRow[]> {
  return db.select().from(customConnectors).orderBy(asc(customConnectors.environmentId), asc(customConnectors.connectorId))
}

export function findCustomConnector(db: Db, environmentId: string, connectorId: string): Promise<CustomConnectorRow | undefined> {
  return db.query.customConnectors.findFirst({ where: and(eq(customConnectors.environmentId, environmentId), eq(customConnectors.connectorId, connectorId)) })
}

/** Creates or replaces a definition; the version moves on when it changed. */
export async function saveCustomConnector(db: Db, environmentId: string, connectorId: string, definition: Record<string, unknown>): Promise<{ row: CustomConnectorRow; created: boolean }> {
  const [row] = await db
    .insert(customConnectors)
    .values({ environmentId, connectorId, definition })
    .onConflictDoUpdate({
      target: [customConnectors.environmentId, customConnectors.connectorId],
      set: { definition, version: sql`${customConnectors.version} + case when ${customConnectors.definition} = excluded.definition then 0 else 1 end`, updatedAt: sql`now()` },
    })
    .returning()
  return { row: row!, created: row!.createdAt.getTime() === row!.updatedAt.getTime() }
}

export async function deleteCustomConnector(db: Db, environmentId: string, connectorId: string): Promise<boolean> {
  const rows = await db.delete(customConnectors).where(and(eq(customConnectors.environmentId, environmentId), eq(customConnectors.connectorId, connectorId))).returning({ id: customConnectors.connectorId })
  return rows.length > 0
}

/** Keys of the environment's integrations that use a connector. */
export async function integrationsUsing(db: Db, environmentId: string, connectorId: string): Promise<string[]> {
  const rows = await db.select({ key: integrations.key }).from(integrations).where(and(eq(integrations.environmentId, environmentId), eq(integrations.connectorId, connectorId)))
  return rows.map((r) => r.key)
}
