import { createRoute } from '@hono/zod-openapi'
import { requireSecretKey } from '../middleware/auth'
import { createConnectSession } from '../services/connect-sessions'
import { body, ConnectSession, ConnectSessionCreate, json, problems } from './schemas'
import { router, secretKeySecurity } from './router'

const create = createRoute({
  method: 'post',
  path: '/v1/connect-sessions',
  tags: ['Connect sessions'],
  summary: 'Create a connect session for an end user',
  description: 'Returns a short-lived token for the widget. The end user is created or updated from `endUser`.',
  security: secretKeySecurity,
  middleware: requireSecretKey,
  request: { body: body(ConnectSessionCreate) },
  responses: { 201: json(ConnectSession, 'Created'), ...problems(400, 401) },
})

export const connectSessionRoutes = router().openapi(create, async (c) => {
  const s = await createConnectSession(c.get('ctx'), c.get('secret').environmentId, c.req.valid('json'))
  return c.json({ token: s.token, expiresAt: s.expiresAt.toISOString(), endUserId: s.endUserId }, 201)
})
