/**
 * Renders `<PatchbayMarketplace>` against a fake API for component tests, and gives queries
 * scoped to its shadow root (Testing Library's `screen` does not look into shadow roots).
 */
import { render, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { expect, vi } from 'vitest'
import { PatchbayMarketplace, type PatchbayMarketplaceProps } from '../marketplace'
import type { PatchbayEventMap, PatchbayEventType } from '../types'
import { createFakeApi, type FakeApi, type FakeApiOptions } from './fake-api'

export const BASE_URL = 'https://patchbay.test'

export type Recorded = { [T in PatchbayEventType]: { type: T; detail: PatchbayEventMap[T] } }[PatchbayEventType]

/** Shadow-root scoped queries for a widget host element. */
export function shadowQueries(host: Element) {
  const shadow = host.shadowRoot
  const root = shadow?.querySelector<HTMLElement>('[data-patchbay-widget]')
  if (!shadow || !root) throw new Error('the widget host has no shadow root with the widget in it')
  // Queries run on the widget's root element (Testing Library cannot print a ShadowRoot in its errors).
  return { shadow, root, ui: within(root) }
}

export async function renderWidget(options: FakeApiOptions | { api: FakeApi }, props: Partial<PatchbayMarketplaceProps> = {}) {
  const api = 'api' in options ? options.api : createFakeApi(options)
  vi.stubGlobal('fetch', vi.fn(api.fetch))
  const events: Recorded[] = []
  const record =
    <T extends PatchbayEventType>(type: T) =>
    (detail?: PatchbayEventMap[T]) =>
      events.push({ type, detail: (detail ?? {}) as PatchbayEventMap[T] } as Recorded)
  const user = userEvent.setup()
  const utils = render(
    <PatchbayMarketplace
      sessionToken="pb_cs_test"
      baseUrl={BASE_URL}
      onReady={record('ready')}
      onConnect={record('connect')}
      onReconnect={record('reconnect')}
      onDisconnect={record('disconnect')}
      onMapping={record('mapping')}
      onError={record('error')}
      {...props}
    />,
  )
  const host = utils.container.querySelector('[data-patchbay-host]')!
  await waitFor(() => expect(host.shadowRoot?.querySelector('[data-patchbay-widget]')).toBeTruthy())
  const { shadow, ui } = shadowQueries(host)
  /** The focused element inside the widget. */
  const focused = () => shadow.activeElement
  return { ...utils, api, host, shadow, ui, user, events, focused, of: <T extends PatchbayEventType>(type: T) => events.filter((e) => e.type === type).map((e) => e.detail as PatchbayEventMap[T]) }
}
