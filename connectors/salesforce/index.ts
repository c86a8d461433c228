/**
 * Salesforce (REST API, OAuth 2.0 web server flow for a connected app).
 *
 * Sources, each cited again where it is used:
 * - Web server flow (authorize, token, PKCE, token response):
 *   https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm&type=5
 * - Endpoints (authorize, token, revoke, userinfo): https://login.salesforce.com/.well-known/openid-configuration
 * - Scopes: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_tokens_scopes.htm&type=5
 * - Refresh token flow: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm&type=5
 * - Query and Query More Results: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
 *   and https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm
 * - QueryAll (soft-deleted records): https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm
 * - SOQL dateTime literals: https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm
 * - System fields (SystemModstamp, IsDeleted): https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/system_fields.htm
 * - Create a record: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_create.htm
 * - Describe (custom fields): https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
 * - Limits: https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm
 *   and https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm
 * - Objects: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contact.htm,
 *   …_account.htm, …_opportunity.htm, …_organization.htm
 */
import { z } from 'zod'
import type { FieldType } from '../../server/src/mapping/schema'
import { anchored, firstString } from '../helpers'
import { defineConnector } from '../schema'

/** A blue rounded square with a white cloud shape (not Salesforce's logo). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Salesforce">' +
  '<rect width="64" height="64" rx="14" fill="#0b5cab"/>' +
  '<path d="M20 44a9 9 0 0 1-1-17.9A11 11 0 0 1 40 22a9 9 0 0 1 5 17 7 7 0 0 1-6 5z" fill="#fff"/>' +
  '</svg>'

/**
 * The REST API version in every path. Salesforce keeps old versions working for years (each path
 * names its version, e.g. `/services/data/v62.0/query`, Query resource page), so the version is
 * pinned rather than discovered; v62.0 is Winter '25, the version of the shared query fixture
 * (`connectors/fixtures/salesforce-query.json`).
 */
export const API_VERSION = 'v62.0'
const DATA = `/services/data/${API_VERSION}`

/**
 * A host name under salesforce.com, as in the token response's `instance_url`: My Domain hosts
 * (`MyDomainName.my.salesforce.com`), sandboxes (`MyDomainName--SandboxName.sandbox.my.salesforce.com`)
 * and legacy instance hosts (`na1.salesforce.com`) — the forms in the web server flow page and the
 * REST API guide's examples. Nothing else may become the base URL: every request carries the token.
 */
export const INSTANCE_HOST_PATTERN = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.salesforce\\.com'
const INSTANCE_HOST = anchored(INSTANCE_HOST_PATTERN)

/**
 * `instance_url` of a token response → the connection's `instanceHost`. The web server flow page:
 * "instance_url — A URL indicating the instance of the user's org", e.g. `https://mycompany.my.salesforce.com`.
 * Only the host is kept (the base URL is `https://{instanceHost}`): config values are templated into
 * URLs, percent-encoded, so a whole URL cannot be one.
 * @throws {TypeError} when `instance_url` is missing, not https, carries a path, port or credentials,
 *   or is not a salesforce.com host — such a connection is refused rather than stored with a base
 *   URL that would receive the access token.
 */
export function instanceHostFromToken(tokenResponse: Record<string, unknown>): { instanceHost: string } {
  const raw = tokenResponse.instance_url
  if (typeof raw !== 'string' || !URL.canParse(raw)) throw new TypeError('the Salesforce token response has no valid instance_url')
  const url = new URL(raw)
  if (url.protocol !== 'https:' || url.port !== '' || url.username !== '' || url.password !== '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw new TypeError(`instance_url ${JSON.stringify(raw)} is not a bare https origin`)
  }
  if (!INSTANCE_HOST.test(url.hostname)) throw new TypeError(`instance_url host ${url.hostname} is not under salesforce.com`)
  return { instanceHost: url.hostname }
}

/** The sObject behind each connector object (describe and create paths). */
const SOBJECTS: Record<string, string> = { contact: 'Contact', account: 'Account', opportunity: 'Opportunity' }

/**
 * Selected by every query, for incremental syncs (System Fields,
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/system_fields.htm):
 * - `SystemModstamp`: "Date and time when a user or automated process last modified this record" —
 *   the sync cursor; `LastModifiedDate` is only "when a user last modified this record", so changes
 *   made by automation would be missed by it;
 * - `IsDeleted`: "Indicates whether the record has been moved to the Recycle Bin (true) or not", true
 *   only in QueryAll answers (see `SYNC_FILTER`).
 */
const SYSTEM_FIELDS = ['SystemModstamp', 'IsDeleted']
const CONTACT_FIELDS = ['Id', 'FirstName', 'LastName', 'Name', 'Email', 'Phone', 'MobilePhone', 'Title', 'Department', 'AccountId', 'Account.Name', 'LeadSource', 'MailingCity', 'MailingCountry', 'OwnerId', 'CreatedDate', 'LastModifiedDate', ...SYSTEM_FIELDS]
const ACCOUNT_FIELDS = ['Id', 'Name', 'Website', 'Industry', 'Phone', 'Type', 'NumberOfEmployees', 'AnnualRevenue', 'BillingCity', 'BillingCountry', 'OwnerId', 'CreatedDate', 'LastModifiedDate', ...SYSTEM_FIELDS]
// No CurrencyIsoCode: that field exists only in multi-currency orgs, and selecting it elsewhere
// fails the whole query with INVALID_FIELD (Opportunity object reference, CurrencyIsoCode row).
const OPPORTUNITY_FIELDS = ['Id', 'Name', 'Amount', 'StageName', 'CloseDate', 'Probability', 'IsClosed', 'IsWon', 'AccountId', 'Type', 'LeadSource', 'ForecastCategoryName', 'OwnerId', 'CreatedDate', 'LastModifiedDate', ...SYSTEM_FIELDS]

/** The SOQL of a full read of `sobject`. Spaces become `+` in the query string, as the Query resource page asks. */
const soql = (fields: string[], sobject: string) => `SELECT ${fields.join(', ')} FROM ${sobject}`

/**
 * The WHERE clause of an incremental run, `{cursor}` being the last `SystemModstamp` written as a
 * SOQL dateTime literal `YYYY-MM-DDThh:mm:ssZ`, unquoted ("Date Formats and Date Literals",
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm:
 * "the date is not enclosed in single quotes", e.g. `WHERE CreatedDate > 2005-10-08T01:02:03Z`).
 * The literal has whole seconds (the cursor is rounded down), so `>=` re-reads the records of that
 * second: harmless, unchanged records keep their content hash and are not rewritten.
 * `OR IsDeleted = true`: the QueryAll resource "returns records that are soft deleted due to a merge
 * or delete" until they leave the recycle bin
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm),
 * so every incremental run sees the recycle bin and stores those records as deleted (`deletedWhen`),
 * whatever a deletion does to SystemModstamp (the docs do not say). Records purged from the bin
 * before a run (emptied bin, or none for longer than the bin keeps them) are only seen by a full run
 * (a `fullResync`), which marks deleted what it did not see.
 */
const SYNC_FILTER = ' WHERE SystemModstamp >= {cursor} OR IsDeleted = true'

/**
 * How often a scheduled run is a full resync. "The Recycle Bin lets you view and restore recently
 * deleted records for 15 days before they're permanently deleted", and when an org reaches its
 * Recycle Bin limit "Salesforce automatically removes the oldest records, as long as they've been
 * in the recycle bin for at least two hours"; `emptyRecycleBin()` removes them at once
 * (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_emptyrecyclebin.htm).
 * QueryAll returns soft-deleted records only while they are in the bin (resources_queryall.htm
 * above), so a record purged between two incremental runs is never seen deleted by them: only a
 * full run, which marks deleted what it did not see, catches it. Weekly keeps stored records at
 * most a week behind such purges, for one complete listing a week.
 */
export const FULL_RESYNC_FREQUENCY = '7d'

/** An incremental sync of a query object: cursor `SystemModstamp`, the query text templated with {@link SYNC_FILTER}, a full resync every {@link FULL_RESYNC_FREQUENCY}. */
const incremental = (object: string, fields: string[], sobject: string, defaultFrequency: string) =>
  ({
    object,
    mode: 'incremental',
    cursorField: 'systemModstamp',
    updatedSince: { name: 'q', value: soql(fields, sobject) + SYNC_FILTER, format: 'iso8601' },
    deletedWhen: { path: 'IsDeleted', equals: true },
    defaultFrequency,
    fullResyncFrequency: FULL_RESYNC_FREQUENCY,
  }) as const

/** A field or one-level relationship path SOQL can select (`Tier__c`, `Account.Name`); nothing else is ever put in a query. */
const SELECTABLE = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?$/

/**
 * The query of a connector object plus every field the connection's mapping reads that the query
 * does not select yet (custom fields such as `Tier__c`, relationship fields such as `Owner.Name`),
 * compared case-insensitively as SOQL does. A record has only the fields its query selects, so a
 * mapped custom field must be added here to arrive at all. Paths into `attributes`, array indexes
 * and deeper paths are left out.
 */
export function withMappedFields(params: Readonly<Record<string, string>>, mappedPaths: readonly string[]): Record<string, string> {
  const match = params.q === undefined ? null : /^SELECT\s+(.+?)\s+FROM\s+(.+)$/is.exec(params.q)
  if (!match) return { ...params }
  const fields = match[1]!.split(',').map((f) => f.trim())
  const selected = new Set(fields.map((f) => f.toLowerCase()))
  for (const path of mappedPaths) {
    if (!SELECTABLE.test(path) || path.split('.')[0] === 'attributes' || selected.has(path.toLowerCase())) continue
    fields.push(path)
    selected.add(path.toLowerCase())
  }
  return { ...params, q: `SELECT ${fields.join(', ')} FROM ${match[2]}` }
}

/**
 * Describe field types (the `type` of a DescribeSObjectResult field,
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm)
 * → field types. Values arrive in JSON as numbers (int, double, currency, percent), booleans,
 * `YYYY-MM-DD` dates and ISO 8601 datetimes; everything else is text.
 */
const DESCRIBE_TYPES: Record<string, FieldType> = {
  boolean: 'boolean',
  int: 'integer',
  long: 'integer',
  double: 'number',
  currency: 'number',
  percent: 'number',
  date: 'date',
  datetime: 'datetime',
  address: 'object',
  location: 'object',
}

type Discovered = Record<string, { type: FieldType; label?: string; description?: string; enumValues?: string[] }>

/**
 * The custom fields (`custom: true`, API names ending in `__c`) of a describe response, keyed by
 * API name (their path in a query record). Single-choice picklists list their active values;
 * multi-select picklists are text with values joined by `;` (how the REST API returns them).
 */
export function describeToFields(body: unknown): Discovered {
  const fields = (body as { fields?: unknown } | null)?.fields
  const out: Discovered = {}
  if (!Array.isArray(fields)) return out
  for (const f of fields as { name?: unknown; label?: unknown; type?: unknown; custom?: unknown; inlineHelpText?: unknown; picklistValues?: unknown }[]) {
    if (f?.custom !== true || typeof f.name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(f.name)) continue
    const options = Array.isArray(f.picklistValues)
      ? (f.picklistValues as { value?: unknown; active?: unknown }[]).filter((o) => typeof o?.value === 'string' && o.value !== '' && o.active !== false).map((o) => o.value as string)
      : []
    const isEnum = f.type === 'picklist' && options.length > 0
    const type: FieldType = isEnum ? 'enum' : (DESCRIBE_TYPES[String(f.type)] ?? 'string')
    const note = f.type === 'multipicklist' ? 'Values separated by ;' : undefined
    const description = [typeof f.inlineHelpText === 'string' && f.inlineHelpText !== '' ? f.inlineHelpText : undefined, note].filter(Boolean).join(' · ')
    out[f.name] = { type, ...(typeof f.label === 'string' ? { label: f.label } : {}), ...(description ? { description } : {}), ...(isEnum ? { enumValues: [...new Set(options)].slice(0, 500) } : {}) }
  }
  return out
}

/** A Salesforce record id: 15 (case-sensitive) or 18 (case-insensitive) alphanumeric characters. */
const recordId = z.string().regex(/^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/, 'must be a 15- or 18-character Salesforce id')

export default defineConnector({
  id: 'salesforce',
  name: 'Salesforce',
  description: 'Bring in your Salesforce contacts, accounts and opportunities, and add new contacts to Salesforce from this app.',
  categories: ['crm'],
  logo,
  docsUrl: 'https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/',
  auth: {
    type: 'oauth2',
    // https://login.salesforce.com/.well-known/openid-configuration: "authorization_endpoint",
    // "token_endpoint" and "revocation_endpoint". Production and Developer Edition orgs log in here;
    // sandboxes log in at test.salesforce.com (web server flow page), which this connector does not
    // offer (see the report: connection config has no defaulted or choice fields).
    authorizationUrl: 'https://login.salesforce.com/services/oauth2/authorize',
    tokenUrl: 'https://login.salesforce.com/services/oauth2/token',
    // RFC 7009 revocation (`token` posted to /services/oauth2/revoke), same discovery document.
    revocationUrl: 'https://login.salesforce.com/services/oauth2/revoke',
    // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_tokens_scopes.htm&type=5
    // - `api`: "access to the current, logged-in user's account using APIs, such as REST API" (queries,
    //   describe, create).
    // - `refresh_token`: "Allows a refresh token to be returned when the requesting client is
    //   eligible to receive one" (synonym `offline_access`).
    // Both must also be selected in the connected app's OAuth settings.
    scopes: ['api', 'refresh_token'],
    scopeSeparator: ' ',
    // Web server flow page: Salesforce recommends the web server flow with PKCE, through the
    // code_challenge (authorization request) and code_verifier (token request) parameters.
    pkce: true,
    // The token request example sends client_id and client_secret in the POST body (the page adds
    // that HTTP Basic is accepted too).
    clientAuth: 'client_secret_post',
    // The token response has a refresh_token when `refresh_token` is granted, but no `expires_in`:
    // "Access tokens have a limited lifetime specified by the session timeout in Salesforce. If an
    // application uses an expired access token, a 'Session expired or invalid' error is returned"
    // (https://developer.salesforce.com/docs/atlas.en-us.222.0.api_rest.meta/api/intro_understanding_refresh_token_oauth.htm).
    // So the engine refreshes on the first 401 (`callProvider`), with grant_type=refresh_token at
    // the same token endpoint (refresh token flow page).
    refreshable: true,
  },
  // The REST API lives on the org's own host, given by the token response (`instance_url`) and set
  // by `hooks.afterTokenResponse`. The pattern is widened from a DNS label to a salesforce.com host.
  connectionConfig: {
    instanceHost: {
      label: 'Salesforce instance',
      description: 'The host of your Salesforce org, taken from Salesforce when you connect.',
      source: 'token',
      pattern: INSTANCE_HOST_PATTERN,
      required: true,
    },
  },
  http: {
    baseUrl: 'https://{instanceHost}',
    // API Request Limits and Allocations: a rolling 24-hour allocation per org (not per app or per
    // user), shared with every other integration of the org, plus 25 concurrent long-running (≥ 20 s)
    // requests in production. Over a limit the API answers REQUEST_LIMIT_EXCEEDED errors (HTTP 403), not 429.
    // The only usage signal is `Sforce-Limit-Info: api-usage=18/5000`, one header holding used/limit,
    // which `rateLimit` cannot read (it wants separate limit and remaining headers), and there is no
    // per-second budget to declare. So no `rateLimit`, and the default retries (429, 502–504).
    // Query resource: "If the total number of results exceeds the limit … the response contains the
    // first batch of records, a false value for done, and a query locator"; `nextRecordsUrl` is the
    // path of the next batch (Query More Results), requested "without any parameters"; the last page
    // has `done: true` and no `nextRecordsUrl`. Batches are up to 2,000 records; there is no page-size
    // query parameter (a `Sforce-Query-Options: batchSize=` header exists, which objects cannot set).
    pagination: { type: 'next_url', nextUrlPath: 'nextRecordsUrl', itemsPath: 'records' },
  },
  // The org's name, read with the Query resource (`api` scope). `/services/oauth2/userinfo` would need
  // the `openid`/`profile` scopes, and the identity URL (`id` in the token response) is on another host.
  accountInfo: { path: `${DATA}/query?q=${encodeURIComponent('SELECT Id, Name FROM Organization')}` },
  objects: {
    contact: {
      label: 'Contacts',
      description: 'People in Salesforce, usually linked to an account.',
      // QueryAll (GET /services/data/vXX.X/queryAll?q=…): Query plus soft-deleted records (see SYNC_FILTER).
      path: `${DATA}/queryAll`,
      docs: 'https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contact.htm',
      params: { q: soql(CONTACT_FIELDS, 'Contact') },
      // A query record: the selected fields by API name, `attributes: { type, url }`, and for
      // `Account.Name` a nested `Account: { attributes, Name }` (or null without an account).
      fields: {
        id: { type: 'string', key: true, from: 'Id' },
        firstName: { type: 'string', from: 'FirstName' },
        lastName: { type: 'string', from: 'LastName' },
        name: { type: 'string', from: 'Name', description: 'Full name, read-only' },
        email: { type: 'string', from: 'Email' },
        phone: { type: 'string', from: 'Phone' },
        mobilePhone: { type: 'string', from: 'MobilePhone' },
        title: { type: 'string', from: 'Title' },
        department: { type: 'string', from: 'Department' },
        accountId: { type: 'string', from: 'AccountId' },
        accountName: { type: 'string', from: 'Account.Name' },
        // A picklist whose values each org configures, so text rather than an enum.
        leadSource: { type: 'string', from: 'LeadSource' },
        mailingCity: { type: 'string', from: 'MailingCity' },
        mailingCountry: { type: 'string', from: 'MailingCountry' },
        ownerId: { type: 'string', from: 'OwnerId' },
        createdAt: { type: 'datetime', from: 'CreatedDate' },
        updatedAt: { type: 'datetime', from: 'LastModifiedDate' },
        systemModstamp: { type: 'datetime', from: 'SystemModstamp', description: 'Last change by a user or an automated process' },
        isDeleted: { type: 'boolean', from: 'IsDeleted', description: 'In the recycle bin (stored as deleted)' },
      },
      commonModel: 'contact',
      defaultMapping: {
        email: { source: 'field', path: 'Email' },
        firstName: { source: 'field', path: 'FirstName' },
        lastName: { source: 'field', path: 'LastName' },
        phone: { source: 'field', path: 'Phone' },
        company: { source: 'field', path: 'Account.Name' },
        title: { source: 'field', path: 'Title' },
        lifecycleStage: { source: 'field', path: 'LeadSource' },
        createdAt: { source: 'field', path: 'CreatedDate' },
        updatedAt: { source: 'field', path: 'LastModifiedDate' },
      },
    },
    account: {
      label: 'Accounts',
      description: 'Companies and organisations in Salesforce.',
      // QueryAll (GET /services/data/vXX.X/queryAll?q=…): Query plus soft-deleted records (see SYNC_FILTER).
      path: `${DATA}/queryAll`,
      docs: 'https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_account.htm',
      params: { q: soql(ACCOUNT_FIELDS, 'Account') },
      fields: {
        id: { type: 'string', key: true, from: 'Id' },
        name: { type: 'string', from: 'Name' },
        website: { type: 'string', from: 'Website', description: 'As entered, e.g. www.example.com' },
        industry: { type: 'string', from: 'Industry' },
        phone: { type: 'string', from: 'Phone' },
        type: { type: 'string', from: 'Type' },
        employees: { type: 'integer', from: 'NumberOfEmployees' },
        annualRevenue: { type: 'number', from: 'AnnualRevenue' },
        billingCity: { type: 'string', from: 'BillingCity' },
        billingCountry: { type: 'string', from: 'BillingCountry' },
        ownerId: { type: 'string', from: 'OwnerId' },
        createdAt: { type: 'datetime', from: 'CreatedDate' },
        updatedAt: { type: 'datetime', from: 'LastModifiedDate' },
        systemModstamp: { type: 'datetime', from: 'SystemModstamp', description: 'Last change by a user or an automated process' },
        isDeleted: { type: 'boolean', from: 'IsDeleted', description: 'In the recycle bin (stored as deleted)' },
      },
      commonModel: 'company',
      defaultMapping: {
        name: { source: 'field', path: 'Name' },
        domain: { source: 'field', path: 'Website' },
        industry: { source: 'field', path: 'Industry' },
        phone: { source: 'field', path: 'Phone' },
        createdAt: { source: 'field', path: 'CreatedDate' },
        updatedAt: { source: 'field', path: 'LastModifiedDate' },
      },
    },
    opportunity: {
      label: 'Opportunities',
      description: 'Deals in progress, won or lost.',
      // QueryAll (GET /services/data/vXX.X/queryAll?q=…): Query plus soft-deleted records (see SYNC_FILTER).
      path: `${DATA}/queryAll`,
      docs: 'https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunity.htm',
      params: { q: soql(OPPORTUNITY_FIELDS, 'Opportunity') },
      fields: {
        id: { type: 'string', key: true, from: 'Id' },
        name: { type: 'string', from: 'Name' },
        amount: { type: 'number', from: 'Amount', description: 'In the org currency (or the record currency in multi-currency orgs)' },
        stage: { type: 'string', from: 'StageName' },
        closeDate: { type: 'date', from: 'CloseDate' },
        probability: { type: 'number', from: 'Probability', description: 'Percent, 0–100' },
        isClosed: { type: 'boolean', from: 'IsClosed' },
        isWon: { type: 'boolean', from: 'IsWon' },
        accountId: { type: 'string', from: 'AccountId' },
        type: { type: 'string', from: 'Type' },
        leadSource: { type: 'string', from: 'LeadSource' },
        forecastCategory: { type: 'string', from: 'ForecastCategoryName' },
        ownerId: { type: 'string', from: 'OwnerId' },
        createdAt: { type: 'datetime', from: 'CreatedDate' },
        updatedAt: { type: 'datetime', from: 'LastModifiedDate' },
        systemModstamp: { type: 'datetime', from: 'SystemModstamp', description: 'Last change by a user or an automated process' },
        isDeleted: { type: 'boolean', from: 'IsDeleted', description: 'In the recycle bin (stored as deleted)' },
      },
      commonModel: 'deal',
      // No currency: CurrencyIsoCode is not selected (see OPPORTUNITY_FIELDS).
      defaultMapping: {
        name: { source: 'field', path: 'Name' },
        amount: { source: 'field', path: 'Amount' },
        stage: { source: 'field', path: 'StageName' },
        closeDate: { source: 'field', path: 'CloseDate' },
        createdAt: { source: 'field', path: 'CreatedDate' },
        updatedAt: { source: 'field', path: 'LastModifiedDate' },
      },
    },
  },
  // Incremental on SystemModstamp: the first run (and a full resync) reads the whole QueryAll and
  // marks deleted what it did not see; later runs template `q` with SYNC_FILTER. A mapping's extra
  // fields are added to the incremental SELECT too (`listParams` sees the templated query).
  syncs: {
    contacts: incremental('contact', CONTACT_FIELDS, 'Contact', '6h'),
    accounts: incremental('account', ACCOUNT_FIELDS, 'Account', '1d'),
    opportunities: incremental('opportunity', OPPORTUNITY_FIELDS, 'Opportunity', '6h'),
  },
  actions: {
    create_contact: {
      description: 'Create a contact.',
      // Create a Record: POST /services/data/vXX.X/sobjects/<sObject>/ with the field values as a
      // JSON object → { id, errors: [], success: true }. LastName is the Contact's one required field
      // (Contact object reference: "LastName … Required"); lengths from the same reference.
      method: 'POST',
      path: `${DATA}/sobjects/Contact`,
      // The input is a Contact record's own fields, so a record in the vendor's shape is written back
      // through the inverse of the connection's contact mapping (read-only fields such as Id or Name are dropped).
      object: 'contact',
      input: z.strictObject({
        LastName: z.string().min(1).max(80),
        FirstName: z.string().max(40).optional(),
        Email: z.email().max(80).optional(),
        Phone: z.string().max(40).optional(),
        MobilePhone: z.string().max(40).optional(),
        Title: z.string().max(128).optional(),
        Department: z.string().max(80).optional(),
        AccountId: recordId.optional(),
        LeadSource: z.string().max(255).optional(),
      }),
    },
  },
  hooks: {
    afterTokenResponse: (tokenResponse) => instanceHostFromToken(tokenResponse),
    // The Organization query → its one record's Name.
    accountLabel: (body) => firstString(body, ['records.0.Name']),
    listParams: ({ object, params, mappedPaths }) => (object in SOBJECTS ? withMappedFields(params, mappedPaths) : { ...params }),
    discoverFields: async ({ object, get }) => {
      const sobject = SOBJECTS[object]
      return sobject ? describeToFields(await get(`${DATA}/sobjects/${sobject}/describe`)) : undefined
    },
  },
})
