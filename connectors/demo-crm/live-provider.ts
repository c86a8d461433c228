/**
 * Test-only access to the real demo provider (`server/src/demo/provider/`), so the Demo CRM
 * connector tests can check the definitions against the running API and not only against fixtures.
 *
 * The module is loaded by a computed specifier: the connectors type-check and their fixture tests
 * run even where the provider is not present; the live tests are skipped there.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { extractItems, firstPageUrl, nextPage } from '../pagination'
import type { Connector } from '../schema'
import { paginationOf } from '../testing'

/** The part of `DemoProvider` (server/src/demo/provider/types.ts) these tests use. */
export interface LiveDemo {
  url: string
  apiBaseUrl: string
  authorizationUrl: string
  tokenUrl: string
  revocationUrl: string
  close(): Promise<void>
}

export interface LiveDemoOptions {
  clients: { clientId: string; clientSecret: string; redirectUris: string[]; grantTypes?: ('authorization_code' | 'refresh_token' | 'client_credentials')[] }[]
  apiKeys?: string[]
  contactsPerAccount?: number
}

const providerModule = new URL('../../server/src/demo/provider/index.ts', import.meta.url)

/** Whether the demo provider's source is in this checkout. */
export const demoProviderAvailable = existsSync(fileURLToPath(providerModule))

/** Starts the demo provider on a free port of 127.0.0.1. */
export async function startLiveDemo(options: LiveDemoOptions): Promise<LiveDemo> {
  const mod = (await import(/* @vite-ignore */ providerModule.href)) as { startDemoProvider(o: LiveDemoOptions & { port?: number }): Promise<LiveDemo> }
  return mod.startDemoProvider({ ...options, port: 0 })
}

/**
 * Reads every page of an object from a live API the way the engine will: first page URL, items,
 * next page, until `nextPage` returns `null`.
 * @returns the requests' URLs, the items, and the last response's headers.
 */
export async function fetchAll(
  connector: Connector,
  objectName: string,
  options: { baseUrl: string; headers: Record<string, string>; extraParams?: Record<string, string>; maxPages?: number },
): Promise<{ urls: URL[]; items: unknown[]; lastHeaders: Headers }> {
  const object = connector.objects[objectName]!
  const pagination = paginationOf(connector, objectName)
  const urls: URL[] = []
  const items: unknown[] = []
  let lastHeaders = new Headers()
  let url: URL | null = firstPageUrl(options.baseUrl, { path: object.path, params: { ...object.params, ...options.extraParams } }, pagination)
  while (url) {
    if (urls.length >= (options.maxPages ?? 50)) throw new Error(`pagination did not stop after ${urls.length} pages`)
    urls.push(url)
    const res = await fetch(url, { headers: { ...connector.http.headers, ...options.headers } })
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`)
    const body: unknown = await res.json()
    lastHeaders = res.headers
    const pageItems = extractItems(body, pagination.itemsPath)
    items.push(...pageItems)
    url = nextPage(pagination, { url, body, headers: res.headers, items: pageItems })
  }
  return { urls, items, lastHeaders }
}
