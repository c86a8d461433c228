/**
 * Airtable with a personal access token, for a user's own bases. Same API, objects, syncs and
 * actions as `airtable` (`../airtable/common.ts`); only the authentication differs.
 *
 * Sources: https://airtable.com/developers/web/guides/personal-access-tokens and
 * https://airtable.com/developers/web/api/authentication.
 */
import { airtableShared } from '../airtable/common'
import { defineConnector } from '../schema'

export default defineConnector({
  ...airtableShared,
  id: 'airtable-pat',
  name: 'Airtable (personal access token)',
  description: 'Share the records of one of your Airtable tables using a personal access token, and add records to it from this app.',
  auth: {
    type: 'api_key',
    fields: {
      apiKey: {
        label: 'Personal access token',
        type: 'password',
        // Tokens start with `pat` (https://airtable.com/developers/web/guides/personal-access-tokens).
        pattern: 'pat[A-Za-z0-9]+\\.[A-Za-z0-9]+',
        placeholder: 'pat…',
        description: 'Create one with the scopes data.records:read (and data.records:write to add records), with access to the base.',
        helpUrl: 'https://airtable.com/create/tokens',
        required: true,
      },
    },
    // https://airtable.com/developers/web/api/authentication: "Authorization: Bearer YOUR_TOKEN".
    inject: { headers: { Authorization: 'Bearer {apiKey}' } },
    // One record of the table: proves the token, its access to the base, and the table ID together.
    verify: { method: 'GET', path: '/?pageSize=1', okStatus: [200] },
  },
})
