import { describe, expect, it } from 'vitest'
import { COMMON_MODELS } from '../common-models'
import { connectorSchema, type Connector } from '../schema'
import { authorizationUrl, toRecord, walk } from '../testing'
import { applyMapping } from '../../server/src/mapping/apply'
import { checkMapping, providerFieldsOf } from '../../server/src/mapping/check'
import { mappingSchema } from '../../server/src/mapping/schema'
import { RateLimits } from '../../server/src/services/rate-limits'
import { firstPage, syncPlan } from '../../server/src/services/sync-engine'
import createCustomer from './fixtures/create-customer.json' with { type: 'json' }
import page1 from './fixtures/customers-page-1.json' with { type: 'json' }
import page2 from './fixtures/customers-page-2.json' with { type: 'json' }
import orders from './fixtures/orders.json' with { type: 'json' }
import products from './fixtures/products.json' with { type: 'json' }
import shop from './fixtures/shop.json' with { type: 'json' }
import shopify, { API_VERSION } from './index'

/** The base URL once the connection config has given the store (`{shop}` = johns-apparel). */
const BASE = `https://johns-apparel.myshopify.com/admin/api/${API_VERSION}`

/** The connector with `{shop}` filled in, as the engine renders its URLs for one connection. */
function forShop(name: string): Connector {
  if (shopify.auth.type !== 'oauth2') throw new Error('expected oauth2')
  const fill = (url: string) => url.replaceAll('{shop}', name)
  return { ...shopify, auth: { ...shopify.auth, authorizationUrl: fill(shopify.auth.authorizationUrl), tokenUrl: fill(shopify.auth.tokenUrl) } }
}

describe('shopify connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(shopify)).toEqual(shopify)
    expect(shopify.id).toBe('shopify')
  })

  // https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
  describe('auth', () => {
    it('uses the store host for both endpoints, the secret in the body, and offline tokens without refresh', () => {
      expect(shopify.auth).toMatchObject({
        type: 'oauth2',
        authorizationUrl: 'https://{shop}.myshopify.com/admin/oauth/authorize',
        tokenUrl: 'https://{shop}.myshopify.com/admin/oauth/access_token',
        clientAuth: 'client_secret_post',
        refreshable: false,
        pkce: false,
      })
      expect(shopify.connectionConfig.shop).toMatchObject({ source: 'user', required: true })
    })

    it('builds the documented authorize URL with comma-separated scopes and no grant_options (offline)', () => {
      const url = authorizationUrl(forShop('johns-apparel'), { clientId: 'a1b2c3', redirectUri: 'https://app.example/oauth/callback', state: 'nonce-1', codeChallenge: 'x'.repeat(43) })
      expect(url.origin + url.pathname).toBe('https://johns-apparel.myshopify.com/admin/oauth/authorize')
      expect(url.searchParams.get('scope')).toBe('read_customers,write_customers,read_orders,read_products')
      expect(url.searchParams.has('grant_options[]')).toBe(false)
      expect(url.searchParams.has('code_challenge')).toBe(false)
    })

    it('sends the token in X-Shopify-Access-Token, not Authorization', () => {
      expect(shopify.auth.type === 'oauth2' && shopify.auth.inject).toEqual({ headers: { 'X-Shopify-Access-Token': '{accessToken}' }, query: {} })
    })

    it('only accepts a store name that is one DNS label', () => {
      const pattern = new RegExp(`^(?:${shopify.connectionConfig.shop!.pattern})$`)
      expect(pattern.test('johns-apparel')).toBe(true)
      for (const bad of ['evil.com/x', 'a.b', 'a b', '-x', '']) expect(pattern.test(bad), bad).toBe(false)
    })
  })

  // https://shopify.dev/docs/api/admin-rest/usage/rate-limits
  describe('rate limits', () => {
    it('budgets the leaky bucket as 40 requests per 20 s (burst 40, 2/s)', () => {
      expect(shopify.http.rateLimit).toMatchObject({ requests: 40, windowMs: 20_000 })
      expect(shopify.http.retry.on).toContain(429)
    })

    it('does not declare X-Shopify-Shop-Api-Call-Limit: its "used/size" value would be read as 0 remaining', () => {
      expect(shopify.http.rateLimit?.remainingHeader).toBeUndefined()
      // What would happen if it were declared as the remaining-requests header:
      const limits = new RateLimits()
      limits.observe('conn', { remainingHeader: 'X-Shopify-Shop-Api-Call-Limit', resetUnit: 'epoch_s' }, { 'x-shopify-shop-api-call-limit': '1/40' }, 0)
      expect(limits.delay('conn', undefined, 0)).toBeGreaterThan(0)
    })
  })

  // https://shopify.dev/docs/api/admin-rest/usage/pagination
  describe('pagination (Link rel="next" with page_info, limit ≤ 250)', () => {
    it('walks the documented customer pages to the end', () => {
      const { urls, items } = walk(shopify, 'customer', (url) => (url.searchParams.has('page_info') ? page2 : page1), { baseUrl: BASE })
      expect(urls.map((u) => u.href)).toEqual([`${BASE}/customers.json?limit=250`, `${BASE}/customers.json?limit=250&page_info=hijgklmn`])
      expect(items.map((c) => (c as { id: number }).id)).toEqual([1073339478, 207119551, 1073339477])
    })

    it('follows the documented link syntax without quotes and keeps only page_info and limit on later pages', () => {
      const link = `<${BASE}/orders.json?page_info=vwxyzab&limit=250>; rel=next`
      const { urls } = walk(shopify, 'order', (url) => (url.searchParams.has('page_info') ? orders : { ...orders, headers: { link } }), { baseUrl: BASE, extraParams: { updated_at_min: '2024-01-01T00:00:00Z' } })
      expect(urls[0]!.searchParams.get('status')).toBe('any')
      expect(urls[0]!.searchParams.get('updated_at_min')).toBe('2024-01-01T00:00:00Z')
      // "page_info can't be modified": the second request is the link target, with no filter added.
      expect(urls[1]!.href).toBe(`${BASE}/orders.json?page_info=vwxyzab&limit=250`)
      expect(urls).toHaveLength(2)
    })

    it('stops on a page without a link header (products)', () => {
      expect(walk(shopify, 'product', () => products, { baseUrl: BASE }).urls).toHaveLength(1)
    })

    it('starts incremental runs with updated_at_min on the first page only', () => {
      const url = firstPage(BASE, syncPlan(shopify, 'customers'), '2024-01-02T09:21:56-05:00', 'incremental')
      expect(url.href).toBe(`${BASE}/customers.json?limit=250&updated_at_min=2024-01-02T09%3A21%3A56-05%3A00`)
    })
  })

  describe('fields', () => {
    // https://shopify.dev/docs/api/admin-rest/latest/resources/customer#get-customers
    it('maps the documented customer', () => {
      expect(toRecord(shopify, 'customer', page1.body.customers[1])).toEqual({
        id: 207119551,
        email: 'bob.norman@mail.example.com',
        firstName: 'Bob',
        lastName: 'Norman',
        phone: '+16136120707',
        state: 'disabled',
        tags: 'Léon, Noël',
        note: null,
        verifiedEmail: true,
        taxExempt: false,
        currency: 'USD',
        defaultAddress: page1.body.customers[1]!.default_address,
        company: null,
        createdAt: '2024-01-02T09:21:56-05:00',
        updatedAt: '2024-01-02T09:21:56-05:00',
      })
    })

    // https://shopify.dev/docs/api/admin-rest/latest/resources/order#get-orders?status=any
    it('maps the documented order', () => {
      const record = toRecord(shopify, 'order', orders.body.orders[0])
      expect(record).toMatchObject({
        id: 450789469,
        name: '#1001',
        orderNumber: 1001,
        email: 'bob.norman@mail.example.com',
        customerId: 207119551,
        financialStatus: 'partially_refunded',
        fulfillmentStatus: null,
        currency: 'USD',
        totalPrice: '598.94',
        subtotalPrice: '597.00',
        totalTax: '11.94',
        test: false,
        cancelledAt: null,
        createdAt: '2008-01-10T11:00:00-05:00',
        updatedAt: '2008-01-10T11:00:00-05:00',
      })
      expect(record.lineItems).toHaveLength(3)
      expect(shopify.objects.order!.fields.financialStatus!.enumValues).toContain(record.financialStatus)
    })

    // https://shopify.dev/docs/api/admin-rest/latest/resources/product#get-products
    it('maps the documented product', () => {
      expect(toRecord(shopify, 'product', products.body.products[0])).toMatchObject({
        id: 632910392,
        title: 'IPod Nano - 8GB',
        handle: 'ipod-nano',
        vendor: 'Apple',
        productType: 'Cult Products',
        status: 'active',
        tags: 'Emotive, Flash Memory, MP3, Music',
        publishedAt: '2007-12-31T19:00:00-05:00',
      })
    })

    it('syncs all three objects incrementally on updated_at with updated_at_min', () => {
      for (const [name, object] of [['customers', 'customer'], ['orders', 'order'], ['products', 'product']] as const) {
        expect(shopify.syncs[name]).toMatchObject({ object, mode: 'incremental', cursorField: 'updatedAt', updatedSinceParam: 'updated_at_min' })
        expect(syncPlan(shopify, name).cursorPath).toBe('updated_at')
      }
    })
  })

  describe('default mapping (customer → contact)', () => {
    const object = shopify.objects.customer!
    const model = COMMON_MODELS.contact
    const mapping = mappingSchema.parse({ model: model.name, fields: object.defaultMapping })

    it('passes the check against the common contact with no warnings', () => {
      expect(checkMapping(model, providerFieldsOf(object), mapping)).toEqual({ ok: true, errors: [], warnings: [] })
    })

    it('maps the documented customers', () => {
      expect(applyMapping(model, mapping, page1.body.customers[1])).toEqual({
        value: {
          email: 'bob.norman@mail.example.com',
          firstName: 'Bob',
          lastName: 'Norman',
          phone: '+16136120707',
          company: null,
          title: null,
          lifecycleStage: null,
          createdAt: '2024-01-02T14:21:56.000Z',
          updatedAt: '2024-01-02T14:21:56.000Z',
        },
        errors: [],
      })
      expect(applyMapping(model, mapping, page1.body.customers[0]).value).toMatchObject({ email: 'steve.lastnameson@example.com', firstName: 'Steve', phone: '+15142546011' })
    })
  })

  // https://shopify.dev/docs/api/admin-rest/latest/resources/shop#get-shop
  it('labels the account with the store name from GET /shop.json', () => {
    expect(shopify.accountInfo).toEqual({ path: '/shop.json' })
    expect(shopify.hooks.accountLabel?.(shop.body)).toBe('John Smith Test Store')
    expect(shopify.hooks.accountLabel?.({ shop: { myshopify_domain: 'jsmith.myshopify.com' } })).toBe('jsmith.myshopify.com')
    expect(shopify.hooks.accountLabel?.(null)).toBeUndefined()
  })

  // https://shopify.dev/docs/api/admin-rest/latest/resources/customer#post-customers
  describe('create_customer', () => {
    const action = shopify.actions.create_customer!
    it('posts the documented body to /customers.json', () => {
      expect(action).toMatchObject({ method: 'POST', path: '/customers.json' })
      expect(action.object).toBeUndefined()
      expect(action.input.parse(createCustomer.body)).toEqual(createCustomer.body)
    })
    it('needs a name, an email or a phone, a valid email and an E.164 phone, and no unknown keys', () => {
      expect(action.input.safeParse({ customer: {} }).success).toBe(false)
      expect(action.input.safeParse({ customer: { note: 'x' } }).success).toBe(false)
      expect(action.input.safeParse({ customer: { email: 'nope' } }).success).toBe(false)
      expect(action.input.safeParse({ customer: { phone: '555-1212' } }).success).toBe(false)
      expect(action.input.safeParse({ customer: { last_name: 'Norman' } }).success).toBe(true)
      expect(action.input.safeParse({ customer: { email: 'a@b.co', nickname: 'x' } }).success).toBe(false)
      expect(action.input.safeParse({ email: 'a@b.co' }).success).toBe(false)
    })
  })
})
