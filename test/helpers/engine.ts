/**
 * dura's real parts for one test file: a Temporal server (time-skipping or dev), the real activities
 * on a temporary SQLite file or a throwaway PostgreSQL server, mail to an SMTP sink on 127.0.0.1, and a
 * worker that runs until the file ends. Registers its own before/after hooks.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities, type DuraActivities } from '../../activities';
import { loadConfig } from '../../common/config';
import { workflowsPath } from './workflows-path';
import { createWorker, taskQueue } from './env';
import { startSmtp, type TestSmtp } from './mail';
import { startPostgres } from './postgres';

/** The records database a test file runs on. */
export type TestDatabase = 'sqlite' | 'postgres';
export const TEST_DATABASES: readonly TestDatabase[] = ['sqlite', 'postgres'];

export interface Engine {
  env: TestWorkflowEnvironment;
  smtp: TestSmtp;
  dura: DuraActivities;
  queue: string;
  database: TestDatabase;
  /** The environment a CLI subprocess needs to reach this engine. */
  cliEnv: NodeJS.ProcessEnv;
}

export function realEngine(
  server: () => Promise<TestWorkflowEnvironment>,
  extraEnv: NodeJS.ProcessEnv = {},
  database: TestDatabase = 'sqlite',
): Engine {
  const engine = { queue: taskQueue('engine'), database } as Engine;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let dir: string;
  let stopDatabase: () => Promise<void> = async () => undefined;
  before(async function () {
    this.timeout(120_000);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-engine-'));
    let databaseUrl = `sqlite:${dir}/dura.sqlite`;
    if (database === 'postgres') {
      const postgres = await startPostgres();
      databaseUrl = postgres.url;
      stopDatabase = () => postgres.stop();
    }
    engine.smtp = await startSmtp();
    engine.env = await server();
    engine.cliEnv = {
      TEMPORAL_ADDRESS: engine.env.address,
      DURA_TASK_QUEUE: engine.queue,
      DATABASE_URL: databaseUrl,
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
    this.timeout(120_000);
    worker?.shutdown();
    await running;
    await engine.env?.teardown();
    await engine.dura?.close();
    await engine.smtp?.close();
    await stopDatabase();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return engine;
}
