/**
 * The widget's session renewal (`getSessionToken`) and the API-key connect form, in headless
 * Chromium against a real Patchbay, Demo CRM provider and the Acme CRM demo app.
 * (PGlite only: see harness.ts.)
 */
import type { BrowserContext, Locator, Page, Response } from 'playwright-core'
import { expect, it } from 'vitest'
import { DEMO_USER } from '../../server/src/demo/host-app/index'
import { hashToken } from '../../server/src/lib/ids'
import { browserSuite, describeInBrowser, seededContacts, shot, skipMappingPrompt, widgetEvents } from './harness'

describeInBrowser('Acme CRM demo app: session renewal and API-key connections', () => {
  const suite = browserSuite()
  let context: BrowserContext

  const visible = (l: Locator, timeout = 10_000) => l.first().waitFor({ state: 'visible', timeout })
  const widget = (page: Page) => page.locator('patchbay-marketplace')

  /** Expires a connect session in the database, as 30 minutes of waiting would. */
  async function expire(token: string) {
    await suite.stack.patchbay.ctx.db.execute(`update connect_sessions set expires_at = now() - interval '1 second' where token_hash = '${hashToken(token)}'` as never)
    // Forget this process's cached lookup (other processes would within PRINCIPAL_TTL_MS).
    suite.stack.patchbay.ctx.principals.clear()
  }

  /** Counts the page's requests for a session token, and Patchbay's refusals of expired ones. */
  function watch(page: Page) {
    const seen = { sessionRequests: 0, expiredRefusals: 0, navigations: 0 }
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/patchbay/session') seen.sessionRequests++
    })
    page.on('response', (r: Response) => {
      if (r.url().startsWith(`${suite.stack.patchbayUrl}/v1/embed/`) && r.status() === 401 && r.headers()['patchbay-error'] === 'session_expired') seen.expiredRefusals++
    })
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) seen.navigations++
    })
    return seen
  }

  it('renews an expired session token with getSessionToken and renders the catalog without a reload', async () => {
    let page: Page
    ;({ context, page } = await suite.open())
    // A session that expired before the page used it: the host backend hands it out first.
    const stale = await suite.stack.sdk.connectSessions.create({ endUser: { id: DEMO_USER.id }, allowedOrigins: [suite.stack.hostUrl] })
    await expire(stale.token)
    let served = 0
    await page.route('**/api/patchbay/session', (route) => (served++ === 0 ? route.fulfill({ json: { token: stale.token, expiresAt: stale.expiresAt } }) : route.continue()))
    const seen = watch(page)

    await page.goto(`${suite.stack.hostUrl}/integrations`)
    await visible(widget(page).getByRole('button', { name: 'Demo CRM', exact: true }))
    await visible(widget(page).getByRole('button', { name: 'Demo CRM (API key)', exact: true }))
    expect(seen.expiredRefusals).toBeGreaterThan(0) // Patchbay refused the stale token…
    expect(seen.sessionRequests).toBe(2) // …the widget called getSessionToken once…
    expect(seen.navigations).toBe(1) // …and recovered without reloading the page.
    expect(await page.evaluate(() => typeof (document.querySelector('patchbay-marketplace') as unknown as { getSessionToken?: unknown }).getSessionToken)).toBe('function')
    expect((await widgetEvents(page)).filter((e) => e.type === 'error')).toEqual([])
    await shot(page, '12-widget-session-renewed')
  })

  it('shows the server’s refusal of a wrong API key inline, then connects with the right key', async () => {
    let page: Page
    ;({ context, page } = await suite.open())
    const w = widget(page)
    await page.goto(`${suite.stack.hostUrl}/integrations`)
    await w.getByRole('button', { name: 'Demo CRM (API key)', exact: true }).click()
    const detail = w.getByRole('dialog', { name: 'Demo CRM (API key)' })
    const key = detail.getByLabel('API key', { exact: true })
    await visible(key)

    await key.fill('demo_wrong_key')
    await detail.getByRole('button', { name: 'Connect', exact: true }).click()
    await visible(detail.getByText(/did not accept these details|rejected these credentials/))
    expect(await widgetEvents(page)).toContainEqual({ type: 'error', detail: expect.objectContaining({ code: 'credentials_invalid' }) })
    expect((await suite.stack.sdk.connections.list({ endUserId: DEMO_USER.id })).data).toEqual([])
    await shot(page, '13-widget-api-key-rejected')

    await key.fill(suite.stack.providerApiKey)
    await detail.getByRole('button', { name: 'Connect', exact: true }).click()
    await skipMappingPrompt(w)
    await visible(detail.getByText('Connected to Demo CRM (API key).'))
    const [connection] = (await suite.stack.sdk.connections.list({ endUserId: DEMO_USER.id })).data
    expect(connection).toMatchObject({ integration: 'demo-crm-api-key', status: 'active' })
    expect(await widgetEvents(page)).toContainEqual({ type: 'connect', detail: expect.objectContaining({ connectionId: connection!.id, integration: 'demo-crm-api-key' }) })
    // The host app reads this account's contacts too.
    const first = seededContacts('key:1')[0]!
    await visible(page.getByRole('complementary', { name: 'Synced from Demo CRM' }).getByText(`${first.first_name} ${first.last_name}`, { exact: true }))
    await shot(page, '14-widget-api-key-connected')
  })

  it('renews a session that expires while the page is open, and retries the connect', async () => {
    let page: Page
    ;({ context, page } = await suite.open())
    const w = widget(page)
    let current: string | undefined
    page.on('response', async (r) => {
      if (new URL(r.url()).pathname === '/api/patchbay/session' && r.ok()) current = ((await r.json()) as { token: string }).token
    })
    const seen = watch(page)
    await page.goto(`${suite.stack.hostUrl}/integrations`)
    await w.getByRole('button', { name: 'Demo CRM (API key)', exact: true }).click()
    const detail = w.getByRole('dialog', { name: 'Demo CRM (API key)' })
    await detail.getByLabel('API key', { exact: true }).fill(suite.stack.providerApiKey)
    expect(current).toBeDefined()
    await expire(current!)

    await detail.getByRole('button', { name: 'Connect', exact: true }).click()
    await skipMappingPrompt(w)
    await visible(detail.getByText('Connected to Demo CRM (API key).'))
    expect(seen.expiredRefusals).toBeGreaterThan(0)
    expect(seen.sessionRequests).toBe(2)
    expect(seen.navigations).toBe(1)
    expect((await suite.stack.sdk.connections.list({ endUserId: DEMO_USER.id, status: 'active' })).data).toHaveLength(1)
  })
})
