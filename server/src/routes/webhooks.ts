import { createRoute, z } from '@hono/zod-openapi'
import { requireSecretKey } from '../middleware/auth'
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  redeliverWebhook,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from '../services/webhook-endpoints'
import { router, secretKeySecurity } from './router'
import {
  body,
  Deleted,
  json,
  Page,
  PageQuery,
  problems,
  WebhookDelivery,
  webhookDeliveryOut,
  WebhookDeliveryStatus,
  WebhookEndpoint,
  WebhookEndpointCreate,
  webhookEndpointOut,
  WebhookEndpointUpdate,
  WebhookEndpointWithSecret,
  WebhookEventType,
} from './schemas'

const endpoints = { tags: ['Webhooks'], security: secretKeySecurity, middleware: requireSecretKey }
const IdParam = z.object({ id: z.string().min(1).max(100) })

export const webhookRoutes = router()
  .openapi(
    createRoute({ ...endpoints, method: 'post', path: '/v1/webhook-endpoints', summary: 'Register a webhook endpoint (its signing secret is returned this once)', request: { body: body(WebhookEndpointCreate) }, responses: { 201: json(WebhookEndpointWithSecret, 'Created'), ...problems(400, 401) } }),
    async (c) => {
      const { endpoint, secret } = await createWebhookEndpoint(c.get('ctx'), c.get('secret').environmentId, c.req.valid('json'))
      return c.json({ ...webhookEndpointOut(endpoint), secret }, 201)
    },
  )
  .openapi(createRoute({ ...endpoints, method: 'get', path: '/v1/webhook-endpoints', summary: 'List webhook endpoints', responses: { 200: json(z.object({ data: z.array(WebhookEndpoint) })), ...problems(401) } }), async (c) =>
    c.json({ data: (await listWebhookEndpoints(c.get('ctx'), c.get('secret').environmentId)).map(webhookEndpointOut) }, 200),
  )
  .openapi(createRoute({ ...endpoints, method: 'get', path: '/v1/webhook-endpoints/{id}', summary: 'Get a webhook endpoint (never its secret)', request: { params: IdParam }, responses: { 200: json(WebhookEndpoint), ...problems(401, 404) } }), async (c) =>
    c.json(webhookEndpointOut(await getWebhookEndpoint(c.get('ctx'), c.get('secret').environmentId, c.req.valid('param').id)), 200),
  )
  .openapi(
    createRoute({ ...endpoints, method: 'patch', path: '/v1/webhook-endpoints/{id}', summary: 'Change a webhook endpoint', request: { params: IdParam, body: body(WebhookEndpointUpdate) }, responses: { 200: json(WebhookEndpoint), ...problems(400, 401, 404) } }),
    async (c) => c.json(webhookEndpointOut(await updateWebhookEndpoint(c.get('ctx'), c.get('secret').environmentId, c.req.valid('param').id, c.req.valid('json'))), 200),
  )
  .openapi(createRoute({ ...endpoints, method: 'delete', path: '/v1/webhook-endpoints/{id}', summary: 'Delete a webhook endpoint and its deliveries', request: { params: IdParam }, responses: { 200: json(Deleted), ...problems(401, 404) } }), async (c) => {
    await deleteWebhookEndpoint(c.get('ctx'), c.get('secret').environmentId, c.req.valid('param').id)
    return c.json({ deleted: true as const }, 200)
  })
  .openapi(
    createRoute({ ...endpoints, method: 'post', path: '/v1/webhook-endpoints/{id}/rotate-secret', summary: 'Replace the signing secret (the new one is returned this once; the old one stops at once)', request: { params: IdParam }, responses: { 200: json(WebhookEndpointWithSecret), ...problems(401, 404) } }),
    async (c) => {
      const { endpoint, secret } = await rotateWebhookSecret(c.get('ctx'), c.get('secret').environmentId, c.req.valid('param').id)
      return c.json({ ...webhookEndpointOut(endpoint), secret }, 200)
    },
  )
  .openapi(
    createRoute({
      ...endpoints,
      method: 'get',
      path: '/v1/webhook-deliveries',
      summary: 'List webhook deliveries, newest first, with every attempt',
      request: { query: PageQuery.extend({ endpointId: z.string().max(100).optional(), eventType: WebhookEventType.optional(), status: WebhookDeliveryStatus.optional() }) },
      responses: { 200: json(Page(WebhookDelivery)), ...problems(400, 401) },
    }),
    async (c) => {
      const page = await listWebhookDeliveries(c.get('ctx'), c.get('secret').environmentId, c.req.valid('query'))
      return c.json({ data: page.data.map(webhookDeliveryOut), nextCursor: page.nextCursor }, 200)
    },
  )
  .openapi(
    createRoute({ ...endpoints, method: 'post', path: '/v1/webhook-deliveries/{id}/redeliver', summary: 'Attempt a delivery again now, whatever its state', request: { params: IdParam }, responses: { 202: json(WebhookDelivery, 'Queued'), ...problems(401, 404) } }),
    async (c) => c.json(webhookDeliveryOut(await redeliverWebhook(c.get('ctx'), c.get('secret').environmentId, c.req.valid('param').id)), 202),
  )
