import { describe, expect, it } from 'vitest'
import { PatchbayError } from '../lib/errors'
import { applyMapping, applyTransform, applyTransforms, coerceValue, fieldLabel, invertMapping, parseIso8601, type StepResult } from './apply'
import { contactModel, demoMapping, demoRecords, hubspotMapping, hubspotRecord, mapping } from './testing'
import { transformSchema, vendorModelSchema, type Transform } from './schema'

const t = (input: unknown): Transform => transformSchema.parse(input)
const run = (transform: unknown, value: unknown): StepResult => applyTransform(t(transform), value)
const value = (v: unknown): StepResult => ({ ok: true, value: v })
const failure = (message: string): StepResult => ({ ok: false, message })

describe('fieldLabel', () => {
  it('reads camelCase, snake_case and acronyms', () => {
    expect(['email', 'firstName', 'lifecycleStage', 'company_id', 'websiteURL', 'createdAt'].map(fieldLabel)).toEqual(['Email', 'First name', 'Lifecycle stage', 'Company id', 'Website URL', 'Created at'])
  })
})

describe('parseIso8601', () => {
  it('reads dates, times, fractions and offsets; no offset is UTC', () => {
    expect(parseIso8601('2024-03-05')).toEqual({ ms: Date.UTC(2024, 2, 5), hasTime: false })
    expect(parseIso8601('2024-03-05T09:12:44Z')).toEqual({ ms: Date.UTC(2024, 2, 5, 9, 12, 44), hasTime: true })
    expect(parseIso8601('2024-03-05T09:12:44.123456Z')?.ms).toBe(Date.UTC(2024, 2, 5, 9, 12, 44, 123))
    expect(parseIso8601('2024-03-05T10:12:44+01:00')?.ms).toBe(Date.UTC(2024, 2, 5, 9, 12, 44))
    expect(parseIso8601('2024-03-05T04:12-0500')?.ms).toBe(Date.UTC(2024, 2, 5, 9, 12))
    expect(parseIso8601('2024-03-05 09:12:44')?.ms).toBe(Date.UTC(2024, 2, 5, 9, 12, 44))
    expect(parseIso8601('0099-01-01')?.ms).toBe(-59_042_995_200_000)
  })
  it('rejects what is not a real ISO 8601 date', () => {
    for (const text of ['2024-02-30', '2023-02-29', '2024-13-01', '2024-03-05T24:00:00Z', '2024-03-05T09:60Z', '2024-3-5', 'March 5, 2024', '1709629964', '2024-03-05T09:12:44+25:00', ''])
      expect(parseIso8601(text), text).toBeUndefined()
  })
})

describe('transforms', () => {
  describe('date', () => {
    it('writes an ISO date and time in each output format', () => {
      expect(run({ type: 'date', output: 'datetime' }, '2024-03-05T10:12:44+01:00')).toEqual(value('2024-03-05T09:12:44.000Z'))
      expect(run({ type: 'date', output: 'date' }, '2024-03-05T23:30:00-05:00')).toEqual(value('2024-03-06'))
      expect(run({ type: 'date', output: 'epoch_s' }, '2024-03-05T09:12:44.999Z')).toEqual(value(1709629964))
      expect(run({ type: 'date', output: 'epoch_ms' }, '2024-03-05T09:12:44.999Z')).toEqual(value(1709629964999))
      expect(run({ type: 'date', output: 'datetime' }, '2024-03-05')).toEqual(value('2024-03-05T00:00:00.000Z'))
    })
    it('reads epoch numbers: seconds below 1e11, else milliseconds, unless input says', () => {
      expect(run({ type: 'date', output: 'datetime' }, 1709629964)).toEqual(value('2024-03-05T09:12:44.000Z'))
      expect(run({ type: 'date', output: 'datetime' }, 1709629964123)).toEqual(value('2024-03-05T09:12:44.123Z'))
      expect(run({ type: 'date', output: 'datetime' }, 99_999_999_999)).toEqual(value('5138-11-16T09:46:39.000Z'))
      expect(run({ type: 'date', output: 'datetime' }, 100_000_000_000)).toEqual(value('1973-03-03T09:46:40.000Z'))
      expect(run({ type: 'date', input: 'epoch_ms', output: 'datetime' }, 86_400_000)).toEqual(value('1970-01-02T00:00:00.000Z'))
      expect(run({ type: 'date', input: 'epoch_s', output: 'date' }, '1709629964')).toEqual(value('2024-03-05'))
      expect(run({ type: 'date', input: 'epoch_ms', output: 'epoch_s' }, ' 1709629964123 ')).toEqual(value(1709629964))
    })
    it('explains what it cannot read', () => {
      expect(run({ type: 'date', output: 'datetime' }, 'yesterday')).toEqual(failure('the date transform cannot read "yesterday": expected ISO 8601 text (2024-03-05 or 2024-03-05T09:12:44Z) or epoch seconds or milliseconds'))
      expect(run({ type: 'date', output: 'datetime' }, '2024-02-30')).toEqual(failure('the date transform cannot read "2024-02-30": expected ISO 8601 text (2024-03-05 or 2024-03-05T09:12:44Z) or epoch seconds or milliseconds'))
      expect(run({ type: 'date', output: 'datetime' }, '1709629964')).toEqual(failure('the date transform cannot read "1709629964": expected ISO 8601 text (2024-03-05 or 2024-03-05T09:12:44Z) or epoch seconds or milliseconds'))
      expect(run({ type: 'date', output: 'datetime' }, true)).toEqual(failure('the date transform cannot read true: expected ISO 8601 text (2024-03-05 or 2024-03-05T09:12:44Z) or epoch seconds or milliseconds'))
      expect(run({ type: 'date', input: 'datetime', output: 'date' }, 1709629964)).toEqual(failure('the date transform cannot read 1709629964: expected ISO 8601 text (2024-03-05 or 2024-03-05T09:12:44Z)'))
      expect(run({ type: 'date', input: 'epoch_s', output: 'date' }, '2024-03-05')).toEqual(failure('the date transform cannot read "2024-03-05": expected epoch seconds'))
      expect(run({ type: 'date', input: 'epoch_ms', output: 'datetime' }, 1e16)).toEqual(failure('the date transform cannot read 10000000000000000: it is outside the years 0000 to 9999'))
    })
    it('passes empty values through as null', () => {
      expect(run({ type: 'date', output: 'datetime' }, '')).toEqual(value(null))
      expect(run({ type: 'date', output: 'datetime' }, null)).toEqual(value(null))
      expect(run({ type: 'date', output: 'datetime' }, undefined)).toEqual(value(null))
    })
  })

  it('split keeps the first, last, rest or nth part', () => {
    const name = 'Grace Brewster Hopper'
    expect(run({ type: 'split', separator: ' ', part: 'first' }, name)).toEqual(value('Grace'))
    expect(run({ type: 'split', separator: ' ', part: 'last' }, name)).toEqual(value('Hopper'))
    expect(run({ type: 'split', separator: ' ', part: 'rest' }, name)).toEqual(value('Brewster Hopper'))
    expect(run({ type: 'split', separator: ' ', part: 1 }, name)).toEqual(value('Brewster'))
    expect(run({ type: 'split', separator: ' ', part: 3 }, name)).toEqual(value(null))
    expect(run({ type: 'split', separator: ', ', part: 'first' }, 'Hopper, Grace')).toEqual(value('Hopper'))
    expect(run({ type: 'split', separator: ' ', part: 'first' }, 'Cher')).toEqual(value('Cher'))
    expect(run({ type: 'split', separator: ' ', part: 'last' }, 'Cher')).toEqual(value('Cher'))
    expect(run({ type: 'split', separator: ' ', part: 'rest' }, 'Cher')).toEqual(value(null))
    expect(run({ type: 'split', separator: ' ', part: 'first' }, 42)).toEqual(failure('the split transform needs text, got 42'))
    expect(run({ type: 'split', separator: ' ', part: 'first' }, null)).toEqual(value(null))
  })

  it('enum maps provider values, falls back, or fails', () => {
    const map = { lead: 'subscriber', opportunity: 'lead', customer: 'customer', '3': 'lead', true: 'customer' }
    expect(run({ type: 'enum', map }, 'opportunity')).toEqual(value('lead'))
    expect(run({ type: 'enum', map }, 3)).toEqual(value('lead'))
    expect(run({ type: 'enum', map }, true)).toEqual(value('customer'))
    expect(run({ type: 'enum', map, fallback: 'subscriber' }, 'partner')).toEqual(value('subscriber'))
    expect(run({ type: 'enum', map }, 'partner')).toEqual(failure('the enum map has no entry for "partner" and no fallback'))
    expect(run({ type: 'enum', map }, 'Lead')).toEqual(failure('the enum map has no entry for "Lead" and no fallback'))
    // Inherited properties are not entries.
    expect(run({ type: 'enum', map }, 'toString')).toEqual(failure('the enum map has no entry for "toString" and no fallback'))
    expect(run({ type: 'enum', map }, { stage: 'lead' })).toEqual(failure('the enum transform needs text, a number or true/false, got an object'))
    expect(run({ type: 'enum', map, fallback: 'subscriber' }, '')).toEqual(value(''))
    expect(run({ type: 'enum', map, fallback: 'subscriber' }, null)).toEqual(value(null))
  })

  it('default replaces null, missing and empty text only', () => {
    const d = { type: 'default', value: 'unknown' }
    expect([null, undefined, ''].map((v) => run(d, v))).toEqual([value('unknown'), value('unknown'), value('unknown')])
    expect([0, false, ' ', 'x'].map((v) => run(d, v))).toEqual([value(0), value(false), value(' '), value('x')])
  })

  it('lowercase, uppercase and trim take text only', () => {
    expect(run({ type: 'lowercase' }, 'Grace@Example.TEST')).toEqual(value('grace@example.test'))
    expect(run({ type: 'uppercase' }, 'fr')).toEqual(value('FR'))
    expect(run({ type: 'trim' }, '  a b \n')).toEqual(value('a b'))
    expect(run({ type: 'lowercase' }, 42)).toEqual(failure('the lowercase transform needs text, got 42'))
    expect(run({ type: 'trim' }, ['a'])).toEqual(failure('the trim transform needs text, got a list'))
    expect(run({ type: 'uppercase' }, null)).toEqual(value(null))
  })

  it('number reads numeric text and keeps numbers', () => {
    expect(run({ type: 'number' }, ' 42.5 ')).toEqual(value(42.5))
    expect(run({ type: 'number' }, '-1e3')).toEqual(value(-1000))
    expect(run({ type: 'number' }, '.5')).toEqual(value(0.5))
    expect(run({ type: 'number' }, 7)).toEqual(value(7))
    expect(run({ type: 'number' }, '')).toEqual(value(null))
    for (const text of ['12 apples', '0x10', 'Infinity', '1,234', 'NaN', '-'])
      expect(run({ type: 'number' }, text)).toEqual(failure(`the number transform cannot read ${JSON.stringify(text)}: it is not a number`))
    expect(run({ type: 'number' }, true)).toEqual(failure('the number transform cannot read true: it needs text or a number'))
  })

  it('string writes scalars as text', () => {
    expect(run({ type: 'string' }, 42)).toEqual(value('42'))
    expect(run({ type: 'string' }, false)).toEqual(value('false'))
    expect(run({ type: 'string' }, 'x')).toEqual(value('x'))
    expect(run({ type: 'string' }, { a: 1 })).toEqual(failure('the string transform cannot turn an object into text'))
  })

  it('boolean reads true/false, yes/no, 1/0', () => {
    expect(['true', ' Yes', '1', 'FALSE', 'no', '0', 1, 0, true].map((v) => run({ type: 'boolean' }, v))).toEqual([true, true, true, false, false, false, true, false, true].map(value))
    expect(run({ type: 'boolean' }, '')).toEqual(value(null))
    expect(run({ type: 'boolean' }, 'maybe')).toEqual(failure('the boolean transform cannot read "maybe": expected true, false, yes, no, 1 or 0'))
    expect(run({ type: 'boolean' }, 2)).toEqual(failure('the boolean transform cannot read 2: expected true, false, yes, no, 1 or 0'))
  })

  it('applyTransforms runs in order and stops at the first failure', () => {
    const chain = [t({ type: 'trim' }), t({ type: 'lowercase' }), t({ type: 'enum', map: { lead: 'subscriber' } })]
    expect(applyTransforms(chain, '  LEAD ')).toEqual(value('subscriber'))
    expect(applyTransforms([...chain].reverse(), '  LEAD ')).toEqual(failure('the enum map has no entry for "  LEAD " and no fallback'))
    expect(applyTransforms([t({ type: 'number' }), t({ type: 'default', value: 0 })], '')).toEqual(value(0))
    expect(applyTransforms([t({ type: 'number' }), t({ type: 'default', value: 0 })], 'n/a')).toEqual(failure('the number transform cannot read "n/a": it is not a number'))
    expect(applyTransforms([], undefined)).toEqual(value(null))
  })
})

describe('coerceValue', () => {
  const as = (type: string, v: unknown, enumValues?: string[]) => coerceValue(v, vendorModelSchema.parse({ name: 'M', fields: { f: { type, enumValues } } }).fields['f']!)
  it('keeps lossless conversions only', () => {
    expect(as('string', 42)).toEqual(value('42'))
    expect(as('string', '')).toEqual(value(''))
    expect(as('number', '')).toEqual(value(null))
    expect(as('string', { a: 1 })).toEqual(failure('an object is not text'))
    expect(as('number', 1.5)).toEqual(value(1.5))
    expect(as('number', '42')).toEqual(failure('"42" is text, not a number: add the number transform'))
    expect(as('integer', 1.5)).toEqual(failure('1.5 is not a whole number'))
    expect(as('integer', 3)).toEqual(value(3))
    expect(as('boolean', 'true')).toEqual(failure('"true" is not true or false: add the boolean transform'))
    expect(as('boolean', [true])).toEqual(failure('a list is not true or false'))
    expect(as('datetime', '2024-03-05T10:12:44+01:00')).toEqual(value('2024-03-05T09:12:44.000Z'))
    expect(as('datetime', '2024-03-05')).toEqual(value('2024-03-05T00:00:00.000Z'))
    expect(as('datetime', 1709629964)).toEqual(failure('1709629964 is a number, not a date and time: add the date transform'))
    expect(as('datetime', 'soon')).toEqual(failure('"soon" is not an ISO 8601 date and time'))
    expect(as('date', '2024-03-05')).toEqual(value('2024-03-05'))
    expect(as('date', '2024-03-05T09:12:44Z')).toEqual(failure('"2024-03-05T09:12:44Z" has a time: add the date transform with output date'))
    expect(as('date', '05/03/2024')).toEqual(failure('"05/03/2024" is not an ISO 8601 date (YYYY-MM-DD)'))
    expect(as('enum', 'lead', ['subscriber', 'lead'])).toEqual(value('lead'))
    expect(as('enum', 2, ['1', '2'])).toEqual(value('2'))
    expect(as('enum', 'opportunity', ['subscriber', 'lead'])).toEqual(failure('"opportunity" is not one of subscriber, lead'))
    expect(as('object', { a: 1 })).toEqual(value({ a: 1 }))
    expect(as('object', [1])).toEqual(failure('a list is not an object'))
    expect(as('array', [1])).toEqual(value([1]))
    expect(as('array', 'a,b')).toEqual(failure('"a,b" is not a list'))
  })
})

describe('applyMapping', () => {
  it('maps Demo CRM contacts to Contact', () => {
    expect(demoRecords.map((r) => applyMapping(contactModel, demoMapping, r))).toEqual([
      {
        value: { email: 'grace.hopper.1@acme-analytics.test', firstName: 'Grace', lastName: 'Hopper', company: 'co_001', lifecycleStage: 'customer', createdAt: '2024-03-05T09:12:44.000Z' },
        errors: [],
      },
      {
        value: { email: 'alan.turing.2@example.test', firstName: 'Alan', lastName: 'Turing', company: null, lifecycleStage: 'subscriber', createdAt: '2024-05-21T13:40:02.000Z' },
        errors: [],
      },
    ])
  })

  it('maps a HubSpot contact (nested properties) to Contact, with unmapped fields null', () => {
    expect(applyMapping(contactModel, hubspotMapping, hubspotRecord)).toEqual({
      value: { email: 'mark.s@lumon.industries', firstName: 'Mark', lastName: 'S.', company: null, lifecycleStage: null, createdAt: '2025-02-11T15:45:00.400Z' },
      errors: [],
    })
  })

  it('makes invalid values null with an error, and reports empty required fields', () => {
    const record = { ...demoRecords[0], email: '   ', lifecycle_stage: 'partner', created_at: 'last tuesday' }
    expect(applyMapping(contactModel, demoMapping, record)).toEqual({
      value: { email: '', firstName: 'Grace', lastName: 'Hopper', company: 'co_001', lifecycleStage: null, createdAt: null },
      errors: [
        { field: 'email', message: 'Email is required, but this record has no value for it (from email)' },
        { field: 'lifecycleStage', message: 'Lifecycle stage: the enum map has no entry for "partner" and no fallback' },
        { field: 'createdAt', message: 'Created at: "last tuesday" is not an ISO 8601 date and time' },
      ],
    })
    // One error per field: an invalid required value is not also reported as missing.
    expect(applyMapping(contactModel, demoMapping, { ...demoRecords[0], email: ['a@b.test'] }).errors).toEqual([{ field: 'email', message: 'Email: the trim transform needs text, got a list' }])
    // A Demo CRM tombstone has no email.
    const tombstone = { id: 'ct_0003', deleted: true, deleted_at: '2024-10-01T08:00:00.000Z', updated_at: '2024-10-01T08:00:00.000Z' }
    expect(applyMapping(contactModel, demoMapping, tombstone).errors).toEqual([{ field: 'email', message: 'Email is required, but this record has no value for it (from email)' }])
    expect(applyMapping(contactModel, mapping({ model: 'Contact', fields: {} }), {}).errors).toEqual([{ field: 'email', message: 'Email is required, but this record has no value for it (it is not mapped)' }])
  })

  it('reads joins, constants and split names', () => {
    const model = vendorModelSchema.parse({ name: 'Person', fields: { fullName: { type: 'string' }, firstName: { type: 'string' }, lastName: { type: 'string' }, source: { type: 'string' }, score: { type: 'integer' }, active: { type: 'boolean' } } })
    const m = mapping({
      model: 'Person',
      fields: {
        fullName: { source: 'join', paths: ['first_name', 'middle_name', 'last_name'], separator: ' ' },
        firstName: { source: 'field', path: 'name', transforms: [{ type: 'split', separator: ' ', part: 'first' }] },
        lastName: { source: 'field', path: 'name', transforms: [{ type: 'split', separator: ' ', part: 'rest' }] },
        source: { source: 'constant', value: 'demo-crm' },
        score: { source: 'field', path: 'properties.score', transforms: [{ type: 'number' }] },
        active: { source: 'field', path: 'properties.active', transforms: [{ type: 'boolean' }] },
      },
    })
    const record = { first_name: 'Grace', middle_name: null, last_name: 'Hopper', name: 'Grace Brewster Hopper', properties: { score: '42', active: 'true' } }
    expect(applyMapping(model, m, record)).toEqual({ value: { fullName: 'Grace Hopper', firstName: 'Grace', lastName: 'Brewster Hopper', source: 'demo-crm', score: 42, active: true }, errors: [] })
    expect(applyMapping(model, m, { first_name: { text: 'Grace' }, properties: { score: '4.5' } })).toEqual({
      value: { fullName: null, firstName: null, lastName: null, source: 'demo-crm', score: null, active: null },
      errors: [
        { field: 'fullName', message: 'Full name: first_name is an object, which a join cannot use' },
        { field: 'score', message: 'Score: 4.5 is not a whole number' },
      ],
    })
  })

  it('reports mapped fields the model lacks and survives records that are not objects', () => {
    const m = mapping({ model: 'Contact', fields: { email: { source: 'field', path: 'email' }, nickname: { source: 'field', path: 'nick' } } })
    const out = applyMapping(contactModel, m, 'not a record')
    expect(out.value).toEqual({ email: null, firstName: null, lastName: null, company: null, lifecycleStage: null, createdAt: null })
    expect(out.errors).toEqual([
      { field: 'email', message: 'Email is required, but this record has no value for it (from email)' },
      { field: 'nickname', message: 'Nickname is not a field of the model Contact' },
    ])
  })
})

describe('invertMapping', () => {
  const demoContact = { email: 'ada@example.test', firstName: 'Ada', lastName: 'Lovelace', company: 'co_002', lifecycleStage: 'lead', createdAt: '2024-06-01T12:00:00.000Z' }

  it('writes a Contact back to a Demo CRM contact, and the round trip gives it back', () => {
    const inverse = invertMapping(contactModel, demoMapping)
    expect(inverse).toMatchObject({ invertible: true, reasons: [] })
    const provider = inverse.toProvider(demoContact)
    expect(provider).toEqual({ email: 'ada@example.test', first_name: 'Ada', last_name: 'Lovelace', company_id: 'co_002', lifecycle_stage: 'opportunity', created_at: '2024-06-01T12:00:00.000Z' })
    expect(applyMapping(contactModel, demoMapping, provider)).toEqual({ value: demoContact, errors: [] })
    for (const record of demoRecords) {
      const { value: mapped } = applyMapping(contactModel, demoMapping, record)
      expect(applyMapping(contactModel, demoMapping, inverse.toProvider(mapped)).value).toEqual(mapped)
    }
  })

  it('builds nested objects from dotted paths and writes dates in the provider format', () => {
    const inverse = invertMapping(contactModel, hubspotMapping)
    expect(inverse.invertible).toBe(true)
    const provider = inverse.toProvider({ email: 'mark.s@lumon.industries', firstName: 'Mark', createdAt: '2025-02-11T16:45:00.400+01:00' })
    expect(provider).toEqual({ properties: { email: 'mark.s@lumon.industries', firstname: 'Mark', createdate: '2025-02-11T15:45:00.400Z' } })
    const epochs = mapping({ model: 'Contact', fields: { email: { source: 'field', path: 'email' }, createdAt: { source: 'field', path: 'meta.created', transforms: [{ type: 'date', input: 'epoch_s', output: 'datetime' }] } } })
    const back = invertMapping(contactModel, epochs).toProvider({ email: 'a@b.test', createdAt: '2024-03-05T09:12:44.000Z' })
    expect(back).toEqual({ email: 'a@b.test', meta: { created: 1709629964 } })
    expect(applyMapping(contactModel, epochs, back).value['createdAt']).toBe('2024-03-05T09:12:44.000Z')
    // Inverses run last transform first.
    const twoSteps = mapping({
      model: 'Contact',
      fields: { createdAt: { source: 'field', path: 'created', transforms: [{ type: 'date', input: 'epoch_s', output: 'epoch_ms' }, { type: 'date', input: 'epoch_ms', output: 'datetime' }] } },
    })
    expect(invertMapping(contactModel, twoSteps).toProvider({ createdAt: '2024-03-05T09:12:44.000Z' })).toEqual({ created: 1709629964 })
  })

  it('writes only the fields given (null clears), never constants or unmapped fields', () => {
    const withConstant = mapping({ model: 'Contact', fields: { ...demoMapping.fields, company: { source: 'constant', value: 'Acme' } } })
    const inverse = invertMapping(contactModel, withConstant)
    expect(inverse.invertible).toBe(true)
    expect(inverse.toProvider({ email: 'x@y.test', lastName: null, company: 'Other', createdAt: undefined })).toEqual({ email: 'x@y.test', last_name: null })
    expect(invertMapping(contactModel, hubspotMapping).toProvider({ company: 'Lumon' })).toEqual({})
  })

  it('splits a join of two paths back at the first separator', () => {
    const model = vendorModelSchema.parse({ name: 'Person', fields: { name: { type: 'string' } } })
    const m = mapping({ model: 'Person', fields: { name: { source: 'join', paths: ['first_name', 'last_name'], separator: ' ' } } })
    const inverse = invertMapping(model, m)
    expect(inverse.invertible).toBe(true)
    expect(inverse.toProvider({ name: 'Grace Brewster Hopper' })).toEqual({ first_name: 'Grace', last_name: 'Brewster Hopper' })
    expect(inverse.toProvider({ name: 'Cher' })).toEqual({ first_name: 'Cher', last_name: null })
    expect(inverse.toProvider({ name: null })).toEqual({ first_name: null, last_name: null })
    for (const name of ['Grace Brewster Hopper', 'Cher']) expect(applyMapping(model, m, inverse.toProvider({ name })).value).toEqual({ name })
  })

  it('joins a pair of splits of one path back together, and needs both halves', () => {
    const model = vendorModelSchema.parse({ name: 'Person', fields: { firstName: { type: 'string' }, lastName: { type: 'string' } } })
    const m = mapping({
      model: 'Person',
      fields: {
        firstName: { source: 'field', path: 'name', transforms: [{ type: 'split', separator: ' ', part: 'first' }] },
        lastName: { source: 'field', path: 'name', transforms: [{ type: 'split', separator: ' ', part: 'rest' }] },
      },
    })
    const inverse = invertMapping(model, m)
    expect(inverse.invertible).toBe(true)
    const person = { firstName: 'Grace', lastName: 'Brewster Hopper' }
    expect(inverse.toProvider(person)).toEqual({ name: 'Grace Brewster Hopper' })
    expect(applyMapping(model, m, inverse.toProvider(person)).value).toEqual(person)
    expect(inverse.toProvider({ firstName: 'Cher', lastName: null })).toEqual({ name: 'Cher' })
    expect(() => inverse.toProvider({ firstName: 'Grace' })).toThrow(PatchbayError)
    try {
      inverse.toProvider({ firstName: 'Grace' })
    } catch (e) {
      expect((e as PatchbayError).extra).toEqual({ errors: [{ path: 'lastName', message: 'First name and Last name are written together to name: give both' }] })
    }
  })

  it('explains why a mapping is not invertible', () => {
    const model = vendorModelSchema.parse({ name: 'Thing', fields: Object.fromEntries([...'abcdefghijk'].map((n) => [n, { type: 'string' }])) })
    const m = mapping({
      model: 'Thing',
      fields: {
        a: { source: 'field', path: 'email', transforms: [{ type: 'lowercase' }] },
        b: { source: 'field', path: 'age', transforms: [{ type: 'string' }] },
        c: { source: 'field', path: 'name', transforms: [{ type: 'split', separator: ' ', part: 'first' }] },
        d: { source: 'field', path: 'created', transforms: [{ type: 'date', output: 'datetime' }] },
        e: { source: 'field', path: 'stage', transforms: [{ type: 'enum', map: { lead: 'lead', opportunity: 'lead', customer: 'customer' } }] },
        f: { source: 'field', path: 'status', transforms: [{ type: 'enum', map: { open: 'active' }, fallback: 'other' }] },
        g: { source: 'field', path: 'phone' },
        h: { source: 'field', path: 'phone', transforms: [{ type: 'trim' }] },
        i: { source: 'join', paths: ['x', 'y', 'z'], separator: ' ' },
        j: { source: 'join', paths: ['p', 'q'], separator: '' },
        k: { source: 'field', path: 'emails.0.value' },
        nickname: { source: 'field', path: 'nick' },
      },
    })
    const inverse = invertMapping(model, m)
    expect(inverse.invertible).toBe(false)
    expect(inverse.reasons).toEqual([
      'I joins 3 provider fields; only a join of two can be split back',
      'J joins p and q without a separator; write-back cannot tell where to split',
      'Nickname is not a field of the model Thing',
      "A changes the case of email (lowercase); write-back cannot restore the provider's original",
      'B turns age into text (string); write-back cannot tell whether the provider wants a number or true/false',
      'C keeps only part of name (split); write-back cannot rebuild it',
      "D reads created with the date transform but does not say the provider's format: set its input to datetime, date, epoch_s or epoch_ms",
      'E maps several provider values to lead (lead, opportunity); write-back cannot choose one',
      'F falls back to other, which no provider value maps to; write-back cannot choose one',
      'phone feeds G and H; write-back would not know which value to write',
      'K reads inside a list (emails.0.value); write-back cannot rebuild the list',
    ])
    expect(() => inverse.toProvider({ a: 'x' })).toThrow(/^This mapping cannot be written back to the provider: I joins 3 provider fields/)
    const overlapping = mapping({ model: 'Thing', fields: { a: { source: 'field', path: 'address' }, b: { source: 'field', path: 'address.city' } } })
    expect(invertMapping(model, overlapping).reasons).toEqual(['address and address.city are both written, and one is inside the other'])
  })

  it('rejects vendor values that do not fit or have no provider value', () => {
    const inverse = invertMapping(contactModel, demoMapping)
    let error: unknown
    try {
      inverse.toProvider({ email: 42, lifecycleStage: 'vip', createdAt: 'soon', nickname: 'Amazing' })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(PatchbayError)
    expect(error).toMatchObject({
      code: 'invalid_request',
      message: 'The Contact record cannot be written back to the provider',
      extra: {
        errors: [
          { path: 'nickname', message: 'Nickname is not a field of the model Contact' },
          { path: 'lifecycleStage', message: 'Lifecycle stage: "vip" is not one of subscriber, lead, customer' },
          { path: 'createdAt', message: 'Created at: "soon" is not an ISO 8601 date and time' },
        ],
      },
    })
    // A number is text for a string field, as in applyMapping.
    expect(inverse.toProvider({ email: 42 })).toEqual({ email: '42' })
    const fallback = mapping({ model: 'Contact', fields: { lifecycleStage: { source: 'field', path: 'stage', transforms: [{ type: 'enum', map: { new: 'lead', won: 'customer' }, fallback: 'lead' }] } } })
    const inv = invertMapping(contactModel, fallback)
    expect(inv.toProvider({ lifecycleStage: 'lead' })).toEqual({ stage: 'new' })
    expect(() => inv.toProvider({ lifecycleStage: 'subscriber' })).toThrow(expect.objectContaining({ extra: { errors: [{ path: 'lifecycleStage', message: 'Lifecycle stage: no entry of the enum map gives "subscriber"' }] } }))
    expect(() => inv.toProvider([] as unknown as Record<string, unknown>)).toThrow('A Contact record must be an object')
  })

  it('writes number and boolean transforms back as text', () => {
    const model = vendorModelSchema.parse({ name: 'Deal', fields: { amount: { type: 'number' }, won: { type: 'boolean' } } })
    const m = mapping({ model: 'Deal', fields: { amount: { source: 'field', path: 'properties.amount', transforms: [{ type: 'number' }] }, won: { source: 'field', path: 'properties.won', transforms: [{ type: 'boolean' }] } } })
    const provider = invertMapping(model, m).toProvider({ amount: 1250.5, won: false })
    expect(provider).toEqual({ properties: { amount: '1250.5', won: 'false' } })
    expect(applyMapping(model, m, provider).value).toEqual({ amount: 1250.5, won: false })
  })

  it('never writes through an object prototype, even for a mapping that skipped the schema', () => {
    const m = { model: 'Contact', fields: { email: { source: 'field' as const, path: '__proto__.polluted', transforms: [] }, firstName: { source: 'field' as const, path: 'meta.__proto__', transforms: [] } } }
    const out = invertMapping(contactModel, m).toProvider({ email: 'x', firstName: 'y' })
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":"x"},"meta":{"__proto__":"y"}}')
  })
})
