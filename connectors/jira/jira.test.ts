import { describe, expect, it } from 'vitest'
import { connectorSchema, type Connector } from '../schema'
import { authorizationUrl, mapDefault, paginationOf, toRecord, walk } from '../testing'
import { actionRequest } from '../../server/src/services/actions'
import resources from './fixtures/accessible-resources.json' with { type: 'json' }
import createIssue from './fixtures/create-issue.json' with { type: 'json' }
import fields from './fixtures/fields.json' with { type: 'json' }
import myself from './fixtures/myself.json' with { type: 'json' }
import projects1 from './fixtures/projects-page-1.json' with { type: 'json' }
import projects2 from './fixtures/projects-page-2.json' with { type: 'json' }
import search1 from './fixtures/search-page-1.json' with { type: 'json' }
import search2 from './fixtures/search-page-2.json' with { type: 'json' }
import jira, { ACCESSIBLE_RESOURCES_URL, fieldsToDiscovered, ISSUE_FIELDS, jiraSiteFrom, withMappedFields } from './index'

/** The base URL once afterAuthorization has given the documented cloud id. */
const CLOUD_ID = '1324a887-45db-1bf4-1e99-ef0ff456d421'
const BASE = `https://api.atlassian.com/ex/jira/${CLOUD_ID}/rest/api/3`

/** Runs the afterAuthorization hook against a fake `get` that answers `body` and records the URLs asked for. */
async function afterAuthorization(body: unknown) {
  const urls: string[] = []
  const config = await jira.hooks.afterAuthorization!({ tokenResponse: { access_token: 'at', token_type: 'Bearer' }, connectionConfig: {}, callbackParams: {}, get: async (url) => (urls.push(url), body) })
  return { urls, config }
}

const mapped = (object: string, record: unknown) => mapDefault(jira, object, record)

describe('jira connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(jira)).toEqual(jira)
    expect(jira.id).toBe('jira')
  })

  // https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/
  // https://developer.atlassian.com/cloud/oauth/getting-started/refresh-tokens/
  describe('auth', () => {
    it('uses auth.atlassian.com with the secret in the body and (rotating) refresh tokens', () => {
      expect(jira.auth).toMatchObject({
        type: 'oauth2',
        authorizationUrl: 'https://auth.atlassian.com/authorize',
        tokenUrl: 'https://auth.atlassian.com/oauth/token',
        clientAuth: 'client_secret_post',
        refreshable: true,
      })
      expect(jira.auth.type === 'oauth2' && jira.auth.revocationUrl).toBeUndefined()
    })

    it('builds the documented authorization URL: audience=api.atlassian.com, prompt=consent, space-separated scopes with offline_access', () => {
      const url = authorizationUrl(jira, { clientId: 'YOUR_CLIENT_ID', redirectUri: 'https://YOUR_APP_CALLBACK_URL', state: 'YOUR_USER_BOUND_VALUE', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' })
      expect(url.origin + url.pathname).toBe('https://auth.atlassian.com/authorize')
      expect(url.searchParams.get('audience')).toBe('api.atlassian.com')
      expect(url.searchParams.get('prompt')).toBe('consent')
      expect(url.searchParams.get('response_type')).toBe('code')
      expect(url.searchParams.get('client_id')).toBe('YOUR_CLIENT_ID')
      expect(url.searchParams.get('state')).toBe('YOUR_USER_BOUND_VALUE')
      expect(url.searchParams.get('scope')).toBe('read:jira-work read:jira-user write:jira-work offline_access')
    })
  })

  // https://developer.atlassian.com/cloud/oauth/getting-started/making-calls-to-api/
  describe('site discovery (afterAuthorization)', () => {
    it('asks accessible-resources with the new token and stores the documented Jira site', async () => {
      const { urls, config } = await afterAuthorization(resources.jira)
      expect(urls).toEqual([ACCESSIBLE_RESOURCES_URL])
      expect(ACCESSIBLE_RESOURCES_URL).toBe('https://api.atlassian.com/oauth/token/accessible-resources')
      expect(config).toEqual({ cloudId: CLOUD_ID, siteName: 'Site name', siteHost: 'your-domain.atlassian.net' })
      // Every value matches its declared pattern (the engine refuses the connection otherwise).
      for (const [name, value] of Object.entries(config)) {
        const field = jira.connectionConfig[name]!
        expect(field.source, name).toBe('token')
        expect(new RegExp(`^(?:${field.pattern})$`).test(value), name).toBe(true)
      }
    })

    it('accepts a Jira Service Management site and skips Confluence sites, whose scopes are not Jira scopes', async () => {
      expect((await afterAuthorization(resources.serviceManagement)).config.cloudId).toBe(CLOUD_ID)
      const other = { ...resources.jira[0]!, id: '11223344-a1b2-3b33-c444-def123456789', name: 'Jira site' } // made-up second site
      expect((await afterAuthorization([...resources.confluence, other])).config).toEqual({ cloudId: '11223344-a1b2-3b33-c444-def123456789', siteName: 'Jira site', siteHost: 'your-domain.atlassian.net' })
      expect(jiraSiteFrom([{ ...resources.jira[0]!, scopes: ['read:issue:jira'] }]).cloudId).toBe(CLOUD_ID)
    })

    it('refuses the connection when there is no Jira site, or no usable cloud id', async () => {
      await expect(afterAuthorization([])).rejects.toThrow(/no Jira site/)
      await expect(afterAuthorization(resources.confluence)).rejects.toThrow(/no Jira site/)
      await expect(afterAuthorization({ error: 'nope' })).rejects.toThrow(/no Jira site/)
      for (const id of ['../x', 'not-a-uuid', '1324a887-45db-1bf4-1e99-ef0ff456d421/../../x', 42]) {
        expect(() => jiraSiteFrom([{ ...resources.jira[0]!, id }]), String(id)).toThrow(/no Jira site/)
      }
    })

    it('leaves out a site name or address that does not fit its pattern', () => {
      expect(jiraSiteFrom([{ ...resources.jira[0]!, name: 'bad\nname', url: 'http://insecure.example' }])).toEqual({ cloudId: CLOUD_ID })
    })

    it('templates the cloud id into the base URL, where the pattern allows only a UUID', () => {
      expect(jira.http.baseUrl).toBe('https://api.atlassian.com/ex/jira/{cloudId}/rest/api/3')
      const pattern = new RegExp(`^(?:${jira.connectionConfig.cloudId!.pattern})$`)
      for (const bad of ['your-domain', '1324a887-45db-1bf4-1e99-ef0ff456d421x', '../../me']) expect(pattern.test(bad), bad).toBe(false)
    })
  })

  // https://developer.atlassian.com/cloud/jira/platform/rate-limiting/
  it('declares X-RateLimit-Limit/Remaining and retries 429 and 503 (Retry-After is honoured by the engine)', () => {
    expect(jira.http.rateLimit).toEqual({ limitHeader: 'X-RateLimit-Limit', remainingHeader: 'X-RateLimit-Remaining', resetUnit: 'epoch_s' })
    expect(jira.http.rateLimit?.resetHeader).toBeUndefined()
    expect(jira.http.retry.on).toEqual(expect.arrayContaining([429, 503]))
  })

  // https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-jql-get
  describe('issues (enhanced JQL search, nextPageToken)', () => {
    it('walks the pages until the documented last page, which has no nextPageToken', () => {
      const { urls, items } = walk(jira, 'issue', (url) => (url.searchParams.has('nextPageToken') ? search2 : search1), { baseUrl: BASE })
      expect(urls).toHaveLength(2)
      expect(urls[0]!.origin + urls[0]!.pathname).toBe(`${BASE}/search/jql`)
      expect(urls[0]!.searchParams.get('jql')).toBe('created >= "1970-01-01" ORDER BY created ASC')
      expect(urls[0]!.searchParams.get('fields')).toBe(ISSUE_FIELDS.join(','))
      expect(urls[0]!.searchParams.get('maxResults')).toBe('100')
      expect(urls[0]!.searchParams.has('startAt')).toBe(false)
      expect(urls[1]!.searchParams.get('nextPageToken')).toBe('CAEaAggD')
      expect(urls[1]!.searchParams.get('jql')).toBe(urls[0]!.searchParams.get('jql'))
      expect(items.map((i) => (i as { key: string }).key)).toEqual(['EX-1', 'EX-2', 'ED-1'])
    })

    it('syncs in full: a changed-since filter would live inside the JQL text', () => {
      expect(Object.values(jira.syncs).map((s) => [s.object, s.mode])).toEqual([
        ['issue', 'full'],
        ['project', 'full'],
      ])
    })

    it('maps an issue’s fields', () => {
      expect(toRecord(jira, 'issue', search1.body.issues[0])).toEqual({
        id: '10001',
        key: 'EX-1',
        summary: 'Main order flow broken',
        description: search1.body.issues[0]!.fields.description,
        status: 'Done',
        statusCategory: 'done',
        issueType: 'Bug',
        projectKey: 'EX',
        priority: 'Medium',
        assignee: 'Mia Krystof',
        assigneeAccountId: '5b10a2844c20165700ede21g',
        reporter: 'Emma Richards',
        labels: ['bugfix', 'blitz_test'],
        parentKey: undefined,
        dueDate: null,
        createdAt: '2021-01-17T12:34:00.000+0000',
        updatedAt: '2021-01-18T23:45:00.000+0000',
        resolvedAt: '2021-01-18T23:45:00.000+0000',
        self: 'https://your-domain.atlassian.net/rest/api/3/issue/10001',
      })
      expect(toRecord(jira, 'issue', search2.body.issues[0])).toMatchObject({ id: '10002', key: 'ED-1', projectKey: 'EX', summary: undefined, description: 'Main order flow broken' })
    })

    it('adds the issue fields a mapping reads to `fields`, once, and nothing else', () => {
      const params = jira.objects.issue!.params
      const out = jira.hooks.listParams!({ object: 'issue', params, mappedPaths: ['fields.summary', 'fields.customfield_10010', 'fields.customfield_10011.value', 'fields.customfield_10010', 'key', 'fields', 'fields.0', 'fields.a b', 'renderedFields.description'] })
      expect(out.fields).toBe(`${ISSUE_FIELDS.join(',')},customfield_10010,customfield_10011`)
      expect(out.jql).toBe(params.jql)
      expect(jira.hooks.listParams!({ object: 'project', params: jira.objects.project!.params, mappedPaths: ['fields.x'] })).toEqual({ expand: 'description,lead' })
      expect(withMappedFields({}, ['fields.x'])).toEqual({})
    })

    // https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-fields/#api-rest-api-3-field-get
    it('discovers custom fields from Get fields, keyed by their record path', async () => {
      const paths: string[] = []
      expect(await jira.hooks.discoverFields!({ object: 'issue', get: async (path) => (paths.push(path), fields.body) })).toEqual({
        'fields.customfield_10010': { type: 'number', label: 'Story points' },
        'fields.customfield_10011': { type: 'object', label: 'Severity' },
        'fields.customfield_10012': { type: 'date', label: 'Go-live date' },
      })
      expect(paths).toEqual(['/field'])
      expect(await jira.hooks.discoverFields!({ object: 'project', get: async () => fields.body })).toBeUndefined()
      expect(fieldsToDiscovered({ not: 'a list' })).toEqual({})
    })
  })

  // https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-projects/#api-rest-api-3-project-search-get
  describe('projects (startAt/maxResults)', () => {
    it('asks 100 per page (the documented maximum) and stops on the documented short page', () => {
      const { urls, items } = walk(jira, 'project', () => projects1, { baseUrl: BASE })
      expect(urls.map((u) => u.href)).toEqual([`${BASE}/project/search?expand=description%2Clead&maxResults=100&startAt=0`])
      expect(items).toHaveLength(2)
    })

    it('advances startAt by the items read until a short page', () => {
      const pagination = paginationOf(jira, 'project')
      const small = { ...jira, objects: { ...jira.objects, project: { ...jira.objects.project!, pagination: { ...pagination, limit: 2 } } } } as Connector
      const { urls, items } = walk(small, 'project', (url) => (url.searchParams.get('startAt') === '0' ? projects1 : projects2), { baseUrl: BASE })
      expect(urls.map((u) => u.searchParams.get('startAt'))).toEqual(['0', '2'])
      expect(items.map((p) => (p as { key: string }).key)).toEqual(['EX', 'ABC', 'OPS'])
    })

    it('maps a documented project', () => {
      expect(toRecord(jira, 'project', projects1.body.values[0])).toMatchObject({ id: '10000', key: 'EX', name: 'Example', category: 'FIRST', style: 'classic', simplified: false, self: 'https://your-domain.atlassian.net/rest/api/3/project/EX' })
    })
  })

  describe('default mapping to the issue model', () => {
    it('maps title, state, assignee and dates, normalising Jira’s +0000 offsets', () => {
      const { check, result } = mapped('issue', search1.body.issues[0])
      expect(check.errors).toEqual([])
      expect(result).toEqual({
        value: { title: 'Main order flow broken', body: null, state: 'Done', url: null, assignee: 'Mia Krystof', createdAt: '2021-01-17T12:34:00.000Z', updatedAt: '2021-01-18T23:45:00.000Z', closedAt: '2021-01-18T23:45:00.000Z' },
        errors: [],
      })
      expect(mapped('issue', search1.body.issues[1]).result).toMatchObject({ value: { assignee: null, closedAt: null }, errors: [] })
    })
  })

  // https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-myself/#api-rest-api-3-myself-get
  it('labels the account with the name and email from /myself', () => {
    expect(jira.accountInfo).toEqual({ path: '/myself' })
    expect(jira.hooks.accountLabel?.(myself.body)).toBe('Mia Krystof (mia@example.com)')
    expect(jira.hooks.accountLabel?.({ displayName: 'Mia Krystof' })).toBe('Mia Krystof')
    expect(jira.hooks.accountLabel?.(null)).toBeUndefined()
  })

  // https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-post
  describe('create_issue', () => {
    const action = jira.actions.create_issue!
    it('accepts the documented request and posts it as JSON to /issue', () => {
      expect(action).toMatchObject({ method: 'POST', path: '/issue', body: 'json' })
      expect(action.object).toBeUndefined()
      const input = action.input.parse(createIssue.request)
      expect(input).toEqual(createIssue.request)
      const request = actionRequest(action, input)
      expect(request.path).toBe('/issue')
      expect(request.json).toEqual(createIssue.request)
      expect(`${BASE}${request.path}`).toBe(`https://api.atlassian.com/ex/jira/${CLOUD_ID}/rest/api/3/issue`)
    })

    it('needs project, issue type and summary; refuses unknown fields, plain-text descriptions and bad keys', () => {
      const ok = { fields: { project: { key: 'EX' }, issuetype: { name: 'Bug' }, summary: 'Main order flow broken' } }
      expect(action.input.safeParse(ok).success).toBe(true)
      expect(action.input.safeParse({ fields: { ...ok.fields, summary: '  ' } }).success).toBe(false)
      expect(action.input.safeParse({ fields: { project: { key: 'EX' }, summary: 'x' } }).success).toBe(false)
      expect(action.input.safeParse({ fields: { ...ok.fields, description: 'plain text' } }).success).toBe(false)
      expect(action.input.safeParse({ fields: { ...ok.fields, sumary: 'typo' } }).success).toBe(false)
      expect(action.input.safeParse({ fields: { ...ok.fields, customfield_10010: 5 } }).success).toBe(true)
      expect(action.input.safeParse({ fields: { ...ok.fields, project: { key: 'EX/../x' } } }).success).toBe(false)
      expect(action.input.safeParse({ fields: { ...ok.fields, duedate: '11/05/2019' } }).success).toBe(false)
      expect(action.input.safeParse({ ...ok, transition: { id: '5' } }).success).toBe(false)
    })
  })
})
