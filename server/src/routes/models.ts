import { createRoute, z } from '@hono/zod-openapi'
import { requireSecretKey } from '../middleware/auth'
import { identifierSchema } from '../mapping/schema'
import { deleteModel, getModel, listModels, modelOut, putModel } from '../services/models'
import { router, secretKeySecurity } from './router'
import { body, Deleted, json, problems, VendorModel, VendorModelPut } from './schemas'

const common = { tags: ['Models'], security: secretKeySecurity, middleware: requireSecretKey }
/** Reads and deletes take any name (an unknown one is a 404); PUT creates, so its name must be an identifier. */
const NameParam = z.object({ name: z.string().min(1).max(100) })
const NewNameParam = z.object({ name: identifierSchema })

export const modelRoutes = router()
  .openapi(createRoute({ ...common, method: 'get', path: '/v1/models', summary: "The environment's vendor models", responses: { 200: json(z.object({ data: z.array(VendorModel) })), ...problems(401) } }), async (c) =>
    c.json({ data: (await listModels(c.get('ctx'), c.get('secret').environmentId)).map(modelOut) }, 200),
  )
  .openapi(createRoute({ ...common, method: 'get', path: '/v1/models/{name}', summary: 'One vendor model', request: { params: NameParam }, responses: { 200: json(VendorModel), ...problems(400, 401, 404) } }), async (c) =>
    c.json(modelOut(await getModel(c.get('ctx'), c.get('secret').environmentId, c.req.valid('param').name)), 200),
  )
  .openapi(
    createRoute({
      ...common,
      method: 'put',
      path: '/v1/models/{name}',
      summary: 'Create or replace a vendor model (its version moves on when the definition changes)',
      request: { params: NewNameParam, body: body(VendorModelPut) },
      responses: { 201: json(VendorModel, 'Created'), 200: json(VendorModel, 'Replaced'), ...problems(400, 401) },
    }),
    async (c) => {
      const { row, created } = await putModel(c.get('ctx'), c.get('secret').environmentId, { name: c.req.valid('param').name, ...c.req.valid('json') })
      return c.json(modelOut(row), created ? 201 : 200)
    },
  )
  .openapi(createRoute({ ...common, method: 'delete', path: '/v1/models/{name}', summary: 'Delete a vendor model', request: { params: NameParam }, responses: { 200: json(Deleted), ...problems(400, 401, 404) } }), async (c) => {
    await deleteModel(c.get('ctx'), c.get('secret').environmentId, c.req.valid('param').name)
    return c.json({ deleted: true as const }, 200)
  })
