/**
 * The public contract of the widget, shared by the React component and the custom element.
 */
import type { DeepPartial, Messages } from './messages'

export type ThemeMode = 'light' | 'dark' | 'auto'

/** The CSS custom properties a theme may set, without their `--pb-` prefix. */
export type ThemeVariable =
  | 'font' | 'font-size' | 'radius' | 'radius-sm' | 'space'
  | 'bg' | 'surface' | 'surface-2' | 'border' | 'border-strong' | 'text' | 'muted'
  | 'accent' | 'accent-hover' | 'on-accent' | 'accent-soft' | 'accent-text' | 'focus'
  | 'success' | 'success-soft' | 'warning' | 'warning-soft' | 'danger' | 'danger-soft' | 'shadow'

/**
 * `'light' | 'dark' | 'auto'` (follows the operating system), or that plus CSS variable overrides.
 * @example { mode: 'dark', variables: { accent: '#0f766e', radius: '4px' } }
 */
export type Theme = ThemeMode | { mode?: ThemeMode; variables?: Partial<Record<ThemeVariable, string>> }

/** Where a failure happened: loading the catalog, the session token, the OAuth popup, the credentials form, disconnecting, changing a sync, saving or resetting a field mapping. */
export type ErrorStage = 'load' | 'session' | 'authorize' | 'connect' | 'disconnect' | 'sync' | 'mapping'

/** Payloads of the events the widget sends to the host (`detail` of the element's CustomEvents). */
export interface PatchbayEventMap {
  /** The catalog is on screen. */
  ready: { integrations: number; connections: number }
  /** A new connection was made. */
  connect: { connectionId: string; integration: string }
  /** An existing connection was authorized again (same id). */
  reconnect: { connectionId: string; integration: string }
  disconnect: { connectionId: string; integration: string }
  /** The end user saved how a connection's `object` (e.g. `contact`) maps to your model; its records are re-sent in the new shape. */
  mapping: { connectionId: string; integration: string; object: string; version: number }
  /** Something failed; `code` is the API's stable code, or `popup_closed`, `popup_blocked`, `network_error`. */
  error: { stage: ErrorStage; code: string; message: string; integration?: string }
  /** The user asked to close the widget (the close button, shown when the host can close it). */
  close: Record<string, never>
}

export type PatchbayEventType = keyof PatchbayEventMap

/** Options common to the React component and the custom element. */
export interface WidgetOptions {
  /** The connect session token (`pb_cs_…`) the host's backend created for this end user. */
  sessionToken?: string | undefined
  /** Patchbay's URL, e.g. `https://patchbay.example.com`. Default: this page's origin. */
  baseUrl?: string | undefined
  /**
   * Called when the token is missing or expired; returns a new one from the host's backend.
   * The failed request is then retried once.
   */
  getSessionToken?: (() => Promise<string>) | undefined
  /** Show only these integration keys (the session may restrict further). */
  allowedIntegrations?: readonly string[] | undefined
  theme?: Theme | undefined
  /** Overrides of {@link Messages}, merged key by key. */
  messages?: DeepPartial<Messages> | undefined
  /** BCP 47 locale for dates. Default: the browser's. */
  locale?: string | undefined
  /** Show a close button that sends `close`. */
  closable?: boolean | undefined
}

/** Receives every event; the React component maps it to the `on…` props, the element to CustomEvents. */
export type EmitFn = <T extends PatchbayEventType>(type: T, detail: PatchbayEventMap[T]) => void
