/**
 * The out-of-the-box demo: starts the bundled demo provider (OAuth server + CRM API) and seeds
 * a demo tenant with the demo integrations plus one per shipped connector (`./catalog.ts`). Its
 * secrets live in `<dataDir>/demo.json`, so a restart prints the same key and keeps existing
 * connections working.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AppContext } from '../context'
import { findTenant } from '../db/queries/tenants'
import { findIntegrationByKey } from '../db/queries/integrations'
import { randomToken } from '../lib/ids'
import { createIntegration, updateIntegration } from '../services/integrations'
import { createApiKey, createTenant } from '../services/tenants'
import { findEnvironment } from '../db/queries/tenants'
import { redirectUri } from '../services/oauth-flow'
import { seedDemoCatalog } from './catalog'
import { startHostApp, type HostApp } from './host-app/index'
import { startDemoProvider, type DemoProvider } from './provider/index'

interface DemoState {
  tenantId: string
  secretKey: string
  clientSecret: string
  providerApiKey: string
  /** Connector ids the demo catalog seeded (or found) on earlier starts: one the vendor deleted stays deleted. */
  catalogSeeded?: string[]
}

export const DEMO_CLIENT_ID = 'patchbay-demo'

export interface Demo {
  provider: DemoProvider
  /** The demo host app "Acme CRM", embedding the widget: what a newcomer opens first. */
  app: HostApp
  secretKey: string
  providerApiKey: string
  close(): Promise<void>
}

/** Starts the demo provider, makes sure the demo tenant and integrations exist, and starts the demo host app. */
export async function startDemo(ctx: AppContext): Promise<Demo> {
  const file = join(ctx.config.dataDir, 'demo.json')
  let state: DemoState | undefined = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DemoState) : undefined
  if (state && !(await findTenant(ctx.db, state.tenantId))) state = undefined
  const clientSecret = state?.clientSecret ?? randomToken(40)
  const providerApiKey = state?.providerApiKey ?? `demo_live_${randomToken(24)}`
  const options = {
    clients: [{ clientId: DEMO_CLIENT_ID, clientSecret, name: 'Acme CRM (via Patchbay)', redirectUris: [redirectUri(ctx)], grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] as const }].map((c) => ({ ...c, grantTypes: [...c.grantTypes] })),
    apiKeys: [providerApiKey],
    contactsPerAccount: 2500,
    // The data changes while you watch: every 20 s some contacts change, one is deleted, one is added.
    churn: { intervalMs: 20_000, updates: 5, deletes: 1, creates: 1 },
  }
  const provider = await startDemoProvider({ ...options, port: ctx.config.demoProviderPort }).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE') throw err
    ctx.log.warn(`port ${ctx.config.demoProviderPort} is busy: the demo provider takes a free port`)
    return startDemoProvider({ ...options, port: 0 })
  })
  if (!state) {
    const tenant = await createTenant(ctx, 'Acme CRM (demo)')
    const { key } = await createApiKey(ctx, tenant.tenantId, 'development', 'demo')
    state = { tenantId: tenant.tenantId, secretKey: key, clientSecret, providerApiKey }
    writeFileSync(file, JSON.stringify(state, null, 2), { mode: 0o600 })
  }
  const env = await findEnvironment(ctx.db, state.tenantId, 'development')
  if (!env) throw new Error('demo environment missing')
  const overrides = { authorizationUrl: provider.authorizationUrl, tokenUrl: provider.tokenUrl, revocationUrl: provider.revocationUrl, baseUrl: provider.apiBaseUrl }
  if (await findIntegrationByKey(ctx.db, env.id, 'demo-crm')) await updateIntegration(ctx, env.id, 'demo-crm', { overrides, clientId: DEMO_CLIENT_ID, clientSecret })
  else await createIntegration(ctx, env.id, { key: 'demo-crm', connectorId: 'demo-crm', clientId: DEMO_CLIENT_ID, clientSecret, overrides })
  if (await findIntegrationByKey(ctx.db, env.id, 'demo-crm-api-key')) await updateIntegration(ctx, env.id, 'demo-crm-api-key', { overrides: { baseUrl: provider.apiBaseUrl } })
  else await createIntegration(ctx, env.id, { key: 'demo-crm-api-key', connectorId: 'demo-crm-api-key', overrides: { baseUrl: provider.apiBaseUrl } })
  // The service-account variant: the end user pastes a client id and secret of the demo provider.
  const serviceAccount = { overrides: { tokenUrl: provider.tokenUrl, baseUrl: provider.apiBaseUrl } }
  if (await findIntegrationByKey(ctx.db, env.id, 'demo-crm-client-credentials')) await updateIntegration(ctx, env.id, 'demo-crm-client-credentials', serviceAccount)
  else await createIntegration(ctx, env.id, { key: 'demo-crm-client-credentials', connectorId: 'demo-crm-client-credentials', ...serviceAccount })
  // Every other shipped connector, so the widget shows the whole catalog: OAuth ones disabled until
  // the vendor PATCHes its client id and secret, the others (API key, basic…) usable as they are.
  const catalog = await seedDemoCatalog(ctx, env.id, state.catalogSeeded)
  if (catalog.created.length) ctx.log.info(`demo catalog: added ${catalog.created.length} integrations (${catalog.created.join(', ')})`)
  if (catalog.seeded.join() !== (state.catalogSeeded ?? []).join()) {
    state = { ...state, catalogSeeded: catalog.seeded }
    writeFileSync(file, JSON.stringify(state, null, 2), { mode: 0o600 })
  }
  const appOptions = { patchbayUrl: ctx.config.publicUrl, secretKey: state.secretKey }
  const app = await startHostApp({ ...appOptions, port: ctx.config.demoAppPort }).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE') throw err
    ctx.log.warn(`port ${ctx.config.demoAppPort} is busy: the demo app takes a free port`)
    return startHostApp({ ...appOptions, port: 0 })
  })
  return { provider, app, secretKey: state.secretKey, providerApiKey, close: async () => void (await Promise.all([app.close(), provider.close()])) }
}
