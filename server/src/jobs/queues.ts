/**
 * Every queue Patchbay runs, defined once for the server (`startServer`) and `patchbay worker`
 * (every process that sends to a queue must define it with the same options, ADR 0008).
 */
import type { AppContext } from '../context'
import { deliverWebhook } from '../services/webhook-delivery'
import { DELIVER_QUEUE, SWEEP_QUEUE, sweepWebhookDeliveries, type DeliverJob } from '../services/webhook-outbox'
import { runSyncSlice, SYNC_QUEUE, SYNC_SWEEP_QUEUE, type SyncJob } from '../services/sync-engine'
import { sweepSyncs } from '../services/syncs'
import type { JobEngine } from './engine'

export function defineQueues(engine: JobEngine, ctx: AppContext): void {
  // One attempt per job. Retries are scheduled by the handler (startAfter), so pg-boss's retry is
  // off; a handler that crashes leaves the delivery pending and the sweep queues it again.
  // `short` keyed by `<deliveryId>:<attempts>`: at most one queued job per pending attempt.
  // Deliveries run in parallel, also for one endpoint: no ordering guarantee (ADR 0009).
  engine.define<DeliverJob>(DELIVER_QUEUE, async ({ data }) => deliverWebhook(ctx, data.deliveryId), { concurrency: 10, policy: 'short', retryLimit: 0, expireInSeconds: 120 })
  engine.define(SWEEP_QUEUE, async () => void (await sweepWebhookDeliveries(ctx)), { concurrency: 1, policy: 'short', retryLimit: 0, expireInSeconds: 300 })
  // Sync slices (ADR 0010): `singleton` keyed by connection id, so one connection's syncs never run
  // at once across processes, while other connections' run in parallel. Retries are scheduled by
  // the handler from the run's state; a job of a dead worker expires and the sweep re-queues its run.
  engine.define<SyncJob>(SYNC_QUEUE, (job) => runSyncSlice(ctx, job), { concurrency: 4, policy: 'singleton', retryLimit: 0, expireInSeconds: ctx.config.sync.jobExpireSeconds })
  engine.define(SYNC_SWEEP_QUEUE, async () => void (await sweepSyncs(ctx)), { concurrency: 1, policy: 'short', retryLimit: 0, expireInSeconds: 300 })
}

/** Starts the engine (fetching jobs when `work`), schedules the sweeps every minute and runs them once now. */
export async function startJobs(ctx: AppContext, opts: { work: boolean }): Promise<void> {
  await ctx.jobs.start({ work: opts.work })
  await ctx.jobs.schedule(SWEEP_QUEUE, '* * * * *', {})
  await ctx.jobs.send(SWEEP_QUEUE, {})
  await ctx.jobs.schedule(SYNC_SWEEP_QUEUE, ctx.config.sync.sweepCron, {})
  await ctx.jobs.send(SYNC_SWEEP_QUEUE, {})
}
