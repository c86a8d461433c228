// @vitest-environment happy-dom
/** A connection's syncs in its card: the last run in plain words, and how often it runs when the app lets the user choose. */
import { cleanup, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SYNC_POLL_MS, syncsQuery } from '../../api/queries'
import { ApiError, type ApiClient } from '../../api/client'
import type { ConnectionSyncs } from '../../api/types'
import { defaultMessages } from '../../messages'
import { createFakeApi, problem, type FakeApiOptions } from '../../testing/fake-api'
import { connection, hubspot, sync, syncRun } from '../../testing/fixtures'
import { renderWidget } from '../../testing/render'
import { describeSync, frequencyLabel, frequencyOptions, syncName } from './sync-format'

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

const conn = connection('hubspot', { accountLabel: 'ada@example.com' })

async function openHubSpot(options: Partial<FakeApiOptions> = {}) {
  const api = createFakeApi({ integrations: [hubspot], connections: [conn], ...options })
  const r = await renderWidget({ api })
  await r.user.click(await r.ui.findByRole('button', { name: 'HubSpot' }))
  const card = within(r.ui.getByRole('listitem', { name: 'ada@example.com' }))
  return { ...r, api, card }
}

const patchRoute = (name: string) => `PATCH /v1/embed/connections/${conn.id}/syncs/${name}`

describe('syncs in the connection card', () => {
  it('says what the last run did: synced with its changes, failed with the reason, syncing, paused', async () => {
    const { card } = await openHubSpot({
      syncs: {
        [conn.id]: [
          sync('contacts'),
          sync('companies', { lastRun: syncRun({ status: 'failed', added: 0, updated: 0, deleted: 0, error: { code: 'upstream_error', message: 'HubSpot answered 503' } }) }),
          sync('open_deals', { lastRun: syncRun({ status: 'running', finishedAt: null }) }),
          sync('tickets', { status: 'paused' }),
          sync('notes', { lastRun: null }),
        ],
      },
    })
    const section = within(await card.findByRole('region', { name: 'Sync' }))
    const row = (name: string) => section.getByText(name).closest('li')!
    expect(row('Contacts').textContent).toContain('Synced 3 minutes ago · 4 added, 2 updated, 1 deleted')
    expect(row('Companies').textContent).toContain('Sync failed: HubSpot answered 503')
    expect(row('Companies').dataset.state).toBe('failed')
    expect(row('Open deals').textContent).toContain('Syncing…')
    expect(row('Tickets').textContent).toContain('Paused')
    expect(row('Notes').textContent).toContain('Not synced yet')
    // Without bounds from the app, the end user cannot choose how often.
    expect(section.queryByRole('combobox')).toBeNull()
  })

  it('offers only the frequencies within the allowed range, and the current one', async () => {
    const { card } = await openHubSpot({ syncs: { [conn.id]: [sync('contacts', { frequency: '2h' })] }, endUserFrequency: { hubspot: { min: '30m', max: '1d' } } })
    const select = await card.findByRole<HTMLSelectElement>('combobox', { name: 'How often to sync Contacts' })
    expect(select.value).toBe('2h')
    expect([...select.options].map((o) => [o.value, o.text])).toEqual([
      ['30m', 'Every 30 minutes'],
      ['1h', 'Every hour'],
      ['2h', 'Every 2 hours'],
      ['6h', 'Every 6 hours'],
      ['12h', 'Every 12 hours'],
      ['1d', 'Every day'],
    ])
  })

  it('choosing a frequency sends the change and shows the new value', async () => {
    const { card, api, user, of } = await openHubSpot({ syncs: { [conn.id]: [sync('contacts')] }, endUserFrequency: { hubspot: { min: '15m', max: '7d' } } })
    const select = await card.findByRole<HTMLSelectElement>('combobox', { name: 'How often to sync Contacts' })
    expect(select.value).toBe('1h')
    await user.selectOptions(select, 'Every 6 hours')
    expect(select.value).toBe('6h')
    await waitFor(() => expect(api.calls(patchRoute('contacts'))).toEqual([expect.objectContaining({ body: { frequency: '6h' } })]))
    expect(api.state.syncs[conn.id]![0]).toMatchObject({ frequency: '6h', customFrequency: true })
    // Still shown once the answer is in the cache and the list was read again.
    await waitFor(() => expect(api.calls(`GET /v1/embed/connections/${conn.id}/syncs`).length).toBeGreaterThanOrEqual(2))
    expect(select.value).toBe('6h')
    expect(card.queryByRole('alert')).toBeNull()
    expect(of('error')).toEqual([])
  })

  it('a refused change shows why, goes back to the saved value and sends an error event', async () => {
    const { card, api, user, of } = await openHubSpot({ syncs: { [conn.id]: [sync('contacts')] }, endUserFrequency: { hubspot: { min: '15m', max: '1d' } } })
    api.queue(patchRoute('contacts'), () => problem('forbidden', 'Choose a frequency between 1h and 1d'))
    const select = await card.findByRole<HTMLSelectElement>('combobox', { name: 'How often to sync Contacts' })
    await user.selectOptions(select, '15m')
    const alert = await card.findByRole('alert')
    expect(alert.textContent).toContain('Could not change how often Contacts syncs')
    expect(alert.textContent).toContain('This frequency is not allowed. Choose another one.')
    expect(select.value).toBe('1h')
    expect(select.getAttribute('aria-invalid')).toBe('true')
    expect(select.getAttribute('aria-describedby')).toBe(alert.parentElement!.id)
    expect(of('error')).toEqual([{ stage: 'sync', code: 'forbidden', message: 'Choose a frequency between 1h and 1d', integration: 'hubspot' }])
  })

  it('refreshes while a run is going on, until it is done', async () => {
    const { card, api } = await openHubSpot({ syncs: { [conn.id]: [sync('contacts', { lastRun: syncRun({ status: 'running', finishedAt: null }) })] } })
    const status = await card.findByText('Syncing…')
    api.state.syncs[conn.id] = [sync('contacts', { lastRun: syncRun({ finishedAt: new Date().toISOString(), added: 12, updated: 0, deleted: 0 }) })]
    await waitFor(() => expect(status.textContent).toBe('Synced now · 12 added'), { timeout: SYNC_POLL_MS.active + 1_500 })
    // The run ended: the connection is read again (a failed run may have changed its status).
    await waitFor(() => expect(api.calls('GET /v1/embed/connections').length).toBeGreaterThanOrEqual(2))
  })

  it('says so when the syncs cannot be loaded, and shows nothing when there are none to load (404)', async () => {
    const api = createFakeApi({ integrations: [hubspot], connections: [conn, connection('hubspot', { accountLabel: 'old@example.com' })] })
    const other = api.state.connections[1]!
    api.queue(`GET /v1/embed/connections/${conn.id}/syncs`, () => problem('bad_gateway', 'no', { status: 502 }))
    api.queue(`GET /v1/embed/connections/${conn.id}/syncs`, () => problem('bad_gateway', 'no', { status: 502 }))
    api.queue(`GET /v1/embed/connections/${other.id}/syncs`, () => problem('not_found', 'No route', { status: 404 }))
    const r = await renderWidget({ api })
    await r.user.click(await r.ui.findByRole('button', { name: 'HubSpot' }))
    const card = within(r.ui.getByRole('listitem', { name: 'ada@example.com' }))
    expect(await card.findByText('Could not load the sync status.')).toBeTruthy()
    const gone = r.ui.getByRole('listitem', { name: 'old@example.com' })
    await waitFor(() => expect(gone.querySelector('.pb-syncs')!.getAttribute('data-state')).toBe('error'))
    expect(gone.querySelector('.pb-syncs')!.childElementCount).toBe(0)
  })

  it('shows nothing for a connection without syncs', async () => {
    const { card, api } = await openHubSpot()
    await waitFor(() => expect(api.calls(`GET /v1/embed/connections/${conn.id}/syncs`)).toHaveLength(1))
    await waitFor(() => expect(card.getByText('ada@example.com').closest('li')!.querySelector('.pb-syncs')!.childElementCount).toBe(0))
    expect(card.queryByRole('region')).toBeNull()
  })
})

describe('syncsQuery', () => {
  const api = {} as ApiClient
  const data = (status: 'running' | 'queued' | 'succeeded'): ConnectionSyncs => ({ data: [sync('contacts', { lastRun: syncRun({ status }) })], endUserFrequency: null })
  const interval = (poll: boolean, d: ConnectionSyncs) => {
    const fn = syncsQuery(api, 'conn_1', poll).refetchInterval
    return typeof fn === 'function' ? fn({ state: { data: d, error: null } } as never) : fn
  }
  it('polls every 2 s while a run is queued or running, every 10 s otherwise, and not when told not to or after a 404', () => {
    expect(interval(true, data('running'))).toBe(2_000)
    expect(interval(true, data('queued'))).toBe(2_000)
    expect(interval(true, data('succeeded'))).toBe(10_000)
    expect(interval(false, data('running'))).toBe(false)
    const fn = syncsQuery(api, 'conn_1').refetchInterval as (q: never) => unknown
    expect(fn({ state: { data: undefined, error: new ApiError(404, 'not_found', 'No route') } } as never)).toBe(false)
  })
})

describe('sync words', () => {
  const m = defaultMessages
  it('names syncs in words, unless the messages name them', () => {
    expect(syncName('contacts', {})).toBe('Contacts')
    expect(syncName('open_deals', {})).toBe('Open deals')
    expect(syncName('ticketComments', {})).toBe('Ticket comments')
    expect(syncName('contacts', { contacts: 'Kontakte' })).toBe('Kontakte')
    expect(syncName('constructor', {})).toBe('Constructor')
  })
  it('describes frequencies in the largest whole unit', () => {
    expect(['1m', '15m', '60m', '1h', '6h', '24h', '1d', '7d', '14d', '90s'].map((f) => frequencyLabel(f, m.syncs.every))).toEqual([
      'Every minute', 'Every 15 minutes', 'Every hour', 'Every hour', 'Every 6 hours', 'Every day', 'Every day', 'Every week', 'Every 2 weeks', 'Every 90 seconds',
    ])
  })
  it('keeps the current value among the options, once', () => {
    expect(frequencyOptions('60m', { min: '30m', max: '6h' })).toEqual(['30m', '60m', '6h'])
    expect(frequencyOptions('5m', { min: '15m', max: '30m' })).toEqual(['5m', '15m', '30m'])
  })
  it('counts only the changes there were', () => {
    const now = Date.parse('2025-01-01T12:00:00Z')
    const s = sync('contacts', { lastRun: syncRun({ finishedAt: '2025-01-01T11:00:00Z', added: 1200, updated: 0, deleted: 0 }) })
    expect(describeSync(s, m, 'en', now).text).toBe('Synced 1 hour ago · 1,200 added')
    expect(describeSync({ ...s, lastRun: { ...s.lastRun!, added: 0 } }, m, 'en', now).text).toBe('Synced 1 hour ago · no changes')
    // A cancelled run: when it last worked.
    expect(describeSync({ ...s, lastSucceededAt: '2025-01-01T11:58:00Z', lastRun: { ...s.lastRun!, status: 'cancelled' } }, m, 'en', now).text).toBe('Synced 2 minutes ago')
  })
})
