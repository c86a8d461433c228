// @vitest-environment happy-dom
/**
 * Field mapping in the widget: the "Fields" of a connection, the mapping screen (keyboard combobox,
 * transforms, the server's check, live preview, save / reset), and the prompt right after connecting.
 */
import { cleanup, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { FieldMapping, SavedMapping } from '../../api/types'
import { createFakeApi, problem, type FakeApi, type FakeMappingObject } from '../../testing/fake-api'
import { connection, contactModel, hubspot, hubspotContacts, hubspotContactFields, hubspotContactSuggestion, stripe } from '../../testing/fixtures'
import { renderWidget } from '../../testing/render'
import { withTransform } from './mapping-model'

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

const conn = connection('hubspot', { accountLabel: 'ada@example.com' })
const contacts = (over: Partial<FakeMappingObject> = {}): FakeMappingObject => ({
  object: 'contact',
  objectLabel: 'Contacts',
  model: contactModel,
  fields: hubspotContactFields,
  records: hubspotContacts,
  suggested: hubspotContactSuggestion,
  ...over,
})
const route = (method: string, suffix = '') => `${method} /v1/embed/connections/${conn.id}/mappings${suffix}`

/** Opens HubSpot, then the mapping screen of its contacts from the account's "Fields". */
async function openEditor(options: { object?: Partial<FakeMappingObject>; setup?: (api: FakeApi) => void } = {}) {
  const api = createFakeApi({ integrations: [hubspot], connections: [conn], mappings: { hubspot: [contacts(options.object)] } })
  options.setup?.(api)
  const r = await renderWidget({ api })
  await r.user.click(await r.ui.findByRole('button', { name: 'HubSpot' }))
  const card = within(r.ui.getByRole('listitem', { name: 'ada@example.com' }))
  const fields = within(await card.findByRole('region', { name: 'Fields' }))
  await r.user.click(fields.getByRole('button', { name: /^(Map fields|Edit mapping)$/ }))
  const editor = await r.ui.findByRole('dialog', { name: 'Map Contacts' })
  await waitFor(() => expect(editor.dataset.state).toBe('ready'))
  const e = within(editor)
  const row = (name: string) => within(editor.querySelector<HTMLElement>(`[data-field="${name}"]`)!)
  const save = () => e.getByRole('button', { name: 'Save mapping' })
  /** The body of the last PUT. */
  const saved = () => api.calls(route('PUT', '/contact')).at(-1)?.body as { model: string; fields: Record<string, FieldMapping> } | undefined
  return { ...r, api, card, fields, editor, e, row, save, saved }
}

/** Picks a source in a vendor field's combobox by typing and Enter. */
async function pick(r: Awaited<ReturnType<typeof openEditor>>, field: string, text: string) {
  const box = r.editor.querySelector<HTMLInputElement>(`[data-field="${field}"] input[role="combobox"]`)!
  box.focus()
  await r.user.keyboard(text)
  await r.user.keyboard('{Enter}')
  return box
}

describe('the "Fields" of a connection', () => {
  it('lists the objects to map with their state, and hides when there is nothing to map or the server has no mappings (404)', async () => {
    const other = connection('hubspot', { accountLabel: 'old@example.com' })
    const api = createFakeApi({ integrations: [hubspot], connections: [conn, other], mappings: { hubspot: [contacts()] } })
    api.queue(`GET /v1/embed/connections/${other.id}/mappings`, () => problem('not_found', 'No route', { status: 404 }))
    const { ui, user } = await renderWidget({ api })
    await user.click(await ui.findByRole('button', { name: 'HubSpot' }))
    const card = within(ui.getByRole('listitem', { name: 'ada@example.com' }))
    const fields = within(await card.findByRole('region', { name: 'Fields' }))
    expect(fields.getByText('Contacts → Contact')).toBeTruthy()
    expect(fields.getByText('Needs mapping')).toBeTruthy()
    expect(fields.getByRole('button', { name: 'Map fields' }).getAttribute('aria-describedby')).toBe(fields.getByText('Contacts → Contact').id)

    await waitFor(() => expect(api.calls(`GET /v1/embed/connections/${other.id}/mappings`)).toHaveLength(1))
    const gone = within(ui.getByRole('listitem', { name: 'old@example.com' }))
    await new Promise((r) => setTimeout(r, 50))
    expect(gone.queryByRole('region', { name: 'Fields' })).toBeNull()
    expect(gone.queryByText('Could not load the field mappings.')).toBeNull()
    expect(gone.queryByRole('button', { name: 'Map fields' })).toBeNull()
  })

  it('shows nothing for a connection without objects to map', async () => {
    const api = createFakeApi({ integrations: [hubspot], connections: [conn] })
    const { ui, user } = await renderWidget({ api })
    await user.click(await ui.findByRole('button', { name: 'HubSpot' }))
    await waitFor(() => expect(api.calls(route('GET'))).toHaveLength(1))
    await new Promise((r) => setTimeout(r, 50))
    expect(ui.queryByRole('region', { name: 'Fields' })).toBeNull()
  })
})

describe('the mapping screen', () => {
  it('opens over the detail with focus on its heading; Escape closes it and gives focus back', async () => {
    const { editor, e, focused, user, ui, fields } = await openEditor()
    expect(editor.dataset.object).toBe('contact')
    expect(editor.hasAttribute('data-patchbay-mapping')).toBe(true)
    expect(focused()).toBe(e.getByRole('heading', { name: 'Map Contacts' }))
    expect(e.getByText('Choose where each Contact field comes from in your HubSpot account.')).toBeTruthy()
    // The vendor's fields: label in words, type, Required, description; the suggestion pre-filled.
    const email = within(editor.querySelector<HTMLElement>('[data-field="email"]')!)
    expect(email.getByText('Required')).toBeTruthy()
    expect(email.getByText('Text · Where we send updates')).toBeTruthy()
    expect(email.getByRole<HTMLInputElement>('combobox', { name: 'Email' }).value).toBe('Email')
    expect(e.getByRole<HTMLInputElement>('combobox', { name: 'Lifecycle stage' }).value).toBe('')
    expect(e.getByRole('combobox', { name: 'Signed up at' })).toBeTruthy()
    expect(e.queryByRole('button', { name: 'Reset to default' })).toBeNull()
    await user.keyboard('{Escape}')
    expect(ui.queryByRole('dialog', { name: 'Map Contacts' })).toBeNull()
    expect(focused()).toBe(fields.getByRole('button', { name: 'Map fields' }))
    expect(ui.getByRole('dialog', { name: 'HubSpot' })).toBeTruthy()
  })

  it('maps a field with the keyboard only: type to filter, arrows, Home/End, Enter; Escape closes the list, not the screen', async () => {
    const r = await openEditor()
    const { row, user, focused, editor, saved } = r
    const box = row('firstName').getByRole<HTMLInputElement>('combobox', { name: 'First name' })
    expect(box.getAttribute('aria-expanded')).toBe('false')
    const list = editor.querySelector<HTMLElement>(`#${CSS.escape(box.getAttribute('aria-controls')!)}`)!
    expect(list.getAttribute('role')).toBe('listbox')
    box.focus()
    await user.keyboard('name')
    expect(box.getAttribute('aria-expanded')).toBe('true')
    const options = within(list).getAllByRole('option')
    expect(options.map((o) => o.querySelector('.pb-opt-main')!.firstChild!.textContent)).toEqual(['First name', 'Last name', 'Full name'])
    // Each option shows its path, type and sample values.
    expect(options[2]!.textContent).toContain('properties.fullname')
    expect(options[2]!.textContent).toContain('Text')
    expect(options[2]!.textContent).toContain('e.g. Ada Lovelace, Grace Brewster Hopper, Alan Turing')
    const active = () => editor.querySelector(`#${CSS.escape(box.getAttribute('aria-activedescendant')!)}`)!.querySelector('.pb-opt-main')!.firstChild!.textContent
    expect(active()).toBe('First name')
    await user.keyboard('{ArrowDown}')
    expect(active()).toBe('Last name')
    expect(within(list).getByRole('option', { selected: true }).id).toBe(box.getAttribute('aria-activedescendant'))
    await user.keyboard('{End}')
    expect(active()).toBe('Full name')
    await user.keyboard('{Home}')
    expect(active()).toBe('First name')
    await user.keyboard('{ArrowUp}') // wraps to the last
    expect(active()).toBe('Full name')
    await user.keyboard('{Enter}')
    expect(box.value).toBe('Full name')
    expect(box.getAttribute('aria-expanded')).toBe('false')
    expect(box.hasAttribute('aria-activedescendant')).toBe(false)
    expect(focused()).toBe(box)

    // Escape closes the open list only.
    await user.keyboard('{ArrowDown}')
    expect(box.getAttribute('aria-expanded')).toBe('true')
    await user.keyboard('{Escape}')
    expect(box.getAttribute('aria-expanded')).toBe('false')
    expect(r.ui.getByRole('dialog', { name: 'Map Contacts' })).toBeTruthy()

    // A full name split into words: the first one.
    await user.selectOptions(row('firstName').getByLabelText('Use'), 'The first word')
    await user.click(r.save())
    await waitFor(() => expect(saved()).toBeDefined())
    expect(saved()!.fields.firstName).toEqual({ source: 'field', path: 'properties.fullname', transforms: [{ type: 'split', separator: ' ', part: 'first' }] })
    expect(saved()!.fields.email).toEqual({ source: 'field', path: 'properties.email' })
  })

  it('says when nothing matches what was typed', async () => {
    const { row, user } = await openEditor()
    const box = row('lastName').getByRole('combobox', { name: 'Last name' })
    box.focus()
    await user.keyboard('zzz')
    expect(within(row('lastName').getByRole('status')).getByText('No fields match “zzz”.')).toBeTruthy()
    expect(box.hasAttribute('aria-activedescendant')).toBe(false)
  })

  it('a required field left unmapped blocks saving, and says why', async () => {
    const r = await openEditor()
    const { row, e, user, api, focused } = r
    const box = await pick(r, 'email', 'not mapped')
    expect((box as HTMLInputElement).value).toBe('')
    const problem = row('email').getByText('Required: choose where it comes from.')
    expect(box.getAttribute('aria-invalid')).toBe('true')
    expect(box.getAttribute('aria-describedby')!.split(' ')).toContain(problem.closest('ul')!.id)
    const save = r.save()
    expect(save.getAttribute('aria-disabled')).toBe('true')
    const reason = e.getByText('To save, fix: Email.')
    expect(save.getAttribute('aria-describedby')).toBe(reason.closest('p')!.id)
    // Pressing it anyway saves nothing and takes the focus to what needs fixing.
    await user.click(save)
    expect(focused()).toBe(box)
    await new Promise((res) => setTimeout(res, 400))
    expect(api.calls(route('PUT', '/contact'))).toHaveLength(0)
    // Mapped again: Save works.
    await pick(r, 'email', 'properties.email')
    expect(r.save().hasAttribute('aria-disabled')).toBe(false)
    expect(e.queryByText('To save, fix: Email.')).toBeNull()
  })

  it('an enum map: one row per provider value, set to the vendor values, ends up in the saved mapping', async () => {
    const r = await openEditor()
    const { row, user, saved } = r
    await pick(r, 'lifecycleStage', 'lifecycle')
    const stage = row('lifecycleStage')
    // Provider values that are not the model's are a warning until they are matched.
    expect(await stage.findByText('No Contact value for new, prospect yet: records with it arrive without one.')).toBeTruthy()
    const select = (value: string) => stage.getByRole<HTMLSelectElement>('combobox', { name: `Lifecycle stage: ${value}` })
    expect([...select('new').options].map((o) => o.text)).toEqual(['No value', 'subscriber', 'lead', 'customer'])
    expect(select('customer').value).toBe('customer') // the same value needs no matching
    expect(select('new').value).toBe('')
    await user.selectOptions(select('prospect'), 'lead')
    await user.selectOptions(select('Any other value'), 'subscriber')
    await waitFor(() => expect(stage.queryByText(/No Contact value/)).toBeNull())
    await user.click(r.save())
    await waitFor(() => expect(saved()).toBeDefined())
    expect(saved()!.fields.lifecycleStage).toEqual({ source: 'field', path: 'properties.lifecyclestage', transforms: [{ type: 'enum', map: { customer: 'customer', prospect: 'lead' }, fallback: 'subscriber' }] })
  })

  it('“Read as” for a date ends up in the saved mapping, and the preview shows the dates read that way', async () => {
    const r = await openEditor()
    const { row, user, saved, editor } = r
    const box = row('signedUpAt').getByRole('combobox', { name: 'Signed up at' })
    box.focus()
    await user.keyboard('signup')
    const option = within(editor).getByRole('option', { name: /Signup time/ })
    expect(option.textContent).toContain('Custom')
    expect(option.textContent).toContain('Whole number')
    await user.keyboard('{Enter}')
    const readAs = row('signedUpAt').getByLabelText<HTMLSelectElement>('Read as')
    expect(readAs.value).toBe('auto')
    await user.selectOptions(readAs, 'Unix milliseconds')
    const table = editor.querySelector<HTMLElement>('[data-preview]')!
    await waitFor(() => expect(within(table).getByRole('row', { name: /Signed up at/ }).textContent).toContain('2024-03-05T09:12:44.000Z'))
    await user.click(r.save())
    await waitFor(() => expect(saved()).toBeDefined())
    expect(saved()!.fields.signedUpAt).toEqual({ source: 'field', path: 'properties.signup_ts', transforms: [{ type: 'date', input: 'epoch_ms', output: 'datetime' }] })
  })

  it('previews three records as they will arrive, with the field errors of each; again after each change (debounced)', async () => {
    const r = await openEditor()
    const { editor, api, user, row } = r
    const table = await waitFor(() => editor.querySelector<HTMLElement>('[data-preview]')!)
    const t = within(table)
    expect(t.getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Field', 'Record 1', 'Record 2', 'Record 3'])
    const emails = within(t.getByRole('row', { name: /^Email/ })).getAllByRole('cell')
    expect(emails.map((c) => c.textContent)).toEqual(['ada@example.com', 'grace@example.com', '—Email is required, but this record has no value'])
    expect(emails[2]!.hasAttribute('data-invalid')).toBe(true)
    expect(emails[0]!.hasAttribute('data-invalid')).toBe(false)
    expect(api.calls(route('POST', '/contact/preview'))[0]!.body).toEqual(hubspotContactSuggestion)

    const before = api.calls(route('POST', '/contact/preview')).length
    await user.type(row('lastName').getByLabelText('If empty, use'), 'Smith')
    // Typing five letters asks once, after a pause.
    expect(api.calls(route('POST', '/contact/preview'))).toHaveLength(before)
    await waitFor(() => expect(api.calls(route('POST', '/contact/preview'))).toHaveLength(before + 1))
    await new Promise((res) => setTimeout(res, 400))
    expect(api.calls(route('POST', '/contact/preview'))).toHaveLength(before + 1)
    expect((api.calls(route('POST', '/contact/preview')).at(-1)!.body as { fields: Record<string, FieldMapping> }).fields.lastName).toEqual({
      source: 'field',
      path: 'properties.lastname',
      transforms: [{ type: 'default', value: 'Smith' }],
    })
  })

  it('says so when the account has no records yet', async () => {
    const { editor, e } = await openEditor({ object: { records: [] } })
    expect(await e.findByText('No records yet. Once your HubSpot account has synced, you will see here how they arrive.')).toBeTruthy()
    expect(editor.querySelector('[data-preview]')).toBeNull()
  })

  it('a fixed value and combined fields', async () => {
    const r = await openEditor()
    const { row, user, focused, saved } = r
    await pick(r, 'lastName', 'fixed')
    const value = row('lastName').getByLabelText('Value')
    expect(focused()).toBe(value)
    await user.type(value, 'Unknown')
    await pick(r, 'firstName', 'combine')
    expect(focused()).toBe(row('firstName').getByLabelText('Field 2'))
    expect(row('firstName').getByText('Choose at least two fields to combine.')).toBeTruthy()
    await user.selectOptions(row('firstName').getByLabelText('Field 2'), 'Last name')
    await user.type(row('firstName').getByLabelText('Separate with'), '{Backspace}-')
    await waitFor(() => expect(r.save().hasAttribute('aria-disabled')).toBe(false))
    await user.click(r.save())
    await waitFor(() => expect(saved()).toBeDefined())
    expect(saved()!.fields.lastName).toEqual({ source: 'constant', value: 'Unknown' })
    expect(saved()!.fields.firstName).toEqual({ source: 'join', paths: ['properties.firstname', 'properties.lastname'], separator: '-' })
  })

  it('saving sends the mapping, sends a mapping event, and says the records are being updated', async () => {
    const r = await openEditor()
    const { user, of, ui, focused, saved, fields } = r
    await user.click(r.save())
    const status = await ui.findByText('Saved: your records are being updated.')
    expect(saved()).toEqual(hubspotContactSuggestion)
    expect(of('mapping')).toEqual([{ connectionId: conn.id, integration: 'hubspot', object: 'contact', version: 1 }])
    expect(ui.queryByRole('dialog', { name: 'Map Contacts' })).toBeNull()
    expect(focused()).toBe(status.closest('[role="status"]'))
    expect(fields.getByText('Mapped')).toBeTruthy()
    expect(fields.getByRole('button', { name: 'Edit mapping' })).toBeTruthy()
  })

  it('a save the server refuses shows its reasons under the fields and sends an error event', async () => {
    const r = await openEditor({
      setup: (api) =>
        api.queue(route('PUT', '/contact'), () => problem('invalid_request', 'The mapping is not valid', { errors: [{ path: 'fields.email', code: 'type_mismatch', message: 'Email expects text, but properties.email is a list' }] })),
    })
    const { row, e, user, of } = r
    await user.click(r.save())
    expect(await row('email').findByText('Email expects text, but properties.email is a list')).toBeTruthy()
    expect(e.getByRole('alert').textContent).toContain('Could not save the mapping: The mapping is not valid')
    expect(row('email').getByRole('combobox', { name: 'Email' }).getAttribute('aria-invalid')).toBe('true')
    expect(of('error')).toEqual([{ stage: 'mapping', code: 'invalid_request', message: 'The mapping is not valid', integration: 'hubspot' }])
    expect(of('mapping')).toEqual([])
  })

  it('opens a saved mapping with its transforms, and resets it to the vendor default', async () => {
    const own: SavedMapping = {
      model: 'Contact',
      object: 'contact',
      version: 3,
      scope: 'connection',
      updatedAt: '2025-01-01T00:00:00.000Z',
      fields: {
        email: { source: 'field', path: 'properties.email' },
        firstName: { source: 'field', path: 'properties.fullname', transforms: [{ type: 'trim' }, { type: 'split', separator: ' ', part: 'rest' }] },
        lifecycleStage: { source: 'field', path: 'properties.lifecyclestage', transforms: [{ type: 'enum', map: { new: 'subscriber', customer: 'customer' } }] },
        signedUpAt: { source: 'field', path: 'properties.signup_ts', transforms: [{ type: 'date', input: 'epoch_s', output: 'datetime' }, { type: 'default', value: '2020-01-01T00:00:00Z' }] },
      },
    }
    const r = await openEditor({ object: { defaultMapping: hubspotContactSuggestion }, setup: (api) => (api.state.ownMappings[`${conn.id}/contact`] = own) })
    const { row, user, api, ui, fields } = r
    expect(row('firstName').getByLabelText<HTMLSelectElement>('Use').value).toBe('rest')
    expect(row('lifecycleStage').getByRole<HTMLSelectElement>('combobox', { name: 'Lifecycle stage: new' }).value).toBe('subscriber')
    expect(row('lifecycleStage').getByRole<HTMLSelectElement>('combobox', { name: 'Lifecycle stage: prospect' }).value).toBe('')
    expect(row('signedUpAt').getByLabelText<HTMLSelectElement>('Read as').value).toBe('epoch_s')
    expect(row('signedUpAt').getByLabelText<HTMLInputElement>('If empty, use').value).toBe('2020-01-01T00:00:00Z')
    expect(row('lastName').getByRole<HTMLInputElement>('combobox', { name: 'Last name' }).value).toBe('')
    // Unchanged, it saves as it was, transforms the screen does not show (trim) included.
    await user.click(r.save())
    await waitFor(() => expect(r.saved()).toBeDefined())
    expect(r.saved()!.fields).toEqual(own.fields)
    expect(r.of('mapping')).toEqual([{ connectionId: conn.id, integration: 'hubspot', object: 'contact', version: 3 }])

    await user.click(await fields.findByRole('button', { name: 'Edit mapping' }))
    const editor = await ui.findByRole('dialog', { name: 'Map Contacts' })
    await user.click(await within(editor).findByRole('button', { name: 'Reset to default' }))
    expect(await ui.findByText('Back to the default mapping: your records are being updated.')).toBeTruthy()
    expect(api.calls(route('DELETE', '/contact'))).toHaveLength(1)
    expect(api.state.ownMappings[`${conn.id}/contact`]).toBeUndefined()
    expect(await fields.findByText('Vendor default')).toBeTruthy()
    expect(ui.queryByRole('dialog', { name: 'Map Contacts' })).toBeNull()
  })

  it('refreshes the fields: a custom field found since, and why discovery failed', async () => {
    const phone = { path: 'properties.mobile', label: 'Mobile phone', type: 'string' as const, samples: ['+41 79 000 00 00'], custom: true }
    const r = await openEditor({ object: { customFields: [phone], discoveryError: 'HubSpot answered 403 for the properties API' } })
    const { e, user, api, row, editor } = r
    expect(e.queryByRole('alert')).toBeNull()
    await user.click(e.getByRole('button', { name: 'Refresh fields' }))
    expect(await e.findByText('Could not look for custom fields: HubSpot answered 403 for the properties API')).toBeTruthy()
    expect(api.calls(route('GET', '/contact')).map((c) => c.search)).toEqual(['', '?refresh=true'])
    const box = row('lastName').getByRole('combobox', { name: 'Last name' })
    box.focus()
    await user.keyboard('mobile')
    expect(within(editor).getByRole('option', { name: /Mobile phone/ }).textContent).toContain('Custom')
  })
})

describe('right after connecting', () => {
  it('opens the mapping screen when an object needs mapping; “Later” closes it', async () => {
    const api = createFakeApi({ integrations: [stripe], mappings: { stripe: [contacts({ object: 'customer', objectLabel: 'Customers', suggested: { model: 'Contact', fields: {} } })] } })
    const { ui, user, focused, of } = await renderWidget({ api })
    await user.click(await ui.findByRole('button', { name: 'Stripe' }))
    const detail = within(ui.getByRole('dialog', { name: 'Stripe' }))
    await user.type(detail.getByLabelText('Secret or restricted key'), 'rk_test_abc123')
    await user.click(detail.getByRole('button', { name: 'Connect' }))
    const editor = await ui.findByRole('dialog', { name: 'Map Customers' })
    const e = within(editor)
    expect(e.getByText('One more step: choose where each Contact field comes from in your Stripe account, or do it later.')).toBeTruthy()
    await waitFor(() => expect(focused()).toBe(e.getByRole('heading', { name: 'Map Customers' })))
    expect(of('connect')).toHaveLength(1)
    expect(e.queryByRole('button', { name: 'Cancel' })).toBeNull()
    await user.click(await e.findByRole('button', { name: 'Later' }))
    expect(ui.queryByRole('dialog', { name: 'Map Customers' })).toBeNull()
    const banner = ui.getByText('Connected to Stripe.').closest<HTMLElement>('[role="status"]')!
    expect(focused()).toBe(banner)
    // Once: the account's "Fields" still says it needs mapping.
    await new Promise((r) => setTimeout(r, 50))
    expect(ui.queryByRole('dialog', { name: 'Map Customers' })).toBeNull()
    expect(within(ui.getByRole('region', { name: 'Fields' })).getByText('Needs mapping')).toBeTruthy()
    expect(api.calls(`PUT /v1/embed/connections/${api.state.connections[0]!.id}/mappings/customer`)).toHaveLength(0)
  })

  it('does not open it when everything is mapped', async () => {
    const api = createFakeApi({ integrations: [stripe], mappings: { stripe: [contacts({ object: 'customer', objectLabel: 'Customers', defaultMapping: hubspotContactSuggestion })] } })
    const { ui, user } = await renderWidget({ api })
    await user.click(await ui.findByRole('button', { name: 'Stripe' }))
    const detail = within(ui.getByRole('dialog', { name: 'Stripe' }))
    await user.type(detail.getByLabelText('Secret or restricted key'), 'rk_test_abc123')
    await user.click(detail.getByRole('button', { name: 'Connect' }))
    expect(await detail.findByText('Vendor default')).toBeTruthy()
    expect(ui.queryByRole('dialog', { name: 'Map Customers' })).toBeNull()
  })
})

describe('withTransform', () => {
  const base = { source: 'field' as const, path: 'name' }
  it('keeps a changed transform in its place, puts a default last and others before it, and drops an empty chain', () => {
    const a = withTransform(withTransform(base, 'default', { type: 'default', value: 'x' }), 'split', { type: 'split', separator: ' ', part: 'first' })
    expect(a.transforms).toEqual([{ type: 'split', separator: ' ', part: 'first' }, { type: 'default', value: 'x' }])
    const b = withTransform({ ...base, transforms: [{ type: 'trim' }, { type: 'split', separator: ' ', part: 'first' }] }, 'split', { type: 'split', separator: ' ', part: 'last' })
    expect(b.transforms).toEqual([{ type: 'trim' }, { type: 'split', separator: ' ', part: 'last' }])
    expect(withTransform(a, 'split', null).transforms).toEqual([{ type: 'default', value: 'x' }])
    expect(withTransform(withTransform(a, 'split', null), 'default', null)).toEqual(base)
  })
})
