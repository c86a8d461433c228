/**
 * Test helpers: run a suite on PGlite and, when `TEST_DATABASE_URL` is set, on PostgreSQL.
 * Each PostgreSQL suite gets its own fresh database, dropped afterwards, so test files can run in parallel.
 */
import postgres from 'postgres'
import { randomToken } from '../lib/ids'
import { openDatabase, type Database } from './client'

export interface TestDatabaseTarget {
  name: 'pglite' | 'postgres'
  /** Opens a fresh, migrated database; `url` is set for PostgreSQL (to share with child processes). */
  open(): Promise<{ database: Database; url?: string; drop(): Promise<void> }>
}

/** The databases every database test runs on. */
export function testDatabases(): TestDatabaseTarget[] {
  const targets: TestDatabaseTarget[] = [
    {
      name: 'pglite',
      async open() {
        const database = await openDatabase({})
        return { database, drop: () => database.close() }
      },
    },
  ]
  const adminUrl = process.env.TEST_DATABASE_URL
  if (adminUrl) {
    targets.push({
      name: 'postgres',
      async open() {
        const name = `patchbay_test_${randomToken(10).toLowerCase()}`
        const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
        await admin.unsafe(`create database ${name}`)
        const url = new URL(adminUrl)
        url.pathname = `/${name}`
        const database = await openDatabase({ url: url.toString(), max: 20 })
        return {
          database,
          url: url.toString(),
          async drop() {
            await database.close()
            await admin.unsafe(`drop database if exists ${name} with (force)`)
            await admin.end()
          },
        }
      },
    })
  }
  return targets
}
