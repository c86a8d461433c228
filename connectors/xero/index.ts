/**
 * Xero (Accounting API 2.0, OAuth 2.0 authorization code flow with PKCE).
 *
 * Sources, each cited again where it is used:
 * - Standard authorization code flow (authorize, token, refresh, revocation, connections):
 *   https://developer.xero.com/documentation/guides/oauth2/auth-flow/
 * - PKCE flow (same authorize URL with code_challenge): https://developer.xero.com/documentation/oauth2/pkce-flow
 * - Scopes, including the granular accounting scopes for apps created from 2 March 2026:
 *   https://developer.xero.com/documentation/guides/oauth2/scopes/
 * - Limits: https://developer.xero.com/documentation/guides/oauth2/limits/ and https://developer.xero.com/faq/limits/rate-limits
 * - Contacts: https://developer.xero.com/documentation/api/accounting/contacts
 * - Invoices: https://developer.xero.com/documentation/api/accounting/invoices
 * - Xero's own OpenAPI documents, the source of the parameters and examples below:
 *   https://github.com/XeroAPI/Xero-OpenAPI (`xero_accounting.yaml`: getContacts, createContacts,
 *   getInvoices; `xero-identity.yaml`: getConnections)
 */
import { z } from 'zod'
import { anchored } from '../helpers'
import { defineConnector } from '../schema'

/** A teal rounded square with a white "X" (not Xero's logo). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Xero">' +
  '<rect width="64" height="64" rx="14" fill="#0e7490"/>' +
  '<path d="M21 21l22 22M43 21L21 43" stroke="#fff" stroke-width="7" stroke-linecap="round"/>' +
  '</svg>'

/** Xero tenant ids are UUIDs (`fe79f7dd-b6d4-4a92-ba7b-538af6289c58` in the connections example). */
export const TENANT_ID_PATTERN = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
/** An organisation name, shown to people only: 1–200 characters without control characters. */
const NAME_PATTERN = '[^\\x00-\\x1f\\x7f]{1,200}'

/** The connections endpoint (auth flow page, "Check the tenants you're authorized to access"). */
export const CONNECTIONS_URL = 'https://api.xero.com/connections'

/**
 * The `authentication_event_id` claim of Xero's JWT access token, used only to prefer the tenant
 * authorised in this very flow (the auth flow page: connections carry an `authEventId`, "Identifier
 * shared across connections authorised at the same time"). The token is not verified here: the
 * claim only orders the tenants the API itself returns. `undefined` when absent or unreadable.
 */
export function authEventIdOf(accessToken: unknown): string | undefined {
  if (typeof accessToken !== 'string') return undefined
  const payload = accessToken.split('.')[1]
  if (!payload) return undefined
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/')
    const bytes = Uint8Array.from(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')), (c) => c.charCodeAt(0))
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as { authentication_event_id?: unknown }
    return typeof claims.authentication_event_id === 'string' ? claims.authentication_event_id : undefined
  } catch {
    return undefined
  }
}

/**
 * The organisation of a connections answer → connection config. Connections are the tenants the
 * user connected to the app, of several types ("tenantType": "ORGANISATION", "PRACTICE"…); only an
 * ORGANISATION tenant has the Accounting API. The one authorised in this flow (same `authEventId`
 * as the token's `authentication_event_id`) is preferred, else the first organisation listed: a
 * user who ticked several organisations gets one connection, for that one (see the report).
 * @throws {Error} when no organisation tenant with a UUID id is listed: the connection is refused.
 */
export function tenantFrom(connections: unknown, authEventId?: string): Record<string, string> {
  const list = (Array.isArray(connections) ? connections : []) as { tenantId?: unknown; tenantType?: unknown; tenantName?: unknown; authEventId?: unknown }[]
  const orgs = list.filter((c) => c && c.tenantType === 'ORGANISATION' && typeof c.tenantId === 'string' && anchored(TENANT_ID_PATTERN).test(c.tenantId))
  const tenant = (authEventId !== undefined ? orgs.find((c) => c.authEventId === authEventId) : undefined) ?? orgs[0]
  if (!tenant) throw new Error('no Xero organisation was connected')
  const out: Record<string, string> = { tenantId: (tenant.tenantId as string).toLowerCase() }
  if (typeof tenant.tenantName === 'string' && anchored(NAME_PATTERN).test(tenant.tenantName)) out.tenantName = tenant.tenantName
  return out
}

/** A Microsoft JSON date as Xero writes them: `/Date(1503348544227+0000)/` (milliseconds since the epoch, UTC, and an offset). */
const MS_DATE = /^\/Date\((-?\d{1,15})([+-]\d{4})?\)\/$/

/**
 * A contact or invoice with its top-level `/Date(…)/` values (`UpdatedDateUTC`, `Date`, `DueDate`,
 * `FullyPaidOnDate`) rewritten as ISO 8601 (`2017-08-21T20:49:04.227Z`), which mappings and sync
 * cursors read; the milliseconds are UTC, the offset only says the organisation's zone. Nested
 * values (payments, contact groups) are kept as Xero writes them. Pure.
 */
export function withIsoDates(item: unknown): unknown {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return item
  let out: Record<string, unknown> | undefined
  for (const [key, value] of Object.entries(item as Record<string, unknown>)) {
    const match = typeof value === 'string' ? MS_DATE.exec(value) : null
    if (!match) continue
    const ms = Number(match[1])
    if (!Number.isSafeInteger(ms) || Math.abs(ms) > 8.64e15) continue
    out ??= { ...(item as Record<string, unknown>) }
    out[key] = new Date(ms).toISOString()
  }
  return out ?? item
}

/** Up to 100 items per page for both lists ("page=1 - Up to 100 contacts will be returned in a single API call"). */
const PAGE_SIZE = 100

const phone = z.strictObject({
  PhoneType: z.enum(['DEFAULT', 'DDI', 'MOBILE', 'FAX']),
  PhoneNumber: z.string().max(50).optional(),
  PhoneAreaCode: z.string().max(10).optional(),
  PhoneCountryCode: z.string().max(20).optional(),
})
const address = z.strictObject({
  AddressType: z.enum(['POBOX', 'STREET']),
  AddressLine1: z.string().max(500).optional(),
  AddressLine2: z.string().max(500).optional(),
  AddressLine3: z.string().max(500).optional(),
  AddressLine4: z.string().max(500).optional(),
  City: z.string().max(255).optional(),
  Region: z.string().max(255).optional(),
  PostalCode: z.string().max(50).optional(),
  Country: z.string().max(50).optional(),
  AttentionTo: z.string().max(255).optional(),
})
/** A new contact: the Contacts page's elements for PUT (lengths as listed there); `Name` is the one required element. */
const newContact = z.strictObject({
  Name: z.string().trim().min(1).max(255),
  ContactNumber: z.string().max(50).optional(),
  AccountNumber: z.string().max(50).optional(),
  ContactStatus: z.enum(['ACTIVE', 'ARCHIVED']).optional(),
  FirstName: z.string().max(255).optional(),
  LastName: z.string().max(255).optional(),
  CompanyNumber: z.string().max(50).optional(),
  EmailAddress: z.email().max(255).optional(),
  BankAccountDetails: z.string().optional(),
  TaxNumber: z.string().max(50).optional(),
  DefaultCurrency: z.string().regex(/^[A-Z]{3}$/).optional(),
  Addresses: z.array(address).max(2).optional(),
  Phones: z.array(phone).max(4).optional(),
})

export default defineConnector({
  id: 'xero',
  name: 'Xero',
  description: 'Bring in the contacts and invoices of your Xero organisation, and add new contacts to Xero from this app.',
  categories: ['accounting'],
  logo,
  docsUrl: 'https://developer.xero.com/documentation/api/accounting/overview',
  auth: {
    type: 'oauth2',
    // Auth flow page, "1. Send a user to authorize your app":
    // https://login.xero.com/identity/connect/authorize?response_type=code&client_id=…&redirect_uri=…&scope=…&state=…
    // PKCE flow page: the same URL with code_challenge and code_challenge_method=S256.
    authorizationUrl: 'https://login.xero.com/identity/connect/authorize',
    // "3. Exchange the code": POST https://identity.xero.com/connect/token with
    // `authorization: "Basic " + base64encode(client_id + ":" + client_secret)` and a form body
    // (grant_type=authorization_code, code, redirect_uri).
    tokenUrl: 'https://identity.xero.com/connect/token',
    clientAuth: 'client_secret_basic',
    // "Revoking tokens": POST https://identity.xero.com/connect/revocation with the refresh token
    // and the same Basic client authentication (RFC 7009).
    revocationUrl: 'https://identity.xero.com/connect/revocation',
    // Scopes page:
    // - `offline_access`: "to get a refresh token";
    // - `accounting.contacts`: read and write contacts (GET /Contacts and the `create_contact`
    //   action's PUT /Contacts); without the action, `accounting.contacts.read` is enough;
    // - `accounting.invoices.read`: read invoices. This is one of the granular scopes that replace
    //   `accounting.transactions(.read)`: apps created on or after 2 March 2026 can only request the
    //   granular ones, older apps must move to them by September 2027 (older apps request
    //   `accounting.transactions.read` instead, the scope Xero's OpenAPI document lists for getInvoices).
    scopes: ['offline_access', 'accounting.contacts', 'accounting.invoices.read'],
    scopeSeparator: ' ',
    pkce: true,
    // Access tokens last 30 minutes; "Refresh tokens expire after 60 days", and each refresh answers
    // a new refresh token (rotation), which the engine stores (auth flow page, "Refreshing access tokens").
    refreshable: true,
  },
  // The organisation comes from `hooks.afterAuthorization` (GET /connections), never from the user.
  connectionConfig: {
    tenantId: { label: 'Xero organisation', description: 'The tenant id of the organisation you connected, taken from Xero when you connect.', source: 'token', pattern: TENANT_ID_PATTERN, required: true },
    tenantName: { label: 'Organisation name', source: 'token', pattern: NAME_PATTERN, required: false },
  },
  http: {
    // Xero's OpenAPI document: `servers: url: https://api.xero.com/api.xro/2.0`.
    baseUrl: 'https://api.xero.com/api.xro/2.0',
    // Every Accounting API call names its organisation: the `requiredHeader` parameter of each
    // operation in Xero's OpenAPI document is the `xero-tenant-id` header ("Xero identifier for
    // Tenant"), and the auth flow page's "Call the API" step sends it with the bearer token. The
    // UUID pattern of `tenantId` keeps anything else out of the header.
    headers: { 'xero-tenant-id': '{tenantId}' },
    // Limits page: per organisation "Minute Limit: 60 calls per minute", "Daily Limit: 5000 calls
    // per day", "Concurrent Limit: 5 calls in progress at one time", plus an app-wide 10,000 calls
    // per minute. Responses carry X-MinLimit-Remaining, X-DayLimit-Remaining and
    // X-AppMinLimit-Remaining; over a limit Xero answers 429 with Retry-After (seconds) and
    // X-Rate-Limit-Problem (minute, day, appminute). One remaining header can be declared: the
    // minute one, with the 60-per-minute budget; the day budget is left to the 429s (see the report).
    rateLimit: { remainingHeader: 'X-MinLimit-Remaining', requests: 60, windowMs: 60_000 },
    // `page` numbers from 1; a page shorter than the page size is the last. `pageSize` is the page
    // size parameter of Xero's current OpenAPI document (responses then carry `pagination` with
    // page, pageSize, pageCount, itemCount); 100 is also the documented default, so pages hold 100
    // items whether or not a tenant honours it.
    pagination: { type: 'offset', offsetParam: 'page', unit: 'pages', startAt: 1, itemsPath: 'Contacts', limitParam: 'pageSize', limit: PAGE_SIZE },
  },
  objects: {
    contact: {
      label: 'Contacts',
      description: 'Customers and suppliers, people or businesses (archived contacts left out).',
      // getContacts: GET /Contacts; `includeArchived`: "Contacts with a status of ARCHIVED will be
      // included in the response", so without it archived contacts leave the list.
      path: '/Contacts',
      docs: 'https://developer.xero.com/documentation/api/accounting/contacts',
      fields: {
        id: { type: 'string', key: true, from: 'ContactID' },
        name: { type: 'string', from: 'Name', description: 'The person’s or organisation’s name, unique among active contacts' },
        firstName: { type: 'string', from: 'FirstName' },
        lastName: { type: 'string', from: 'LastName' },
        email: { type: 'string', from: 'EmailAddress' },
        status: { type: 'enum', from: 'ContactStatus', enumValues: ['ACTIVE', 'ARCHIVED', 'GDPRREQUEST'] },
        contactNumber: { type: 'string', from: 'ContactNumber' },
        accountNumber: { type: 'string', from: 'AccountNumber' },
        companyNumber: { type: 'string', from: 'CompanyNumber' },
        taxNumber: { type: 'string', from: 'TaxNumber' },
        isCustomer: { type: 'boolean', from: 'IsCustomer' },
        isSupplier: { type: 'boolean', from: 'IsSupplier' },
        phones: { type: 'array', from: 'Phones', description: '[{ PhoneType: DEFAULT | DDI | MOBILE | FAX, PhoneNumber, PhoneAreaCode, PhoneCountryCode }]' },
        addresses: { type: 'array', from: 'Addresses', description: '[{ AddressType: POBOX | STREET, AddressLine1…4, City, Region, PostalCode, Country }]' },
        defaultCurrency: { type: 'string', from: 'DefaultCurrency' },
        updatedAt: { type: 'datetime', from: 'UpdatedDateUTC', description: 'ISO 8601 once synced (Xero writes /Date(ms+0000)/)' },
      },
      commonModel: 'contact',
      // No phone: Xero lists typed phones (DDI, DEFAULT, FAX, MOBILE) in no fixed order, so no
      // index path reliably reads the main number. `company` is the contact's own name, which for a
      // business contact is the business.
      defaultMapping: {
        email: { source: 'field', path: 'EmailAddress' },
        firstName: { source: 'field', path: 'FirstName' },
        lastName: { source: 'field', path: 'LastName' },
        company: { source: 'field', path: 'Name' },
        lifecycleStage: { source: 'field', path: 'ContactStatus' },
        updatedAt: { source: 'field', path: 'UpdatedDateUTC' },
      },
    },
    invoice: {
      label: 'Invoices',
      description: 'Sales invoices (ACCREC) and bills (ACCPAY), with their line items.',
      // getInvoices: GET /Invoices, "page=1 – Up to 100 invoices will be returned in a single API
      // call with line items shown for each invoice".
      path: '/Invoices',
      docs: 'https://developer.xero.com/documentation/api/accounting/invoices',
      pagination: { type: 'offset', offsetParam: 'page', unit: 'pages', startAt: 1, itemsPath: 'Invoices', limitParam: 'pageSize', limit: PAGE_SIZE },
      fields: {
        id: { type: 'string', key: true, from: 'InvoiceID' },
        number: { type: 'string', from: 'InvoiceNumber' },
        type: { type: 'enum', from: 'Type', enumValues: ['ACCREC', 'ACCPAY'], description: 'ACCREC: a sales invoice; ACCPAY: a bill' },
        status: { type: 'enum', from: 'Status', enumValues: ['DRAFT', 'SUBMITTED', 'DELETED', 'AUTHORISED', 'PAID', 'VOIDED'] },
        reference: { type: 'string', from: 'Reference' },
        contactId: { type: 'string', from: 'Contact.ContactID' },
        contactName: { type: 'string', from: 'Contact.Name' },
        date: { type: 'date', from: 'DateString', description: 'As Xero writes it, e.g. 2018-10-20T00:00:00' },
        dueDate: { type: 'date', from: 'DueDateString' },
        currency: { type: 'string', from: 'CurrencyCode' },
        lineAmountTypes: { type: 'string', from: 'LineAmountTypes', description: 'Exclusive, Inclusive or NoTax' },
        subTotal: { type: 'number', from: 'SubTotal' },
        totalTax: { type: 'number', from: 'TotalTax' },
        total: { type: 'number', from: 'Total' },
        amountDue: { type: 'number', from: 'AmountDue' },
        amountPaid: { type: 'number', from: 'AmountPaid' },
        amountCredited: { type: 'number', from: 'AmountCredited' },
        lineItems: { type: 'array', from: 'LineItems' },
        fullyPaidAt: { type: 'datetime', from: 'FullyPaidOnDate' },
        updatedAt: { type: 'datetime', from: 'UpdatedDateUTC', description: 'ISO 8601 once synced (Xero writes /Date(ms+0000)/)' },
      },
    },
  },
  // Full syncs. Xero's incremental reads take the `If-Modified-Since` request header (the
  // `ifModifiedSince` parameter of getContacts and getInvoices is `in: header`) or a
  // `where=UpdatedDateUTC>=DateTime(2024,01,01)` filter inside another parameter's text; a sync can
  // only set a whole query parameter to its cursor (`updatedSinceParam`). A complete full run marks
  // contacts that were archived or deleted, and invoices that disappeared, as deleted; invoices
  // that stay listed with Status DELETED are marked deleted by `deletedWhen`.
  syncs: {
    contacts: { object: 'contact', mode: 'full', defaultFrequency: '6h' },
    invoices: { object: 'invoice', mode: 'full', defaultFrequency: '6h', deletedWhen: { path: 'Status', equals: 'DELETED' } },
  },
  actions: {
    create_contact: {
      description: 'Create one or more contacts.',
      // createContacts: PUT /Contacts with { "Contacts": [ { "Name": … } ] } (scope
      // accounting.contacts) → { "Contacts": [ { "ContactID": …, … } ] }. PUT only creates; POST
      // would also update a contact that has the same name. Limits FAQ: "a ceiling of about 50
      // nodes per request is practical". Not a write-back (`object`): the body wraps the records in
      // a `Contacts` list, which the action's input cannot be a record of (see the report).
      method: 'PUT',
      path: '/Contacts',
      input: z.strictObject({ Contacts: z.array(newContact).min(1).max(50) }),
    },
  },
  webhooks: {
    // https://developer.xero.com/documentation/guides/webhooks/overview/: webhooks are configured per
    // app, with one webhook key shown in the app's Webhooks settings, and cover every organisation
    // connected to the app. Each request is signed in `x-xero-signature`: the raw body hashed with
    // HMACSHA256 keyed with the webhook key, base64-encoded. No timestamp is signed.
    secret: { from: 'integration', label: 'Webhook key', helpUrl: 'https://developer.xero.com/app/manage' },
    signature: { type: 'hmac', algorithm: 'sha256', encoding: 'base64', header: 'x-xero-signature', signed: ['body'] },
    // Same page, payloads: `{ events: [{ resourceUrl, resourceId, eventDateUtc, eventType (CREATE,
    // UPDATE), eventCategory (CONTACT, INVOICE…), tenantId, tenantType }], firstEventSequence,
    // lastEventSequence, entropy }`; `tenantId` is the organisation, stored as `tenantId` by
    // `hooks.afterAuthorization`. One payload may carry several organisations' events ("we will send
    // you events for every Xero organisation connected to the app"), so it is split: each
    // organisation's connections receive the payload with `events` narrowed to its own. The
    // "Intent to receive" requests (`events: []`) route nowhere: answered 200, not forwarded.
    route: { body: 'events.*.tenantId', connectionConfig: 'tenantId', split: true },
    // The category (CONTACT, INVOICE) says which resource changed (when all of a connection's events
    // share one); `eventType` only says CREATE or UPDATE.
    eventType: { body: 'events.*.eventCategory' },
    // "Intent to receive" (same page): correctly signed requests must get 200 and incorrectly signed
    // ones 401, every answer with no body and no cookies.
    refusal: 'empty',
    docs: 'https://developer.xero.com/documentation/guides/webhooks/overview/',
  },
  hooks: {
    afterAuthorization: async ({ tokenResponse, get }) => tenantFrom(await get(CONNECTIONS_URL), authEventIdOf(tokenResponse.access_token)),
    // Xero's `/Date(…)/` values become ISO 8601 before records are stored, so the default mapping's
    // `updatedAt` and any date a mapping reads parse.
    syncItem: (item) => withIsoDates(item),
  },
})
