/**
 * Demo CRM with a static API key in `X-Api-Key` (the provider's `apiKeys` option), for trying the
 * API-key connect flow. Same API, objects, syncs and actions as `demo-crm` (`../demo-crm/common.ts`).
 */
import { demoCrmShared } from '../demo-crm/common'
import { defineConnector } from '../schema'

export default defineConnector({
  ...demoCrmShared,
  id: 'demo-crm-api-key',
  name: 'Demo CRM (API key)',
  description: 'The sample CRM bundled with Patchbay, connected with an API key instead of signing in: share its contacts and companies, and add contacts from this app.',
  auth: {
    type: 'api_key',
    fields: {
      apiKey: { label: 'API key', type: 'password', description: 'One of the keys the demo provider was started with.', required: true },
    },
    inject: { headers: { 'X-Api-Key': '{apiKey}' } },
    // `GET /me` answers 200 for a known key and 401 `invalid_token` otherwise.
    verify: { method: 'GET', path: '/me', okStatus: [200] },
  },
})
