/**
 * Runs the demo provider on its own:
 *
 *   tsx server/src/demo/provider/main.ts --port 4010 \
 *     --client-id patchbay-demo --client-secret demo-secret --redirect-uri http://127.0.0.1:3000/oauth/callback
 *
 * Every flag falls back to an environment variable, then to a default: `DEMO_PROVIDER_PORT` (4010),
 * `DEMO_PROVIDER_HOST` (127.0.0.1), `DEMO_CLIENT_ID` (patchbay-demo), `DEMO_CLIENT_SECRET`
 * (demo-secret), `DEMO_REDIRECT_URIS` (comma-separated; http://127.0.0.1:3000/oauth/callback),
 * `DEMO_API_KEYS` (comma-separated; demo-api-key). `--redirect-uri` and `--api-key` may repeat.
 * `--churn-ms N` (`DEMO_CHURN_MS`; off by default) changes every account in use each N ms: 5 contacts
 * updated, 1 deleted, 1 created. `--contacts-per-account N` defaults to 2500.
 */
import { parseArgs } from 'node:util'
import { startDemoProvider } from './index.ts'

const list = (s: string | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean)

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    'api-key': { type: 'string', multiple: true },
    'contacts-per-account': { type: 'string' },
    'churn-ms': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
})

if (values.help) {
  console.log('usage: tsx server/src/demo/provider/main.ts [--port N] [--host H] [--client-id ID] [--client-secret S] [--redirect-uri URL]... [--api-key KEY]... [--contacts-per-account N] [--churn-ms N]')
  process.exit(0)
}

const env = process.env
const clientId = values['client-id'] ?? env.DEMO_CLIENT_ID ?? 'patchbay-demo'
const clientSecret = values['client-secret'] ?? env.DEMO_CLIENT_SECRET ?? 'demo-secret'
const redirectUris = values['redirect-uri'] ?? (list(env.DEMO_REDIRECT_URIS).length ? list(env.DEMO_REDIRECT_URIS) : ['http://127.0.0.1:3000/oauth/callback'])
const apiKeys = values['api-key'] ?? (list(env.DEMO_API_KEYS).length ? list(env.DEMO_API_KEYS) : ['demo-api-key'])
const churnMs = values['churn-ms'] ?? env.DEMO_CHURN_MS
const port = Number(values.port ?? env.DEMO_PROVIDER_PORT ?? 4010)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid port: ${values.port ?? env.DEMO_PROVIDER_PORT}`)
  process.exit(2)
}

const demo = await startDemoProvider({
  port,
  host: values.host ?? env.DEMO_PROVIDER_HOST ?? '127.0.0.1',
  clients: [
    { clientId, name: 'Patchbay', clientSecret, redirectUris, grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] },
  ],
  apiKeys,
  ...(values['contacts-per-account'] ? { contactsPerAccount: Number(values['contacts-per-account']) } : {}),
  ...(churnMs ? { churn: { intervalMs: Number(churnMs), updates: 5, deletes: 1, creates: 1 } } : {}),
})

console.log(`Demo CRM provider listening on ${demo.url}
  issuer / discovery   ${demo.url}/.well-known/openid-configuration
  authorization        ${demo.authorizationUrl}
  token                ${demo.tokenUrl}
  revocation           ${demo.revocationUrl}
  introspection        ${demo.introspectionUrl}
  REST API             ${demo.apiBaseUrl}  (GET /me, /contacts, /companies)
  client               ${clientId} / ${clientSecret}  redirect ${redirectUris.join(', ')}
  API keys             ${apiKeys.join(', ')}  (header X-Api-Key)
  churn                ${churnMs ? `every ${churnMs} ms: 5 updates, 1 delete, 1 create per account` : 'off (--churn-ms N)'}
  demo logins          ${demo.users.map((u) => `${u.username} / ${u.password}`).join(', ')}`)

const stop = () => {
  demo.close().then(() => process.exit(0), () => process.exit(1))
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
