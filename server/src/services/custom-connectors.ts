/**
 * Custom connectors (issue 6): a vendor defines a connector for any HTTP API as data, through the
 * API or the SDK, validated by the same zod schema as the built-in ones (`connectors/schema.ts`),
 * and then uses it like one: integrations, the widget, syncs, actions, the proxy, field mapping.
 *
 * What differs from a built-in connector, because a definition is JSON sent over HTTP: no hooks
 * (code), action inputs as JSON Schema (turned into zod with `z.fromJSONSchema`), an optional logo
 * (a lettered square is drawn), and an id that no built-in connector has. Definitions are stored
 * per environment (`custom_connectors`) and kept in every process's registry: loaded at start,
 * replaced on change here and, through `NOTIFY patchbay_custom_connector_changed`, in the others.
 */
import { z } from 'zod'
import { isBuiltIn, listCustomConnectors, removeCustomConnector, setCustomConnector } from '../../../connectors/registry'
import { connectorSchema, type Connector } from '../../../connectors/schema'
import type { AppContext } from '../context'
import * as q from '../db/queries/custom-connectors'
import { notFound, PatchbayError } from '../lib/errors'

/** NOTIFY channel; payload `<environmentId> <connectorId>`. */
export const CUSTOM_CONNECTOR_CHANNEL = 'patchbay_custom_connector_changed'

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A lettered rounded square, for a custom connector without a logo. */
function letterLogo(name: string): string {
  const letter = (name.trim()[0] ?? '?').toUpperCase().replace(/[^A-Z0-9]/, '?')
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="${letter}"><rect width="64" height="64" rx="14" fill="#475569"/><text x="32" y="42" font-family="system-ui,sans-serif" font-size="30" font-weight="700" text-anchor="middle" fill="#fff">${letter}</text></svg>`
}

const invalid = (message: string, errors: { path: string; message: string }[]) => new PatchbayError('invalid_request', message, { errors })

/**
 * Checks a custom connector definition and builds the connector.
 * @param definition `ConnectorInput` as JSON: no `hooks`; `id` absent or equal to `id`; `logo`
 *   optional (an inline SVG document); each action's `input` a JSON Schema object (default: any object).
 * @throws {PatchbayError} `invalid_request` with `errors: [{ path, message }]` (paths as in the definition).
 */
export function parseCustomConnector(id: string, definition: unknown): Connector {
  if (!isObject(definition)) throw invalid('The connector definition must be a JSON object', [{ path: '', message: 'expected an object' }])
  if ('hooks' in definition) throw invalid('Custom connectors have no hooks (code): describe the API with data only', [{ path: 'hooks', message: 'not allowed in a custom connector' }])
  if ('id' in definition && definition.id !== id) throw invalid('The definition names another id than the URL', [{ path: 'id', message: `must be ${JSON.stringify(id)} or absent` }])
  const actions: Record<string, unknown> = {}
  const errors: { path: string; message: string }[] = []
  if (definition.actions !== undefined && !isObject(definition.actions)) errors.push({ path: 'actions', message: 'expected an object of actions' })
  for (const [name, action] of Object.entries(isObject(definition.actions) ? definition.actions : {})) {
    if (!isObject(action)) {
      errors.push({ path: `actions.${name}`, message: 'expected an object' })
      continue
    }
    try {
      actions[name] = { ...action, input: z.fromJSONSchema((action.input ?? { type: 'object' }) as Parameters<typeof z.fromJSONSchema>[0]) }
    } catch (err) {
      errors.push({ path: `actions.${name}.input`, message: `not a JSON Schema zod can read: ${(err as Error).message}` })
    }
  }
  if (errors.length) throw invalid('The connector definition is not valid', errors)
  const name = typeof definition.name === 'string' ? definition.name : id
  const parsed = connectorSchema.safeParse({ logo: letterLogo(name), ...definition, id, actions })
  if (!parsed.success) throw invalid('The connector definition is not valid', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })))
  return parsed.data
}

/** A stored custom connector, as the API shows it. */
export function customConnectorOut(row: q.CustomConnectorRow) {
  return { id: row.connectorId, definition: row.definition, version: row.version, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() }
}

/**
 * Creates or replaces an environment's custom connector `id`, checked first. Connections of
 * integrations using it see the new definition at once (in every process).
 * @throws {PatchbayError} `invalid_request` (the definition, or `id` not kebab-case); `conflict` when a built-in connector has the id.
 */
export async function putCustomConnector(ctx: AppContext, environmentId: string, id: string, definition: unknown): Promise<{ row: q.CustomConnectorRow; created: boolean; connector: Connector }> {
  if (isBuiltIn(id)) throw new PatchbayError('conflict', `${id} is a built-in connector: choose another id`)
  const connector = parseCustomConnector(id, definition)
  const saved = await q.saveCustomConnector(ctx.db, environmentId, id, definition as Record<string, unknown>)
  setCustomConnector(environmentId, connector)
  ctx.credentials.clear()
  await ctx.database.notify(CUSTOM_CONNECTOR_CHANNEL, `${environmentId} ${id}`)
  return { ...saved, connector }
}

/** An environment's custom connector definition. @throws {PatchbayError} `not_found`. */
export async function getCustomConnector(ctx: AppContext, environmentId: string, id: string): Promise<q.CustomConnectorRow> {
  const row = await q.findCustomConnector(ctx.db, environmentId, id)
  if (!row) throw notFound('Custom connector', id)
  return row
}

/** Deletes a custom connector no integration uses. @throws {PatchbayError} `not_found`; `conflict` listing the integrations that use it. */
export async function deleteCustomConnector(ctx: AppContext, environmentId: string, id: string): Promise<void> {
  const using = await q.integrationsUsing(ctx.db, environmentId, id)
  if (using.length) throw new PatchbayError('conflict', `Integrations use this connector: ${using.join(', ')}; delete them first`, { integrations: using })
  if (!(await q.deleteCustomConnector(ctx.db, environmentId, id))) throw notFound('Custom connector', id)
  removeCustomConnector(environmentId, id)
  await ctx.database.notify(CUSTOM_CONNECTOR_CHANNEL, `${environmentId} ${id}`)
}

/** Reads one custom connector from the database into this process's registry (or forgets it). A stored definition that no longer parses is logged and skipped. */
async function reload(ctx: AppContext, environmentId: string, id: string): Promise<void> {
  const row = await q.findCustomConnector(ctx.db, environmentId, id)
  if (!row) removeCustomConnector(environmentId, id)
  else install(ctx, row)
  ctx.credentials.clear()
}

function install(ctx: AppContext, row: q.CustomConnectorRow): void {
  try {
    setCustomConnector(row.environmentId, parseCustomConnector(row.connectorId, row.definition))
  } catch (err) {
    ctx.log.error({ environmentId: row.environmentId, connectorId: row.connectorId, code: err instanceof PatchbayError ? err.code : undefined }, 'stored custom connector no longer valid; skipped')
  }
}

/** Loads every custom connector into this process's registry and follows changes made by other processes. Returns the unsubscribe function. */
export async function startCustomConnectors(ctx: AppContext): Promise<() => Promise<void>> {
  for (const row of await q.listAllCustomConnectors(ctx.db)) install(ctx, row)
  return ctx.database.listen(CUSTOM_CONNECTOR_CHANNEL, (payload) => {
    const [environmentId, id] = payload.split(' ')
    if (environmentId && id) void reload(ctx, environmentId, id).catch((err: unknown) => ctx.log.warn({ err: (err as Error).message }, 'custom connector reload failed'))
  })
}

export { listCustomConnectors }
