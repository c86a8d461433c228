import type { IncomingMessage, ServerResponse } from 'node:http'
import type Provider from 'oidc-provider'
import { errors } from 'oidc-provider'
import { checkPassword, DEMO_USERS, findUser } from './accounts.ts'
import { readBody, sendHtml } from './http-util.ts'
import { consentPage, errorPage, loginPage } from './pages.ts'

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>

const ROUTE = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm|abort))?$/

/**
 * Handles the end-user interaction pages that oidc-provider redirects to during the authorization
 * endpoint (RFC 6749 §4.1.1): `GET /interaction/:uid` shows login or consent, `POST …/login` checks
 * the password, `POST …/confirm` grants the requested scopes, `POST …/abort` ends the flow with
 * `error=access_denied` at the client's redirect URI (RFC 6749 §4.1.2.1).
 *
 * @returns `false` when `path` is not an interaction route, so the caller can fall through.
 */
export function createInteractionHandler(provider: Provider) {
  return async function handleInteraction(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const match = ROUTE.exec(path)
    if (!match) return false
    const [, uid, action] = match
    const method = req.method ?? 'GET'
    if ((action === undefined) !== (method === 'GET')) {
      sendHtml(res, 405, errorPage('method_not_allowed', `${method} is not allowed here`))
      return true
    }
    try {
      const details = await provider.interactionDetails(req, res)
      if (details.uid !== uid) throw new errors.SessionNotFound('interaction does not match this browser session')
      const client = await provider.Client.find(String(details.params.client_id))
      const clientName = client?.clientName ?? String(details.params.client_id)

      if (action === undefined) {
        sendHtml(res, 200, render(details, clientName))
      } else if (action === 'login') {
        const form = new URLSearchParams(await readBody(req))
        const username = form.get('username') ?? ''
        const user = checkPassword(username, form.get('password') ?? '')
        if (!user) {
          sendHtml(res, 200, loginPage({ uid: details.uid, clientName, error: 'Wrong username or password.', username, hint: hintUser() }))
        } else {
          await provider.interactionFinished(req, res, { login: { accountId: user.username } }, { mergeWithLastSubmission: false })
        }
      } else if (action === 'confirm') {
        await readBody(req)
        const grantId = await grantRequested(provider, details)
        await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true })
      } else {
        await readBody(req)
        await provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'The user denied the authorization request' },
          { mergeWithLastSubmission: false },
        )
      }
    } catch (err) {
      const e = err as { error?: string; error_description?: string; message?: string; statusCode?: number }
      if (!res.headersSent) sendHtml(res, e.statusCode ?? 500, errorPage(e.error ?? 'server_error', e.error_description ?? e.message))
    }
    return true
  }
}

function hintUser() {
  const first = DEMO_USERS[0] as { username: string; password: string }
  return { username: first.username, password: first.password }
}

function render(details: Interaction, clientName: string): string {
  if (details.prompt.name === 'login') {
    return loginPage({ uid: details.uid, clientName, hint: hintUser() })
  }
  const accountId = details.session?.accountId ?? ''
  const scopes = String(details.params.scope ?? '').split(' ').filter(Boolean)
  return consentPage({ uid: details.uid, clientName, userName: findUser(accountId)?.name ?? accountId, scopes })
}

/**
 * Creates or extends the user's Grant with everything the consent prompt reports as missing: OIDC
 * scopes and claims, and API scopes per resource indicator (RFC 8707 §2).
 */
async function grantRequested(provider: Provider, details: Interaction): Promise<string> {
  if (details.prompt.name !== 'consent') throw new errors.InvalidRequest('no consent is pending for this interaction')
  const accountId = details.session?.accountId
  if (!accountId) throw new errors.SessionNotFound('not signed in')
  const missing = details.prompt.details as {
    missingOIDCScope?: string[]
    missingOIDCClaims?: string[]
    missingResourceScopes?: Record<string, string[]>
  }
  const grant = details.grantId
    ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId: String(details.params.client_id) }))
    : new provider.Grant({ accountId, clientId: String(details.params.client_id) })
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '))
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims)
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '))
  }
  return grant.save()
}
