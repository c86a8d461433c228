/**
 * The connector definition language.
 *
 * A connector is plain data validated by {@link connectorSchema}: what its authors write is
 * `ConnectorInput` (`z.input`), what the engine reads is `Connector` (`z.output`, with every
 * default filled in). Objects are strict: a typo in a key fails at load time, not at run time.
 *
 * Templates: URLs may contain `{name}` placeholders resolved from the connection config
 * (for example `https://{subdomain}.zendesk.com/api/v2`); every placeholder must be declared in
 * `connectionConfig`. Credential injection templates (`inject.headers`, `inject.query`) resolve
 * `{name}` from the connection's credentials (for example `Bearer {apiKey}`).
 */
import { z } from 'zod'
import { checkMapping, providerFieldsOf } from '../server/src/mapping/check'
import { fieldMappingSchema, fieldTypeSchema, type FieldType } from '../server/src/mapping/schema'
import { COMMON_MODEL_NAMES, COMMON_MODELS } from './common-models'
import { operationProblems, readOperation } from './graphql'
import { checkConnectorWebhooks, connectorWebhooksSchema } from './webhooks'

/** Placeholders such as `{subdomain}` in a template string. */
const PLACEHOLDER = /\{([a-zA-Z][a-zA-Z0-9_]*)\}/g

/** A frequency such as `15m` or `7d` (units s, m, h, d; format checked by the caller's regex), in ms. */
function frequencyMs(value: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(value)
  return m ? Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'] : NaN
}

/** Names of the `{placeholders}` used in a template. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!)
}

const id = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case (a-z, 0-9, -)')
const fieldName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/, 'must be an identifier')
/** An absolute http(s) URL that may contain `{placeholders}`. */
const urlTemplate = z
  .string()
  .refine((s) => /^https?:\/\//.test(s) && URL.canParse(s.replace(PLACEHOLDER, 'x')), 'must be an absolute http(s) URL (placeholders allowed)')
const path = z.string().startsWith('/')
/** A dotted path into a JSON document, e.g. `paging.next.after`; `''` is the document itself. */
const jsonPath = z.string()

/** A field the end user fills in when connecting (API key, username, subdomain…). */
export const formFieldSchema = z.strictObject({
  label: z.string(),
  /** How the widget asks for it; `textarea` is a multi-line box (a pasted JSON key file). */
  type: z.enum(['text', 'password', 'url', 'email', 'textarea']).default('text'),
  description: z.string().optional(),
  placeholder: z.string().optional(),
  required: z.boolean().default(true),
  /** Regular expression (JavaScript syntax, anchored by the engine) the value must match. */
  pattern: z.string().optional(),
  /** A link to the provider's page where the user finds this value. */
  helpUrl: z.string().url().optional(),
})

/**
 * A connection config value (subdomain, region, instance URL…). Values are templated into URLs,
 * so by default they must be a DNS label; a connector widens `pattern` only where the provider needs it.
 */
export const connectionConfigFieldSchema = formFieldSchema.extend({
  pattern: z.string().default('^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$'),
  /** `user`: asked in the connect form; `token`: set by the connector's `afterTokenResponse` hook. */
  source: z.enum(['user', 'token']).default('user'),
  /** The value when the end user gives none (pre-filled in the connect form), e.g. GitLab's `gitlab.com`. Must match `pattern`. */
  default: z.string().optional(),
})

/** How credentials are put on each request. Templates resolve `{name}` from the credentials. */
const injectSchema = z.strictObject({
  headers: z.record(z.string(), z.string()).default({}),
  query: z.record(z.string(), z.string()).default({}),
})

/** A request made with freshly entered credentials before they are saved (API key, basic). */
const verifySchema = z.strictObject({
  method: z.enum(['GET', 'POST', 'HEAD']).default('GET'),
  path,
  /** Statuses that mean the credentials are valid. */
  okStatus: z.array(z.number().int()).default([200]),
})

const clientAuth = z.enum(['client_secret_basic', 'client_secret_post']).default('client_secret_basic')

/** OAuth 2.0 authorization code grant (RFC 6749 §4.1) with PKCE (RFC 7636). */
export const oauth2AuthSchema = z.strictObject({
  type: z.literal('oauth2'),
  authorizationUrl: urlTemplate,
  tokenUrl: urlTemplate,
  /** RFC 7009 revocation endpoint, called when a connection is deleted. */
  revocationUrl: urlTemplate.optional(),
  /** The minimal scopes requested by default; an integration may request others. */
  scopes: z.array(z.string()).default([]),
  scopeSeparator: z.string().default(' '),
  /** Send a PKCE S256 challenge (RFC 7636 §4.2). Default on; turn off only where the provider rejects it. */
  pkce: z.boolean().default(true),
  /** Client authentication at the token endpoint (RFC 6749 §2.3.1). */
  clientAuth,
  /**
   * How token requests are encoded: `form` (RFC 6749 §4.1.3, `application/x-www-form-urlencoded`),
   * or `json`, the same parameters as a JSON object, for providers whose token endpoint is an
   * ordinary JSON API (Square's ObtainToken: https://developer.squareup.com/reference/square/o-auth/obtain-token).
   * `json` needs `clientAuth: 'client_secret_post'` (the client secret is a member of the body).
   */
  tokenRequestBody: z.enum(['form', 'json']).default('form'),
  /** Extra authorization request parameters, e.g. `{ access_type: 'offline', prompt: 'consent' }`. */
  authorizationParams: z.record(z.string(), z.string()).default({}),
  /** Whether the provider issues refresh tokens (RFC 6749 §6). */
  refreshable: z.boolean().default(true),
  /**
   * `token_type` values the provider answers besides `bearer` (RFC 6749 §7.1), lower case, e.g.
   * Slack's `bot`; such tokens are used as `inject` says. Any other unknown type is refused.
   */
  tokenTypes: z.array(z.string().regex(/^[a-z][a-z0-9_-]*$/)).default([]),
  inject: injectSchema.default({ headers: { Authorization: 'Bearer {accessToken}' }, query: {} }),
}).refine((a) => a.tokenRequestBody !== 'json' || a.clientAuth === 'client_secret_post', { path: ['clientAuth'], message: "a JSON token request carries the client secret in its body: use 'client_secret_post'" })

/** OAuth 2.0 client credentials grant (RFC 6749 §4.4); the end user supplies the client. */
export const clientCredentialsAuthSchema = z.strictObject({
  type: z.literal('oauth2_client_credentials'),
  tokenUrl: urlTemplate,
  scopes: z.array(z.string()).default([]),
  scopeSeparator: z.string().default(' '),
  clientAuth,
  fields: z
    .record(fieldName, formFieldSchema)
    .default({ clientId: { label: 'Client ID', type: 'text', required: true }, clientSecret: { label: 'Client secret', type: 'password', required: true } }),
  inject: injectSchema.default({ headers: { Authorization: 'Bearer {accessToken}' }, query: {} }),
  verify: verifySchema.optional(),
})

/** A static API key (or token) the end user pastes in. */
export const apiKeyAuthSchema = z.strictObject({
  type: z.literal('api_key'),
  fields: z.record(fieldName, formFieldSchema).default({ apiKey: { label: 'API key', type: 'password', required: true } }),
  inject: injectSchema,
  verify: verifySchema,
})

/** HTTP Basic authentication (RFC 7617) with fields `username` and `password`. */
export const basicAuthSchema = z
  .strictObject({
    type: z.literal('basic'),
    fields: z.record(fieldName, formFieldSchema).default({
      username: { label: 'Username', type: 'text', required: true },
      password: { label: 'Password', type: 'password', required: true },
    }),
    /**
     * A constant `username` or `password` the form does not ask for: providers that take an API key
     * as the user name and ignore the password (Freshdesk's `X`, BambooHR's "any random string"), or
     * the reverse. A constant is not a secret (it is shown in the catalog); it cannot also be a form field.
     */
    fixed: z.strictObject({ username: z.string().max(200).optional(), password: z.string().max(200).optional() }).optional(),
    verify: verifySchema,
  })
  .refine((a) => !a.fixed || Object.keys(a.fixed).every((k) => !Object.hasOwn(a.fields, k)), { message: 'a fixed username or password cannot also be a form field', path: ['fixed'] })

/** The form fields of {@link jwtBearerAuthSchema}: only these two names, the key always. */
const JWT_BEARER_FIELDS = ['serviceAccountKey', 'subject'] as const

/**
 * OAuth 2.0 JWT bearer grant (RFC 7523 §2.1) with a service account key the end user pastes in the
 * connect form: Patchbay signs an assertion (RS256, RFC 7515) with the account's private key,
 * exchanges it at `tokenUrl` for an access token, and signs a new one when that token expires (no
 * refresh token is involved). The key is a JSON key file in Google's format (`type:
 * "service_account"`, `client_email`, `private_key`, `private_key_id`, `token_uri`; see
 * `server/src/services/service-account.ts`), the only format so far. The token request only ever
 * goes to `tokenUrl` (or the vendor's integration override): a key whose `token_uri` names another
 * URL is refused, never followed.
 *
 * Fields: `serviceAccountKey` (required, the whole JSON key file) and, optionally, `subject` (the
 * user the account acts as, the JWT `sub` claim: Google's domain-wide delegation). A connector may
 * relabel them; leaving `subject` out does not ask for it.
 */
export const jwtBearerAuthSchema = z
  .strictObject({
    type: z.literal('oauth2_jwt_bearer'),
    tokenUrl: urlTemplate,
    /** Sent in the assertion's `scope` claim, joined with `scopeSeparator` (Google's place for them). */
    scopes: z.array(z.string()).default([]),
    scopeSeparator: z.string().default(' '),
    /** Seconds from `iat` to `exp` of each assertion; Google allows at most 3600. */
    assertionLifetime: z.number().int().min(60).max(3600).default(3600),
    fields: z.record(fieldName, formFieldSchema).default({
      serviceAccountKey: { label: 'Service account key (JSON)', type: 'textarea', required: true, description: 'The whole JSON key file of the service account, as downloaded.' },
      subject: { label: 'User to act as', type: 'email', required: false, description: 'Only with domain-wide delegation: the email address of the user whose data the service account reads.' },
    }),
    inject: injectSchema.default({ headers: { Authorization: 'Bearer {accessToken}' }, query: {} }),
    verify: verifySchema.optional(),
  })
  .refine((a) => a.fields.serviceAccountKey?.required === true && Object.keys(a.fields).every((k) => (JWT_BEARER_FIELDS as readonly string[]).includes(k)), {
    message: `fields must be serviceAccountKey (required) and optionally subject`,
    path: ['fields'],
  })

/**
 * OAuth 1.0a three-legged flow (RFC 5849 §2): temporary credentials (`requestTokenUrl`, with
 * `oauth_callback`), the user's authorization (`authorizationUrl`, in the widget's popup), token
 * credentials (`accessTokenUrl`, with `oauth_verifier`). The consumer key and secret are the
 * integration's client id and secret; every request to the provider is signed (RFC 5849 §3) with
 * them and the connection's token credentials. See server/src/services/oauth1.ts.
 */
export const oauth1AuthSchema = z.strictObject({
  type: z.literal('oauth1'),
  /** Temporary credential request endpoint (RFC 5849 §2.1), called with POST. */
  requestTokenUrl: urlTemplate,
  /** Resource owner authorization endpoint (RFC 5849 §2.2); the popup is sent here with `oauth_token`. */
  authorizationUrl: urlTemplate,
  /** Token request endpoint (RFC 5849 §2.3), called with POST and `oauth_verifier`. */
  accessTokenUrl: urlTemplate,
  /** RFC 5849 §3.4: `HMAC-SHA1` (§3.4.2), or `HMAC-SHA256` where the provider takes it. */
  signatureMethod: z.enum(['HMAC-SHA1', 'HMAC-SHA256']).default('HMAC-SHA1'),
  /** The minimal scopes requested by default (OAuth 1.0a has none of its own; sent as `scopeParam`); an integration may request others. */
  scopes: z.array(z.string()).default([]),
  /** The authorization URL parameter that carries the scopes (Trello's `scope`); without it scopes are not sent. */
  scopeParam: z.string().optional(),
  scopeSeparator: z.string().default(','),
  /**
   * Extra authorization URL parameters, e.g. Trello's `{ expiration: 'never' }`; `{integrationName}`
   * in a value becomes the integration's display name (Trello's `name`, shown on its prompt).
   */
  authorizationParams: z.record(z.string(), z.string()).default({}),
})

export const authSchema = z.discriminatedUnion('type', [oauth2AuthSchema, clientCredentialsAuthSchema, apiKeyAuthSchema, basicAuthSchema, jwtBearerAuthSchema, oauth1AuthSchema])

/** Cursor in the body (`paging.next.after`) or taken from the last item (Stripe's `starting_after`). */
const cursorPagination = z.strictObject({
  type: z.literal('cursor'),
  cursorParam: z.string(),
  /** Where the next cursor is: a path in the body, or (with `cursorFrom: 'lastItem'`) in the last item. */
  cursorPath: jsonPath,
  cursorFrom: z.enum(['body', 'lastItem']).default('body'),
  /** Path to a boolean that says whether another page exists (e.g. Stripe's `has_more`). */
  hasMorePath: jsonPath.optional(),
  itemsPath: jsonPath,
  limitParam: z.string().optional(),
  limit: z.number().int().positive().optional(),
})
/** `offset` + `limit`, or `page` numbers (`unit: 'pages'`). */
const offsetPagination = z.strictObject({
  type: z.literal('offset'),
  offsetParam: z.string(),
  unit: z.enum(['items', 'pages']).default('items'),
  startAt: z.number().int().default(0),
  itemsPath: jsonPath,
  limitParam: z.string().optional(),
  limit: z.number().int().positive().optional(),
})
/** RFC 8288 `Link: <…>; rel="next"` header (GitHub). */
const linkPagination = z.strictObject({
  type: z.literal('link'),
  rel: z.string().default('next'),
  itemsPath: jsonPath.default(''),
  limitParam: z.string().optional(),
  limit: z.number().int().positive().optional(),
})
/** A full next-page URL in the body (Salesforce `nextRecordsUrl`). */
const nextUrlPagination = z.strictObject({
  type: z.literal('next_url'),
  nextUrlPath: jsonPath,
  itemsPath: jsonPath,
  limitParam: z.string().optional(),
  limit: z.number().int().positive().optional(),
})
/**
 * GraphQL connections (Relay cursor connections, https://relay.dev/graphql/connections.htm), for
 * objects with `graphql`: the page size and the cursor are GraphQL variables (`first`, `after`)
 * named by `limitParam` and `cursorParam` (on a GraphQL list, a "parameter" is a variable);
 * `pageInfo.hasNextPage` says whether another page exists and `pageInfo.endCursor` is its cursor
 * (https://relay.dev/graphql/connections.htm#sec-undefined.PageInfo).
 */
const relayPagination = z.strictObject({
  type: z.literal('relay'),
  /** The connection's nodes, e.g. `data.issues.nodes`. */
  itemsPath: jsonPath,
  /** The connection's `PageInfo`, e.g. `data.issues.pageInfo`. */
  pageInfoPath: jsonPath,
  /** The variable that takes `endCursor` (like `cursorParam` of other lists); the operation must define it. */
  cursorParam: z.string().regex(/^[_A-Za-z][_0-9A-Za-z]*$/).default('after'),
  /** The variable that takes the page size `limit`, e.g. `first`; the operation must define it. */
  limitParam: z.string().regex(/^[_A-Za-z][_0-9A-Za-z]*$/).optional(),
  limit: z.number().int().positive().optional(),
})
export const paginationSchema = z.discriminatedUnion('type', [cursorPagination, offsetPagination, linkPagination, nextUrlPagination, relayPagination])

/** How the provider signals rate limits. Header names are case-insensitive. */
const rateLimitSchema = z.strictObject({
  limitHeader: z.string().optional(),
  remainingHeader: z.string().optional(),
  resetHeader: z.string().optional(),
  /** How `resetHeader` is expressed. */
  resetUnit: z.enum(['epoch_s', 'epoch_ms', 'delta_s']).default('epoch_s'),
  /** A proactive budget: at most this many requests per connection per window. */
  requests: z.number().int().positive().optional(),
  windowMs: z.number().int().positive().optional(),
})

const retrySchema = z.strictObject({
  on: z.array(z.number().int()).default([429, 502, 503, 504]),
  /** Total attempts including the first. */
  maxAttempts: z.number().int().min(1).max(10).default(3),
  /** Upper bound for one wait, ms. A longer Retry-After is not waited for: the response is returned. */
  maxDelayMs: z.number().int().positive().default(10_000),
})

export const fieldSchema = z.strictObject({
  type: fieldTypeSchema,
  /** The provider's primary key. */
  key: z.boolean().default(false),
  /** Dotted path in the provider's item; defaults to the field's own name. */
  from: jsonPath.optional(),
  description: z.string().optional(),
  enumValues: z.array(z.string()).optional(),
})

export const objectSchema = z.strictObject({
  /** What the end user calls these, plural, e.g. `Contacts` (the widget's mapping screen). Default: the object's name. */
  label: z.string().min(1).max(60).optional(),
  description: z.string().optional(),
  path,
  params: z.record(z.string(), z.string()).default({}),
  /** Overrides `http.pagination` for this object. */
  pagination: paginationSchema.optional(),
  /**
   * A list that is a `POST` with this JSON body (a search endpoint such as HubSpot's
   * `POST /crm/v3/objects/contacts/search`). The pagination's `cursorParam`, `limitParam` or
   * `offsetParam` and the sync's `updatedSince`/`updatedSinceParam` are then top-level members of
   * the body rather than query parameters; `params` stay in the query. `cursor` and `offset`
   * pagination only (a next-page URL cannot carry a body).
   */
  body: z.record(z.string(), z.json()).optional(),
  /**
   * A GraphQL list: each page is `POST path` with `{ "query", "variables" }` (GraphQL over HTTP),
   * paged with `relay` pagination. `query` is one `query` operation whose variables are checked at
   * load: every used one defined, every defined one used (GraphQL spec §5.8.3, §5.8.4), and those
   * Patchbay sets (the pagination's cursor and page size, the sync's `updatedSince`) defined.
   * `variables` are sent on every page. A response with a non-empty `errors` array fails the page
   * (spec §7.1.2), whatever its HTTP status.
   */
  graphql: z.strictObject({ query: z.string().min(1), variables: z.record(z.string(), z.json()).default({}) }).optional(),
  fields: z.record(fieldName, fieldSchema),
  /** Provider doc URL for this object's list endpoint. */
  docs: z.string().url().optional(),
  /** The Patchbay common model this object is (`./common-models.ts`), e.g. `contact`. */
  commonModel: z.enum(COMMON_MODEL_NAMES).optional(),
  /**
   * The connector's default mapping from this object to its `commonModel`: common field name →
   * where its value comes from (the field mapping language of `server/src/mapping/schema.ts`).
   * Checked at load time against the common model and this object's fields. Patchbay adapts it to
   * each vendor model by field name to pre-fill mappings.
   */
  defaultMapping: z.record(fieldName, fieldMappingSchema).optional(),
})

/** How a cursor is written into query text (`updatedSince.format`; `connectors/pagination.ts` `formatCursor`). */
const cursorFormat = z.enum(['iso8601', 'iso8601_ms', 'iso8601_offset', 'iso8601_offset_hhmm', 'epoch_s', 'epoch_ms'])
export type CursorFormat = z.output<typeof cursorFormat>

export const syncSchema = z.strictObject({
  object: z.string(),
  description: z.string().optional(),
  mode: z.enum(['incremental', 'full']),
  /** Incremental: the item field whose value only grows (e.g. `updatedAt`). */
  cursorField: z.string().optional(),
  /**
   * Incremental: the query parameter that takes the last cursor value (e.g. `since`); for a `body`
   * list the body member, for a `graphql` list the variable.
   */
  updatedSinceParam: z.string().optional(),
  /**
   * Incremental, for `body` and `graphql` lists whose filter nests the cursor: the body member or
   * GraphQL variable `name` is set to `value`, in which every string equal to `'{cursor}'` is
   * replaced by the last cursor value (kept a number when it is one). Left out of full runs, so an
   * optional filter variable means "everything". E.g. Linear:
   * `{ name: 'filter', value: { updatedAt: { gt: '{cursor}' } } }` with `$filter: IssueFilter`.
   */
  updatedSince: z
    .strictObject({
      name: z.string().regex(/^[_A-Za-z][_0-9A-Za-z]*$/),
      value: z.json(),
      /**
       * GET lists whose filter lives inside a query-text parameter (SOQL `q`, QuickBooks `query`):
       * `value` is then a string holding `{cursor}` exactly once, and incremental runs set the query
       * parameter `name` to it with `{cursor}` replaced by the last cursor FORMATTED as declared here
       * (`connectors/pagination.ts` `formatCursor`): `iso8601` (`2024-03-01T12:00:00Z`, whole
       * seconds, rounded down), `iso8601_ms` (`2024-03-01T12:00:00.123Z`), `iso8601_offset`
       * (`2024-03-01T12:00:00+00:00`), `iso8601_offset_hhmm` (`2024-03-01T12:00:00+0000`, the `±hhmm`
       * offset of Intuit's query example), `epoch_s` or `epoch_ms` (digits). The output holds only
       * digits, `-`, `:`, `.`, `T`, `Z` and `+`, never provider text, so it cannot change the query's
       * meaning; a cursor that does not parse as the format fails the run. Quotes the language needs
       * around a literal belong in `value` (`'{cursor}'`). Full runs keep the object's own `params`.
       */
      format: cursorFormat.optional(),
    })
    .optional(),
  /** Default schedule, e.g. `15m`, `1h`, `1d`. */
  defaultFrequency: z.string().regex(/^\d+(s|m|h|d)$/).default('1h'),
  /**
   * Incremental syncs: how often a scheduled run is a full resync instead (e.g. `1d`, `7d`; the
   * syntax of `defaultFrequency`, between 1m and 30d and longer than `defaultFrequency`). The
   * scheduler makes a run full (every record listed again, and every record it did not see marked
   * deleted) when the sync's last successful full run is older than this, so an incremental sync
   * also learns of deletions its incremental filter cannot see (purged, archived or hidden
   * records). An integration may override it per sync (`syncSettings.syncs[name].fullResyncFrequency`).
   * Absent: only the initial run and manual `fullResync` runs are full.
   */
  fullResyncFrequency: z.string().regex(/^\d+(s|m|h|d)$/).optional(),
  /**
   * How the provider marks a deleted item in its list responses (soft deletes, e.g. HubSpot's
   * `archived: true`): such an item is stored as deleted. Incremental syncs see deletions only this
   * way; full syncs also mark deleted every record a complete run did not see.
   */
  deletedWhen: z.strictObject({ path: jsonPath, equals: z.union([z.string(), z.number(), z.boolean()]).default(true) }).optional(),
}).superRefine((sync, ctx) => {
  const issue = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message })
  if (sync.fullResyncFrequency !== undefined) {
    const full = frequencyMs(sync.fullResyncFrequency)
    if (sync.mode !== 'incremental') issue(['fullResyncFrequency'], 'only an incremental sync has full resyncs; every run of a full sync is one')
    else if (full < 60_000 || full > 30 * 86_400_000) issue(['fullResyncFrequency'], 'must be between 1m and 30d')
    else if (full <= frequencyMs(sync.defaultFrequency)) issue(['fullResyncFrequency'], `must be longer than defaultFrequency (${sync.defaultFrequency})`)
  }
  // `updatedSince` checks that need only the sync; those that depend on its object's list kind are in checkPostRequests.
  const since = sync.updatedSince
  if (!since) return
  if (sync.updatedSinceParam) issue(['updatedSince'], 'set `updatedSince` or `updatedSinceParam`, not both')
  if (since.format === undefined) {
    if (!JSON.stringify(since.value).includes('"{cursor}"')) issue(['updatedSince', 'value'], "the value must hold the string '{cursor}'")
    return
  }
  if (typeof since.value !== 'string' || since.value.split('{cursor}').length !== 2) issue(['updatedSince', 'value'], "with `format`, the value must be a string holding '{cursor}' exactly once")
  if (sync.mode !== 'incremental') issue(['mode'], 'a templated `updatedSince` needs `mode: incremental`')
  if (!sync.cursorField) issue(['cursorField'], 'a templated `updatedSince` needs the `cursorField` its cursor comes from')
})

export const actionSchema = z.strictObject({
  description: z.string(),
  method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE']),
  path,
  /** A zod schema for the action's input. */
  input: z.custom<z.ZodType>((v) => v instanceof z.ZodType, 'must be a zod schema'),
  /**
   * How the input is sent: `json` (default), or `form` (`application/x-www-form-urlencoded`,
   * nested objects in brackets, `metadata[plan]=pro`, as Stripe and Twilio take them). `{name}`
   * placeholders in `path` are filled from the input fields of the same name (URL-encoded) and
   * left out of the body.
   */
  body: z.enum(['json', 'form']).default('json'),
  /** With `body: 'form'`: lists as `key[0]=a&key[1]=b` (`indexed`, Stripe) or `key=a&key=b` (`repeat`, Twilio's `MediaUrl`). */
  formArrays: z.enum(['indexed', 'repeat']).default('indexed'),
  /**
   * A GraphQL mutation (method `POST`, `body: 'json'`, no path placeholders): the request body is
   * `{ "query": query, "variables": … }` where the variables are the action's input, or, with
   * `inputVariable`, `{ [inputVariable]: input }` (Linear's `issueCreate(input: $input)`). Checked
   * at load like an object's `graphql`. A response with a non-empty `errors` array is a failed run
   * (GraphQL spec §7.1.2), even with HTTP 200.
   */
  graphql: z.strictObject({ query: z.string().min(1), inputVariable: z.string().regex(/^[_A-Za-z][_0-9A-Za-z]*$/).optional() }).optional(),
  /**
   * The object whose record shape the input is (a create or update of a `contact`). With it, the
   * action also takes a record in the vendor's model shape, written back through the inverse of
   * the connection's mapping of that object (two-way sync).
   */
  object: fieldName.optional(),
}).superRefine((action, ctx) => {
  if (!action.graphql) return
  const issue = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message })
  if (action.method !== 'POST') issue(['method'], 'a GraphQL action is a POST')
  if (action.body !== 'json') issue(['body'], 'a GraphQL action sends JSON')
  if (placeholders(action.path).length > 0) issue(['path'], 'a GraphQL action takes no path placeholders: the input goes into the variables')
  const keys = action.graphql.inputVariable ? [action.graphql.inputVariable] : action.input instanceof z.ZodObject ? Object.keys(action.input.shape) : []
  for (const problem of operationProblems(action.graphql.query, 'mutation', keys)) issue(['graphql', 'query'], problem)
})

/**
 * A field found in the connected account rather than declared by the connector (HubSpot
 * properties, Salesforce custom fields, Airtable columns), keyed by its dotted path in the record.
 */
export const discoveredFieldSchema = z.strictObject({
  type: fieldTypeSchema,
  /** The provider's own name for it, shown to the end user (`Lifecycle Stage`). */
  label: z.string().max(200).optional(),
  description: z.string().max(1000).optional(),
  enumValues: z.array(z.string().max(200)).max(500).optional(),
})
export type DiscoveredField = z.output<typeof discoveredFieldSchema>
/** At most 2,000 discovered fields per object. */
export const discoveredFieldsSchema = z.record(z.string().min(1).max(300), discoveredFieldSchema).refine((f) => Object.keys(f).length <= 2000, 'at most 2000 fields')

/** What a `discoverFields` hook may do: GET JSON from the provider as the connection (credentials, rate limits and retries applied). */
export interface DiscoveryContext {
  /** The connector object whose fields are wanted (`contact`). */
  object: string
  /**
   * GETs `path` (under the connection's base URL) and returns the parsed JSON body.
   * @throws {Error} (a Patchbay `upstream_error`) on a non-2xx answer or a body that is not JSON.
   */
  get: (path: string, query?: Record<string, string>) => Promise<unknown>
}

/** Typed per-connector hooks for provider quirks. */
export interface ConnectorHooks {
  /**
   * Reads connection config from the token response (RFC 6749 §5.1), e.g. Salesforce's
   * `instance_url`. Returns the config values to store; they must match the declared patterns.
   */
  afterTokenResponse?: (tokenResponse: Record<string, unknown>) => Record<string, string>
  /**
   * After the authorization code exchange, before the connection is stored: reads connection config
   * that needs a request with the new access token, e.g. Jira Cloud's site (`GET
   * https://api.atlassian.com/oauth/token/accessible-resources` → `cloudId`) or Xero's organisation
   * (`GET https://api.xero.com/connections` → `tenantId`). `get` sends the access token as a bearer
   * token to an absolute https URL and returns the parsed JSON (a non-2xx answer throws). Returned
   * values must be declared `source: 'token'` and match their patterns; a throw refuses the connection.
   * `callbackParams` are the query parameters of the redirect back to Patchbay other than `code`,
   * `state` and `iss` (RFC 6749 §4.1.2, RFC 9207), e.g. QuickBooks Online's company id `realmId`;
   * they come from the browser, so a hook checks them like any input (their patterns apply too).
   */
  afterAuthorization?: (ctx: { tokenResponse: Record<string, unknown>; connectionConfig: Readonly<Record<string, string>>; callbackParams: Readonly<Record<string, string>>; get: (url: string) => Promise<unknown> }) => Promise<Record<string, string>>
  /** A label for the connected account (e.g. the login), from the verify/`me` response. */
  accountLabel?: (body: unknown) => string | undefined
  /**
   * Adjusts one list item before a sync stores it (e.g. drops a field that changes on every
   * request, or fills the id from elsewhere), or returns `null` to skip it. Called for every item of
   * every page: keep it pure and cheap.
   */
  syncItem?: (item: unknown, sync: { name: string; model: string }) => unknown
  /**
   * Lists the connected account's own fields of an object (custom fields), keyed by dotted path in
   * the record, or `undefined` when the object has none. Patchbay caches the result per connection
   * and object for an hour (`DISCOVERY_TTL_MS`, server/src/services/mappings.ts) and validates it with {@link discoveredFieldsSchema}.
   */
  /**
   * The list parameters of an object for one connection, when a sync run starts: for providers that
   * return only the fields a request names (HubSpot's `properties`), add those the connection's
   * mapping reads (`mappedPaths`, dotted record paths such as `properties.custom_tier`). Pure.
   * When a mapping change changes these parameters, Patchbay refetches the object (a full resync),
   * since the stored records lack the new fields. `connectionConfig` is the connection's config, for
   * providers whose list needs an account value as a query parameter (Calendly's `user=<user URI>`);
   * query values are URL-encoded by the engine, so no pattern widening reaches a URL's path or host.
   */
  listParams?: (ctx: { object: string; params: Readonly<Record<string, string>>; mappedPaths: readonly string[]; connectionConfig?: Readonly<Record<string, string>> }) => Record<string, string>
  discoverFields?: (ctx: DiscoveryContext) => Promise<Record<string, { type: FieldType; label?: string | undefined; description?: string | undefined; enumValues?: string[] | undefined }> | undefined>
}

export const connectorSchema = z
  .strictObject({
    id,
    name: z.string().min(1),
    description: z.string().min(1),
    categories: z.array(z.enum(['crm', 'support', 'dev-tools', 'productivity', 'communication', 'payments', 'commerce', 'accounting', 'marketing', 'storage', 'hr', 'other'])).min(1),
    /** An SVG document (inline) shown in the catalog. */
    logo: z.string().startsWith('<svg'),
    /** Provider documentation home; each fact also cites its own URL in a comment. */
    docsUrl: z.string().url(),
    auth: authSchema,
    connectionConfig: z.record(fieldName, connectionConfigFieldSchema).default({}),
    http: z.strictObject({
      baseUrl: urlTemplate,
      /** Headers sent on every request, e.g. an API version; `{name}` placeholders come from the connection config (Xero's `xero-tenant-id: {tenantId}`). */
      headers: z.record(z.string(), z.string()).default({}),
      retry: retrySchema.default({ on: [429, 502, 503, 504], maxAttempts: 3, maxDelayMs: 10_000 }),
      rateLimit: rateLimitSchema.optional(),
      pagination: paginationSchema.optional(),
      /**
       * A 2xx answer that is an error all the same, e.g. Slack's `{ "ok": false, "error": "invalid_auth" }`
       * (HTTP 200): when the body's `path` equals `equals`, a sync page fails the attempt and an action
       * fails (`action_failed`); `messagePath` names the provider's error code for the message.
       */
      errorWhen: z.strictObject({ path: jsonPath, equals: z.union([z.string(), z.number(), z.boolean()]), messagePath: jsonPath.optional() }).optional(),
    }),
    /**
     * A request that identifies the connected account, used for its label: `GET path`, or with
     * `graphql` a `POST path` of that query (no variables), e.g. Linear's `{ viewer { … } }`.
     */
    accountInfo: z
      .strictObject({
        path,
        graphql: z
          .strictObject({ query: z.string().min(1) })
          .superRefine(({ query }, ctx) => {
            for (const message of operationProblems(query, 'query', [])) ctx.addIssue({ code: 'custom', path: ['query'], message })
            const op = (() => { try { return readOperation(query) } catch { return undefined } })()
            if (op && op.declared.length > 0) ctx.addIssue({ code: 'custom', path: ['query'], message: 'takes no variables' })
          })
          .optional(),
      })
      .optional(),
    objects: z.record(fieldName, objectSchema).default({}),
    syncs: z.record(fieldName, syncSchema).default({}),
    actions: z.record(fieldName, actionSchema).default({}),
    hooks: z.custom<ConnectorHooks>((v) => typeof v === 'object' && v !== null).default({}),
    /** Incoming provider webhooks: secret, signature, routing, event type, handshake (`./webhooks.ts`). */
    webhooks: connectorWebhooksSchema.optional(),
  })
  .superRefine((c, ctx) => {
    for (const issue of checkConnectorWebhooks(c)) ctx.addIssue({ code: 'custom', ...issue })
    const declared = new Set(Object.keys(c.connectionConfig))
    const urls: [string, string | undefined][] = [
      ['http.baseUrl', c.http.baseUrl],
      ['auth.tokenUrl', 'tokenUrl' in c.auth ? c.auth.tokenUrl : undefined],
      ['auth.authorizationUrl', c.auth.type === 'oauth2' || c.auth.type === 'oauth1' ? c.auth.authorizationUrl : undefined],
      ['auth.revocationUrl', c.auth.type === 'oauth2' ? c.auth.revocationUrl : undefined],
      ['auth.requestTokenUrl', c.auth.type === 'oauth1' ? c.auth.requestTokenUrl : undefined],
      ['auth.accessTokenUrl', c.auth.type === 'oauth1' ? c.auth.accessTokenUrl : undefined],
    ]
    for (const [name, field] of Object.entries(c.connectionConfig)) {
      if (field.default !== undefined && !new RegExp(`^(?:${field.pattern})$`).test(field.default)) ctx.addIssue({ code: 'custom', path: ['connectionConfig', name, 'default'], message: 'the default does not match the pattern' })
    }
    // Header templates too: every placeholder must be a declared connection config field.
    for (const [name, value] of Object.entries(c.http.headers)) urls.push([`http.headers.${name}`, value])
    for (const [at, url] of urls) {
      for (const name of url ? placeholders(url) : []) {
        if (!declared.has(name)) ctx.addIssue({ code: 'custom', path: at.split('.'), message: `placeholder {${name}} is not declared in connectionConfig` })
      }
    }
    for (const [name, sync] of Object.entries(c.syncs)) {
      if (!Object.hasOwn(c.objects, sync.object)) ctx.addIssue({ code: 'custom', path: ['syncs', name, 'object'], message: `unknown object ${sync.object}` })
    }
    for (const [name, object] of Object.entries(c.objects)) {
      if (!object.pagination && !c.http.pagination) ctx.addIssue({ code: 'custom', path: ['objects', name, 'pagination'], message: 'no pagination for this object and no http.pagination default' })
      if (!Object.values(object.fields).some((f) => f.key)) ctx.addIssue({ code: 'custom', path: ['objects', name, 'fields'], message: 'one field must be the key' })
      if (object.defaultMapping && !object.commonModel) ctx.addIssue({ code: 'custom', path: ['objects', name, 'defaultMapping'], message: 'a defaultMapping needs the commonModel it maps to' })
      if (object.defaultMapping && object.commonModel) {
        const check = checkMapping(COMMON_MODELS[object.commonModel], providerFieldsOf(object), { model: object.commonModel, fields: object.defaultMapping })
        for (const e of check.errors) ctx.addIssue({ code: 'custom', path: ['objects', name, 'defaultMapping', e.field], message: `${e.code}: ${e.message}` })
      }
    }
    for (const [name, action] of Object.entries(c.actions)) {
      if (action.object !== undefined && !Object.hasOwn(c.objects, action.object)) ctx.addIssue({ code: 'custom', path: ['actions', name, 'object'], message: `unknown object ${action.object}` })
    }
    checkPostRequests(c, (path, message) => ctx.addIssue({ code: 'custom', path, message }))
  })

/**
 * Load-time checks of `POST` lists (`body`, `graphql`) that span an object, its pagination and its
 * syncs: the pagination fits the request, the variables Patchbay sets are defined by the operation,
 * and incremental settings reach a body member or variable. (GraphQL actions and `accountInfo` are
 * checked by their own schemas.)
 */
function checkPostRequests(
  c: {
    http: { pagination?: Pagination | undefined }
    objects: Record<string, z.output<typeof objectSchema>>
    syncs: Record<string, z.output<typeof syncSchema>>
  },
  issue: (path: (string | number)[], message: string) => void): void {
  for (const [name, object] of Object.entries(c.objects)) {
    const pagination = object.pagination ?? c.http.pagination
    const at = ['objects', name]
    if (object.body && object.graphql) issue(at, 'an object is a `body` list or a `graphql` list, not both')
    if (pagination?.type === 'relay' && !object.graphql) issue([...at, 'pagination'], '`relay` pagination needs a `graphql` object')
    if (object.body && pagination && pagination.type !== 'cursor' && pagination.type !== 'offset') issue([...at, 'pagination'], `a \`body\` list pages with \`cursor\` or \`offset\`, not \`${pagination.type}\``)
    if (object.graphql) {
      if (pagination && pagination.type !== 'relay') issue([...at, 'pagination'], `a \`graphql\` list pages with \`relay\`, not \`${pagination.type}\``)
      const required = [...Object.keys(object.graphql.variables)]
      if (pagination?.type === 'relay') {
        required.push(pagination.cursorParam)
        if (pagination.limitParam !== undefined) required.push(pagination.limitParam)
      }
      for (const sync of Object.values(c.syncs)) {
        if (sync.object !== name) continue
        if (sync.updatedSince) required.push(sync.updatedSince.name)
        if (sync.updatedSinceParam) required.push(sync.updatedSinceParam)
      }
      for (const problem of operationProblems(object.graphql.query, 'query', required)) issue([...at, 'graphql', 'query'], problem)
    }
  }
  // The sync-local checks of `updatedSince` are syncSchema's; these depend on the object's list kind.
  for (const [name, sync] of Object.entries(c.syncs)) {
    const object = Object.hasOwn(c.objects, sync.object) ? c.objects[sync.object] : undefined
    if (!sync.updatedSince) continue
    const getList = object !== undefined && !object.body && !object.graphql
    if (sync.updatedSince.format !== undefined) {
      // A templated query parameter: GET lists only.
      if (!getList) issue(['syncs', name, 'updatedSince', 'format'], 'a formatted `updatedSince` templates a query parameter of a GET list; `body` and `graphql` lists take `{cursor}` values without `format`')
    } else if (getList) {
      issue(['syncs', name, 'updatedSince'], '`updatedSince` is for `body` and `graphql` lists; a GET list takes `updatedSinceParam`')
    }
  }
}

/** What a connector author writes. */
export type ConnectorInput = z.input<typeof connectorSchema>
/** What the engine reads: validated, with defaults applied. */
export type Connector = z.output<typeof connectorSchema>
export type ConnectorAuth = Connector['auth']
export type Pagination = z.output<typeof paginationSchema>
export type FormField = z.output<typeof formFieldSchema>

/**
 * Validates a connector definition and fills in its defaults.
 * @throws {z.ZodError} when the definition does not match {@link connectorSchema}.
 * @example export default defineConnector({ id: 'github', name: 'GitHub', … })
 */
export function defineConnector(input: ConnectorInput): Connector {
  return connectorSchema.parse(input)
}
