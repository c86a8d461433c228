/**
 * Every connector Patchbay ships, imported explicitly (no directory scanning at run time, so a
 * bundler sees them all and a missing one fails at build time). Definitions are validated when
 * their module loads (`defineConnector`); ids are checked for uniqueness here.
 */
import airtable from './airtable/index'
import airtablePat from './airtable-pat/index'
import asana from './asana/index'
import bamboohr from './bamboohr/index'
import calendly from './calendly/index'
import demoCrm from './demo-crm/index'
import demoCrmApiKey from './demo-crm-api-key/index'
import demoCrmClientCredentials from './demo-crm-client-credentials/index'
import freshdesk from './freshdesk/index'
import github from './github/index'
import gitlab from './gitlab/index'
import googleCalendar from './google-calendar/index'
import googleCalendarServiceAccount from './google-calendar-service-account/index'
import googleSheets from './google-sheets/index'
import googleSheetsServiceAccount from './google-sheets-service-account/index'
import hubspot from './hubspot/index'
import intercom from './intercom/index'
import jira from './jira/index'
import linear from './linear/index'
import mailchimp from './mailchimp/index'
import microsoftGraph from './microsoft-graph/index'
import notion from './notion/index'
import paypal from './paypal/index'
import pipedrive from './pipedrive/index'
import quickbooks from './quickbooks/index'
import salesforce from './salesforce/index'
import shopify from './shopify/index'
import slack from './slack/index'
import square from './square/index'
import stripe from './stripe/index'
import trello from './trello/index'
import twilio from './twilio/index'
import xero from './xero/index'
import zendesk from './zendesk/index'
import zoom from './zoom/index'
import type { Connector } from './schema'

const CONNECTORS: readonly Connector[] = [
  airtable,
  airtablePat,
  asana,
  bamboohr,
  calendly,
  demoCrm,
  demoCrmApiKey,
  demoCrmClientCredentials,
  freshdesk,
  github,
  gitlab,
  googleCalendar,
  googleCalendarServiceAccount,
  googleSheets,
  googleSheetsServiceAccount,
  hubspot,
  intercom,
  jira,
  linear,
  mailchimp,
  microsoftGraph,
  notion,
  paypal,
  pipedrive,
  quickbooks,
  salesforce,
  shopify,
  slack,
  square,
  stripe,
  trello,
  twilio,
  xero,
  zendesk,
  zoom,
]

const BY_ID = (() => {
  const byId = new Map<string, Connector>()
  for (const connector of CONNECTORS) {
    if (byId.has(connector.id)) throw new Error(`duplicate connector id ${JSON.stringify(connector.id)}`)
    byId.set(connector.id, connector)
  }
  return byId
})()

/**
 * Adds a connector at run time (tests, fake providers, embedding applications).
 * @throws {Error} when a connector with the same id is already registered.
 */
export function registerConnector(connector: Connector): Connector {
  if (BY_ID.has(connector.id)) throw new Error(`duplicate connector id ${JSON.stringify(connector.id)}`)
  BY_ID.set(connector.id, connector)
  return connector
}

/** Every registered connector, in id order. The array is a copy; the definitions are shared. */
export function listConnectors(): Connector[] {
  return [...BY_ID.values()].sort((a, b) => a.id.localeCompare(b.id))
}

/** The connector with this id, or `undefined`. */
export function getConnector(id: string): Connector | undefined {
  return BY_ID.get(id)
}

/** Vendors' own connectors, per environment (`server/src/services/custom-connectors.ts` keeps this in step with the database). */
const CUSTOM = new Map<string, Map<string, Connector>>()

/** Adds or replaces an environment's custom connector (in this process). */
export function setCustomConnector(environmentId: string, connector: Connector): void {
  let env = CUSTOM.get(environmentId)
  if (!env) CUSTOM.set(environmentId, (env = new Map()))
  env.set(connector.id, connector)
}

/** Forgets an environment's custom connector (in this process). */
export function removeCustomConnector(environmentId: string, id: string): void {
  CUSTOM.get(environmentId)?.delete(id)
}

/** The connector `id` as an environment sees it: a built-in one, else its own custom one. */
export function getConnectorFor(environmentId: string, id: string): Connector | undefined {
  return BY_ID.get(id) ?? CUSTOM.get(environmentId)?.get(id)
}

/** An environment's custom connectors, in id order. */
export function listCustomConnectors(environmentId: string): Connector[] {
  return [...(CUSTOM.get(environmentId)?.values() ?? [])].sort((a, b) => a.id.localeCompare(b.id))
}

/** Whether `id` is a built-in connector's. */
export function isBuiltIn(id: string): boolean {
  return BY_ID.has(id)
}
