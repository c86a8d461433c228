/**
 * The widget-facing API. Takes only a connect session token, sees only that end user's
 * connections, and refuses origins the session does not allow.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { cors } from 'hono/cors'
import { formFieldSchema, type FormField as ConnectorFormField } from '../../../connectors/schema'
import { findEndUserById } from '../db/queries/end-users'
import { requireSession } from '../middleware/auth'
import { sessionAllows, sessionIntegration } from '../services/connect-sessions'
import { connectWithForm, deleteConnection, getConnection, listConnections } from '../services/connections'
import { listIntegrations, type ResolvedIntegration } from '../services/integrations'
import { startAuthorization } from '../services/oauth-flow'
import { listSyncs, setSyncFrequency, syncsOut } from '../services/syncs'
import { deleteConnectionMapping, mappingEditor, mappingOut, mappingTargets, previewMapping, putConnectionMapping, type MappingTarget as Target } from '../services/mappings'
import { body, Connection, connectionOut, Deleted, json, MappingEditor, MappingPreview, MappingPut, MappingSaved, MappingTarget, problems, Sync, SyncUpdate } from './schemas'
import { router, sessionSecurity } from './router'

const common = { tags: ['Widget (connect session)'], security: sessionSecurity, middleware: requireSession }

const FormField = z.object({
  name: z.string(),
  label: z.string(),
  type: z.enum(formFieldSchema.shape.type.unwrap().enum).openapi({ description: '`textarea`: a multi-line value, such as a pasted JSON key file' }),
  required: z.boolean(),
  description: z.string().optional(),
  placeholder: z.string().optional(),
  pattern: z.string().optional(),
  helpUrl: z.string().optional(),
  default: z.string().optional().openapi({ description: 'Pre-filled value (connection config)' }),
})
const CatalogEntry = z
  .object({
    key: z.string(),
    connectorId: z.string(),
    name: z.string(),
    description: z.string(),
    categories: z.array(z.string()),
    logo: z.string().openapi({ description: 'An SVG document' }),
    authType: z.string(),
    scopes: z.array(z.string()),
    credentialFields: z.array(FormField),
    connectionConfigFields: z.array(FormField),
    enabled: z.boolean(),
    allowMultipleConnections: z.boolean(),
    docsUrl: z.string(),
  })
  .openapi('CatalogEntry')

function catalogEntry(i: ResolvedIntegration): z.infer<typeof CatalogEntry> {
  const { connector } = i
  const fields = (rec: Record<string, ConnectorFormField & { default?: string | undefined }>) =>
    Object.entries(rec).map(([name, f]) => ({ name, label: f.label, type: f.type, required: f.required, description: f.description, placeholder: f.placeholder, pattern: f.pattern, helpUrl: f.helpUrl, default: f.default }))
  return {
    key: i.row.key,
    connectorId: connector.id,
    name: i.row.displayName ?? connector.name,
    description: connector.description,
    categories: connector.categories,
    logo: connector.logo,
    authType: connector.auth.type,
    scopes: i.scopes,
    credentialFields: 'fields' in connector.auth ? fields(connector.auth.fields) : [],
    connectionConfigFields: fields(Object.fromEntries(Object.entries(connector.connectionConfig).filter(([, f]) => f.source === 'user'))),
    enabled: i.row.enabled,
    allowMultipleConnections: i.row.allowMultipleConnections,
    docsUrl: connector.docsUrl,
  }
}

const IdParam = z.object({ id: z.string().min(1).max(100) })
const ObjectParam = IdParam.extend({ object: z.string().min(1).max(100) })

function targetOut(t: Target): z.infer<typeof MappingTarget> {
  return { object: t.object, objectLabel: t.objectLabel, model: t.model, mapping: t.mapping ? mappingOut(t.mapping) : null, status: t.status }
}
const Config = z.record(z.string().max(100), z.string().max(2000)).default({})

export const embedRoutes = router()
embedRoutes.use('/v1/embed/*', cors({ origin: (origin) => origin, allowHeaders: ['Authorization', 'Content-Type'], allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], maxAge: 600 }))

embedRoutes
  .openapi(
    createRoute({ ...common, method: 'get', path: '/v1/embed/session', summary: 'The session: end user and expiry', responses: { 200: json(z.object({ endUser: z.object({ id: z.string(), email: z.string().nullable(), displayName: z.string().nullable() }), expiresAt: z.string().datetime(), allowedIntegrations: z.array(z.string()).nullable() })), ...problems(401, 403) } }),
    async (c) => {
      const s = c.get('session')
      const u = await findEndUserById(c.get('ctx').db, s.endUserId)
      return c.json({ endUser: { id: s.endUserExternalId, email: u?.email ?? null, displayName: u?.displayName ?? null }, expiresAt: s.expiresAt.toISOString(), allowedIntegrations: s.allowedIntegrations }, 200)
    },
  )
  .openapi(createRoute({ ...common, method: 'get', path: '/v1/embed/integrations', summary: 'The catalog this end user may connect', responses: { 200: json(z.object({ data: z.array(CatalogEntry) })), ...problems(401, 403) } }), async (c) => {
    const s = c.get('session')
    const all = await listIntegrations(c.get('ctx'), s.environmentId)
    return c.json({ data: all.filter((i) => sessionAllows(s, i.row.key)).map(catalogEntry) }, 200)
  })
  .openapi(createRoute({ ...common, method: 'get', path: '/v1/embed/connections', summary: "The end user's connections", responses: { 200: json(z.object({ data: z.array(Connection) })), ...problems(401, 403) } }), async (c) => {
    const s = c.get('session')
    const page = await listConnections(c.get('ctx'), s.environmentId, { endUserId: s.endUserExternalId, limit: 200 })
    return c.json({ data: page.data.filter((x) => sessionAllows(s, x.integrationKey)).map(connectionOut) }, 200)
  })
  .openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/v1/embed/connections',
      summary: 'Connect with credentials (API key, basic, client credentials), verified first',
      request: { body: body(z.object({ integration: z.string().min(1).max(100), credentials: z.record(z.string().max(100), z.string().max(4000)), connectionConfig: Config, connectionId: z.string().max(100).optional() }).strict()) },
      responses: { 201: json(Connection, 'Created'), ...problems(400, 401, 403, 404, 422) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const s = c.get('session')
      const input = c.req.valid('json')
      const integration = await sessionIntegration(ctx, s, input.integration)
      if (input.connectionId) await getConnection(ctx, s.environmentId, input.connectionId, s)
      const id = await connectWithForm(ctx, s, integration, input)
      return c.json(connectionOut(await getConnection(ctx, s.environmentId, id, s)), 201)
    },
  )
  .openapi(createRoute({ ...common, method: 'delete', path: '/v1/embed/connections/{id}', summary: 'Disconnect', request: { params: IdParam }, responses: { 200: json(Deleted), ...problems(401, 403, 404) } }), async (c) => {
    const s = c.get('session')
    const r = await deleteConnection(c.get('ctx'), s.environmentId, c.req.valid('param').id, s)
    return c.json({ deleted: true as const, revoked: r.revoked }, 200)
  })
  .openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/v1/embed/connections/{id}/syncs',
      summary: "A connection's syncs, and the frequencies the end user may choose",
      request: { params: IdParam },
      responses: { 200: json(z.object({ data: z.array(Sync), endUserFrequency: z.object({ min: z.string(), max: z.string() }).nullable() })), ...problems(401, 403, 404) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const s = c.get('session')
      const id = c.req.valid('param').id
      await getConnection(ctx, s.environmentId, id, s)
      const { loaded, syncs } = await listSyncs(ctx, s.environmentId, id)
      return c.json({ data: await syncsOut(ctx, loaded, syncs), endUserFrequency: loaded.integration.row.syncSettings.endUserFrequency ?? null }, 200)
    },
  )
  .openapi(
    createRoute({
      ...common,
      method: 'patch',
      path: '/v1/embed/connections/{id}/syncs/{sync}',
      summary: 'Choose how often a sync runs, within the bounds the vendor allows (`syncSettings.endUserFrequency`)',
      request: { params: IdParam.extend({ sync: z.string().min(1).max(100) }), body: body(SyncUpdate) },
      responses: { 200: json(Sync), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const s = c.get('session')
      const { id, sync } = c.req.valid('param')
      await getConnection(ctx, s.environmentId, id, s)
      await setSyncFrequency(ctx, s.environmentId, id, sync, c.req.valid('json').frequency, true)
      const { loaded, syncs } = await listSyncs(ctx, s.environmentId, id)
      const [out] = await syncsOut(ctx, loaded, syncs.filter((x) => x.name === sync))
      return c.json(out!, 200)
    },
  )
  .openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/v1/embed/oauth/authorizations',
      summary: 'Start an OAuth 2.0 authorization; open the returned URL in a popup',
      request: { body: body(z.object({ integration: z.string().min(1).max(100), connectionConfig: Config, connectionId: z.string().max(100).optional() }).strict()) },
      responses: { 201: json(z.object({ url: z.string().url(), expiresAt: z.string().datetime() }), 'Created'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const s = c.get('session')
      const input = c.req.valid('json')
      const integration = await sessionIntegration(ctx, s, input.integration)
      const r = await startAuthorization(ctx, s, integration, { connectionConfig: input.connectionConfig, connectionId: input.connectionId, origin: c.req.header('origin') })
      return c.json({ url: r.url, expiresAt: r.expiresAt.toISOString() }, 201)
    },
  )
  .openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/v1/embed/connections/{id}/mappings',
      summary: "The connection's objects the end user may map to the vendor's models, with the mapping in effect",
      request: { params: IdParam },
      responses: { 200: json(z.object({ data: z.array(MappingTarget) })), ...problems(401, 403, 404) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const s = c.get('session')
      const id = c.req.valid('param').id
      await getConnection(ctx, s.environmentId, id, s)
      return c.json({ data: (await mappingTargets(ctx, s.environmentId, id)).map(targetOut) }, 200)
    },
  )
  .openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/v1/embed/connections/{id}/mappings/{object}',
      summary: 'The mapping screen of one object: the vendor model, the mapping in effect, the provider fields with sample values, a suggested mapping',
      request: { params: ObjectParam, query: z.object({ refresh: z.enum(['true', 'false']).optional().openapi({ description: "`true`: read the account's custom fields again" }) }) },
      responses: { 200: json(MappingEditor), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const s = c.get('session')
      const { id, object } = c.req.valid('param')
      await getConnection(ctx, s.environmentId, id, s)
      const e = await mappingEditor(ctx, s.environmentId, id, object, { refresh: c.req.valid('query').refresh === 'true' })
      return c.json({ ...targetOut(e), fields: e.fields, suggested: e.suggested, discovery: e.discovery }, 200)
    },
  )
  .openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/v1/embed/connections/{id}/mappings/{object}/preview',
      summary: 'Check a mapping without saving it, and see three of the account’s records as they would arrive',
      request: { params: ObjectParam, body: body(MappingPut) },
      responses: { 200: json(MappingPreview), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const s = c.get('session')
      const { id, object } = c.req.valid('param')
      await getConnection(ctx, s.environmentId, id, s)
      return c.json(await previewMapping(ctx, s.environmentId, id, object, c.req.valid('json')), 200)
    },
  )
  .openapi(
    createRoute({
      ...common,
      method: 'put',
      path: '/v1/embed/connections/{id}/mappings/{object}',
      summary: "Save the end user's mapping of an object (checked first; sends mapping.updated; the records are re-emitted in the new shape)",
      request: { params: ObjectParam, body: body(MappingPut) },
      responses: { 200: json(MappingSaved), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const s = c.get('session')
      const { id, object } = c.req.valid('param')
      await getConnection(ctx, s.environmentId, id, s)
      const { row, warnings } = await putConnectionMapping(ctx, s.environmentId, id, object, c.req.valid('json'))
      return c.json({ ...mappingOut(row), warnings }, 200)
    },
  )
  .openapi(
    createRoute({
      ...common,
      method: 'delete',
      path: '/v1/embed/connections/{id}/mappings/{object}',
      summary: "Remove the end user's own mapping: the vendor's default applies again",
      request: { params: ObjectParam },
      responses: { 200: json(Deleted), ...problems(401, 403, 404) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const s = c.get('session')
      const { id, object } = c.req.valid('param')
      await getConnection(ctx, s.environmentId, id, s)
      await deleteConnectionMapping(ctx, s.environmentId, id, object)
      return c.json({ deleted: true as const }, 200)
    },
  )
