/**
 * Screenshots of the built standalone widget in headless Chromium against the fake API, for
 * looking at it (not a test): `npx tsx embed-ui/scripts/screenshots.ts` → test-artifacts/widget-*.png.
 * The host page has hostile CSS on purpose; none of it may show inside the widget.
 * Also drives one real OAuth popup round trip (window.open, postMessage from the server origin).
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { chromium, type Page } from 'playwright-core'
import { createFakeApi } from '../src/testing/fake-api'
import { catalog, connection, contactModel, hubspotContactFields, hubspotContacts, hubspotContactSuggestion } from '../src/testing/fixtures'
import { hostPage, serveWidget } from '../src/testing/serve'

const OUT = 'test-artifacts'
const HOSTILE = '* { font-family: "Comic Sans MS", cursive !important; letter-spacing: 2px } button { background: hotpink !important; border: 3px dotted red !important } h2 { color: red !important } div { padding: 3px }'

const manifest = JSON.parse(readFileSync('dist/embed/manifest.json', 'utf8')) as { standalone: { file: string } }
mkdirSync(OUT, { recursive: true })

function freshApi() {
  const day = 86_400_000
  return createFakeApi({
    integrations: catalog,
    connections: [
      connection('github', { accountLabel: 'ada-lovelace', createdAt: new Date(Date.now() - 40 * day).toISOString(), lastVerifiedAt: new Date(Date.now() - 3 * 3600_000).toISOString() }),
      connection('hubspot', { status: 'needs_reauth', statusReason: 'The refresh token was revoked (invalid_grant)', accountLabel: 'sales@acme.test', createdAt: new Date(Date.now() - 90 * day).toISOString() }),
      connection('stripe', { status: 'error', statusReason: 'Stripe answered HTTP 401: the API key was rolled', accountLabel: 'Acme Inc. (live)', createdAt: new Date(Date.now() - 12 * day).toISOString() }),
    ],
    accepts: (_i, c) => c.apiKey !== 'rk_live_revoked123',
    mappings: { hubspot: [{ object: 'contact', objectLabel: 'Contacts', model: contactModel, fields: hubspotContactFields, records: hubspotContacts, suggested: hubspotContactSuggestion }] },
  })
}

/** Opens HubSpot's mapping screen and sets a few fields up (an enum table, a date read as epoch). */
async function openMapping(page: Page) {
  await page.getByRole('button', { name: 'HubSpot' }).click()
  await page.getByRole('button', { name: 'Map fields' }).click()
  await page.locator('patchbay-marketplace [data-patchbay-mapping][data-state="ready"]').waitFor()
  const stage = page.getByRole('combobox', { name: 'Lifecycle stage', exact: true })
  await stage.fill('stage')
  await stage.press('Enter')
  await page.getByRole('combobox', { name: 'Lifecycle stage: prospect' }).selectOption('lead')
  const signup = page.getByRole('combobox', { name: 'Signed up at', exact: true })
  await signup.fill('signup')
  await signup.press('Enter')
  await page.getByLabel('Read as').selectOption('epoch_ms')
  await page.locator('patchbay-marketplace [data-preview]').waitFor()
  await page.waitForTimeout(500) // the debounced preview
}

const widget = (page: Page) => page.locator('patchbay-marketplace')
const shot = async (page: Page, name: string) => {
  await page.waitForTimeout(150) // transitions
  await widget(page).screenshot({ path: `${OUT}/widget-${name}.png`, animations: 'disabled' })
  console.log(`${OUT}/widget-${name}.png`)
}

async function main() {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
  for (const theme of ['light', 'dark'] as const) {
    const api = freshApi()
    const server = await serveWidget({ api, page: hostPage({ script: manifest.standalone.file, attributes: { theme }, style: HOSTILE + (theme === 'dark' ? 'body{background:#000}' : '') }) })
    const page = await browser.newPage({ viewport: { width: 980, height: 900 }, deviceScaleFactor: 1 })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
    await page.goto(server.origin)
    await page.getByRole('button', { name: 'GitHub' }).waitFor()
    await shot(page, `catalog-${theme}`)

    // Detail of an OAuth integration, not connected: what it does and the scopes in plain words.
    await page.getByRole('button', { name: 'Demo CRM' }).click()
    await shot(page, `detail-${theme}`)

    // The real popup round trip.
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('dialog', { name: 'Demo CRM' }).getByRole('button', { name: 'Connect' }).click()])
    await page.getByText('Connected to Demo CRM.').waitFor()
    await popup.waitForEvent('close').catch(() => undefined)
    await shot(page, `connected-${theme}`)
    await page.getByRole('button', { name: 'Back to integrations' }).click()

    // A needs_reauth connection, and the disconnect confirmation.
    await page.getByRole('button', { name: 'HubSpot' }).click()
    await shot(page, `needs-reauth-${theme}`)

    // The mapping screen: fields, an enum table, a date read as epoch, the preview; then an open combobox.
    await page.getByRole('button', { name: 'Map fields' }).click()
    await page.locator('patchbay-marketplace [data-patchbay-mapping][data-state="ready"]').waitFor()
    await page.keyboard.press('Escape')
    await page.getByRole('button', { name: 'Back to integrations' }).click()
    await openMapping(page)
    await shot(page, `mapping-${theme}`)
    const last = page.getByRole('combobox', { name: 'Last name', exact: true })
    await last.fill('name')
    await shot(page, `mapping-combobox-${theme}`)
    await page.keyboard.press('Escape')
    await page.keyboard.press('Escape')
    await page.getByRole('dialog', { name: 'HubSpot' }).getByRole('button', { name: 'Disconnect' }).click()
    await shot(page, `disconnect-confirm-${theme}`)
    await page.keyboard.press('Escape')
    await page.keyboard.press('Escape')

    // Forms: the client's checks, then a server field error plus a form error.
    await page.getByRole('button', { name: 'Acme Helpdesk' }).click()
    const helpdesk = page.getByRole('dialog', { name: 'Acme Helpdesk' })
    await helpdesk.getByLabel('Subdomain').fill('acme corp')
    await helpdesk.getByRole('button', { name: 'Connect' }).click()
    await shot(page, `form-errors-${theme}`)
    await page.keyboard.press('Escape')
    await page.getByRole('button', { name: 'Stripe' }).click()
    const stripe = page.getByRole('dialog', { name: 'Stripe' })
    await stripe.getByRole('button', { name: 'Reconnect' }).click()
    await stripe.getByLabel('Secret or restricted key').fill('rk_live_revoked123')
    await stripe.getByRole('button', { name: 'Reconnect' }).click()
    await stripe.getByText('Stripe did not accept these details. Check them and try again.').waitFor()
    await shot(page, `form-credentials-invalid-${theme}`)

    if (errors.length) console.log(`page errors (${theme}):`, errors)
    await page.close()
    await server.close()
  }
  // Loading and error states.
  {
    const api = freshApi()
    api.queue('GET /v1/embed/integrations', () => new Response('{"code":"internal","detail":"boom","status":500}', { status: 500 }))
    api.queue('GET /v1/embed/integrations', () => new Response('{"code":"internal","detail":"boom","status":500}', { status: 500 }))
    const server = await serveWidget({ api, page: hostPage({ script: manifest.standalone.file }) })
    const page = await browser.newPage({ viewport: { width: 980, height: 600 } })
    await page.goto(server.origin)
    await page.getByRole('button', { name: 'Retry' }).waitFor()
    await shot(page, 'load-error')
    await page.close()
    await server.close()
  }
  {
    const server = await serveWidget({ api: freshApi(), page: hostPage({ script: manifest.standalone.file }), apiLatencyMs: 5000 })
    const page = await browser.newPage({ viewport: { width: 980, height: 600 } })
    await page.goto(server.origin)
    await page.locator('patchbay-marketplace [data-state="loading"]').first().waitFor()
    await shot(page, 'loading')
    await page.close()
    await server.close()
  }
  {
    const server = await serveWidget({ api: freshApi(), page: hostPage({ script: manifest.standalone.file }) })
    const page = await browser.newPage({ viewport: { width: 400, height: 800 } })
    await page.goto(server.origin)
    await page.getByRole('button', { name: 'GitHub' }).waitFor()
    await shot(page, 'catalog-narrow')
    await page.close()
    await server.close()
  }
  {
    const server = await serveWidget({ api: freshApi(), page: hostPage({ script: manifest.standalone.file, attributes: { theme: 'dark' } }) })
    const page = await browser.newPage({ viewport: { width: 360, height: 800 } })
    await page.goto(server.origin)
    await openMapping(page)
    await shot(page, 'mapping-360')
    await page.close()
    await server.close()
  }
  await browser.close()
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
