/**
 * Stripe (API v1, secret or restricted key).
 *
 * Sources, each cited again where it is used:
 * - Authentication: https://docs.stripe.com/api/authentication
 * - API keys (restricted keys): https://docs.stripe.com/keys
 * - Pagination: https://docs.stripe.com/api/pagination
 * - Rate limits: https://docs.stripe.com/rate-limits
 * - Versioning: https://docs.stripe.com/api/versioning
 */
import { z } from 'zod'
import { firstString } from '../helpers'
import { defineConnector } from '../schema'

/** A violet rounded square with a white, geometric "S" (not Stripe's wordmark). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Stripe">' +
  '<rect width="64" height="64" rx="14" fill="#635bff"/>' +
  '<path d="M42 20H27a7 7 0 0 0 0 14h10a7 7 0 0 1 0 14H22" fill="none" stroke="#fff" stroke-width="6" stroke-linecap="round" stroke-linejoin="round"/>' +
  '</svg>'

/** Stripe amounts are integers in the currency's smallest unit (cents for USD). */
const AMOUNT = 'In the smallest currency unit (e.g. cents)'

export default defineConnector({
  id: 'stripe',
  name: 'Stripe',
  description: 'Bring in your Stripe customers, invoices and payments, and add new customers to Stripe from this app.',
  categories: ['payments', 'accounting'],
  logo,
  docsUrl: 'https://docs.stripe.com/api',
  auth: {
    type: 'api_key',
    fields: {
      apiKey: {
        label: 'Secret or restricted key',
        type: 'password',
        // https://docs.stripe.com/api/authentication: "Test mode secret keys have the prefix
        // sk_test_ and live mode secret keys have the prefix sk_live_. Alternatively, you can use
        // restricted API keys" (prefixes rk_test_ / rk_live_, https://docs.stripe.com/keys).
        pattern: '^(sk|rk)_(test|live)_[A-Za-z0-9]+$',
        placeholder: 'rk_live_…',
        description: 'Prefer a restricted key with read access to Customers, Invoices, Charges and Balance, and write access to Customers if you create customers from this app.',
        helpUrl: 'https://dashboard.stripe.com/apikeys',
        required: true,
      },
      // Only for the webhooks below: each Stripe account signs its events with the secret of the
      // endpoint created in that account. https://docs.stripe.com/webhooks#verify-events: "Stripe
      // generates a unique secret key for each endpoint" (Dashboard → Webhooks → the endpoint → Signing secret, `whsec_…`).
      webhookSecret: {
        label: 'Webhook signing secret',
        type: 'password',
        pattern: '^whsec_[A-Za-z0-9]+$',
        placeholder: 'whsec_…',
        description: 'Optional: to receive this account’s events, add an endpoint in Stripe with the URL the app gives you and paste its signing secret here.',
        helpUrl: 'https://dashboard.stripe.com/webhooks',
        required: false,
      },
    },
    // https://docs.stripe.com/api/authentication: "If you need to authenticate via bearer auth
    // (e.g., for a cross-origin request), use -H "Authorization: Bearer sk_test_…"" (the other
    // documented form is HTTP Basic with the key as username).
    inject: { headers: { Authorization: 'Bearer {apiKey}' } },
    // https://docs.stripe.com/api/balance/balance_retrieve: a cheap read any working key can make
    // (a restricted key needs Balance read).
    verify: { method: 'GET', path: '/v1/balance', okStatus: [200] },
  },
  http: {
    baseUrl: 'https://api.stripe.com',
    // https://docs.stripe.com/api/versioning: pin the version so response shapes do not change
    // with the account's default version (the list examples are shown with this header).
    headers: { 'Stripe-Version': '2025-09-30.clover' },
    // https://docs.stripe.com/rate-limits: 100 requests/s per account in live mode, 25 in a
    // sandbox, and 25/s per individual endpoint unless noted; over that, 429. Stripe documents no
    // rate-limit headers, so only a proactive budget of the lowest documented figure is set.
    rateLimit: { requests: 25, windowMs: 1_000 },
    // https://docs.stripe.com/api/pagination: `limit` 1–100 (default 10); pass the last object's
    // `id` as `starting_after`; `has_more` says whether another page exists; items are in `data`.
    pagination: { type: 'cursor', cursorParam: 'starting_after', cursorFrom: 'lastItem', cursorPath: 'id', hasMorePath: 'has_more', itemsPath: 'data', limitParam: 'limit', limit: 100 },
  },
  // https://docs.stripe.com/api/accounts/retrieve (GET /v1/account: the account the key belongs to)
  accountInfo: { path: '/v1/account' },
  objects: {
    customer: {
      description: 'Customers of the Stripe account.',
      path: '/v1/customers',
      docs: 'https://docs.stripe.com/api/customers/list',
      // Field names: https://docs.stripe.com/api/customers/object
      fields: {
        id: { type: 'string', key: true },
        email: { type: 'string' },
        name: { type: 'string' },
        phone: { type: 'string' },
        description: { type: 'string' },
        currency: { type: 'string' },
        balance: { type: 'integer', description: AMOUNT },
        delinquent: { type: 'boolean' },
        metadata: { type: 'object' },
        livemode: { type: 'boolean' },
        created: { type: 'integer', description: 'Unix epoch seconds' },
      },
      // A customer is a person (or a business, when only `name` is set): its name is one field,
      // split at the first space for the common first and last names.
      commonModel: 'contact',
      defaultMapping: {
        email: { source: 'field', path: 'email' },
        firstName: { source: 'field', path: 'name', transforms: [{ type: 'split', separator: ' ', part: 'first' }] },
        lastName: { source: 'field', path: 'name', transforms: [{ type: 'split', separator: ' ', part: 'rest' }] },
        phone: { source: 'field', path: 'phone' },
        createdAt: { source: 'field', path: 'created', transforms: [{ type: 'date', input: 'epoch_s', output: 'datetime' }] },
      },
    },
    invoice: {
      description: 'Invoices, drafts included.',
      path: '/v1/invoices',
      docs: 'https://docs.stripe.com/api/invoices/list',
      // Field names: https://docs.stripe.com/api/invoices/object
      fields: {
        id: { type: 'string', key: true },
        number: { type: 'string' },
        customerId: { type: 'string', from: 'customer' },
        customerEmail: { type: 'string', from: 'customer_email' },
        customerName: { type: 'string', from: 'customer_name' },
        status: { type: 'enum', enumValues: ['draft', 'open', 'paid', 'uncollectible', 'void'] },
        currency: { type: 'string' },
        total: { type: 'integer', description: AMOUNT },
        amountDue: { type: 'integer', from: 'amount_due', description: AMOUNT },
        amountPaid: { type: 'integer', from: 'amount_paid', description: AMOUNT },
        amountRemaining: { type: 'integer', from: 'amount_remaining', description: AMOUNT },
        dueDate: { type: 'integer', from: 'due_date', description: 'Unix epoch seconds' },
        hostedInvoiceUrl: { type: 'string', from: 'hosted_invoice_url' },
        livemode: { type: 'boolean' },
        created: { type: 'integer', description: 'Unix epoch seconds' },
      },
    },
    charge: {
      description: 'Charges (payments made with a card or another method).',
      path: '/v1/charges',
      docs: 'https://docs.stripe.com/api/charges/list',
      // Field names: https://docs.stripe.com/api/charges/object
      fields: {
        id: { type: 'string', key: true },
        amount: { type: 'integer', description: AMOUNT },
        amountCaptured: { type: 'integer', from: 'amount_captured', description: AMOUNT },
        amountRefunded: { type: 'integer', from: 'amount_refunded', description: AMOUNT },
        currency: { type: 'string' },
        status: { type: 'enum', enumValues: ['succeeded', 'pending', 'failed'] },
        paid: { type: 'boolean' },
        refunded: { type: 'boolean' },
        disputed: { type: 'boolean' },
        customerId: { type: 'string', from: 'customer' },
        paymentIntentId: { type: 'string', from: 'payment_intent' },
        description: { type: 'string' },
        failureCode: { type: 'string', from: 'failure_code' },
        livemode: { type: 'boolean' },
        created: { type: 'integer', description: 'Unix epoch seconds' },
      },
    },
  },
  syncs: {
    // List endpoints filter on `created` only, never on an update time, so a sync that must see
    // changes (a customer's new email, an invoice being paid) re-reads everything.
    customers: { object: 'customer', mode: 'full', defaultFrequency: '6h' },
    invoices: { object: 'invoice', mode: 'full', defaultFrequency: '6h' },
    charges: {
      object: 'charge',
      description: 'New charges since the last run. Later changes to a charge (refunds, disputes) are not picked up; use Stripe events for those.',
      mode: 'incremental',
      // https://docs.stripe.com/api/charges/list: `created` filters by creation time with
      // `created[gte]` (Unix epoch seconds), the same unit as the `created` cursor field.
      cursorField: 'created',
      updatedSinceParam: 'created[gte]',
      defaultFrequency: '15m',
    },
  },
  actions: {
    create_customer: {
      description: 'Create a customer.',
      // https://docs.stripe.com/api/customers/create. Stripe v1 takes request bodies as
      // application/x-www-form-urlencoded, with nested keys in brackets (`metadata[plan]=pro`),
      // not JSON (https://docs.stripe.com/api, "The API … accepts form-encoded request bodies").
      method: 'POST',
      path: '/v1/customers',
      body: 'form',
      input: z.strictObject({
        email: z.email().max(512).optional(),
        name: z.string().max(256).optional(),
        phone: z.string().max(20).optional(),
        description: z.string().optional(),
        // Up to 50 keys, key ≤ 40 characters, value ≤ 500 (https://docs.stripe.com/metadata).
        metadata: z
          .record(z.string().min(1).max(40), z.string().max(500))
          .refine((m) => Object.keys(m).length <= 50, 'at most 50 metadata keys')
          .optional(),
      }),
    },
  },
  // An endpoint per connected account: the URL names the connection, the secret is the connection's own.
  webhooks: {
    secret: { from: 'credentials', field: 'webhookSecret' },
    // https://docs.stripe.com/webhooks#verify-manually: the `Stripe-Signature` header holds a
    // timestamp `t=` and one or more `v1=` signatures (several while a secret is being rolled);
    // the signed payload is `<t>` + `.` + the raw body, HMAC-SHA256 hex with the endpoint's secret;
    // any `v1` may match; `v0` (test) signatures are ignored; the default tolerance is five minutes.
    signature: { type: 'stripe', header: 'Stripe-Signature', scheme: 'v1', toleranceSeconds: 300 },
    // https://docs.stripe.com/api/events/object: the event's `type`, e.g. `customer.created`.
    eventType: { body: 'type' },
    docs: 'https://docs.stripe.com/webhooks#verify-manually',
  },
  hooks: {
    // GET /v1/account: the dashboard display name if set, then the business name, then the email.
    accountLabel: (body) => firstString(body, ['settings.dashboard.display_name', 'business_profile.name', 'email', 'id']),
  },
})
