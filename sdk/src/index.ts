/**
 * `@patchbay/sdk`: the typed client for Patchbay's backend API.
 * @example
 * import { Patchbay, PatchbayError } from '@patchbay/sdk'
 * const patchbay = new Patchbay({ secretKey: process.env.PATCHBAY_SECRET_KEY!, baseUrl: 'http://localhost:3000' })
 */
export { Patchbay } from './client'
export type {
  ConnectSessions,
  Connections,
  Connectors,
  EndUsers,
  Integrations,
  PatchbayOptions,
  ProxyBody,
  ProxyCallOptions,
  ProxyCallOptionsWithBody,
  ProxyClient,
  ProxyRequest,
  ProxyResult,
  QueryParams,
} from './client'
export { PatchbayError } from './errors'
export type { FieldError, PatchbayErrorCode, SdkErrorCode } from './errors'
export type {
  Connection,
  ConnectionListParams,
  ConnectionStatus,
  Connector,
  ConnectSession,
  ConnectSessionCreateParams,
  Deleted,
  EndUser,
  Integration,
  IntegrationCreateParams,
  IntegrationUpdateParams,
  List,
  Page,
  PageParams,
  Problem,
  RequestOptions,
} from './types'
// Reserved: `verifyWebhook` / `patchbay.webhooks.verify` (webhooks issue), from './webhooks'.
