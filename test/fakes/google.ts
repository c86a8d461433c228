/**
 * A fake of Google's OAuth 2.0 token endpoint for service accounts, plus a sliver of the Sheets and
 * Calendar APIs, on 127.0.0.1. The token endpoint checks an assertion the way Google documents it
 * (https://developers.google.com/identity/protocols/oauth2/service-account#httprest): form-encoded
 * `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=…`, an RS256 JWT signed by a key
 * of the account named in `iss`, `aud` = the token endpoint, `exp` at most one hour after `iat`; it
 * answers like the page's example (`{ access_token, scope, token_type: "Bearer", expires_in }`) or
 * with an OAuth error (`{ "error": "invalid_grant", "error_description": "Invalid JWT Signature." }`).
 *
 * Test keys are generated in the test (never a real key): `generateServiceAccountKey`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as jose from 'jose'

/** A generated service account: its JSON key file (as Google's console downloads one) and public key. */
export interface TestServiceAccount {
  clientEmail: string
  privateKeyId: string
  /** The key file's fields; `JSON.stringify` it to paste. */
  keyFile: Record<string, string>
  privateKeyPem: string
  publicKey: CryptoKey
}

/**
 * A fresh RSA-2048 key pair and a key file in Google's format for it.
 * @param tokenUri the file's `token_uri` (Google's real one by default).
 */
export async function generateServiceAccountKey(name = 'patchbay-test', tokenUri = 'https://oauth2.googleapis.com/token'): Promise<TestServiceAccount> {
  const { publicKey, privateKey } = await jose.generateKeyPair('RS256', { modulusLength: 2048, extractable: true })
  const privateKeyPem = await jose.exportPKCS8(privateKey)
  const clientEmail = `${name}@patchbay-test.iam.gserviceaccount.com`
  const privateKeyId = Buffer.from(crypto.getRandomValues(new Uint8Array(20))).toString('hex')
  return {
    clientEmail,
    privateKeyId,
    privateKeyPem,
    publicKey,
    keyFile: {
      type: 'service_account',
      project_id: 'patchbay-test',
      private_key_id: privateKeyId,
      private_key: privateKeyPem,
      client_email: clientEmail,
      client_id: '123456789012345678901',
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: tokenUri,
    },
  }
}

/** An assertion the fake accepted. */
export interface SeenAssertion {
  header: jose.ProtectedHeaderParameters
  claims: jose.JWTPayload
  /** The access token issued for it. */
  accessToken: string
  /** The JWT as sent. */
  raw: string
}

export interface FakeGoogle {
  /** `http://127.0.0.1:port/token` */
  tokenUrl: string
  /** `http://127.0.0.1:port` */
  origin: string
  /** Every accepted assertion, in order. */
  assertions: SeenAssertion[]
  /** Token requests, accepted or not. */
  tokenRequests: number
  /** The next this-many token requests are answered `503` (an outage at Google). */
  failTokenRequests: number
  /** Bearer tokens seen by the API endpoints, in order. */
  apiTokens: string[]
  /** Accepts assertions of this account from now on. */
  addAccount(account: TestServiceAccount): void
  /** Forgets the account's key (as when it is deleted): its assertions get `invalid_grant`. */
  removeAccount(account: TestServiceAccount): void
  /** Spreadsheet or calendar ids the accounts may not see (answered 403 / 404 as Google does). */
  hidden: Set<string>
  close(): Promise<void>
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
  res.end(JSON.stringify(body))
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** Starts the fake on an ephemeral port of 127.0.0.1. Tokens last `expiresIn` seconds (Google's example: 3600). */
export async function startFakeGoogle(opts: { expiresIn?: number } = {}): Promise<FakeGoogle> {
  const accounts = new Map<string, TestServiceAccount>()
  const issued = new Set<string>()
  const fake: FakeGoogle = {
    tokenUrl: '',
    origin: '',
    assertions: [],
    tokenRequests: 0,
    failTokenRequests: 0,
    apiTokens: [],
    hidden: new Set(),
    addAccount: (a) => void accounts.set(a.clientEmail, a),
    removeAccount: (a) => void accounts.delete(a.clientEmail),
    close: async () => {},
  }

  async function token(req: IncomingMessage, res: ServerResponse) {
    fake.tokenRequests++
    if (fake.failTokenRequests > 0) {
      fake.failTokenRequests--
      return json(res, 503, { error: 'backend_error' })
    }
    const form = new URLSearchParams(await readBody(req))
    if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return json(res, 400, { error: 'invalid_request' })
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return json(res, 400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: ' + form.get('grant_type') })
    const assertion = form.get('assertion') ?? ''
    let iss: string | undefined
    try {
      iss = jose.decodeJwt(assertion).iss
    } catch {
      return json(res, 400, { error: 'invalid_request', error_description: 'Invalid JWT.' })
    }
    const account = iss ? accounts.get(iss) : undefined
    if (!account) return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid grant: account not found' })
    try {
      const { payload, protectedHeader } = await jose.jwtVerify(assertion, account.publicKey, { algorithms: ['RS256'], issuer: account.clientEmail, audience: fake.tokenUrl, requiredClaims: ['iat', 'exp', 'scope'] })
      if (payload.exp! - payload.iat! > 3600) return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.' })
      const accessToken = `ya29.fake-${fake.assertions.length + 1}-${Math.random().toString(36).slice(2)}`
      issued.add(accessToken)
      fake.assertions.push({ header: protectedHeader, claims: payload, accessToken, raw: assertion })
      return json(res, 200, { access_token: accessToken, scope: payload.scope, token_type: 'Bearer', expires_in: opts.expiresIn ?? 3600 })
    } catch {
      return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' })
    }
  }

  function api(req: IncomingMessage, res: ServerResponse, path: string) {
    const auth = req.headers.authorization ?? ''
    const bearer = auth.startsWith('Bearer ') ? auth.slice(7) : ''
    fake.apiTokens.push(bearer)
    if (!issued.has(bearer)) return json(res, 401, { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } })
    // Sheets: /v4/spreadsheets/{id}/values/{range}
    const sheet = /^\/v4\/spreadsheets\/([^/]+)\/values\/([^/?]+)/.exec(path)
    if (sheet) {
      if (fake.hidden.has(decodeURIComponent(sheet[1]!))) return json(res, 403, { error: { code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED' } })
      return json(res, 200, { range: `Sheet1!${decodeURIComponent(sheet[2]!)}`, majorDimension: 'ROWS', values: [['Item', 'Cost']] })
    }
    // Calendar: /calendar/v3/calendars/{id}/events
    const cal = /^\/calendar\/v3\/calendars\/([^/]+)\/events/.exec(path)
    if (cal) {
      if (fake.hidden.has(decodeURIComponent(cal[1]!))) return json(res, 404, { error: { code: 404, message: 'Not Found' } })
      return json(res, 200, { kind: 'calendar#events', summary: decodeURIComponent(cal[1]!), items: [] })
    }
    return json(res, 404, { error: { code: 404, message: 'Not Found' } })
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (req.method === 'POST' && url.pathname === '/token') return void token(req, res).catch(() => json(res, 500, { error: 'internal_failure' }))
    return api(req, res, url.pathname)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  fake.origin = `http://127.0.0.1:${port}`
  fake.tokenUrl = `${fake.origin}/token`
  fake.close = () => new Promise((resolve) => server.close(() => resolve()))
  return fake
}
