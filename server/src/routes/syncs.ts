import { createRoute, z } from '@hono/zod-openapi'
import { requireSecretKey } from '../middleware/auth'
import { getRun, listRuns, listSyncs, pauseSync, resumeSync, runOut, setSyncFrequency, syncsOut, triggerSync } from '../services/syncs'
import { router, secretKeySecurity } from './router'
import { body, json, Page, PageQuery, problems, Sync, SyncRun, SyncRunStatus, SyncTrigger, SyncUpdate } from './schemas'

const common = { tags: ['Syncs'], security: secretKeySecurity, middleware: requireSecretKey }
const ConnectionParam = z.object({ id: z.string().min(1).max(100) })
const SyncParam = ConnectionParam.extend({ sync: z.string().min(1).max(100) })

export const syncRoutes = router()
  .openapi(
    createRoute({ ...common, method: 'get', path: '/v1/connections/{id}/syncs', summary: "A connection's syncs: schedule, status and last run", request: { params: ConnectionParam }, responses: { 200: json(z.object({ data: z.array(Sync) })), ...problems(401, 404) } }),
    async (c) => {
      const ctx = c.get('ctx')
      const { loaded, syncs } = await listSyncs(ctx, c.get('secret').environmentId, c.req.valid('param').id)
      return c.json({ data: await syncsOut(ctx, loaded, syncs) }, 200)
    },
  )
  .openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/v1/connections/{id}/syncs/{sync}/trigger',
      summary: 'Run a sync now (returns the unfinished run if there is one)',
      request: { params: SyncParam, body: body(SyncTrigger) },
      responses: { 202: json(SyncRun, 'A new run was queued'), 200: json(SyncRun, 'A run was already queued or running'), ...problems(400, 401, 404, 409) },
    }),
    async (c) => {
      const { id, sync } = c.req.valid('param')
      const { run, created } = await triggerSync(c.get('ctx'), c.get('secret').environmentId, id, sync, c.req.valid('json'))
      return c.json(runOut(run), created ? 202 : 200)
    },
  )
  .openapi(
    createRoute({ ...common, method: 'post', path: '/v1/connections/{id}/syncs/{sync}/pause', summary: 'Pause a sync: no scheduled runs; its unfinished run is cancelled', request: { params: SyncParam }, responses: { 200: json(Sync), ...problems(401, 404) } }),
    async (c) => c.json(await oneSync(c.get('ctx'), c.get('secret').environmentId, c.req.valid('param'), 'pause'), 200),
  )
  .openapi(
    createRoute({ ...common, method: 'post', path: '/v1/connections/{id}/syncs/{sync}/resume', summary: 'Resume a paused sync (its next run starts within a minute)', request: { params: SyncParam }, responses: { 200: json(Sync), ...problems(401, 404) } }),
    async (c) => c.json(await oneSync(c.get('ctx'), c.get('secret').environmentId, c.req.valid('param'), 'resume'), 200),
  )
  .openapi(
    createRoute({ ...common, method: 'patch', path: '/v1/connections/{id}/syncs/{sync}', summary: "Change a sync's frequency for this connection", request: { params: SyncParam, body: body(SyncUpdate) }, responses: { 200: json(Sync), ...problems(400, 401, 404) } }),
    async (c) => {
      const ctx = c.get('ctx')
      const env = c.get('secret').environmentId
      const p = c.req.valid('param')
      await setSyncFrequency(ctx, env, p.id, p.sync, c.req.valid('json').frequency)
      return c.json(await oneSync(ctx, env, p), 200)
    },
  )
  .openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/v1/sync-runs',
      summary: 'Sync runs, newest first',
      request: { query: PageQuery.extend({ connectionId: z.string().max(100).optional(), sync: z.string().max(100).optional(), status: SyncRunStatus.optional() }) },
      responses: { 200: json(Page(SyncRun)), ...problems(400, 401) },
    }),
    async (c) => {
      const page = await listRuns(c.get('ctx'), c.get('secret').environmentId, c.req.valid('query'))
      return c.json({ data: page.data.map(runOut), nextCursor: page.nextCursor }, 200)
    },
  )
  .openapi(createRoute({ ...common, method: 'get', path: '/v1/sync-runs/{id}', summary: 'One sync run', request: { params: ConnectionParam }, responses: { 200: json(SyncRun), ...problems(401, 404) } }), async (c) =>
    c.json(runOut(await getRun(c.get('ctx'), c.get('secret').environmentId, c.req.valid('param').id)), 200),
  )

async function oneSync(ctx: Parameters<typeof listSyncs>[0], environmentId: string, p: { id: string; sync: string }, change?: 'pause' | 'resume') {
  if (change === 'pause') await pauseSync(ctx, environmentId, p.id, p.sync)
  if (change === 'resume') await resumeSync(ctx, environmentId, p.id, p.sync)
  const { loaded, syncs } = await listSyncs(ctx, environmentId, p.id)
  const [out] = await syncsOut(ctx, loaded, syncs.filter((s) => s.name === p.sync))
  return out!
}
