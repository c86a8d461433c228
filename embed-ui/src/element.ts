/**
 * `<patchbay-marketplace>`: the widget as a custom element for any page (the standalone build,
 * React bundled). Entry of `vite build --mode standalone`; defines the element when loaded.
 *
 * Attributes: `session-token`, `base-url`, `allowed-integrations` (comma-separated), `theme`
 * (`light`, `dark`, `auto`, or a JSON theme object), `locale`, `closable`.
 * Properties: `getSessionToken` (async () => token), `messages` (overrides), `theme` (string or
 * object), `sessionToken`.
 * Events (`CustomEvent` on the element, not bubbling, payload in `detail`): `ready`, `connect`,
 * `reconnect`, `disconnect`, `mapping`, `error`, `close`.
 * @example
 * <script src="https://patchbay.example.com/embed/patchbay-embed.js" integrity="sha384-…" crossorigin></script>
 * <patchbay-marketplace session-token="pb_cs_…" base-url="https://patchbay.example.com"></patchbay-marketplace>
 * <script>
 *   const el = document.querySelector('patchbay-marketplace')
 *   el.getSessionToken = () => fetch('/api/patchbay-session').then((r) => r.json()).then((j) => j.token)
 *   el.addEventListener('connect', (e) => console.log(e.detail.connectionId))
 * </script>
 */
import { createElement } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import type { DeepPartial, Messages } from './messages'
import { themeMode, WidgetRoot } from './mount'
import type { EmitFn, Theme } from './types'

export { defaultMessages } from './messages'

export const ELEMENT_NAME = 'patchbay-marketplace'

const ATTRIBUTES = ['session-token', 'base-url', 'allowed-integrations', 'theme', 'locale', 'closable'] as const

/** Parses the `theme` attribute: a mode, or a JSON theme object. */
function parseTheme(value: string | null): Theme | undefined {
  if (!value) return undefined
  const v = value.trim()
  if (!v.startsWith('{')) return v as Theme
  try {
    return JSON.parse(v) as Theme
  } catch {
    return undefined
  }
}

/** HTMLElement, or a stand-in where there is none (server-side rendering imports this module). */
const Base = (typeof HTMLElement === 'undefined' ? class {} : HTMLElement) as typeof HTMLElement

export class PatchbayMarketplaceElement extends Base {
  static readonly observedAttributes = ATTRIBUTES
  #root: Root | null = null
  #getSessionToken: (() => Promise<string>) | undefined
  #messages: DeepPartial<Messages> | undefined
  #theme: Theme | undefined
  #unmountTimer: ReturnType<typeof setTimeout> | undefined

  constructor() {
    super()
    // Properties set before the element was upgraded (script loaded late) shadow our accessors.
    for (const prop of ['getSessionToken', 'messages', 'theme', 'sessionToken'] as const) {
      if (Object.prototype.hasOwnProperty.call(this, prop)) {
        const value = (this as Record<string, unknown>)[prop]
        delete (this as Record<string, unknown>)[prop]
        ;(this as Record<string, unknown>)[prop] = value
      }
    }
  }

  /** Called when the session token is missing or expired; must resolve to a new token. */
  get getSessionToken(): (() => Promise<string>) | undefined {
    return this.#getSessionToken
  }
  set getSessionToken(fn: (() => Promise<string>) | undefined) {
    this.#getSessionToken = typeof fn === 'function' ? fn : undefined
    this.#render()
  }

  /** Overrides of the widget's messages (deep-partial). */
  get messages(): DeepPartial<Messages> | undefined {
    return this.#messages
  }
  set messages(value: DeepPartial<Messages> | undefined) {
    this.#messages = value ?? undefined
    this.#render()
  }

  /** The theme; an object set here wins over the `theme` attribute. */
  get theme(): Theme | undefined {
    return this.#theme ?? parseTheme(this.getAttribute('theme'))
  }
  set theme(value: Theme | undefined) {
    this.#theme = value ?? undefined
    this.#render()
  }

  /** Mirrors the `session-token` attribute. */
  get sessionToken(): string | null {
    return this.getAttribute('session-token')
  }
  set sessionToken(value: string | null) {
    if (value) this.setAttribute('session-token', value)
    else this.removeAttribute('session-token')
  }

  connectedCallback(): void {
    clearTimeout(this.#unmountTimer)
    if (!this.#root) {
      const shadow = this.shadowRoot ?? this.attachShadow({ mode: 'open' })
      this.#root = createRoot(shadow)
    }
    this.#render()
  }

  disconnectedCallback(): void {
    // Moving the element in the DOM disconnects then reconnects it: wait before tearing down.
    this.#unmountTimer = setTimeout(() => {
      if (this.isConnected) return
      this.#root?.unmount()
      this.#root = null
    })
  }

  attributeChangedCallback(): void {
    this.#render()
  }

  #emit: EmitFn = (type, detail) => {
    // Not bubbling: an `error` that reached `window` would look like a script error to error trackers.
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: false, composed: true }))
  }

  #render(): void {
    if (!this.#root) return
    const theme = this.theme
    this.setAttribute('data-pb-mode', themeMode(theme))
    const allowed = this.getAttribute('allowed-integrations')
    this.#root.render(
      createElement(WidgetRoot, {
        sessionToken: this.getAttribute('session-token') ?? undefined,
        baseUrl: this.getAttribute('base-url') ?? undefined,
        getSessionToken: this.#getSessionToken,
        allowedIntegrations: allowed
          ? allowed
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : undefined,
        theme,
        messages: this.#messages,
        locale: this.getAttribute('locale') ?? undefined,
        closable: this.hasAttribute('closable'),
        emit: this.#emit,
      }),
    )
  }
}

/** Defines `<patchbay-marketplace>` once (a second script on the page is harmless). */
export function defineElement(name: string = ELEMENT_NAME): void {
  if (typeof customElements !== 'undefined' && !customElements.get(name)) customElements.define(name, PatchbayMarketplaceElement)
}

declare global {
  interface HTMLElementTagNameMap {
    'patchbay-marketplace': PatchbayMarketplaceElement
  }
}

defineElement()
