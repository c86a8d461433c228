import { createRoute } from '@hono/zod-openapi'
import { requireSecretKey } from '../middleware/auth'
import { listRecords } from '../services/records'
import { router, secretKeySecurity } from './router'
import { json, problems, RecordsPage, RecordsQuery } from './schemas'

export const recordRoutes = router().openapi(
  createRoute({
    tags: ['Records'],
    security: secretKeySecurity,
    middleware: requireSecretKey,
    method: 'get',
    path: '/v1/records',
    summary: "The change feed of a connection's synced records: added, updated and deleted, in the order they changed",
    request: { query: RecordsQuery },
    responses: { 200: json(RecordsPage), ...problems(400, 401, 404) },
  }),
  async (c) => {
    const q = c.req.valid('query')
    return c.json(await listRecords(c.get('ctx'), c.get('secret').environmentId, { ...q, includeRaw: q.includeRaw === 'true' }), 200)
  },
)
