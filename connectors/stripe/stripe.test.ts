import { describe, expect, it } from 'vitest'
import { connectorSchema } from '../schema'
import { toRecord, walk } from '../testing'
import account from './fixtures/account.json' with { type: 'json' }
import charges from './fixtures/charges.json' with { type: 'json' }
import page1 from './fixtures/customers-page-1.json' with { type: 'json' }
import page2 from './fixtures/customers-page-2.json' with { type: 'json' }
import invoices from './fixtures/invoices.json' with { type: 'json' }
import stripe from './index'

describe('stripe connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(stripe)).toEqual(stripe)
  })

  // https://docs.stripe.com/api/authentication
  describe('auth', () => {
    it('sends the key as a bearer token and verifies it with GET /v1/balance', () => {
      expect(stripe.auth).toMatchObject({
        type: 'api_key',
        inject: { headers: { Authorization: 'Bearer {apiKey}' }, query: {} },
        verify: { method: 'GET', path: '/v1/balance', okStatus: [200] },
      })
    })

    it('accepts secret and restricted keys in test and live mode only', () => {
      const field = stripe.auth.type === 'api_key' ? stripe.auth.fields.apiKey : undefined
      expect(field).toMatchObject({ type: 'password', required: true })
      // The engine anchors patterns; the pattern must hold for the whole key either way.
      const anchored = new RegExp(`^(?:${field!.pattern})$`)
      for (const ok of ['sk_test_BQokikJOvBiI2HlWgH4olfQ2', 'sk_live_51H8abc', 'rk_test_abc123', 'rk_live_XyZ9']) expect(anchored.test(ok), ok).toBe(true)
      for (const bad of ['pk_test_abc', 'sk_prod_abc', 'sk_test_', 'sk_test_abc def', 'whsec_abc']) expect(anchored.test(bad), bad).toBe(false)
    })
  })

  // https://docs.stripe.com/rate-limits
  it('documents no rate-limit headers, so it only budgets 25 requests per second', () => {
    expect(stripe.http.rateLimit).toMatchObject({ requests: 25, windowMs: 1_000 })
    expect(stripe.http.rateLimit?.remainingHeader).toBeUndefined()
    expect(stripe.http.retry.on).toContain(429)
  })

  // https://docs.stripe.com/api/pagination
  describe('pagination (starting_after = last id, has_more)', () => {
    it('walks the documented list objects to the end', () => {
      const { urls, items } = walk(stripe, 'customer', (url) => (url.searchParams.has('starting_after') ? page2 : page1))
      expect(urls.map((u) => u.href)).toEqual(['https://api.stripe.com/v1/customers?limit=100', 'https://api.stripe.com/v1/customers?limit=100&starting_after=cus_NffrFeUfNV2Hib'])
      expect(items.map((c) => (c as { id: string }).id)).toEqual(['cus_NffrFeUfNV2Hib', 'cus_4QFJOjw2pOmAGJ'])
    })

    it('stops on has_more: false even when the page is full, and on an empty page', () => {
      expect(walk(stripe, 'charge', () => charges).urls).toHaveLength(1)
      expect(walk(stripe, 'invoice', () => ({ body: { object: 'list', url: '/v1/invoices', has_more: true, data: [] } })).urls).toHaveLength(1)
    })
  })

  describe('fields', () => {
    // https://docs.stripe.com/api/customers/list
    it('maps the documented customer', () => {
      expect(toRecord(stripe, 'customer', page1.body.data[0])).toEqual({
        id: 'cus_NffrFeUfNV2Hib',
        email: 'jennyrosen@example.com',
        name: 'Jenny Rosen',
        phone: null,
        description: null,
        currency: null,
        balance: 0,
        delinquent: false,
        metadata: {},
        livemode: false,
        created: 1680893993,
      })
    })

    // https://docs.stripe.com/api/invoices/list
    it('maps the documented invoice', () => {
      expect(toRecord(stripe, 'invoice', invoices.body.data[0])).toMatchObject({
        id: 'in_1MtHbELkdIwHu7ixl4OzzPMv',
        number: null,
        customerId: 'cus_NeZwdNtLEOXuvB',
        customerEmail: 'jennyrosen@example.com',
        customerName: 'Jenny Rosen',
        status: 'draft',
        currency: 'usd',
        amountDue: 0,
        created: 1680644467,
      })
    })

    // https://docs.stripe.com/api/charges/list
    it('maps the documented charge', () => {
      expect(toRecord(stripe, 'charge', charges.body.data[0])).toMatchObject({
        id: 'ch_3MmlLrLkdIwHu7ix0snN0B15',
        amount: 1099,
        amountCaptured: 1099,
        amountRefunded: 0,
        currency: 'usd',
        status: 'succeeded',
        paid: true,
        customerId: null,
        created: 1679090539,
      })
    })

    it('syncs charges by creation time with created[gte], the rest in full', () => {
      expect(stripe.syncs.charges).toMatchObject({ object: 'charge', mode: 'incremental', cursorField: 'created', updatedSinceParam: 'created[gte]' })
      expect(stripe.syncs.customers!.mode).toBe('full')
      expect(stripe.syncs.invoices!.mode).toBe('full')
    })
  })

  // https://docs.stripe.com/api/accounts/retrieve
  it('labels the account by display name, business name, email, then id', () => {
    expect(stripe.hooks.accountLabel?.(account.body)).toBe('jenny.rosen@example.com')
    expect(stripe.hooks.accountLabel?.({ ...account.body, settings: { dashboard: { display_name: 'Acme' } } })).toBe('Acme')
    expect(stripe.hooks.accountLabel?.({ id: 'acct_1' })).toBe('acct_1')
    expect(stripe.hooks.accountLabel?.(null)).toBeUndefined()
  })

  // https://docs.stripe.com/api/customers/create
  describe('create_customer', () => {
    const input = stripe.actions.create_customer!.input
    it('posts to /v1/customers', () => {
      expect(stripe.actions.create_customer).toMatchObject({ method: 'POST', path: '/v1/customers' })
      const body = { email: 'jennyrosen@example.com', name: 'Jenny Rosen', metadata: { order_id: '6735' } }
      expect(input.parse(body)).toEqual(body)
    })
    it('enforces the documented limits', () => {
      expect(input.safeParse({ email: 'nope' }).success).toBe(false)
      expect(input.safeParse({ metadata: { ['k'.repeat(41)]: 'v' } }).success).toBe(false)
      expect(input.safeParse({ metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }).success).toBe(false)
      expect(input.safeParse({ nmae: 'typo' }).success).toBe(false)
    })
  })
})
