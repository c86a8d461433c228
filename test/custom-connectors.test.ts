/**
 * Custom connectors (issue 6): a vendor defines a connector for any HTTP API as data through the
 * SDK — here the Demo CRM's REST API on 127.0.0.1, described from scratch — then enables it,
 * connects an end user through the widget API, syncs and runs its action, like a built-in one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Patchbay, PatchbayError } from '../sdk/src/index'
import { startDemoProvider, type DemoProvider } from '../server/src/demo/provider/index'
import { createTestApp, testDatabases, type TestApp } from '../server/src/testing'

const PATCHBAY = 'http://127.0.0.1:3999'

/** The Demo CRM's contacts API, as a vendor would describe it (JSON only: no code, action input as JSON Schema). */
const definition = (baseUrl: string, pageSize = 15) => ({
  name: 'Acme Contacts API',
  description: 'Contacts from an HTTP API described as data.',
  categories: ['crm'],
  docsUrl: 'https://example.com/docs',
  auth: { type: 'api_key', fields: { apiKey: { label: 'API key', type: 'password' } }, inject: { headers: { 'X-Api-Key': '{apiKey}' } }, verify: { path: '/me' } },
  http: { baseUrl, pagination: { type: 'cursor', cursorParam: 'cursor', cursorPath: 'next_cursor', itemsPath: 'data', limitParam: 'limit', limit: pageSize } },
  objects: {
    contact: {
      label: 'Contacts',
      path: '/contacts',
      fields: { id: { type: 'string', key: true }, email: { type: 'string' }, first_name: { type: 'string' }, updated_at: { type: 'datetime' } },
      commonModel: 'contact',
      defaultMapping: { email: { source: 'field', path: 'email' }, firstName: { source: 'field', path: 'first_name' } },
    },
  },
  syncs: { contacts: { object: 'contact', mode: 'incremental', cursorField: 'updated_at', updatedSinceParam: 'updated_since', defaultFrequency: '1h' } },
  actions: {
    create_contact: {
      description: 'Create a contact.',
      method: 'POST',
      path: '/contacts',
      object: 'contact',
      input: { type: 'object', properties: { email: { type: 'string', format: 'email' }, first_name: { type: 'string' } }, required: ['email'], additionalProperties: false },
    },
  },
})

describe.each(testDatabases())('custom connectors on $name', (target) => {
  let t: TestApp
  let provider: DemoProvider
  let sdk: Patchbay
  const inProcess = (input: string, init: RequestInit) => Promise.resolve(t.app.request(input, init))
  const embed = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await t.app.request(path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) })
    return { status: res.status, body: (await res.json()) as Record<string, any> }
  }
  const refusal = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(PatchbayError)
    return err as PatchbayError & { problem: { errors?: { path: string; message: string }[] } }
  }

  beforeAll(async () => {
    t = await createTestApp(target)
    provider = await startDemoProvider({ clients: [], apiKeys: ['ck'], contactsPerAccount: 40 })
    sdk = new Patchbay({ secretKey: t.tenant.secretKey, baseUrl: PATCHBAY, fetch: inProcess })
  })
  afterAll(async () => {
    await provider?.close()
    await t?.close()
  })

  it('defines a connector for a local HTTP API through the SDK; the widget API connects it, it syncs and runs its action', async () => {
    const created = await sdk.connectors.putCustom('acme-contacts', definition(provider.apiBaseUrl))
    expect(created).toMatchObject({ id: 'acme-contacts', version: 1 })
    expect((await sdk.connectors.list()).data).toContainEqual(expect.objectContaining({ id: 'acme-contacts', name: 'Acme Contacts API', authType: 'api_key', custom: true }))
    await sdk.integrations.create({ key: 'acme', connectorId: 'acme-contacts' })

    // The widget's catalog shows it like any connector, with a drawn logo and the credential form.
    const { token } = await sdk.connectSessions.create({ endUser: { id: 'u1' } })
    const catalog = await embed(token, 'GET', '/v1/embed/integrations')
    const entry = catalog.body.data.find((e: { key: string }) => e.key === 'acme')
    expect(entry).toMatchObject({ name: 'Acme Contacts API', authType: 'api_key', credentialFields: [{ name: 'apiKey', type: 'password', required: true }] })
    expect(entry.logo).toMatch(/^<svg/)
    expect(await embed(token, 'POST', '/v1/embed/connections', { integration: 'acme', credentials: { apiKey: 'wrong' } })).toMatchObject({ status: 422, body: { code: 'credentials_invalid' } })
    const made = await embed(token, 'POST', '/v1/embed/connections', { integration: 'acme', credentials: { apiKey: 'ck' } })
    expect(made.status).toBe(201)
    const connectionId = made.body.id as string

    // The initial sync walks the 40 contacts in pages of 15.
    let run = (await sdk.syncs.list(connectionId)).data[0]!.lastRun
    for (let i = 0; i < 200 && run?.status !== 'succeeded'; i++) {
      await new Promise((r) => setTimeout(r, 50))
      run = (await sdk.syncs.list(connectionId)).data[0]!.lastRun
      expect(run?.status).not.toBe('failed')
    }
    expect(run).toMatchObject({ status: 'succeeded', added: 40, pages: 3 })
    const ids: string[] = []
    for await (const r of sdk.records.iterate({ connectionId, model: 'contact' })) ids.push(r.id)
    const live = (await (await fetch(`${provider.apiBaseUrl}/contacts?limit=100`, { headers: { 'X-Api-Key': 'ck' } })).json()) as { data: { id: string }[] }
    expect(ids.sort()).toEqual(live.data.map((c) => c.id).sort())

    // Its action, with the input checked against the JSON Schema it was given.
    const ran = await sdk.actions.run('create_contact', { connectionId, input: { email: 'grace@example.com', first_name: 'Grace' } })
    expect(ran.output).toMatchObject({ email: 'grace@example.com', first_name: 'Grace' })
    const bad = await refusal(sdk.actions.run('create_contact', { connectionId, input: { first_name: 'No email' } }))
    expect(bad.code).toBe('invalid_request')

    // Replacing the definition moves its version on and takes effect at once.
    expect(await sdk.connectors.putCustom('acme-contacts', definition(provider.apiBaseUrl, 20))).toMatchObject({ version: 2 })
    expect(await sdk.connectors.putCustom('acme-contacts', definition(provider.apiBaseUrl, 20))).toMatchObject({ version: 2 })
    expect((await sdk.connectors.getCustom('acme-contacts')).definition).toMatchObject({ http: { pagination: { limit: 20 } } })
    expect((await refusal(sdk.connectors.deleteCustom('acme-contacts'))).code).toBe('conflict')
  })

  it('refuses invalid definitions with the paths at fault, keeps what was stored, and is private to its environment', async () => {
    const ok = definition(provider.apiBaseUrl)
    await sdk.connectors.putCustom('acme-private', ok)
    const cases: [Record<string, unknown>, string][] = [
      [{ ...ok, hooks: {} }, 'hooks'],
      [{ ...ok, http: { ...ok.http, baseUrl: 'ftp://example.com' } }, 'http.baseUrl'],
      [{ ...ok, syncs: { contacts: { ...ok.syncs.contacts, object: 'nope' } } }, 'syncs.contacts.object'],
      [{ ...ok, actions: { create_contact: { ...ok.actions.create_contact, input: { type: 'nonsense' } } } }, 'actions.create_contact.input'],
      [{ ...ok, id: 'other' }, 'id'],
      [{ ...ok, surprise: true }, ''],
    ]
    for (const [bad, path] of cases) {
      const err = await refusal(sdk.connectors.putCustom('acme-private', bad))
      expect(err.code, path).toBe('invalid_request')
      expect(err.problem.errors?.map((e) => e.path), JSON.stringify(err.problem.errors)).toContain(path)
    }
    expect((await sdk.connectors.getCustom('acme-private')).version).toBe(1)
    expect((await refusal(sdk.connectors.putCustom('github', ok))).code).toBe('conflict')
    expect((await refusal(sdk.connectors.putCustom('Not_Kebab', ok))).code).toBe('invalid_request')

    const other = await t.newTenant('Other vendor')
    const otherSdk = new Patchbay({ secretKey: other.secretKey, baseUrl: PATCHBAY, fetch: inProcess })
    expect((await otherSdk.connectors.list()).data.some((c) => c.id === 'acme-private')).toBe(false)
    expect((await refusal(otherSdk.integrations.create({ key: 'x', connectorId: 'acme-private' }))).code).toBe('invalid_request')
    expect((await refusal(otherSdk.connectors.getCustom('acme-private'))).code).toBe('not_found')

    await sdk.connectors.deleteCustom('acme-private')
    expect((await refusal(sdk.connectors.getCustom('acme-private'))).code).toBe('not_found')
    expect((await sdk.connectors.list()).data.some((c) => c.id === 'acme-private')).toBe(false)
  })
})
