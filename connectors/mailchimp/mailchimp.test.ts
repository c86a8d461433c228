import { describe, expect, it } from 'vitest'
import { COMMON_MODELS } from '../common-models'
import { connectorSchema, discoveredFieldsSchema, type Connector } from '../schema'
import { toRecord, walk } from '../testing'
import { applyMapping, invertMapping } from '../../server/src/mapping/apply'
import { checkMapping, providerFieldsOf } from '../../server/src/mapping/check'
import { mappingSchema } from '../../server/src/mapping/schema'
import { authenticationFor } from '../../server/src/services/credentials'
import { firstPage, syncPlan } from '../../server/src/services/sync-engine'
import addMember from './fixtures/add-member.json' with { type: 'json' }
import page1 from './fixtures/members-page-1.json' with { type: 'json' }
import page2 from './fixtures/members-page-2.json' with { type: 'json' }
import mergeFields from './fixtures/merge-fields.json' with { type: 'json' }
import mailchimp, { mergeFieldsToFields } from './index'

/** A connection in data center us6 on audience 8a25ff1d98. */
const BASE = 'https://us6.api.mailchimp.com/3.0/lists/8a25ff1d98'

/** The connector with a smaller page size, to walk the two documented pages. */
function withCount(count: number): Connector {
  const pagination = mailchimp.http.pagination!
  if (pagination.type !== 'offset') throw new Error('expected offset pagination')
  return { ...mailchimp, http: { ...mailchimp.http, pagination: { ...pagination, limit: count } } }
}

describe('mailchimp connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(mailchimp)).toEqual(mailchimp)
    expect(mailchimp.id).toBe('mailchimp')
  })

  // https://mailchimp.com/developer/marketing/docs/fundamentals/
  describe('auth and data center', () => {
    it('sends the API key as the Basic password, with any user name', () => {
      expect(mailchimp.auth).toMatchObject({ type: 'basic', verify: { method: 'GET', path: '/members?count=1&fields=total_items', okStatus: [200] } })
      const header = authenticationFor(mailchimp, { type: 'basic', values: { username: 'anystring', password: `${'0'.repeat(32)}-us6` } }).headers.authorization
      expect(Buffer.from(header!.replace('Basic ', ''), 'base64').toString()).toBe(`anystring:${'0'.repeat(32)}-us6`)
    })

    it('puts the data center and the audience in the base URL', () => {
      expect(mailchimp.http.baseUrl).toBe('https://{dc}.api.mailchimp.com/3.0/lists/{listId}')
      const dc = new RegExp(`^(?:${mailchimp.connectionConfig.dc!.pattern})$`)
      for (const ok of ['us6', 'us21']) expect(dc.test(ok), ok).toBe(true)
      for (const bad of ['us6.evil.com', 'US6', '6', 'us', 'us6/x']) expect(dc.test(bad), bad).toBe(false)
    })

    it('accepts keys that end with a data center', () => {
      const field = mailchimp.auth.type === 'basic' ? mailchimp.auth.fields.password : undefined
      const key = new RegExp(`^(?:${field!.pattern})$`)
      expect(key.test(`${'a1'.repeat(16)}-us6`)).toBe(true)
      expect(key.test('a1'.repeat(16))).toBe(false)
    })
  })

  it('declares no request budget (Mailchimp limits simultaneous connections, without headers) and retries 429', () => {
    expect(mailchimp.http.rateLimit).toBeUndefined()
    expect(mailchimp.http.retry.on).toContain(429)
  })

  // https://mailchimp.com/developer/marketing/docs/fundamentals/ (pagination)
  describe('pagination (offset + count ≤ 1000)', () => {
    it('asks for 1000 members at a time from offset 0', () => {
      const { urls } = walk(mailchimp, 'member', () => page2, { baseUrl: BASE })
      expect(urls.map((u) => u.href)).toEqual([`${BASE}/members?count=1000&offset=0`])
    })

    it('walks the documented pages to the end (a page shorter than count is the last)', () => {
      const { urls, items } = walk(withCount(2), 'member', (url) => (url.searchParams.get('offset') === '0' ? page1 : page2), { baseUrl: BASE })
      expect(urls.map((u) => u.searchParams.get('offset'))).toEqual(['0', '2'])
      expect(items).toHaveLength(page1.body.total_items)
    })

    it('stops on an empty page', () => {
      const { urls } = walk(withCount(2), 'member', (url) => (url.searchParams.get('offset') === '0' ? page1 : { body: { members: [], total_items: 2 } }), { baseUrl: BASE })
      expect(urls).toHaveLength(2)
    })

    it('starts incremental runs with since_last_changed', () => {
      const url = firstPage(BASE, syncPlan(mailchimp, 'members'), '2019-08-25T09:00:00Z', 'incremental')
      expect(url.searchParams.get('since_last_changed')).toBe('2019-08-25T09:00:00Z')
      expect(syncPlan(mailchimp, 'members').cursorPath).toBe('last_changed')
    })
  })

  describe('fields', () => {
    // https://mailchimp.com/developer/marketing/api/list-members/list-members-info/
    it('maps a documented member', () => {
      expect(toRecord(mailchimp, 'member', page1.body.members[0])).toEqual({
        id: '54bd5ff2362f848a29fc96b38167ca48',
        email: 'prudence.mcvankab@example.com',
        fullName: 'Prudence McVankab',
        firstName: 'Prudence',
        lastName: 'McVankab',
        phone: '',
        status: 'subscribed',
        emailType: 'html',
        language: '',
        vip: false,
        memberRating: 2,
        tags: [],
        source: 'API - Generic',
        contactId: 'string',
        timestampSignup: '',
        timestampOpt: '2019-08-24T14:15:22Z',
        lastChanged: '2019-08-24T14:15:22Z',
      })
    })

    it('keys members by the MD5 of the lowercase email, as documented', async () => {
      const { createHash } = await import('node:crypto')
      for (const m of [...page1.body.members, ...page2.body.members]) expect(m.id).toBe(createHash('md5').update(m.email_address.toLowerCase()).digest('hex'))
    })
  })

  // https://mailchimp.com/developer/marketing/api/list-merges/list-merge-fields/
  describe('custom fields (merge fields)', () => {
    it('discovers merge fields at merge_fields.<TAG> with types, labels and choices', () => {
      const fields = mergeFieldsToFields(mergeFields.body)
      expect(discoveredFieldsSchema.safeParse(fields).success).toBe(true)
      expect(fields).toEqual({
        'merge_fields.FNAME': { type: 'string', label: 'First Name' },
        'merge_fields.LNAME': { type: 'string', label: 'Last Name' },
        'merge_fields.ADDRESS': { type: 'object', label: 'Address' },
        'merge_fields.PHONE': { type: 'string', label: 'Phone Number' },
        'merge_fields.BIRTHDAY': { type: 'string', label: 'Birthday', description: 'Format MM/DD' },
        'merge_fields.PLAN': { type: 'enum', label: 'Plan', description: 'The plan they are on', enumValues: ['Free', 'Pro'] },
        'merge_fields.SEATS': { type: 'number', label: 'Seats' },
      })
      expect(mergeFieldsToFields(null)).toEqual({})
      expect(mergeFieldsToFields({ merge_fields: [{ tag: '__proto__.x', type: 'text' }, { tag: 'OK', type: 'dropdown', options: { choices: [] } }] })).toEqual({ 'merge_fields.OK': { type: 'string' } })
    })

    it('reads them with GET /merge-fields?count=1000 under the audience', async () => {
      const calls: [string, Record<string, string> | undefined][] = []
      const found = await mailchimp.hooks.discoverFields!({ object: 'member', get: async (path, query) => (calls.push([path, query]), mergeFields.body) })
      expect(calls).toEqual([['/merge-fields', { count: '1000' }]])
      expect(Object.keys(found!)).toContain('merge_fields.PLAN')
      expect(await mailchimp.hooks.discoverFields!({ object: 'other', get: async () => ({}) })).toBeUndefined()
    })
  })

  describe('default mapping (member → contact)', () => {
    const object = mailchimp.objects.member!
    const model = COMMON_MODELS.contact
    const mapping = mappingSchema.parse({ model: model.name, fields: object.defaultMapping })

    it('passes the check against the common contact with no warnings', () => {
      expect(checkMapping(model, providerFieldsOf(object), mapping)).toEqual({ ok: true, errors: [], warnings: [] })
    })

    it('maps the documented members (an empty timestamp is no date)', () => {
      expect(applyMapping(model, mapping, page1.body.members[0])).toEqual({
        value: {
          email: 'prudence.mcvankab@example.com',
          firstName: 'Prudence',
          lastName: 'McVankab',
          // Mailchimp writes an empty merge field as "", which text fields keep.
          phone: '',
          company: null,
          title: null,
          lifecycleStage: 'subscribed',
          createdAt: null,
          updatedAt: '2019-08-24T14:15:22.000Z',
        },
        errors: [],
      })
      expect(applyMapping(model, mapping, page1.body.members[1]).value).toMatchObject({ lifecycleStage: 'unsubscribed', createdAt: '2019-08-20T10:00:00.000Z' })
    })

    it('writes a contact back as add_member input', () => {
      const inverse = invertMapping(model, mapping)
      expect(inverse.invertible).toBe(true)
      const input = inverse.toProvider({ email: 'prudence.mcvankab@example.com', firstName: 'Prudence', lastName: 'McVankab', lifecycleStage: 'subscribed' })
      expect(mailchimp.actions.add_member!.input.parse(input)).toMatchObject(addMember.body)
    })
  })

  // https://mailchimp.com/developer/marketing/api/list-members/add-member-to-list/
  describe('add_member', () => {
    const action = mailchimp.actions.add_member!
    it('posts the documented body to /members, as a member record', () => {
      expect(action).toMatchObject({ method: 'POST', path: '/members', object: 'member' })
      expect(action.input.parse(addMember.body)).toEqual(addMember.body)
    })
    it('needs a valid email and an allowed status, and no unknown keys', () => {
      expect(action.input.safeParse({ email_address: 'prudence.mcvankab@example.com' }).success).toBe(false)
      expect(action.input.safeParse({ email_address: 'nope', status: 'subscribed' }).success).toBe(false)
      expect(action.input.safeParse({ email_address: 'a@b.co', status: 'archived' }).success).toBe(false)
      expect(action.input.safeParse({ email_address: 'a@b.co', status: 'pending', tags: ['vip'] }).success).toBe(true)
      expect(action.input.safeParse({ email_address: 'a@b.co', status: 'pending', unique_email_id: 'x' }).success).toBe(false)
    })
  })
})
