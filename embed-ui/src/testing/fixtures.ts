/**
 * Catalog entries and connections shaped exactly like `/v1/embed/*` answers
 * (`server/src/routes/embed.ts`), for tests, the size/first-render benchmark and screenshots.
 */
import type { CatalogEntry, Connection, FormField, Mapping, ProviderFieldView, Sync, SyncRun, VendorModel } from '../api/types'

/** A rounded-square logo with initials (not any vendor's mark). */
export function fakeLogo(initials: string, color: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="${color}"/>` +
    `<text x="32" y="41" font-family="system-ui,sans-serif" font-size="24" font-weight="700" fill="#fff" text-anchor="middle">${initials}</text></svg>`
  )
}

const field = (name: string, label: string, extra: Partial<FormField> = {}): FormField => ({ name, label, type: 'text', required: true, ...extra })

export function entry(key: string, overrides: Partial<CatalogEntry> = {}): CatalogEntry {
  return {
    key,
    connectorId: key,
    name: key,
    description: `Connect ${key}.`,
    categories: [],
    logo: fakeLogo(key.slice(0, 2).toUpperCase(), '#475569'),
    authType: 'oauth2',
    scopes: [],
    credentialFields: [],
    connectionConfigFields: [],
    enabled: true,
    ...overrides,
  }
}

export const github = entry('github', {
  name: 'GitHub',
  description: 'Share your GitHub repositories and the issues you can see, and open new issues without leaving this app.',
  categories: ['dev-tools'],
  logo: fakeLogo('GH', '#24292f'),
  scopes: ['read:user', 'public_repo'],
})

export const hubspot = entry('hubspot', {
  name: 'HubSpot',
  description: 'Bring in your HubSpot contacts and companies, and add new contacts to HubSpot from this app.',
  categories: ['crm'],
  logo: fakeLogo('HS', '#e8603c'),
  scopes: ['oauth', 'crm.objects.contacts.read', 'crm.objects.companies.read', 'crm.objects.contacts.write'],
  allowMultipleConnections: true,
})

export const stripe = entry('stripe', {
  name: 'Stripe',
  description: 'Bring in your Stripe customers, invoices and payments, and add new customers to Stripe from this app.',
  categories: ['payments'],
  logo: fakeLogo('St', '#635bff'),
  authType: 'api_key',
  credentialFields: [
    field('apiKey', 'Secret or restricted key', {
      type: 'password',
      placeholder: 'rk_live_…',
      description: 'Prefer a restricted key with read access to Customers, Invoices and Charges.',
      pattern: '(sk|rk)_(test|live)_[A-Za-z0-9]+',
      helpUrl: 'https://dashboard.stripe.com/apikeys',
    }),
  ],
})

export const helpdesk = entry('acme-helpdesk', {
  name: 'Acme Helpdesk',
  description: 'Sync tickets and requesters from your Acme Helpdesk account.',
  categories: ['support'],
  logo: fakeLogo('AH', '#0f766e'),
  authType: 'basic',
  credentialFields: [field('username', 'Email', { type: 'email' }), field('password', 'API token', { type: 'password' })],
  connectionConfigFields: [field('subdomain', 'Subdomain', { placeholder: 'yourcompany', description: 'The part before .acmehelpdesk.com', pattern: '^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$' })],
})

export const salesforce = entry('salesforce', {
  name: 'Salesforce',
  description: 'Sync accounts, contacts and opportunities with Salesforce.',
  categories: ['crm'],
  logo: fakeLogo('SF', '#0b7fd3'),
  scopes: ['api', 'refresh_token'],
  enabled: false,
})

export const demoCrm = entry('demo-crm', {
  name: 'Demo CRM',
  description: 'The sample CRM bundled with Patchbay: share its contacts and companies, and add contacts from this app.',
  categories: ['crm'],
  logo: fakeLogo('DC', '#7c3aed'),
  scopes: ['openid', 'offline_access', 'contacts.read', 'companies.read', 'contacts.write'],
})

/** A service account connector (`oauth2_jwt_bearer`): a pasted JSON key file and an optional user to act as. Not in {@link catalog}. */
export const sheetsServiceAccount = entry('google-sheets-service-account', {
  name: 'Google Sheets (service account)',
  description: 'Share the rows of a Google spreadsheet using a Google Cloud service account.',
  categories: ['productivity'],
  logo: fakeLogo('GS', '#0f9d58'),
  authType: 'oauth2_jwt_bearer',
  scopes: ['https://www.googleapis.com/auth/spreadsheets'],
  credentialFields: [
    field('serviceAccountKey', 'Service account key (JSON)', { type: 'textarea', description: 'The JSON key file of a service account, pasted whole.', placeholder: '{ "type": "service_account", … }' }),
    field('subject', 'Act as user', { type: 'email', required: false }),
  ],
  connectionConfigFields: [field('spreadsheetId', 'Spreadsheet ID', { pattern: '[A-Za-z0-9_-]{1,128}' })],
})

/** A catalog with one of each auth type and a disabled integration. */
export const catalog: CatalogEntry[] = [github, hubspot, stripe, helpdesk, demoCrm, salesforce]

let seq = 0
export function connection(integration: string, overrides: Partial<Connection> = {}): Connection {
  seq += 1
  const now = new Date().toISOString()
  return {
    id: `conn_${integration.replace(/[^a-z0-9]/g, '')}${seq}`,
    integration,
    connectorId: integration,
    endUserId: 'user-42',
    status: 'active',
    statusReason: null,
    accountLabel: null,
    scopes: [],
    connectionConfig: {},
    expiresAt: null,
    lastRefreshedAt: null,
    lastVerifiedAt: now,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  }
}

/** A finished run that added 4, updated 2 and deleted 1 record three minutes ago (`Sync.lastRun`). */
export function syncRun(overrides: Partial<SyncRun> = {}): SyncRun {
  const finished = new Date(Date.now() - 3 * 60_000)
  const started = new Date(finished.getTime() - 20_000)
  return {
    id: `run_${(seq += 1)}`,
    connectionId: 'conn_1',
    sync: 'contacts',
    model: 'Contact',
    status: 'succeeded',
    trigger: 'schedule',
    mode: 'incremental',
    attempts: 0,
    pages: 1,
    added: 4,
    updated: 2,
    deleted: 1,
    error: null,
    changesCursor: 'cur_1',
    createdAt: started.toISOString(),
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    ...overrides,
  }
}

/** An enabled sync run every hour whose last run is `syncRun()` (`GET /v1/embed/connections/{id}/syncs`). */
export function sync(name: string, overrides: Partial<Sync> = {}): Sync {
  const lastRun = overrides.lastRun === undefined ? syncRun({ sync: name }) : overrides.lastRun
  return {
    name,
    model: name,
    description: null,
    mode: 'incremental',
    status: 'enabled',
    frequency: '1h',
    customFrequency: false,
    nextRunAt: new Date(Date.now() + 57 * 60_000).toISOString(),
    lastSucceededAt: lastRun?.status === 'succeeded' ? lastRun.finishedAt : null,
    ...overrides,
    lastRun,
  }
}

/** The vendor's (Acme's) own contact model. */
export const contactModel: VendorModel = {
  name: 'Contact',
  description: 'A person you sell to',
  fields: {
    email: { type: 'string', required: true, description: 'Where we send updates' },
    firstName: { type: 'string', required: false },
    lastName: { type: 'string', required: false },
    lifecycleStage: { type: 'enum', required: false, enumValues: ['subscriber', 'lead', 'customer'] },
    signedUpAt: { type: 'datetime', required: false, description: 'When they became a contact' },
  },
}

const providerField = (path: string, label: string, type: ProviderFieldView['type'], samples: unknown[], extra: Partial<ProviderFieldView> = {}): ProviderFieldView => ({ path, label, type, samples, custom: false, ...extra })

/** HubSpot contact fields with sample values from three records (`hubspotContacts`); `properties.signup_ts` is a custom field. */
export const hubspotContactFields: ProviderFieldView[] = [
  providerField('id', 'Record ID', 'string', ['101', '102', '103']),
  providerField('properties.email', 'Email', 'string', ['ada@example.com', 'grace@example.com', 'alan@example.com']),
  providerField('properties.firstname', 'First name', 'string', ['Ada', 'Grace', 'Alan']),
  providerField('properties.lastname', 'Last name', 'string', ['Lovelace', 'Hopper', 'Turing']),
  providerField('properties.fullname', 'Full name', 'string', ['Ada Lovelace', 'Grace Brewster Hopper', 'Alan Turing']),
  providerField('properties.lifecyclestage', 'Lifecycle stage', 'enum', ['prospect', 'customer', 'new'], { enumValues: ['new', 'prospect', 'customer'] }),
  providerField('properties.createdate', 'Create date', 'datetime', ['2024-03-05T09:12:44Z', '2023-11-20T16:01:02Z', '2024-01-02T08:00:00Z']),
  providerField('properties.signup_ts', 'Signup time', 'integer', [1709629964000, 1700496062000, 1704182400000], { custom: true, description: 'Set by the signup form' }),
]

/** Three HubSpot contacts, the latest first; Alan has no email. */
export const hubspotContacts: unknown[] = [
  { id: '101', properties: { email: 'ada@example.com', firstname: 'Ada', lastname: 'Lovelace', fullname: 'Ada Lovelace', lifecyclestage: 'prospect', createdate: '2024-03-05T09:12:44Z', signup_ts: 1709629964000 } },
  { id: '102', properties: { email: 'grace@example.com', firstname: 'Grace', lastname: 'Hopper', fullname: 'Grace Brewster Hopper', lifecyclestage: 'customer', createdate: '2023-11-20T16:01:02Z', signup_ts: 1700496062000 } },
  { id: '103', properties: { email: null, firstname: 'Alan', lastname: 'Turing', fullname: 'Alan Turing', lifecyclestage: 'new', createdate: '2024-01-02T08:00:00Z', signup_ts: 1704182400000 } },
]

/** What the server suggests for HubSpot contacts (name similarity). */
export const hubspotContactSuggestion: Mapping = {
  model: 'Contact',
  fields: {
    email: { source: 'field', path: 'properties.email' },
    firstName: { source: 'field', path: 'properties.firstname' },
    lastName: { source: 'field', path: 'properties.lastname' },
  },
}
