/**
 * What the two Demo CRM connectors share: the REST API, its objects, syncs and actions. Only the
 * authentication differs (`demo-crm`: OAuth 2.0; `demo-crm-api-key`: `X-Api-Key`).
 *
 * The Demo CRM is Patchbay's bundled provider (`server/src/demo/provider/`): its REST API is mounted
 * at `/api/v1` next to its authorization server. The URLs here are the defaults for port 4010; a
 * running demo (which may pick another port) is applied as integration overrides.
 * Contract, from `server/src/demo/provider/api.ts`:
 * - auth: `Authorization: Bearer <access token>` (RFC 6750 §2.1) or `X-Api-Key: <key>`;
 * - lists: `GET /contacts|/companies?limit=1..100&cursor=…&updated_since=<ISO 8601>` →
 *   `{ data: [...], next_cursor: string | null }` (keyset pagination by id);
 * - deleted contacts: with `include_deleted=true` the contacts list also holds tombstones
 *   `{ id, deleted: true, deleted_at, updated_at }` (`updated_at` = deletion time) in id order,
 *   filtered by `updated_since` like live contacts; without it they are absent;
 * - every authenticated response: `X-RateLimit-Limit/Remaining/Reset` (reset in Unix epoch seconds);
 *   over budget, 429 with `Retry-After`;
 * - `GET /me` → `{ id, name, email, account }`; `POST /contacts` (JSON, `email` required) → 201.
 */
import { z } from 'zod'
import { firstString } from '../helpers'
import type { ConnectorInput } from '../schema'

/** Origin of the demo provider when it runs on its default port. */
export const DEMO_CRM_ORIGIN = 'http://127.0.0.1:4010'

/** OpenID Connect Discovery 1.0 §4 / RFC 8414 metadata of the demo provider. */
export const DEMO_CRM_DOCS_URL = `${DEMO_CRM_ORIGIN}/.well-known/openid-configuration`

/** A teal rounded square with a white contact card. */
export const demoCrmLogo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Demo CRM">' +
  '<rect width="64" height="64" rx="14" fill="#0f766e"/>' +
  '<rect x="12" y="16" width="40" height="32" rx="5" fill="#fff"/>' +
  '<circle cx="24" cy="29" r="5" fill="#0f766e"/><path d="M16 42c1-5 4-7 8-7s7 2 8 7z" fill="#0f766e"/>' +
  '<path d="M36 26h10M36 32h10M36 38h6" stroke="#0f766e" stroke-width="3" stroke-linecap="round"/>' +
  '</svg>'

export const demoCrmDescription = 'A sample CRM bundled with Patchbay for trying integrations: share its contacts and companies, and add contacts from this app.'

export const demoCrmHttp = {
  baseUrl: `${DEMO_CRM_ORIGIN}/api/v1`,
  // `X-RateLimit-*` on every authenticated response; `reset` is Unix epoch seconds.
  rateLimit: { limitHeader: 'X-RateLimit-Limit', remainingHeader: 'X-RateLimit-Remaining', resetHeader: 'X-RateLimit-Reset', resetUnit: 'epoch_s' },
  // `{ data, next_cursor }`, `next_cursor: null` on the last page; `limit` defaults to 50, max 100.
  pagination: { type: 'cursor', cursorParam: 'cursor', cursorPath: 'next_cursor', itemsPath: 'data', limitParam: 'limit', limit: 100 },
} satisfies ConnectorInput['http']

const LIFECYCLE_STAGES = ['lead', 'opportunity', 'customer']

export const demoCrmObjects = {
  contact: {
    label: 'Contacts',
    description: 'People in the Demo CRM.',
    path: '/contacts',
    // Lists deleted contacts as tombstones too, so incremental syncs see deletions (`deletedWhen`).
    params: { include_deleted: 'true' },
    fields: {
      id: { type: 'string', key: true, description: 'ct_0001, ct_0002, …' },
      first_name: { type: 'string' },
      last_name: { type: 'string' },
      email: { type: 'string' },
      company_id: { type: 'string', description: 'The id of a company, or null' },
      lifecycle_stage: { type: 'enum', enumValues: LIFECYCLE_STAGES },
      phone: { type: 'string' },
      created_at: { type: 'datetime' },
      updated_at: { type: 'datetime', description: 'Last change; on a deleted contact, the deletion time' },
      deleted_at: { type: 'datetime', description: 'Only on deleted contacts (tombstones)' },
    },
    commonModel: 'contact',
    defaultMapping: {
      email: { source: 'field', path: 'email' },
      firstName: { source: 'field', path: 'first_name' },
      lastName: { source: 'field', path: 'last_name' },
      phone: { source: 'field', path: 'phone' },
      company: { source: 'field', path: 'company_id' },
      lifecycleStage: { source: 'field', path: 'lifecycle_stage' },
      createdAt: { source: 'field', path: 'created_at' },
      updatedAt: { source: 'field', path: 'updated_at' },
    },
  },
  company: {
    label: 'Companies',
    description: 'Companies in the Demo CRM.',
    path: '/companies',
    fields: {
      id: { type: 'string', key: true, description: 'co_001, co_002, …' },
      name: { type: 'string' },
      domain: { type: 'string' },
      industry: { type: 'string' },
      created_at: { type: 'datetime' },
      updated_at: { type: 'datetime' },
    },
    commonModel: 'company',
    defaultMapping: {
      name: { source: 'field', path: 'name' },
      domain: { source: 'field', path: 'domain' },
      industry: { source: 'field', path: 'industry' },
      createdAt: { source: 'field', path: 'created_at' },
      updatedAt: { source: 'field', path: 'updated_at' },
    },
  },
} satisfies ConnectorInput['objects']

/**
 * Both lists take `updated_since` (ISO 8601), so both sync incrementally on `updated_at`. A deleted
 * contact comes back as a tombstone `{ deleted: true }` (companies are never deleted).
 */
export const demoCrmSyncs = {
  contacts: {
    object: 'contact',
    mode: 'incremental',
    cursorField: 'updated_at',
    updatedSinceParam: 'updated_since',
    defaultFrequency: '15m',
    deletedWhen: { path: 'deleted', equals: true },
  },
  companies: { object: 'company', mode: 'incremental', cursorField: 'updated_at', updatedSinceParam: 'updated_since', defaultFrequency: '1h' },
} satisfies ConnectorInput['syncs']

export const demoCrmActions = {
  create_contact: {
    description: 'Create a contact.',
    // JSON body; unknown fields are rejected with 422 `validation_failed`.
    method: 'POST',
    path: '/contacts',
    // The input is a contact record (minus what the CRM sets), so a record in the vendor's shape can be written back.
    object: 'contact',
    input: z.strictObject({
      email: z.email(),
      first_name: z.string().max(100).optional(),
      last_name: z.string().max(100).optional(),
      company_id: z.string().nullable().optional(),
      lifecycle_stage: z.enum(['lead', 'opportunity', 'customer']).optional(),
      phone: z.string().max(40).nullable().optional(),
    }),
  },
} satisfies ConnectorInput['actions']

/**
 * `GET /me` → `{ id, name, email, account }`: the email identifies a signed-in person; an API key has
 * no email (`null`), so its workspace name is used instead.
 */
export function demoCrmAccountLabel(body: unknown): string | undefined {
  return firstString(body, ['email', 'account', 'name', 'id'])
}

/** Everything but auth that the three Demo CRM connectors share: the same API, objects, syncs and actions. */
export const demoCrmShared = {
  docsUrl: DEMO_CRM_DOCS_URL,
  categories: ['crm'],
  logo: demoCrmLogo,
  http: demoCrmHttp,
  accountInfo: { path: '/me' },
  objects: demoCrmObjects,
  syncs: demoCrmSyncs,
  actions: demoCrmActions,
  hooks: { accountLabel: demoCrmAccountLabel },
} satisfies Partial<ConnectorInput>
