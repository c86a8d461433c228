/**
 * The `db` adapter pg-boss runs on: `executeSql(text, values) → { rows }` over the process's own
 * database client, so pg-boss shares the drizzle connection (PGlite's single session, or the
 * postgres.js pool) instead of opening a second pool with `pg`.
 *
 * pg-boss sends two kinds of statement through it:
 * - parameterised single statements (fetch, send, complete, fail…), sent with the extended protocol;
 * - parameterless multi-statement scripts (`BEGIN; SELECT pg_advisory_xact_lock(…); …; COMMIT;`)
 *   for its schema creation, migrations and maintenance. They must run as ONE simple-protocol query
 *   so that the whole script, transaction and transaction-scoped advisory lock included, runs on one
 *   connection: postgres.js `unsafe(text)` without parameters and PGlite `exec(text)` do exactly that.
 *   postgres.js only lets a transaction be opened by hand on a reserved connection, so such a script
 *   borrows one from the pool for its duration (and rolls back if it fails half-way). No
 *   session-level lock is ever taken, so nothing outlives the script.
 * @see https://github.com/timgit/pg-boss/blob/10.4.2/docs/api/constructor.md (the `db` option)
 */
import type { PGlite } from '@electric-sql/pglite'
import type { Sql } from 'postgres'
import type { Database } from '../db/client'

/** What pg-boss 10 calls on its `db` option. */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: any[] }>
}

/**
 * Builds the pg-boss adapter over an open {@link Database}.
 * Uses drizzle's documented `$client` (the driver instance drizzle was built on).
 */
export function sqlExecutor(database: Database): SqlExecutor {
  const client = (database.db as unknown as { $client: unknown }).$client
  if (database.kind === 'pglite') {
    const pglite = client as PGlite
    return {
      async executeSql(text, values) {
        if (values && values.length > 0) return { rows: (await pglite.query(text, values)).rows as any[] }
        const results = await pglite.exec(text)
        return { rows: (results.at(-1)?.rows ?? []) as any[] }
      },
    }
  }
  const sql = client as Sql
  return {
    async executeSql(text, values) {
      let result: any[]
      if ((!values || values.length === 0) && /^\s*BEGIN\s*;/i.test(text)) {
        // postgres.js refuses BEGIN on a pooled connection (UNSAFE_TRANSACTION): reserve one for the script.
        const conn = await sql.reserve()
        try {
          result = (await conn.unsafe(text)) as unknown as any[]
        } catch (err) {
          await conn.unsafe('ROLLBACK').catch(() => {})
          throw err
        } finally {
          conn.release()
        }
      } else {
        result = (await sql.unsafe(text, (values ?? []).map(asPgValue) as never[])) as unknown as any[]
      }
      // A multi-statement simple query resolves to one result (array of rows) per statement.
      const last = result.length > 0 && Array.isArray(result[0]) ? (result.at(-1) as any[]) : result
      return { rows: [...last] }
    },
  }
}

/**
 * Serialises a parameter the way `pg` (which pg-boss is written against) does: `undefined` as NULL,
 * plain objects as JSON.
 * postgres.js only JSON-encodes parameters the server describes as `json`, not `jsonb`.
 */
function asPgValue(value: unknown): unknown {
  if (value === undefined) return null
  if (value === null || typeof value !== 'object' || value instanceof Date || Array.isArray(value) || Buffer.isBuffer(value)) return value
  return JSON.stringify(value)
}
