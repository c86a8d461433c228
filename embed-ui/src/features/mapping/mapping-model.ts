/**
 * The mapping screen's pure parts: field labels in words, values as text, and the simple
 * transforms the screen edits (split into words, read a date, match enum values, a default when
 * empty) kept in a field's transform chain next to any others it already has.
 */
import type { CheckIssue, FieldMapping, Mapping, ProviderFieldView, Transform, VendorField, VendorModel } from '../../api/types'
import { syncName } from '../connected/sync-format'

type FieldSource = Extract<FieldMapping, { source: 'field' }>
export type TransformOf<T extends Transform['type']> = Extract<Transform, { type: T }>

/**
 * A field name in words (as sync names are shown).
 * @example fieldLabel('firstName') // 'First name'; fieldLabel('lifecycle_stage') // 'Lifecycle stage'
 */
export const fieldLabel = (name: string): string => syncName(name, {})

/** A value as short text: text as is, objects and lists as JSON cut at 60 characters; `null` and missing as `empty`. */
export function showValue(v: unknown, empty: string): string {
  if (v === null || v === undefined || v === '') return empty
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v)
  return s.length > 60 ? `${s.slice(0, 59)}…` : s
}

/** The transform of `type` in a field's chain. */
export const findTransform = <T extends Transform['type']>(m: FieldSource, type: T) => m.transforms?.find((t): t is TransformOf<T> => t.type === type)

/**
 * Sets (or with `null` removes) the transform of `type`, keeping the others: a changed one stays
 * in its place, a new `default` goes last (it fills what the others left empty), others before it.
 */
export function withTransform(m: FieldSource, type: Transform['type'], next: Transform | null): FieldSource {
  const list = m.transforms ?? []
  const i = list.findIndex((t) => t.type === type)
  let out = list.filter((t) => t.type !== type)
  if (next) {
    const at = i >= 0 ? i : next.type === 'default' ? out.length : out.findIndex((t) => t.type === 'default')
    out = at < 0 ? [...out, next] : [...out.slice(0, at), next, ...out.slice(at)]
  }
  const { transforms: _, ...rest } = m
  return out.length ? { ...rest, transforms: out } : rest
}

/** Whether a value of the provider's type needs the date transform to fill a vendor date or datetime field. */
export const dateNeeded = (vf: VendorField, pf: ProviderFieldView | undefined) => !pf || pf.type === 'number' || pf.type === 'integer' || (pf.type === 'datetime' && vf.type === 'date')

/** The provider values an enum map can translate: the field's values, the sample values, and those the map has. */
export function knownValues(pf: ProviderFieldView | undefined, map: Record<string, string>): string[] {
  const out = new Set<string>(pf?.type === 'boolean' ? ['true', 'false'] : pf?.enumValues)
  for (const v of pf?.samples ?? []) if (v !== null && typeof v !== 'object') out.add(String(v))
  for (const k of Object.keys(map)) out.add(k)
  return [...out]
}

/**
 * The mapping of a vendor field to a provider field just chosen, with the conversions it obviously
 * needs: text to a number or yes/no, numbers to a date. (Enum values are matched on screen.)
 */
export function chooseField(vf: VendorField, pf: ProviderFieldView): FieldSource {
  let m: FieldSource = { source: 'field', path: pf.path }
  const text = pf.type === 'string' || pf.type === 'enum'
  if ((vf.type === 'number' || vf.type === 'integer') && text) m = withTransform(m, 'number', { type: 'number' })
  if (vf.type === 'boolean' && pf.type !== 'boolean') m = withTransform(m, 'boolean', { type: 'boolean' })
  if ((vf.type === 'date' || vf.type === 'datetime') && dateNeeded(vf, pf)) m = withTransform(m, 'date', { type: 'date', output: vf.type })
  return m
}

/** A typed value from an input's text: numbers for number fields, true/false for yes/no fields, `null` when empty. */
export function parseValue(vf: VendorField, text: string): string | number | boolean | null {
  if (text === '') return null
  if (vf.type === 'boolean') return text === 'true'
  if (vf.type === 'number' || vf.type === 'integer') return Number.isFinite(Number(text)) ? Number(text) : text
  return text
}

/** The draft as the API takes it: joins not ready yet (fewer than two fields) are left out. */
export function toMapping(model: VendorModel, draft: Record<string, FieldMapping>): Mapping {
  const fields: Record<string, FieldMapping> = {}
  for (const name of Object.keys(model.fields)) {
    const f = draft[name]
    if (!f) continue
    if (f.source === 'join') {
      const paths = f.paths.filter(Boolean)
      if (paths.length >= 2) fields[name] = { ...f, paths }
    } else fields[name] = f
  }
  return { model: model.name, fields }
}

/** Problems known without asking the server: required fields left unmapped, joins of fewer than two fields. */
export function localErrors(model: VendorModel, draft: Record<string, FieldMapping>): CheckIssue[] {
  const out: CheckIssue[] = []
  for (const [name, vf] of Object.entries(model.fields)) {
    const f = draft[name]
    if (!f && vf.required) out.push({ field: name, code: 'required_unmapped', message: '' })
    if (f?.source === 'join' && f.paths.filter(Boolean).length < 2) out.push({ field: name, code: 'join_too_few', message: '' })
  }
  return out
}
