/**
 * Small pieces of logic the connector definitions share: reading labels out of a provider's "me"
 * answer and checking a value against a connection-config `pattern`. Facts about a provider stay
 * in its own folder; only the reading code lives here.
 */
import { getPath } from './pagination'

/**
 * A connection-config `pattern` (a regular expression source, implicitly anchored as in an HTML
 * `pattern` attribute) as a RegExp that must match the whole value.
 * @example anchored('[0-9]{4}').test('2024') // true; anchored('[0-9]{4}').test('20245') // false
 */
export function anchored(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`)
}

/**
 * The first value at one of `paths` (dotted, as {@link getPath} reads them, array indexes allowed:
 * `records.0.Name`) that is a non-empty string; `undefined` when none is.
 * @example firstString({ mail: null, userPrincipalName: 'ada@contoso.com' }, ['mail', 'userPrincipalName']) // 'ada@contoso.com'
 */
export function firstString(body: unknown, paths: readonly string[]): string | undefined {
  for (const path of paths) {
    const value = getPath(body, path)
    if (typeof value === 'string' && value !== '') return value
  }
  return undefined
}

/**
 * An account label of a name and a detail: `Ada Lovelace (ada@example.com)` when both are there,
 * otherwise whichever one is (`undefined` when neither is).
 */
export function labelWithDetail(name: string | undefined, detail: string | undefined): string | undefined {
  return name && detail ? `${name} (${detail})` : (name ?? detail)
}
