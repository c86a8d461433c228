/**
 * The demo's full catalog (`./catalog.ts`): which integration each connector gets, and that
 * seeding again (every `npm start`) adds only what is new and leaves the vendor's changes alone.
 * The widget showing it in a browser: `test/e2e/catalog.e2e.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getConnector, listConnectors, registerConnector } from '../../../connectors/registry'
import { defineConnector, type ConnectorInput } from '../../../connectors/schema'
import demoCrmApiKey from '../../../connectors/demo-crm-api-key/index'
import { createTestApp, testDatabases, type TestApp } from '../testing'
import { demoIntegrationFor, needsVendorClient, placeholderClientId, planDemoCatalog, seedDemoCatalog } from './catalog'

const byId = (id: string) => {
  const c = getConnector(id)
  if (!c) throw new Error(`no connector ${id}`)
  return c
}

describe('demoIntegrationFor', () => {
  it('disables OAuth 2.0 (authorization code) integrations behind a placeholder client id', () => {
    expect(byId('github').auth.type).toBe('oauth2')
    expect(needsVendorClient(byId('github'))).toBe(true)
    expect(demoIntegrationFor(byId('github'))).toEqual({ key: 'github', connectorId: 'github', clientId: 'set-your-github-client-id', enabled: false })
  })
  it('decides by whether the auth has a form: every shipped connector either asks for fields or is a redirect flow', () => {
    for (const c of listConnectors()) expect(needsVendorClient(c), `${c.id} (${c.auth.type})`).toBe(c.auth.type === 'oauth2' || c.auth.type === 'oauth1')
  })
  it('enables the ones whose end users bring their own credentials', () => {
    // api_key, basic and oauth2_client_credentials: the widget shows a form.
    for (const id of ['stripe', 'twilio', 'paypal']) {
      expect(needsVendorClient(byId(id)), id).toBe(false)
      expect(demoIntegrationFor(byId(id)), id).toEqual({ key: id, connectorId: id })
    }
    expect(['stripe', 'twilio', 'paypal'].map((id) => byId(id).auth.type)).toEqual(['api_key', 'basic', 'oauth2_client_credentials'])
  })
})

describe('planDemoCatalog', () => {
  const connectors = ['github', 'hubspot', 'slack', 'stripe'].map(byId)
  it('plans one integration per connector the environment lacks, in connector order', () => {
    expect(planDemoCatalog(connectors, [], []).map((i) => i.key)).toEqual(['github', 'hubspot', 'slack', 'stripe'])
  })
  it('skips a connector whose id is a key, one used under another key, and one seeded before', () => {
    const existing = [
      { key: 'github', connectorId: 'github' },
      { key: 'crm', connectorId: 'hubspot' },
    ]
    expect(planDemoCatalog(connectors, existing, ['slack']).map((i) => i.key)).toEqual(['stripe'])
    // A key taken by another connector blocks that id too (no conflict at insert time).
    expect(planDemoCatalog(connectors, [{ key: 'stripe', connectorId: 'demo-crm-api-key' }], []).map((i) => i.key)).toEqual(['github', 'hubspot', 'slack'])
  })
})

describe.each(testDatabases())('seedDemoCatalog on $name', (target) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(target)
  })
  afterAll(async () => {
    await t?.close()
  })

  interface Out {
    key: string
    connectorId: string
    enabled: boolean
    clientId: string | null
    displayName: string | null
  }
  const list = async () => ((await (await t.call('GET', '/v1/integrations')).json()) as { data: Out[] }).data

  it('seeds every shipped connector once, then on a restart only new connectors, keeping the vendor’s changes and deletions', async () => {
    const env = t.tenant.environmentId
    // What the demo seeds itself before the catalog (demo-crm needs its provider's URLs).
    expect((await t.call('POST', '/v1/integrations', { body: { key: 'demo-crm-api-key', connectorId: 'demo-crm-api-key' } })).status).toBe(201)

    const first = await seedDemoCatalog(t.ctx, env)
    const shipped = listConnectors().map((c) => c.id)
    expect(first.created).toEqual(shipped.filter((id) => id !== 'demo-crm-api-key'))
    expect(first.seeded).toEqual([...shipped].sort())
    const seeded = await list()
    expect(seeded.map((i) => i.key).sort()).toEqual([...shipped].sort())
    for (const i of seeded) {
      const oauth = needsVendorClient(byId(i.connectorId))
      expect({ key: i.key, enabled: i.enabled, clientId: i.clientId }).toEqual({ key: i.connectorId, enabled: !oauth, clientId: oauth ? placeholderClientId(i.connectorId) : null })
    }

    // The vendor enables GitHub with its own OAuth app and deletes Slack.
    const patched = await t.call('PATCH', '/v1/integrations/github', { body: { clientId: 'Iv1.vendor', clientSecret: 'vendor-secret', enabled: true, displayName: 'GitHub (Acme)' } })
    expect(patched.status).toBe(200)
    expect((await t.call('DELETE', '/v1/integrations/slack')).status).toBe(200)
    const before = await list()

    // Restart with nothing new: no change at all.
    const again = await seedDemoCatalog(t.ctx, env, first.seeded)
    expect(again).toEqual({ created: [], seeded: first.seeded })
    expect(await list()).toEqual(before)

    // A connector shipped since the last start appears; Slack stays deleted, GitHub keeps its client.
    // (Registered in this process, so the next database's suite sees it as shipped from the start.)
    const id = `zz-demo-catalog-${target.name}`
    const added = getConnector(id) ?? registerConnector(defineConnector({ ...(demoCrmApiKey as unknown as ConnectorInput), id, name: 'New connector' }))
    const next = await seedDemoCatalog(t.ctx, env, again.seeded)
    expect(next.created).toEqual([added.id])
    expect(next.seeded).toContain(added.id)
    const after = await list()
    expect(after.filter((i) => i.key !== added.id)).toEqual(before)
    expect(after.find((i) => i.key === added.id)).toMatchObject({ connectorId: added.id, enabled: true })
    expect(after.find((i) => i.key === 'github')).toMatchObject({ clientId: 'Iv1.vendor', enabled: true, displayName: 'GitHub (Acme)' })
    expect(after.some((i) => i.key === 'slack')).toBe(false)
  })
})
