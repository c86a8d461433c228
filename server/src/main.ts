/**
 * `npm start`: the Patchbay server, with the demo provider and demo tenant unless
 * `PATCHBAY_DEMO=0` (default off in production).
 */
import { loadConfig } from './config'
import { startDemo, type Demo } from './demo/seed'
import { startServer } from './server'

const config = loadConfig()
const server = await startServer(config)
const { ctx } = server
let demo: Demo | undefined
if (config.demo) demo = await startDemo(ctx)

const db = config.databaseUrl ? `PostgreSQL (${new URL(config.databaseUrl).host})` : `embedded PGlite in ${config.dataDir}`
const lines = ['']
if (demo) lines.push(`  Open the demo app:  ${demo.app.url}   (Acme CRM, a SaaS product embedding the Patchbay widget)`, '')
lines.push(`  Patchbay is running at ${config.publicUrl}  (${db})`, `  API reference:  ${config.publicUrl}/docs`)
if (demo) {
  lines.push(
    '',
    '  Demo',
    `  secret key (development):  ${demo.secretKey}`,
    `  demo provider (OAuth + CRM API):  ${demo.provider.url}   login: ${demo.provider.users[0]?.username} / ${demo.provider.users[0]?.password}`,
    `  demo provider API key (for the demo-crm-api-key integration):  ${demo.providerApiKey}`,
    '',
    '  Or, in another terminal, the SDK walk-through (connect session → OAuth → proxy → sync → records):',
    '    npm run demo:walkthrough',
  )
}
console.log(lines.join('\n') + '\n')

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    ctx.log.info({ signal }, 'shutting down')
    await demo?.close()
    await server.close()
    process.exit(0)
  })
}
