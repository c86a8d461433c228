/**
 * The OAuth connect flow as an end user lives it, in headless Chromium: the Acme CRM demo app
 * embeds the widget, the widget opens the real authorization popup on the Demo CRM's
 * authorization server, the popup hands the result back with postMessage and closes, and the
 * host app reads the user's contacts through Patchbay's proxy. Also the popup closed early, a
 * declined consent, and reconnecting a connection whose grant was revoked at the provider.
 * (PGlite only: see harness.ts.)
 */
import type { BrowserContext, Locator, Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { DEMO_USER } from '../../server/src/demo/host-app/index'
import { connectViaOAuth } from '../../server/src/testing'
import { ADA, browserSuite, describeInBrowser, seededContacts, shot, skipMappingPrompt, widgetEvents } from './harness'

describeInBrowser('Acme CRM demo app: OAuth connect in a popup', () => {
  const suite = browserSuite()
  let context: BrowserContext

  const visible = (l: Locator, timeout = 10_000) => l.first().waitFor({ state: 'visible', timeout })
  const widget = (page: Page) => page.locator('patchbay-marketplace')
  const syncedPanel = (page: Page) => page.getByRole('complementary', { name: 'Synced from Demo CRM' })

  /** Opens the demo app's Integrations page from the sidebar and waits for the catalog. */
  async function openIntegrations(page: Page) {
    await page.goto(suite.stack.hostUrl)
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Integrations' }).click()
    await visible(widget(page).getByRole('button', { name: 'Demo CRM', exact: true }))
  }

  /** Opens Demo CRM's detail and clicks Connect; returns the popup. */
  async function startConnect(page: Page, ctx: BrowserContext, button = 'Connect') {
    const w = widget(page)
    const popup = ctx.waitForEvent('page')
    await w.getByRole('button', { name: button, exact: true }).click()
    const p = await popup
    await visible(p.getByLabel('Username'))
    return p
  }

  async function logIn(popup: Page) {
    await popup.getByLabel('Username').fill(ADA.username)
    await popup.getByLabel('Password').fill(ADA.password)
    await popup.getByRole('button', { name: 'Sign in' }).click()
    await visible(popup.getByRole('button', { name: 'Allow' }))
  }

  it('connects Demo CRM with OAuth, shows contacts read through the proxy, and disconnects', async () => {
    let page: Page
    ;({ context, page } = await suite.open())
    const w = widget(page)

    await page.goto(suite.stack.hostUrl)
    await visible(page.getByText('Not connected yet'))
    await shot(page, '01-host-dashboard')

    await openIntegrations(page)
    await visible(syncedPanel(page).getByText('Connect Demo CRM in Integrations to see your contacts here'))
    expect(await widgetEvents(page)).toEqual([{ type: 'ready', detail: { integrations: 2, connections: 0 } }])
    await shot(page, '02-widget-catalog')

    await w.getByRole('button', { name: 'Demo CRM', exact: true }).click()
    const detail = w.getByRole('dialog', { name: 'Demo CRM' })
    await visible(detail.getByRole('button', { name: 'Connect', exact: true }))
    await shot(page, '03-widget-detail')

    const popup = await startConnect(page, context!)
    await shot(popup, '04-popup-login')
    await logIn(popup)
    await shot(popup, '05-popup-consent')
    const closed = popup.waitForEvent('close', { timeout: 10_000 })
    await popup.getByRole('button', { name: 'Allow' }).click()
    await closed // the callback page posts the result and closes itself

    await skipMappingPrompt(widget(page))
    await visible(detail.getByText(ADA.accountLabel))
    await visible(detail.getByText('Connected to Demo CRM.'))
    const [connection] = (await suite.stack.sdk.connections.list({ endUserId: DEMO_USER.id })).data
    expect(connection).toMatchObject({ integration: 'demo-crm', status: 'active', accountLabel: ADA.accountLabel })
    expect(await widgetEvents(page)).toContainEqual({ type: 'connect', detail: expect.objectContaining({ connectionId: connection!.id, integration: 'demo-crm' }) })

    // The host's panel refreshed on the `connect` event: ada's first contacts, read through the proxy.
    const contacts = seededContacts(`user:${ADA.username}`)
    const panel = syncedPanel(page)
    await visible(panel.getByText(`Connected as ${ADA.accountLabel}`))
    for (const c of contacts.slice(0, 5)) await visible(panel.getByText(`${c.first_name} ${c.last_name}`, { exact: true }))
    await shot(page, '06-widget-connected')

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).click()
    const table = page.getByRole('table')
    await visible(table)
    expect(await table.getByRole('row').count()).toBe(11) // header + limit 10
    for (const c of contacts.slice(0, 10)) await visible(table.getByRole('row').filter({ hasText: c.email }))
    await shot(page, '07-host-contacts')

    // Disconnect, with a confirmation.
    await openIntegrations(page)
    await w.getByRole('button', { name: 'Demo CRM', exact: true }).click()
    await detail.getByRole('button', { name: 'Disconnect' }).click()
    const confirm = w.getByRole('alertdialog', { name: `Disconnect ${ADA.accountLabel}?` })
    await visible(confirm)
    await shot(page, '08-widget-disconnect-confirm')
    await confirm.getByRole('button', { name: 'Disconnect' }).click()
    await visible(detail.getByText('Disconnected from Demo CRM.'))
    await visible(detail.getByRole('button', { name: 'Connect', exact: true }))
    expect(await detail.getByText(ADA.accountLabel).count()).toBe(0)
    await visible(syncedPanel(page).getByText('Connect Demo CRM in Integrations to see your contacts here'))
    expect((await suite.stack.sdk.connections.list({ endUserId: DEMO_USER.id })).data).toEqual([])
    expect(await widgetEvents(page)).toContainEqual({ type: 'disconnect', detail: expect.objectContaining({ connectionId: connection!.id }) })
    expect(suite.stack.provider.stats.revocations).toBeGreaterThan(0)
    await shot(page, '09-widget-disconnected')
  })

  it('offers a retry when the popup is closed before signing in, and the retry connects', async () => {
    let page: Page
    ;({ context, page } = await suite.open())
    const w = widget(page)
    await openIntegrations(page)
    await w.getByRole('button', { name: 'Demo CRM', exact: true }).click()

    const first = await startConnect(page, context!)
    await first.close()
    await visible(w.getByText('The window was closed before you finished'))
    expect(await widgetEvents(page)).toContainEqual({ type: 'error', detail: expect.objectContaining({ stage: 'authorize', code: 'popup_closed' }) })
    await shot(page, '10-widget-popup-closed')

    const second = await startConnect(page, context!, 'Try again')
    await logIn(second)
    const closed = second.waitForEvent('close', { timeout: 10_000 })
    await second.getByRole('button', { name: 'Allow' }).click()
    await closed
    await skipMappingPrompt(w)
    await visible(w.getByText(ADA.accountLabel))
    expect((await suite.stack.sdk.connections.list({ endUserId: DEMO_USER.id, status: 'active' })).data).toHaveLength(1)
  })

  it('shows the declined message when the user denies consent, and tells the host page', async () => {
    let page: Page
    ;({ context, page } = await suite.open())
    const w = widget(page)
    await openIntegrations(page)
    await w.getByRole('button', { name: 'Demo CRM', exact: true }).click()

    const popup = await startConnect(page, context!)
    await logIn(popup)
    const closed = popup.waitForEvent('close', { timeout: 10_000 })
    await popup.getByRole('button', { name: 'Deny' }).click()
    await visible(w.getByText('You declined access to Demo CRM. Nothing was connected.'))
    await closed
    expect(await widgetEvents(page)).toContainEqual({ type: 'error', detail: expect.objectContaining({ stage: 'authorize', code: 'oauth_denied' }) })
    // The host page's own listener turned the event into a toast.
    await visible(page.getByRole('alert').filter({ hasText: /denied|declined/i }))
    await shot(page, '11-widget-oauth-denied')
    expect((await suite.stack.sdk.connections.list({ endUserId: DEMO_USER.id })).data).toEqual([])
  })

  it('shows a revoked connection as needing reauth in the host app and the widget, and reconnects it', async () => {
    // Connected earlier (without a browser)…
    const session = await suite.stack.sdk.connectSessions.create({ endUser: { id: DEMO_USER.id }, allowedOrigins: [suite.stack.hostUrl] })
    const { result } = await connectViaOAuth((path, init) => fetch(suite.stack.patchbayUrl + path, init), { sessionToken: session.token, integration: 'demo-crm', origin: suite.stack.hostUrl })
    const id = result.connectionId as string
    // …then the user revoked Acme's access in Demo CRM (RFC 7009: revoking the refresh token ends the grant).
    const { credentials } = await suite.stack.patchbay.ctx.credentials.get(suite.stack.environmentId, id)
    const revoked = await fetch(suite.stack.provider.revocationUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${suite.stack.client.clientId}:${suite.stack.client.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: (credentials as { refreshToken: string }).refreshToken, token_type_hint: 'refresh_token' }),
    })
    expect(revoked.status).toBe(200)

    let page: Page
    ;({ context, page } = await suite.open())
    // The host's proxied call gets a 401, Patchbay's refresh gets invalid_grant: the connection needs reauth.
    await page.goto(`${suite.stack.hostUrl}/contacts`)
    await visible(page.getByText('Demo CRM needs you to reconnect.'))
    await shot(page, '15-host-needs-reauth')
    expect(await suite.stack.sdk.connections.get(id)).toMatchObject({ status: 'needs_reauth' })

    await openIntegrations(page)
    const w = widget(page)
    const card = w.getByRole('button', { name: 'Demo CRM', exact: true })
    expect(await card.getAttribute('data-state')).toBe('needs_reauth')
    await card.click()
    const detail = w.getByRole('dialog', { name: 'Demo CRM' })
    await visible(detail.getByText('Demo CRM needs you to sign in again'))
    await shot(page, '16-widget-needs-reauth')
    const popup = await startConnect(page, context!, 'Reconnect')
    await logIn(popup)
    const closed = popup.waitForEvent('close', { timeout: 10_000 })
    await popup.getByRole('button', { name: 'Allow' }).click()
    await closed
    await visible(detail.getByText('Reconnected to Demo CRM.'))
    expect(await widgetEvents(page)).toContainEqual({ type: 'reconnect', detail: expect.objectContaining({ connectionId: id, integration: 'demo-crm' }) })
    expect(await suite.stack.sdk.connections.get(id)).toMatchObject({ status: 'active' })
    await visible(syncedPanel(page).getByText(`Connected as ${ADA.accountLabel}`))
  })
})
