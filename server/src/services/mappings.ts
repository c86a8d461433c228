/**
 * Field mappings (issue 5): how a connector object (`contact`) becomes a vendor model (`Contact`).
 * An integration may hold a default; a connection may hold its own, which wins. Every mapping is
 * checked against the vendor model and the connector object's declared fields before it is saved
 * (`mapping/check.ts`); a connection's change is reported as a `mapping.updated` webhook. The feed
 * applies the mapping in effect when it reads records, so a change re-emits the stored records in
 * their new shape (a remap job per connection) without fetching anything from the provider.
 */
import type { Connector } from '../../../connectors/schema'
import type { AppContext } from '../context'
import { inTransaction } from '../db/client'
import * as q from '../db/queries/mappings'
import { notFound, PatchbayError } from '../lib/errors'
import { newId } from '../lib/ids'
import { checkMapping, defaultMapping, providerFieldsOf, type MappingCheck } from '../mapping/check'
import { applyMapping } from '../mapping/apply'
import { getPath } from '../../../connectors/pagination'
import { latestRecordData } from '../db/queries/records'
import type { Mapping, VendorModel } from '../mapping/schema'
import { getIntegration } from './integrations'
import { getModel } from './models'
import { listConnectionIdsOfIntegration } from '../db/queries/connections'
import { findModel } from '../db/queries/models'
import { enqueueRemap } from './sync-engine'
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
  const { row, changed } = await inTransaction(ctx.db, (tx) => q.saveMapping(tx, { id: newId('map'), environmentId, integrationId: integration.row.id, connectionId: null, object, model: mapping.model, fields: mapping.fields }))
  if (changed) await remapDefaulted(ctx, integration.row.id, object)
  return { row, warnings: check.warnings }
}

/** Re-emits the records of every connection of the integration that follows its default mapping of `object`. */
async function remapDefaulted(ctx: AppContext, integrationId: string, object: string): Promise<void> {
  const own = new Set((await q.listConnectionsWithOwnMapping(ctx.db, integrationId, object)).map((r) => r.connectionId))
  for (const connectionId of await listConnectionIdsOfIntegration(ctx.db, integrationId)) {
    if (!own.has(connectionId)) await enqueueRemap(ctx, { connectionId, model: object })
  }
}

export async function listDefaultMappings(ctx: AppContext, environmentId: string, integrationKey: string): Promise<FieldMappingRow[]> {
  const integration = await getIntegration(ctx, environmentId, integrationKey)
  return q.listMappings(ctx.db, integration.row.id, null)
}

/** @throws {PatchbayError} `not_found`. */
export async function deleteDefaultMapping(ctx: AppContext, environmentId: string, integrationKey: string, object: string): Promise<void> {
  const integration = await getIntegration(ctx, environmentId, integrationKey)
  if (!(await q.deleteMapping(ctx.db, integration.row.id, null, object))) throw notFound('Mapping', object)
  await remapDefaulted(ctx, integration.row.id, object)
}

/**
 * Sets a connection's own mapping of `object`; when it changed, `mapping.updated` is recorded in the
 * same transaction. @throws {PatchbayError} `not_found`, `invalid_request`.
 */
export async function putConnectionMapping(ctx: AppContext, environmentId: string, connectionId: string, object: string, mapping: Mapping) {
  const { connection, integration } = await ctx.credentials.get(environmentId, connectionId)
  const check = await validate(ctx, environmentId, integration.connector, object, mapping)
  const { row, changed, deliveries } = await inTransaction(ctx.db, async (tx) => {
    const saved = await q.saveMapping(tx, { id: newId('map'), environmentId, integrationId: integration.row.id, connectionId, object, model: mapping.model, fields: mapping.fields })
    const deliveries = saved.changed ? await recordEvent(tx, { environmentId, type: 'mapping.updated', payload: { connectionId, integration: integration.row.key, endUserId: connection.endUserExternalId, mapping: mappingOut(saved.row) } }) : []
    return { ...saved, deliveries }
  })
  await enqueueDeliveries(ctx, deliveries)
  // The feed maps stored records when it reads them: re-emit them in their new shape, no refetch.
  if (changed) await enqueueRemap(ctx, { connectionId, model: object })
  return { row, warnings: check.warnings }
}

/** The mapping in effect for a connection's object: its own, else the integration's default, else none. */
export async function getEffectiveMapping(ctx: AppContext, environmentId: string, connectionId: string, object: string): Promise<FieldMappingRow | null> {
  const { integration } = await ctx.credentials.get(environmentId, connectionId)
  objectOf(integration.connector, object)
  return (await q.findMapping(ctx.db, integration.row.id, connectionId, object)) ?? (await q.findMapping(ctx.db, integration.row.id, null, object)) ?? null
}

/** Removes a connection's own mapping (the integration's default applies again). @throws {PatchbayError} `not_found`. */
export async function deleteConnectionMapping(ctx: AppContext, environmentId: string, connectionId: string, object: string): Promise<void> {
  const { connection } = await ctx.credentials.get(environmentId, connectionId)
  if (!(await q.deleteMapping(ctx.db, connection.integrationId, connectionId, object))) throw notFound('Mapping', object)
  await enqueueRemap(ctx, { connectionId, model: object })
}

/**
 * The mapping and vendor model that shape a connection's records of `object` in the feed, or null
 * (no mapping in effect, an unknown object, or a model deleted since: records then come out as the provider sent them).
 */
export async function mappingForRecords(ctx: AppContext, environmentId: string, connectionId: string, object: string): Promise<{ row: FieldMappingRow; model: VendorModel; mapping: Mapping } | null> {
  let row: FieldMappingRow | null
  try {
    row = await getEffectiveMapping(ctx, environmentId, connectionId, object)
  } catch {
    return null
  }
  if (!row) return null
  const modelRow = await findModel(ctx.db, environmentId, row.model)
  if (!modelRow) return null
  return { row, model: { name: modelRow.name, description: modelRow.description ?? undefined, fields: modelRow.fields as VendorModel['fields'] }, mapping: { model: row.model, fields: row.fields as Mapping['fields'] } }
}

/** A provider field of a connection's object, with up to three sample values from its synced records. */
export interface ProviderFieldView {
  path: string
  type: string
  enumValues?: string[] | undefined
  samples: unknown[]
}

async function loadObject(ctx: AppContext, environmentId: string, connectionId: string, object: string) {
  const { connection, integration } = await ctx.credentials.get(environmentId, connectionId)
  return { connection, integration, object: objectOf(integration.connector, object) }
}

/**
 * The fields of a connection's object (the connector's declared fields, by path) with sample values
 * from its most recently synced records, and, given a model, a suggested mapping (`defaultMapping`).
 * @throws {PatchbayError} `not_found` (connection, object, model).
 */
export async function describeFields(ctx: AppContext, environmentId: string, connectionId: string, object: string, modelName?: string) {
  const { object: o } = await loadObject(ctx, environmentId, connectionId, object)
  const fields = providerFieldsOf(o)
  const recent = (await latestRecordData(ctx.db, connectionId, object, 20)).map((t) => JSON.parse(t) as unknown)
  const out: ProviderFieldView[] = Object.entries(fields).map(([path, f]) => {
    const samples: unknown[] = []
    for (const r of recent) {
      const v = getPath(r, path)
      if (v === undefined || v === null || v === '' || samples.some((x) => JSON.stringify(x) === JSON.stringify(v))) continue
      samples.push(v)
      if (samples.length === 3) break
    }
    return { path, type: f.type, ...(f.enumValues ? { enumValues: [...f.enumValues] } : {}), samples }
  })
  let suggested: Mapping | null = null
  if (modelName) {
    const row = await getModel(ctx, environmentId, modelName)
    suggested = defaultMapping({ name: row.name, description: row.description ?? undefined, fields: row.fields as VendorModel['fields'] }, fields)
  }
  return { fields: out, suggested }
}

/**
 * Checks a mapping without saving it and shows three of the connection's records as they would
 * arrive (the widget's live preview). @throws {PatchbayError} `not_found`; `invalid_request` for an unknown model.
 */
export async function previewMapping(ctx: AppContext, environmentId: string, connectionId: string, object: string, mapping: Mapping) {
  const { object: o } = await loadObject(ctx, environmentId, connectionId, object)
  const modelRow = await findModel(ctx.db, environmentId, mapping.model)
  if (!modelRow) throw new PatchbayError('invalid_request', `There is no model ${JSON.stringify(mapping.model)}`, { errors: [{ path: 'model', message: 'unknown model' }] })
  const model: VendorModel = { name: modelRow.name, description: modelRow.description ?? undefined, fields: modelRow.fields as VendorModel['fields'] }
  const check = checkMapping(model, providerFieldsOf(o), mapping)
  const samples = (await latestRecordData(ctx.db, connectionId, object, 3)).map((t) => {
    const raw = JSON.parse(t) as unknown
    const mapped = applyMapping(model, mapping, raw)
    return { raw, value: mapped.value, errors: mapped.errors }
  })
  return { check, samples }
}
