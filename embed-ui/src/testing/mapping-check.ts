/**
 * A small stand-in for the server's mapping check and apply (`server/src/mapping/`), for the fake
 * API only: enough for realistic answers to the widget (required fields, unknown paths, types that
 * do not fit, enum values without a vendor value, per-record errors), not the server's full rules.
 */
import type { CheckIssue, FieldMapping, FieldType, Mapping, MappingCheck, ProviderFieldView, Transform, VendorField, VendorModel } from '../api/types'
import { fieldLabel } from '../features/mapping/mapping-model'

/** The value at a dotted path (`properties.email`, `emails.0.value`), else undefined. */
export function getPath(record: unknown, path: string): unknown {
  let v = record
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined
    v = (v as Record<string, unknown>)[key]
  }
  return v
}

/** What the body schema (zod on the server) refuses before any check: a 400 for the whole request. */
export function shapeError(mapping: unknown): string | null {
  const m = mapping as Partial<Mapping> | undefined
  if (!m || typeof m.model !== 'string' || !m.fields || typeof m.fields !== 'object') return 'a mapping is { model, fields }'
  for (const [name, f] of Object.entries(m.fields as Record<string, FieldMapping>)) {
    if (f.source === 'join' && (!Array.isArray(f.paths) || f.paths.length < 2 || f.paths.some((p) => !p))) return `fields.${name}: a join takes 2 to 10 paths`
    if (f.source === 'field' && (!f.path || f.transforms?.some((t) => t.type === 'enum' && !Object.keys(t.map).length))) return `fields.${name}: a path, and enum maps with an entry`
    if (!['field', 'join', 'constant'].includes(f.source)) return `fields.${name}: unknown source`
  }
  return null
}

const isEmpty = (v: unknown) => v === null || v === undefined || v === ''

/** Provider values an enum map should cover: the field's values and its samples. */
const knownValues = (pf: ProviderFieldView) => [...new Set([...(pf.type === 'boolean' ? ['true', 'false'] : (pf.enumValues ?? [])), ...pf.samples.filter((s) => typeof s !== 'object').map(String)])]

/** Whether a value of type `from` fills a field of type `to`: yes, maybe (a warning), or no (an error). */
function fits(from: FieldType, to: FieldType): 'ok' | 'warning' | 'error' {
  if (from === 'object' || from === 'array' || to === 'object' || to === 'array') return from === to ? 'ok' : 'error'
  if (from === to || to === 'string' || (from === 'integer' && to === 'number') || (from === 'date' && to === 'datetime')) return 'ok'
  if ((from === 'number' && to === 'integer') || (from === 'string' && (to === 'date' || to === 'datetime' || to === 'enum'))) return 'warning'
  return 'error'
}

/** Checks a mapping against the vendor model and the provider fields, with the server's codes. */
export function checkMapping(model: VendorModel, fields: ProviderFieldView[], mapping: Mapping): MappingCheck {
  const errors: CheckIssue[] = []
  const warnings: CheckIssue[] = []
  if (mapping.model !== model.name) errors.push({ field: '', code: 'model_mismatch', message: `This mapping is for the model ${mapping.model}, not ${model.name}` })
  for (const name of Object.keys(mapping.fields)) {
    if (!Object.hasOwn(model.fields, name)) errors.push({ field: name, code: 'unknown_field', message: `The model ${model.name} has no field ${name}: remove it from the mapping` })
  }
  for (const [name, vf] of Object.entries(model.fields)) {
    const label = fieldLabel(name)
    const fm = Object.hasOwn(mapping.fields, name) ? mapping.fields[name] : undefined
    if (!fm) {
      if (vf.required) errors.push({ field: name, code: 'required_unmapped', message: `${label} is required: choose the provider field it comes from` })
      continue
    }
    if (fm.source === 'constant') {
      const type = typeof fm.value === 'number' ? 'number' : typeof fm.value === 'boolean' ? 'boolean' : 'string'
      if (fm.value !== null && fits(type, vf.type) === 'error') errors.push({ field: name, code: 'type_mismatch', message: `${label} is set to the constant ${JSON.stringify(fm.value)}, which does not fit` })
      continue
    }
    const paths = fm.source === 'join' ? fm.paths : [fm.path]
    const missing = paths.find((p) => !fields.some((f) => f.path === p))
    if (missing) {
      errors.push({ field: name, code: 'unknown_path', message: `${label} comes from ${missing}, which this provider object does not have` })
      continue
    }
    let type: FieldType = fm.source === 'join' ? 'string' : fields.find((f) => f.path === fm.path)!.type
    let values: string[] | undefined
    const pf = fm.source === 'field' ? fields.find((f) => f.path === fm.path)! : undefined
    if (pf?.type === 'enum') values = pf.enumValues
    for (const t of fm.source === 'field' ? (fm.transforms ?? []) : []) {
      if (t.type === 'date') type = t.output === 'date' || t.output === 'datetime' ? t.output : 'integer'
      else if (t.type === 'number' || t.type === 'boolean' || t.type === 'string' || t.type === 'split') type = t.type === 'split' ? 'string' : t.type
      else if (t.type === 'enum') {
        const outside = vf.type === 'enum' ? [...Object.values(t.map), ...(t.fallback ? [t.fallback] : [])].filter((v) => !vf.enumValues?.includes(v)) : []
        if (outside.length) errors.push({ field: name, code: 'invalid_transform', values: outside, message: `${label}: the enum map gives ${outside.join(', ')}, which the model does not allow` })
        const unmapped = t.fallback ? [] : knownValues(pf!).filter((v) => !Object.hasOwn(t.map, v))
        if (unmapped.length) warnings.push({ field: name, code: 'enum_unmapped', values: unmapped, message: `${label}: ${unmapped.join(', ')} not in the enum map and there is no fallback` })
        type = vf.type === 'enum' ? 'enum' : 'string'
        values = undefined
        continue
      }
      if (t.type !== 'default' && t.type !== 'trim' && t.type !== 'lowercase' && t.type !== 'uppercase') values = undefined
    }
    if (vf.type === 'enum' && type === 'enum' && values) {
      const outside = values.filter((v) => !vf.enumValues?.includes(v))
      if (outside.length) warnings.push({ field: name, code: 'enum_unmapped', values: outside, message: `${label}: ${outside.join(', ')} are not the model's values` })
      continue
    }
    const fit = fits(type, vf.type === 'enum' && type === 'enum' ? 'string' : vf.type)
    const message = `${label} expects ${vf.type}, but ${paths.join(' + ')} gives ${type}`
    if (fit === 'error') errors.push({ field: name, code: 'type_mismatch', message })
    else if (fit === 'warning') warnings.push({ field: name, code: 'conversion_may_fail', message: `${message}: some values may be rejected` })
  }
  return { ok: errors.length === 0, errors, warnings }
}

type Step = { value: unknown } | { error: string }

function step(v: unknown, t: Transform): Step {
  if (t.type === 'default') return { value: isEmpty(v) ? t.value : v }
  if (isEmpty(v)) return { value: null }
  const text = String(v)
  switch (t.type) {
    case 'split': {
      const parts = text.split(t.separator)
      const part = t.part === 'first' ? parts[0] : t.part === 'last' ? parts.at(-1) : t.part === 'rest' ? parts.slice(1).join(t.separator) : parts[t.part]
      return { value: part || null }
    }
    case 'enum':
      return Object.hasOwn(t.map, text) ? { value: t.map[text] } : t.fallback !== undefined ? { value: t.fallback } : { error: `${JSON.stringify(text)} is not in the enum map` }
    case 'date': {
      const n = typeof v === 'number' || /^\d+$/.test(text) ? Number(text) : NaN
      const ms = Number.isNaN(n) ? Date.parse(text) : t.input === 'epoch_ms' || (!t.input && Math.abs(n) >= 1e11) ? n : n * 1000
      if (Number.isNaN(ms)) return { error: `the date transform cannot read ${JSON.stringify(v)}` }
      const iso = new Date(ms).toISOString()
      return { value: t.output === 'datetime' ? iso : t.output === 'date' ? iso.slice(0, 10) : t.output === 'epoch_s' ? Math.floor(ms / 1000) : ms }
    }
    case 'lowercase':
      return { value: text.toLowerCase() }
    case 'uppercase':
      return { value: text.toUpperCase() }
    case 'trim':
      return { value: text.trim() }
    case 'number':
      return Number.isFinite(Number(text)) ? { value: Number(text) } : { error: `${JSON.stringify(text)} is not a number` }
    case 'string':
      return { value: text }
    case 'boolean':
      return /^(true|yes|1)$/i.test(text.trim()) ? { value: true } : /^(false|no|0)$/i.test(text.trim()) ? { value: false } : { error: `${JSON.stringify(text)} is not true or false` }
  }
}

/** Whether a value fits a vendor field (after transforms). */
function valueFits(v: unknown, vf: VendorField): boolean {
  switch (vf.type) {
    case 'enum':
      return !!vf.enumValues?.includes(String(v))
    case 'number':
      return typeof v === 'number'
    case 'integer':
      return Number.isInteger(v)
    case 'boolean':
      return typeof v === 'boolean'
    case 'datetime':
    case 'date':
      return typeof v === 'string' && !Number.isNaN(Date.parse(v))
    case 'object':
      return typeof v === 'object' && !Array.isArray(v)
    case 'array':
      return Array.isArray(v)
    default:
      return typeof v !== 'object'
  }
}

/** A record as it would arrive: every vendor field (`null` when empty or failed), and why fields failed. */
export function applyMapping(model: VendorModel, mapping: Mapping, raw: unknown): { value: Record<string, unknown>; errors: { field: string; message: string }[] } {
  const value: Record<string, unknown> = {}
  const errors: { field: string; message: string }[] = []
  for (const [name, vf] of Object.entries(model.fields)) {
    const fm = Object.hasOwn(mapping.fields, name) ? mapping.fields[name] : undefined
    let v: unknown = null
    let error: string | undefined
    if (fm?.source === 'constant') v = fm.value
    else if (fm?.source === 'join') {
      const parts = fm.paths.map((p) => getPath(raw, p)).filter((x) => !isEmpty(x))
      v = parts.length ? parts.map(String).join(fm.separator) : null
    } else if (fm) {
      v = getPath(raw, fm.path) ?? null
      for (const t of fm.transforms ?? []) {
        const r = step(v, t)
        if ('error' in r) {
          error = r.error
          v = null
          break
        }
        v = r.value
      }
    }
    if (!error && isEmpty(v) && vf.required) error = `${fieldLabel(name)} is required, but this record has no value`
    else if (!error && !isEmpty(v) && !valueFits(v, vf)) {
      error = `${JSON.stringify(v)} is not a valid ${vf.type}${vf.enumValues ? ` (${vf.enumValues.join(', ')})` : ''}`
      v = null
    }
    if (error) errors.push({ field: name, message: error })
    value[name] = isEmpty(v) ? null : v
  }
  return { value, errors }
}
