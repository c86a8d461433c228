/**
 * The demo's full catalog: one integration per shipped connector, so the widget in the demo shows
 * everything Patchbay ships. Derived from the registry (`listConnectors()`), so a connector added
 * to `connectors/registry.ts` appears in the demo on the next start with no change here.
 *
 * What the widget can do with each depends on who brings the credentials:
 * - redirect flows (`oauth2`, `oauth1`: no form `fields`): the vendor's app at the provider
 *   (client id and secret, or consumer key and secret) is needed, which the demo cannot have; the
 *   integration is seeded with a placeholder client id and `enabled: false`, so the widget shows
 *   it as "Unavailable" until the vendor PATCHes a real client and enables it;
 * - form flows (`api_key`, `basic`, `oauth2_client_credentials`, `oauth2_jwt_bearer`: the auth
 *   declares `fields`): the end user types or pastes their own credentials into the widget's
 *   form, so the integration is seeded enabled and works as it is.
 */
import { listConnectors } from '../../../connectors/registry'
import type { Connector } from '../../../connectors/schema'
import type { AppContext } from '../context'
import { listIntegrations } from '../db/queries/integrations'
import { PatchbayError } from '../lib/errors'
import { createIntegration, type IntegrationInput } from '../services/integrations'

/** The client id an OAuth integration is seeded with until the vendor sets its own, e.g. `set-your-github-client-id`. */
export function placeholderClientId(connectorId: string): string {
  return `set-your-${connectorId}-client-id`
}

/** Whether connecting needs the vendor's own client at the provider (a redirect flow), rather than a form the end user fills in. */
export function needsVendorClient(connector: Connector): boolean {
  return !('fields' in connector.auth)
}

/**
 * The integration the demo seeds for a connector: key = connector id; those that need the vendor's
 * client ({@link needsVendorClient}) disabled with {@link placeholderClientId}, the others enabled and without a client.
 */
export function demoIntegrationFor(connector: Connector): IntegrationInput {
  if (needsVendorClient(connector)) return { key: connector.id, connectorId: connector.id, clientId: placeholderClientId(connector.id), enabled: false }
  return { key: connector.id, connectorId: connector.id }
}

/**
 * Which integrations to create: one per connector that the environment does not have yet — no
 * integration with the connector's id as its key or using that connector under another key — and
 * that was not seeded before (`seededBefore`: the vendor deleted it since, and it stays deleted).
 * @param connectors the connectors to offer, e.g. `listConnectors()`.
 * @param existing the environment's integrations (`key`, `connectorId`).
 * @param seededBefore connector ids seeded on an earlier start.
 */
export function planDemoCatalog(connectors: readonly Connector[], existing: readonly { key: string; connectorId: string }[], seededBefore: readonly string[]): IntegrationInput[] {
  const taken = new Set([...existing.flatMap((i) => [i.key, i.connectorId]), ...seededBefore])
  return connectors.filter((c) => !taken.has(c.id)).map(demoIntegrationFor)
}

/**
 * Makes sure the environment has an integration for every shipped connector (see
 * {@link planDemoCatalog}). Existing integrations are never changed; on a restart with nothing
 * new this costs one query. A key created meanwhile by another process (`conflict`) is skipped.
 * @param seededBefore connector ids seeded on earlier starts (kept in the demo's state file).
 * @returns `created`: the connector ids seeded now; `seeded`: every connector id the environment
 *   has or had through the demo (`seededBefore` plus the present and the new ones), to keep for the next start.
 * @throws {PatchbayError} other than `conflict`, from {@link createIntegration}.
 */
export async function seedDemoCatalog(ctx: AppContext, environmentId: string, seededBefore: readonly string[] = []): Promise<{ created: string[]; seeded: string[] }> {
  const existing = await listIntegrations(ctx.db, environmentId)
  const connectors = listConnectors()
  const created: string[] = []
  for (const input of planDemoCatalog(connectors, existing, seededBefore)) {
    try {
      await createIntegration(ctx, environmentId, input)
      created.push(input.connectorId)
    } catch (err) {
      if (!(err instanceof PatchbayError && err.code === 'conflict')) throw err
    }
  }
  const present = new Set(existing.map((i) => i.connectorId))
  const seeded = [...new Set([...seededBefore, ...connectors.filter((c) => present.has(c.id)).map((c) => c.id), ...created])].sort()
  return { created, seeded }
}
