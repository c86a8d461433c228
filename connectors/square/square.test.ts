import { tokensToCredentials } from '../../server/src/services/oauth-client'
import { describe, expect, it } from 'vitest'
import { connectorSchema, type Connector } from '../schema'
import { authorizationUrl, mapDefault, toRecord, walk } from '../testing'
import { actionRequest } from '../../server/src/services/actions'
import { renderHeaders, renderUrl, validateConnectionConfig } from '../../server/src/services/integrations'
import { firstPage, syncPlan } from '../../server/src/services/sync-engine'
import createCustomer from './fixtures/create-customer.json' with { type: 'json' }
import customers1 from './fixtures/customers-page-1.json' with { type: 'json' }
import customers2 from './fixtures/customers-page-2.json' with { type: 'json' }
import merchantsMe from './fixtures/merchants-me.json' with { type: 'json' }
import payments from './fixtures/payments.json' with { type: 'json' }
import token from './fixtures/token-response.json' with { type: 'json' }
import square, { SQUARE_VERSION } from './index'

/** The connector with its templated URLs rendered for one host, as the engine does per connection. */
function forHost(input: Record<string, string>): Connector {
  const config = validateConnectionConfig(square, input)
  if (square.auth.type !== 'oauth2') throw new Error('unexpected auth')
  return {
    ...square,
    auth: { ...square.auth, authorizationUrl: renderUrl(square.auth.authorizationUrl, config), tokenUrl: renderUrl(square.auth.tokenUrl, config) },
    http: { ...square.http, baseUrl: renderUrl(square.http.baseUrl, config) },
  }
}
const live = forHost({})
const params = { clientId: 'sq0idp-uaPHILoPzWZk3tlJqlML0g', redirectUri: 'https://app.example/cb', state: '82201dd8d83d23cc8a48caf52b', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' }

describe('square connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(square)).toEqual(square)
    expect(square.id).toBe('square')
  })

  // https://developer.squareup.com/reference/square/o-auth/authorize
  describe('auth', () => {
    it('builds the documented authorization URL: space-separated scopes, session=false, no PKCE challenge', () => {
      const url = authorizationUrl(live, params)
      expect(url.origin + url.pathname).toBe('https://connect.squareup.com/oauth2/authorize')
      expect(url.searchParams.get('client_id')).toBe('sq0idp-uaPHILoPzWZk3tlJqlML0g')
      expect(url.searchParams.get('scope')).toBe('CUSTOMERS_READ PAYMENTS_READ MERCHANT_PROFILE_READ CUSTOMERS_WRITE')
      expect(url.href).toContain('scope=CUSTOMERS_READ+PAYMENTS_READ+MERCHANT_PROFILE_READ+CUSTOMERS_WRITE')
      expect(url.searchParams.get('session')).toBe('false')
      expect(url.searchParams.get('state')).toBe('82201dd8d83d23cc8a48caf52b')
      // The code flow: a challenge would switch Square to the PKCE flow and its single-use refresh tokens.
      expect(url.searchParams.has('code_challenge')).toBe(false)
    })

    // https://developer.squareup.com/reference/square/o-auth/obtain-token
    it('exchanges the code at /oauth2/token with the secret in the body, refreshing later', () => {
      expect(live.auth).toMatchObject({ type: 'oauth2', tokenUrl: 'https://connect.squareup.com/oauth2/token', clientAuth: 'client_secret_post', tokenRequestBody: 'json', pkce: false, refreshable: true })
      expect(square.auth.type === 'oauth2' && square.auth.revocationUrl).toBeUndefined()
    })

    // https://developer.squareup.com/reference/square/objects/ObtainTokenResponse
    it('gets a bearer token that states its expiry as expires_at, not expires_in', () => {
      expect(token.body.token_type).toBe('bearer')
      expect(token.body).not.toHaveProperty('expires_in')
      expect(Date.parse(token.body.expires_at)).not.toBeNaN()
      // …which the engine stores as the expiry, so the token is refreshed before it lapses.
      expect(tokensToCredentials(token.body as never).expiresAt).toBe(new Date(token.body.expires_at).toISOString())
    })
  })

  // https://developer.squareup.com/docs/oauth-api/overview
  describe('production or sandbox host', () => {
    it('defaults to production and accepts the sandbox host, for every URL', () => {
      expect(validateConnectionConfig(square, {})).toEqual({ host: 'connect.squareup.com' })
      const sandbox = forHost({ host: 'connect.squareupsandbox.com' })
      expect(authorizationUrl(sandbox, params).origin).toBe('https://connect.squareupsandbox.com')
      expect(sandbox.auth.type === 'oauth2' && sandbox.auth.tokenUrl).toBe('https://connect.squareupsandbox.com/oauth2/token')
      expect(sandbox.http.baseUrl).toBe('https://connect.squareupsandbox.com/v2')
      expect(live.http.baseUrl).toBe('https://connect.squareup.com/v2')
    })

    it('refuses any other host, so the client secret and tokens go nowhere else', () => {
      for (const host of ['evil.example', 'connect.squareup.com.evil.example', 'connect.squareup.com/x', 'connectxsquareup.com', 'squareup.com', '127.0.0.1', 'connect.squareup.com:444', '']) {
        expect(() => validateConnectionConfig(square, { host }), host).toThrow()
      }
    })
  })

  // https://developer.squareup.com/docs/build-basics/versioning-overview
  it('pins the API version with the Square-Version header, and retries 429', () => {
    expect(renderHeaders(square.http.headers, { host: 'connect.squareup.com' })).toEqual({ 'square-version': SQUARE_VERSION })
    expect(SQUARE_VERSION).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(square.http.rateLimit).toBeUndefined()
    expect(square.http.retry.on).toContain(429)
  })

  // https://developer.squareup.com/reference/square/customers-api/list-customers
  // https://developer.squareup.com/docs/working-with-apis/pagination
  describe('customers (ListCustomers, cursor)', () => {
    it('asks 100 a page, oldest first, and follows the cursor until a page has none', () => {
      const { urls, items } = walk(live, 'customer', (url) => (url.searchParams.has('cursor') ? customers2 : customers1))
      expect(urls.map((u) => u.href)).toEqual([
        'https://connect.squareup.com/v2/customers?sort_field=CREATED_AT&sort_order=ASC&limit=100',
        'https://connect.squareup.com/v2/customers?sort_field=CREATED_AT&sort_order=ASC&limit=100&cursor=eyJjdXJzb3IiOiAiMTIzNCJ9',
      ])
      expect(items.map((c) => (c as { id: string }).id)).toEqual(['JDKYHBWT1D4F8MFH63DBMEN8Y4', 'A9641GZW2H7Z56YYSD41Q12HDW'])
    })

    it('maps the documented customer', () => {
      expect(toRecord(square, 'customer', customers1.body.customers[0])).toEqual({
        id: 'JDKYHBWT1D4F8MFH63DBMEN8Y4',
        givenName: 'Amelia',
        familyName: 'Earhart',
        nickname: undefined,
        companyName: undefined,
        email: 'Amelia.Earhart@example.com',
        phone: '+1-212-555-4240',
        referenceId: 'YOUR_REFERENCE_ID',
        note: 'a customer',
        address: customers1.body.customers[0]!.address,
        birthday: undefined,
        creationSource: 'THIRD_PARTY',
        emailUnsubscribed: false,
        version: 1,
        createdAt: '2016-03-23T20:21:54.859Z',
        updatedAt: '2016-03-23T20:21:55Z',
      })
    })

    it('maps a customer to the contact model by default', () => {
      const { check, result } = mapDefault(square, 'customer', customers1.body.customers[0])
      expect(check.errors).toEqual([])
      expect(result.value).toEqual({ email: 'Amelia.Earhart@example.com', firstName: 'Amelia', lastName: 'Earhart', phone: '+1-212-555-4240', company: null, title: null, lifecycleStage: null, createdAt: '2016-03-23T20:21:54.859Z', updatedAt: '2016-03-23T20:21:55.000Z' })
      expect(mapDefault(square, 'customer', customers2.body.customers[0]).result.value).toMatchObject({ company: 'Example Bakery', firstName: null })
    })
  })

  // https://developer.squareup.com/reference/square/payments/ListPayments
  describe('payments (ListPayments, begin_time)', () => {
    it('reads `payments` and stops on the page without a cursor', () => {
      const { urls, items } = walk(live, 'payment', () => payments)
      expect(urls).toHaveLength(1)
      expect(urls[0]!.pathname).toBe('/v2/payments')
      expect(urls[0]!.searchParams.get('limit')).toBe('100')
      expect(items).toHaveLength(1)
    })

    it('starts a full run in 2000, not at Square’s default of one year ago, and an incremental one at the cursor', () => {
      const plan = syncPlan(square, 'payments')
      expect(plan).toMatchObject({ mode: 'incremental', cursorPath: 'created_at', updatedSinceParam: 'begin_time' })
      const full = firstPage('https://connect.squareup.com/v2', plan, null, 'full')
      expect(full.searchParams.get('begin_time')).toBe('2000-01-01T00:00:00Z')
      expect(full.searchParams.get('sort_order')).toBe('ASC')
      const next = firstPage('https://connect.squareup.com/v2', plan, '2021-10-13T19:33:33.524Z', 'incremental')
      expect(next.searchParams.getAll('begin_time')).toEqual(['2021-10-13T19:33:33.524Z'])
    })

    it('maps the documented payment, amounts in cents', () => {
      expect(toRecord(square, 'payment', payments.body.payments[0])).toEqual({
        id: 'bP9mAsEMYPUGjjGNaNO5ZDVyLhSZY',
        status: 'COMPLETED',
        amount: 555,
        currency: 'USD',
        totalAmount: 555,
        refundedAmount: undefined,
        sourceType: 'CARD',
        cardBrand: 'VISA',
        cardLast4: '1111',
        locationId: 'L88917AVBK2S5',
        orderId: 'd7eKah653Z579f3gVtjlxpSlmUcZY',
        customerId: 'JDKYHBWT1D4F8MFH63DBMEN8Y4',
        note: 'Test Note',
        receiptUrl: 'https://squareup.com/receipt/preview/bP9mAsEMYPUGjjGNaNO5ZDVyLhSZY',
        createdAt: '2021-10-13T19:34:33.524Z',
        updatedAt: '2021-10-13T19:34:34.339Z',
      })
    })

    it('keeps customers full (ListCustomers has no changed-since filter)', () => {
      expect(square.syncs.customers).toMatchObject({ object: 'customer', mode: 'full' })
    })
  })

  // https://developer.squareup.com/docs/merchants-api
  it('labels the account with the business name from /v2/merchants/me', () => {
    expect(square.accountInfo).toEqual({ path: '/merchants/me' })
    expect(square.hooks.accountLabel!(merchantsMe.body)).toBe('Apple A Day')
    expect(square.hooks.accountLabel!({ merchant: {} })).toBeUndefined()
    expect(square.hooks.accountLabel!(null)).toBeUndefined()
  })

  // https://developer.squareup.com/reference/square/customers-api/create-customer
  describe('create_customer', () => {
    const action = square.actions.create_customer!
    it('posts the documented request as JSON to /v2/customers', () => {
      const input = action.input.parse(createCustomer.request)
      expect(input).toEqual(createCustomer.request)
      const request = actionRequest(action, input)
      expect(action).toMatchObject({ method: 'POST', body: 'json', object: 'customer' })
      expect(live.http.baseUrl + request.path).toBe('https://connect.squareup.com/v2/customers')
      expect(request.json).toEqual(createCustomer.request)
    })

    it('needs one of the five identifying fields, and refuses typos and malformed values', () => {
      expect(action.input.safeParse({ note: 'only a note' }).success).toBe(false)
      expect(action.input.safeParse({ given_name: '' }).success).toBe(false)
      expect(action.input.safeParse({ company_name: 'Example Bakery' }).success).toBe(true)
      expect(action.input.safeParse({ phone_number: '+1-212-555-4240' }).success).toBe(true)
      expect(action.input.safeParse({ email_address: 'not an email' }).success).toBe(false)
      expect(action.input.safeParse({ given_name: 'A', givenName: 'typo' }).success).toBe(false)
      expect(action.input.safeParse({ given_name: 'A', address: { country: 'USA' } }).success).toBe(false)
      expect(action.input.safeParse({ given_name: 'A', birthday: '09/01/1998' }).success).toBe(false)
      expect(action.input.safeParse({ given_name: 'x'.repeat(301) }).success).toBe(false)
    })
  })
})
