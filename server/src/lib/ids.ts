import { randomBytes, createHash } from 'node:crypto'

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'

/** `n` random base62 characters (about 5.95 bits each), from the CSPRNG. */
export function randomToken(n: number): string {
  const bytes = randomBytes(n * 2)
  let out = ''
  for (let i = 0; out.length < n && i < bytes.length; i++) {
    const b = bytes[i]!
    if (b < 248) out += ALPHABET[b % 62] // 248 = 4 * 62: no modulo bias
  }
  return out.length === n ? out : out + randomToken(n - out.length)
}

/** A prefixed id such as `conn_3xk2…` (20 base62 chars ≈ 119 bits). */
export function newId(prefix: 'ten' | 'env' | 'key' | 'int' | 'eu' | 'conn' | 'cs' | 'st' | 'dek' | 'whe' | 'evt' | 'whd' | 'wha' | 'sync' | 'run' | 'act' | 'mdl' | 'map'): string {
  return `${prefix}_${randomToken(20)}`
}

/**
 * SHA-256 hex of a high-entropy token (API key, session token). A slow hash is not needed:
 * the tokens carry ≥ 190 bits of randomness, so a fast hash is enough for lookup by hash.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}
