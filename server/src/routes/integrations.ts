import { createRoute, z } from '@hono/zod-openapi'
import { listConnectors } from '../../../connectors/registry'
import type { Connector as ConnectorDef } from '../../../connectors/schema'
import { customConnectorOut, deleteCustomConnector, getCustomConnector, listCustomConnectors, putCustomConnector } from '../services/custom-connectors'
import { requireSecretKey } from '../middleware/auth'
import { createIntegration, deleteIntegration, getIntegration, listIntegrations, updateIntegration } from '../services/integrations'
import { revealIntegrationWebhookSecret } from '../services/integration-webhook-secret'
import { redirectUri } from '../services/oauth-flow'
import { body, Connector, CustomConnector, CustomConnectorPut, Deleted, Integration, IntegrationCreate, IntegrationUpdate, integrationOut, json, problems } from './schemas'
import { router, secretKeySecurity } from './router'

const tags = ['Integrations']
const KeyParam = z.object({ key: z.string().min(1).max(100) })
const common = { tags, security: secretKeySecurity, middleware: requireSecretKey }
const connectors = { ...common, tags: ['Connectors'] }
const CustomIdParam = z.object({ id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case (a-z, 0-9, -)').max(64) })

const connectorOut = (k: ConnectorDef, custom: boolean) => ({ id: k.id, name: k.name, description: k.description, categories: k.categories, authType: k.auth.type, defaultScopes: 'scopes' in k.auth ? k.auth.scopes : [], docsUrl: k.docsUrl, custom })


export const integrationRoutes = router()
  .openapi(createRoute({ ...connectors, method: 'get', path: '/v1/connectors', summary: "List available connectors: the built-in ones and this environment's own", responses: { 200: json(z.object({ data: z.array(Connector) })), ...problems(401) } }), (c) =>
    c.json({ data: [...listConnectors().map((k) => connectorOut(k, false)), ...listCustomConnectors(c.get('secret').environmentId).map((k) => connectorOut(k, true))] }, 200),
  )
  .openapi(
    createRoute({
      ...connectors,
      method: 'put',
      path: '/v1/connectors/custom/{id}',
      summary: 'Create or replace a custom connector: your own connector for any HTTP API, as data (checked like the built-in ones)',
      request: { params: CustomIdParam, body: body(CustomConnectorPut) },
      responses: { 200: json(CustomConnector), 201: json(CustomConnector, 'Created'), ...problems(400, 401, 409) },
    }),
    async (c) => {
      const { row, created } = await putCustomConnector(c.get('ctx'), c.get('secret').environmentId, c.req.valid('param').id, c.req.valid('json'))
      return created ? c.json(customConnectorOut(row), 201) : c.json(customConnectorOut(row), 200)
    },
  )
  .openapi(createRoute({ ...connectors, method: 'get', path: '/v1/connectors/custom/{id}', summary: "A custom connector's definition", request: { params: CustomIdParam }, responses: { 200: json(CustomConnector), ...problems(400, 401, 404) } }), async (c) =>
    c.json(customConnectorOut(await getCustomConnector(c.get('ctx'), c.get('secret').environmentId, c.req.valid('param').id)), 200),
  )
  .openapi(createRoute({ ...connectors, method: 'delete', path: '/v1/connectors/custom/{id}', summary: 'Delete a custom connector no integration uses', request: { params: CustomIdParam }, responses: { 200: json(Deleted), ...problems(400, 401, 404, 409) } }), async (c) => {
    await deleteCustomConnector(c.get('ctx'), c.get('secret').environmentId, c.req.valid('param').id)
    return c.json({ deleted: true as const }, 200)
  })
  .openapi(createRoute({ ...common, method: 'get', path: '/v1/integrations', summary: 'List integrations', responses: { 200: json(z.object({ data: z.array(Integration) })), ...problems(401) } }), async (c) => {
    const ctx = c.get('ctx')
    return c.json({ data: (await listIntegrations(ctx, c.get('secret').environmentId)).map((i) => integrationOut(i, redirectUri(ctx), ctx.config.publicUrl)) })
  })
  .openapi(createRoute({ ...common, method: 'post', path: '/v1/integrations', summary: 'Enable a connector as an integration', request: { body: body(IntegrationCreate) }, responses: { 201: json(Integration, 'Created'), ...problems(400, 401, 409) } }), async (c) => {
    const ctx = c.get('ctx')
    return c.json(integrationOut(await createIntegration(ctx, c.get('secret').environmentId, c.req.valid('json')), redirectUri(ctx), ctx.config.publicUrl), 201)
  })
  .openapi(createRoute({ ...common, method: 'get', path: '/v1/integrations/{key}', summary: 'Get an integration', request: { params: KeyParam }, responses: { 200: json(Integration), ...problems(401, 404) } }), async (c) => {
    const ctx = c.get('ctx')
    return c.json(integrationOut(await getIntegration(ctx, c.get('secret').environmentId, c.req.valid('param').key), redirectUri(ctx), ctx.config.publicUrl), 200)
  })
  .openapi(createRoute({ ...common, method: 'patch', path: '/v1/integrations/{key}', summary: 'Change an integration', request: { params: KeyParam, body: body(IntegrationUpdate) }, responses: { 200: json(Integration), ...problems(400, 401, 404) } }), async (c) => {
    const ctx = c.get('ctx')
    return c.json(integrationOut(await updateIntegration(ctx, c.get('secret').environmentId, c.req.valid('param').key, c.req.valid('json')), redirectUri(ctx), ctx.config.publicUrl), 200)
  })
  .openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/v1/integrations/{key}/webhook-secret/reveal',
      summary: 'Read, once, the webhook secret a provider handshake delivered (Notion’s verification_token)',
      description:
        "For connectors whose provider hands the signing secret to the webhook URL (Notion POSTs a one-time `verification_token` when a subscription is created, and it must be pasted back into Notion's integration settings to verify the subscription): returns it exactly once, then it is write-only like every secret. Answered with `Cache-Control: no-store`. 409 `webhook_secret_not_revealable` when the connector delivers no secret this way, none arrived yet, it was revealed already, or the vendor set or cleared `webhookSecret` since.",
      request: { params: KeyParam },
      responses: { 200: json(z.object({ secret: z.string().openapi({ description: 'The signing secret in clear; shown this once' }) }).openapi('WebhookSecretReveal')), ...problems(401, 404, 409) },
    }),
    async (c) => {
      const secret = await revealIntegrationWebhookSecret(c.get('ctx'), c.get('secret').environmentId, c.req.valid('param').key)
      c.header('Cache-Control', 'no-store')
      return c.json({ secret }, 200)
    },
  )
  .openapi(createRoute({ ...common, method: 'delete', path: '/v1/integrations/{key}', summary: 'Delete an integration and its connections', request: { params: KeyParam }, responses: { 200: json(Deleted), ...problems(401, 404) } }), async (c) => {
    await deleteIntegration(c.get('ctx'), c.get('secret').environmentId, c.req.valid('param').key)
    return c.json({ deleted: true as const }, 200)
  })
