/**
 * What the two Airtable connectors share: the Web API, the table's records, syncs, actions and
 * custom-field discovery. Only the authentication differs (`airtable`: OAuth 2.0 with PKCE;
 * `airtable-pat`: a personal access token).
 *
 * Sources, each cited again where it is used:
 * - List records: https://airtable.com/developers/web/api/list-records
 * - Create records: https://airtable.com/developers/web/api/create-records
 * - Rate limits: https://airtable.com/developers/web/api/rate-limits
 * - Base schema and field types: https://airtable.com/developers/web/api/get-base-schema,
 *   https://airtable.com/developers/web/api/field-model
 * - IDs: https://support.airtable.com/docs/finding-airtable-ids
 *
 * One connection is one table. Records live at `/v0/{baseId}/{tableIdOrName}` and only the base
 * URL takes connection config placeholders, so the base URL is the table's own URL and the record
 * object's path is `/`. Two consequences, both in the report:
 * - requests go to `…/v0/{baseId}/{tableId}/` (a trailing slash the docs do not show);
 * - `GET /v0/meta/bases/{baseId}/tables` (the base schema) and `GET /v0/meta/whoami` (the account)
 *   are not under that URL, so the custom fields are read from a sample of records instead
 *   ({@link recordsToFields}); {@link tablesToFields} turns the base schema into fields for when a
 *   discovery hook can reach it.
 */
import { z } from 'zod'
import type { FieldType } from '../../server/src/mapping/schema'
import type { ConnectorInput } from '../schema'

/** A blue rounded square with a white table grid (not Airtable's mark). */
export const airtableLogo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Airtable">' +
  '<rect width="64" height="64" rx="14" fill="#2d7ff9"/>' +
  '<rect x="13" y="16" width="38" height="32" rx="4" fill="#fff"/>' +
  '<path d="M13 27h38M13 37h38M28 16v32" stroke="#2d7ff9" stroke-width="3"/>' +
  '</svg>'

export const airtableDescription = 'Share the records of one Airtable table, and add records to it from this app.'

/**
 * Base and table IDs: `app` / `tbl` and 14 letters or digits
 * (https://support.airtable.com/docs/finding-airtable-ids). IDs rather than names: a renamed table
 * keeps its ID ("We recommend using table IDs", list-records page).
 */
export const airtableConnectionConfig = {
  baseId: {
    label: 'Base ID',
    description: 'Starts with app: the part of the base’s web address after airtable.com/.',
    placeholder: 'appY3WxIBCdKPDdIa',
    pattern: '^app[A-Za-z0-9]{14}$',
    helpUrl: 'https://support.airtable.com/docs/finding-airtable-ids',
  },
  tableId: {
    label: 'Table ID',
    description: 'Starts with tbl: the part of the table’s web address after the base ID.',
    placeholder: 'tbltp8DGLhqbUmjK1',
    pattern: '^tbl[A-Za-z0-9]{14}$',
    helpUrl: 'https://support.airtable.com/docs/finding-airtable-ids',
  },
} satisfies ConnectorInput['connectionConfig']

export const airtableHttp = {
  baseUrl: 'https://api.airtable.com/v0/{baseId}/{tableId}',
  // https://airtable.com/developers/web/api/rate-limits: "5 requests per second per base" (and 50
  // per second for all traffic of one personal access token); over that, 429, and "you will need
  // to wait 30 seconds before subsequent requests will succeed". No rate-limit headers are documented.
  rateLimit: { requests: 5, windowMs: 1_000 },
  // https://airtable.com/developers/web/api/list-records: `pageSize` (default and maximum 100);
  // "If there are more records, the response will contain an offset. To fetch the next page of
  // records, include offset in the next request's parameters."
  pagination: { type: 'cursor', cursorParam: 'offset', cursorPath: 'offset', itemsPath: 'records', limitParam: 'pageSize', limit: 100 },
} satisfies ConnectorInput['http']

export const airtableObjects = {
  record: {
    label: 'Records',
    description: 'The records of the table. Their cells are under fields, by column name.',
    // The table's URL itself (see the module comment).
    path: '/',
    docs: 'https://airtable.com/developers/web/api/list-records',
    // `{ id, createdTime, fields: { <column name>: value } }`; "Returned records do not include any
    // fields with "empty" values, e.g. "", [], or false."
    fields: {
      id: { type: 'string', key: true, description: 'rec…' },
      createdTime: { type: 'datetime' },
      fields: { type: 'object', description: 'Cell values by column name; empty cells are left out' },
    },
  },
} satisfies ConnectorInput['objects']

/**
 * Full syncs: the list has no modified-since parameter. Changes could only be filtered with a
 * formula (`filterByFormula=IS_AFTER(LAST_MODIFIED_TIME(), '<cursor>')`), and `updatedSinceParam`
 * sends the bare cursor, not a template around it; records carry no modification time either
 * unless the table has a "Last modified time" column.
 */
export const airtableSyncs = {
  records: { object: 'record', mode: 'full', defaultFrequency: '6h' },
} satisfies ConnectorInput['syncs']

export const airtableActions = {
  create_record: {
    description: 'Add a record to the table.',
    // https://airtable.com/developers/web/api/create-records: POST /v0/{baseId}/{tableIdOrName}
    // with `{ fields: { <column name or field ID>: value } }` for one record; `typecast: true`
    // converts text to the cell type (e.g. creates a missing select option). The input is a
    // record (less `id` and `createdTime`), so mapped records can be written back.
    method: 'POST',
    path: '/',
    object: 'record',
    input: z.strictObject({
      fields: z.record(z.string().min(1), z.unknown()).refine((f) => Object.keys(f).length > 0, 'give at least one cell'),
      typecast: z.boolean().optional(),
    }),
  },
} satisfies ConnectorInput['actions']

type Discovered = Record<string, { type: FieldType; label?: string; description?: string; enumValues?: string[] }>

/** Segments a mapping path refuses (`pathSchema` in server/src/mapping/schema.ts). */
const UNSAFE = new Set(['__proto__', 'prototype', 'constructor'])

/**
 * A column name as a record path: `fields.<name>`. Names with a dot cannot be one path segment,
 * so those columns are left out (see the report).
 */
const columnPath = (name: unknown): string | undefined =>
  typeof name === 'string' && name !== '' && !name.includes('.') && !UNSAFE.has(name) && name.length <= 290 ? `fields.${name}` : undefined

/**
 * The cell type of an Airtable field type (https://airtable.com/developers/web/api/field-model),
 * as the list endpoint returns cells (JSON cell format): numbers for number-like types, `true` for
 * a ticked checkbox (absent otherwise), ISO 8601 for dates, arrays for multi-value types and
 * objects for collaborators, buttons and barcodes. Formulas, rollups and lookups take the type of
 * their `options.result`.
 */
function cellType(field: { type?: unknown; options?: { result?: unknown } }): FieldType {
  switch (field.type) {
    case 'number':
    case 'percent':
    case 'currency':
    case 'duration':
      return 'number'
    case 'rating':
    case 'count':
    case 'autoNumber':
      return 'integer'
    case 'checkbox':
      return 'boolean'
    case 'date':
      return 'date'
    case 'dateTime':
    case 'createdTime':
    case 'lastModifiedTime':
      return 'datetime'
    case 'singleSelect':
      return 'enum'
    case 'multipleSelects':
    case 'multipleRecordLinks':
    case 'multipleAttachments':
    case 'multipleCollaborators':
    case 'multipleLookupValues':
      return 'array'
    case 'singleCollaborator':
    case 'createdBy':
    case 'lastModifiedBy':
    case 'barcode':
    case 'button':
    case 'aiText':
      return 'object'
    case 'formula':
    case 'rollup':
    case 'lookup': {
      const result = field.options?.result
      const type = result && typeof result === 'object' ? cellType(result as { type?: unknown }) : 'string'
      // A computed select has no choices of its own to list.
      return type === 'enum' ? 'string' : type
    }
    default:
      return 'string'
  }
}

/**
 * The columns of table `tableId` in a base schema (`GET /v0/meta/bases/{baseId}/tables` →
 * `{ tables: [{ id, fields: [{ id, name, type, description, options }] }] }`) as discovered fields
 * at `fields.<name>`, typed by {@link cellType}; single selects list their choice names.
 */
export function tablesToFields(body: unknown, tableId: string): Discovered {
  const tables = (body as { tables?: unknown } | null)?.tables
  const table = Array.isArray(tables) ? (tables as { id?: unknown; fields?: unknown }[]).find((t) => t?.id === tableId) : undefined
  const out: Discovered = {}
  if (!table || !Array.isArray(table.fields)) return out
  for (const f of table.fields as { name?: unknown; type?: unknown; description?: unknown; options?: { choices?: unknown; result?: unknown } }[]) {
    const path = columnPath(f?.name)
    if (!path) continue
    let type = cellType(f)
    const choices = Array.isArray(f.options?.choices) ? [...new Set((f.options.choices as { name?: unknown }[]).map((c) => c?.name).filter((n): n is string => typeof n === 'string' && n !== '' && n.length <= 200))] : []
    if (type === 'enum' && choices.length === 0) type = 'string'
    out[path] = {
      type,
      label: (f.name as string).slice(0, 200),
      ...(typeof f.description === 'string' && f.description !== '' ? { description: f.description.slice(0, 1000) } : {}),
      ...(type === 'enum' ? { enumValues: choices.slice(0, 500) } : {}),
    }
  }
  return out
}

/**
 * The columns seen in a page of records (`{ records: [{ fields: { <name>: value } }] }`) as
 * discovered fields at `fields.<name>`, typed by the JSON value (text, number, boolean, list or
 * object; dates are text). Only columns with a value in the sample appear: empty cells are left
 * out of records.
 */
export function recordsToFields(body: unknown): Discovered {
  const records = (body as { records?: unknown } | null)?.records
  const out: Discovered = {}
  if (!Array.isArray(records)) return out
  for (const record of records as { fields?: unknown }[]) {
    const cells = record?.fields
    if (cells === null || typeof cells !== 'object' || Array.isArray(cells)) continue
    for (const [name, value] of Object.entries(cells)) {
      const path = columnPath(name)
      if (!path || Object.hasOwn(out, path) || value === null || value === undefined) continue
      const type: FieldType = Array.isArray(value) ? 'array' : typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : typeof value === 'object' ? 'object' : 'string'
      out[path] = { type, label: name.slice(0, 200) }
    }
  }
  return out
}

/** Everything but auth that the two Airtable connectors share. */
export const airtableShared = {
  categories: ['productivity', 'storage'],
  logo: airtableLogo,
  docsUrl: 'https://airtable.com/developers/web/api/introduction',
  connectionConfig: airtableConnectionConfig,
  http: airtableHttp,
  objects: airtableObjects,
  syncs: airtableSyncs,
  actions: airtableActions,
  hooks: {
    // A sample of the table's records (see the module comment for why not the base schema).
    discoverFields: async ({ object, get }) => (object === 'record' ? recordsToFields(await get('/', { pageSize: '100' })) : undefined),
  },
} satisfies Partial<ConnectorInput>
