import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CATALOG_DOC, renderCatalog } from './catalog-doc'
import { listConnectors } from './registry'

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
})
