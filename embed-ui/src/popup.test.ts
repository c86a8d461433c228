/**
 * The OAuth popup controller against a fake window: synchronous open, origin and source checks,
 * closed-popup detection, one popup at a time.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { OAUTH_MESSAGE_TYPE, PopupController, type PopupHost, type PopupOutcome } from './popup'

const ORIGIN = 'https://patchbay.test'

function fakeHost() {
  const listeners = new Set<(e: MessageEvent) => void>()
  const popups: FakePopup[] = []
  const host = {
    open: vi.fn((): Window | null => {
      const p = new FakePopup()
      popups.push(p)
      return p as unknown as Window
    }),
    addEventListener: vi.fn((type: string, fn: (e: MessageEvent) => void) => type === 'message' && listeners.add(fn)),
    removeEventListener: vi.fn((type: string, fn: (e: MessageEvent) => void) => type === 'message' && listeners.delete(fn)),
  }
  /** Delivers a message event as the browser would. */
  const post = (data: unknown, origin: string, source: unknown) => {
    for (const fn of [...listeners]) fn({ data, origin, source } as MessageEvent)
  }
  return { host: host as unknown as PopupHost & typeof host, listeners, popups, post }
}

class FakePopup {
  closed = false
  focus = vi.fn()
  close = vi.fn(() => {
    this.closed = true
  })
  location = { href: 'about:blank' }
}

const ok = { type: OAUTH_MESSAGE_TYPE, ok: true, connectionId: 'conn_1', integration: 'github', reconnected: false }

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('PopupController', () => {
  it('opens the popup synchronously, then loads the authorization URL into it', async () => {
    const { host, popups } = fakeHost()
    const c = new PopupController({ origin: ORIGIN, host })
    let resolveUrl!: (u: string) => void
    c.start(() => new Promise((r) => (resolveUrl = r)))
    // Opened before the URL is known (inside the click's user activation).
    expect(host.open).toHaveBeenCalledWith('', 'patchbay-oauth', 'popup,width=520,height=680')
    expect(popups[0]!.location.href).toBe('about:blank')
    resolveUrl(`${ORIGIN}/oauth/start?state=abc`)
    await vi.advanceTimersByTimeAsync(0)
    expect(popups[0]!.location.href).toBe(`${ORIGIN}/oauth/start?state=abc`)
    expect(c.active).toBe(true)
  })

  it('ignores messages from another origin, another window or of another type; accepts the result', async () => {
    const { host, popups, post, listeners } = fakeHost()
    const c = new PopupController({ origin: ORIGIN, host })
    const outcome = vi.fn()
    c.start(async () => `${ORIGIN}/oauth/start`)!.then(outcome)
    const popup = popups[0]!
    post(ok, 'https://evil.test', popup)
    post(ok, ORIGIN, {}) // not our popup
    post({ ...ok, type: 'something-else' }, ORIGIN, popup)
    post('patchbay:oauth-result', ORIGIN, popup)
    await vi.advanceTimersByTimeAsync(0)
    expect(outcome).not.toHaveBeenCalled()
    post(ok, ORIGIN, popup)
    await vi.advanceTimersByTimeAsync(0)
    expect(outcome).toHaveBeenCalledWith({ kind: 'success', connectionId: 'conn_1', integration: 'github', reconnected: false } satisfies PopupOutcome)
    expect(listeners.size).toBe(0)
    expect(c.active).toBe(false)
  })

  it('reports a failure from the callback page (oauth_denied)', async () => {
    const { host, popups, post } = fakeHost()
    const c = new PopupController({ origin: ORIGIN, host })
    const run = c.start(async () => `${ORIGIN}/oauth/start`)!
    post({ type: OAUTH_MESSAGE_TYPE, ok: false, code: 'oauth_denied', message: 'Access was denied at the provider' }, ORIGIN, popups[0])
    await expect(run).resolves.toEqual({ kind: 'error', code: 'oauth_denied', message: 'Access was denied at the provider' })
  })

  it('notices a popup closed without a result', async () => {
    const { host, popups, listeners } = fakeHost()
    const c = new PopupController({ origin: ORIGIN, host, pollMs: 500 })
    const outcome = vi.fn()
    c.start(async () => `${ORIGIN}/oauth/start`)!.then(outcome)
    await vi.advanceTimersByTimeAsync(1000)
    expect(outcome).not.toHaveBeenCalled()
    popups[0]!.closed = true
    await vi.advanceTimersByTimeAsync(500)
    expect(outcome).toHaveBeenCalledWith({ kind: 'closed' })
    expect(listeners.size).toBe(0)
    expect(c.active).toBe(false)
  })

  it('never opens a second popup: focuses the open one', async () => {
    const { host, popups } = fakeHost()
    const c = new PopupController({ origin: ORIGIN, host })
    const first = c.start(async () => `${ORIGIN}/oauth/start`)
    const second = c.start(async () => `${ORIGIN}/oauth/start?again`)
    expect(first).toBeInstanceOf(Promise)
    expect(second).toBeNull()
    expect(host.open).toHaveBeenCalledTimes(1)
    expect(popups[0]!.focus).toHaveBeenCalledTimes(1)
    // Once it is closed, a new attempt opens a popup again.
    popups[0]!.closed = true
    await vi.advanceTimersByTimeAsync(500)
    expect(c.start(async () => `${ORIGIN}/oauth/start`)).toBeInstanceOf(Promise)
    expect(host.open).toHaveBeenCalledTimes(2)
  })

  it('reports a blocked popup', async () => {
    const { host } = fakeHost()
    host.open.mockReturnValueOnce(null)
    const c = new PopupController({ origin: ORIGIN, host })
    await expect(c.start(async () => `${ORIGIN}/oauth/start`)).resolves.toEqual({ kind: 'blocked' })
    expect(c.active).toBe(false)
  })

  it('closes the popup when the authorization cannot start', async () => {
    const { host, popups } = fakeHost()
    const c = new PopupController({ origin: ORIGIN, host })
    const error = new Error('integration_not_allowed')
    await expect(c.start(() => Promise.reject(error))).resolves.toEqual({ kind: 'failed', error })
    expect(popups[0]!.close).toHaveBeenCalled()
  })

  it('cancel closes the popup and settles as cancelled', async () => {
    const { host, popups } = fakeHost()
    const c = new PopupController({ origin: ORIGIN, host })
    const run = c.start(async () => `${ORIGIN}/oauth/start`)!
    c.cancel()
    await expect(run).resolves.toEqual({ kind: 'cancelled' })
    expect(popups[0]!.close).toHaveBeenCalled()
  })
})
