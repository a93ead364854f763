/**
 * dura's real parts for one test file: a Temporal server (time-skipping or dev), the real activities
 * on a temporary SQLite file, mail to an SMTP sink on 127.0.0.1, and a worker that runs until the file
 * ends. Registers its own before/after hooks.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities, type DuraActivities } from '../../activities';
import { loadConfig } from '../../common/config';
import { workflowsPath } from './agreements';
import { createWorker, taskQueue } from './env';
import { startSmtp, type TestSmtp } from './mail';

export interface Engine {
  env: TestWorkflowEnvironment;
  smtp: TestSmtp;
  dura: DuraActivities;
  queue: string;
  /** The environment a CLI subprocess needs to reach this engine. */
  cliEnv: NodeJS.ProcessEnv;
}

export function realEngine(
  server: () => Promise<TestWorkflowEnvironment>,
  extraEnv: NodeJS.ProcessEnv = {},
): Engine {
  const engine = { queue: taskQueue('engine') } as Engine;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let dir: string;
  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-engine-'));
    engine.smtp = await startSmtp();
    engine.env = await server();
    engine.cliEnv = {
      TEMPORAL_ADDRESS: engine.env.address,
      DURA_TASK_QUEUE: engine.queue,
      DATABASE_URL: `sqlite:${dir}/dura.sqlite`,
    };
    const config = loadConfig({ ...engine.cliEnv, ...extraEnv, SMTP_URL: engine.smtp.url });
    engine.dura = await createActivities(config, { dataDir: dir, env: {} });
    worker = await createWorker(engine.env, {
      taskQueue: engine.queue,
      workflowsPath,
      activities: engine.dura.activities,
    });
    running = worker.run();
  });
  after(async function () {
    worker?.shutdown();
    await running;
    await engine.env?.teardown();
    await engine.dura?.close();
    await engine.smtp?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return engine;
}
