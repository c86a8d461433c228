/**
 * HubSpot CRM (v3 objects API, OAuth for public apps).
 *
 * Sources, each cited again where it is used:
 * - OAuth: https://developers.hubspot.com/docs/apps/legacy-apps/authentication/working-with-oauth
 *   and https://developers.hubspot.com/docs/apps/legacy-apps/authentication/oauth-quickstart-guide
 * - Token endpoint: https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/refresh-oauth-token
 * - Contacts: https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/guide
 * - Companies: https://developers.hubspot.com/docs/api-reference/crm-companies-v3/guide
 * - Rate limits: https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines
 * - Properties (custom fields): https://developers.hubspot.com/docs/api-reference/legacy/crm/properties/get-properties
 */
import { z } from 'zod'
import type { FieldType } from '../../server/src/mapping/schema'
import { defineConnector } from '../schema'

/** An orange rounded square with a white "H" monogram (not HubSpot's sprocket). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="HubSpot">' +
  '<rect width="64" height="64" rx="14" fill="#ff7a59"/>' +
  '<path d="M21 17v30M43 17v30M21 32h22" fill="none" stroke="#fff" stroke-width="7" stroke-linecap="round"/>' +
  '</svg>'

/**
 * Contact properties to return. The list endpoint returns only a few defaults unless `properties`
 * names them ("A comma separated list of the properties to be returned in the response", contacts guide).
 */
const CONTACT_PROPERTIES = ['email', 'firstname', 'lastname', 'phone', 'company', 'lifecyclestage', 'createdate', 'lastmodifieddate']
const COMPANY_PROPERTIES = ['name', 'domain', 'industry', 'phone', 'city', 'state', 'country', 'createdate', 'hs_lastmodifieddate']

/**
 * The `objectType` of each object in the properties API
 * (https://developers.hubspot.com/docs/api-reference/legacy/crm/properties/get-properties:
 * `GET /crm/v3/properties/{objectType}`). Reading properties needs any of the object's scopes, e.g.
 * `crm.objects.contacts.read` (scope list in https://developers.hubspot.com/docs/api-reference/latest/crm/properties/guide).
 */
const PROPERTY_OBJECT_TYPES: Record<string, string> = { contact: 'contacts', company: 'companies' }

/**
 * The properties API's description of an account's properties → discovered fields at
 * `properties.<name>`. Every property value in the objects API is a string, whatever the property's
 * `type` (contacts guide), so `number`, `bool` and multi-value `enumeration`s (`fieldType: checkbox`,
 * values joined with `;`) are text here; `date` values are `YYYY-MM-DD` and `datetime` values ISO
 * 8601 instants; single-choice `enumeration`s list their option `value`s. Hidden properties are left out.
 */
export function propertiesToFields(body: unknown): Record<string, { type: FieldType; label?: string; description?: string; enumValues?: string[] }> {
  const results = (body as { results?: unknown } | null)?.results
  const out: Record<string, { type: FieldType; label?: string; description?: string; enumValues?: string[] }> = {}
  if (!Array.isArray(results)) return out
  for (const p of results as { name?: unknown; label?: unknown; description?: unknown; type?: unknown; fieldType?: unknown; hidden?: unknown; options?: unknown }[]) {
    if (typeof p?.name !== 'string' || !/^[a-z0-9_]+$/i.test(p.name) || p.hidden === true) continue
    const options = Array.isArray(p.options) ? (p.options as { value?: unknown; hidden?: unknown }[]).filter((o) => typeof o?.value === 'string' && o.value !== '' && o.hidden !== true).map((o) => o.value as string) : []
    const single = p.type === 'enumeration' && p.fieldType !== 'checkbox' && options.length > 0
    const type: FieldType = single ? 'enum' : p.type === 'datetime' ? 'datetime' : p.type === 'date' ? 'date' : 'string'
    const note = p.type === 'number' ? 'A number, written as text' : p.type === 'bool' ? 'true or false, written as text' : p.type === 'enumeration' && p.fieldType === 'checkbox' ? 'Values separated by ;' : undefined
    const description = [typeof p.description === 'string' && p.description !== '' ? p.description : undefined, note].filter(Boolean).join(' · ')
    out[`properties.${p.name}`] = { type, ...(typeof p.label === 'string' ? { label: p.label } : {}), ...(description ? { description } : {}), ...(single ? { enumValues: [...new Set(options)].slice(0, 500) } : {}) }
  }
  return out
}

/**
 * The list endpoints return only the properties named in `properties` (contacts guide): add every
 * `properties.<name>` the connection's mapping reads to the object's default list, in a stable order.
 */
export function withMappedProperties(object: string, params: Readonly<Record<string, string>>, mappedPaths: readonly string[]): Record<string, string> {
  if (!(object in PROPERTY_OBJECT_TYPES) || params.properties === undefined) return { ...params }
  const names = new Set(params.properties.split(','))
  for (const path of mappedPaths) {
    const m = /^properties\.([a-z0-9_]+)$/i.exec(path)
    if (m) names.add(m[1]!)
  }
  return { ...params, properties: [...names].join(',') }
}

/** HubSpot account ids (Hub ID, `portalId`) are positive integers (`"portalId": 12345678` in the account-info example). */
export const PORTAL_ID_PATTERN = '[1-9][0-9]{0,14}'

/** The account-info endpoint (https://developers.hubspot.com/docs/api-reference/account-account-info-v3/details/get-account-info-v3-details; scope `oauth`). */
export const ACCOUNT_DETAILS_URL = 'https://api.hubapi.com/account-info/v3/details'

/**
 * The connected account of an account-info answer (`{ portalId: 12345678, … }`) → connection config
 * `portalId`, the value webhook events carry in `portalId`. The token response does not name the
 * account, so `afterAuthorization` asks for it with the new token.
 * @throws {Error} when the answer has no positive integer `portalId`: the connection is refused.
 */
export function portalFrom(details: unknown): { portalId: string } {
  const portalId = (details as { portalId?: unknown } | null)?.portalId
  if (typeof portalId !== 'number' || !Number.isSafeInteger(portalId) || portalId <= 0) throw new Error('HubSpot did not name the connected account')
  return { portalId: String(portalId) }
}

/**
 * The percent-encoded characters HubSpot decodes in the request URI before signing it (v3: "decode
 * any of the URL-encoded characters listed in the table below",
 * https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests#validate-the-v3-request-signature).
 */
const V3_DECODED = ['%3A', '%2F', '%3F', '%40', '%21', '%24', '%27', '%28', '%29', '%2A', '%2C', '%3B']

export default defineConnector({
  id: 'hubspot',
  name: 'HubSpot',
  description: 'Bring in your HubSpot contacts and companies, and add new contacts to HubSpot from this app.',
  categories: ['crm', 'marketing'],
  logo,
  docsUrl: 'https://developers.hubspot.com/docs/api-reference/overview',
  // The account the user installed the app in, read after authorization (`hooks.afterAuthorization`);
  // webhook events are routed to connections by it. Connections made before it was read lack it
  // (their events are acknowledged, not forwarded) until they are re-authorized.
  connectionConfig: {
    portalId: { label: 'HubSpot account (Hub ID)', description: 'The id of the HubSpot account you connected, taken from HubSpot when you connect.', source: 'token', pattern: PORTAL_ID_PATTERN, required: false },
  },
  auth: {
    type: 'oauth2',
    // https://developers.hubspot.com/docs/apps/legacy-apps/authentication/working-with-oauth
    // ("https://app.hubspot.com/oauth/authorize?client_id=…&scope=contacts%20automation&redirect_uri=…")
    authorizationUrl: 'https://app.hubspot.com/oauth/authorize',
    // https://developers.hubspot.com/docs/apps/legacy-apps/authentication/oauth-quickstart-guide
    // ("POST request to https://api.hubapi.com/oauth/v1/token", form-encoded, client_id and
    // client_secret in the body). The same reference lists `code_verifier`, so PKCE is sent.
    tokenUrl: 'https://api.hubapi.com/oauth/v1/token',
    clientAuth: 'client_secret_post',
    // No `revocationUrl`: HubSpot deletes a refresh token with `DELETE /oauth/v1/refresh-tokens/{token}`,
    // not an RFC 7009 endpoint.
    //
    // Scopes, space-separated (working-with-oauth page, `scope` parameter):
    // - `oauth`: the quickstart's example scope set (`oauth%20crm.objects.contacts.read`); also the
    //   scope `GET /account-info/v3/details` (account label) requires
    //   (https://developers.hubspot.com/docs/api-reference/account-account-info-v3/details/get-account-info-v3-details).
    // - `crm.objects.contacts.read` / `crm.objects.companies.read`: the two objects below.
    // - `crm.objects.contacts.write`: only for `create_contact`.
    // Every scope listed here must also be ticked as required in the app's Auth settings, or
    // HubSpot shows an error page (same `scope` row).
    scopes: ['oauth', 'crm.objects.contacts.read', 'crm.objects.companies.read', 'crm.objects.contacts.write'],
    pkce: true,
    // Access tokens are short-lived (`expires_in`) and come with a refresh token (quickstart,
    // "Refreshing OAuth 2.0 tokens").
    refreshable: true,
  },
  http: {
    baseUrl: 'https://api.hubapi.com',
    // https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines#rate-limits
    // OAuth apps are limited per installed account, to 100 requests every 10 seconds
    // (https://developers.hubspot.com/apisbytier: "Apps using OAuth are only subject to a limit of
    // 100 requests every 10 seconds"). Responses carry X-HubSpot-RateLimit-Max and
    // X-HubSpot-RateLimit-Remaining for that window, whose length is in
    // X-HubSpot-RateLimit-Interval-Milliseconds; there is no reset header, and the Daily headers are
    // not sent for OAuth calls (https://developers.hubspot.com/changelog/rate-limit-headers-will-now-appear-for-oauth-authenticated-calls).
    rateLimit: { limitHeader: 'X-HubSpot-RateLimit-Max', remainingHeader: 'X-HubSpot-RateLimit-Remaining', requests: 100, windowMs: 10_000 },
    // Contacts guide, "Retrieve contacts": `limit` (max 100) and the `after` cursor from
    // `paging.next.after`; the last page has no `paging.next`.
    pagination: { type: 'cursor', cursorParam: 'after', cursorPath: 'paging.next.after', itemsPath: 'results', limitParam: 'limit', limit: 100 },
  },
  accountInfo: { path: '/account-info/v3/details' },
  objects: {
    contact: {
      label: 'Contacts',
      description: 'People in the HubSpot CRM.',
      path: '/crm/v3/objects/contacts',
      docs: 'https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/guide',
      params: { properties: CONTACT_PROPERTIES.join(','), archived: 'false' },
      // Record shape: { id, properties: { <internal name>: string }, createdAt, updatedAt, archived }.
      // Property values are strings, whatever the property's type.
      fields: {
        id: { type: 'string', key: true },
        email: { type: 'string', from: 'properties.email' },
        firstName: { type: 'string', from: 'properties.firstname' },
        lastName: { type: 'string', from: 'properties.lastname' },
        phone: { type: 'string', from: 'properties.phone' },
        companyName: { type: 'string', from: 'properties.company' },
        // Internal stage names: text for default stages (`subscriber`, `lead`, …), numbers for
        // custom ones, so not an enum (contacts guide, note on `lifecyclestage`).
        lifecycleStage: { type: 'string', from: 'properties.lifecyclestage' },
        createdAt: { type: 'datetime' },
        updatedAt: { type: 'datetime' },
        archived: { type: 'boolean' },
      },
      commonModel: 'contact',
      defaultMapping: {
        email: { source: 'field', path: 'properties.email' },
        firstName: { source: 'field', path: 'properties.firstname' },
        lastName: { source: 'field', path: 'properties.lastname' },
        phone: { source: 'field', path: 'properties.phone' },
        company: { source: 'field', path: 'properties.company' },
        lifecycleStage: { source: 'field', path: 'properties.lifecyclestage' },
        createdAt: { source: 'field', path: 'createdAt' },
        updatedAt: { source: 'field', path: 'updatedAt' },
      },
    },
    company: {
      label: 'Companies',
      description: 'Organisations in the HubSpot CRM.',
      path: '/crm/v3/objects/companies',
      docs: 'https://developers.hubspot.com/docs/api-reference/crm-companies-v3/guide',
      params: { properties: COMPANY_PROPERTIES.join(','), archived: 'false' },
      fields: {
        id: { type: 'string', key: true },
        name: { type: 'string', from: 'properties.name' },
        domain: { type: 'string', from: 'properties.domain' },
        industry: { type: 'string', from: 'properties.industry' },
        phone: { type: 'string', from: 'properties.phone' },
        city: { type: 'string', from: 'properties.city' },
        state: { type: 'string', from: 'properties.state' },
        country: { type: 'string', from: 'properties.country' },
        createdAt: { type: 'datetime' },
        updatedAt: { type: 'datetime' },
        archived: { type: 'boolean' },
      },
      commonModel: 'company',
      defaultMapping: {
        name: { source: 'field', path: 'properties.name' },
        domain: { source: 'field', path: 'properties.domain' },
        industry: { source: 'field', path: 'properties.industry' },
        phone: { source: 'field', path: 'properties.phone' },
        createdAt: { source: 'field', path: 'createdAt' },
        updatedAt: { source: 'field', path: 'updatedAt' },
      },
    },
  },
  // Full syncs: the list endpoints have no "modified since" parameter. Changes since a time are
  // only available from the search endpoint (`POST /crm/v3/objects/contacts/search` with a filter
  // on `lastmodifieddate`, https://developers.hubspot.com/docs/api/crm/search), which a
  // GET-only sync cannot declare; it also has its own, lower per-second limit and returns at most
  // 10,000 results for one query, so a large first sync would have to be split by date anyway.
  syncs: {
    contacts: { object: 'contact', mode: 'full', defaultFrequency: '6h' },
    companies: { object: 'company', mode: 'full', defaultFrequency: '1d' },
  },
  actions: {
    create_contact: {
      description: 'Create a contact.',
      // Contacts guide, "Create contacts": POST /crm/v3/objects/contacts with a JSON body
      // `{ properties: { email, firstname, lastname, … } }`; include at least one of email,
      // firstname or lastname, preferably email (the de-duplication key).
      method: 'POST',
      path: '/crm/v3/objects/contacts',
      // `{ properties }`, as in a contact record: a record in the vendor's shape is written back through the mapping.
      object: 'contact',
      input: z.strictObject({
        properties: z
          .strictObject({
            email: z.email().optional(),
            firstname: z.string().optional(),
            lastname: z.string().optional(),
            phone: z.string().optional(),
            company: z.string().optional(),
            lifecyclestage: z.string().optional(),
          })
          .refine((p) => p.email !== undefined || p.firstname !== undefined || p.lastname !== undefined, 'include at least one of email, firstname or lastname'),
      }),
    },
  },
  webhooks: {
    // https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests#validate-the-v3-request-signature:
    // "The X-HubSpot-Signature-v3 header will be an HMAC SHA-256 hash built using the client secret
    // of your app combined with details of the request", base64-encoded, of requestMethod +
    // requestUri (with the table's percent-encoded characters decoded) + requestBody + timestamp,
    // the timestamp being the X-HubSpot-Request-Timestamp header (Unix milliseconds); "Reject the
    // request if the timestamp is older than 5 minutes". The URI is the one HubSpot called: the
    // integration's provider webhook URL (PUBLIC_URL + path + query).
    secret: { from: 'clientSecret' },
    signature: {
      type: 'hmac',
      algorithm: 'sha256',
      encoding: 'base64',
      header: 'X-HubSpot-Signature-v3',
      signed: ['method', { url: { decode: V3_DECODED } }, 'body', 'timestamp'],
      timestamp: { header: 'X-HubSpot-Request-Timestamp', unit: 'ms', toleranceSeconds: 300 },
    },
    // https://developers.hubspot.com/docs/api-reference/legacy/webhooks/guide: one target URL per
    // app, for every account that installed it; the body is a JSON array of events, each with
    // `portalId` ("The ID of the customer's HubSpot account where the event occurred") and
    // `subscriptionType` (`contact.creation`, `contact.propertyChange`…). One batch may carry
    // several accounts' events, so it is split: each account's connections receive the array of
    // that account's events only.
    route: { body: '*.portalId', connectionConfig: 'portalId', split: true },
    // The subscription type when all of a connection's events share one, else none.
    eventType: { body: '*.subscriptionType' },
    docs: 'https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests',
  },
  hooks: {
    afterAuthorization: async ({ get }) => portalFrom(await get(ACCOUNT_DETAILS_URL)),
    listParams: ({ object, params, mappedPaths }) => withMappedProperties(object, params, mappedPaths),
    discoverFields: async ({ object, get }) => {
      const objectType = PROPERTY_OBJECT_TYPES[object]
      return objectType ? propertiesToFields(await get(`/crm/v3/properties/${objectType}`)) : undefined
    },
    // GET /account-info/v3/details → { portalId, uiDomain, … }: label the account by its Hub ID,
    // the number HubSpot users see in their account menu.
    accountLabel: (body) => {
      const portalId = (body as { portalId?: unknown } | null)?.portalId
      return typeof portalId === 'number' ? `Hub ${portalId}` : undefined
    },
  },
})
