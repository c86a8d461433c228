/**
 * Every queue Patchbay runs, defined once for the server (`startServer`) and `patchbay worker`
 * (every process that sends to a queue must define it with the same options, ADR 0008).
 */
import type { AppContext } from '../context'
import { deliverWebhook } from '../services/webhook-delivery'
import { DELIVER_QUEUE, SWEEP_QUEUE, sweepWebhookDeliveries, type DeliverJob } from '../services/webhook-outbox'
import type { JobEngine } from './engine'

export function defineQueues(engine: JobEngine, ctx: AppContext): void {
  // One attempt per job. Retries are scheduled by the handler (startAfter), so pg-boss's retry is
  // off; a handler that crashes leaves the delivery pending and the sweep queues it again.
  // `short` keyed by `<deliveryId>:<attempts>`: at most one queued job per pending attempt.
  // Deliveries run in parallel, also for one endpoint: no ordering guarantee (ADR 0009).
  engine.define<DeliverJob>(DELIVER_QUEUE, async ({ data }) => deliverWebhook(ctx, data.deliveryId), { concurrency: 10, policy: 'short', retryLimit: 0, expireInSeconds: 120 })
  engine.define(SWEEP_QUEUE, async () => void (await sweepWebhookDeliveries(ctx)), { concurrency: 1, policy: 'short', retryLimit: 0, expireInSeconds: 300 })
}

/** Starts the engine (fetching jobs when `work`), schedules the sweep every minute and runs one now. */
export async function startJobs(ctx: AppContext, opts: { work: boolean }): Promise<void> {
  await ctx.jobs.start({ work: opts.work })
  await ctx.jobs.schedule(SWEEP_QUEUE, '* * * * *', {})
  await ctx.jobs.send(SWEEP_QUEUE, {})
}
