/** Field mappings (issue 5): integration defaults and connections' own, checked before saving, versioned, mapping.updated. */
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoProvider, type DemoProvider } from '../server/src/demo/provider/index'
import { createTestApp, testDatabases, type TestApp } from '../server/src/testing'

const CONTACT = { fields: { email: { type: 'string', required: true }, firstName: { type: 'string' }, lifecycleStage: { type: 'enum', enumValues: ['subscriber', 'lead', 'customer'] }, createdAt: { type: 'datetime' } } }
const MAPPING = {
  model: 'Contact',
  fields: {
    email: { source: 'field', path: 'email' },
    firstName: { source: 'field', path: 'first_name' },
    lifecycleStage: { source: 'field', path: 'lifecycle_stage', transforms: [{ type: 'enum', map: { lead: 'lead', opportunity: 'lead', customer: 'customer' } }] },
    createdAt: { source: 'field', path: 'created_at' },
  },
}

describe.each(testDatabases())('field mappings on $name', (target) => {
  let t: TestApp
  let provider: DemoProvider
  let receiver: Server
  const events: { type: string; data: Record<string, any> }[] = []
  let connectionId: string

  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await t.call(method, path, { ...(body !== undefined ? { body } : {}), ...(token ? { token } : {}) })
    return { status: res.status, body: (await res.json()) as Record<string, any> }
  }

  beforeAll(async () => {
    t = await createTestApp(target)
    provider = await startDemoProvider({ clients: [], apiKeys: ['k1'], contactsPerAccount: 5 })
    receiver = createServer((req, res) => {
      let b = ''
      req.on('data', (c) => (b += c))
      req.on('end', () => {
        events.push(JSON.parse(b))
        res.writeHead(204).end()
      })
    })
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
    await call('POST', '/v1/webhook-endpoints', { url: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/h`, events: ['mapping.updated'] })
    await call('POST', '/v1/integrations', { key: 'crm', connectorId: 'demo-crm-api-key', overrides: { baseUrl: provider.apiBaseUrl }, syncSettings: { autoStart: false } })
    const token = (await call('POST', '/v1/connect-sessions', { endUser: { id: 'u1' } })).body.token as string
    connectionId = (await call('POST', '/v1/embed/connections', { integration: 'crm', credentials: { apiKey: 'k1' } }, token)).body.id as string
    expect((await call('PUT', '/v1/models/Contact', CONTACT)).status).toBe(201)
  })
  afterAll(async () => {
    await provider?.close()
    await t?.close()
    await new Promise((r) => receiver?.close(r))
  })

  it('uses the integration default until the connection has its own; versions move only on change', async () => {
    expect(await call('GET', `/v1/connections/${connectionId}/mappings/contact`)).toMatchObject({ status: 200, body: { mapping: null } })
    const def = await call('PUT', '/v1/integrations/crm/mappings/contact', MAPPING)
    expect(def).toMatchObject({ status: 200, body: { scope: 'integration', model: 'Contact', version: 1 } })
    // The enum map leaves no provider value unmapped: no warning about lifecycle stages.
    expect(def.body.warnings.filter((w: { code: string }) => w.code === 'enum_unmapped')).toEqual([])
    expect(await call('GET', `/v1/connections/${connectionId}/mappings/contact`)).toMatchObject({ body: { mapping: { scope: 'integration', version: 1 } } })
    expect((await call('GET', '/v1/integrations/crm/mappings')).body.data).toHaveLength(1)

    const own = { ...MAPPING, fields: { ...MAPPING.fields, firstName: { source: 'join', paths: ['first_name', 'last_name'], separator: ' ' } } }
    expect(await call('PUT', `/v1/connections/${connectionId}/mappings/contact`, own)).toMatchObject({ status: 200, body: { scope: 'connection', version: 1 } })
    expect(await call('PUT', `/v1/connections/${connectionId}/mappings/contact`, own)).toMatchObject({ status: 200, body: { version: 1 } })
    expect(await call('GET', `/v1/connections/${connectionId}/mappings/contact`)).toMatchObject({ body: { mapping: { scope: 'connection', fields: { firstName: { source: 'join' } } } } })
    const changed = { ...own, fields: { ...own.fields, createdAt: { source: 'field', path: 'updated_at' } } }
    expect(await call('PUT', `/v1/connections/${connectionId}/mappings/contact`, changed)).toMatchObject({ status: 200, body: { version: 2 } })

    // mapping.updated: once per change (two changes, the repeat in between sent nothing).
    for (let i = 0; i < 100 && events.length < 2; i++) await new Promise((r) => setTimeout(r, 50))
    await new Promise((r) => setTimeout(r, 300))
    expect(events.map((e) => [e.type, e.data.connectionId, e.data.mapping.version])).toEqual([['mapping.updated', connectionId, 1], ['mapping.updated', connectionId, 2]])

    expect(await call('DELETE', `/v1/connections/${connectionId}/mappings/contact`)).toMatchObject({ status: 200 })
    expect(await call('GET', `/v1/connections/${connectionId}/mappings/contact`)).toMatchObject({ body: { mapping: { scope: 'integration' } } })
    expect(await call('DELETE', `/v1/connections/${connectionId}/mappings/contact`)).toMatchObject({ status: 404, body: { code: 'not_found' } })
  })

  it('refuses invalid mappings with clear errors and keeps what was stored', async () => {
    const before = (await call('GET', '/v1/integrations/crm/mappings')).body
    const bad = async (body: unknown, path: string, code?: string) => {
      const res = await call('PUT', '/v1/integrations/crm/mappings/contact', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body.code).toBe('invalid_request')
      const hit = res.body.errors.find((e: { path: string }) => e.path === path)
      expect(hit, JSON.stringify(res.body.errors)).toBeTruthy()
      if (code) expect(hit.code).toBe(code)
      return hit as { message: string }
    }
    const { email: _email, ...withoutEmail } = MAPPING.fields
    expect((await bad({ model: 'Contact', fields: withoutEmail }, 'fields.email', 'required_unmapped')).message).toMatch(/required/)
    await bad({ model: 'Contact', fields: { ...MAPPING.fields, email: { source: 'field', path: 'no_such_field' } } }, 'fields.email', 'unknown_path')
    await bad({ model: 'Contact', fields: { ...MAPPING.fields, phoneNumber: { source: 'field', path: 'phone' } } }, 'fields.phoneNumber', 'unknown_field')
    await bad({ model: 'Nope', fields: {} }, 'model')
    await bad({ model: 'Contact', fields: { ...MAPPING.fields, email: { source: 'guess' } } }, 'fields.email.source')
    expect((await call('PUT', '/v1/integrations/crm/mappings/no_such_object', MAPPING)).status).toBe(404)
    expect((await call('PUT', `/v1/connections/conn_missing/mappings/contact`, MAPPING)).status).toBe(404)
    expect((await call('GET', '/v1/integrations/crm/mappings')).body).toEqual(before)
    const other = await t.newTenant('Other')
    expect((await call('GET', `/v1/connections/${connectionId}/mappings/contact`, undefined, other.secretKey)).status).toBe(404)
  })
})
