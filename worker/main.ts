/**
 * The dura worker: runs the agreement workflows and their activities on DURA_TASK_QUEUE.
 * Configuration comes from the environment (common/config.ts); bad values stop it with one line each.
 */
import * as fs from 'node:fs';
import { NativeConnection, Worker } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../common/config';
import { createActivities } from '../activities';
import { WORKFLOW_BUNDLE } from '../scripts/bundle-workflows';

// Bounded: a cached agreement costs memory; an evicted one is rebuilt from history when it next wakes.
const MAX_CACHED_AGREEMENTS = 2000;

async function main(): Promise<void> {
  const config = loadConfig();
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const dura = await createActivities(config);
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.DURA_TASK_QUEUE,
    // Bundled by `npm run build`; bundling here instead costs a second or two of webpack at start.
    ...(fs.existsSync(WORKFLOW_BUNDLE)
      ? { workflowBundle: { codePath: WORKFLOW_BUNDLE } }
      : { workflowsPath: require.resolve('../workflows') }),
    activities: dura.activities,
    maxCachedWorkflows: MAX_CACHED_AGREEMENTS,
    shutdownGraceTime: '10 seconds',
  });
  console.log(`dura worker: polling ${config.DURA_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS}`);
  try {
    await worker.run(); // the SDK stops it gracefully on SIGINT/SIGTERM
  } finally {
    await dura.close();
    await connection.close();
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.problems.join('\n'));
  else console.error(`dura worker: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
