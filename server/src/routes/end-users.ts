import { createRoute, z } from '@hono/zod-openapi'
import { requireSecretKey } from '../middleware/auth'
import { deleteEndUser, getEndUser, listEndUsers, type EndUserRow } from '../services/end-users'
import { Deleted, EndUser, json, Page, PageQuery, problems } from './schemas'
import { router, secretKeySecurity } from './router'

const common = { tags: ['End users'], security: secretKeySecurity, middleware: requireSecretKey }
const IdParam = z.object({ id: z.string().min(1).max(255) })
const out = (u: EndUserRow) => ({ id: u.externalId, email: u.email, displayName: u.displayName, createdAt: u.createdAt.toISOString(), updatedAt: u.updatedAt.toISOString() })

export const endUserRoutes = router()
  .openapi(createRoute({ ...common, method: 'get', path: '/v1/end-users', summary: 'List end users', request: { query: PageQuery }, responses: { 200: json(Page(EndUser)), ...problems(400, 401) } }), async (c) => {
    const { limit, cursor } = c.req.valid('query')
    const page = await listEndUsers(c.get('ctx'), c.get('secret').environmentId, limit, cursor)
    return c.json({ data: page.data.map(out), nextCursor: page.nextCursor }, 200)
  })
  .openapi(createRoute({ ...common, method: 'get', path: '/v1/end-users/{id}', summary: "Get an end user by the vendor's id", request: { params: IdParam }, responses: { 200: json(EndUser), ...problems(401, 404) } }), async (c) =>
    c.json(out(await getEndUser(c.get('ctx'), c.get('secret').environmentId, c.req.valid('param').id)), 200),
  )
  .openapi(createRoute({ ...common, method: 'delete', path: '/v1/end-users/{id}', summary: 'Delete an end user with their connections (tokens revoked where supported) and sessions', request: { params: IdParam }, responses: { 200: json(Deleted), ...problems(401, 404) } }), async (c) => {
    await deleteEndUser(c.get('ctx'), c.get('secret').environmentId, c.req.valid('param').id)
    return c.json({ deleted: true as const }, 200)
  })
