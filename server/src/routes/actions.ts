/**
 * Connector actions: `POST /v1/actions/{name}` runs one for a connection; `GET /v1/action-runs`
 * and `GET /v1/action-runs/{id}` show the runs. See services/actions.ts for idempotency.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { requireSecretKey } from '../middleware/auth'
import { actionFailedError, getActionRun, listActionRuns, runAction, type ActionRunRow } from '../services/actions'
import { router, secretKeySecurity } from './router'
import { ActionRun, ActionRunCreate, ActionRunResult, ActionRunStatus, body, json, Page, PageQuery, problems } from './schemas'

const common = { tags: ['Actions'], security: secretKeySecurity, middleware: requireSecretKey }

const NameParam = z.object({ name: z.string().min(1).max(100).openapi({ description: "The action's name in the connection's connector", example: 'create_contact' }) })
const IdParam = z.object({ id: z.string().min(1).max(100) })
const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x20-\x7e]+$/, 'printable ASCII')
    .optional()
    .openapi({
      description:
        'Makes the request safe to repeat (draft-ietf-httpapi-idempotency-key-header): a repeat with the same key and input returns the stored result (`replayed: true`) instead of acting twice. Scoped to the connection and action. Either a plain value or a Structured Field string (`"…"`).',
      example: '8e03978e-40d5-43e8-bc93-6894a57f9324',
    }),
})

/**
 * The key of an `Idempotency-Key` header: the draft defines it as a Structured Field string
 * (RFC 8941 §3.3.3, `"…"` with `\"` and `\\` escapes); most APIs (Stripe) take the bare value. Both
 * are accepted, and `"abc"` is the same key as `abc`.
 */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const m = /^"((?:[^"\\]|\\["\\])*)"$/.exec(header)
  const key = m ? m[1]!.replace(/\\(["\\])/g, '$1') : header
  return key === '' ? undefined : key
}

/** The public view of an action run. */
export function actionRunOut(r: ActionRunRow): z.infer<typeof ActionRun> {
  return {
    id: r.id,
    connectionId: r.connectionId,
    action: r.action,
    status: r.status,
    idempotencyKey: r.idempotencyKey,
    providerStatus: r.providerStatus,
    output: r.output ?? null,
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt ? r.finishedAt.toISOString() : null,
  }
}

export const actionRoutes = router()
  .openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/v1/actions/{name}',
      summary: "Run a connector action for a connection (a write to the provider, e.g. create_contact)",
      description:
        "200 when the provider accepted it (2xx). When the provider refused it, a `502 action_failed` problem with `actionRunId`, `providerStatus` and `output` (the provider's body). With an `Idempotency-Key`, a repeat replays the stored result (header `Idempotent-Replayed: true`).",
      request: { params: NameParam, headers: IdempotencyHeaders, body: body(ActionRunCreate) },
      responses: { 200: json(ActionRunResult), ...problems(400, 401, 404, 409, 413, 422, 429, 502) },
    }),
    async (c) => {
      const { connectionId, input, record } = c.req.valid('json')
      const result = await runAction(c.get('ctx'), c.get('secret').environmentId, {
        connectionId,
        action: c.req.valid('param').name,
        input,
        record,
        idempotencyKey: parseIdempotencyKey(c.req.valid('header')['idempotency-key']),
      })
      if (result.run.status !== 'succeeded') throw actionFailedError(result)
      if (result.replayed) c.header('idempotent-replayed', 'true')
      return c.json({ ...actionRunOut(result.run), replayed: result.replayed }, 200)
    },
  )
  .openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/v1/action-runs',
      summary: 'List action runs, newest first',
      request: { query: PageQuery.extend({ connectionId: z.string().max(100).optional(), action: z.string().max(100).optional(), status: ActionRunStatus.optional() }) },
      responses: { 200: json(Page(ActionRun)), ...problems(400, 401) },
    }),
    async (c) => {
      const page = await listActionRuns(c.get('ctx'), c.get('secret').environmentId, c.req.valid('query'))
      return c.json({ data: page.data.map(actionRunOut), nextCursor: page.nextCursor }, 200)
    },
  )
  .openapi(createRoute({ ...common, method: 'get', path: '/v1/action-runs/{id}', summary: 'Get an action run', request: { params: IdParam }, responses: { 200: json(ActionRun), ...problems(401, 404) } }), async (c) =>
    c.json(actionRunOut(await getActionRun(c.get('ctx'), c.get('secret').environmentId, c.req.valid('param').id)), 200),
  )
