/**
 * Shopify (REST Admin API, OAuth authorization code grant for non-embedded apps).
 *
 * The REST Admin API is legacy: "The REST Admin API is a legacy API as of October 1, 2024. Starting
 * April 1, 2025, all new public apps must be built exclusively with the GraphQL Admin API"
 * (https://shopify.dev/docs/api/admin-rest). Patchbay syncs with GET list requests and pages by
 * response headers or body, so this connector uses what REST still offers; a GraphQL version (POST
 * `/admin/api/<version>/graphql.json`, cursor in `data.<field>.pageInfo.endCursor`) cannot be
 * declared. Existing custom and public apps may keep using REST
 * (https://shopify.dev/changelog/starting-april-2025-new-public-apps-submitted-to-shopify-app-store-must-use-graphql).
 *
 * Sources, each cited again where it is used:
 * - Authorization code grant: https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
 * - Offline tokens: https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens
 * - REST authentication header: https://shopify.dev/docs/api/admin-rest ("Authentication")
 * - Pagination: https://shopify.dev/docs/api/admin-rest/usage/pagination
 * - Rate limits: https://shopify.dev/docs/api/admin-rest/usage/rate-limits
 * - Resources: https://shopify.dev/docs/api/admin-rest/latest/resources/customer, …/order, …/product, …/shop
 */
import { z } from 'zod'
import { firstString } from '../helpers'
import { defineConnector, type ConnectorInput } from '../schema'

/**
 * The pinned REST Admin API version: the one `latest` pointed to when this connector was written
 * (`api_version: 2026-10` in https://shopify.dev/docs/api/admin-rest/latest/resources/customer.md).
 * Versions are supported for at least 12 months (https://shopify.dev/docs/api/usage/versioning).
 */
export const API_VERSION = '2026-10'

/** A green rounded square with a white shopping bag (not Shopify's bag mark). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Shopify">' +
  '<rect width="64" height="64" rx="14" fill="#3f7d3a"/>' +
  '<path d="M17 24h30l-2 26H19z" fill="#fff"/>' +
  '<path d="M25 28v-7a7 7 0 0 1 14 0v7" fill="none" stroke="#fff" stroke-width="4" stroke-linecap="round"/>' +
  '</svg>'

/**
 * REST list pagination: the next page is the `Link` header's `rel="next"` target, which carries
 * only `page_info` and `limit` (`limit` at most 250); the last page has no `rel="next"`
 * (https://shopify.dev/docs/api/admin-rest/usage/pagination). Filters such as `updated_at_min` go
 * on the first request only: "page_info can't be modified and must be used exactly as it appears in
 * the link header URL", which is what the engine does.
 */
const linkPages = (itemsPath: string) => ({ type: 'link', rel: 'next', itemsPath, limitParam: 'limit', limit: 250 }) as const

/** The states of a customer account in the store (Customer resource, `state`). */
const CUSTOMER_STATES = ['disabled', 'invited', 'enabled', 'declined']

const objects = {
  customer: {
    label: 'Customers',
    description: 'Customers of the store.',
    // https://shopify.dev/docs/api/admin-rest/latest/resources/customer#get-customers (scope read_customers)
    path: '/customers.json',
    docs: 'https://shopify.dev/docs/api/admin-rest/latest/resources/customer#get-customers',
    pagination: linkPages('customers'),
    // Field names: the Customer resource's properties and response examples.
    fields: {
      id: { type: 'integer', key: true },
      email: { type: 'string' },
      firstName: { type: 'string', from: 'first_name' },
      lastName: { type: 'string', from: 'last_name' },
      phone: { type: 'string', description: 'E.164, e.g. +16136120707' },
      state: { type: 'enum', enumValues: CUSTOMER_STATES, description: 'The state of the customer account in the store' },
      tags: { type: 'string', description: 'Comma-separated tags' },
      note: { type: 'string' },
      verifiedEmail: { type: 'boolean', from: 'verified_email' },
      taxExempt: { type: 'boolean', from: 'tax_exempt' },
      currency: { type: 'string' },
      defaultAddress: { type: 'object', from: 'default_address' },
      company: { type: 'string', from: 'default_address.company', description: 'Company of the default address' },
      createdAt: { type: 'datetime', from: 'created_at' },
      updatedAt: { type: 'datetime', from: 'updated_at' },
    },
    commonModel: 'contact',
    defaultMapping: {
      email: { source: 'field', path: 'email' },
      firstName: { source: 'field', path: 'first_name' },
      lastName: { source: 'field', path: 'last_name' },
      phone: { source: 'field', path: 'phone' },
      company: { source: 'field', path: 'default_address.company' },
      createdAt: { source: 'field', path: 'created_at' },
      updatedAt: { source: 'field', path: 'updated_at' },
    },
  },
  order: {
    label: 'Orders',
    description: 'Orders of the store, open, closed and cancelled.',
    // https://shopify.dev/docs/api/admin-rest/latest/resources/order#get-orders?status=any (scope
    // read_orders). Without `status` only open orders are listed (`status` default: open). Only the
    // last 60 days of orders are visible unless the app also has `read_all_orders`.
    path: '/orders.json',
    params: { status: 'any' },
    docs: 'https://shopify.dev/docs/api/admin-rest/latest/resources/order#get-orders?status=any',
    pagination: linkPages('orders'),
    fields: {
      id: { type: 'integer', key: true },
      name: { type: 'string', description: 'The order name shown to merchants, e.g. #1001' },
      orderNumber: { type: 'integer', from: 'order_number' },
      email: { type: 'string' },
      customerId: { type: 'integer', from: 'customer.id' },
      financialStatus: {
        type: 'enum',
        from: 'financial_status',
        enumValues: ['pending', 'authorized', 'partially_paid', 'paid', 'partially_refunded', 'refunded', 'voided'],
      },
      fulfillmentStatus: { type: 'string', from: 'fulfillment_status', description: 'null (unfulfilled), partial, fulfilled or restocked' },
      currency: { type: 'string', description: 'ISO 4217 code of the shop currency' },
      totalPrice: { type: 'string', from: 'total_price', description: 'Decimal amount as text, shop currency' },
      subtotalPrice: { type: 'string', from: 'subtotal_price', description: 'Decimal amount as text, shop currency' },
      totalTax: { type: 'string', from: 'total_tax', description: 'Decimal amount as text, shop currency' },
      lineItems: { type: 'array', from: 'line_items' },
      test: { type: 'boolean' },
      processedAt: { type: 'datetime', from: 'processed_at' },
      cancelledAt: { type: 'datetime', from: 'cancelled_at' },
      closedAt: { type: 'datetime', from: 'closed_at' },
      createdAt: { type: 'datetime', from: 'created_at' },
      updatedAt: { type: 'datetime', from: 'updated_at' },
    },
  },
  product: {
    label: 'Products',
    description: 'Products of the store with their variants.',
    // https://shopify.dev/docs/api/admin-rest/latest/resources/product#get-products (scope
    // read_products). REST lists at most 100 variants per product
    // (https://shopify.dev/docs/api/admin/migrate/new-product-model).
    path: '/products.json',
    docs: 'https://shopify.dev/docs/api/admin-rest/latest/resources/product#get-products',
    pagination: linkPages('products'),
    fields: {
      id: { type: 'integer', key: true },
      title: { type: 'string' },
      handle: { type: 'string' },
      vendor: { type: 'string' },
      productType: { type: 'string', from: 'product_type' },
      status: { type: 'enum', enumValues: ['active', 'archived', 'draft'] },
      tags: { type: 'string', description: 'Comma-separated tags' },
      variants: { type: 'array' },
      publishedAt: { type: 'datetime', from: 'published_at' },
      createdAt: { type: 'datetime', from: 'created_at' },
      updatedAt: { type: 'datetime', from: 'updated_at' },
    },
  },
} satisfies ConnectorInput['objects']

/** The three lists take `updated_at_min` ("Show … last updated after date", ISO 8601) on the same pages. */
const incremental = (object: keyof typeof objects, defaultFrequency: string) =>
  ({ object, mode: 'incremental', cursorField: 'updatedAt', updatedSinceParam: 'updated_at_min', defaultFrequency }) as const

export default defineConnector({
  id: 'shopify',
  name: 'Shopify',
  description: 'Bring in the customers, orders and products of your Shopify store, and add new customers to it from this app.',
  categories: ['commerce'],
  logo,
  docsUrl: 'https://shopify.dev/docs/api/admin-rest',
  // Every store has its own host: https://{shop}.myshopify.com (authorization-code-grant page, step 2).
  connectionConfig: {
    shop: {
      label: 'Store name',
      description: 'The part before .myshopify.com in your store admin address.',
      placeholder: 'my-store',
      helpUrl: 'https://help.shopify.com/en/manual/domains',
    },
  },
  auth: {
    type: 'oauth2',
    // https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
    // Step "Ask for permission": https://{shop}.myshopify.com/admin/oauth/authorize?client_id=…
    // &scope=…&redirect_uri=…&state=…&grant_options[]=…
    authorizationUrl: 'https://{shop}.myshopify.com/admin/oauth/authorize',
    // Step "Get an access token": POST https://{shop}.myshopify.com/admin/oauth/access_token with
    // client_id, client_secret and code in the body; the answer is `{ access_token, scope }`.
    tokenUrl: 'https://{shop}.myshopify.com/admin/oauth/access_token',
    clientAuth: 'client_secret_post',
    // Access scopes, comma-separated in `scope` (same page; https://shopify.dev/docs/api/usage/access-scopes):
    // read_customers/read_orders/read_products for the three objects, write_customers for
    // `create_customer`. Customer and order data is protected customer data: a public app needs
    // Shopify's approval for it (https://shopify.dev/docs/apps/launch/protected-customer-data).
    scopes: ['read_customers', 'write_customers', 'read_orders', 'read_products'],
    scopeSeparator: ',',
    // The grant documents no code_challenge parameter, so a challenge would protect nothing.
    pkce: false,
    // No `grant_options[]=per-user`: offline access is the default when none is specified
    // (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens).
    // Non-expiring offline tokens carry no refresh token; they are revoked only when the app is
    // uninstalled. Expiring offline tokens (60 minutes + refresh token) are requested with
    // `expiring=1` in the token request body, which the schema cannot add (see the report), so
    // this connector gets non-expiring ones.
    refreshable: false,
    // https://shopify.dev/docs/api/admin-rest: "Include your token as a X-Shopify-Access-Token header on all API queries."
    inject: { headers: { 'X-Shopify-Access-Token': '{accessToken}' } },
  },
  http: {
    baseUrl: `https://{shop}.myshopify.com/admin/api/${API_VERSION}`,
    // https://shopify.dev/docs/api/admin-rest/usage/rate-limits: a leaky bucket per app and store,
    // 40 requests deep, leaking 2 requests/second on standard plans (4 on Advanced, 20 on Plus).
    // A window of 40 requests per 20 s allows the documented burst and the standard long-run
    // rate. `X-Shopify-Shop-Api-Call-Limit: 32/40` reports the bucket as used/size, which a
    // `remainingHeader` (a count of requests left) cannot read: declared, it would read "32/40"
    // as not-a-number and block the connection after every response (see the test). A 429 comes
    // with `Retry-After` (seconds, e.g. "2.0").
    rateLimit: { requests: 40, windowMs: 20_000 },
  },
  // https://shopify.dev/docs/api/admin-rest/latest/resources/shop#get-shop (no scope needed)
  accountInfo: { path: '/shop.json' },
  objects,
  // Incremental on `updated_at_min`; deleted customers and products are not listed, so those
  // deletions are only seen by a full resync (REST has no tombstones; webhooks would report them).
  syncs: {
    customers: incremental('customer', '1h'),
    orders: incremental('order', '15m'),
    products: incremental('product', '6h'),
  },
  actions: {
    create_customer: {
      description: 'Create a customer.',
      // https://shopify.dev/docs/api/admin-rest/latest/resources/customer#post-customers: JSON body
      // `{ customer: { first_name, last_name, email, phone, verified_email, addresses, … } }`
      // (scope write_customers). The input asks for at least a name, an email or a phone number, so
      // an empty customer is refused here rather than by Shopify.
      // The body wraps the record in `customer`, so the action declares no `object`: write-back of
      // a mapped record needs the input to be the record itself (see the report).
      method: 'POST',
      path: '/customers.json',
      input: z.strictObject({
        customer: z
          .strictObject({
            first_name: z.string().max(255).optional(),
            last_name: z.string().max(255).optional(),
            email: z.email().optional(),
            // E.164, as the Customer resource documents (`phone`).
            phone: z
              .string()
              .regex(/^\+[1-9]\d{1,14}$/, 'must be E.164, e.g. +15142546011')
              .optional(),
            verified_email: z.boolean().optional(),
            note: z.string().optional(),
            tags: z.string().optional(),
            tax_exempt: z.boolean().optional(),
            send_email_invite: z.boolean().optional(),
            addresses: z
              .array(
                z.strictObject({
                  first_name: z.string().optional(),
                  last_name: z.string().optional(),
                  company: z.string().optional(),
                  address1: z.string().optional(),
                  address2: z.string().optional(),
                  city: z.string().optional(),
                  province: z.string().optional(),
                  country: z.string().optional(),
                  zip: z.string().optional(),
                  phone: z.string().optional(),
                }),
              )
              .optional(),
          })
          .refine((c) => [c.first_name, c.last_name, c.email, c.phone].some((v) => v !== undefined && v !== ''), 'give at least a name, an email or a phone number'),
      }),
    },
  },
  webhooks: {
    // https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook: each
    // request carries `X-Shopify-Hmac-SHA256`, the base64-encoded HMAC-SHA256 of the raw body keyed
    // with the app's client secret. Only the body is signed, with no timestamp, so a replayed
    // request verifies (providers' retries are forwarded as new events anyway, ADR 0014).
    secret: { from: 'clientSecret' },
    signature: { type: 'hmac', algorithm: 'sha256', encoding: 'base64', header: 'X-Shopify-Hmac-Sha256', signed: ['body'] },
    // Same page, the headers of a delivery: `X-Shopify-Shop-Domain: <shop>.myshopify.com` (the
    // store, whose `<shop>` the connection stores as `shop`) and `X-Shopify-Topic: orders/create`.
    route: { header: 'X-Shopify-Shop-Domain', pattern: '^([a-z0-9][a-z0-9-]*)\\.myshopify\\.com$', connectionConfig: 'shop' },
    eventType: { header: 'X-Shopify-Topic' },
    docs: 'https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook',
  },
  hooks: {
    // GET /shop.json → { shop: { name, myshopify_domain, … } }: the store's name, else its domain.
    accountLabel: (body) => firstString(body, ['shop.name', 'shop.myshopify_domain']),
  },
})
