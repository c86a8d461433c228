/**
 * Outgoing webhooks: Standard Webhooks signatures checked by the reference library, the outbox,
 * retries, the delivery log, redelivery, the sweep and the SDK's verifier.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyWebhook } from '../sdk/src/webhooks'
import { PatchbayError } from '../sdk/src/errors'
import { inTransaction } from '../server/src/db/client'
import { startDemoProvider, type DemoProvider } from '../server/src/demo/provider/index'
import { setStatus } from '../server/src/services/connections'
import { recordEvent, sweepWebhookDeliveries } from '../server/src/services/webhook-outbox'
import { createTestApp, freePort, testConfig, testDatabases, type TestApp, type TestTenant } from '../server/src/testing'

interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: string
}

/** A receiver on 127.0.0.1: answers each path with the next status of its script (then 200). */
async function startReceiver() {
  const received: Received[] = []
  const scripts = new Map<string, number[]>()
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const path = req.url ?? '/'
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      const status = scripts.get(path)?.shift() ?? 200
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'thanks' : `no ${'x'.repeat(2000)}`)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    base,
    received,
    on: (path: string) => received.filter((r) => r.path === path),
    script: (path: string, statuses: number[]) => scripts.set(path, statuses),
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

async function until<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 50))
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe.each(testDatabases())('webhooks on $name', (target) => {
  let t: TestApp
  let provider: DemoProvider
  let receiver: Awaited<ReturnType<typeof startReceiver>>

  beforeAll(async () => {
    t = await createTestApp(target, { ...testConfig(), webhookRetryDelaysMs: [150, 150, 150] })
    provider = await startDemoProvider({ clients: [], apiKeys: ['good-key'] })
    receiver = await startReceiver()
  })
  afterAll(async () => {
    await receiver?.close()
    await provider?.close()
    await t?.close()
  })

  /** A fresh environment with the API-key integration and a connect session. */
  async function environment(): Promise<{ tenant: TestTenant; call: (method: string, path: string, body?: unknown) => Promise<Response>; connect: () => Promise<string> }> {
    const tenant = await t.newTenant()
    const call = (method: string, path: string, body?: unknown) => t.call(method, path, { token: tenant.secretKey, body })
    expect((await call('POST', '/v1/integrations', { key: 'crm-key', connectorId: 'demo-crm-api-key', syncSettings: { autoStart: false }, overrides: { baseUrl: provider.apiBaseUrl } })).status).toBe(201)
    const session = ((await (await call('POST', '/v1/connect-sessions', { endUser: { id: 'u1' } })).json()) as { token: string }).token
    const connect = async () => {
      const r = await t.call('POST', '/v1/embed/connections', { token: session, body: { integration: 'crm-key', credentials: { apiKey: 'good-key' } } })
      expect(r.status).toBe(201)
      return ((await r.json()) as { id: string }).id
    }
    return { tenant, call, connect }
  }

  async function endpoint(call: (m: string, p: string, b?: unknown) => Promise<Response>, path: string, events?: string[]) {
    const r = await call('POST', '/v1/webhook-endpoints', { url: receiver.base + path, ...(events ? { events } : {}), description: path })
    expect(r.status).toBe(201)
    return (await r.json()) as { id: string; secret: string; events: string[] }
  }

  const deliveries = async (call: (m: string, p: string) => Promise<Response>, query = '') =>
    ((await (await call('GET', `/v1/webhook-deliveries${query}`)).json()) as { data: { id: string; status: string; eventType: string; eventId: string; attemptCount: number; attempts: { attempt: number; statusCode: number | null; responseBody: string | null }[] }[] }).data

  it('reports connection.deleted for the connections of a deleted integration and of a deleted end user', async () => {
    const env = await environment()
    await endpoint(env.call, '/cascade', ['connection.deleted'])
    const first = await env.connect()
    expect((await env.call('DELETE', '/v1/integrations/crm-key')).status).toBe(200)
    const [viaIntegration] = await until(() => receiver.on('/cascade').length >= 1 && receiver.on('/cascade'))
    expect(JSON.parse(viaIntegration!.body)).toMatchObject({ type: 'connection.deleted', data: { id: first } })

    expect((await env.call('POST', '/v1/integrations', { key: 'crm-key', connectorId: 'demo-crm-api-key', syncSettings: { autoStart: false }, overrides: { baseUrl: provider.apiBaseUrl } })).status).toBe(201)
    const second = await env.connect()
    expect((await env.call('DELETE', '/v1/end-users/u1')).status).toBe(200)
    const viaEndUser = await until(() => receiver.on('/cascade')[1])
    expect(JSON.parse(viaEndUser.body)).toMatchObject({ type: 'connection.deleted', data: { id: second } })
  })

  it('delivers signed connection.created and connection.deleted events with the public connection view', async () => {
    const env = await environment()
    const ep = await endpoint(env.call, '/all')
    expect(ep.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/)
    const id = await env.connect()
    const [created] = await until(() => receiver.on('/all').length >= 1 && receiver.on('/all'))
    const event = new Webhook(ep.secret).verify(created!.body, created!.headers as Record<string, string>) as { type: string; timestamp: string; data: Record<string, unknown> }
    expect(event).toMatchObject({ type: 'connection.created', data: { id, integration: 'crm-key', endUserId: 'u1', status: 'active' } })
    expect(created!.headers['webhook-id']).toMatch(/^evt_/)
    expect(created!.headers['user-agent']).toBe('Patchbay-Webhooks')
    expect(created!.headers['content-type']).toBe('application/json')
    expect(created!.body).not.toContain('good-key')
    expect(created!.body).not.toContain('credentials')

    expect((await env.call('DELETE', `/v1/connections/${id}`)).status).toBe(200)
    const deleted = await until(() => receiver.on('/all')[1])
    expect(new Webhook(ep.secret).verify(deleted.body, deleted.headers as Record<string, string>)).toMatchObject({ type: 'connection.deleted', data: { id, status: 'active' } })

    const log = await until(async () => {
      const d = await deliveries(env.call)
      return d.length === 2 && d.every((x) => x.status === 'succeeded') && d
    })
    expect(log.map((d) => d.eventType)).toEqual(['connection.deleted', 'connection.created'])
    expect(log[0]!.attempts).toMatchObject([{ attempt: 1, statusCode: 200, responseBody: 'thanks' }])

    // The secret is shown once: never in list or get.
    const listed = await (await env.call('GET', '/v1/webhook-endpoints')).text()
    const got = await (await env.call('GET', `/v1/webhook-endpoints/${ep.id}`)).text()
    for (const text of [listed, got, JSON.stringify(log)]) {
      expect(text).not.toContain(ep.secret)
      expect(text).not.toContain('secret')
    }
  })

  it('respects event filters and disabled endpoints, and reports needs_reauth once', async () => {
    const env = await environment()
    await endpoint(env.call, '/deleted-only', ['connection.deleted'])
    await endpoint(env.call, '/reauth', ['connection.needs_reauth'])
    const off = await endpoint(env.call, '/off')
    expect((await env.call('PATCH', `/v1/webhook-endpoints/${off.id}`, { enabled: false })).status).toBe(200)
    const id = await env.connect()
    await setStatus(t.ctx, id, 'needs_reauth', 'test')
    await setStatus(t.ctx, id, 'needs_reauth', 'again') // already needs_reauth: no second event
    await env.call('DELETE', `/v1/connections/${id}`)
    await until(() => receiver.on('/deleted-only').length === 1 && receiver.on('/reauth').length === 1)
    await sleep(300)
    expect(receiver.on('/deleted-only').map((r) => JSON.parse(r.body).type)).toEqual(['connection.deleted'])
    expect(receiver.on('/reauth').map((r) => JSON.parse(r.body))).toMatchObject([{ type: 'connection.needs_reauth', data: { id, status: 'needs_reauth', statusReason: 'test' } }])
    expect(receiver.on('/off')).toHaveLength(0)
    expect((await env.call('POST', '/v1/webhook-endpoints', { url: receiver.base, events: ['nope'] })).status).toBe(400)
  })

  it('retries 503 with backoff, then succeeds; logs both attempts under one webhook-id', async () => {
    const env = await environment()
    receiver.script('/flaky', [503])
    await endpoint(env.call, '/flaky')
    await env.connect()
    const [d] = await until(async () => {
      const list = await deliveries(env.call, '?status=succeeded')
      return list.length === 1 && list
    })
    expect(d!.attemptCount).toBe(2)
    expect(d!.attempts.map((a) => a.statusCode)).toEqual([503, 200])
    expect(d!.attempts[0]!.responseBody!.length).toBeLessThanOrEqual(1024)
    const hits = receiver.on('/flaky')
    expect(hits).toHaveLength(2)
    expect(hits[0]!.headers['webhook-id']).toBe(hits[1]!.headers['webhook-id'])
  })

  it('fails at once on 410 and 400, and redelivers on request', async () => {
    const env = await environment()
    receiver.script('/gone', [410])
    receiver.script('/bad', [400])
    const gone = await endpoint(env.call, '/gone')
    await endpoint(env.call, '/bad')
    await env.connect()
    const failed = await until(async () => {
      const list = await deliveries(env.call, '?status=failed')
      return list.length === 2 && list
    })
    await sleep(400) // longer than the test retry delays: nothing else comes
    expect(receiver.on('/gone')).toHaveLength(1)
    expect(receiver.on('/bad')).toHaveLength(1)
    expect(failed.map((d) => d.attemptCount)).toEqual([1, 1])

    const goneDelivery = (await deliveries(env.call, `?endpointId=${gone.id}`))[0]!
    const r = await env.call('POST', `/v1/webhook-deliveries/${goneDelivery.id}/redeliver`)
    expect(r.status).toBe(202)
    const again = await until(async () => {
      const [d] = await deliveries(env.call, `?endpointId=${gone.id}`)
      return d?.status === 'succeeded' && d
    })
    expect(again.attempts.map((a) => a.statusCode)).toEqual([410, 200])
    expect(receiver.on('/gone')[1]!.headers['webhook-id']).toBe(goneDelivery.eventId)
    expect((await env.call('POST', '/v1/webhook-deliveries/whd_nope/redeliver')).status).toBe(404)
  })

  it('delivers an event whose job was never queued, through the sweep (durable outbox)', async () => {
    const env = await environment()
    await endpoint(env.call, '/sweep')
    // As after a crash between the commit and the send: the outbox row exists, no job does.
    await inTransaction(t.ctx.db, (tx) => recordEvent(tx, { environmentId: env.tenant.environmentId, type: 'connection.created', payload: { id: 'conn_lost' } }))
    await sleep(300)
    expect(receiver.on('/sweep')).toHaveLength(0)
    expect(await sweepWebhookDeliveries(t.ctx, { graceSeconds: 0 })).toBeGreaterThanOrEqual(1)
    const [hit] = await until(() => receiver.on('/sweep').length === 1 && receiver.on('/sweep'))
    expect(JSON.parse(hit!.body)).toMatchObject({ type: 'connection.created', data: { id: 'conn_lost' } })
  })

  it('SDK verifyWebhook accepts a real delivery and rejects a tampered body or an old timestamp', async () => {
    const env = await environment()
    const ep = await endpoint(env.call, '/sdk')
    const id = await env.connect()
    const hit = await until(() => receiver.on('/sdk')[0])
    const event = await verifyWebhook(hit.body, hit.headers, ep.secret)
    expect(event.type).toBe('connection.created')
    if (event.type === 'connection.created') expect(event.data.id).toBe(id)
    expect(await verifyWebhook(hit.body, new Headers(hit.headers as Record<string, string>), ep.secret)).toEqual(event)

    const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof PatchbayError ? e.code : String(e)))
    expect(await code(verifyWebhook(hit.body.replace('"active"', '"revoked"'), hit.headers, ep.secret))).toBe('webhook_invalid')
    expect(await code(verifyWebhook(hit.body, hit.headers, `whsec_${Buffer.alloc(24, 1).toString('base64')}`))).toBe('webhook_invalid')
    expect(await code(verifyWebhook(hit.body, hit.headers, ep.secret, { now: new Date(Date.now() + 10 * 60_000) }))).toBe('webhook_invalid')
    // Correctly signed, but 10 minutes old: a replay.
    const old = new Date(Date.now() - 10 * 60_000)
    const msgId = hit.headers['webhook-id'] as string
    const headers = { 'webhook-id': msgId, 'webhook-timestamp': String(Math.floor(old.getTime() / 1000)), 'webhook-signature': new Webhook(ep.secret).sign(msgId, old, hit.body) }
    expect(await code(verifyWebhook(hit.body, headers, ep.secret))).toBe('webhook_invalid')
    expect(await code(verifyWebhook(hit.body, headers, ep.secret, { now: old }))).toBe('ok')

    // Rotation: the new secret signs later attempts; the old one no longer verifies them.
    const rotated = (await (await env.call('POST', `/v1/webhook-endpoints/${ep.id}/rotate-secret`)).json()) as { secret: string }
    expect(rotated.secret).not.toBe(ep.secret)
    const [d] = await deliveries(env.call, `?endpointId=${ep.id}`)
    await env.call('POST', `/v1/webhook-deliveries/${d!.id}/redeliver`)
    const second = await until(() => receiver.on('/sdk')[1])
    expect(await code(verifyWebhook(second.body, second.headers, rotated.secret))).toBe('ok')
    expect(await code(verifyWebhook(second.body, second.headers, ep.secret))).toBe('webhook_invalid')
  })
})

describe.each(testDatabases())('webhooks through a receiver outage on $name', (target) => {
  it('delivers every event once the receiver is back: each webhook-id once after deduplication, all verified', async () => {
    const t = await createTestApp(target, { ...testConfig(), webhookRetryDelaysMs: [200, 400, 800, 1600, 3200, 6400, 12_800] })
    const port = await freePort()
    const got: { id: string; body: string; headers: IncomingHttpHeaders }[] = []
    let hits = 0
    const refused = new Set<string>()
    const listen = () => {
      const s = createServer((req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (c: Buffer) => chunks.push(c))
        req.on('end', () => {
          hits++
          // Recovering: the first request of each event is still refused, with 429 or 503.
          const id = String(req.headers['webhook-id'])
          if (!refused.has(id)) {
            refused.add(id)
            return void res.writeHead(refused.size % 2 ? 429 : 503, { 'retry-after': '0' }).end()
          }
          got.push({ id: String(req.headers['webhook-id']), body: Buffer.concat(chunks).toString('utf8'), headers: req.headers })
          res.writeHead(204).end()
        })
      })
      return new Promise<Server>((r) => s.listen(port, '127.0.0.1', () => r(s)))
    }
    try {
      const ep = (await (await t.call('POST', '/v1/webhook-endpoints', { body: { url: `http://127.0.0.1:${port}/hooks` } })).json()) as { secret: string }
      // The receiver is down (nothing listens): 40 events are recorded as real changes would record them.
      const ids: string[] = []
      const deliveries = await inTransaction(t.ctx.db, async (tx) => {
        const all = []
        for (let i = 0; i < 40; i++) {
          all.push(...(await recordEvent(tx, { environmentId: t.tenant.environmentId, type: 'sync.succeeded', payload: { n: i } })))
          ids.push(i.toString())
        }
        return all
      })
      for (const d of deliveries) await t.ctx.jobs.send('webhooks.deliver', { deliveryId: d.id }, { singletonKey: `${d.id}:0` })
      await sleep(700)
      expect(got).toHaveLength(0)
      const server = await listen()
      try {
        await until(async () => {
          const list = ((await (await t.call('GET', '/v1/webhook-deliveries?limit=200')).json()) as { data: { status: string }[] }).data
          if (list.some((d) => d.status === 'failed')) throw new Error(`a delivery failed: ${JSON.stringify(list.filter((d) => d.status === 'failed')[0])}`)
          return list.length === 40 && list.every((d) => d.status === 'succeeded')
        }, 60_000)
      } finally {
        await new Promise((r) => server.close(r))
      }
      const unique = new Map(got.map((g) => [g.id, g]))
      expect(unique.size).toBe(40)
      const ns = [...unique.values()].map((g) => (new Webhook(ep.secret).verify(g.body, g.headers as Record<string, string>) as { data: { n: number } }).data.n)
      expect(ns.sort((a, b) => a - b)).toEqual(ids.map(Number))
      const failedAttempts = ((await (await t.call('GET', '/v1/webhook-deliveries?limit=200')).json()) as { data: { attemptCount: number }[] }).data.reduce((n, d) => n + d.attemptCount, 0)
      expect(failedAttempts).toBeGreaterThanOrEqual(120) // refused while down, refused once more while recovering, then delivered
      expect(hits).toBeGreaterThanOrEqual(80) // at least once refused and once delivered each; duplicates are what webhook-id deduplication is for
    } finally {
      await t.close()
    }
  }, 90_000)
})
