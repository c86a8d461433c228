/**
 * GitLab (REST API v4, OAuth 2.0 authorization code with PKCE), on GitLab.com or a self-managed
 * instance whose host the end user enters.
 *
 * Sources, each cited again where it is used:
 * - OAuth flows, token and revoke endpoints: https://docs.gitlab.com/api/oauth2/
 * - Scopes: https://docs.gitlab.com/integration/oauth_provider/#view-all-authorized-applications
 * - Token lifetime (2 hours, refresh tokens): https://docs.gitlab.com/integration/oauth_provider/#access-token-expiration
 * - REST basics, pagination (offset and keyset, `Link` headers): https://docs.gitlab.com/api/rest/
 * - Rate-limit headers: https://docs.gitlab.com/administration/settings/user_and_ip_rate_limits/#response-headers
 * - GitLab.com limits: https://docs.gitlab.com/user/gitlab_com/#rate-limits-on-gitlabcom
 * - Projects: https://docs.gitlab.com/api/projects/#list-all-projects
 * - Issues: https://docs.gitlab.com/api/issues/#list-issues and https://docs.gitlab.com/api/issues/#new-issue
 * - Current user: https://docs.gitlab.com/api/users/#get-the-current-user
 * - Webhooks (secret token, headers): https://docs.gitlab.com/user/project/integrations/webhooks/ and
 *   events: https://docs.gitlab.com/user/project/integrations/webhook_events/
 */
import { z } from 'zod'
import { firstString } from '../helpers'
import { defineConnector } from '../schema'

/** An orange rounded square with a white three-stage pipeline (not GitLab's tanuki). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="GitLab">' +
  '<rect width="64" height="64" rx="14" fill="#e24329"/>' +
  '<path d="M16 32h32" fill="none" stroke="#fff" stroke-width="4" stroke-linecap="round"/>' +
  '<g fill="#fff"><circle cx="16" cy="32" r="6"/><circle cx="32" cy="32" r="6"/><circle cx="48" cy="32" r="6"/></g>' +
  '</svg>'

/**
 * The GitLab host the end user enters: a DNS name of at least two labels whose last label starts
 * with a letter (`gitlab.com`, `gitlab.example.org`). It is templated into every URL that receives
 * the access token, so it may not be anything else:
 * - no scheme, port, path, query, user info or trailing dot (no `/`, `:`, `@`, `?`, `#` can match);
 * - no IP literal: an IPv4 address ends in a digit label, an IPv6 one needs `:` or `[`, and WHATWG
 *   URL parsing turns hosts ending in a number (`1.0x7f`, `0x7f.1`) into IPv4 addresses, which a
 *   letter-first last label rules out;
 * - no single-label name, so not `localhost`.
 * The engine allows private targets only for a *literal* private host or `localhost`
 * (`isLiteralPrivateHost`, server/src/lib/upstream.ts); every other name is resolved and checked by
 * the SSRF guard, so a public-looking name that resolves to a private address is still refused.
 * A self-managed instance on a non-default port is therefore not supported.
 */
export const HOST_PATTERN = '(?=.{4,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?'

export default defineConnector({
  id: 'gitlab',
  name: 'GitLab',
  description: 'Share your GitLab projects and issues, on GitLab.com or your company’s own GitLab, and open new issues without leaving this app.',
  categories: ['dev-tools'],
  logo,
  docsUrl: 'https://docs.gitlab.com/api/rest/',
  connectionConfig: {
    host: {
      label: 'GitLab host',
      description: 'gitlab.com, or the host name of your company’s GitLab (for example gitlab.example.com), without https:// or a path.',
      placeholder: 'gitlab.com',
      type: 'text',
      // GitLab.com unless the end user names their own instance.
      default: 'gitlab.com',
      required: true,
      pattern: HOST_PATTERN,
      helpUrl: 'https://docs.gitlab.com/api/rest/',
    },
  },
  auth: {
    type: 'oauth2',
    // https://docs.gitlab.com/api/oauth2/#authorization-code-with-proof-key-for-code-exchange-pkce:
    // "redirect the user to the `/oauth/authorize` page" of the instance
    // (`https://gitlab.example.com/oauth/authorize?client_id=…&code_challenge=…&code_challenge_method=S256`),
    // then POST to `/oauth/token`. The same paths serve GitLab.com and self-managed instances. An
    // OAuth application is registered on one instance, so a self-managed host needs an integration
    // whose client id and secret come from an application on that instance.
    authorizationUrl: 'https://{host}/oauth/authorize',
    tokenUrl: 'https://{host}/oauth/token',
    // Same page, "Revoke a token": `POST /oauth/revoke` with client_id, client_secret and token
    // (Doorkeeper's RFC 7009 endpoint).
    revocationUrl: 'https://{host}/oauth/revoke',
    // https://docs.gitlab.com/integration/oauth_provider/#view-all-authorized-applications
    // - `read_api`: "Grants read access to the API, including all groups and projects", which covers
    //   GET /user, /projects and /issues.
    // Creating an issue needs `api` ("complete read/write access to the API"), which also lets the
    // token delete projects; it is not requested by default. An integration that uses
    // `create_issue` sets its scopes to `['api']`. The scope parameter is space-separated
    // ("`scope=read_user+profile` requests the `read_user` and `profile` scopes").
    scopes: ['read_api'],
    // "Authorization code with PKCE … recommended for both client and server apps" (oauth2 page).
    pkce: true,
    // The token request examples send `client_id` and `client_secret` as form parameters.
    clientAuth: 'client_secret_post',
    // "Access tokens expire after two hours. Integrations that use access tokens must generate new
    // ones using the `refresh_token` attribute" (oauth_provider page, "Access token expiration").
    // Refreshing "invalidates the existing access_token and refresh_token" (oauth2 page): the
    // engine stores the new refresh token from each answer.
    refreshable: true,
    // `Authorization: Bearer OAUTH-TOKEN` (oauth2 page, "Access GitLab API with access token") is the default injection.
  },
  http: {
    // https://docs.gitlab.com/api/rest/: "The path must start with `/api/v4`".
    baseUrl: 'https://{host}/api/v4',
    // https://docs.gitlab.com/administration/settings/user_and_ip_rate_limits/#response-headers:
    // "RateLimit-Remaining … Remaining quota in the time window", "RateLimit-Reset … Unix time-formatted
    // time when the request quota is reset"; throttled requests answer 429 with `Retry-After`
    // (seconds). Limits are set per instance (GitLab.com: 2,000 authenticated API requests per user
    // each minute, https://docs.gitlab.com/user/gitlab_com/#rate-limits-on-gitlabcom), so no fixed
    // budget is declared: the headers say what is left. Application limits (issue creation) are
    // not in the headers and show up only as a 429.
    rateLimit: { limitHeader: 'RateLimit-Limit', remainingHeader: 'RateLimit-Remaining', resetHeader: 'RateLimit-Reset', resetUnit: 'epoch_s' },
    // https://docs.gitlab.com/api/rest/#pagination-link-header: "`Link` headers are returned with each
    // response. They have `rel` set to `prev`, `next`, `first`, or `last` … Be sure to use these
    // links instead of generating your own URLs"; `per_page` "default: 20, max: 100". Keyset
    // pagination answers with the same `Link: <…>; rel="next"`, absent on the last page.
    pagination: { type: 'link', rel: 'next', itemsPath: '', limitParam: 'per_page', limit: 100 },
  },
  // https://docs.gitlab.com/api/users/#get-the-current-user (`GET /user`, allowed by `read_api`).
  accountInfo: { path: '/user' },
  objects: {
    project: {
      label: 'Projects',
      description: 'Projects the user is a member of.',
      path: '/projects',
      docs: 'https://docs.gitlab.com/api/projects/#list-all-projects',
      // `membership=true`: "Limit by projects that the current user is a member of" (without it,
      // GitLab.com lists every public project). `simple=true`: "Return only limited fields for each
      // project", which leaves out settings such as `runners_token` that the full representation
      // carries. Keyset pagination (`pagination=keyset`, "Projects | `order_by=id` only", REST page,
      // "Supported resources") avoids the offset limit of 50,000 records on this endpoint.
      params: { membership: 'true', simple: 'true', pagination: 'keyset', order_by: 'id', sort: 'asc' },
      fields: {
        id: { type: 'integer', key: true },
        name: { type: 'string' },
        nameWithNamespace: { type: 'string', from: 'name_with_namespace', description: 'Group / Project' },
        pathWithNamespace: { type: 'string', from: 'path_with_namespace', description: 'group/project, as in its URL' },
        description: { type: 'string' },
        defaultBranch: { type: 'string', from: 'default_branch' },
        webUrl: { type: 'string', from: 'web_url' },
        starCount: { type: 'integer', from: 'star_count' },
        forksCount: { type: 'integer', from: 'forks_count' },
        createdAt: { type: 'datetime', from: 'created_at' },
        lastActivityAt: { type: 'datetime', from: 'last_activity_at' },
      },
    },
    issue: {
      label: 'Issues',
      description: 'Issues in every project the user can see.',
      path: '/issues',
      docs: 'https://docs.gitlab.com/api/issues/#list-issues',
      // "By default it returns only issues created by the current user. To get all issues, use
      // parameter `scope=all`." No `state`: both opened and closed issues are listed. Newest updates
      // first (`order_by=updated_at`, `sort=desc`): an issue updated during a run moves to page 1,
      // already read, and the next run's `updated_after` finds it, instead of shifting the offset
      // pages under the walk. `/issues` pages by offset (keyset is documented for project issues only).
      params: { scope: 'all', order_by: 'updated_at', sort: 'desc' },
      fields: {
        id: { type: 'integer', key: true, description: 'Unique across all projects' },
        iid: { type: 'integer', description: 'The issue number within its project (#6)' },
        projectId: { type: 'integer', from: 'project_id' },
        title: { type: 'string' },
        description: { type: 'string' },
        state: { type: 'enum', enumValues: ['opened', 'closed'] },
        author: { type: 'string', from: 'author.username' },
        assignee: { type: 'string', from: 'assignees.0.username', description: 'The first assignee’s username' },
        labels: { type: 'array', description: 'Label names' },
        reference: { type: 'string', from: 'references.full', description: 'group/project#iid' },
        webUrl: { type: 'string', from: 'web_url' },
        confidential: { type: 'boolean' },
        dueDate: { type: 'date', from: 'due_date' },
        createdAt: { type: 'datetime', from: 'created_at' },
        updatedAt: { type: 'datetime', from: 'updated_at' },
        closedAt: { type: 'datetime', from: 'closed_at' },
      },
      commonModel: 'issue',
      defaultMapping: {
        title: { source: 'field', path: 'title' },
        body: { source: 'field', path: 'description' },
        state: { source: 'field', path: 'state' },
        url: { source: 'field', path: 'web_url' },
        assignee: { source: 'field', path: 'assignees.0.username' },
        createdAt: { source: 'field', path: 'created_at' },
        updatedAt: { source: 'field', path: 'updated_at' },
        closedAt: { source: 'field', path: 'closed_at' },
      },
    },
  },
  syncs: {
    // The project list has no "updated since" filter usable with keyset pagination on `id`.
    projects: { object: 'project', mode: 'full', defaultFrequency: '1d' },
    issues: {
      object: 'issue',
      description: 'Issues updated since the last run.',
      mode: 'incremental',
      // `updated_after`: "Return issues updated on or after the given time" (list-issues attributes),
      // an ISO 8601 datetime; the stored cursor is the largest `updated_at` seen (`…Z`, so no `+`
      // to encode, REST page "Encoding `+` in ISO 8601 dates").
      cursorField: 'updatedAt',
      updatedSinceParam: 'updated_after',
      defaultFrequency: '15m',
    },
  },
  actions: {
    create_issue: {
      description: 'Open an issue in a project. Needs the `api` scope, which is not requested by default.',
      // https://docs.gitlab.com/api/issues/#new-issue: `POST /projects/:id/issues`, `id` "The ID or
      // URL-encoded path of the project", `title` required. `{id}` is filled in from the input field
      // of the same name (as GitHub's `{owner}`/`{repo}`). Only the numeric project ID is accepted (the
      // `id` of a synced project), so the path cannot be changed by an input value.
      method: 'POST',
      path: '/projects/{id}/issues',
      input: z.strictObject({
        id: z.number().int().positive(),
        title: z.string().min(1).max(255),
        // "Limited to 1,048,576 characters."
        description: z.string().max(1_048_576).optional(),
        // "Comma-separated label names for an issue".
        labels: z.string().optional(),
        assignee_ids: z.array(z.number().int().positive()).optional(),
        milestone_id: z.number().int().positive().optional(),
        confidential: z.boolean().optional(),
        // "Date time string in the format YEAR-MONTH-DAY, for example `2016-03-11`".
        due_date: z.iso.date().optional(),
      }),
    },
  },
  // Project or group webhooks (Settings → Webhooks, or `POST /projects/:id/hooks` with `url`,
  // `token` and the events, https://docs.gitlab.com/api/project_webhooks/), each created with the
  // connection's own Patchbay URL: GitLab sets webhooks per project or group, and its events name
  // no GitLab account a connection stores (and on self-managed instances ids repeat across hosts).
  webhooks: {
    // https://docs.gitlab.com/user/project/integrations/webhooks/#validate-payloads-by-using-a-secret-token:
    // the "Secret token" is chosen when the webhook is created and GitLab "sends the token with the
    // hook request in the `X-Gitlab-Token` HTTP header". It is a shared token, not a signature of
    // the body: it is compared as is, in constant time. The vendor uses one token for the
    // integration's webhooks.
    secret: { from: 'integration', label: 'Secret token', helpUrl: 'https://docs.gitlab.com/user/project/integrations/webhooks/#configure-webhooks' },
    signature: { type: 'token', header: 'X-Gitlab-Token' },
    // https://docs.gitlab.com/user/project/integrations/webhook_events/: each event's request
    // headers include `X-Gitlab-Event`, e.g. `Push Hook`, `Issue Hook`, `Merge Request Hook`.
    eventType: { header: 'X-Gitlab-Event' },
    docs: 'https://docs.gitlab.com/user/project/integrations/webhooks/',
  },
  hooks: {
    // `GET /user` → `{ username, name, … }`: the username is the handle people recognise (@john_smith).
    accountLabel: (body) => firstString(body, ['username']),
  },
})
