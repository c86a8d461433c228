/**
 * Twilio (REST API 2010-04-01: Programmable Messaging and Voice), HTTP Basic authentication.
 *
 * Sources, each cited again where it is used:
 * - Authentication (Account SID + Auth Token, or API key SID + secret): https://www.twilio.com/docs/usage/requests-to-twilio
 *   and https://www.twilio.com/docs/iam/api-keys
 * - Responses, JSON extension and paging: https://www.twilio.com/docs/usage/twilios-response
 * - Messages: https://www.twilio.com/docs/messaging/api/message-resource
 * - Calls: https://www.twilio.com/docs/voice/api/call-resource
 * - 429: https://www.twilio.com/docs/api/errors/20429
 * - Webhook signatures (`X-Twilio-Signature`): https://www.twilio.com/docs/usage/security#validating-requests
 */
import { z } from 'zod'
import { defineConnector, type ConnectorInput } from '../schema'

/** A red rounded square with a white speech bubble (not Twilio's mark). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Twilio">' +
  '<rect width="64" height="64" rx="14" fill="#d9283a"/>' +
  '<path d="M14 18h36a4 4 0 0 1 4 4v18a4 4 0 0 1-4 4H28l-10 8v-8h-4a4 4 0 0 1-4-4V22a4 4 0 0 1 4-4z" fill="#fff"/>' +
  '<g fill="#d9283a"><circle cx="23" cy="31" r="3"/><circle cx="32" cy="31" r="3"/><circle cx="41" cy="31" r="3"/></g>' +
  '</svg>'

/** A Twilio SID: two letters and 32 hex digits (e.g. `^AC[0-9a-fA-F]{32}$` in the resource references). */
const sid = (prefix: string) => `${prefix}[0-9a-fA-F]{32}`

const MONTHS: Record<string, string> = { Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06', Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12' }

/**
 * The 2010 API writes dates as RFC 2822 text, `Fri, 24 May 2019 17:44:46 +0000` (the message and
 * call resource examples: `date_created`, `start_time`, …). Returns the same instant as ISO
 * 8601 UTC (`2019-05-24T17:44:46.000Z`), or the value unchanged when it is not such a date.
 */
export function rfc2822ToIso(value: unknown): unknown {
  if (typeof value !== 'string') return value
  const m = /^(?:[A-Z][a-z]{2}, )?(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(value)
  const month = m && MONTHS[m[2]!]
  if (!m || !month) return value
  const local = Date.UTC(Number(m[3]), Number(month) - 1, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]))
  const offsetMs = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) * 60_000
  const at = new Date(local - offsetMs)
  return Number.isNaN(at.getTime()) ? value : at.toISOString()
}

/** The date properties of messages and calls, RFC 2822 in Twilio's answers. */
const DATE_KEYS = ['date_created', 'date_updated', 'date_sent', 'start_time', 'end_time'] as const

/**
 * Rewrites an item's RFC 2822 dates as ISO 8601, so they are `datetime` fields that mappings and
 * cursors can compare (the engine and the mapping language read ISO 8601 only). Other values are kept.
 */
export function normalizeDates(item: unknown): unknown {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return item
  const out: Record<string, unknown> = { ...(item as Record<string, unknown>) }
  for (const key of DATE_KEYS) if (Object.hasOwn(out, key)) out[key] = rfc2822ToIso(out[key])
  return out
}

/**
 * List paging: `next_page_uri` is a path from the host root (`/2010-04-01/Accounts/AC…/Messages.json?…&PageToken=PA…`),
 * `null` on the last page; `PageSize` at most 1000 (https://www.twilio.com/docs/usage/twilios-response,
 * "Paging"). The engine resolves the path against the current page's URL, on the same origin.
 */
const pages = (itemsPath: string) => ({ type: 'next_url', nextUrlPath: 'next_page_uri', itemsPath, limitParam: 'PageSize', limit: 1000 }) as const

const MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'failed', 'delivered', 'undelivered', 'receiving', 'received', 'accepted', 'scheduled', 'read', 'partially_delivered', 'canceled']
const CALL_STATUSES = ['queued', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled']
const DATE_NOTE = 'ISO 8601 (Twilio sends RFC 2822; rewritten when synced)'

const objects = {
  message: {
    label: 'Messages',
    description: 'SMS, MMS and other messages sent and received by the account.',
    // https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources.
    // `.json` selects JSON: the 2010 API answers XML without an extension (twilios-response page).
    path: '/Messages.json',
    docs: 'https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources',
    pagination: pages('messages'),
    fields: {
      sid: { type: 'string', key: true, description: 'SM… or MM…' },
      from: { type: 'string' },
      to: { type: 'string' },
      body: { type: 'string' },
      status: { type: 'enum', enumValues: MESSAGE_STATUSES },
      direction: { type: 'enum', enumValues: ['inbound', 'outbound-api', 'outbound-call', 'outbound-reply'] },
      numSegments: { type: 'string', from: 'num_segments', description: 'A number, as text' },
      numMedia: { type: 'string', from: 'num_media', description: 'A number, as text' },
      price: { type: 'string', description: 'Decimal as text, negative for a charge; null until known' },
      priceUnit: { type: 'string', from: 'price_unit' },
      errorCode: { type: 'integer', from: 'error_code' },
      errorMessage: { type: 'string', from: 'error_message' },
      messagingServiceSid: { type: 'string', from: 'messaging_service_sid' },
      dateSent: { type: 'datetime', from: 'date_sent', description: DATE_NOTE },
      dateCreated: { type: 'datetime', from: 'date_created', description: DATE_NOTE },
      dateUpdated: { type: 'datetime', from: 'date_updated', description: DATE_NOTE },
    },
  },
  call: {
    label: 'Calls',
    description: 'Phone calls made and received by the account.',
    // https://www.twilio.com/docs/voice/api/call-resource#read-multiple-call-resources
    path: '/Calls.json',
    docs: 'https://www.twilio.com/docs/voice/api/call-resource#read-multiple-call-resources',
    pagination: pages('calls'),
    fields: {
      sid: { type: 'string', key: true, description: 'CA…' },
      from: { type: 'string' },
      to: { type: 'string' },
      fromFormatted: { type: 'string', from: 'from_formatted' },
      toFormatted: { type: 'string', from: 'to_formatted' },
      status: { type: 'enum', enumValues: CALL_STATUSES },
      direction: { type: 'enum', enumValues: ['inbound', 'outbound-api', 'outbound-dial'] },
      duration: { type: 'string', description: 'Seconds, as text; empty until the call ends' },
      answeredBy: { type: 'string', from: 'answered_by' },
      callerName: { type: 'string', from: 'caller_name' },
      parentCallSid: { type: 'string', from: 'parent_call_sid' },
      price: { type: 'string', description: 'Decimal as text, negative for a charge' },
      priceUnit: { type: 'string', from: 'price_unit' },
      startTime: { type: 'datetime', from: 'start_time', description: DATE_NOTE },
      endTime: { type: 'datetime', from: 'end_time', description: DATE_NOTE },
      dateCreated: { type: 'datetime', from: 'date_created', description: DATE_NOTE },
      dateUpdated: { type: 'datetime', from: 'date_updated', description: DATE_NOTE },
    },
    // A call has a start and an end: the closest common model is the event (a meeting).
    commonModel: 'event',
    defaultMapping: {
      title: { source: 'join', paths: ['from', 'to'], separator: ' → ' },
      startAt: { source: 'field', path: 'start_time' },
      endAt: { source: 'field', path: 'end_time' },
      createdAt: { source: 'field', path: 'date_created' },
      updatedAt: { source: 'field', path: 'date_updated' },
    },
  },
} satisfies ConnectorInput['objects']

export default defineConnector({
  id: 'twilio',
  name: 'Twilio',
  description: 'Share the text messages and phone calls of your Twilio account, and send text messages from this app.',
  categories: ['communication'],
  logo,
  docsUrl: 'https://www.twilio.com/docs/usage/api',
  // Every 2010 resource sits under the account: /2010-04-01/Accounts/{AccountSid}/… An API key
  // authenticates as itself (SK…), so the account it belongs to is asked for separately.
  connectionConfig: {
    accountSid: {
      label: 'Account SID',
      description: 'Starts with AC; shown on the Twilio Console home page.',
      placeholder: 'AC…',
      pattern: `^${sid('AC')}$`,
      helpUrl: 'https://console.twilio.com/',
    },
  },
  auth: {
    type: 'basic',
    // https://www.twilio.com/docs/usage/requests-to-twilio: HTTP Basic with the Account SID as the
    // username and the Auth Token as the password, or an API key SID and its secret
    // (https://www.twilio.com/docs/iam/api-keys; standard keys reach Messages and Calls).
    fields: {
      username: {
        label: 'API key SID or Account SID',
        type: 'text',
        description: 'An API key SID (SK…) is recommended; your Account SID (AC…) also works.',
        pattern: `(?:${sid('SK')}|${sid('AC')})`,
        helpUrl: 'https://www.twilio.com/docs/iam/api-keys',
        required: true,
      },
      password: { label: 'API key secret or Auth Token', type: 'password', pattern: '[A-Za-z0-9]{32}', required: true },
      // Only for the webhooks below: https://www.twilio.com/docs/usage/security#validating-requests,
      // Twilio signs its requests "using your AuthToken as the key", so an API key secret cannot
      // check them. Optional, and asked for separately, because it is the account's master
      // credential: an end user who does not need webhooks never hands it over.
      authToken: {
        label: 'Auth Token (for webhooks)',
        type: 'password',
        pattern: '[A-Za-z0-9]{32}',
        description: 'Optional: to receive this account’s Twilio webhooks (incoming messages, status callbacks), paste the Auth Token from the Twilio Console; Twilio signs webhooks with it.',
        helpUrl: 'https://www.twilio.com/docs/usage/security#validating-requests',
        required: false,
      },
    },
    // A one-item read of the messages list: the credentials and the account SID must match.
    verify: { method: 'GET', path: '/Messages.json?PageSize=1', okStatus: [200] },
  },
  http: {
    baseUrl: 'https://api.twilio.com/2010-04-01/Accounts/{accountSid}',
    // https://www.twilio.com/docs/api/errors/20429: the REST API limits concurrent requests per
    // account and answers 429 (never processed, "always safe to retry"). No request rate or
    // rate-limit headers are documented, so no budget is declared; the default retry covers 429.
  },
  // No `accountInfo`: the account itself is `GET /2010-04-01/Accounts/{AccountSid}.json`, a sibling
  // of the base URL that a path appended to it cannot reach (see the report).
  objects,
  // Full syncs: the lists filter on `DateSent` (messages) and `StartTime` (calls) with a date in
  // `YYYY-MM-DD` form, not on an update time, and a message's status changes after it is sent
  // (queued → sent → delivered); an incremental sync on those dates would miss those changes.
  syncs: {
    messages: { object: 'message', mode: 'full', defaultFrequency: '1h' },
    calls: { object: 'call', mode: 'full', defaultFrequency: '1h' },
  },
  actions: {
    send_sms: {
      description: 'Send a text message.',
      // https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource:
      // POST /Messages.json with `To`, `From` or `MessagingServiceSid`, and `Body` or `MediaUrl`.
      // Twilio takes application/x-www-form-urlencoded request bodies (`MediaUrl` repeated for
      // several URLs). The input is validated as Twilio names it.
      method: 'POST',
      path: '/Messages.json',
      body: 'form',
      formArrays: 'repeat',
      input: z
        .strictObject({
          To: z.string().regex(/^\+[1-9]\d{1,14}$/, 'must be an E.164 number, e.g. +15558675310'),
          From: z.string().min(1).optional(),
          MessagingServiceSid: z.string().regex(new RegExp(`^${sid('MG')}$`)).optional(),
          Body: z.string().min(1).max(1600).optional(),
          MediaUrl: z.array(z.url()).min(1).max(10).optional(),
          StatusCallback: z.url().optional(),
        })
        .refine((m) => m.From !== undefined || m.MessagingServiceSid !== undefined, 'give From or MessagingServiceSid')
        .refine((m) => m.Body !== undefined || m.MediaUrl !== undefined, 'give Body or MediaUrl'),
    },
  },
  // Twilio calls the URLs set on each phone number, messaging service or request (`StatusCallback`),
  // so each connection gets its own Patchbay URL; its Auth Token is that connection's secret.
  webhooks: {
    secret: { from: 'credentials', field: 'authToken' },
    // https://www.twilio.com/docs/usage/security#validating-requests, in short: take the full URL
    // Twilio called (with its query string), sort the POST parameters by name (Unix-style,
    // case-sensitive), append each name and its value with no delimiters, sign the result with
    // HMAC-SHA1 keyed with the Auth Token, base64-encode it and compare it with
    // `X-Twilio-Signature`; the page's worked example is checked in webhooks.test.ts. No timestamp
    // is signed. Requests with a JSON body (which Twilio signs through a `bodySHA256` query
    // parameter instead) are refused by `sortedForm`.
    signature: { type: 'hmac', algorithm: 'sha1', encoding: 'base64', header: 'X-Twilio-Signature', signed: ['url', 'sortedForm'] },
    docs: 'https://www.twilio.com/docs/usage/security#validating-requests',
  },
  hooks: {
    syncItem: (item) => normalizeDates(item),
  },
})
