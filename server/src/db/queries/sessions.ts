import { and, eq, isNotNull, isNull, lt, sql } from 'drizzle-orm'
import type { Db } from '../client'
import { connectSessions, endUsers, oauthStates } from '../schema/index'

export type ConnectSessionRow = typeof connectSessions.$inferSelect
export type OAuthStateRow = typeof oauthStates.$inferSelect

export async function insertConnectSession(db: Db, row: typeof connectSessions.$inferInsert): Promise<void> {
  await db.insert(connectSessions).values(row)
}

/** A session by token hash, with its end user's vendor id. Expired sessions are returned too (the caller decides). */
export async function findConnectSessionByTokenHash(db: Db, tokenHash: string) {
  const rows = await db
    .select({ session: connectSessions, endUserExternalId: endUsers.externalId })
    .from(connectSessions)
    .innerJoin(endUsers, eq(endUsers.id, connectSessions.endUserId))
    .where(eq(connectSessions.tokenHash, tokenHash))
    .limit(1)
  return rows[0]
}

export function findConnectSession(db: Db, id: string): Promise<ConnectSessionRow | undefined> {
  return db.query.connectSessions.findFirst({ where: eq(connectSessions.id, id) })
}

export async function insertOAuthState(db: Db, row: typeof oauthStates.$inferInsert): Promise<void> {
  await db.insert(oauthStates).values(row)
}

export function findOAuthStateById(db: Db, id: string): Promise<OAuthStateRow | undefined> {
  return db.query.oauthStates.findFirst({ where: eq(oauthStates.id, id) })
}

/** Binds a pending state to the browser that opened the popup; only once. */
export async function bindOAuthState(db: Db, id: string, browserBindingHash: string): Promise<boolean> {
  const rows = await db
    .update(oauthStates)
    .set({ browserBindingHash })
    .where(and(eq(oauthStates.id, id), isNull(oauthStates.browserBindingHash), isNull(oauthStates.consumedAt)))
    .returning({ id: oauthStates.id })
  return rows.length === 1
}

/**
 * Marks the state with this hash consumed and returns it, or undefined when it does not exist
 * or was already consumed: a state is usable exactly once (RFC 6749 §10.12, RFC 9700 §4.7).
 */
export async function consumeOAuthState(db: Db, stateHash: string): Promise<OAuthStateRow | undefined> {
  const rows = await db
    .update(oauthStates)
    .set({ consumedAt: new Date() })
    .where(and(eq(oauthStates.stateHash, stateHash), isNull(oauthStates.consumedAt)))
    .returning()
  return rows[0]
}

/** Deletes expired sessions and states; returns how many rows went. */
export async function deleteExpiredSessions(db: Db, now = new Date()): Promise<number> {
  const a = await db.delete(oauthStates).where(lt(oauthStates.expiresAt, sql`${now}`)).returning({ id: oauthStates.id })
  const b = await db.delete(connectSessions).where(lt(connectSessions.expiresAt, sql`${new Date(now.getTime() - 86_400_000)}`)).returning({ id: connectSessions.id })
  return a.length + b.length
}

export function findOAuthStateByHash(db: Db, stateHash: string): Promise<OAuthStateRow | undefined> {
  return db.query.oauthStates.findFirst({ where: eq(oauthStates.stateHash, stateHash) })
}

/**
 * The AAD context of a state's `code_verifier_enc`, whichever secret it holds (the PKCE verifier, or
 * OAuth 1.0a's temporary secret): the ciphertext only decrypts for this state, and key rotation
 * re-encrypts both alike.
 */
export const oauthStateSecretContext = (stateId: string) => `${stateId}:code_verifier`

/** Pending states' verifier ciphertexts, for key rotation. */
export function listOAuthStateSecrets(db: Db) {
  return db.select({ id: oauthStates.id, environmentId: oauthStates.environmentId, codeVerifierEnc: oauthStates.codeVerifierEnc }).from(oauthStates)
}

export async function setOAuthStateSecret(db: Db, id: string, codeVerifierEnc: string): Promise<void> {
  await db.update(oauthStates).set({ codeVerifierEnc }).where(eq(oauthStates.id, id))
}

/**
 * OAuth 1.0a, after the temporary credentials request (RFC 5849 §2.1): the state is from now on
 * matched by the hash of the temporary `oauth_token` (the callback carries it instead of `state`)
 * and holds the encrypted temporary secret in `code_verifier_enc`. Only a bound, unconsumed state changes.
 * @returns whether the state was updated.
 */
export async function setOAuth1TemporaryCredentials(db: Db, id: string, stateHash: string, secretEnc: string): Promise<boolean> {
  const rows = await db
    .update(oauthStates)
    .set({ stateHash, codeVerifierEnc: secretEnc })
    .where(and(eq(oauthStates.id, id), isNotNull(oauthStates.browserBindingHash), isNull(oauthStates.consumedAt)))
    .returning({ id: oauthStates.id })
  return rows.length === 1
}
