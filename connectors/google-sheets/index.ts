/**
 * Google Sheets (Sheets API v4, Google OAuth 2.0 for web server apps): the rows of one spreadsheet's
 * first sheet, their column names from its header row, and appending rows.
 *
 * Sources, each cited again where it is used:
 * - OAuth (shared with Google Calendar): `../google.ts`
 * - Scopes: https://developers.google.com/workspace/sheets/api/scopes
 * - Concepts (spreadsheet ids, A1 notation): https://developers.google.com/workspace/sheets/api/guides/concepts
 * - Reading and writing values: https://developers.google.com/workspace/sheets/api/guides/values
 * - spreadsheets.values.get and the ValueRange resource:
 *   https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets.values/get,
 *   https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets.values
 * - spreadsheets.values.append: https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets.values/append
 * - Examples: https://developers.google.com/workspace/sheets/api/samples/reading,
 *   https://developers.google.com/workspace/sheets/api/samples/writing
 * - Usage limits: https://developers.google.com/workspace/sheets/api/limits
 *
 * One connection is one spreadsheet. What the schema cannot say, and the choices made instead
 * (each explained where it is made, and in the report):
 * - the rows are read from the *first visible sheet*, columns A to Z, row 2 on: an object's path
 *   cannot take a connection config value, so the sheet cannot be chosen per connection;
 * - values.get is not paginated: the whole range comes in one answer;
 * - rows have no ids, and a `syncItem` hook does not see an item's position, so a row is keyed by
 *   its content ({@link rowToRecord}).
 */
import { z } from 'zod'
import { GOOGLE_RETRY, googleAuth } from '../google'
import { defineConnector } from '../schema'

/** A green rounded square with a white grid (not Google's Sheets icon). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Google Sheets">' +
  '<rect width="64" height="64" rx="14" fill="#0f9d58"/>' +
  '<rect x="16" y="14" width="32" height="36" rx="3" fill="#fff"/>' +
  '<path d="M16 26h32M16 38h32M29 26v24" stroke="#0f9d58" stroke-width="3"/>' +
  '</svg>'

/**
 * The columns read: A to Z, Google's 26 columns of a new sheet. A range is fixed per connector (see
 * the module comment); wider sheets are cut at Z.
 */
export const COLUMNS = Array.from({ length: 26 }, (_, i) => String.fromCharCode(65 + i))

/**
 * The rows range, in A1 notation without a sheet name: "Specifying the range without the sheet ID
 * (A1:B2) means that the request executes on the first sheet in the spreadsheet" (values guide);
 * `A2:Z` runs from row 2 (under the header row) to the last row, as `Sheet1!A5:A` "refers to all the
 * cells of column A of Sheet1, from row 5 onward" (concepts). A sheet with fewer than 26 columns
 * answers 400 (the range exceeds its grid): see the report.
 */
export const ROWS_RANGE = 'A2:Z'
/** The header row over the same columns, for the column names. */
export const HEADER_RANGE = 'A1:Z1'

/** One row of ValueRange.values: "Each item in the inner array corresponds with one cell". */
type Row = readonly unknown[]

const encoder = new TextEncoder()

/**
 * A 64-bit FNV-1a hash of text's UTF-8 bytes, as 16 hex digits (http://www.isthe.com/chongo/tech/comp/fnv/):
 * small, pure and stable across processes, which is all a row key needs.
 */
export function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n
  for (const byte of encoder.encode(text)) {
    hash ^= BigInt(byte)
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn
  }
  return hash.toString(16).padStart(16, '0')
}

/**
 * One row of values.get → a record `{ id, A, B, … }`, or `null` for an empty row (the sync skips it).
 *
 * Rows carry no id: ValueRange is `{ range, majorDimension, values: [[…], …] }` and a row is only
 * its cells. The row number would be the natural key, but a `syncItem` hook sees one item without
 * its position, so the key is a hash of the row's cells. Consequences: editing any cell of a row
 * makes it a new record (the old one is marked deleted by the next full run, the new one added);
 * two identical rows are one record; moving or sorting rows changes nothing. Trailing empty cells
 * are not sent ("empty trailing rows and columns will not be included"), so `["a", ""]` and `["a"]`
 * are the same row and get the same key.
 */
export function rowToRecord(item: unknown): Record<string, unknown> | null {
  if (!Array.isArray(item)) return null
  const cells = [...(item as Row)]
  while (cells.length > 0 && (cells.at(-1) === '' || cells.at(-1) === null || cells.at(-1) === undefined)) cells.pop()
  if (cells.length === 0) return null
  const record: Record<string, unknown> = { id: fnv1a64(JSON.stringify(cells)) }
  cells.slice(0, COLUMNS.length).forEach((value, i) => {
    record[COLUMNS[i]!] = value
  })
  return record
}

/**
 * The header row's answer → discovered fields: column letter → the header text as its label.
 * Columns without a header keep their letter.
 */
export function headerToFields(body: unknown): Record<string, { type: 'string'; label: string }> {
  const header = (body as { values?: unknown } | null)?.values
  const first = Array.isArray(header) && Array.isArray(header[0]) ? (header[0] as Row) : []
  const out: Record<string, { type: 'string'; label: string }> = {}
  first.slice(0, COLUMNS.length).forEach((cell, i) => {
    const label = typeof cell === 'string' ? cell.trim() : typeof cell === 'number' || typeof cell === 'boolean' ? String(cell) : ''
    if (label !== '') out[COLUMNS[i]!] = { type: 'string', label: label.slice(0, 200) }
  })
  return out
}

/**
 * A range in A1 notation (concepts page, "A1 notation"): a sheet name and/or cells such as `A1`,
 * `A:A`, `A5:A`, `1:2`, `A1:E1`. A sheet name with spaces or special characters is written in
 * single quotes, as in the page's `'My Custom Sheet'!A:A` and `'Jon's_Data'!A1:D5`.
 * Only the shape is checked: the value is URL-encoded into one path segment either way.
 */
const CELLS = String.raw`(?:[A-Za-z]{1,3}\d*(?::[A-Za-z]{1,3}\d*)?|\d+:\d+)`
const SHEET = String.raw`(?:'[^\x00-\x1f]+'|[\p{L}\p{N}_]+)`
export const A1_RANGE = new RegExp(`^(?:${SHEET}!${CELLS}|${SHEET}|${CELLS})$`, 'u')

/** A cell value to write: "For input, supported value types are: bool, string, and double. Null values will be skipped." */
const cell = z.union([z.string(), z.number(), z.boolean(), z.null()])

export default defineConnector({
  id: 'google-sheets',
  name: 'Google Sheets',
  description: 'Share the rows of a Google spreadsheet (its first sheet, with the first row as column names), and add rows to it from this app.',
  categories: ['productivity'],
  logo,
  docsUrl: 'https://developers.google.com/workspace/sheets/api/guides/concepts',
  connectionConfig: {
    spreadsheetId: {
      label: 'Spreadsheet ID',
      description: 'The part of the spreadsheet’s web address between /d/ and /edit.',
      placeholder: '1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms',
      // Concepts: a spreadsheet "has a unique spreadsheetId value, containing letters, numbers,
      // hyphens, or underscores", found in `https://docs.google.com/spreadsheets/d/spreadsheetId/edit#gid=0`.
      // No `.` or `/`, so the value stays one path segment of the base URL.
      pattern: '[A-Za-z0-9_-]{1,128}',
      helpUrl: 'https://developers.google.com/workspace/sheets/api/guides/concepts',
    },
  },
  // Scopes (scopes page): `spreadsheets` "See, edit, create, and delete all your Google Sheets
  // spreadsheets" is the narrowest scope that reads and appends to a spreadsheet the end user names
  // by id. `spreadsheets.readonly` would do for the sync alone (no append). `drive.file` ("only the
  // specific Google Drive files you use with this app", the page's recommended non-sensitive scope)
  // reaches only files the app created or the user picked with Google's file picker, which this
  // connect flow does not show, so a pasted id would answer 403/404.
  auth: googleAuth(['https://www.googleapis.com/auth/spreadsheets']),
  http: {
    // values.get: `GET https://sheets.googleapis.com/v4/spreadsheets/{spreadsheetId}/values/{range}`.
    baseUrl: 'https://sheets.googleapis.com/v4/spreadsheets/{spreadsheetId}',
    retry: GOOGLE_RETRY,
    // Usage limits: "Read requests … Per minute per user per project 60" (write requests: the same,
    // counted apart); an exceeded quota answers "429: Too many requests", after which "you should use
    // an exponential backoff algorithm". A connection is one user; 60 a minute holds for reads and
    // writes together, erring on the safe side.
    rateLimit: { requests: 60, windowMs: 60_000 },
    // values.get is not paginated: ValueRange is `{ range, majorDimension, values }` and the answer
    // holds the whole range. The schema needs a pagination, so this is a cursor pagination whose
    // cursor (`nextPageToken`, Google's usual name) a ValueRange never has: the walk ends after the
    // first page. A very large sheet comes in one (large) answer; Google recommends "a 2 MB maximum
    // payload" (limits page). A sheet with no rows under its header answers without `values` at all
    // ("empty trailing rows … will not be included"), which the sync engine refuses as a body
    // without items (`upstream_invalid_response`), so such a run fails instead of finding 0 rows
    // (see the report).
    pagination: { type: 'cursor', cursorParam: 'pageToken', cursorPath: 'nextPageToken', itemsPath: 'values' },
  },
  // No accountInfo: the Sheets API has no "me" endpoint, the user's address needs `openid email` and
  // another host (accountInfo is a path under the base URL), and the spreadsheet's title is at the
  // base URL itself (`GET /v4/spreadsheets/{id}`), which a path starting with `/` cannot name.
  objects: {
    row: {
      label: 'Rows',
      description: 'Rows of the first sheet, columns A to Z, under the header row. Each column is named after its header.',
      path: `/values/${ROWS_RANGE}`,
      docs: 'https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets.values/get',
      // `majorDimension=ROWS` (the default, said explicitly): `values` is a list of rows.
      // `valueRenderOption` is left at `FORMATTED_VALUE` ("Values will be calculated & formatted in
      // the response according to the cell's formatting"): what the user sees, as text.
      params: { majorDimension: 'ROWS' },
      // After `hooks.syncItem` ({@link rowToRecord}): `{ id, A, B, … }`. The column fields are
      // relabelled with the header row's names by `discoverFields`.
      fields: {
        id: { type: 'string', key: true, description: 'A hash of the row’s cells (rows have no ids)' },
        ...Object.fromEntries(COLUMNS.map((c) => [c, { type: 'string' as const, description: `Column ${c}, as displayed` }])),
      },
    },
  },
  syncs: {
    // Full: values.get has no modified-since filter, and a full run is how deleted (and edited,
    // see rowToRecord) rows are noticed.
    rows: { object: 'row', mode: 'full', defaultFrequency: '1h' },
  },
  actions: {
    append_rows: {
      description: 'Add rows after the table found in a range, e.g. Sheet1!A1 (values are read as if typed: "=…" becomes a formula).',
      // values.append: `POST …/values/{range}:append`, "The input range is used to search for existing
      // data and find a "table" within that range. Values will be appended to the next row of the
      // table, starting with the first column of the table." Query parameters:
      // - `valueInputOption=USER_ENTERED` (required): "The values will be parsed as if the user typed
      //   them into the UI. Numbers will stay as numbers, but strings may be converted to numbers,
      //   dates, etc. following the same rules that are applied when entering text into a cell";
      // - `insertDataOption=INSERT_ROWS`: "Rows are inserted for the new data", instead of the default
      //   OVERWRITE, which writes over whatever lies under the table.
      // `{range}` is filled from the input (URL-encoded, so a `/` or `?` in it cannot change the path)
      // and left out of the body, which is the rest of a ValueRange (Basic writing, "Append values").
      method: 'POST',
      path: '/values/{range}:append?valueInputOption=USER_ENTERED&insertDataOption=INSERT_ROWS',
      input: z.strictObject({
        range: z.string().max(300).regex(A1_RANGE, 'a range in A1 notation, e.g. Sheet1!A1 or Sheet1'),
        // "When writing, if this field is not set, it defaults to ROWS."
        majorDimension: z.enum(['ROWS', 'COLUMNS']).optional(),
        values: z.array(z.array(cell).min(1)).min(1),
      }),
    },
  },
  hooks: {
    syncItem: (item) => rowToRecord(item),
    // The header row, over the same columns as the rows: `GET …/values/A1:Z1` → `{ values: [[…]] }`.
    discoverFields: async ({ object, get }) => (object === 'row' ? headerToFields(await get(`/values/${HEADER_RANGE}`)) : undefined),
  },
})
