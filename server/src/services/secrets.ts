/**
 * Envelope encryption of secrets at rest (credentials, client secrets, PKCE verifiers).
 *
 * A master key (`PATCHBAY_ENCRYPTION_KEY`, never stored in the database) wraps one random data
 * key per environment; the data key encrypts the secrets with AES-256-GCM. Every ciphertext names
 * its data key and every wrapped data key names its master key, so keys rotate without downtime:
 * old keys keep decrypting while `patchbay rotate-keys` re-wraps and re-encrypts.
 * See docs/decisions/0002-key-management.md.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Config } from '../config'
import type { Db } from '../db/client'
import { findActiveDataKey, findDataKey, insertDataKey } from '../db/queries/keys'
import { generateMasterKey, open, parseMasterKey, seal, type MasterKey } from '../lib/crypto'
import { PatchbayError } from '../lib/errors'
import { newId } from '../lib/ids'
import type { Logger } from '../lib/logger'

/** The master keys: `current` wraps new data keys; `byId` also holds previous keys for reading. */
export interface Keyring {
  current: MasterKey
  byId: Map<string, MasterKey>
}

/**
 * Builds the keyring from the configuration. Without `PATCHBAY_ENCRYPTION_KEY` outside
 * production, a key is generated into `<dataDir>/master.key` (mode 0600) with a warning.
 * @throws {PatchbayError} `invalid_request` in production without a key, or for a malformed key.
 */
export function loadKeyring(config: Pick<Config, 'encryptionKey' | 'previousEncryptionKeys' | 'env' | 'dataDir'>, log?: Logger): Keyring {
  let encoded = config.encryptionKey
  if (!encoded) {
    if (config.env === 'production') throw new PatchbayError('invalid_request', 'PATCHBAY_ENCRYPTION_KEY is required in production')
    const file = join(config.dataDir, 'master.key')
    if (!existsSync(file)) {
      mkdirSync(config.dataDir, { recursive: true })
      writeFileSync(file, generateMasterKey() + '\n', { mode: 0o600 })
    }
    encoded = readFileSync(file, 'utf8').trim()
    log?.warn({ file }, 'PATCHBAY_ENCRYPTION_KEY is not set: using a generated development key. Set it in production.')
  }
  const current = parseMasterKey(encoded)
  const byId = new Map([[current.id, current]])
  for (const old of config.previousEncryptionKeys) {
    const k = parseMasterKey(old)
    byId.set(k.id, k)
  }
  return { current, byId }
}

const CIPHERTEXT_PREFIX = 'pb1'
const WRAPPED_PREFIX = 'pbk1'

/** Encrypts and decrypts secrets with per-environment data keys. Data keys are cached unwrapped in memory. */
export class SecretBox {
  private readonly keys = new Map<string, Buffer>()
  private readonly active = new Map<string, string>()

  constructor(
    private readonly db: Db,
    readonly keyring: Keyring,
  ) {}

  /**
   * Encrypts `plaintext` for `environmentId`. `context` (e.g. `conn_123:credentials`) is bound as
   * AAD: the ciphertext only decrypts with the same context.
   * @returns `pb1:<dataKeyId>:<iv>.<ciphertext+tag>`
   */
  async encrypt(environmentId: string, plaintext: string, context: string): Promise<string> {
    const dekId = await this.activeDataKey(environmentId)
    const key = await this.dataKey(dekId)
    return `${CIPHERTEXT_PREFIX}:${dekId}:${seal(key, Buffer.from(plaintext, 'utf8'), `${environmentId}|${context}`)}`
  }

  /**
   * Decrypts a value from {@link encrypt}.
   * @throws {PatchbayError} `internal` when the data key or master key is unknown or the data was altered.
   */
  async decrypt(environmentId: string, ciphertext: string, context: string): Promise<string> {
    const [prefix, dekId, sealed] = ciphertext.split(':')
    if (prefix !== CIPHERTEXT_PREFIX || !dekId || !sealed) throw new PatchbayError('internal', 'Unknown ciphertext format')
    return open(await this.dataKey(dekId), sealed, `${environmentId}|${context}`).toString('utf8')
  }

  /** The id of the data key new ciphertexts of this environment use (created on first use). */
  async activeDataKey(environmentId: string): Promise<string> {
    const cached = this.active.get(environmentId)
    if (cached) return cached
    let row = await findActiveDataKey(this.db, environmentId)
    if (!row) {
      const id = await this.createDataKey(environmentId)
      row = await findActiveDataKey(this.db, environmentId)
      if (!row) throw new PatchbayError('internal', `Data key ${id} was not stored`)
    }
    this.active.set(environmentId, row.id)
    return row.id
  }

  /** Creates a new data key for the environment, wrapped by the current master key. Not yet active unless it is the first. */
  async createDataKey(environmentId: string, active = true): Promise<string> {
    const id = newId('dek')
    const key = randomBytes(32)
    await insertDataKey(this.db, { id, environmentId, wrappedKey: this.wrap(id, key), masterKeyId: this.keyring.current.id, active })
    this.keys.set(id, key)
    return id
  }

  /** Wraps a data key under the current master key. */
  wrap(dekId: string, key: Buffer): string {
    return `${WRAPPED_PREFIX}:${this.keyring.current.id}:${seal(this.keyring.current.key, key, dekId)}`
  }

  /** Unwraps a stored data key with whichever master key wrapped it. */
  unwrap(dekId: string, wrapped: string): Buffer {
    const [prefix, masterId, sealed] = wrapped.split(':')
    const master = masterId ? this.keyring.byId.get(masterId) : undefined
    if (prefix !== WRAPPED_PREFIX || !sealed) throw new PatchbayError('internal', `Data key ${dekId} has an unknown format`)
    if (!master) throw new PatchbayError('internal', `Data key ${dekId} is wrapped by master key ${masterId}, which is not configured (add it to PATCHBAY_PREVIOUS_ENCRYPTION_KEYS)`)
    return open(master.key, sealed, dekId)
  }

  /** Forgets cached keys (after a rotation changed which key is active). */
  clearCache(): void {
    this.keys.clear()
    this.active.clear()
  }

  private async dataKey(id: string): Promise<Buffer> {
    const cached = this.keys.get(id)
    if (cached) return cached
    const row = await findDataKey(this.db, id)
    if (!row) throw new PatchbayError('internal', `Data key ${id} does not exist`)
    const key = this.unwrap(id, row.wrappedKey)
    this.keys.set(id, key)
    return key
  }
}
