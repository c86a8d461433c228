/**
 * The OAuth 1.0a signing glue against RFC 5849's own examples: §3.4.1.1 (signature base string of
 * a request with a query, a form body and repeated, encoded and empty parameters) and §1.2 (the
 * three HMAC-SHA1 signatures of the photos.example.net walk-through, whose secrets the RFC gives).
 * The RFC's examples send no `oauth_version`, so those vectors go through the library's
 * `getBaseString`/`getSignature` with the RFC's protocol parameters; the header tests check what
 * `oauth1Authorization` adds on top.
 */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { baseString as serverBaseString, parseOAuthHeader } from '../../../test/fakes/oauth1-provider'
import { oauth1Authorization, oauth1Signer, parseCredentialsResponse, signingInput } from './oauth1'

/** The library's signature of `request` with fixed protocol parameters (no nonce/timestamp of its own). */
function rfcSignature(consumer: { key: string; secret: string }, request: { method: string; url: URL; form?: URLSearchParams }, oauth: Record<string, string>, tokenSecret?: string) {
  const signer = oauth1Signer(consumer, 'HMAC-SHA1')
  const input = signingInput(request)
  const data = { ...input.data, ...Object.fromEntries(Object.entries(oauth).filter(([k]) => k === 'oauth_callback' || k === 'oauth_verifier')) }
  const protocol = { oauth_consumer_key: consumer.key, ...oauth } as never
  return {
    base: signer.getBaseString({ method: request.method, url: input.url, data: { ...data } }, { ...(protocol as object) } as never),
    signature: signer.getSignature({ method: request.method, url: input.url, data: { ...data } }, tokenSecret, { ...(protocol as object) } as never),
  }
}

describe('OAuth 1.0a signing (RFC 5849 §3.4)', () => {
  it('builds the §3.4.1.1 signature base string: query and form parameters decoded, encoded, sorted by name then value', () => {
    // POST /request?b5=%3D%253D&a3=a&c%40=&a2=r%20b  Host: example.com  body: c2&a3=2+q
    const request = { method: 'POST', url: new URL('http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b'), form: new URLSearchParams('c2&a3=2+q') }
    const { base } = rfcSignature({ key: '9djdj82h48djs9d2', secret: 'unused' }, request, { oauth_token: 'kkk9d7dh3k39sjv7', oauth_signature_method: 'HMAC-SHA1', oauth_timestamp: '137131201', oauth_nonce: '7d8f3e4a' })
    expect(base).toBe(
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7',
    )
  })

  it('normalizes the base string URI (§3.4.1.2): lower-case scheme and host, no default port, no query', () => {
    expect(signingInput({ method: 'GET', url: new URL('HTTP://EXAMPLE.COM:80/r%20v/X?id=123') }).url).toBe('http://example.com/r%20v/X')
    expect(signingInput({ method: 'GET', url: new URL('https://www.example.net:8080/?q=1') }).url).toBe('https://www.example.net:8080/')
  })

  it('reads `+` in a query as a space (form encoding, §3.4.1.3.1), where the library alone would sign a plus sign', () => {
    expect(signingInput({ method: 'GET', url: new URL('https://api.example.com/1/search?query=a+b&x=%2B') }).data).toEqual({ query: 'a b', x: '+' })
  })

  const consumer = { key: 'dpf43f3p2l4k3l03', secret: 'kd94hf93k423kf44' }
  it('signs the §1.2 temporary credentials request (74KNZJeDHnMBp0EMJ9ZHt/XKycU=)', () => {
    const { signature } = rfcSignature(consumer, { method: 'POST', url: new URL('https://photos.example.net/initiate') }, { oauth_signature_method: 'HMAC-SHA1', oauth_timestamp: '137131200', oauth_nonce: 'wIjqoS', oauth_callback: 'http://printer.example.com/ready' })
    expect(signature).toBe('74KNZJeDHnMBp0EMJ9ZHt/XKycU=')
  })

  it('signs the §1.2 token request with the temporary secret and the verifier (gKgrFCywp7rO0OXSjdot/IHF7IU=)', () => {
    const { signature } = rfcSignature(consumer, { method: 'POST', url: new URL('https://photos.example.net/token') }, { oauth_token: 'hh5s93j4hdidpola', oauth_signature_method: 'HMAC-SHA1', oauth_timestamp: '137131201', oauth_nonce: 'walatlh', oauth_verifier: 'hfdp7dh39dks9884' }, 'hdhd0244k9j7ao03')
    expect(signature).toBe('gKgrFCywp7rO0OXSjdot/IHF7IU=')
  })

  it('signs the §1.2 resource request with the token credentials (MdpQcU8iPSUjWoN/UDMsK2sui9I=)', () => {
    const { signature } = rfcSignature(consumer, { method: 'GET', url: new URL('http://photos.example.net/photos?file=vacation.jpg&size=original') }, { oauth_token: 'nnch734d00sl2jdk', oauth_signature_method: 'HMAC-SHA1', oauth_timestamp: '137131202', oauth_nonce: 'chapoH' }, 'pfkkdhi9sl3r4s00')
    expect(signature).toBe('MdpQcU8iPSUjWoN/UDMsK2sui9I=')
    // A wrong token secret gives another signature.
    expect(rfcSignature(consumer, { method: 'GET', url: new URL('http://photos.example.net/photos?file=vacation.jpg&size=original') }, { oauth_token: 'nnch734d00sl2jdk', oauth_signature_method: 'HMAC-SHA1', oauth_timestamp: '137131202', oauth_nonce: 'chapoH' }, 'other').signature).not.toBe('MdpQcU8iPSUjWoN/UDMsK2sui9I=')
  })
})

describe('oauth1Authorization', () => {
  const consumer = { key: 'key', secret: 'consumer secret' }
  const token = { key: 'tok', secret: 'token&secret' }

  it('puts only protocol parameters in the header (§3.5.1), signed over the query and form body, verifiable from the RFC alone', () => {
    for (const method of ['HMAC-SHA1', 'HMAC-SHA256'] as const) {
      const signer = oauth1Signer(consumer, method)
      const request = { method: 'post', url: new URL('https://api.example.com/1/cards?x=1&x=0&q=a+b'), form: new URLSearchParams('name=Card+one&idList=abc&oauth_fake=1') }
      const header = oauth1Authorization(signer, request, token)
      const params = parseOAuthHeader(header)!
      expect(Object.keys(params).sort()).toEqual(['oauth_consumer_key', 'oauth_nonce', 'oauth_signature', 'oauth_signature_method', 'oauth_timestamp', 'oauth_token', 'oauth_version'])
      expect(params).toMatchObject({ oauth_consumer_key: 'key', oauth_token: 'tok', oauth_signature_method: method, oauth_version: '1.0' })
      expect(Math.abs(Number(params.oauth_timestamp) - Date.now() / 1000)).toBeLessThan(5)
      // The server's computation (test/fakes/oauth1-provider.ts, written from the RFC).
      const all: [string, string][] = [...request.url.searchParams, ...request.form, ...Object.entries(params).filter(([k]) => k !== 'oauth_signature')]
      const base = serverBaseString('POST', 'https://api.example.com/1/cards', all)
      const expected = createHmac(method === 'HMAC-SHA1' ? 'sha1' : 'sha256', 'consumer%20secret&token%26secret').update(base).digest('base64')
      expect(params.oauth_signature).toBe(expected)
    }
  })

  it('sends oauth_callback (§2.1) in the header and signs it; uses a new, unguessable nonce each time', () => {
    const signer = oauth1Signer(consumer, 'HMAC-SHA1')
    const a = parseOAuthHeader(oauth1Authorization(signer, { method: 'POST', url: new URL('https://trello.com/1/OAuthGetRequestToken') }, undefined, { oauth_callback: 'https://pb.example/oauth/callback' }))!
    const b = parseOAuthHeader(oauth1Authorization(signer, { method: 'POST', url: new URL('https://trello.com/1/OAuthGetRequestToken') }))!
    expect(a.oauth_callback).toBe('https://pb.example/oauth/callback')
    expect(a.oauth_token).toBeUndefined()
    expect(a.oauth_nonce).not.toBe(b.oauth_nonce)
    expect(a.oauth_nonce).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })
})

describe('parseCredentialsResponse', () => {
  it('reads oauth_token and oauth_token_secret (§2.1, §2.3) and refuses a body without them', () => {
    const { token, params } = parseCredentialsResponse('oauth_token=hh5s93j4hdidpola&oauth_token_secret=hdhd0244k9j7ao03&oauth_callback_confirmed=true\n')
    expect(token).toEqual({ key: 'hh5s93j4hdidpola', secret: 'hdhd0244k9j7ao03' })
    expect(params.get('oauth_callback_confirmed')).toBe('true')
    expect(() => parseCredentialsResponse('oauth_token_secret=x')).toThrow('no oauth_token')
    expect(() => parseCredentialsResponse('oauth_token=x')).toThrow('no oauth_token_secret')
    expect(() => parseCredentialsResponse('<html>error</html>')).toThrow('no oauth_token')
  })
})
