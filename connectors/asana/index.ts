/**
 * Asana (REST API 1.0, OAuth 2.0 authorization code with PKCE).
 *
 * Sources, each cited again where it is used:
 * - OAuth (endpoints, token exchange): https://developers.asana.com/docs/oauth
 * - OAuth scopes: https://developers.asana.com/docs/oauth-scopes
 * - PKCE with a confidential client (Asana's own example server):
 *   https://github.com/Asana/devrel-examples/blob/master/javascript/pkce_oauth/server/index.js
 * - Pagination: https://developers.asana.com/docs/pagination
 * - Rate limits: https://developers.asana.com/docs/rate-limits
 * - Input/output options (`opt_fields`): https://developers.asana.com/docs/inputoutput-options
 * - Endpoints: https://developers.asana.com/reference/getworkspaces, /reference/getprojects,
 *   /reference/getusers, /reference/gettasks, /reference/createtask, /reference/getuser
 * - Field names and examples: Asana's OpenAPI spec, from which the reference is generated,
 *   https://github.com/Asana/openapi/blob/master/defs/asana_oas.yaml
 * - Webhooks: https://developers.asana.com/docs/webhooks-guide (handshake, signatures) and
 *   https://developers.asana.com/reference/createwebhook (`POST /webhooks`, `X-Hook-Secret`)
 *
 * Incoming webhooks: the vendor's backend creates each webhook through the proxy (`POST /webhooks`
 * with `target` = the connection's `providerWebhookUrl`); while that request is in flight Asana
 * POSTs a handshake with `X-Hook-Secret` to the target, which Patchbay echoes and stores as the
 * connection's webhook secret (trust on first use: only while the connection has none).
 */
import { z } from 'zod'
import { firstString } from '../helpers'
import { defineConnector } from '../schema'

/** A coral rounded square with a white check mark in a circle (not Asana's three dots). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Asana">' +
  '<rect width="64" height="64" rx="14" fill="#f06a6a"/>' +
  '<circle cx="32" cy="32" r="17" fill="none" stroke="#fff" stroke-width="4"/>' +
  '<path d="M24 32.5l5.5 5.5L41 26.5" fill="none" stroke="#fff" stroke-width="4.5" stroke-linecap="round" stroke-linejoin="round"/>' +
  '</svg>'

/** Asana object ids are strings of digits ("gid", e.g. `"12345"`, OpenAPI `AsanaResource.gid`). */
const gid = z.string().regex(/^\d{1,30}$/, 'an Asana gid (digits)')

/**
 * Fields to return. List endpoints answer "compact" records (`gid`, `name`, `resource_type`) unless
 * `opt_fields` names the others (https://developers.asana.com/docs/inputoutput-options); names below
 * are those of the OpenAPI spec's `opt_fields` enums for each endpoint.
 */
const TASK_FIELDS = ['name', 'resource_subtype', 'notes', 'completed', 'completed_at', 'created_at', 'modified_at', 'due_on', 'assignee.name', 'projects.name', 'tags.name', 'workspace.name', 'permalink_url']
const PROJECT_FIELDS = ['name', 'archived', 'color', 'completed', 'created_at', 'modified_at', 'due_on', 'notes', 'owner.name', 'team.name', 'workspace.name', 'permalink_url']
const USER_FIELDS = ['name', 'email', 'photo', 'workspaces.name']
const WORKSPACE_FIELDS = ['name', 'is_organization', 'email_domains']

export default defineConnector({
  id: 'asana',
  name: 'Asana',
  description: 'Bring in your Asana workspaces, projects and teammates, and add tasks to Asana from this app.',
  categories: ['productivity'],
  logo,
  docsUrl: 'https://developers.asana.com/docs/overview',
  auth: {
    type: 'oauth2',
    // https://developers.asana.com/docs/oauth, "Quick reference": "The endpoint for user authorization
    // is GET https://app.asana.com/-/oauth_authorize", "The endpoint for token exchange is POST
    // https://app.asana.com/-/oauth_token", "The endpoint for revoking a token is POST
    // https://app.asana.com/-/oauth_revoke".
    authorizationUrl: 'https://app.asana.com/-/oauth_authorize',
    tokenUrl: 'https://app.asana.com/-/oauth_token',
    revocationUrl: 'https://app.asana.com/-/oauth_revoke',
    // https://developers.asana.com/docs/oauth-scopes (`<resource>:<action>` scopes, space-separated):
    // - `workspaces:read`, `projects:read`, `users:read`: the three synced lists, and `GET /users/me`
    //   for the account label;
    // - `tasks:read`: the `task` object (read through the proxy; see the note on syncs below);
    // - `tasks:write`: `create_task` only.
    // An app registered in the developer console with "Full permissions" instead of granular scopes
    // uses the single scope `default` ("Provides access to all endpoints documented in our API
    // reference. If no scopes are requested, this scope is assumed by default", `securitySchemes` of
    // the OpenAPI spec); such an integration sets its scopes to `['default']`.
    scopes: ['workspaces:read', 'projects:read', 'users:read', 'tasks:read', 'tasks:write'],
    // Asana's PKCE example server sends `code_challenge`/`code_challenge_method=S256` with the
    // authorization request and `code_verifier` together with `client_secret` in the token request.
    pkce: true,
    // The same example posts `client_id` and `client_secret` as form fields.
    clientAuth: 'client_secret_post',
    // The token response carries `expires_in` (one hour) and a `refresh_token` (OAuth page, "Token
    // exchange endpoint"; the example server reads both).
    refreshable: true,
    // `Authorization: Bearer ACCESS_TOKEN` (OAuth page, first paragraph) is the default injection.
  },
  http: {
    // OpenAPI spec `servers`: https://app.asana.com/api/1.0.
    baseUrl: 'https://app.asana.com/api/1.0',
    // https://developers.asana.com/docs/rate-limits: "Requests that hit any of our rate limits
    // receive a 429 Too Many Requests response, which contains the standard Retry-After header";
    // limits are "per authorization token", per minute: 150 requests on a free domain, 1,500 on a
    // paid one. No rate-limit headers are documented, so the budget is the free domain's 150 per
    // minute (a paid domain is throttled below its quota, never above it).
    rateLimit: { requests: 150, windowMs: 60_000 },
    // https://developers.asana.com/docs/pagination: "When making a paginated request, the API will
    // return a number of results as specified by the limit parameter. If more results exist, then the
    // response will contain a next_page attribute, which will include an offset … If there are no
    // more pages available, next_page will be null"; `limit` is "between 1 and 100"; the records are
    // in `data` (OpenAPI list responses: `data` array + `next_page`).
    pagination: { type: 'cursor', cursorParam: 'offset', cursorPath: 'next_page.offset', itemsPath: 'data', limitParam: 'limit', limit: 100 },
  },
  // https://developers.asana.com/reference/getuser with `user_gid` "me" ("A string identifying a user.
  // This can either be the string \"me\", an email, or the gid of a user").
  accountInfo: { path: '/users/me' },
  objects: {
    workspace: {
      label: 'Workspaces',
      description: 'Workspaces and organizations the user belongs to. Their gid is what create_task needs.',
      path: '/workspaces',
      docs: 'https://developers.asana.com/reference/getworkspaces',
      params: { opt_fields: WORKSPACE_FIELDS.join(',') },
      fields: {
        gid: { type: 'string', key: true },
        name: { type: 'string' },
        isOrganization: { type: 'boolean', from: 'is_organization' },
        emailDomains: { type: 'array', from: 'email_domains' },
      },
    },
    project: {
      label: 'Projects',
      description: 'Projects in the user’s workspaces.',
      // `GET /projects`: `workspace` and `team` are optional filters (OpenAPI `getProjects` parameters).
      path: '/projects',
      docs: 'https://developers.asana.com/reference/getprojects',
      params: { opt_fields: PROJECT_FIELDS.join(',') },
      fields: {
        gid: { type: 'string', key: true },
        name: { type: 'string' },
        notes: { type: 'string' },
        archived: { type: 'boolean' },
        completed: { type: 'boolean' },
        color: { type: 'string' },
        owner: { type: 'string', from: 'owner.name' },
        team: { type: 'string', from: 'team.name' },
        workspaceId: { type: 'string', from: 'workspace.gid' },
        dueOn: { type: 'date', from: 'due_on' },
        permalinkUrl: { type: 'string', from: 'permalink_url' },
        createdAt: { type: 'datetime', from: 'created_at' },
        modifiedAt: { type: 'datetime', from: 'modified_at' },
      },
    },
    user: {
      label: 'People',
      description: 'Everyone in the workspaces the user can see.',
      // `GET /users`: "Returns the user records for all users in all workspaces and organizations
      // accessible to the authenticated user. Accepts an optional workspace ID parameter."
      path: '/users',
      docs: 'https://developers.asana.com/reference/getusers',
      params: { opt_fields: USER_FIELDS.join(',') },
      fields: {
        gid: { type: 'string', key: true },
        name: { type: 'string' },
        email: { type: 'string' },
        photoUrl: { type: 'string', from: 'photo.image_128x128', description: 'A 128×128 PNG, or empty without a photo' },
        workspaces: { type: 'array', description: 'Workspace objects ({ gid, name })' },
      },
      commonModel: 'user',
      defaultMapping: {
        name: { source: 'field', path: 'name' },
        email: { source: 'field', path: 'email' },
        avatarUrl: { source: 'field', path: 'photo.image_128x128' },
      },
    },
    task: {
      label: 'Tasks',
      description: 'Tasks. Listing them needs a project, or a workspace and an assignee (see the note on syncs).',
      // `GET /tasks`: "You must specify a project or tag if you do not specify assignee and workspace"
      // (https://developers.asana.com/reference/gettasks). Every filter is a gid that differs per
      // connection, so none is a static parameter here.
      path: '/tasks',
      docs: 'https://developers.asana.com/reference/gettasks',
      params: { opt_fields: TASK_FIELDS.join(',') },
      fields: {
        gid: { type: 'string', key: true },
        name: { type: 'string' },
        notes: { type: 'string', description: 'The description, as plain text' },
        completed: { type: 'boolean' },
        subtype: { type: 'enum', from: 'resource_subtype', enumValues: ['default_task', 'milestone', 'section', 'approval'] },
        assignee: { type: 'string', from: 'assignee.name' },
        assigneeId: { type: 'string', from: 'assignee.gid' },
        projects: { type: 'array', description: 'Project objects ({ gid, name })' },
        tags: { type: 'array', description: 'Tag objects ({ gid, name })' },
        workspaceId: { type: 'string', from: 'workspace.gid' },
        dueOn: { type: 'date', from: 'due_on' },
        permalinkUrl: { type: 'string', from: 'permalink_url' },
        createdAt: { type: 'datetime', from: 'created_at' },
        // `modified_at`: "The time at which this task was last modified" (OpenAPI `TaskBase`).
        modifiedAt: { type: 'datetime', from: 'modified_at' },
        completedAt: { type: 'datetime', from: 'completed_at' },
      },
      commonModel: 'issue',
      defaultMapping: {
        title: { source: 'field', path: 'name' },
        body: { source: 'field', path: 'notes' },
        // A task is open or completed (`completed`, "True if the task is currently marked complete").
        state: { source: 'field', path: 'completed', transforms: [{ type: 'enum', map: { true: 'completed', false: 'open' } }] },
        url: { source: 'field', path: 'permalink_url' },
        assignee: { source: 'field', path: 'assignee.name' },
        createdAt: { source: 'field', path: 'created_at' },
        updatedAt: { source: 'field', path: 'modified_at' },
        closedAt: { source: 'field', path: 'completed_at' },
      },
    },
  },
  // No list endpoint here takes a "modified since" filter except `GET /tasks` (`modified_since`,
  // "Only return tasks that have been modified since the given time"), so these three are full.
  //
  // No `tasks` sync: `GET /tasks` needs `project`, `tag`, `section` or `assignee` + `workspace`
  // (gettasks page). The natural sync, "my tasks in a workspace, modified since the last run"
  // (`/tasks?assignee=me&workspace=<gid>&modified_since=<cursor>`, cursor `modified_at`), needs the
  // connection's workspace gid as a query parameter, and object parameters are static strings (only
  // URLs take `{connectionConfig}` placeholders). See the report of this connector.
  syncs: {
    workspaces: { object: 'workspace', mode: 'full', defaultFrequency: '1d' },
    projects: { object: 'project', mode: 'full', defaultFrequency: '6h' },
    users: { object: 'user', mode: 'full', defaultFrequency: '1d' },
  },
  actions: {
    create_task: {
      description: 'Create a task in a workspace, or in projects or under a parent task.',
      // https://developers.asana.com/reference/createtask: `POST /tasks`, body `{ "data": { … } }`
      // (OpenAPI `createTask`, `TaskRequest`). "Every task is required to be created in a specific
      // workspace, and this workspace cannot be changed once set. The workspace need not be set
      // explicitly if you specify projects or a parent task instead."
      method: 'POST',
      path: '/tasks',
      input: z.strictObject({
        data: z
          .strictObject({
            name: z.string().min(1),
            notes: z.string().optional(),
            workspace: gid.optional(),
            projects: z.array(gid).min(1).optional(),
            parent: gid.optional(),
            // "A string identifying a user. This can either be the string \"me\", an email, or the gid of a user."
            assignee: z.union([z.literal('me'), z.email(), gid]).optional(),
            // `due_on`: "YYYY-MM-DD"; `due_at`: "an ISO 8601 date string in UTC … should not be used together with due_on".
            due_on: z.iso.date().optional(),
            due_at: z.iso.datetime().optional(),
            completed: z.boolean().optional(),
          })
          .refine((d) => d.workspace !== undefined || d.projects !== undefined || d.parent !== undefined, 'give a workspace, projects or a parent task')
          .refine((d) => d.due_on === undefined || d.due_at === undefined, 'give due_on or due_at, not both'),
      }),
    },
  },
  webhooks: {
    // Establish a webhook (https://developers.asana.com/reference/createwebhook): "When a webhook is
    // created, we will send a test POST to the target with an X-Hook-Secret header. The target must
    // respond with a 200 OK or 204 No Content and a matching X-Hook-Secret header … We strongly
    // recommend storing this secret to be used to verify future webhook event signatures." One
    // secret per webhook, hence per connection, on per-connection URLs (no `route`).
    secret: { from: 'connection', label: 'X-Hook-Secret', helpUrl: 'https://developers.asana.com/docs/webhooks-guide' },
    secretHandshake: { header: 'X-Hook-Secret' },
    // Events carry `X-Hook-Signature`: the hex HMAC-SHA256 of the request body keyed with that
    // secret (webhooks guide, "Security"; Asana's own receiver,
    // https://github.com/Asana/devrel-examples/blob/master/javascript/webhooks-nodejs/index.js, computes
    // `createHmac("SHA256", X_HOOK_SECRET).update(body).digest("hex")`). No timestamp is signed.
    // No `eventType`: a delivery is `{ "events": [...] }`, several actions on several resources.
    signature: { type: 'hmac', algorithm: 'sha256', encoding: 'hex', header: 'X-Hook-Signature' },
    docs: 'https://developers.asana.com/docs/webhooks-guide',
  },
  hooks: {
    // `GET /users/me` → `{ data: { name, email, … } }`: the email tells accounts apart, the name otherwise.
    accountLabel: (body) => firstString(body, ['data.email', 'data.name']),
  },
})
