/**
 * Builds the Hono app: request id, context, routes, the OpenAPI document, problem+json errors.
 * `app.request(...)` runs it without a server (tests); `main.ts` serves it.
 */
import { OpenAPIHono } from '@hono/zod-openapi'
import { requestId } from 'hono/request-id'
import type { AppContext } from './context'
import { onError, problem } from './middleware/errors'
import type { AppEnv } from './middleware/types'
import { actionRoutes } from './routes/actions'
import { connectSessionRoutes } from './routes/connect-sessions'
import { connectionRoutes } from './routes/connections'
import { docsRoutes } from './routes/docs'
import { embedRoutes } from './routes/embed'
import { embedAssetRoutes } from './routes/embed-assets'
import { endUserRoutes } from './routes/end-users'
import { integrationRoutes } from './routes/integrations'
import { oauthRoutes } from './routes/oauth'
import { mappingRoutes } from './routes/mappings'
import { modelRoutes } from './routes/models'
import { proxyRoutes } from './routes/proxy'
import { providerWebhookRoutes } from './routes/provider-webhooks'
import { recordRoutes } from './routes/records'
import { syncRoutes } from './routes/syncs'
import { webhookRoutes } from './routes/webhooks'

export const API_VERSION = '0.1.0'

export function createApp(ctx: AppContext) {
  const app = new OpenAPIHono<AppEnv>()
  app.use(requestId({ headerName: 'x-request-id', generator: () => crypto.randomUUID() }))
  const accessLog = ctx.log.isLevelEnabled('info')
  app.use(async (c, next) => {
    c.set('ctx', ctx)
    const started = accessLog ? performance.now() : 0
    await next()
    // The path only: query strings may carry values the caller considers sensitive.
    if (accessLog) ctx.log.info({ requestId: c.get('requestId'), method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10 }, 'request')
  })
  app.onError(onError)
  app.notFound((c) => problem(c, 'not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`))

  app.openAPIRegistry.registerComponent('securitySchemes', 'secretKey', { type: 'http', scheme: 'bearer', description: 'Secret API key (`pb_sk_…`), backend only' })
  app.openAPIRegistry.registerComponent('securitySchemes', 'connectSession', { type: 'http', scheme: 'bearer', description: 'Connect session token (`pb_cs_…`), for the widget' })

  app.get('/health', (c) => c.json({ ok: true, database: ctx.database.kind }))
  app.route('/', connectSessionRoutes)
  app.route('/', integrationRoutes)
  app.route('/', endUserRoutes)
  app.route('/', connectionRoutes)
  app.route('/', embedRoutes)
  app.route('/', proxyRoutes)
  app.route('/', webhookRoutes)
  app.route('/', providerWebhookRoutes)
  app.route('/', syncRoutes)
  app.route('/', recordRoutes)
  app.route('/', modelRoutes)
  app.route('/', mappingRoutes)
  app.route('/', actionRoutes)
  app.route('/', oauthRoutes)
  app.route('/', embedAssetRoutes)
  app.route('/', docsRoutes)
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Patchbay API', version: API_VERSION, description: 'Embeddable integration marketplace. Errors are `application/problem+json` with a stable `code`.' },
    servers: [{ url: ctx.config.publicUrl }],
  })
  return app
}

export type App = ReturnType<typeof createApp>
