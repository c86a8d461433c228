import { createRoute, z } from '@hono/zod-openapi'
import type { EndUserRow } from '../db/queries/end-users'
import { deleteEndUser, findEndUserByExternalId, listEndUsers } from '../db/queries/end-users'
import { notFound } from '../lib/errors'
import { requireSecretKey } from '../middleware/auth'
import { Deleted, EndUser, json, Page, PageQuery, problems } from './schemas'
import { router, secretKeySecurity } from './router'

const common = { tags: ['End users'], security: secretKeySecurity, middleware: requireSecretKey }
const IdParam = z.object({ id: z.string().min(1).max(255) })
const out = (u: EndUserRow) => ({ id: u.externalId, email: u.email, displayName: u.displayName, createdAt: u.createdAt.toISOString(), updatedAt: u.updatedAt.toISOString() })

export const endUserRoutes = router()
  .openapi(createRoute({ ...common, method: 'get', path: '/v1/end-users', summary: 'List end users', request: { query: PageQuery }, responses: { 200: json(Page(EndUser)), ...problems(400, 401) } }), async (c) => {
    const { limit, cursor } = c.req.valid('query')
    const rows = await listEndUsers(c.get('ctx').db, c.get('secret').environmentId, limit + 1, cursor)
    const data = rows.slice(0, limit)
    return c.json({ data: data.map(out), nextCursor: rows.length > limit ? data[data.length - 1]!.id : null }, 200)
  })
  .openapi(createRoute({ ...common, method: 'get', path: '/v1/end-users/{id}', summary: "Get an end user by the vendor's id", request: { params: IdParam }, responses: { 200: json(EndUser), ...problems(401, 404) } }), async (c) => {
    const u = await findEndUserByExternalId(c.get('ctx').db, c.get('secret').environmentId, c.req.valid('param').id)
    if (!u) throw notFound('End user', c.req.valid('param').id)
    return c.json(out(u), 200)
  })
  .openapi(createRoute({ ...common, method: 'delete', path: '/v1/end-users/{id}', summary: 'Delete an end user with their connections and sessions', request: { params: IdParam }, responses: { 200: json(Deleted), ...problems(401, 404) } }), async (c) => {
    const ctx = c.get('ctx')
    const u = await findEndUserByExternalId(ctx.db, c.get('secret').environmentId, c.req.valid('param').id)
    if (!u) throw notFound('End user', c.req.valid('param').id)
    await deleteEndUser(ctx.db, u.id)
    return c.json({ deleted: true as const }, 200)
  })
