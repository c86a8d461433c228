/**
 * Incoming provider webhooks: the raw body is read once (1 MiB cap → 413) and handed to the service,
 * which verifies it before anything is parsed or stored.
 */
import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { AppEnv } from '../middleware/types'
import { PatchbayError } from '../lib/errors'
import { checkProviderWebhookUrl, MAX_PROVIDER_WEBHOOK_BYTES, receiveProviderWebhook } from '../services/provider-webhooks'
import { problems } from './schemas'
import { router } from './router'

const tags = ['Provider webhooks']
const id = z.string().min(1).max(100)
const limit = bodyLimit({
  maxSize: MAX_PROVIDER_WEBHOOK_BYTES,
  onError: () => {
    throw new PatchbayError('payload_too_large', `Provider webhook bodies are limited to ${MAX_PROVIDER_WEBHOOK_BYTES} bytes`)
  },
})

/** The provider's body, any content type, read raw: it is verified before it is parsed. */
const rawBody = { required: false, content: { '*/*': { schema: z.string().openapi({ format: 'binary', description: "The provider's event, exactly as it sends it" }) } } }
const answers = {
  200: {
    description: 'Verified. Handshakes (Slack `url_verification`, Zoom `endpoint.url_validation`, Asana `X-Hook-Secret` echoed in the same header, Notion `verification_token` with no body) are answered as the connector declares; other events are recorded for delivery as `provider.webhook` (or acknowledged and dropped when no connection matches) with an empty body.',
    content: { 'text/plain': { schema: z.string() }, 'application/json': { schema: z.record(z.string(), z.unknown()) } },
  },
  ...problems(401, 404, 409, 413),
}
const description =
  "Public: the provider calls it, no API key. The signature is checked as the integration's connector declares (`webhooks` in its definition) with the integration's webhook secret, its OAuth client secret, or the connection's own secret, before anything is parsed or stored. Bodies up to 1 MiB. 401 `webhook_signature_invalid` (with no body where the connector's `refusal` is `empty`: Xero), 404 `not_found`/`webhooks_not_supported`, 409 `webhook_secret_missing`, 409 `conflict` (a secret handshake, Asana's `X-Hook-Secret` or Notion's `verification_token`, offering another secret than the one the connection or integration holds; the first one is stored), 413 `payload_too_large`."

/**
 * Runs the service on the raw request and turns its answer into the response the provider gets.
 * The URL given to the signature check is Patchbay's public URL with this path and query.
 */
async function handle(c: Context<AppEnv>, integrationId: string, connectionId: string | undefined): Promise<Response> {
  const ctx = c.get('ctx')
  const url = new URL(c.req.url)
  const answer = await receiveProviderWebhook(ctx, {
    integrationId,
    connectionId,
    method: c.req.method,
    url: `${ctx.config.publicUrl}${url.pathname}${url.search}`,
    headers: Object.fromEntries(c.req.raw.headers),
    rawBody: new Uint8Array(await c.req.arrayBuffer()),
  })
  if (answer.outcome === 'handshake') return c.body(answer.body ?? '', 200, { 'content-type': answer.contentType ?? 'text/plain', ...answer.headers })
  // The connector asks for a bare 401 (Xero's "Intent to receive" wants no body).
  if (answer.outcome === 'refused') return c.body(null, 401)
  return c.body(null, 200)
}

/**
 * `POST /v1/webhooks/providers/{integrationId}` and `…/{integrationId}/{connectionId}`: public routes
 * providers call (services/provider-webhooks.ts; docs/decisions/0014-provider-webhooks.md).
 */
export const providerWebhookRoutes = router()
  .openapi(
    createRoute({
      tags,
      // Public: providers call it without an API key; the signature is the credential.
      security: [],
      method: 'post',
      path: '/v1/webhooks/providers/{integrationId}',
      summary: "Receive a provider's webhook for an integration; the connector's routing rule finds the connection (Slack's team_id…)",
      description,
      middleware: limit,
      request: { params: z.object({ integrationId: id }), body: rawBody },
      responses: answers,
    }),
    // Raw responses (empty, or the handshake's text): typed as the route's declared answers.
    (c) => handle(c, c.req.valid('param').integrationId, undefined) as never,
  )
  .openapi(
    createRoute({
      tags,
      // Public: providers call it without an API key; the signature is the credential.
      security: [],
      method: 'post',
      path: '/v1/webhooks/providers/{integrationId}/{connectionId}',
      summary: "Receive a provider's webhook for one connection of an integration (per-account endpoints, per-connection secrets)",
      description,
      middleware: limit,
      request: { params: z.object({ integrationId: id, connectionId: id }), body: rawBody },
      responses: answers,
    }),
    (c) => {
      const p = c.req.valid('param')
      return handle(c, p.integrationId, p.connectionId) as never
    },
  )
  // GET (and so HEAD, which Hono answers from GET handlers): providers that probe the URL when it
  // is saved (Intercom's HEAD request, https://developers.intercom.com/docs/webhooks/setting-up-webhooks).
  // Only the routed URL: no provider here probes a per-connection URL.
  .openapi(
    createRoute({
      tags,
      security: [],
      method: 'get',
      path: '/v1/webhooks/providers/{integrationId}',
      summary: 'Check a provider webhook URL (answers HEAD too): 200 with no body when the integration receives webhooks',
      description: 'Public, no API key. 404 `not_found` for an unknown or disabled integration, `webhooks_not_supported` for a connector without incoming webhooks.',
      request: { params: z.object({ integrationId: id }) },
      responses: { 200: { description: 'The URL receives webhooks' }, ...problems(404) },
    }),
    async (c) => {
      await checkProviderWebhookUrl(c.get('ctx'), c.req.valid('param').integrationId, undefined)
      return c.body(null, 200) as never
    },
  )
