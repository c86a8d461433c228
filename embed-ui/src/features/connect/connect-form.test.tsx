// @vitest-environment happy-dom
/**
 * Connecting with a form (API key, basic + subdomain): fields as the connector defines them,
 * client checks, the server's field errors under their field, `credentials_invalid` for the form.
 */
import { cleanup, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createFakeApi, problem } from '../../testing/fake-api'
import { catalog, connection, helpdesk, stripe } from '../../testing/fixtures'
import { renderWidget } from '../../testing/render'

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

async function openDetail(api: ReturnType<typeof createFakeApi>, name: string) {
  const r = await renderWidget({ api })
  await r.user.click(await r.ui.findByRole('button', { name }))
  return { ...r, dialog: r.ui.getByRole('dialog', { name }) }
}

describe('credentials form', () => {
  it('asks for the fields the catalog entry defines, labelled, with hints and help links', async () => {
    const { dialog } = await openDetail(createFakeApi({ integrations: catalog }), 'Acme Helpdesk')
    const form = within(dialog)
    expect(form.getByLabelText('Subdomain').getAttribute('type')).toBe('text')
    expect(form.getByLabelText('Email').getAttribute('type')).toBe('email')
    expect(form.getByLabelText('API token').getAttribute('type')).toBe('password')
    expect(form.getByLabelText('Subdomain').getAttribute('aria-describedby')).toBeTruthy()
    expect(form.getByText('The part before .acmehelpdesk.com')).toBeTruthy()
    expect(form.getByRole('button', { name: 'Connect' }).getAttribute('type')).toBe('submit')
  })

  it('checks required fields and patterns before sending anything', async () => {
    const api = createFakeApi({ integrations: catalog })
    const { dialog, user, focused } = await openDetail(api, 'Acme Helpdesk')
    const form = within(dialog)
    await user.type(form.getByLabelText('Subdomain'), 'not a subdomain!')
    await user.click(form.getByRole('button', { name: 'Connect' }))
    expect(form.getByText('Subdomain does not look right')).toBeTruthy()
    expect(form.getByText('Email is required')).toBeTruthy()
    expect(form.getByText('API token is required')).toBeTruthy()
    expect(form.getByLabelText('Email').getAttribute('aria-invalid')).toBe('true')
    expect(focused()).toBe(form.getByLabelText('Subdomain'))
    expect(api.calls('POST /v1/embed/connections')).toHaveLength(0)
  })

  it('shows the server\'s field errors (errors[].path) under their field', async () => {
    const api = createFakeApi({ integrations: catalog })
    api.queue('POST /v1/embed/connections', () =>
      problem('invalid_request', 'Invalid credentials', { errors: [{ path: 'credentials.apiKey', message: 'This key belongs to another Stripe account' }] }),
    )
    const { dialog, user, focused, of } = await openDetail(api, 'Stripe')
    const form = within(dialog)
    const input = form.getByLabelText('Secret or restricted key')
    await user.type(input, 'rk_test_abc123')
    await user.click(form.getByRole('button', { name: 'Connect' }))
    const error = await form.findByText('This key belongs to another Stripe account')
    expect(input.getAttribute('aria-invalid')).toBe('true')
    expect(input.getAttribute('aria-describedby')!.split(' ')).toContain(error.id)
    expect(focused()).toBe(input)
    expect(form.queryByRole('alert')).toBeNull() // placed under the field, not as a form error
    expect(api.calls('POST /v1/embed/connections')[0]!.body).toEqual({ integration: 'stripe', credentials: { apiKey: 'rk_test_abc123' }, connectionConfig: {} })
    expect(of('error')).toEqual([{ stage: 'connect', code: 'invalid_request', message: 'Invalid credentials', integration: 'stripe' }])
    // Editing the field clears its error.
    await user.type(input, 'x')
    expect(form.queryByText('This key belongs to another Stripe account')).toBeNull()
  })

  it('shows credentials_invalid as a form-level error', async () => {
    // The provider refuses the key when the server checks it.
    const api = createFakeApi({ integrations: catalog, accepts: () => false })
    const { dialog, user, of } = await openDetail(api, 'Stripe')
    const form = within(dialog)
    await user.type(form.getByLabelText('Secret or restricted key'), 'rk_live_revoked')
    await user.click(form.getByRole('button', { name: 'Connect' }))
    const alert = await form.findByRole('alert')
    expect(within(alert).getByText('Stripe did not accept these details. Check them and try again.')).toBeTruthy()
    expect(within(alert).getByText('Stripe rejected these credentials (HTTP 401)')).toBeTruthy()
    expect(form.getByLabelText('Secret or restricted key').getAttribute('aria-invalid')).toBeNull()
    expect(of('error')).toEqual([{ stage: 'connect', code: 'credentials_invalid', message: 'Stripe rejected these credentials (HTTP 401)', integration: 'stripe' }])
    expect(api.state.connections).toEqual([])
  })

  it('on success shows the connected view and sends connect', async () => {
    const api = createFakeApi({ integrations: catalog })
    const { dialog, user, of, focused, shadow, ui } = await openDetail(api, 'Acme Helpdesk')
    const form = within(dialog)
    await user.type(form.getByLabelText('Subdomain'), 'acme')
    await user.type(form.getByLabelText('Email'), 'ada@acme.test')
    await user.type(form.getByLabelText('API token'), 'tok_123')
    await user.click(form.getByRole('button', { name: 'Connect' }))
    const banner = await form.findByText('Connected to Acme Helpdesk.')
    expect(focused()).toBe(banner.closest('[data-state="connected"]'))
    expect(dialog.dataset.state).toBe('connected')
    expect(form.getByText('ada@acme.test')).toBeTruthy()
    expect(form.getByRole('button', { name: 'Disconnect' })).toBeTruthy()
    expect(form.queryByLabelText('API token')).toBeNull()
    const made = api.state.connections[0]!
    expect(api.calls('POST /v1/embed/connections')[0]!.body).toEqual({ integration: 'acme-helpdesk', credentials: { username: 'ada@acme.test', password: 'tok_123' }, connectionConfig: { subdomain: 'acme' } })
    expect(of('connect')).toEqual([{ connectionId: made.id, integration: 'acme-helpdesk' }])
    await user.click(form.getByRole('button', { name: 'Back to integrations' }))
    await waitFor(() => expect(within(shadow.querySelector<HTMLElement>('[data-integration="acme-helpdesk"]')!).getByText('Connected')).toBeTruthy())
    expect(ui.queryByRole('dialog')).toBeNull()
  })

  it('reconnects an API-key connection in place (same id) and sends reconnect', async () => {
    const c = connection('stripe', { status: 'error', statusReason: 'The key was rolled', accountLabel: 'Acme Inc.' })
    const api = createFakeApi({ integrations: [stripe, helpdesk], connections: [c] })
    const { dialog, user, of } = await openDetail(api, 'Stripe')
    const form = within(dialog)
    await user.click(form.getByRole('button', { name: 'Reconnect' }))
    await user.type(form.getByLabelText('Secret or restricted key'), 'rk_live_new123')
    await user.click(form.getByRole('button', { name: 'Reconnect' }))
    expect(await form.findByText('Reconnected to Stripe.')).toBeTruthy()
    expect(api.calls('POST /v1/embed/connections')[0]!.body).toEqual({ integration: 'stripe', credentials: { apiKey: 'rk_live_new123' }, connectionConfig: {}, connectionId: c.id })
    expect(of('reconnect')).toEqual([{ connectionId: c.id, integration: 'stripe' }])
    expect(of('connect')).toEqual([])
    await waitFor(() => expect(dialog.dataset.state).toBe('connected'))
  })
})
