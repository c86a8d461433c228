// @vitest-environment happy-dom
/**
 * The OAuth connect flow through the widget: popup opened on click, result by postMessage from
 * Patchbay's origin only, a closed popup, a declined authorization, never two popups.
 */
import { cleanup, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { OAUTH_MESSAGE_TYPE } from '../../popup'
import { createFakeApi } from '../../testing/fake-api'
import { catalog, connection, entry, hubspot } from '../../testing/fixtures'
import { BASE_URL, renderWidget } from '../../testing/render'

interface FakePopup {
  closed: boolean
  focus: ReturnType<typeof vi.fn>
  close: ReturnType<typeof vi.fn>
  location: { href: string }
}
let popups: FakePopup[]
let open: ReturnType<typeof vi.fn>

beforeEach(() => {
  popups = []
  open = vi.fn(() => {
    const p: FakePopup = { closed: false, focus: vi.fn(), close: vi.fn(() => void (p.closed = true)), location: { href: 'about:blank' } }
    popups.push(p)
    return p
  })
  vi.spyOn(window, 'open').mockImplementation(open as unknown as typeof window.open)
})
afterEach(() => {
  for (const p of popups) p.closed = true
  cleanup()
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

/** The callback page's postMessage, as the browser delivers it. */
function postResult(data: unknown, origin = BASE_URL, source: unknown = popups.at(-1)) {
  window.dispatchEvent(new MessageEvent('message', { data, origin, source: source as never }))
}

async function openGitHub(api = createFakeApi({ integrations: catalog })) {
  const r = await renderWidget({ api })
  await r.user.click(await r.ui.findByRole('button', { name: 'GitHub' }))
  const dialog = r.ui.getByRole('dialog', { name: 'GitHub' })
  return { ...r, dialog, d: within(dialog) }
}

describe('OAuth connect', () => {
  it('opens the popup on click, loads the authorization URL, and accepts the result only from Patchbay', async () => {
    const api = createFakeApi({ integrations: catalog })
    const { d, dialog, user, of } = await openGitHub(api)
    await user.click(d.getByRole('button', { name: 'Connect' }))
    expect(open).toHaveBeenCalledTimes(1)
    expect(open).toHaveBeenCalledWith('', 'patchbay-oauth', 'popup,width=520,height=680')
    // The popup opened before the authorization request was sent (no popup blocker).
    const fetchOrder = vi.mocked(fetch).mock.invocationCallOrder.at(-1)!
    expect(open.mock.invocationCallOrder[0]!).toBeLessThan(fetchOrder)
    await waitFor(() => expect(popups[0]!.location.href).toBe('https://patchbay.test/oauth/start?state=st_github_new'))
    expect(api.calls('POST /v1/embed/oauth/authorizations')[0]!.body).toEqual({ integration: 'github', connectionConfig: {} })
    expect(d.getByText('Finish signing in to GitHub in the window that opened.')).toBeTruthy()
    expect(dialog.dataset.state).toBe('authorizing')

    // Forged results: another origin, or not our popup.
    const forged = { type: OAUTH_MESSAGE_TYPE, ok: true, connectionId: 'conn_evil', integration: 'github', reconnected: false }
    postResult(forged, 'https://evil.test')
    postResult(forged, BASE_URL, window)
    await new Promise((r) => setTimeout(r, 20))
    expect(dialog.dataset.state).toBe('authorizing')
    expect(of('connect')).toEqual([])

    const result = api.completeAuthorization('github', undefined, 'ada-lovelace')
    postResult({ type: OAUTH_MESSAGE_TYPE, ...result })
    expect(await d.findByText('Connected to GitHub.')).toBeTruthy()
    expect(await d.findByText('ada-lovelace')).toBeTruthy()
    expect(dialog.dataset.state).toBe('connected')
    expect(of('connect')).toEqual([{ connectionId: result.connectionId, integration: 'github' }])
  })

  it('a popup closed without a result: refetches, says so, and allows a retry', async () => {
    const api = createFakeApi({ integrations: catalog })
    const { d, user, of } = await openGitHub(api)
    await user.click(d.getByRole('button', { name: 'Connect' }))
    await waitFor(() => expect(popups[0]!.location.href).toContain('/oauth/start'))
    const listsBefore = api.calls('GET /v1/embed/connections').length
    popups[0]!.closed = true
    expect(await d.findByText('The window was closed before you finished. Try again when you are ready.', {}, { timeout: 2000 })).toBeTruthy()
    expect(api.calls('GET /v1/embed/connections').length).toBeGreaterThan(listsBefore)
    expect(of('error')).toEqual([{ stage: 'authorize', code: 'popup_closed', message: 'The authorization window was closed', integration: 'github' }])
    await user.click(d.getByRole('button', { name: 'Try again' }))
    expect(open).toHaveBeenCalledTimes(2)
    await waitFor(() => expect(popups[1]!.location.href).toContain('/oauth/start'))
  })

  it('a popup closed after the connection was saved counts as connected', async () => {
    const api = createFakeApi({ integrations: catalog })
    const { d, user, of } = await openGitHub(api)
    await user.click(d.getByRole('button', { name: 'Connect' }))
    await waitFor(() => expect(popups[0]!.location.href).toContain('/oauth/start'))
    const result = api.completeAuthorization('github')
    popups[0]!.closed = true // closed before its message arrived
    expect(await d.findByText('Connected to GitHub.', {}, { timeout: 2000 })).toBeTruthy()
    expect(of('connect')).toEqual([{ connectionId: result.connectionId, integration: 'github' }])
  })

  it('never opens two popups: a second click focuses the open one', async () => {
    const { d, user, ui, shadow } = await openGitHub()
    await user.click(d.getByRole('button', { name: 'Connect' }))
    await user.click(d.getByRole('button', { name: 'Show window' }))
    expect(popups[0]!.focus).toHaveBeenCalledTimes(1)
    // Another integration's Connect while the popup is open focuses it too.
    await user.click(d.getByRole('button', { name: 'Back to integrations' }))
    expect(shadow.querySelector<HTMLElement>('[data-integration="github"]')!.dataset.state).toBe('authorizing')
    await user.click(ui.getByRole('button', { name: 'Demo CRM' }))
    await user.click(within(ui.getByRole('dialog', { name: 'Demo CRM' })).getByRole('button', { name: 'Connect' }))
    expect(open).toHaveBeenCalledTimes(1)
    expect(popups[0]!.focus).toHaveBeenCalledTimes(2)
  })

  it('declined access: a friendly message and a retry', async () => {
    const { d, user, of } = await openGitHub()
    await user.click(d.getByRole('button', { name: 'Connect' }))
    await waitFor(() => expect(popups[0]!.location.href).toContain('/oauth/start'))
    postResult({ type: OAUTH_MESSAGE_TYPE, ok: false, code: 'oauth_denied', message: 'Access was denied at the provider' })
    expect(await d.findByText('You declined access to GitHub. Nothing was connected.')).toBeTruthy()
    expect(d.getByRole('button', { name: 'Try again' })).toBeTruthy()
    expect(of('error')).toEqual([{ stage: 'authorize', code: 'oauth_denied', message: 'Access was denied at the provider', integration: 'github' }])
  })

  it('a blocked popup says how to fix it', async () => {
    open.mockImplementationOnce(() => null)
    const { d, user, of } = await openGitHub()
    await user.click(d.getByRole('button', { name: 'Connect' }))
    expect(await d.findByText('Your browser blocked the sign-in window. Allow pop-ups for this site and try again.')).toBeTruthy()
    expect(of('error')[0]).toMatchObject({ stage: 'authorize', code: 'popup_blocked' })
  })

  it('reconnecting keeps the connection id and sends reconnect', async () => {
    const c = connection('hubspot', { status: 'needs_reauth', accountLabel: 'sales@acme.test', connectionConfig: {} })
    const api = createFakeApi({ integrations: [hubspot], connections: [c] })
    const { ui, user, of } = await renderWidget({ api })
    await user.click(await ui.findByRole('button', { name: 'HubSpot' }))
    const d = within(ui.getByRole('dialog', { name: 'HubSpot' }))
    await user.click(d.getByRole('button', { name: 'Reconnect' }))
    await waitFor(() => expect(popups[0]!.location.href).toContain('st_hubspot_' + c.id))
    postResult({ type: OAUTH_MESSAGE_TYPE, ...api.completeAuthorization('hubspot', c.id) })
    expect(await d.findByText('Reconnected to HubSpot.')).toBeTruthy()
    await waitFor(() => expect(d.queryByText('Reconnect needed')).toBeNull())
    expect(of('reconnect')).toEqual([{ connectionId: c.id, integration: 'hubspot' }])
  })

  it('asks for connection config first and shows its server errors under the field', async () => {
    const zen = entry('zen', { name: 'Zen Desk', connectionConfigFields: [{ name: 'subdomain', label: 'Subdomain', type: 'text', required: true }] })
    const api = createFakeApi({ integrations: [zen] })
    api.queue('POST /v1/embed/oauth/authorizations', () =>
      new Response(JSON.stringify({ type: 'urn:patchbay:error:invalid_request', title: 'invalid request', status: 400, detail: 'Invalid connection config', code: 'invalid_request', errors: [{ path: 'connectionConfig.subdomain', message: 'Subdomain is not valid' }] }), {
        status: 400,
        headers: { 'content-type': 'application/problem+json' },
      }),
    )
    const { ui, user } = await renderWidget({ api })
    await user.click(await ui.findByRole('button', { name: 'Zen Desk' }))
    const d = within(ui.getByRole('dialog', { name: 'Zen Desk' }))
    await user.type(d.getByLabelText('Subdomain'), 'acme')
    await user.click(d.getByRole('button', { name: 'Connect' }))
    expect(open).toHaveBeenCalledTimes(1)
    expect(await d.findByText('Subdomain is not valid')).toBeTruthy()
    expect(popups[0]!.close).toHaveBeenCalled()
    expect(api.calls('POST /v1/embed/oauth/authorizations')[0]!.body).toEqual({ integration: 'zen', connectionConfig: { subdomain: 'acme' } })
  })
})
