// @vitest-environment happy-dom
/** `<patchbay-marketplace>`: renders into its shadow root and talks to the host with DOM events. */
import { within } from '@testing-library/dom'
import { afterEach, describe, expect, it, vi } from 'vitest'
import './element'
import { PatchbayMarketplaceElement } from './element'
import { createFakeApi } from './testing/fake-api'
import { catalog } from './testing/fixtures'

afterEach(() => {
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
})

function mount(attrs: Record<string, string>, before?: (el: PatchbayMarketplaceElement) => void) {
  const el = document.createElement('patchbay-marketplace')
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v)
  before?.(el)
  const events: CustomEvent[] = []
  for (const type of ['ready', 'connect', 'reconnect', 'disconnect', 'error', 'close']) el.addEventListener(type, (e) => events.push(e as CustomEvent))
  const escaped: string[] = []
  for (const type of ['ready', 'error', 'close']) window.addEventListener(type, () => escaped.push(type))
  document.body.append(el)
  return { el, events, escaped }
}

const root = (el: Element) => el.shadowRoot!.querySelector<HTMLElement>('[data-patchbay-widget]')!

describe('<patchbay-marketplace>', () => {
  it('is defined and renders into an open shadow root with its stylesheet', async () => {
    const api = createFakeApi({ integrations: catalog })
    vi.stubGlobal('fetch', vi.fn(api.fetch))
    const { el } = mount({ 'session-token': 'pb_cs_test', 'base-url': 'https://patchbay.test' })
    expect(customElements.get('patchbay-marketplace')).toBe(PatchbayMarketplaceElement)
    await vi.waitFor(() => expect(el.shadowRoot?.querySelector('[data-pb-card]')).toBeTruthy())
    expect(el.shadowRoot!.mode).toBe('open')
    expect(el.shadowRoot!.querySelector('style')!.textContent).toContain(':host')
    expect(el.querySelector('[data-pb-card]')).toBeNull() // nothing in the light DOM
    expect(within(root(el)).getByRole('searchbox', { name: 'Search integrations' })).toBeTruthy()
    expect(api.calls('GET /v1/embed/integrations')[0]!.token).toBe('pb_cs_test')
  })

  it('dispatches ready as a CustomEvent on the element that does not bubble to window', async () => {
    vi.stubGlobal('fetch', vi.fn(createFakeApi({ integrations: catalog }).fetch))
    const { el, events, escaped } = mount({ 'session-token': 'pb_cs_test', 'base-url': 'https://patchbay.test' })
    await vi.waitFor(() => expect(events.map((e) => e.type)).toContain('ready'))
    expect(escaped).toEqual([])
    const ready = events.find((e) => e.type === 'ready')!
    expect(ready).toBeInstanceOf(CustomEvent)
    expect(ready.bubbles).toBe(false)
    expect(ready.composed).toBe(true)
    expect(ready.target).toBe(el)
    expect(ready.detail).toEqual({ integrations: catalog.length, connections: 0 })
  })

  it('reads allowed-integrations, theme and locale attributes, and the getSessionToken and messages properties', async () => {
    const api = createFakeApi({ integrations: catalog, tokens: ['pb_cs_renewed'] })
    vi.stubGlobal('fetch', vi.fn(api.fetch))
    const getSessionToken = vi.fn(async () => 'pb_cs_renewed')
    const { el } = mount({ 'base-url': 'https://patchbay.test', 'allowed-integrations': 'stripe, github', theme: 'dark' }, (e) => {
      e.getSessionToken = getSessionToken
      e.messages = { catalog: { title: 'Connected apps' } }
    })
    await vi.waitFor(() => expect(el.shadowRoot?.querySelector('[data-pb-card]')).toBeTruthy())
    expect([...el.shadowRoot!.querySelectorAll<HTMLElement>('[data-pb-card]')].map((c) => c.dataset.integration)).toEqual(['github', 'stripe'])
    expect(el.getAttribute('data-pb-mode')).toBe('dark')
    expect(within(root(el)).getByRole('heading', { name: 'Connected apps' })).toBeTruthy()
    expect(getSessionToken).toHaveBeenCalled()
    el.setAttribute('theme', '{"mode":"auto","variables":{"accent":"#0f766e"}}')
    await vi.waitFor(() => expect(root(el).style.getPropertyValue('--pb-accent')).toBe('#0f766e'))
    expect(el.getAttribute('data-pb-mode')).toBe('auto')
  })

  it('waits in the loading state until the host gives a token, without errors or requests', async () => {
    const api = createFakeApi({ integrations: catalog })
    const fetch = vi.fn(api.fetch)
    vi.stubGlobal('fetch', fetch)
    const { el, events } = mount({ 'base-url': 'https://patchbay.test' })
    await new Promise((r) => setTimeout(r, 50))
    expect(root(el).dataset.state).toBe('loading')
    expect(fetch).not.toHaveBeenCalled()
    expect(events.map((e) => e.type)).toEqual([])
    el.setAttribute('session-token', 'pb_cs_test')
    await vi.waitFor(() => expect(el.shadowRoot?.querySelector('[data-pb-card]')).toBeTruthy())
    expect(events.map((e) => e.type)).toEqual(['ready'])
  })

  it('keeps properties set before the script defined the element', async () => {
    const api = createFakeApi({ integrations: catalog, tokens: ['pb_cs_early'] })
    vi.stubGlobal('fetch', vi.fn(api.fetch))
    const getSessionToken = vi.fn(async () => 'pb_cs_early')
    // The host page sets the property while the tag is still unknown…
    const el = document.createElement('pb-late-marketplace') as HTMLElement & { getSessionToken?: () => Promise<string> }
    el.setAttribute('base-url', 'https://patchbay.test')
    el.getSessionToken = getSessionToken
    document.body.append(el)
    // …then the script loads and upgrades it.
    customElements.define('pb-late-marketplace', class extends PatchbayMarketplaceElement {})
    expect(Object.prototype.hasOwnProperty.call(el, 'getSessionToken')).toBe(false)
    expect(el.getSessionToken).toBe(getSessionToken)
    await vi.waitFor(() => expect(el.shadowRoot?.querySelector('[data-pb-card]')).toBeTruthy())
    expect(api.calls('GET /v1/embed/integrations')[0]!.token).toBe('pb_cs_early')
  })

  it('shows a close button with the closable attribute and sends close', async () => {
    vi.stubGlobal('fetch', vi.fn(createFakeApi({ integrations: catalog }).fetch))
    const { el, events } = mount({ 'session-token': 'pb_cs_test', 'base-url': 'https://patchbay.test', closable: '' })
    await vi.waitFor(() => expect(el.shadowRoot?.querySelector('[data-pb-card]')).toBeTruthy())
    within(root(el)).getByRole('button', { name: 'Close' }).click()
    expect(events.map((e) => e.type)).toContain('close')
  })
})
