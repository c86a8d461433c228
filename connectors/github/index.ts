/**
 * GitHub (REST API, OAuth app user tokens).
 *
 * Sources, each cited again where it is used:
 * - OAuth web flow: https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
 * - Scopes: https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps
 * - Pagination: https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
 * - Rate limits: https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
 * - Versions and media type: https://docs.github.com/en/rest/about-the-rest-api/api-versions
 */
import { z } from 'zod'
import { defineConnector } from '../schema'

/** A dark rounded square with a white branch-and-merge glyph (not GitHub's mark). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="GitHub">' +
  '<rect width="64" height="64" rx="14" fill="#24292f"/>' +
  '<g fill="none" stroke="#fff" stroke-width="4" stroke-linecap="round">' +
  '<path d="M22 18v28"/><path d="M42 24c0 10-20 8-20 18"/></g>' +
  '<g fill="#fff"><circle cx="22" cy="16" r="5"/><circle cx="22" cy="48" r="5"/><circle cx="42" cy="20" r="5"/></g>' +
  '</svg>'

/**
 * GitHub user and repository names: letters, digits, `-`, `_` and `.` (never `.` or `..` alone), so
 * an input value cannot step out of the `/repos/{owner}/{repo}` path.
 */
const pathSegment = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,100}$/)
  .refine((s) => s !== '.' && s !== '..', 'must not be . or ..')

export default defineConnector({
  id: 'github',
  name: 'GitHub',
  description: 'Share your GitHub repositories and the issues you can see, and open new issues without leaving this app.',
  categories: ['dev-tools'],
  logo,
  docsUrl: 'https://docs.github.com/en/rest',
  auth: {
    type: 'oauth2',
    // https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#1-request-a-users-github-identity
    authorizationUrl: 'https://github.com/login/oauth/authorize',
    // https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#2-users-are-redirected-back-to-your-site-by-github
    // This endpoint answers form-encoded (`access_token=…&scope=repo%2Cgist&token_type=bearer`) unless
    // the request says `Accept: application/json`; the engine's token request (oauth4webapi) always
    // sends that header, so the response is JSON. The `scope` it returns is comma-separated.
    tokenUrl: 'https://github.com/login/oauth/access_token',
    // No `revocationUrl`: GitHub has no RFC 7009 endpoint. Revoking is
    // `DELETE /applications/{client_id}/grant` on api.github.com with HTTP Basic client credentials
    // and the token in a JSON body (https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-authorization),
    // which the generic revocation call cannot express.
    //
    // Scopes are space-delimited (the `scope` parameter in the page above).
    // https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps
    // - `read:user`: read the profile for the account label (`GET /user`).
    // - `public_repo`: write access to public repositories, needed only by `create_issue`
    //   (`POST /repos/{owner}/{repo}/issues` requires `public_repo` or `repo`). Reading public
    //   repositories and issues needs no scope at all. An integration that also wants private
    //   repositories requests `repo` instead; one that does not create issues can drop `public_repo`.
    scopes: ['read:user', 'public_repo'],
    // PKCE (S256 only) is supported since 2025-07-14:
    // https://github.blog/changelog/2025-07-14-pkce-support-for-oauth-and-github-app-authentication
    pkce: true,
    // The token endpoint documents `client_id` and `client_secret` as body parameters.
    clientAuth: 'client_secret_post',
    // OAuth app tokens do not expire and come without a refresh token. Only GitHub Apps with
    // "expire user authorization tokens" issue 8-hour tokens plus refresh tokens
    // (https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens);
    // a GitHub App variant of this connector would set `refreshable: true`.
    refreshable: false,
    // `Authorization: Bearer OAUTH-TOKEN` (step 3 of the web flow page) is the default injection.
  },
  http: {
    baseUrl: 'https://api.github.com',
    // https://docs.github.com/en/rest/about-the-rest-api/api-versions
    headers: { Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' },
    // https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#checking-the-status-of-your-rate-limit
    // "x-ratelimit-reset: The time at which the current rate limit window resets, in UTC epoch seconds".
    // 5,000 requests per hour per user, shared with every other app acting for that user, so no
    // proactive budget is set here: the headers tell the engine what is actually left.
    // Exceeding it answers 403 or 429 with `x-ratelimit-remaining: 0` (same page, "Exceeding the rate limit").
    rateLimit: { limitHeader: 'x-ratelimit-limit', remainingHeader: 'x-ratelimit-remaining', resetHeader: 'x-ratelimit-reset', resetUnit: 'epoch_s' },
    // https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
    // Pages are linked by `link: <…>; rel="next"`; list bodies are bare arrays; `per_page` max 100.
    pagination: { type: 'link', rel: 'next', itemsPath: '', limitParam: 'per_page', limit: 100 },
  },
  // https://docs.github.com/en/rest/users/users#get-the-authenticated-user
  accountInfo: { path: '/user' },
  objects: {
    repository: {
      description: 'Repositories the user owns, collaborates on, or can access through an organization.',
      // https://docs.github.com/en/rest/repos/repos#list-repositories-for-the-authenticated-user
      path: '/user/repos',
      docs: 'https://docs.github.com/en/rest/repos/repos#list-repositories-for-the-authenticated-user',
      // Field names: the "full-repository"/"repository" schema in the same page's response example.
      fields: {
        id: { type: 'integer', key: true },
        name: { type: 'string' },
        fullName: { type: 'string', from: 'full_name', description: 'owner/name' },
        owner: { type: 'string', from: 'owner.login' },
        private: { type: 'boolean' },
        description: { type: 'string' },
        htmlUrl: { type: 'string', from: 'html_url' },
        defaultBranch: { type: 'string', from: 'default_branch' },
        language: { type: 'string' },
        stars: { type: 'integer', from: 'stargazers_count' },
        createdAt: { type: 'datetime', from: 'created_at' },
        updatedAt: { type: 'datetime', from: 'updated_at' },
        pushedAt: { type: 'datetime', from: 'pushed_at' },
      },
    },
    issue: {
      description: 'Issues (and pull requests, which GitHub lists as issues) in repositories the user can see.',
      // https://docs.github.com/en/rest/issues/issues#list-issues-assigned-to-the-authenticated-user
      path: '/issues',
      docs: 'https://docs.github.com/en/rest/issues/issues#list-issues-assigned-to-the-authenticated-user',
      // `filter=all`: every issue the user can see, not only those assigned to them; `state=all`
      // includes closed ones. Newest updates first: an issue updated while a sync pages through
      // moves to page 1 (already read) and is picked up by the next run's `since`, instead of
      // shifting the pages under the walk and making it skip an item.
      params: { filter: 'all', state: 'all', sort: 'updated', direction: 'desc' },
      fields: {
        id: { type: 'integer', key: true },
        number: { type: 'integer', description: 'The issue number within its repository' },
        title: { type: 'string' },
        body: { type: 'string' },
        state: { type: 'enum', enumValues: ['open', 'closed'] },
        author: { type: 'string', from: 'user.login' },
        labels: { type: 'array', description: 'Label objects ({ name, color, … })' },
        comments: { type: 'integer' },
        htmlUrl: { type: 'string', from: 'html_url' },
        repositoryUrl: { type: 'string', from: 'repository_url' },
        pullRequest: { type: 'object', from: 'pull_request', description: 'Present only when the item is a pull request' },
        createdAt: { type: 'datetime', from: 'created_at' },
        updatedAt: { type: 'datetime', from: 'updated_at' },
        closedAt: { type: 'datetime', from: 'closed_at' },
      },
      commonModel: 'issue',
      defaultMapping: {
        title: { source: 'field', path: 'title' },
        body: { source: 'field', path: 'body' },
        state: { source: 'field', path: 'state' },
        url: { source: 'field', path: 'html_url' },
        createdAt: { source: 'field', path: 'created_at' },
        updatedAt: { source: 'field', path: 'updated_at' },
        closedAt: { source: 'field', path: 'closed_at' },
      },
    },
  },
  syncs: {
    repositories: { object: 'repository', mode: 'full', defaultFrequency: '1d' },
    issues: {
      object: 'issue',
      description: 'Issues updated since the last run.',
      mode: 'incremental',
      // `since`: "Only show results that were last updated after the given time. This is a
      // timestamp in ISO 8601 format: YYYY-MM-DDTHH:MM:SSZ." (list-issues page above)
      cursorField: 'updatedAt',
      updatedSinceParam: 'since',
      defaultFrequency: '15m',
    },
  },
  actions: {
    create_issue: {
      description: 'Open an issue in a repository.',
      // https://docs.github.com/en/rest/issues/issues#create-an-issue
      // `{owner}` and `{repo}` are filled in by the engine from the input fields of the same names
      // (URL-encoded, then left out of the JSON body); the rest of the input is the JSON body.
      method: 'POST',
      path: '/repos/{owner}/{repo}/issues',
      input: z.strictObject({
        owner: pathSegment,
        repo: pathSegment,
        title: z.string().min(1),
        body: z.string().optional(),
        labels: z.array(z.string()).optional(),
        assignees: z.array(z.string()).optional(),
      }),
    },
  },
  // Repository or organization webhooks, created for each connection (in GitHub's settings or with
  // `POST /repos/{owner}/{repo}/hooks`, https://docs.github.com/en/rest/repos/webhooks#create-a-repository-webhook)
  // with the connection's own Patchbay URL and the integration's webhook secret.
  webhooks: {
    // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries: the secret is a
    // "random string of text with high entropy" you choose when creating the webhook.
    secret: { from: 'integration', label: 'Webhook secret', helpUrl: 'https://docs.github.com/en/webhooks/using-webhooks/creating-webhooks' },
    // Same page: "GitHub will use it to create a hash signature with each payload", sent in
    // `X-Hub-Signature-256`: "an HMAC hex digest of the request body … generated using the SHA-256
    // hash function and the secret as the HMAC key", prefixed `sha256=`. No timestamp is signed.
    signature: { type: 'hmac', algorithm: 'sha256', encoding: 'hex', header: 'X-Hub-Signature-256', prefix: 'sha256=', signed: ['body'] },
    // https://docs.github.com/en/webhooks/webhook-events-and-payloads#delivery-headers:
    // `X-GitHub-Event`, "the name of the event that triggered the delivery".
    eventType: { header: 'X-GitHub-Event' },
    docs: 'https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries',
  },
  hooks: {
    // `GET /user` returns `{ login, id, name, … }`: the login is the stable, recognisable handle.
    accountLabel: (body) => {
      const login = (body as { login?: unknown } | null)?.login
      return typeof login === 'string' ? login : undefined
    },
  },
})
