import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, testDatabases, type TestApp } from './testing'

describe('API reference', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(testDatabases()[0]!)
  })
  afterAll(() => t?.close())

  it('serves an OpenAPI 3.1 document with every route, security schemes and the problem schema', async () => {
    const r = await t.call('GET', '/openapi.json', { token: '' })
    expect(r.status).toBe(200)
    const doc = (await r.json()) as { openapi: string; paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>; components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> } }
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['connectSession', 'secretKey'])
    expect(doc.components.schemas.Problem).toBeDefined()
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.security, `${method} ${path} declares its auth`).toBeDefined()
        expect(Object.keys(op.responses).some((s) => s.startsWith('4')), `${method} ${path} documents its errors`).toBe(true)
      }
    }
  })

  it('serves a readable reference page with its assets locally', async () => {
    const page = await t.call('GET', '/docs', { token: '' })
    expect(page.headers.get('content-type')).toMatch(/text\/html/)
    const html = await page.text()
    for (const src of html.match(/\/docs\/[a-z0-9./-]+/g) ?? []) expect((await t.call('GET', src, { token: '' })).status, src).toBe(200)
    expect(html).toContain('/docs/assets/swagger-ui-bundle.js')
  })
})
