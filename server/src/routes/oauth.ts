/**
 * The browser-facing OAuth pages: `/oauth/start` (in the popup, binds the browser and redirects
 * to the provider) and `/oauth/callback` (the redirect URI vendors register). The callback page
 * hands the result to the widget with `postMessage` to the widget's origin only — never `'*'`.
 */
import { getCookie, setCookie, deleteCookie } from 'hono/cookie'
import { Hono, type Context } from 'hono'
import { ERROR_CODES, PatchbayError } from '../lib/errors'
import { randomToken } from '../lib/ids'
import { problem } from '../middleware/errors'
import type { AppEnv } from '../middleware/types'
import { beginInBrowser, completeAuthorization, type AuthorizationResult } from '../services/oauth-flow'

export const MESSAGE_TYPE = 'patchbay:oauth-result'

/** JSON safe to embed in a `<script>` element (no `</script>`, no U+2028/9 surprises). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}
const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)

/** The callback page: posts the result to the opener at `origin`, then closes. */
export function callbackPage(result: AuthorizationResult, origin: string | null, nonce: string): string {
  const title = result.ok ? 'Connected' : 'Could not connect'
  const text = result.ok ? 'You can close this window.' : result.message
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;display:grid;place-items:center;min-height:100vh;margin:0;background:#f6f7f9;color:#1f2430}main{background:#fff;padding:2rem 2.5rem;border-radius:12px;box-shadow:0 2px 12px #0001;max-width:28rem;text-align:center}h1{font-size:1.25rem;margin:0 0 .5rem}</style></head>
<body><main><h1>${esc(title)}</h1><p>${esc(text)}</p></main>
<script nonce="${nonce}">(function(){var m=${scriptJson({ type: MESSAGE_TYPE, ...result })};var o=${scriptJson(origin)};
if(window.opener&&o){window.opener.postMessage(m,o);setTimeout(function(){window.close()},${result.ok ? 50 : 1500});}})();</script></body></html>`
}

export const oauthRoutes = new Hono<AppEnv>()
  .get('/oauth/start', async (c) => {
    const state = c.req.query('state')
    if (!state) throw new PatchbayError('oauth_state_invalid', 'Missing state')
    const ctx = c.get('ctx')
    const begun = await beginInBrowser(ctx, state)
    if ('failure' in begun) return resultPage(c, begun.failure.result, begun.failure.openerOrigin)
    const { location, cookie } = begun
    setCookie(c, cookie.name, cookie.value, { path: '/oauth', httpOnly: true, sameSite: 'Lax', secure: ctx.config.publicUrl.startsWith('https:'), maxAge: cookie.maxAgeS })
    c.header('cache-control', 'no-store')
    c.header('referrer-policy', 'no-referrer')
    return c.redirect(location, 302)
  })
  .get('/oauth/callback', async (c) => {
    const ctx = c.get('ctx')
    const { result, openerOrigin, stateId } = await completeAuthorization(ctx, new URL(c.req.url, ctx.config.publicUrl), getCookie(c))
    if (stateId) deleteCookie(c, `pb_oauth_${stateId}`, { path: '/oauth' })
    return resultPage(c, result, openerOrigin)
  })

/**
 * Answers with the outcome of an authorization: the callback page for the widget (HTML), or JSON
 * (a problem document on failure) when the client asks for `application/json` (tests, scripts).
 */
function resultPage(c: Context<AppEnv>, result: AuthorizationResult, openerOrigin: string | null) {
  const nonce = randomToken(16)
  c.header('cache-control', 'no-store')
  c.header('referrer-policy', 'no-referrer')
  c.header('content-security-policy', `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; frame-ancestors 'none'`)
  if (c.req.header('accept')?.includes('application/json')) {
    if (!result.ok) return problem(c, result.code, result.message, { ok: false, message: result.message, openerOrigin })
    return c.json({ ...result, openerOrigin }, 200)
  }
  return c.html(callbackPage(result, openerOrigin, nonce), (result.ok ? 200 : ERROR_CODES[result.code]) as 200)
}
