/**
 * Patchbay's common models: the shapes most vendors' own models resemble (a contact, a company, a
 * deal, a ticket, an issue, a user, an event). A connector object may ship a default mapping to one
 * of them (`objects.<name>.commonModel` + `defaultMapping` in `./schema.ts`); Patchbay adapts it to
 * the vendor's real model by field name (`suggestMapping` in `server/src/mapping/check.ts`), so a
 * vendor's `Contact { email, firstName, … }` is pre-filled for HubSpot, Salesforce or the Demo CRM
 * without anyone writing a mapping. These models are never stored or returned as records: they are
 * the vocabulary connector authors map to. Field names are camelCase; dates are ISO 8601 text.
 */
import { vendorModelSchema, type VendorModel } from '../server/src/mapping/schema'

/** The names of the common models. */
export const COMMON_MODEL_NAMES = ['contact', 'company', 'deal', 'ticket', 'issue', 'user', 'event'] as const
export type CommonModelName = (typeof COMMON_MODEL_NAMES)[number]

const text = (description: string) => ({ type: 'string' as const, description })
const time = (description: string) => ({ type: 'datetime' as const, description })

const created = time('When the provider created it')
const updated = time('When the provider last changed it')

/** The common models by name; every field optional (the vendor's model says what it requires). */
export const COMMON_MODELS: Readonly<Record<CommonModelName, VendorModel>> = {
  contact: vendorModelSchema.parse({
    name: 'contact',
    description: 'A person: a CRM contact or lead, a customer, a subscriber.',
    fields: {
      email: text('Primary email address'),
      firstName: text('Given name'),
      lastName: text('Family name'),
      phone: text('Primary phone number, as the provider writes it'),
      company: text("The company's name or the provider's id of it"),
      title: text('Job title'),
      lifecycleStage: text("The provider's stage or status value (lead, customer…)"),
      createdAt: created,
      updatedAt: updated,
    },
  }),
  company: vendorModelSchema.parse({
    name: 'company',
    description: 'An organisation: a CRM company or account.',
    fields: { name: text('Name'), domain: text('Web domain, e.g. example.com'), industry: text('Industry'), phone: text('Main phone number'), createdAt: created, updatedAt: updated },
  }),
  deal: vendorModelSchema.parse({
    name: 'deal',
    description: 'A sales opportunity.',
    fields: { name: text('Name'), amount: { type: 'number', description: 'Value, in the currency unit (not cents)' }, currency: text('ISO 4217 code'), stage: text("The provider's stage value"), closeDate: { type: 'date', description: 'Expected or actual close date' }, createdAt: created, updatedAt: updated },
  }),
  ticket: vendorModelSchema.parse({
    name: 'ticket',
    description: 'A support request.',
    fields: { subject: text('Subject'), description: text('First message or description'), status: text("The provider's status value"), priority: text("The provider's priority value"), requesterEmail: text("The requester's email"), createdAt: created, updatedAt: updated },
  }),
  issue: vendorModelSchema.parse({
    name: 'issue',
    description: 'A work item: an issue, task or bug.',
    fields: { title: text('Title'), body: text('Description'), state: text("The provider's state value (open, closed…)"), url: text('Link to it in the provider'), assignee: text("The assignee's login or name"), createdAt: created, updatedAt: updated, closedAt: time('When it was closed') },
  }),
  user: vendorModelSchema.parse({
    name: 'user',
    description: "A member of the provider account's workspace or organisation.",
    fields: { name: text('Display name'), email: text('Email address'), username: text('Login or handle'), avatarUrl: text('Picture URL'), createdAt: created },
  }),
  event: vendorModelSchema.parse({
    name: 'event',
    description: 'A calendar event or meeting.',
    fields: { title: text('Title'), description: text('Description'), startAt: time('Start'), endAt: time('End'), location: text('Location'), createdAt: created, updatedAt: updated },
  }),
}
