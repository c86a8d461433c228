/** The React component: the widget in a shadow root, its events as `on…` callbacks. */
import type { CSSProperties } from 'react'
import { ShadowHost, themeMode, WidgetRoot } from './mount'
import type { EmitFn, PatchbayEventMap, WidgetOptions } from './types'

export interface PatchbayMarketplaceProps extends WidgetOptions {
  /** The catalog is on screen. */
  onReady?: (detail: PatchbayEventMap['ready']) => void
  onConnect?: (detail: PatchbayEventMap['connect']) => void
  onReconnect?: (detail: PatchbayEventMap['reconnect']) => void
  onDisconnect?: (detail: PatchbayEventMap['disconnect']) => void
  /** A field mapping was saved. */
  onMapping?: (detail: PatchbayEventMap['mapping']) => void
  onError?: (detail: PatchbayEventMap['error']) => void
  /** Given: the widget shows a close button, which calls this. */
  onClose?: () => void
  /** On the host `<div>` (outside the shadow root): layout only, e.g. width or margin. */
  className?: string
  style?: CSSProperties
}

const HANDLERS = { ready: 'onReady', connect: 'onConnect', reconnect: 'onReconnect', disconnect: 'onDisconnect', mapping: 'onMapping', error: 'onError', close: 'onClose' } as const

/**
 * The Patchbay marketplace: catalog, detail, connect (OAuth popup or form), connected accounts.
 * @example <PatchbayMarketplace sessionToken={token} baseUrl="https://patchbay.example.com" theme="auto" />
 */
export function PatchbayMarketplace(props: PatchbayMarketplaceProps) {
  const { className, style, closable, ...options } = props
  const emit: EmitFn = (type, detail) => {
    const handler = props[HANDLERS[type]] as ((d: typeof detail) => void) | undefined
    handler?.(detail)
  }
  return (
    <ShadowHost mode={themeMode(props.theme)} className={className} style={style}>
      <WidgetRoot {...options} closable={closable ?? !!props.onClose} emit={emit} />
    </ShadowHost>
  )
}
