/**
 * The OAuth popup controller, free of any framework so it can be tested with a fake window.
 *
 * The popup is opened synchronously inside the click handler (`window.open('', …)`) so popup
 * blockers see a user gesture; the authorization URL, which needs an API round trip, is loaded
 * into it afterwards. The result comes back from Patchbay's callback page
 * (`server/src/routes/oauth.ts`) as a `postMessage` to this page's origin; only messages from
 * Patchbay's origin, from our popup, of type `patchbay:oauth-result` are accepted.
 * @see https://datatracker.ietf.org/doc/html/rfc9700#section-4.1 (OAuth 2.0 Security BCP)
 */

export const OAUTH_MESSAGE_TYPE = 'patchbay:oauth-result'
export const POPUP_NAME = 'patchbay-oauth'
export const POPUP_FEATURES = 'popup,width=520,height=680'

/** How an authorization attempt ended. */
export type PopupOutcome =
  /** The callback page reported a connection (`reconnected` when an existing one was re-authorized). */
  | { kind: 'success'; connectionId: string; integration: string; reconnected: boolean }
  /** The callback page reported a failure, e.g. `oauth_denied` when the user declined. */
  | { kind: 'error'; code: string; message: string }
  /** The user closed the popup before any result. */
  | { kind: 'closed' }
  /** The browser refused to open the popup. */
  | { kind: 'blocked' }
  /** We closed it ({@link PopupController.cancel} or {@link PopupController.dispose}). */
  | { kind: 'cancelled' }
  /** Getting the authorization URL failed (the error of `getUrl`). */
  | { kind: 'failed'; error: unknown }

/** What the controller needs from `window`; a test passes a fake. */
export type PopupHost = Pick<Window, 'open' | 'addEventListener' | 'removeEventListener'>

export interface PopupControllerOptions {
  /** Patchbay's origin (`new URL(baseUrl).origin`): the only origin results are accepted from. */
  origin: string
  host?: PopupHost
  /** How often to check whether the user closed the popup. */
  pollMs?: number
}

/**
 * Runs one OAuth popup at a time.
 * @example
 * const popup = new PopupController({ origin: 'https://patchbay.example.com' })
 * button.onclick = () => popup.start(() => api.startAuthorization({ integration: 'github' }).then((r) => r.url))?.then(show)
 */
export class PopupController {
  readonly #origin: string
  readonly #host: PopupHost
  readonly #pollMs: number
  #popup: Window | null = null
  #abort: (() => void) | null = null

  constructor(options: PopupControllerOptions) {
    this.#origin = options.origin
    this.#host = options.host ?? window
    this.#pollMs = options.pollMs ?? 500
  }

  /** Whether a popup is open and waiting for a result. */
  get active(): boolean {
    return this.#popup !== null
  }

  /**
   * Opens the popup and loads the URL `getUrl` resolves to. Call it synchronously from the
   * click handler. When a popup is already open it is focused instead and `null` is returned:
   * there are never two.
   * @returns the outcome, once the popup reports, is closed or fails to open.
   */
  start(getUrl: () => Promise<string>): Promise<PopupOutcome> | null {
    if (this.#popup) {
      this.focus()
      return null
    }
    let popup: Window | null = null
    try {
      popup = this.#host.open('', POPUP_NAME, POPUP_FEATURES)
    } catch {
      popup = null
    }
    if (!popup) return Promise.resolve({ kind: 'blocked' })
    const win = popup
    this.#popup = win

    return new Promise<PopupOutcome>((resolve) => {
      let settled = false
      const finish = (outcome: PopupOutcome, closePopup: boolean) => {
        if (settled) return
        settled = true
        clearInterval(timer)
        this.#host.removeEventListener('message', onMessage)
        if (this.#popup === win) this.#popup = null
        this.#abort = null
        if (closePopup) {
          try {
            win.close()
          } catch {
            // already gone
          }
        }
        resolve(outcome)
      }
      const onMessage = (event: MessageEvent) => {
        if (event.origin !== this.#origin || event.source !== win) return
        const data: unknown = event.data
        if (!data || typeof data !== 'object' || (data as { type?: unknown }).type !== OAUTH_MESSAGE_TYPE) return
        const m = data as { ok?: unknown; connectionId?: unknown; integration?: unknown; reconnected?: unknown; code?: unknown; message?: unknown }
        if (m.ok === true) finish({ kind: 'success', connectionId: String(m.connectionId), integration: String(m.integration), reconnected: m.reconnected === true }, false)
        else finish({ kind: 'error', code: typeof m.code === 'string' ? m.code : 'oauth_failed', message: typeof m.message === 'string' ? m.message : '' }, false)
      }
      const timer = setInterval(() => {
        let closed = false
        try {
          closed = win.closed
        } catch {
          // some browsers throw while the popup is cross-origin and navigating; treat as open
        }
        if (closed) finish({ kind: 'closed' }, false)
      }, this.#pollMs)
      this.#host.addEventListener('message', onMessage)
      this.#abort = () => finish({ kind: 'cancelled' }, true)

      getUrl().then(
        (url) => {
          if (settled) return
          try {
            win.location.href = url
          } catch (error) {
            finish({ kind: 'failed', error }, true)
          }
        },
        (error: unknown) => finish({ kind: 'failed', error }, true),
      )
    })
  }

  /** Brings the open popup to the front. */
  focus(): void {
    try {
      this.#popup?.focus()
    } catch {
      // nothing to focus
    }
  }

  /** Closes the open popup; its outcome is `cancelled`. */
  cancel(): void {
    this.#abort?.()
  }

  /** Stops listening and closes any popup (the widget is going away). */
  dispose(): void {
    this.cancel()
  }
}
