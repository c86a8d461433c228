/**
 * The demo host app's backend routes, through `app.request`, its SDK wired to an in-process
 * Patchbay app (and a real Demo CRM provider for the proxy). The browser side is covered by
 * `test/e2e/`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, testDatabases, type TestApp } from '../../testing'
import { startDemoProvider, type DemoProvider } from '../provider/index'
import { createHostApp, DEMO_USER } from './index'

const PATCHBAY = 'http://127.0.0.1:3999'
const HOST = 'http://localhost:3001'

describe.each(testDatabases())('demo host app on $name', (target) => {
  let t: TestApp
  let provider: DemoProvider
  let app: ReturnType<typeof createHostApp>
  let manifest: Response | undefined

  beforeAll(async () => {
    t = await createTestApp(target)
    provider = await startDemoProvider({ clients: [], apiKeys: ['right-key'], contactsPerAccount: 12 })
    expect((await t.call('POST', '/v1/integrations', { body: { key: 'demo-crm-api-key', connectorId: 'demo-crm-api-key', overrides: { baseUrl: provider.apiBaseUrl } } })).status).toBe(201)
    const fetch = async (input: string, init: RequestInit) => (input.endsWith('/embed/manifest.json') && manifest ? manifest.clone() : t.app.request(input, init))
    app = createHostApp({ patchbayUrl: PATCHBAY, secretKey: t.tenant.secretKey, fetch }, () => [HOST, 'http://127.0.0.1:3001'])
  })
  afterAll(async () => {
    await provider?.close()
    await t?.close()
  })

  const session = (origin?: string) => app.request('/api/patchbay/session', { method: 'POST', headers: origin ? { origin } : {} })
  const contacts = async () => {
    const r = await app.request('/api/crm/contacts?limit=3')
    expect(r.status).toBe(200)
    return (await r.json()) as Record<string, unknown>
  }

  it('mints a connect session only for its own pages, bound to the page origin', async () => {
    expect((await session()).status).toBe(403)
    expect((await session('https://evil.example')).status).toBe(403)
    const r = await session(HOST)
    expect(r.status).toBe(200)
    expect(r.headers.get('cache-control')).toBe('no-store')
    const { token } = (await r.json()) as { token: string }
    expect(token).toMatch(/^pb_cs_/)
    const ok = await t.app.request('/v1/embed/session', { headers: { authorization: `Bearer ${token}`, origin: HOST } })
    expect(await ok.json()).toMatchObject({ endUser: { id: DEMO_USER.id, email: DEMO_USER.email, displayName: DEMO_USER.displayName } })
    const elsewhere = await t.app.request('/v1/embed/session', { headers: { authorization: `Bearer ${token}`, origin: 'http://127.0.0.1:3001' } })
    expect(await elsewhere.json()).toMatchObject({ code: 'origin_not_allowed' })
  })

  it('reads contacts through the proxy: not connected, connected, needs reauth', async () => {
    expect(await contacts()).toEqual({ state: 'not_connected' })

    const { token } = (await (await session(HOST)).json()) as { token: string }
    const made = await t.app.request('/v1/embed/connections', { method: 'POST', headers: { authorization: `Bearer ${token}`, origin: HOST, 'content-type': 'application/json' }, body: JSON.stringify({ integration: 'demo-crm-api-key', credentials: { apiKey: 'right-key' } }) })
    expect(made.status).toBe(201)
    const { id } = (await made.json()) as { id: string }
    const connected = await contacts()
    expect(connected).toMatchObject({ state: 'connected', connection: { id, integration: 'demo-crm-api-key', status: 'active' }, hasMore: true })
    expect(connected.contacts).toHaveLength(3)
    expect((connected.contacts as { email: string }[])[0]!.email).toMatch(/@/)

    await t.ctx.db.execute(`update connections set status = 'needs_reauth', status_reason = 'invalid_grant' where id = '${id}'` as never)
    expect(await contacts()).toMatchObject({ state: 'needs_reauth', connection: { id }, reason: 'invalid_grant' })
  })

  it('reports Patchbay failures as JSON, not as a crash', async () => {
    const broken = createHostApp({ patchbayUrl: PATCHBAY, secretKey: 'pb_sk_dev_wrong', fetch: (input, init) => Promise.resolve(t.app.request(input, init)) }, () => [HOST])
    const r = await broken.request('/api/crm/contacts')
    expect(r.status).toBe(502)
    expect(await r.json()).toMatchObject({ code: 'unauthenticated' })
  })

  it('renders the pages with a CSP allowing Patchbay, and the widget script with its integrity', async () => {
    for (const path of ['/', '/contacts']) {
      const r = await app.request(path)
      expect(r.status).toBe(200)
      expect(r.headers.get('content-security-policy')).toContain(`script-src 'self' ${PATCHBAY}`)
      expect(await r.text()).toContain('Jamie Rivera')
    }
    manifest = Response.json({ standalone: { file: 'patchbay-embed.abc.js', integrity: 'sha384-xyz', url: `${PATCHBAY}/embed/patchbay-embed.abc.js` } })
    const html = await (await app.request('/integrations')).text()
    expect(html).toContain(`<script src="${PATCHBAY}/embed/patchbay-embed.abc.js" integrity="sha384-xyz" crossorigin="anonymous" defer=""></script>`)
    expect(html).toContain(`<patchbay-marketplace base-url="${PATCHBAY}" theme="light">`)

    manifest = new Response('{"code":"not_found"}', { status: 404 })
    const missing = await (await app.request('/integrations')).text()
    expect(missing).toContain('has no built widget')
    expect(missing).not.toContain('<patchbay-marketplace')
    expect((await app.request('/nope')).status).toBe(404)
    expect((await app.request('/assets/app.js')).headers.get('content-type')).toMatch(/javascript/)
    expect((await app.request('/assets/..%2Findex.ts')).status).toBe(404)
  })
})
