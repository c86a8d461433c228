/**
 * Incoming provider webhooks: how a connector declares the events its provider POSTs to Patchbay
 * (the `webhooks` section of a connector), and the pure functions the server runs on them.
 *
 * ## How to declare webhooks
 * Add a `webhooks` section to the connector (plain data, so custom JSON connectors can use it too),
 * each fact with the provider doc URL in a comment:
 * - `secret`: where the signing secret comes from. `{ from: 'integration' }`: a webhook signing
 *   secret the vendor copies from the provider's console into the integration (`webhookSecret`;
 *   Slack's signing secret, GitHub's webhook secret, Xero's webhook key). `{ from: 'clientSecret' }`:
 *   the integration's OAuth client secret (Shopify, HubSpot v3, Intercom; Trello's OAuth 1.0a consumer secret). `{ from: 'credentials',
 *   field }`: a field of the connection's own credentials, for accounts that each have their own
 *   endpoint (a Stripe account connected with an API key: add an optional password field to
 *   `auth.fields`). `{ from: 'connection' }`: a secret the vendor's backend sets on each connection
 *   through the API (`PUT /v1/connections/{id}/webhook-secret`), for providers that generate a secret
 *   per webhook the vendor creates through their API (Zendesk), whatever the connection's auth.
 *   Both per-connection sources need per-connection URLs (no `route`).
 * - `signature`: `hmac` (algorithm, `hex`/`base64`, header, optional `prefix` such as `sha256=`,
 *   and `signed`: the parts concatenated into the signed message, from `body`, `method`, `url`
 *   (the full public URL the provider called), `timestamp`, `sortedForm` (form fields sorted by
 *   name, each name then its value: Twilio), `{ header }`, `{ literal }` and `{ url: { decode } }`
 *   (the URL with some percent-encoded octets decoded: HubSpot v3); with
 *   `timestamp: { header | body, unit, toleranceSeconds }` to refuse replays); `stripe`
 *   (`t=…,v1=…` with several signatures, in any `header`: Stripe, Calendly); `token` (a shared
 *   token in a header, e.g. `X-Gitlab-Token`).
 * - `route`: which connection an event is for: a value read from a `header` or a `body` path,
 *   optionally narrowed by `pattern` (one capture group), equal to the connection config value
 *   `connectionConfig` (Slack `team_id` → `teamId`; Shopify `X-Shopify-Shop-Domain` with
 *   `^([a-z0-9-]+)\.myshopify\.com$` → `shop`). A `*` path segment reads every element of a batch
 *   (`*.intuitaccountid`); the batch is routed only when all name the same account, or, with
 *   `split: true`, split into one body per account (HubSpot, Xero). Absent: the
 *   provider calls a URL per connection (`/v1/webhooks/providers/{integrationId}/{connectionId}`),
 *   as per-account secrets require.
 * - `eventType`: where the provider names the event (`{ header: 'X-GitHub-Event' }`, `{ body: 'type' }`).
 * - `handshake`: a verification request to answer instead of forwarding (Slack's `url_verification`:
 *   when body path `when.body` equals `when.equals`, answer body path `respond.body` as text or JSON;
 *   with `respond.digest`, the JSON answer also carries an HMAC of that value keyed with the signing
 *   secret: Zoom's `endpoint.url_validation` → `{ plainToken, encryptedToken }`). Answered only
 *   after the request's signature is verified, so it is never a signing oracle.
 * - `secretHandshake`: a request that hands Patchbay the signing secret in a header (Asana's
 *   `X-Hook-Secret`): with `secret: { from: 'connection' }` only. It is answered 200 echoing the
 *   header, and the value becomes the connection's webhook secret when the connection has none
 *   (trust on first use, the provider's own model); a different value while one is stored is
 *   refused (409 `conflict`) until the vendor clears it (`DELETE /v1/connections/{id}/webhook-secret`).
 *   Or `{ body }`, with `secret: { from: 'integration' }` only: a JSON string at that body path
 *   (Notion's `verification_token`) becomes the integration's webhook secret when it has none,
 *   answered 200 with no body; the vendor reads it once (`POST
 *   /v1/integrations/{key}/webhook-secret/reveal`) to paste it back into the provider's settings.
 * - `refusal`: `empty` to answer a refused signature with a bare 401 (Xero's "Intent to receive").
 * - `docs`: the provider's page about verifying its webhooks.
 *
 * Bodies are read as JSON, or as form fields for `application/x-www-form-urlencoded` (Slack's
 * slash commands), for `body` paths. Signatures are always computed on the raw bytes.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'
import { getPath } from './json-path'

const headerName = z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'an HTTP header name')
/**
 * A dotted path into the parsed body, e.g. `event.type` (array indices as digits, `0.type`). A `*`
 * segment stands for every element of an array (`eventNotifications.*.realmId`): the path then has
 * a value only when every element gives the same one (see {@link readWebhookValue}).
 */
const bodyPath = z.string().min(1).max(200)
const connectionConfigName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/, 'must be an identifier')

/** A regular expression (JavaScript syntax) with exactly one capture group. */
const onePattern = z
  .string()
  .max(500)
  .refine((p) => {
    try {
      return new RegExp(`${p}|`).exec('')!.length === 2
    } catch {
      return false
    }
  }, 'must be a valid regular expression with exactly one capture group')

/** Where a value is read: a request header, or a dotted path in the parsed body. */
export const webhookValueSourceSchema = z.union([z.strictObject({ header: headerName }), z.strictObject({ body: bodyPath })])
/** `{ header }` or `{ body }` (a dotted path). */
export type WebhookValueSource = z.output<typeof webhookValueSourceSchema>

/** Where the signing secret comes from. */
export const webhookSecretSourceSchema = z.discriminatedUnion('from', [
  /** A secret the vendor sets on the integration (`webhookSecret`), copied from the provider's console. */
  z.strictObject({
    from: z.literal('integration'),
    /** What the provider calls it, shown to the vendor (`Signing secret`). */
    label: z.string().max(100).optional(),
    /** The provider's page where the vendor finds it. */
    helpUrl: z.string().url().optional(),
  }),
  /** The integration's OAuth client secret. */
  z.strictObject({ from: z.literal('clientSecret') }),
  /** A field of the connection's own credentials (declared in `auth.fields`, usually optional). */
  z.strictObject({ from: z.literal('credentials'), field: connectionConfigName }),
  /**
   * A secret the vendor's backend sets on each connection (`PUT /v1/connections/{id}/webhook-secret`),
   * for providers that generate one secret per webhook, which the vendor creates through the API on
   * the end user's behalf (Zendesk). Per-connection URLs only, like `credentials`.
   */
  z.strictObject({
    from: z.literal('connection'),
    /** What the provider calls it, shown to the vendor (`Signing secret`). */
    label: z.string().max(100).optional(),
    /** The provider's page (or API endpoint) where the vendor gets it. */
    helpUrl: z.string().url().optional(),
  }),
])

/**
 * A part of the message an HMAC signs. `sortedForm`: the fields of an
 * `application/x-www-form-urlencoded` body, decoded, sorted by name (then value) in code-unit
 * order, each name followed by its value with no separators (Twilio's `X-Twilio-Signature`); a
 * request of any other content type fails the signature, so its body is never left unsigned.
 */
export const signedPartSchema = z.union([
  z.enum(['body', 'method', 'url', 'timestamp', 'sortedForm']),
  z.strictObject({ header: headerName }),
  z.strictObject({ literal: z.string().max(100) }),
  /**
   * The full URL with these percent-encoded octets decoded first (either hex case), for providers
   * that sign a partly decoded URI (HubSpot v3 decodes `%3A`, `%2F`, `%3F`, `%40`…).
   */
  z.strictObject({ url: z.strictObject({ decode: z.array(z.string().regex(/^%[0-9A-Fa-f]{2}$/, 'a percent-encoded octet such as %3A')).min(1).max(64) }) }),
])
/** `body`, `method`, `url`, `timestamp`, `sortedForm`, `{ header }`, `{ literal }` or `{ url: { decode } }`. */
export type SignedPart = z.output<typeof signedPartSchema>

/** A timestamp that is part of the signed message and must be recent. */
export const webhookTimestampSchema = z
  .strictObject({
    header: headerName.optional(),
    body: bodyPath.optional(),
    /** `s`/`ms`: Unix epoch seconds or milliseconds; `iso8601`: a date-time string. */
    unit: z.enum(['s', 'ms', 'iso8601']).default('s'),
    /** Largest accepted distance from now, in seconds. */
    toleranceSeconds: z.number().int().min(1).max(86_400).default(300),
  })
  .refine((t) => (t.header === undefined) !== (t.body === undefined), 'give exactly one of header or body')

/** An HMAC of parts of the request, in one header (GitHub, Slack, Shopify, HubSpot v3, Zendesk, Xero). */
export const hmacSignatureSchema = z.strictObject({
  type: z.literal('hmac'),
  algorithm: z.enum(['sha1', 'sha256', 'sha512']).default('sha256'),
  encoding: z.enum(['hex', 'base64']).default('hex'),
  header: headerName,
  /** Text before the digest in the header, e.g. `sha256=` or `v0=`. */
  prefix: z.string().max(50).default(''),
  /** The signed message: these parts concatenated without separators (add `{ literal }` ones). */
  signed: z.array(signedPartSchema).min(1).max(20).default(['body']),
  timestamp: webhookTimestampSchema.optional(),
})

/**
 * Stripe's `Stripe-Signature: t=<unix seconds>,v1=<hex>,v1=<hex>,v0=…`: HMAC-SHA256 (hex) of
 * `<t>.<raw body>`; any `v1` may match (several during a secret roll); `t` must be recent.
 * @see https://docs.stripe.com/webhooks#verify-manually
 */
export const stripeSignatureSchema = z.strictObject({
  type: z.literal('stripe'),
  header: headerName.default('Stripe-Signature'),
  scheme: z.string().regex(/^v\d+$/).default('v1'),
  toleranceSeconds: z.number().int().min(1).max(86_400).default(300),
})

/** A shared token sent as is in a header (GitLab's `X-Gitlab-Token`), compared in constant time. */
export const tokenSignatureSchema = z.strictObject({
  type: z.literal('token'),
  header: headerName,
  /** Text before the token in the header, e.g. `Bearer `. */
  prefix: z.string().max(50).default(''),
})

/** How a provider signs its requests: `hmac`, `stripe` or `token`. */
export const webhookSignatureSchema = z.discriminatedUnion('type', [hmacSignatureSchema, stripeSignatureSchema, tokenSignatureSchema])
/** A signature scheme with its defaults filled in. */
export type WebhookSignature = z.output<typeof webhookSignatureSchema>

/** A value of the event, narrowed by `pattern`, equal to a connection config value. */
const routeFields = { pattern: onePattern.optional(), connectionConfig: connectionConfigName }
/** Which connection an event is for: a header or body value (narrowed by `pattern`) equal to a connection config value. */
export const webhookRouteSchema = z.union([
  z.strictObject({ header: headerName, ...routeFields }),
  z.strictObject({
    body: bodyPath,
    ...routeFields,
    /**
     * For a `body` path with one `*` segment (`events.*.tenantId`): a batch that mixes accounts is
     * split, each account's connections receiving the body with that array narrowed to its own
     * elements (HubSpot, Xero send one app-wide batch). Without it such a batch is not forwarded.
     */
    split: z.boolean().optional(),
  }),
])
/** A routing rule with its defaults filled in. */
export type WebhookRoute = z.output<typeof webhookRouteSchema>

/** A verification request answered instead of forwarded (Slack's `url_verification`, Zoom's `endpoint.url_validation`). */
export const webhookHandshakeSchema = z.strictObject({
  when: z.strictObject({ body: bodyPath, equals: z.union([z.string(), z.number(), z.boolean()]) }),
  /** `text`: the value as `text/plain`; `json`: `{ <last segment of body>: value }` (plus the digest, with `digest`). */
  respond: z
    .strictObject({
      body: bodyPath,
      as: z.enum(['text', 'json']).default('text'),
      /**
       * Adds `{ [field]: HMAC(signing secret, value) }` to the JSON answer (Zoom's `encryptedToken`:
       * hex HMAC-SHA256 of `plainToken`). JSON answers only.
       */
      digest: z
        .strictObject({
          field: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a JSON member name'),
          algorithm: z.enum(['sha1', 'sha256', 'sha512']).default('sha256'),
          encoding: z.enum(['hex', 'base64']).default('hex'),
        })
        .optional(),
    })
    .refine((r) => r.digest === undefined || r.as === 'json', 'a digest is answered in JSON: set as to json')
    .refine((r) => r.digest === undefined || r.digest.field !== r.body.split('.').pop(), 'the digest field must differ from the echoed value'),
})

/**
 * A request that hands over the signing secret. `{ header }`: in a header (Asana's `X-Hook-Secret`
 * handshake), answered 200 with the same header and stored as the connection's secret when it has
 * none (`secret: { from: 'connection' }`). `{ body }`: a string at this path of a JSON body
 * (Notion's `{ "verification_token": … }`), answered 200 with no body and stored as the
 * integration's secret when it has none (`secret: { from: 'integration' }`); the vendor reads it
 * once (`POST /v1/integrations/{key}/webhook-secret/reveal`) to paste it back into the provider.
 */
export const webhookSecretHandshakeSchema = z.union([z.strictObject({ header: headerName }), z.strictObject({ body: bodyPath })])

/** A connector's `webhooks` section; see this module's docstring. */
export const connectorWebhooksSchema = z.strictObject({
  secret: webhookSecretSourceSchema,
  signature: webhookSignatureSchema,
  /** Absent: the provider calls one URL per connection. */
  route: webhookRouteSchema.optional(),
  eventType: webhookValueSourceSchema.optional(),
  handshake: webhookHandshakeSchema.optional(),
  /** A handshake that delivers the signing secret: a header (Asana; needs `secret: { from: 'connection' }`) or a body value (Notion; needs `secret: { from: 'integration' }`). */
  secretHandshake: webhookSecretHandshakeSchema.optional(),
  /**
   * How a request whose signature is refused is answered: 401 in both cases; `problem` (absent):
   * with an `application/problem+json` body; `empty`: with no body, for providers that check the
   * answer (Xero's "Intent to receive" wants a 401 and no body).
   */
  refusal: z.enum(['problem', 'empty']).optional(),
  /** The provider's page about verifying its webhooks. */
  docs: z.string().url(),
})
/** A `webhooks` section as the engine reads it (defaults filled in). */
export type ConnectorWebhooks = z.output<typeof connectorWebhooksSchema>
/** A `webhooks` section as a connector author writes it. */
export type ConnectorWebhooksInput = z.input<typeof connectorWebhooksSchema>

/**
 * Cross-checks a connector's `webhooks` against the rest of it (called by `connectorSchema`):
 * the routing config value is declared; a `clientSecret` secret needs OAuth 2.0 or 1.0a; a `credentials`
 * field exists in `auth.fields`; a per-connection secret (`credentials`, `connection`) has no `route`;
 * a `secretHandshake` stores a `connection` secret.
 * @returns issues as `{ path, message }`, paths relative to the connector.
 */
export function checkConnectorWebhooks(c: { webhooks?: ConnectorWebhooks | undefined; connectionConfig: Record<string, unknown>; auth: { type: string; fields?: Record<string, unknown> } }): { path: (string | number)[]; message: string }[] {
  const w = c.webhooks
  if (!w) return []
  const issues: { path: (string | number)[]; message: string }[] = []
  if (w.route && !Object.hasOwn(c.connectionConfig, w.route.connectionConfig)) issues.push({ path: ['webhooks', 'route', 'connectionConfig'], message: `${w.route.connectionConfig} is not declared in connectionConfig` })
  if (w.secret.from === 'clientSecret' && c.auth.type !== 'oauth2' && c.auth.type !== 'oauth1') issues.push({ path: ['webhooks', 'secret', 'from'], message: 'clientSecret needs OAuth 2.0 (authorization code) or OAuth 1.0a auth (the integration’s client secret)' })
  if (w.secret.from === 'credentials' && !(c.auth.fields && Object.hasOwn(c.auth.fields, w.secret.field))) issues.push({ path: ['webhooks', 'secret', 'field'], message: `${w.secret.field} is not a field of auth.fields` })
  if ((w.secret.from === 'credentials' || w.secret.from === 'connection') && w.route) issues.push({ path: ['webhooks', 'route'], message: 'a per-connection secret needs per-connection URLs: leave out route' })
  if (w.route && 'body' in w.route && w.route.split && !/^(?:[^*.]+\.)*\*\.[^*]+$/.test(w.route.body)) issues.push({ path: ['webhooks', 'route', 'split'], message: 'split needs a body path with exactly one * segment, not the last (events.*.tenantId)' })
  if (w.secretHandshake && 'header' in w.secretHandshake && w.secret.from !== 'connection') issues.push({ path: ['webhooks', 'secretHandshake'], message: "a header secret handshake stores the connection's secret: needs secret: { from: 'connection' }" })
  if (w.secretHandshake && 'body' in w.secretHandshake && w.secret.from !== 'integration') issues.push({ path: ['webhooks', 'secretHandshake'], message: "a body secret handshake stores the integration's secret: needs secret: { from: 'integration' }" })
  if (w.signature.type === 'hmac' && w.signature.signed.includes('timestamp') && !w.signature.timestamp) issues.push({ path: ['webhooks', 'signature', 'timestamp'], message: 'signed includes timestamp: say where it is' })
  return issues
}

// ── Runtime ─────────────────────────────────────────────────────────────────────────────────

/** An incoming request as the pure functions see it. */
export interface IncomingWebhook {
  /** Upper-case HTTP method. */
  method: string
  /** The full URL the provider called (Patchbay's public URL, path and query). */
  url: string
  /** Header values by lower-case name. */
  headers: Readonly<Record<string, string | undefined>>
  /** The body exactly as received. */
  rawBody: Uint8Array
  /** The parsed body ({@link parseWebhookBody}), read only after the signature is verified. */
  body?: unknown
}

/** Why a signature was refused; stable strings, safe to log (no secret, no signature). */
export type WebhookRejection = 'signature_missing' | 'signature_mismatch' | 'timestamp_missing' | 'timestamp_invalid' | 'timestamp_stale'

/** The outcome of {@link verifyWebhookSignature}. */
export type WebhookVerification = { ok: true } | { ok: false; reason: WebhookRejection }

const header = (req: IncomingWebhook, name: string) => req.headers[name.toLowerCase()]

/**
 * Every value at a dotted path whose `*` segments fan out over array elements (`a.*.b` → the `b` of
 * each element of `a`, `undefined` where one has none); without `*`, the one value of {@link getPath}.
 */
function getPathValues(obj: unknown, dotted: string): unknown[] {
  let current: unknown[] = [obj]
  for (const segment of dotted.split('.')) {
    if (segment === '*') current = current.flatMap((v) => (Array.isArray(v) ? v : []))
    else current = current.map((v) => getPath(v, segment))
  }
  return current
}

/**
 * The fields of a form body (`application/x-www-form-urlencoded`), decoded, sorted by name then
 * value in code-unit order, each name followed by its value: the `sortedForm` signed part.
 * @returns `undefined` when the request is not form-encoded.
 */
function sortedForm(req: IncomingWebhook): string | undefined {
  if (!(header(req, 'content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) return undefined
  const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
  const fields = [...new URLSearchParams(Buffer.from(req.rawBody).toString('utf8'))]
  fields.sort(([an, av], [bn, bv]) => byCodeUnit(an, bn) || byCodeUnit(av, bv))
  return fields.map(([name, value]) => name + value).join('')
}

/** Constant-time equality of two strings of any length (compares their SHA-256 digests). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest()
  const db = createHash('sha256').update(b, 'utf8').digest()
  return timingSafeEqual(da, db) && a.length === b.length
}

/**
 * Parses a webhook body for `body` paths: JSON, or form fields (`a=1&b=2` → `{ a: '1', b: '2' }`)
 * when `contentType` is `application/x-www-form-urlencoded`. Never throws.
 * @returns the parsed value, or `undefined` when the body is neither.
 */
export function parseWebhookBody(rawBody: Uint8Array, contentType: string | undefined): unknown {
  const text = Buffer.from(rawBody).toString('utf8')
  if ((contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text))
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/**
 * The value of a header or body path as a string (numbers and booleans stringified), or
 * `undefined`. A body path with `*` segments has a value only when every element has one and all
 * are the same (a batch of one account's events); a batch that mixes accounts, or has an element
 * without one, has none, so no element is ever routed to another element's account.
 */
export function readWebhookValue(source: WebhookValueSource | { header: string } | { body: string }, req: IncomingWebhook): string | undefined {
  const scalar = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined)
  if ('header' in source) return scalar(header(req, source.header))
  const values = getPathValues(req.body, source.body).map(scalar)
  const first = values[0]
  return first !== undefined && values.every((v) => v === first) ? first : undefined
}

/** Seconds since the epoch of a timestamp in `unit`, or `undefined` when it does not parse. */
function epochSeconds(value: string, unit: 's' | 'ms' | 'iso8601'): number | undefined {
  if (unit === 'iso8601') {
    const ms = Date.parse(value)
    return Number.isNaN(ms) ? undefined : ms / 1000
  }
  if (!/^\d{1,16}$/.test(value)) return undefined
  return unit === 'ms' ? Number(value) / 1000 : Number(value)
}

/** `url` with each of the percent-encoded `octets` (`%3A`…, matched in either hex case) replaced by its character. */
export function decodeOctets(url: string, octets: readonly string[]): string {
  const wanted = new Set(octets.map((o) => o.toUpperCase()))
  return url.replace(/%[0-9A-Fa-f]{2}/g, (o) => (wanted.has(o.toUpperCase()) ? String.fromCharCode(parseInt(o.slice(1), 16)) : o))
}

function hmac(algorithm: string, secret: string, parts: (string | Uint8Array)[]): Buffer {
  const mac = createHmac(algorithm, secret)
  for (const p of parts) mac.update(p)
  return mac.digest()
}

/**
 * Checks a request's signature as `signature` declares it, with `secret`. The signature is checked
 * before the timestamp (so a body timestamp is read from a verified body), and compared in
 * constant time.
 * @param opts.now the current time (tests); default now.
 * @returns `{ ok: true }`, or why it was refused.
 * @see https://docs.stripe.com/webhooks#verify-manually (`stripe`)
 * @see https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries (`hmac` of the body)
 * @see https://docs.slack.dev/authentication/verifying-requests-from-slack (`hmac` with a timestamp)
 */
export function verifyWebhookSignature(signature: WebhookSignature, req: IncomingWebhook, secret: string, opts: { now?: Date } = {}): WebhookVerification {
  const now = (opts.now ?? new Date()).getTime() / 1000
  if (signature.type === 'token') {
    const got = header(req, signature.header)
    if (got === undefined || got === '') return { ok: false, reason: 'signature_missing' }
    return safeEqual(got, `${signature.prefix}${secret}`) ? { ok: true } : { ok: false, reason: 'signature_mismatch' }
  }
  if (signature.type === 'stripe') {
    const got = header(req, signature.header)
    if (!got) return { ok: false, reason: 'signature_missing' }
    const pairs = got.split(',').map((kv) => {
      const i = kv.indexOf('=')
      return i < 0 ? ['', ''] : [kv.slice(0, i).trim(), kv.slice(i + 1).trim()]
    })
    const t = pairs.find(([k]) => k === 't')?.[1]
    const candidates = pairs.filter(([k]) => k === signature.scheme).map(([, v]) => v!.toLowerCase())
    if (!t) return { ok: false, reason: 'timestamp_missing' }
    if (!candidates.length) return { ok: false, reason: 'signature_missing' }
    const expected = hmac('sha256', secret, [t, '.', req.rawBody]).toString('hex')
    // Every candidate is compared (no early exit), so timing does not tell which one matched.
    const matched = candidates.map((c) => safeEqual(c, expected)).includes(true)
    if (!matched) return { ok: false, reason: 'signature_mismatch' }
    const ts = epochSeconds(t, 's')
    if (ts === undefined) return { ok: false, reason: 'timestamp_invalid' }
    return Math.abs(now - ts) > signature.toleranceSeconds ? { ok: false, reason: 'timestamp_stale' } : { ok: true }
  }
  const got = header(req, signature.header)
  if (!got) return { ok: false, reason: 'signature_missing' }
  const ts = signature.timestamp
  // A header timestamp can be read before verifying; a body one only after (below).
  let timestamp = ts?.header !== undefined ? header(req, ts.header) : undefined
  if (ts?.header !== undefined && timestamp === undefined) return { ok: false, reason: 'timestamp_missing' }
  if (ts?.body !== undefined) {
    timestamp = readWebhookValue({ body: ts.body }, { ...req, body: req.body ?? parseWebhookBody(req.rawBody, header(req, 'content-type')) })
    if (timestamp === undefined) return { ok: false, reason: 'timestamp_missing' }
  }
  const parts: (string | Uint8Array)[] = []
  for (const p of signature.signed) {
    if (p === 'body') parts.push(req.rawBody)
    else if (p === 'method') parts.push(req.method.toUpperCase())
    else if (p === 'url') parts.push(req.url)
    else if (p === 'timestamp') parts.push(timestamp ?? '')
    else if (p === 'sortedForm') {
      const form = sortedForm(req)
      if (form === undefined) return { ok: false, reason: 'signature_mismatch' }
      parts.push(form)
    } else if ('header' in p) parts.push(header(req, p.header) ?? '')
    else if ('url' in p) parts.push(decodeOctets(req.url, p.url.decode))
    else parts.push(p.literal)
  }
  const expected = hmac(signature.algorithm, secret, parts).toString(signature.encoding)
  const provided = got.startsWith(signature.prefix) ? got.slice(signature.prefix.length).trim() : undefined
  if (provided === undefined) return { ok: false, reason: 'signature_mismatch' }
  if (!safeEqual(signature.encoding === 'hex' ? provided.toLowerCase() : provided, expected)) return { ok: false, reason: 'signature_mismatch' }
  if (ts && timestamp !== undefined) {
    const seconds = epochSeconds(timestamp, ts.unit)
    if (seconds === undefined) return { ok: false, reason: 'timestamp_invalid' }
    if (Math.abs(now - seconds) > ts.toleranceSeconds) return { ok: false, reason: 'timestamp_stale' }
  }
  return { ok: true }
}

/**
 * The value that names the event's connection: read as `route` says, narrowed by its pattern's
 * capture group. `undefined` when absent or when the pattern does not match.
 * @example webhookRouteValue({ header: 'X-Shopify-Shop-Domain', pattern: '^([a-z0-9-]+)\\.myshopify\\.com$', connectionConfig: 'shop' }, req) // 'acme'
 */
export function webhookRouteValue(route: WebhookRoute, req: IncomingWebhook): string | undefined {
  const raw = readWebhookValue('header' in route ? { header: route.header } : { body: route.body }, req)
  if (raw === undefined || route.pattern === undefined) return raw === '' ? undefined : raw
  const m = new RegExp(route.pattern).exec(raw)
  return m?.[1] || undefined
}

/** `obj` with the value at dotted path `dotted` (which exists, own properties) replaced by `value`; copies along the path, never mutates. */
function withPath(obj: unknown, dotted: string, value: unknown): unknown {
  const [head, ...rest] = dotted.split('.') as [string, ...string[]]
  const inner = (current: unknown) => (rest.length ? withPath(current, rest.join('.'), value) : value)
  if (Array.isArray(obj)) return obj.map((v, i) => (String(i) === head ? inner(v) : v))
  const o = obj as Record<string, unknown>
  return { ...o, [head]: inner(o[head]) }
}

/** One account's share of an event: the route value and the body to forward to its connections. */
export interface WebhookRoutePart {
  value: string
  body: unknown
}

/**
 * The accounts an event is for, each with the body its connections receive. Without `split`: the
 * one value of {@link webhookRouteValue} with the whole body, or none. With `split` (a `body` path
 * `a.*.b`): the elements of array `a` grouped by their `b` (narrowed by `pattern`), in order of
 * first appearance, each group forwarded as the body with `a` replaced by the group; elements
 * without a value are left out, so none reaches another element's account. At most `maxParts`
 * accounts (the rest are left out; the caller logs it).
 * @example splitting `{ events: [{ tenantId: 'A' }, { tenantId: 'B' }, { tenantId: 'A' }] }` by `events.*.tenantId` → A: two events, B: one
 */
export function webhookRouteParts(route: WebhookRoute, req: IncomingWebhook, maxParts = 100): WebhookRoutePart[] {
  if (!('body' in route) || !route.split) {
    const value = webhookRouteValue(route, req)
    return value === undefined ? [] : [{ value, body: req.body }]
  }
  const segments = route.body.split('.')
  const star = segments.indexOf('*')
  const arrayPath = segments.slice(0, star).join('.')
  const itemRoute = { body: segments.slice(star + 1).join('.'), pattern: route.pattern, connectionConfig: route.connectionConfig }
  const items = getPath(req.body, arrayPath)
  if (!Array.isArray(items) || itemRoute.body === '' || itemRoute.body.includes('*')) return []
  const groups = new Map<string, unknown[]>()
  for (const item of items) {
    const value = webhookRouteValue(itemRoute, { ...req, body: item })
    if (value === undefined) continue
    const group = groups.get(value)
    if (group) group.push(item)
    else if (groups.size < maxParts) groups.set(value, [item])
  }
  return [...groups].map(([value, group]) => ({ value, body: arrayPath === '' ? group : withPath(req.body, arrayPath, group) }))
}

/** The provider's name of the event (`push`, `customer.created`, `app_mention`), or `undefined`. */
export function webhookEventType(webhooks: Pick<ConnectorWebhooks, 'eventType'>, req: IncomingWebhook): string | undefined {
  return webhooks.eventType ? readWebhookValue(webhooks.eventType, req) : undefined
}

/**
 * The answer to a handshake request, or `undefined` when `req` is not one (or the value to echo is
 * missing, or a `digest` is declared and no `secret` is given). Call it only after the signature
 * was verified: with a `digest`, the answer is an HMAC of a value the caller chose.
 * @param secret the signing secret, for `respond.digest` (Zoom: `encryptedToken`).
 * @see https://developers.zoom.us/docs/api/webhooks/#validate-your-webhook-endpoint
 */
export function webhookHandshake(webhooks: Pick<ConnectorWebhooks, 'handshake'>, req: IncomingWebhook, secret?: string): { contentType: 'text/plain' | 'application/json'; body: string } | undefined {
  const h = webhooks.handshake
  if (!h || getPath(req.body, h.when.body) !== h.when.equals) return undefined
  const value = readWebhookValue({ body: h.respond.body }, req)
  if (value === undefined) return undefined
  if (h.respond.as === 'text') return { contentType: 'text/plain', body: value }
  const answer: Record<string, string> = { [h.respond.body.split('.').pop()!]: value }
  if (h.respond.digest) {
    if (secret === undefined) return undefined
    answer[h.respond.digest.field] = hmac(h.respond.digest.algorithm, secret, [value]).toString(h.respond.digest.encoding)
  }
  return { contentType: 'application/json', body: JSON.stringify(answer) }
}

/** Longest secret accepted from a secret handshake, characters (Asana's are 64 hex digits). */
export const MAX_HANDSHAKE_SECRET_LENGTH = 512

/**
 * The secret a secret-handshake request offers (Asana's `X-Hook-Secret` header; Notion's
 * `verification_token` body member), or `undefined` when `req` is not one: the connector declares
 * no `secretHandshake`, the header or body string is absent (a body value must be a JSON string),
 * or the value is empty, longer than {@link MAX_HANDSHAKE_SECRET_LENGTH} or not printable ASCII
 * (such a request then goes through signature verification like any other, and fails it).
 * The body is unsigned here: only that one string is read from it.
 * @see https://developers.asana.com/docs/webhooks-guide#the-webhook-handshake
 * @see https://developers.notion.com/reference/webhooks (Step 2, "Verifying the subscription")
 */
export function webhookSecretHandshake(webhooks: Pick<ConnectorWebhooks, 'secretHandshake'>, req: IncomingWebhook): string | undefined {
  const h = webhooks.secretHandshake
  if (!h) return undefined
  const value = 'header' in h ? header(req, h.header) : getPath(req.body ?? parseWebhookBody(req.rawBody, header(req, 'content-type')), h.body)
  if (typeof value !== 'string' || value.length > MAX_HANDSHAKE_SECRET_LENGTH || !/^[\x21-\x7e]+$/.test(value)) return undefined
  return value
}
