/**
 * Test-only connectors for the two fake-provider styles that no shipped connector covers yet:
 *
 * - `test-salesforce`: Salesforce-like SOQL query paging (`next_url` pagination on
 *   `nextRecordsUrl`), one `full` sync. Shaped after the REST API Developer Guide's Query and Query
 *   More Results resources:
 *   https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
 *   https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api/resources_query_more_results.htm
 * - `test-offset`: a generic `?offset=&limit=` API answering `{ items, total }`, one `incremental`
 *   sync on `updated_since` (ISO 8601). It stands for the many APIs built this way; it copies no
 *   particular provider.
 *
 * Both authenticate with a pasted key (`api_key`), which any value satisfies on the fake. Their
 * base URLs use the reserved `.invalid` TLD (RFC 6761 §6.4), so nothing reaches a real host: a test
 * points an integration at the fake with the `baseUrl` override (`startFakeProvider(...).url`).
 * The fake serves these connectors' paths (`./provider.ts`, styles `salesforce` and `offset`).
 */
import { getConnector, registerConnector } from '../../connectors/registry'
import { defineConnector, type Connector } from '../../connectors/schema'

/** A grey rounded square with a white "T": test connectors only. */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Test">' +
  '<rect width="64" height="64" rx="14" fill="#6b7280"/>' +
  '<path d="M18 20h28M32 20v26" fill="none" stroke="#fff" stroke-width="7" stroke-linecap="round"/>' +
  '</svg>'

/** The Salesforce REST API version the test connector and the fake use in paths. */
export const SALESFORCE_API_VERSION = 'v60.0'

/**
 * Salesforce-like query paging. The first request runs the SOQL query in `q`; each response is
 * `{ totalSize, done, nextRecordsUrl?, records }` and `nextRecordsUrl` is a path such as
 * `/services/data/v60.0/query/01gxx-2000` (Query More Results, URI
 * `/services/data/vXX.X/query/queryLocator`), resolved against the current page's origin.
 * Full sync: Salesforce has no list endpoint with an "updated since" query parameter (a
 * `WHERE SystemModstamp > …` clause lives inside the SOQL text), which a sync declaration cannot
 * template.
 */
export const testSalesforceConnector: Connector = defineConnector({
  id: 'test-salesforce',
  name: 'Test Salesforce (fake)',
  description: 'Salesforce-like query pagination, for sync tests against the local fake provider.',
  categories: ['crm'],
  logo,
  docsUrl: 'https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm',
  auth: {
    type: 'api_key',
    fields: { apiKey: { label: 'Access token', type: 'password', required: true } },
    // "Authorization: Bearer token" (Authentication row of the Query resource page above).
    inject: { headers: { Authorization: 'Bearer {apiKey}' } },
    // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
    verify: { method: 'GET', path: `/services/data/${SALESFORCE_API_VERSION}/limits`, okStatus: [200] },
  },
  http: {
    baseUrl: 'https://test-salesforce.invalid',
    // Records are in `records`; the next batch's URI is `nextRecordsUrl`, absent when `done` is true.
    pagination: { type: 'next_url', nextUrlPath: 'nextRecordsUrl', itemsPath: 'records' },
  },
  objects: {
    account: {
      description: 'Accounts, read with a SOQL query ordered by Id.',
      path: `/services/data/${SALESFORCE_API_VERSION}/query`,
      params: { q: 'SELECT Id, Name, Industry, CreatedDate, LastModifiedDate, SystemModstamp FROM Account ORDER BY Id' },
      fields: {
        id: { type: 'string', key: true, from: 'Id' },
        name: { type: 'string', from: 'Name' },
        industry: { type: 'string', from: 'Industry' },
        createdAt: { type: 'datetime', from: 'CreatedDate' },
        updatedAt: { type: 'datetime', from: 'LastModifiedDate' },
      },
    },
  },
  syncs: {
    accounts: { object: 'account', mode: 'full', defaultFrequency: '1h' },
  },
})

/**
 * A generic offset API: `GET /items?offset=0&limit=100&updated_since=<ISO 8601>` →
 * `{ items: [...], total }`, items ordered by id; `X-Api-Key` authentication;
 * `X-RateLimit-Limit/-Remaining/-Reset` (reset in Unix epoch seconds) on every response and
 * `Retry-After` (seconds) on a 429.
 */
export const testOffsetConnector: Connector = defineConnector({
  id: 'test-offset',
  name: 'Test offset API (fake)',
  description: 'A generic offset/limit list API, for sync tests against the local fake provider.',
  categories: ['other'],
  logo,
  docsUrl: 'https://test-offset.invalid/docs',
  auth: {
    type: 'api_key',
    fields: { apiKey: { label: 'API key', type: 'password', required: true } },
    inject: { headers: { 'X-Api-Key': '{apiKey}' } },
    verify: { method: 'GET', path: '/me', okStatus: [200] },
  },
  http: {
    baseUrl: 'https://test-offset.invalid',
    rateLimit: { limitHeader: 'X-RateLimit-Limit', remainingHeader: 'X-RateLimit-Remaining', resetHeader: 'X-RateLimit-Reset', resetUnit: 'epoch_s' },
    pagination: { type: 'offset', offsetParam: 'offset', unit: 'items', startAt: 0, itemsPath: 'items', limitParam: 'limit', limit: 100 },
  },
  accountInfo: { path: '/me' },
  objects: {
    item: {
      description: 'Items, ordered by id.',
      path: '/items',
      fields: {
        id: { type: 'string', key: true },
        name: { type: 'string' },
        status: { type: 'enum', enumValues: ['active', 'archived'] },
        created_at: { type: 'datetime' },
        updated_at: { type: 'datetime' },
      },
    },
  },
  syncs: {
    // `updated_since` keeps items whose `updated_at` is at or after the given instant.
    items: { object: 'item', mode: 'incremental', cursorField: 'updated_at', updatedSinceParam: 'updated_since', defaultFrequency: '15m' },
  },
})

/** Every test-only connector, by id. */
export const TEST_CONNECTORS: readonly Connector[] = [testSalesforceConnector, testOffsetConnector]

/**
 * Registers the test-only connectors in the process-wide registry (`connectors/registry.ts`).
 * Idempotent: a connector whose id is already registered is left as it is, so every test file may
 * call this in its setup.
 * @returns the test connectors, registered or found.
 */
export function registerTestConnectors(): Connector[] {
  return TEST_CONNECTORS.map((connector) => getConnector(connector.id) ?? registerConnector(connector))
}
