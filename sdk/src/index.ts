/**
 * `@patchbay/sdk`: the typed client for Patchbay's backend API.
 * @example
 * import { Patchbay, PatchbayError } from '@patchbay/sdk'
 * const patchbay = new Patchbay({ secretKey: process.env.PATCHBAY_SECRET_KEY!, baseUrl: 'http://localhost:3000' })
 */
export { Patchbay } from './client'
export { isActionFailed } from './client'
export type { ActionRuns, Actions } from './client'
export type { ActionFailedProblem, ActionRun, ActionRunListParams, ActionRunParams, ActionRunResult, ActionRunStatus } from './types'
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
  Mappings,
  Models,
  Records,
  Syncs,
  SyncRuns,
  WebhookDeliveries,
  WebhookEndpoints,
} from './client'
export { verifyWebhook } from './webhooks'
export type { VerifyWebhookOptions, WebhookHeaders } from './webhooks'
export { PatchbayError } from './errors'
export type { FieldError, PatchbayErrorCode, SdkErrorCode } from './errors'
export type {
  RecordListParams,
  RecordsPage,
  Sync,
  SyncedRecord,
  SyncEventData,
  MappingUpdatedEventData,
  MappingAppliedEventData,
  SyncRun,
  SyncRunListParams,
  SyncRunStatus,
  SyncSettings,
  SyncTriggerParams,
  VendorModel,
  VendorModelPutParams,
  FieldMapping,
  MappingPutParams,
  MappingSaved,
  MappingPreview,
  ProviderFields,
  Connection,
  ConnectionDetail,
  ConnectionListParams,
  ConnectionStatus,
  Connector,
  CustomConnector,
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
  WebhookDelivery,
  WebhookDeliveryListParams,
  WebhookDeliveryStatus,
  WebhookEndpoint,
  WebhookEndpointCreateParams,
  WebhookEndpointUpdateParams,
  WebhookEndpointWithSecret,
  WebhookEvent,
  WebhookEventType,
  WebhookSecretReveal,
  ProviderWebhookEventData,
} from './types'
