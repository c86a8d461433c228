// @vitest-environment happy-dom
/** Disconnecting asks first: an alert dialog that takes focus, closes on Escape and gives focus back. */
import { cleanup, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createFakeApi, problem } from '../../testing/fake-api'
import { connection, github, stripe } from '../../testing/fixtures'
import { renderWidget } from '../../testing/render'

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

async function openGitHub(api: ReturnType<typeof createFakeApi>) {
  const r = await renderWidget({ api })
  await r.user.click(await r.ui.findByRole('button', { name: 'GitHub' }))
  const dialog = r.ui.getByRole('dialog', { name: 'GitHub' })
  return { ...r, dialog, d: within(dialog) }
}

describe('disconnect', () => {
  it('asks for confirmation; Escape cancels and focus returns to Disconnect', async () => {
    const c = connection('github', { accountLabel: 'ada-lovelace' })
    const api = createFakeApi({ integrations: [github, stripe], connections: [c] })
    const { d, user, focused } = await openGitHub(api)
    const button = d.getByRole('button', { name: 'Disconnect' })
    await user.click(button)
    const confirm = d.getByRole('alertdialog', { name: 'Disconnect ada-lovelace?' })
    expect(within(confirm).getByText('This app will stop accessing your GitHub data. You can connect again at any time.')).toBeTruthy()
    expect(confirm.contains(focused())).toBe(true)
    expect(focused()).toBe(within(confirm).getByRole('button', { name: 'Cancel' }))
    await user.keyboard('{Escape}')
    expect(d.queryByRole('alertdialog')).toBeNull()
    expect(focused()).toBe(button)
    // Escape closed only the confirmation, not the detail view around it.
    expect(d.getByText('ada-lovelace')).toBeTruthy()
    expect(api.calls(`DELETE /v1/embed/connections/${c.id}`)).toHaveLength(0)
  })

  it('Tab and Shift+Tab wrap around inside the confirmation', async () => {
    const api = createFakeApi({ integrations: [github], connections: [connection('github', { accountLabel: 'ada' })] })
    const { d, user, focused } = await openGitHub(api)
    await user.click(d.getByRole('button', { name: 'Disconnect' }))
    const confirm = within(d.getByRole('alertdialog'))
    const cancel = confirm.getByRole('button', { name: 'Cancel' })
    const last = confirm.getByRole('button', { name: 'Disconnect' })
    expect(focused()).toBe(cancel)
    await user.keyboard('{Shift>}{Tab}{/Shift}')
    expect(focused()).toBe(last)
    await user.keyboard('{Tab}')
    expect(focused()).toBe(cancel)
  })

  it('on confirm deletes the connection, shows it and sends disconnect', async () => {
    const c = connection('github', { accountLabel: 'ada-lovelace' })
    const api = createFakeApi({ integrations: [github], connections: [c] })
    const { d, dialog, user, of, focused } = await openGitHub(api)
    await user.click(d.getByRole('button', { name: 'Disconnect' }))
    await user.click(within(d.getByRole('alertdialog')).getByRole('button', { name: 'Disconnect' }))
    const banner = await d.findByText('Disconnected from GitHub.')
    expect(api.calls(`DELETE /v1/embed/connections/${c.id}`)).toHaveLength(1)
    expect(d.queryByText('ada-lovelace')).toBeNull()
    expect(dialog.dataset.state).toBe('not_connected')
    expect(d.getByRole('button', { name: 'Connect' })).toBeTruthy()
    expect(of('disconnect')).toEqual([{ connectionId: c.id, integration: 'github' }])
    await waitFor(() => expect(focused()).toBe(banner.closest('[data-state="disconnected"]')))
  })

  it('a failed disconnect keeps the dialog open with the reason', async () => {
    const c = connection('github', { accountLabel: 'ada' })
    const api = createFakeApi({ integrations: [github], connections: [c] })
    api.queue(`DELETE /v1/embed/connections/${c.id}`, () => problem('internal', 'boom', { status: 500 }))
    const { d, user, of } = await openGitHub(api)
    await user.click(d.getByRole('button', { name: 'Disconnect' }))
    const confirm = d.getByRole('alertdialog')
    await user.click(within(confirm).getByRole('button', { name: 'Disconnect' }))
    expect(await within(confirm).findByText('Could not disconnect: Something went wrong. Please try again.')).toBeTruthy()
    expect(of('error')).toEqual([{ stage: 'disconnect', code: 'internal', message: 'boom', integration: 'github' }])
    expect(of('disconnect')).toEqual([])
  })
})
