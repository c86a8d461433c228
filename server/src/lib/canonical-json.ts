/**
 * Canonical JSON: object keys sorted (UTF-16 code unit order, as RFC 8785 §3.2.3), no whitespace.
 * Two documents with the same content give the same text whatever their key order, so a hash of it
 * says whether a provider record changed.
 */
import { hash } from 'node:crypto'

/**
 * The canonical JSON text of a JSON value (`undefined` members are dropped, as `JSON.stringify` does).
 * @example canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  // One JSON.stringify of a copy with sorted keys: faster than assembling the text piece by piece.
  return JSON.stringify(sorted(value)) ?? 'null'
}

/** A copy of a JSON value whose objects have their keys in sorted order (`toJSON` is honoured, as by `JSON.stringify`). */
function sorted(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return sorted((value as { toJSON: () => unknown }).toJSON())
  if (Array.isArray(value)) return value.map(sorted)
  // No prototype: a `__proto__` key parsed from JSON stays an ordinary key.
  const out: Record<string, unknown> = Object.create(null)
  for (const k of Object.keys(value).sort()) out[k] = sorted((value as Record<string, unknown>)[k])
  return out
}

/** SHA-256 of a text, base64url (43 characters). */
export function contentHash(text: string): string {
  return hash('sha256', text, 'base64url')
}
