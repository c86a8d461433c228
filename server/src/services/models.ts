/**
 * Vendor models: the vendor's own data model per environment (`Contact { email (required),
 * firstName, lifecycleStage: enum, createdAt: datetime }`), the target shape of field mappings
 * (issue 5). Definitions are validated by `mapping/schema.ts`.
 */
import type { AppContext } from '../context'
import * as q from '../db/queries/models'
import { notFound } from '../lib/errors'
import { newId } from '../lib/ids'
import type { VendorModel } from '../mapping/schema'

export type VendorModelRow = q.VendorModelRow

/** The public view of a model. */
export function modelOut(r: VendorModelRow) {
  return { name: r.name, description: r.description, fields: r.fields, version: r.version, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() }
}

export function listModels(ctx: AppContext, environmentId: string): Promise<VendorModelRow[]> {
  return q.listModels(ctx.db, environmentId)
}

/** @throws {PatchbayError} `not_found`. */
export async function getModel(ctx: AppContext, environmentId: string, name: string): Promise<VendorModelRow> {
  const row = await q.findModel(ctx.db, environmentId, name)
  if (!row) throw notFound('Model', name)
  return row
}

/**
 * Creates or replaces a model (an idempotent PUT). Its `version` moves on only when the definition changed.
 * @param model already validated with `vendorModelSchema`.
 */
export function putModel(ctx: AppContext, environmentId: string, model: VendorModel): Promise<{ row: VendorModelRow; created: boolean }> {
  return q.upsertModel(ctx.db, { id: newId('mdl'), environmentId, name: model.name, description: model.description ?? null, fields: model.fields })
}

/** @throws {PatchbayError} `not_found`. */
export async function deleteModel(ctx: AppContext, environmentId: string, name: string): Promise<void> {
  if (!(await q.deleteModel(ctx.db, environmentId, name))) throw notFound('Model', name)
}
