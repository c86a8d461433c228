/**
 * Calendly through the real sync engine: an integration pointed at a fake Calendly on 127.0.0.1
 * that answers List Events only with the connected user's URI in `user` (as Calendly needs one of
 * `user`, `organization` or `group`, https://developer.calendly.com/api-docs/calendly-api/scheduled-events/list-scheduled-events),
 * from the documented response examples. Proves the connection config reaches the list parameters
 * (`hooks.listParams` with `connectionConfig`) and the pages are followed to the end.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { upsertEndUser } from '../../server/src/db/queries/end-users'
import { newId } from '../../server/src/lib/ids'
import { saveConnection } from '../../server/src/services/connections'
import { createIntegration } from '../../server/src/services/integrations'
import { createTestApp, testDatabases, type TestApp } from '../../server/src/testing'
import eventTypes from './fixtures/event-types.json' with { type: 'json' }
import events1 from './fixtures/scheduled-events-page-1.json' with { type: 'json' }
import events2 from './fixtures/scheduled-events-page-2.json' with { type: 'json' }
import token from './fixtures/token-response.json' with { type: 'json' }
import usersMe from './fixtures/users-me.json' with { type: 'json' }
import { calendlyAccountFrom } from './index'

const TOKEN = 'calendly-token'
const CONFIG = calendlyAccountFrom(token.body)
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** A fake Calendly: the documented pages, a 400 (Calendly's error shape) without the right `user`. */
async function startFakeCalendly(): Promise<{ url: string; requests: URL[]; close: () => Promise<void> }> {
  const requests: URL[] = []
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    requests.push(url)
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-ratelimit-limit': '500', 'x-ratelimit-remaining': '499', 'x-ratelimit-reset': '60' })
      res.end(JSON.stringify(body))
    }
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { title: 'Unauthenticated', message: 'The access token is invalid' })
    if (url.pathname === '/users/me') return send(200, usersMe.body)
    const listed = url.pathname === '/scheduled_events' || url.pathname === '/event_types'
    if (!listed) return send(404, { title: 'Resource Not Found', message: 'The server could not find the requested resource.' })
    if (url.searchParams.get('user') !== CONFIG.userUri) return send(400, { title: 'Invalid Argument', message: 'The supplied parameters are invalid.', details: [{ parameter: 'user', message: 'one of user, organization or group is required' }] })
    if (url.pathname === '/event_types') return send(200, eventTypes.body)
    return send(200, url.searchParams.get('page_token') === events1.body.pagination.next_page_token ? events2.body : events1.body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

describe.each(testDatabases())('calendly syncs through the engine on $name', (target) => {
  let t: TestApp
  let fake: Awaited<ReturnType<typeof startFakeCalendly>>

  beforeAll(async () => {
    t = await createTestApp(target)
    fake = await startFakeCalendly()
  })
  afterAll(async () => {
    await fake?.close()
    await t?.close()
  })

  const json = async <T>(res: Promise<Response>): Promise<T> => {
    const r = await res
    const text = await r.text()
    expect(r.status, text).toBe(200)
    return JSON.parse(text) as T
  }

  async function finishedRun(connectionId: string, sync: string): Promise<{ status: string; added: number }> {
    for (let i = 0; i < 600; i++) {
      const runs = (await json<{ data: { id: string; status: string; added: number }[] }>(t.call('GET', `/v1/sync-runs?connectionId=${connectionId}&sync=${sync}`))).data
      const run = runs[runs.length - 1]
      if (run && ['succeeded', 'failed', 'cancelled'].includes(run.status)) return run
      await sleep(25)
    }
    throw new Error(`${sync} did not finish`)
  }

  it('lists the meetings with the user URI from the connection config and stores both pages, each with its uuid', async () => {
    const endUserId = (await upsertEndUser(t.ctx.db, { id: newId('eu'), environmentId: t.tenant.environmentId, externalId: 'u1' })).id
    const integration = await createIntegration(t.ctx, t.tenant.environmentId, { key: 'calendly', connectorId: 'calendly', clientId: 'client', clientSecret: 'secret', overrides: { baseUrl: fake.url } })
    const connectionId = await saveConnection(t.ctx, { environmentId: t.tenant.environmentId, integration, endUserId, credentials: { type: 'oauth2', accessToken: TOKEN }, scopes: [], connectionConfig: CONFIG })

    expect(await finishedRun(connectionId, 'scheduledEvents')).toMatchObject({ status: 'succeeded', added: 2 })
    const lists = fake.requests.filter((u) => u.pathname === '/scheduled_events')
    expect(lists.map((u) => [u.searchParams.get('user'), u.searchParams.get('count'), u.searchParams.get('page_token')])).toEqual([
      [CONFIG.userUri, '100', null],
      [CONFIG.userUri, '100', 'sNjq4TvMDfUHEl7zHRR0k0E1PCEJWvdi'],
    ])

    const feed = await json<{ data: { id: string; data: Record<string, unknown> }[] }>(t.call('GET', `/v1/records?connectionId=${connectionId}&model=scheduledEvent&limit=10`))
    expect(feed.data.map((r) => [r.id, r.data.uuid, r.data.status])).toEqual([
      ['https://api.calendly.com/scheduled_events/GBGBDCAADAEDCRZ2', 'GBGBDCAADAEDCRZ2', 'active'],
      ['https://api.calendly.com/scheduled_events/CCCCCCCCCCCCCCCC', 'CCCCCCCCCCCCCCCC', 'canceled'],
    ])
    expect(await finishedRun(connectionId, 'eventTypes')).toMatchObject({ status: 'succeeded', added: 1 })
  })
})
