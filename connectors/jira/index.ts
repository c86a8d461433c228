/**
 * Jira Cloud (REST API v3 through the Atlassian API gateway, OAuth 2.0 (3LO)).
 *
 * Sources, each cited again where it is used:
 * - OAuth 2.0 (3LO) apps (authorize, token exchange, calling the API through api.atlassian.com,
 *   cloud id): https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/
 * - Accessible resources (site discovery): https://developer.atlassian.com/cloud/oauth/getting-started/making-calls-to-api/
 * - Rotating refresh tokens, `offline_access`: https://developer.atlassian.com/cloud/oauth/getting-started/refresh-tokens/
 * - Scopes: https://developer.atlassian.com/cloud/jira/platform/scopes-for-oauth-2-3LO-and-forge-apps/
 * - Rate limiting: https://developer.atlassian.com/cloud/jira/platform/rate-limiting/
 * - REST API v3 operations (Atlassian's published OpenAPI document, swagger-v3.v3.json, is the
 *   source of every parameter, field and example below):
 *   - Search for issues using JQL enhanced search (GET): https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-jql-get
 *     (the old GET /rest/api/3/search with `startAt` is "Currently being removed", CHANGE-2046,
 *     https://developer.atlassian.com/changelog/#CHANGE-2046)
 *   - Get projects paginated: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-projects/#api-rest-api-3-project-search-get
 *   - Create issue: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-post
 *   - Get current user: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-myself/#api-rest-api-3-myself-get
 *   - Get fields: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-fields/#api-rest-api-3-field-get
 */
import { z } from 'zod'
import type { FieldType } from '../../server/src/mapping/schema'
import { anchored, firstString, labelWithDetail } from '../helpers'
import { defineConnector } from '../schema'

/** A blue rounded square with a white "J" (not Atlassian's or Jira's logo). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Jira">' +
  '<rect width="64" height="64" rx="14" fill="#1d4ed8"/>' +
  '<path d="M38 16v22a10 10 0 0 1-20 0" fill="none" stroke="#fff" stroke-width="7" stroke-linecap="round"/>' +
  '</svg>'

/** Atlassian cloud ids are UUIDs (`1324a887-45db-1bf4-1e99-ef0ff456d421` in the accessible-resources examples). */
export const CLOUD_ID_PATTERN = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
/** A site name, shown to people only: 1–200 characters without control characters. */
const NAME_PATTERN = '[^\\x00-\\x1f\\x7f]{1,200}'
/** The site's host (`your-domain.atlassian.net`), kept for display; never templated into a URL. */
const HOST_PATTERN = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+'

/** The accessible-resources endpoint (making-calls-to-api page: `GET https://api.atlassian.com/oauth/token/accessible-resources`). */
export const ACCESSIBLE_RESOURCES_URL = 'https://api.atlassian.com/oauth/token/accessible-resources'

/** `read:jira-work`, `manage:jira-configuration` (classic) or `read:issue:jira` (granular). */
const isJiraScope = (scope: unknown) => typeof scope === 'string' && /(^|:)jira(-|$)/.test(scope)

/**
 * The Jira site of an accessible-resources answer → connection config. The answer lists "all the
 * sites that this token is valid for and their cloudId value denoted as id"; Jira, Jira Service
 * Management and Confluence sites look alike, and "the id is not unique across containers … so you
 * may need to infer the type of container from its scopes" (3LO apps page). So the first resource
 * with a Jira scope (classic `read:jira-work`, `manage:jira-configuration`…, granular
 * `read:issue:jira`…; a Confluence site has `read:confluence-content.all` and the like) is taken.
 * The order is not meaningful ("should not be used for knowing what specific site was most
 * recently authorised"), so a user with several Jira sites gets the first one listed (see the report).
 * @throws {Error} when the answer lists no Jira site with a UUID id: the connection is refused.
 */
export function jiraSiteFrom(resources: unknown): Record<string, string> {
  const list = Array.isArray(resources) ? (resources as { id?: unknown; name?: unknown; url?: unknown; scopes?: unknown }[]) : []
  const site = list.find((r) => r && typeof r.id === 'string' && anchored(CLOUD_ID_PATTERN).test(r.id) && Array.isArray(r.scopes) && r.scopes.some(isJiraScope))
  if (!site) throw new Error('this Atlassian account gave access to no Jira site')
  const out: Record<string, string> = { cloudId: (site.id as string).toLowerCase() }
  if (typeof site.name === 'string' && anchored(NAME_PATTERN).test(site.name)) out.siteName = site.name
  if (typeof site.url === 'string' && URL.canParse(site.url)) {
    const url = new URL(site.url)
    if (url.protocol === 'https:' && anchored(HOST_PATTERN).test(url.hostname)) out.siteHost = url.hostname
  }
  return out
}

/**
 * The issue fields every sync asks for. The enhanced search returns only what `fields` names: "The
 * default is `id`" and "By default, this resource returns IDs only" (JQL enhanced search page).
 */
export const ISSUE_FIELDS = ['summary', 'status', 'issuetype', 'project', 'priority', 'assignee', 'reporter', 'labels', 'created', 'updated', 'resolutiondate', 'duedate', 'parent', 'description']

/** A top-level issue field id (`summary`, `customfield_10010`): nothing else goes into `fields`. */
const FIELD_ID = /^[A-Za-z][A-Za-z0-9_]*$/

/**
 * The search parameters plus every issue field the connection's mapping reads that `fields` does
 * not name yet: a mapped `fields.customfield_10010.value` adds `customfield_10010`, since a record
 * has only the fields the search asked for. Other paths (`key`, `id`, array indexes) add nothing.
 */
export function withMappedFields(params: Readonly<Record<string, string>>, mappedPaths: readonly string[]): Record<string, string> {
  if (params.fields === undefined) return { ...params }
  const fields = params.fields.split(',').map((f) => f.trim()).filter(Boolean)
  const named = new Set(fields)
  for (const path of mappedPaths) {
    const [root, id] = path.split('.')
    if (root !== 'fields' || id === undefined || !FIELD_ID.test(id) || named.has(id)) continue
    fields.push(id)
    named.add(id)
  }
  return { ...params, fields: fields.join(',') }
}

/**
 * `schema.type` of a Get fields entry → field type. Jira's JSON types: `number`, `date`
 * (`2019-05-11`), `datetime`, `string`, `array`; option, user, project and the like are objects.
 */
const JIRA_TYPES: Record<string, FieldType> = { number: 'number', date: 'date', datetime: 'datetime', string: 'string', array: 'array', any: 'string' }

type Discovered = Record<string, { type: FieldType; label?: string; description?: string }>

/** The custom fields (`custom: true`) of a Get fields answer, keyed by their record path `fields.<id>`. */
export function fieldsToDiscovered(body: unknown): Discovered {
  const out: Discovered = {}
  if (!Array.isArray(body)) return out
  for (const f of body as { id?: unknown; name?: unknown; custom?: unknown; schema?: { type?: unknown } }[]) {
    if (f?.custom !== true || typeof f.id !== 'string' || !FIELD_ID.test(f.id)) continue
    const type = JIRA_TYPES[String(f.schema?.type)] ?? 'object'
    out[`fields.${f.id}`] = { type, ...(typeof f.name === 'string' && f.name !== '' ? { label: f.name.slice(0, 200) } : {}) }
  }
  return out
}

/** An issue or project reference by id (`10000`) or key (`EX`). */
const idOrKey = z.union([z.strictObject({ id: z.string().regex(/^\d{1,18}$/) }), z.strictObject({ key: z.string().max(255).regex(/^[A-Za-z][A-Za-z0-9_]*(-\d+)?$/) })])
/** An Atlassian Document Format document (`{ type: 'doc', version: 1, content: [...] }`), checked at the top only. */
const adfDocument = z.strictObject({ type: z.literal('doc'), version: z.literal(1), content: z.array(z.record(z.string(), z.unknown())) })
/** A user by account id; the Create issue example writes `{ "id": "5b109f2e9729b51b54dc274d" }`. Account ids: "maxLength": 128 in the user parameters of the same API. */
const user = z.union([z.strictObject({ accountId: z.string().min(1).max(128) }), z.strictObject({ id: z.string().min(1).max(128) })])
const byId = z.strictObject({ id: z.string().regex(/^\d{1,18}$/) })
const byIdOrName = z.union([byId, z.strictObject({ name: z.string().min(1) })])
const issueFieldsKnown = {
  project: idOrKey,
  issuetype: byIdOrName,
  summary: z.string().trim().min(1),
  description: adfDocument.optional(),
  environment: adfDocument.optional(),
  labels: z.array(z.string().min(1)).optional(),
  priority: byIdOrName.optional(),
  assignee: user.optional(),
  reporter: user.optional(),
  parent: idOrKey.optional(),
  duedate: z.iso.date().optional(),
  components: z.array(byIdOrName).optional(),
  versions: z.array(byIdOrName).optional(),
  fixVersions: z.array(byIdOrName).optional(),
  security: byId.optional(),
  timetracking: z.strictObject({ originalEstimate: z.string().min(1).optional(), remainingEstimate: z.string().min(1).optional() }).optional(),
}
const KNOWN = new Set(Object.keys(issueFieldsKnown))

export default defineConnector({
  id: 'jira',
  name: 'Jira',
  description: 'Bring in the issues and projects of your Jira Cloud site, and create Jira issues from this app.',
  categories: ['dev-tools', 'productivity'],
  logo,
  docsUrl: 'https://developer.atlassian.com/cloud/jira/platform/rest/v3/intro/',
  auth: {
    type: 'oauth2',
    // OAuth 2.0 (3LO) apps page, "Direct the user to the authorization URL to get an authorization
    // code": https://auth.atlassian.com/authorize?audience=api.atlassian.com&client_id=…&scope=…&
    // redirect_uri=…&state=…&response_type=code&prompt=consent. "audience: (required) Set this to
    // api.atlassian.com"; "prompt: (required) Set this to consent so that the screen prompting the
    // user to grant access will display".
    authorizationUrl: 'https://auth.atlassian.com/authorize',
    authorizationParams: { audience: 'api.atlassian.com', prompt: 'consent' },
    // Same page, "Exchange authorization code for access token": POST https://auth.atlassian.com/oauth/token
    // with grant_type, client_id, client_secret, code and redirect_uri in the body, so the secret is
    // sent in the body. (The page shows a JSON body; the engine sends RFC 6749's form encoding.)
    tokenUrl: 'https://auth.atlassian.com/oauth/token',
    clientAuth: 'client_secret_post',
    // Scopes (space-separated; "Only choose from the scopes that you have already added to the APIs
    // for your app in the developer console"), classic scopes of the REST v3 operations used here:
    // - `read:jira-work`: enhanced JQL search, Get projects paginated, Get fields;
    // - `read:jira-user`: Get current user (/myself), the account label;
    // - `write:jira-work`: Create issue, needed only by the `create_issue` action (an integration
    //   that does not use it should drop this scope);
    // - `offline_access`: "To get a refresh token in your initial authorization flow, add
    //   offline_access to the scope parameter of the authorization URL" (refresh tokens page).
    scopes: ['read:jira-work', 'read:jira-user', 'write:jira-work', 'offline_access'],
    scopeSeparator: ' ',
    // The 3LO page does not mention PKCE. A challenge is still sent: an authorization server "MUST
    // ignore unrecognized request parameters" (RFC 6749 §3.1), so it costs nothing where unused.
    pkce: true,
    // Refresh tokens page: "Refresh tokens are implemented using rotating refresh tokens … You
    // receive a new refresh token as well and the refresh token you used for the request is
    // disabled." The engine stores the new refresh token of every refresh answer. These pages
    // document no RFC 7009 revocation endpoint, so none is declared.
    refreshable: true,
  },
  // The site comes from `hooks.afterAuthorization` (accessible-resources), never from the user.
  connectionConfig: {
    cloudId: { label: 'Jira site', description: 'The cloud id of the Jira site you connected, taken from Atlassian when you connect.', source: 'token', pattern: CLOUD_ID_PATTERN, required: true },
    siteName: { label: 'Site name', source: 'token', pattern: NAME_PATTERN, required: false },
    siteHost: { label: 'Site address', source: 'token', pattern: HOST_PATTERN, required: false },
  },
  http: {
    // 3LO apps page: "Requests that use OAuth 2.0 (3LO) are made via api.atlassian.com (not
    // https://your-domain.atlassian.net)", as https://api.atlassian.com/ex/jira/{cloudid}/{api},
    // e.g. …/ex/jira/11223344-a1b2-3b33-c444-def123456789/rest/api/2/project.
    baseUrl: 'https://api.atlassian.com/ex/jira/{cloudId}/rest/api/3',
    // Rate limiting page: "REST API rate limits are not published"; "Apps can detect rate limits by
    // checking if the HTTP response status code is 429"; "429 responses may be accompanied by
    // Retry-After and X-RateLimit-Reset headers" (Retry-After in seconds, which the engine honours);
    // "Some transient 5XX errors are accompanied by a Retry-After header. For example, a 503". Also
    // sent: X-RateLimit-Limit and X-RateLimit-Remaining. X-RateLimit-Reset is an ISO 8601 timestamp
    // ("yyyy-MM-ddTHH:mmZ"), which `resetUnit` cannot read, so it is not declared (see the report).
    rateLimit: { limitHeader: 'X-RateLimit-Limit', remainingHeader: 'X-RateLimit-Remaining' },
    retry: { on: [429, 502, 503, 504], maxAttempts: 3, maxDelayMs: 10_000 },
  },
  // Get current user: GET /rest/api/3/myself (scope read:jira-user) → { accountId, displayName, emailAddress, … }.
  accountInfo: { path: '/myself' },
  objects: {
    issue: {
      label: 'Issues',
      description: 'Work items of every project the connected user can browse.',
      // JQL enhanced search (GET /rest/api/3/search/jql). `jql` "requires a bounded query. A bounded
      // query is a query with a search restriction" ("Example of an unbounded query: `order by key
      // desc`"), so a restriction every issue meets is given, and a stable order for the pages.
      path: '/search/jql',
      docs: 'https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-jql-get',
      params: { jql: 'created >= "1970-01-01" ORDER BY created ASC', fields: ISSUE_FIELDS.join(',') },
      // `nextPageToken`: "The token for a page to fetch that is not the first page … The
      // `nextPageToken` field is **not included** in the response for the last page". `maxResults`
      // defaults to 50; "API may return fewer items per page where a large number of fields … are
      // requested", which cursor pagination does not mistake for the end.
      pagination: { type: 'cursor', cursorParam: 'nextPageToken', cursorPath: 'nextPageToken', itemsPath: 'issues', limitParam: 'maxResults', limit: 100 },
      fields: {
        id: { type: 'string', key: true },
        key: { type: 'string', description: 'e.g. ED-1' },
        summary: { type: 'string', from: 'fields.summary' },
        description: { type: 'object', from: 'fields.description', description: 'Atlassian Document Format' },
        status: { type: 'string', from: 'fields.status.name' },
        statusCategory: { type: 'string', from: 'fields.status.statusCategory.key', description: 'new, indeterminate or done' },
        issueType: { type: 'string', from: 'fields.issuetype.name' },
        projectKey: { type: 'string', from: 'fields.project.key' },
        priority: { type: 'string', from: 'fields.priority.name' },
        assignee: { type: 'string', from: 'fields.assignee.displayName' },
        assigneeAccountId: { type: 'string', from: 'fields.assignee.accountId' },
        reporter: { type: 'string', from: 'fields.reporter.displayName' },
        labels: { type: 'array', from: 'fields.labels' },
        parentKey: { type: 'string', from: 'fields.parent.key' },
        dueDate: { type: 'date', from: 'fields.duedate' },
        createdAt: { type: 'datetime', from: 'fields.created' },
        updatedAt: { type: 'datetime', from: 'fields.updated' },
        resolvedAt: { type: 'datetime', from: 'fields.resolutiondate' },
        self: { type: 'string', description: 'The issue’s REST URL' },
      },
      commonModel: 'issue',
      // No `body`: API v3 returns `description` as an Atlassian Document Format object, which no
      // mapping transform turns into text; no `url`: records carry the REST URL (`self`), not the
      // browse URL, and a mapping cannot build `https://<site>/browse/<key>`.
      defaultMapping: {
        title: { source: 'field', path: 'fields.summary' },
        state: { source: 'field', path: 'fields.status.name' },
        assignee: { source: 'field', path: 'fields.assignee.displayName' },
        createdAt: { source: 'field', path: 'fields.created' },
        updatedAt: { source: 'field', path: 'fields.updated' },
        closedAt: { source: 'field', path: 'fields.resolutiondate' },
      },
    },
    project: {
      label: 'Projects',
      description: 'Projects the connected user can see.',
      // Get projects paginated: GET /rest/api/3/project/search, "Returns a paginated list of projects
      // visible to the user" as { startAt, maxResults, total, isLast, values }.
      path: '/project/search',
      docs: 'https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-projects/#api-rest-api-3-project-search-get',
      // `expand`: "Expanded options include: description … lead"; both are shown in the fields below.
      params: { expand: 'description,lead' },
      // `startAt`: "The index of the first item to return in a page of results (page offset)";
      // `maxResults`: "Must be less than or equal to 100". A page shorter than 100 is the last one
      // (`isLast` cannot be read by offset pagination, see the report).
      pagination: { type: 'offset', offsetParam: 'startAt', unit: 'items', startAt: 0, itemsPath: 'values', limitParam: 'maxResults', limit: 100 },
      fields: {
        id: { type: 'string', key: true },
        key: { type: 'string' },
        name: { type: 'string' },
        description: { type: 'string' },
        leadAccountId: { type: 'string', from: 'lead.accountId' },
        lead: { type: 'string', from: 'lead.displayName' },
        category: { type: 'string', from: 'projectCategory.name' },
        style: { type: 'string', description: 'classic (company-managed) or next-gen (team-managed)' },
        simplified: { type: 'boolean' },
        self: { type: 'string' },
      },
    },
  },
  // Full syncs. Changes since a time need `updated >= "2024-01-01 10:00"` inside the JQL text of
  // `jql`. A templated `updatedSince` (connectors/schema.ts) could write it, but JQL date literals
  // have minute precision and are read in the connected user's time zone, which the connection does
  // not know, and no `format` writes that local form; nor would incremental runs see deleted issues,
  // which leave the search (a complete full run marks them deleted).
  syncs: {
    issues: { object: 'issue', mode: 'full', defaultFrequency: '1h' },
    projects: { object: 'project', mode: 'full', defaultFrequency: '1d' },
  },
  actions: {
    create_issue: {
      description: 'Create an issue.',
      // Create issue: POST /rest/api/3/issue with { fields: { project, summary, issuetype, … } }
      // (scope write:jira-work) → 201 { id, key, self }. "Note that the description, environment,
      // and any textarea type custom fields (multi-line text fields) take Atlassian Document Format
      // content"; custom fields are `customfield_<n>` keys of `fields`. Which fields an issue type
      // requires is per project (Get create issue metadata), so only project, issue type and
      // summary are required here. Not a write-back of `issue` records: a create needs the project
      // and issue type, which the issue mapping does not carry.
      method: 'POST',
      path: '/issue',
      input: z.strictObject({
        // `update`: field operations (`{ labels: [{ add: 'triaged' }] }`), passed through as given.
        update: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))).optional(),
        fields: z
          .object(issueFieldsKnown)
          .catchall(z.unknown())
          .superRefine((fields, ctx) => {
            for (const key of Object.keys(fields)) {
              if (!KNOWN.has(key) && !/^customfield_\d{1,10}$/.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'unknown issue field (custom fields are customfield_<number>)' })
            }
          }),
      }),
    },
  },
  hooks: {
    afterAuthorization: async ({ get }) => jiraSiteFrom(await get(ACCESSIBLE_RESOURCES_URL)),
    // Get current user → "Mia Krystof (mia@example.com)"; the email is left out where the user hides it.
    accountLabel: (body) => labelWithDetail(firstString(body, ['displayName']), firstString(body, ['emailAddress'])),
    listParams: ({ object, params, mappedPaths }) => (object === 'issue' ? withMappedFields(params, mappedPaths) : { ...params }),
    // Get fields: GET /rest/api/3/field → [{ id, name, custom, schema: { type, custom, customId } }].
    discoverFields: async ({ object, get }) => (object === 'issue' ? fieldsToDiscovered(await get('/field')) : undefined),
  },
})
