import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureWidgetBuilt } from '../../../test/e2e/harness'
import { createTestApp, testDatabases, type TestApp } from '../testing'

describe('widget assets', () => {
  let t: TestApp
  beforeAll(async () => {
    await ensureWidgetBuilt()
    t = await createTestApp(testDatabases()[0]!)
  }, 120_000)
  afterAll(() => t?.close())

  it('serves each bundle under its hash with an SRI hash that matches, cached for a year', async () => {
    const manifest = (await (await t.call('GET', '/embed/manifest.json', { token: '' })).json()) as Record<'standalone' | 'component', { file: string; integrity: string; url: string }>
    for (const kind of ['standalone', 'component'] as const) {
      const asset = manifest[kind]
      expect(asset.file).toMatch(/\.[A-Za-z0-9_-]{6,}\.js$/)
      expect(asset.url).toBe(`http://127.0.0.1:3999/embed/${asset.file}`)
      const res = await t.call('GET', `/embed/${asset.file}`, { token: '' })
      expect(res.status).toBe(200)
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
      expect(res.headers.get('access-control-allow-origin')).toBe('*')
      const body = Buffer.from(await res.arrayBuffer())
      expect(`sha384-${createHash('sha384').update(body).digest('base64')}`).toBe(asset.integrity)
    }
    const alias = await t.call('GET', '/embed/patchbay-embed.js', { token: '' })
    expect(alias.status).toBe(302)
    expect(alias.headers.get('location')).toBe(`/embed/${manifest.standalone.file}`)
  })

  it('refuses files that are not part of the build', async () => {
    for (const name of ['package.json', '..%2Fpackage.json', 'manifest.js']) {
      const r = await t.call('GET', `/embed/${name}`, { token: '' })
      expect(r.status).toBe(404)
      expect(r.headers.get('content-type')).toMatch(/problem\+json/)
    }
  })
})
