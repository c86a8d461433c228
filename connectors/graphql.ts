/**
 * GraphQL, as far as a connector needs it: what an operation's text declares and uses (checked when
 * a connector loads), and whether a response carries errors (checked on every page and action).
 *
 * This is not a GraphQL parser: it reads the operation type, the variable definitions and the
 * variable uses of ONE operation, after dropping comments and string literals (so a `$` inside a
 * string or a `#` comment is not taken for a variable). The provider validates the rest.
 *
 * Sources: GraphQL specification, October 2021 — https://spec.graphql.org/October2021/
 * (§2.3 Operations, §2.10 Variables, §5.8.3 All Variable Uses Defined, §5.8.4 All Variables Used,
 * §7.1.2 Errors), and the GraphQL over HTTP draft (https://graphql.github.io/graphql-over-http/draft/),
 * which sends `{ "query", "variables" }` as the JSON body of a POST.
 */

/** What {@link readOperation} finds in an operation's text. */
export interface GraphqlOperation {
  /** `query` or `mutation` (`subscription` is refused: it does not answer over one POST). */
  type: 'query' | 'mutation'
  /** The variables the operation defines (`$first: Int` → `first`), in order. */
  declared: string[]
  /** The variables the selection set uses (`after: $after` → `after`), each once. */
  used: string[]
}

/** Comments (`# …` to the end of the line, §2.1.4) and string literals (`"…"` and block strings `"""…"""`, §2.9.4). */
const NOISE = /"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|#[^\n\r]*/g
const NAME = '[_A-Za-z][_0-9A-Za-z]*'

/**
 * Reads the operation type, the defined variables and the used variables of a single GraphQL
 * operation (§2.3). The shorthand `{ … }` is a query without variables.
 * @throws {Error} when the text does not start with `query`, `mutation` or `{`, holds more than one
 *   operation, or a variable is defined twice (§5.8.1).
 * @example readOperation('query Issues($first: Int, $after: String) { issues(first: $first, after: $after) { nodes { id } } }')
 *   // { type: 'query', declared: ['first', 'after'], used: ['first', 'after'] }
 */
export function readOperation(text: string): GraphqlOperation {
  const source = text.replace(NOISE, (m) => (m.startsWith('#') ? '' : '""')).trim()
  if (source.startsWith('{')) return { type: 'query', declared: [], used: unique(uses(source)) }
  const head = new RegExp(`^(query|mutation|subscription)\\b\\s*(${NAME})?\\s*`).exec(source)
  if (!head) throw new Error('must be one operation starting with `query` or `mutation`')
  if (head[1] === 'subscription') throw new Error('subscriptions are not supported: a list or action is one request and one answer')
  let rest = source.slice(head[0].length)
  const declared: string[] = []
  if (rest.startsWith('(')) {
    const close = rest.indexOf(')')
    if (close < 0) throw new Error('the variable definitions are not closed with `)`')
    for (const m of rest.slice(1, close).matchAll(new RegExp(`\\$(${NAME})\\s*:`, 'g'))) {
      if (declared.includes(m[1]!)) throw new Error(`the variable $${m[1]} is defined twice`)
      declared.push(m[1]!)
    }
    rest = rest.slice(close + 1)
  }
  if (!rest.trimStart().startsWith('{') && !rest.trimStart().startsWith('@')) throw new Error('expected the selection set `{ … }` after the variable definitions')
  if (new RegExp(`}\\s*(query|mutation|subscription|fragment)\\b`).test(rest)) throw new Error('must hold exactly one operation (and no fragments)')
  return { type: head[1] as 'query' | 'mutation', declared, used: unique(uses(rest)) }
}

function uses(text: string): string[] {
  return [...text.matchAll(new RegExp(`\\$(${NAME})`, 'g'))].map((m) => m[1]!)
}

function unique(names: string[]): string[] {
  return [...new Set(names)]
}

/**
 * Problems of an operation as messages (empty when it is sound): not `expected` (`query` for a list,
 * `mutation` for an action), a used variable it does not define (§5.8.3), a defined one it never
 * uses (§5.8.4), or one of `required` (the variables Patchbay will set: page size, cursor, input…)
 * that it does not define.
 */
export function operationProblems(text: string, expected: 'query' | 'mutation', required: readonly string[]): string[] {
  let op: GraphqlOperation
  try {
    op = readOperation(text)
  } catch (err) {
    return [(err as Error).message]
  }
  const problems: string[] = []
  if (op.type !== expected) problems.push(`must be a ${expected}, not a ${op.type}`)
  for (const name of op.used) if (!op.declared.includes(name)) problems.push(`uses $${name}, which it does not define`)
  for (const name of op.declared) if (!op.used.includes(name)) problems.push(`defines $${name} but never uses it`)
  for (const name of new Set(required)) if (!op.declared.includes(name)) problems.push(`does not define $${name}`)
  return problems
}

/**
 * The errors of a GraphQL response (§7.1.2: "If present, the errors entry in the response must
 * contain at least one error"): a non-empty top-level `errors` array means the request failed, even
 * with HTTP 200 and partial `data`. `undefined` when there are none.
 * @returns the first messages (at most 3, each at most 200 characters), joined with `; `.
 */
export function graphqlErrors(body: unknown): { message: string } | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !Object.hasOwn(body, 'errors')) return undefined
  const errors = (body as { errors: unknown }).errors
  if (!Array.isArray(errors) || errors.length === 0) return undefined
  const messages = errors.slice(0, 3).map((e) => {
    const m = e !== null && typeof e === 'object' ? (e as { message?: unknown }).message : undefined
    return typeof m === 'string' && m !== '' ? m.slice(0, 200) : 'an error'
  })
  return { message: `GraphQL error${errors.length > 1 ? 's' : ''}: ${messages.join('; ')}` }
}
