import { describe, expect, it } from 'vitest'
import { grantedScopes, tokensToCredentials } from './oauth-client'

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
  it('reads granted scopes space- or comma-separated, else as requested', () => {
    expect(grantedScopes({ ...base, scope: 'a b' } as never, ['x'])).toEqual(['a', 'b'])
    expect(grantedScopes({ ...base, scope: 'repo,read:user' } as never, ['x'])).toEqual(['repo', 'read:user'])
    expect(grantedScopes(base as never, ['x'])).toEqual(['x'])
  })
})
