import { describe, expect, it } from 'vitest'
import { getHeader } from '../pagination'
import { connectorSchema } from '../schema'
import { mapDefault, toRecord, walk } from '../testing'
import { actionRequest } from '../../server/src/services/actions'
import { authenticationFor } from '../../server/src/services/credentials'
import { renderUrl, validateConnectionConfig } from '../../server/src/services/integrations'
import { firstPage, syncPlan } from '../../server/src/services/sync-engine'
import agents from './fixtures/agents.json' with { type: 'json' }
import agentsMe from './fixtures/agents-me.json' with { type: 'json' }
import companies from './fixtures/companies.json' with { type: 'json' }
import contacts from './fixtures/contacts.json' with { type: 'json' }
import createTicket from './fixtures/create-ticket.json' with { type: 'json' }
import rateLimit429 from './fixtures/rate-limit-429.json' with { type: 'json' }
import tickets1 from './fixtures/tickets-page-1.json' with { type: 'json' }
import tickets2 from './fixtures/tickets-page-2.json' with { type: 'json' }
import freshdesk from './index'

/** The base URL of the documented examples' account, `domain.freshdesk.com`. */
const BASE = renderUrl(freshdesk.http.baseUrl, validateConnectionConfig(freshdesk, { domain: 'domain' }))

const mapped = (object: string, record: unknown) => mapDefault(freshdesk, object, record)

describe('freshdesk connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(freshdesk)).toEqual(freshdesk)
    expect(freshdesk.id).toBe('freshdesk')
  })

  describe('domain and auth', () => {
    it('templates the account’s domain, a DNS label, into https://{domain}.freshdesk.com/api/v2', () => {
      expect(BASE).toBe('https://domain.freshdesk.com/api/v2')
      expect(() => validateConnectionConfig(freshdesk, { domain: 'evil.example/x' })).toThrow()
      expect(() => validateConnectionConfig(freshdesk, { domain: 'a.b' })).toThrow()
    })

    // https://developers.freshdesk.com/api/#authentication: "curl -v -u apikey:X"
    it('asks for the API key only and sends it as the Basic user name with the password X', () => {
      if (freshdesk.auth.type !== 'basic') throw new Error('expected basic')
      expect(Object.keys(freshdesk.auth.fields)).toEqual(['username'])
      expect(freshdesk.auth.fields.username).toMatchObject({ label: 'API key', type: 'password', required: true })
      const { headers } = authenticationFor(freshdesk, { type: 'basic', values: { username: 'abcdefghij1234567890' } })
      expect(headers.authorization).toBe(`Basic ${Buffer.from('abcdefghij1234567890:X').toString('base64')}`)
      // A typed password cannot replace the constant one.
      expect(authenticationFor(freshdesk, { type: 'basic', values: { username: 'abcdefghij1234567890', password: 'other' } }).headers.authorization).toBe(headers.authorization)
      expect(freshdesk.auth.verify).toEqual({ method: 'GET', path: '/agents/me', okStatus: [200] })
    })

    it('refuses a connector that both asks for and fixes the password', () => {
      const both = { ...freshdesk, auth: { ...freshdesk.auth, fields: { username: { label: 'Key' }, password: { label: 'Password' } }, fixed: { password: 'X' } } }
      expect(connectorSchema.safeParse(both).success).toBe(false)
      const { fixed: _fixed, ...asked } = both.auth
      expect(connectorSchema.safeParse({ ...both, auth: asked }).success).toBe(true)
    })
  })

  // https://developers.freshdesk.com/api/#ratelimit
  it('reads X-RateLimit-Total and X-RateLimit-Remaining, and retries a 429 (which carries Retry-After)', () => {
    const limit = freshdesk.http.rateLimit!
    expect(limit).toMatchObject({ limitHeader: 'X-RateLimit-Total', remainingHeader: 'X-RateLimit-Remaining' })
    expect(limit.requests).toBeUndefined()
    expect(getHeader(tickets1.headers, limit.limitHeader!)).toBe('200')
    expect(getHeader(tickets1.headers, limit.remainingHeader!)).toBe('198')
    expect(getHeader(rateLimit429.headers, limit.remainingHeader!)).toBe('0')
    expect(freshdesk.http.retry.on).toContain(rateLimit429.status)
  })

  describe('tickets', () => {
    // https://developers.freshdesk.com/api/#pagination, https://developers.freshdesk.com/api/#list_all_tickets
    it('walks the Link header (written "< https://…>;rel=\\"next\\"") with per_page=100 until it is gone', () => {
      const { urls, items } = walk(freshdesk, 'ticket', (url) => (url.searchParams.get('page') === '2' ? tickets2 : tickets1), { baseUrl: BASE })
      expect(urls).toHaveLength(2)
      expect(urls[0]!.origin + urls[0]!.pathname).toBe('https://domain.freshdesk.com/api/v2/tickets')
      expect(Object.fromEntries(urls[0]!.searchParams)).toEqual({ updated_since: '1970-01-01T00:00:00Z', order_by: 'updated_at', order_type: 'asc', include: 'requester,description', per_page: '100' })
      expect(urls[1]!.href).toBe(tickets1.headers.link.slice(2, tickets1.headers.link.indexOf('>')))
      expect(items.map((t) => (t as { id: number }).id)).toEqual([18, 17])
    })

    it('an incremental run replaces updated_since with the last updated_at, oldest change first', () => {
      const plan = syncPlan(freshdesk, 'tickets')
      const first = firstPage(BASE, plan, null, 'incremental')
      expect(first.searchParams.get('updated_since')).toBe('1970-01-01T00:00:00Z')
      const next = firstPage(BASE, plan, '2015-08-18T09:23:21Z', 'incremental')
      expect(next.searchParams.getAll('updated_since')).toEqual(['2015-08-18T09:23:21Z'])
      expect(next.searchParams.get('order_by')).toBe('updated_at')
      expect(next.searchParams.get('order_type')).toBe('asc')
      expect(plan.cursorPath).toBe('updated_at')
    })

    it('maps the documented ticket with its requester and description embeds', () => {
      expect(toRecord(freshdesk, 'ticket', tickets1.body[0])).toEqual({
        id: 18,
        subject: 'Please help',
        description: 'Details about the issue...',
        status: 2,
        priority: 1,
        source: 2,
        type: 'Lead',
        requesterId: 5,
        requesterEmail: 'tom@outerspace.com',
        requesterName: 'Tom Outerspace',
        responderId: 1,
        groupId: 2,
        companyId: undefined,
        tags: [],
        ccEmails: ['user@cc.com'],
        isEscalated: false,
        customFields: { category: 'Primary' },
        dueBy: '2015-08-17T16:00:00Z',
        firstResponseDueBy: '2015-08-17T16:00:00Z',
        createdAt: '2015-08-17T10:05:45Z',
        updatedAt: '2015-08-17T10:05:45Z',
      })
    })

    it('maps a ticket to the ticket model, with status and priority numbers as words', () => {
      const { check, result } = mapped('ticket', tickets1.body[0])
      expect(check.errors).toEqual([])
      expect(result).toEqual({
        value: { subject: 'Please help', description: 'Details about the issue...', status: 'open', priority: 'low', requesterEmail: 'tom@outerspace.com', createdAt: '2015-08-17T10:05:45.000Z', updatedAt: '2015-08-17T10:05:45.000Z' },
        errors: [],
      })
      expect(mapped('ticket', tickets2.body[0]).result.value).toMatchObject({ status: 'closed', priority: 'low' })
      expect(mapped('ticket', { ...tickets2.body[0], status: 7 }).result.value).toMatchObject({ status: 'custom' })
    })
  })

  describe('contacts, companies, agents', () => {
    it('syncs contacts incrementally with _updated_since, companies and agents in full', () => {
      expect(freshdesk.syncs.contacts).toMatchObject({ object: 'contact', mode: 'incremental', cursorField: 'updatedAt', updatedSinceParam: '_updated_since' })
      expect(firstPage(BASE, syncPlan(freshdesk, 'contacts'), '2015-08-24T09:25:19Z', 'incremental').href).toBe('https://domain.freshdesk.com/api/v2/contacts?per_page=100&_updated_since=2015-08-24T09%3A25%3A19Z')
      expect(freshdesk.syncs.companies).toMatchObject({ object: 'company', mode: 'full' })
      expect(freshdesk.syncs.agents).toMatchObject({ object: 'agent', mode: 'full' })
    })

    // https://developers.freshdesk.com/api/#list_all_contacts
    it('maps the documented contact to a contact, splitting the name', () => {
      const { items } = walk(freshdesk, 'contact', () => contacts, { baseUrl: BASE })
      expect(items).toHaveLength(2)
      expect(toRecord(freshdesk, 'contact', items[0])).toMatchObject({ id: 432, name: 'Super Man', email: 'superman@freshdesk.com', companyId: 1, active: false, timeZone: 'Eastern Time (US & Canada)', customFields: { department: 'Admin', fb_profile: null, permanent: true } })
      const { check, result } = mapped('contact', items[0])
      expect(check.errors).toEqual([])
      expect(result.value).toEqual({ email: 'superman@freshdesk.com', firstName: 'Super', lastName: 'Man', phone: null, company: '1', title: null, lifecycleStage: null, createdAt: '2015-08-18T16:18:14.000Z', updatedAt: '2015-08-24T09:25:19.000Z' })
    })

    // https://developers.freshdesk.com/api/#list_all_companies
    it('maps the documented company, its first domain as the domain', () => {
      const { check, result } = mapped('company', companies.body[0])
      expect(check.errors).toEqual([])
      expect(result.value).toEqual({ name: 'SuperNova', domain: 'supernova', industry: 'Aerospace', phone: null, createdAt: '2014-01-08T03:38:53.000Z', updatedAt: '2014-01-08T03:38:53.000Z' })
    })

    // https://developers.freshdesk.com/api/#list_all_agents
    it('maps the documented agent to a user from its contact', () => {
      expect(toRecord(freshdesk, 'agent', agents.body[0])).toMatchObject({ id: 1, name: 'Support', email: 'sample@freshdesk.com', type: 'support_agent', ticketScope: 1, lastLoginAt: '2015-08-21T14:54:46+05:30' })
      const { check, result } = mapped('agent', agents.body[0])
      expect(check.errors).toEqual([])
      expect(result.value).toEqual({ name: 'Support', email: 'sample@freshdesk.com', username: null, avatarUrl: null, createdAt: '2015-08-18T16:18:05.000Z' })
    })
  })

  // https://developers.freshdesk.com/api/#me
  it('labels the account with the agent’s email from /agents/me', () => {
    expect(freshdesk.accountInfo).toEqual({ path: '/agents/me' })
    expect(freshdesk.hooks.accountLabel?.(agentsMe.body)).toBe('sample@freshdesk.com')
    expect(freshdesk.hooks.accountLabel?.({ contact: { name: 'Support', email: null } })).toBe('Support')
    expect(freshdesk.hooks.accountLabel?.({})).toBeUndefined()
  })

  // https://developers.freshdesk.com/api/#create_ticket
  describe('create_ticket', () => {
    const action = freshdesk.actions.create_ticket!
    it('posts the documented body to /tickets as JSON', () => {
      expect(action).toMatchObject({ method: 'POST', path: '/tickets', body: 'json' })
      const input = action.input.parse(createTicket.request)
      expect(actionRequest(action, input)).toMatchObject({ path: '/tickets', json: createTicket.request })
      const byPhone = { subject: 'Call back', description: '<p>Please call</p>', phone: '+1 555 0100', name: 'Amy', priority: 4, source: 3, tags: ['vip'], custom_fields: { category: 'Primary' } }
      expect(action.input.parse(byPhone)).toEqual(byPhone)
    })
    it('needs a subject, a description and a requester, and documented priorities and sources', () => {
      const ok = { subject: 'x', description: 'y', email: 'a@example.com' }
      expect(action.input.safeParse(ok).success).toBe(true)
      expect(action.input.safeParse({ subject: 'x', description: 'y' }).success).toBe(false)
      expect(action.input.safeParse({ subject: 'x', description: 'y', phone: '+1 555 0100' }).success).toBe(false)
      expect(action.input.safeParse({ ...ok, subject: '' }).success).toBe(false)
      expect(action.input.safeParse({ ...ok, priority: 5 }).success).toBe(false)
      expect(action.input.safeParse({ ...ok, source: 4 }).success).toBe(false)
      expect(action.input.safeParse({ ...ok, status: 1 }).success).toBe(false)
      expect(action.input.safeParse({ ...ok, email: 'nope' }).success).toBe(false)
      expect(action.input.safeParse({ ...ok, extra: 1 }).success).toBe(false)
    })
  })
})
