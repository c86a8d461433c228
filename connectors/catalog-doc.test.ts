import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CATALOG_DOC, renderCatalog, webhooksOf } from './catalog-doc'
import { getConnector, listConnectors } from './registry'

describe('docs/connectors.md', () => {
  it('is current with the connector definitions (run `npm run docs:connectors` after changing a connector)', () => {
    expect(readFileSync(CATALOG_DOC, 'utf8')).toBe(renderCatalog())
  })

  it('lists every registered connector with its auth, syncs and actions', () => {
    const doc = renderCatalog()
    for (const c of listConnectors()) {
      expect(doc).toContain(`## ${c.name} (\`${c.id}\`)`)
      for (const name of Object.keys(c.syncs)) expect(doc).toContain(`\`${name}\``)
      for (const name of Object.keys(c.actions)) expect(doc).toContain(`\`${name}\``)
    }
  })

  it('says how each connector signs its incoming webhooks, where the secret is and how they are routed', () => {
    expect(webhooksOf(getConnector('slack')!)).toBe(
      'HMAC-SHA256 hex of "v0:" + timestamp + ":" + body in `X-Slack-Signature` (`v0=…`), timestamp `X-Slack-Request-Timestamp` ±300 s · secret: the integration\'s `webhookSecret` · routed by body `team_id` → config `teamId` · event type from body `event.type` · answers `type=url_verification` with `challenge`',
    )
    expect(webhooksOf(getConnector('stripe')!)).toContain("secret: the connection's `webhookSecret` · one URL per connection")
    expect(webhooksOf(getConnector('demo-crm')!)).toBe('—')
  })
})
