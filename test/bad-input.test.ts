/**
 * Bad input on every route gives a 4xx `application/problem+json`, never a 500, and changes
 * nothing. The routes come from the app's own OpenAPI document (so a new route is covered
 * without touching this file), plus the routes it does not describe: `/oauth/start`,
 * `/oauth/callback` and the proxy with every method.
 *
 * Each case is collected rather than thrown, so one run lists every failing input.
 */
import { createHmac } from 'node:crypto'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoProvider, type DemoProvider } from '../server/src/demo/provider/index'
import { findIntegrationByKey } from '../server/src/db/queries/integrations'
import { ERROR_CODES } from '../server/src/lib/errors'
import { REDACT_PATHS } from '../server/src/lib/logger'
import { MAX_PROXY_BODY_BYTES } from '../server/src/services/proxy'
import { createTestApp, testDatabases, type TestApp } from '../server/src/testing'

/** Distinctive secret values, so a leak is found by a plain substring search. */
const API_KEY = 'demo-api-key-7f3c9e21b8d64a05'
const CLIENT_SECRET = 'client-secret-4b1d8e0f6a2c9753'
const OTHER_CLIENT_SECRET = 'client-secret-new-e6a0c1f9b274d38'
const PROVIDER_WEBHOOK_SECRET = 'slack-signing-secret-3e9b70c2d1'

type JsonSchema = {
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  additionalProperties?: JsonSchema | boolean
  items?: JsonSchema
  required?: string[]
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  maxItems?: number
  pattern?: string
  format?: string
  enum?: unknown[]
  $ref?: string
}
type Param = { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema: JsonSchema }
type Auth = 'secret' | 'session' | 'none'
interface Operation {
  method: string
  /** OpenAPI path template, e.g. `/v1/integrations/{key}`. */
  path: string
  params: Param[]
  body?: JsonSchema | undefined
  auth: Auth
}
/** What a case expects beyond "4xx problem+json": an exact status and code, and a zod failure naming `field`. */
interface Expect {
  status?: number | number[]
  code?: string
  /** The problem carries `errors: [{ path, message }]` and one of them names this field. */
  field?: string
}

const ERROR_CODE_NAMES = new Set(Object.keys(ERROR_CODES))
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** A custom connector that exists before the bad inputs (its `id` is in the body, so a PUT to another id is refused). */
const CUSTOM_CONNECTOR = {
  id: 'bad-input-api',
  name: 'Bad input API',
  description: 'A custom connector for the bad-input suite.',
  categories: ['other'],
  docsUrl: 'https://api.example/docs',
  auth: { type: 'api_key', inject: { headers: { 'X-Api-Key': '{apiKey}' } }, verify: { path: '/me' } },
  http: { baseUrl: 'https://api.example/v1', pagination: { type: 'cursor', cursorParam: 'cursor', cursorPath: 'next', itemsPath: 'data' } },
  objects: { item: { path: '/items', fields: { id: { type: 'string', key: true } } } },
  syncs: { items: { object: 'item', mode: 'full' } },
}

describe.each(testDatabases())('bad input on $name', (target) => {
  let t: TestApp
  let provider: DemoProvider
  let sessionToken: string
  let connectionId: string
  let webhookEndpointId: string
  let webhookDeliveryId: string
  let syncRunId: string
  let actionRunId: string
  /** A Slack integration with a webhook signing secret: the target of the provider webhook routes. */
  let slackIntegrationId: string
  let operations: Operation[]
  let before: Record<string, unknown>
  let statsBefore: string
  const bodies: string[] = []
  const logs: string[] = []
  const served5xx: string[] = []

  /** Sends exactly these headers and body (no defaults), and keeps the response text for the leak scan. */
  async function send(method: string, path: string, init: { token?: string | undefined; headers?: Record<string, string>; body?: string | Uint8Array | undefined } = {}) {
    const headers: Record<string, string> = { ...init.headers }
    if (init.token) headers.authorization = `Bearer ${init.token}`
    const res = await t.app.request(path, { method, headers, body: init.body as BodyInit | undefined })
    const text = method === 'HEAD' ? '' : await res.text()
    bodies.push(text)
    if (res.status >= 500) served5xx.push(`${method} ${path.slice(0, 120)} → ${res.status}`)
    return { res, text }
  }

  const tokenFor = (auth: Auth) => (auth === 'session' ? sessionToken : auth === 'secret' ? t.tenant.secretKey : undefined)

  /**
   * Checks one response against the problem+json contract; returns what is wrong (empty when fine).
   * A 5xx, a 2xx/3xx, a missing member or an unknown code each make the case fail.
   */
  function problemFailures(label: string, r: { res: Response; text: string }, exp: Expect = {}): string[] {
    const out: string[] = []
    const { res, text } = r
    const where = `${label} → ${res.status} ${text.slice(0, 240)}`
    if (res.status < 400 || res.status > 499) return [`${where}: status is not 4xx`]
    const statuses = exp.status === undefined ? undefined : Array.isArray(exp.status) ? exp.status : [exp.status]
    if (statuses && !statuses.includes(res.status)) out.push(`${where}: expected status ${statuses.join(' or ')}`)
    if (!(res.headers.get('content-type') ?? '').startsWith('application/problem+json')) out.push(`${where}: content-type ${res.headers.get('content-type')}`)
    let p: Record<string, unknown>
    try {
      p = JSON.parse(text) as Record<string, unknown>
    } catch {
      return [...out, `${where}: body is not JSON`]
    }
    for (const k of ['type', 'title', 'detail', 'code', 'requestId']) if (typeof p[k] !== 'string' || !(p[k] as string).length) out.push(`${where}: member ${k} missing or empty`)
    if (p.status !== res.status) out.push(`${where}: body status ${String(p.status)} differs from HTTP status`)
    if (!ERROR_CODE_NAMES.has(p.code as string)) out.push(`${where}: code ${String(p.code)} is not in ERROR_CODES`)
    if (p.type !== `urn:patchbay:error:${String(p.code)}`) out.push(`${where}: type ${String(p.type)} does not match the code`)
    if (p.requestId !== res.headers.get('x-request-id')) out.push(`${where}: requestId differs from the x-request-id header`)
    if (exp.code && p.code !== exp.code) out.push(`${where}: expected code ${exp.code}`)
    if (/\n\s+at |node_modules|\.ts:\d+/.test(text)) out.push(`${where}: body shows a stack trace or source path`)
    if (p.errors !== undefined) {
      const ok = Array.isArray(p.errors) && p.errors.length > 0 && p.errors.every((e) => e && typeof e === 'object' && typeof (e as { path: unknown }).path === 'string' && typeof (e as { message: unknown }).message === 'string')
      if (!ok) out.push(`${where}: errors is not a non-empty [{ path, message }]`)
    }
    if (exp.field !== undefined) {
      const f = exp.field
      const errors = Array.isArray(p.errors) ? (p.errors as { path: string; message: string }[]) : []
      const last = f.split('.').pop()!
      if (p.code !== 'invalid_request') out.push(`${where}: expected code invalid_request for field ${f}`)
      if (!errors.some((e) => e.path === f || e.path.startsWith(`${f}.`) || ((e.path === '' || f.startsWith(`${e.path}.`)) && e.message.includes(last))))
        out.push(`${where}: no errors[] entry names ${f}`)
    }
    return out
  }

  // ---------- inputs derived from the OpenAPI document ----------

  const resolve = (doc: { components?: { schemas?: Record<string, JsonSchema> } }, s: JsonSchema | undefined): JsonSchema | undefined =>
    s?.$ref ? resolve(doc, doc.components?.schemas?.[s.$ref.replace('#/components/schemas/', '')]) : s

  function readOperations(doc: { paths: Record<string, Record<string, { parameters?: Param[]; requestBody?: { content?: Record<string, { schema: JsonSchema }> }; security?: Record<string, unknown>[] }>>; components?: { schemas?: Record<string, JsonSchema> } }): Operation[] {
    const ops: Operation[] = []
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const security = (op.security ?? []).flatMap((s) => Object.keys(s))
        const auth: Auth = security.includes('connectSession') ? 'session' : security.includes('secretKey') ? 'secret' : 'none'
        const base = { path, params: (op.parameters ?? []).map((p) => ({ ...p, schema: resolve(doc, p.schema)! })), body: resolve(doc, op.requestBody?.content?.['application/json']?.schema), auth }
        // The proxy takes any method; the document can only list one.
        const methods = path.startsWith('/v1/proxy/') ? ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] : [method.toUpperCase()]
        for (const m of methods) ops.push({ ...base, method: m })
      }
    }
    return ops
  }

  /** A real value for a path parameter, so only the input under test is wrong. */
  function validParam(op: Operation, name: string): string {
    if (name === 'key') return 'crm'
    if (name === 'path') return 'me'
    if (name === 'connectionId' || (name === 'id' && op.path.includes('/connections/'))) return connectionId
    if (name === 'id' && op.path.includes('/end-users/')) return 'user-1'
    if (name === 'id' && op.path.includes('/webhook-endpoints/')) return webhookEndpointId
    if (name === 'id' && op.path.includes('/webhook-deliveries/')) return webhookDeliveryId
    if (name === 'sync') return 'contacts'
    if (name === 'id' && op.path.includes('/sync-runs/')) return syncRunId
    if (name === 'id' && op.path.includes('/action-runs/')) return actionRunId
    if (name === 'name' && op.path.startsWith('/v1/models/')) return 'Contact'
    if (name === 'id' && op.path.startsWith('/v1/connectors/custom/')) return CUSTOM_CONNECTOR.id
    if (name === 'object') return 'contact'
    if (name === 'integrationId') return slackIntegrationId
    return 'unknown-route-param'
  }

  function fill(op: Operation, override: Record<string, string> = {}): string {
    return op.path.replace(/\{([^}]+)\}/g, (_, name: string) => override[name] ?? encodeURIComponent(validParam(op, name)))
  }

  /** A valid body with every field set, from which each bad body differs in one place. */
  function validBody(op: Operation): Record<string, unknown> {
    const known: Record<string, Record<string, unknown>> = {
      'POST /v1/connect-sessions': { endUser: { id: 'user-new', email: 'new@example.com', displayName: 'New' }, allowedIntegrations: ['crm-key'], allowedOrigins: ['https://app.example'], ttlSeconds: 600 },
      'POST /v1/integrations': {
        key: 'new-int',
        connectorId: 'demo-crm',
        displayName: 'New',
        clientId: 'pb-new',
        clientSecret: OTHER_CLIENT_SECRET,
        scopes: ['contacts.read'],
        overrides: { baseUrl: 'https://crm.example/api', authorizationUrl: 'https://crm.example/authorize', tokenUrl: 'https://crm.example/token', revocationUrl: 'https://crm.example/revoke' },
        enabled: true,
      },
      'PATCH /v1/integrations/{key}': {
        displayName: 'Changed',
        clientId: 'pb-changed',
        clientSecret: OTHER_CLIENT_SECRET,
        scopes: ['contacts.read'],
        overrides: { baseUrl: 'https://crm.example/api', authorizationUrl: 'https://crm.example/authorize', tokenUrl: 'https://crm.example/token', revocationUrl: 'https://crm.example/revoke' },
        enabled: false,
      },
      // A reconnect of the existing connection: if a bad input got through, the connection would change.
      'POST /v1/embed/connections': { integration: 'crm-key', credentials: { apiKey: API_KEY }, connectionConfig: {}, connectionId },
      'POST /v1/embed/oauth/authorizations': { integration: 'crm', connectionConfig: {} },
      'POST /v1/webhook-endpoints': { url: 'https://hooks.example/new', events: ['connection.created'], description: 'New', enabled: true },
      'PATCH /v1/connections/{id}/syncs/{sync}': { frequency: '2h' },
      'PUT /v1/integrations/{key}/mappings/{object}': { model: 'Contact', fields: { email: { source: 'field', path: 'email', transforms: [{ type: 'trim' }] } } },
      'PUT /v1/connections/{id}/mappings/{object}': { model: 'Contact', fields: { email: { source: 'field', path: 'email', transforms: [{ type: 'trim' }] } } },
      'POST /v1/connections/{id}/mappings/{object}/preview': { model: 'Contact', fields: { email: { source: 'field', path: 'email', transforms: [{ type: 'trim' }] } } },
      'PUT /v1/models/{name}': { description: 'Contact', fields: { email: { type: 'string', required: true, description: 'Email' }, stage: { type: 'enum', enumValues: ['lead', 'customer'] } } },
      'PATCH /v1/embed/connections/{id}/syncs/{sync}': { frequency: '2h' },
      'POST /v1/connections/{id}/syncs/{sync}/trigger': { fullResync: true },
      'PATCH /v1/webhook-endpoints/{id}': { url: 'https://hooks.example/changed', events: ['connection.deleted'], description: 'Changed', enabled: false },
      'PUT /v1/connectors/custom/{id}': CUSTOM_CONNECTOR,
      // The connection's connector takes no connection secret, so even this valid body is refused (409) and changes nothing.
      'PUT /v1/connections/{id}/webhook-secret': { secret: PROVIDER_WEBHOOK_SECRET },
    }
    return structuredClone(known[`${op.method} ${op.path}`] ?? synthesize(op.body!)) as Record<string, unknown>
  }

  /** A minimal value of a schema, for operations this file does not know yet. */
  function synthesize(s: JsonSchema): unknown {
    const type = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type
    if (s.enum) return s.enum[0]
    if (type === 'object') return Object.fromEntries((s.required ?? []).map((k) => [k, synthesize(s.properties?.[k] ?? {})]))
    if (type === 'array') return []
    if (type === 'integer' || type === 'number') return s.minimum ?? 1
    if (type === 'boolean') return true
    return 'x'.repeat(Math.max(1, s.minLength ?? 1))
  }

  const typesOf = (s: JsonSchema): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : [])
  const jsonType = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v)
  const accepts = (types: string[], v: unknown) => types.includes(jsonType(v)) || (jsonType(v) === 'integer' && types.includes('number'))

  /** Each field of a body schema (one level into nested objects) with its schema. */
  function fields(s: JsonSchema, prefix = ''): { path: string; schema: JsonSchema }[] {
    const out: { path: string; schema: JsonSchema }[] = []
    for (const [k, sub] of Object.entries(s.properties ?? {})) {
      out.push({ path: prefix + k, schema: sub })
      if (!prefix && sub.properties) out.push(...fields(sub, `${k}.`))
    }
    return out
  }

  function setAt(obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
    const copy = structuredClone(obj)
    const parts = path.split('.')
    let cur = copy
    for (const p of parts.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>
    cur[parts[parts.length - 1]!] = value
    return copy
  }

  /** One-field mutations that the schema must refuse, each with a label. */
  function badValues(s: JsonSchema): { label: string; value: unknown }[] {
    const types = typesOf(s)
    const out: { label: string; value: unknown }[] = []
    if (types.length) for (const v of [12345, 'str', true, {}, [], null]) if (!accepts(types, v)) out.push({ label: `wrong type ${jsonType(v)}`, value: v })
    if (types.includes('string')) {
      if (s.maxLength !== undefined) {
        out.push({ label: `string of maxLength+1 (${s.maxLength + 1})`, value: 'x'.repeat(s.maxLength + 1) })
        out.push({ label: 'string of 256 KiB', value: 'x'.repeat(256 * 1024) })
      }
      if (s.minLength) out.push({ label: 'empty string', value: '' })
      if (s.pattern) out.push({ label: 'string against the pattern', value: '-not a key!' })
      if (s.format === 'email') out.push({ label: 'not an email', value: 'not-an-email' })
      if (s.format === 'uri') out.push({ label: 'not a URL', value: 'not a url' })
      if (s.enum) out.push({ label: 'not in enum', value: 'not-a-member' })
    }
    if (types.includes('integer') || types.includes('number')) {
      if (s.minimum !== undefined) out.push({ label: 'below minimum', value: s.minimum - 1 })
      if (s.maximum !== undefined) out.push({ label: 'above maximum', value: s.maximum + 1 })
      if (types.includes('integer')) out.push({ label: 'fraction', value: 1.5 }, { label: 'numeric string', value: '60' })
    }
    if (types.includes('array')) {
      if (s.items && typesOf(s.items).length) for (const v of [12345, {}]) if (!accepts(typesOf(s.items), v)) out.push({ label: `item of wrong type ${jsonType(v)}`, value: [v] })
      if (s.maxItems !== undefined) out.push({ label: `maxItems+1 (${s.maxItems + 1})`, value: Array.from({ length: s.maxItems + 1 }, () => synthesize(s.items ?? {})) })
    }
    if (types.includes('object') && typeof s.additionalProperties === 'object') {
      const v = s.additionalProperties
      for (const w of [12345, {}]) if (typesOf(v).length && !accepts(typesOf(v), w)) out.push({ label: `map value of wrong type ${jsonType(w)}`, value: { someKey: w } })
      if (v.maxLength !== undefined) out.push({ label: 'map value over maxLength', value: { someKey: 'x'.repeat(v.maxLength + 1) } })
      out.push({ label: 'map key over 100 chars', value: { ['k'.repeat(101)]: 'v' } })
    }
    return out
  }

  /** Mutations the schema allows but the service must refuse, per operation. */
  function semanticCases(op: Operation, base: Record<string, unknown>): { label: string; body: unknown; exp: Expect }[] {
    switch (`${op.method} ${op.path}`) {
      case 'POST /v1/integrations':
        return [
          { label: 'unknown connector', body: { ...base, connectorId: 'no-such-connector' }, exp: { status: 400, field: 'connectorId' } },
          { label: 'existing key', body: { ...base, key: 'crm' }, exp: { status: 409, code: 'conflict' } },
          { label: 'OAuth connector without client id', body: { key: 'no-client', connectorId: 'demo-crm' }, exp: { status: 400, field: 'clientId' } },
          { label: 'override with a non-http URL', body: setAt(base, 'overrides.baseUrl', 'ftp://crm.example/api'), exp: { status: 400, field: 'overrides.baseUrl' } },
          { label: 'override with an undeclared placeholder', body: setAt(base, 'overrides.baseUrl', 'https://crm.example/{tenant}/api'), exp: { status: 400, field: 'overrides.baseUrl' } },
          // Full resyncs: longer than the sync's frequency (demo-crm `companies` runs every 1h), at most 30d.
          { label: 'fullResyncFrequency not longer than the frequency', body: { ...base, syncSettings: { syncs: { companies: { frequency: '2h', fullResyncFrequency: '2h' } } } }, exp: { status: 400, field: 'syncSettings.syncs.companies.fullResyncFrequency' } },
          { label: 'fullResyncFrequency over 30d', body: { ...base, syncSettings: { syncs: { companies: { fullResyncFrequency: '31d' } } } }, exp: { status: 400, field: 'syncSettings.syncs.companies.fullResyncFrequency' } },
          { label: 'fullResyncFrequency malformed', body: { ...base, syncSettings: { syncs: { companies: { fullResyncFrequency: 'weekly' } } } }, exp: { status: 400, field: 'syncSettings.syncs.companies.fullResyncFrequency' } },
        ]
      case 'PATCH /v1/integrations/{key}':
        return [
          { label: 'clearing the client id of an OAuth integration', body: { clientId: null }, exp: { status: 400, field: 'clientId' } },
          { label: 'fullResyncFrequency shorter than the connector frequency', body: { syncSettings: { syncs: { companies: { fullResyncFrequency: '30m' } } } }, exp: { status: 400, field: 'syncSettings.syncs.companies.fullResyncFrequency' } },
          { label: 'override with a javascript: URL', body: { overrides: { baseUrl: 'javascript:alert(1)' } }, exp: { status: 400, field: 'overrides.baseUrl' } },
        ]
      case 'POST /v1/connect-sessions':
        return [{ label: 'unknown allowed integration', body: { ...base, allowedIntegrations: ['no-such-integration'] }, exp: { status: 400, field: 'allowedIntegrations' } }]
      case 'POST /v1/embed/connections':
        return [
          { label: 'unknown integration', body: { ...base, integration: 'no-such-integration' }, exp: { status: 404, code: 'not_found' } },
          { label: 'OAuth integration through the credentials form', body: { ...base, integration: 'crm' }, exp: { status: 400, code: 'invalid_request' } },
          { label: 'missing credential', body: { ...base, credentials: {} }, exp: { status: 400, field: 'credentials.apiKey' } },
          { label: 'unknown credential field', body: { ...base, credentials: { apiKey: API_KEY, extra: 'x' } }, exp: { status: 400, field: 'credentials.extra' } },
          { label: 'unknown connection config field', body: { ...base, connectionConfig: { subdomain: 'x' } }, exp: { status: 400, field: 'connectionConfig.subdomain' } },
          { label: 'unknown connection id', body: { ...base, connectionId: 'conn_doesnotexist' }, exp: { status: 404, code: 'not_found' } },
        ]
      case 'POST /v1/embed/oauth/authorizations':
        return [
          { label: 'unknown integration', body: { ...base, integration: 'no-such-integration' }, exp: { status: 404, code: 'not_found' } },
          { label: 'API-key integration', body: { ...base, integration: 'crm-key' }, exp: { status: 400, code: 'invalid_request' } },
          { label: 'unknown connection id', body: { ...base, connectionId: 'conn_doesnotexist' }, exp: { status: 404, code: 'not_found' } },
          { label: "another integration's connection", body: { ...base, connectionId }, exp: { status: 400, code: 'invalid_request' } },
          { label: 'unknown connection config field', body: { ...base, connectionConfig: { subdomain: 'x' } }, exp: { status: 400, field: 'connectionConfig.subdomain' } },
        ]
      default:
        return []
    }
  }

  /** Sends `body` as JSON to `op` with a valid token and path. */
  const sendJson = (op: Operation, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => send(op.method, fill(op), { token: tokenFor(op.auth), headers, body })

  // ---------- state the battery must not change ----------

  async function snapshot(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {}
    const reads: [string, string | undefined][] = [
      ['/v1/integrations', t.tenant.secretKey],
      ['/v1/integrations/crm', t.tenant.secretKey],
      ['/v1/integrations/crm-key', t.tenant.secretKey],
      ['/v1/connections', t.tenant.secretKey],
      [`/v1/connections/${connectionId}`, t.tenant.secretKey],
      [`/v1/connections/${connectionId}/syncs`, t.tenant.secretKey],
      [`/v1/records?connectionId=${connectionId}&model=contact&limit=1000`, t.tenant.secretKey],
      ['/v1/sync-runs', t.tenant.secretKey],
      ['/v1/models', t.tenant.secretKey],
      ['/v1/integrations/crm-key/mappings', t.tenant.secretKey],
      [`/v1/connections/${connectionId}/mappings/contact`, t.tenant.secretKey],
      ['/v1/end-users', t.tenant.secretKey],
      ['/v1/end-users/user-1', t.tenant.secretKey],
      ['/v1/integrations', t.tenant.productionSecretKey],
      ['/v1/connections', t.tenant.productionSecretKey],
      ['/v1/end-users', t.tenant.productionSecretKey],
      ['/v1/embed/session', sessionToken],
      ['/v1/embed/integrations', sessionToken],
      ['/v1/embed/connections', sessionToken],
    ]
    for (const [path, token] of reads) {
      const r = await t.app.request(path, { headers: { authorization: `Bearer ${token}` } })
      out[`${token === t.tenant.productionSecretKey ? 'prod ' : ''}${path}`] = { status: r.status, body: await r.json() }
    }
    return out
  }

  beforeAll(async () => {
    t = await createTestApp(target)
    // Capture the logs (with the server's redaction) to check that no secret reaches them.
    t.ctx.log = pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, { write: (line: string) => void logs.push(line) })
    provider = await startDemoProvider({ clients: [{ clientId: 'pb', clientSecret: CLIENT_SECRET, redirectUris: ['http://127.0.0.1:3999/oauth/callback'] }], apiKeys: [API_KEY] })
    const overrides = { authorizationUrl: provider.authorizationUrl, tokenUrl: provider.tokenUrl, revocationUrl: provider.revocationUrl, baseUrl: provider.apiBaseUrl }
    expect((await t.call('POST', '/v1/integrations', { body: { key: 'crm', connectorId: 'demo-crm', syncSettings: { autoStart: false }, clientId: 'pb', clientSecret: CLIENT_SECRET, overrides } })).status).toBe(201)
    expect((await t.call('POST', '/v1/integrations', { body: { key: 'crm-key', connectorId: 'demo-crm-api-key', syncSettings: { autoStart: false }, overrides: { baseUrl: provider.apiBaseUrl } } })).status).toBe(201)
    const s = await t.call('POST', '/v1/connect-sessions', { body: { endUser: { id: 'user-1', email: 'ada@example.com' } } })
    expect(s.status).toBe(201)
    sessionToken = ((await s.json()) as { token: string }).token
    // A webhook endpoint (nothing listens on port 9) so the connection below creates a delivery.
    const w = await t.call('POST', '/v1/webhook-endpoints', { body: { url: 'http://127.0.0.1:9/hook' } })
    expect(w.status).toBe(201)
    webhookEndpointId = ((await w.json()) as { id: string }).id
    const c = await t.call('POST', '/v1/embed/connections', { token: sessionToken, body: { integration: 'crm-key', credentials: { apiKey: API_KEY } } })
    expect(c.status).toBe(201)
    connectionId = ((await c.json()) as { id: string }).id
    webhookDeliveryId = ((await (await t.call('GET', '/v1/webhook-deliveries')).json()) as { data: { id: string }[] }).data[0]!.id
    actionRunId = ((await (await t.call('POST', '/v1/actions/create_contact', { body: { connectionId, input: { email: 'existing@example.com' } } })).json()) as { id: string }).id
    expect((await t.call('PUT', '/v1/models/Contact', { body: { fields: { email: { type: 'string', required: true } } } })).status).toBe(201)
    expect((await t.call('PUT', `/v1/connectors/custom/${CUSTOM_CONNECTOR.id}`, { body: CUSTOM_CONNECTOR })).status).toBe(201)
    const slack = await t.call('POST', '/v1/integrations', { body: { key: 'slack', connectorId: 'slack', clientId: 'slack-client', webhookSecret: PROVIDER_WEBHOOK_SECRET, syncSettings: { autoStart: false } } })
    expect(slack.status).toBe(201)
    slackIntegrationId = ((await slack.json()) as { providerWebhookUrl: string }).providerWebhookUrl.split('/').pop()!
    // One finished sync run, so the run routes have something to read (and records exist).
    const trig = await t.call('POST', `/v1/connections/${connectionId}/syncs/contacts/trigger`, { body: {} })
    expect(trig.status).toBe(202)
    syncRunId = ((await trig.json()) as { id: string }).id
    for (let i = 0; i < 200; i++) {
      const run = (await (await t.call('GET', `/v1/sync-runs/${syncRunId}`)).json()) as { status: string }
      if (run.status === 'succeeded') break
      await new Promise((r) => setTimeout(r, 25))
    }
    const doc = await t.app.request('/openapi.json')
    expect(doc.status).toBe(200)
    operations = readOperations(await doc.json())
    before = await snapshot()
    statsBefore = JSON.stringify(provider.stats)
  })
  afterAll(async () => {
    await provider?.close()
    await t?.close()
  })

  it('reads every operation from the OpenAPI document', () => {
    const names = new Set(operations.map((o) => `${o.method} ${o.path}`))
    // The routes that exist today; a new one adds itself, a lost one fails here.
    for (const known of [
      'POST /v1/connect-sessions',
      'GET /v1/connectors',
      'GET /v1/integrations',
      'POST /v1/integrations',
      'GET /v1/integrations/{key}',
      'PATCH /v1/integrations/{key}',
      'DELETE /v1/integrations/{key}',
      'GET /v1/end-users',
      'GET /v1/end-users/{id}',
      'DELETE /v1/end-users/{id}',
      'GET /v1/connections',
      'GET /v1/connections/{id}',
      'DELETE /v1/connections/{id}',
      'PUT /v1/connections/{id}/webhook-secret',
      'DELETE /v1/connections/{id}/webhook-secret',
      'POST /v1/integrations/{key}/webhook-secret/reveal',
      'GET /v1/embed/session',
      'GET /v1/embed/integrations',
      'GET /v1/embed/connections',
      'POST /v1/embed/connections',
      'DELETE /v1/embed/connections/{id}',
      'POST /v1/embed/oauth/authorizations',
      'POST /v1/proxy/{connectionId}/{path}',
      'POST /v1/webhooks/providers/{integrationId}',
      'POST /v1/webhooks/providers/{integrationId}/{connectionId}',
      'GET /v1/webhooks/providers/{integrationId}',
    ])
      expect(names, known).toContain(known)
    // Only the provider webhook routes are public: providers call them, and their signature is the credential.
    expect(operations.filter((o) => o.auth === 'none').map((o) => `${o.method} ${o.path}`).sort(), 'every other operation declares its security scheme').toEqual(['GET /v1/webhooks/providers/{integrationId}', 'POST /v1/webhooks/providers/{integrationId}', 'POST /v1/webhooks/providers/{integrationId}/{connectionId}'])
  })

  it('answers a good request on every operation (the baseline the bad inputs differ from)', async () => {
    // Only reads: the writes' valid bodies would change the data the last test compares.
    const failures: string[] = []
    for (const op of operations.filter((o) => o.method === 'GET')) {
      const query = op.path === '/v1/records' ? `?connectionId=${connectionId}&model=contact` : ''
      const { res, text } = await send('GET', fill(op) + query, { token: tokenFor(op.auth) })
      if (res.status !== 200) failures.push(`GET ${fill(op)} → ${res.status} ${text.slice(0, 200)}`)
    }
    expect(failures).toEqual([])
    statsBefore = JSON.stringify(provider.stats) // the proxy GET above reached the provider once
  })

  it('refuses a missing, malformed or wrong kind of credential on every operation', async () => {
    const failures: string[] = []
    for (const op of operations.filter((o) => o.auth !== 'none')) {
      const wrongKind = op.auth === 'session' ? t.tenant.secretKey : sessionToken
      const valid = tokenFor(op.auth)!
      const cases: { label: string; headers: Record<string, string>; exp?: Expect }[] = [
        { label: 'no Authorization', headers: {}, exp: { status: 401, code: 'unauthenticated' } },
        { label: 'Basic scheme', headers: { authorization: 'Basic dXNlcjpwYXNz' } }, // user:pass
        { label: 'Bearer without a token', headers: { authorization: 'Bearer' }, exp: { status: 401, code: 'unauthenticated' } },
        { label: 'Bearer with two tokens', headers: { authorization: `Bearer ${valid} ${valid}` }, exp: { status: 401, code: 'unauthenticated' } },
        { label: 'token without a scheme', headers: { authorization: valid }, exp: { status: 401, code: 'unauthenticated' } },
        { label: 'unknown secret key', headers: { authorization: 'Bearer pb_sk_dev_0000000000000000000000000000000000000000' } },
        { label: 'unknown session token', headers: { authorization: 'Bearer pb_cs_0000000000000000000000000000000000000000' } },
        { label: 'near miss of the valid token', headers: { authorization: `Bearer ${valid.slice(0, -1)}${valid.endsWith('A') ? 'B' : 'A'}` } },
        { label: 'prefix only', headers: { authorization: `Bearer ${valid.slice(0, 6)}` } },
        { label: 'very long token', headers: { authorization: `Bearer ${'a'.repeat(20_000)}` } },
        { label: 'non-ASCII token', headers: { authorization: 'Bearer \u00ff\u00fe\u00e9' } },
        { label: 'wrong kind of token', headers: { authorization: `Bearer ${wrongKind}` }, exp: { status: 403, code: 'forbidden' } },
      ]
      const base = op.body ? JSON.stringify(validBody(op)) : METHODS_WITH_BODY.has(op.method) && op.path.startsWith('/v1/proxy/') ? '{"email":"x@example.com"}' : undefined
      for (const c of cases) {
        const headers = base ? { ...c.headers, 'content-type': 'application/json' } : c.headers
        const r = await send(op.method, fill(op), { headers, body: base })
        failures.push(...problemFailures(`${op.method} ${op.path} [${c.label}]`, r, { status: [401, 403], ...c.exp }))
      }
    }
    expect(failures).toEqual([])
  })

  it('answers unknown or malformed ids in path parameters with 400 or 404', async () => {
    const ids: { label: string; raw: string; exp?: Expect }[] = [
      { label: 'unknown id', raw: 'does-not-exist', exp: { status: 404, code: 'not_found' } },
      { label: '5000 characters', raw: 'a'.repeat(5000) },
      { label: 'unicode', raw: encodeURIComponent('ünïcødé-名前-💥') },
      { label: 'raw unicode', raw: 'ünïcødé-💥' },
      { label: 'encoded ../', raw: '..%2F..%2Fetc%2Fpasswd' },
      { label: 'encoded ..', raw: '%2e%2e' },
      { label: 'dot segment', raw: '..' },
      { label: 'bad percent-encoding', raw: '%ZZ%' },
      { label: 'encoded slash', raw: 'a%2Fb' },
      { label: 'SQL', raw: encodeURIComponent("' OR '1'='1") },
      { label: 'markup', raw: encodeURIComponent('<script>alert(1)</script>') },
      { label: 'spaces', raw: '%20%20' },
      { label: 'control characters', raw: '%01%1F%7F' },
    ]
    const failures: string[] = []
    for (const op of operations) {
      for (const p of op.params.filter((x) => x.in === 'path' && x.name !== 'path')) {
        for (const id of ids) {
          const body = op.body ? JSON.stringify(validBody(op)) : undefined
          const r = await send(op.method, fill(op, { [p.name]: id.raw }), { token: tokenFor(op.auth), headers: body ? { 'content-type': 'application/json' } : {}, body })
          // PUT /v1/models/{name} and /v1/connectors/custom/{id} create what they name: a name that is not
          // valid (or, for a connector, not the body's `id`) is a 400, never a 404.
          const creates = op.method === 'PUT' && (op.path.startsWith('/v1/models/') || op.path.startsWith('/v1/connectors/custom/'))
          const exp = creates && id.exp?.status === 404 ? { status: 400, code: 'invalid_request' } : id.exp
          failures.push(...problemFailures(`${op.method} ${op.path} [${p.name}: ${id.label}]`, r, { status: [400, 404], ...exp }))
        }
      }
    }
    expect(failures).toEqual([])
  })

  it('refuses invalid JSON bodies: syntax, content type, shape, types, limits and extra fields', async () => {
    const failures: string[] = []
    for (const op of operations.filter((o) => o.body)) {
      const base = validBody(op)
      const label = (s: string) => `${op.method} ${op.path} [${s}]`
      const json = JSON.stringify(base)
      const raw: { label: string; body: string; headers?: Record<string, string>; exp?: Expect }[] = [
        { label: 'truncated JSON', body: json.slice(0, Math.floor(json.length / 2)), exp: { status: 400, code: 'invalid_request' } },
        { label: 'empty body', body: '', exp: { status: 400, code: 'invalid_request' } },
        { label: 'not JSON', body: 'hello', exp: { status: 400, code: 'invalid_request' } },
        { label: 'trailing garbage', body: `${json}}` },
        { label: 'single quotes', body: json.replace(/"/g, "'") },
        { label: 'array instead of object', body: '[]', exp: { status: 400, field: '' } },
        { label: 'array of the valid object', body: `[${json}]`, exp: { status: 400, field: '' } },
        { label: 'null', body: 'null', exp: { status: 400, field: '' } },
        { label: 'string', body: '"x"', exp: { status: 400, field: '' } },
        { label: 'number', body: '42', exp: { status: 400, field: '' } },
        { label: 'nested 5000 deep', body: '['.repeat(5000) + ']'.repeat(5000) },
        { label: 'text/plain', body: json, headers: { 'content-type': 'text/plain' } },
        { label: 'no content type', body: json, headers: {} },
        { label: 'form encoded', body: 'integration=crm', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        { label: 'multipart', body: '--b\r\ncontent-disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\n', headers: { 'content-type': 'multipart/form-data; boundary=b' } },
        { label: 'body of 11 MiB', body: JSON.stringify({ ...base, huge: 'x'.repeat(11 * 1024 * 1024) }) },
      ]
      for (const c of raw) failures.push(...problemFailures(label(c.label), await sendJson(op, c.body, c.headers), c.exp))
      failures.push(...problemFailures(label('unknown extra field'), await sendJson(op, JSON.stringify({ ...base, unexpectedField: 1 })), { status: 400, field: 'unexpectedField' }))
      for (const f of fields(op.body!)) {
        for (const bad of badValues(f.schema)) {
          // A value the schema accepts for this field would make the case vacuous; the generator only yields refused ones.
          failures.push(...problemFailures(label(`${f.path}: ${bad.label}`), await sendJson(op, JSON.stringify(setAt(base, f.path, bad.value))), { status: 400, field: f.path }))
        }
        if (f.schema.properties && f.schema.additionalProperties === false) {
          failures.push(...problemFailures(label(`${f.path}: unknown extra field`), await sendJson(op, JSON.stringify(setAt(base, `${f.path}.unexpectedField`, 1))), { status: 400, field: `${f.path}.unexpectedField` }))
        }
      }
      for (const c of semanticCases(op, base)) failures.push(...problemFailures(label(c.label), await sendJson(op, JSON.stringify(c.body)), c.exp))
    }
    expect(failures).toEqual([])
  })

  it('gives every string and array of a request a limit, so huge inputs are refused', () => {
    const unbounded: string[] = []
    for (const op of operations) {
      for (const f of op.body ? fields(op.body) : []) {
        const types = typesOf(f.schema)
        if (types.includes('string') && f.schema.maxLength === undefined && !f.schema.enum) unbounded.push(`${op.method} ${op.path} body ${f.path}`)
        if (types.includes('array') && f.schema.maxItems === undefined) unbounded.push(`${op.method} ${op.path} body ${f.path}`)
      }
      for (const p of op.params.filter((x) => x.in === 'query')) if (typesOf(p.schema).includes('string') && p.schema.maxLength === undefined && !p.schema.enum) unbounded.push(`${op.method} ${op.path} query ${p.name}`)
    }
    expect(unbounded).toEqual([])
  })

  it('refuses bad query parameters with the parameter named', async () => {
    const failures: string[] = []
    let checked = 0
    for (const op of operations) {
      for (const p of op.params.filter((x) => x.in === 'query')) {
        const values: { label: string; raw: string }[] = []
        const types = typesOf(p.schema)
        if (types.includes('integer') || types.includes('number')) {
          values.push({ label: 'abc', raw: 'abc' }, { label: 'empty', raw: '' }, { label: 'fraction', raw: '1.5' }, { label: 'NaN', raw: 'NaN' }, { label: 'Infinity', raw: 'Infinity' }, { label: '1e400', raw: '1e400' })
          if (p.schema.minimum !== undefined) values.push({ label: `${p.schema.minimum - 1}`, raw: String(p.schema.minimum - 1) }, { label: '-1', raw: '-1' })
          if (p.schema.maximum !== undefined) values.push({ label: `${p.schema.maximum + 1}`, raw: String(p.schema.maximum + 1) }, { label: '10000', raw: '10000' })
        }
        if (p.schema.enum) values.push({ label: 'unknown member', raw: 'unknown' }, { label: 'wrong case', raw: String(p.schema.enum[0]).toUpperCase() })
        if (types.includes('string') && p.schema.maxLength !== undefined) values.push({ label: `maxLength+1`, raw: 'x'.repeat(p.schema.maxLength + 1) })
        for (const v of values) {
          checked++
          const r = await send(op.method, `${fill(op)}?${p.name}=${v.raw}`, { token: tokenFor(op.auth) })
          failures.push(...problemFailures(`${op.method} ${op.path} [?${p.name}=${v.label}]`, r, { status: 400, field: p.name }))
        }
        // The same parameter twice is an array, not a value.
        if (types.includes('integer') || p.schema.enum) {
          const one = types.includes('integer') ? '1' : String(p.schema.enum![0])
          failures.push(...problemFailures(`${op.method} ${op.path} [?${p.name} twice]`, await send(op.method, `${fill(op)}?${p.name}=${one}&${p.name}=${one}`, { token: tokenFor(op.auth) }), { status: 400, field: p.name }))
        }
      }
    }
    expect(checked).toBeGreaterThan(10) // `limit`, `status`, `cursor`… were found in the document
    expect(failures).toEqual([])
  })

  it('keeps proxy paths under the base URL and refuses them before calling the provider', async () => {
    const before = provider.stats.apiRequests
    const failures: string[] = []
    const paths: { label: string; raw: string; exp: Expect }[] = [
      { label: 'encoded ../', raw: '..%2F..%2Foauth%2Ftoken', exp: { status: 400, code: 'upstream_host_not_allowed' } },
      // URL parsing already resolves `%2e%2e` (WHATWG URL), so this never reaches the proxy route.
      { label: 'encoded dot segments', raw: '%2e%2e/%2e%2e/oauth/token', exp: { status: [400, 404] } },
      { label: 'protocol-relative', raw: '/evil.example/x', exp: { status: 400, code: 'upstream_host_not_allowed' } },
      { label: 'backslash', raw: '%5C%5Cevil.example%5Cx', exp: { status: 400, code: 'upstream_host_not_allowed' } },
      { label: 'bad percent-encoding', raw: 'me%ZZ', exp: { status: 400, code: 'invalid_request' } },
    ]
    for (const method of ['GET', 'POST', 'DELETE']) {
      for (const p of paths) {
        const r = await send(method, `/v1/proxy/${connectionId}/${p.raw}`, { token: t.tenant.secretKey })
        failures.push(...problemFailures(`${method} /v1/proxy/{id}/${p.raw} [${p.label}]`, r, p.exp))
      }
    }
    expect(failures).toEqual([])
    expect(provider.stats.apiRequests).toBe(before)
  })

  it('answers the OAuth pages with a 4xx for forged, missing or malformed parameters', async () => {
    const failures: string[] = []
    const states = ['', 'forged', 'a'.repeat(10_000), encodeURIComponent('ünï💥'), '%00', '%ZZ', 'x&state=y']
    for (const s of states) {
      const r = await send('GET', `/oauth/start${s === '' ? '' : `?state=${s}`}`)
      failures.push(...problemFailures(`GET /oauth/start [state=${s.slice(0, 20)}]`, r, { status: 400, code: 'oauth_state_invalid' }))
    }
    // The callback is the popup's page: HTML for a browser, JSON when asked. It is not problem+json
    // (see the report); here it must still be a 4xx with a known code and no internals.
    for (const q of ['', '?state=forged&code=abc', '?error=access_denied', '?code=abc', `?state=${'a'.repeat(10_000)}`, '?state=%00', '?state=%ZZ&code=%ZZ', '?state=forged&error=server_error&error_description=%3Cscript%3E']) {
      const json = await send('GET', `/oauth/callback${q}`, { headers: { accept: 'application/json' } })
      const where = `GET /oauth/callback${q.slice(0, 40)} (JSON) → ${json.res.status} ${json.text.slice(0, 200)}`
      if (json.res.status < 400 || json.res.status > 499) failures.push(`${where}: status is not 4xx`)
      const body = JSON.parse(json.text) as { ok?: boolean; code?: string }
      if (body.ok !== false || !ERROR_CODE_NAMES.has(body.code ?? '')) failures.push(`${where}: not { ok: false, code } with a known code`)
      const html = await send('GET', `/oauth/callback${q}`)
      if (html.res.status < 400 || html.res.status > 499) failures.push(`GET /oauth/callback${q.slice(0, 40)} (HTML) → ${html.res.status}: status is not 4xx`)
      if (html.text.includes('<script>alert') || html.text.includes('<script>')) failures.push(`GET /oauth/callback${q.slice(0, 40)} (HTML): reflects markup`)
    }
    expect(failures).toEqual([])
  })

  it('answers unknown routes and methods with 404 not_found', async () => {
    const failures: string[] = []
    const routes: [string, string][] = [
      ['GET', '/nope'],
      ['GET', '/v1'],
      ['GET', '/v1/'],
      ['POST', '/v1/nope'],
      ['GET', '/v1/integrations/crm/extra'],
      ['PUT', '/v1/integrations'],
      ['DELETE', '/v1/integrations'],
      ['POST', '/v1/connectors'],
      ['PUT', '/v1/connections/x'],
      ['PATCH', '/v1/end-users/user-1'],
      ['GET', '/v1/embed/nope'],
      ['GET', '/docs/assets/nope.js'],
      ['GET', '/oauth/nope'],
      ['GET', `/${'a'.repeat(5000)}`],
    ]
    for (const [method, path] of routes) {
      for (const token of [undefined, t.tenant.secretKey]) {
        const r = await send(method, path, { token })
        failures.push(...problemFailures(`${method} ${path.slice(0, 60)} [${token ? 'with key' : 'no key'}]`, r, { status: 404, code: 'not_found' }))
        if (r.res.status === 404 && !r.text.includes(method)) failures.push(`${method} ${path.slice(0, 60)}: detail does not name the method`)
      }
    }
    expect(failures).toEqual([])
  })

  it('refuses a proxy body over the limit with 413 payload_too_large, before calling the provider', async () => {
    const before = provider.stats.apiRequests
    const big = new Uint8Array(MAX_PROXY_BODY_BYTES + 1).fill(97)
    const failures: string[] = []
    for (const method of ['POST', 'PUT', 'PATCH']) {
      failures.push(...problemFailures(`${method} proxy 10 MiB + 1`, await send(method, `/v1/proxy/${connectionId}/echo`, { token: t.tenant.secretKey, body: big }), { status: 413, code: 'payload_too_large' }))
      failures.push(
        ...problemFailures(`${method} proxy declared content-length over the limit`, await send(method, `/v1/proxy/${connectionId}/echo`, { token: t.tenant.secretKey, body: big, headers: { 'content-length': String(big.length) } }), { status: 413, code: 'payload_too_large' }),
      )
    }
    expect(failures).toEqual([])
    expect(provider.stats.apiRequests).toBe(before)
  })

  it('refuses provider webhooks that are unsigned, forged, stale, oversized or misaddressed, and records nothing', async () => {
    const deliveries = async () => ((await (await t.call('GET', '/v1/webhook-deliveries?limit=200')).json()) as { data: unknown[] }).data.length
    const before = await deliveries()
    const url = `/v1/webhooks/providers/${slackIntegrationId}`
    const body = JSON.stringify({ type: 'event_callback', team_id: 'T0BAD', event: { type: 'message' } })
    const now = Math.floor(Date.now() / 1000)
    const signed = (b: string, ts = now, secret = PROVIDER_WEBHOOK_SECRET) => ({ 'content-type': 'application/json', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${b}`).digest('hex')}` })
    const cases: { label: string; path?: string; body?: string | Uint8Array; headers: Record<string, string>; exp: Expect }[] = [
      { label: 'no signature', body, headers: { 'content-type': 'application/json' }, exp: { status: 401, code: 'webhook_signature_invalid' } },
      { label: 'no body, no signature', headers: {}, exp: { status: 401, code: 'webhook_signature_invalid' } },
      { label: 'signed with another secret', body, headers: signed(body, now, 'guessed-secret'), exp: { status: 401, code: 'webhook_signature_invalid' } },
      { label: 'signature of another body', body: body.replace('message', 'messagf'), headers: signed(body), exp: { status: 401, code: 'webhook_signature_invalid' } },
      { label: 'stale timestamp', body, headers: signed(body, now - 3600), exp: { status: 401, code: 'webhook_signature_invalid' } },
      { label: 'timestamp not a number', body, headers: { ...signed(body), 'x-slack-request-timestamp': 'soon' }, exp: { status: 401, code: 'webhook_signature_invalid' } },
      { label: 'signature not hex', body, headers: { ...signed(body), 'x-slack-signature': 'v0=zz%%' }, exp: { status: 401, code: 'webhook_signature_invalid' } },
      { label: 'signature of 20,000 characters', body, headers: { ...signed(body), 'x-slack-signature': `v0=${'a'.repeat(20_000)}` }, exp: { status: 401, code: 'webhook_signature_invalid' } },
      { label: 'body over 1 MiB', body: new Uint8Array(1024 * 1024 + 1).fill(97), headers: { 'content-type': 'application/json' }, exp: { status: 413, code: 'payload_too_large' } },
      { label: 'unknown integration', path: '/v1/webhooks/providers/int_doesnotexist', body, headers: signed(body), exp: { status: 404, code: 'not_found' } },
      { label: 'integration without webhooks', path: `/v1/webhooks/providers/${(await findIntegrationByKey(t.ctx.db, t.tenant.environmentId, 'crm-key'))!.id}`, body, headers: signed(body), exp: { status: 404, code: 'webhooks_not_supported' } },
      { label: "another integration's connection", path: `${url}/${connectionId}`, body, headers: signed(body), exp: { status: 404, code: 'not_found' } },
    ]
    const failures: string[] = []
    for (const c of cases) failures.push(...problemFailures(`POST ${c.path ?? url} [${c.label}]`, await send('POST', c.path ?? url, { headers: c.headers, body: c.body }), c.exp))
    // A correctly signed event that matches no connection is acknowledged (not an error) and not forwarded.
    const ok = await send('POST', url, { headers: signed(body), body })
    if (ok.res.status !== 200) failures.push(`POST ${url} [signed, unroutable] → ${ok.res.status} ${ok.text.slice(0, 200)}`)
    expect(failures).toEqual([])
    expect(await deliveries()).toBe(before)
  })

  it('refuses to reveal a webhook secret that no handshake delivered, for unknown or malformed keys, and without the secret key', async () => {
    const reveal = (key: string) => `/v1/integrations/${key}/webhook-secret/reveal`
    const cases: { label: string; path: string; token?: string | undefined; body?: string; exp: Expect }[] = [
      // Slack's signing secret is set by the vendor: never revealable (nor is any secret of a connector without a secret handshake).
      { label: 'vendor-set secret (slack)', path: reveal('slack'), token: t.tenant.secretKey, exp: { status: 409, code: 'webhook_secret_not_revealable' } },
      { label: 'connector without webhooks', path: reveal('crm-key'), token: t.tenant.secretKey, exp: { status: 409, code: 'webhook_secret_not_revealable' } },
      { label: 'with a body it does not take', path: reveal('slack'), token: t.tenant.secretKey, body: '{"secret":"x"}', exp: { status: 409, code: 'webhook_secret_not_revealable' } },
      { label: 'unknown integration', path: reveal('no-such-integration'), token: t.tenant.secretKey, exp: { status: 404, code: 'not_found' } },
      { label: 'key over 100 characters', path: reveal('k'.repeat(101)), token: t.tenant.secretKey, exp: { status: 400 } },
      { label: 'no API key', path: reveal('slack'), exp: { status: 401, code: 'unauthenticated' } },
    ]
    const failures: string[] = []
    for (const c of cases) failures.push(...problemFailures(`POST ${c.path.slice(0, 60)} [${c.label}]`, await send('POST', c.path, { token: c.token, body: c.body, headers: c.body ? { 'content-type': 'application/json' } : {} }), c.exp))
    expect(failures).toEqual([])
  })

  it('left the existing data unchanged, called no provider, served no 5xx and leaked no secret', async () => {
    expect(await snapshot()).toEqual(before)
    expect(JSON.stringify(provider.stats)).toBe(statsBefore)
    expect(served5xx).toEqual([])
    // The connection still works after the battery.
    expect((await t.call('GET', `/v1/proxy/${connectionId}/me`)).status).toBe(200)
    const secrets = [API_KEY, CLIENT_SECRET, OTHER_CLIENT_SECRET, PROVIDER_WEBHOOK_SECRET, t.tenant.secretKey, t.tenant.productionSecretKey, sessionToken]
    expect(bodies.length).toBeGreaterThan(500)
    for (const s of secrets) {
      expect(bodies.filter((b) => b.includes(s)).map((b) => b.slice(0, 200)), `a response body contains ${s.slice(0, 12)}…`).toEqual([])
      expect(logs.filter((l) => l.includes(s)), `a log line contains ${s.slice(0, 12)}…`).toEqual([])
    }
  })

  // Known bugs run last: they may change data, and the test above must not see it.

  // Known bug: nested request objects that are not `.strict()` (today `endUser` of
  // POST /v1/connect-sessions) drop unknown fields silently, so a typo (`emial`) is accepted.
  it('refuses unknown fields in nested request objects too', async () => {
    const failures: string[] = []
    for (const op of operations.filter((o) => o.body)) {
      for (const f of fields(op.body!).filter((x) => x.schema.properties && x.schema.additionalProperties !== false)) {
        const r = await sendJson(op, JSON.stringify(setAt(validBody(op), `${f.path}.unexpectedField`, 1)))
        failures.push(...problemFailures(`${op.method} ${op.path} [${f.path}: unknown extra field]`, r, { status: 400, field: `${f.path}.unexpectedField` }))
      }
    }
    if (process.env.SHOW_KNOWN_BUGS) console.info(failures.join('\n'))
    expect(failures).toEqual([])
  })

  // Known bug: a NUL character reaches PostgreSQL, which refuses it in `text` ("invalid byte sequence
  // for encoding UTF8: 0x00"), and the error becomes a 500. Flip to `it` once strings are checked.
  it('never answers NUL characters in ids, query parameters or body strings with a 5xx', async () => {
    const failures: string[] = []
    /** A NUL may be refused (4xx problem) or, where it is harmless (an encrypted secret), accepted; never a 5xx. */
    const check = (label: string, r: { res: Response; text: string }) => (r.res.status < 400 ? (r.res.status >= 200 ? [] : [`${label} → ${r.res.status}`]) : problemFailures(label, r))
    for (const op of operations) {
      const body = op.body ? JSON.stringify(validBody(op)) : undefined
      const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {}
      for (const p of op.params.filter((x) => x.in === 'path' && x.name !== 'path')) {
        for (const raw of ['%00', 'a%00b']) failures.push(...check(`${op.method} ${op.path} [${p.name}: ${raw}]`, await send(op.method, fill(op, { [p.name]: raw }), { token: tokenFor(op.auth), headers, body })))
      }
      for (const p of op.params.filter((x) => x.in === 'query' && typesOf(x.schema).includes('string') && !x.schema.enum)) {
        failures.push(...check(`${op.method} ${op.path} [?${p.name}=a%00b]`, await send(op.method, `${fill(op)}?${p.name}=a%00b`, { token: tokenFor(op.auth) })))
      }
      for (const f of op.body ? fields(op.body) : []) {
        if (!typesOf(f.schema).includes('string')) continue
        failures.push(...check(`${op.method} ${op.path} [${f.path}: a\\u0000b]`, await sendJson(op, JSON.stringify(setAt(validBody(op), f.path, 'a\u0000b')))))
      }
    }
    if (process.env.SHOW_KNOWN_BUGS) console.info(failures.join('\n'))
    expect(failures).toEqual([])
  })


  it('logged no unhandled error and no secret while serving all of it', () => {
    expect(logs.filter((l) => l.includes('unhandled error'))).toEqual([])
    for (const s of [API_KEY, CLIENT_SECRET, OTHER_CLIENT_SECRET, PROVIDER_WEBHOOK_SECRET, t.tenant.secretKey, t.tenant.productionSecretKey, sessionToken]) {
      expect(logs.filter((l) => l.includes(s)), `a log line contains ${s.slice(0, 12)}…`).toEqual([])
    }
  })
})
