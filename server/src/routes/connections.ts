import { createRoute, z } from '@hono/zod-openapi'
import { requireSecretKey } from '../middleware/auth'
import { deleteConnection, getConnection, listConnections } from '../services/connections'
import { Connection, connectionOut, ConnectionStatus, Deleted, json, Page, PageQuery, problems } from './schemas'
import { router, secretKeySecurity } from './router'

const common = { tags: ['Connections'], security: secretKeySecurity, middleware: requireSecretKey }
const IdParam = z.object({ id: z.string().min(1).max(100) })

export const connectionRoutes = router()
  .openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/v1/connections',
      summary: 'List connections',
      request: { query: PageQuery.extend({ endUserId: z.string().max(255).optional(), integration: z.string().max(100).optional(), status: ConnectionStatus.optional() }) },
      responses: { 200: json(Page(Connection)), ...problems(400, 401) },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const page = await listConnections(c.get('ctx'), c.get('secret').environmentId, q)
      return c.json({ data: page.data.map(connectionOut), nextCursor: page.nextCursor }, 200)
    },
  )
  .openapi(createRoute({ ...common, method: 'get', path: '/v1/connections/{id}', summary: 'Get a connection (never its credentials)', request: { params: IdParam }, responses: { 200: json(Connection), ...problems(401, 404) } }), async (c) =>
    c.json(connectionOut(await getConnection(c.get('ctx'), c.get('secret').environmentId, c.req.valid('param').id)), 200),
  )
  .openapi(
    createRoute({ ...common, method: 'delete', path: '/v1/connections/{id}', summary: 'Delete a connection, revoking its tokens where the provider supports RFC 7009', request: { params: IdParam }, responses: { 200: json(Deleted), ...problems(401, 404) } }),
    async (c) => {
      const r = await deleteConnection(c.get('ctx'), c.get('secret').environmentId, c.req.valid('param').id)
      return c.json({ deleted: true as const, revoked: r.revoked }, 200)
    },
  )
