/**
 * Starts a Patchbay server process: database (migrated), context, job engine (with workers unless
 * `PATCHBAY_WORKERS=0`), HTTP server and periodic housekeeping. Used by `main.ts`, the multi-process tests and the benchmark.
 */
import { serve } from '@hono/node-server'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createApp } from './app'
import type { Config } from './config'
import { closeContext, createContext, type AppContext, type ContextOptions } from './context'
import { openDatabase, type Database } from './db/client'
import { deleteExpiredSessions } from './db/queries/sessions'
import { startJobs } from './jobs/queues'
import { createLogger, type Logger } from './lib/logger'
import { loadKeyring } from './services/secrets'

export interface RunningServer {
  url: string
  port: number
  ctx: AppContext
  close(): Promise<void>
}

/**
 * Opens the database (PGlite in `config.dataDir` without `databaseUrl`), applies migrations and
 * listens on `config.host:config.port` (0 = any free port).
 * @param opts.database an already open database (tests), closed by its owner.
 */
export async function startServer(config: Config, opts: { database?: Database; log?: Logger; context?: ContextOptions } = {}): Promise<RunningServer> {
  const log = opts.log ?? createLogger(config.logLevel)
  const keyring = loadKeyring(config, log)
  const database = opts.database ?? (await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir }))
  const ctx = await createContext(config, database, log, keyring, opts.context)
  // Jobs (webhook deliveries): fetched here unless PATCHBAY_WORKERS=0 (then only `patchbay worker` runs them).
  await startJobs(ctx, { work: config.workers })
  const app = createApp(ctx)
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s as Server))
  })
  server.keepAliveTimeout = 65_000
  const port = (server.address() as AddressInfo).port
  const housekeeping = setInterval(() => {
    deleteExpiredSessions(ctx.db).catch((err: Error) => log.warn({ err: err.message }, 'housekeeping failed'))
  }, 10 * 60_000)
  housekeeping.unref()
  return {
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    port,
    ctx,
    async close() {
      clearInterval(housekeeping)
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections?.()
      })
      await closeContext(ctx)
      if (!opts.database) await database.close()
    },
  }
}
