/**
 * Preloaded into the real dura worker (`node --require lib/bench/lib/worker-tuning.js
 * lib/worker/main.js`) to try SDK worker options that dura's configuration does not expose, so a
 * tuning is measured before anyone proposes it for worker/main.ts. DURA_BENCH_WORKER_OPTIONS is a JSON
 * object merged over what worker/main.ts passes to Worker.create, e.g. {"workflowThreadPoolSize":2}.
 * Benchmarks only; production never loads this.
 */
import * as path from 'node:path';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { repoRoot } from './paths';

/** Only numeric options that change capacity, never behaviour. */
const ALLOWED = new Set([
  'workflowThreadPoolSize',
  'maxConcurrentWorkflowTaskExecutions',
  'maxConcurrentWorkflowTaskPolls',
  'maxConcurrentLocalActivityExecutions',
  'maxConcurrentActivityTaskExecutions',
  'nonStickyToStickyPollRatio',
]);

export function workerTuning(text: string | undefined): Partial<WorkerOptions> {
  if (!text) return {};
  const parsed = JSON.parse(text) as Record<string, unknown>;
  for (const [key, value] of Object.entries(parsed))
    if (!ALLOWED.has(key) || typeof value !== 'number')
      throw new Error(`DURA_BENCH_WORKER_OPTIONS: ${key} is not one of ${[...ALLOWED].join(', ')} with a number`);
  return parsed as Partial<WorkerOptions>;
}

/** startWorkers' nodeArgs that preload the compiled tuning into a worker. */
export const tuningArgs = (): string[] => ['--require', path.join(repoRoot, 'lib', 'bench', 'lib', 'worker-tuning.js')];

// worker/main.ts calls Worker.create once, on this same CommonJS module instance.
if (process.env.DURA_BENCH_WORKER_OPTIONS) {
  const extra = workerTuning(process.env.DURA_BENCH_WORKER_OPTIONS);
  const create = Worker.create.bind(Worker);
  Worker.create = (options: WorkerOptions) => create({ ...options, ...extra });
}
