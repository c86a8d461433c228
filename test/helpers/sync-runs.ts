/**
 * Sync-run helpers for end-to-end sync tests against a {@link TestApp}: trigger a run through the
 * API and wait for it to finish; wait for the run a scheduler sweep started.
 */
import { expect } from 'vitest'
import type { TestApp } from '../../server/src/testing'

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
const FINISHED = ['succeeded', 'failed', 'cancelled']

/**
 * `POST /v1/connections/{id}/syncs/{sync}/trigger` with `body` (expects 202), then polls
 * `GET /v1/sync-runs/{runId}` every 25 ms (15 s at most) until the run has finished.
 * @returns the finished run as the API shows it.
 */
export async function triggerRun(t: TestApp, connectionId: string, sync: string, body: Record<string, unknown> = {}): Promise<{ status: string; [k: string]: unknown }> {
  const res = await t.call('POST', `/v1/connections/${connectionId}/syncs/${sync}/trigger`, { body })
  expect(res.status).toBe(202)
  const { id } = (await res.json()) as { id: string }
  for (let i = 0; i < 600; i++) {
    const run = (await (await t.call('GET', `/v1/sync-runs/${id}`)).json()) as { status: string; [k: string]: unknown }
    if (FINISHED.includes(run.status)) return run
    await sleep(25)
  }
  throw new Error(`run ${id} did not finish`)
}

type SyncLike = { name: string; lastRun: { id: string; status: string } | null }

/** The sync `name` of a connection as `GET /v1/connections/{id}/syncs` shows it (expects 200). */
export async function getSync<S extends SyncLike>(t: TestApp, connectionId: string, name: string): Promise<S> {
  const res = await t.call('GET', `/v1/connections/${connectionId}/syncs`)
  expect(res.status).toBe(200)
  return ((await res.json()) as { data: S[] }).data.find((s) => s.name === name)!
}

/**
 * Polls {@link getSync} every 25 ms (15 s at most) until the sync `name` has a finished last run
 * other than `previousRunId` (any finished run when null).
 * @returns the sync as the API shows it.
 */
export async function finishedSync<S extends SyncLike>(t: TestApp, connectionId: string, name: string, previousRunId: string | null): Promise<S> {
  for (let i = 0; i < 600; i++) {
    const s = await getSync<S>(t, connectionId, name)
    if (s.lastRun && s.lastRun.id !== previousRunId && FINISHED.includes(s.lastRun.status)) return s
    await sleep(25)
  }
  throw new Error(`no run of ${name} finished`)
}
