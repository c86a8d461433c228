/**
 * Microsoft 365 through Microsoft Graph v1.0 (Microsoft identity platform, OAuth 2.0 authorization
 * code flow v2 with PKCE): Outlook mail, calendar events and contacts of the signed-in user, and
 * creating an event.
 *
 * Sources, each cited again where it is used:
 * - Authorization code flow: https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
 * - Scopes, `offline_access`, Graph as the default resource: https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc
 * - Permissions: https://learn.microsoft.com/en-us/graph/permissions-reference
 * - Paging: https://learn.microsoft.com/en-us/graph/paging
 * - Query parameters (`$select`, `$top`, `$skip`, `$orderby`): https://learn.microsoft.com/en-us/graph/query-parameters
 * - Throttling: https://learn.microsoft.com/en-us/graph/throttling and
 *   https://learn.microsoft.com/en-us/graph/throttling-limits#outlook-service-limits
 * - List messages: https://learn.microsoft.com/en-us/graph/api/user-list-messages?view=graph-rest-1.0
 * - List events / create event: https://learn.microsoft.com/en-us/graph/api/user-list-events?view=graph-rest-1.0,
 *   https://learn.microsoft.com/en-us/graph/api/user-post-events?view=graph-rest-1.0
 * - List contacts: https://learn.microsoft.com/en-us/graph/api/user-list-contacts?view=graph-rest-1.0
 * - Get user (`/me`): https://learn.microsoft.com/en-us/graph/api/user-get?view=graph-rest-1.0
 *
 * Paging follows `@odata.nextLink` ({@link GRAPH_PAGINATION}).
 */
import { z } from 'zod'
import { firstString } from '../helpers'
import { defineConnector, type ConnectorInput } from '../schema'

/** A dark-blue rounded square with a white envelope (not Microsoft's or Outlook's logo). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Microsoft 365">' +
  '<rect width="64" height="64" rx="14" fill="#0f4c81"/>' +
  '<rect x="13" y="19" width="38" height="27" rx="4" fill="#fff"/>' +
  '<path d="M15 22l17 13 17-13" fill="none" stroke="#0f4c81" stroke-width="3.5" stroke-linecap="round" stroke-linejoin="round"/>' +
  '</svg>'

/**
 * The `{tenant}` of the authorization and token endpoints: "Valid values are `common`,
 * `organizations`, `consumers`, and tenant identifiers" (auth code flow page) — a tenant's GUID or
 * one of its domain names (`contoso.onmicrosoft.com`). Letters, digits, `-` and dots between
 * labels only, so the value stays one path segment of login.microsoftonline.com.
 */
export const TENANT_PATTERN = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)*[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?'

/**
 * Paging by `@odata.nextLink` (paging page: "When more than one query request is required to
 * retrieve all the results, Microsoft Graph returns an `@odata.nextLink` property in the response
 * that contains a URL to the next page of results"; "A page of results may contain zero or more
 * results", so only a missing link ends the walk). The link carries the
 * `$skiptoken`/`$skip` Graph chose ("Do not try to extract the `$skip` value from the
 * `@odata.nextLink` URL", list messages) and the query the first request set. The engine refuses a
 * link to another origin than graph.microsoft.com (`upstream_host_not_allowed`).
 *
 * `$top=100` on the first request: messages take "`$top` … within the range of 1 and 1000", and
 * larger pages "may trigger the gateway timeout (HTTP 504)".
 */
export const GRAPH_PAGINATION = { type: 'next_url', nextUrlPath: '@odata.nextLink', itemsPath: 'value', limitParam: '$top', limit: 100 } as const satisfies NonNullable<ConnectorInput['http']['pagination']>

/** `dateTimeTimeZone.dateTime`: "{date}T{time}; for example, 2017-08-29T04:00:00.0000000", no offset. */
const localDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?$/, 'a local date and time such as 2017-04-15T12:00:00')
/** A start or end: the time and the zone it is in ("Pacific Standard Time", or an IANA name). */
const dateTimeTimeZone = z.strictObject({ dateTime: localDateTime, timeZone: z.string().min(1).max(100) })
const emailAddress = z.strictObject({ address: z.email(), name: z.string().optional() })

export default defineConnector({
  id: 'microsoft-graph',
  name: 'Microsoft 365 (Outlook)',
  description: 'Share your Outlook mail (without message bodies), calendar events and contacts from Microsoft 365 or Outlook.com, and add events to your calendar from this app.',
  categories: ['productivity', 'communication'],
  logo,
  docsUrl: 'https://learn.microsoft.com/en-us/graph/overview',
  connectionConfig: {
    tenant: {
      label: 'Microsoft tenant',
      description: 'common lets any work, school or personal Microsoft account sign in; organizations only work or school accounts; consumers only personal accounts. Or your organisation’s tenant ID or domain (contoso.onmicrosoft.com).',
      placeholder: 'common',
      default: 'common',
      required: true,
      pattern: TENANT_PATTERN,
      helpUrl: 'https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols#endpoints',
    },
  },
  auth: {
    type: 'oauth2',
    // Auth code flow page, "Request an authorization code":
    // `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize?client_id=…&response_type=code&…`,
    // and "Redeem a code for an access token": `POST /{tenant}/oauth2/v2.0/token` on
    // login.microsoftonline.com, `client_secret` among the form parameters ("The Basic auth pattern …
    // is also supported").
    authorizationUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize',
    tokenUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token',
    clientAuth: 'client_secret_post',
    // No `revocationUrl`: the identity platform has no RFC 7009 endpoint (the protocol pages list
    // authorize, token, devicecode and logout); Graph's `revokeSignInSessions` would sign the user
    // out of every app, not only this connection.
    //
    // Scopes, space-separated; "if the resource identifier is omitted in the scope parameter, the
    // resource is assumed to be Microsoft Graph" (scopes-oidc), so `User.Read` means
    // `https://graph.microsoft.com/User.Read`. Least privileged per call (each API page's
    // Permissions table, "from least to most privileged"):
    // - `offline_access`: the refresh token is "Only provided if `offline_access` scope was requested";
    // - `User.Read`: GET /me (account label);
    // - `Mail.ReadBasic`: list messages ("Mail.ReadBasic, Mail.Read, Mail.ReadWrite"); it leaves out
    //   body, bodyPreview, uniqueBody and attachments (permissions reference), which the sync does not read;
    // - `Calendars.ReadWrite`: create event allows only "Calendars.ReadWrite"; it also covers list events;
    // - `Contacts.Read`: list contacts ("Contacts.Read, Contacts.ReadWrite").
    scopes: ['offline_access', 'User.Read', 'Mail.ReadBasic', 'Calendars.ReadWrite', 'Contacts.Read'],
    // `code_challenge`: "This parameter is now recommended for all application types, both public and
    // confidential clients"; `code_challenge_method` "SHOULD be `S256`".
    pkce: true,
    // "Refresh the access token": a refresh answer has "A new OAuth 2.0 refresh token. Replace the old
    // refresh token with this newly acquired refresh token", which the engine does. Refresh tokens of
    // web apps "don't have specified lifetimes", but may expire or be revoked (then: reauth).
    refreshable: true,
    // "`token_type` … The only type that Microsoft Entra ID supports is `Bearer`"; Graph requests take
    // `Authorization: Bearer {token}` (each API page's request headers), the default injection.
  },
  http: {
    // Every request in the API pages: `https://graph.microsoft.com/v1.0/me/…`.
    baseUrl: 'https://graph.microsoft.com/v1.0',
    // "If the `Prefer: outlook.timezone` header is not specified, the start and end times are returned
    // in UTC" (list events). Said explicitly, so event times are always UTC whatever Microsoft's
    // default becomes; other requests ignore it.
    headers: { Prefer: 'outlook.timezone="UTC"' },
    // Throttling page: "Microsoft Graph returns HTTP status code 429 (Too many requests)… The failed
    // response includes the Retry-After field in the response header. Backing off requests using the
    // Retry-After delay is the fastest way to recover"; Mail, Calendar and Contact are among the
    // resources that send it. The engine waits Retry-After on 429 (and the default 502/503/504).
    retry: { on: [429, 502, 503, 504] },
    // Throttling limits, "Outlook service limits", per app ID and mailbox: "10,000 API requests in a
    // 10 minute period". One connection is one mailbox. (The per-app limit of "up to 4 concurrent
    // requests", across all mailboxes, cannot be declared.) No rate-limit headers are documented for
    // Outlook.
    rateLimit: { requests: 10_000, windowMs: 600_000 },
    pagination: GRAPH_PAGINATION,
  },
  // GET /me: "By default, only a limited set of properties are returned (businessPhones, displayName,
  // givenName, id, jobTitle, mail, mobilePhone, officeLocation, preferredLanguage, surname,
  // userPrincipalName)" — enough for the label; needs User.Read.
  accountInfo: { path: '/me' },
  objects: {
    message: {
      label: 'Emails',
      description: 'Messages in every folder of the mailbox (Deleted Items included), without their bodies.',
      // "Get the messages in the signed-in user's mailbox (including the Deleted Items and Clutter
      // folders)". Known issue (same page): Microsoft Teams chat messages are included too.
      path: '/me/messages',
      docs: 'https://learn.microsoft.com/en-us/graph/api/user-list-messages?view=graph-rest-1.0',
      // `$select` "to specify the exact properties you need" (list messages); all of these are
      // readable with Mail.ReadBasic (no body, bodyPreview or uniqueBody).
      params: { $select: 'id,subject,from,sender,toRecipients,ccRecipients,receivedDateTime,sentDateTime,createdDateTime,lastModifiedDateTime,isRead,isDraft,hasAttachments,importance,conversationId,internetMessageId,webLink,parentFolderId,categories' },
      // Message resource, as in the Get message example.
      fields: {
        id: { type: 'string', key: true },
        subject: { type: 'string' },
        fromAddress: { type: 'string', from: 'from.emailAddress.address' },
        fromName: { type: 'string', from: 'from.emailAddress.name' },
        senderAddress: { type: 'string', from: 'sender.emailAddress.address', description: 'Who sent it, when sent on behalf of From' },
        toRecipients: { type: 'array', description: 'Recipients: emailAddress { name, address }' },
        ccRecipients: { type: 'array' },
        receivedAt: { type: 'datetime', from: 'receivedDateTime' },
        sentAt: { type: 'datetime', from: 'sentDateTime' },
        isRead: { type: 'boolean' },
        isDraft: { type: 'boolean' },
        hasAttachments: { type: 'boolean' },
        importance: { type: 'enum', enumValues: ['low', 'normal', 'high'] },
        conversationId: { type: 'string' },
        internetMessageId: { type: 'string', description: 'The Message-ID header (RFC 2822)' },
        webLink: { type: 'string', description: 'Opens the message in Outlook on the web' },
        parentFolderId: { type: 'string' },
        categories: { type: 'array' },
        createdAt: { type: 'datetime', from: 'createdDateTime' },
        updatedAt: { type: 'datetime', from: 'lastModifiedDateTime' },
      },
    },
    event: {
      label: 'Events',
      description: 'Events of your calendars: single meetings and recurring series (one record per series).',
      // "The list contains single instance meetings and series masters."
      path: '/me/events',
      docs: 'https://learn.microsoft.com/en-us/graph/api/user-list-events?view=graph-rest-1.0',
      // `$orderby=createdDateTime`: a stable order, new events last (query-parameters page's example
      // `/me/events?$orderby=createdDateTime&$skip=20`).
      params: {
        $select: 'id,subject,bodyPreview,start,end,isAllDay,location,organizer,attendees,showAs,type,seriesMasterId,isCancelled,isOnlineMeeting,webLink,iCalUId,createdDateTime,lastModifiedDateTime',
        $orderby: 'createdDateTime',
      },
      // Event resource, as in the Create event example's answer.
      fields: {
        id: { type: 'string', key: true },
        subject: { type: 'string' },
        bodyPreview: { type: 'string', description: 'The start of the event’s body, as text' },
        start: { type: 'datetime', from: 'start.dateTime', description: 'In UTC (Prefer: outlook.timezone="UTC")' },
        end: { type: 'datetime', from: 'end.dateTime', description: 'In UTC' },
        isAllDay: { type: 'boolean' },
        location: { type: 'string', from: 'location.displayName' },
        organizerAddress: { type: 'string', from: 'organizer.emailAddress.address' },
        attendees: { type: 'array', description: 'type, status, emailAddress { name, address }' },
        showAs: { type: 'enum', enumValues: ['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown'] },
        type: { type: 'enum', enumValues: ['singleInstance', 'occurrence', 'exception', 'seriesMaster'] },
        seriesMasterId: { type: 'string' },
        isCancelled: { type: 'boolean' },
        isOnlineMeeting: { type: 'boolean' },
        webLink: { type: 'string', description: 'Opens the event in Outlook on the web' },
        iCalUId: { type: 'string', description: 'Shared by all instances of an event across calendars' },
        createdAt: { type: 'datetime', from: 'createdDateTime' },
        updatedAt: { type: 'datetime', from: 'lastModifiedDateTime' },
      },
      commonModel: 'event',
      defaultMapping: {
        title: { source: 'field', path: 'subject' },
        description: { source: 'field', path: 'bodyPreview' },
        // `dateTime` has no offset ("2017-04-15T11:00:00.0000000"); read as UTC, which it is.
        startAt: { source: 'field', path: 'start.dateTime' },
        endAt: { source: 'field', path: 'end.dateTime' },
        location: { source: 'field', path: 'location.displayName' },
        createdAt: { source: 'field', path: 'createdDateTime' },
        updatedAt: { source: 'field', path: 'lastModifiedDateTime' },
      },
    },
    contact: {
      label: 'Contacts',
      description: 'People in your Outlook contacts (the default contacts folder).',
      // "Get a contact collection from the default contacts folder of the signed-in user."
      path: '/me/contacts',
      docs: 'https://learn.microsoft.com/en-us/graph/api/user-list-contacts?view=graph-rest-1.0',
      params: { $select: 'id,displayName,givenName,surname,emailAddresses,businessPhones,mobilePhone,companyName,jobTitle,createdDateTime,lastModifiedDateTime' },
      // Contact resource, as in the Create contact example.
      fields: {
        id: { type: 'string', key: true },
        displayName: { type: 'string' },
        givenName: { type: 'string' },
        surname: { type: 'string' },
        email: { type: 'string', from: 'emailAddresses.0.address', description: 'The first email address' },
        emailAddresses: { type: 'array' },
        businessPhone: { type: 'string', from: 'businessPhones.0', description: 'The first business phone' },
        mobilePhone: { type: 'string' },
        companyName: { type: 'string' },
        jobTitle: { type: 'string' },
        createdAt: { type: 'datetime', from: 'createdDateTime' },
        updatedAt: { type: 'datetime', from: 'lastModifiedDateTime' },
      },
      commonModel: 'contact',
      defaultMapping: {
        email: { source: 'field', path: 'emailAddresses.0.address' },
        firstName: { source: 'field', path: 'givenName' },
        lastName: { source: 'field', path: 'surname' },
        phone: { source: 'field', path: 'businessPhones.0' },
        company: { source: 'field', path: 'companyName' },
        title: { source: 'field', path: 'jobTitle' },
        createdAt: { source: 'field', path: 'createdDateTime' },
        updatedAt: { source: 'field', path: 'lastModifiedDateTime' },
      },
    },
  },
  // All full. A templated `updatedSince` (connectors/schema.ts) could build `$filter=lastModifiedDateTime
  // ge …`, but the list pages do not document that filter: list contacts allows `$filter` only on
  // `emailAddresses/any(a:a/address eq …)`, and for messages Outlook refuses `$orderby` properties
  // missing from `$filter` or in another order (https://devblogs.microsoft.com/microsoft365dev/update-to-filtering-and-sorting-rest-api/);
  // incremental runs would also miss deleted items. (`updatedSince.name` is also an identifier, so
  // `$filter` cannot be named yet.) Graph's delta queries
  // hand out an `@odata.deltaLink` URL to keep between runs, which a sync cursor (a field value) is not. A full run is
  // also how deletions are seen: deleted items are simply absent from the lists.
  syncs: {
    messages: { object: 'message', mode: 'full', defaultFrequency: '1h' },
    events: {
      object: 'event',
      mode: 'full',
      defaultFrequency: '1h',
      // "isCancelled: Set to true if the event has been canceled" (event resource): a cancelled
      // meeting stays in an attendee's calendar until removed; stored as deleted.
      deletedWhen: { path: 'isCancelled', equals: true },
    },
    contacts: { object: 'contact', mode: 'full', defaultFrequency: '6h' },
  },
  actions: {
    create_event: {
      description: 'Add an event to your default calendar. Attendees are sent an invitation.',
      // Create event: `POST /me/events` with an event; "When an event is sent, the server sends
      // invitations to all the attendees". `start`/`end` are dateTimeTimeZone values.
      method: 'POST',
      path: '/me/events',
      input: z.strictObject({
        subject: z.string().min(1),
        body: z.strictObject({ contentType: z.enum(['text', 'html', 'Text', 'HTML']), content: z.string() }).optional(),
        start: dateTimeTimeZone,
        end: dateTimeTimeZone,
        isAllDay: z.boolean().optional(),
        location: z.strictObject({ displayName: z.string().min(1), locationType: z.string().optional() }).optional(),
        attendees: z.array(z.strictObject({ emailAddress, type: z.enum(['required', 'optional', 'resource', 'Required', 'Optional', 'Resource']) })).optional(),
        showAs: z.enum(['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown']).optional(),
        isOnlineMeeting: z.boolean().optional(),
      }),
    },
  },
  hooks: {
    // GET /me → `{ displayName, mail, userPrincipalName, … }`: the email address people know,
    // else the sign-in name, else the name.
    accountLabel: (body) => firstString(body, ['mail', 'userPrincipalName', 'displayName']),
  },
})
