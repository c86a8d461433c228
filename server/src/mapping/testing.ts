/**
 * Fixtures for the mapping tests: Acme CRM's `Contact` model (the issue's example), the Demo CRM
 * and HubSpot contact records (the connectors' recorded responses) and their fields.
 * Test-only; nothing in production imports this file.
 */
import demoCrm from '../../../connectors/demo-crm/index'
import demoContacts from '../../../connectors/demo-crm/fixtures/contacts-page-1.json' with { type: 'json' }
import hubspotContacts from '../../../connectors/hubspot/fixtures/contacts-page-1.json' with { type: 'json' }
import hubspot from '../../../connectors/hubspot/index'
import { providerFieldsOf, type ProviderFields } from './check'
import { mappingSchema, vendorModelSchema, type MappingInput } from './schema'

/** Acme CRM's Contact, as in issue 5. */
export const contactModel = vendorModelSchema.parse({
  name: 'Contact',
  description: 'A person in Acme CRM',
  fields: {
    email: { type: 'string', required: true },
    firstName: { type: 'string' },
    lastName: { type: 'string' },
    company: { type: 'string' },
    lifecycleStage: { type: 'enum', enumValues: ['subscriber', 'lead', 'customer'] },
    createdAt: { type: 'datetime' },
  },
})

/** `{ id, first_name, last_name, email, company_id, lifecycle_stage, phone, created_at, updated_at }`: Grace Hopper (customer) and Alan Turing (lead, no company). */
export const demoRecords = demoContacts.body.data as Record<string, unknown>[]
/** The Demo CRM contact fields keyed by path (`lifecycle_stage` is an enum of lead, opportunity, customer). */
export const demoFields: ProviderFields = providerFieldsOf(demoCrm.objects['contact']!)

/** `{ id, properties: { createdate, email, firstname, hs_object_id, lastmodifieddate, lastname }, createdAt, updatedAt, archived }`. */
export const hubspotRecord = hubspotContacts.body.results[0] as Record<string, unknown>
/** The HubSpot contact as the connector declares it (`properties.email`, `createdAt`, …). */
export const hubspotConnectorFields: ProviderFields = providerFieldsOf(hubspot.objects['contact']!)
/** The HubSpot contact's properties as discovered live (HubSpot types `createdate` as a datetime). */
export const hubspotDiscoveredFields: ProviderFields = {
  id: { type: 'string' },
  'properties.email': { type: 'string' },
  'properties.firstname': { type: 'string' },
  'properties.lastname': { type: 'string' },
  'properties.createdate': { type: 'datetime' },
}

export const mapping = (input: MappingInput) => mappingSchema.parse(input)

/** Demo CRM → Contact, one-to-one enum map: invertible. */
export const demoMapping = mapping({
  model: 'Contact',
  fields: {
    email: { source: 'field', path: 'email', transforms: [{ type: 'trim' }] },
    firstName: { source: 'field', path: 'first_name' },
    lastName: { source: 'field', path: 'last_name' },
    company: { source: 'field', path: 'company_id' },
    lifecycleStage: { source: 'field', path: 'lifecycle_stage', transforms: [{ type: 'enum', map: { lead: 'subscriber', opportunity: 'lead', customer: 'customer' } }] },
    createdAt: { source: 'field', path: 'created_at' },
  },
})

/** HubSpot → Contact from the discovered properties. */
export const hubspotMapping = mapping({
  model: 'Contact',
  fields: {
    email: { source: 'field', path: 'properties.email' },
    firstName: { source: 'field', path: 'properties.firstname' },
    lastName: { source: 'field', path: 'properties.lastname' },
    createdAt: { source: 'field', path: 'properties.createdate', transforms: [{ type: 'date', input: 'datetime', output: 'datetime' }] },
  },
})
