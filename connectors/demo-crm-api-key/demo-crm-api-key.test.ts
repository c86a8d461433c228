import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import demoCrm from '../demo-crm/index'
import me from '../demo-crm/fixtures/me.json' with { type: 'json' }
import page1 from '../demo-crm/fixtures/contacts-page-1.json' with { type: 'json' }
import page2 from '../demo-crm/fixtures/contacts-page-2.json' with { type: 'json' }
import { demoProviderAvailable, fetchAll, startLiveDemo, type LiveDemo } from '../demo-crm/live-provider'
import { connectorSchema } from '../schema'
import { walk } from '../testing'
import demoCrmApiKey from './index'

// Facts: the demo provider's source, server/src/demo/provider/api.ts (`X-Api-Key`, `GET /me`).
describe('demo-crm-api-key connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(demoCrmApiKey)).toEqual(demoCrmApiKey)
  })

  it('sends the key in X-Api-Key and verifies it with GET /me', () => {
    expect(demoCrmApiKey.auth).toEqual({
      type: 'api_key',
      fields: { apiKey: { label: 'API key', type: 'password', description: 'One of the keys the demo provider was started with.', required: true } },
      inject: { headers: { 'X-Api-Key': '{apiKey}' }, query: {} },
      verify: { method: 'GET', path: '/me', okStatus: [200] },
    })
  })

  it('shares the API, objects, syncs and actions with demo-crm', () => {
    expect(demoCrmApiKey.http).toEqual(demoCrm.http)
    expect(demoCrmApiKey.objects).toEqual(demoCrm.objects)
    expect(demoCrmApiKey.syncs).toEqual(demoCrm.syncs)
    expect(demoCrmApiKey.actions.create_contact!.input).toBe(demoCrm.actions.create_contact!.input)
    expect(demoCrmApiKey.http.rateLimit).toMatchObject({ limitHeader: 'X-RateLimit-Limit', remainingHeader: 'X-RateLimit-Remaining', resetHeader: 'X-RateLimit-Reset', resetUnit: 'epoch_s' })
  })

  it('walks { data, next_cursor } pages to the end', () => {
    const { items } = walk(demoCrmApiKey, 'contact', (url) => (url.searchParams.has('cursor') ? page2 : page1))
    expect(items).toHaveLength(3)
  })

  it('labels an API-key account by its workspace (the key has no email)', () => {
    expect(demoCrmApiKey.hooks.accountLabel?.(me.apiKey)).toBe('Demo CRM workspace (API key 1)')
    expect(demoCrmApiKey.hooks.accountLabel?.(me.user)).toBe('ada@demo-crm.test')
  })

  describe.skipIf(!demoProviderAvailable)('against the running demo provider', () => {
    let demo: LiveDemo
    beforeAll(async () => {
      demo = await startLiveDemo({ clients: [], apiKeys: ['key-123'], contactsPerAccount: 150 })
    })
    afterAll(() => demo?.close())

    /** The headers the engine would send: `inject.headers` with `{apiKey}` filled in. */
    const injected = (apiKey: string) =>
      demoCrmApiKey.auth.type === 'api_key' ? Object.fromEntries(Object.entries(demoCrmApiKey.auth.inject.headers).map(([k, v]) => [k, v.replace('{apiKey}', apiKey)])) : {}

    it('verify accepts a configured key and rejects another', async () => {
      const verify = demoCrmApiKey.auth.type === 'api_key' ? demoCrmApiKey.auth.verify : undefined
      const good = await fetch(demo.apiBaseUrl + verify!.path, { method: verify!.method, headers: injected('key-123') })
      expect(verify!.okStatus).toContain(good.status)
      expect(demoCrmApiKey.hooks.accountLabel?.(await good.json())).toBe('Demo CRM workspace (API key 1)')
      const bad = await fetch(demo.apiBaseUrl + verify!.path, { method: verify!.method, headers: injected('nope') })
      expect(verify!.okStatus).not.toContain(bad.status)
    })

    it('reads every contact and company, and an incremental run only what changed since', async () => {
      const contacts = await fetchAll(demoCrmApiKey, 'contact', { baseUrl: demo.apiBaseUrl, headers: injected('key-123') })
      expect(contacts.urls).toHaveLength(2)
      expect(contacts.items).toHaveLength(150)
      const companies = await fetchAll(demoCrmApiKey, 'company', { baseUrl: demo.apiBaseUrl, headers: injected('key-123') })
      expect(companies.items.length).toBeGreaterThan(0)

      const sync = demoCrmApiKey.syncs.contacts!
      const updated = contacts.items.map((c) => (c as Record<string, string>)[sync.cursorField!]!).sort()
      const since = updated[updated.length - 10]!
      const delta = await fetchAll(demoCrmApiKey, 'contact', { baseUrl: demo.apiBaseUrl, headers: injected('key-123'), extraParams: { [sync.updatedSinceParam!]: since } })
      expect(delta.items.length).toBeGreaterThan(0)
      expect(delta.items.length).toBeLessThan(150)
      for (const c of delta.items) expect((c as { updated_at: string }).updated_at >= since).toBe(true)
    })
  })
})
