import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { canonicalJson, contentHash } from './canonical-json'

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order, drops undefined members like JSON.stringify', () => {
    expect(canonicalJson({ b: 1, a: [3, { d: 1, c: undefined, b: null }, undefined], e: 'x' })).toBe('{"a":[3,{"b":null,"d":1},null],"b":1,"e":"x"}')
    expect(canonicalJson('é"\n')).toBe(JSON.stringify('é"\n'))
    expect(canonicalJson(null)).toBe('null')
  })
  it('keeps a "__proto__" key that came from JSON as an ordinary key', () => {
    expect(canonicalJson(JSON.parse('{"b":2,"__proto__":{"z":1,"a":0}}'))).toBe('{"__proto__":{"a":0,"z":1},"b":2}')
  })
  it('gives equal text for equal content in any key order', () => {
    expect(canonicalJson(JSON.parse('{"x":{"q":1,"p":[1,2]},"y":true}'))).toBe(canonicalJson(JSON.parse('{"y":true,"x":{"p":[1,2],"q":1}}')))
  })
})

describe('contentHash', () => {
  it('is SHA-256 in base64url', () => {
    expect(contentHash('abc')).toBe(createHash('sha256').update('abc').digest('base64url'))
    expect(contentHash('abc')).toHaveLength(43)
  })
})
