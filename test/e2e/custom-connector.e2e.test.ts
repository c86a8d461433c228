/**
 * A custom connector (issue 6) in the widget: defined through the SDK against the Demo CRM's REST
 * API on 127.0.0.1, enabled as an integration, shown in the catalog, connected with its API-key
 * form in headless Chromium, then synced. (PGlite only: see harness.ts.)
 */
import type { Locator, Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { DEMO_USER } from '../../server/src/demo/host-app/index'
import { browserSuite, describeInBrowser, shot, skipMappingPrompt } from './harness'

describeInBrowser('Acme CRM demo app: a custom connector in the widget', () => {
  const suite = browserSuite()
  const visible = (l: Locator, timeout = 10_000) => l.first().waitFor({ state: 'visible', timeout })
  const widget = (page: Page) => page.locator('patchbay-marketplace')

  it('shows a connector defined through the SDK in the catalog, connects it with its form and syncs its records', async () => {
    const { sdk, provider } = suite.stack
    await sdk.connectors.putCustom('partner-contacts', {
      name: 'Partner Contacts',
      description: 'Contacts from a partner API, described as data.',
      categories: ['crm'],
      docsUrl: 'https://example.com/docs',
      auth: { type: 'api_key', fields: { apiKey: { label: 'Partner API key', type: 'password' } }, inject: { headers: { 'X-Api-Key': '{apiKey}' } }, verify: { path: '/me' } },
      http: { baseUrl: provider.apiBaseUrl, pagination: { type: 'cursor', cursorParam: 'cursor', cursorPath: 'next_cursor', itemsPath: 'data', limitParam: 'limit', limit: 10 } },
      objects: { contact: { label: 'Contacts', path: '/contacts', fields: { id: { type: 'string', key: true }, email: { type: 'string' }, updated_at: { type: 'datetime' } } } },
      syncs: { contacts: { object: 'contact', mode: 'full', defaultFrequency: '1h' } },
    })
    if (!(await sdk.integrations.list()).data.some((i) => i.key === 'partner')) await sdk.integrations.create({ key: 'partner', connectorId: 'partner-contacts' })

    const { page } = await suite.open()
    const w = widget(page)
    await page.goto(`${suite.stack.hostUrl}/integrations`)
    await w.getByRole('button', { name: 'Partner Contacts', exact: true }).click()
    const detail = w.getByRole('dialog', { name: 'Partner Contacts' })
    await detail.getByLabel('Partner API key', { exact: true }).fill(suite.stack.providerApiKey)
    await detail.getByRole('button', { name: 'Connect', exact: true }).click()
    await skipMappingPrompt(w)
    await visible(detail.getByText('Connected to Partner Contacts.'))
    await shot(page, '23-custom-connector-connected')

    const connection = (await sdk.connections.list({ endUserId: DEMO_USER.id, integration: 'partner' })).data[0]!
    expect(connection).toMatchObject({ status: 'active', integration: 'partner' })
    let run = (await sdk.syncs.list(connection.id)).data[0]!.lastRun
    for (let i = 0; i < 200 && run?.status !== 'succeeded'; i++) {
      await new Promise((r) => setTimeout(r, 100))
      run = (await sdk.syncs.list(connection.id)).data[0]!.lastRun
      expect(run?.status).not.toBe('failed')
    }
    const records = []
    for await (const r of sdk.records.iterate({ connectionId: connection.id, model: 'contact' })) records.push(r)
    expect(run).toMatchObject({ status: 'succeeded', added: records.length })
    expect(records.length).toBeGreaterThan(10)
    expect(records.every((r) => typeof r.data.email === 'string')).toBe(true)
  })
})
