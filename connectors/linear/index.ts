/**
 * Linear (GraphQL API, OAuth 2.0).
 *
 * Linear has one GraphQL endpoint, so every list here is a `graphql` object (a POST of a query,
 * paged with Relay connections) and every action a GraphQL mutation.
 *
 * Sources, each cited again where it is used:
 * - OAuth 2.0 authentication (authorize, token, scopes, actor, PKCE, refresh tokens, revocation):
 *   https://linear.app/developers/oauth-2-0-authentication
 * - GraphQL API, endpoint and first queries (`viewer`, `teams`, `issueCreate`, `issueUpdate`):
 *   https://linear.app/developers/graphql
 * - Pagination (Relay `first`/`after`, `pageInfo { hasNextPage endCursor }`, `nodes`, 50 by default,
 *   archived resources hidden unless `includeArchived: true`): https://linear.app/developers/pagination
 * - Filtering (`filter: { updatedAt: { gt: … } }`, comparators `eq`, `gt`, `lt`…):
 *   https://linear.app/developers/filtering
 * - Rate limiting (leaky bucket, `X-RateLimit-Requests-*` headers): https://linear.app/developers/rate-limiting
 * - Type names and fields (`IssueFilter`, `IssueCreateInput`, `Issue.identifier`…): Linear's public
 *   schema, https://github.com/linear/linear/blob/master/packages/sdk/src/schema.graphql
 * - Webhooks (signature, timestamp): https://linear.app/developers/webhooks#securing-webhooks
 */
import { z } from 'zod'
import { firstString, labelWithDetail } from '../helpers'
import { defineConnector } from '../schema'

/** A violet rounded square with three white slanted bars (not Linear's logo). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Linear">' +
  '<rect width="64" height="64" rx="14" fill="#5e6ad2"/>' +
  '<path d="M18 40l22-22M22 46l24-24M30 48l18-18" stroke="#fff" stroke-width="5" stroke-linecap="round"/>' +
  '</svg>'

/**
 * The page size of every list: Linear's own default ("The first 50 results are returned by default
 * without query arguments", pagination page), sent explicitly; it also keeps each query's
 * complexity (which grows with `first`, rate-limiting page) modest.
 */
export const PAGE_SIZE = 50

/** A Relay connection of `name` (`issues`) at `data.<name>`: its nodes and its page info. */
const connection = (name: string) => ({ type: 'relay', itemsPath: `data.${name}.nodes`, pageInfoPath: `data.${name}.pageInfo`, cursorParam: 'after', limitParam: 'first', limit: PAGE_SIZE }) as const

/**
 * Issues, oldest first (the default order is `createdAt`, pagination page), so pages stay put while
 * issues change. `$filter` is left out of full runs (every issue) and is
 * `{ updatedAt: { gt: <last updatedAt> } }` in incremental ones (filtering page).
 */
export const ISSUES_QUERY = `query Issues($first: Int, $after: String, $filter: IssueFilter) {
  issues(first: $first, after: $after, filter: $filter) {
    nodes {
      id identifier title description priority priorityLabel estimate url
      createdAt updatedAt completedAt canceledAt dueDate
      state { id name type }
      assignee { id name email }
      team { id key name }
      project { id name }
    }
    pageInfo { hasNextPage endCursor }
  }
}`

/** Projects of the workspace. */
export const PROJECTS_QUERY = `query Projects($first: Int, $after: String) {
  projects(first: $first, after: $after) {
    nodes { id name description url createdAt updatedAt startDate targetDate completedAt canceledAt progress }
    pageInfo { hasNextPage endCursor }
  }
}`

/** Teams of the workspace (the `teams` query of the GraphQL getting-started page). */
export const TEAMS_QUERY = `query Teams($first: Int, $after: String) {
  teams(first: $first, after: $after) {
    nodes { id key name description createdAt updatedAt }
    pageInfo { hasNextPage endCursor }
  }
}`

/** Members of the workspace. */
export const USERS_QUERY = `query Users($first: Int, $after: String) {
  users(first: $first, after: $after) {
    nodes { id name displayName email active admin avatarUrl createdAt updatedAt }
    pageInfo { hasNextPage endCursor }
  }
}`

/** The authenticated user and their workspace (the `viewer` query of the getting-started page). */
export const VIEWER_QUERY = 'query Viewer { viewer { id name email } organization { name urlKey } }'

/** `issueCreate(input: IssueCreateInput!)` (getting-started page, "Mutations"). */
export const ISSUE_CREATE_MUTATION = `mutation IssueCreate($input: IssueCreateInput!) {
  issueCreate(input: $input) { success issue { id identifier title url } }
}`

/** `issueUpdate(id: String!, input: IssueUpdateInput!)` (getting-started page, "Mutations"). */
export const ISSUE_UPDATE_MUTATION = `mutation IssueUpdate($id: String!, $input: IssueUpdateInput!) {
  issueUpdate(id: $id, input: $input) { success issue { id identifier title url updatedAt } }
}`

/**
 * The account label from the viewer query's answer: the user's email (else name), with the
 * workspace name when there is one, e.g. `ada@example.com (Acme)`.
 */
export function linearAccountLabel(body: unknown): string | undefined {
  const who = firstString(body, ['data.viewer.email', 'data.viewer.name'])
  return who && labelWithDetail(who, firstString(body, ['data.organization.name']))
}

/** Linear ids are UUIDs; `issueUpdate` also takes an identifier such as `ENG-123`. */
const id = z.string().min(1).max(100)
/** `priority`: "0 = No priority, 1 = Urgent, 2 = High, 3 = Normal, 4 = Low" (schema, `IssueCreateInput.priority`). */
const priority = z.number().int().min(0).max(4)
/** Fields shared by IssueCreateInput and IssueUpdateInput (schema). */
const issueFields = {
  description: z.string().max(100_000).optional(),
  priority: priority.optional(),
  assigneeId: id.nullable().optional(),
  stateId: id.optional(),
  projectId: id.nullable().optional(),
  labelIds: z.array(id).max(100).optional(),
  estimate: z.number().int().min(0).optional(),
  /** A date without time, `YYYY-MM-DD` (schema `TimelessDate`). */
  dueDate: z.iso.date().nullable().optional(),
  parentId: id.nullable().optional(),
}

export default defineConnector({
  id: 'linear',
  name: 'Linear',
  description: 'Bring in the issues, projects, teams and members of your Linear workspace, and create or update Linear issues from this app.',
  categories: ['dev-tools'],
  logo,
  docsUrl: 'https://linear.app/developers',
  auth: {
    type: 'oauth2',
    // OAuth page, "Redirect user access requests to Linear": GET https://linear.app/oauth/authorize
    // with client_id, redirect_uri, response_type=code, scope ("Comma separated list of scopes"),
    // state, optional prompt=consent and actor. `actor` is left to its default, `user` ("Resources
    // are created as the user who authorized the application"); `actor=app` would need an
    // integration-level authorization parameter.
    authorizationUrl: 'https://linear.app/oauth/authorize',
    // Same page, "Exchange code for an access token": POST https://api.linear.app/oauth/token,
    // "Content-Type header should be application/x-www-form-urlencoded", with code, redirect_uri,
    // client_id, client_secret and grant_type=authorization_code as parameters: the secret goes in the body.
    tokenUrl: 'https://api.linear.app/oauth/token',
    clientAuth: 'client_secret_post',
    // Same page, token revocation: POST https://api.linear.app/oauth/revoke. The section could not
    // be read in full while writing this connector, so whether Linear takes RFC 7009's `token`
    // parameter (what Patchbay sends) or only the token as a bearer is unchecked; a failed
    // revocation is logged and the connection deleted anyway (services/connections.ts).
    revocationUrl: 'https://api.linear.app/oauth/revoke',
    // Scopes: "read - (Default) Read access for the user's account. This scope will always be
    // present." The actions need more: `issues:create` ("Allows creating new issues and their
    // attachments") for createIssue, `write` for updateIssue; an integration that uses them asks for them.
    scopes: ['read'],
    scopeSeparator: ',',
    // Same page, "PKCE": "Linear supports the PKCE flow" with code_challenge and code_challenge_method.
    pkce: true,
    // Same page: "All OAuth2 applications were migrated to the new refresh token system on April 1,
    // 2026"; authorization-code access tokens last "24 hours by default", renewed by "Exchange the
    // refresh token for a new token pair".
    refreshable: true,
  },
  http: {
    // GraphQL page: the endpoint is https://api.linear.app/graphql; OAuth tokens go in
    // `Authorization: Bearer <ACCESS_TOKEN>` (the default `inject`). The base URL is the host so the
    // proxy and every object share the one path `/graphql`.
    baseUrl: 'https://api.linear.app',
    // Rate limiting page: "We use the leaky bucket algorithm"; the response headers
    // X-RateLimit-Requests-Limit ("The maximum number of API requests you're permitted to make per
    // hour"), X-RateLimit-Requests-Remaining and X-RateLimit-Requests-Reset ("The time at which the
    // current rate limit window resets", described there as UTC epoch seconds). `epoch_ms` is
    // declared all the same: a seconds value read as milliseconds is a time in 1970, which only
    // skips the proactive wait (a 429 is still waited out), whereas a milliseconds value read as
    // seconds would block the connection for millennia. To be checked against a live response (see
    // the report). Linear's complexity budget (X-Complexity…) has no counterpart in the schema.
    rateLimit: { limitHeader: 'X-RateLimit-Requests-Limit', remainingHeader: 'X-RateLimit-Requests-Remaining', resetHeader: 'X-RateLimit-Requests-Reset', resetUnit: 'epoch_ms' },
    retry: { on: [429, 502, 503, 504], maxAttempts: 3, maxDelayMs: 10_000 },
  },
  accountInfo: { path: '/graphql', graphql: { query: VIEWER_QUERY } },
  objects: {
    issue: {
      label: 'Issues',
      description: 'Issues of every team the connected user can see (archived ones left out).',
      path: '/graphql',
      docs: 'https://linear.app/developers/pagination',
      graphql: { query: ISSUES_QUERY },
      pagination: connection('issues'),
      fields: {
        id: { type: 'string', key: true },
        identifier: { type: 'string', description: 'Team key and number, e.g. ENG-123' },
        title: { type: 'string' },
        description: { type: 'string', description: 'Markdown' },
        priority: { type: 'number', description: '0 none, 1 urgent, 2 high, 3 normal, 4 low' },
        priorityLabel: { type: 'string' },
        estimate: { type: 'number' },
        url: { type: 'string' },
        state: { type: 'string', from: 'state.name', description: 'Workflow state name' },
        stateType: { type: 'string', from: 'state.type', enumValues: ['triage', 'backlog', 'unstarted', 'started', 'completed', 'canceled'] },
        assignee: { type: 'string', from: 'assignee.name' },
        assigneeEmail: { type: 'string', from: 'assignee.email' },
        teamKey: { type: 'string', from: 'team.key' },
        project: { type: 'string', from: 'project.name' },
        dueDate: { type: 'date' },
        createdAt: { type: 'datetime' },
        updatedAt: { type: 'datetime' },
        completedAt: { type: 'datetime' },
        canceledAt: { type: 'datetime' },
      },
      commonModel: 'issue',
      defaultMapping: {
        title: { source: 'field', path: 'title' },
        body: { source: 'field', path: 'description' },
        state: { source: 'field', path: 'state.name' },
        url: { source: 'field', path: 'url' },
        assignee: { source: 'field', path: 'assignee.name' },
        createdAt: { source: 'field', path: 'createdAt' },
        updatedAt: { source: 'field', path: 'updatedAt' },
        closedAt: { source: 'field', path: 'completedAt' },
      },
    },
    project: {
      label: 'Projects',
      description: 'Projects of the workspace.',
      path: '/graphql',
      docs: 'https://linear.app/developers/pagination',
      graphql: { query: PROJECTS_QUERY },
      pagination: connection('projects'),
      fields: {
        id: { type: 'string', key: true },
        name: { type: 'string' },
        description: { type: 'string' },
        url: { type: 'string' },
        progress: { type: 'number', description: 'From 0 to 1' },
        startDate: { type: 'date' },
        targetDate: { type: 'date' },
        createdAt: { type: 'datetime' },
        updatedAt: { type: 'datetime' },
        completedAt: { type: 'datetime' },
        canceledAt: { type: 'datetime' },
      },
    },
    team: {
      label: 'Teams',
      description: 'Teams of the workspace.',
      path: '/graphql',
      docs: 'https://linear.app/developers/graphql',
      graphql: { query: TEAMS_QUERY },
      pagination: connection('teams'),
      fields: {
        id: { type: 'string', key: true },
        key: { type: 'string', description: 'The prefix of its issue identifiers, e.g. ENG' },
        name: { type: 'string' },
        description: { type: 'string' },
        createdAt: { type: 'datetime' },
        updatedAt: { type: 'datetime' },
      },
    },
    user: {
      label: 'Members',
      description: 'Members of the workspace.',
      path: '/graphql',
      docs: 'https://linear.app/developers/pagination',
      graphql: { query: USERS_QUERY },
      pagination: connection('users'),
      fields: {
        id: { type: 'string', key: true },
        name: { type: 'string' },
        displayName: { type: 'string' },
        email: { type: 'string' },
        active: { type: 'boolean' },
        admin: { type: 'boolean' },
        avatarUrl: { type: 'string' },
        createdAt: { type: 'datetime' },
        updatedAt: { type: 'datetime' },
      },
      commonModel: 'user',
      defaultMapping: {
        name: { source: 'field', path: 'name' },
        email: { source: 'field', path: 'email' },
        username: { source: 'field', path: 'displayName' },
        avatarUrl: { source: 'field', path: 'avatarUrl' },
        createdAt: { source: 'field', path: 'createdAt' },
      },
    },
  },
  syncs: {
    // Incremental on `updatedAt`: later runs ask only for issues changed since the last one seen
    // (filtering page, `updatedAt: { gt: … }`). Archived or deleted issues are not listed, so they
    // stay until a full resync.
    issues: { object: 'issue', mode: 'incremental', cursorField: 'updatedAt', updatedSince: { name: 'filter', value: { updatedAt: { gt: '{cursor}' } } }, defaultFrequency: '1h' },
    projects: { object: 'project', mode: 'full', defaultFrequency: '1d' },
    teams: { object: 'team', mode: 'full', defaultFrequency: '1d' },
    users: { object: 'user', mode: 'full', defaultFrequency: '1d' },
  },
  actions: {
    createIssue: {
      description: 'Create an issue in a team (needs the issues:create or write scope).',
      method: 'POST',
      path: '/graphql',
      graphql: { query: ISSUE_CREATE_MUTATION, inputVariable: 'input' },
      input: z.strictObject({ teamId: id, title: z.string().trim().min(1).max(1000), ...issueFields }),
    },
    updateIssue: {
      description: 'Change an issue: its title, description, state, assignee, priority… (needs the write scope).',
      method: 'POST',
      path: '/graphql',
      graphql: { query: ISSUE_UPDATE_MUTATION },
      input: z.strictObject({ id, input: z.strictObject({ title: z.string().trim().min(1).max(1000).optional(), teamId: id.optional(), ...issueFields }).refine((v) => Object.keys(v).length > 0, 'nothing to change') }),
    },
  },
  // Webhooks created per connection with the `webhookCreate` mutation (through the proxy), whose
  // WebhookCreateInput takes the `url` ("The URL that will be called on data changes", here the
  // connection's own Patchbay URL) and a `secret` ("A secret token used to sign the webhook
  // payload", here the integration's webhook secret) (schema.graphql). Not the OAuth app's own
  // webhook setting: that one URL would receive every workspace's events, and a connection stores
  // no workspace id to route them by.
  webhooks: {
    secret: { from: 'integration', label: 'Webhook signing secret', helpUrl: 'https://linear.app/developers/webhooks#securing-webhooks' },
    // https://linear.app/developers/webhooks#securing-webhooks: `Linear-Signature` is the hex
    // HMAC-SHA256 of the raw body with the webhook's secret; the body's `webhookTimestamp` (Unix
    // milliseconds) is to be within a minute of now, to refuse replays (it is read only once the
    // signature has verified the body).
    signature: { type: 'hmac', algorithm: 'sha256', encoding: 'hex', header: 'Linear-Signature', signed: ['body'], timestamp: { body: 'webhookTimestamp', unit: 'ms', toleranceSeconds: 60 } },
    // Same page, the payload: `type` names the entity (`Issue`, `Comment`, `Project`…) and
    // `action` what happened to it (`create`, `update`, `remove`).
    eventType: { body: 'type' },
    docs: 'https://linear.app/developers/webhooks#securing-webhooks',
  },
  hooks: { accountLabel: linearAccountLabel },
})
