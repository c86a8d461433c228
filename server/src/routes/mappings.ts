import { createRoute, z } from '@hono/zod-openapi'
import { requireSecretKey } from '../middleware/auth'
import { deleteConnectionMapping, deleteDefaultMapping, describeFields, getEffectiveMapping, listDefaultMappings, mappingOut, previewMapping, putConnectionMapping, putDefaultMapping } from '../services/mappings'
import { router, secretKeySecurity } from './router'
import { body, Deleted, FieldMapping, json, MappingPreview, MappingPut, MappingSaved, ProviderFields, problems } from './schemas'

const common = { tags: ['Field mappings'], security: secretKeySecurity, middleware: requireSecretKey }
const object = z.string().min(1).max(100)
const IntegrationObject = z.object({ key: z.string().min(1).max(100), object })
const ConnectionObject = z.object({ id: z.string().min(1).max(100), object })

export const mappingRoutes = router()
  .openapi(
    createRoute({ ...common, method: 'get', path: '/v1/integrations/{key}/mappings', summary: "An integration's default mappings", request: { params: z.object({ key: z.string().min(1).max(100) }) }, responses: { 200: json(z.object({ data: z.array(FieldMapping) })), ...problems(401, 404) } }),
    async (c) => c.json({ data: (await listDefaultMappings(c.get('ctx'), c.get('secret').environmentId, c.req.valid('param').key)).map(mappingOut) }, 200),
  )
  .openapi(
    createRoute({ ...common, method: 'put', path: '/v1/integrations/{key}/mappings/{object}', summary: "Set the integration's default mapping of a connector object to a vendor model (checked first)", request: { params: IntegrationObject, body: body(MappingPut) }, responses: { 200: json(MappingSaved), ...problems(400, 401, 404) } }),
    async (c) => {
      const p = c.req.valid('param')
      const { row, warnings } = await putDefaultMapping(c.get('ctx'), c.get('secret').environmentId, p.key, p.object, c.req.valid('json'))
      return c.json({ ...mappingOut(row), warnings }, 200)
    },
  )
  .openapi(
    createRoute({ ...common, method: 'delete', path: '/v1/integrations/{key}/mappings/{object}', summary: "Remove the integration's default mapping of an object", request: { params: IntegrationObject }, responses: { 200: json(Deleted), ...problems(401, 404) } }),
    async (c) => {
      const p = c.req.valid('param')
      await deleteDefaultMapping(c.get('ctx'), c.get('secret').environmentId, p.key, p.object)
      return c.json({ deleted: true as const }, 200)
    },
  )
  .openapi(
    createRoute({ ...common, method: 'get', path: '/v1/connections/{id}/mappings/{object}', summary: "The mapping in effect for a connection's object: its own, else the integration's default (`mapping: null` when none)", request: { params: ConnectionObject }, responses: { 200: json(z.object({ mapping: FieldMapping.nullable() })), ...problems(401, 404) } }),
    async (c) => {
      const p = c.req.valid('param')
      const row = await getEffectiveMapping(c.get('ctx'), c.get('secret').environmentId, p.id, p.object)
      return c.json({ mapping: row ? mappingOut(row) : null }, 200)
    },
  )
  .openapi(
    createRoute({ ...common, method: 'put', path: '/v1/connections/{id}/mappings/{object}', summary: "Set a connection's own mapping of an object (checked first; sends mapping.updated)", request: { params: ConnectionObject, body: body(MappingPut) }, responses: { 200: json(MappingSaved), ...problems(400, 401, 404) } }),
    async (c) => {
      const p = c.req.valid('param')
      const { row, warnings } = await putConnectionMapping(c.get('ctx'), c.get('secret').environmentId, p.id, p.object, c.req.valid('json'))
      return c.json({ ...mappingOut(row), warnings }, 200)
    },
  )
  .openapi(
    createRoute({ ...common, method: 'delete', path: '/v1/connections/{id}/mappings/{object}', summary: "Remove a connection's own mapping (the integration's default applies again)", request: { params: ConnectionObject }, responses: { 200: json(Deleted), ...problems(401, 404) } }),
    async (c) => {
      const p = c.req.valid('param')
      await deleteConnectionMapping(c.get('ctx'), c.get('secret').environmentId, p.id, p.object)
      return c.json({ deleted: true as const }, 200)
    },
  )
  .openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/v1/connections/{id}/fields/{object}',
      summary: "The provider fields of a connection's object, with sample values from its synced records, and a suggested mapping to `model`",
      request: { params: ConnectionObject, query: z.object({ model: z.string().min(1).max(100).optional(), refresh: z.enum(['true', 'false']).optional().openapi({ description: "`true`: read the account's custom fields again" }) }) },
      responses: { 200: json(ProviderFields), ...problems(400, 401, 404) },
    }),
    async (c) => {
      const p = c.req.valid('param')
      const q = c.req.valid('query')
      return c.json(await describeFields(c.get('ctx'), c.get('secret').environmentId, p.id, p.object, q.model, q.refresh === 'true'), 200)
    },
  )
  .openapi(
    createRoute({ ...common, method: 'post', path: '/v1/connections/{id}/mappings/{object}/preview', summary: 'Check a mapping without saving it, and see three of the connection’s records as they would arrive', request: { params: ConnectionObject, body: body(MappingPut) }, responses: { 200: json(MappingPreview), ...problems(400, 401, 404) } }),
    async (c) => {
      const p = c.req.valid('param')
      return c.json(await previewMapping(c.get('ctx'), c.get('secret').environmentId, p.id, p.object, c.req.valid('json')), 200)
    },
  )
