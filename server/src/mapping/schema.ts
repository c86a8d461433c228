/**
 * Field mapping, as data: the vendor's own models ({@link vendorModelSchema}) and mappings from a
 * provider object's fields to one model ({@link mappingSchema}).
 *
 * Like connectors, what vendors and end users write is the `…Input` type (`z.input`) and what the
 * engine reads is the output type (`z.output`, defaults filled in). Objects are strict: an unknown
 * key is an error, not silently ignored. These schemas check shape and limits only; whether a
 * mapping fits a model and a provider object is `checkMapping`'s job (`./check.ts`), and running
 * it on a record is `applyMapping`'s (`./apply.ts`).
 *
 * @example
 * const contact = vendorModelSchema.parse({
 *   name: 'Contact',
 *   fields: {
 *     email: { type: 'string', required: true },
 *     firstName: { type: 'string' },
 *     lifecycleStage: { type: 'enum', enumValues: ['subscriber', 'lead', 'customer'] },
 *     createdAt: { type: 'datetime' },
 *   },
 * })
 * const mapping = mappingSchema.parse({
 *   model: 'Contact',
 *   fields: {
 *     email: { source: 'field', path: 'properties.email', transforms: [{ type: 'trim' }] },
 *     firstName: { source: 'field', path: 'name', transforms: [{ type: 'split', separator: ' ', part: 'first' }] },
 *     lifecycleStage: { source: 'field', path: 'stage', transforms: [{ type: 'enum', map: { prospect: 'lead' }, fallback: 'subscriber' }] },
 *     createdAt: { source: 'field', path: 'created', transforms: [{ type: 'date', output: 'datetime' }] },
 *   },
 * })
 */
import { z } from 'zod'

/** Field types, the same as a connector object's fields (`connectors/schema.ts` `fieldSchema`). */
export const FIELD_TYPES = ['string', 'number', 'integer', 'boolean', 'datetime', 'date', 'enum', 'object', 'array'] as const

/**
 * The type of a model or provider field:
 * - `string`: text; `number`: any JSON number; `integer`: a whole number; `boolean`: true or false;
 * - `datetime`: ISO 8601 text with a time (the engine outputs `2024-03-05T09:12:44.000Z`, UTC);
 *   `date`: ISO 8601 calendar date text (`2024-03-05`);
 * - `enum`: text, one of `enumValues`; `object`: a JSON object; `array`: a JSON array.
 */
export const fieldTypeSchema = z.enum(FIELD_TYPES)
export type FieldType = z.output<typeof fieldTypeSchema>

/** Limits, so one model or mapping stays cheap to check, store and apply to every record. */
export const LIMITS = {
  /** Fields per model, and mapped fields per mapping. */
  fields: 200,
  /** Length of a model or field name. */
  name: 64,
  description: 1000,
  /** Values of an enum field, and entries of an `enum` transform's map. */
  enumValues: 500,
  /** Length of one enum value, map key or map value. */
  enumValue: 200,
  /** Length of a dotted provider path. */
  path: 300,
  transforms: 10,
  /** Paths of one `join`. */
  joinPaths: 10,
  /** Length of a `split` or `join` separator. */
  separator: 10,
  /** Length of a text constant or default. */
  constant: 1000,
} as const

/** A model or field name: a letter then letters, digits or `_` (the same rule as connector field names). */
export const identifierSchema = z
  .string()
  .max(LIMITS.name)
  .regex(/^[a-zA-Z][a-zA-Z0-9_]*$/, 'must be an identifier: a letter, then letters, digits or _')

/** Path segments that would reach an object's prototype when the path is written (write-back). */
const UNSAFE_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor'])

/**
 * A dotted path into a provider record, e.g. `properties.email` (read with `getPath` from
 * `connectors/pagination.ts`; a numeric segment indexes an array, e.g. `emails.0.value`).
 */
export const pathSchema = z
  .string()
  .min(1)
  .max(LIMITS.path)
  .refine((p) => p.split('.').every((s) => s !== ''), 'must be a dotted path with no empty segment, e.g. properties.email')
  .refine((p) => p.split('.').every((s) => !UNSAFE_SEGMENTS.has(s)), 'must not contain __proto__, prototype or constructor')

/** A JSON scalar: text (at most {@link LIMITS.constant} characters), a finite number, a boolean or `null`. */
export const jsonScalarSchema = z.union([z.string().max(LIMITS.constant), z.number(), z.boolean(), z.null()])
export type JsonScalar = z.output<typeof jsonScalarSchema>

const enumValue = z.string().min(1).max(LIMITS.enumValue)

/** One field of a vendor model. `enumValues` is required for `enum` fields and allowed only on them. */
export const vendorFieldSchema = z
  .strictObject({
    type: fieldTypeSchema,
    /** A record without a value for this field is reported by `applyMapping`; `checkMapping` requires it mapped. */
    required: z.boolean().default(false),
    description: z.string().max(LIMITS.description).optional(),
    /** The allowed values of an `enum` field, each distinct. */
    enumValues: z.array(enumValue).min(1).max(LIMITS.enumValues).optional(),
  })
  .superRefine((field, ctx) => {
    if (field.type === 'enum' && field.enumValues === undefined) ctx.addIssue({ code: 'custom', path: ['enumValues'], message: 'an enum field must list its enumValues' })
    if (field.type !== 'enum' && field.enumValues !== undefined) ctx.addIssue({ code: 'custom', path: ['enumValues'], message: 'only enum fields have enumValues' })
    if (field.enumValues && new Set(field.enumValues).size !== field.enumValues.length) ctx.addIssue({ code: 'custom', path: ['enumValues'], message: 'enumValues must be distinct' })
  })
export type VendorField = z.output<typeof vendorFieldSchema>
export type VendorFieldInput = z.input<typeof vendorFieldSchema>

const fieldCount = (r: Record<string, unknown>) => Object.keys(r).length

/**
 * A vendor's data model, e.g. `Contact { email (required), firstName, lifecycleStage: enum, createdAt: datetime }`:
 * 1 to {@link LIMITS.fields} fields keyed by identifier.
 */
export const vendorModelSchema = z.strictObject({
  name: identifierSchema,
  description: z.string().max(LIMITS.description).optional(),
  fields: z
    .record(identifierSchema, vendorFieldSchema)
    .refine((f) => fieldCount(f) >= 1, 'a model needs at least one field')
    .refine((f) => fieldCount(f) <= LIMITS.fields, `a model has at most ${LIMITS.fields} fields`),
})
export type VendorModel = z.output<typeof vendorModelSchema>
export type VendorModelInput = z.input<typeof vendorModelSchema>

/**
 * How a date is written: `datetime` ISO 8601 text with a time (output `2024-03-05T09:12:44.000Z`, UTC);
 * `date` ISO 8601 calendar date (`2024-03-05`, the UTC day); `epoch_s` / `epoch_ms` whole seconds /
 * milliseconds since 1970-01-01T00:00:00Z.
 */
export const dateFormatSchema = z.enum(['datetime', 'date', 'epoch_s', 'epoch_ms'])
export type DateFormat = z.output<typeof dateFormatSchema>

/**
 * Parses a date and writes it as `output`. Reads ISO 8601 text (`2024-03-05`, `2024-03-05T09:12:44Z`,
 * `2024-03-05T10:12:44+01:00`; no offset means UTC) and epoch numbers: without `input`, a number
 * whose magnitude is below 1e11 is seconds, otherwise milliseconds. `input` says how the provider
 * writes the date: an epoch `input` also reads digit strings (`"1709629964"`); write-back
 * (`invertMapping` in `./apply.ts`) needs `input` to write the date the provider's way.
 */
export const dateTransformSchema = z.strictObject({ type: z.literal('date'), input: dateFormatSchema.optional(), output: dateFormatSchema })

/**
 * Splits text on `separator` and keeps one part: `first` (before the first separator), `last` (after
 * the last one), `rest` (everything after the first one: `Grace Brewster Hopper` → `Brewster Hopper`,
 * which keeps middle names with the last name) or a 0-based piece index. Text without the separator
 * is its own `first` and `last` part; its `rest`, or a piece past the end, is empty (`null`).
 */
export const splitTransformSchema = z.strictObject({
  type: z.literal('split'),
  separator: z.string().min(1).max(LIMITS.separator),
  part: z.union([z.enum(['first', 'last', 'rest']), z.number().int().min(0).max(99)]),
})

/**
 * Translates provider values to vendor values: `map` keys are provider values as text (a number
 * `3` or `true` is looked up as `"3"` / `"true"`), values are vendor values. A value not in the map
 * becomes `fallback`, or is an error without one. Empty values (`null`, missing, `""`) pass through.
 */
export const enumTransformSchema = z.strictObject({
  type: z.literal('enum'),
  map: z
    .record(z.string().max(LIMITS.enumValue), enumValue)
    .refine((m) => fieldCount(m) >= 1, 'an enum map needs at least one entry')
    .refine((m) => fieldCount(m) <= LIMITS.enumValues, `an enum map has at most ${LIMITS.enumValues} entries`),
  fallback: enumValue.optional(),
})

/** Replaces an empty value (`null`, missing or `""`) with `value`. */
export const defaultTransformSchema = z.strictObject({ type: z.literal('default'), value: z.union([z.string().max(LIMITS.constant), z.number(), z.boolean()]) })

/** Text case and whitespace. Not invertible for lowercase/uppercase: the provider's case is lost. */
export const textTransformSchema = z.strictObject({ type: z.enum(['lowercase', 'uppercase', 'trim']) })

/** Text to number (`" 42.5 "` → `42.5`; `"12 apples"` is an error); a number is kept. */
export const numberTransformSchema = z.strictObject({ type: z.literal('number') })

/** A number or boolean to text (`42` → `"42"`, `true` → `"true"`); text is kept. */
export const stringTransformSchema = z.strictObject({ type: z.literal('string') })

/**
 * Text or a number to true/false: `true`/`yes`/`1` and `false`/`no`/`0` (any case, trimmed), the
 * numbers 1 and 0; a boolean is kept. For providers that send booleans as text (HubSpot properties).
 */
export const booleanTransformSchema = z.strictObject({ type: z.literal('boolean') })

/** One step of a field's transform chain, applied in order after the value is read. */
export const transformSchema = z.discriminatedUnion('type', [
  dateTransformSchema,
  splitTransformSchema,
  enumTransformSchema,
  defaultTransformSchema,
  textTransformSchema,
  numberTransformSchema,
  stringTransformSchema,
  booleanTransformSchema,
])
export type Transform = z.output<typeof transformSchema>
export type TransformInput = z.input<typeof transformSchema>
export type TransformType = Transform['type']

/** The value at `path` in the provider record, then each of `transforms` in order. */
export const fieldSourceSchema = z.strictObject({
  source: z.literal('field'),
  path: pathSchema,
  transforms: z.array(transformSchema).max(LIMITS.transforms).default([]),
})

/**
 * The values at `paths` as text, joined by `separator` (`first_name` + `last_name` → `Grace Hopper`).
 * Empty values are left out; all empty gives `null`. Objects and lists are errors.
 */
export const joinSourceSchema = z.strictObject({
  source: z.literal('join'),
  paths: z.array(pathSchema).min(2).max(LIMITS.joinPaths),
  separator: z.string().max(LIMITS.separator),
})

/** The same value for every record (e.g. `source: 'hubspot'`). Not written back. */
export const constantSourceSchema = z.strictObject({ source: z.literal('constant'), value: jsonScalarSchema })

/** Where one vendor field's value comes from. */
export const fieldMappingSchema = z.discriminatedUnion('source', [fieldSourceSchema, joinSourceSchema, constantSourceSchema])
export type FieldMapping = z.output<typeof fieldMappingSchema>
export type FieldMappingInput = z.input<typeof fieldMappingSchema>

/**
 * A mapping from one provider object to the vendor model named `model`: for each vendor field it
 * maps, where the value comes from. Vendor fields left out are `null` in mapped records.
 */
export const mappingSchema = z.strictObject({
  model: identifierSchema,
  fields: z.record(identifierSchema, fieldMappingSchema).refine((f) => fieldCount(f) <= LIMITS.fields, `a mapping has at most ${LIMITS.fields} fields`),
})
export type Mapping = z.output<typeof mappingSchema>
export type MappingInput = z.input<typeof mappingSchema>
