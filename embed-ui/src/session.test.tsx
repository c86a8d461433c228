// @vitest-environment happy-dom
/** An expired connect session is renewed through the host's getSessionToken, without a reload. */
import { cleanup, waitFor } from '@testing-library/react'
import { afterEach, expect, it, vi } from 'vitest'
import { createFakeApi } from './testing/fake-api'
import { catalog } from './testing/fixtures'
import { renderWidget } from './testing/render'

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

it('renews the token on a 401 session_expired and retries, then shows the catalog', async () => {
  const api = createFakeApi({ integrations: catalog, tokens: ['pb_cs_new'] })
  api.state.expired.add('pb_cs_test')
  const getSessionToken = vi.fn(async () => 'pb_cs_new')
  const { ui, of } = await renderWidget({ api }, { getSessionToken })
  expect(await ui.findByRole('button', { name: 'GitHub' })).toBeTruthy()
  expect(getSessionToken).toHaveBeenCalledTimes(1)
  expect(api.calls('GET /v1/embed/integrations').map((c) => c.token)).toEqual(['pb_cs_test', 'pb_cs_new'])
  await waitFor(() => expect(of('ready')).toHaveLength(1))
  expect(of('error')).toEqual([])
})

it('without getSessionToken, says the session expired and reports the session stage', async () => {
  const api = createFakeApi({ integrations: catalog, tokens: [] })
  api.state.expired.add('pb_cs_test')
  const { ui, of } = await renderWidget({ api })
  expect(await ui.findByText('Your session has expired. Reload the page to continue.')).toBeTruthy()
  expect(of('error')[0]).toMatchObject({ stage: 'session', code: 'session_expired' })
})
