/**
 * Running a mapping: provider record → vendor model ({@link applyMapping}), and back for write-back
 * ({@link invertMapping}). Pure functions, no I/O. The same rules decide what a transform accepts
 * and what a vendor field type accepts here and in `checkMapping` (`./check.ts`), so a mapping that
 * checks without errors fails on a record only when that record's value is bad.
 */
import { getPath } from '../../../connectors/pagination'
import { PatchbayError } from '../lib/errors'
import type { DateFormat, FieldMapping, FieldType, Mapping, Transform, VendorField, VendorModel } from './schema'

/** The outcome of one step (a transform, a type coercion): the new value, or why it failed. */
export type StepResult = { ok: true; value: unknown } | { ok: false; message: string }

/** A problem with one vendor field of one record. `message` starts with the field's label. */
export interface FieldError {
  /** The vendor field name (`email`). */
  field: string
  /** Plain English, e.g. `Created at: the date transform cannot read "yesterday": …`. */
  message: string
}

/** A record in the vendor's model shape. */
export interface MappedRecord {
  /** Every field of the model, in the model's order; `null` when absent or invalid. */
  value: Record<string, unknown>
  /** One entry per field that is invalid, or required and empty. Empty when the record is fine. */
  errors: FieldError[]
}

const ok = (value: unknown): StepResult => ({ ok: true, value })
const fail = (message: string): StepResult => ({ ok: false, message })

/** `null`, `undefined` and `""`: the values a `default` replaces and a required field may not have. */
export function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === ''
}

/**
 * A field name as people read it: `firstName` → `First name`, `company_id` → `Company id`,
 * `websiteURL` → `Website URL`.
 */
export function fieldLabel(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_]+/)
    .filter(Boolean)
    .map((w) => (w.length > 1 && w === w.toUpperCase() ? w : w.toLowerCase()))
  const text = words.join(' ')
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** A value in a message: text quoted (cut at 60 characters), numbers and booleans as is, `an object`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'an object'
  return String(value)
}

/** A field type in plain English, for messages: `text`, `a whole number`, `a date and time`… */
export const TYPE_NAMES: Record<FieldType, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  datetime: 'a date and time',
  date: 'a date',
  enum: 'one of a list of values',
  object: 'an object',
  array: 'a list',
}

// --- Dates -------------------------------------------------------------------------------------

/** ISO 8601 calendar date, optionally with a time and an offset (RFC 3339 §5.6, plus `YYYY-MM-DD` alone and no offset). */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/
/** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the range four-digit ISO years can write. */
const MIN_MS = -62_167_219_200_000
const MAX_MS = 253_402_300_799_999
/** Below this magnitude an epoch number without a declared `input` is read as seconds (1e11 s is the year 5138; 1e11 ms is 1973). */
const EPOCH_SECONDS_BELOW = 1e11
const ISO_HINT = 'expected ISO 8601 text (2024-03-05 or 2024-03-05T09:12:44Z) or epoch seconds or milliseconds'

/**
 * Milliseconds since the epoch of ISO 8601 text, or `undefined` when it is not a real date and time
 * (`2024-02-30`, `25:00`). No offset means UTC. `hasTime` is false for a calendar date alone.
 */
export function parseIso8601(text: string): { ms: number; hasTime: boolean } | undefined {
  const m = ISO_8601.exec(text.trim())
  if (!m) return undefined
  const num = (s: string | undefined) => (s === undefined ? 0 : Number(s))
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(num) as [number, number, number, number, number, number]
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0
  if (hour > 23 || minute > 59 || second > 59) return undefined
  const d = new Date(0)
  // setUTCFullYear, unlike Date.UTC, does not read the years 0 to 99 as 1900 to 1999.
  d.setUTCFullYear(year, month - 1, day)
  d.setUTCHours(hour, minute, second, millis)
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined
  let offsetMinutes = 0
  const offset = m[8]
  if (offset && offset.toUpperCase() !== 'Z') {
    const [, sign, hh, mm = '0'] = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset)!
    if (Number(hh) > 23 || Number(mm) > 59) return undefined
    offsetMinutes = (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm))
  }
  return { ms: d.getTime() - offsetMinutes * 60_000, hasTime: m[4] !== undefined }
}

/**
 * Milliseconds since the epoch of a provider date. `input` narrows what is read: `datetime`/`date`
 * read ISO 8601 text only, `epoch_s`/`epoch_ms` read numbers and digit strings in that unit; without
 * it, ISO 8601 text and numbers (seconds below 1e11, else milliseconds) are read.
 */
export function parseDate(value: unknown, input?: DateFormat): StepResult {
  const bad = () => fail(`the date transform cannot read ${describeValue(value)}: ${input === 'datetime' || input === 'date' ? 'expected ISO 8601 text (2024-03-05 or 2024-03-05T09:12:44Z)' : input ? `expected epoch ${input === 'epoch_s' ? 'seconds' : 'milliseconds'}` : ISO_HINT}`)
  let ms: number | undefined
  const epoch = input === 'epoch_s' || input === 'epoch_ms'
  if (typeof value === 'string' && !epoch) ms = parseIso8601(value)?.ms
  else if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) ms = Number(value) * (input === 'epoch_s' ? 1000 : 1)
  else if (typeof value === 'number' && (epoch || input === undefined)) {
    const seconds = input === 'epoch_s' || (input === undefined && Math.abs(value) < EPOCH_SECONDS_BELOW)
    ms = seconds ? value * 1000 : value
  }
  if (ms === undefined || !Number.isFinite(ms)) return bad()
  ms = Math.round(ms)
  if (ms < MIN_MS || ms > MAX_MS) return fail(`the date transform cannot read ${describeValue(value)}: it is outside the years 0000 to 9999`)
  return ok(ms)
}

/** Writes milliseconds since the epoch in `format` (see `dateFormatSchema`): ISO text in UTC, or whole seconds/milliseconds. */
export function formatDate(ms: number, format: DateFormat): string | number {
  switch (format) {
    case 'datetime':
      return new Date(ms).toISOString()
    case 'date':
      return new Date(ms).toISOString().slice(0, 10)
    case 'epoch_s':
      return Math.floor(ms / 1000)
    case 'epoch_ms':
      return ms
  }
}

// --- Transforms --------------------------------------------------------------------------------

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const TRUE_TEXT = new Set(['true', 'yes', '1'])
const FALSE_TEXT = new Set(['false', 'no', '0'])

/** The provider value as an enum map key: text as is, numbers and booleans as text, others none. */
function enumKey(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return undefined
}

/**
 * Runs one transform (see `transformSchema` for each one's rules). `null` and missing values pass
 * through every transform but `default`; `""` becomes `null` for `date`, `number` and `boolean`.
 * Never throws: a value the transform cannot use is a failed {@link StepResult}.
 */
export function applyTransform(transform: Transform, value: unknown): StepResult {
  if (transform.type === 'default') return ok(isEmpty(value) ? transform.value : value)
  if (value === null || value === undefined) return ok(null)
  const needsText = () => fail(`the ${transform.type} transform needs text, got ${describeValue(value)}`)
  switch (transform.type) {
    case 'date': {
      if (value === '') return ok(null)
      const parsed = parseDate(value, transform.input)
      return parsed.ok ? ok(formatDate(parsed.value as number, transform.output)) : parsed
    }
    case 'split': {
      if (typeof value !== 'string') return needsText()
      const { separator, part } = transform
      const pieces = value.split(separator)
      if (part === 'first') return ok(pieces[0])
      if (part === 'last') return ok(pieces.at(-1))
      if (part === 'rest') return ok(pieces.length > 1 ? value.slice(value.indexOf(separator) + separator.length) : null)
      return ok(pieces[part] ?? null)
    }
    case 'enum': {
      const key = enumKey(value)
      if (key === undefined) return fail(`the enum transform needs text, a number or true/false, got ${describeValue(value)}`)
      if (Object.hasOwn(transform.map, key)) return ok(transform.map[key])
      if (value === '') return ok('')
      if (transform.fallback !== undefined) return ok(transform.fallback)
      return fail(`the enum map has no entry for ${describeValue(value)} and no fallback`)
    }
    case 'lowercase':
      return typeof value === 'string' ? ok(value.toLowerCase()) : needsText()
    case 'uppercase':
      return typeof value === 'string' ? ok(value.toUpperCase()) : needsText()
    case 'trim':
      return typeof value === 'string' ? ok(value.trim()) : needsText()
    case 'number': {
      if (typeof value === 'number') return ok(value)
      if (typeof value !== 'string') return fail(`the number transform cannot read ${describeValue(value)}: it needs text or a number`)
      const text = value.trim()
      if (text === '') return ok(null)
      const n = Number(text)
      return NUMBER_TEXT.test(text) && Number.isFinite(n) ? ok(n) : fail(`the number transform cannot read ${describeValue(value)}: it is not a number`)
    }
    case 'string': {
      if (typeof value === 'string') return ok(value)
      if (typeof value === 'number' || typeof value === 'boolean') return ok(String(value))
      return fail(`the string transform cannot turn ${describeValue(value)} into text`)
    }
    case 'boolean': {
      if (typeof value === 'boolean') return ok(value)
      if (value === 1 || value === 0) return ok(value === 1)
      if (typeof value === 'string') {
        const text = value.trim().toLowerCase()
        if (text === '') return ok(null)
        if (TRUE_TEXT.has(text)) return ok(true)
        if (FALSE_TEXT.has(text)) return ok(false)
      }
      return fail(`the boolean transform cannot read ${describeValue(value)}: expected true, false, yes, no, 1 or 0`)
    }
  }
}

/** Runs `transforms` in order, stopping at the first failure. */
export function applyTransforms(transforms: readonly Transform[], value: unknown): StepResult {
  let current: StepResult = ok(value ?? null)
  for (const t of transforms) {
    current = applyTransform(t, current.ok ? current.value : null)
    if (!current.ok) return current
  }
  return current
}

// --- Vendor field types ------------------------------------------------------------------------

/**
 * Checks a value against a vendor field and normalises it. Only lossless conversions happen here;
 * reading text as a number, a boolean or an epoch date takes an explicit transform. Rules:
 * empty (`null`, missing) is `null`, and `""` is `null` for every type but `string`;
 * `string` takes text, numbers and booleans (as text); `number` any number; `integer` whole numbers;
 * `boolean` true/false; `datetime` ISO 8601 text, written back as `2024-03-05T09:12:44.000Z` (a date
 * alone is midnight UTC); `date` `YYYY-MM-DD` only; `enum` one of `enumValues` (a number as its text);
 * `object` a JSON object; `array` a JSON array.
 */
export function coerceValue(value: unknown, field: Pick<VendorField, 'type' | 'enumValues'>): StepResult {
  if (value === null || value === undefined) return ok(null)
  if (value === '' && field.type !== 'string') return ok(null)
  const v = describeValue(value)
  const isText = typeof value === 'string'
  switch (field.type) {
    case 'string':
      if (isText) return ok(value)
      if (typeof value === 'number' || typeof value === 'boolean') return ok(String(value))
      return fail(`${v} is not text`)
    case 'number':
    case 'integer':
      if (typeof value === 'number') {
        if (field.type === 'integer' && !Number.isInteger(value)) return fail(`${value} is not a whole number`)
        return ok(value)
      }
      return fail(isText ? `${v} is text, not a number: add the number transform` : `${v} is not a number`)
    case 'boolean':
      if (typeof value === 'boolean') return ok(value)
      return fail(isText || typeof value === 'number' ? `${v} is not true or false: add the boolean transform` : `${v} is not true or false`)
    case 'datetime': {
      const parsed = isText ? parseIso8601(value) : undefined
      if (parsed && parsed.ms >= MIN_MS && parsed.ms <= MAX_MS) return ok(new Date(parsed.ms).toISOString())
      return fail(typeof value === 'number' ? `${v} is a number, not a date and time: add the date transform` : `${v} is not an ISO 8601 date and time`)
    }
    case 'date': {
      const parsed = isText ? parseIso8601(value) : undefined
      if (parsed && !parsed.hasTime) return ok(new Date(parsed.ms).toISOString().slice(0, 10))
      if (parsed) return fail(`${v} has a time: add the date transform with output date`)
      return fail(typeof value === 'number' ? `${v} is a number, not a date: add the date transform` : `${v} is not an ISO 8601 date (YYYY-MM-DD)`)
    }
    case 'enum': {
      const key = typeof value === 'string' || typeof value === 'number' ? String(value) : undefined
      if (key !== undefined && (field.enumValues ?? []).includes(key)) return ok(key)
      return fail(`${v} is not one of ${(field.enumValues ?? []).join(', ')}`)
    }
    case 'object':
      return typeof value === 'object' && !Array.isArray(value) ? ok(value) : fail(`${v} is not an object`)
    case 'array':
      return Array.isArray(value) ? ok(value) : fail(`${v} is not a list`)
  }
}

// --- Applying a mapping ------------------------------------------------------------------------

/** Reads one vendor field's value from a provider record: its source, then its transforms. */
export function readField(fieldMapping: FieldMapping, record: unknown): StepResult {
  switch (fieldMapping.source) {
    case 'constant':
      return ok(fieldMapping.value)
    case 'field':
      return applyTransforms(fieldMapping.transforms, getPath(record, fieldMapping.path))
    case 'join': {
      const parts: string[] = []
      for (const path of fieldMapping.paths) {
        const value = getPath(record, path)
        if (isEmpty(value)) continue
        if (typeof value === 'object') return fail(`${path} is ${describeValue(value)}, which a join cannot use`)
        parts.push(String(value))
      }
      return ok(parts.length > 0 ? parts.join(fieldMapping.separator) : null)
    }
  }
}

/** Where a field's value comes from, for messages: `from properties.email`, `from first_name + last_name`, `from a constant`. */
function sourceOf(fieldMapping: FieldMapping | undefined): string {
  if (!fieldMapping) return 'it is not mapped'
  if (fieldMapping.source === 'field') return `from ${fieldMapping.path}`
  if (fieldMapping.source === 'join') return `from ${fieldMapping.paths.join(' + ')}`
  return 'from a constant'
}

/**
 * Maps one provider record to the vendor's model.
 * @param record the provider record as stored by syncs (`data`); any JSON value (a non-object
 *   gives every field `null`).
 * @returns every model field (mapped or `null`) and one error per bad field: a transform or type
 *   failure makes the field `null` with an error; a required field that ends up empty (`null` or
 *   `""`) is an error too. Mapping entries for fields the model lacks are reported and ignored.
 *   Never throws on bad data.
 * @example
 * applyMapping(contact, mapping, { properties: { email: 'mark.s@lumon.industries' } })
 * // { value: { email: 'mark.s@lumon.industries', firstName: null, … }, errors: [] }
 */
export function applyMapping(model: VendorModel, mapping: Mapping, record: unknown): MappedRecord {
  const errors: FieldError[] = []
  const entries: [string, unknown][] = []
  for (const [name, field] of Object.entries(model.fields)) {
    const fieldMapping = Object.hasOwn(mapping.fields, name) ? mapping.fields[name] : undefined
    const label = fieldLabel(name)
    let value: unknown = null
    let failed = false
    const read = fieldMapping ? readField(fieldMapping, record) : ok(null)
    const coerced = read.ok ? coerceValue(read.value, field) : read
    if (coerced.ok) value = coerced.value
    else {
      failed = true
      errors.push({ field: name, message: `${label}: ${coerced.message}` })
    }
    if (field.required && !failed && isEmpty(value)) errors.push({ field: name, message: `${label} is required, but this record has no value for it (${sourceOf(fieldMapping)})` })
    entries.push([name, value])
  }
  for (const name of Object.keys(mapping.fields)) {
    if (!Object.hasOwn(model.fields, name)) errors.push({ field: name, message: `${fieldLabel(name)} is not a field of the model ${model.name}` })
  }
  // fromEntries defines own properties, whatever the keys.
  return { value: Object.fromEntries(entries), errors }
}

/** The provider paths a mapping reads (its `field` and `join` sources), each once, sorted. */
export function readPaths(fields: Record<string, FieldMapping>): string[] {
  const paths = new Set<string>()
  for (const f of Object.values(fields)) {
    if (f.source === 'field') paths.add(f.path)
    else if (f.source === 'join') for (const p of f.paths) paths.add(p)
  }
  return [...paths].sort()
}

// --- Inverse mapping (write-back) --------------------------------------------------------------

/** The inverse of a mapping, for writing a record in the vendor's shape back to the provider. */
export interface InverseMapping {
  /** Whether every mapped field can be written back (then `reasons` is empty). */
  invertible: boolean
  /** Why not, one plain-English sentence per problem. */
  reasons: string[]
  /**
   * Builds the provider record (dotted paths become nested objects: `properties.email` →
   * `{ properties: { email } }`) from a vendor record. Partial input is fine: only the fields
   * present (not `undefined`) are written, `null` is written as `null` (clearing the provider
   * field); constant fields and fields the mapping leaves out are not written.
   * @throws {PatchbayError} `invalid_request` when the mapping is not invertible (`errors` lists
   *   the reasons), or when a value does not fit its field, has no provider value (an enum value
   *   no map entry gives), names a field the model lacks, or is half of a split pair (`errors`
   *   has `{ path: field, message }` for each).
   */
  toProvider(vendorValue: Record<string, unknown>): Record<string, unknown>
}

/** How one or two vendor fields become one or two provider paths. */
type Writer =
  | { kind: 'field'; field: string; path: string; inverses: Inverse[] }
  | { kind: 'join'; field: string; paths: [string, string]; separator: string }
  | { kind: 'split_pair'; first: string; second: string; path: string; separator: string }

type Inverse = (value: unknown) => StepResult

/** The inverse of one transform, or why there is none. */
function inverseOf(transform: Transform, label: string, path: string): Inverse | string {
  switch (transform.type) {
    case 'default':
    case 'trim':
      // A default is a valid provider value; trimmed text is too.
      return ok
    case 'lowercase':
    case 'uppercase':
      return `${label} changes the case of ${path} (${transform.type}); write-back cannot restore the provider's original`
    case 'string':
      return `${label} turns ${path} into text (string); write-back cannot tell whether the provider wants a number or true/false`
    case 'split':
      return `${label} keeps only part of ${path} (split); write-back cannot rebuild it`
    case 'number':
    case 'boolean':
      // These transforms exist because the provider sends text, so write-back sends text.
      return (v) => ok(v === null ? null : String(v))
    case 'date': {
      const { input, output } = transform
      if (input === undefined) return `${label} reads ${path} with the date transform but does not say the provider's format: set its input to datetime, date, epoch_s or epoch_ms`
      return (v) => {
        if (v === null) return ok(null)
        const parsed = parseDate(v, output)
        return parsed.ok ? ok(formatDate(parsed.value as number, input)) : parsed
      }
    }
    case 'enum': {
      const reverse = new Map<string, string>()
      const shared = new Map<string, string[]>()
      for (const [providerValue, vendorValue] of Object.entries(transform.map)) {
        shared.set(vendorValue, [...(shared.get(vendorValue) ?? []), providerValue])
        reverse.set(vendorValue, providerValue)
      }
      const many = [...shared].find(([, keys]) => keys.length > 1)
      if (many) return `${label} maps several provider values to ${many[0]} (${many[1].join(', ')}); write-back cannot choose one`
      if (transform.fallback !== undefined && !reverse.has(transform.fallback)) return `${label} falls back to ${transform.fallback}, which no provider value maps to; write-back cannot choose one`
      return (v) => {
        if (v === null) return ok(null)
        const providerValue = reverse.get(String(v))
        return providerValue !== undefined ? ok(providerValue) : fail(`no entry of the enum map gives ${describeValue(v)}`)
      }
    }
  }
}

/** Sets a dotted path, creating objects on the way (own properties, whatever the segment names). */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.')
  let current = target
  for (const segment of segments.slice(0, -1)) {
    const next = Object.hasOwn(current, segment) ? current[segment] : undefined
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      const created: Record<string, unknown> = {}
      Object.defineProperty(current, segment, { value: created, enumerable: true, writable: true, configurable: true })
      current = created
    } else current = next as Record<string, unknown>
  }
  Object.defineProperty(current, segments.at(-1)!, { value, enumerable: true, writable: true, configurable: true })
}

/** A field source with exactly one `split` transform. */
function splitOf(fieldMapping: FieldMapping | undefined) {
  if (fieldMapping?.source !== 'field' || fieldMapping.transforms.length !== 1) return undefined
  const [t] = fieldMapping.transforms
  return t?.type === 'split' ? t : undefined
}

/**
 * The inverse of a mapping, for write-back (two-way sync). A mapping is invertible when each
 * provider path is written by one vendor field only and every mapped field is either:
 * - a `field` source whose transforms all have an inverse: `default`, `trim` (kept as is), `number`
 *   and `boolean` (written as text), `date` with an explicit `input` (written in that format), and
 *   one-to-one `enum` maps (a `fallback` must be one of the map's values; it is written as that
 *   entry's provider value); not `lowercase`, `uppercase`, `string` or a lone `split`;
 * - a `join` of exactly two paths with a non-empty separator, split back at the first separator
 *   (`Grace Brewster Hopper` → `Grace` and `Brewster Hopper`; no separator: all in the first path);
 * - one of a pair of `split`s of the same path and separator, parts `first` and `last` or `rest`,
 *   with no other transform: written back as the two values joined (`first` containing the
 *   separator reads back differently, e.g. `Mary Ann` + `Smith`);
 * - a `constant`, which is not written back.
 * Paths through a list index (`emails.0.value`) and paths inside another written path are not
 * invertible. Round trip: for an invertible mapping, `applyMapping(toProvider(v))` gives `v` back
 * (except in the split-pair case above, and dates written back to a coarser provider format).
 */
export function invertMapping(model: VendorModel, mapping: Mapping): InverseMapping {
  const reasons: string[] = []
  const users = new Map<string, string[]>()
  const use = (path: string, field: string) => users.set(path, [...(users.get(path) ?? []), field])
  for (const [name, fieldMapping] of Object.entries(mapping.fields)) {
    const label = fieldLabel(name)
    if (!Object.hasOwn(model.fields, name)) reasons.push(`${label} is not a field of the model ${model.name}`)
    else if (fieldMapping.source === 'field') use(fieldMapping.path, name)
    else if (fieldMapping.source === 'join') {
      if (fieldMapping.paths.length !== 2) reasons.push(`${label} joins ${fieldMapping.paths.length} provider fields; only a join of two can be split back`)
      else if (fieldMapping.separator === '') reasons.push(`${label} joins ${fieldMapping.paths.join(' and ')} without a separator; write-back cannot tell where to split`)
      else for (const path of fieldMapping.paths) use(path, name)
    }
  }

  const writers: Writer[] = []
  for (const [path, fields] of users) {
    const unique = [...new Set(fields)]
    if (/(^|\.)\d+(\.|$)/.test(path)) reasons.push(`${unique.map(fieldLabel).join(' and ')} ${unique.length > 1 ? 'read' : 'reads'} inside a list (${path}); write-back cannot rebuild the list`)
    if (unique.length > 1) {
      const [a, b] = unique.map((f) => splitOf(mapping.fields[f]))
      const parts = new Set([a?.part, b?.part])
      const pair = unique.length === 2 && a && b && a.separator === b.separator && parts.has('first') && (parts.has('last') || parts.has('rest'))
      if (pair) {
        const [first, second] = a.part === 'first' ? unique : [unique[1]!, unique[0]!]
        writers.push({ kind: 'split_pair', first: first!, second: second!, path, separator: a.separator })
      } else reasons.push(`${path} feeds ${unique.map(fieldLabel).join(' and ')}; write-back would not know which value to write`)
      continue
    }
    const name = unique[0]!
    const fieldMapping = mapping.fields[name]!
    if (fieldMapping.source === 'join') {
      if (!writers.some((w) => w.kind === 'join' && w.field === name)) writers.push({ kind: 'join', field: name, paths: fieldMapping.paths as [string, string], separator: fieldMapping.separator })
      continue
    }
    if (fieldMapping.source !== 'field') continue
    const inverses: Inverse[] = []
    for (const t of fieldMapping.transforms) {
      const inverse = inverseOf(t, fieldLabel(name), path)
      if (typeof inverse === 'string') reasons.push(inverse)
      else inverses.unshift(inverse)
    }
    writers.push({ kind: 'field', field: name, path, inverses })
  }
  const paths = [...users.keys()].sort()
  for (const [i, path] of paths.entries()) {
    const inner = paths.slice(i + 1).find((p) => p.startsWith(`${path}.`))
    if (inner) reasons.push(`${path} and ${inner} are both written, and one is inside the other`)
  }

  const invertible = reasons.length === 0
  return {
    invertible,
    reasons,
    toProvider(vendorValue) {
      if (!invertible) throw new PatchbayError('invalid_request', `This mapping cannot be written back to the provider: ${reasons.join('; ')}`, { errors: reasons.map((message) => ({ path: 'mapping', message })) })
      if (vendorValue === null || typeof vendorValue !== 'object' || Array.isArray(vendorValue)) throw new PatchbayError('invalid_request', `A ${model.name} record must be an object`)
      const errors: { path: string; message: string }[] = []
      const present = (name: string) => Object.hasOwn(vendorValue, name) && vendorValue[name] !== undefined
      /** The value of a model field checked against its type; a failure is recorded in `errors`. */
      const valueOf = (name: string): StepResult => {
        const result = coerceValue(vendorValue[name], model.fields[name]!)
        if (!result.ok) errors.push({ path: name, message: `${fieldLabel(name)}: ${result.message}` })
        return result
      }
      for (const name of Object.keys(vendorValue)) {
        if (!Object.hasOwn(model.fields, name)) errors.push({ path: name, message: `${fieldLabel(name)} is not a field of the model ${model.name}` })
      }
      const out: Record<string, unknown> = {}
      for (const writer of writers) {
        if (writer.kind === 'split_pair') {
          const [hasFirst, hasSecond] = [present(writer.first), present(writer.second)]
          if (!hasFirst && !hasSecond) continue
          if (hasFirst !== hasSecond) {
            errors.push({ path: hasFirst ? writer.second : writer.first, message: `${fieldLabel(writer.first)} and ${fieldLabel(writer.second)} are written together to ${writer.path}: give both` })
            continue
          }
          const [a, b] = [valueOf(writer.first), valueOf(writer.second)]
          if (!a.ok || !b.ok) continue
          const parts = [a.value, b.value].filter((v) => !isEmpty(v)).map(String)
          setPath(out, writer.path, parts.length > 0 ? parts.join(writer.separator) : null)
          continue
        }
        if (!present(writer.field)) continue
        const result = valueOf(writer.field)
        if (!result.ok) continue
        if (writer.kind === 'join') {
          const text = isEmpty(result.value) ? null : String(result.value)
          const at = text === null ? -1 : text.indexOf(writer.separator)
          setPath(out, writer.paths[0], at < 0 ? text : text!.slice(0, at))
          setPath(out, writer.paths[1], at < 0 ? null : text!.slice(at + writer.separator.length))
          continue
        }
        let current: StepResult = result
        for (const inverse of writer.inverses) {
          current = inverse(current.ok ? current.value : null)
          if (!current.ok) break
        }
        if (current.ok) setPath(out, writer.path, current.value)
        else errors.push({ path: writer.field, message: `${fieldLabel(writer.field)}: ${current.message}` })
      }
      if (errors.length > 0) throw new PatchbayError('invalid_request', `The ${model.name} record cannot be written back to the provider`, { errors })
      return out
    },
  }
}
