/**
 * Freshdesk (API v2 on the account's own domain, API key over HTTP Basic).
 *
 * Sources, each cited again where it is used (one page, https://developers.freshdesk.com/api/):
 * - Authentication: https://developers.freshdesk.com/api/#authentication
 * - Pagination (page, per_page ≤ 100, Link header): https://developers.freshdesk.com/api/#pagination
 * - Rate limit headers: https://developers.freshdesk.com/api/#ratelimit
 * - Tickets: https://developers.freshdesk.com/api/#list_all_tickets and https://developers.freshdesk.com/api/#create_ticket
 * - Contacts: https://developers.freshdesk.com/api/#list_all_contacts
 * - Companies: https://developers.freshdesk.com/api/#list_all_companies
 * - Agents: https://developers.freshdesk.com/api/#list_all_agents and https://developers.freshdesk.com/api/#me
 */
import { z } from 'zod'
import { firstString } from '../helpers'
import { defineConnector } from '../schema'

/** A green rounded square with a white ticket stub (not Freshdesk's logo). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Freshdesk">' +
  '<rect width="64" height="64" rx="14" fill="#047857"/>' +
  '<path d="M14 22h36v7a4 4 0 0 0 0 8v7H14v-7a4 4 0 0 0 0-8z" fill="#fff"/>' +
  '<path d="M38 23v18" stroke="#047857" stroke-width="2" stroke-dasharray="3 3"/>' +
  '</svg>'

/**
 * Ticket statuses and priorities as numbers (List All Tickets / Create a Ticket, "Status" and
 * "Priority" tables): status 2 Open, 3 Pending, 4 Resolved, 5 Closed (an account may add custom
 * statuses, with other numbers); priority 1 Low, 2 Medium, 3 High, 4 Urgent.
 */
export const TICKET_STATUSES = { 2: 'open', 3: 'pending', 4: 'resolved', 5: 'closed' } as const
export const TICKET_PRIORITIES = { 1: 'low', 2: 'medium', 3: 'high', 4: 'urgent' } as const
/** Ticket sources (Create a Ticket, "Source" table): 1 Email, 2 Portal, 3 Phone, 7 Chat, 9 Feedback Widget, 10 Outbound Email. */
const TICKET_SOURCES = [1, 2, 3, 7, 9, 10] as const

const id = z.number().int().positive()
const oneOf = <T extends readonly number[]>(values: T) => z.number().int().refine((v) => values.includes(v), `must be one of ${values.join(', ')}`)

export default defineConnector({
  id: 'freshdesk',
  name: 'Freshdesk',
  description: 'Bring in your Freshdesk tickets, contacts, companies and agents, and open new tickets in Freshdesk from this app.',
  categories: ['support'],
  logo,
  docsUrl: 'https://developers.freshdesk.com/api/',
  // Every account has its own host, https://{domain}.freshdesk.com, and the API is under /api/v2
  // (Authentication: curl … 'https://domain.freshdesk.com/api/v2/tickets'). One DNS label: the default pattern.
  connectionConfig: {
    domain: {
      label: 'Freshdesk domain',
      description: 'The first part of your Freshdesk address: mycompany in mycompany.freshdesk.com.',
      placeholder: 'mycompany',
      required: true,
    },
  },
  auth: {
    type: 'basic',
    // Authentication: "curl -v -u apikey:X …": HTTP Basic with the API key as the user name; "If you
    // use the API key, there is no need for a password. You can use any set of characters as a dummy
    // password." The form asks for the key only; the password is the documented `X`.
    fields: {
      username: {
        label: 'API key',
        type: 'password',
        description: 'In Freshdesk: your profile picture → Profile settings → View API key.',
        pattern: '[A-Za-z0-9]{10,64}',
        helpUrl: 'https://support.freshdesk.com/support/solutions/articles/215517-how-to-find-your-api-key',
        required: true,
      },
    },
    fixed: { password: 'X' },
    // View Me: the agent whose key this is; proves the key and the domain together.
    verify: { method: 'GET', path: '/agents/me', okStatus: [200] },
  },
  http: {
    baseUrl: 'https://{domain}.freshdesk.com/api/v2',
    // Rate Limit: every response carries X-RateLimit-Total (calls allowed per minute, which depends on
    // the plan) and X-RateLimit-Remaining (and X-RateLimit-Used-CurrentRequest: embeds cost extra
    // credits); over the limit the API answers 429 with Retry-After in seconds, which the engine waits
    // for. No reset header is sent and the figure depends on the plan: no proactive budget.
    rateLimit: { limitHeader: 'X-RateLimit-Total', remainingHeader: 'X-RateLimit-Remaining' },
    // Pagination: `page` from 1, `per_page` default 30, "The maximum number of objects that can be
    // retrieved per page is 100"; the Link header holds the next page's URL and is absent on the last page.
    pagination: { type: 'link', rel: 'next', itemsPath: '', limitParam: 'per_page', limit: 100 },
  },
  // https://developers.freshdesk.com/api/#me
  accountInfo: { path: '/agents/me' },
  objects: {
    ticket: {
      label: 'Tickets',
      description: 'Support tickets, oldest change first (deleted and spam tickets left out).',
      // List All Tickets: "By default, only tickets that have been created within the past 30 days
      // will be returned. For older tickets, use the updated_since filter", so a first run sends
      // updated_since=1970-01-01T00:00:00Z (an incremental run replaces it with its cursor).
      // order_by (created_at, due_by, updated_at, status) and order_type (asc, desc; default desc):
      // oldest change first, because "A maximum of 300 pages (30000 tickets) will be returned": a run
      // that stops at the cap has read the oldest changes, and the next run goes on from its cursor.
      // `include=requester,description` embeds the requester (id, name, email, phone, mobile) and the
      // description; each embed costs extra API credits (X-RateLimit-Used-CurrentRequest).
      path: '/tickets',
      docs: 'https://developers.freshdesk.com/api/#list_all_tickets',
      params: { updated_since: '1970-01-01T00:00:00Z', order_by: 'updated_at', order_type: 'asc', include: 'requester,description' },
      fields: {
        id: { type: 'integer', key: true },
        subject: { type: 'string' },
        description: { type: 'string', from: 'description_text', description: 'Plain text of the first message (HTML in description)' },
        status: { type: 'integer', description: '2 Open, 3 Pending, 4 Resolved, 5 Closed; custom statuses have other numbers' },
        priority: { type: 'integer', description: '1 Low, 2 Medium, 3 High, 4 Urgent' },
        source: { type: 'integer', description: '1 Email, 2 Portal, 3 Phone, 7 Chat, 9 Feedback Widget, 10 Outbound Email' },
        type: { type: 'string' },
        requesterId: { type: 'integer', from: 'requester_id' },
        requesterEmail: { type: 'string', from: 'requester.email' },
        requesterName: { type: 'string', from: 'requester.name' },
        responderId: { type: 'integer', from: 'responder_id', description: 'The assigned agent' },
        groupId: { type: 'integer', from: 'group_id' },
        companyId: { type: 'integer', from: 'company_id' },
        tags: { type: 'array' },
        ccEmails: { type: 'array', from: 'cc_emails' },
        isEscalated: { type: 'boolean', from: 'is_escalated' },
        customFields: { type: 'object', from: 'custom_fields', description: 'Custom field values by name' },
        dueBy: { type: 'datetime', from: 'due_by' },
        firstResponseDueBy: { type: 'datetime', from: 'fr_due_by' },
        createdAt: { type: 'datetime', from: 'created_at' },
        updatedAt: { type: 'datetime', from: 'updated_at' },
      },
      commonModel: 'ticket',
      defaultMapping: {
        subject: { source: 'field', path: 'subject' },
        description: { source: 'field', path: 'description_text' },
        // Custom statuses (numbers the account added) become `custom`.
        status: { source: 'field', path: 'status', transforms: [{ type: 'enum', map: TICKET_STATUSES, fallback: 'custom' }] },
        priority: { source: 'field', path: 'priority', transforms: [{ type: 'enum', map: TICKET_PRIORITIES }] },
        requesterEmail: { source: 'field', path: 'requester.email' },
        createdAt: { source: 'field', path: 'created_at' },
        updatedAt: { source: 'field', path: 'updated_at' },
      },
    },
    contact: {
      label: 'Contacts',
      description: 'The people who ask for help (verified and unverified contacts; deleted and blocked ones left out).',
      path: '/contacts',
      docs: 'https://developers.freshdesk.com/api/#list_all_contacts',
      fields: {
        id: { type: 'integer', key: true },
        name: { type: 'string' },
        email: { type: 'string' },
        otherEmails: { type: 'array', from: 'other_emails' },
        phone: { type: 'string' },
        mobile: { type: 'string' },
        jobTitle: { type: 'string', from: 'job_title' },
        companyId: { type: 'integer', from: 'company_id' },
        active: { type: 'boolean', description: 'Whether the contact has verified their email' },
        language: { type: 'string' },
        timeZone: { type: 'string', from: 'time_zone' },
        address: { type: 'string' },
        twitterId: { type: 'string', from: 'twitter_id' },
        customFields: { type: 'object', from: 'custom_fields' },
        createdAt: { type: 'datetime', from: 'created_at' },
        updatedAt: { type: 'datetime', from: 'updated_at' },
      },
      commonModel: 'contact',
      defaultMapping: {
        email: { source: 'field', path: 'email' },
        firstName: { source: 'field', path: 'name', transforms: [{ type: 'split', separator: ' ', part: 'first' }] },
        lastName: { source: 'field', path: 'name', transforms: [{ type: 'split', separator: ' ', part: 'rest' }] },
        phone: { source: 'field', path: 'phone' },
        company: { source: 'field', path: 'company_id' },
        title: { source: 'field', path: 'job_title' },
        createdAt: { source: 'field', path: 'created_at' },
        updatedAt: { source: 'field', path: 'updated_at' },
      },
    },
    company: {
      label: 'Companies',
      description: 'The organisations contacts belong to.',
      path: '/companies',
      docs: 'https://developers.freshdesk.com/api/#list_all_companies',
      fields: {
        id: { type: 'integer', key: true },
        name: { type: 'string' },
        description: { type: 'string' },
        domains: { type: 'array', description: 'Email domains of the company’s contacts' },
        note: { type: 'string' },
        healthScore: { type: 'string', from: 'health_score' },
        accountTier: { type: 'string', from: 'account_tier' },
        renewalDate: { type: 'datetime', from: 'renewal_date' },
        industry: { type: 'string' },
        customFields: { type: 'object', from: 'custom_fields' },
        createdAt: { type: 'datetime', from: 'created_at' },
        updatedAt: { type: 'datetime', from: 'updated_at' },
      },
      commonModel: 'company',
      defaultMapping: {
        name: { source: 'field', path: 'name' },
        domain: { source: 'field', path: 'domains.0' },
        industry: { source: 'field', path: 'industry' },
        createdAt: { source: 'field', path: 'created_at' },
        updatedAt: { source: 'field', path: 'updated_at' },
      },
    },
    agent: {
      label: 'Agents',
      description: 'The help desk’s agents.',
      path: '/agents',
      docs: 'https://developers.freshdesk.com/api/#list_all_agents',
      fields: {
        id: { type: 'integer', key: true },
        name: { type: 'string', from: 'contact.name' },
        email: { type: 'string', from: 'contact.email' },
        phone: { type: 'string', from: 'contact.phone' },
        jobTitle: { type: 'string', from: 'contact.job_title' },
        active: { type: 'boolean', from: 'contact.active' },
        type: { type: 'string', description: 'support_agent, field_agent or collaborator' },
        occasional: { type: 'boolean' },
        available: { type: 'boolean' },
        ticketScope: { type: 'integer', from: 'ticket_scope', description: '1 Global, 2 Group, 3 Restricted access' },
        lastLoginAt: { type: 'datetime', from: 'contact.last_login_at' },
        createdAt: { type: 'datetime', from: 'created_at' },
        updatedAt: { type: 'datetime', from: 'updated_at' },
      },
      commonModel: 'user',
      defaultMapping: {
        name: { source: 'field', path: 'contact.name' },
        email: { source: 'field', path: 'contact.email' },
        createdAt: { source: 'field', path: 'created_at' },
      },
    },
  },
  syncs: {
    tickets: {
      object: 'ticket',
      description: 'Tickets changed since the last run.',
      mode: 'incremental',
      // updated_since takes ISO 8601 UTC ("2015-01-19T02:00:00Z"), as updated_at is written.
      // Deleted and spam tickets leave the default list (List All Tickets, `filter`), so an incremental
      // run cannot see deletions (see the report).
      cursorField: 'updatedAt',
      updatedSinceParam: 'updated_since',
      defaultFrequency: '15m',
    },
    contacts: {
      object: 'contact',
      description: 'Contacts changed since the last run.',
      mode: 'incremental',
      // List All Contacts filters by `_updated_since` (with the leading underscore), ISO 8601 UTC.
      cursorField: 'updatedAt',
      updatedSinceParam: '_updated_since',
      defaultFrequency: '1h',
    },
    // Companies and agents have no changed-since filter: full syncs, which also mark removed ones deleted.
    companies: { object: 'company', mode: 'full', defaultFrequency: '6h' },
    agents: { object: 'agent', mode: 'full', defaultFrequency: '1d' },
  },
  actions: {
    create_ticket: {
      description: 'Open a ticket.',
      // Create a Ticket: POST /tickets. One of requester_id, email, phone, twitter_id, facebook_id or
      // unique_external_id names the requester (a new email or phone creates the contact); "If the
      // phone number is set and the email address is not, then the name attribute is mandatory".
      // subject and description (HTML) are taken; status defaults to 2 (Open), priority to 1 (Low),
      // source to 2 (Portal).
      method: 'POST',
      path: '/tickets',
      input: z
        .strictObject({
          subject: z.string().min(1).max(255),
          description: z.string().min(1),
          requester_id: id.optional(),
          email: z.email().optional(),
          phone: z.string().min(1).max(255).optional(),
          twitter_id: z.string().min(1).max(255).optional(),
          facebook_id: z.string().min(1).max(255).optional(),
          unique_external_id: z.string().min(1).max(255).optional(),
          name: z.string().min(1).max(255).optional(),
          status: z.number().int().min(2).optional(),
          priority: oneOf([1, 2, 3, 4] as const).optional(),
          source: oneOf(TICKET_SOURCES).optional(),
          type: z.string().min(1).optional(),
          responder_id: id.optional(),
          group_id: id.optional(),
          company_id: id.optional(),
          product_id: id.optional(),
          email_config_id: id.optional(),
          tags: z.array(z.string().min(1)).optional(),
          cc_emails: z.array(z.email()).optional(),
          due_by: z.iso.datetime({ offset: true }).optional(),
          fr_due_by: z.iso.datetime({ offset: true }).optional(),
          custom_fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
        })
        .refine((t) => [t.requester_id, t.email, t.phone, t.twitter_id, t.facebook_id, t.unique_external_id].some((v) => v !== undefined), 'name the requester: requester_id, email, phone, twitter_id, facebook_id or unique_external_id')
        .refine((t) => t.phone === undefined || t.email !== undefined || t.requester_id !== undefined || t.name !== undefined, { message: 'a requester given by phone only needs a name', path: ['name'] }),
    },
  },
  hooks: {
    // GET /agents/me → { contact: { email, name, … }, … }.
    accountLabel: (body) => firstString(body, ['contact.email', 'contact.name']),
  },
})
