/**
 * `docs/connectors.md`, generated from the connector definitions: for each connector its auth, the
 * scopes asked for by default, syncs, actions, custom-field discovery and default mappings.
 * `npm run docs:connectors` rewrites the file; `connectors/catalog-doc.test.ts` fails when it is
 * not current, so CI keeps it in step with the code.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { listConnectors } from './registry'
import type { Connector } from './schema'

/** Where the generated file lives. */
export const CATALOG_DOC = fileURLToPath(new URL('../docs/connectors.md', import.meta.url))

const AUTH_NAMES: Record<Connector['auth']['type'], string> = {
  oauth2: 'OAuth 2.0 (authorization code)',
  oauth2_client_credentials: 'OAuth 2.0 (client credentials)',
  oauth2_jwt_bearer: 'OAuth 2.0 (JWT bearer, service account key)',
  api_key: 'API key',
  basic: 'HTTP Basic',
  oauth1: 'OAuth 1.0a (RFC 5849)',
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')
const code = (xs: readonly string[]) => (xs.length ? xs.map((x) => `\`${x}\``).join(', ') : '—')

function authOf(c: Connector): string {
  const a = c.auth
  const extras: string[] = []
  if (a.type === 'oauth2') {
    if (a.pkce) extras.push('PKCE')
    if (a.refreshable) extras.push('refresh tokens')
    if (a.revocationUrl) extras.push('RFC 7009 revocation')
  }
  if (a.type === 'oauth1') extras.push(a.signatureMethod)
  const config = Object.entries(c.connectionConfig).map(([name, f]) => `${name}${f.source === 'token' ? ' (from the token)' : ''}`)
  if (config.length) extras.push(`connection config: ${config.join(', ')}`)
  return `${AUTH_NAMES[a.type]}${extras.length ? ` · ${extras.join(' · ')}` : ''}`
}

/** How a connector's incoming webhooks are signed, where the secret comes from and how they are routed (`connectors/webhooks.ts`). */
export function webhooksOf(c: Connector): string {
  const w = c.webhooks
  if (!w) return '—'
  const s = w.signature
  const part = (p: (typeof s & { type: 'hmac' })['signed'][number]) => (typeof p === 'string' ? (p === 'sortedForm' ? 'the form fields sorted by name' : p) : 'header' in p ? `\`${p.header}\`` : 'url' in p ? `url (${p.url.decode.join(' ')} decoded)` : `"${p.literal}"`)
  const signed =
    s.type === 'token'
      ? `shared token in \`${s.header}\``
      : s.type === 'stripe'
        ? `\`${s.header}: t=…,${s.scheme}=…\` (HMAC-SHA256 hex of \`t.body\`, ±${s.toleranceSeconds} s)`
        : `HMAC-${s.algorithm.toUpperCase()} ${s.encoding} of ${s.signed.map(part).join(' + ')} in \`${s.header}\`${s.prefix ? ` (\`${s.prefix}…\`)` : ''}${s.timestamp ? `, timestamp ${s.timestamp.header ? `\`${s.timestamp.header}\`` : `body \`${s.timestamp.body}\``} ±${s.timestamp.toleranceSeconds} s` : ''}`
  const secret = w.secret.from === 'integration' ? "the integration's `webhookSecret`" : w.secret.from === 'clientSecret' ? "the integration's client secret" : w.secret.from === 'connection' ? "the connection's webhook secret (`PUT /v1/connections/{id}/webhook-secret`)" : `the connection's \`${w.secret.field}\``
  const route = w.route ? `routed by ${'header' in w.route ? `header \`${w.route.header}\`` : `body \`${w.route.body}\``}${w.route.pattern ? ` (\`${w.route.pattern}\`)` : ''} → config \`${w.route.connectionConfig}\`${'body' in w.route && w.route.split ? ', batches split per account' : ''}` : 'one URL per connection'
  const extras = [w.eventType ? `event type from ${'header' in w.eventType ? `header \`${w.eventType.header}\`` : `body \`${w.eventType.body}\``}` : undefined, w.handshake ? `answers \`${w.handshake.when.body}=${String(w.handshake.when.equals)}\` with \`${w.handshake.respond.body}\`${w.handshake.respond.digest ? ` and its HMAC as \`${w.handshake.respond.digest.field}\`` : ''}` : undefined, w.secretHandshake ? ('header' in w.secretHandshake ? `stores the secret of a \`${w.secretHandshake.header}\` handshake (first use)` : `stores the \`${w.secretHandshake.body}\` of a handshake as the integration's secret (first use; revealed once)`) : undefined, w.refusal === 'empty' ? 'refused with a bare 401' : undefined].filter(Boolean)
  return [signed, `secret: ${secret}`, route, ...extras].join(' · ')
}

/** One connector's section. */
function section(c: Connector): string {
  const scopes = 'scopes' in c.auth ? c.auth.scopes : []
  const lines = [`## ${c.name} (\`${c.id}\`)`, '', c.description, '', `- **Categories**: ${c.categories.join(', ')}`, `- **Auth**: ${authOf(c)}`, `- **Default scopes**: ${code(scopes)}`, `- **Base URL**: \`${c.http.baseUrl}\``]
  const syncs = Object.entries(c.syncs).map(([name, s]) => `\`${name}\` (${s.object}, ${s.mode}${s.mode === 'incremental' && (s.updatedSinceParam ?? s.updatedSince) ? ` on \`${s.updatedSinceParam ?? s.updatedSince!.name}\`${s.updatedSince?.format ? ` (templated, ${s.updatedSince.format})` : ''}` : ''}, every ${s.defaultFrequency}${s.fullResyncFrequency ? `, full resync every ${s.fullResyncFrequency}` : ''}${s.deletedWhen ? ', soft deletes' : ''})`)
  lines.push(`- **Syncs**: ${syncs.length ? syncs.join('; ') : '—'}`)
  const actions = Object.entries(c.actions).map(([name, a]) => `\`${name}\` (${a.graphql ? 'GraphQL mutation, ' : ''}${a.method} \`${a.path}\`${a.object ? `, writes ${a.object} records: write-back` : ''})`)
  lines.push(`- **Actions**: ${actions.length ? actions.join('; ') : '—'}`)
  const mappings = Object.entries(c.objects)
    .filter(([, o]) => o.commonModel && o.defaultMapping)
    .map(([name, o]) => `${name} → ${o.commonModel} (${Object.keys(o.defaultMapping!).join(', ')})`)
  lines.push(`- **Default mappings**: ${mappings.length ? mappings.join('; ') : '—'}`)
  lines.push(`- **Custom fields**: ${c.hooks.discoverFields ? 'discovered per connection' : '—'}`)
  lines.push(`- **Webhooks**: ${webhooksOf(c)}`)
  lines.push(`- **Docs**: ${c.docsUrl}`)
  return lines.join('\n')
}

/** The whole document for `connectors` (in id order). */
export function renderCatalog(connectors: readonly Connector[] = listConnectors()): string {
  const sorted = [...connectors].sort((a, b) => a.id.localeCompare(b.id))
  const head = [
    '# Connector catalog',
    '',
    '<!-- Generated from connectors/*/index.ts by `npm run docs:connectors`; CI fails when it is not current. Do not edit by hand. -->',
    '',
    `${sorted.length} connectors. Each cites its provider's documentation for every fact in its source (\`connectors/<id>/index.ts\`) and is tested against the provider's documented responses (\`connectors/<id>/<id>.test.ts\`).`,
    '',
    '| connector | categories | auth | syncs | actions | default mappings |',
    '|---|---|---|---|---|---|',
    ...sorted.map((c) => `| [${cell(c.name)}](#${anchor(c)}) | ${c.categories.join(', ')} | ${AUTH_NAMES[c.auth.type]} | ${Object.keys(c.syncs).length} | ${Object.keys(c.actions).length} | ${Object.values(c.objects).filter((o) => o.defaultMapping).map((o) => o.commonModel).join(', ') || '—'} |`),
    '',
  ]
  return [...head, ...sorted.map(section)].join('\n') + '\n'
}

/** GitHub's heading anchor for a connector's section. */
function anchor(c: Connector): string {
  return `${c.name} (${c.id})`
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(CATALOG_DOC, renderCatalog())
  console.log(`wrote ${CATALOG_DOC}`)
}
