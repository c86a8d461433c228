import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { generateMasterKey, open, parseMasterKey, seal } from './crypto'

describe('AES-256-GCM seal/open', () => {
  const key = randomBytes(32)
  it('round-trips and never contains the plaintext', () => {
    const sealed = seal(key, Buffer.from('s3cret-token'), 'conn_1:credentials')
    expect(sealed).not.toContain('s3cret')
    expect(open(key, sealed, 'conn_1:credentials').toString()).toBe('s3cret-token')
  })
  it('uses a fresh IV each time', () => {
    expect(seal(key, Buffer.from('x'), 'a')).not.toBe(seal(key, Buffer.from('x'), 'a'))
  })
  it('rejects another AAD, another key and a flipped bit', () => {
    const sealed = seal(key, Buffer.from('value'), 'conn_1:credentials')
    expect(() => open(key, sealed, 'conn_2:credentials')).toThrow(/could not be decrypted/)
    expect(() => open(randomBytes(32), sealed, 'conn_1:credentials')).toThrow(/could not be decrypted/)
    const [iv, body] = sealed.split('.')
    const raw = Buffer.from(body!, 'base64url')
    raw[0]! ^= 1
    expect(() => open(key, `${iv}.${raw.toString('base64url')}`, 'conn_1:credentials')).toThrow(/could not be decrypted/)
  })
  it('parses master keys and derives a stable id', () => {
    const encoded = generateMasterKey()
    expect(parseMasterKey(encoded).id).toBe(parseMasterKey(encoded).id)
    expect(parseMasterKey(encoded).id).toMatch(/^[0-9a-f]{8}$/)
    expect(() => parseMasterKey('c2hvcnQ=')).toThrow(/32 bytes/)
  })
})
