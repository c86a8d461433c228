/**
 * The database: embedded PGlite in a data folder (no `DATABASE_URL`) or PostgreSQL through
 * postgres.js. Both run the same drizzle migrations from `migrations/` at start.
 *
 * Only `db/` imports drizzle; services use the query functions in `db/queries/`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import * as schema from './schema/index'

export type Schema = typeof schema
/** The drizzle database, whichever driver is behind it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>

/**
 * Runs `fn` in a transaction, with the transaction typed as a {@link Db} so query functions take
 * either. Keep it short and free of network I/O: on PGlite it blocks every other query.
 */
export function inTransaction<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction((tx) => fn(tx as unknown as Db))
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../migrations', import.meta.url))
/** Arbitrary constant key of the advisory lock held while migrating (PostgreSQL only). */
const MIGRATION_LOCK = 72_177_001

export interface Database {
  db: Db
  kind: 'pglite' | 'postgres'
  /** Sends a NOTIFY on `channel` (payload ≤ 8000 bytes). */
  notify(channel: string, payload: string): Promise<void>
  /** Subscribes to a NOTIFY channel; resolves once listening. Returns an unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>
  close(): Promise<void>
}

export interface DatabaseOptions {
  /** PostgreSQL URL; when absent, PGlite is used. */
  url?: string | undefined
  /** PGlite data folder; absent with no `url` means in memory (tests). */
  dataDir?: string | undefined
  /** Pool size for PostgreSQL (default 10). */
  max?: number
}

/**
 * Opens the database and applies pending migrations.
 * On PostgreSQL, migrations run under an advisory lock so several processes may start at once.
 */
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) return openPostgres(opts.url, opts.max ?? 10)
  return openPglite(opts.dataDir)
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  let unlock = () => {}
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true })
    unlock = lockDataDir(dataDir)
  }
  const client = new PGlite(dataDir ? `${dataDir}/pgdata` : undefined)
  await client.waitReady
  const db = drizzlePglite(client, { schema }) as unknown as Db
  await migratePglite(db as never, { migrationsFolder: MIGRATIONS_FOLDER })
  return {
    db,
    kind: 'pglite',
    async notify(channel, payload) {
      await client.query('select pg_notify($1, $2)', [channel, payload])
    },
    async listen(channel, onPayload) {
      const unsub = await client.listen(channel, onPayload)
      return async () => unsub()
    },
    close: async () => {
      await client.close()
      unlock()
    },
  }
}

/**
 * Takes the data folder for this process (`patchbay.lock` holding the pid). PGlite is one process's
 * database: a second live process is refused. A lock left by a process that died (SIGKILL, power
 * loss) is taken over, and PostgreSQL's own stale `postmaster.pid` is removed with it, since PGlite
 * refuses to start while it exists. What was committed before the crash is recovered from the WAL.
 * @returns a function that releases the lock.
 * @throws {Error} when another live process holds the folder.
 */
function lockDataDir(dataDir: string): () => void {
  const lockFile = join(dataDir, 'patchbay.lock')
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, 'utf8').trim())
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new Error(`The data folder ${dataDir} is in use by process ${pid} (embedded PGlite serves one process; set DATABASE_URL to share a database)`)
    }
  }
  rmSync(join(dataDir, 'pgdata', 'postmaster.pid'), { force: true })
  writeFileSync(lockFile, String(process.pid))
  return () => rmSync(lockFile, { force: true })
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const sql = postgres(url, { max, onnotice: () => {}, idle_timeout: 30 })
  const lock = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await lock`select pg_advisory_lock(${MIGRATION_LOCK})`
    await migratePostgres(drizzlePostgres(lock), { migrationsFolder: MIGRATIONS_FOLDER })
    await lock`select pg_advisory_unlock(${MIGRATION_LOCK})`
  } finally {
    await lock.end()
  }
  const db = drizzlePostgres(sql, { schema }) as unknown as Db
  return {
    db,
    kind: 'postgres',
    async notify(channel, payload) {
      await sql`select pg_notify(${channel}, ${payload})`
    },
    async listen(channel, onPayload) {
      const sub = await sql.listen(channel, onPayload)
      return () => sub.unlisten()
    },
    close: () => sql.end({ timeout: 5 }),
  }
}
