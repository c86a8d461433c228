/**
 * Checking a mapping against the vendor's model and the provider object's fields before it is saved
 * ({@link checkMapping}), and proposing one to start from ({@link defaultMapping}). Pure functions.
 *
 * The type rules are those `applyMapping` runs (`./apply.ts`): a mapping with no errors here fails on
 * a record only when that record's value is bad (text that is not a number, an enum value the map
 * lacks…), and the warnings say which such values to expect.
 */
import { coerceValue, describeValue, fieldLabel, TYPE_NAMES } from './apply'
import type { FieldMapping, FieldType, Mapping, Transform, TransformType, VendorField, VendorModel } from './schema'

/** A provider field as the mapping sees it: its type and, for enums, its values. */
export interface ProviderField {
  type: FieldType
  enumValues?: readonly string[] | undefined
}

/**
 * A provider object's fields keyed by their dotted path in the provider record (`properties.email`):
 * the connector object's fields (see {@link providerFieldsOf}) plus discovered custom fields.
 */
export type ProviderFields = Record<string, ProviderField>

/**
 * Stable error codes:
 * - `model_mismatch`: the mapping names another model;
 * - `required_unmapped`: a required model field has no mapping;
 * - `unknown_field`: the mapping maps a field the model does not have;
 * - `unknown_path`: the mapping reads a provider field that does not exist;
 * - `type_mismatch`: the provider value cannot become the model field's type (the message says
 *   which transform converts it, where one does);
 * - `invalid_transform`: a transform cannot take the value it is given, or gives values the model
 *   field does not allow (an enum map to a value outside the model's enum, a default of the wrong type).
 */
export type CheckErrorCode = 'model_mismatch' | 'required_unmapped' | 'unknown_field' | 'unknown_path' | 'type_mismatch' | 'invalid_transform'

/**
 * Stable warning codes (the mapping can be saved; some records may get an empty field and an error):
 * - `enum_unmapped`: known provider enum values (listed in `values`) have no vendor value;
 * - `conversion_may_fail`: a conversion that works for some values only (text to a date, numbers
 *   to whole numbers, text to an enum without a fallback…);
 * - `unchecked_path`: the path is inside a provider object or list whose fields are not listed, so
 *   its type is unknown.
 */
export type CheckWarningCode = 'enum_unmapped' | 'conversion_may_fail' | 'unchecked_path'

/** One finding about one vendor field (`field` is `''` for the mapping as a whole). */
export interface CheckIssue<Code extends string> {
  field: string
  code: Code
  /** Plain English, starting with the field's label, e.g. `Email is required: choose the provider field it comes from`. */
  message: string
  /** The values concerned, for `enum_unmapped` (provider values) and enum `invalid_transform` (vendor values). */
  values?: string[]
}

/** The result of {@link checkMapping}. */
export interface MappingCheck {
  /** No errors: the mapping may be saved. */
  ok: boolean
  errors: CheckIssue<CheckErrorCode>[]
  warnings: CheckIssue<CheckWarningCode>[]
}

/** How a value of one type becomes another: fine, fine for some values only, or not without a transform. */
export interface Conversion {
  level: 'ok' | 'warning' | 'error'
  /** What converts and what does not, or which transform to add (a sentence ending with `.`). */
  advice?: string
}

/** The connector object's fields keyed by where they are in the record (`from`, else the field name). */
export function providerFieldsOf(object: { fields: Record<string, { type: FieldType; from?: string | undefined; enumValues?: string[] | undefined }> }): ProviderFields {
  const out: ProviderFields = {}
  for (const [name, field] of Object.entries(object.fields)) {
    Object.defineProperty(out, field.from ?? name, { value: { type: field.type, enumValues: field.enumValues }, enumerable: true, writable: true, configurable: true })
  }
  return out
}

const OK: Conversion = { level: 'ok' }
const warn = (advice: string): Conversion => ({ level: 'warning', advice })
const error = (advice: string): Conversion => ({ level: 'error', advice })

/**
 * Whether a value of type `from` (after transforms) can fill a model field of type `to`, without
 * another transform. Lossless conversions are fine: anything scalar to text (a datetime to text is
 * fine), whole numbers to numbers, a date to a datetime (midnight UTC). Reading text as a number,
 * true/false or an enum, or numbers as dates, takes a transform; objects and lists convert to
 * nothing else.
 * @param example a field inside an object source, suggested instead of the object.
 */
export function conversionOf(from: FieldType, to: FieldType, example?: string): Conversion {
  if (from === to && to !== 'enum') return OK
  if (from === 'object') return error(`map one of its fields instead${example ? `, such as ${example}` : ''}.`)
  if (from === 'array') return error('a list can only fill a list field.')
  switch (to) {
    case 'string':
      return OK
    case 'number':
    case 'integer':
      if (from === 'integer') return OK
      if (from === 'number') return warn('numbers with decimals will be rejected.')
      if (from === 'string' || from === 'enum') return error('add the number transform to convert it.')
      if (from === 'boolean') return error('true or false cannot become a number.')
      return error('add the date transform with output epoch_s or epoch_ms.')
    case 'boolean':
      if (from === 'datetime' || from === 'date') return error('a date cannot become true or false.')
      return error('add the boolean transform to convert it.')
    case 'datetime':
      if (from === 'date') return OK
      if (from === 'string') return warn('text that is not an ISO 8601 date and time will be rejected.')
      if (from === 'number' || from === 'integer') return error('add the date transform to read it as epoch seconds or milliseconds.')
      return error('it cannot become a date.')
    case 'date':
      if (from === 'datetime') return error('add the date transform with output date to keep only the day.')
      if (from === 'string') return warn('text that is not an ISO 8601 date (YYYY-MM-DD) will be rejected.')
      if (from === 'number' || from === 'integer') return error('add the date transform with output date to read it as epoch seconds or milliseconds.')
      return error('it cannot become a date.')
    case 'enum':
      if (from === 'string' || from === 'number' || from === 'integer' || from === 'enum') return warn('other values will be rejected, so add an enum map to translate them.')
      if (from === 'boolean') return error("add an enum map from true and false to the model's values.")
      return error('a date cannot become one of a list of values.')
    case 'object':
      return error('only an object can fill an object field.')
    case 'array':
      return error('only a list can fill a list field.')
  }
}

/** The static type of a value along its transforms: `any` when unknown (a path inside an unlisted object). */
interface Flow {
  type: FieldType | 'any'
  /** Known values of an enum (provider values, or what an enum map gives). */
  enumValues?: string[] | undefined
  /** The values come from an `enum` transform (so values outside the model's enum are the map's fault). */
  fromMap?: boolean
}

const TEXT_LIKE: FieldType[] = ['string', 'enum', 'datetime', 'date']
const SCALARS: FieldType[] = ['string', 'enum', 'number', 'integer', 'boolean', 'datetime', 'date']
/** What each transform takes, by type, and how to say it. */
const TAKES: Record<TransformType, { types: FieldType[]; text: string }> = {
  date: { types: ['string', 'datetime', 'date', 'number', 'integer'], text: 'text or a number' },
  split: { types: TEXT_LIKE, text: 'text' },
  lowercase: { types: TEXT_LIKE, text: 'text' },
  uppercase: { types: TEXT_LIKE, text: 'text' },
  trim: { types: TEXT_LIKE, text: 'text' },
  enum: { types: ['string', 'enum', 'number', 'integer', 'boolean'], text: 'text, a number or true/false' },
  number: { types: ['string', 'enum', 'number', 'integer'], text: 'text or a number' },
  string: { types: SCALARS, text: 'text, a number or true/false' },
  boolean: { types: ['string', 'enum', 'boolean', 'number', 'integer'], text: 'text, a number or true/false' },
  default: { types: [...SCALARS, 'object', 'array'], text: 'any value' },
}

const list = (values: readonly string[]) => values.join(', ')
const unique = (values: readonly string[]) => [...new Set(values)]
/** `the provider value a is` / `the provider values a, b are`. */
const providerValues = (values: readonly string[]) => (values.length === 1 ? `the provider value ${values[0]} is` : `the provider values ${list(values)} are`)
const them = (values: readonly string[]) => (values.length === 1 ? 'it' : 'them')

/** What a model field expects, in words: `a whole number`, `one of subscriber, lead, customer`. */
function expects(field: VendorField): string {
  return field.type === 'enum' ? `one of ${list(field.enumValues ?? [])}` : TYPE_NAMES[field.type]
}

/** Lower-case letters and digits only: `first_name`, `firstName`, `First Name` → `firstname`. */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '')
}

/** Levenshtein distance, for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = row
  }
  return prev[b.length]!
}

const lastSegment = (path: string) => path.slice(path.lastIndexOf('.') + 1)

/** The provider path closest to a mistyped one: same normalised last segment, or at most 2 edits away. */
function suggestPath(path: string, providerFields: ProviderFields): string | undefined {
  let best: { path: string; score: number } | undefined
  for (const candidate of Object.keys(providerFields)) {
    const score = normalize(lastSegment(candidate)) === normalize(lastSegment(path)) ? 0 : distance(candidate.toLowerCase(), path.toLowerCase())
    if (score <= 2 && (!best || score < best.score)) best = { path: candidate, score }
  }
  return best?.path
}

type Lookup = { kind: 'field'; field: ProviderField; example?: string | undefined } | { kind: 'inside'; parent: string } | { kind: 'unknown' }

/** The provider field at `path`: declared, an object known by its declared children, inside a declared object or list, or unknown. */
function lookup(path: string, providerFields: ProviderFields): Lookup {
  const child = Object.keys(providerFields).find((p) => p.startsWith(`${path}.`))
  if (Object.hasOwn(providerFields, path)) return { kind: 'field', field: providerFields[path]!, example: child }
  if (child) return { kind: 'field', field: { type: 'object' }, example: child }
  const segments = path.split('.')
  for (let i = segments.length - 1; i > 0; i--) {
    const parent = segments.slice(0, i).join('.')
    const type = Object.hasOwn(providerFields, parent) ? providerFields[parent]!.type : undefined
    if (type === 'object' || type === 'array') return { kind: 'inside', parent }
  }
  return { kind: 'unknown' }
}

/**
 * Checks a mapping before it is saved: every required model field mapped, every mapped field in
 * the model, every provider path known, and each value's type, through its transforms, able to
 * fill its model field (see {@link conversionOf}; the codes are {@link CheckErrorCode} and
 * {@link CheckWarningCode}). Messages are plain English for the end user, starting with the field's
 * label, e.g. `Email is required: choose the provider field it comes from`.
 * @param providerFields the provider object's fields by dotted path (see {@link providerFieldsOf}).
 * @returns `ok` when there are no errors; warnings never block saving.
 */
export function checkMapping(model: VendorModel, providerFields: ProviderFields, mapping: Mapping): MappingCheck {
  const errors: CheckIssue<CheckErrorCode>[] = []
  const warnings: CheckIssue<CheckWarningCode>[] = []
  if (mapping.model !== model.name) errors.push({ field: '', code: 'model_mismatch', message: `This mapping is for the model ${mapping.model}, not ${model.name}` })

  for (const [name, fieldMapping] of Object.entries(mapping.fields)) {
    const field = Object.hasOwn(model.fields, name) ? model.fields[name] : undefined
    if (!field) {
      errors.push({ field: name, code: 'unknown_field', message: `The model ${model.name} has no field ${name}: remove it from the mapping` })
      continue
    }
    checkField(name, field, fieldMapping, providerFields, errors, warnings)
  }

  for (const [name, field] of Object.entries(model.fields)) {
    if (field.required && !Object.hasOwn(mapping.fields, name)) errors.push({ field: name, code: 'required_unmapped', message: `${fieldLabel(name)} is required: choose the provider field it comes from` })
  }
  return { ok: errors.length === 0, errors, warnings }
}

/** Checks one mapped model field: its source paths, its transforms step by step, then the type it ends with. */
function checkField(name: string, field: VendorField, fieldMapping: FieldMapping, providerFields: ProviderFields, errors: CheckIssue<CheckErrorCode>[], warnings: CheckIssue<CheckWarningCode>[]): void {
  const label = fieldLabel(name)
  const unknownPath = (path: string) => {
    const suggestion = suggestPath(path, providerFields)
    errors.push({ field: name, code: 'unknown_path', message: `${label} comes from ${path}, which this provider object does not have${suggestion ? ` (did you mean ${suggestion}?)` : ''}` })
  }
  const unchecked = (path: string, parent: string) =>
    warnings.push({ field: name, code: 'unchecked_path', message: `${label}: ${path} is inside ${parent}, whose fields are not listed, so its type cannot be checked` })

  if (fieldMapping.source === 'constant') {
    const { value } = fieldMapping
    if (value !== null && !coerceValue(value, field).ok) errors.push({ field: name, code: 'type_mismatch', message: `${label} is set to the constant ${describeValue(value)}, which is not ${expects(field)}` })
    return
  }

  if (fieldMapping.source === 'join') {
    let known = true
    for (const path of fieldMapping.paths) {
      const found = lookup(path, providerFields)
      if (found.kind === 'unknown') {
        unknownPath(path)
        known = false
      } else if (found.kind === 'inside') unchecked(path, found.parent)
      else if (found.field.type === 'object' || found.field.type === 'array') {
        errors.push({ field: name, code: 'type_mismatch', message: `${label} joins ${path}, which is ${TYPE_NAMES[found.field.type]}: a join takes text, numbers and true/false only` })
        known = false
      }
    }
    if (!known) return
    const conversion = field.type === 'enum' ? conversionOf('string', 'enum') : conversionOf('string', field.type)
    if (conversion.level === 'error') errors.push({ field: name, code: 'type_mismatch', message: `${label} expects ${expects(field)}, but a join always gives text` })
    else if (conversion.level === 'warning') warnings.push({ field: name, code: 'conversion_may_fail', message: `${label} expects ${expects(field)}, but a join gives text: ${conversion.advice}` })
    return
  }

  const { path, transforms } = fieldMapping
  const found = lookup(path, providerFields)
  if (found.kind === 'unknown') return unknownPath(path)
  if (found.kind === 'inside') unchecked(path, found.parent)
  let flow: Flow = found.kind === 'field' ? { type: found.field.type, enumValues: found.field.enumValues ? [...found.field.enumValues] : undefined } : { type: 'any' }

  for (const [i, transform] of transforms.entries()) {
    const subject = i === 0 ? path : `the value after the ${transforms[i - 1]!.type} transform`
    const next = transformFlow(transform, flow, { label, field: name, subject, warnings })
    if (typeof next === 'string') {
      errors.push({ field: name, code: 'invalid_transform', message: next })
      return
    }
    flow = next
  }
  if (flow.type === 'any') return

  const subject = transforms.length > 0 ? `${path} after its transforms` : path
  if (field.type === 'enum' && flow.type === 'enum' && flow.enumValues) {
    const allowed = field.enumValues ?? []
    const outside = flow.enumValues.filter((v) => !allowed.includes(v))
    if (outside.length === 0) return
    if (flow.fromMap) {
      errors.push({ field: name, code: 'invalid_transform', values: outside, message: `${label}: the enum map gives ${list(outside)}, which the model does not allow (${list(allowed)})` })
    } else if (outside.length === flow.enumValues.length) {
      errors.push({ field: name, code: 'type_mismatch', message: `${label} expects ${expects(field)}, but ${subject} has none of these values (${list(flow.enumValues)}): add an enum map to translate them` })
    } else {
      warnings.push({ field: name, code: 'enum_unmapped', values: outside, message: `${label}: ${providerValues(outside)} not one of the model's values (${list(allowed)}), so records with ${them(outside)} get no value and an error: add an enum map to translate ${them(outside)}` })
    }
    return
  }
  const conversion = conversionOf(flow.type, field.type, found.kind === 'field' ? found.example : undefined)
  if (conversion.level === 'ok') return
  const message = `${label} expects ${expects(field)}, but ${subject} is ${TYPE_NAMES[flow.type]}: ${conversion.advice}`
  if (conversion.level === 'error') errors.push({ field: name, code: 'type_mismatch', message })
  else warnings.push({ field: name, code: 'conversion_may_fail', message })
}

/** The type after one transform, or the `invalid_transform` message. Adds enum coverage warnings. */
function transformFlow(transform: Transform, flow: Flow, at: { label: string; field: string; subject: string; warnings: CheckIssue<CheckWarningCode>[] }): Flow | string {
  const { label, subject } = at
  if (flow.type !== 'any') {
    let takes = TAKES[transform.type]
    if (transform.type === 'date' && (transform.input === 'datetime' || transform.input === 'date')) takes = { types: ['string', 'datetime', 'date'], text: 'ISO 8601 text' }
    if (transform.type === 'date' && (transform.input === 'epoch_s' || transform.input === 'epoch_ms')) takes = { types: ['string', 'number', 'integer'], text: 'a number or digits' }
    if (!takes.types.includes(flow.type)) return `${label}: the ${transform.type} transform works on ${takes.text}, but ${subject} is ${TYPE_NAMES[flow.type]}`
  }
  const mapValues = (f: (v: string) => string): Flow => ({ ...flow, enumValues: flow.enumValues && unique(flow.enumValues.map(f)) })
  switch (transform.type) {
    case 'date':
      return { type: transform.output === 'datetime' || transform.output === 'date' ? transform.output : 'integer' }
    case 'split':
      return { type: 'string' }
    case 'lowercase':
      return mapValues((v) => v.toLowerCase())
    case 'uppercase':
      return mapValues((v) => v.toUpperCase())
    case 'trim':
      return mapValues((v) => v.trim())
    case 'number':
      return { type: flow.type === 'integer' ? 'integer' : 'number' }
    case 'string':
      return flow.type === 'enum' ? flow : { type: 'string' }
    case 'boolean':
      return { type: 'boolean' }
    case 'default': {
      if (flow.type === 'any') return flow
      const fits = coerceValue(transform.value, { type: flow.type === 'enum' ? 'string' : flow.type }).ok
      if (!fits) return `${label}: the default ${describeValue(transform.value)} is not ${TYPE_NAMES[flow.type]} like the values it stands in for`
      return flow.type === 'enum' && flow.enumValues ? { ...flow, enumValues: unique([...flow.enumValues, String(transform.value)]) } : flow
    }
    case 'enum': {
      const known = flow.type === 'boolean' ? ['true', 'false'] : flow.type === 'enum' ? flow.enumValues : undefined
      if (transform.fallback === undefined) {
        const missing = known?.filter((v) => !Object.hasOwn(transform.map, v))
        if (missing && missing.length > 0) {
          at.warnings.push({ field: at.field, code: 'enum_unmapped', values: missing, message: `${label}: ${providerValues(missing)} not in the enum map and there is no fallback, so records with ${them(missing)} get no value and an error` })
        } else if (!known) {
          at.warnings.push({ field: at.field, code: 'conversion_may_fail', message: `${label}: provider values other than ${list(Object.keys(transform.map))} are not in the enum map and there is no fallback, so records with them get no value and an error` })
        }
      }
      const gives = Object.values(transform.map)
      return { type: 'enum', enumValues: unique(transform.fallback === undefined ? gives : [...gives, transform.fallback]), fromMap: true }
    }
  }
}

// --- Default mapping ---------------------------------------------------------------------------

/** Names that mean the same field, normalised (see `normalize`). A name is in one group at most. */
const SYNONYMS: readonly (readonly string[])[] = [
  ['email', 'emailaddress', 'mail', 'primaryemail'],
  ['firstname', 'givenname', 'forename', 'fname'],
  ['lastname', 'familyname', 'surname', 'lname'],
  ['name', 'fullname', 'displayname'],
  ['phone', 'phonenumber', 'telephone', 'tel'],
  ['company', 'companyname', 'organization', 'organisation'],
  ['createdat', 'created', 'createdate', 'createddate', 'createdtime', 'creationdate', 'datecreated', 'createtime'],
  ['updatedat', 'updated', 'updatedate', 'updateddate', 'modifiedat', 'lastmodified', 'lastmodifieddate', 'modifieddate', 'updatetime'],
]
const SYNONYM_GROUP = new Map(SYNONYMS.flatMap((group, i) => group.map((name) => [name, i] as const)))

/** How well a provider path's name matches a model field name: 3 same name, 2 same last segment, 1 synonym, 0 none. */
function nameScore(fieldName: string, path: string): number {
  const field = normalize(fieldName)
  if (normalize(path) === field) return 3
  const last = normalize(lastSegment(path))
  if (last === field) return 2
  const group = SYNONYM_GROUP.get(field)
  return group !== undefined && SYNONYM_GROUP.get(last) === group ? 1 : 0
}

/** A field mapping from `path` when its type fits the model field with no risk; enum to enum gets a map of the values with the same name. */
function proposal(field: VendorField, path: string, provider: ProviderField): FieldMapping | undefined {
  if (field.type === 'enum') {
    if (provider.type !== 'enum' || !provider.enumValues) return undefined
    const allowed = field.enumValues ?? []
    const map: Record<string, string> = {}
    for (const value of provider.enumValues) {
      const match = allowed.find((v) => normalize(v) === normalize(value))
      if (match !== undefined) Object.defineProperty(map, value, { value: match, enumerable: true, writable: true, configurable: true })
    }
    const entries = Object.entries(map)
    if (entries.length === 0) return undefined
    const identity = entries.length === provider.enumValues.length && entries.every(([k, v]) => k === v)
    return { source: 'field', path, transforms: identity ? [] : [{ type: 'enum', map }] }
  }
  return conversionOf(provider.type, field.type).level === 'ok' ? { source: 'field', path, transforms: [] } : undefined
}

/**
 * A best-effort mapping to pre-fill the mapping UI: each model field gets the provider field with
 * the most similar name (after normalising case, `_` and `.`: `first_name`, `firstname`,
 * `firstName` and `properties.firstname` all match `firstName`; a few synonyms such as
 * `createdate` for `createdAt`) whose type fits without risk (same type or a lossless conversion;
 * enum to enum with a map of the values whose names match). Between equally good names, the same
 * type wins over a conversion, then the shallower path, then alphabetical order. Each provider path is used once. Fields with no good match are left out:
 * run {@link checkMapping} on the result to see what the user still has to choose.
 */
export function defaultMapping(model: VendorModel, providerFields: ProviderFields): Mapping {
  const candidates: { field: string; path: string; score: number; sameType: boolean; mapping: FieldMapping }[] = []
  for (const [name, field] of Object.entries(model.fields)) {
    for (const [path, provider] of Object.entries(providerFields)) {
      const score = nameScore(name, path)
      const mapping = score > 0 ? proposal(field, path, provider) : undefined
      if (mapping) candidates.push({ field: name, path, score, sameType: provider.type === field.type, mapping })
    }
  }
  const depth = (path: string) => path.split('.').length
  candidates.sort((a, b) => b.score - a.score || Number(b.sameType) - Number(a.sameType) || depth(a.path) - depth(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  const fields: Record<string, FieldMapping> = {}
  const used = new Set<string>()
  for (const c of candidates) {
    if (Object.hasOwn(fields, c.field) || used.has(c.path)) continue
    fields[c.field] = c.mapping
    used.add(c.path)
  }
  // Model order, so the result reads like the model.
  return { model: model.name, fields: Object.fromEntries(Object.keys(model.fields).filter((f) => Object.hasOwn(fields, f)).map((f) => [f, fields[f]!])) }
}

/**
 * The mapping to pre-fill a mapping screen with: the connector's default mapping to a common model
 * (`connectorDefault`, e.g. HubSpot `contact` → common `contact`), adapted to the vendor's model by
 * field name (the common field `firstName` serves the vendor's `firstName`, `first_name` or
 * `givenName`; kept only where it checks without errors for that field), then {@link defaultMapping}
 * by name similarity for the fields still open, using provider paths not yet taken.
 */
export function suggestMapping(model: VendorModel, providerFields: ProviderFields, connectorDefault?: Record<string, FieldMapping>): Mapping {
  const fields: Record<string, FieldMapping> = {}
  const used = new Set<string>()
  const taken = (m: FieldMapping) => (m.source === 'field' ? [m.path] : m.source === 'join' ? m.paths : [])
  if (connectorDefault) {
    for (const [name, field] of Object.entries(model.fields)) {
      let best: { score: number; mapping: FieldMapping } | undefined
      for (const [common, mapping] of Object.entries(connectorDefault)) {
        const score = nameScore(name, common)
        if (score >= 1 && (!best || score > best.score)) best = { score, mapping }
      }
      // The connector's choices stand as given (two fields may read one path, e.g. a name split in two).
      if (!best) continue
      let candidate = best.mapping
      // An enum field needs the provider's values mapped onto the vendor's: reuse defaultMapping's value matching.
      if (field.type === 'enum' && candidate.source === 'field' && candidate.transforms.length === 0) {
        const provider = Object.hasOwn(providerFields, candidate.path) ? providerFields[candidate.path] : undefined
        const proposed = provider ? proposal(field, candidate.path, provider) : undefined
        if (!proposed) continue
        candidate = proposed
      }
      const single = checkMapping({ ...model, fields: { [name]: { ...field, required: false } } }, providerFields, { model: model.name, fields: { [name]: candidate } })
      if (!single.ok) continue
      fields[name] = candidate
      for (const p of taken(candidate)) used.add(p)
    }
  }
  const rest = defaultMapping(model, Object.fromEntries(Object.entries(providerFields).filter(([p]) => !used.has(p))))
  for (const [name, mapping] of Object.entries(rest.fields)) if (!Object.hasOwn(fields, name)) fields[name] = mapping
  return { model: model.name, fields: Object.fromEntries(Object.keys(model.fields).filter((f) => Object.hasOwn(fields, f)).map((f) => [f, fields[f]!])) }
}
