/**
 * Google service account connections through the server: the end user pastes a JSON key file in
 * the widget's form (`POST /v1/embed/connections`); Patchbay checks it, signs an assertion,
 * exchanges it at the (fake, 127.0.0.1) Google token endpoint, verifies access, stores the key
 * encrypted, proxies calls with the bearer token, and signs a new assertion when the token expires —
 * once, however many requests find it expired.
 */
import { sql } from 'drizzle-orm'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findConnectionRow } from '../server/src/db/queries/connections'
import { REDACT_PATHS } from '../server/src/lib/logger'
import { decryptCredentials, encryptCredentials, type JwtBearerCredentials } from '../server/src/services/credentials'
import { createTestApp, testDatabases, type TestApp } from '../server/src/testing'
import { generateServiceAccountKey, startFakeGoogle, type FakeGoogle, type TestServiceAccount } from './fakes/google'

const SPREADSHEET = '1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms'

describe.each(testDatabases())('service account connections on $name', (target) => {
  let t: TestApp
  let google: FakeGoogle
  let account: TestServiceAccount
  let token: string
  const logs: string[] = []
  const post = (body: unknown) => t.call('POST', '/v1/embed/connections', { token, body })
  const key = (overrides: Record<string, unknown> = {}) => JSON.stringify({ ...account.keyFile, ...overrides }, null, 2)

  /** Stores the connection's credentials with an access token that expired a minute ago. */
  async function expire(id: string): Promise<void> {
    const row = (await findConnectionRow(t.ctx.db, id))!
    const creds = (await decryptCredentials(t.ctx, row.environmentId, id, row.credentialsEnc)) as JwtBearerCredentials
    const enc = await encryptCredentials(t.ctx, row.environmentId, id, { ...creds, expiresAt: new Date(Date.now() - 60_000).toISOString() })
    await t.ctx.db.execute(sql`update connections set credentials_enc = ${enc}, expires_at = now() - interval '1 minute', credentials_version = credentials_version + 1 where id = ${id}`)
    await t.ctx.credentials.changed(id)
  }

  beforeAll(async () => {
    t = await createTestApp(target)
    t.ctx.log = pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, { write: (line: string) => void logs.push(line) })
    google = await startFakeGoogle()
    account = await generateServiceAccountKey()
    google.addAccount(account)
    const overrides = (baseUrl: string) => ({ baseUrl, tokenUrl: google.tokenUrl })
    await t.call('POST', '/v1/integrations', { body: { key: 'sheets-sa', connectorId: 'google-sheets-service-account', syncSettings: { autoStart: false }, allowMultipleConnections: true, overrides: overrides(`${google.origin}/v4/spreadsheets/{spreadsheetId}`) } })
    await t.call('POST', '/v1/integrations', { body: { key: 'calendar-sa', connectorId: 'google-calendar-service-account', syncSettings: { autoStart: false }, overrides: overrides(`${google.origin}/calendar/v3/calendars/{calendarId}`) } })
    token = ((await (await t.call('POST', '/v1/connect-sessions', { body: { endUser: { id: 'u1' } } })).json()) as { token: string }).token
  })
  afterAll(async () => {
    await google?.close()
    await t?.close()
  })

  it('lists the key as a multi-line field and the delegated user as an optional email field', async () => {
    const catalog = (await (await t.call('GET', '/v1/embed/integrations', { token })).json()) as { data: { key: string; authType: string; credentialFields: { name: string; type: string; required: boolean }[]; connectionConfigFields: { name: string }[] }[] }
    const sheets = catalog.data.find((i) => i.key === 'sheets-sa')!
    expect(sheets.authType).toBe('oauth2_jwt_bearer')
    expect(sheets.credentialFields.map(({ name, type, required }) => ({ name, type, required }))).toEqual([
      { name: 'serviceAccountKey', type: 'textarea', required: true },
      { name: 'subject', type: 'email', required: false },
    ])
    expect(sheets.connectionConfigFields.map((f) => f.name)).toEqual(['spreadsheetId'])
    expect(catalog.data.find((i) => i.key === 'calendar-sa')!.connectionConfigFields.map((f) => f.name)).toEqual(['calendarId'])
  })

  it('connects with a pasted key, keeps the key out of every answer and proxies with the bearer token', async () => {
    const before = google.tokenRequests
    const r = await post({ integration: 'sheets-sa', credentials: { serviceAccountKey: key() }, connectionConfig: { spreadsheetId: SPREADSHEET } })
    expect(r.status).toBe(201)
    const text = await r.text()
    const conn = JSON.parse(text) as { id: string; status: string; accountLabel: string; scopes: string[]; expiresAt: string }
    expect(conn).toMatchObject({ status: 'active', accountLabel: account.clientEmail, scopes: ['https://www.googleapis.com/auth/spreadsheets'] })
    expect(Date.parse(conn.expiresAt)).toBeGreaterThan(Date.now() + 3500_000)
    expect(google.tokenRequests).toBe(before + 1)
    const issued = google.assertions.at(-1)!
    // The verify request (values.get of A1) went out with the new token.
    expect(google.apiTokens.at(-1)).toBe(issued.accessToken)

    const listed = await (await t.call('GET', '/v1/connections')).text()
    const one = await (await t.call('GET', `/v1/connections/${conn.id}`)).text()
    for (const body of [text, listed, one]) {
      expect(body).not.toContain('PRIVATE KEY')
      expect(body).not.toContain(account.privateKeyPem.slice(40, 100))
      expect(body).not.toContain(issued.accessToken)
    }
    const row = await findConnectionRow(t.ctx.db, conn.id)
    expect(row!.credentialsEnc).toMatch(/^pb1:dek_/)
    expect(row!.credentialsEnc).not.toContain('PRIVATE KEY')
    expect(await decryptCredentials(t.ctx, row!.environmentId, row!.id, row!.credentialsEnc)).toEqual({ type: 'oauth2_jwt_bearer', clientEmail: account.clientEmail, privateKey: account.privateKeyPem, privateKeyId: account.privateKeyId, accessToken: issued.accessToken, expiresAt: conn.expiresAt })

    const proxied = await t.call('GET', `/v1/proxy/${conn.id}/values/A1:B1`)
    expect(proxied.status).toBe(200)
    expect(await proxied.json()).toMatchObject({ range: 'Sheet1!A1:B1', values: [['Item', 'Cost']] })
    expect(google.apiTokens.at(-1)).toBe(issued.accessToken)
    expect(google.tokenRequests).toBe(before + 1)
  })

  it('signs one new assertion when the token has expired, however many requests notice it', async () => {
    const r = await post({ integration: 'sheets-sa', credentials: { serviceAccountKey: key() }, connectionConfig: { spreadsheetId: SPREADSHEET } })
    const id = ((await r.json()) as { id: string }).id
    const first = google.assertions.at(-1)!
    await expire(id)
    const row = (await findConnectionRow(t.ctx.db, id))!

    const before = google.tokenRequests
    const responses = await Promise.all(Array.from({ length: 20 }, () => t.call('GET', `/v1/proxy/${id}/values/A1`)))
    expect(responses.map((x) => x.status)).toEqual(Array(20).fill(200))
    expect(google.tokenRequests).toBe(before + 1)
    const renewed = google.assertions.at(-1)!
    expect(renewed.accessToken).not.toBe(first.accessToken)
    expect(renewed.claims.iat).toBeGreaterThanOrEqual(first.claims.iat!)
    expect(google.apiTokens.slice(-20)).toEqual(Array(20).fill(renewed.accessToken))
    const stored = await decryptCredentials(t.ctx, row.environmentId, id, (await findConnectionRow(t.ctx.db, id))!.credentialsEnc)
    expect(stored).toMatchObject({ type: 'oauth2_jwt_bearer', accessToken: renewed.accessToken, privateKeyId: account.privateKeyId })
    expect(Date.parse((stored as { expiresAt: string }).expiresAt)).toBeGreaterThan(Date.now() + 3500_000)
  })

  it('gives the refresh lease back when a renewal fails, so the next request renews at once', async () => {
    const r = await post({ integration: 'sheets-sa', credentials: { serviceAccountKey: key() }, connectionConfig: { spreadsheetId: SPREADSHEET } })
    const id = ((await r.json()) as { id: string }).id
    await expire(id)
    const before = google.tokenRequests
    google.failTokenRequests = 1
    const failed = await t.call('GET', `/v1/proxy/${id}/values/A1`)
    expect(failed.status).toBeGreaterThanOrEqual(500)
    expect(failed.headers.get('patchbay-error')).toBeTruthy()
    expect((await findConnectionRow(t.ctx.db, id))!.refreshLeaseOwner).toBeNull()
    const retried = await t.call('GET', `/v1/proxy/${id}/values/A1`)
    expect(retried.status).toBe(200)
    expect(google.tokenRequests).toBe(before + 2)
  })

  it('marks the connection needs_reauth when Google no longer accepts the key (invalid_grant on renewal)', async () => {
    const doomed = await generateServiceAccountKey('doomed')
    google.addAccount(doomed)
    const r = await post({ integration: 'sheets-sa', credentials: { serviceAccountKey: JSON.stringify(doomed.keyFile) }, connectionConfig: { spreadsheetId: SPREADSHEET } })
    expect(r.status).toBe(201)
    const id = ((await r.json()) as { id: string }).id
    await expire(id)
    google.removeAccount(doomed) // the key was deleted in the Cloud console
    const proxied = await t.call('GET', `/v1/proxy/${id}/values/A1`)
    expect(proxied.status).toBe(409)
    expect(await proxied.json()).toMatchObject({ code: 'reauth_required' })
    expect(await (await t.call('GET', `/v1/connections/${id}`)).json()).toMatchObject({ status: 'needs_reauth', statusReason: expect.stringContaining('invalid_grant') })
  })

  it('refuses a key whose token_uri is not Google’s, before any request', async () => {
    const before = google.tokenRequests
    for (const tokenUri of [google.tokenUrl, 'http://169.254.169.254/token', 'https://evil.example/token']) {
      const r = await post({ integration: 'sheets-sa', credentials: { serviceAccountKey: key({ token_uri: tokenUri }) }, connectionConfig: { spreadsheetId: SPREADSHEET } })
      expect(r.status).toBe(400)
      const body = (await r.json()) as { code: string; errors: { path: string; message: string }[] }
      expect(body.code).toBe('invalid_request')
      expect(body.errors).toEqual([{ path: 'credentials.serviceAccountKey', message: expect.stringContaining('token_uri must be https://oauth2.googleapis.com/token') }])
    }
    expect(google.tokenRequests).toBe(before)
  })

  it('explains bad JSON and a bad PEM under the key field, without echoing the key', async () => {
    const notJson = await post({ integration: 'sheets-sa', credentials: { serviceAccountKey: key().slice(0, 300) }, connectionConfig: { spreadsheetId: SPREADSHEET } })
    expect(notJson.status).toBe(400)
    const a = await notJson.text()
    expect(JSON.parse(a)).toMatchObject({ code: 'invalid_request', errors: [{ path: 'credentials.serviceAccountKey', message: expect.stringMatching(/not JSON/) }] })
    const badPem = await post({ integration: 'sheets-sa', credentials: { serviceAccountKey: key({ private_key: account.privateKeyPem.replace('-----BEGIN PRIVATE KEY-----', '-----BEGIN RSA PRIVATE KEY-----') }) }, connectionConfig: { spreadsheetId: SPREADSHEET } })
    expect(badPem.status).toBe(400)
    const b = await badPem.text()
    expect(JSON.parse(b)).toMatchObject({ code: 'invalid_request', errors: [{ path: 'credentials.serviceAccountKey', message: expect.stringMatching(/PEM/) }] })
    for (const body of [a, b]) expect(body).not.toContain(account.privateKeyPem.slice(40, 100))
    const missing = await post({ integration: 'sheets-sa', credentials: {}, connectionConfig: { spreadsheetId: SPREADSHEET } })
    expect(await missing.json()).toMatchObject({ code: 'invalid_request', errors: [{ path: 'credentials.serviceAccountKey' }] })
  })

  it('reports a key Google rejects as credentials_invalid, and a spreadsheet not shared with the account by its email', async () => {
    const stranger = await generateServiceAccountKey('stranger') // unknown to the fake Google
    const rejected = await post({ integration: 'sheets-sa', credentials: { serviceAccountKey: JSON.stringify(stranger.keyFile) }, connectionConfig: { spreadsheetId: SPREADSHEET } })
    expect(rejected.status).toBe(422)
    expect(await rejected.json()).toMatchObject({ code: 'credentials_invalid', detail: expect.stringContaining('invalid_grant') })
    google.hidden.add('not-shared')
    const hidden = await post({ integration: 'sheets-sa', credentials: { serviceAccountKey: key() }, connectionConfig: { spreadsheetId: 'not-shared' } })
    expect(hidden.status).toBe(422)
    expect(await hidden.json()).toMatchObject({ code: 'credentials_invalid', detail: expect.stringContaining(`share it with the service account ${account.clientEmail}`) })
  })

  it('acts as a delegated user (sub) on a calendar, labelled with that user', async () => {
    const bad = await post({ integration: 'calendar-sa', credentials: { serviceAccountKey: key(), subject: 'not an email' }, connectionConfig: { calendarId: 'primary' } })
    expect(await bad.json()).toMatchObject({ code: 'invalid_request', errors: [{ path: 'credentials.subject' }] })
    const r = await post({ integration: 'calendar-sa', credentials: { serviceAccountKey: key(), subject: 'ada@example.com' }, connectionConfig: { calendarId: 'primary' } })
    expect(r.status).toBe(201)
    const conn = (await r.json()) as { id: string; accountLabel: string }
    expect(conn.accountLabel).toBe('ada@example.com')
    expect(google.assertions.at(-1)!.claims).toMatchObject({ sub: 'ada@example.com', scope: 'https://www.googleapis.com/auth/calendar.events' })
    const events = await t.call('GET', `/v1/proxy/${conn.id}/events?maxResults=5`)
    expect(events.status).toBe(200)
    expect(await events.json()).toMatchObject({ kind: 'calendar#events', summary: 'primary' })
  })

  it('never logged a private key, an assertion or an access token', () => {
    expect(logs.length).toBeGreaterThan(0)
    const all = logs.join('\n')
    expect(all).not.toContain('PRIVATE KEY')
    expect(all).not.toContain(account.privateKeyPem.slice(40, 100))
    for (const seen of google.assertions) {
      expect(all).not.toContain(seen.accessToken)
      expect(all).not.toContain(seen.raw.split('.')[2])
    }
  })
})
