/**
 * The entry of the fault tests' worker subprocess: the real worker (worker/main.ts) with the compressed
 * calendar of bench/lib/fast-worker.ts (DURA_BENCH_DAY_SECONDS), so that reminders fall due in seconds.
 *
 * One difference, in how the process starts, not in what it runs: run from the sources, the worker
 * bundles the workflow code with webpack at every start (~4 s of CPU here), and the chaos test restarts
 * it 50 times. The test bundles the same workflows once and passes the file in
 * DURA_FAULTS_WORKFLOW_BUNDLE; the SDK's bundler then answers with it (what `npm run build`'s prebuilt
 * bundle does in production).
 */
import * as fs from 'node:fs';
import { compressedCalendar } from '../../bench/lib/fast-worker';
import { main } from '../../worker/main';

const prebuilt = process.env.DURA_FAULTS_WORKFLOW_BUNDLE;
if (prebuilt) {
  const code = fs.readFileSync(prebuilt, 'utf8');
  // The module's own exports object (an `import *` would be a read-only copy): @temporalio/worker's
  // `bundleWorkflowCode` reads it from there at each call.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bundler = require('@temporalio/worker/lib/workflow/bundler') as { bundleWorkflowCode: unknown };
  bundler.bundleWorkflowCode = async () => ({ code });
}

const daySeconds = Number(process.env.DURA_BENCH_DAY_SECONDS ?? '1');
void main({ calendar: compressedCalendar(daySeconds) }).then((code) => process.exit(code));
