/**
 * `@patchbay/embed` for React hosts: the marketplace widget as a component (React is a peer
 * dependency). For any other page, use the standalone script and `<patchbay-marketplace>`.
 * @example
 * <PatchbayMarketplace
 *   sessionToken={token} baseUrl="https://patchbay.example.com"
 *   getSessionToken={() => fetch('/api/patchbay-session').then((r) => r.json()).then((j) => j.token)}
 *   onConnect={({ connectionId, integration }) => refreshMyIntegrations()}
 * />
 */
export { PatchbayMarketplace, type PatchbayMarketplaceProps } from './marketplace'
export { defaultMessages, type DeepPartial, type Messages } from './messages'
export type { ErrorStage, PatchbayEventMap, PatchbayEventType, Theme, ThemeMode, ThemeVariable, WidgetOptions } from './types'
export type { CatalogEntry, Connection, ConnectionStatus, FormField } from './api/types'
