/**
 * Demo CRM with the OAuth 2.0 client credentials grant (RFC 6749 §4.4): the end user pastes a
 * client id and secret of their own machine-to-machine client; Patchbay obtains and renews the
 * access token itself. Same API, objects, syncs and actions as `demo-crm` (`../demo-crm/common.ts`).
 */
import { DEMO_CRM_ORIGIN, demoCrmShared } from '../demo-crm/common'
import { defineConnector } from '../schema'

export default defineConnector({
  ...demoCrmShared,
  id: 'demo-crm-client-credentials',
  name: 'Demo CRM (service account)',
  description: 'The sample CRM bundled with Patchbay, connected as a service account with a client ID and secret: share its contacts and companies, and add contacts from this app.',
  auth: {
    type: 'oauth2_client_credentials',
    // oidc-provider `features.clientCredentials` on the token endpoint (server/src/demo/provider/oidc.ts).
    tokenUrl: `${DEMO_CRM_ORIGIN}/oauth/token`,
    scopes: ['contacts.read', 'companies.read'],
    clientAuth: 'client_secret_basic',
    verify: { method: 'GET', path: '/me', okStatus: [200] },
  },
})
