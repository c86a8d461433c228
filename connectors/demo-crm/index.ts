/**
 * Demo CRM over OAuth 2.0: the bundled demo provider's authorization server (oidc-provider,
 * `server/src/demo/provider/oidc.ts`) and its REST API. Shared pieces: `./common.ts`.
 */
import { defineConnector } from '../schema'
import { DEMO_CRM_ORIGIN, demoCrmDescription, demoCrmShared } from './common'

export default defineConnector({
  ...demoCrmShared,
  id: 'demo-crm',
  name: 'Demo CRM',
  description: demoCrmDescription,
  auth: {
    type: 'oauth2',
    // Endpoint paths are the provider's `ROUTES` (server/src/demo/provider/oidc.ts); the running
    // demo's own URLs (`DemoProvider.authorizationUrl`, …) replace these defaults as overrides.
    authorizationUrl: `${DEMO_CRM_ORIGIN}/oauth/authorize`,
    tokenUrl: `${DEMO_CRM_ORIGIN}/oauth/token`,
    // RFC 7009 revocation (oidc-provider `features.revocation`).
    revocationUrl: `${DEMO_CRM_ORIGIN}/oauth/revoke`,
    // `openid` for the ID Token, `offline_access` for a refresh token, then the API scopes the
    // objects and `create_contact` need (`API_SCOPES` in oidc.ts; POST /contacts requires contacts.write).
    scopes: ['openid', 'offline_access', 'contacts.read', 'companies.read', 'contacts.write'],
    // The provider requires S256 PKCE (`pkce.required`) and accepts client_secret_basic.
    pkce: true,
    clientAuth: 'client_secret_basic',
    // Refresh tokens are issued to clients with the refresh_token grant, rotated on each use.
    refreshable: true,
  },
})
