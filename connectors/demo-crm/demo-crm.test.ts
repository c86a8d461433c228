import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { authorizationUrl, toRecord, walk } from '../testing'
import companies from './fixtures/companies.json' with { type: 'json' }
import page1 from './fixtures/contacts-page-1.json' with { type: 'json' }
import page2 from './fixtures/contacts-page-2.json' with { type: 'json' }
import me from './fixtures/me.json' with { type: 'json' }
import demoCrm from './index'
import { demoProviderAvailable, fetchAll, startLiveDemo, type LiveDemo } from './live-provider'

// Facts: the demo provider's source, server/src/demo/provider/ (oidc.ts for OAuth, api.ts for the REST API).
describe('demo-crm connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(demoCrm)).toEqual(demoCrm)
  })

  describe('auth', () => {
    it('uses the provider routes on the default origin, with RFC 7009 revocation', () => {
      expect(demoCrm.auth).toMatchObject({
        type: 'oauth2',
        authorizationUrl: 'http://127.0.0.1:4010/oauth/authorize',
        tokenUrl: 'http://127.0.0.1:4010/oauth/token',
        revocationUrl: 'http://127.0.0.1:4010/oauth/revoke',
        clientAuth: 'client_secret_basic',
        refreshable: true,
        inject: { headers: { Authorization: 'Bearer {accessToken}' }, query: {} },
      })
    })

    it('asks for OpenID, offline access and the API scopes, with PKCE S256', () => {
      const url = authorizationUrl(demoCrm, { clientId: 'patchbay', redirectUri: 'http://127.0.0.1:3000/callback', state: 's', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' })
      expect(url.searchParams.get('scope')).toBe('openid offline_access contacts.read companies.read contacts.write')
      expect(url.searchParams.get('code_challenge_method')).toBe('S256')
      expect(demoCrm.auth.type === 'oauth2' && demoCrm.auth.pkce).toBe(true)
    })
  })

  it('reads X-RateLimit-* with the reset in epoch seconds', () => {
    expect(demoCrm.http.rateLimit).toMatchObject({ limitHeader: 'X-RateLimit-Limit', remainingHeader: 'X-RateLimit-Remaining', resetHeader: 'X-RateLimit-Reset', resetUnit: 'epoch_s' })
  })

  describe('pagination (next_cursor → cursor, limit ≤ 100)', () => {
    it('walks { data, next_cursor } pages to the end', () => {
      const { urls, items } = walk(demoCrm, 'contact', (url) => (url.searchParams.get('cursor') === 'Y3RfMDAwMg' ? page2 : page1))
      expect(urls.map((u) => u.href)).toEqual([
        'http://127.0.0.1:4010/api/v1/contacts?include_deleted=true&limit=100',
        'http://127.0.0.1:4010/api/v1/contacts?include_deleted=true&limit=100&cursor=Y3RfMDAwMg',
      ])
      expect(items.map((c) => (c as { id: string }).id)).toEqual(['ct_0001', 'ct_0002', 'ct_0003'])
    })

    it('adds updated_since for an incremental run', () => {
      const { urls } = walk(demoCrm, 'company', () => companies, { extraParams: { updated_since: '2024-06-01T00:00:00.000Z' } })
      expect(urls[0]!.searchParams.get('updated_since')).toBe('2024-06-01T00:00:00.000Z')
    })
  })

  describe('fields and syncs', () => {
    it('maps a contact, nulls included', () => {
      expect(toRecord(demoCrm, 'contact', page1.body.data[1])).toEqual(page1.body.data[1])
      expect(demoCrm.objects.contact!.fields.lifecycle_stage).toMatchObject({ type: 'enum', enumValues: ['lead', 'opportunity', 'customer'] })
    })

    it('maps a company', () => {
      expect(toRecord(demoCrm, 'company', companies.body.data[0])).toEqual(companies.body.data[0])
    })

    it('syncs both objects incrementally on updated_at via updated_since', () => {
      for (const sync of Object.values(demoCrm.syncs)) expect(sync).toMatchObject({ mode: 'incremental', cursorField: 'updated_at', updatedSinceParam: 'updated_since' })
    })

    it('lists contact tombstones (include_deleted=true) and knows them by deleted: true', () => {
      expect(demoCrm.objects.contact!.params).toEqual({ include_deleted: 'true' })
      expect(demoCrm.syncs.contacts!.deletedWhen).toEqual({ path: 'deleted', equals: true })
      expect(demoCrm.objects.company!.params).toEqual({})
      expect(demoCrm.syncs.companies!.deletedWhen).toBeUndefined()
      const tombstone = { id: 'ct_0002', deleted: true, deleted_at: '2025-06-01T10:00:00.000Z', updated_at: '2025-06-01T10:00:00.000Z' }
      expect(toRecord(demoCrm, 'contact', tombstone)).toMatchObject({ id: 'ct_0002', deleted_at: tombstone.deleted_at, updated_at: tombstone.updated_at, email: undefined })
    })
  })

  it('labels the account with the email from GET /me', () => {
    expect(demoCrm.accountInfo).toEqual({ path: '/me' })
    expect(demoCrm.hooks.accountLabel?.(me.user)).toBe('ada@demo-crm.test')
  })

  describe('create_contact', () => {
    const input = demoCrm.actions.create_contact!.input
    it('requires an email and rejects unknown fields, like the API', () => {
      expect(demoCrm.actions.create_contact).toMatchObject({ method: 'POST', path: '/contacts' })
      expect(input.safeParse({ email: 'new@person.test', first_name: 'New' }).success).toBe(true)
      expect(input.safeParse({ first_name: 'No email' }).success).toBe(false)
      expect(input.safeParse({ email: 'new@person.test', nickname: 'x' }).success).toBe(false)
      expect(input.safeParse({ email: 'new@person.test', lifecycle_stage: 'churned' }).success).toBe(false)
    })
  })

  describe.skipIf(!demoProviderAvailable)('against the running demo provider', () => {
    let demo: LiveDemo
    beforeAll(async () => {
      demo = await startLiveDemo({ clients: [{ clientId: 'worker', clientSecret: 'w0rker', redirectUris: [], grantTypes: ['client_credentials'] }], contactsPerAccount: 120 })
    })
    afterAll(() => demo?.close())

    it('serves OAuth at the paths the definition names', () => {
      if (demoCrm.auth.type !== 'oauth2') throw new Error('expected oauth2')
      expect(new URL(demo.authorizationUrl).pathname).toBe(new URL(demoCrm.auth.authorizationUrl).pathname)
      expect(new URL(demo.tokenUrl).pathname).toBe(new URL(demoCrm.auth.tokenUrl).pathname)
      expect(new URL(demo.revocationUrl).pathname).toBe(new URL(demoCrm.auth.revocationUrl!).pathname)
      expect(new URL(demo.apiBaseUrl).pathname).toBe(new URL(demoCrm.http.baseUrl).pathname)
    })

    // Client credentials (RFC 6749 §4.4) stand in for a user token: same API, same scopes.
    async function token(scope: string): Promise<string> {
      const res = await fetch(demo.tokenUrl, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('worker:w0rker').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
      })
      expect(res.status).toBe(200)
      return ((await res.json()) as { access_token: string }).access_token
    }

    it('pages through every contact with a bearer token, with the documented rate-limit headers', async () => {
      const access_token = await token('contacts.read companies.read')
      const { urls, items, lastHeaders } = await fetchAll(demoCrm, 'contact', { baseUrl: demo.apiBaseUrl, headers: { Authorization: `Bearer ${access_token}` } })
      expect(urls).toHaveLength(2)
      expect(items).toHaveLength(120)
      expect(new Set(items.map((c) => (c as { id: string }).id)).size).toBe(120)
      for (const header of ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']) expect(lastHeaders.get(header), header).toMatch(/^\d+$/)
      expect(Number(lastHeaders.get('X-RateLimit-Reset'))).toBeGreaterThan(Date.now() / 1000 - 1)
      const record = toRecord(demoCrm, 'contact', items[0])
      // Every field of a live contact is mapped; `deleted_at` is only on tombstones.
      expect(Object.keys(items[0] as object).sort()).toEqual(Object.keys(record).filter((k) => k !== 'deleted_at').sort())
      expect(record.deleted_at).toBeUndefined()
    })

    it('an incremental run after a DELETE gets the tombstone, which deletedWhen recognises', async () => {
      const access_token = await token('contacts.read contacts.write')
      const since = new Date().toISOString()
      expect((await fetch(`${demo.apiBaseUrl}/contacts/ct_0007`, { method: 'DELETE', headers: { authorization: `Bearer ${access_token}` } })).status).toBe(204)
      const sync = demoCrm.syncs.contacts!
      const { items } = await fetchAll(demoCrm, 'contact', { baseUrl: demo.apiBaseUrl, headers: { Authorization: `Bearer ${access_token}` }, extraParams: { [sync.updatedSinceParam!]: since } })
      expect(items).toEqual([{ id: 'ct_0007', deleted: true, deleted_at: expect.any(String), updated_at: expect.any(String) }])
      expect((items[0] as Record<string, unknown>)[sync.deletedWhen!.path]).toBe(sync.deletedWhen!.equals)
      expect(toRecord(demoCrm, 'contact', items[0])).toMatchObject({ id: 'ct_0007', deleted_at: (items[0] as { updated_at: string }).updated_at })
    })
  })
})
