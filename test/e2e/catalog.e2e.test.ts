/**
 * The widget's catalog as `npm start` shows it: a Patchbay server seeded by the demo itself
 * (`startDemo`: demo tenant, Demo CRM integrations, one integration per shipped connector), the
 * demo's Acme CRM host app and headless Chromium. Every shipped connector is listed with its logo
 * and description; search and category filters narrow the list; OAuth ones are unavailable until
 * the vendor sets its client; a restart of the demo leaves the catalog as it was.
 * (PGlite only: see harness.ts.)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { listConnectors } from '../../connectors/registry'
import { categoryName } from '../../embed-ui/src/features/integration-state'
import { fold } from '../../embed-ui/src/fold'
import { defaultMessages } from '../../embed-ui/src/messages'
import { Patchbay } from '../../sdk/src/index'
import { loadConfig } from '../../server/src/config'
import { testDatabases } from '../../server/src/db/testing'
import { needsVendorClient } from '../../server/src/demo/catalog'
import { startDemo, type Demo } from '../../server/src/demo/seed'
import { generateMasterKey } from '../../server/src/lib/crypto'
import { startServer, type RunningServer } from '../../server/src/server'
import { describeInBrowser, ensureWidgetBuilt, freePort, launchBrowser, newContext, SCREENSHOTS, shot } from './harness'

describeInBrowser('the demo’s widget catalog: every shipped connector', () => {
  const connectors = listConnectors()
  let dataDir: string
  let drop: () => Promise<void>
  let patchbay: RunningServer
  let demo: Demo
  let browser: Browser
  let sdk: Patchbay
  const errors: string[][] = []
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    const built = ensureWidgetBuilt()
    dataDir = mkdtempSync(join(tmpdir(), 'patchbay-catalog-e2e-'))
    const db = await testDatabases()[0]!.open()
    drop = db.drop
    const port = await freePort()
    const config = loadConfig({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      PATCHBAY_ENCRYPTION_KEY: generateMasterKey(),
      PATCHBAY_DATA_DIR: dataDir,
      PATCHBAY_DEMO_PROVIDER_PORT: '0',
      PATCHBAY_DEMO_APP_PORT: '0',
      LOG_LEVEL: 'silent',
    })
    patchbay = await startServer(config, { database: db.database })
    // Exactly what `npm start` runs after starting the server (server/src/main.ts).
    demo = await startDemo(patchbay.ctx)
    sdk = new Patchbay({ secretKey: demo.secretKey, baseUrl: patchbay.ctx.config.publicUrl })
    ;[browser] = await Promise.all([launchBrowser(), built])
  })
  afterAll(async () => {
    await browser?.close()
    await demo?.close()
    await patchbay?.close()
    await drop?.()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close()
    // No uncaught page error or console error in any test.
    expect(errors.splice(0).flat()).toEqual([])
  })

  const visible = (l: Locator, timeout = 15_000) => l.first().waitFor({ state: 'visible', timeout })
  const cards = (page: Page) => page.locator('patchbay-marketplace [data-pb-card]')
  /** The integration keys of the cards on screen, in order. */
  const shown = (page: Page) => cards(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-integration') ?? ''))

  async function openCatalog(): Promise<Page> {
    const { context, page, errors: seen } = await newContext(browser)
    contexts.push(context)
    errors.push(seen)
    await page.goto(`http://127.0.0.1:${demo.app.port}/integrations`)
    await visible(page.locator('patchbay-marketplace').getByRole('button', { name: 'Demo CRM', exact: true }))
    return page
  }

  it('lists every shipped connector, each with a rendered logo, a name and a description, in a grid that wraps and scrolls', async () => {
    const page = await openCatalog()
    const keys = await shown(page)
    expect(keys.length).toBeGreaterThanOrEqual(25)
    expect([...keys].sort()).toEqual(connectors.map((c) => c.id).sort())
    // What the end user can connect comes first, the unavailable ones after.
    const states = await cards(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))
    const firstUnavailable = states.indexOf('disabled')
    expect(firstUnavailable).toBeGreaterThan(0)
    expect(states.slice(firstUnavailable).every((s) => s === 'disabled')).toBe(true)

    const widget = await page.locator('patchbay-marketplace').boundingBox()
    const details = await cards(page).evaluateAll(async (els) =>
      Promise.all(
        els.map(async (card) => {
          const img = card.querySelector<HTMLImageElement>('img.pb-logo')
          await img?.decode().catch(() => {})
          const box = card.getBoundingClientRect()
          return {
            key: card.getAttribute('data-integration'),
            logo: img ? { svg: img.src.startsWith('data:image/svg+xml'), complete: img.complete, naturalWidth: img.naturalWidth, width: img.getBoundingClientRect().width } : null,
            name: card.querySelector('.pb-card-name')?.textContent?.trim() ?? '',
            description: card.querySelector('.pb-card-desc')?.textContent?.trim() ?? '',
            left: box.left,
            right: box.right,
            top: box.top,
          }
        }),
      ),
    )
    for (const d of details) {
      const connector = connectors.find((c) => c.id === d.key)!
      expect(d.logo, d.key!).toMatchObject({ svg: true, complete: true })
      expect(d.logo!.naturalWidth, `${d.key} logo decoded`).toBeGreaterThan(0)
      expect(d.logo!.width, `${d.key} logo on screen`).toBeGreaterThanOrEqual(32)
      expect(d.name).toBe(connector.name)
      expect(d.description).toBe(connector.description)
      // Inside the widget: the grid wraps instead of overflowing sideways.
      expect(d.left).toBeGreaterThanOrEqual(widget!.x - 1)
      expect(d.right).toBeLessThanOrEqual(widget!.x + widget!.width + 1)
    }
    const columns = new Set(details.map((d) => Math.round(d.left))).size
    expect(columns).toBeGreaterThan(1)
    expect(new Set(details.map((d) => Math.round(d.top))).size).toBeGreaterThanOrEqual(Math.ceil(details.length / columns))

    // The page scrolls down to the last card.
    await shot(page, '30-catalog-all-connectors')
    const last = cards(page).last()
    await last.scrollIntoViewIfNeeded()
    await visible(last)
    expect(await last.evaluate((e) => e.getBoundingClientRect().bottom <= window.innerHeight)).toBe(true)
    await page.screenshot({ path: join(SCREENSHOTS, '31-catalog-all-connectors-full.png'), fullPage: true })
  })

  it('narrows the list with the search box and with each category filter, every category named', async () => {
    const page = await openCatalog()
    const w = page.locator('patchbay-marketplace')
    const search = w.getByRole('searchbox', { name: defaultMessages.catalog.searchLabel })

    // What the widget matches: name, key, description and category names, case and accents folded.
    const matching = (query: string, among = connectors) =>
      among.filter((c) => fold([c.name, c.id, c.description, ...c.categories.map((k) => categoryName(k, defaultMessages))].join(' ')).includes(fold(query))).map((c) => c.id)
    expect(matching('sheets')).toContain('google-sheets')
    expect(matching('sheets').length).toBeLessThan(connectors.length / 4)
    await search.fill('sheets')
    await expect.poll(async () => (await shown(page)).sort()).toEqual(matching('sheets').sort())
    await visible(w.getByRole('button', { name: 'Google Sheets', exact: true }))
    await shot(page, '32-catalog-search-sheets')
    await search.fill('')
    await expect.poll(async () => (await shown(page)).length).toBe(connectors.length)

    // One chip per category the connectors use, each with its label (never a raw id), plus "All".
    const chips = w.getByRole('group', { name: defaultMessages.catalog.categoriesLabel }).getByRole('button')
    const used = [...new Set(connectors.flatMap((c) => c.categories))]
    const labels = used.map((c) => defaultMessages.categories[c])
    expect(labels.every(Boolean)).toBe(true)
    expect((await chips.allTextContents()).sort()).toEqual([defaultMessages.catalog.allCategories, ...labels].sort())

    for (const category of used) {
      await chips.getByText(defaultMessages.categories[category]!, { exact: true }).click()
      await expect.poll(async () => (await shown(page)).sort(), { message: category }).toEqual(connectors.filter((c) => c.categories.includes(category)).map((c) => c.id).sort())
    }
    await chips.getByText(defaultMessages.categories.payments!, { exact: true }).click()
    await shot(page, '33-catalog-category-payments')
    // A search within a category.
    await search.fill('stripe')
    await expect.poll(async () => (await shown(page)).sort()).toEqual(matching('stripe', connectors.filter((c) => c.categories.includes('payments'))).sort())
    expect(await shown(page)).toContain('stripe')
    await chips.getByText(defaultMessages.catalog.allCategories, { exact: true }).click()
    await search.fill('')
    await expect.poll(async () => (await shown(page)).length).toBe(connectors.length)
  })

  it('shows OAuth connectors as unavailable until the vendor sets its client, and the others ready to connect', async () => {
    const page = await openCatalog()
    const states = Object.fromEntries(await cards(page).evaluateAll((els) => els.map((e) => [e.getAttribute('data-integration'), e.getAttribute('data-state')])))
    for (const c of connectors) {
      const usable = !needsVendorClient(c) || c.id === 'demo-crm'
      expect(states[c.id], c.id).toBe(usable ? 'not_connected' : 'disabled')
    }
    await page.close()

    // As the README says: PATCH the integration with the vendor's OAuth client and enable it.
    await sdk.integrations.update('github', { clientId: 'Iv1.acme', clientSecret: 'acme-github-secret', enabled: true })
    const again = await openCatalog()
    const github = again.locator('patchbay-marketplace [data-pb-card][data-integration="github"]')
    await expect.poll(() => github.getAttribute('data-state')).toBe('not_connected')
    await github.click()
    await visible(again.locator('patchbay-marketplace').getByRole('dialog', { name: 'GitHub' }).getByRole('button', { name: /Connect/ }))
  })

  it('leaves the catalog as it is when the demo starts again', async () => {
    type Row = Awaited<ReturnType<typeof sdk.integrations.list>>['data'][number]
    const vendorOwned = (rows: Row[]) => rows.filter((i) => !i.key.startsWith('demo-crm'))
    const before = (await sdk.integrations.list()).data
    await sdk.integrations.delete('slack')
    await sdk.integrations.update('hubspot', { displayName: 'HubSpot (Acme)' })
    const changed = (await sdk.integrations.list()).data
    await demo.close()
    demo = await startDemo(patchbay.ctx)
    const after = (await sdk.integrations.list()).data
    expect(after.map((i) => i.key)).toEqual(before.map((i) => i.key).filter((k) => k !== 'slack'))
    // Untouched: the vendor's changes and deletions (the demo's own integrations follow the provider's port).
    expect(vendorOwned(after)).toEqual(vendorOwned(changed))
    const state = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as { catalogSeeded: string[] }
    expect(state.catalogSeeded).toEqual(connectors.map((c) => c.id).sort())
  })
})
