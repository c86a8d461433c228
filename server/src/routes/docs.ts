/** The API reference: `/openapi.json` (OpenAPI 3.1, generated from the routes' zod schemas) and `/docs` (Swagger UI, served locally). */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Hono } from 'hono'
import type { AppEnv } from '../middleware/types'

const require = createRequire(import.meta.url)
const SWAGGER_DIR = dirname(require.resolve('swagger-ui-dist/package.json'))
const ASSETS: Record<string, string> = { 'swagger-ui.css': 'text/css', 'swagger-ui-bundle.js': 'text/javascript', 'favicon-32x32.png': 'image/png' }

const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Patchbay API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"><link rel="icon" href="/docs/assets/favicon-32x32.png"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script></body></html>`
const init = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui', deepLinking: true, persistAuthorization: false })`

export const docsRoutes = new Hono<AppEnv>()
  .get('/docs', (c) => c.html(page))
  .get('/docs/init.js', (c) => c.body(init, 200, { 'content-type': 'text/javascript', 'cache-control': 'public, max-age=3600' }))
  .get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file')
    const type = ASSETS[file]
    if (!type) return c.notFound()
    return c.body(await readFile(join(SWAGGER_DIR, file)), 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' })
  })
