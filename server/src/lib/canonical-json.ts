/**
 * Canonical JSON: object keys sorted (UTF-16 code unit order, as RFC 8785 §3.2.3), no whitespace.
 * Two documents with the same content give the same text whatever their key order, so a hash of it
 * says whether a provider record changed.
 */
import { createHash } from 'node:crypto'

/**
 * The canonical JSON text of a JSON value (`undefined` members are dropped, as `JSON.stringify` does).
 * @example canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + (value[i] === undefined ? 'null' : canonicalJson(value[i]))
    return out + ']'
  }
  const keys = Object.keys(value).sort()
  let out = '{'
  let first = true
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k]
    if (v === undefined) continue
    out += (first ? '' : ',') + JSON.stringify(k) + ':' + canonicalJson(v)
    first = false
  }
  return out + '}'
}

/** SHA-256 of a text, base64url (43 characters). */
export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url')
}
