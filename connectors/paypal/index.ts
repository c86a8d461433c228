/**
 * PayPal (REST APIs, OAuth 2.0 client credentials of the merchant's own REST app).
 *
 * Sources, each cited again where it is used:
 * - Authentication (client credentials token, Basic auth, token response):
 *   https://developer.paypal.com/api/rest/authentication/ and
 *   https://developer.paypal.com/docs/api/reference/get-an-access-token/
 * - Sandbox and live hosts: the `servers` of PayPal's OpenAPI documents ("PayPal Sandbox Environment"
 *   https://api-m.sandbox.paypal.com, "PayPal Live Environment" https://api-m.paypal.com)
 * - Invoicing v2 (list, create draft): https://developer.paypal.com/docs/api/invoicing/v2/ and
 *   PayPal's OpenAPI document https://github.com/paypal/paypal-rest-api-specifications/blob/main/openapi/invoicing_v2.json
 * - Transaction search: https://developer.paypal.com/docs/api/transaction-search/v1/
 * - Rate limiting: https://developer.paypal.com/api/rest/reference/rate-limiting/
 */
import { z } from 'zod'
import { defineConnector } from '../schema'

/** A navy rounded square with a white "P" (not PayPal's logo). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="PayPal">' +
  '<rect width="64" height="64" rx="14" fill="#1e3a8a"/>' +
  '<path d="M24 50V16h12a9 9 0 0 1 0 18H24" fill="none" stroke="#fff" stroke-width="7" stroke-linecap="round" stroke-linejoin="round"/>' +
  '</svg>'

/** The live and sandbox API hosts ("api-m.paypal.com" and "api-m.sandbox.paypal.com"); nothing else receives the app's secret. */
export const API_HOST_PATTERN = 'api-m\\.paypal\\.com|api-m\\.sandbox\\.paypal\\.com'

/*
 * Input limits below are from the OpenAPI document's Create draft invoice error catalogue
 * (`invoices.create-400`, INVALID_STRING_MAX_LENGTH / INVALID_STRING_LENGTH): "Invoice number length
 * should be less than 25 characters", "Reference field length should be less than 120 characters",
 * "Invoice note length should be less than 4000 characters", "Memo length should be less than 4000
 * characters", "Terms and Conditions length should be less than 4000 characters", "Item name length
 * should be less than 200 characters", "Item quantity length should be 1 and 14", "Currency code length
 * should be 3 characters", "Business name length should be less than 300 characters", "Surname length
 * should be less than 140 characters", "Email address length should be between 3 and 254", "Website url
 * length should be less than 2048 characters". Each is taken as the maximum; PayPal has the last word.
 */

/** PayPal's money value: "^((-?[0-9]+)|(-?([0-9]+)?[.][0-9]+))$", at most 32 characters. */
const moneyValue = z.string().max(32).regex(/^((-?[0-9]+)|(-?([0-9]+)?[.][0-9]+))$/)
/** ISO 4217 three-letter currency code (`currency_code`). */
const currencyCode = z.string().regex(/^[A-Z]{3}$/)
const money = z.strictObject({ currency_code: currencyCode, value: moneyValue })
const date = z.iso.date()
const name = z.strictObject({ given_name: z.string().min(1).optional(), surname: z.string().max(140).optional() })

/** A percentage as PayPal writes it, decimal text ("7.25"). */
const percent = z.string().regex(/^((-?[0-9]+)|(-?([0-9]+)?[.][0-9]+))$/)

/** An invoice item (`item`): a name, a quantity and a unit amount are required; "Tax name length should be less than 100". */
const item = z.strictObject({
  name: z.string().min(1).max(200),
  description: z.string().optional(),
  quantity: z.string().max(14).regex(/^\d+(\.\d+)?$/),
  unit_amount: money,
  unit_of_measure: z.enum(['QUANTITY', 'HOURS', 'AMOUNT']).optional(),
  item_date: date.optional(),
  tax: z.strictObject({ name: z.string().min(1).max(100), percent: percent }).optional(),
  discount: z.union([z.strictObject({ percent }), z.strictObject({ amount: money })]).optional(),
})

export default defineConnector({
  id: 'paypal',
  name: 'PayPal',
  description: 'Bring in the invoices of your PayPal business account, and create draft invoices in PayPal from this app.',
  categories: ['payments', 'accounting'],
  logo,
  docsUrl: 'https://developer.paypal.com/api/rest/',
  auth: {
    type: 'oauth2_client_credentials',
    // Authentication: POST https://api-m.paypal.com/v1/oauth2/token (sandbox:
    // https://api-m.sandbox.paypal.com/v1/oauth2/token) with `-u "CLIENT_ID:CLIENT_SECRET"` (HTTP
    // Basic) and `grant_type=client_credentials` → { scope, access_token, token_type: "Bearer",
    // app_id, expires_in, nonce }. The host is the connection's `apiHost`.
    tokenUrl: 'https://{apiHost}/v1/oauth2/token',
    clientAuth: 'client_secret_basic',
    // No scope is sent: the token carries every scope the REST app was given in the developer
    // dashboard (the sample response's `scope` lists them, e.g. https://uri.paypal.com/services/invoicing).
    scopes: [],
    fields: {
      clientId: { label: 'Client ID', type: 'text', required: true, description: 'Of your REST API app in the PayPal Developer Dashboard (Apps & Credentials).', helpUrl: 'https://developer.paypal.com/dashboard/applications/' },
      clientSecret: { label: 'Secret', type: 'password', required: true },
    },
    // A cheap call that also proves the app may use Invoicing: the first invoice of the list
    // (scope https://uri.paypal.com/services/invoicing/invoices/read in the OpenAPI document).
    verify: { method: 'GET', path: '/v2/invoicing/invoices?page=1&page_size=1', okStatus: [200] },
  },
  // Live or sandbox: the two `servers` of the OpenAPI documents ("PayPal Sandbox Environment"
  // https://api-m.sandbox.paypal.com, "PayPal Live Environment" https://api-m.paypal.com). Live
  // unless the user types the sandbox host; the pattern lets the client secret go nowhere else.
  connectionConfig: {
    apiHost: {
      label: 'PayPal API host',
      description: 'api-m.paypal.com for live, api-m.sandbox.paypal.com for the sandbox.',
      pattern: API_HOST_PATTERN,
      default: 'api-m.paypal.com',
      required: true,
    },
  },
  http: {
    baseUrl: 'https://{apiHost}',
    // Create draft invoice: "A JSON response body that shows invoice details is returned if you set
    // prefer=return=representation" (otherwise a link to the new invoice). RFC 7240: a preference
    // that does not apply to a request is ignored, so it is sent on every request.
    headers: { Prefer: 'return=representation' },
    // Rate limiting guidelines: "While we do not publish a rate limiting policy, we might temporarily
    // rate limit if we identify traffic that appears to be abusive"; over it, "HTTP 429 … RATE_LIMIT_REACHED".
    // No headers and no budget to declare: the default retries on 429 and 5xx apply.
    //
    // List invoices: `page` "The page number to be retrieved … page=1 and page_size=20 returns the
    // first 20", 1 ≤ page ≤ 1000; `page_size` 1–100, default 20. A page shorter than 100 is the last.
    pagination: { type: 'offset', offsetParam: 'page', unit: 'pages', startAt: 1, itemsPath: 'items', limitParam: 'page_size', limit: 100 },
  },
  objects: {
    invoice: {
      label: 'Invoices',
      description: 'Invoices the PayPal account sent or drafted, in every status.',
      // List invoices: GET /v2/invoicing/invoices → { total_items, total_pages, items, links }.
      path: '/v2/invoicing/invoices',
      docs: 'https://developer.paypal.com/docs/api/invoicing/v2/#invoices_list',
      fields: {
        id: { type: 'string', key: true, description: 'e.g. INV2-6GCT-RGT9-JXGA-TZAE' },
        status: { type: 'enum', enumValues: ['DRAFT', 'SENT', 'SCHEDULED', 'PAID', 'MARKED_AS_PAID', 'CANCELLED', 'REFUNDED', 'PARTIALLY_PAID', 'PARTIALLY_REFUNDED', 'MARKED_AS_REFUNDED', 'UNPAID', 'PAYMENT_PENDING'] },
        number: { type: 'string', from: 'detail.invoice_number' },
        reference: { type: 'string', from: 'detail.reference' },
        invoiceDate: { type: 'date', from: 'detail.invoice_date' },
        dueDate: { type: 'date', from: 'detail.payment_term.due_date' },
        currency: { type: 'string', from: 'detail.currency_code' },
        note: { type: 'string', from: 'detail.note' },
        recipientEmail: { type: 'string', from: 'primary_recipients.0.billing_info.email_address', description: 'The first recipient' },
        recipientName: { type: 'string', from: 'primary_recipients.0.billing_info.name.full_name' },
        amount: { type: 'string', from: 'amount.value', description: 'Decimal text, in the invoice currency' },
        dueAmount: { type: 'string', from: 'due_amount.value' },
        paidAmount: { type: 'string', from: 'payments.paid_amount.value' },
        refundedAmount: { type: 'string', from: 'refunds.refund_amount.value' },
        createdAt: { type: 'datetime', from: 'detail.metadata.create_time' },
      },
    },
  },
  // A full sync: List invoices takes no changed-since filter (only page, page_size, total_required
  // and fields). Deleted drafts leave the list, so a complete run marks them deleted; cancelled
  // invoices stay, with status CANCELLED. Only the first 100,000 invoices can be listed (page ≤ 1000).
  //
  // No transactions: GET /v1/reporting/transactions requires `start_date` and `end_date`, "The
  // maximum supported range is 31 days", so a sync would need a moving date window, which fixed
  // object parameters cannot express (see the report).
  syncs: {
    invoices: { object: 'invoice', mode: 'full', defaultFrequency: '6h' },
  },
  actions: {
    create_draft_invoice: {
      description: 'Create a draft invoice (send it from PayPal, or with the Send invoice API).',
      // Create draft invoice: POST /v2/invoicing/invoices, "Creates a draft invoice. To move the
      // invoice from a draft to payable state, you must send the invoice"; "The invoice object must
      // include an items array" (scope …/invoicing/invoices/readwrite). Answers 201 with the invoice
      // (Prefer: return=representation, see `http.headers`).
      method: 'POST',
      path: '/v2/invoicing/invoices',
      input: z.strictObject({
        detail: z.strictObject({
          currency_code: currencyCode,
          invoice_number: z.string().min(1).max(25).optional(),
          reference: z.string().max(120).optional(),
          invoice_date: date.optional(),
          note: z.string().max(4000).optional(),
          term: z.string().max(4000).optional(),
          memo: z.string().max(4000).optional(),
          payment_term: z.strictObject({ term_type: z.enum(['DUE_ON_RECEIPT', 'DUE_ON_DATE_SPECIFIED', 'NET_10', 'NET_15', 'NET_30', 'NET_45', 'NET_60', 'NET_90', 'NO_DUE_DATE']).optional(), due_date: date.optional() }).optional(),
        }),
        invoicer: z.strictObject({ name: name.optional(), business_name: z.string().max(300).optional(), email_address: z.email().max(254).optional(), website: z.string().max(2048).optional() }).optional(),
        primary_recipients: z.array(z.strictObject({ billing_info: z.strictObject({ name: name.optional(), business_name: z.string().max(300).optional(), email_address: z.email().max(254).optional() }) })).optional(),
        items: z.array(item).min(1),
      }),
    },
  },
})
