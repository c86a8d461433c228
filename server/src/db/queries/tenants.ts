import { and, eq, isNull } from 'drizzle-orm'
import type { Db } from '../client'
import { apiKeys, environments, tenants } from '../schema/index'

export type EnvironmentRow = typeof environments.$inferSelect

export async function insertTenant(db: Db, tenant: typeof tenants.$inferInsert, envs: (typeof environments.$inferInsert)[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(tenants).values(tenant)
    await tx.insert(environments).values(envs)
  })
}

export function findTenant(db: Db, id: string) {
  return db.query.tenants.findFirst({ where: eq(tenants.id, id) })
}

export function findEnvironment(db: Db, tenantId: string, name: string): Promise<EnvironmentRow | undefined> {
  return db.query.environments.findFirst({ where: and(eq(environments.tenantId, tenantId), eq(environments.name, name)) })
}

export async function insertApiKey(db: Db, row: typeof apiKeys.$inferInsert): Promise<void> {
  await db.insert(apiKeys).values(row)
}

/** The environment of a live (not revoked) API key, by the key's hash. */
export async function findEnvironmentByApiKeyHash(db: Db, keyHash: string): Promise<{ environmentId: string; tenantId: string; environmentName: string } | undefined> {
  const rows = await db
    .select({ environmentId: environments.id, tenantId: environments.tenantId, environmentName: environments.name })
    .from(apiKeys)
    .innerJoin(environments, eq(environments.id, apiKeys.environmentId))
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
    .limit(1)
  return rows[0]
}
