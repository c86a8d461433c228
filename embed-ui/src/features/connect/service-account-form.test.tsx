// @vitest-environment happy-dom
/**
 * Connecting with a service account key (`oauth2_jwt_bearer`): the key file is pasted into a
 * labelled multi-line field, sent as typed (line breaks kept), and the server's errors about it
 * are shown under it.
 */
import { cleanup, fireEvent, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createFakeApi, problem } from '../../testing/fake-api'
import { catalog, sheetsServiceAccount } from '../../testing/fixtures'
import { renderWidget } from '../../testing/render'

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

const KEY = JSON.stringify({ type: 'service_account', client_email: 'pb@project.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nMIIE…\n-----END PRIVATE KEY-----\n' }, null, 2)

async function openForm(api: ReturnType<typeof createFakeApi>) {
  const r = await renderWidget({ api })
  await r.user.click(await r.ui.findByRole('button', { name: 'Google Sheets (service account)' }))
  const dialog = r.ui.getByRole('dialog', { name: 'Google Sheets (service account)' })
  return { ...r, form: within(dialog) }
}

describe('service account form', () => {
  it('asks for the key in a labelled multi-line field with its hint, and the user to act as as an optional email', async () => {
    const { form } = await openForm(createFakeApi({ integrations: [...catalog, sheetsServiceAccount] }))
    const key = form.getByLabelText('Service account key (JSON)')
    expect(key.tagName).toBe('TEXTAREA')
    expect(key.getAttribute('name')).toBe('serviceAccountKey')
    expect(key.getAttribute('spellcheck')).toBe('false')
    expect(key.getAttribute('autocomplete')).toBe('off')
    const hint = form.getByText('The JSON key file of a service account, pasted whole.')
    expect(key.getAttribute('aria-describedby')!.split(' ')).toContain(hint.id)
    expect(form.getByLabelText('Act as user').getAttribute('type')).toBe('email')
    expect(form.getByLabelText('Spreadsheet ID').tagName).toBe('INPUT')
  })

  it('sends the pasted key with its line breaks, and leaves an empty optional user out', async () => {
    const api = createFakeApi({ integrations: [...catalog, sheetsServiceAccount] })
    const { form, user } = await openForm(api)
    await user.type(form.getByLabelText('Spreadsheet ID'), 'abc_123')
    // Pasting: one change with the whole multi-line text (user-event's `paste` left this field empty in the test DOM).
    fireEvent.change(form.getByLabelText('Service account key (JSON)'), { target: { value: KEY } })
    await user.click(form.getByRole('button', { name: 'Connect' }))
    expect(await form.findByText('Connected to Google Sheets (service account).')).toBeTruthy()
    expect(api.calls('POST /v1/embed/connections')[0]!.body).toEqual({ integration: 'google-sheets-service-account', credentials: { serviceAccountKey: KEY }, connectionConfig: { spreadsheetId: 'abc_123' } })
  })

  it('requires the key before sending, and shows the server’s error about it under the field, focused', async () => {
    const api = createFakeApi({ integrations: [...catalog, sheetsServiceAccount] })
    const { form, user, focused } = await openForm(api)
    await user.type(form.getByLabelText('Spreadsheet ID'), 'abc_123')
    await user.click(form.getByRole('button', { name: 'Connect' }))
    expect(form.getByText('Service account key (JSON) is required')).toBeTruthy()
    expect(api.calls('POST /v1/embed/connections')).toHaveLength(0)

    api.queue('POST /v1/embed/connections', () =>
      problem('invalid_request', 'Invalid service account key', { errors: [{ path: 'credentials.serviceAccountKey', message: 'token_uri must be https://oauth2.googleapis.com/token' }] }),
    )
    const key = form.getByLabelText('Service account key (JSON)')
    fireEvent.change(key, { target: { value: KEY } })
    await user.click(form.getByRole('button', { name: 'Connect' }))
    const error = await form.findByText('token_uri must be https://oauth2.googleapis.com/token')
    expect(key.getAttribute('aria-invalid')).toBe('true')
    expect(key.getAttribute('aria-describedby')!.split(' ')).toContain(error.id)
    expect(focused()).toBe(key)
  })
})
