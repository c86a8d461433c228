/** Vendor models (issue 5's target shapes): create, replace with versioning, read, delete, validation, isolation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, testDatabases, type TestApp } from '../server/src/testing'

const CONTACT = {
  description: "Acme's contact",
  fields: {
    email: { type: 'string', required: true, description: 'Primary email' },
    firstName: { type: 'string' },
    lifecycleStage: { type: 'enum', enumValues: ['subscriber', 'lead', 'customer'] },
    createdAt: { type: 'datetime' },
  },
}

describe.each(testDatabases())('vendor models on $name', (target) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(target)
  })
  afterAll(async () => {
    await t?.close()
  })
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await t.call(method, path, { ...(body !== undefined ? { body } : {}), ...(token ? { token } : {}) })
    return { status: res.status, body: (await res.json()) as Record<string, any> }
  }

  it('creates, replaces (moving the version only on change), lists, reads and deletes', async () => {
    const created = await call('PUT', '/v1/models/Contact', CONTACT)
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ name: 'Contact', version: 1, fields: { email: { type: 'string', required: true }, firstName: { type: 'string', required: false } } })
    expect(await call('PUT', '/v1/models/Contact', CONTACT)).toMatchObject({ status: 200, body: { version: 1 } })
    const changed = await call('PUT', '/v1/models/Contact', { ...CONTACT, fields: { ...CONTACT.fields, company: { type: 'string' } } })
    expect(changed).toMatchObject({ status: 200, body: { version: 2, fields: { company: { type: 'string' } } } })
    expect(await call('PUT', '/v1/models/Contact', { ...CONTACT, description: 'Changed' })).toMatchObject({ status: 200, body: { version: 3 } })
    await call('PUT', '/v1/models/Company', { fields: { name: { type: 'string', required: true } } })
    expect((await call('GET', '/v1/models')).body.data.map((m: { name: string }) => m.name)).toEqual(['Company', 'Contact'])
    expect(await call('GET', '/v1/models/Contact')).toMatchObject({ status: 200, body: { name: 'Contact', version: 3, description: 'Changed' } })
    expect(await call('DELETE', '/v1/models/Company')).toMatchObject({ status: 200, body: { deleted: true } })
    expect(await call('GET', '/v1/models/Company')).toMatchObject({ status: 404, body: { code: 'not_found' } })
    expect(await call('DELETE', '/v1/models/Company')).toMatchObject({ status: 404, body: { code: 'not_found' } })
  })

  it('refuses invalid definitions with the field paths, and keeps what was stored', async () => {
    await call('PUT', '/v1/models/Deal', { fields: { amount: { type: 'number' } } })
    const cases: [unknown, string][] = [
      [{ fields: {} }, 'fields'],
      [{ fields: { stage: { type: 'enum' } } }, 'fields.stage.enumValues'],
      [{ fields: { stage: { type: 'string', enumValues: ['a'] } } }, 'fields.stage.enumValues'],
      [{ fields: { stage: { type: 'enum', enumValues: ['a', 'a'] } } }, 'fields.stage.enumValues'],
      [{ fields: { amount: { type: 'money' } } }, 'fields.amount.type'],
      [{ fields: { '1bad': { type: 'string' } } }, 'fields.1bad'],
      [{ fields: { amount: { type: 'number', unknown: true } } }, 'fields.amount'],
    ]
    for (const [body, path] of cases) {
      const res = await call('PUT', '/v1/models/Deal', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body.code).toBe('invalid_request')
      expect(res.body.errors.map((e: { path: string }) => e.path).join(' '), JSON.stringify(body)).toContain(path)
    }
    expect((await call('PUT', '/v1/models/not-an-identifier', { fields: { a: { type: 'string' } } })).status).toBe(400)
    expect(await call('GET', '/v1/models/Deal')).toMatchObject({ status: 200, body: { version: 1, fields: { amount: { type: 'number' } } } })
  })

  it('keeps each environment’s models apart', async () => {
    await call('PUT', '/v1/models/Ticket', { fields: { subject: { type: 'string' } } })
    const other = await t.newTenant('Other')
    expect((await call('GET', '/v1/models/Ticket', undefined, other.secretKey)).status).toBe(404)
    expect((await call('GET', '/v1/models/Ticket', undefined, t.tenant.productionSecretKey)).status).toBe(404)
    expect((await call('GET', '/v1/models', undefined, other.secretKey)).body.data).toEqual([])
  })
})
