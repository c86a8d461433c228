/**
 * The API client: bearer token, problem documents as ApiError, and the renewal of an expired
 * session through the host's getSessionToken followed by one retry.
 */
import { describe, expect, it, vi } from 'vitest'
import { createFakeApi } from '../testing/fake-api'
import { catalog } from '../testing/fixtures'
import { ApiError, createApiClient } from './client'

function setup(token: string | undefined, renew?: () => Promise<string>) {
  const api = createFakeApi({ integrations: catalog, tokens: ['pb_cs_fresh'] })
  api.state.expired.add('pb_cs_old')
  const fetch = vi.fn(api.fetch)
  const client = createApiClient({ baseUrl: 'https://patchbay.test/', getToken: () => token, renewToken: renew, fetch })
  return { api, fetch, client }
}

describe('createApiClient', () => {
  it('renews an expired session through getSessionToken, then retries the request once', async () => {
    const renew = vi.fn(async () => 'pb_cs_fresh')
    const { client, api } = setup('pb_cs_old', renew)
    await expect(client.listIntegrations()).resolves.toHaveLength(catalog.length)
    expect(renew).toHaveBeenCalledTimes(1)
    expect(api.calls('GET /v1/embed/integrations').map((c) => c.token)).toEqual(['pb_cs_old', 'pb_cs_fresh'])
    // The renewed token is kept for later requests.
    await client.listConnections()
    expect(api.calls('GET /v1/embed/connections').map((c) => c.token)).toEqual(['pb_cs_fresh'])
    expect(renew).toHaveBeenCalledTimes(1)
  })

  it('renews once for requests failing together', async () => {
    let release!: (t: string) => void
    const renew = vi.fn(() => new Promise<string>((r) => (release = r)))
    const { client } = setup('pb_cs_old', renew)
    const both = Promise.all([client.listIntegrations(), client.listConnections()])
    await vi.waitFor(() => expect(renew).toHaveBeenCalled())
    release('pb_cs_fresh')
    await expect(both).resolves.toHaveLength(2)
    expect(renew).toHaveBeenCalledTimes(1)
  })

  it('retries only once: a renewed token that is refused again is an error', async () => {
    const renew = vi.fn(async () => 'pb_cs_also_expired')
    const { client, api } = setup('pb_cs_old', renew)
    api.state.expired.add('pb_cs_also_expired')
    const err = await client.listIntegrations().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ status: 401, code: 'session_expired' })
    expect(api.calls('GET /v1/embed/integrations')).toHaveLength(2)
  })

  it('without getSessionToken an expired session is final', async () => {
    const { client, api } = setup('pb_cs_old')
    await expect(client.listIntegrations()).rejects.toMatchObject({ code: 'session_expired', detail: 'The connect session has expired; ask the app for a new one' })
    expect(api.calls('GET /v1/embed/integrations')).toHaveLength(1)
  })

  it('asks getSessionToken first when the host gave no token', async () => {
    const renew = vi.fn(async () => 'pb_cs_fresh')
    const { client, api } = setup(undefined, renew)
    await client.listIntegrations()
    expect(api.calls('GET /v1/embed/integrations').map((c) => c.token)).toEqual(['pb_cs_fresh'])
  })

  it('turns problem documents into ApiError with field errors, and network failures into network_error', async () => {
    const { client, fetch } = setup('pb_cs_fresh')
    const err = await client.connectWithForm({ integration: 'stripe', credentials: {} }).catch((e: unknown) => e)
    expect(err).toMatchObject({ status: 400, code: 'invalid_request', errors: [{ path: 'credentials.apiKey', message: 'Secret or restricted key is required' }] })
    fetch.mockRejectedValueOnce(new TypeError('Failed to fetch'))
    await expect(client.listConnections()).rejects.toMatchObject({ status: 0, code: 'network_error' })
  })

  it('keeps a base URL path prefix and reports the origin popups post from', async () => {
    const fetch = vi.fn(async () => new Response('{"data":[]}', { status: 200 }))
    const client = createApiClient({ baseUrl: 'https://example.com/patchbay/', getToken: () => 't', fetch })
    await client.listConnections()
    expect(fetch).toHaveBeenCalledWith('https://example.com/patchbay/v1/embed/connections', expect.objectContaining({ method: 'GET', credentials: 'omit' }))
    expect(client.origin).toBe('https://example.com')
  })
})
