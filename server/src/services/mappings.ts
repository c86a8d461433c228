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
import { checkMapping, providerFieldsOf, suggestMapping, type MappingCheck, type ProviderFields } from '../mapping/check'
import { applyMapping, fieldLabel, readPaths } from '../mapping/apply'
import { graphqlErrors } from '../../../connectors/graphql'
import { extractItems, firstListRequest, getPath, listRequestCall, withListParam } from '../../../connectors/pagination'
import { discoveredFieldsSchema, type DiscoveredField } from '../../../connectors/schema'
import { findDiscoveredFields, saveDiscovery } from '../db/queries/discovered-fields'
import { listMappings } from '../db/queries/mappings'
import { listModels } from '../db/queries/models'
import type { LoadedConnection } from './credential-store'
import { callProvider, providerUrl } from './provider-client'
import { latestRecordData } from '../db/queries/records'
import type { FieldType, Mapping, VendorModel } from '../mapping/schema'
import { getIntegration } from './integrations'
import { getModel } from './models'
import { listConnectionIdsOfIntegration } from '../db/queries/connections'
import { findModel } from '../db/queries/models'
import { enqueueRemap } from './sync-engine'
import { listParamsFor, triggerSync } from './syncs'
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
async function validate(ctx: AppContext, environmentId: string, connector: Connector, object: string, mapping: Mapping, fields?: ProviderFields): Promise<MappingCheck> {
  const o = objectOf(connector, object)
  let model: VendorModel
  try {
    const row = await getModel(ctx, environmentId, mapping.model)
    model = { name: row.name, description: row.description ?? undefined, fields: row.fields as VendorModel['fields'] }
  } catch {
    throw new PatchbayError('invalid_request', `There is no model ${JSON.stringify(mapping.model)}: create it with PUT /v1/models/${mapping.model}`, { errors: [{ path: 'model', message: 'unknown model' }] })
  }
  const check = checkMapping(model, fields ?? providerFieldsOf(o), mapping)
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
  const loaded = await ctx.credentials.get(environmentId, connectionId)
  const { connection, integration } = loaded
  objectOf(integration.connector, object)
  // Custom fields count: check against what the account has (cached discovery), not only what the connector declares.
  const { fields } = await objectFields(ctx, loaded, object)
  const check = await validate(ctx, environmentId, integration.connector, object, mapping, fields)
  const paramsBefore = await listParamsFor(ctx, loaded, object)
  const { row, changed, deliveries } = await inTransaction(ctx.db, async (tx) => {
    const saved = await q.saveMapping(tx, { id: newId('map'), environmentId, integrationId: integration.row.id, connectionId, object, model: mapping.model, fields: mapping.fields })
    const deliveries = saved.changed ? await recordEvent(tx, { environmentId, type: 'mapping.updated', payload: { connectionId, integration: integration.row.key, endUserId: connection.endUserExternalId, mapping: mappingOut(saved.row) } }) : []
    return { ...saved, deliveries }
  })
  await enqueueDeliveries(ctx, deliveries)
  if (changed) await reshape(ctx, loaded, object, paramsBefore)
  return { row, warnings: check.warnings }
}

/**
 * After a connection's mapping of `object` changed: the feed maps stored records when it reads
 * them, so re-emitting them in their new shape needs no provider call (a remap job). Only where the
 * provider returns just the fields a request names (a `listParams` hook) and the mapping now reads
 * fields the stored records lack is the object refetched, by a full resync of its syncs.
 */
async function reshape(ctx: AppContext, loaded: LoadedConnection, object: string, paramsBefore: Record<string, string> | null): Promise<void> {
  const paramsAfter = await listParamsFor(ctx, loaded, object)
  if (paramsBefore === null || JSON.stringify(paramsBefore) === JSON.stringify(paramsAfter) || loaded.connection.status !== 'active') {
    await enqueueRemap(ctx, { connectionId: loaded.connection.id, model: object })
    return
  }
  for (const [name, sync] of Object.entries(loaded.integration.connector.syncs)) {
    if (sync.object !== object) continue
    // `restart`: a run already under way asks for the old fields; it is replaced.
    await triggerSync(ctx, loaded.connection.environmentId, loaded.connection.id, name, { fullResync: true, restart: true }).catch((err: unknown) => {
      ctx.log.warn({ connectionId: loaded.connection.id, sync: name, code: err instanceof PatchbayError ? err.code : undefined }, 'refetch after a mapping change not started')
    })
  }
}

/** The mapping in effect for a connection's object: its own, else the integration's default, else none. */
export async function getEffectiveMapping(ctx: AppContext, environmentId: string, connectionId: string, object: string): Promise<FieldMappingRow | null> {
  const { integration } = await ctx.credentials.get(environmentId, connectionId)
  objectOf(integration.connector, object)
  return (await q.findMapping(ctx.db, integration.row.id, connectionId, object)) ?? (await q.findMapping(ctx.db, integration.row.id, null, object)) ?? null
}

/** Removes a connection's own mapping (the integration's default applies again). @throws {PatchbayError} `not_found`. */
export async function deleteConnectionMapping(ctx: AppContext, environmentId: string, connectionId: string, object: string): Promise<void> {
  const loaded = await ctx.credentials.get(environmentId, connectionId)
  const paramsBefore = await listParamsFor(ctx, loaded, object)
  if (!(await q.deleteMapping(ctx.db, loaded.connection.integrationId, connectionId, object))) throw notFound('Mapping', object)
  await reshape(ctx, loaded, object, paramsBefore)
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

/** How long discovered custom fields are trusted before they are read again, ms (the widget's "Refresh fields" reads them at once). */
export const DISCOVERY_TTL_MS = 60 * 60_000
/** After a failed discovery, how long before it is tried again on its own, ms. */
export const DISCOVERY_RETRY_MS = 5 * 60_000

/** A provider field of a connection's object as the mapping screen shows it. */
export interface ProviderFieldView {
  /** Dotted path in the provider record (`properties.email`). */
  path: string
  /** The provider's name for it (discovered), else the connector field's name in words. */
  label: string
  type: FieldType
  enumValues?: string[] | undefined
  description?: string | undefined
  /** Up to three distinct non-empty values from the account's records. */
  samples: unknown[]
  /** Found in the account (custom field), not declared by the connector. */
  custom: boolean
}

/** Custom-field discovery of one connection's object: when it last succeeded, and why the last attempt failed. */
export interface DiscoveryStatus {
  discoveredAt: string | null
  error: string | null
}

interface ObjectFields {
  /** Declared and discovered fields by path, for `checkMapping`. */
  fields: ProviderFields
  views: Omit<ProviderFieldView, 'samples'>[]
  discovery: DiscoveryStatus
}

/** Reads JSON from the provider as the connection, for a `discoverFields` hook. @throws {PatchbayError} `upstream_error`. */
function discoveryGet(ctx: AppContext, loaded: LoadedConnection) {
  return async (path: string, query: Record<string, string> = {}): Promise<unknown> => {
    const url = providerUrl(loaded, path)
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v)
    const { response } = await callProvider(ctx, loaded, { method: 'GET', url, idempotent: true, maxWaitMs: 5_000 })
    if (response.status < 200 || response.status > 299) throw new PatchbayError('upstream_error', `${loaded.integration.connector.name} answered ${response.status} when asked for the account's fields`)
    if (response.malformed || typeof response.body !== 'object' || response.body === null) throw new PatchbayError('upstream_error', `${loaded.integration.connector.name} did not answer with JSON when asked for the account's fields`)
    return response.body
  }
}

/**
 * The custom fields of a connection's object from its connector's `discoverFields` hook: the cached
 * list while it is younger than {@link DISCOVERY_TTL_MS}, else (or with `refresh`) read again. A
 * failure keeps the previous list and is reported in `error` (never thrown: the declared fields still work).
 */
async function discover(ctx: AppContext, loaded: LoadedConnection, object: string, refresh: boolean): Promise<{ fields: Record<string, DiscoveredField>; status: DiscoveryStatus } | null> {
  const hook = loaded.integration.connector.hooks.discoverFields
  if (!hook) return null
  const connectionId = loaded.connection.id
  let row = await findDiscoveredFields(ctx.db, connectionId, object)
  const age = row ? Date.now() - row.attemptedAt.getTime() : Infinity
  if (refresh || !row || age > (row.error ? DISCOVERY_RETRY_MS : DISCOVERY_TTL_MS)) {
    try {
      const found = discoveredFieldsSchema.safeParse((await hook({ object, get: discoveryGet(ctx, loaded) })) ?? {})
      if (!found.success) throw new PatchbayError('upstream_invalid_response', `The ${loaded.integration.connector.name} connector described the account's fields in a shape Patchbay cannot read`)
      row = await saveDiscovery(ctx.db, connectionId, object, { fields: found.data })
    } catch (err) {
      const message = err instanceof PatchbayError ? err.message : 'The account\'s fields could not be read'
      ctx.log.warn({ connectionId, object, code: err instanceof PatchbayError ? err.code : undefined }, 'custom field discovery failed')
      row = await saveDiscovery(ctx.db, connectionId, object, { error: message })
    }
  }
  return { fields: row.fields as Record<string, DiscoveredField>, status: { discoveredAt: row.discoveredAt?.toISOString() ?? null, error: row.error } }
}

/** A connection object's declared fields, plus its discovered custom fields (which add paths and labels, never change a declared type). */
async function objectFields(ctx: AppContext, loaded: LoadedConnection, object: string, refresh = false): Promise<ObjectFields> {
  const o = objectOf(loaded.integration.connector, object)
  const fields: ProviderFields = {}
  const views = new Map<string, Omit<ProviderFieldView, 'samples'>>()
  const set = (path: string, view: Omit<ProviderFieldView, 'samples'>) => {
    Object.defineProperty(fields, path, { value: { type: view.type, enumValues: view.enumValues }, enumerable: true, writable: true, configurable: true })
    views.set(path, view)
  }
  for (const [name, f] of Object.entries(o.fields)) set(f.from ?? name, { path: f.from ?? name, label: fieldLabel(name), type: f.type, enumValues: f.enumValues, description: f.description, custom: false })
  const found = await discover(ctx, loaded, object, refresh)
  for (const [path, f] of Object.entries(found?.fields ?? {})) {
    const declared = views.get(path)
    if (declared) views.set(path, { ...declared, label: f.label ?? declared.label, description: declared.description ?? f.description, enumValues: declared.enumValues ?? f.enumValues })
    else set(path, { path, label: f.label ?? fieldLabel(path.split('.').at(-1)!), type: f.type, enumValues: f.enumValues, description: f.description, custom: true })
  }
  return { fields, views: [...views.values()], discovery: found?.status ?? { discoveredAt: null, error: null } }
}

/**
 * Up to `limit` records of a connection's object to show: the most recently synced, else (nothing
 * synced yet, e.g. right after connecting) the first page read live from the provider. Where the
 * provider returns only the fields a request names (a `listParams` hook) and the stored records lack
 * some of `wanted` (dotted paths: fields a mapping reads, custom fields), the page is read live with
 * them. A live read that fails gives the stored records.
 */
async function sampleRecords(ctx: AppContext, loaded: LoadedConnection, object: string, limit: number, wanted: readonly string[] = []): Promise<unknown[]> {
  const stored = (await latestRecordData(ctx.db, loaded.connection.id, object, limit)).map((t) => JSON.parse(t) as unknown)
  const { connector } = loaded.integration
  const hook = connector.hooks.listParams
  const lacking = hook ? wanted.filter((p) => !stored.some((r) => getPath(r, p) !== undefined)) : []
  if ((stored.length > 0 && lacking.length === 0) || loaded.connection.status !== 'active') return stored
  const o = objectOf(connector, object)
  const pagination = (o.pagination ?? connector.http.pagination)!
  try {
    const params = hook ? hook({ object, params: o.params, mappedPaths: wanted.slice(0, MAX_WANTED_PATHS), connectionConfig: loaded.connection.connectionConfig }) : o.params
    // GET, or a POST with a JSON body for `body` and `graphql` lists (connectors/pagination.ts).
    let request = firstListRequest(providerUrl(loaded, o.path).toString(), { path: '', params, body: o.body, graphql: o.graphql }, pagination)
    if (pagination.limitParam) request = withListParam(request, pagination.limitParam, Math.min(limit * 2, pagination.limit ?? limit * 2))
    const { response } = await callProvider(ctx, loaded, { ...listRequestCall(request), idempotent: true, maxWaitMs: 5_000 })
    if (response.status !== 200 || response.malformed || (o.graphql && graphqlErrors(response.body))) return []
    const sync = Object.entries(connector.syncs).find(([, s]) => s.object === object)
    const items = extractItems(response.body, pagination.itemsPath ?? '')
    const adjusted = sync && connector.hooks.syncItem ? items.map((i) => connector.hooks.syncItem!(i, { name: sync[0], model: object })) : items
    const live = adjusted.filter((i) => i !== null && !(sync?.[1].deletedWhen && getPath(i, sync[1].deletedWhen.path) === sync[1].deletedWhen.equals))
    return live.length > 0 ? live.slice(0, limit) : stored
  } catch (err) {
    ctx.log.info({ connectionId: loaded.connection.id, object, code: err instanceof PatchbayError ? err.code : undefined }, 'live sample records unavailable')
    return stored
  }
}

/** Fields asked for in one live sample read, at most (a URL stays short). */
const MAX_WANTED_PATHS = 100

const modelOf = (row: { name: string; description: string | null; fields: unknown }): VendorModel => ({ name: row.name, description: row.description ?? undefined, fields: row.fields as VendorModel['fields'] })

/** Plain-words name of a connector object (`Contacts`). */
function objectLabel(connector: Connector, object: string): string {
  return connector.objects[object]?.label ?? `${fieldLabel(object)}s`
}

/** Where the mapping in effect comes from: the connection's own, the integration's default, or none. */
export type MappingStatus = 'custom' | 'default' | 'unmapped'

/** An object of a connection that can be mapped to a vendor model, and the mapping in effect. */
export interface MappingTarget {
  object: string
  objectLabel: string
  model: VendorModel
  mapping: FieldMappingRow | null
  status: MappingStatus
}

/**
 * The objects of a connection its end user may map, each with the vendor model it maps to: the
 * model of the mapping in effect (the connection's own, else the integration's default), else the
 * vendor model named like the object's common model or the object itself (`contact` → `Contact`,
 * case-insensitive). Objects are those the connector syncs, plus any with a mapping; objects with
 * no model are left out. @throws {PatchbayError} `not_found` (connection).
 */
export async function mappingTargets(ctx: AppContext, environmentId: string, connectionId: string): Promise<MappingTarget[]> {
  const { integration } = await ctx.credentials.get(environmentId, connectionId)
  const { connector } = integration
  const [own, defaults, models] = await Promise.all([listMappings(ctx.db, integration.row.id, connectionId), listMappings(ctx.db, integration.row.id, null), listModels(ctx.db, environmentId)])
  const byName = new Map(models.map((m) => [m.name.toLowerCase(), m]))
  const objects = new Set([...Object.values(connector.syncs).map((s) => s.object), ...own.map((m) => m.object), ...defaults.map((m) => m.object)])
  const out: MappingTarget[] = []
  for (const object of objects) {
    const o = connector.objects[object]
    if (!o) continue
    const mapping = own.find((m) => m.object === object) ?? defaults.find((m) => m.object === object) ?? null
    const modelRow = mapping ? models.find((m) => m.name === mapping.model) : (byName.get((o.commonModel ?? object).toLowerCase()) ?? byName.get(object.toLowerCase()))
    if (!modelRow) continue
    out.push({ object, objectLabel: objectLabel(connector, object), model: modelOf(modelRow), mapping, status: !mapping ? 'unmapped' : mapping.connectionId ? 'custom' : 'default' })
  }
  return out
}

/**
 * What a mapping screen needs for one object of a connection: the target (model, mapping in
 * effect), the provider fields (declared and discovered custom fields, with up to three sample
 * values each from the account's records) and a suggested mapping to pre-fill (the connector's
 * default mapping adapted to the model, then name similarity). `modelName` picks another model
 * than the target's. `refresh` reads the account's custom fields again.
 * @throws {PatchbayError} `not_found` (connection, object, model; or the object has no model to map to).
 */
export async function mappingEditor(ctx: AppContext, environmentId: string, connectionId: string, object: string, opts: { modelName?: string | undefined; refresh?: boolean | undefined } = {}) {
  const loaded = await ctx.credentials.get(environmentId, connectionId)
  const o = objectOf(loaded.integration.connector, object)
  let target = (await mappingTargets(ctx, environmentId, connectionId)).find((t) => t.object === object)
  if (opts.modelName && target?.model.name !== opts.modelName) {
    const row = await getModel(ctx, environmentId, opts.modelName)
    target = { object, objectLabel: objectLabel(loaded.integration.connector, object), model: modelOf(row), mapping: null, status: 'unmapped' }
  }
  if (!target) throw new PatchbayError('not_found', `No vendor model is mapped from ${object}: name a model (?model=) or create one named like it`, { resource: 'Mapping', id: object })
  const { fields, views, discovery } = await objectFields(ctx, loaded, object, opts.refresh === true)
  const wanted = [...(target.mapping ? readPaths(target.mapping.fields as Mapping['fields']) : []), ...views.filter((v) => v.custom).map((v) => v.path)]
  const recent = await sampleRecords(ctx, loaded, object, 20, wanted)
  const withSamples: ProviderFieldView[] = views.map((v) => ({ ...v, samples: samplesOf(recent, v.path) }))
  const suggested = suggestMapping(target.model, fields, o.commonModel && o.defaultMapping ? o.defaultMapping : undefined)
  return { ...target, fields: withSamples, suggested, discovery }
}

/**
 * The fields of a connection's object with sample values, and, given a model, a suggested mapping.
 * @throws {PatchbayError} `not_found` (connection, object, model).
 */
export async function describeFields(ctx: AppContext, environmentId: string, connectionId: string, object: string, modelName?: string, refresh = false) {
  if (modelName) {
    const editor = await mappingEditor(ctx, environmentId, connectionId, object, { modelName, refresh })
    return { fields: editor.fields, suggested: editor.suggested, discovery: editor.discovery }
  }
  const loaded = await ctx.credentials.get(environmentId, connectionId)
  const { views, discovery } = await objectFields(ctx, loaded, object, refresh)
  const recent = await sampleRecords(ctx, loaded, object, 20, views.filter((v) => v.custom).map((v) => v.path))
  return { fields: views.map((v) => ({ ...v, samples: samplesOf(recent, v.path) })), suggested: null, discovery }
}

/** Up to three distinct non-empty values at `path` in `records`. */
function samplesOf(records: readonly unknown[], path: string): unknown[] {
  const samples: unknown[] = []
  for (const r of records) {
    const value = getPath(r, path)
    if (value === undefined || value === null || value === '' || samples.some((x) => JSON.stringify(x) === JSON.stringify(value))) continue
    samples.push(value)
    if (samples.length === 3) break
  }
  return samples
}

/**
 * Checks a mapping without saving it and shows three of the connection's records as they would
 * arrive (the widget's live preview; records synced, else read live). @throws {PatchbayError}
 * `not_found`; `invalid_request` for an unknown model.
 */
export async function previewMapping(ctx: AppContext, environmentId: string, connectionId: string, object: string, mapping: Mapping) {
  const loaded = await ctx.credentials.get(environmentId, connectionId)
  objectOf(loaded.integration.connector, object)
  const modelRow = await findModel(ctx.db, environmentId, mapping.model)
  if (!modelRow) throw new PatchbayError('invalid_request', `There is no model ${JSON.stringify(mapping.model)}`, { errors: [{ path: 'model', message: 'unknown model' }] })
  const model = modelOf(modelRow)
  const { fields } = await objectFields(ctx, loaded, object)
  const check = checkMapping(model, fields, mapping)
  const samples = (await sampleRecords(ctx, loaded, object, 3, readPaths(mapping.fields))).map((raw) => {
    const mapped = applyMapping(model, mapping, raw)
    return { raw, value: mapped.value, errors: mapped.errors }
  })
  return { check, samples }
}
