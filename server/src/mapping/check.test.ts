import { describe, expect, it } from 'vitest'
import { applyMapping, coerceValue } from './apply'
import { checkMapping, conversionOf, defaultMapping, providerFieldsOf, type ProviderFields } from './check'
import { contactModel, demoFields, demoMapping, demoRecords, hubspotConnectorFields, hubspotDiscoveredFields, hubspotMapping, hubspotRecord, mapping } from './testing'
import { FIELD_TYPES, vendorModelSchema, type FieldMappingInput, type FieldType, type TransformInput } from './schema'

/** A model with one field `f` (or more), and a check of mapping `f` from the given provider fields. */
const model = (fields: Record<string, unknown>) => vendorModelSchema.parse({ name: 'Thing', fields })
const checkOne = (type: FieldType | { type: FieldType; enumValues?: string[]; required?: boolean }, source: FieldMappingInput, providerFields: ProviderFields) =>
  checkMapping(model({ f: typeof type === 'string' ? { type } : type }), providerFields, mapping({ model: 'Thing', fields: { f: source } }))
const from = (path: string, transforms: TransformInput[] = []): FieldMappingInput => ({ source: 'field', path, transforms })

describe('providerFieldsOf', () => {
  it('keys a connector object’s fields by their path in the record', () => {
    expect(demoFields['lifecycle_stage']).toEqual({ type: 'enum', enumValues: ['lead', 'opportunity', 'customer'] })
    expect(Object.keys(hubspotConnectorFields)).toEqual(['id', 'properties.email', 'properties.firstname', 'properties.lastname', 'properties.phone', 'properties.company', 'properties.lifecyclestage', 'createdAt', 'updatedAt', 'archived'])
    expect(providerFieldsOf({ fields: { email: { type: 'string', from: 'properties.email' }, age: { type: 'integer' } } })).toEqual({ 'properties.email': { type: 'string', enumValues: undefined }, age: { type: 'integer', enumValues: undefined } })
  })
})

describe('checkMapping', () => {
  it('accepts the Demo CRM and HubSpot mappings as they are', () => {
    expect(checkMapping(contactModel, demoFields, demoMapping)).toEqual({ ok: true, errors: [], warnings: [] })
    expect(checkMapping(contactModel, hubspotDiscoveredFields, hubspotMapping)).toEqual({ ok: true, errors: [], warnings: [] })
  })

  it('required_unmapped: a required field without a source', () => {
    expect(checkMapping(contactModel, demoFields, mapping({ model: 'Contact', fields: { firstName: from('first_name') } }))).toEqual({
      ok: false,
      errors: [{ field: 'email', code: 'required_unmapped', message: 'Email is required: choose the provider field it comes from' }],
      warnings: [],
    })
  })

  it('unknown_field and model_mismatch', () => {
    const check = checkMapping(contactModel, demoFields, mapping({ model: 'Lead', fields: { email: from('email'), nickname: from('first_name') } }))
    expect(check.errors).toEqual([
      { field: '', code: 'model_mismatch', message: 'This mapping is for the model Lead, not Contact' },
      { field: 'nickname', code: 'unknown_field', message: 'The model Contact has no field nickname: remove it from the mapping' },
    ])
    expect(check.ok).toBe(false)
  })

  it('unknown_path, with a suggestion when one is close', () => {
    const check = checkMapping(contactModel, hubspotDiscoveredFields, mapping({ model: 'Contact', fields: { email: from('properties.emial'), firstName: from('firstname'), company: from('properties.company') } }))
    expect(check.errors).toEqual([
      { field: 'email', code: 'unknown_path', message: 'Email comes from properties.emial, which this provider object does not have (did you mean properties.email?)' },
      { field: 'firstName', code: 'unknown_path', message: 'First name comes from firstname, which this provider object does not have (did you mean properties.firstname?)' },
      { field: 'company', code: 'unknown_path', message: 'Company comes from properties.company, which this provider object does not have' },
    ])
    const join = checkOne('string', { source: 'join', paths: ['first_name', 'surname'], separator: ' ' }, demoFields)
    expect(join.errors).toEqual([{ field: 'f', code: 'unknown_path', message: 'F comes from surname, which this provider object does not have' }])
  })

  describe('type_mismatch', () => {
    const fields: ProviderFields = {
      age: { type: 'string' },
      created: { type: 'datetime' },
      birthday: { type: 'datetime' },
      address: { type: 'object' },
      'address.city': { type: 'string' },
      tags: { type: 'array' },
      active: { type: 'string' },
      score: { type: 'number' },
      stage: { type: 'enum', enumValues: ['new', 'won'] },
      visits: { type: 'integer' },
      opened: { type: 'boolean' },
    }
    it('explains what converts and what does not', () => {
      const cases: [FieldType, string, string][] = [
        ['integer', 'age', 'F expects a whole number, but age is text: add the number transform to convert it.'],
        ['integer', 'created', 'F expects a whole number, but created is a date and time: add the date transform with output epoch_s or epoch_ms.'],
        ['string', 'address', 'F expects text, but address is an object: map one of its fields instead, such as address.city.'],
        ['string', 'tags', 'F expects text, but tags is a list: a list can only fill a list field.'],
        ['boolean', 'active', 'F expects true or false, but active is text: add the boolean transform to convert it.'],
        ['date', 'birthday', 'F expects a date, but birthday is a date and time: add the date transform with output date to keep only the day.'],
        ['datetime', 'visits', 'F expects a date and time, but visits is a whole number: add the date transform to read it as epoch seconds or milliseconds.'],
        ['number', 'opened', 'F expects a number, but opened is true or false: true or false cannot become a number.'],
        ['object', 'age', 'F expects an object, but age is text: only an object can fill an object field.'],
      ]
      for (const [type, path, message] of cases) expect(checkOne(type, from(path), fields).errors, `${path} → ${type}`).toEqual([{ field: 'f', code: 'type_mismatch', message }])
    })
    it('takes lossless conversions silently: datetime to text, whole numbers to numbers, enums to text', () => {
      for (const [type, path] of [['string', 'created'], ['string', 'score'], ['string', 'opened'], ['number', 'visits'], ['string', 'stage'], ['array', 'tags'], ['object', 'address']] as const)
        expect(checkOne(type, from(path), fields), `${path} → ${type}`).toEqual({ ok: true, errors: [], warnings: [] })
      expect(checkOne('datetime', from('birthday', [{ type: 'date', output: 'date' }]), fields)).toEqual({ ok: true, errors: [], warnings: [] })
    })
    it('checks the type after the transforms', () => {
      expect(checkOne('integer', from('age', [{ type: 'number' }]), fields).errors).toEqual([])
      expect(checkOne('integer', from('created', [{ type: 'date', output: 'epoch_s' }]), fields).errors).toEqual([])
      expect(checkOne('date', from('created', [{ type: 'date', output: 'datetime' }]), fields).errors).toEqual([
        { field: 'f', code: 'type_mismatch', message: 'F expects a date, but created after its transforms is a date and time: add the date transform with output date to keep only the day.' },
      ])
    })
    it('an enum with none of the model’s values, a join to a non-text field, a constant of the wrong type', () => {
      expect(checkOne({ type: 'enum', enumValues: ['lead', 'customer'] }, from('stage'), fields).errors).toEqual([
        { field: 'f', code: 'type_mismatch', message: 'F expects one of lead, customer, but stage has none of these values (new, won): add an enum map to translate them' },
      ])
      expect(checkOne('integer', { source: 'join', paths: ['age', 'visits'], separator: '' }, fields).errors).toEqual([{ field: 'f', code: 'type_mismatch', message: 'F expects a whole number, but a join always gives text' }])
      expect(checkOne('string', { source: 'join', paths: ['age', 'tags'], separator: ' ' }, fields).errors).toEqual([{ field: 'f', code: 'type_mismatch', message: 'F joins tags, which is a list: a join takes text, numbers and true/false only' }])
      expect(checkOne('integer', { source: 'constant', value: 'ten' }, fields).errors).toEqual([{ field: 'f', code: 'type_mismatch', message: 'F is set to the constant "ten", which is not a whole number' }])
      expect(checkOne({ type: 'enum', enumValues: ['lead'] }, { source: 'constant', value: 'vip' }, fields).errors).toEqual([{ field: 'f', code: 'type_mismatch', message: 'F is set to the constant "vip", which is not one of lead' }])
      expect(checkOne('integer', { source: 'constant', value: 10 }, fields)).toEqual({ ok: true, errors: [], warnings: [] })
    })
  })

  describe('invalid_transform', () => {
    const fields: ProviderFields = { phone: { type: 'number' }, active: { type: 'boolean' }, created: { type: 'datetime' }, stage: { type: 'enum', enumValues: ['new', 'won'] }, name: { type: 'string' } }
    it('a transform given a type it does not take', () => {
      const cases: [FieldMappingInput, string][] = [
        [from('phone', [{ type: 'split', separator: ' ', part: 'first' }]), 'F: the split transform works on text, but phone is a number'],
        [from('phone', [{ type: 'lowercase' }]), 'F: the lowercase transform works on text, but phone is a number'],
        [from('active', [{ type: 'date', output: 'datetime' }]), 'F: the date transform works on text or a number, but active is true or false'],
        [from('created', [{ type: 'date', input: 'epoch_s', output: 'datetime' }]), 'F: the date transform works on a number or digits, but created is a date and time'],
        [from('phone', [{ type: 'date', input: 'datetime', output: 'datetime' }]), 'F: the date transform works on ISO 8601 text, but phone is a number'],
        [from('active', [{ type: 'number' }]), 'F: the number transform works on text or a number, but active is true or false'],
        [from('name', [{ type: 'split', separator: ' ', part: 'first' }, { type: 'number' }, { type: 'trim' }]), 'F: the trim transform works on text, but the value after the number transform is a number'],
        [from('phone', [{ type: 'default', value: 'none' }]), 'F: the default "none" is not a number like the values it stands in for'],
        [from('created', [{ type: 'default', value: 'today' }]), 'F: the default "today" is not a date and time like the values it stands in for'],
      ]
      for (const [source, message] of cases) expect(checkOne('string', source, fields).errors).toEqual([{ field: 'f', code: 'invalid_transform', message }])
    })
    it('an enum map giving values the model does not allow', () => {
      expect(checkOne({ type: 'enum', enumValues: ['lead', 'customer'] }, from('stage', [{ type: 'enum', map: { new: 'prospect', won: 'customer' }, fallback: 'other' }]), fields).errors).toEqual([
        { field: 'f', code: 'invalid_transform', values: ['prospect', 'other'], message: 'F: the enum map gives prospect, other, which the model does not allow (lead, customer)' },
      ])
    })
  })

  describe('warnings', () => {
    it('enum_unmapped: provider enum values the map leaves out, without a fallback', () => {
      const partial = mapping({ model: 'Contact', fields: { ...demoMapping.fields, lifecycleStage: from('lifecycle_stage', [{ type: 'enum', map: { lead: 'lead', customer: 'customer' } }]) } })
      expect(checkMapping(contactModel, demoFields, partial)).toEqual({
        ok: true,
        errors: [],
        warnings: [{ field: 'lifecycleStage', code: 'enum_unmapped', values: ['opportunity'], message: 'Lifecycle stage: the provider value opportunity is not in the enum map and there is no fallback, so records with it get no value and an error' }],
      })
      const withFallback = mapping({ model: 'Contact', fields: { ...partial.fields, lifecycleStage: from('lifecycle_stage', [{ type: 'enum', map: { lead: 'lead', customer: 'customer' }, fallback: 'lead' }]) } })
      expect(checkMapping(contactModel, demoFields, withFallback).warnings).toEqual([])
      // And what apply then does with such a record.
      expect(applyMapping(contactModel, partial, { ...demoRecords[0], lifecycle_stage: 'opportunity' }).errors).toEqual([{ field: 'lifecycleStage', message: 'Lifecycle stage: the enum map has no entry for "opportunity" and no fallback' }])
    })
    it('enum_unmapped: a provider enum straight to a model enum sharing only some values', () => {
      const direct = mapping({ model: 'Contact', fields: { email: from('email'), lifecycleStage: from('lifecycle_stage') } })
      expect(checkMapping(contactModel, demoFields, direct).warnings).toEqual([
        {
          field: 'lifecycleStage',
          code: 'enum_unmapped',
          values: ['opportunity'],
          message: "Lifecycle stage: the provider value opportunity is not one of the model's values (subscriber, lead, customer), so records with it get no value and an error: add an enum map to translate it",
        },
      ])
      const two = checkOne({ type: 'enum', enumValues: ['a'] }, from('s', [{ type: 'enum', map: { x: 'a' } }]), { s: { type: 'boolean' } })
      expect(two.warnings).toEqual([{ field: 'f', code: 'enum_unmapped', values: ['true', 'false'], message: 'F: the provider values true, false are not in the enum map and there is no fallback, so records with them get no value and an error' }])
    })
    it('conversion_may_fail: text to dates and enums, numbers to whole numbers, unknown values to an enum map', () => {
      const fields: ProviderFields = { when: { type: 'string' }, stage: { type: 'string' }, amount: { type: 'number' } }
      const cases: [FieldType | { type: FieldType; enumValues: string[] }, FieldMappingInput, string][] = [
        ['datetime', from('when'), 'F expects a date and time, but when is text: text that is not an ISO 8601 date and time will be rejected.'],
        ['date', from('when'), 'F expects a date, but when is text: text that is not an ISO 8601 date (YYYY-MM-DD) will be rejected.'],
        ['integer', from('amount'), 'F expects a whole number, but amount is a number: numbers with decimals will be rejected.'],
        [{ type: 'enum', enumValues: ['lead', 'customer'] }, from('stage'), 'F expects one of lead, customer, but stage is text: other values will be rejected, so add an enum map to translate them.'],
        [{ type: 'enum', enumValues: ['lead', 'customer'] }, from('stage', [{ type: 'enum', map: { Lead: 'lead', Customer: 'customer' } }]), 'F: provider values other than Lead, Customer are not in the enum map and there is no fallback, so records with them get no value and an error'],
        ['datetime', { source: 'join', paths: ['when', 'stage'], separator: 'T' }, 'F expects a date and time, but a join gives text: text that is not an ISO 8601 date and time will be rejected.'],
      ]
      for (const [type, source, message] of cases) expect(checkOne(type, source, fields), message).toEqual({ ok: true, errors: [], warnings: [{ field: 'f', code: 'conversion_may_fail', message }] })
    })
    it('unchecked_path: a path inside an object whose fields are not listed', () => {
      expect(checkOne('string', from('address.city'), { address: { type: 'object' } })).toEqual({
        ok: true,
        errors: [],
        warnings: [{ field: 'f', code: 'unchecked_path', message: 'F: address.city is inside address, whose fields are not listed, so its type cannot be checked' }],
      })
    })
  })

  it('keeps errors and warnings per field, in mapping order, required fields last', () => {
    const check = checkMapping(contactModel, demoFields, mapping({ model: 'Contact', fields: { createdAt: from('phone'), lifecycleStage: from('created_at'), company: from('company') } }))
    expect(check.errors.map((e) => [e.field, e.code])).toEqual([
      ['lifecycleStage', 'type_mismatch'],
      ['company', 'unknown_path'],
      ['email', 'required_unmapped'],
    ])
    expect(check.warnings.map((e) => [e.field, e.code])).toEqual([['createdAt', 'conversion_may_fail']])
    expect(check.errors[0]!.message).toBe('Lifecycle stage expects one of subscriber, lead, customer, but created_at is a date and time: a date cannot become one of a list of values.')
  })
})

describe('conversionOf', () => {
  // A sample value of each type; enum values are `lead`.
  const samples: Record<FieldType, unknown> = { string: 'abc', number: 1.5, integer: 3, boolean: true, datetime: '2024-03-05T09:12:44.000Z', date: '2024-03-05', enum: 'lead', object: { a: 1 }, array: [1] }
  it('agrees with what applyMapping accepts: ok always converts, error never does', () => {
    let checked = 0
    for (const from of FIELD_TYPES) {
      for (const to of FIELD_TYPES) {
        const { level } = conversionOf(from, to)
        if (level === 'warning') continue
        const field = to === 'enum' ? { type: to, enumValues: ['subscriber', 'customer'] } : { type: to }
        expect(coerceValue(samples[from], field).ok, `${from} → ${to} is ${level}`).toBe(level === 'ok')
        checked++
      }
    }
    expect(checked).toBeGreaterThan(60)
  })
  it('warns only where some values convert', () => {
    const warnings = FIELD_TYPES.flatMap((from) => FIELD_TYPES.filter((to) => conversionOf(from, to).level === 'warning').map((to) => `${from}→${to}`))
    expect(warnings).toEqual(['string→datetime', 'string→date', 'string→enum', 'number→integer', 'number→enum', 'integer→enum', 'enum→enum'])
  })
})

describe('defaultMapping', () => {
  it('maps the Demo CRM contact by name, with an enum map of the values that match', () => {
    const proposed = defaultMapping(contactModel, demoFields)
    expect(proposed).toEqual({
      model: 'Contact',
      fields: {
        email: { source: 'field', path: 'email', transforms: [] },
        firstName: { source: 'field', path: 'first_name', transforms: [] },
        lastName: { source: 'field', path: 'last_name', transforms: [] },
        lifecycleStage: { source: 'field', path: 'lifecycle_stage', transforms: [{ type: 'enum', map: { lead: 'lead', customer: 'customer' } }] },
        createdAt: { source: 'field', path: 'created_at', transforms: [] },
      },
    })
    // company_id is an id, not a company: left for the user. The check says what is left to do.
    expect(checkMapping(contactModel, demoFields, proposed)).toMatchObject({ ok: true, errors: [], warnings: [{ field: 'lifecycleStage', code: 'enum_unmapped', values: ['opportunity'] }] })
    expect(applyMapping(contactModel, proposed, demoRecords[0]).value).toEqual({ email: 'grace.hopper.1@acme-analytics.test', firstName: 'Grace', lastName: 'Hopper', company: null, lifecycleStage: 'customer', createdAt: '2024-03-05T09:12:44.000Z' })
  })

  it('maps HubSpot properties by their last segment and synonyms (createdate)', () => {
    const proposed = defaultMapping(contactModel, hubspotDiscoveredFields)
    expect(proposed).toEqual({
      model: 'Contact',
      fields: {
        email: { source: 'field', path: 'properties.email', transforms: [] },
        firstName: { source: 'field', path: 'properties.firstname', transforms: [] },
        lastName: { source: 'field', path: 'properties.lastname', transforms: [] },
        createdAt: { source: 'field', path: 'properties.createdate', transforms: [] },
      },
    })
    expect(applyMapping(contactModel, proposed, hubspotRecord)).toEqual({
      value: { email: 'mark.s@lumon.industries', firstName: 'Mark', lastName: 'S.', company: null, lifecycleStage: null, createdAt: '2025-02-11T15:45:00.400Z' },
      errors: [],
    })
  })

  it('on the HubSpot connector’s fields: an exact name beats a synonym; text is not guessed into an enum', () => {
    expect(defaultMapping(contactModel, hubspotConnectorFields).fields).toEqual({
      email: { source: 'field', path: 'properties.email', transforms: [] },
      firstName: { source: 'field', path: 'properties.firstname', transforms: [] },
      lastName: { source: 'field', path: 'properties.lastname', transforms: [] },
      company: { source: 'field', path: 'properties.company', transforms: [] },
      createdAt: { source: 'field', path: 'createdAt', transforms: [] },
    })
  })

  it('skips risky types, uses each provider field once and prefers shallower paths', () => {
    const m = model({ email: { type: 'string' }, workEmail: { type: 'string' }, createdAt: { type: 'datetime' }, updatedAt: { type: 'datetime' }, visits: { type: 'integer' } })
    const fields: ProviderFields = {
      'contact.info.email': { type: 'string' },
      'properties.email': { type: 'string' },
      created: { type: 'string' },
      visits: { type: 'number' },
      last_modified: { type: 'date' },
      updated: { type: 'datetime' },
    }
    // The same type beats a lossless conversion (date to datetime) between equally good names.
    expect(defaultMapping(m, fields).fields).toEqual({
      email: { source: 'field', path: 'properties.email', transforms: [] },
      updatedAt: { source: 'field', path: 'updated', transforms: [] },
    })
    expect(defaultMapping(m, { last_modified: { type: 'date' } }).fields).toEqual({ updatedAt: { source: 'field', path: 'last_modified', transforms: [] } })
    // Same name and type, but already taken by a better match.
    expect(defaultMapping(model({ name: { type: 'string' }, fullName: { type: 'string' } }), { name: { type: 'string' } }).fields).toEqual({ name: { source: 'field', path: 'name', transforms: [] } })
    // Provider enum values that are all model values need no map; names match ignoring case.
    expect(defaultMapping(contactModel, { lifecycle_stage: { type: 'enum', enumValues: ['lead', 'customer'] } }).fields).toEqual({ lifecycleStage: { source: 'field', path: 'lifecycle_stage', transforms: [] } })
    expect(defaultMapping(contactModel, { lifecycle_stage: { type: 'enum', enumValues: ['Lead', 'customer'] } }).fields).toEqual({
      lifecycleStage: { source: 'field', path: 'lifecycle_stage', transforms: [{ type: 'enum', map: { Lead: 'lead', customer: 'customer' } }] },
    })
    // An enum with no value in common is not proposed.
    expect(defaultMapping(contactModel, { lifecycle_stage: { type: 'enum', enumValues: ['open', 'won'] } }).fields).toEqual({})
  })
})
