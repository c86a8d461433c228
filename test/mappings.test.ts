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
    await call('POST', '/v1/webhook-endpoints', { url: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/h`, events: ['mapping.updated', 'mapping.applied'] })
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
    const updated = () => events.filter((e) => e.type === 'mapping.updated')
    for (let i = 0; i < 100 && updated().length < 2; i++) await new Promise((r) => setTimeout(r, 50))
    await new Promise((r) => setTimeout(r, 300))
    expect(updated().map((e) => [e.type, e.data.connectionId, e.data.mapping.version])).toEqual([['mapping.updated', connectionId, 1], ['mapping.updated', connectionId, 2]])

    expect(await call('DELETE', `/v1/connections/${connectionId}/mappings/contact`)).toMatchObject({ status: 200 })
    expect(await call('GET', `/v1/connections/${connectionId}/mappings/contact`)).toMatchObject({ body: { mapping: { scope: 'integration' } } })
    expect(await call('DELETE', `/v1/connections/${connectionId}/mappings/contact`)).toMatchObject({ status: 404, body: { code: 'not_found' } })
  })

  it('shapes the change feed with the mapping in effect, and a change re-emits the stored records without refetching', async () => {
    await call('POST', '/v1/integrations', { key: 'crm-sync', connectorId: 'demo-crm-api-key', allowMultipleConnections: true, overrides: { baseUrl: provider.apiBaseUrl } })
    const token = (await call('POST', '/v1/connect-sessions', { endUser: { id: 'u2' } })).body.token as string
    const id = (await call('POST', '/v1/embed/connections', { integration: 'crm-sync', credentials: { apiKey: 'k1' } }, token)).body.id as string
    const feed = async (cursor?: string, extra = '') => (await call('GET', `/v1/records?connectionId=${id}&model=contact&limit=100${cursor ? `&cursor=${cursor}` : ''}${extra}`)).body as { data: { id: string; action: string; data: Record<string, unknown>; raw?: Record<string, unknown>; mapping: { model: string; version: number; errors: unknown[] } | null }[]; nextCursor: string }
    let raw = await feed()
    for (let i = 0; i < 100 && raw.data.length < 5; i++) {
      await new Promise((r) => setTimeout(r, 50))
      raw = await feed()
    }
    expect(raw.data).toHaveLength(5)
    expect(raw.data[0]!.mapping).toBeNull()
    expect(raw.data[0]!.data).toHaveProperty('first_name')

    expect((await call('PUT', `/v1/connections/${id}/mappings/contact`, MAPPING)).status).toBe(200)
    const requestsBefore = provider.stats.apiRequests
    // The remap re-emits all five records after the cursor, in the model's shape.
    let changes = await feed(raw.nextCursor)
    for (let i = 0; i < 100 && changes.data.length < 5; i++) {
      await new Promise((r) => setTimeout(r, 50))
      changes = await feed(raw.nextCursor)
    }
    expect(changes.data.map((r) => r.id).sort()).toEqual(raw.data.map((r) => r.id).sort())
    // mapping.applied says when the re-emission is complete, with the feed position to read from (as sync.succeeded does).
    const applied = () => events.find((e) => e.type === 'mapping.applied' && e.data.connection.id === id)
    for (let i = 0; i < 100 && !applied(); i++) await new Promise((r) => setTimeout(r, 50))
    expect(applied()!.data).toMatchObject({ changes: { model: 'contact', cursor: raw.nextCursor, added: 0, updated: 5, deleted: 0 }, mapping: { model: 'Contact', version: 1, scope: 'connection' } })
    for (const r of changes.data) {
      const source = raw.data.find((x) => x.id === r.id)!.data
      expect(r.action).toBe('updated')
      expect(r.mapping).toMatchObject({ model: 'Contact', version: 1, errors: [] })
      expect(Object.keys(r.data).sort()).toEqual(['createdAt', 'email', 'firstName', 'lifecycleStage'])
      expect(r.data.email).toBe(source.email)
      expect(r.data.lifecycleStage).toBe(source.lifecycle_stage === 'customer' ? 'customer' : 'lead')
      expect(r.raw).toBeUndefined()
    }
    expect((await feed(undefined, '&includeRaw=true')).data[0]!.raw).toHaveProperty('first_name')

    // A second change: re-emitted again with the new version; the provider was never asked.
    const renamed = { ...MAPPING, fields: { ...MAPPING.fields, firstName: { source: 'join', paths: ['first_name', 'last_name'], separator: ' ' } } }
    expect((await call('PUT', `/v1/connections/${id}/mappings/contact`, renamed)).body.version).toBe(2)
    let again = await feed(changes.nextCursor)
    for (let i = 0; i < 100 && again.data.length < 5; i++) {
      await new Promise((r) => setTimeout(r, 50))
      again = await feed(changes.nextCursor)
    }
    expect(again.data).toHaveLength(5)
    for (const r of again.data) {
      const source = raw.data.find((x) => x.id === r.id)!.data
      expect(r.mapping?.version).toBe(2)
      expect(r.data.firstName).toBe(`${source.first_name} ${source.last_name}`)
    }
    expect(provider.stats.apiRequests).toBe(requestsBefore)

    // The mapping screen's data: fields with samples from the synced records, a suggested mapping, a live preview.
    const described = (await call('GET', `/v1/connections/${id}/fields/contact?model=Contact`)).body as { fields: { path: string; type: string; samples: unknown[]; enumValues?: string[] }[]; suggested: { model: string; fields: Record<string, { source: string; path?: string }> } }
    const email = described.fields.find((f) => f.path === 'email')!
    expect(email.type).toBe('string')
    expect(email.samples.length).toBeGreaterThan(0)
    expect(raw.data.map((r) => r.data.email)).toEqual(expect.arrayContaining(email.samples))
    expect(described.fields.find((f) => f.path === 'lifecycle_stage')?.enumValues).toEqual(['lead', 'opportunity', 'customer'])
    expect(described.suggested).toMatchObject({ model: 'Contact', fields: { email: { source: 'field', path: 'email' }, firstName: { source: 'field', path: 'first_name' } } })
    expect((await call('GET', `/v1/connections/${id}/fields/contact`)).body.suggested).toBeNull()
    expect((await call('GET', `/v1/connections/${id}/fields/nope`)).status).toBe(404)

    const preview = await call('POST', `/v1/connections/${id}/mappings/contact/preview`, MAPPING)
    expect(preview.status).toBe(200)
    expect(preview.body.check).toMatchObject({ ok: true, errors: [] })
    expect(preview.body.samples).toHaveLength(3)
    for (const sample of preview.body.samples as { raw: Record<string, unknown>; value: Record<string, unknown> }[]) expect(sample.value.email).toBe(sample.raw.email)
    const { email: _e, ...noEmail } = MAPPING.fields
    const failing = await call('POST', `/v1/connections/${id}/mappings/contact/preview`, { model: 'Contact', fields: noEmail })
    expect(failing.body.check.ok).toBe(false)
    expect(failing.body.check.errors[0]).toMatchObject({ field: 'email', code: 'required_unmapped' })
    expect(failing.body.samples[0].errors[0]).toMatchObject({ field: 'email' })
    // A preview saves nothing.
    expect((await call('GET', `/v1/connections/${id}/mappings/contact`)).body.mapping.version).toBe(2)
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

  it('lets an end user map their own connection in the widget (session token): targets, fields with samples, preview, save, reset', async () => {
    await call('POST', '/v1/integrations', { key: 'crm-widget', connectorId: 'demo-crm-api-key', overrides: { baseUrl: provider.apiBaseUrl }, syncSettings: { autoStart: false } })
    const token = (await call('POST', '/v1/connect-sessions', { endUser: { id: 'u3' } })).body.token as string
    const stranger = (await call('POST', '/v1/connect-sessions', { endUser: { id: 'u4' } })).body.token as string
    const id = (await call('POST', '/v1/embed/connections', { integration: 'crm-widget', credentials: { apiKey: 'k1' } }, token)).body.id as string
    const base = `/v1/embed/connections/${id}/mappings`

    // Contact matches the connector's `contact` object by name; there is no Company model yet.
    const targets = await call('GET', base, undefined, token)
    expect(targets.status).toBe(200)
    expect(targets.body.data).toEqual([{ object: 'contact', objectLabel: 'Contacts', model: { name: 'Contact', fields: expect.objectContaining({ email: { type: 'string', required: true } }) }, mapping: null, status: 'unmapped' }])
    expect((await call('PUT', '/v1/models/Company', { fields: { name: { type: 'string', required: true }, domain: { type: 'string' } } })).status).toBe(201)
    expect((await call('GET', base, undefined, token)).body.data.map((x: { object: string; model: { name: string } }) => [x.object, x.model.name])).toEqual([
      ['contact', 'Contact'],
      ['company', 'Company'],
    ])

    // Nothing synced yet (autoStart off): samples come from a live read of the first page.
    const editor = await call('GET', `${base}/contact`, undefined, token)
    expect(editor.status).toBe(200)
    expect(editor.body).toMatchObject({ object: 'contact', status: 'unmapped', mapping: null, discovery: { discoveredAt: null, error: null } })
    const first = editor.body.fields.find((f: { path: string }) => f.path === 'first_name')
    expect(first).toMatchObject({ label: 'First name', type: 'string', custom: false })
    expect(first.samples.length).toBeGreaterThan(0)
    // Suggested: the connector's default mapping to the common contact, adapted to Contact (stage values matched by name).
    expect(editor.body.suggested).toEqual({
      model: 'Contact',
      fields: {
        email: { source: 'field', path: 'email', transforms: [] },
        firstName: { source: 'field', path: 'first_name', transforms: [] },
        lifecycleStage: { source: 'field', path: 'lifecycle_stage', transforms: [{ type: 'enum', map: { lead: 'lead', customer: 'customer' } }] },
        createdAt: { source: 'field', path: 'created_at', transforms: [] },
      },
    })
    const preview = await call('POST', `${base}/contact/preview`, editor.body.suggested, token)
    expect(preview.status).toBe(200)
    expect(preview.body.check.ok).toBe(true)
    expect(preview.body.check.warnings).toEqual([expect.objectContaining({ field: 'lifecycleStage', code: 'enum_unmapped', values: ['opportunity'] })])
    expect(preview.body.samples).toHaveLength(3)

    // Another end user of the same environment sees none of it.
    for (const [method, path, body] of [['GET', base], ['GET', `${base}/contact`], ['POST', `${base}/contact/preview`, MAPPING], ['PUT', `${base}/contact`, MAPPING], ['DELETE', `${base}/contact`]] as const) {
      expect((await call(method, path, body, stranger)).status, `${method} ${path}`).toBe(404)
    }

    const invalid = await call('PUT', `${base}/contact`, { model: 'Contact', fields: { firstName: { source: 'field', path: 'first_name' } } }, token)
    expect(invalid).toMatchObject({ status: 400, body: { code: 'invalid_request', errors: [{ path: 'fields.email', code: 'required_unmapped' }] } })
    const saved = await call('PUT', `${base}/contact`, MAPPING, token)
    expect(saved).toMatchObject({ status: 200, body: { scope: 'connection', version: 1, model: 'Contact' } })
    expect((await call('GET', base, undefined, token)).body.data[0]).toMatchObject({ status: 'custom', mapping: { version: 1 } })
    // The vendor sees the end user's choice through the secret-key API.
    expect((await call('GET', `/v1/connections/${id}/mappings/contact`)).body.mapping).toMatchObject({ scope: 'connection', fields: MAPPING.fields })
    expect((await call('DELETE', `${base}/contact`, undefined, token)).status).toBe(200)
    expect((await call('GET', base, undefined, token)).body.data[0]).toMatchObject({ status: 'unmapped', mapping: null })
    expect((await call('DELETE', `/v1/models/Company`)).status).toBe(200)
  })

  it('writes a record in the vendor model shape back through the inverse mapping (two-way sync)', async () => {
    await call('POST', '/v1/integrations', { key: 'crm-write', connectorId: 'demo-crm-api-key', overrides: { baseUrl: provider.apiBaseUrl }, syncSettings: { autoStart: false } })
    const token = (await call('POST', '/v1/connect-sessions', { endUser: { id: 'u5' } })).body.token as string
    const id = (await call('POST', '/v1/embed/connections', { integration: 'crm-write', credentials: { apiKey: 'k1' } }, token)).body.id as string
    const record = { email: 'grace@example.com', firstName: 'Grace', lifecycleStage: 'subscriber', createdAt: '2024-03-05T09:12:44.000Z' }

    expect(await call('POST', '/v1/actions/create_contact', { connectionId: id, record })).toMatchObject({ status: 409, body: { code: 'mapping_required' } })
    // MAPPING sends two provider stages to `lead`: the way back is ambiguous.
    expect((await call('PUT', `/v1/connections/${id}/mappings/contact`, MAPPING)).status).toBe(200)
    const notInvertible = await call('POST', '/v1/actions/create_contact', { connectionId: id, record })
    expect(notInvertible).toMatchObject({ status: 422, body: { code: 'mapping_not_invertible' } })
    expect(notInvertible.body.errors[0].message).toMatch(/several provider values/)

    const twoWay = { ...MAPPING, fields: { ...MAPPING.fields, lifecycleStage: { source: 'field', path: 'lifecycle_stage', transforms: [{ type: 'enum', map: { opportunity: 'subscriber', lead: 'lead', customer: 'customer' } }] } } }
    expect((await call('PUT', `/v1/connections/${id}/mappings/contact`, twoWay)).status).toBe(200)
    expect(await call('POST', '/v1/actions/create_contact', { connectionId: id, record: { ...record, lifecycleStage: 'vip' } })).toMatchObject({ status: 400, body: { code: 'invalid_request', errors: [{ path: 'record.lifecycleStage' }] } })
    expect(await call('POST', '/v1/actions/create_contact', { connectionId: id, record, input: { email: 'x@example.com' } })).toMatchObject({ status: 400, body: { code: 'invalid_request' } })

    const run = await call('POST', '/v1/actions/create_contact', { connectionId: id, record })
    expect(run.status, JSON.stringify(run.body)).toBe(200)
    // The provider got its own shape: snake_case fields, its stage value; `created_at` (read-only) left out.
    expect(run.body.output).toMatchObject({ email: 'grace@example.com', first_name: 'Grace', lifecycle_stage: 'opportunity' })
    expect(run.body.output.created_at).not.toBe(record.createdAt)
    const stored = await fetch(`${provider.apiBaseUrl}/contacts/${run.body.output.id}`, { headers: { 'X-Api-Key': 'k1' } })
    expect(await stored.json()).toMatchObject({ email: 'grace@example.com', first_name: 'Grace', lifecycle_stage: 'opportunity' })
  })
})
