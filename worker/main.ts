/**
 * The dura worker: runs the agreement workflows and their activities on DURA_TASK_QUEUE.
 * Configuration comes from the environment (common/config.ts); bad values stop it with one line each,
 * before anything starts. Logs are pino JSON lines on stdout (worker/logging.ts).
 */
import * as fs from 'node:fs';
import { NativeConnection, Worker } from '@temporalio/worker';
import { dataConverterFor, payloadEncryptionFor } from '../common/codec';
import { ConfigError, loadConfig, type Config } from '../common/config';
import { variableNameProblems } from '../common/env-names';
import { temporalConnectionOptions } from '../common/temporal-connection';
import { createActivities, LinkKeyError } from '../activities';
import { describeDatabase, isSqlite, sqlitePath } from '../activities/records/db';
import { recordMailTransport, recordPayloadEncryption } from '../activities/records/engine-settings';
import { mailTransportFor } from '../activities/mail/deliver';
import type { CalendarActivities, CalendarTableActivities } from '../activities/interfaces';
import type { MailThreadPriority } from '../activities/mail/mail-thread';
import { mailSettings } from '../activities/mail/settings';
import { createLogger, describeError, type Pino } from './logging';
import { installRuntime, metricsUrl, watchShutdownSignals } from './runtime';
import { workflowCode } from './workflow-code';

// Past the grace time the SDK cancels activities in flight, but dura's do not stop (an e-mail in
// flight finishes or times out); past this margin too, the SDK gives up on them and the process exits 1.
// The server retries them on another worker. A process manager's kill timeout should exceed both.
const FORCE_MARGIN_SECONDS = 5;

/**
 * The mail thread's priority, logged for the first thread only (another starts if one dies).
 * Not raised, a crash is likelier to fall between a server's 250 and its record (mail-thread.ts).
 */
function onceAMailThread(log: Pino): (priority: MailThreadPriority) => void {
  let told = false;
  return (priority) => {
    if (told) return;
    told = true;
    if (priority.raised) log.info({ nice: priority.nice }, 'mail thread at a raised priority');
    else
      log.warn(
        { nice: priority.nice, refused: priority.refused },
        'mail thread at normal priority (the system refused to raise it): the worker runs as before, but a crash ' +
          'is likelier to fall between the mail server accepting a message and its record, which sends that ' +
          'message again; allow nice -14 with `ulimit -e 34` (systemd LimitNICE=34, compose ulimits nice: 34) ' +
          'or CAP_SYS_NICE',
      );
  };
}

/** A start-up failure said in one line, naming what could not be reached (the cause kept for the log). */
class StartupError extends Error {}

async function run(config: Config, log: Pino, options: WorkerOverrides): Promise<void> {
  const connection = await NativeConnection.connect(temporalConnectionOptions(config)).catch(
    (err: unknown) => {
      throw new StartupError(`cannot reach Temporal at ${config.TEMPORAL_ADDRESS}: ${connectProblem(err)}`, {
        cause: err,
      });
    },
  );
  try {
    const made = newSqliteFile(config.DATABASE_URL);
    const dura = await createActivities(config, {
      dataDir: config.DURA_DATA_DIR,
      onMailThread: onceAMailThread(log),
    }).catch((err: unknown) => {
      throw new StartupError(
        err instanceof LinkKeyError
          ? err.message
          : `cannot reach the records database ${describeDatabase(config.DATABASE_URL)}: ${(err as Error).message}`,
        { cause: err },
      );
    });
    // A mistyped DATABASE_URL or DURA_DATA_DIR would run every agreement against empty records.
    if (made)
      log.warn(
        { database: describeDatabase(config.DATABASE_URL) },
        'made a new, empty records database: if the engine keeps its records elsewhere, stop and set DATABASE_URL or DURA_DATA_DIR',
      );
    // What the clients must match to write what this worker can read (client/engine-encryption.ts).
    await recordPayloadEncryption(dura.store.db, payloadEncryptionFor(config));
    // Where it sends mail, for `dura doctor` (no credentials).
    await recordMailTransport(dura.store.db, mailTransportFor(config));
    try {
      const code = await workflowCode(log);
      const worker = await Worker.create({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.DURA_TASK_QUEUE,
        workflowBundle: code.bundle,
        buildId: code.buildId,
        activities: { ...dura.activities, ...options.calendar },
        dataConverter: dataConverterFor(config),
        maxCachedWorkflows: config.DURA_WORKER_CACHE,
        // An agreement cached on a worker that died goes to another after this long (SDK default 10 s).
        stickyQueueScheduleToStartTimeout: `${config.DURA_STICKY_TIMEOUT_SECONDS} seconds`,
        shutdownGraceTime: `${config.DURA_SHUTDOWN_GRACE_SECONDS} seconds`,
        shutdownForceTime: `${config.DURA_SHUTDOWN_GRACE_SECONDS + FORCE_MARGIN_SECONDS} seconds`,
      });
      const running = worker.run(); // the runtime stops it on SIGINT/SIGTERM
      log.info(
        {
          taskQueue: config.DURA_TASK_QUEUE,
          namespace: config.TEMPORAL_NAMESPACE,
          address: config.TEMPORAL_ADDRESS,
          cacheSize: config.DURA_WORKER_CACHE,
          graceSeconds: config.DURA_SHUTDOWN_GRACE_SECONDS,
          stickyTimeoutSeconds: config.DURA_STICKY_TIMEOUT_SECONDS,
          metricsUrl: metricsUrl(config),
          workflowCode: code.source,
          buildId: code.buildId,
        },
        'polling',
      );
      await running;
    } finally {
      await dura.close();
    }
  } finally {
    await connection.close();
  }
}

/** Whether the records are an SQLite file not there yet (the worker makes and migrates it). */
function newSqliteFile(databaseUrl: string): boolean {
  return isSqlite(databaseUrl) && !fs.existsSync(sqlitePath(databaseUrl));
}

/** The Rust core's transport error in words a person reads; anything else as it is. */
function connectProblem(err: unknown): string {
  const message = (err as Error)?.message ?? String(err);
  if (/ConnectionRefused|Connection refused/.test(message)) return 'connection refused';
  if (/dns error|failed to lookup address/i.test(message)) return 'no such host';
  if (/timed out|deadline/i.test(message)) return 'timed out';
  return message;
}

/**
 * Every bad variable at once, the mailer's links included, before anything starts; with the near
 * misses of variable names to warn of once logging is set up.
 */
function loadWorkerConfig(): { config: Config; nearMisses: string[] } {
  const problems: string[] = [];
  const collect = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
    }
  };
  const names = variableNameProblems(process.env);
  problems.push(...names.unknown);
  const config = collect(() => loadConfig());
  if (config) collect(() => temporalConnectionOptions(config)); // TLS files readable and PEM
  collect(() => mailSettings());
  if (problems.length || !config) throw new ConfigError(problems);
  return { config, nearMisses: names.nearMisses };
}

/**
 * Benchmarks and fault tests run this same worker with a compressed calendar (bench/lib/fast-worker.ts),
 * so that a fortnight's reminder falls due in seconds; production never passes overrides.
 */
export interface WorkerOverrides {
  calendar?: CalendarActivities & CalendarTableActivities;
}

export async function main(options: WorkerOverrides = {}): Promise<number> {
  let config: Config;
  let nearMisses: string[];
  try {
    ({ config, nearMisses } = loadWorkerConfig());
  } catch (err) {
    console.error(err instanceof ConfigError ? err.problems.join('\n') : String(err));
    return 1;
  }
  const log = createLogger(config.DURA_LOG_LEVEL);
  for (const line of nearMisses) log.warn(line);
  let signals = { received: 0 };
  try {
    installRuntime(config, log);
    signals = watchShutdownSignals(log, config.DURA_SHUTDOWN_GRACE_SECONDS);
    await run(config, log, options);
    log.info('stopped');
    return 0;
  } catch (err) {
    // What could not be reached, in one line (the full error stays in the log line's `error`).
    if (err instanceof StartupError) {
      log.error({ error: describeError(err.cause) }, err.message);
      return 1;
    }
    const what = signals.received ? 'stopped with work still in flight' : 'worker failed';
    log.error({ error: describeError(err) }, what);
    return 1;
  }
}

if (require.main === module) void main().then((code) => process.exit(code));
