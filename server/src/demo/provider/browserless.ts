/**
 * Drives the demo provider's login and consent pages over plain HTTP, for tests that exercise the
 * whole authorization code flow (RFC 6749 §4.1) without a browser.
 */

/**
 * A minimal cookie jar (RFC 6265 §5.3 storage, §5.4 sending) good enough for one host: keeps
 * name/value/path per host name, honours `Max-Age`/`Expires` deletion, ignores `Domain`/`Secure`.
 */
export class CookieJar {
  readonly #byHost = new Map<string, Map<string, { value: string; path: string; expires: number }>>()

  /** Stores the `Set-Cookie` headers of a response received from `url`. */
  store(url: URL, response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';')
      const eq = pair.indexOf('=')
      if (eq <= 0) continue
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      let path = url.pathname.replace(/\/[^/]*$/, '') || '/'
      let expires = Infinity
      for (const attr of attrs) {
        const [k = '', v = ''] = attr.split('=').map((s) => s.trim())
        if (k.toLowerCase() === 'path' && v.startsWith('/')) path = v
        if (k.toLowerCase() === 'max-age') expires = Date.now() + Number(v) * 1000
        if (k.toLowerCase() === 'expires' && expires === Infinity) expires = Date.parse(v)
      }
      const cookies = this.#byHost.get(url.hostname) ?? new Map()
      this.#byHost.set(url.hostname, cookies)
      if (expires <= Date.now()) cookies.delete(name)
      else cookies.set(name, { value, path, expires })
    }
  }

  /** The `Cookie` header value for a request to `url` (empty string when none apply). */
  header(url: URL): string {
    const now = Date.now()
    const out: string[] = []
    for (const [name, c] of this.#byHost.get(url.hostname) ?? []) {
      const inPath = url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)
      if (c.expires > now && inPath) out.push(`${name}=${c.value}`)
    }
    return out.join('; ')
  }
}

/** Options of {@link authorizeViaHttp}. */
export interface AuthorizeViaHttpOptions {
  /** The full authorization request URL (RFC 6749 §4.1.1), with client_id, redirect_uri, PKCE, state… */
  authorizationUrl: string
  username: string
  password: string
  /** Which consent button to press. */
  decision: 'allow' | 'deny'
  /** Pass one jar to several calls to keep the provider session (a second run then skips login/consent). */
  cookieJar?: CookieJar
  /** Maximum number of HTTP requests before giving up; default 20. */
  maxSteps?: number
}

interface Form {
  action: string
  fields: URLSearchParams
  ids: Set<string>
}

/**
 * Follows redirects from `authorizationUrl`, fills the login form, presses Allow or Deny, and returns
 * the first redirect target that leaves the provider's origin: the client's redirect URI with `code`
 * and `state`, or with `error=access_denied` (RFC 6749 §4.1.2, §4.1.2.1). That URL is never fetched.
 *
 * @throws Error when the credentials are rejected (message includes the page's error), when a page is
 *   neither login nor consent (e.g. the provider's error page for a bad client or redirect_uri), or
 *   after `maxSteps` requests.
 */
export async function authorizeViaHttp(opts: AuthorizeViaHttpOptions): Promise<string> {
  const jar = opts.cookieJar ?? new CookieJar()
  const origin = new URL(opts.authorizationUrl).origin
  let url = new URL(opts.authorizationUrl)
  let body: URLSearchParams | undefined
  let triedLogin = false

  for (let step = 0; step < (opts.maxSteps ?? 20); step++) {
    const headers: Record<string, string> = { accept: 'text/html' }
    const cookie = jar.header(url)
    if (cookie) headers.cookie = cookie
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded'
    const res = await fetch(url, { method: body ? 'POST' : 'GET', headers, body, redirect: 'manual' })
    jar.store(url, res)

    const location = res.headers.get('location')
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel()
      const next = new URL(location, url)
      if (next.origin !== origin) return next.href
      url = next
      body = undefined
      continue
    }

    const html = await res.text()
    const forms = parseForms(html)
    const login = forms.find((f) => f.ids.has('login'))
    const consent = forms.find((f) => f.ids.has(opts.decision))
    if (login) {
      if (triedLogin) throw new Error(`login failed: ${pageError(html) ?? 'login page shown again'}`)
      triedLogin = true
      login.fields.set('username', opts.username)
      login.fields.set('password', opts.password)
      ;[url, body] = [new URL(login.action, url), login.fields]
    } else if (consent) {
      ;[url, body] = [new URL(consent.action, url), consent.fields]
    } else {
      throw new Error(`unexpected page (HTTP ${res.status}) at ${url.pathname}: ${pageError(html) ?? html.slice(0, 200)}`)
    }
  }
  throw new Error('authorizeViaHttp: too many steps')
}

function parseForms(html: string): Form[] {
  const forms: Form[] = []
  for (const [, attrs = '', inner = ''] of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const fields = new URLSearchParams()
    for (const [, input = ''] of inner.matchAll(/<input\b([^>]*)>/gi)) {
      const name = attr(input, 'name')
      if (name) fields.set(name, attr(input, 'value') ?? '')
    }
    const ids = new Set([...inner.matchAll(/\bid="([^"]*)"/gi)].map((m) => m[1] as string))
    forms.push({ action: attr(attrs, 'action') ?? '', fields, ids })
  }
  return forms
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}="([^"]*)"`, 'i').exec(tag)
  return m?.[1] === undefined ? undefined : decodeEntities(m[1])
}

function pageError(html: string): string | undefined {
  const m = /<div class="error"[^>]*>([\s\S]*?)<\/div>/i.exec(html)
  return m?.[1] ? decodeEntities(m[1].replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim() : undefined
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}
