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
 */
import { z } from 'zod'
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

export default defineConnector({
  id: 'hubspot',
  name: 'HubSpot',
  description: 'Bring in your HubSpot contacts and companies, and add new contacts to HubSpot from this app.',
  categories: ['crm', 'marketing'],
  logo,
  docsUrl: 'https://developers.hubspot.com/docs/api-reference/overview',
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
    },
    company: {
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
  hooks: {
    // GET /account-info/v3/details → { portalId, uiDomain, … }: label the account by its Hub ID,
    // the number HubSpot users see in their account menu.
    accountLabel: (body) => {
      const portalId = (body as { portalId?: unknown } | null)?.portalId
      return typeof portalId === 'number' ? `Hub ${portalId}` : undefined
    },
  },
})
