import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { grantedScopes, jsonTokenRequestFetch, tokensToCredentials } from './oauth-client'

describe('token responses (RFC 6749 §5.1, §6)', () => {
  const base = { access_token: 'at2', token_type: 'bearer' } as const
  it('keeps the previous refresh token when a refresh response omits it (§6)', () => {
    const c = tokensToCredentials({ ...base, expires_in: 60 } as never, { type: 'oauth2', accessToken: 'at1', refreshToken: 'rt1' })
    expect(c.refreshToken).toBe('rt1')
    expect(c.accessToken).toBe('at2')
    expect(Date.parse(c.expiresAt!) - Date.now()).toBeGreaterThan(55_000)
  })
  it('takes a rotated refresh token', () => {
    expect(tokensToCredentials({ ...base, refresh_token: 'rt2' } as never, { type: 'oauth2', accessToken: 'at1', refreshToken: 'rt1' }).refreshToken).toBe('rt2')
  })
  it('has no expiry when expires_in is absent', () => {
    expect(tokensToCredentials(base as never).expiresAt).toBeUndefined()
  })
  it('reads an ISO 8601 expires_at when expires_in is absent (Square), and prefers expires_in', () => {
    // https://developer.squareup.com/reference/square/objects/ObtainTokenResponse: "expires_at … in ISO 8601 format".
    expect(tokensToCredentials({ ...base, expires_at: '2026-12-31T16:15:50Z' } as never).expiresAt).toBe('2026-12-31T16:15:50.000Z')
    expect(tokensToCredentials({ ...base, expires_at: 'soon' } as never).expiresAt).toBeUndefined()
    expect(Date.parse(tokensToCredentials({ ...base, expires_in: 60, expires_at: '2000-01-01T00:00:00Z' } as never).expiresAt!)).toBeGreaterThan(Date.now())
  })
  it('reads granted scopes space- or comma-separated, else as requested', () => {
    expect(grantedScopes({ ...base, scope: 'a b' } as never, ['x'])).toEqual(['a', 'b'])
    expect(grantedScopes({ ...base, scope: 'repo,read:user' } as never, ['x'])).toEqual(['repo', 'read:user'])
    expect(grantedScopes(base as never, ['x'])).toEqual(['x'])
  })
})

describe('JSON token requests (tokenRequestBody: json)', () => {
  it('sends the authorization code grant as a JSON object with the client secret in it', async () => {
    let seen: { type?: string; body: string } = { body: '' }
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        seen = { type: req.headers['content-type'], body }
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ access_token: 'EAAA', token_type: 'bearer', expires_at: '2030-01-01T00:00:00Z', refresh_token: 'EQAA', merchant_id: 'ML2P' }))
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const as = { issuer: 'http://127.0.0.1', token_endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/token` }
      const client = { client_id: 'sq0idp-app' }
      const params = oauth.validateAuthResponse(as, client, new URL('https://patchbay.example/oauth/callback?code=sq0cgb-code&state=st'), 'st')
      const res = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretPost('sq0csp-secret'), params, 'https://patchbay.example/oauth/callback', oauth.nopkce, { [oauth.allowInsecureRequests]: true, [oauth.customFetch]: jsonTokenRequestFetch })
      const tokens = await oauth.processAuthorizationCodeResponse(as, client, res)
      expect(seen.type).toBe('application/json')
      expect(JSON.parse(seen.body)).toEqual({ grant_type: 'authorization_code', code: 'sq0cgb-code', redirect_uri: 'https://patchbay.example/oauth/callback', client_id: 'sq0idp-app', client_secret: 'sq0csp-secret' })
      expect(tokensToCredentials(tokens)).toMatchObject({ accessToken: 'EAAA', refreshToken: 'EQAA', expiresAt: '2030-01-01T00:00:00.000Z' })
    } finally {
      server.close()
    }
  })
})
