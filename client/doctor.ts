/**
 * `dura doctor`: whether the engine can do its work, every part checked at once, so that a stopped
 * worker or a mail server that refuses dura is found by the access team before an agreement goes quiet.
 * Returns the findings as values; the command prints them and picks the exit code.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto'; // loaded by @temporalio/client anyway
import type { Config } from '../common/config';
import type { MailTransport } from '../activities/records/engine-settings';
import type { RecordsStore } from '../activities/records/store';
import { NOT_FOUND } from './grpc-unary';
import { inWords } from '../common/when';

export type Finding = 'ok' | 'warning' | 'problem';

export interface Check {
  /** temporal, workers, search-attributes, schedule, agreements, records, encryption, mail-queue, mail. */
  check: string;
  finding: Finding;
  detail: string;
}

/** A worker that polled within this long is taken as running (the server keeps pollers ~5 minutes). */
const POLLED_WITHIN_MS = 90_000;

/** What Temporal says: reachable, dura's workers polling, its search attributes, the weekly digest. */
export async function temporalChecks(config: Config, connect: () => Promise<Client>): Promise<Check[]> {
  let client: Client;
  try {
    client = await connect();
    await client.workflowService.describeNamespace({ namespace: config.TEMPORAL_NAMESPACE });
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    // Reached, but the namespace is not there: not the same fix as a server that does not answer.
    const noNamespace = (err as { code?: number }).code === NOT_FOUND;
    const skipped = ['workers', 'search-attributes', 'schedule', 'agreements'].map((check) => ({
      check,
      finding: 'problem' as const,
      detail: 'not checked (Temporal, above)',
    }));
    return [
      {
        check: 'temporal',
        finding: 'problem',
        detail: noNamespace
          ? `Temporal at ${config.TEMPORAL_ADDRESS} answers, but has no namespace ${config.TEMPORAL_NAMESPACE}: ` +
            "set TEMPORAL_NAMESPACE to the engine's (unset: default)"
          : (why?.startsWith('Temporal at') ? why : `Temporal at ${config.TEMPORAL_ADDRESS}: ${why}`) +
            " (is the engine running, and are TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE the engine's?)",
      },
      ...skipped,
    ];
  }
  const at = `${config.TEMPORAL_ADDRESS}, namespace ${config.TEMPORAL_NAMESPACE}`;
  return [
    { check: 'temporal', finding: 'ok', detail: at },
    ...(await Promise.all([
      guarded('workers', () => workersCheck(client, config)),
      guarded('search-attributes', () => searchAttributesCheck(client, config)),
      guarded('schedule', () => scheduleCheck(client)),
      guarded('agreements', () => overdueCheck(client)),
    ])),
  ];
}

/** A check that could not be made (refused, a search attribute missing) is a problem, said as such. */
async function guarded(check: string, run: () => Promise<Check>): Promise<Check> {
  try {
    return await run();
  } catch (err) {
    const why = ((err as Error).message || String(err)).split('\n')[0];
    return { check, finding: 'problem', detail: `could not be checked: ${why}` };
  }
}

/** How late a reminder may be before an agreement is taken as not moving (timers fire within seconds). */
const REMINDER_LATE_MS = 60 * 60_000;

/**
 * Agreements in process whose next reminder is an hour or more past: each workflow moves that date on
 * when it sends the reminder, so one that stays behind is not moving (no worker, mail failing for
 * hours, or its workflow task failing: a history its code cannot replay). One visibility query.
 */
async function overdueCheck(client: Client): Promise<Check> {
  const before = new Date(Date.now() - REMINDER_LATE_MS).toISOString();
  const query = `WorkflowType='agreementWorkflow' AND ExecutionStatus='Running' AND DuraNextReminderAt < '${before}'`;
  const { count } = await client.workflow.count(query);
  if (count === 0)
    return { check: 'agreements', finding: 'ok', detail: 'none an hour or more past its reminder' };
  const ids: string[] = [];
  for await (const w of client.workflow.list({ query, pageSize: 5 })) if (ids.push(w.workflowId) >= 5) break;
  return {
    check: 'agreements',
    finding: 'problem',
    detail:
      `${count} an hour or more past its next reminder (${ids.join(', ')}${count > ids.length ? ', …' : ''}): ` +
      'not moving; see the workers and mail above, and `temporal workflow describe -w <id>` for a failing ' +
      'workflow task (README, "Reliability")',
  };
}

/** Workers polling dura's task queue for workflow and for activity tasks, seen lately. */
async function workersCheck(client: Client, config: Config): Promise<Check> {
  const queue = config.DURA_TASK_QUEUE;
  const pollers = async (type: number) => {
    const answer = await client.workflowService.describeTaskQueue({
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: { name: queue },
      taskQueueType: type,
    });
    const now = Date.now();
    return (answer.pollers ?? []).filter((p) => {
      const seconds = Number(p.lastAccessTime?.seconds ?? 0);
      return now - seconds * 1000 <= POLLED_WITHIN_MS;
    });
  };
  const types = temporal.api.enums.v1.TaskQueueType;
  const [workflows, activities] = await Promise.all([
    pollers(types.TASK_QUEUE_TYPE_WORKFLOW),
    pollers(types.TASK_QUEUE_TYPE_ACTIVITY),
  ]);
  if (workflows.length === 0 || activities.length === 0) {
    const missing = workflows.length === 0 ? 'workflow' : 'activity';
    return {
      check: 'workers',
      finding: 'problem',
      detail:
        `no worker polls task queue ${queue} for ${missing} tasks: no reminder, message or deadline ` +
        'moves until one runs (`npm start`; the production profile: `npm run production:up`; compose: the dura-worker service)',
    };
  }
  const builds = new Set(workflows.map((p) => p.workerVersionCapabilities?.buildId).filter(Boolean));
  const processes = new Set(workflows.map((p) => p.identity));
  return {
    check: 'workers',
    finding: 'ok',
    detail: `${processes.size} polling task queue ${queue}${builds.size ? ` (${[...builds].join(', ')})` : ''}`,
  };
}

async function searchAttributesCheck(client: Client, config: Config): Promise<Check> {
  const { allSearchAttributes } = await import('../workflows/search-attributes');
  const { customAttributes } = await client.connection.operatorService.listSearchAttributes({
    namespace: config.TEMPORAL_NAMESPACE,
  });
  const missing = allSearchAttributes.map((k) => k.name).filter((n) => !(n in (customAttributes ?? {})));
  if (missing.length === 0)
    return { check: 'search-attributes', finding: 'ok', detail: `${allSearchAttributes.length} registered` };
  return {
    check: 'search-attributes',
    finding: 'problem',
    detail: `${missing.join(', ')} not registered in namespace ${config.TEMPORAL_NAMESPACE}: agreements cannot start (README, "Production")`,
  };
}

async function scheduleCheck(client: Client): Promise<Check> {
  const { DIGEST_SCHEDULE_ID } = await import('./schedule');
  const { ScheduleNotFoundError } = await import('@temporalio/client');
  try {
    const d = await client.schedule.getHandle(DIGEST_SCHEDULE_ID).describe();
    if (d.state.paused)
      return {
        check: 'schedule',
        finding: 'warning',
        detail: `the weekly digest is paused (${d.state.note ?? 'no note'}): \`dura schedule resume\``,
      };
    const next = d.info.nextActionTimes[0];
    // In New York words with UTC beside, as `dura schedule show` gives it.
    const { runTime, runTimeText } = await import('./schedule-view');
    return {
      check: 'schedule',
      finding: 'ok',
      detail: `the weekly digest${next ? ` runs next ${runTimeText(runTime(next))}` : ''}`,
    };
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
    return { check: 'schedule', finding: 'warning', detail: 'no weekly digest: `dura schedule ensure`' };
  }
}

/** What the records say: reachable, the workers' encryption as this dura's, messages being retried. */
/**
 * Whether the records can be written now: a transaction that takes the write lock and writes nothing.
 * SQLite begins it IMMEDIATE with no busy wait (better-sqlite3 waits synchronously, which would stall
 * doctor's Temporal checks beside it: a recheck saw "Temporal down"), tried again for 5 s between
 * turns of the event loop; PostgreSQL takes the lock an INSERT takes on `emails`, waiting at most 5 s.
 * The database's own words when it cannot, else null.
 */
async function writeLockProblem(store: RecordsStore, databaseUrl: string): Promise<string | null> {
  const { isSqlite } = await import('../activities/records/db');
  const { sql } = await import('kysely');
  const sqlite = isSqlite(databaseUrl);
  if (sqlite) await sql`PRAGMA busy_timeout = 0`.execute(store.db);
  const until = Date.now() + 5_000;
  for (;;) {
    try {
      await store.db.transaction().execute(async (trx) => {
        if (sqlite) return;
        await sql`SET LOCAL lock_timeout = '5s'`.execute(trx);
        await sql`LOCK TABLE emails IN ROW EXCLUSIVE MODE`.execute(trx);
      });
      return null;
    } catch (err) {
      const busy = sqlite && (err as { code?: string }).code?.startsWith('SQLITE_BUSY');
      if (!busy || Date.now() >= until) return ((err as Error).message || String(err)).split('\n')[0]!;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export async function recordsChecks(
  config: Config,
  open: () => Promise<RecordsStore>,
): Promise<{ checks: Check[]; mailTransport: MailTransport | null; unreachable?: true }> {
  const { describeDatabase } = await import('../activities/records/db');
  let store: RecordsStore;
  try {
    store = await open();
  } catch (err) {
    const skipped = ['encryption', 'mail-queue'].map((check) => ({
      check,
      finding: 'problem' as const,
      detail: 'not checked (the records, above)',
    }));
    const records: Check = { check: 'records', finding: 'problem', detail: (err as Error).message };
    return { checks: [records, ...skipped], mailTransport: null, unreachable: true };
  }
  try {
    // Opening is not writing: a write lock held elsewhere stops every message and record (a trial's
    // `sqlite3` shell in BEGIN EXCLUSIVE: the workers failed each write while this said ok).
    const locked = await writeLockProblem(store, config.DATABASE_URL);
    const { engineEncryptionProblem } = await import('./engine-encryption');
    const encryption = await engineEncryptionProblem(store.db, config);
    const retrying = await store.db
      .selectFrom('emails')
      .select(['agreement_id', 'created_at'])
      .where('state', '=', 'sending')
      .where('attempts', '>', 1)
      .orderBy('created_at')
      .execute();
    const agreements = [...new Set(retrying.map((r) => r.agreement_id))];
    const { mailTransportOf } = await import('../activities/records/engine-settings');
    const checks: Check[] = [
      locked
        ? {
            check: 'records',
            finding: 'problem',
            detail:
              `${describeDatabase(config.DATABASE_URL)}: cannot be written: ${locked} (another process holds ` +
              'its write lock; messages and records wait until it lets go)',
          }
        : { check: 'records', finding: 'ok', detail: describeDatabase(config.DATABASE_URL) },
      encryption
        ? { check: 'encryption', finding: 'problem', detail: encryption }
        : { check: 'encryption', finding: 'ok', detail: 'the workers can read what this dura writes' },
      retrying.length === 0
        ? { check: 'mail-queue', finding: 'ok', detail: 'no message waiting for a retry' }
        : {
            check: 'mail-queue',
            finding: 'warning',
            detail:
              `${retrying.length} message(s) being retried, the oldest since ${inWords(retrying[0]!.created_at)}, for ` +
              `${agreements.slice(0, 3).join(', ')}${agreements.length > 3 ? ', …' : ''}: \`dura status ` +
              `${agreements[0]}\` says why`,
          },
    ];
    return { checks, mailTransport: await mailTransportOf(store.db) };
  } finally {
    await store.close();
  }
}
