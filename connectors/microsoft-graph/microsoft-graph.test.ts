import { describe, expect, it } from 'vitest'
import { applyMapping } from '../../server/src/mapping/apply'
import { checkMapping, providerFieldsOf } from '../../server/src/mapping/check'
import { mappingSchema } from '../../server/src/mapping/schema'
import { actionRequest } from '../../server/src/services/actions'
import { renderUrl, validateConnectionConfig } from '../../server/src/services/integrations'
import { pageRecords, syncPlan } from '../../server/src/services/sync-engine'
import { COMMON_MODELS } from '../common-models'
import { nextPage } from '../pagination'
import { connectorSchema, type Connector } from '../schema'
import { authorizationUrl, toRecord, walk } from '../testing'
import contact from './fixtures/contact.json' with { type: 'json' }
import contacts from './fixtures/contacts.json' with { type: 'json' }
import createEvent from './fixtures/create-event.json' with { type: 'json' }
import events from './fixtures/events.json' with { type: 'json' }
import me from './fixtures/me.json' with { type: 'json' }
import message from './fixtures/message.json' with { type: 'json' }
import messages from './fixtures/messages.json' with { type: 'json' }
import nextLink from './fixtures/next-link.json' with { type: 'json' }
import token from './fixtures/token-response.json' with { type: 'json' }
import graph, { GRAPH_PAGINATION } from './index'

const BASE = 'https://graph.microsoft.com/v1.0'

/** The connector with its authorization and token URLs rendered for one tenant, as the engine does per connection. */
function forTenant(tenant?: string): Connector {
  const config = validateConnectionConfig(graph, tenant === undefined ? {} : { tenant })
  if (graph.auth.type !== 'oauth2') throw new Error('unexpected auth')
  return { ...graph, auth: { ...graph.auth, authorizationUrl: renderUrl(graph.auth.authorizationUrl, config), tokenUrl: renderUrl(graph.auth.tokenUrl, config) } }
}

describe('microsoft-graph connector', () => {
  it('parses, and parsing its output again changes nothing', () => {
    expect(connectorSchema.parse(graph)).toEqual(graph)
    expect(graph.id).toBe('microsoft-graph')
  })

  // https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
  describe('auth', () => {
    it('uses the v2.0 endpoints of the tenant, PKCE, the secret in the body and refresh tokens; no revocation endpoint', () => {
      expect(graph.auth).toMatchObject({
        type: 'oauth2',
        authorizationUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize',
        tokenUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token',
        clientAuth: 'client_secret_post',
        pkce: true,
        refreshable: true,
      })
      expect(graph.auth.type === 'oauth2' && graph.auth.revocationUrl).toBeUndefined()
    })

    // https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc, https://learn.microsoft.com/en-us/graph/permissions-reference
    it('builds the authorization URL for the common endpoint and for one tenant, with the least privileged scopes and offline_access', () => {
      const params = { clientId: '00001111-aaaa-2222-bbbb-3333cccc4444', redirectUri: 'https://app.example/cb', state: '12345', codeChallenge: 'YTFjNjI1OWYzMzA3MTI4ZDY2Njg5M2RkNmVjNDE5YmEyZGRhOGYyM2IzNjdmZWFhMTQ1ODg3NDcxY2Nl' }
      const common = authorizationUrl(forTenant(), params)
      expect(common.origin + common.pathname).toBe('https://login.microsoftonline.com/common/oauth2/v2.0/authorize')
      expect(common.searchParams.get('scope')).toBe('offline_access User.Read Mail.ReadBasic Calendars.ReadWrite Contacts.Read')
      expect(common.searchParams.get('response_type')).toBe('code')
      expect(common.searchParams.get('code_challenge')).toBe(params.codeChallenge)
      expect(common.searchParams.get('code_challenge_method')).toBe('S256')
      const tenant = forTenant('8eaef023-2b34-4da1-9baa-8bc8c9d6a490')
      expect(authorizationUrl(tenant, params).pathname).toBe('/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/oauth2/v2.0/authorize')
      expect(tenant.auth.type === 'oauth2' && tenant.auth.tokenUrl).toBe('https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/oauth2/v2.0/token')
      expect(authorizationUrl(forTenant('contoso.onmicrosoft.com'), params).pathname).toBe('/contoso.onmicrosoft.com/oauth2/v2.0/authorize')
    })

    it('needs no token-response hook: the documented answer is a bearer token with a refresh token', () => {
      expect(token.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599 })
      expect(typeof token.body.refresh_token).toBe('string')
      expect(graph.hooks.afterTokenResponse).toBeUndefined()
    })
  })

  describe('the tenant', () => {
    it('defaults to common and accepts the documented values, tenant ids and domains', () => {
      expect(validateConnectionConfig(graph, {})).toEqual({ tenant: 'common' })
      for (const tenant of ['common', 'organizations', 'consumers', '8eaef023-2b34-4da1-9baa-8bc8c9d6a490', 'contoso.onmicrosoft.com', 'contoso.com']) {
        expect(validateConnectionConfig(graph, { tenant }), tenant).toEqual({ tenant })
      }
    })

    it('refuses anything that is not one path segment', () => {
      for (const tenant of ['', '..', 'common/..', 'a/b', 'common?x=1', 'common#x', 'contoso.com.', '.contoso.com', 'con toso', 'https://login.example.com']) {
        expect(() => validateConnectionConfig(graph, { tenant }), tenant).toThrow()
      }
    })
  })

  // https://learn.microsoft.com/en-us/graph/throttling, …/throttling-limits#outlook-service-limits
  it('retries 429 (honouring Retry-After) and 502–504, keeps to Outlook’s 10,000 requests per 10 minutes per mailbox, and asks for UTC times', () => {
    expect(graph.http.retry.on).toEqual([429, 502, 503, 504])
    expect(graph.http.rateLimit).toMatchObject({ requests: 10_000, windowMs: 600_000 })
    expect(graph.http.headers).toEqual({ Prefer: 'outlook.timezone="UTC"' })
  })

  // https://learn.microsoft.com/en-us/graph/paging, https://learn.microsoft.com/en-us/graph/query-parameters
  describe('pagination (@odata.nextLink)', () => {
    it('follows the documented @odata.nextLink verbatim, and refuses a link to another origin', () => {
      expect(graph.http.pagination).toEqual({ ...GRAPH_PAGINATION })
      const link = nextLink.body['@odata.nextLink']
      const next = nextPage(graph.http.pagination!, { url: new URL(`${BASE}/users?$top=5`), body: nextLink.body, headers: {}, items: [] })
      expect(next?.href).toBe(new URL(link).href)
      expect(next?.searchParams.get('$skiptoken')).toMatch(/^X'4453707/)
      const elsewhere = { '@odata.nextLink': 'https://evil.example/v1.0/users?$skiptoken=1', value: [] }
      expect(() => nextPage(graph.http.pagination!, { url: new URL(`${BASE}/users?$top=5`), body: elsewhere, headers: {}, items: [] })).toThrow(expect.objectContaining({ code: 'upstream_host_not_allowed' }))
    })

    it('walks the messages until a page has no @odata.nextLink, asking for 100 per page once', () => {
      // Page 1 is MADE UP: 100 copies of the Get message example with numbered ids and a next link
      // in the documented shape; page 2 is the List messages example (no next link: the last page).
      const link = `${BASE}/me/messages?%24select=id&%24top=100&%24skip=100`
      const full = { value: Array.from({ length: 100 }, (_, i) => ({ ...message.body, id: `${message.body.id}${i}` })), '@odata.nextLink': link }
      const { urls, items } = walk(graph, 'message', (url) => (url.searchParams.has('$skip') ? { body: messages.body } : { body: full }))
      expect(urls.map((u) => [u.pathname, u.searchParams.get('$top'), u.searchParams.get('$skip')])).toEqual([
        ['/v1.0/me/messages', '100', null],
        ['/v1.0/me/messages', '100', '100'],
      ])
      expect(urls[0]!.searchParams.get('$select')).toBe('id,subject,from,sender,toRecipients,ccRecipients,receivedDateTime,sentDateTime,createdDateTime,lastModifiedDateTime,isRead,isDraft,hasAttachments,importance,conversationId,internetMessageId,webLink,parentFolderId,categories')
      expect(urls[1]!.href).toBe(link)
      expect(items).toHaveLength(101)
      expect((items.at(-1) as { id: string }).id).toBe('AAMkAGUAAAwTW09AAA=')
    })

    it('goes on after an empty page that has a next link', () => {
      const { urls } = walk(graph, 'contact', (url) => (url.searchParams.has('$skiptoken') ? { body: contacts.body } : { body: { value: [], '@odata.nextLink': `${BASE}/me/contacts?$skiptoken=2` } }))
      expect(urls).toHaveLength(2)
    })

    it('reads the documented events and contacts answers as single, last pages', () => {
      const ev = walk(graph, 'event', () => ({ body: events.body }))
      expect(ev.urls).toHaveLength(1)
      expect(ev.urls[0]!.searchParams.get('$orderby')).toBe('createdDateTime')
      expect(ev.urls[0]!.searchParams.get('$top')).toBe('100')
      expect(ev.items).toHaveLength(1)
      const co = walk(graph, 'contact', () => ({ body: contacts.body }))
      expect(co.urls.map((u) => u.pathname)).toEqual(['/v1.0/me/contacts'])
      expect(co.items).toHaveLength(1)
    })

    it('ends on an empty page', () => {
      expect(walk(graph, 'contact', () => ({ body: { value: [] } })).urls).toHaveLength(1)
    })
  })

  describe('fields', () => {
    // https://learn.microsoft.com/en-us/graph/api/message-get?view=graph-rest-1.0
    it('maps the documented message', () => {
      expect(toRecord(graph, 'message', message.body)).toEqual({
        id: 'AAMkADhMGAAA=',
        subject: '9/9/2018: concert',
        fromAddress: 'adelev@contoso.OnMicrosoft.com',
        fromName: 'Adele Vance',
        senderAddress: 'adelev@contoso.OnMicrosoft.com',
        toRecipients: [{ emailAddress: { name: 'Alex Wilber', address: 'AlexW@contoso.OnMicrosoft.com' } }],
        ccRecipients: [],
        receivedAt: '2018-09-09T03:15:08Z',
        sentAt: '2018-09-09T03:15:06Z',
        isRead: true,
        isDraft: false,
        hasAttachments: false,
        importance: 'normal',
        conversationId: 'AAQkADOUpag6yWs=',
        internetMessageId: '<MWHPR6E1BE060@MWHPR1120.namprd22.prod.outlook.com>',
        webLink: 'https://outlook.office365.com/owa/?ItemID=AAMkADMGAAA%3D&exvsurl=1&viewmodel=ReadMessageItem',
        parentFolderId: 'AAMkADcbAAAAAAEJAAA=',
        categories: [],
        createdAt: '2018-09-09T03:15:05Z',
        updatedAt: '2018-09-09T03:15:08Z',
      })
      expect(toRecord(graph, 'message', messages.body.value[0])).toMatchObject({ id: 'AAMkAGUAAAwTW09AAA=', subject: 'You have late tasks!', senderAddress: 'noreply@Planner.Office365.com', fromAddress: undefined })
    })

    // https://learn.microsoft.com/en-us/graph/api/user-post-events?view=graph-rest-1.0 (Response 1)
    it('maps the documented event', () => {
      expect(toRecord(graph, 'event', createEvent.response)).toEqual({
        id: 'AAMkAGI1AAAt9AHjAAA=',
        subject: "Let's go brunch",
        bodyPreview: 'Does late morning work for you?',
        start: '2017-04-15T11:00:00.0000000',
        end: '2017-04-15T12:00:00.0000000',
        isAllDay: false,
        location: "Harry's Bar",
        organizerAddress: 'danas@contoso.onmicrosoft.com',
        attendees: createEvent.response.attendees,
        showAs: 'busy',
        type: 'singleInstance',
        seriesMasterId: null,
        isCancelled: false,
        isOnlineMeeting: undefined,
        webLink: 'https://outlook.office365.com/owa/?itemid=AAMkAGI1AAAt9AHjAAA%3D&exvsurl=1&path=/calendar/item',
        iCalUId: '040000008200E00074C5B7101A82E00800000000DA2B357D94B5D201000000000000000010000000EC4597557F0CB34EA4CC2887EA7B17C3',
        createdAt: '2017-04-15T03:00:50.7579581Z',
        updatedAt: '2017-04-15T03:00:51.245372Z',
      })
      expect(toRecord(graph, 'event', events.body.value[0])).toMatchObject({ id: 'AAMkAGIAAAoZDOFAAA=', subject: 'Orientation ', location: 'Assembly Hall', organizerAddress: 'samanthab@a830edad905084922E17020313.onmicrosoft.com' })
    })

    // https://learn.microsoft.com/en-us/graph/api/user-post-contacts?view=graph-rest-1.0
    it('maps the documented contact', () => {
      expect(toRecord(graph, 'contact', contact.body)).toEqual({
        id: 'id-value',
        displayName: 'Pavel Bansky',
        givenName: 'Pavel',
        surname: 'Bansky',
        email: 'pavelb@contoso.com',
        emailAddresses: [{ address: 'pavelb@contoso.com', name: 'Pavel Bansky' }],
        businessPhone: '+1 732 555 0102',
        mobilePhone: undefined,
        companyName: undefined,
        jobTitle: undefined,
        createdAt: '2015-11-09T02:14:32Z',
        updatedAt: '2015-11-09T02:14:32Z',
      })
    })
  })

  describe('syncs', () => {
    it('syncs everything in full (no modified-since parameter, no readable delta link)', () => {
      for (const name of ['messages', 'events', 'contacts']) expect(graph.syncs[name]!.mode, name).toBe('full')
      expect(graph.syncs.events!.deletedWhen).toEqual({ path: 'isCancelled', equals: true })
    })

    it('stores a cancelled meeting as deleted', () => {
      const cancelled = { ...createEvent.response, id: 'AAMkAGI1AAAt9AHjAAB=', isCancelled: true }
      const { batch, deletedIds } = pageRecords(syncPlan(graph, 'events'), [createEvent.response, cancelled], null)
      expect(batch.externalIds).toEqual(['AAMkAGI1AAAt9AHjAAA='])
      expect(deletedIds).toEqual(['AAMkAGI1AAAt9AHjAAB='])
    })
  })

  describe('default mappings', () => {
    it('maps the documented event to the common event, reading Graph’s offset-less times as UTC', () => {
      const object = graph.objects.event!
      const mapping = mappingSchema.parse({ model: 'event', fields: object.defaultMapping })
      expect(checkMapping(COMMON_MODELS.event, providerFieldsOf(object), mapping)).toEqual({ ok: true, errors: [], warnings: [] })
      // The documented answer was asked in Pacific time; with this connector's Prefer header the
      // same dateTime text is UTC, which is how the mapping reads it.
      expect(applyMapping(COMMON_MODELS.event, mapping, createEvent.response)).toEqual({
        value: {
          title: "Let's go brunch",
          description: 'Does late morning work for you?',
          startAt: '2017-04-15T11:00:00.000Z',
          endAt: '2017-04-15T12:00:00.000Z',
          location: "Harry's Bar",
          createdAt: '2017-04-15T03:00:50.757Z',
          updatedAt: '2017-04-15T03:00:51.245Z',
        },
        errors: [],
      })
    })

    it('maps the documented contact to the common contact', () => {
      const object = graph.objects.contact!
      const mapping = mappingSchema.parse({ model: 'contact', fields: object.defaultMapping })
      expect(checkMapping(COMMON_MODELS.contact, providerFieldsOf(object), mapping)).toEqual({ ok: true, errors: [], warnings: [] })
      expect(applyMapping(COMMON_MODELS.contact, mapping, contact.body)).toEqual({
        value: { email: 'pavelb@contoso.com', firstName: 'Pavel', lastName: 'Bansky', phone: '+1 732 555 0102', company: null, title: null, lifecycleStage: null, createdAt: '2015-11-09T02:14:32.000Z', updatedAt: '2015-11-09T02:14:32.000Z' },
        errors: [],
      })
    })

    it('has no common model for messages', () => {
      expect(graph.objects.message!.commonModel).toBeUndefined()
    })
  })

  // https://learn.microsoft.com/en-us/graph/api/user-get?view=graph-rest-1.0
  it('labels the account from GET /me: mail, else the sign-in name, else the display name', () => {
    expect(graph.accountInfo).toEqual({ path: '/me' })
    expect(graph.hooks.accountLabel?.(me.body)).toBe('AdeleV@contoso.com')
    expect(graph.hooks.accountLabel?.({ ...me.body, mail: null })).toBe('AdeleV@contoso.com')
    expect(graph.hooks.accountLabel?.({ displayName: 'Adele Vance', mail: null, userPrincipalName: '' })).toBe('Adele Vance')
    expect(graph.hooks.accountLabel?.({})).toBeUndefined()
    expect(graph.hooks.accountLabel?.(null)).toBeUndefined()
  })

  // https://learn.microsoft.com/en-us/graph/api/user-post-events?view=graph-rest-1.0
  describe('create_event', () => {
    const action = graph.actions.create_event!
    const ok = { subject: 'x', start: createEvent.request.start, end: createEvent.request.end }

    it('posts the documented event as JSON to /me/events', () => {
      expect(action).toMatchObject({ method: 'POST', path: '/me/events', body: 'json' })
      const input = action.input.parse(createEvent.request)
      expect(input).toEqual(createEvent.request)
      const request = actionRequest(action, input)
      expect(request.path).toBe('/me/events')
      expect(request.json).toEqual(createEvent.request)
      expect(`${BASE}${request.path}`).toBe('https://graph.microsoft.com/v1.0/me/events')
    })

    it('refuses a missing subject or end, times with an offset or without a zone, bad addresses and unknown keys', () => {
      const bad = [
        { start: ok.start, end: ok.end },
        { subject: 'x', start: ok.start },
        { ...ok, start: { dateTime: '2017-04-15T12:00:00Z', timeZone: 'UTC' } },
        { ...ok, start: { dateTime: '2017-04-15T12:00:00' } },
        { ...ok, attendees: [{ emailAddress: { address: 'not-an-email' }, type: 'required' }] },
        { ...ok, attendees: [{ emailAddress: { address: 'a@b.co' }, type: 'chair' }] },
        { ...ok, sendInvites: false },
      ]
      for (const input of bad) expect(action.input.safeParse(input).success, JSON.stringify(input)).toBe(false)
      expect(action.input.safeParse(ok).success).toBe(true)
    })
  })
})
