import type { ChildProcess } from 'node:child_process'
/**
 * The small IPC protocol between the benchmark (`bench/proxy.ts`) and the processes it forks
 * (upstream, bare proxy, Patchbay). A child announces itself with `{ type: 'ready', ... }`, then
 * answers `{ type: 'cpu', id }` with its CPU time so far and exits on `{ type: 'stop' }` or when
 * the parent goes away.
 */

export type ParentMessage = { type: 'cpu'; id: number } | { type: 'stop' }
export type ChildMessage = { type: 'ready'; [k: string]: unknown } | { type: 'cpu'; id: number; usage: NodeJS.CpuUsage; requests?: number } | { type: 'error'; message: string }

/** Sends a message to the parent (no-op when not forked). */
export function toParent(msg: ChildMessage): void {
  process.send?.(msg)
}

/**
 * Answers CPU queries (with `requests()`, the number of requests served so far, when given) and runs
 * `stop` (then exits) on request or when the parent disconnects.
 */
export function serveParent(stop: () => Promise<void>, requests?: () => number): void {
  let stopping = false
  const shutdown = async () => {
    if (stopping) return
    stopping = true
    try {
      await stop()
    } finally {
      process.exit(0)
    }
  }
  process.on('message', (msg: ParentMessage) => {
    if (msg.type === 'cpu') toParent({ type: 'cpu', id: msg.id, usage: process.cpuUsage(), ...(requests ? { requests: requests() } : {}) })
    else if (msg.type === 'stop') void shutdown()
  })
  process.on('disconnect', () => void shutdown())
}

/**
 * Stops a child process: sends it its stop request, kills it with SIGKILL if it has not exited
 * after `graceMs` (ms), and resolves once it has exited. No-op for a child that already exited.
 */
export async function stopChild(proc: ChildProcess, request: () => void, graceMs = 5_000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  request()
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}
