/**
 * A fake OAuth 1.0a provider on 127.0.0.1 shaped like Trello (connectors/trello): the three
 * endpoints of RFC 5849 §2 under `/1/OAuth…` and a few REST resources under `/1`.
 *
 * Every request is verified the way a server does it (RFC 5849 §3.2), with code written here from
 * the RFC and not shared with Patchbay's signing (server/src/lib/oauth1.ts): the signature base
 * string from the method, the base URI, the query, a form body and the `Authorization` protocol
 * parameters (§3.4.1), HMAC-SHA1 or HMAC-SHA256 with `consumer secret & token secret` (§3.4.2),
 * a timestamp within five minutes and a nonce never seen before (§3.3). A bad request is answered
 * 401 with the reason, as text.
 *
 * The authorization page (`GET /1/OAuthAuthorizeToken?oauth_token=…&decision=allow|deny`) stands in
 * for the person: it redirects to the callback with `oauth_token` and `oauth_verifier` on `allow`,
 * without a verifier on `deny`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeOAuth1Options {
  consumerKey: string
  consumerSecret: string
  signatureMethod?: 'HMAC-SHA1' | 'HMAC-SHA256'
}

/** A request the fake accepted or refused, for assertions. */
export interface SeenRequest {
  method: string
  path: string
  query: Record<string, string>
  /** The `Authorization` protocol parameters, decoded. */
  oauth: Record<string, string>
  form: Record<string, string>
  /** Why it was refused, or null when accepted. */
  refused: string | null
}

export interface FakeOAuth1Provider {
  url: string
  requestTokenUrl: string
  authorizationUrl: string
  accessTokenUrl: string
  apiBaseUrl: string
  /** Every request, in order. */
  requests: SeenRequest[]
  /** Query parameters of every authorization page request. */
  authorizePages: Record<string, string>[]
  /** Every secret it issued (temporary and token secrets, verifiers), to check none leaks. */
  issuedSecrets: string[]
  /** Token credentials issued so far, by token. */
  accessTokens: Map<string, { secret: string }>
  /** Cards created with POST /1/cards. */
  createdCards: Record<string, string>[]
  /** Makes the next temporary credentials request answer without `oauth_callback_confirmed`. */
  unconfirmedCallbackNext(): void
  /** Makes the next accepted API request (under `/1`, not `/1/OAuth…`) answer `status` with `Retry-After: 0`. */
  failNextApi(status: number): void
  close(): Promise<void>
}

/** RFC 5849 §3.6: RFC 3986 unreserved characters stay, everything else is %XX (upper case). */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** Parses `Authorization: OAuth k="v", …` (RFC 5849 §3.5.1), values percent-decoded; `realm` dropped. */
export function parseOAuthHeader(header: string | undefined): Record<string, string> | null {
  if (!header || !/^OAuth\s/i.test(header)) return null
  const out: Record<string, string> = {}
  for (const m of header.slice(6).matchAll(/([A-Za-z0-9_%.-]+)="([^"]*)"/g)) {
    const name = decodeURIComponent(m[1]!)
    if (name !== 'realm') out[name] = decodeURIComponent(m[2]!)
  }
  return out
}

/** The signature base string (RFC 5849 §3.4.1) of a request as this server received it. */
export function baseString(method: string, baseUri: string, params: [string, string][]): string {
  const normalized = params
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
  return `${method.toUpperCase()}&${rfc3986(baseUri)}&${rfc3986(normalized)}`
}

const CARDS = [
  { id: '5abbe4b7ddc1b351ef961414', name: 'Write the release notes', desc: 'Cover the **breaking** changes', closed: false, idBoard: '5abbe4b7ddc1b351ef961400', idList: '5abbe4b7ddc1b351ef961401', idMembers: ['5abbe4b7ddc1b351ef9614aa'], idLabels: [], url: 'https://trello.com/c/AbCd1234/1-write-the-release-notes', shortUrl: 'https://trello.com/c/AbCd1234', due: null, dueComplete: false, start: null, dateLastActivity: '2026-11-30T09:15:00.000Z' },
  { id: '5abbe4b7ddc1b351ef961415', name: 'Ship 2.0', desc: '', closed: true, idBoard: '5abbe4b7ddc1b351ef961400', idList: '5abbe4b7ddc1b351ef961402', idMembers: ['5abbe4b7ddc1b351ef9614aa'], idLabels: ['5abbe4b7ddc1b351ef9614b0'], url: 'https://trello.com/c/EfGh5678/2-ship-2-0', shortUrl: 'https://trello.com/c/EfGh5678', due: '2026-12-01T17:00:00.000Z', dueComplete: true, start: null, dateLastActivity: '2026-12-01T17:30:00.000Z' },
]
const BOARDS = [{ id: '5abbe4b7ddc1b351ef961400', name: 'Roadmap', desc: 'What we ship next', closed: false, idOrganization: null, url: 'https://trello.com/b/XyZ12345/roadmap', shortUrl: 'https://trello.com/b/XyZ12345', dateLastActivity: '2026-12-01T17:30:00.000Z' }]
const ME = { id: '5abbe4b7ddc1b351ef9614aa', username: 'ada', fullName: 'Ada Lovelace' }

/** Starts the fake on 127.0.0.1 (a free port). */
export async function startFakeOAuth1Provider(opts: FakeOAuth1Options): Promise<FakeOAuth1Provider> {
  const algorithm = (opts.signatureMethod ?? 'HMAC-SHA1') === 'HMAC-SHA256' ? 'sha256' : 'sha1'
  const requests: SeenRequest[] = []
  const authorizePages: Record<string, string>[] = []
  const issuedSecrets: string[] = []
  const nonces = new Set<string>()
  /** Temporary credentials: secret, callback, verifier once authorized, whether used. */
  const temporary = new Map<string, { secret: string; callback: string; verifier?: string; used: boolean }>()
  const accessTokens = new Map<string, { secret: string }>()
  const createdCards: Record<string, string>[] = []
  let unconfirmed = false
  let failNext: number | null = null
  const token = (n: number) => randomBytes(n).toString('hex')

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`

  /**
   * Verifies a signed request (RFC 5849 §3.2) and returns its protocol parameters, or the reason it is refused.
   * `tokenSecretOf` gives the token secret of `oauth_token` (undefined: unknown token), or null when the request must carry no token.
   */
  function verify(req: IncomingMessage, url: URL, body: string, tokenSecretOf: (token: string) => string | undefined | null): { oauth: Record<string, string>; form: [string, string][] } | string {
    const oauth = parseOAuthHeader(req.headers.authorization)
    if (!oauth) return 'no OAuth Authorization header'
    if (oauth.oauth_consumer_key !== opts.consumerKey) return 'unknown consumer key'
    if (oauth.oauth_signature_method !== (opts.signatureMethod ?? 'HMAC-SHA1')) return 'unexpected signature method'
    if (oauth.oauth_version !== undefined && oauth.oauth_version !== '1.0') return 'bad oauth_version'
    const ts = Number(oauth.oauth_timestamp)
    if (!Number.isInteger(ts) || Math.abs(ts - Date.now() / 1000) > 300) return 'stale or missing timestamp'
    if (!oauth.oauth_nonce) return 'no nonce'
    const nonceKey = `${oauth.oauth_timestamp}:${oauth.oauth_nonce}:${oauth.oauth_token ?? ''}`
    if (nonces.has(nonceKey)) return 'nonce used before'
    let tokenSecret = ''
    const expected = tokenSecretOf(oauth.oauth_token ?? '')
    if (expected === null) {
      if (oauth.oauth_token !== undefined) return 'unexpected token'
    } else {
      if (expected === undefined) return 'unknown token'
      tokenSecret = expected
    }
    const isForm = /^application\/x-www-form-urlencoded/i.test(String(req.headers['content-type'] ?? ''))
    const form = isForm ? [...new URLSearchParams(body)] : []
    const params: [string, string][] = [...url.searchParams, ...form, ...Object.entries(oauth).filter(([k]) => k !== 'oauth_signature')]
    const base = baseString(req.method ?? 'GET', `http://${req.headers.host}${url.pathname}`, params)
    const key = `${rfc3986(opts.consumerSecret)}&${rfc3986(tokenSecret)}`
    const mac = createHmac(algorithm, key).update(base).digest()
    const given = Buffer.from(oauth.oauth_signature ?? '', 'base64')
    if (given.length !== mac.length || !timingSafeEqual(given, mac)) return 'invalid signature'
    nonces.add(nonceKey)
    return { oauth, form }
  }

  function handle(req: IncomingMessage, res: ServerResponse, body: string) {
    const url = new URL(req.url ?? '/', origin)
    const seen: SeenRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), oauth: parseOAuthHeader(req.headers.authorization) ?? {}, form: {}, refused: null }
    requests.push(seen)
    const refuse = (why: string) => {
      seen.refused = why
      res.writeHead(401, { 'content-type': 'text/plain' }).end(why)
    }
    const form = (status: number, values: Record<string, string>) => res.writeHead(status, { 'content-type': 'application/x-www-form-urlencoded' }).end(new URLSearchParams(values).toString())
    const json = (value: unknown) => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(value))

    if (req.method === 'GET' && url.pathname === '/1/OAuthAuthorizeToken') {
      authorizePages.push(Object.fromEntries(url.searchParams))
      const t = temporary.get(url.searchParams.get('oauth_token') ?? '')
      if (!t) return res.writeHead(400, { 'content-type': 'text/plain' }).end('unknown request token')
      const to = new URL(t.callback)
      to.searchParams.set('oauth_token', url.searchParams.get('oauth_token')!)
      if (url.searchParams.get('decision') !== 'deny') {
        t.verifier = token(16)
        issuedSecrets.push(t.verifier)
        to.searchParams.set('oauth_verifier', t.verifier)
      }
      return res.writeHead(302, { location: to.toString() }).end()
    }
    if (req.method === 'POST' && url.pathname === '/1/OAuthGetRequestToken') {
      const v = verify(req, url, body, () => null)
      if (typeof v === 'string') return refuse(v)
      const callback = v.oauth.oauth_callback
      if (!callback || !URL.canParse(callback)) return refuse('oauth_callback missing')
      const t = token(16)
      const secret = token(16)
      temporary.set(t, { secret, callback, used: false })
      issuedSecrets.push(secret)
      const answer: Record<string, string> = { oauth_token: t, oauth_token_secret: secret }
      if (!unconfirmed) answer.oauth_callback_confirmed = 'true'
      unconfirmed = false
      return form(200, answer)
    }
    if (req.method === 'POST' && url.pathname === '/1/OAuthGetAccessToken') {
      const v = verify(req, url, body, (t) => temporary.get(t)?.secret)
      if (typeof v === 'string') return refuse(v)
      const t = temporary.get(v.oauth.oauth_token!)!
      if (t.used) return refuse('request token already used')
      if (!t.verifier || v.oauth.oauth_verifier !== t.verifier) return refuse('bad verifier')
      t.used = true
      const access = token(16)
      const secret = token(20)
      accessTokens.set(access, { secret })
      issuedSecrets.push(secret)
      return form(200, { oauth_token: access, oauth_token_secret: secret })
    }
    if (url.pathname.startsWith('/1/')) {
      const v = verify(req, url, body, (t) => accessTokens.get(t)?.secret)
      if (typeof v === 'string') return refuse(v)
      seen.form = Object.fromEntries(v.form)
      if (failNext !== null) {
        const status = failNext
        failNext = null
        return res.writeHead(status, { 'content-type': 'text/plain', 'retry-after': '0' }).end('try again')
      }
      if (req.method === 'GET' && url.pathname === '/1/members/me') return json(ME)
      if (req.method === 'GET' && url.pathname === '/1/members/me/boards') return json(BOARDS)
      if (req.method === 'GET' && url.pathname === '/1/members/me/cards') return json(CARDS)
      if (req.method === 'GET' && url.pathname === '/1/search') return json({ echo: Object.fromEntries(url.searchParams) })
      if (req.method === 'POST' && url.pathname === '/1/cards') {
        const input = Object.fromEntries(v.form)
        createdCards.push(input)
        return json({ ...CARDS[0], id: token(12), name: input.name ?? '', desc: input.desc ?? '', idList: input.idList })
      }
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
  }

  return {
    url: origin,
    requestTokenUrl: `${origin}/1/OAuthGetRequestToken`,
    authorizationUrl: `${origin}/1/OAuthAuthorizeToken`,
    accessTokenUrl: `${origin}/1/OAuthGetAccessToken`,
    apiBaseUrl: `${origin}/1`,
    requests,
    authorizePages,
    issuedSecrets,
    accessTokens,
    createdCards,
    unconfirmedCallbackNext: () => void (unconfirmed = true),
    failNextApi: (status) => void (failNext = status),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
