/** Tenants, their environments and their secret API keys. */
import type { AppContext } from '../context'
import { findEnvironmentByApiKeyHash, findEnvironment, insertApiKey, insertTenant } from '../db/queries/tenants'
import { PatchbayError } from '../lib/errors'
import { hashToken, newId, randomToken } from '../lib/ids'

export const ENVIRONMENTS = ['development', 'production'] as const
export type EnvironmentName = (typeof ENVIRONMENTS)[number]

/** The principal behind a secret API key. */
export interface SecretKeyPrincipal {
  kind: 'secret'
  tenantId: string
  environmentId: string
  environmentName: string
}

/** Creates a tenant with a development and a production environment. */
export async function createTenant(ctx: AppContext, name: string): Promise<{ tenantId: string; environments: Record<EnvironmentName, string> }> {
  const tenantId = newId('ten')
  const envs = ENVIRONMENTS.map((env) => ({ id: newId('env'), tenantId, name: env }))
  await insertTenant(ctx.db, { id: tenantId, name }, envs)
  return { tenantId, environments: Object.fromEntries(envs.map((e) => [e.name, e.id])) as Record<EnvironmentName, string> }
}

/**
 * Creates a secret API key for an environment. The key is returned once; only its hash is stored.
 * Format: `pb_sk_<dev|prod>_<40 base62 chars>` (≈ 238 bits).
 */
export async function createApiKey(ctx: AppContext, tenantId: string, environment: EnvironmentName, name = 'default'): Promise<{ id: string; key: string }> {
  const env = await findEnvironment(ctx.db, tenantId, environment)
  if (!env) throw new PatchbayError('not_found', `Environment ${environment} of tenant ${tenantId} does not exist`)
  const key = `pb_sk_${environment === 'production' ? 'prod' : 'dev'}_${randomToken(40)}`
  const id = newId('key')
  await insertApiKey(ctx.db, { id, environmentId: env.id, name, keyHash: hashToken(key), prefix: key.slice(0, 14) })
  return { id, key }
}

/** @throws {PatchbayError} `unauthenticated` for an unknown or revoked key. */
export async function authenticateSecretKey(ctx: AppContext, key: string): Promise<SecretKeyPrincipal> {
  const found = await findEnvironmentByApiKeyHash(ctx.db, hashToken(key))
  if (!found) throw new PatchbayError('unauthenticated', 'Invalid API key')
  return { kind: 'secret', ...found }
}
