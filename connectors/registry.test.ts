import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { getConnector, listConnectors } from './registry'
import { connectorSchema, placeholders, type Connector, type ConnectorInput } from './schema'

const here = fileURLToPath(new URL('.', import.meta.url))
const folders = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'index.ts')))
  .map((d) => d.name)
  .sort()
const connectors = listConnectors()

describe('registry', () => {
  it('registers every connector folder, under the folder name', async () => {
    expect(folders.length).toBeGreaterThan(0)
    for (const folder of folders) {
      const mod = (await import(`./${folder}/index.ts`)) as { default: Connector }
      expect(getConnector(folder), `connectors/${folder} is not registered`).toBe(mod.default)
      expect(mod.default.id).toBe(folder)
    }
    expect(connectors.map((c) => c.id)).toEqual(folders)
  })

  it('has unique ids, listed in order, and knows nothing else', () => {
    const ids = connectors.map((c) => c.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toEqual([...ids].sort())
    expect(getConnector('nope')).toBeUndefined()
    expect(getConnector('__proto__')).toBeUndefined()
  })

  it('hands out a fresh list each time', () => {
    const list = listConnectors()
    list.pop()
    expect(listConnectors()).toHaveLength(connectors.length)
  })

  it.each(connectors.map((c) => [c.id]))('%s has a test beside it', (id) => {
    expect(existsSync(join(here, id, `${id}.test.ts`))).toBe(true)
  })
})

/** A small valid definition to mutate in the strictness tests. */
const minimal = (): ConnectorInput => ({
  id: 'example',
  name: 'Example',
  description: 'An example.',
  categories: ['other'],
  logo: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>',
  docsUrl: 'https://example.com/docs',
  auth: { type: 'oauth2', authorizationUrl: 'https://example.com/authorize', tokenUrl: 'https://example.com/token' },
  http: { baseUrl: 'https://api.example.com', pagination: { type: 'cursor', cursorParam: 'after', cursorPath: 'next', itemsPath: 'items' } },
  objects: { thing: { path: '/things', fields: { id: { type: 'string', key: true } } } },
})

describe('schema strictness', () => {
  it('accepts the minimal definition', () => {
    expect(connectorSchema.safeParse(minimal()).success).toBe(true)
  })

  it.each([
    ['top level', (c: Record<string, any>) => ({ ...c, colour: 'red' })],
    ['auth', (c: Record<string, any>) => ({ ...c, auth: { ...c.auth, scope: ['x'] } })],
    ['http', (c: Record<string, any>) => ({ ...c, http: { ...c.http, header: {} } })],
    ['pagination', (c: Record<string, any>) => ({ ...c, http: { ...c.http, pagination: { ...c.http.pagination, cursorparam: 'after' } } })],
    ['a field', (c: Record<string, any>) => ({ ...c, objects: { thing: { path: '/things', fields: { id: { type: 'string', key: true, primary: true } } } } })],
  ])('rejects an unknown key in %s', (_where, mutate) => {
    const result = connectorSchema.safeParse(mutate(minimal() as Record<string, any>))
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.code).toBe('unrecognized_keys')
  })

  it('rejects a URL placeholder that connectionConfig does not declare, and accepts a declared one', () => {
    const undeclared = { ...minimal(), http: { ...minimal().http, baseUrl: 'https://{subdomain}.example.com/api' } }
    const result = connectorSchema.safeParse(undeclared)
    expect(result.success).toBe(false)
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: ['http', 'baseUrl'], message: 'placeholder {subdomain} is not declared in connectionConfig' })])
    expect(connectorSchema.safeParse({ ...undeclared, connectionConfig: { subdomain: { label: 'Subdomain' } } }).success).toBe(true)

    const tokenUrl = { ...minimal(), auth: { type: 'oauth2', authorizationUrl: 'https://example.com/authorize', tokenUrl: 'https://{region}.example.com/token' } } as ConnectorInput
    expect(connectorSchema.safeParse(tokenUrl).error?.issues[0]?.path).toEqual(['auth', 'tokenUrl'])
  })

  it('rejects a sync of an unknown object and an object without a key', () => {
    expect(connectorSchema.safeParse({ ...minimal(), syncs: { things: { object: 'thingz', mode: 'full' } } }).success).toBe(false)
    expect(connectorSchema.safeParse({ ...minimal(), objects: { thing: { path: '/things', fields: { id: { type: 'string' } } } } }).success).toBe(false)
  })
})

/**
 * Rules the schema does not (yet) enforce, checked for the shipped connectors. Each would be a
 * superRefine in schema.ts; see the report that came with these connectors.
 */
describe.each(connectors.map((c) => [c.id, c] as const))('%s conventions', (_id, connector) => {
  it('incremental syncs name a declared field as cursor and a query parameter', () => {
    for (const [name, sync] of Object.entries(connector.syncs)) {
      if (sync.mode !== 'incremental') continue
      expect(sync.cursorField, name).toBeDefined()
      expect(sync.updatedSinceParam, name).toBeDefined()
      expect(Object.keys(connector.objects[sync.object]!.fields), name).toContain(sync.cursorField)
    }
  })

  it('sets a page size only together with its parameter', () => {
    for (const pagination of [connector.http.pagination, ...Object.values(connector.objects).map((o) => o.pagination)]) {
      if (!pagination) continue
      expect(pagination.limit === undefined, 'limit without limitParam or the reverse').toBe(pagination.limitParam === undefined)
    }
  })

  it('fills action path placeholders from required input fields', () => {
    for (const [name, action] of Object.entries(connector.actions)) {
      const names = placeholders(action.path)
      if (names.length === 0) continue
      expect(action.input, name).toBeInstanceOf(z.ZodObject)
      const shape = (action.input as z.ZodObject).shape
      for (const p of names) {
        expect(shape[p], `${name}: {${p}}`).toBeDefined()
        expect(shape[p]!.safeParse(undefined).success, `${name}: {${p}} must be required`).toBe(false)
      }
    }
  })

  it('injects only credentials it has', () => {
    const auth = connector.auth
    if (auth.type === 'basic') return
    const available = auth.type === 'oauth2' || auth.type === 'oauth2_client_credentials' ? ['accessToken'] : Object.keys(auth.fields)
    for (const template of [...Object.values(auth.inject.headers), ...Object.values(auth.inject.query)]) {
      for (const p of placeholders(template)) expect(available).toContain(p)
    }
  })

  it('has a small, self-contained SVG logo', () => {
    expect(connector.logo).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="[\d .]+"[^>]*>[\s\S]*<\/svg>$/)
    expect(connector.logo).not.toMatch(/<script|\bon\w+=|href=|url\(/i)
    expect(connector.logo.length).toBeLessThan(2048)
  })

  it('talks to its provider over https (the bundled demo excepted)', () => {
    const urls = [connector.http.baseUrl, connector.docsUrl]
    if (connector.auth.type === 'oauth2') urls.push(connector.auth.authorizationUrl, connector.auth.tokenUrl, ...(connector.auth.revocationUrl ? [connector.auth.revocationUrl] : []))
    for (const url of urls) {
      if (connector.id.startsWith('demo-crm')) expect(new URL(url).hostname).toBe('127.0.0.1')
      else expect(url).toMatch(/^https:\/\//)
    }
  })
})
