/**
 * Dotted paths into parsed JSON, shared by pagination, mapping and incoming webhooks. A leaf module
 * (no imports), so any connector module can use it without an import cycle through ./schema.
 */

/**
 * Reads a value at a dotted path. `''` is the document itself; a numeric segment indexes an array
 * (`data.0.id`). Only own properties are followed, so `__proto__` or `constructor` never resolve.
 * A top-level key containing dots is read whole when the document has it (`@odata.nextLink`,
 * https://learn.microsoft.com/en-us/graph/paging); otherwise the dots separate segments.
 * @returns the value, or `undefined` when any segment is missing.
 * @example getPath({ paging: { next: { after: 'NTI1' } } }, 'paging.next.after') // 'NTI1'
 */
export function getPath(obj: unknown, dotted: string): unknown {
  if (dotted === '') return obj
  // A top-level key that itself contains dots is read whole: OData's `@odata.nextLink` (Microsoft Graph).
  if (obj !== null && typeof obj === 'object' && !Array.isArray(obj) && dotted.includes('.') && Object.hasOwn(obj, dotted)) return (obj as Record<string, unknown>)[dotted]
  let current: unknown = obj
  for (const segment of dotted.split('.')) {
    if (current === null || typeof current !== 'object') return undefined
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(segment)) return undefined
      current = current[Number(segment)]
    } else {
      if (!Object.hasOwn(current, segment)) return undefined
      current = (current as Record<string, unknown>)[segment]
    }
  }
  return current
}
