/**
 * Square (Connect API v2, OAuth code flow).
 *
 * Sources, each cited again where it is used:
 * - OAuth overview: https://developer.squareup.com/docs/oauth-api/overview
 * - Authorize: https://developer.squareup.com/reference/square/o-auth/authorize and
 *   https://developer.squareup.com/docs/oauth-api/create-urls-for-square-authorization
 * - ObtainToken: https://developer.squareup.com/reference/square/o-auth/obtain-token and its
 *   response, https://developer.squareup.com/reference/square/objects/ObtainTokenResponse
 * - Versioning (`Square-Version`): https://developer.squareup.com/docs/build-basics/versioning-overview
 * - Pagination: https://developer.squareup.com/docs/working-with-apis/pagination
 * - ListCustomers: https://developer.squareup.com/reference/square/customers-api/list-customers
 * - CreateCustomer: https://developer.squareup.com/reference/square/customers-api/create-customer
 * - ListPayments: https://developer.squareup.com/reference/square/payments/ListPayments
 * - Merchants (`GET /v2/merchants/me`): https://developer.squareup.com/docs/merchants-api
 * - Webhooks: https://developer.squareup.com/docs/webhooks/step2subscribe and
 *   https://developer.squareup.com/docs/webhooks/step3validate
 *
 * Not here: orders. Orders are listed only by SearchOrders (`POST /v2/orders/search`, a query in
 * the body), which a GET list sync cannot declare.
 */
import { z } from 'zod'
import { anchored, firstString } from '../helpers'
import { defineConnector } from '../schema'

/** A black rounded square with a white square ring (not Square's logo). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Square">' +
  '<rect width="64" height="64" rx="14" fill="#111827"/>' +
  '<rect x="17" y="17" width="30" height="30" rx="6" fill="none" stroke="#fff" stroke-width="6"/>' +
  '</svg>'

/**
 * Square's production and sandbox hosts (OAuth overview and Square's own authorization URL
 * template: "connect.squareup.com" and "connect.squareupsandbox.com"). Nothing else can receive the
 * app's client secret or a seller's token.
 */
export const HOST_PATTERN = 'connect\\.squareup\\.com|connect\\.squareupsandbox\\.com'

/**
 * The API version every request asks for. "The default API version is pinned to the application
 * and used for all requests unless overridden by the Square-Version header" (versioning page), so
 * it is pinned here, where the fields below were checked; release notes:
 * https://developer.squareup.com/docs/changelog/connect-logs/2026-07-15
 */
export const SQUARE_VERSION = '2026-07-15'

/**
 * A merchant id as ObtainToken's `merchant_id` gives it ("MLEFBHHSJGVHD" in Square's examples):
 * letters and digits. Square documents no length; 100 is a generous bound.
 */
export const MERCHANT_ID_PATTERN = '[A-Za-z0-9]{1,100}'

/**
 * The seller the token was issued for: ObtainToken's `merchant_id`, "The ID of the authorizing
 * merchant's business" (ObtainTokenResponse). Webhook events name the same id in `merchant_id`, so
 * it routes them. Returns nothing when the field is missing or malformed (the engine checks the
 * pattern again).
 */
export function merchantFromToken(tokenResponse: Record<string, unknown>): Record<string, string> {
  const id = tokenResponse.merchant_id
  return typeof id === 'string' && anchored(MERCHANT_ID_PATTERN).test(id) ? { merchantId: id } : {}
}

/** A Square `Address` (Working with addresses), as CreateCustomer takes it. */
const address = z.strictObject({
  address_line_1: z.string().max(500).optional(),
  address_line_2: z.string().max(500).optional(),
  address_line_3: z.string().max(500).optional(),
  locality: z.string().max(100).optional(),
  sublocality: z.string().max(100).optional(),
  administrative_district_level_1: z.string().max(200).optional(),
  postal_code: z.string().max(12).optional(),
  country: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2').optional(),
  first_name: z.string().max(300).optional(),
  last_name: z.string().max(300).optional(),
})

export default defineConnector({
  id: 'square',
  name: 'Square',
  description: 'Bring in your Square customers and payments, and add new customers to Square from this app.',
  categories: ['payments', 'commerce'],
  logo,
  docsUrl: 'https://developer.squareup.com/docs',
  auth: {
    type: 'oauth2',
    // Authorize: "https://connect.squareup.com/oauth2/authorize?client_id={YOUR_APP_ID}&scope=
    // CUSTOMERS_WRITE+CUSTOMERS_READ&session=False&state=…"; Square's template for the sandbox is the
    // same path on connect.squareupsandbox.com. The host is the connection's `host`.
    authorizationUrl: 'https://{host}/oauth2/authorize',
    tokenUrl: 'https://{host}/oauth2/token',
    // ObtainToken: "With the code flow, provide code, client_id, and client_secret"; the reference
    // shows them in a JSON body (`Content-Type: application/json`), so the parameters go as JSON
    // members with the secret among them. The answer's expiry is `expires_at` ("The timestamp of
    // when the access_token expires, in ISO 8601 format", ObtainTokenResponse), which the engine reads
    // when `expires_in` is absent.
    clientAuth: 'client_secret_post',
    tokenRequestBody: 'json',
    // No PKCE. Square has two flows: the code flow (client secret; "Refresh tokens obtained using
    // the code flow don't expire", and a refresh "returns the same refresh token provided in the
    // request") and the PKCE flow for public clients (code_verifier instead of the secret, a new
    // refresh token on every refresh). Sending a `code_challenge` selects the PKCE flow ("When
    // provided, the OAuth flow uses PKCE to authorize"); a server that keeps the secret wants the
    // code flow's refresh tokens.
    pkce: false,
    // Authorize: `scope`, "A space-separated list of the permissions". The minimal set:
    // CUSTOMERS_READ (ListCustomers), PAYMENTS_READ (ListPayments), MERCHANT_PROFILE_READ
    // (GET /v2/merchants/me, the account label) and CUSTOMERS_WRITE (CreateCustomer, only for
    // `create_customer`).
    scopes: ['CUSTOMERS_READ', 'PAYMENTS_READ', 'MERCHANT_PROFILE_READ', 'CUSTOMERS_WRITE'],
    // Authorize: `session` — "If false, the user must log in to their Square account to view the
    // Permission Request form, even if they already have a valid user session"; Square's example
    // URL sends `session=False`. It has no effect in the sandbox.
    authorizationParams: { session: 'false' },
    // "Square OAuth access tokens expire after 30 days. To maintain access, you must generate a new
    // OAuth access token using the refresh token" (overview). The answer gives `expires_at` (an
    // ISO 8601 time), not `expires_in`, so the engine learns the expiry only from a 401 and then
    // refreshes (see the report). No RFC 7009 revocation: RevokeToken takes `Authorization: Client
    // <secret>` and a JSON body.
    refreshable: true,
  },
  // Production or sandbox. A sandbox app has its own application id and secret, so an integration
  // points all its connections at one host; the end user keeps the default.
  connectionConfig: {
    host: {
      label: 'Square environment',
      description: 'connect.squareup.com for live sellers, connect.squareupsandbox.com for the Square Sandbox.',
      pattern: HOST_PATTERN,
      default: 'connect.squareup.com',
      required: false,
    },
    // Set by `hooks.afterTokenResponse`, never typed; routes webhook events (below).
    merchantId: { label: 'Square merchant', description: 'The Square business you connected, named by Square when you connect.', source: 'token', pattern: MERCHANT_ID_PATTERN, required: false },
  },
  http: {
    // "https://connect.squareup.com/v2/payments" (versioning page); the sandbox serves the same paths.
    baseUrl: 'https://{host}/v2',
    headers: { 'Square-Version': SQUARE_VERSION },
    // Square documents no rate-limit response headers and no numeric limits; a 429 is retried
    // (Retry-After honoured when present).
    retry: { on: [429, 502, 503, 504], maxAttempts: 3, maxDelayMs: 10_000 },
    // Pagination page: "When the result is truncated and there are more resources to retrieve, the
    // response also returns a cursor field … The last page of the result set doesn't include a
    // cursor"; "All Square API endpoints that support API pagination also support a limit field".
    // For the GET lists the cursor and limit are query parameters. Each object names its items.
    pagination: { type: 'cursor', cursorParam: 'cursor', cursorPath: 'cursor', itemsPath: 'customers', limitParam: 'limit', limit: 100 },
  },
  // RetrieveMerchant with `me`: "the merchant that is currently accessible to this call" → { merchant: { business_name, … } }.
  accountInfo: { path: '/merchants/me' },
  objects: {
    customer: {
      label: 'Customers',
      description: 'Customer profiles in the seller’s Square customer directory.',
      // ListCustomers: GET /v2/customers; `limit` "is ignored if it is less than 1 or greater than
      // 100. The default value is 100"; `sort_field` DEFAULT or CREATED_AT, `sort_order` ASC/DESC.
      path: '/customers',
      docs: 'https://developer.squareup.com/reference/square/customers-api/list-customers',
      params: { sort_field: 'CREATED_AT', sort_order: 'ASC' },
      fields: {
        id: { type: 'string', key: true },
        givenName: { type: 'string', from: 'given_name' },
        familyName: { type: 'string', from: 'family_name' },
        nickname: { type: 'string' },
        companyName: { type: 'string', from: 'company_name' },
        email: { type: 'string', from: 'email_address' },
        phone: { type: 'string', from: 'phone_number' },
        referenceId: { type: 'string', from: 'reference_id' },
        note: { type: 'string' },
        address: { type: 'object' },
        birthday: { type: 'string', description: 'YYYY-MM-DD, or 0000-MM-DD without a year' },
        creationSource: { type: 'string', from: 'creation_source' },
        emailUnsubscribed: { type: 'boolean', from: 'preferences.email_unsubscribed' },
        version: { type: 'integer' },
        createdAt: { type: 'datetime', from: 'created_at' },
        updatedAt: { type: 'datetime', from: 'updated_at' },
      },
      commonModel: 'contact',
      defaultMapping: {
        email: { source: 'field', path: 'email_address' },
        firstName: { source: 'field', path: 'given_name' },
        lastName: { source: 'field', path: 'family_name' },
        phone: { source: 'field', path: 'phone_number' },
        company: { source: 'field', path: 'company_name' },
        createdAt: { source: 'field', path: 'created_at' },
        updatedAt: { source: 'field', path: 'updated_at' },
      },
    },
    payment: {
      label: 'Payments',
      description: 'Payments taken at the seller’s main location.',
      // ListPayments: GET /v2/payments, "The maximum results per page is 100". `begin_time`:
      // "Indicates the start of the time range to retrieve payments for, in RFC 3339 format. The
      // range is determined using the created_at field for each Payment. Inclusive. Default: The
      // current time minus one year" — so a first (full) run asks from 2000-01-01 to get more than
      // the last year. `location_id`: "By default, results are returned for the default (main)
      // location associated with the seller" (see the report). Oldest first.
      path: '/payments',
      docs: 'https://developer.squareup.com/reference/square/payments/ListPayments',
      params: { begin_time: '2000-01-01T00:00:00Z', sort_order: 'ASC' },
      pagination: { type: 'cursor', cursorParam: 'cursor', cursorPath: 'cursor', itemsPath: 'payments', limitParam: 'limit', limit: 100 },
      fields: {
        id: { type: 'string', key: true },
        status: { type: 'enum', enumValues: ['APPROVED', 'PENDING', 'COMPLETED', 'CANCELED', 'FAILED'] },
        amount: { type: 'integer', from: 'amount_money.amount', description: 'In the currency’s smallest unit (cents)' },
        currency: { type: 'string', from: 'amount_money.currency' },
        totalAmount: { type: 'integer', from: 'total_money.amount', description: 'Smallest currency unit, tips included' },
        refundedAmount: { type: 'integer', from: 'refunded_money.amount', description: 'Smallest currency unit' },
        sourceType: { type: 'string', from: 'source_type', description: 'CARD, BANK_ACCOUNT, WALLET, CASH, EXTERNAL…' },
        cardBrand: { type: 'string', from: 'card_details.card.card_brand' },
        cardLast4: { type: 'string', from: 'card_details.card.last_4' },
        locationId: { type: 'string', from: 'location_id' },
        orderId: { type: 'string', from: 'order_id' },
        customerId: { type: 'string', from: 'customer_id' },
        note: { type: 'string' },
        receiptUrl: { type: 'string', from: 'receipt_url' },
        createdAt: { type: 'datetime', from: 'created_at' },
        updatedAt: { type: 'datetime', from: 'updated_at' },
      },
    },
  },
  syncs: {
    // Full: ListCustomers has no changed-since parameter (SearchCustomers filters on `updated_at`,
    // but it is a POST with the query in the body). A complete run marks deleted customers deleted.
    customers: { object: 'customer', mode: 'full', defaultFrequency: '6h' },
    // Incremental by creation time (`begin_time` is on `created_at`): new payments only. A payment's
    // later changes (completion of a delayed capture, refunds) are not seen by incremental runs; a
    // full resync picks them up (see the report).
    payments: { object: 'payment', mode: 'incremental', cursorField: 'createdAt', updatedSinceParam: 'begin_time', defaultFrequency: '1h' },
  },
  actions: {
    create_customer: {
      description: 'Create a customer profile.',
      // CreateCustomer: POST /v2/customers, JSON body → { customer }. "You must provide at least
      // one of the following values in your request to this endpoint: given_name, family_name,
      // company_name, email_address, phone_number". Length limits from CreateCustomerRequest
      // (given and family name 300, company 500, nickname 100). `idempotency_key` is Square's own
      // (in the body); Patchbay also sends an Idempotency-Key header when the caller gives a key.
      method: 'POST',
      path: '/customers',
      object: 'customer',
      input: z
        .strictObject({
          idempotency_key: z.string().min(1).max(45).optional(),
          given_name: z.string().max(300).optional(),
          family_name: z.string().max(300).optional(),
          company_name: z.string().max(500).optional(),
          nickname: z.string().max(100).optional(),
          email_address: z.email().max(254).optional(),
          address: address.optional(),
          phone_number: z.string().regex(/^\+?[0-9 ()\-.]{9,32}$/, 'a phone number, 9–16 digits with an optional + and country code').optional(),
          reference_id: z.string().max(100).optional(),
          note: z.string().optional(),
          birthday: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD (0000 as the year when unknown)').optional(),
        })
        .refine((c) => [c.given_name, c.family_name, c.company_name, c.email_address, c.phone_number].some((v) => v !== undefined && v !== ''), 'give at least one of given_name, family_name, company_name, email_address or phone_number'),
    },
  },
  // Webhook subscriptions belong to the application (Developer Console → Webhooks → Subscriptions,
  // step2subscribe) and deliver the events of every seller that authorized it, so one URL serves
  // the integration and events are routed by seller. The notification URL entered in Square must be
  // exactly the URL Patchbay shows: it is part of the signed message.
  webhooks: {
    // step2subscribe: "In Endpoint Details, choose Show in the Signature Key box. Copy the signature
    // key; you use this key later when you verify the event notification."
    secret: { from: 'integration', label: 'Signature key', helpUrl: 'https://developer.squareup.com/docs/webhooks/step2subscribe' },
    // step3validate: the `x-square-hmacsha256-signature` header is an HMAC-SHA256 "generated using
    // your webhook signature key, the notification URL, and the raw body of the request", base64:
    // the URL followed by the body, as Square's own SDK helper signs it (its test vector,
    // https://github.com/square/square-nodejs-sdk/blob/master/test/utilities/webhooksHelper.test.ts,
    // is checked in webhooks.test.ts). No timestamp is signed.
    signature: { type: 'hmac', algorithm: 'sha256', encoding: 'base64', header: 'x-square-hmacsha256-signature', signed: ['url', 'body'] },
    // An event notification names the seller in `merchant_id` and the event in `type`
    // (`{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification","event_id":…,"data":…}`
    // in the same test vector; `payment.created`, `customer.updated`… for real events).
    route: { body: 'merchant_id', connectionConfig: 'merchantId' },
    eventType: { body: 'type' },
    docs: 'https://developer.squareup.com/docs/webhooks/step3validate',
  },
  hooks: {
    afterTokenResponse: (tokenResponse) => merchantFromToken(tokenResponse),
    // GET /v2/merchants/me → the business name, e.g. "Apple A Day".
    accountLabel: (body) => firstString(body, ['merchant.business_name']),
  },
})
