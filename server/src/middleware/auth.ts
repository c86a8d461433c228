/**
 * Authentication middleware. Secret API keys (`pb_sk_…`) for the vendor's backend, connect
 * session tokens (`pb_cs_…`) for the widget, both as `Authorization: Bearer …`.
 * Lookups are cached in memory by token hash for a few seconds so hot paths (the proxy) do not
 * pay a database round trip per request; a revoked key stops working within {@link PRINCIPAL_TTL_MS}.
 */
import type { MiddlewareHandler } from 'hono'
import { PatchbayError } from '../lib/errors'
import { hashToken } from '../lib/ids'
import { authenticateSession, checkOrigin, SESSION_TOKEN_PREFIX, type SessionPrincipal } from '../services/connect-sessions'
import { authenticateSecretKey, type SecretKeyPrincipal } from '../services/tenants'
import type { AppContext } from '../context'
import type { AppEnv } from './types'

export const PRINCIPAL_TTL_MS = 10_000

function bearer(header: string | undefined): string {
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null
  if (!m) throw new PatchbayError('unauthenticated', 'Send the key as "Authorization: Bearer <key>"')
  return m[1]!
}

async function cached<T>(ctx: AppContext, token: string, load: () => Promise<T>, until: (v: T) => number): Promise<T> {
  const key = hashToken(token)
  const hit = ctx.principals.get(key)
  if (hit && hit.until > Date.now()) return hit.value as T
  const value = await load()
  ctx.principals.set(key, { value, until: Math.min(Date.now() + PRINCIPAL_TTL_MS, until(value)) })
  if (ctx.principals.size > 50_000) ctx.principals.clear()
  return value
}

/** Requires a secret API key; sets `c.var.secret`. */
export const requireSecretKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const ctx = c.get('ctx')
  const token = bearer(c.req.header('authorization'))
  if (token.startsWith(SESSION_TOKEN_PREFIX)) throw new PatchbayError('forbidden', 'A connect session token cannot call the backend API; use a secret key')
  c.set('secret', await cached<SecretKeyPrincipal>(ctx, token, () => authenticateSecretKey(ctx, token), () => Infinity))
  await next()
}

/** Requires a connect session token from an allowed origin; sets `c.var.session`. */
export const requireSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  const ctx = c.get('ctx')
  const token = bearer(c.req.header('authorization'))
  if (token.startsWith('pb_sk_')) throw new PatchbayError('forbidden', 'The widget API takes a connect session token, never a secret key')
  const session = await cached<SessionPrincipal>(ctx, token, () => authenticateSession(ctx, token), (s) => s.expiresAt.getTime())
  if (session.expiresAt.getTime() <= Date.now()) throw new PatchbayError('session_expired', 'The connect session has expired; ask the app for a new one')
  checkOrigin(session, c.req.header('origin'))
  c.set('session', session)
  await next()
}
