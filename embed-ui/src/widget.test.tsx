// @vitest-environment happy-dom
/**
 * The widget's screens and states, rendered as a React host would, against a fake `/v1/embed` API.
 */
import { StrictMode } from 'react'
import { cleanup, render, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createFakeApi, problem } from './testing/fake-api'
import { catalog, connection, github, helpdesk, hubspot, salesforce, stripe } from './testing/fixtures'
import { PatchbayMarketplace } from './marketplace'
import { renderWidget } from './testing/render'

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

const card = (shadow: ShadowRoot, key: string) => shadow.querySelector<HTMLElement>(`[data-pb-card][data-integration="${key}"]`)!

describe('catalog', () => {
  it('shows a loading state until the catalog arrives, then the cards, and sends ready', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const api = createFakeApi({ integrations: catalog })
    // Hold the connections answer so the loading state stays on screen.
    api.queue('GET /v1/embed/connections', async () => (await gate, new Response(JSON.stringify({ data: [] }), { status: 200 })))
    const { ui, of } = await renderWidget({ api })
    expect(ui.getByRole('status')).toHaveProperty('textContent', 'Loading integrations…')
    release()
    expect(await ui.findByRole('button', { name: 'GitHub' })).toBeTruthy()
    expect(ui.queryByText('Loading integrations…')).toBeNull()
    await waitFor(() => expect(of('ready')).toEqual([{ integrations: catalog.length, connections: 0 }]))
  })

  it('sends the session token as a bearer token to /v1/embed only', async () => {
    const { ui } = await renderWidget({ integrations: catalog })
    await ui.findByRole('button', { name: 'GitHub' })
    const calls = vi.mocked(fetch).mock.calls.map(([url, init]) => [String(url), new Headers(init?.headers).get('authorization')])
    expect(calls).toEqual(expect.arrayContaining([['https://patchbay.test/v1/embed/integrations', 'Bearer pb_cs_test'], ['https://patchbay.test/v1/embed/connections', 'Bearer pb_cs_test']]))
    expect(calls.every(([url]) => url!.startsWith('https://patchbay.test/v1/embed/'))).toBe(true)
  })

  it('shows an empty state when no integration is available', async () => {
    const { ui, shadow } = await renderWidget({ integrations: [] })
    expect(await ui.findByText('No integrations are available yet.')).toBeTruthy()
    expect(shadow.querySelector('[data-pb-card]')).toBeNull()
    expect(ui.queryByRole('searchbox', { name: 'Search integrations' })).toBeNull()
  })

  it('renders logos as SVG data URLs, never as markup', async () => {
    const evil = { ...github, logo: '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>' }
    const { ui, shadow } = await renderWidget({ integrations: [evil] })
    await ui.findByRole('button', { name: 'GitHub' })
    const img = card(shadow, 'github').querySelector('img')!
    expect(img.getAttribute('src')).toBe('data:image/svg+xml;charset=utf-8,' + encodeURIComponent(evil.logo))
    expect(img.getAttribute('alt')).toBe('')
    expect(shadow.querySelector('svg script')).toBeNull()
  })

  it('marks connected integrations with a badge', async () => {
    const { ui, shadow } = await renderWidget({ integrations: catalog, connections: [connection('github', { accountLabel: 'ada' })] })
    await ui.findByRole('button', { name: 'GitHub' })
    expect(within(card(shadow, 'github')).getByText('Connected')).toBeTruthy()
    expect(card(shadow, 'github').dataset.state).toBe('connected')
    expect(within(card(shadow, 'stripe')).queryByText('Connected')).toBeNull()
    expect(card(shadow, 'stripe').dataset.state).toBe('not_connected')
  })

  it('searches by name and description, filters by category, and says when nothing matches', async () => {
    const { ui, user, shadow } = await renderWidget({ integrations: catalog })
    const search = await ui.findByRole('searchbox', { name: 'Search integrations' })
    await user.type(search, 'invoices')
    expect([...shadow.querySelectorAll<HTMLElement>('[data-pb-card]')].map((c) => c.dataset.integration)).toEqual(['stripe'])
    await user.type(search, '{Backspace>8/}')
    expect((search as HTMLInputElement).value).toBe('')
    await user.click(ui.getByRole('button', { name: 'CRM' }))
    expect([...shadow.querySelectorAll<HTMLElement>('[data-pb-card]')].map((c) => c.dataset.integration)).toEqual(['hubspot', 'demo-crm', 'salesforce'])
    await user.type(search, 'zzz')
    expect(ui.getByText('No integrations match “zzz”.')).toBeTruthy()
    await user.click(ui.getByRole('button', { name: 'Clear search' }))
    expect(shadow.querySelectorAll('[data-pb-card]')).toHaveLength(catalog.length)
  })

  it('shows only allowed integrations when the host restricts them', async () => {
    const { ui, shadow } = await renderWidget({ integrations: catalog }, { allowedIntegrations: ['stripe', 'github'] })
    await ui.findByRole('button', { name: 'GitHub' })
    expect([...shadow.querySelectorAll<HTMLElement>('[data-pb-card]')].map((c) => c.dataset.integration)).toEqual(['github', 'stripe'])
  })
})

describe('connection states', () => {
  it('needs_reauth: visible on the card and in the detail, one click reconnects with the same connection id', async () => {
    const c = connection('hubspot', { status: 'needs_reauth', statusReason: 'invalid_grant', accountLabel: 'sales@acme.test' })
    const { ui, user, shadow, api } = await renderWidget({ integrations: catalog, connections: [c] })
    await ui.findByRole('button', { name: 'HubSpot' })
    expect(within(card(shadow, 'hubspot')).getByText('Reconnect needed')).toBeTruthy()
    await user.click(card(shadow, 'hubspot'))
    const dialog = ui.getByRole('dialog', { name: 'HubSpot' })
    expect(dialog.dataset.state).toBe('needs_reauth')
    expect(within(dialog).getByText('HubSpot needs you to sign in again before this connection can be used.')).toBeTruthy()
    const popup = { closed: false, focus: vi.fn(), close: vi.fn(), location: { href: '' } }
    vi.spyOn(window, 'open').mockImplementation(() => popup as unknown as Window)
    await user.click(within(dialog).getByRole('button', { name: 'Reconnect' }))
    await waitFor(() => expect(api.calls('POST /v1/embed/oauth/authorizations')).toHaveLength(1))
    expect(api.calls('POST /v1/embed/oauth/authorizations')[0]!.body).toEqual({ integration: 'hubspot', connectionId: c.id, connectionConfig: {} })
    popup.closed = true
  })

  it('error: shows the reason in plain words and what to do', async () => {
    const c = connection('stripe', { status: 'error', statusReason: 'Stripe answered HTTP 401: the key was rolled', accountLabel: 'Acme Inc.' })
    const { ui, user, shadow } = await renderWidget({ integrations: catalog, connections: [c] })
    await ui.findByRole('button', { name: 'Stripe' })
    expect(within(card(shadow, 'stripe')).getByText('Error')).toBeTruthy()
    await user.click(card(shadow, 'stripe'))
    const dialog = ui.getByRole('dialog', { name: 'Stripe' })
    expect(dialog.dataset.state).toBe('error')
    expect(within(dialog).getByText('This connection has a problem: Stripe answered HTTP 401: the key was rolled')).toBeTruthy()
    expect(within(dialog).getByText('Try reconnecting. If it keeps failing, disconnect it and connect again.')).toBeTruthy()
    // API-key integrations reconnect through their form, for the same connection.
    await user.click(within(dialog).getByRole('button', { name: 'Reconnect' }))
    expect(within(dialog).getByLabelText('Secret or restricted key')).toBeTruthy()
  })

  it('disabled by the vendor: marked unavailable, no way to connect', async () => {
    const { ui, user, shadow } = await renderWidget({ integrations: catalog })
    await ui.findByRole('button', { name: 'Salesforce' })
    expect(within(card(shadow, 'salesforce')).getByText('Unavailable')).toBeTruthy()
    await user.click(card(shadow, 'salesforce'))
    const dialog = ui.getByRole('dialog', { name: 'Salesforce' })
    expect(dialog.dataset.state).toBe('disabled')
    expect(within(dialog).getByText('Salesforce is unavailable')).toBeTruthy()
    expect(within(dialog).queryByRole('button', { name: 'Connect' })).toBeNull()
  })

  it('connected: account label, status, dates, and "Add another account" only where allowed', async () => {
    const created = '2024-03-05T10:00:00.000Z'
    const { ui, user, shadow } = await renderWidget({
      integrations: catalog,
      connections: [connection('hubspot', { accountLabel: 'sales@acme.test', createdAt: created }), connection('github', { accountLabel: 'ada' })],
    })
    await ui.findByRole('button', { name: 'HubSpot' })
    await user.click(card(shadow, 'hubspot'))
    let dialog = ui.getByRole('dialog', { name: 'HubSpot' })
    expect(within(dialog).getByText('sales@acme.test')).toBeTruthy()
    expect(within(dialog).getByText(new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(created)))).toBeTruthy()
    expect(within(dialog).getByText('now')).toBeTruthy()
    expect(within(dialog).getByRole('button', { name: 'Add another account' })).toBeTruthy()
    await user.click(within(dialog).getByRole('button', { name: 'Back to integrations' }))
    await user.click(card(shadow, 'github'))
    dialog = ui.getByRole('dialog', { name: 'GitHub' })
    expect(within(dialog).getByText('ada')).toBeTruthy()
    expect(within(dialog).queryByRole('button', { name: 'Add another account' })).toBeNull()
  })

  it('describes OAuth scopes in plain words', async () => {
    const { ui, user, shadow } = await renderWidget({ integrations: catalog })
    await ui.findByRole('button', { name: 'HubSpot' })
    await user.click(card(shadow, 'hubspot'))
    const dialog = ui.getByRole('dialog', { name: 'HubSpot' })
    expect(within(dialog).getByText('See your contacts')).toBeTruthy()
    expect(within(dialog).getByText('Create and change your contacts')).toBeTruthy()
    expect(within(dialog).getByText('crm.objects.contacts.write')).toBeTruthy()
  })
})

describe('failures and recovery', () => {
  it('a network failure shows an error with Retry, never a blank widget', async () => {
    const api = createFakeApi({ integrations: [github] })
    // Both tries of the first load fail (one automatic retry for network errors).
    api.queue('GET /v1/embed/integrations', () => Promise.reject(new TypeError('Failed to fetch')))
    api.queue('GET /v1/embed/integrations', () => Promise.reject(new TypeError('Failed to fetch')))
    const { ui, user, of } = await renderWidget({ api })
    const alert = await ui.findByRole('alert', {}, { timeout: 3000 })
    expect(within(alert).getByText('We could not load your integrations')).toBeTruthy()
    expect(within(alert).getByText('Check your connection and try again.')).toBeTruthy()
    expect(of('error')).toEqual([{ stage: 'load', code: 'network_error', message: 'Failed to fetch' }])
    await user.click(within(alert).getByRole('button', { name: 'Retry' }))
    expect(await ui.findByRole('button', { name: 'GitHub' })).toBeTruthy()
  })

  it('a refused origin says so in plain words', async () => {
    const api = createFakeApi({ integrations: [github] })
    api.queue('GET /v1/embed/integrations', () => problem('origin_not_allowed', 'Origin https://evil.test is not allowed for this connect session', { status: 403 }))
    const { ui, of } = await renderWidget({ api })
    expect(await ui.findByText('This page is not allowed to show these integrations.')).toBeTruthy()
    expect(of('error')).toEqual([{ stage: 'load', code: 'origin_not_allowed', message: 'Origin https://evil.test is not allowed for this connect session' }])
  })
})

describe('detail dialog', () => {
  it('moves focus in, closes on Escape and returns focus to the card', async () => {
    const { ui, user, shadow, focused } = await renderWidget({ integrations: catalog })
    await ui.findByRole('button', { name: 'Stripe' })
    card(shadow, 'stripe').focus()
    await user.keyboard('{Enter}')
    const dialog = ui.getByRole('dialog', { name: 'Stripe' })
    expect(dialog.contains(focused())).toBe(true)
    expect(ui.getByRole('heading', { name: 'Integrations', hidden: true }).closest('section')!.hidden).toBe(true)
    await user.keyboard('{Escape}')
    expect(ui.queryByRole('dialog')).toBeNull()
    expect(focused()).toBe(card(shadow, 'stripe'))
  })

  it('arrow keys move between cards', async () => {
    const { ui, user, shadow, focused } = await renderWidget({ integrations: catalog })
    await ui.findByRole('button', { name: 'GitHub' })
    card(shadow, 'github').focus()
    await user.keyboard('{ArrowRight}')
    expect(focused()).toBe(card(shadow, 'hubspot'))
    await user.keyboard('{End}')
    expect(focused()).toBe(card(shadow, 'salesforce'))
  })
})

describe('messages', () => {
  it('a host override changes the rendered text and keeps the other defaults', async () => {
    const { ui, user, shadow } = await renderWidget(
      { integrations: [stripe, helpdesk] },
      { messages: { catalog: { title: 'Apps', searchLabel: 'Find an app' }, detail: { back: 'Zurück' }, categories: { support: 'Kundendienst' } } },
    )
    expect(await ui.findByRole('heading', { name: 'Apps' })).toBeTruthy()
    expect(ui.getByRole('searchbox', { name: 'Find an app' })).toBeTruthy()
    expect(ui.getByRole('button', { name: 'Kundendienst' })).toBeTruthy()
    expect(ui.getByRole('button', { name: 'All' })).toBeTruthy()
    await user.click(card(shadow, 'stripe'))
    expect(ui.getByRole('button', { name: 'Zurück' })).toBeTruthy()
  })
})

describe('hosting', () => {
  it('works under React StrictMode (effects run twice in development)', async () => {
    const api = createFakeApi({ integrations: catalog })
    vi.stubGlobal('fetch', vi.fn(api.fetch))
    const onReady = vi.fn()
    const { container } = render(
      <StrictMode>
        <PatchbayMarketplace sessionToken="pb_cs_test" baseUrl="https://patchbay.test" onReady={onReady} />
      </StrictMode>,
    )
    const host = container.querySelector('[data-patchbay-host]')!
    await waitFor(() => expect(host.shadowRoot?.querySelector('[data-pb-card]')).toBeTruthy())
    expect(host.shadowRoot!.querySelectorAll('[data-patchbay-widget]')).toHaveLength(1)
    await waitFor(() => expect(onReady).toHaveBeenCalledTimes(1))
  })

  it('shows a close button when the host passes onClose', async () => {
    const onClose = vi.fn()
    const { ui, user } = await renderWidget({ integrations: [github] }, { onClose })
    await user.click(await ui.findByRole('button', { name: 'Close' }))
    expect(onClose).toHaveBeenCalledTimes(1)
  })

  it('has no close button otherwise', async () => {
    const { ui } = await renderWidget({ integrations: [github] })
    await ui.findByRole('button', { name: 'GitHub' })
    expect(ui.queryByRole('button', { name: 'Close' })).toBeNull()
  })
})

describe('theme', () => {
  it('sets the mode on the host and variable overrides on the root', async () => {
    const { host, shadow, ui } = await renderWidget({ integrations: [github] }, { theme: { mode: 'dark', variables: { accent: '#0f766e' } } })
    await ui.findByRole('button', { name: 'GitHub' })
    expect(host.getAttribute('data-pb-mode')).toBe('dark')
    const root = shadow.querySelector<HTMLElement>('[data-patchbay-widget]')!
    expect(root.style.getPropertyValue('--pb-accent')).toBe('#0f766e')
    expect(shadow.querySelector('style')!.textContent).toContain('--pb-accent')
  })
})
