/**
 * QuickBooks Online (Accounting API v3, OAuth 2.0 authorization code flow).
 *
 * Sources, each cited again where it is used:
 * - OAuth 2.0 (authorize, token exchange, realmId on the redirect, refresh, revoke):
 *   https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0
 * - Discovery document (the same endpoints, machine-readable): https://developer.api.intuit.com/.well-known/openid_configuration
 * - Base URLs (production, sandbox): https://developer.intuit.com/app/developer/qbo/docs/develop/sandboxes
 *   and the REST API quick reference (https://developer.intuit.com/docs/0100_quickbooks_online/0300_references/0000_programming_guide/0000_rest_api_quick_reference)
 * - Queries: https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries
 * - Change data capture: https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/change-data-capture
 * - Minor versions: https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/minor-versions
 *   and https://blogs.intuit.com/2025/01/21/changes-to-our-accounting-api-that-may-impact-your-application
 * - Throttling: https://blogs.intuit.com/2016/08/08/idg-concurrent-api-use-changes-coming-soon/
 * - Entities: https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer,
 *   …/vendor, …/invoice, …/companyinfo
 * - Webhooks: https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks, validating them:
 *   https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks/managing-webhooks-notifications#validating-the-notification,
 *   and the CloudEvents payload every app receives since the 2026 migration:
 *   https://blogs.a.intuit.com/2025/11/12/upcoming-change-to-webhooks-payload-structure
 */
import { z } from 'zod'
import { anchored, firstString } from '../helpers'
import { defineConnector } from '../schema'

/** A green rounded square with a white "qb" ligature (not Intuit's logo). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="QuickBooks Online">' +
  '<rect width="64" height="64" rx="14" fill="#15803d"/>' +
  '<circle cx="32" cy="32" r="20" fill="none" stroke="#fff" stroke-width="4"/>' +
  '<path d="M28 22v20M36 42V22M28 26h-3a6 6 0 0 0 0 12h3M36 38h3a6 6 0 0 0 0-12h-3" fill="none" stroke="#fff" stroke-width="4" stroke-linecap="round"/>' +
  '</svg>'

/** The production and sandbox API hosts (sandboxes page: "https://sandbox-quickbooks.api.intuit.com"); nothing else receives the token. */
export const API_HOST_PATTERN = 'quickbooks\\.api\\.intuit\\.com|sandbox-quickbooks\\.api\\.intuit\\.com'
/** A company id (`realmId`): digits ("9130347596842384658" in Intuit's examples). */
export const REALM_ID_PATTERN = '[0-9]{1,32}'

/**
 * The minor version every request names. Since 1 August 2025 "All API requests to the Accounting API
 * will use the minor version 75 by default and previous minor versions will be ignored" (Intuit blog,
 * 2025-01-21); naming it keeps responses stable when a later minor version changes a field.
 */
export const MINOR_VERSION = '75'

/**
 * At most this many entities per query: the data-queries page's `MAXRESULTS` ("The maximum number of
 * entities that can be returned in a response is 1000").
 */
export const MAX_RESULTS = 1000

/**
 * The company chosen at Intuit's consent screen, from the redirect: "realmId: The unique ID of the
 * connected user's QuickBooks Online company" is a query parameter of the redirect, next to `code`
 * and `state`, and is not in the token response (OAuth 2.0 page, "Step 11"). The redirect passes
 * through the browser, so the id is checked against the access token with a read of that company's
 * CompanyInfo (`GET /v3/company/<realmID>/companyinfo/<realmID>`), which fails for a company the
 * token was not granted.
 * @throws {Error} when the redirect has no digit-only realmId, or the token cannot read that company.
 */
export async function realmFrom(ctx: { callbackParams: Readonly<Record<string, string>>; connectionConfig: Readonly<Record<string, string>>; get: (url: string) => Promise<unknown> }): Promise<Record<string, string>> {
  const realmId = ctx.callbackParams.realmId
  if (realmId === undefined || !anchored(REALM_ID_PATTERN).test(realmId)) throw new Error('Intuit did not name a QuickBooks company (realmId) on the redirect')
  const host = ctx.connectionConfig.apiHost ?? 'quickbooks.api.intuit.com'
  if (!anchored(API_HOST_PATTERN).test(host)) throw new Error('unknown QuickBooks API host')
  const info = (await ctx.get(`https://${host}/v3/company/${realmId}/companyinfo/${realmId}?minorversion=${MINOR_VERSION}`)) as { CompanyInfo?: unknown } | null
  if (!info || typeof info.CompanyInfo !== 'object' || info.CompanyInfo === null) throw new Error('the QuickBooks company could not be read with this authorization')
  return { realmId }
}

/** A list of one entity: `select * from <Entity> MAXRESULTS 1000` at the query endpoint, one page (see `http.errorWhen`). */
function query(entity: 'Customer' | 'Vendor' | 'Invoice') {
  return {
    path: '/query',
    params: { query: `select * from ${entity} MAXRESULTS ${MAX_RESULTS}`, minorversion: MINOR_VERSION },
    // Queries page through STARTPOSITION inside the query text, which no pagination of the schema
    // can write (a pagination sets its own query parameter): this is a cursor pagination whose
    // cursor (`nextPage`) QuickBooks never sends, so a list is its first page, of at most 1000.
    pagination: { type: 'cursor' as const, cursorParam: 'page', cursorPath: 'nextPage', itemsPath: `QueryResponse.${entity}` },
  }
}

/**
 * How often a scheduled run of a QuickBooks sync is a full resync (connectors/schema.ts
 * `fullResyncFrequency`). An incremental query cannot see what leaves the results: "SELECT * FROM
 * Customer" "retrieves all active customers" (Intuit, "Advanced SQL Queries",
 * https://blogs.intuit.com/2014/03/20/advanced-sql-queries), so a customer or vendor made inactive
 * (QuickBooks' way of deleting one) drops out of every unfiltered and date-filtered query, and a
 * deleted invoice is gone; and a WHERE clause cannot add them back, "The OR operation isn't
 * supported" (data-queries page). Only a full run, which marks deleted every record it did not
 * see, catches them: daily, at most a day late, for one complete listing a day per entity.
 */
export const FULL_RESYNC_FREQUENCY = '1d'

/**
 * An incremental sync of one entity. Incremental runs replace the `query` parameter with
 * `select * from <Entity> where Metadata.LastUpdatedTime >= '<cursor>' MAXRESULTS 1000`: the
 * data-queries page's grammar (`SELECT * FROM IntuitEntity [WHERE WhereClause] … [MAXRESULTS
 * Number]`, operators including `>=`, values `'value_in_quote'`), with the date-time written as in
 * its example `WHERE Metadata.LastUpdatedTime > '2011-08-10T10:20:30-0700'`
 * (https://developer.intuit.com/docs/00_quickbooks_online/2_build/20_explore_the_quickbooks_online_api/50_data_queries):
 * the cursor in UTC, `±hhmm` offset (`iso8601_offset_hhmm`, `2026-01-01T10:00:00+0000`), whole
 * seconds, so `>=` re-reads that second (unchanged records are not rewritten). The cursor is the
 * largest `MetaData.LastUpdatedTime` seen (`2015-07-24T10:35:08-07:00` in responses). The
 * MAXRESULTS guard (`http.errorWhen`) applies to incremental pages too.
 */
function incremental(object: 'customer' | 'vendor' | 'invoice', entity: 'Customer' | 'Vendor' | 'Invoice') {
  return {
    object,
    mode: 'incremental' as const,
    cursorField: 'updatedAt',
    updatedSince: { name: 'query', value: `select * from ${entity} where Metadata.LastUpdatedTime >= '{cursor}' MAXRESULTS ${MAX_RESULTS}`, format: 'iso8601_offset_hhmm' as const },
    defaultFrequency: '1h',
    fullResyncFrequency: FULL_RESYNC_FREQUENCY,
  }
}

const ref = z.strictObject({ value: z.string().min(1), name: z.string().optional() })
const email = z.strictObject({ Address: z.email().max(100) })
const phone = z.strictObject({ FreeFormNumber: z.string().min(1).max(30) })
/** PhysicalAddress (Customer page): Line1–Line5 up to 500 characters, City, CountrySubDivisionCode and Country up to 255, PostalCode up to 30. */
const address = z.strictObject({
  Line1: z.string().max(500).optional(),
  Line2: z.string().max(500).optional(),
  Line3: z.string().max(500).optional(),
  Line4: z.string().max(500).optional(),
  Line5: z.string().max(500).optional(),
  City: z.string().max(255).optional(),
  CountrySubDivisionCode: z.string().max(255).optional(),
  PostalCode: z.string().max(30).optional(),
  Country: z.string().max(255).optional(),
})

export default defineConnector({
  id: 'quickbooks',
  name: 'QuickBooks Online',
  description: 'Bring in the customers, vendors and invoices of your QuickBooks Online company, and add customers and invoices to QuickBooks from this app.',
  categories: ['accounting'],
  logo,
  docsUrl: 'https://developer.intuit.com/app/developer/qbo/docs/get-started',
  connectionConfig: {
    // Set by `hooks.afterAuthorization` from the redirect's realmId, never typed by the user.
    realmId: { label: 'QuickBooks company ID', description: 'The company you connected, named by Intuit when you connect.', source: 'token', pattern: REALM_ID_PATTERN, required: true },
    // Production or sandbox (sandboxes page: sandbox companies are served from
    // https://sandbox-quickbooks.api.intuit.com; the OAuth endpoints are the same, the app's
    // development keys decide). Production unless the user types the sandbox host.
    apiHost: {
      label: 'QuickBooks API host',
      description: 'quickbooks.api.intuit.com for real companies, sandbox-quickbooks.api.intuit.com for sandbox companies.',
      pattern: API_HOST_PATTERN,
      default: 'quickbooks.api.intuit.com',
      required: true,
    },
  },
  auth: {
    type: 'oauth2',
    // OAuth 2.0 page and the discovery document: authorization_endpoint
    // https://appcenter.intuit.com/connect/oauth2 (client_id, scope, redirect_uri, response_type=code, state).
    authorizationUrl: 'https://appcenter.intuit.com/connect/oauth2',
    // token_endpoint, with "Authorization: Basic " + base64(client_id:client_secret) and a form body.
    tokenUrl: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
    clientAuth: 'client_secret_basic',
    // revocation_endpoint. Intuit's page shows a JSON body ({"token": …}); Patchbay sends RFC 7009's
    // form body. A refused revocation is logged, not fatal (see the report).
    revocationUrl: 'https://developer.api.intuit.com/v2/oauth2/tokens/revoke',
    // "com.intuit.quickbooks.accounting": the Accounting API, read and write (there is no read-only scope).
    scopes: ['com.intuit.quickbooks.accounting'],
    // Intuit's pages do not describe PKCE; RFC 6749 §3.1 and §3.2 have a server ignore parameters it
    // does not know, so the challenge and verifier are sent as for every provider.
    pkce: true,
    // Access tokens last an hour (expires_in 3600); refresh tokens last x_refresh_token_expires_in
    // seconds (100 days) and refreshing may answer a new one, which must replace the old (OAuth 2.0
    // page, "Refresh the access token"). The engine stores each refresh token it is given.
    refreshable: true,
  },
  http: {
    // "Base URL": https://quickbooks.api.intuit.com/v3/company/<realmID>/… (sandbox host alike).
    baseUrl: 'https://{apiHost}/v3/company/{realmId}',
    // Throttling (Intuit, 2016, unchanged since): "API calls are throttled at 500 requests per minute
    // per realmId, including batch requests", and at most 10 concurrent requests per app and realm,
    // answered with 429. A connection is one realm and the engine sends one request at a time.
    rateLimit: { requests: 500, windowMs: 60_000 },
    // A query answers at most MAXRESULTS entities and says how many in `maxResults` ("The number of
    // entity elements in the <QueryResponse> element", data-queries page). A full page may not be
    // all: rather than store the first 1000 and let a full sync mark the rest deleted, such a page
    // fails the run (with the message "an error": QuickBooks sends no message for it). Companies with
    // 1000 or more of an entity cannot sync it until the schema can page inside the query text (see the report).
    errorWhen: { path: 'QueryResponse.maxResults', equals: MAX_RESULTS },
  },
  // The company's name: the CompanyInfo query (a path under the base URL cannot repeat the realm id
  // that `GET /companyinfo/<realmID>` needs).
  accountInfo: { path: `/query?query=select%20*%20from%20CompanyInfo&minorversion=${MINOR_VERSION}` },
  objects: {
    customer: {
      label: 'Customers',
      description: 'Active customers and their sub-customers (jobs); a customer made inactive in QuickBooks is marked deleted at the next full resync (daily).',
      // A query answers active customers only ("SELECT * FROM Customer" "retrieves all active
      // customers", Intuit's "Advanced SQL Queries" blog; making a customer inactive is how
      // QuickBooks deletes one), so a full resync marks inactive customers deleted.
      ...query('Customer'),
      docs: 'https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer',
      fields: {
        id: { type: 'string', key: true, from: 'Id' },
        displayName: { type: 'string', from: 'DisplayName', description: 'Unique across customers, vendors and employees' },
        companyName: { type: 'string', from: 'CompanyName' },
        title: { type: 'string', from: 'Title' },
        givenName: { type: 'string', from: 'GivenName' },
        middleName: { type: 'string', from: 'MiddleName' },
        familyName: { type: 'string', from: 'FamilyName' },
        email: { type: 'string', from: 'PrimaryEmailAddr.Address' },
        phone: { type: 'string', from: 'PrimaryPhone.FreeFormNumber' },
        mobile: { type: 'string', from: 'Mobile.FreeFormNumber' },
        website: { type: 'string', from: 'WebAddr.URI' },
        billingAddress: { type: 'object', from: 'BillAddr', description: '{ Line1…Line5, City, CountrySubDivisionCode, PostalCode, Country }' },
        shippingAddress: { type: 'object', from: 'ShipAddr' },
        notes: { type: 'string', from: 'Notes' },
        active: { type: 'boolean', from: 'Active' },
        isJob: { type: 'boolean', from: 'Job', description: 'A sub-customer (job) of parentId' },
        parentId: { type: 'string', from: 'ParentRef.value' },
        taxable: { type: 'boolean', from: 'Taxable' },
        balance: { type: 'number', from: 'Balance', description: 'Open balance, in the customer’s currency' },
        balanceWithJobs: { type: 'number', from: 'BalanceWithJobs' },
        currency: { type: 'string', from: 'CurrencyRef.value' },
        syncToken: { type: 'string', from: 'SyncToken', description: 'Version, required to update it' },
        createdAt: { type: 'datetime', from: 'MetaData.CreateTime' },
        updatedAt: { type: 'datetime', from: 'MetaData.LastUpdatedTime' },
      },
      // A customer is a person or a business; the person's names and the business's name are both kept.
      commonModel: 'contact',
      defaultMapping: {
        email: { source: 'field', path: 'PrimaryEmailAddr.Address' },
        firstName: { source: 'field', path: 'GivenName' },
        lastName: { source: 'field', path: 'FamilyName' },
        phone: { source: 'field', path: 'PrimaryPhone.FreeFormNumber' },
        company: { source: 'field', path: 'CompanyName' },
        title: { source: 'field', path: 'Title' },
        createdAt: { source: 'field', path: 'MetaData.CreateTime' },
        updatedAt: { source: 'field', path: 'MetaData.LastUpdatedTime' },
      },
    },
    vendor: {
      label: 'Vendors',
      description: 'Active suppliers; a vendor made inactive in QuickBooks is marked deleted at the next full resync (daily).',
      ...query('Vendor'),
      docs: 'https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/vendor',
      fields: {
        id: { type: 'string', key: true, from: 'Id' },
        displayName: { type: 'string', from: 'DisplayName' },
        companyName: { type: 'string', from: 'CompanyName' },
        givenName: { type: 'string', from: 'GivenName' },
        familyName: { type: 'string', from: 'FamilyName' },
        email: { type: 'string', from: 'PrimaryEmailAddr.Address' },
        phone: { type: 'string', from: 'PrimaryPhone.FreeFormNumber' },
        website: { type: 'string', from: 'WebAddr.URI' },
        billingAddress: { type: 'object', from: 'BillAddr' },
        accountNumber: { type: 'string', from: 'AcctNum' },
        vendor1099: { type: 'boolean', from: 'Vendor1099', description: 'Tracked for US 1099 reporting' },
        active: { type: 'boolean', from: 'Active' },
        balance: { type: 'number', from: 'Balance' },
        currency: { type: 'string', from: 'CurrencyRef.value' },
        createdAt: { type: 'datetime', from: 'MetaData.CreateTime' },
        updatedAt: { type: 'datetime', from: 'MetaData.LastUpdatedTime' },
      },
      commonModel: 'company',
      // No domain: WebAddr.URI is a full URL, which no transform reduces to a domain.
      defaultMapping: {
        name: { source: 'field', path: 'DisplayName' },
        phone: { source: 'field', path: 'PrimaryPhone.FreeFormNumber' },
        createdAt: { source: 'field', path: 'MetaData.CreateTime' },
        updatedAt: { source: 'field', path: 'MetaData.LastUpdatedTime' },
      },
    },
    invoice: {
      label: 'Invoices',
      description: 'Sales invoices with their lines (deleted invoices are marked deleted at the next full resync, daily).',
      ...query('Invoice'),
      docs: 'https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice',
      fields: {
        id: { type: 'string', key: true, from: 'Id' },
        number: { type: 'string', from: 'DocNumber' },
        date: { type: 'date', from: 'TxnDate' },
        dueDate: { type: 'date', from: 'DueDate' },
        customerId: { type: 'string', from: 'CustomerRef.value' },
        customerName: { type: 'string', from: 'CustomerRef.name' },
        billEmail: { type: 'string', from: 'BillEmail.Address' },
        total: { type: 'number', from: 'TotalAmt', description: 'In the invoice currency (not cents)' },
        balance: { type: 'number', from: 'Balance', description: 'Still due' },
        totalTax: { type: 'number', from: 'TxnTaxDetail.TotalTax' },
        currency: { type: 'string', from: 'CurrencyRef.value' },
        emailStatus: { type: 'enum', from: 'EmailStatus', enumValues: ['NotSet', 'NeedToSend', 'EmailSent'] },
        printStatus: { type: 'enum', from: 'PrintStatus', enumValues: ['NotSet', 'NeedToPrint', 'PrintComplete'] },
        lines: { type: 'array', from: 'Line', description: '[{ DetailType, Amount, Description, SalesItemLineDetail: { ItemRef, Qty, UnitPrice } }]' },
        customerMemo: { type: 'string', from: 'CustomerMemo.value' },
        privateNote: { type: 'string', from: 'PrivateNote' },
        customFields: { type: 'array', from: 'CustomField' },
        syncToken: { type: 'string', from: 'SyncToken' },
        createdAt: { type: 'datetime', from: 'MetaData.CreateTime' },
        updatedAt: { type: 'datetime', from: 'MetaData.LastUpdatedTime' },
      },
    },
  },
  // Incremental syncs on `MetaData.LastUpdatedTime` (the `updatedAt` field), with a daily full resync.
  // See {@link incremental} for the query and {@link FULL_RESYNC_FREQUENCY} for why.
  // Change data capture (`GET /cdc?entities=Customer&changedSince=<cursor>`) would report deletions,
  // but "CDC operations can track changes within the last 30 days" (an older changedSince is refused,
  // so it cannot do a first run or resume after a month) and "responses can handle a maximum of
  // 1,000 objects" with no paging, and it answers several entities nested per entity type
  // (`CDCResponse[0].QueryResponse[i].<Entity>`); it is not used (see the report).
  syncs: {
    customers: incremental('customer', 'Customer'),
    vendors: incremental('vendor', 'Vendor'),
    invoices: incremental('invoice', 'Invoice'),
  },
  actions: {
    create_customer: {
      description: 'Create a customer.',
      // Create a customer: POST /customer with the Customer's attributes → { Customer, time }.
      // "The DisplayName attribute or at least one of Title, GivenName, MiddleName, FamilyName, or
      // Suffix attributes are required during create"; DisplayName must be unique across customers,
      // vendors and employees. Lengths as the Customer page lists them.
      method: 'POST',
      path: `/customer?minorversion=${MINOR_VERSION}`,
      input: z
        .strictObject({
          DisplayName: z.string().trim().min(1).max(500).optional(),
          Title: z.string().max(16).optional(),
          GivenName: z.string().max(100).optional(),
          MiddleName: z.string().max(100).optional(),
          FamilyName: z.string().max(100).optional(),
          Suffix: z.string().max(16).optional(),
          FullyQualifiedName: z.string().max(500).optional(),
          CompanyName: z.string().max(100).optional(),
          PrintOnCheckName: z.string().max(110).optional(),
          PrimaryEmailAddr: email.optional(),
          PrimaryPhone: phone.optional(),
          Mobile: phone.optional(),
          WebAddr: z.strictObject({ URI: z.url().max(1000) }).optional(),
          BillAddr: address.optional(),
          ShipAddr: address.optional(),
          Notes: z.string().max(2000).optional(),
          Taxable: z.boolean().optional(),
          CurrencyRef: ref.optional(),
          ParentRef: ref.optional(),
          Job: z.boolean().optional(),
          BillWithParent: z.boolean().optional(),
        })
        .refine((c) => [c.DisplayName, c.Title, c.GivenName, c.MiddleName, c.FamilyName, c.Suffix].some((v) => v !== undefined && v.trim() !== ''), 'give a DisplayName, or a Title, GivenName, MiddleName, FamilyName or Suffix'),
    },
    create_invoice: {
      description: 'Create an invoice for a customer.',
      // Create an invoice: POST /invoice; "CustomerRef" and at least one line are required. A sales
      // line is { DetailType: "SalesItemLineDetail", Amount, SalesItemLineDetail: { ItemRef, Qty,
      // UnitPrice, TaxCodeRef } }; a description-only line is { DetailType: "DescriptionOnly",
      // Description }. DocNumber at most 21 characters, PrivateNote at most 4000.
      method: 'POST',
      path: `/invoice?minorversion=${MINOR_VERSION}`,
      input: z.strictObject({
        CustomerRef: ref,
        Line: z
          .array(
            z.discriminatedUnion('DetailType', [
              z.strictObject({
                DetailType: z.literal('SalesItemLineDetail'),
                Amount: z.number().finite(),
                Description: z.string().max(4000).optional(),
                SalesItemLineDetail: z.strictObject({ ItemRef: ref, Qty: z.number().finite().optional(), UnitPrice: z.number().finite().optional(), TaxCodeRef: ref.optional(), ServiceDate: z.iso.date().optional() }),
              }),
              z.strictObject({ DetailType: z.literal('DescriptionOnly'), Description: z.string().min(1).max(4000), Amount: z.number().finite().optional() }),
            ]),
          )
          .min(1),
        DocNumber: z.string().min(1).max(21).optional(),
        TxnDate: z.iso.date().optional(),
        DueDate: z.iso.date().optional(),
        BillEmail: email.optional(),
        CustomerMemo: z.strictObject({ value: z.string().max(1000) }).optional(),
        PrivateNote: z.string().max(4000).optional(),
        CurrencyRef: ref.optional(),
        SalesTermRef: ref.optional(),
      }),
    },
  },
  // One endpoint per app: "Webhooks apply to all QuickBooks Online companies connected to your app"
  // (webhooks page), so events are routed to the connection of the company they name.
  webhooks: {
    // Validating page: "Once you configure a webhooks endpoint, Intuit provides an app-specific
    // Verifier Token" (the app's Webhooks settings, "Show Token"; development and production
    // endpoints each have their own). It is not the OAuth client secret.
    secret: { from: 'integration', label: 'Verifier token', helpUrl: 'https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks/managing-webhooks-notifications#validating-the-notification' },
    // Same page: "Hash the notification payload with HMAC_SHA256_ALGORITHM using your verifier
    // token as the key", then compare it with the `intuit-signature` header, which is base64
    // ("Convert the intuit-signature header from base-64 to base-16"). Nothing else is signed and
    // Intuit sends no timestamp, so a captured notification can be replayed (see the report).
    signature: { type: 'hmac', algorithm: 'sha256', encoding: 'base64', header: 'intuit-signature', signed: ['body'] },
    // The CloudEvents payload (Intuit, 2025-11-12: mandatory for every app in 2026) is a JSON array
    // of events, each naming its company in `intuitaccountid` ("310687", the realmId) and its kind in
    // `type` (`qbo.account.created.v1`). A batch is routed when all its events name one company
    // (a mixed one is acknowledged, not forwarded). The legacy `{ eventNotifications: [{ realmId }] }`
    // body has no `intuitaccountid`, so it is acknowledged and not forwarded.
    route: { body: '*.intuitaccountid', connectionConfig: 'realmId' },
    eventType: { body: '*.type' },
    docs: 'https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks/managing-webhooks-notifications#validating-the-notification',
  },
  hooks: {
    afterAuthorization: (ctx) => realmFrom(ctx),
    // The CompanyInfo query → { QueryResponse: { CompanyInfo: [{ CompanyName, LegalName, … }] } }.
    accountLabel: (body) => firstString(body, ['QueryResponse.CompanyInfo.0.CompanyName', 'QueryResponse.CompanyInfo.0.LegalName']),
  },
})
