/**
 * Field mapping in the widget, in headless Chromium against a real Patchbay, the Demo CRM and the
 * Acme CRM demo app (which declares its own `Contact` model at start: `stage` prospect / qualified /
 * customer, required; `since`). The end user maps with the keyboard, maps enum values, sees the
 * preview of real records, saves; a sync then runs and the records arrive in Acme's shape.
 * (PGlite only: see harness.ts.)
 */
import type { Locator, Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { DEMO_USER } from '../../server/src/demo/host-app/index'
import { browserSuite, describeInBrowser, shot, widgetEvents } from './harness'

/** Demo CRM stage → Acme stage, as the end user maps them below. */
const STAGES: Record<string, string> = { lead: 'prospect', opportunity: 'qualified', customer: 'customer' }
const ACCOUNT = 'key:1'

describeInBrowser('Acme CRM demo app: field mapping in the widget', () => {
  const suite = browserSuite()
  const visible = (l: Locator, timeout = 10_000) => l.first().waitFor({ state: 'visible', timeout })
  const widget = (page: Page) => page.locator('patchbay-marketplace')

  /** Focuses a field's combobox, types to filter, and picks the first match with Enter: keyboard only. */
  async function pick(page: Page, row: Locator, typed: string) {
    const box = row.locator('input[role="combobox"]')
    await box.focus()
    await page.keyboard.type(typed)
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('Home')
    await page.keyboard.press('Enter')
  }

  it('maps the Demo CRM contacts to Acme’s Contact (enum values included) with a live preview; after saving, synced records arrive in Acme’s shape', async () => {
    const { page } = await suite.open()
    const { sdk, provider } = suite.stack
    const w = widget(page)
    // The widget's last preview request: the mapping on screen.
    let onScreen: { model: string; fields: Record<string, unknown> } | undefined
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/mappings/contact/preview')) onScreen = r.postDataJSON() as typeof onScreen
    })
    await page.goto(`${suite.stack.hostUrl}/integrations`)
    await w.getByRole('button', { name: 'Demo CRM (API key)', exact: true }).click()
    const detail = w.getByRole('dialog', { name: 'Demo CRM (API key)' })
    await detail.getByLabel('API key', { exact: true }).fill(suite.stack.providerApiKey)
    await detail.getByRole('button', { name: 'Connect', exact: true }).click()

    // Right after connecting, the mapping screen opens (loaded as its own script by the standalone widget).
    const editor = w.locator('[data-patchbay-mapping]')
    await visible(editor)
    expect(await editor.getAttribute('data-object')).toBe('contact')
    const [connection] = (await sdk.connections.list({ endUserId: DEMO_USER.id })).data
    const row = (field: string) => editor.locator(`[data-field="${field}"]`)
    // Pre-filled from the connector's default mapping: email, first and last name.
    expect(await row('email').locator('input[role="combobox"]').inputValue()).toBe('Email')
    expect(await row('firstName').locator('input[role="combobox"]').inputValue()).toBe('First name')
    // Stage is required and has no counterpart by name: saving is blocked, and the screen says why.
    await visible(editor.getByText(/To save, fix:.*Stage/))
    expect(await editor.getByRole('button', { name: 'Save mapping' }).getAttribute('aria-disabled')).toBe('true')
    await shot(page, '20-mapping-prompt')

    await pick(page, row('stage'), 'lifecycle')
    expect(await row('stage').locator('input[role="combobox"]').inputValue()).toBe('Lifecycle stage')
    // One row per Demo CRM stage, each mapped to one of Acme's.
    for (const [from, to] of Object.entries(STAGES)) await editor.getByLabel(`Stage: ${from}`, { exact: true }).selectOption(to)
    await pick(page, row('since'), 'created')
    expect(await row('since').locator('input[role="combobox"]').inputValue()).toBe('Created at')
    await editor.getByText(/To save, fix/).waitFor({ state: 'detached' })

    // The preview: three of the account's real contacts as Acme will receive them.
    const preview = editor.locator('[data-preview]')
    await visible(preview)
    await expect.poll(() => JSON.stringify(onScreen?.fields ?? {})).toContain('"qualified"')
    await expect.poll(() => JSON.stringify(onScreen?.fields ?? {})).toContain('created_at')
    const expected = await sdk.mappings.preview(connection!.id, 'contact', onScreen as never)
    expect(expected.samples).toHaveLength(3)
    for (const s of expected.samples) {
      const raw = s.raw as { email: string; lifecycle_stage: string }
      await visible(preview.getByText(raw.email, { exact: true }))
      expect(s.value.stage).toBe(STAGES[raw.lifecycle_stage])
    }
    await visible(preview.getByText(STAGES[(expected.samples[0]!.raw as { lifecycle_stage: string }).lifecycle_stage]!, { exact: true }))
    await shot(page, '21-mapping-preview')

    // Save with the keyboard.
    await editor.getByRole('button', { name: 'Save mapping' }).focus()
    await page.keyboard.press('Enter')
    await visible(detail.getByText('Saved: your records are being updated'))
    const saved = (await sdk.mappings.get(connection!.id, 'contact')).mapping
    expect(saved).toMatchObject({
      scope: 'connection',
      version: 1,
      model: 'Contact',
      fields: {
        email: { source: 'field', path: 'email' },
        stage: { source: 'field', path: 'lifecycle_stage', transforms: [{ type: 'enum', map: STAGES }] },
        since: { source: 'field', path: 'created_at' },
      },
    })
    expect(await widgetEvents(page)).toContainEqual({ type: 'mapping', detail: expect.objectContaining({ connectionId: connection!.id, integration: 'demo-crm-api-key', object: 'contact', version: 1 }) })

    // A sync runs (new and changed contacts at the provider); every record reads in Acme's shape.
    const [step] = provider.churnNow(ACCOUNT, { updates: 2, deletes: 0, creates: 1 })
    const run = await sdk.syncs.trigger(connection!.id, 'contacts')
    for (let i = 0; i < 200; i++) {
      const r = await sdk.syncRuns.get(run.id)
      if (r.status === 'succeeded') break
      if (r.status === 'failed' || r.status === 'cancelled') throw new Error(`sync run ${r.status}`)
      await new Promise((res) => setTimeout(res, 100))
    }
    const records = []
    for await (const r of sdk.records.iterate({ connectionId: connection!.id, model: 'contact', includeRaw: true })) records.push(r)
    const live = records.filter((r) => !r.deletedAt)
    expect(live.length).toBeGreaterThan(0)
    expect(live.map((r) => r.id)).toContain(step!.created[0])
    for (const r of live) {
      const raw = r.raw as { email: string; first_name: string; lifecycle_stage: string; created_at: string }
      expect(r.mapping).toMatchObject({ model: 'Contact', version: 1, errors: [] })
      expect(r.data).toMatchObject({ email: raw.email, firstName: raw.first_name, stage: STAGES[raw.lifecycle_stage], since: new Date(raw.created_at).toISOString() })
    }

    // Acme's own copy (fed by mapping.applied and sync.succeeded webhooks) shows them in its shape.
    await page.goto(`${suite.stack.hostUrl}/integrations`)
    await visible(page.locator('[data-shape="acme"]'), 20_000)
    await shot(page, '22-mapping-acme-shape')
  })
})
