// Parent ↔ worker messages for the benchmarks that run parts of a region in
// their own processes, as production does: the parent asks (`ask`), a worker
// answers (`serve`); a worker may also tell the parent things unasked (`tell`).
import { type ChildProcess, fork } from 'node:child_process';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

interface Question {
  askId: number;
  cmd: string;
  args?: unknown;
}

interface Answer {
  askId: number;
  answer?: unknown;
  error?: string;
}

let nextAskId = 1;

/**
 * Starts a TypeScript worker (through tsx) with these env vars; resolves once
 * it says it is ready. `BENCH_WORKER_NODE_FLAGS` (e.g. `--trace-gc --cpu-prof`) is passed to each worker's node.
 */
export async function startWorker(file: URL, env: Record<string, string>): Promise<ChildProcess> {
  const flags = (process.env.BENCH_WORKER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = fork(file, [], { execArgv: [...flags, '--import', 'tsx'], env: { ...process.env, ...env } });
  await new Promise<void>((resolve, reject) => {
    const onMessage = (m: { ready?: boolean }) => {
      if (!m.ready) return;
      child.off('message', onMessage);
      resolve();
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`${file.pathname} exited with ${code}`)));
  });
  return child;
}

export function ask<T>(child: ChildProcess, cmd: string, args?: unknown): Promise<T> {
  const askId = nextAskId++;
  return new Promise((resolve, reject) => {
    const onMessage = (m: Answer) => {
      if (m.askId !== askId) return;
      child.off('message', onMessage);
      if (m.error) reject(new Error(`${cmd}: ${m.error}`));
      else resolve(m.answer as T);
    };
    child.on('message', onMessage);
    child.send({ askId, cmd, args } satisfies Question);
  });
}

/** Event-loop delay in ms since the last reset: how long work waited for the process's one thread. */
export interface EventLoopDelay {
  p50: number;
  p99: number;
  max: number;
}

export function eventLoopDelay(h: IntervalHistogram): EventLoopDelay {
  return { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
}

/**
 * In a worker: answers questions with these handlers, and tells the parent it
 * is ready. Every worker also answers `eventLoop` (its delay since the last
 * `eventLoopReset`).
 */
export function serve(handlers: Record<string, (args: unknown) => unknown>): void {
  const delay = monitorEventLoopDelay({ resolution: 2 });
  delay.enable();
  const all: Record<string, (args: unknown) => unknown> = {
    ...handlers,
    eventLoop: () => eventLoopDelay(delay),
    eventLoopReset: () => delay.reset(),
  };
  process.on('message', async (q: Question) => {
    const handler = all[q.cmd];
    try {
      if (!handler) throw new Error(`no command ${q.cmd}`);
      process.send?.({ askId: q.askId, answer: await handler(q.args) } satisfies Answer);
    } catch (err) {
      process.send?.({ askId: q.askId, error: String(err) } satisfies Answer);
    }
  });
  process.send?.({ ready: true });
}

/** In a worker: a message the parent did not ask for (it listens with `child.on('message')`). */
export function tell(message: Record<string, unknown>): void {
  process.send?.(message);
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}
