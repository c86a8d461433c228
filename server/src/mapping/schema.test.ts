import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { contactModel } from './testing'
import { fieldMappingSchema, mappingSchema, transformSchema, vendorModelSchema } from './schema'

/** The messages of a failed parse, as `path: message`. */
function issues(schema: z.ZodType, input: unknown): string[] {
  const result = schema.safeParse(input)
  if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be rejected`)
  return result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

describe('vendorModelSchema', () => {
  it('fills required: false and keeps enum values', () => {
    expect(contactModel.fields['firstName']).toEqual({ type: 'string', required: false })
    expect(contactModel.fields['email']).toEqual({ type: 'string', required: true })
    expect(contactModel.fields['lifecycleStage']).toEqual({ type: 'enum', required: false, enumValues: ['subscriber', 'lead', 'customer'] })
  })

  it('requires enumValues on enum fields, and only there, each distinct', () => {
    expect(issues(vendorModelSchema, { name: 'C', fields: { stage: { type: 'enum' } } })).toEqual(['fields.stage.enumValues: an enum field must list its enumValues'])
    expect(issues(vendorModelSchema, { name: 'C', fields: { stage: { type: 'string', enumValues: ['a'] } } })).toEqual(['fields.stage.enumValues: only enum fields have enumValues'])
    expect(issues(vendorModelSchema, { name: 'C', fields: { stage: { type: 'enum', enumValues: ['a', 'a'] } } })).toEqual(['fields.stage.enumValues: enumValues must be distinct'])
  })

  it('is strict and checks names and types', () => {
    expect(issues(vendorModelSchema, { name: 'C', fields: { email: { type: 'string', requried: true } } })[0]).toMatch(/^fields\.email: Unrecognized key/)
    expect(issues(vendorModelSchema, { name: 'C', fields: { email: { type: 'text' } } })[0]).toMatch(/^fields\.email\.type: /)
    expect(issues(vendorModelSchema, { name: '1Contact', fields: { a: { type: 'string' } } })).toEqual(['name: must be an identifier: a letter, then letters, digits or _'])
    expect(issues(vendorModelSchema, { name: 'C', fields: { 'first-name': { type: 'string' } } })[0]).toMatch(/^fields\.first-name: /)
    expect(issues(vendorModelSchema, { name: 'C'.repeat(65), fields: { a: { type: 'string' } } })[0]).toMatch(/^name: Too big/)
  })

  it('takes 1 to 200 fields', () => {
    const fields = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, { type: 'string' }]))
    expect(vendorModelSchema.safeParse({ name: 'C', fields: fields(200) }).success).toBe(true)
    expect(issues(vendorModelSchema, { name: 'C', fields: fields(201) })).toEqual(['fields: a model has at most 200 fields'])
    expect(issues(vendorModelSchema, { name: 'C', fields: {} })).toEqual(['fields: a model needs at least one field'])
  })
})

describe('transformSchema', () => {
  it('takes every transform', () => {
    for (const t of [
      { type: 'date', output: 'datetime' },
      { type: 'date', input: 'epoch_ms', output: 'date' },
      { type: 'split', separator: ' ', part: 'first' },
      { type: 'split', separator: ',', part: 2 },
      { type: 'enum', map: { a: 'b' }, fallback: 'c' },
      { type: 'default', value: 0 },
      { type: 'lowercase' },
      { type: 'uppercase' },
      { type: 'trim' },
      { type: 'number' },
      { type: 'string' },
      { type: 'boolean' },
    ]) expect(transformSchema.parse(t)).toEqual(t)
  })

  it('rejects unknown types, stray keys and bad options', () => {
    expect(issues(transformSchema, { type: 'reverse' })[0]).toMatch(/^type: /)
    expect(issues(transformSchema, { type: 'trim', chars: ' ' })[0]).toMatch(/Unrecognized key/)
    expect(issues(transformSchema, { type: 'date', output: 'iso' })[0]).toMatch(/^output: /)
    expect(issues(transformSchema, { type: 'split', separator: '', part: 'first' })[0]).toMatch(/^separator: Too small/)
    expect(issues(transformSchema, { type: 'split', separator: ' ', part: -1 })[0]).toMatch(/^part: /)
    expect(issues(transformSchema, { type: 'enum', map: {} })).toEqual(['map: an enum map needs at least one entry'])
    expect(issues(transformSchema, { type: 'enum', map: { a: '' } })[0]).toMatch(/^map\.a: Too small/)
    expect(issues(transformSchema, { type: 'default', value: null })[0]).toMatch(/^value: /)
  })
})

describe('fieldMappingSchema and mappingSchema', () => {
  it('defaults transforms to none', () => {
    expect(fieldMappingSchema.parse({ source: 'field', path: 'properties.email' })).toEqual({ source: 'field', path: 'properties.email', transforms: [] })
    expect(fieldMappingSchema.parse({ source: 'join', paths: ['first_name', 'last_name'], separator: ' ' })).toEqual({ source: 'join', paths: ['first_name', 'last_name'], separator: ' ' })
    expect(fieldMappingSchema.parse({ source: 'constant', value: null })).toEqual({ source: 'constant', value: null })
  })

  it('rejects bad paths, joins and constants', () => {
    expect(issues(fieldMappingSchema, { source: 'field', path: 'a..b' })).toEqual(['path: must be a dotted path with no empty segment, e.g. properties.email'])
    expect(issues(fieldMappingSchema, { source: 'field', path: 'properties.__proto__.x' })).toEqual(['path: must not contain __proto__, prototype or constructor'])
    expect(issues(fieldMappingSchema, { source: 'field', path: '' })[0]).toMatch(/^path: Too small/)
    expect(issues(fieldMappingSchema, { source: 'join', paths: ['name'], separator: ' ' })[0]).toMatch(/^paths: Too small/)
    expect(issues(fieldMappingSchema, { source: 'constant', value: { a: 1 } })[0]).toMatch(/^value: /)
    expect(issues(fieldMappingSchema, { source: 'lookup', path: 'a' })[0]).toMatch(/^source: /)
    expect(issues(fieldMappingSchema, { source: 'field', path: 'a', transforms: Array(11).fill({ type: 'trim' }) })[0]).toMatch(/^transforms: Too big/)
  })

  it('keys fields by identifier and is strict', () => {
    expect(issues(mappingSchema, { model: 'Contact', fields: { 'e-mail': { source: 'field', path: 'email' } } })[0]).toMatch(/^fields\.e-mail: /)
    expect(issues(mappingSchema, { model: 'Contact', fields: {}, version: 2 })[0]).toMatch(/Unrecognized key/)
  })
})
