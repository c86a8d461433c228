/**
 * Integrations: a connector enabled in an environment with the vendor's OAuth client and
 * optional URL overrides (GitHub Enterprise, self-hosted GitLab, sandboxes, local tests).
 */
import { getConnectorFor, listConnectors, listCustomConnectors } from '../../../connectors/registry'
import { placeholders, type Connector } from '../../../connectors/schema'
import type { AppContext } from '../context'
import * as q from '../db/queries/integrations'
import { listConnectionIdsOfIntegration } from '../db/queries/connections'
// Cycle (connections ↔ integrations) is by function only, resolved at call time.
import { deleteConnection } from './connections'
import { parseFrequency } from './syncs'
import type { IntegrationOverrides, IntegrationSyncSettings } from '../db/schema/index'
import { notFound, PatchbayError } from '../lib/errors'
import { newId } from '../lib/ids'

export type IntegrationRow = q.IntegrationRow

/** What the vendor sends to create or change an integration. */
export interface IntegrationInput {
  key: string
  connectorId: string
  displayName?: string | null | undefined
  clientId?: string | null | undefined
  clientSecret?: string | null | undefined
  /** The provider's webhook signing secret (connectors whose `webhooks.secret.from` is `integration`); write-only. */
  webhookSecret?: string | null | undefined
  scopes?: string[] | null | undefined
  overrides?: IntegrationOverrides | undefined
  enabled?: boolean | undefined
  allowMultipleConnections?: boolean | undefined
  syncSettings?: IntegrationSyncSettings | undefined
}

/** An integration with its connector and the URLs in effect (connector defaults + overrides). */
export interface ResolvedIntegration {
  row: IntegrationRow
  connector: Connector
  baseUrl: string
  authorizationUrl: string | undefined
  tokenUrl: string | undefined
  revocationUrl: string | undefined
  scopes: string[]
}

/** Looks up a connector by id: a built-in one, else the environment's own (custom). @throws {PatchbayError} `invalid_request` when unknown. */
export function requireConnector(id: string, environmentId: string): Connector {
  const connector = getConnectorFor(environmentId, id)
  if (!connector) throw new PatchbayError('invalid_request', `Unknown connector ${JSON.stringify(id)}`, { errors: [{ path: 'connectorId', message: `one of: ${[...listConnectors(), ...listCustomConnectors(environmentId)].map((c) => c.id).join(', ')}` }] })
  return connector
}

/** Applies overrides to the connector's URLs. */
export function resolveIntegration(row: IntegrationRow): ResolvedIntegration {
  const connector = requireConnector(row.connectorId, row.environmentId)
  const auth = connector.auth
  const o = row.overrides ?? {}
  return {
    row,
    connector,
    baseUrl: o.baseUrl ?? connector.http.baseUrl,
    authorizationUrl: o.authorizationUrl ?? (auth.type === 'oauth2' ? auth.authorizationUrl : undefined),
    tokenUrl: o.tokenUrl ?? ('tokenUrl' in auth ? auth.tokenUrl : undefined),
    revocationUrl: o.revocationUrl ?? (auth.type === 'oauth2' ? auth.revocationUrl : undefined),
    scopes: row.scopes ?? ('scopes' in auth ? auth.scopes : []),
  }
}

/** The integration `key` of an environment. @throws {PatchbayError} `not_found`. */
export async function getIntegration(ctx: AppContext, environmentId: string, key: string): Promise<ResolvedIntegration> {
  const row = await q.findIntegrationByKey(ctx.db, environmentId, key)
  if (!row) throw notFound('Integration', key)
  return resolveIntegration(row)
}

export async function listIntegrations(ctx: AppContext, environmentId: string): Promise<ResolvedIntegration[]> {
  return (await q.listIntegrations(ctx.db, environmentId)).map(resolveIntegration)
}

function checkInput(connector: Connector, input: Partial<IntegrationInput>): void {
  const errors: { path: string; message: string }[] = []
  const settings = input.syncSettings
  for (const [name, s] of Object.entries(settings?.syncs ?? {})) {
    if (!(name in connector.syncs)) errors.push({ path: `syncSettings.syncs.${name}`, message: `unknown sync; ${connector.id} has: ${Object.keys(connector.syncs).join(', ') || 'none'}` })
    else {
      if (s.frequency !== undefined && !isFrequency(s.frequency)) errors.push({ path: `syncSettings.syncs.${name}.frequency`, message: 'between 1m and 30d, e.g. 15m, 1h, 1d' })
      const full = s.fullResyncFrequency
      if (full !== undefined) {
        const def = connector.syncs[name]!
        const every = s.frequency ?? def.defaultFrequency
        const at = `syncSettings.syncs.${name}.fullResyncFrequency`
        if (def.mode !== 'incremental') errors.push({ path: at, message: `${name} is a full sync: every run is a full resync` })
        else if (!isFrequency(full)) errors.push({ path: at, message: 'between 1m and 30d, e.g. 1d, 7d' })
        else if (isFrequency(every) && parseFrequency(full) <= parseFrequency(every)) errors.push({ path: at, message: `must be longer than the sync's frequency (${every})` })
      }
    }
  }
  const bounds = settings?.endUserFrequency
  if (bounds && (!isFrequency(bounds.min) || !isFrequency(bounds.max) || parseFrequency(bounds.min) > parseFrequency(bounds.max))) {
    errors.push({ path: 'syncSettings.endUserFrequency', message: 'min and max between 1m and 30d, min ≤ max' })
  }
  if (connector.auth.type === 'oauth2' && input.clientId === null) errors.push({ path: 'clientId', message: 'an OAuth 2.0 integration needs a client id' })
  if (connector.auth.type === 'oauth1' && input.clientId === null) errors.push({ path: 'clientId', message: 'an OAuth 1.0a integration needs a client id (the consumer key)' })
  if (input.webhookSecret && connector.webhooks?.secret.from !== 'integration') {
    errors.push({ path: 'webhookSecret', message: connector.webhooks ? `${connector.id} webhooks are signed with ${connector.webhooks.secret.from === 'clientSecret' ? 'the client secret' : "each connection's own secret"}, not an integration secret` : `${connector.id} declares no incoming webhooks` })
  }
  for (const [name, url] of Object.entries(input.overrides ?? {})) {
    if (url === undefined) continue
    const declared = new Set(Object.keys(connector.connectionConfig))
    if (!/^https?:\/\//.test(url) || !URL.canParse(url.replace(/\{[^}]*\}/g, 'x'))) errors.push({ path: `overrides.${name}`, message: 'must be an absolute http(s) URL' })
    for (const p of placeholders(url)) if (!declared.has(p)) errors.push({ path: `overrides.${name}`, message: `placeholder {${p}} is not a connection config field of ${connector.id}` })
  }
  if (errors.length) throw new PatchbayError('invalid_request', 'Invalid integration', { errors })
}

/**
 * Creates an integration. The client secret is encrypted before it is stored.
 * @throws {PatchbayError} `conflict` when the key exists; `invalid_request` for an unknown connector or bad override.
 */
export async function createIntegration(ctx: AppContext, environmentId: string, input: IntegrationInput): Promise<ResolvedIntegration> {
  const connector = requireConnector(input.connectorId, environmentId)
  if (connector.auth.type === 'oauth2' && !input.clientId) throw new PatchbayError('invalid_request', 'Invalid integration', { errors: [{ path: 'clientId', message: 'an OAuth 2.0 integration needs a client id' }] })
  // The consumer secret may come later (a disabled placeholder integration); starting a flow needs it.
  if (connector.auth.type === 'oauth1' && !input.clientId) throw new PatchbayError('invalid_request', 'Invalid integration', { errors: [{ path: 'clientId', message: 'an OAuth 1.0a integration needs a client id (the consumer key)' }] })
  checkInput(connector, input)
  const id = newId('int')
  const inserted = await q.insertIntegration(ctx.db, {
    id,
    environmentId,
    key: input.key,
    connectorId: connector.id,
    displayName: input.displayName ?? null,
    clientId: input.clientId ?? null,
    clientSecretEnc: input.clientSecret ? await ctx.secrets.encrypt(environmentId, input.clientSecret, `${id}:client_secret`) : null,
    webhookSecretEnc: input.webhookSecret ? await ctx.secrets.encrypt(environmentId, input.webhookSecret, webhookSecretContext(id)) : null,
    scopes: input.scopes ?? null,
    overrides: input.overrides ?? {},
    enabled: input.enabled ?? true,
    allowMultipleConnections: input.allowMultipleConnections ?? false,
    syncSettings: input.syncSettings ?? {},
  })
  if (!inserted) throw new PatchbayError('conflict', `Integration ${JSON.stringify(input.key)} already exists`)
  return getIntegration(ctx, environmentId, input.key)
}

/** Changes an integration; absent fields stay, `null` clears. @throws {PatchbayError} `not_found`, `invalid_request`. */
export async function updateIntegration(ctx: AppContext, environmentId: string, key: string, input: Omit<Partial<IntegrationInput>, 'key' | 'connectorId'>): Promise<ResolvedIntegration> {
  const current = await getIntegration(ctx, environmentId, key)
  checkInput(current.connector, input)
  const id = current.row.id
  await q.updateIntegration(ctx.db, id, {
    ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
    ...(input.clientId !== undefined ? { clientId: input.clientId } : {}),
    ...(input.clientSecret !== undefined ? { clientSecretEnc: input.clientSecret ? await ctx.secrets.encrypt(environmentId, input.clientSecret, `${id}:client_secret`) : null } : {}),
    // A secret the vendor sets (or clears) is never revealable: only a handshake's is, once.
    ...(input.webhookSecret !== undefined ? { webhookSecretEnc: input.webhookSecret ? await ctx.secrets.encrypt(environmentId, input.webhookSecret, webhookSecretContext(id)) : null, webhookSecretRevealable: false } : {}),
    ...(input.scopes !== undefined ? { scopes: input.scopes } : {}),
    ...(input.overrides !== undefined ? { overrides: input.overrides } : {}),
    ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    ...(input.allowMultipleConnections !== undefined ? { allowMultipleConnections: input.allowMultipleConnections } : {}),
    ...(input.syncSettings !== undefined ? { syncSettings: input.syncSettings } : {}),
  })
  ctx.credentials.invalidateIntegration(id)
  return getIntegration(ctx, environmentId, key)
}

/**
 * Deletes an integration. Its connections are deleted first, one by one, like any deletion:
 * tokens revoked where the provider supports RFC 7009, `connection.deleted` webhooks recorded,
 * every process told to forget them.
 */
export async function deleteIntegration(ctx: AppContext, environmentId: string, key: string): Promise<void> {
  const current = await getIntegration(ctx, environmentId, key)
  for (const id of await listConnectionIdsOfIntegration(ctx.db, current.row.id)) await deleteConnection(ctx, environmentId, id)
  await q.deleteIntegration(ctx.db, current.row.id)
  ctx.credentials.invalidateIntegration(current.row.id)
}

/** The encryption context (AAD) of an integration's provider webhook secret: bound to the row and the purpose. */
export function webhookSecretContext(integrationId: string): string {
  return `${integrationId}:provider_webhook_secret`
}

/** The decrypted provider webhook signing secret, or undefined when none is set. */
export async function webhookSecretOf(ctx: AppContext, row: IntegrationRow): Promise<string | undefined> {
  return row.webhookSecretEnc ? ctx.secrets.decrypt(row.environmentId, row.webhookSecretEnc, webhookSecretContext(row.id)) : undefined
}

/** The decrypted client secret, or undefined for a public client. */
export async function clientSecretOf(ctx: AppContext, row: IntegrationRow): Promise<string | undefined> {
  return row.clientSecretEnc ? ctx.secrets.decrypt(row.environmentId, row.clientSecretEnc, `${row.id}:client_secret`) : undefined
}

/**
 * Fills `{placeholders}` in a URL template from the connection config. Values were checked
 * against the connector's patterns when stored; they are URL-encoded here as well.
 * @throws {PatchbayError} `invalid_request` when a placeholder has no value.
 */
export function renderUrl(template: string, config: Record<string, string>): string {
  return template.replace(/\{([a-zA-Z][a-zA-Z0-9_]*)\}/g, (_, name: string) => {
    const value = config[name]
    if (value === undefined) throw new PatchbayError('invalid_request', `Connection config ${name} is missing`)
    return encodeURIComponent(value)
  })
}

/**
 * A connector's `http.headers` for a connection: `{name}` placeholders filled from its connection
 * config as is (e.g. Xero's `xero-tenant-id: {tenantId}`), keys lower-cased.
 * @throws {PatchbayError} `invalid_request` when a placeholder has no value.
 */
export function renderHeaders(headers: Record<string, string>, config: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) {
    out[k.toLowerCase()] = v.replace(/\{([a-zA-Z][a-zA-Z0-9_]*)\}/g, (_, name: string) => {
      const value = config[name]
      if (value === undefined) throw new PatchbayError('invalid_request', `Connection config ${name} is missing`)
      return value
    })
  }
  return out
}

/**
 * Validates connection config values from the end user against the connector's fields
 * (required, pattern). Fields with `source: 'token'` cannot be supplied by the user.
 * @throws {PatchbayError} `invalid_request` listing each bad field.
 */
export function validateConnectionConfig(connector: Connector, input: Record<string, string>): Record<string, string> {
  const errors: { path: string; message: string }[] = []
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(input)) {
    const field = connector.connectionConfig[name]
    if (!field || field.source !== 'user') errors.push({ path: `connectionConfig.${name}`, message: 'unknown field' })
    else if (!new RegExp(`^(?:${field.pattern})$`).test(value)) errors.push({ path: `connectionConfig.${name}`, message: `${field.label} is not valid` })
    else out[name] = value
  }
  for (const [name, field] of Object.entries(connector.connectionConfig)) {
    if (field.source !== 'user' || name in out || errors.some((e) => e.path === `connectionConfig.${name}`)) continue
    if (field.default !== undefined) out[name] = field.default
    else if (field.required) errors.push({ path: `connectionConfig.${name}`, message: `${field.label} is required` })
  }
  if (errors.length) throw new PatchbayError('invalid_request', 'Invalid connection config', { errors })
  return out
}

function isFrequency(value: string): boolean {
  try {
    parseFrequency(value)
    return true
  } catch {
    return false
  }
}
