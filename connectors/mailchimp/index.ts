/**
 * Mailchimp (Marketing API 3.0), one audience per connection, API key over HTTP Basic.
 *
 * Sources, each cited again where it is used:
 * - Fundamentals (API key, data center, pagination, throttling): https://mailchimp.com/developer/marketing/docs/fundamentals/
 * - List members: https://mailchimp.com/developer/marketing/api/list-members/list-members-info/
 * - Add member: https://mailchimp.com/developer/marketing/api/list-members/add-member-to-list/
 * - Merge fields: https://mailchimp.com/developer/marketing/api/list-merges/list-merge-fields/
 * - Add a contact (guide): https://mailchimp.com/developer/marketing/guides/create-your-first-audience/
 *
 * The base URL is the audience's own (`…/3.0/lists/{listId}`): members live under
 * `/lists/{list_id}/members`, and only the base URL takes connection config placeholders, so the
 * audience is chosen when connecting. The account-level audiences list (`GET /lists`) and the API
 * root (`GET /`, the account's name) sit above that base URL and are not declared (see the report).
 */
import { z } from 'zod'
import type { FieldType } from '../../server/src/mapping/schema'
import { defineConnector } from '../schema'

/** A yellow rounded square with a dark envelope (not Mailchimp's Freddie). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Mailchimp">' +
  '<rect width="64" height="64" rx="14" fill="#ffe01b"/>' +
  '<rect x="13" y="19" width="38" height="26" rx="3" fill="none" stroke="#241c15" stroke-width="4"/>' +
  '<path d="M14 21l18 13 18-13" fill="none" stroke="#241c15" stroke-width="4" stroke-linejoin="round"/>' +
  '</svg>'

/** Member statuses (`status` in the list-members reference). */
const MEMBER_STATUSES = ['subscribed', 'unsubscribed', 'cleaned', 'pending', 'transactional', 'archived']
/** Statuses a new member may be given (add-member reference, `status`). */
const NEW_MEMBER_STATUSES = ['subscribed', 'unsubscribed', 'cleaned', 'pending', 'transactional'] as const

type Discovered = Record<string, { type: FieldType; label?: string; description?: string; enumValues?: string[] }>

/**
 * The audience's merge fields (`GET /lists/{list_id}/merge-fields` → `{ merge_fields: [{ tag, name,
 * type, help_text, options: { choices } }] }`) as discovered fields at `merge_fields.<TAG>`, where
 * member records carry them. `number` fields are numbers; `dropdown` and `radio` fields list their
 * `choices`; `address` fields are objects; every other type (text, email, phone, url, imageurl,
 * zip, date, birthday) is text, written in the audience's date format for dates.
 */
export function mergeFieldsToFields(body: unknown): Discovered {
  const list = (body as { merge_fields?: unknown } | null)?.merge_fields
  const out: Discovered = {}
  if (!Array.isArray(list)) return out
  for (const f of list as { tag?: unknown; name?: unknown; type?: unknown; help_text?: unknown; options?: { choices?: unknown; date_format?: unknown } }[]) {
    if (typeof f?.tag !== 'string' || !/^[A-Za-z0-9_]{1,10}$/.test(f.tag)) continue
    const choices = Array.isArray(f.options?.choices) ? [...new Set((f.options.choices as unknown[]).filter((c): c is string => typeof c === 'string' && c !== ''))] : []
    const choice = (f.type === 'dropdown' || f.type === 'radio') && choices.length > 0
    const type: FieldType = choice ? 'enum' : f.type === 'number' ? 'number' : f.type === 'address' ? 'object' : 'string'
    const notes = [typeof f.help_text === 'string' && f.help_text !== '' ? f.help_text : undefined, typeof f.options?.date_format === 'string' && f.options.date_format !== '' ? `Format ${f.options.date_format}` : undefined].filter(Boolean)
    out[`merge_fields.${f.tag}`] = {
      type,
      ...(typeof f.name === 'string' && f.name !== '' ? { label: f.name } : {}),
      ...(notes.length ? { description: notes.join(' · ') } : {}),
      ...(choice ? { enumValues: choices.slice(0, 500) } : {}),
    }
  }
  return out
}

export default defineConnector({
  id: 'mailchimp',
  name: 'Mailchimp',
  description: 'Share the contacts of one Mailchimp audience, and add new contacts to it from this app.',
  categories: ['marketing'],
  logo,
  docsUrl: 'https://mailchimp.com/developer/marketing/api/',
  connectionConfig: {
    // https://mailchimp.com/developer/marketing/docs/fundamentals/: "the last part of your Mailchimp
    // API key": a key ending in -us6 is served at https://us6.api.mailchimp.com/3.0/.
    dc: {
      label: 'Data center',
      description: 'The letters and number after the dash at the end of your API key: us6 for a key ending in -us6.',
      placeholder: 'us6',
      pattern: '^[a-z]+[0-9]+$',
      helpUrl: 'https://mailchimp.com/developer/marketing/docs/fundamentals/',
    },
    // https://mailchimp.com/help/find-audience-id/ (Audience → Settings → Audience name and defaults)
    listId: {
      label: 'Audience ID',
      description: 'In Mailchimp: Audience → Settings → Audience name and defaults.',
      placeholder: 'a1b2c3d4e5',
      helpUrl: 'https://mailchimp.com/help/find-audience-id/',
    },
  },
  auth: {
    type: 'basic',
    // https://mailchimp.com/developer/marketing/docs/fundamentals/ ("Authenticate with an API
    // key"): HTTP Basic, "you can use any string as the user name. Your API key is used where you
    // would normally include your password". The schema has no constant user name, so the form
    // asks for one (see the report). Bearer is documented for OAuth access tokens only.
    fields: {
      username: { label: 'Any name', type: 'text', description: 'Mailchimp ignores it: any text works, e.g. your name.', placeholder: 'anystring', required: true },
      password: {
        label: 'API key',
        type: 'password',
        description: 'Create one under Profile → Extras → API keys. It ends with your data center, e.g. -us6.',
        pattern: '[0-9a-f]{32}-[a-z]+[0-9]+',
        helpUrl: 'https://mailchimp.com/help/about-api-keys/',
        required: true,
      },
    },
    // One member of the audience: proves the key, the data center and the audience together.
    verify: { method: 'GET', path: '/members?count=1&fields=total_items', okStatus: [200] },
  },
  http: {
    baseUrl: 'https://{dc}.api.mailchimp.com/3.0/lists/{listId}',
    // https://mailchimp.com/developer/marketing/docs/fundamentals/ ("Throttling"): at most 10
    // simultaneous connections per account, 429 beyond; no request rate or rate-limit headers are
    // documented. The engine makes one request at a time per connection: no budget declared.
    //
    // Pagination: `count` (default 10, at most 1000) and `offset`; `total_items` gives the size.
    pagination: { type: 'offset', offsetParam: 'offset', itemsPath: 'members', limitParam: 'count', limit: 1000 },
  },
  objects: {
    member: {
      label: 'Contacts',
      description: 'The members (contacts) of the audience, whatever their status.',
      path: '/members',
      docs: 'https://mailchimp.com/developer/marketing/api/list-members/list-members-info/',
      // Field names: the list-members response.
      fields: {
        id: { type: 'string', key: true, description: 'MD5 hash of the lowercase email address' },
        email: { type: 'string', from: 'email_address' },
        fullName: { type: 'string', from: 'full_name' },
        firstName: { type: 'string', from: 'merge_fields.FNAME', description: 'The FNAME merge field' },
        lastName: { type: 'string', from: 'merge_fields.LNAME', description: 'The LNAME merge field' },
        phone: { type: 'string', from: 'merge_fields.PHONE', description: 'The PHONE merge field' },
        status: { type: 'enum', enumValues: MEMBER_STATUSES },
        emailType: { type: 'enum', from: 'email_type', enumValues: ['html', 'text'] },
        language: { type: 'string' },
        vip: { type: 'boolean' },
        memberRating: { type: 'integer', from: 'member_rating', description: '1 to 5 stars' },
        tags: { type: 'array', description: '[{ id, name }]' },
        source: { type: 'string' },
        contactId: { type: 'string', from: 'contact_id' },
        timestampSignup: { type: 'datetime', from: 'timestamp_signup', description: 'When they signed up; empty when unknown' },
        timestampOpt: { type: 'datetime', from: 'timestamp_opt', description: 'When they confirmed their opt-in' },
        lastChanged: { type: 'datetime', from: 'last_changed' },
      },
      commonModel: 'contact',
      defaultMapping: {
        email: { source: 'field', path: 'email_address' },
        firstName: { source: 'field', path: 'merge_fields.FNAME' },
        lastName: { source: 'field', path: 'merge_fields.LNAME' },
        phone: { source: 'field', path: 'merge_fields.PHONE' },
        lifecycleStage: { source: 'field', path: 'status' },
        createdAt: { source: 'field', path: 'timestamp_signup' },
        updatedAt: { source: 'field', path: 'last_changed' },
      },
    },
  },
  syncs: {
    members: {
      object: 'member',
      description: 'Contacts changed since the last run.',
      mode: 'incremental',
      // `since_last_changed`: "Restrict results to subscribers whose information changed after the
      // set timeframe. Uses ISO 8601 time format: 2015-10-21T15:41:36+00:00." (list-members reference)
      cursorField: 'lastChanged',
      updatedSinceParam: 'since_last_changed',
      defaultFrequency: '1h',
    },
  },
  actions: {
    add_member: {
      description: 'Add a contact to the audience.',
      // https://mailchimp.com/developer/marketing/api/list-members/add-member-to-list/: POST
      // /lists/{list_id}/members, JSON, `email_address` and `status` required. The input is a
      // member record (less what Mailchimp sets), so mapped records can be written back.
      method: 'POST',
      path: '/members',
      object: 'member',
      input: z.strictObject({
        email_address: z.email(),
        status: z.enum(NEW_MEMBER_STATUSES),
        email_type: z.enum(['html', 'text']).optional(),
        merge_fields: z.record(z.string().regex(/^[A-Za-z0-9_]{1,10}$/), z.unknown()).optional(),
        interests: z.record(z.string(), z.boolean()).optional(),
        language: z.string().optional(),
        vip: z.boolean().optional(),
        tags: z.array(z.string().min(1)).optional(),
        ip_signup: z.string().optional(),
        timestamp_signup: z.string().optional(),
        ip_opt: z.string().optional(),
        timestamp_opt: z.string().optional(),
      }),
    },
  },
  hooks: {
    // https://mailchimp.com/developer/marketing/api/list-merges/list-merge-fields/ (`count` ≤ 1000)
    discoverFields: async ({ object, get }) => (object === 'member' ? mergeFieldsToFields(await get('/merge-fields', { count: '1000' })) : undefined),
  },
})
