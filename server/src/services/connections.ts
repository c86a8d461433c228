/**
 * Connections: creating them from an authorization or a credentials form, listing, and
 * deleting (with RFC 7009 revocation where the provider supports it).
 */
import * as oauth from 'oauth4webapi'
import { graphqlErrors } from '../../../connectors/graphql'
import type { AppContext } from '../context'
import * as q from '../db/queries/connections'
import type { ConnectionStatus } from '../db/schema/index'
import { findEndUserByExternalId } from '../db/queries/end-users'
import { findIntegrationByKey } from '../db/queries/integrations'
import { notFound, PatchbayError } from '../lib/errors'
import { newId } from '../lib/ids'
import { isLiteralPrivateHost } from '../lib/upstream'
import { authenticationFor, encryptCredentials, type Credentials, type JwtBearerCredentials } from './credentials'
import { renderHeaders, renderUrl, validateConnectionConfig, type ResolvedIntegration } from './integrations'
import { describeOAuthError, oauthClientFor, requestClientCredentialsToken } from './oauth-client'
import { oauth1AuthorizationFor } from './oauth1'
import { connectError, parseServiceAccountKey, parseSubject, requestJwtBearerToken } from './service-account'
import { sessionAllows, type SessionPrincipal } from './connect-sessions'
import { inTransaction } from '../db/client'
import { connectionOut } from './connection-view'
import { enqueueDeliveries, recordEvent } from './webhook-outbox'
import { createSyncs, startInitialSyncs } from './syncs'
import { pageOf } from '../lib/pages'

export type ConnectionView = q.ConnectionView

export interface NewConnectionInput {
  environmentId: string
  integration: ResolvedIntegration
  endUserId: string
  credentials: Credentials
  connectionConfig: Record<string, string>
  scopes: string[]
  accountLabel?: string | undefined
  /** Re-authorization: replace this connection's credentials, keeping its id. */
  connectionId?: string | undefined | null
}

/**
 * Stores a new connection, or new credentials for an existing one (re-authorization).
 * @returns the connection id.
 */
export async function saveConnection(ctx: AppContext, input: NewConnectionInput): Promise<string> {
  return (await storeConnection(ctx, input)).id
}

/**
 * {@link saveConnection}, also telling whether a connection was created or an existing one
 * re-authorized (asked for, or implied because the integration allows one account per end user).
 */
export async function storeConnection(ctx: AppContext, input: NewConnectionInput): Promise<{ id: string; created: boolean }> {
  if (!input.connectionId && !input.integration.row.allowMultipleConnections) {
    // One account per end user: connecting again re-authorizes the existing connection, keeping its id.
    const [existing] = await q.listConnections(ctx.db, { environmentId: input.environmentId, endUserId: input.endUserId, integrationId: input.integration.row.id, limit: 1 })
    if (existing) input = { ...input, connectionId: existing.id }
  }
  const expiresAt = 'expiresAt' in input.credentials && input.credentials.expiresAt ? new Date(input.credentials.expiresAt) : null
  if (input.connectionId) {
    const existing = await q.findConnection(ctx.db, input.environmentId, input.connectionId)
    if (!existing || existing.endUserId !== input.endUserId || existing.integrationId !== input.integration.row.id) throw notFound('Connection', input.connectionId)
    await q.replaceConnectionCredentials(ctx.db, existing.id, {
      credentialsEnc: await encryptCredentials(ctx, input.environmentId, existing.id, input.credentials),
      expiresAt,
      scopes: input.scopes,
      connectionConfig: input.connectionConfig,
      accountLabel: input.accountLabel ?? existing.accountLabel,
    })
    await ctx.credentials.changed(existing.id)
    return { id: existing.id, created: false }
  }
  const id = newId('conn')
  // Encrypt before the transaction: the SecretBox may read or create a data key (PGlite: one session).
  const credentialsEnc = await encryptCredentials(ctx, input.environmentId, id, input.credentials)
  const deliveries = await inTransaction(ctx.db, async (tx) => {
    await q.insertConnection(tx, {
      id,
      environmentId: input.environmentId,
      integrationId: input.integration.row.id,
      endUserId: input.endUserId,
      status: 'active',
      accountLabel: input.accountLabel ?? null,
      scopes: input.scopes,
      connectionConfig: input.connectionConfig,
      credentialsEnc,
      expiresAt,
      lastVerifiedAt: new Date(),
    })
    await createSyncs(tx, { environmentId: input.environmentId, connectionId: id, connector: input.integration.connector, settings: input.integration.row.syncSettings })
    const view = await q.findConnection(tx, input.environmentId, id)
    return recordEvent(tx, { environmentId: input.environmentId, type: 'connection.created', payload: connectionOut(view!) })
  })
  await enqueueDeliveries(ctx, deliveries)
  try {
    await startInitialSyncs(ctx, input.environmentId, id)
  } catch (err) {
    // The connection is made; its syncs start on schedule. Never fail the connect flow for this.
    ctx.log.warn({ connectionId: id, err: (err as Error).message }, 'initial sync not started')
  }
  return { id, created: true }
}

/**
 * Calls the connector's verify or account-info request with the given credentials.
 * @returns the status and parsed body, so callers can decide validity and read an account label.
 */
export async function callWithCredentials(ctx: AppContext, integration: ResolvedIntegration, credentials: Credentials, config: Record<string, string>, request: { method: string; path: string; json?: unknown }) {
  const base = new URL(renderUrl(integration.baseUrl, config))
  const url = new URL(base.pathname.replace(/\/$/, '') + request.path, base)
  const auth = authenticationFor(integration.connector, credentials)
  for (const [k, v] of Object.entries(auth.query)) url.searchParams.set(k, v)
  // OAuth 1.0a: a signature of this very request (RFC 5849 §3.4.1).
  if (integration.connector.auth.type === 'oauth1') auth.headers.authorization = await oauth1AuthorizationFor(ctx, integration, credentials, { method: request.method, url })
  return ctx.upstream.fetchJson({
    method: request.method,
    url,
    headers: { accept: 'application/json', 'user-agent': 'Patchbay', ...renderHeaders(integration.connector.http.headers, config), ...(request.json === undefined ? {} : { 'content-type': 'application/json' }), ...auth.headers },
    ...(request.json === undefined ? {} : { body: Buffer.from(JSON.stringify(request.json)) }),
    allowPrivate: isLiteralPrivateHost(base),
    timeoutMs: 15_000,
  })
}


/** Best-effort label of the connected account (login, email), from the connector's `accountInfo` request. */
export async function fetchAccountLabel(ctx: AppContext, integration: ResolvedIntegration, credentials: Credentials, config: Record<string, string>): Promise<string | undefined> {
  const { accountInfo, hooks } = integration.connector
  if (!accountInfo) return undefined
  try {
    // A GraphQL `accountInfo` is a POST of its query (Linear's `viewer`); an answer with `errors` has no label.
    const gql = accountInfo.graphql
    const res = await callWithCredentials(ctx, integration, credentials, config, gql ? { method: 'POST', path: accountInfo.path, json: { query: gql.query } } : { method: 'GET', path: accountInfo.path })
    if (res.status !== 200 || (gql && graphqlErrors(res.body))) return undefined
    return hooks.accountLabel?.(res.body)
  } catch (err) {
    ctx.log.warn({ integration: integration.row.key, err: (err as Error).message }, 'account info request failed')
    return undefined
  }
}

/**
 * Creates a connection from credentials an end user typed in (API key, basic, client
 * credentials, a service account key). The credentials are verified with a test request (a token
 * request for the OAuth grants, then the connector's `verify` request if it has one) before anything is stored.
 * @throws {PatchbayError} `invalid_request` for missing/invalid fields; `credentials_invalid` when the provider rejects them.
 */
export async function connectWithForm(
  ctx: AppContext,
  session: SessionPrincipal,
  integration: ResolvedIntegration,
  input: { credentials: Record<string, string>; connectionConfig: Record<string, string>; connectionId?: string | undefined },
): Promise<string> {
  const { connector } = integration
  const auth = connector.auth
  if (auth.type === 'oauth2' || auth.type === 'oauth1') throw new PatchbayError('invalid_request', `${connector.name} connects with OAuth: start an authorization instead`)
  const config = validateConnectionConfig(connector, input.connectionConfig)
  const errors: { path: string; message: string }[] = []
  const values: Record<string, string> = {}
  for (const [name, field] of Object.entries(auth.fields)) {
    const v = input.credentials[name]
    if (v === undefined || v === '') {
      if (field.required) errors.push({ path: `credentials.${name}`, message: `${field.label} is required` })
      continue
    }
    if (field.pattern && !new RegExp(`^(?:${field.pattern})$`).test(v)) errors.push({ path: `credentials.${name}`, message: `${field.label} does not look right` })
    values[name] = v
  }
  for (const name of Object.keys(input.credentials)) if (!(name in auth.fields)) errors.push({ path: `credentials.${name}`, message: 'unknown field' })
  if (errors.length) throw new PatchbayError('invalid_request', 'Invalid credentials', { errors })

  let credentials: Credentials
  let scopes: string[] = []
  if (auth.type === 'oauth2_client_credentials') {
    const client = { clientId: values.clientId ?? '', clientSecret: values.clientSecret ?? '' }
    try {
      const t = await requestClientCredentialsToken(ctx, integration, config, client)
      credentials = { type: 'oauth2_client_credentials', ...client, accessToken: t.accessToken, expiresAt: t.expiresAt }
      scopes = t.scopes
    } catch (err) {
      if (err instanceof PatchbayError) throw err
      throw new PatchbayError('credentials_invalid', `${connector.name} rejected these credentials: ${describeOAuthError(err)}`)
    }
  } else if (auth.type === 'oauth2_jwt_bearer') {
    // Checked before any request: the key file, whose token_uri must be the connector's own token URL
    // (not the vendor's override, which a key file never names), and the subject.
    const key = await parseServiceAccountKey(values.serviceAccountKey ?? '', renderUrl(auth.tokenUrl, config))
    const jwt: JwtBearerCredentials = { type: 'oauth2_jwt_bearer', ...key, subject: parseSubject(values.subject) }
    try {
      const t = await requestJwtBearerToken(ctx, integration, config, jwt)
      credentials = { ...jwt, accessToken: t.accessToken, expiresAt: t.expiresAt }
      scopes = t.scopes
    } catch (err) {
      throw connectError(connector.name, err)
    }
  } else {
    credentials = { type: auth.type, values }
  }
  if ('verify' in auth && auth.verify) {
    const res = await callWithCredentials(ctx, integration, credentials, config, auth.verify)
    if (!auth.verify.okStatus.includes(res.status)) {
      // A provider failure is not the end user's mistake: tell them apart (retry later vs fix the key).
      if (res.status >= 500 || res.status === 429) throw new PatchbayError('upstream_unreachable', `${connector.name} could not check these credentials right now (HTTP ${res.status}); try again later`)
      // A service account's token is fine by now: a 403/404 means the data is not shared with it.
      if (credentials.type === 'oauth2_jwt_bearer' && (res.status === 403 || res.status === 404)) {
        throw new PatchbayError('credentials_invalid', `${connector.name} refused access (HTTP ${res.status}): share it with ${credentials.subject ? `the user ${credentials.subject}` : `the service account ${credentials.clientEmail}`} and check its ID`)
      }
      throw new PatchbayError('credentials_invalid', `${connector.name} rejected these credentials (HTTP ${res.status})`)
    }
  }
  // A service account's connection is labelled with the account (or the user it acts as), which are not secrets.
  const accountLabel = (await fetchAccountLabel(ctx, integration, credentials, config)) ?? (credentials.type === 'oauth2_jwt_bearer' ? (credentials.subject ?? credentials.clientEmail) : undefined)
  return saveConnection(ctx, { environmentId: session.environmentId, integration, endUserId: session.endUserId, credentials, connectionConfig: config, scopes, accountLabel, connectionId: input.connectionId })
}

/** A connection of the environment; with a session, only that end user's. @throws {PatchbayError} `not_found`. */
export async function getConnection(ctx: AppContext, environmentId: string, id: string, session?: SessionPrincipal): Promise<ConnectionView> {
  const c = await q.findConnection(ctx.db, environmentId, id)
  if (!c || (session && (c.endUserId !== session.endUserId || !sessionAllows(session, c.integrationKey)))) throw notFound('Connection', id)
  return c
}

export interface ListConnectionsInput {
  endUserId?: string | undefined
  integration?: string | undefined
  status?: ConnectionStatus | undefined
  cursor?: string | undefined
  limit: number
}

/** A page of connections and the cursor of the next page (null at the end). */
export async function listConnections(ctx: AppContext, environmentId: string, input: ListConnectionsInput): Promise<{ data: ConnectionView[]; nextCursor: string | null }> {
  let endUserId: string | undefined
  if (input.endUserId) {
    const eu = await findEndUserByExternalId(ctx.db, environmentId, input.endUserId)
    if (!eu) return { data: [], nextCursor: null }
    endUserId = eu.id
  }
  let integrationId: string | undefined
  if (input.integration) {
    const row = await findIntegrationByKey(ctx.db, environmentId, input.integration)
    if (!row) return { data: [], nextCursor: null }
    integrationId = row.id
  }
  const rows = await q.listConnections(ctx.db, { environmentId, endUserId, integrationId, status: input.status, afterId: input.cursor, limit: input.limit + 1 })
  return pageOf(rows, input.limit, (r) => r.id)
}

/**
 * Sets a connection's status (e.g. `needs_reauth` after `invalid_grant`) and tells every process.
 * Becoming `needs_reauth` records a `connection.needs_reauth` webhook event in the same transaction.
 */
export async function setStatus(ctx: AppContext, id: string, status: ConnectionStatus, reason: string | null): Promise<void> {
  const deliveries = await inTransaction(ctx.db, async (tx) => {
    const changed = await q.changeConnectionStatus(tx, id, status, reason)
    if (!changed) {
      await q.setConnectionStatus(tx, id, status, reason)
      return []
    }
    if (status !== 'needs_reauth') return []
    const view = await q.findConnection(tx, changed.environmentId, id)
    return view ? recordEvent(tx, { environmentId: changed.environmentId, type: 'connection.needs_reauth', payload: connectionOut(view) }) : []
  })
  await ctx.credentials.changed(id)
  await enqueueDeliveries(ctx, deliveries)
}

/**
 * Deletes a connection. Where the provider has an RFC 7009 revocation endpoint, the refresh
 * token (else the access token) is revoked first; a failed revocation is logged, not fatal.
 * @returns whether the provider confirmed the revocation.
 */
export async function deleteConnection(ctx: AppContext, environmentId: string, id: string, session?: SessionPrincipal): Promise<{ revoked: boolean }> {
  await getConnection(ctx, environmentId, id, session)
  const loaded = await ctx.credentials.get(environmentId, id)
  let revoked = false
  const creds = loaded.credentials
  if (loaded.integration.revocationUrl && creds.type === 'oauth2') {
    try {
      const client = await oauthClientFor(ctx, loaded.integration, loaded.connection.connectionConfig)
      const token = creds.refreshToken ?? creds.accessToken
      const res = await oauth.revocationRequest(client.as, client.client, client.clientAuth, token, { ...client.options, additionalParameters: { token_type_hint: creds.refreshToken ? 'refresh_token' : 'access_token' } })
      await oauth.processRevocationResponse(res)
      revoked = true
    } catch (err) {
      ctx.log.warn({ connectionId: id, err: describeOAuthError(err) }, 'token revocation failed; deleting the connection anyway')
    }
  }
  const deliveries = await inTransaction(ctx.db, async (tx) => {
    const view = await q.findConnection(tx, environmentId, id)
    if (!view) return [] // deleted meanwhile: that deletion reported it
    await q.deleteConnection(tx, id)
    return recordEvent(tx, { environmentId, type: 'connection.deleted', payload: connectionOut(view) })
  })
  await ctx.credentials.changed(id)
  await enqueueDeliveries(ctx, deliveries)
  return { revoked }
}
