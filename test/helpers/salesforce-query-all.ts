/**
 * A fake Salesforce QueryAll on 127.0.0.1 for the real Salesforce connector's `contacts` sync:
 *
 * - `GET /services/data/vXX.X/queryAll?q=<SOQL>` → `{ totalSize, done, records, nextRecordsUrl? }`,
 *   the next batch at a path-only `nextRecordsUrl` "without any parameters"
 *   (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm);
 *   soft-deleted records come back with `IsDeleted: true`, a record purged from the recycle bin is
 *   simply absent from the list it is given;
 * - it reads the one WHERE clause an incremental run sends, `SystemModstamp >= <dateTime> OR
 *   IsDeleted = true`, the dateTime an unquoted SOQL literal `YYYY-MM-DDThh:mm:ssZ`
 *   (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm),
 *   and answers 400 to anything else (another SELECT list included), as Salesforce answers a malformed query.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { API_VERSION } from '../../connectors/salesforce/index'

/** The SELECT of the Salesforce connector's `contacts` sync, without a WHERE clause. */
export const CONTACT_FIELDS = 'SELECT Id, FirstName, LastName, Name, Email, Phone, MobilePhone, Title, Department, AccountId, Account.Name, LeadSource, MailingCity, MailingCountry, OwnerId, CreatedDate, LastModifiedDate, SystemModstamp, IsDeleted FROM Contact'

/** Salesforce's dateTime spelling in query results: `2026-01-01T10:00:00.000+0000`. */
export const stamp = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000')

export interface Contact { attributes: { type: string; url: string }; Id: string; LastName: string; Email: string; SystemModstamp: string; IsDeleted: boolean }

/** Contact `i` (ids `003D000000QV9n01IAD`, …), last modified at `at` (epoch ms). */
export const contact = (i: number, at: number): Contact => {
  const id = `003D000000QV9n${String(i).padStart(2, '0')}IAD`
  return { attributes: { type: 'Contact', url: `/services/data/${API_VERSION}/sobjects/Contact/${id}` }, Id: id, LastName: `Last ${i}`, Email: `c${i}@example.com`, SystemModstamp: stamp(at), IsDeleted: false }
}

/**
 * Starts the fake (see the module comment). `records` is read on every query, so a test changes
 * the provider's data by changing the array. Requests need `Authorization: Bearer <token>`.
 * @param opts.batchSize records per batch (default: all in one).
 * @returns its base URL, the SOQL of every query and the path + query of every request, in order.
 */
export async function startSalesforceQueryAll(records: Contact[], opts: { token: string; batchSize?: number }) {
  const batchSize = opts.batchSize ?? Infinity
  const queries: string[] = []
  const requests: string[] = []
  const locators = new Map<string, Contact[]>()
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    requests.push(url.pathname + url.search)
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (req.headers.authorization !== `Bearer ${opts.token}`) return send(401, [{ errorCode: 'INVALID_SESSION_ID' }])
    let rest: Contact[]
    if (url.pathname === `/services/data/${API_VERSION}/queryAll`) {
      const q = url.searchParams.get('q') ?? ''
      queries.push(q)
      const m = /^(SELECT .+ FROM Contact)(?: WHERE SystemModstamp >= (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z) OR IsDeleted = true)?$/.exec(q)
      if (!m || m[1] !== CONTACT_FIELDS) return send(400, [{ errorCode: 'MALFORMED_QUERY', message: 'unexpected query' }])
      const since = m[2] ? Date.parse(m[2]) : undefined
      rest = records.filter((r) => since === undefined || r.IsDeleted || Date.parse(r.SystemModstamp.replace('+0000', 'Z')) >= since)
    } else {
      const locator = /\/query\/(01gFAKE\d+)$/.exec(url.pathname)?.[1]
      if (!locator || !locators.has(locator)) return send(404, [{ errorCode: 'INVALID_QUERY_LOCATOR' }])
      rest = locators.get(locator)!
    }
    const batch = rest.slice(0, batchSize)
    const more = rest.slice(batchSize)
    const locator = `01gFAKE${locators.size + 1}`
    if (more.length > 0) locators.set(locator, more)
    send(200, { totalSize: rest.length, done: more.length === 0, records: batch, ...(more.length > 0 ? { nextRecordsUrl: `/services/data/${API_VERSION}/query/${locator}` } : {}) })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url, queries, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}
export type SalesforceQueryAll = Awaited<ReturnType<typeof startSalesforceQueryAll>>
