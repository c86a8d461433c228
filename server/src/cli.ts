/**
 * `patchbay <command>` (or `npm run patchbay -- <command>`): administration from the shell,
 * configured by the same environment variables as the server.
 *
 *   migrate                                 apply database migrations
 *   create-tenant --name <name>             create a tenant with development and production keys
 *   create-api-key --tenant <id> [--env development|production] [--name <label>]
 *   rotate-keys [--data-keys]               re-wrap data keys under PATCHBAY_ENCRYPTION_KEY (and rotate data keys)
 *   generate-key                            print a new random master key
 *   worker                                  run background jobs (no HTTP server) until SIGTERM/SIGINT
 */
import { parseArgs } from 'node:util'
import { loadConfig } from './config'
import { closeContext, createContext } from './context'
import { openDatabase } from './db/client'
import { generateMasterKey } from './lib/crypto'
import { startJobs } from './jobs/queues'
import { createLogger } from './lib/logger'
import { rotateKeys } from './services/key-rotation'
import { loadKeyring } from './services/secrets'
import { createApiKey, createTenant, ENVIRONMENTS, type EnvironmentName } from './services/tenants'

const USAGE = `usage: patchbay <migrate | create-tenant --name N | create-api-key --tenant ID [--env development|production] [--name LABEL] | rotate-keys [--data-keys] | generate-key | worker>`

export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  const { values } = parseArgs({ args: rest, options: { name: { type: 'string' }, tenant: { type: 'string' }, env: { type: 'string' }, 'data-keys': { type: 'boolean' } }, strict: true })
  if (command === 'generate-key') {
    console.log(generateMasterKey())
    return 0
  }
  if (!command || !['migrate', 'create-tenant', 'create-api-key', 'rotate-keys', 'worker'].includes(command)) {
    console.error(USAGE)
    return 2
  }
  const config = loadConfig()
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel)
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir })
  const ctx = await createContext(config, database, log, loadKeyring(config, log))
  try {
    switch (command) {
      case 'migrate':
        console.log('migrations applied')
        break
      case 'create-tenant': {
        if (!values.name) throw new Error('--name is required')
        const t = await createTenant(ctx, values.name)
        console.log(`tenant ${t.tenantId}`)
        for (const env of ENVIRONMENTS) console.log(`${env} secret key (shown once): ${(await createApiKey(ctx, t.tenantId, env)).key}`)
        break
      }
      case 'create-api-key': {
        const env = (values.env ?? 'development') as EnvironmentName
        if (!values.tenant || !ENVIRONMENTS.includes(env)) throw new Error('--tenant is required; --env is development or production')
        console.log(`secret key (shown once): ${(await createApiKey(ctx, values.tenant, env, values.name)).key}`)
        break
      }
      case 'rotate-keys': {
        const r = await rotateKeys(ctx, { dataKeys: values['data-keys'] })
        console.log(`re-wrapped ${r.rewrapped} data keys; new data keys ${r.newDataKeys}; re-encrypted ${r.reencrypted} secrets; skipped ${r.skipped} (changed meanwhile, run again)`)
        break
      }
      case 'worker': {
        // The context's engine has every queue defined (jobs/queues.ts), as in the server.
        await startJobs(ctx, { work: true })
        console.log('worker started; SIGTERM or SIGINT stops it after running jobs finish')
        await new Promise<void>((resolve) => {
          process.once('SIGTERM', resolve)
          process.once('SIGINT', resolve)
        })
        await ctx.jobs.stop({ graceful: true })
        break
      }
    }
    return 0
  } catch (err) {
    console.error(`error: ${(err as Error).message}`)
    return 1
  } finally {
    await closeContext(ctx)
    await database.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(await runCli(process.argv.slice(2)))
