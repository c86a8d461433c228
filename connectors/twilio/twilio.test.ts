import { describe, expect, it } from 'vitest'
import { COMMON_MODELS } from '../common-models'
import { connectorSchema } from '../schema'
import { toRecord, walk } from '../testing'
import { applyMapping } from '../../server/src/mapping/apply'
import { checkMapping, providerFieldsOf } from '../../server/src/mapping/check'
import { mappingSchema } from '../../server/src/mapping/schema'
import { authenticationFor } from '../../server/src/services/credentials'
import { pageRecords, syncPlan } from '../../server/src/services/sync-engine'
import calls from './fixtures/calls.json' with { type: 'json' }
import page1 from './fixtures/messages-page-1.json' with { type: 'json' }
import page2 from './fixtures/messages-page-2.json' with { type: 'json' }
import twilio, { normalizeDates, rfc2822ToIso } from './index'

/** The documented examples' account (`ACaaaa…`), as the base URL of a connection. */
const ACCOUNT = 'ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
const BASE = `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}`

describe('twilio connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(twilio)).toEqual(twilio)
    expect(twilio.id).toBe('twilio')
  })

  // https://www.twilio.com/docs/usage/requests-to-twilio, https://www.twilio.com/docs/iam/api-keys
  describe('auth', () => {
    it('uses HTTP Basic with the key SID (or Account SID) and secret, verified by a one-item message read', () => {
      expect(twilio.auth).toMatchObject({ type: 'basic', verify: { method: 'GET', path: '/Messages.json?PageSize=1', okStatus: [200] } })
      const header = authenticationFor(twilio, { type: 'basic', values: { username: 'SKaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', password: 'b'.repeat(32) } }).headers.authorization
      expect(Buffer.from(header!.replace('Basic ', ''), 'base64').toString()).toBe(`SKaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:${'b'.repeat(32)}`)
    })

    it('takes the account SID as connection config, since an API key is not the account', () => {
      expect(twilio.http.baseUrl).toBe('https://api.twilio.com/2010-04-01/Accounts/{accountSid}')
      const pattern = new RegExp(`^(?:${twilio.connectionConfig.accountSid!.pattern})$`)
      expect(pattern.test(ACCOUNT)).toBe(true)
      for (const bad of ['SKaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'AC123', `${ACCOUNT}/..`, '']) expect(pattern.test(bad), bad).toBe(false)
    })

    it('accepts key SIDs and account SIDs as the username only', () => {
      const field = twilio.auth.type === 'basic' ? twilio.auth.fields.username : undefined
      const anchored = new RegExp(`^(?:${field!.pattern})$`)
      expect(anchored.test('SKaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).toBe(true)
      expect(anchored.test(ACCOUNT)).toBe(true)
      expect(anchored.test('MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).toBe(false)
    })
  })

  // https://www.twilio.com/docs/api/errors/20429
  it('declares no request budget (Twilio limits concurrency, without headers) and retries 429', () => {
    expect(twilio.http.rateLimit).toBeUndefined()
    expect(twilio.http.retry.on).toContain(429)
  })

  // https://www.twilio.com/docs/usage/twilios-response (paging)
  describe('pagination (next_page_uri, a path from the host root)', () => {
    it('walks the documented message pages, resolving the relative next_page_uri on api.twilio.com', () => {
      const { urls, items } = walk(twilio, 'message', (url) => (url.searchParams.has('PageToken') ? page2 : page1), { baseUrl: BASE })
      expect(urls.map((u) => u.href)).toEqual([`${BASE}/Messages.json?PageSize=1000`, `https://api.twilio.com${page1.body.next_page_uri}`])
      expect(items.map((m) => (m as { sid: string }).sid)).toEqual(['SMded05904ccb347238880ca9264e8fe1c', 'MMc26223853f8c46b4ab7dfaa6abba0a26', 'MM800f449d0399ed014aae2bcc0cc2f2ec'])
    })

    it('stops when next_page_uri is null (calls)', () => {
      const { urls, items } = walk(twilio, 'call', (url) => (url.searchParams.has('PageToken') ? { body: { ...calls.body, calls: [], next_page_uri: null } } : calls), { baseUrl: BASE })
      expect(urls).toHaveLength(2)
      expect(items).toHaveLength(2)
    })

    it('refuses a next page on another host', () => {
      expect(() => walk(twilio, 'call', () => ({ body: { calls: [], next_page_uri: 'https://evil.example/2010-04-01/Calls.json' } }), { baseUrl: BASE })).toThrow(/origin/)
    })
  })

  describe('dates', () => {
    it('reads RFC 2822 dates as ISO 8601 UTC, leaving other values alone', () => {
      expect(rfc2822ToIso('Fri, 24 May 2019 17:44:46 +0000')).toBe('2019-05-24T17:44:46.000Z')
      expect(rfc2822ToIso('Mon, 16 Aug 2010 03:45:01 -0230')).toBe('2010-08-16T06:15:01.000Z')
      for (const other of [null, '', 'soon', 42, '2019-05-24T17:44:46Z']) expect(rfc2822ToIso(other)).toBe(other)
    })

    it('rewrites the dates of each synced item (syncItem), so records carry datetimes', () => {
      const item = normalizeDates(calls.body.calls[0]) as Record<string, unknown>
      expect(item).toMatchObject({ start_time: '2019-10-18T17:02:00.000Z', end_time: '2019-10-18T17:03:00.000Z', date_created: '2019-10-18T17:00:00.000Z', sid: 'CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' })
      const { batch } = pageRecords(syncPlan(twilio, 'calls'), calls.body.calls, null)
      expect(JSON.parse(batch.data[0]!)).toMatchObject({ start_time: '2019-10-18T17:02:00.000Z' })
      expect(twilio.hooks.syncItem?.(null, { name: 'calls', model: 'call' })).toBeNull()
    })
  })

  describe('fields', () => {
    // https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources
    it('maps the documented messages', () => {
      expect(toRecord(twilio, 'message', normalizeDates(page1.body.messages[1]))).toEqual({
        sid: 'MMc26223853f8c46b4ab7dfaa6abba0a26',
        from: '+12019235161',
        to: '+18182008801',
        body: 'look mom I have media!',
        status: 'received',
        direction: 'inbound',
        numSegments: '1',
        numMedia: '3',
        price: '-0.00750',
        priceUnit: 'USD',
        errorCode: 30004,
        errorMessage: 'Message blocked',
        messagingServiceSid: 'MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        dateSent: '2019-05-24T17:44:49.000Z',
        dateCreated: '2019-05-24T17:44:46.000Z',
        dateUpdated: '2019-05-24T17:44:49.000Z',
      })
      for (const m of [...page1.body.messages, ...page2.body.messages]) {
        expect(twilio.objects.message!.fields.status!.enumValues).toContain(m.status)
        expect(twilio.objects.message!.fields.direction!.enumValues).toContain(m.direction)
      }
    })

    // https://www.twilio.com/docs/voice/api/call-resource#read-multiple-call-resources
    it('maps the documented call', () => {
      expect(toRecord(twilio, 'call', normalizeDates(calls.body.calls[0]))).toMatchObject({
        sid: 'CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        from: '+13051416799',
        to: '+13051913581',
        fromFormatted: '(305) 141-6799',
        status: 'completed',
        direction: 'outbound-api',
        duration: '4',
        answeredBy: 'machine_start',
        parentCallSid: 'CAdeadbeefdeadbeefdeadbeefdeadbeef',
        price: '-0.200',
        startTime: '2019-10-18T17:02:00.000Z',
        endTime: '2019-10-18T17:03:00.000Z',
      })
    })

    it('syncs both objects in full (no updated-since filter)', () => {
      expect(Object.values(twilio.syncs).map((s) => [s.object, s.mode])).toEqual([
        ['message', 'full'],
        ['call', 'full'],
      ])
    })
  })

  describe('default mapping (call → event)', () => {
    const object = twilio.objects.call!
    const model = COMMON_MODELS.event
    const mapping = mappingSchema.parse({ model: model.name, fields: object.defaultMapping })

    it('passes the check against the common event with no warnings', () => {
      expect(checkMapping(model, providerFieldsOf(object), mapping)).toEqual({ ok: true, errors: [], warnings: [] })
    })

    it('maps the documented call as synced', () => {
      expect(applyMapping(model, mapping, normalizeDates(calls.body.calls[0]))).toEqual({
        value: {
          title: '+13051416799 → +13051913581',
          description: null,
          startAt: '2019-10-18T17:02:00.000Z',
          endAt: '2019-10-18T17:03:00.000Z',
          location: null,
          createdAt: '2019-10-18T17:00:00.000Z',
          updatedAt: '2019-10-18T17:01:00.000Z',
        },
        errors: [],
      })
    })

    it('would fail on the raw RFC 2822 dates, which is why items are rewritten when synced', () => {
      expect(applyMapping(model, mapping, calls.body.calls[0]).errors.map((e) => e.field)).toContain('startAt')
    })
  })

  // https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
  describe('send_sms', () => {
    const input = twilio.actions.send_sms!.input
    it('posts To, From/MessagingServiceSid and Body/MediaUrl to /Messages.json', () => {
      expect(twilio.actions.send_sms).toMatchObject({ method: 'POST', path: '/Messages.json' })
      const body = { To: '+15558675310', From: '+15017122661', Body: "Hi there! This is a message from Twilio's Programmable Messaging." }
      expect(input.parse(body)).toEqual(body)
      expect(input.safeParse({ To: '+15558675310', MessagingServiceSid: 'MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', MediaUrl: ['https://c1.staticflickr.com/3/2899/14341091933_1e92e62d12_b.jpg'] }).success).toBe(true)
    })
    it('needs a sender, a body or media, an E.164 recipient, and no unknown keys', () => {
      expect(input.safeParse({ To: '+15558675310', Body: 'x' }).success).toBe(false)
      expect(input.safeParse({ To: '+15558675310', From: '+15017122661' }).success).toBe(false)
      expect(input.safeParse({ To: '555-867-5310', From: '+15017122661', Body: 'x' }).success).toBe(false)
      expect(input.safeParse({ To: '+15558675310', From: '+15017122661', Body: 'x'.repeat(1601) }).success).toBe(false)
      expect(input.safeParse({ to: '+15558675310', From: '+15017122661', Body: 'x' }).success).toBe(false)
    })
  })
})
