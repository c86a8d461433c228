/**
 * Connect sessions: short-lived tokens a vendor's backend mints for one end user, which the
 * widget uses against `/v1/embed`. The token is shown once and stored as a SHA-256 hash.
 */
import type { AppContext } from '../context'
import { upsertEndUser } from '../db/queries/end-users'
import { findConnectSessionByTokenHash, insertConnectSession } from '../db/queries/sessions'
import { findIntegrationByKey } from '../db/queries/integrations'
import { PatchbayError } from '../lib/errors'
import { getIntegration, type ResolvedIntegration } from './integrations'
import { hashToken, newId, randomToken } from '../lib/ids'

export const SESSION_TOKEN_PREFIX = 'pb_cs_'
/** Default session lifetime: 30 minutes. */
export const DEFAULT_SESSION_TTL_S = 30 * 60

export interface ConnectSessionInput {
  endUser: { id: string; email?: string | undefined; displayName?: string | undefined }
  allowedIntegrations?: string[] | undefined
  allowedOrigins?: string[] | undefined
  /** Lifetime in seconds (60 … 86 400, default 1 800). */
  ttlSeconds?: number | undefined
}

/** The principal behind a session token. */
export interface SessionPrincipal {
  kind: 'session'
  sessionId: string
  environmentId: string
  endUserId: string
  endUserExternalId: string
  allowedIntegrations: string[] | null
  allowedOrigins: string[] | null
  expiresAt: Date
}

/**
 * Creates a connect session, creating or updating the end user.
 * @returns the token (shown once) and its expiry.
 * @throws {PatchbayError} `invalid_request` when an allowed integration does not exist.
 */
export async function createConnectSession(ctx: AppContext, environmentId: string, input: ConnectSessionInput): Promise<{ token: string; expiresAt: Date; endUserId: string }> {
  for (const key of input.allowedIntegrations ?? []) {
    if (!(await findIntegrationByKey(ctx.db, environmentId, key))) {
      throw new PatchbayError('invalid_request', `Integration ${JSON.stringify(key)} does not exist`, { errors: [{ path: 'allowedIntegrations', message: `unknown integration ${key}` }] })
    }
  }
  const endUser = await upsertEndUser(ctx.db, { id: newId('eu'), environmentId, externalId: input.endUser.id, email: input.endUser.email ?? null, displayName: input.endUser.displayName ?? null })
  const token = `${SESSION_TOKEN_PREFIX}${randomToken(40)}`
  const expiresAt = new Date(Date.now() + (input.ttlSeconds ?? DEFAULT_SESSION_TTL_S) * 1000)
  await insertConnectSession(ctx.db, {
    id: newId('cs'),
    environmentId,
    endUserId: endUser.id,
    tokenHash: hashToken(token),
    allowedIntegrations: input.allowedIntegrations ?? null,
    allowedOrigins: input.allowedOrigins?.map((o) => new URL(o).origin) ?? null,
    expiresAt,
  })
  return { token, expiresAt, endUserId: input.endUser.id }
}

/**
 * Resolves a session token.
 * @throws {PatchbayError} `unauthenticated` for an unknown token; `session_expired` after expiry.
 */
export async function authenticateSession(ctx: AppContext, token: string): Promise<SessionPrincipal> {
  const found = await findConnectSessionByTokenHash(ctx.db, hashToken(token))
  if (!found) throw new PatchbayError('unauthenticated', 'Unknown connect session token')
  const s = found.session
  if (s.expiresAt.getTime() <= Date.now()) throw new PatchbayError('session_expired', 'The connect session has expired; ask the app for a new one')
  return {
    kind: 'session',
    sessionId: s.id,
    environmentId: s.environmentId,
    endUserId: s.endUserId,
    endUserExternalId: found.endUserExternalId,
    allowedIntegrations: s.allowedIntegrations,
    allowedOrigins: s.allowedOrigins,
    expiresAt: s.expiresAt,
  }
}

/**
 * The integration `key` as this session may use it: allowed by the session and enabled.
 * @throws {PatchbayError} `integration_not_allowed`, `not_found`, `invalid_request` (disabled).
 */
export async function sessionIntegration(ctx: AppContext, session: SessionPrincipal, key: string): Promise<ResolvedIntegration> {
  if (!sessionAllows(session, key)) throw new PatchbayError('integration_not_allowed', `This session may not use ${key}`)
  const integration = await getIntegration(ctx, session.environmentId, key)
  if (!integration.row.enabled) throw new PatchbayError('invalid_request', `${integration.connector.name} is disabled`)
  return integration
}

/** Whether the session may use an integration. */
export function sessionAllows(session: SessionPrincipal, integrationKey: string): boolean {
  return !session.allowedIntegrations || session.allowedIntegrations.includes(integrationKey)
}

/**
 * Checks the request's `Origin` against the session's allowed origins.
 * @throws {PatchbayError} `origin_not_allowed` when the session restricts origins and this one (or none) is not among them.
 */
export function checkOrigin(session: SessionPrincipal, origin: string | undefined): void {
  if (!session.allowedOrigins) return
  if (!origin || !session.allowedOrigins.includes(origin)) throw new PatchbayError('origin_not_allowed', `Origin ${origin ?? '(none)'} is not allowed for this connect session`)
}

/**
 * Forgets cached sessions of an end user in this process (after the end user is deleted);
 * other processes drop theirs within the principal cache's TTL (middleware/auth.ts).
 */
export function forgetEndUserSessions(ctx: AppContext, endUserId: string): void {
  for (const [key, entry] of ctx.principals) {
    if ((entry.value as Partial<SessionPrincipal>).endUserId === endUserId) ctx.principals.delete(key)
  }
}
