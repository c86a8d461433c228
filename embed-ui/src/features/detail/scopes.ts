/**
 * OAuth scopes in plain words. The catalog gives only scope strings (`crm.objects.contacts.read`,
 * `read:user`, `contacts.write`); a host can describe any scope exactly through
 * `messages.scopes[scope]`, otherwise one is described from its parts: an action word
 * (read, write…) and the things it applies to.
 */
import { format, type Messages } from '../../messages'

/** Words naming the action, to the `messages.scopes` template used for it. */
const ACTIONS: Record<string, string> = {
  read: 'read', readonly: 'read', view: 'read', get: 'read', list: 'read',
  write: 'write', create: 'write', edit: 'write', update: 'write', manage: 'write', modify: 'write',
  delete: 'delete', remove: 'delete',
  admin: 'admin', full: 'admin', all: 'admin',
}
/** Parts that say nothing to a person (`crm.objects.…`, `https://…/auth/…`). */
const NOISE = new Set(['crm', 'objects', 'object', 'api', 'scope', 'scopes', 'auth', 'https', 'http', 'www', 'com', 'only', 'access'])
const NOUNS: Record<string, string> = { repo: 'repositories', repos: 'repositories', user: 'profile', org: 'organizations', orgs: 'organizations' }

/** One scope, described for a person. */
export function describeScope(scope: string, messages: Messages['scopes']): string {
  const exact = messages[scope]
  if (exact) return exact
  const parts = scope.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean)
  let action = 'access'
  const things: string[] = []
  for (const p of parts) {
    const a = ACTIONS[p]
    if (a) action = a
    else if (!NOISE.has(p)) things.push(NOUNS[p] ?? p)
  }
  if (!things.length) return scope
  return format(messages[action] ?? messages.access ?? '{things}', { things: things.join(' ') })
}
