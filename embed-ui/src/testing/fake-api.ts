/**
 * An in-memory fake of the widget-facing API (`/v1/embed/*`) as a `fetch` function, with the
 * same JSON shapes, status codes and problem documents as `server/src/routes/embed.ts`,
 * `server/src/services/connections.ts` (form validation), `server/src/services/syncs.ts`
 * (`setSyncFrequency`), `server/src/services/mappings.ts` (field mappings, checked and previewed
 * by the small stand-in in `mapping-check.ts`) and `server/src/lib/errors.ts`.
 * Used by the widget tests directly, and behind a node:http server by the benchmark.
 */
import type { CatalogEntry, Connection, FormField, Mapping, MappingEditorData, MappingTarget, Problem, ProviderFieldView, SavedMapping, Sync, VendorModel } from '../api/types'
import { connection } from './fixtures'
import { applyMapping, checkMapping, shapeError } from './mapping-check'

const STATUS: Record<string, number> = { invalid_request: 400, unauthenticated: 401, session_expired: 401, forbidden: 403, not_found: 404, credentials_invalid: 422, internal: 500 }

export interface Call {
  method: string
  path: string
  /** The query string, e.g. `?refresh=true` (or `''`). */
  search: string
  token: string | null
  body: unknown
}

export interface FakeApiOptions {
  integrations: CatalogEntry[]
  connections?: Connection[]
  /** Tokens accepted; default `['pb_cs_test']`. */
  tokens?: string[]
  /** Whether the provider accepts these credentials (the server's verify request). Default: none is `wrong`. */
  accepts?: (integration: string, credentials: Record<string, string>) => boolean
  /** The URL authorizations point to; default `/oauth/start` on the API's origin. */
  authorizeUrl?: string
  /** Syncs by connection id; a connection not listed has none. */
  syncs?: Record<string, Sync[]>
  /** By integration key: the frequencies its end users may choose (`syncSettings.endUserFrequency`); default none. */
  endUserFrequency?: Record<string, { min: string; max: string }>
  /** By integration key: the connector objects its connections can map to the vendor's models; default none. */
  mappings?: Record<string, FakeMappingObject[]>
}

/** A connector object that can be mapped, with what the fake needs to answer for it. */
export interface FakeMappingObject {
  object: string
  objectLabel: string
  model: VendorModel
  fields: ProviderFieldView[]
  /** What previews are made of (the latest first); default none. */
  records?: unknown[]
  /** Default: nothing mapped. */
  suggested?: Mapping
  /** The vendor's default mapping, in effect for connections without their own. */
  defaultMapping?: Mapping
  /** Custom fields found only when the fields are refreshed (`?refresh=true`). */
  customFields?: ProviderFieldView[]
  /** What a refresh reports as the discovery error. */
  discoveryError?: string
  discovery?: MappingEditorData['discovery']
}

export function problem(code: string, detail: string, extra: Partial<Problem> = {}): Response {
  const status = extra.status ?? STATUS[code] ?? 400
  const body: Problem = { type: `urn:patchbay:error:${code}`, title: code.replace(/_/g, ' '), status, detail, code, requestId: 'req_test', ...extra }
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json', 'patchbay-error': code } })
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** Mirrors `parseFrequency`: `<n>s|m|h|d` between 1m and 30d, else NaN. */
function frequencyMs(value: unknown): number {
  const m = typeof value === 'string' ? /^(\d{1,6})(s|m|h|d)$/.exec(value) : null
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : NaN
  return ms >= 60_000 && ms <= 30 * 86_400_000 ? ms : NaN
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

/** Mirrors `connectWithForm`'s field checks: required, anchored pattern, unknown fields. */
function validate(group: 'credentials' | 'connectionConfig', fields: FormField[], input: Record<string, string>) {
  const errors: { path: string; message: string }[] = []
  for (const f of fields) {
    const v = input[f.name]
    if (v === undefined || v === '') {
      if (f.required) errors.push({ path: `${group}.${f.name}`, message: `${f.label} is required` })
    } else if (f.pattern && !new RegExp(`^(?:${f.pattern})$`).test(v)) errors.push({ path: `${group}.${f.name}`, message: `${f.label} does not look right` })
  }
  for (const name of Object.keys(input)) if (!fields.some((f) => f.name === name)) errors.push({ path: `${group}.${name}`, message: 'unknown field' })
  return errors
}

export function createFakeApi(options: FakeApiOptions) {
  const state = {
    integrations: options.integrations,
    connections: [...(options.connections ?? [])],
    tokens: new Set(options.tokens ?? ['pb_cs_test']),
    expired: new Set<string>(),
    calls: [] as Call[],
    /** Answers queued for the next matching requests (`'GET /v1/embed/integrations'`), before anything else. */
    queued: [] as { route: string; response: () => Response | Promise<Response> }[],
    /** Syncs by connection id; change them to simulate runs. */
    syncs: structuredClone(options.syncs ?? {}) as Record<string, Sync[]>,
    endUserFrequency: { ...options.endUserFrequency } as Record<string, { min: string; max: string } | undefined>,
    /** Mappable objects by integration key (refreshing adds their `customFields`). */
    mappingObjects: structuredClone(options.mappings ?? {}) as Record<string, FakeMappingObject[]>,
    /** Connections' own mappings by `<connectionId>/<object>`. */
    ownMappings: {} as Record<string, SavedMapping>,
  }
  /** Each sync's frequency before any change: what `frequency: null` goes back to. */
  const defaults = new Map(Object.entries(state.syncs).flatMap(([id, list]) => list.map((x) => [`${id}/${x.name}`, x.frequency] as const)))
  const accepts = options.accepts ?? ((_i, creds) => !Object.values(creds).includes('wrong'))

  async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url)
    const path = url.pathname
    const auth = req.headers.get('authorization')
    const token = auth?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? null
    const body: unknown = req.method === 'POST' || req.method === 'PATCH' || req.method === 'PUT' ? await req.json().catch(() => undefined) : undefined
    state.calls.push({ method: req.method, path, search: url.search, token, body })

    const route = `${req.method} ${path}`
    const q = state.queued.findIndex((x) => x.route === route)
    if (q >= 0) return state.queued.splice(q, 1)[0]!.response()

    if (!path.startsWith('/v1/embed/')) return problem('not_found', `No route ${route}`)
    if (!token) return problem('unauthenticated', 'Send the key as "Authorization: Bearer <key>"')
    if (state.expired.has(token)) return problem('session_expired', 'The connect session has expired; ask the app for a new one')
    if (!state.tokens.has(token)) return problem('unauthenticated', 'Unknown session token')

    const find = (key: unknown) => state.integrations.find((i) => i.key === key)
    if (route === 'GET /v1/embed/session') return json({ endUser: { id: 'user-42', email: 'ada@example.com', displayName: 'Ada' }, expiresAt: new Date(Date.now() + 1_800_000).toISOString(), allowedIntegrations: null })
    if (route === 'GET /v1/embed/integrations') return json({ data: state.integrations })
    if (route === 'GET /v1/embed/connections') return json({ data: state.connections })

    if (route === 'POST /v1/embed/connections') {
      const input = body as { integration: string; credentials: Record<string, string>; connectionConfig?: Record<string, string>; connectionId?: string }
      const integration = find(input?.integration)
      if (!integration) return problem('not_found', `Integration ${JSON.stringify(input?.integration)} does not exist`)
      if (integration.authType === 'oauth2') return problem('invalid_request', `${integration.name} connects with OAuth: start an authorization instead`)
      const errors = [...validate('connectionConfig', integration.connectionConfigFields, input.connectionConfig ?? {}), ...validate('credentials', integration.credentialFields, input.credentials ?? {})]
      if (errors.length) return problem('invalid_request', 'Invalid credentials', { errors })
      if (!accepts(integration.key, input.credentials)) return problem('credentials_invalid', `${integration.name} rejected these credentials (HTTP 401)`)
      const now = new Date().toISOString()
      if (input.connectionId) {
        const existing = state.connections.find((c) => c.id === input.connectionId)
        if (!existing) return problem('not_found', `Connection ${JSON.stringify(input.connectionId)} does not exist`)
        Object.assign(existing, { status: 'active', statusReason: null, updatedAt: now, lastVerifiedAt: now, connectionConfig: input.connectionConfig ?? {} })
        return json(existing, 201)
      }
      const c = connection(integration.key, { accountLabel: input.credentials.username ?? `${integration.name} account`, connectionConfig: input.connectionConfig ?? {} })
      state.connections.push(c)
      return json(c, 201)
    }

    if (route === 'POST /v1/embed/oauth/authorizations') {
      const input = body as { integration: string; connectionId?: string; connectionConfig?: Record<string, string> }
      const integration = find(input?.integration)
      if (!integration) return problem('not_found', `Integration ${JSON.stringify(input?.integration)} does not exist`)
      if (integration.authType !== 'oauth2') return problem('invalid_request', `${integration.name} does not use OAuth`)
      const errors = validate('connectionConfig', integration.connectionConfigFields, input.connectionConfig ?? {})
      if (errors.length) return problem('invalid_request', 'Invalid connection config', { errors })
      const target = new URL(options.authorizeUrl ?? '/oauth/start', url)
      target.searchParams.set('state', `st_${integration.key}_${input.connectionId ?? 'new'}`)
      return json({ url: target.href, expiresAt: new Date(Date.now() + 600_000).toISOString() }, 201)
    }

    const syncsRoute = path.match(/^\/v1\/embed\/connections\/([^/]+)\/syncs(?:\/([^/]+))?$/)
    if (syncsRoute && (req.method === 'GET' ? !syncsRoute[2] : req.method === 'PATCH' && syncsRoute[2])) {
      const id = decodeURIComponent(syncsRoute[1]!)
      const conn = state.connections.find((c) => c.id === id)
      if (!conn) return problem('not_found', `Connection ${JSON.stringify(id)} does not exist`)
      const bounds = state.endUserFrequency[conn.integration] ?? null
      const list = (state.syncs[id] ??= [])
      if (req.method === 'GET') return json({ data: list, endUserFrequency: bounds })
      const name = decodeURIComponent(syncsRoute[2]!)
      const target = list.find((x) => x.name === name)
      const input = body as { frequency?: unknown } | undefined
      if (!input || !('frequency' in input) || (input.frequency !== null && typeof input.frequency !== 'string') || Object.keys(input).length !== 1) {
        return problem('invalid_request', 'Invalid body', { errors: [{ path: 'frequency', message: 'a frequency such as 15m, or null' }] })
      }
      if (!target) return problem('not_found', `Sync ${JSON.stringify(name)} does not exist`)
      const frequency = input.frequency as string | null
      const ms = frequencyMs(frequency ?? defaults.get(`${id}/${name}`) ?? '1h')
      if (Number.isNaN(ms)) return problem('invalid_request', `Invalid frequency ${JSON.stringify(frequency)}`, { errors: [{ path: 'frequency', message: 'a number and a unit (s, m, h, d) between 1m and 30d, e.g. 15m, 1h, 1d' }] })
      if (!bounds) return problem('forbidden', 'This integration does not let end users change how often it syncs')
      if (ms < frequencyMs(bounds.min) || ms > frequencyMs(bounds.max)) return problem('forbidden', `Choose a frequency between ${bounds.min} and ${bounds.max}`)
      Object.assign(target, { frequency: frequency ?? defaults.get(`${id}/${name}`) ?? '1h', customFrequency: frequency !== null })
      if (target.status === 'enabled') target.nextRunAt = new Date(Date.now() + ms).toISOString()
      return json(target)
    }

    const mapRoute = path.match(/^\/v1\/embed\/connections\/([^/]+)\/mappings(?:\/([^/]+)(\/preview)?)?$/)
    if (mapRoute) {
      const id = decodeURIComponent(mapRoute[1]!)
      const conn = state.connections.find((c) => c.id === id)
      if (!conn) return problem('not_found', `Connection ${JSON.stringify(id)} does not exist`)
      const objects = state.mappingObjects[conn.integration] ?? []
      const own = (o: FakeMappingObject) => state.ownMappings[`${id}/${o.object}`]
      const target = (o: FakeMappingObject): MappingTarget => {
        const mapping = own(o) ?? (o.defaultMapping ? { ...o.defaultMapping, object: o.object, version: 1, scope: 'integration' as const, updatedAt: '2025-01-01T00:00:00.000Z' } : null)
        return { object: o.object, objectLabel: o.objectLabel, model: o.model, mapping, status: own(o) ? 'custom' : mapping ? 'default' : 'unmapped' }
      }
      if (!mapRoute[2]) return req.method === 'GET' ? json({ data: objects.map(target) }) : problem('not_found', `No route ${route}`)
      const o = objects.find((x) => x.object === decodeURIComponent(mapRoute[2]!))
      if (!o) return problem('not_found', `Object ${JSON.stringify(mapRoute[2])} cannot be mapped`)
      const key = `${id}/${o.object}`
      if (mapRoute[3] || req.method === 'PUT') {
        if (req.method !== (mapRoute[3] ? 'POST' : 'PUT')) return problem('not_found', `No route ${route}`)
        const invalid = shapeError(body)
        if (invalid) return problem('invalid_request', 'Invalid body', { errors: [{ path: 'fields', message: invalid }] })
        const mapping = body as Mapping
        const check = checkMapping(o.model, o.fields, mapping)
        if (mapRoute[3]) return json({ check, samples: (o.records ?? []).slice(0, 3).map((raw) => ({ raw, ...applyMapping(o.model, mapping, raw) })) })
        if (!check.ok) return problem('invalid_request', 'The mapping is not valid', { errors: check.errors.map((e) => ({ path: e.field ? `fields.${e.field}` : 'model', code: e.code, message: e.message })) })
        const before = state.ownMappings[key]
        const changed = !before || JSON.stringify(before.fields) !== JSON.stringify(mapping.fields)
        const saved: SavedMapping = { model: mapping.model, fields: mapping.fields, object: o.object, version: (before?.version ?? 0) + (changed ? 1 : 0), scope: 'connection', updatedAt: new Date().toISOString() }
        state.ownMappings[key] = saved
        return json({ ...saved, warnings: check.warnings })
      }
      if (req.method === 'DELETE') {
        if (!state.ownMappings[key]) return problem('not_found', `Mapping ${JSON.stringify(o.object)} does not exist`)
        delete state.ownMappings[key]
        return json({ deleted: true })
      }
      if (req.method !== 'GET') return problem('not_found', `No route ${route}`)
      if (url.searchParams.get('refresh') === 'true') {
        o.fields = [...o.fields, ...(o.customFields ?? []).filter((f) => !o.fields.some((x) => x.path === f.path))]
        o.discovery = { discoveredAt: new Date().toISOString(), error: o.discoveryError ?? null }
      }
      const editor: MappingEditorData = { ...target(o), suggested: o.suggested ?? { model: o.model.name, fields: {} }, fields: o.fields, discovery: o.discovery ?? { discoveredAt: null, error: null } }
      return json(editor)
    }

    const del = req.method === 'DELETE' && path.match(/^\/v1\/embed\/connections\/([^/]+)$/)
    if (del) {
      const id = decodeURIComponent(del[1]!)
      const i = state.connections.findIndex((c) => c.id === id)
      if (i < 0) return problem('not_found', `Connection ${JSON.stringify(id)} does not exist`)
      state.connections.splice(i, 1)
      return json({ deleted: true, revoked: false })
    }
    return problem('not_found', `No route ${route}`)
  }

  return {
    state,
    handle,
    /** A `fetch` answering `/v1/embed/*`; any origin. */
    fetch: (input: RequestInfo | URL, init?: RequestInit) => handle(new Request(input, init)),
    /** Answer the next `route` (e.g. `'GET /v1/embed/connections'`) with this, once. */
    queue(route: string, response: () => Response | Promise<Response>) {
      state.queued.push({ route, response })
    },
    /** What the OAuth callback would do: save the connection (or re-authorize one) and describe it. */
    completeAuthorization(integration: string, connectionId?: string, accountLabel = 'ada@example.com') {
      const now = new Date().toISOString()
      const existing = connectionId ? state.connections.find((c) => c.id === connectionId) : undefined
      if (existing) {
        Object.assign(existing, { status: 'active', statusReason: null, updatedAt: now, lastVerifiedAt: now })
        return { ok: true as const, connectionId: existing.id, integration, reconnected: true }
      }
      const c = connection(integration, { accountLabel })
      state.connections.push(c)
      return { ok: true as const, connectionId: c.id, integration, reconnected: false }
    },
    calls: (route: string) => state.calls.filter((c) => `${c.method} ${c.path}` === route),
  }
}

export type FakeApi = ReturnType<typeof createFakeApi>
