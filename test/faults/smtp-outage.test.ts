// Fault 3: the mail server refuses connections for a simulated hour, then comes back on the same port.
// Time-skipping server, the real activities in the test's worker (records on SQLite, then on
// PostgreSQL; the mailer over SMTP). During the hour a reminder and a status update fall due, an agreement is executed and a new
// one is requested; every one of their messages waits, is retried with backoff, and arrives once.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, type Worker } from '@temporalio/worker';
import { createActivities, type DuraActivities } from '../../activities';
import { requestAgreement } from '../../client/agreements';
import type { AgreementRequest } from '../../common/agreement';
import { loadConfig } from '../../common/config';
import { executeUpdate, statusQuery } from '../../workflows/messages';
import { aRequest, workflowsPath } from '../helpers/agreements';
import { createWorker, taskQueue, timeSkippingEnv } from '../helpers/env';
import { compareWithSink, countByKind, expectedMessages } from '../helpers/expected-mail';
import { startFaultSink, type FaultSink, type SinkMessage } from '../helpers/fault-sink';
import { freePort } from '../helpers/mail';
import { TEST_DATABASES } from '../helpers/engine';
import { startPostgres } from '../helpers/postgres';
import { until } from '../helpers/wait';
import { wallClock } from '../helpers/wall-time';

const ACCESS_TEAM = 'access@aou.example.org';
const MINUTE = 60_000;

for (const database of TEST_DATABASES)
  describe(`fault: SMTP refuses connections for a simulated hour, then comes back (records on ${database})`, function () {
    this.timeout(5 * MINUTE);
    const wall = wallClock(`smtp-outage on ${database}`);
    const queue = taskQueue('fault-smtp');
    let env: TestWorkflowEnvironment;
    let dura: DuraActivities;
    let worker: Worker | undefined;
    let running: Promise<void> | undefined;
    let dir: string;
    let port: number;
    const sinks: FaultSink[] = [];
    let failedAttempts = 0;
    let restoreLog = () => {};
    let stopDatabase = async () => {};

    before(async function () {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-fault-smtp-'));
      port = await freePort();
      sinks.push(await startFaultSink(port));
      env = await timeSkippingEnv();
      // Each failed try is an SDK warning with a stack: counted here, not printed by the dozen.
      const logger = Runtime.instance().logger;
      const log = logger.log.bind(logger);
      logger.log = (level, message, meta) => {
        if (level === 'WARN' && message === 'Activity failed') failedAttempts++;
        else log(level, message, meta);
      };
      restoreLog = () => void (logger.log = log);
      let databaseUrl = `sqlite:${dir}/dura.sqlite`;
      if (database === 'postgres') {
        const postgres = await startPostgres();
        databaseUrl = postgres.url;
        stopDatabase = () => postgres.stop();
      }
      const config = loadConfig({
        DATABASE_URL: databaseUrl,
        SMTP_URL: `smtp://127.0.0.1:${port}`,
        ACCESS_TEAM_EMAIL: ACCESS_TEAM,
      });
      dura = await createActivities(config, { dataDir: dir, env: {} });
      worker = await createWorker(env, { taskQueue: queue, workflowsPath, activities: dura.activities });
      running = worker.run();
    });

    after(async function () {
      worker?.shutdown();
      await running;
      await env?.teardown();
      restoreLog();
      await dura?.close();
      for (const sink of sinks) await sink.close();
      await stopDatabase();
      fs.rmSync(dir, { recursive: true, force: true });
      wall.report();
    });

    it('every message waits out the outage and is delivered once when the server is back', async () => {
      const arrived = (): SinkMessage[] => sinks.flatMap((s) => s.messages);
      const now = async () => new Date(await env.currentTimeMs()).toISOString();
      const handle = (r: AgreementRequest) => env.client.workflow.getHandle(`dura-${r.institution.domain}`);

      // Before: the mail server is up; A and B are requested and initiated (2 messages each: the
      // package, then one message telling the requester both, patch one-first-mail).
      const a = aRequest({ receivedAt: await now() });
      const b = aRequest({ receivedAt: await now() });
      for (const r of [a, b]) await requestAgreement(env.client, r, { taskQueue: queue });
      await until(() => arrived().length === 4);

      // Two weeks on, 20 minutes before B's first reminder, the server goes away: its port refuses.
      const { nextReminderAt } = await handle(b).query(statusQuery);
      await env.sleep(Date.parse(nextReminderAt!) - (await env.currentTimeMs()) - 20 * MINUTE);
      await sinks[0]!.close();
      const down = await now();
      const c = aRequest({ receivedAt: down });
      await requestAgreement(env.client, c, { taskQueue: queue });
      // The access team records A's execution: acknowledged at once, its messages wait for the server.
      const signedOn = down.slice(0, 10);
      const executed = await handle(a).executeUpdate(executeUpdate, { args: [{ signedOn }] });
      assert.equal(executed.stage, 'executed');

      await env.sleep(60 * MINUTE);
      assert.equal(arrived().length, 4);
      const waiting = await dura.store.emails({ state: 'sending' });
      // A's "executed", B's status update and reminder, C's package (its requester's message waits for
      // it): each tried again and again. B's reminder is due a moment after its update (initiation came
      // after triage) unless both moved to 09:00 on the next business day: it then waits behind the
      // update, as the agreement sends what is due in turn, and goes out after it.
      const { reminder = 0, ...others } = countByKind(waiting);
      assert.deepEqual(others, { executed: 1, 'initiation-package': 1, 'status-update': 1 });
      assert.ok(reminder <= 1, `${reminder} reminders waiting`);
      for (const row of waiting)
        assert.ok(row.attempts >= 5, `${row.kind}: only ${row.attempts} attempts in the hour`);

      // The server is back where it was. The longest wait between tries is 30 minutes.
      sinks.push(await startFaultSink(port));
      await env.sleep(35 * MINUTE);
      const statuses = async () => Promise.all([a, b, c].map((r) => handle(r).query(statusQuery)));
      const expected = async () => {
        const all = await statuses();
        const refs = await Promise.all([a, b, c].map(async (r) => (await handle(r).describe()).runId));
        return all.flatMap((s, i) => expectedMessages(s, refs[i]!, ACCESS_TEAM));
      };
      // A's instructions, C's initiation package and its requester's message follow in real time once the
      // first got through.
      await until(async () => {
        const { missing, unexpected } = compareWithSink(await expected(), arrived());
        return (
          missing.length === 0 && unexpected.length === 0 && (await statuses())[0]!.stage === 'completed'
        );
      }, 60_000);

      const { missing, unexpected, misaddressed, duplicates } = compareWithSink(await expected(), arrived());
      assert.deepEqual([missing, unexpected, misaddressed, [...duplicates]], [[], [], [], []]);
      const after = sinks[1]!.messages;
      assert.deepEqual(countByKind(after), {
        executed: 1,
        'initiation-package': 1,
        'registration-instructions': 1,
        reminder: 1,
        'request-received': 1, // C's: received and sent, in one message
        'status-update': 1, // B's fortnightly update
      });
      const [finalA, finalB, finalC] = await statuses();
      assert.equal(finalA!.stage, 'completed');
      assert.equal(finalB!.remindersSent, 1);
      assert.equal(finalC!.stage, 'awaiting-signature');
      for (const s of [finalA!, finalB!, finalC!])
        assert.ok(!s.history.some((h) => h.event === 'email-failed'), `${s.agreementId}: a message failed`);
      const rows = await dura.store.emails();
      assert.ok(rows.every((r) => r.state === 'sent'));
      assert.equal(rows.length, arrived().length);
      console.log(
        `    ${failedAttempts} failed send attempts while the server was away; ${arrived().length} messages, each once`,
      );
    });
  });
