/**
 * Trello (REST API v1, OAuth 1.0a).
 *
 * Sources, each cited again where it is used:
 * - Authorization ("Using Basic OAuth": the three OAuth 1.0a endpoints; the authorize route's
 *   `name`, `scope`, `expiration` parameters): https://developer.atlassian.com/cloud/trello/guides/rest-api/authorization/
 * - Rate limits: https://developer.atlassian.com/cloud/trello/guides/rest-api/rate-limits/
 * - Object definitions (board and card fields): https://developer.atlassian.com/cloud/trello/guides/rest-api/object-definitions/
 * - Members (`GET /1/members/{id}`, `/boards`, `/cards`): https://developer.atlassian.com/cloud/trello/rest/api-group-members/
 * - Cards (`POST /1/cards`): https://developer.atlassian.com/cloud/trello/rest/api-group-cards/#api-cards-post
 */
import { z } from 'zod'
import { firstString, labelWithDetail } from '../helpers'
import { defineConnector } from '../schema'

/** A blue rounded square with two white columns of unequal height (not Trello's or Atlassian's logo). */
const logo =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Trello">' +
  '<rect width="64" height="64" rx="12" fill="#0b66d6"/>' +
  '<rect x="13" y="13" width="16" height="34" rx="3" fill="#fff"/>' +
  '<rect x="35" y="13" width="16" height="22" rx="3" fill="#fff"/>' +
  '</svg>'

/** Trello ids are 24 hexadecimal characters (e.g. `5abbe4b7ddc1b351ef961414` in the API reference). */
const TRELLO_ID = /^[0-9a-fA-F]{24}$/
const idList = z.string().regex(/^[0-9a-fA-F]{24}(,[0-9a-fA-F]{24})*$/, 'comma-separated Trello ids')

/** Board fields asked for (`fields`: "all or a comma-separated list of board fields", Members API). */
export const BOARD_FIELDS = ['id', 'name', 'desc', 'closed', 'idOrganization', 'url', 'shortUrl', 'dateLastActivity']
/** The card fields the connector declares (of the card object definition); the list endpoint takes only `filter`, so cards come whole. */
export const CARD_FIELDS = ['id', 'name', 'desc', 'closed', 'idBoard', 'idList', 'idMembers', 'idLabels', 'url', 'shortUrl', 'due', 'dueComplete', 'start', 'dateLastActivity']

/** Trello answers every list here as one JSON array with no paging; `link` pagination without a `Link` header is a single page. */
const onePage = { type: 'link', rel: 'next', itemsPath: '' } as const

export default defineConnector({
  id: 'trello',
  name: 'Trello',
  description: 'Bring in your Trello boards and the cards assigned to you, and add cards to a list from this app.',
  categories: ['productivity'],
  logo,
  docsUrl: 'https://developer.atlassian.com/cloud/trello/rest/',
  auth: {
    type: 'oauth1',
    // Authorization page, "Using Basic OAuth": OAuth 1.0 endpoints requestURL
    // https://trello.com/1/OAuthGetRequestToken, authorizeURL https://trello.com/1/OAuthAuthorizeToken,
    // accessURL https://trello.com/1/OAuthGetAccessToken; the consumer key is the Power-Up's API key
    // and the consumer secret its secret (integration client id and secret).
    requestTokenUrl: 'https://trello.com/1/OAuthGetRequestToken',
    authorizationUrl: 'https://trello.com/1/OAuthAuthorizeToken',
    accessTokenUrl: 'https://trello.com/1/OAuthGetAccessToken',
    signatureMethod: 'HMAC-SHA1',
    // Authorization page, query parameters of the authorize prompt: `scope` is "read", "write" and/or
    // "account", comma-separated; "read" is the minimum. `create_card` needs "write": an integration
    // using it sets its scopes to ['read', 'write'].
    scopes: ['read'],
    scopeParam: 'scope',
    scopeSeparator: ',',
    // Same table: `expiration` is one of "1hour", "1day", "30days", "never"; a sync needs a token
    // that lasts. `name` is the application name shown on the prompt: the integration's display name.
    authorizationParams: { expiration: 'never', name: '{integrationName}' },
  },
  http: {
    baseUrl: 'https://api.trello.com/1',
    // Rate limits page: "300 requests per 10 seconds for each API key and 100 requests per 10 second
    // interval for each token"; "Trello will return a 429 error". No rate-limit headers are
    // documented, so the per-token budget is declared and 429 retried. (The per-key budget spans
    // all connections of an integration, which a per-connection budget cannot express: see the report.)
    rateLimit: { requests: 100, windowMs: 10_000 },
    retry: { on: [429, 502, 503, 504], maxAttempts: 3, maxDelayMs: 10_000 },
  },
  // Members API: GET /1/members/{id}, where `me` is the token's member → { id, username, fullName, … }.
  accountInfo: { path: '/members/me' },
  objects: {
    board: {
      label: 'Boards',
      description: 'Boards the connected member belongs to.',
      // Members API, "Get Boards that Member belongs to": GET /1/members/{id}/boards, `filter` one of
      // all, closed, members, open, organization, public, starred (default all).
      path: '/members/me/boards',
      docs: 'https://developer.atlassian.com/cloud/trello/rest/api-group-members/#api-members-id-boards-get',
      params: { filter: 'all', fields: BOARD_FIELDS.join(',') },
      pagination: onePage,
      fields: {
        id: { type: 'string', key: true },
        name: { type: 'string' },
        desc: { type: 'string', description: 'The board’s description' },
        closed: { type: 'boolean', description: 'Whether the board is archived' },
        idOrganization: { type: 'string', description: 'The Workspace the board belongs to' },
        url: { type: 'string' },
        shortUrl: { type: 'string' },
        dateLastActivity: { type: 'datetime' },
      },
    },
    card: {
      label: 'Cards',
      description: 'Cards the connected member is on (assigned to), across all boards.',
      // Members API, "Get Cards the Member is on": GET /1/members/{id}/cards, `filter` one of all,
      // closed, none, open, visible (default visible); its only query parameter, so no `fields`: each
      // card comes with every field of the card object. Cards of a whole board need its id
      // (GET /1/boards/{id}/cards), which a sync cannot take from another object: see the report.
      path: '/members/me/cards',
      docs: 'https://developer.atlassian.com/cloud/trello/rest/api-group-members/#api-members-id-cards-get',
      params: { filter: 'all' },
      pagination: onePage,
      fields: {
        id: { type: 'string', key: true },
        name: { type: 'string' },
        desc: { type: 'string', description: 'The card’s description (Markdown)' },
        closed: { type: 'boolean', description: 'Whether the card is archived' },
        idBoard: { type: 'string' },
        idList: { type: 'string' },
        idMembers: { type: 'array' },
        idLabels: { type: 'array' },
        url: { type: 'string' },
        shortUrl: { type: 'string' },
        due: { type: 'datetime' },
        dueComplete: { type: 'boolean' },
        start: { type: 'datetime' },
        dateLastActivity: { type: 'datetime' },
      },
      commonModel: 'issue',
      // No `state` (Trello's is the card's list, an id) and no `assignee` (member ids, not names).
      defaultMapping: {
        title: { source: 'field', path: 'name' },
        body: { source: 'field', path: 'desc' },
        url: { source: 'field', path: 'url' },
        updatedAt: { source: 'field', path: 'dateLastActivity' },
      },
    },
  },
  // Full syncs: these lists take no changed-since filter. Cards and boards that leave the lists
  // (deleted, or the member removed) are marked deleted by a complete full run.
  syncs: {
    boards: { object: 'board', mode: 'full', defaultFrequency: '1h' },
    cards: { object: 'card', mode: 'full', defaultFrequency: '1h' },
  },
  actions: {
    create_card: {
      description: 'Create a card in a list (needs the "write" scope).',
      // Cards API, "Create a new Card": POST /1/cards with `idList` (required, "The ID of the list the
      // card should be created in"), `name`, `desc`, `pos` ("top", "bottom", or a positive float),
      // `due`, `start`, `dueComplete`, `idMembers` and `idLabels` ("Comma-separated list of … IDs").
      // Sent form-encoded, so the parameters are part of the OAuth 1.0a signature (RFC 5849 §3.4.1.3.1).
      method: 'POST',
      path: '/cards',
      body: 'form',
      input: z.strictObject({
        idList: z.string().regex(TRELLO_ID, 'a Trello list id (24 hexadecimal characters)'),
        name: z.string().min(1).max(16384).optional(),
        desc: z.string().max(16384).optional(),
        pos: z.union([z.enum(['top', 'bottom']), z.number().positive()]).optional(),
        due: z.iso.datetime({ offset: true }).optional(),
        start: z.iso.datetime({ offset: true }).optional(),
        dueComplete: z.boolean().optional(),
        idMembers: idList.optional(),
        idLabels: idList.optional(),
      }),
    },
  },
  // https://developer.atlassian.com/cloud/trello/guides/rest-api/webhooks/: webhooks "belong to
  // tokens" and are created through the API with a `callbackURL`, so each connection gets its own URL
  // (`/v1/webhooks/providers/{integrationId}/{connectionId}`). Trello checks that URL with a HEAD
  // request when the webhook is created ("if a 200 status code is not returned … the webhook will not
  // be created"), which the route answers. "Webhook Signatures" (same page): each POST carries
  // `X-Trello-Webhook`, the base64 HMAC-SHA1 of the body followed by the callback URL, keyed with the
  // application's OAuth secret, which is this integration's client (consumer) secret.
  webhooks: {
    secret: { from: 'clientSecret' },
    signature: { type: 'hmac', algorithm: 'sha1', encoding: 'base64', header: 'X-Trello-Webhook', signed: ['body', 'url'] },
    // The body is `{ action: { type: 'updateCard', … }, model: { … } }` (same page, "Webhook Actions").
    eventType: { body: 'action.type' },
    docs: 'https://developer.atlassian.com/cloud/trello/guides/rest-api/webhooks/',
  },
  hooks: {
    // GET /1/members/me → "Full Name (username)", or whichever of the two is there.
    accountLabel: (body) => labelWithDetail(firstString(body, ['fullName']), firstString(body, ['username'])),
  },
})
