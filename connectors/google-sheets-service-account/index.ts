/**
 * Google Sheets with a Google service account instead of a user's consent: the end user pastes a
 * service account's JSON key file and shares the spreadsheet with the account's email address (or,
 * in Google Workspace with domain-wide delegation, names the user to act as). Same API, connection
 * config, rows, sync, column discovery and append action as `google-sheets`, shared by reference
 * (`../google-sheets/index.ts`); only the authentication differs.
 *
 * Sources:
 * - Service accounts, JWT bearer grant: `../google.ts` ({@link googleServiceAccountAuth}) and
 *   https://developers.google.com/identity/protocols/oauth2/service-account#httprest
 * - Scopes: https://developers.google.com/workspace/sheets/api/scopes
 * - spreadsheets.values.get: https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets.values/get
 */
import sheets from '../google-sheets/index'
import { googleServiceAccountAuth } from '../google'
import { defineConnector } from '../schema'

// The sharing roles named in the description are Google Drive's "Viewer" and "Editor"
// (https://support.google.com/docs/answer/2494822, "Share files from Google Drive").
export default defineConnector({
  ...sheets,
  id: 'google-sheets-service-account',
  name: 'Google Sheets (service account)',
  description:
    'Share the rows of a Google spreadsheet (its first sheet, with the first row as column names) using a Google Cloud service account, and add rows to it from this app. Share the spreadsheet with the service account’s email address first (Editor to add rows, Viewer to read only).',
  auth: {
    // `spreadsheets`, as `google-sheets`: the narrowest scope that also appends rows. A vendor whose
    // integration only reads can set the integration's scopes to
    // `https://www.googleapis.com/auth/spreadsheets.readonly` ("See all your Google Sheets
    // spreadsheets", scopes page). For a service account the spreadsheet's sharing settings limit
    // it further: it reaches only the files shared with its email address.
    ...googleServiceAccountAuth(['https://www.googleapis.com/auth/spreadsheets'], 'the spreadsheet'),
    // values.get of one cell: proves the token, the key and that the spreadsheet is shared with the
    // account (403 otherwise) or exists (404), before the connection is saved. `A1` is always inside
    // the first sheet's grid, unlike the rows range `A2:Z` (see `../google-sheets/index.ts`).
    verify: { method: 'GET', path: '/values/A1', okStatus: [200] },
  },
})
