import { describe, expect, it } from 'vitest'
import { connectorSchema, type Connector } from '../schema'
import { paginationOf, toRecord, walk } from '../testing'
import { actionRequest } from '../../server/src/services/actions'
import { renderHeaders, renderUrl, validateConnectionConfig } from '../../server/src/services/integrations'
import createInvoice from './fixtures/create-invoice.json' with { type: 'json' }
import page1 from './fixtures/invoices-page-1.json' with { type: 'json' }
import page2 from './fixtures/invoices-page-2.json' with { type: 'json' }
import token from './fixtures/token-response.json' with { type: 'json' }
import paypal from './index'

const LIVE = 'https://api-m.paypal.com'
const SANDBOX = 'https://api-m.sandbox.paypal.com'

describe('paypal connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(paypal)).toEqual(paypal)
    expect(paypal.id).toBe('paypal')
  })

  // https://developer.paypal.com/docs/api/reference/get-an-access-token/
  describe('auth (client credentials of the merchant’s REST app)', () => {
    it('asks for the client id and secret and gets tokens at /v1/oauth2/token with HTTP Basic, no scope', () => {
      expect(paypal.auth).toMatchObject({ type: 'oauth2_client_credentials', tokenUrl: 'https://{apiHost}/v1/oauth2/token', clientAuth: 'client_secret_basic', scopes: [] })
      if (paypal.auth.type !== 'oauth2_client_credentials') throw new Error('unreachable')
      expect(Object.keys(paypal.auth.fields)).toEqual(['clientId', 'clientSecret'])
      expect(paypal.auth.fields.clientSecret!.type).toBe('password')
      expect(paypal.auth.inject.headers).toEqual({ Authorization: 'Bearer {accessToken}' })
      // The documented token answer is a bearer token with an expiry, which the engine renews on its own.
      expect(token.body).toMatchObject({ token_type: 'Bearer', expires_in: expect.any(Number) })
    })

    it('defaults to live and accepts the sandbox host, nothing else', () => {
      expect(validateConnectionConfig(paypal, {})).toEqual({ apiHost: 'api-m.paypal.com' })
      expect(renderUrl(paypal.auth.type === 'oauth2_client_credentials' ? paypal.auth.tokenUrl : '', { apiHost: 'api-m.paypal.com' })).toBe(`${LIVE}/v1/oauth2/token`)
      expect(validateConnectionConfig(paypal, { apiHost: 'api-m.sandbox.paypal.com' })).toEqual({ apiHost: 'api-m.sandbox.paypal.com' })
      expect(renderUrl(paypal.http.baseUrl, { apiHost: 'api-m.sandbox.paypal.com' })).toBe(SANDBOX)
      for (const bad of ['api-m.paypal.com.evil.example', 'evil.example', 'api.paypal.com', 'api-m.paypal.com/x']) {
        expect(() => validateConnectionConfig(paypal, { apiHost: bad }), bad).toThrow()
      }
    })

    it('verifies new credentials with a one-invoice list on the chosen host', () => {
      if (paypal.auth.type !== 'oauth2_client_credentials') throw new Error('unreachable')
      expect(paypal.auth.verify).toEqual({ method: 'GET', path: '/v2/invoicing/invoices?page=1&page_size=1', okStatus: [200] })
      // As callWithCredentials builds it: the base URL's path plus the verify path.
      const base = new URL(renderUrl(paypal.http.baseUrl, { apiHost: 'api-m.paypal.com' }))
      expect(new URL(base.pathname.replace(/\/$/, '') + paypal.auth.verify!.path, base).href).toBe(`${LIVE}/v2/invoicing/invoices?page=1&page_size=1`)
    })
  })

  // https://developer.paypal.com/api/rest/reference/rate-limiting/
  it('declares no rate-limit headers or budget (PayPal publishes none) and retries 429s', () => {
    expect(paypal.http.rateLimit).toBeUndefined()
    expect(paypal.http.retry.on).toEqual([429, 502, 503, 504])
  })

  it('asks for the full representation of created invoices on every request', () => {
    expect(renderHeaders(paypal.http.headers, { apiHost: 'api-m.paypal.com' })).toEqual({ prefer: 'return=representation' })
  })

  // https://developer.paypal.com/docs/api/invoicing/v2/#invoices_list
  describe('invoices (page numbers from 1, 100 per page)', () => {
    it('asks page 1 of 100 and stops on a short page', () => {
      const { urls, items } = walk(paypal, 'invoice', () => page1, { baseUrl: LIVE })
      expect(urls.map((u) => u.href)).toEqual([`${LIVE}/v2/invoicing/invoices?page_size=100&page=1`])
      expect(items).toHaveLength(2)
    })

    it('moves to the next page number while pages are full', () => {
      const small = { ...paypal, http: { ...paypal.http, pagination: { ...paginationOf(paypal, 'invoice'), limit: 2 } } } as Connector
      const { urls, items } = walk(small, 'invoice', (url) => (url.searchParams.get('page') === '1' ? page1 : page2), { baseUrl: SANDBOX })
      expect(urls.map((u) => `${u.origin} ${u.searchParams.get('page')} ${u.searchParams.get('page_size')}`)).toEqual([`${SANDBOX} 1 2`, `${SANDBOX} 2 2`])
      expect(items.map((i) => (i as { id: string }).id)).toEqual(['INV2-6GCT-RGT9-JXGA-TZAE', 'INV2-8B9B-RB25-PBKA-2LEZ', 'INV2-Z56S-5LLA-Q52L-CPZ5'])
    })

    it('maps an invoice, amounts as PayPal’s decimal text', () => {
      expect(toRecord(paypal, 'invoice', page1.body.items[0])).toEqual({
        id: 'INV2-6GCT-RGT9-JXGA-TZAE',
        status: 'PARTIALLY_PAID',
        number: '1644273964',
        reference: '<The reference data. Includes a post office (PO) number.>',
        invoiceDate: '2022-01-04',
        dueDate: '2022-01-14',
        currency: 'USD',
        note: '<A note to the invoice recipient. Also appears on the invoice notification email.>',
        recipientEmail: 'foobuyer@gmail.com',
        recipientName: 'Stephanie Meyers',
        amount: '198.21',
        dueAmount: '188.21',
        paidAmount: '10.00',
        refundedAmount: '5.00',
        createdAt: '2022-02-07T22:46:04Z',
      })
      expect(toRecord(paypal, 'invoice', page2.body.items[0])).toMatchObject({ status: 'DRAFT', recipientName: undefined, paidAmount: undefined })
    })

    it('syncs invoices in full, with no common model, and no transactions', () => {
      expect(paypal.syncs).toEqual({ invoices: { object: 'invoice', mode: 'full', defaultFrequency: '6h' } })
      expect(paypal.objects.invoice!.commonModel).toBeUndefined()
      expect(Object.keys(paypal.objects)).toEqual(['invoice'])
    })
  })

  // https://developer.paypal.com/docs/api/invoicing/v2/#invoices_create
  describe('create_draft_invoice', () => {
    const action = paypal.actions.create_draft_invoice!
    it('posts the (trimmed) documented request as JSON to /v2/invoicing/invoices', () => {
      expect(action).toMatchObject({ method: 'POST', path: '/v2/invoicing/invoices', body: 'json' })
      const input = action.input.parse(createInvoice.request)
      expect(input).toEqual(createInvoice.request)
      const request = actionRequest(action, input)
      expect(request).toMatchObject({ path: '/v2/invoicing/invoices', json: createInvoice.request })
      expect(new URL(createInvoice.response.href).pathname.startsWith(request.path)).toBe(true)
    })

    it('needs a currency and at least one item; refuses bad amounts, codes, lengths and unknown elements', () => {
      const ok = { detail: { currency_code: 'USD' }, items: [{ name: 'Yoga Mat', quantity: '1', unit_amount: { currency_code: 'USD', value: '50.00' } }] }
      expect(action.input.safeParse(ok).success).toBe(true)
      expect(action.input.safeParse({ ...ok, items: [] }).success).toBe(false)
      expect(action.input.safeParse({ items: ok.items }).success).toBe(false)
      expect(action.input.safeParse({ ...ok, detail: { currency_code: 'usd' } }).success).toBe(false)
      expect(action.input.safeParse({ ...ok, detail: { currency_code: 'USD', invoice_number: 'x'.repeat(26) } }).success).toBe(false)
      expect(action.input.safeParse({ ...ok, items: [{ ...ok.items[0]!, unit_amount: { currency_code: 'USD', value: '50,00' } }] }).success).toBe(false)
      expect(action.input.safeParse({ ...ok, items: [{ ...ok.items[0]!, quantity: 1 }] }).success).toBe(false)
      expect(action.input.safeParse({ ...ok, items: [{ ...ok.items[0]!, name: 'x'.repeat(201) }] }).success).toBe(false)
      expect(action.input.safeParse({ ...ok, detail: { currency_code: 'USD', payment_term: { term_type: 'NET_7' } } }).success).toBe(false)
      expect(action.input.safeParse({ ...ok, primary_recipients: [{ billing_info: { email_address: 'nope' } }] }).success).toBe(false)
      expect(action.input.safeParse({ ...ok, status: 'PAID' }).success).toBe(false)
    })
  })
})
