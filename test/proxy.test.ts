/** The proxy: credential injection, base URL confinement, retries with Retry-After, 401 refresh, pass-through. */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoProvider, type DemoProvider } from '../server/src/demo/provider/index'
import { createTestApp, testConfig, testDatabases, type TestApp } from '../server/src/testing'
import { targetUrl } from '../server/src/services/proxy'
import { isPrivateAddress, parseRetryAfter } from '../server/src/lib/upstream'

describe('targetUrl', () => {
  const base = new URL('https://api.example.com/v2')
  it('keeps the path under the base URL', () => {
    expect(targetUrl(base, '/users/1', '?a=1').toString()).toBe('https://api.example.com/v2/users/1?a=1')
  })
  it.each(['/../admin', '/%2e%2e/admin', '/a/../../x', '//evil.example/x', '/a\\..\\b', '/%2E%2E%2Fadmin', '/./x'])('refuses %s', (p) => {
    expect(() => targetUrl(base, p, '')).toThrow(/stay under/)
  })
})

describe('upstream helpers', () => {
  it('classifies private addresses', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '169.254.169.254', '192.168.0.1', '172.16.5.4', '::1', 'fe80::1', '::ffff:127.0.0.1', '0.0.0.0', '100.64.0.1']) expect(isPrivateAddress(a)).toBe(true)
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700::1111']) expect(isPrivateAddress(a)).toBe(false)
  })
  it('parses Retry-After seconds and dates', () => {
    expect(parseRetryAfter('3')).toBe(3000)
    expect(parseRetryAfter(new Date(Date.now() + 2000).toUTCString(), Date.now())).toBeGreaterThan(500)
    expect(parseRetryAfter('soon')).toBeUndefined()
  })
})

describe.each(testDatabases())('proxy on $name', (target) => {
  let t: TestApp
  let provider: DemoProvider
  let connectionId: string

  const session = async () => ((await (await t.call('POST', '/v1/connect-sessions', { body: { endUser: { id: 'u1' } } })).json()) as { token: string }).token
  const proxy = (path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) =>
    t.call(init.method ?? 'GET', `/v1/proxy/${connectionId}${path}`, { body: init.body, headers: init.headers })

  beforeAll(async () => {
    t = await createTestApp(target, testConfig())
    provider = await startDemoProvider({ clients: [], apiKeys: ['demo-key-1'] })
    await t.call('POST', '/v1/integrations', { body: { key: 'crm-key', connectorId: 'demo-crm-api-key', syncSettings: { autoStart: false }, overrides: { baseUrl: provider.apiBaseUrl } } })
    const token = await session()
    const r = await t.call('POST', '/v1/embed/connections', { token, body: { integration: 'crm-key', credentials: { apiKey: 'demo-key-1' } } })
    expect(r.status).toBe(201)
    connectionId = ((await r.json()) as { id: string }).id
  })
  afterAll(async () => {
    await provider?.close()
    await t?.close()
  })

  it('injects the credentials and never forwards the Patchbay key or cookies', async () => {
    const r = await proxy('/echo/hello?x=1&y=%20z', { headers: { 'x-custom': 'kept', cookie: 'a=b', 'x-patchbay-internal': '1' } })
    expect(r.status).toBe(200)
    const echo = (await r.json()) as { method: string; path: string; query: Record<string, string>; headers: Record<string, string> }
    expect(echo.method).toBe('GET')
    expect(echo.path).toBe('/api/v1/echo/hello')
    expect(echo.query).toMatchObject({ x: '1', y: ' z' })
    expect(echo.headers['x-api-key']).toBe('demo-key-1')
    expect(echo.headers['x-custom']).toBe('kept')
    expect(echo.headers.authorization).toBeUndefined()
    expect(echo.headers.cookie).toBeUndefined()
    expect(echo.headers['x-patchbay-internal']).toBeUndefined()
    expect(JSON.stringify(echo)).not.toContain(t.tenant.secretKey)
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('costs no database round trip per request when nothing changed', async () => {
    expect((await proxy('/me')).status).toBe(200) // warm the caches
    const db = t.ctx.db as unknown as Record<string, (...args: unknown[]) => unknown>
    const calls: string[] = []
    const originals = new Map<string, (...args: unknown[]) => unknown>()
    for (const m of ['select', 'insert', 'update', 'delete', 'execute']) {
      originals.set(m, db[m]!)
      db[m] = (...args: unknown[]) => (calls.push(m), originals.get(m)!.apply(t.ctx.db, args))
    }
    try {
      for (let i = 0; i < 20; i++) expect((await proxy('/me')).status).toBe(200)
    } finally {
      for (const [m, f] of originals) db[m] = f
    }
    expect(calls).toEqual([])
  })

  it('forwards bodies and methods and returns the provider status, headers and body unchanged', async () => {
    const created = await proxy('/contacts', { method: 'POST', body: JSON.stringify({ email: 'new@example.com', first_name: 'New' }), headers: { 'content-type': 'application/json' } })
    expect(created.status).toBe(201)
    const contact = (await created.json()) as { id: string; email: string }
    expect(contact.email).toBe('new@example.com')
    const invalid = await proxy('/contacts', { method: 'POST', body: JSON.stringify({ first_name: 'No email' }), headers: { 'content-type': 'application/json' } })
    expect(invalid.status).toBe(422)
    expect(invalid.headers.get('content-type')).toMatch(/application\/json/)
    expect(invalid.headers.get('content-type')).not.toMatch(/problem/)
    const missing = await proxy('/contacts/ct_nope')
    expect(missing.status).toBe(404)
    const del = await proxy(`/contacts/${contact.id}`, { method: 'DELETE' })
    expect(del.status).toBeLessThan(300)
    expect(provider.stats.apiRequests).toBeGreaterThan(0)
    const page = await proxy('/contacts?limit=3')
    expect(page.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/)
  })

  it('retries idempotent requests on 503 and 429, honouring Retry-After', async () => {
    provider.failNext(1, 503)
    provider.failNext(1, 429, { 'retry-after': '1' })
    const started = Date.now()
    const r = await proxy('/me')
    expect(r.status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
  })

  it('returns the last failure after the attempts are used, and does not retry a POST on 503', async () => {
    provider.failNext(3, 503)
    const r = await proxy('/me')
    expect(r.status).toBe(503)
    expect(await r.json()).toMatchObject({ error: 'injected_failure' })
    provider.failNext(1, 503)
    const before = provider.stats.apiRequests
    const post = await proxy('/contacts', { method: 'POST', body: JSON.stringify({ email: 'x@example.com' }), headers: { 'content-type': 'application/json' } })
    expect(post.status).toBe(503)
    expect(provider.stats.apiRequests - before).toBe(1)
  })

  it('does not wait for a Retry-After longer than the connector allows', async () => {
    provider.failNext(1, 429, { 'retry-after': '3600' })
    const started = Date.now()
    const r = await proxy('/me')
    expect(r.status).toBe(429)
    expect(r.headers.get('retry-after')).toBe('3600')
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('gives problem+json for its own failures: unknown connection, path escape', async () => {
    const unknown = await t.call('GET', '/v1/proxy/conn_doesnotexist/me')
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('content-type')).toMatch(/problem\+json/)
    // (`/%2e%2e/` is already a dot segment for the URL parser and never leaves /v1/proxy; an encoded slash is not.)
    const escape = await proxy('/contacts/..%2F..%2F..%2Foauth%2Ftoken')
    expect(escape.status).toBe(400)
    expect(await escape.json()).toMatchObject({ code: 'upstream_host_not_allowed' })
  })

  it('refuses upstreams that resolve to private addresses unless the base URL names one', async () => {
    const upstream = http.createServer((_, res) => res.end('{}')).listen(0, '127.0.0.1')
    await new Promise((r) => upstream.once('listening', r))
    const port = (upstream.address() as AddressInfo).port
    try {
      // `localhost` is a name that resolves to loopback, not a literal address: refused (SSRF / DNS rebinding guard).
      const lookupFails = await t.ctx.upstream.send({ method: 'GET', url: new URL(`http://localhost:${port}/`), headers: {} }).then(
        () => 'sent',
        (e: { code?: string }) => e.code,
      )
      expect(lookupFails).toBe('upstream_host_not_allowed')
      const literal = await t.ctx.upstream.send({ method: 'GET', url: new URL(`http://127.0.0.1:${port}/`), headers: {} }).then(
        () => 'sent',
        (e: { code?: string }) => e.code,
      )
      expect(literal).toBe('upstream_host_not_allowed')
      const allowed = await t.ctx.upstream.send({ method: 'GET', url: new URL(`http://127.0.0.1:${port}/`), headers: {}, allowPrivate: true })
      expect(allowed.statusCode).toBe(200)
      allowed.resume()
    } finally {
      upstream.close()
    }
  })

  it('refuses a connection that needs re-authorization', async () => {
    const token = await session()
    const r = await t.call('POST', '/v1/embed/connections', { token, body: { integration: 'crm-key', credentials: { apiKey: 'demo-key-1' } } })
    const id = ((await r.json()) as { id: string }).id
    await t.ctx.db.execute(`update connections set status = 'needs_reauth' where id = '${id}'` as never)
    await t.ctx.credentials.changed(id)
    const res = await t.call('GET', `/v1/proxy/${id}/me`)
    expect(res.status).toBe(409)
    expect(await res.json()).toMatchObject({ code: 'reauth_required' })
  })
})
