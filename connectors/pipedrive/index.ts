/**
 * Pipedrive (API v2 lists, OAuth 2.0 for Marketplace apps).
 *
 * Sources, each cited again where it is used:
 * - OAuth: https://pipedrive.readme.io/docs/marketplace-oauth-authorization and
 *   https://developers.pipedrive.com/docs/api/v1/Oauth
 * - `api_domain` in token responses: https://developers.pipedrive.com/changelog/post/new-parameter-in-oauth-oauthtoken-responses
 * - Scopes: https://pipedrive.readme.io/docs/marketplace-scopes-and-permissions-explanations
 * - Pagination: https://pipedrive.readme.io/docs/core-api-concepts-pagination
 * - Rate limits: https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting
 * - Persons, organizations, deals (v2 list endpoints are documented on these pages):
 *   https://developers.pipedrive.com/docs/api/v1/Persons, …/Organizations, …/Deals
 * - Field names of API v2 records: Pipedrive's generated client, https://github.com/pipedrive/client-nodejs
 *   (`src/versions/v2/models/person.ts`, `organization-item.ts`, `deal-item.ts`, `add-person-request.ts`)
 */
import { z } from 'zod'
import { firstString, labelWithDetail } from '../helpers'
import { defineConnector } from '../schema'

/** A green rounded square with a white "P" monogram (not Pipedrive's logo). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Pipedrive">' +
  '<rect width="64" height="64" rx="14" fill="#1a7f4b"/>' +
  '<path d="M24 50V16h11a10 10 0 0 1 0 20H24" fill="none" stroke="#fff" stroke-width="7" stroke-linecap="round" stroke-linejoin="round"/>' +
  '</svg>'

/**
 * `api_domain` of a token response → the connection's `companyDomain`. The changelog: the token
 * response carries `"api_domain": "https://mycompanydomain.pipedrive.com"`, the company's own API
 * host, "and the company_domain can change", which is why it is sent with every token. Only the
 * company label is kept (`https://{companyDomain}.pipedrive.com` is the base URL), so nothing but a
 * pipedrive.com host can receive the token.
 * @throws {TypeError} when `api_domain` is missing or not `https://<one label>.pipedrive.com`.
 */
export function companyDomainFromToken(tokenResponse: Record<string, unknown>): { companyDomain: string } {
  const raw = tokenResponse.api_domain
  if (typeof raw !== 'string' || !URL.canParse(raw)) throw new TypeError('the Pipedrive token response has no valid api_domain')
  const url = new URL(raw)
  const label = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)\.pipedrive\.com$/.exec(url.hostname)?.[1]
  if (url.protocol !== 'https:' || url.port !== '' || url.username !== '' || url.password !== '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || !label) {
    throw new TypeError(`api_domain ${JSON.stringify(raw)} is not https://<company>.pipedrive.com`)
  }
  return { companyDomain: label }
}

/** Email or phone entries of a person: `[{ value, primary, label }]` (v2 `emails`/`phones`; "only value is required"). */
const contactPoints = z
  .array(z.strictObject({ value: z.string().min(1), primary: z.boolean().optional(), label: z.string().min(1).max(50).optional() }))
  .max(100)
const entityId = z.number().int().positive()

/** Fields shared by persons, organizations and deals in API v2. */
const common = {
  isDeleted: { type: 'boolean', from: 'is_deleted' },
  visibleTo: { type: 'integer', from: 'visible_to', description: 'Visibility: 1, 3, 5 or 7, whose meaning depends on the plan' },
  labelIds: { type: 'array', from: 'label_ids' },
  customFields: { type: 'object', from: 'custom_fields', description: 'Custom field values keyed by the field’s 40-character key' },
  createdAt: { type: 'datetime', from: 'add_time' },
  updatedAt: { type: 'datetime', from: 'update_time' },
} as const

export default defineConnector({
  id: 'pipedrive',
  name: 'Pipedrive',
  description: 'Bring in your Pipedrive people, organizations and deals, and add new people to Pipedrive from this app.',
  categories: ['crm'],
  logo,
  docsUrl: 'https://developers.pipedrive.com/docs/api/v1',
  auth: {
    type: 'oauth2',
    // https://pipedrive.readme.io/docs/marketplace-oauth-authorization, step 1:
    // "GET https://oauth.pipedrive.com/oauth/authorize?client_id=…&state=…&redirect_uri=…".
    authorizationUrl: 'https://oauth.pipedrive.com/oauth/authorize',
    // https://developers.pipedrive.com/docs/api/v1/Oauth, "Getting the tokens": POST /oauth/token on
    // oauth.pipedrive.com with "Authorization: Basic <base64(client_id:client_secret)>" (HTTP Basic
    // client authentication) and a form body (grant_type, code, redirect_uri).
    tokenUrl: 'https://oauth.pipedrive.com/oauth/token',
    clientAuth: 'client_secret_basic',
    // Scopes are chosen in the app's Developer Hub settings, not in the authorization request (which
    // takes only client_id, redirect_uri and state), and "the user has the option to either accept or
    // deny all scopes" (scopes page). The minimal set for this connector, to tick there:
    // - `base` (always on): GET /users/me, the account label;
    // - `contacts:full`: read persons and organizations, and add a person (`contacts:read` is enough
    //   without the add_person action);
    // - `deals:read`: read deals.
    // The token response lists the granted scopes comma-separated ("base,deals:full,contacts:read").
    scopes: [],
    // The docs do not mention PKCE. A challenge is still sent: an authorization server "MUST ignore
    // unrecognized request parameters" (RFC 6749 §3.1), so it costs nothing and protects the code
    // wherever Pipedrive checks it.
    pkce: true,
    // The token response has `expires_in` (3599 s) and a `refresh_token` (same changelog example);
    // refreshing is POST /oauth/token with grant_type=refresh_token (OAuth reference, "Refreshing the tokens").
    refreshable: true,
  },
  // The company's API host comes from the token response (`hooks.afterTokenResponse`). A company
  // domain is one DNS label, so the default pattern fits.
  connectionConfig: {
    companyDomain: {
      label: 'Pipedrive company domain',
      description: 'The company part of your Pipedrive address (company.pipedrive.com), taken from Pipedrive when you connect.',
      source: 'token',
      required: true,
    },
  },
  http: {
    baseUrl: 'https://{companyDomain}.pipedrive.com',
    // https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting: every response carries
    // `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset` ("The remaining window
    // before the rate limit resets", in seconds: `x-ratelimit-reset: 2` in the page's example) for a
    // rolling 2-second window per token; over it, HTTP 429. On top of that, each request costs
    // tokens from a daily company budget (GET /api/v2/persons costs 10, Persons page); once it is
    // spent, requests are refused until the budget resets the next day. Budgets and burst limits
    // differ per plan, so no proactive budget is set: the headers and 429s drive the engine.
    rateLimit: { limitHeader: 'x-ratelimit-limit', remainingHeader: 'x-ratelimit-remaining', resetHeader: 'x-ratelimit-reset', resetUnit: 'delta_s' },
    // https://pipedrive.readme.io/docs/core-api-concepts-pagination: "All v2 API list endpoints" use
    // cursor pagination, `cursor` and `limit` query parameters ("The maximum limit value is 500");
    // "Within the response's additional_data object, the next_cursor field will be returned",
    // null on the last page. Items are in `data`.
    pagination: { type: 'cursor', cursorParam: 'cursor', cursorPath: 'additional_data.next_cursor', itemsPath: 'data', limitParam: 'limit', limit: 500 },
  },
  // https://developers.pipedrive.com/docs/api/v1/Users#getCurrentUser (scope `base`).
  accountInfo: { path: '/api/v1/users/me' },
  objects: {
    person: {
      label: 'People',
      description: 'Contacts: the people you do deals with.',
      // https://developers.pipedrive.com/docs/api/v1/Persons#getPersons: GET /api/v2/persons.
      path: '/api/v2/persons',
      docs: 'https://developers.pipedrive.com/docs/api/v1/Persons#getPersons',
      fields: {
        id: { type: 'integer', key: true },
        name: { type: 'string' },
        firstName: { type: 'string', from: 'first_name' },
        lastName: { type: 'string', from: 'last_name' },
        // The first listed address or number; each entry says whether it is the primary one.
        email: { type: 'string', from: 'emails.0.value', description: 'The first email address listed' },
        emails: { type: 'array', description: '[{ value, primary, label }]' },
        phone: { type: 'string', from: 'phones.0.value', description: 'The first phone number listed' },
        phones: { type: 'array', description: '[{ value, primary, label }]' },
        jobTitle: { type: 'string', from: 'job_title', description: 'Only when contact sync is enabled for the company' },
        orgId: { type: 'integer', from: 'org_id' },
        ownerId: { type: 'integer', from: 'owner_id' },
        ...common,
      },
      commonModel: 'contact',
      defaultMapping: {
        email: { source: 'field', path: 'emails.0.value' },
        firstName: { source: 'field', path: 'first_name' },
        lastName: { source: 'field', path: 'last_name' },
        phone: { source: 'field', path: 'phones.0.value' },
        company: { source: 'field', path: 'org_id' },
        title: { source: 'field', path: 'job_title' },
        createdAt: { source: 'field', path: 'add_time' },
        updatedAt: { source: 'field', path: 'update_time' },
      },
    },
    organization: {
      label: 'Organizations',
      description: 'Companies your people belong to.',
      path: '/api/v2/organizations',
      docs: 'https://developers.pipedrive.com/docs/api/v1/Organizations#getOrganizations',
      fields: {
        id: { type: 'integer', key: true },
        name: { type: 'string' },
        address: { type: 'object', description: '{ value (the full address), country, locality, … }' },
        ownerId: { type: 'integer', from: 'owner_id' },
        ...common,
      },
      commonModel: 'company',
      defaultMapping: {
        name: { source: 'field', path: 'name' },
        createdAt: { source: 'field', path: 'add_time' },
        updatedAt: { source: 'field', path: 'update_time' },
      },
    },
    deal: {
      label: 'Deals',
      description: 'Deals in your pipelines, open, won or lost.',
      path: '/api/v2/deals',
      docs: 'https://developers.pipedrive.com/docs/api/v1/Deals#getDeals',
      fields: {
        id: { type: 'integer', key: true },
        title: { type: 'string' },
        value: { type: 'number', description: 'In the deal currency' },
        currency: { type: 'string', description: 'ISO 4217 code' },
        // Without a `status` filter the list returns every deal that is not deleted (Deals page).
        status: { type: 'enum', enumValues: ['open', 'won', 'lost', 'deleted'] },
        stageId: { type: 'integer', from: 'stage_id' },
        pipelineId: { type: 'integer', from: 'pipeline_id' },
        personId: { type: 'integer', from: 'person_id' },
        orgId: { type: 'integer', from: 'org_id' },
        ownerId: { type: 'integer', from: 'owner_id' },
        probability: { type: 'number', description: 'Percent' },
        expectedCloseDate: { type: 'date', from: 'expected_close_date' },
        closeTime: { type: 'datetime', from: 'close_time' },
        wonTime: { type: 'datetime', from: 'won_time' },
        lostTime: { type: 'datetime', from: 'lost_time' },
        lostReason: { type: 'string', from: 'lost_reason' },
        ...common,
      },
      commonModel: 'deal',
      defaultMapping: {
        name: { source: 'field', path: 'title' },
        amount: { source: 'field', path: 'value' },
        currency: { source: 'field', path: 'currency' },
        stage: { source: 'field', path: 'stage_id' },
        closeDate: { source: 'field', path: 'expected_close_date' },
        createdAt: { source: 'field', path: 'add_time' },
        updatedAt: { source: 'field', path: 'update_time' },
      },
    },
  },
  // Incremental: the v2 list endpoints take `updated_since` — "only persons with an update_time later
  // than or equal to this time are returned. In RFC3339 format, e.g. 2025-01-01T10:20:00Z" (Persons
  // page; the same parameter on organizations and deals). `update_time` is RFC 3339 in v2 records,
  // so the largest one seen is the next run's `updated_since`. Deleted items are not listed, so these
  // syncs do not see deletions; `deletedWhen` still marks any record that arrives with `is_deleted: true`.
  syncs: {
    persons: { object: 'person', mode: 'incremental', cursorField: 'updatedAt', updatedSinceParam: 'updated_since', defaultFrequency: '15m', deletedWhen: { path: 'is_deleted', equals: true } },
    organizations: { object: 'organization', mode: 'incremental', cursorField: 'updatedAt', updatedSinceParam: 'updated_since', defaultFrequency: '1h', deletedWhen: { path: 'is_deleted', equals: true } },
    deals: { object: 'deal', mode: 'incremental', cursorField: 'updatedAt', updatedSinceParam: 'updated_since', defaultFrequency: '15m', deletedWhen: { path: 'is_deleted', equals: true } },
  },
  actions: {
    add_person: {
      description: 'Add a person.',
      // https://developers.pipedrive.com/docs/api/v1/Persons#addPerson: POST /api/v2/persons with a
      // JSON body; `name` is required; emails and phones are [{ value, primary, label }]; custom field
      // values go in `custom_fields` keyed by the field's key (scope `contacts:full`).
      method: 'POST',
      path: '/api/v2/persons',
      // The body is a person record's own fields, so a record in the vendor's shape is written back
      // through the inverse of the connection's person mapping.
      object: 'person',
      input: z.strictObject({
        name: z.string().trim().min(1).max(255),
        owner_id: entityId.optional(),
        org_id: entityId.optional(),
        emails: contactPoints.optional(),
        phones: contactPoints.optional(),
        visible_to: z.union([z.literal(1), z.literal(3), z.literal(5), z.literal(7)]).optional(),
        label_ids: z.array(entityId).optional(),
        marketing_status: z.enum(['no_consent', 'unsubscribed', 'subscribed', 'archived']).optional(),
        custom_fields: z.record(z.string().regex(/^[a-f0-9]{40}$/, 'must be a custom field key'), z.unknown()).optional(),
      }),
    },
  },
  hooks: {
    afterTokenResponse: (tokenResponse) => companyDomainFromToken(tokenResponse),
    // GET /api/v1/users/me → { data: { name, email, company_name, … } }: "Jane Doe (Pipedrive Sales)".
    accountLabel: (body) => labelWithDetail(firstString(body, ['data.email']), firstString(body, ['data.company_name'])),
  },
})
