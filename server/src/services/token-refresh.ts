/**
 * Access token refresh (RFC 6749 §6) — exactly one refresh at a time per connection, across
 * every process sharing the database.
 *
 * The guard is a lease on the connection row taken by compare-and-swap (`refresh_lease_until`),
 * not an in-memory lock, and the credentials carry a version. A caller that decides a refresh
 * is due remembers the version it saw; whoever takes the lease first refreshes and bumps the
 * version; everyone else waits for the version to change and uses the new token. A caller that
 * gets the lease after someone else already refreshed (version moved on) does not refresh again.
 * The HTTP call happens outside any transaction (PGlite has one session).
 * See docs/decisions/0004-token-refresh.md.
 */
import * as oauth from 'oauth4webapi'
import type { AppContext } from '../context'
import { acquireRefreshLease, findConnectionRow, releaseRefreshLease, storeRefreshedCredentials, type ConnectionRow } from '../db/queries/connections'
import { PatchbayError } from '../lib/errors'
import { randomToken } from '../lib/ids'
import { decryptCredentials, encryptCredentials, expiryOf, type Credentials, type OAuth2Credentials } from './credentials'
import type { LoadedConnection } from './credential-store'
import { setStatus } from './connections'
import { describeOAuthError, isInvalidGrant, oauthClientFor, requestClientCredentialsToken, tokenResponseOptions, tokensToCredentials } from './oauth-client'
import { requestJwtBearerToken } from './service-account'

/** How long a refresh lease lasts if its holder dies mid-refresh, ms. */
const LEASE_MS = 30_000
/** How often a waiting caller re-reads the row, ms. */
const POLL_MS = 25
/** How long a caller waits for someone else's refresh before giving up, ms. */
const WAIT_MS = 35_000

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Whether these credentials can be refreshed at all. */
export function isRefreshable(loaded: LoadedConnection): boolean {
  const c = loaded.credentials
  if (c.type === 'oauth2_client_credentials' || c.type === 'oauth2_jwt_bearer') return true
  return c.type === 'oauth2' && !!c.refreshToken && loaded.integration.connector.auth.type === 'oauth2' && loaded.integration.connector.auth.refreshable
}

/** Whether the access token expires within the configured margin. */
export function needsRefresh(ctx: AppContext, credentials: Credentials, now = Date.now()): boolean {
  const exp = expiryOf(credentials)
  return exp !== undefined && exp - now <= ctx.config.refreshMarginMs
}

/**
 * Returns credentials that are fresh: refreshes when `force` (after a 401) or when the token
 * expires within the margin. Concurrent callers in this process share one promise; callers in
 * other processes are serialized by the database lease.
 * @throws {PatchbayError} `reauth_required` after `invalid_grant` (the connection is then `needs_reauth`);
 *   `upstream_unreachable` when the token endpoint cannot be reached.
 */
export async function ensureFreshCredentials(ctx: AppContext, loaded: LoadedConnection, force = false): Promise<LoadedConnection> {
  if (!force && !needsRefresh(ctx, loaded.credentials)) return loaded
  if (!isRefreshable(loaded)) {
    if (force || loaded.credentials.type === 'oauth2') {
      await markNeedsReauth(ctx, loaded.connection.id, 'The access token expired and cannot be refreshed')
      throw new PatchbayError('reauth_required', 'The connection needs to be authorized again')
    }
    return loaded
  }
  const id = loaded.connection.id
  let pending = ctx.refreshes.get(id) as Promise<void> | undefined
  if (!pending) {
    pending = refreshOnce(ctx, loaded).finally(() => ctx.refreshes.delete(id))
    ctx.refreshes.set(id, pending)
  }
  await pending
  return ctx.credentials.get(loaded.connection.environmentId, id)
}

async function refreshOnce(ctx: AppContext, loaded: LoadedConnection): Promise<void> {
  const id = loaded.connection.id
  const seenVersion = loaded.connection.credentialsVersion
  const owner = `${ctx.instanceId}-${randomToken(6)}`
  const deadline = Date.now() + WAIT_MS
  while (Date.now() < deadline) {
    const row = await acquireRefreshLease(ctx.db, id, owner, LEASE_MS)
    if (row) {
      if (row.credentialsVersion !== seenVersion || row.status !== 'active') {
        // Someone refreshed (or re-authorized, or revoked) since we looked: use what is stored.
        await releaseRefreshLease(ctx.db, id, owner)
        await ctx.credentials.changed(id)
        if (row.status === 'needs_reauth') throw new PatchbayError('reauth_required', 'The connection needs to be authorized again')
        return
      }
      return performRefresh(ctx, loaded, row, owner)
    }
    await sleep(POLL_MS)
    const current = await findConnectionRow(ctx.db, id)
    if (!current) throw new PatchbayError('not_found', `Connection ${id} was deleted`)
    if (current.credentialsVersion !== seenVersion) {
      await ctx.credentials.changed(id)
      return
    }
    if (current.status === 'needs_reauth') throw new PatchbayError('reauth_required', 'The connection needs to be authorized again')
  }
  throw new PatchbayError('upstream_unreachable', 'Timed out waiting for a token refresh in another process')
}

async function performRefresh(ctx: AppContext, loaded: LoadedConnection, row: ConnectionRow, owner: string): Promise<void> {
  const { integration, connection } = loaded
  const env = connection.environmentId
  const stored = await decryptCredentials(ctx, env, row.id, row.credentialsEnc)
  let next: Credentials
  try {
    if (stored.type === 'oauth2_client_credentials' || stored.type === 'oauth2_jwt_bearer') {
      // No refresh token (RFC 6749 §4.4.3, RFC 7523 §2.1): the grant itself, again, is the renewal.
      const t = stored.type === 'oauth2_client_credentials' ? await requestClientCredentialsToken(ctx, integration, row.connectionConfig, stored) : await requestJwtBearerToken(ctx, integration, row.connectionConfig, stored)
      next = { ...stored, accessToken: t.accessToken, expiresAt: t.expiresAt }
    } else if (stored.type === 'oauth2' && stored.refreshToken) {
      const client = await oauthClientFor(ctx, integration, row.connectionConfig)
      const res = await oauth.refreshTokenGrantRequest(client.as, client.client, client.clientAuth, stored.refreshToken, client.options)
      next = tokensToCredentials(await oauth.processRefreshTokenResponse(client.as, client.client, res, tokenResponseOptions(integration.connector.auth)), stored as OAuth2Credentials)
    } else {
      await markNeedsReauth(ctx, row.id, 'No refresh token is stored')
      throw new PatchbayError('reauth_required', 'The connection needs to be authorized again')
    }
  } catch (err) {
    // Whatever failed, the lease goes back at once: others must not wait out LEASE_MS for a refresh that is not happening.
    await releaseRefreshLease(ctx.db, row.id, owner)
    if (err instanceof PatchbayError) throw err
    if (isInvalidGrant(err)) {
      // Another process may have rotated the refresh token a moment ago: re-read before giving up.
      const again = await findConnectionRow(ctx.db, row.id)
      if (again && again.credentialsVersion !== row.credentialsVersion) {
        await ctx.credentials.changed(row.id)
        return
      }
      await markNeedsReauth(ctx, row.id, `The provider rejected the refresh token (${describeOAuthError(err)})`)
      throw new PatchbayError('reauth_required', 'The connection needs to be authorized again')
    }
    ctx.log.warn({ connectionId: row.id, err: describeOAuthError(err) }, 'token refresh failed')
    throw new PatchbayError('upstream_unreachable', `Token refresh failed: ${describeOAuthError(err)}`)
  }
  const expiresAt = 'expiresAt' in next && next.expiresAt ? new Date(next.expiresAt) : null
  const ok = await storeRefreshedCredentials(ctx.db, row.id, owner, row.credentialsVersion, {
    credentialsEnc: await encryptCredentials(ctx, env, row.id, next),
    expiresAt,
  })
  if (!ok) ctx.log.error({ connectionId: row.id }, 'refreshed credentials were not stored: the lease was lost (refresh took longer than the lease)')
  ctx.log.info({ connectionId: row.id }, 'access token refreshed')
  await ctx.credentials.changed(row.id)
}

export async function markNeedsReauth(ctx: AppContext, id: string, reason: string): Promise<void> {
  await setStatus(ctx, id, 'needs_reauth', reason)
  ctx.log.info({ connectionId: id, reason }, 'connection needs re-authorization')
}
