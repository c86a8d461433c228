/**
 * Field mappings (issue 5): how a connector object (`contact`) becomes a vendor model (`Contact`).
 * An integration may hold a default; a connection may hold its own, which wins. Every mapping is
 * checked against the vendor model and the connector object's declared fields before it is saved
 * (`mapping/check.ts`); a connection's change is reported as a `mapping.updated` webhook.
 */
import type { Connector } from '../../../connectors/schema'
import type { AppContext } from '../context'
import { inTransaction } from '../db/client'
import * as q from '../db/queries/mappings'
import { notFound, PatchbayError } from '../lib/errors'
import { newId } from '../lib/ids'
import { checkMapping, providerFieldsOf, type MappingCheck } from '../mapping/check'
import type { Mapping, VendorModel } from '../mapping/schema'
import { getConnection } from './connections'
import { getIntegration, resolveIntegration } from './integrations'
import { getModel } from './models'
import { findIntegrationById } from '../db/queries/integrations'
import { enqueueDeliveries, recordEvent } from './webhook-outbox'

export type FieldMappingRow = q.FieldMappingRow

/** The public view of a stored mapping. */
export function mappingOut(r: FieldMappingRow) {
  return { object: r.object, model: r.model, fields: r.fields, version: r.version, scope: r.connectionId ? ('connection' as const) : ('integration' as const), updatedAt: r.updatedAt.toISOString() }
}

function objectOf(connector: Connector, object: string) {
  const o = Object.hasOwn(connector.objects, object) ? connector.objects[object] : undefined
  if (!o) throw notFound('Object', object)
  return o
}

/**
 * Checks a mapping against its vendor model and the connector object's fields.
 * @throws {PatchbayError} `not_found` (object); `invalid_request` with `errors: [{ path: 'fields.<name>', code, message }]`
 *   (and `warnings`) when the model does not exist or the check finds errors.
 */
async function validate(ctx: AppContext, environmentId: string, connector: Connector, object: string, mapping: Mapping): Promise<MappingCheck> {
  const o = objectOf(connector, object)
  let model: VendorModel
  try {
    const row = await getModel(ctx, environmentId, mapping.model)
    model = { name: row.name, description: row.description ?? undefined, fields: row.fields as VendorModel['fields'] }
  } catch {
    throw new PatchbayError('invalid_request', `There is no model ${JSON.stringify(mapping.model)}: create it with PUT /v1/models/${mapping.model}`, { errors: [{ path: 'model', message: 'unknown model' }] })
  }
  const check = checkMapping(model, providerFieldsOf(o), mapping)
  if (!check.ok) {
    throw new PatchbayError('invalid_request', 'The mapping is not valid', { errors: check.errors.map((e) => ({ path: e.field ? `fields.${e.field}` : 'model', code: e.code, message: e.message })), warnings: check.warnings })
  }
  return check
}

/** Sets an integration's default mapping of `object`. */
export async function putDefaultMapping(ctx: AppContext, environmentId: string, integrationKey: string, object: string, mapping: Mapping) {
  const integration = await getIntegration(ctx, environmentId, integrationKey)
  const check = await validate(ctx, environmentId, integration.connector, object, mapping)
  const { row } = await inTransaction(ctx.db, (tx) => q.saveMapping(tx, { id: newId('map'), environmentId, integrationId: integration.row.id, connectionId: null, object, model: mapping.model, fields: mapping.fields }))
  return { row, warnings: check.warnings }
}

export async function listDefaultMappings(ctx: AppContext, environmentId: string, integrationKey: string): Promise<FieldMappingRow[]> {
  const integration = await getIntegration(ctx, environmentId, integrationKey)
  return q.listMappings(ctx.db, integration.row.id, null)
}

/** @throws {PatchbayError} `not_found`. */
export async function deleteDefaultMapping(ctx: AppContext, environmentId: string, integrationKey: string, object: string): Promise<void> {
  const integration = await getIntegration(ctx, environmentId, integrationKey)
  if (!(await q.deleteMapping(ctx.db, integration.row.id, null, object))) throw notFound('Mapping', object)
}

/**
 * Sets a connection's own mapping of `object`; when it changed, `mapping.updated` is recorded in the
 * same transaction. @throws {PatchbayError} `not_found`, `invalid_request`.
 */
export async function putConnectionMapping(ctx: AppContext, environmentId: string, connectionId: string, object: string, mapping: Mapping) {
  const connection = await getConnection(ctx, environmentId, connectionId)
  const integration = resolveIntegration((await findIntegrationById(ctx.db, connection.integrationId))!)
  const check = await validate(ctx, environmentId, integration.connector, object, mapping)
  const { row, deliveries } = await inTransaction(ctx.db, async (tx) => {
    const saved = await q.saveMapping(tx, { id: newId('map'), environmentId, integrationId: integration.row.id, connectionId, object, model: mapping.model, fields: mapping.fields })
    const deliveries = saved.changed ? await recordEvent(tx, { environmentId, type: 'mapping.updated', payload: { connectionId, integration: integration.row.key, endUserId: connection.endUserExternalId, mapping: mappingOut(saved.row) } }) : []
    return { row: saved.row, deliveries }
  })
  await enqueueDeliveries(ctx, deliveries)
  return { row, warnings: check.warnings }
}

/** The mapping in effect for a connection's object: its own, else the integration's default, else none. */
export async function getEffectiveMapping(ctx: AppContext, environmentId: string, connectionId: string, object: string): Promise<FieldMappingRow | null> {
  const connection = await getConnection(ctx, environmentId, connectionId)
  const integration = resolveIntegration((await findIntegrationById(ctx.db, connection.integrationId))!)
  objectOf(integration.connector, object)
  return (await q.findMapping(ctx.db, integration.row.id, connectionId, object)) ?? (await q.findMapping(ctx.db, integration.row.id, null, object)) ?? null
}

/** Removes a connection's own mapping (the integration's default applies again). @throws {PatchbayError} `not_found`. */
export async function deleteConnectionMapping(ctx: AppContext, environmentId: string, connectionId: string, object: string): Promise<void> {
  const connection = await getConnection(ctx, environmentId, connectionId)
  if (!(await q.deleteMapping(ctx.db, connection.integrationId, connectionId, object))) throw notFound('Mapping', object)
}
