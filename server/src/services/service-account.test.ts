/**
 * Service account keys and the JWT bearer grant (RFC 7523 §2.1) as Google documents them
 * (https://developers.google.com/identity/protocols/oauth2/service-account#httprest). Keys are
 * generated here; the token endpoint is a fake on 127.0.0.1 (`test/fakes/google.ts`).
 */
import * as jose from 'jose'
import * as oauth from 'oauth4webapi'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import sheetsSa from '../../../connectors/google-sheets-service-account/index'
import { generateServiceAccountKey, startFakeGoogle, type FakeGoogle, type TestServiceAccount } from '../../../test/fakes/google'
import type { AppContext } from '../context'
import { PatchbayError } from '../lib/errors'
import type { JwtBearerCredentials } from './credentials'
import type { ResolvedIntegration } from './integrations'
import { connectError, parseServiceAccountKey, parseSubject, requestJwtBearerToken, signAssertion } from './service-account'

const GOOGLE_TOKEN = 'https://oauth2.googleapis.com/token'

/** The field errors of a thrown PatchbayError, or fails. */
async function fieldErrors(p: Promise<unknown>): Promise<{ code: string; errors: { path: string; message: string }[] }> {
  const err = await p.then(
    () => expect.unreachable('expected a PatchbayError'),
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(PatchbayError)
  const e = err as PatchbayError
  return { code: e.code, errors: (e.extra.errors ?? []) as { path: string; message: string }[] }
}

let account: TestServiceAccount
beforeAll(async () => {
  account = await generateServiceAccountKey()
})

describe('parseServiceAccountKey', () => {
  it('keeps the email, PEM and key id of a Google key file', async () => {
    expect(await parseServiceAccountKey(JSON.stringify(account.keyFile, null, 2), GOOGLE_TOKEN)).toEqual({ clientEmail: account.clientEmail, privateKey: account.privateKeyPem, privateKeyId: account.privateKeyId })
  })

  it('accepts a key file without token_uri', async () => {
    const { token_uri: _, ...rest } = account.keyFile
    expect((await parseServiceAccountKey(JSON.stringify(rest), GOOGLE_TOKEN)).clientEmail).toBe(account.clientEmail)
  })

  it('refuses a key whose token_uri is not the connector’s token URL (never follows it)', async () => {
    for (const tokenUri of ['http://169.254.169.254/computeMetadata/v1/', 'https://evil.example/token', 'https://oauth2.googleapis.com/token?x=1', 'https://accounts.google.com/o/oauth2/token']) {
      const { code, errors } = await fieldErrors(parseServiceAccountKey(JSON.stringify({ ...account.keyFile, token_uri: tokenUri }), GOOGLE_TOKEN))
      expect(code).toBe('invalid_request')
      expect(errors).toEqual([{ path: 'credentials.serviceAccountKey', message: expect.stringContaining(`token_uri must be ${GOOGLE_TOKEN}`) }])
    }
  })

  it('explains text that is not JSON without quoting it', async () => {
    const pasted = `{ "type": "service_account", "private_key": "${account.privateKeyPem.slice(0, 80)}`
    const { code, errors } = await fieldErrors(parseServiceAccountKey(pasted, GOOGLE_TOKEN))
    expect(code).toBe('invalid_request')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.path).toBe('credentials.serviceAccountKey')
    expect(errors[0]!.message).toMatch(/not JSON/)
    expect(JSON.stringify(errors)).not.toContain('MII')
  })

  it('names what is missing or wrong in the key file', async () => {
    const cases: [unknown, RegExp][] = [
      [[1, 2], /JSON object/],
      [{ ...account.keyFile, type: 'authorized_user' }, /service_account/],
      [{ ...account.keyFile, client_email: 'not-an-email' }, /client_email/],
      [{ ...account.keyFile, private_key: undefined }, /private_key is missing/],
      [{ ...account.keyFile, private_key_id: 'a b' }, /private_key_id/],
    ]
    for (const [file, message] of cases) {
      const { errors } = await fieldErrors(parseServiceAccountKey(JSON.stringify(file), GOOGLE_TOKEN))
      expect(errors.map((e) => e.message).join(' '), JSON.stringify(file).slice(0, 60)).toMatch(message)
      expect(JSON.stringify(errors)).not.toContain(account.privateKeyPem.slice(40, 80))
    }
  })

  it('refuses a private key that is not a PEM RSA key', async () => {
    const ec = await jose.exportPKCS8((await jose.generateKeyPair('ES256', { extractable: true })).privateKey)
    const mangled = account.privateKeyPem.replace(/[A-Za-z]{20}/, 'AAAAAAAAAAAAAAAAAAAA')
    for (const pem of ['-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n', 'MIIEvQIBADANBg', ec, mangled]) {
      const { errors } = await fieldErrors(parseServiceAccountKey(JSON.stringify({ ...account.keyFile, private_key: pem }), GOOGLE_TOKEN))
      expect(errors).toEqual([{ path: 'credentials.serviceAccountKey', message: expect.stringMatching(/not a PEM-encoded RSA private key/) }])
    }
  })
})

describe('parseSubject', () => {
  it('takes an email address or nothing', async () => {
    expect(parseSubject(undefined)).toBeUndefined()
    expect(parseSubject('')).toBeUndefined()
    expect(parseSubject('ada@example.com')).toBe('ada@example.com')
    const { errors } = await fieldErrors(Promise.resolve().then(() => parseSubject('ada')))
    expect(errors).toEqual([{ path: 'credentials.subject', message: 'must be an email address' }])
  })
})

describe('signAssertion', () => {
  it('signs RS256 with kid = private_key_id and Google’s claims (iss, scope, aud, iat, exp ≤ 1 h)', async () => {
    const now = Date.UTC(2026, 0, 2, 3, 4, 5)
    const jwt = await signAssertion({ clientEmail: account.clientEmail, privateKey: account.privateKeyPem, privateKeyId: account.privateKeyId }, { audience: GOOGLE_TOKEN, scope: 'https://www.googleapis.com/auth/spreadsheets https://www.googleapis.com/auth/drive.readonly', lifetimeSeconds: 3600, now })
    const { payload, protectedHeader } = await jose.jwtVerify(jwt, account.publicKey, { algorithms: ['RS256'], currentDate: new Date(now + 1000) })
    expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT', kid: account.privateKeyId })
    expect(payload).toEqual({ iss: account.clientEmail, aud: GOOGLE_TOKEN, scope: 'https://www.googleapis.com/auth/spreadsheets https://www.googleapis.com/auth/drive.readonly', iat: now / 1000, exp: now / 1000 + 3600 })
  })

  it('adds sub when acting as a user, and is not verified by another key', async () => {
    const jwt = await signAssertion({ clientEmail: account.clientEmail, privateKey: account.privateKeyPem, privateKeyId: account.privateKeyId, subject: 'ada@example.com' }, { audience: GOOGLE_TOKEN, scope: 's', lifetimeSeconds: 600 })
    expect(jose.decodeJwt(jwt)).toMatchObject({ sub: 'ada@example.com', scope: 's' })
    expect(jose.decodeJwt(jwt).exp! - jose.decodeJwt(jwt).iat!).toBe(600)
    const other = await generateServiceAccountKey('other')
    await expect(jose.jwtVerify(jwt, other.publicKey)).rejects.toThrow()
  })
})

describe('requestJwtBearerToken against a fake Google token endpoint', () => {
  let google: FakeGoogle
  const ctx = {} as AppContext
  let integration: ResolvedIntegration
  let credentials: JwtBearerCredentials

  beforeAll(async () => {
    google = await startFakeGoogle()
    google.addAccount(account)
    integration = { row: { key: 'sheets-sa', clientId: null }, connector: sheetsSa, baseUrl: sheetsSa.http.baseUrl, authorizationUrl: undefined, tokenUrl: google.tokenUrl, revocationUrl: undefined, scopes: ['https://www.googleapis.com/auth/spreadsheets'] } as unknown as ResolvedIntegration
    credentials = { type: 'oauth2_jwt_bearer', clientEmail: account.clientEmail, privateKey: account.privateKeyPem, privateKeyId: account.privateKeyId }
  })
  afterAll(() => google?.close())

  it('exchanges a signed assertion for an access token and its expiry', async () => {
    const before = Date.now()
    const t = await requestJwtBearerToken(ctx, integration, { spreadsheetId: 'x' }, credentials)
    expect(google.assertions).toHaveLength(1)
    const seen = google.assertions[0]!
    expect(t.accessToken).toBe(seen.accessToken)
    expect(Date.parse(t.expiresAt!)).toBeGreaterThanOrEqual(before + 3600_000)
    expect(Date.parse(t.expiresAt!)).toBeLessThanOrEqual(Date.now() + 3600_000)
    expect(t.scopes).toEqual(['https://www.googleapis.com/auth/spreadsheets'])
    // The assertion's audience is the token URL the request went to.
    expect(seen.claims).toMatchObject({ iss: account.clientEmail, aud: google.tokenUrl, scope: 'https://www.googleapis.com/auth/spreadsheets' })
    expect(seen.claims.exp! - seen.claims.iat!).toBe(3600)
    expect(seen.header.kid).toBe(account.privateKeyId)
  })

  it('signs a new assertion for every token request (renewal needs no refresh token)', async () => {
    const n = google.assertions.length
    const a = await requestJwtBearerToken(ctx, integration, { spreadsheetId: 'x' }, credentials)
    const b = await requestJwtBearerToken(ctx, integration, { spreadsheetId: 'x' }, { ...credentials, subject: 'ada@example.com' })
    expect(google.assertions).toHaveLength(n + 2)
    expect(a.accessToken).not.toBe(b.accessToken)
    expect(google.assertions.at(-1)!.claims.sub).toBe('ada@example.com')
  })

  it('surfaces Google’s invalid_grant for a key Google does not know, as credentials_invalid on connect', async () => {
    const stranger = await generateServiceAccountKey('stranger')
    const err = await requestJwtBearerToken(ctx, integration, {}, { type: 'oauth2_jwt_bearer', clientEmail: account.clientEmail, privateKey: stranger.privateKeyPem, privateKeyId: stranger.privateKeyId }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(oauth.ResponseBodyError)
    expect((err as oauth.ResponseBodyError).error).toBe('invalid_grant')
    const mapped = connectError('Google Sheets', err)
    expect(mapped.code).toBe('credentials_invalid')
    expect(mapped.message).toContain('Invalid JWT Signature.')
    expect(mapped.message).not.toContain(stranger.privateKeyPem.slice(40, 80))
  })

  it('tells an unreachable token endpoint apart (upstream_unreachable)', async () => {
    const closed = await startFakeGoogle()
    await closed.close()
    const err = await requestJwtBearerToken(ctx, { ...integration, tokenUrl: closed.tokenUrl }, {}, credentials).catch((e: unknown) => e)
    expect(connectError('Google Sheets', err).code).toBe('upstream_unreachable')
  })

  it('refuses plain http to a public host', async () => {
    await expect(requestJwtBearerToken(ctx, { ...integration, tokenUrl: 'http://oauth2.googleapis.com/token' }, {}, credentials)).rejects.toMatchObject({ code: 'invalid_request' })
  })
})
