/**
 * An in-process cache of connections with decrypted credentials, so the proxy does not pay a
 * database round trip per request. Every write to a connection sends a NOTIFY on
 * {@link CONNECTION_CHANNEL}; each process drops its entry when it hears one. A TTL bounds
 * staleness should a notification be missed (a dropped listener connection).
 * See docs/decisions/0003-credential-cache.md.
 */
import type { AppContext } from '../context'
import { findConnection, type ConnectionView } from '../db/queries/connections'
import { findIntegrationById } from '../db/queries/integrations'
import { notFound } from '../lib/errors'
import { decryptCredentials, type Credentials } from './credentials'
import { resolveIntegration, type ResolvedIntegration } from './integrations'

export const CONNECTION_CHANNEL = 'patchbay_connection_changed'
/** Longest time an entry is trusted without a notification, ms. */
const TTL_MS = 30_000

/** A connection ready for provider calls. */
export interface LoadedConnection {
  connection: ConnectionView
  integration: ResolvedIntegration
  credentials: Credentials
  loadedAt: number
}

export class CredentialStore {
  private readonly entries = new Map<string, LoadedConnection>()
  private readonly loading = new Map<string, Promise<LoadedConnection>>()
  /** Bumped on every change notification, so a load that raced with a change is not cached. */
  private generation = 0
  private unlisten: (() => Promise<void>) | undefined

  constructor(private readonly ctx: AppContext) {}

  /** Subscribes to change notifications from every process. */
  async start(): Promise<void> {
    this.unlisten = await this.ctx.database.listen(CONNECTION_CHANNEL, (id) => this.drop(id))
  }

  async stop(): Promise<void> {
    await this.unlisten?.()
    this.entries.clear()
  }

  /**
   * The connection `connectionId` of `environmentId`, from cache when fresh.
   * @throws {PatchbayError} `not_found` when it does not exist in that environment.
   */
  async get(environmentId: string, connectionId: string): Promise<LoadedConnection> {
    const hit = this.entries.get(connectionId)
    if (hit && hit.connection.environmentId === environmentId && Date.now() - hit.loadedAt < TTL_MS) return hit
    const key = `${environmentId}/${connectionId}`
    let pending = this.loading.get(key)
    if (!pending) {
      pending = this.load(environmentId, connectionId).finally(() => this.loading.delete(key))
      this.loading.set(key, pending)
    }
    return pending
  }

  /** Drops the entry here and tells the other processes (call after every write to a connection). */
  async changed(connectionId: string): Promise<void> {
    this.drop(connectionId)
    await this.ctx.database.notify(CONNECTION_CHANNEL, connectionId)
  }

  /** Drops every entry of an integration here (its client or overrides changed; other processes' entries expire within the TTL). */
  invalidateIntegration(integrationId: string): void {
    this.generation++
    for (const [id, e] of this.entries) if (e.connection.integrationId === integrationId) this.entries.delete(id)
  }

  /** Forgets every cached connection (their integration's connector changed). */
  clear(): void {
    this.generation++
    this.entries.clear()
  }

  private drop(connectionId: string): void {
    this.generation++
    this.entries.delete(connectionId)
  }

  private async load(environmentId: string, connectionId: string): Promise<LoadedConnection> {
    const generation = this.generation
    const connection = await findConnection(this.ctx.db, environmentId, connectionId)
    if (!connection) throw notFound('Connection', connectionId)
    const row = await findIntegrationById(this.ctx.db, connection.integrationId)
    if (!row) throw notFound('Connection', connectionId)
    const entry: LoadedConnection = {
      connection,
      integration: resolveIntegration(row),
      credentials: await decryptCredentials(this.ctx, environmentId, connectionId, connection.credentialsEnc),
      loadedAt: Date.now(),
    }
    if (generation === this.generation) this.entries.set(connectionId, entry)
    return entry
  }
}
