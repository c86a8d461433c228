/**
 * Airtable over OAuth 2.0 (authorization code grant with PKCE). Shared pieces: `./common.ts`;
 * the personal-access-token variant is `../airtable-pat/`.
 *
 * Sources: https://airtable.com/developers/web/api/oauth-reference (endpoints, PKCE, token request)
 * and https://airtable.com/developers/web/api/scopes (scopes).
 */
import { defineConnector } from '../schema'
import { airtableDescription, airtableShared } from './common'

export default defineConnector({
  ...airtableShared,
  id: 'airtable',
  name: 'Airtable',
  description: airtableDescription,
  auth: {
    type: 'oauth2',
    // https://airtable.com/developers/web/api/oauth-reference ("Authorization request"):
    // GET https://airtable.com/oauth2/v1/authorize with client_id, redirect_uri, response_type=code,
    // scope (space-delimited, at least one), state, code_challenge and code_challenge_method=S256,
    // all required. The user also picks which bases the integration may reach: the connection's
    // base must be one of them.
    authorizationUrl: 'https://airtable.com/oauth2/v1/authorize',
    // Same page ("Token creation request"): POST https://airtable.com/oauth2/v1/token, form-encoded,
    // with code_verifier; "Authorization is required if your integration has a client secret"
    // (HTTP Basic of client_id:client_secret, https://github.com/Airtable/oauth-example).
    tokenUrl: 'https://airtable.com/oauth2/v1/token',
    clientAuth: 'client_secret_basic',
    pkce: true,
    // https://airtable.com/developers/web/api/scopes: data.records:read for the record list,
    // data.records:write for `create_record` (an integration that creates no records can drop it).
    // Not schema.bases:read: it is for the base schema (GET /v0/meta/bases/{baseId}/tables), which
    // field discovery cannot reach under this connector's base URL (see ./common.ts); add it with
    // a discovery that can.
    scopes: ['data.records:read', 'data.records:write'],
    // Token responses carry `expires_in` and a `refresh_token` (with `refresh_expires_in`): access
    // tokens are short-lived and refreshed ("Token expiry & refresh tokens", OAuth reference).
    refreshable: true,
    // `Authorization: Bearer <access token>` is the default injection.
  },
})
