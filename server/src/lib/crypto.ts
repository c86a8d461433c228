/**
 * AES-256-GCM primitives (NIST SP 800-38D) with a 96-bit random IV and 128-bit tag.
 * Envelope encryption on top of them lives in `services/secrets.ts`.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { PatchbayError } from './errors'

const b64u = (b: Buffer) => b.toString('base64url')
const unb64u = (s: string) => Buffer.from(s, 'base64url')

/**
 * Encrypts `plaintext` under a 32-byte key, binding `aad` (additional authenticated data, e.g.
 * the row and purpose the ciphertext belongs to, so a ciphertext cannot be moved to another row).
 * @returns `<iv>.<ciphertext+tag>` as base64url.
 */
export function seal(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(aad))
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
  return `${b64u(iv)}.${b64u(ct)}`
}

/**
 * Decrypts what {@link seal} produced.
 * @throws {PatchbayError} `internal` when the key, the AAD or the ciphertext does not match (tampering or wrong key).
 */
export function open(key: Buffer, sealed: string, aad: string): Buffer {
  const [iv, body] = sealed.split('.')
  if (!iv || !body) throw new PatchbayError('internal', 'Malformed ciphertext')
  const raw = unb64u(body)
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, unb64u(iv))
    decipher.setAAD(Buffer.from(aad))
    decipher.setAuthTag(raw.subarray(raw.length - 16))
    return Buffer.concat([decipher.update(raw.subarray(0, raw.length - 16)), decipher.final()])
  } catch {
    throw new PatchbayError('internal', 'A stored secret could not be decrypted (wrong key or corrupted data)')
  }
}

/** A master key with its id: the first 8 hex characters of SHA-256(key), safe to store and log. */
export interface MasterKey {
  id: string
  key: Buffer
}

/**
 * Parses a master key given as base64 or base64url of exactly 32 bytes (`openssl rand -base64 32`).
 * @throws {PatchbayError} `invalid_request` when it is not 32 bytes.
 */
export function parseMasterKey(encoded: string): MasterKey {
  const key = Buffer.from(encoded.trim(), encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64')
  if (key.length !== 32) throw new PatchbayError('invalid_request', 'PATCHBAY_ENCRYPTION_KEY must be 32 bytes encoded in base64')
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 8), key }
}

/** A new random master key, base64-encoded. */
export function generateMasterKey(): string {
  return randomBytes(32).toString('base64')
}
