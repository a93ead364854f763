// Fault 2: the Temporal dev server `kill -9`'d mid-run and started again on the same SQLite file (WAL)
// and port. Agreements wait on timers (the real worker with a compressed calendar: a reminder and a
// status update fall due 28 s after initiation) that come due while the server is down; some were
// executed just before the kill. After the restart every timer fires, late but once, and every
// agreement is still there with everything it was told.
import { strict as assert } from 'node:assert';
import { newYorkDate } from '../../common/when';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import { requestAgreement } from '../../client/agreements';
import type { AgreementStatus } from '../../common/agreement';
import { executeUpdate, statusQuery } from '../../workflows/messages';
import { aRequest } from '../helpers/agreements';
import { devServerProcess, type DevServerProcess } from '../helpers/dev-server-process';
import { compareWithSink, countByKind, expectedMessages } from '../helpers/expected-mail';
import {
  expectedRegistrationMessages,
  failedRegistrationMail,
  trackedRegistrations,
  type TrackedRegistration,
} from '../helpers/expected-registration-mail';
import { startFaultSink, type FaultSink } from '../helpers/fault-sink';
import {
  keepOrRemove,
  prebuiltBundle,
  startFastWorker,
  workerLogTail,
  type FastWorker,
} from '../helpers/fast-worker-process';
import { agreementRef, inBatches, patiently, type Patience } from '../helpers/patient-client';
import { until } from '../helpers/wait';
import { wallClock } from '../helpers/wall-time';

const AGREEMENTS = 20;
const EXECUTED = 5;
const DOWN_MS = 20_000;
const ACCESS_TEAM = 'access@aou.example.org';

describe('fault: the dev server kill -9’d mid-run, restarted on its SQLite file', function () {
  this.timeout(5 * 60_000);
  const wall = wallClock('server-restart');
  const queue = 'fault-server';
  let dir: string;
  let server: DevServerProcess;
  let sink: FaultSink;
  let client: Client;
  let worker: FastWorker;

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-fault-server-'));
    sink = await startFaultSink();
    server = await devServerProcess(dir);
    await server.start();
    client = await server.client();
    worker = startFastWorker(
      {
        TEMPORAL_ADDRESS: server.address,
        DURA_TASK_QUEUE: queue,
        DATABASE_URL: `sqlite:${dir}/dura.sqlite`,
        SMTP_URL: sink.url,
        ACCESS_TEAM_EMAIL: ACCESS_TEAM,
        DURA_BENCH_DAY_SECONDS: '2', // a reminder 28 s after initiation: time to set up, even on a busy machine
        DURA_FAULTS_WORKFLOW_BUNDLE: await prebuiltBundle(dir),
      },
      dir,
    );
    await worker.polling;
  });

  after(async function () {
    await worker?.stop();
    await server?.stop();
    await sink?.close();
    keepOrRemove(dir, this.currentTest?.state === 'failed');
    wall.report();
  });

  it('every timer that fell due while it was down fires after the restart; nothing is lost', async () => {
    const patience: Patience = { retries: 0 };
    const requests = Array.from({ length: AGREEMENTS }, () =>
      aRequest({ receivedAt: new Date().toISOString() }),
    );
    const ids = requests.map((r) => `dura-${r.institution.domain}`);
    await inBatches(requests, 5, (r) => requestAgreement(client, r, { taskQueue: queue }));
    const status = (id: string) =>
      patiently(client, patience, () => client.workflow.getHandle(id).query(statusQuery));
    await until(
      async () => (await Promise.all(ids.map(status))).every((s) => s.initiatedAt !== null),
      60_000,
    );

    // Five are executed, acknowledged; at once, with timers pending for all, the server is killed.
    const today = newYorkDate(); // a signing date is a New York date
    const executed = ids.slice(0, EXECUTED);
    for (const id of executed)
      await client.workflow.getHandle(id).executeUpdate(executeUpdate, { args: [{ signedOn: today }] });
    const waiting = await Promise.all(ids.slice(EXECUTED).map(status));
    const dueBefore = Math.max(...waiting.map((s) => Date.parse(s.nextReminderAt!)));
    await server.kill();
    const killedAt = Date.now();
    assert.ok(dueBefore > killedAt, 'the reminders fell due before the kill: nothing to prove');
    // Down until every reminder and status update has fallen due.
    await new Promise((resolve) => setTimeout(resolve, Math.max(DOWN_MS, dueBefore - killedAt + 2000)));
    const restartedAt = Date.now();
    await server.start();

    // The same agreements, found by visibility (read from the file) and by id.
    let counted: number | string = 'nothing yet';
    await until(
      async () => {
        // Agreements only: an executed one may already have started its registrations' workflows.
        counted = await client.workflow
          .count(`TaskQueue = '${queue}' AND WorkflowType = 'agreementWorkflow'`)
          .then((c) => c.count)
          .catch((err: Error) => err.message);
        return counted === AGREEMENTS;
      },
      60_000,
      () => `visibility counts ${counted} of the ${AGREEMENTS} agreements, 60 s after the restart`,
    );
    const statuses = new Map<string, AgreementStatus>();
    const refresh = () =>
      inBatches(ids, 5, async (id) => {
        statuses.set(id, await status(id));
      });
    // Every pending timer fired: each waiting agreement sent its first reminder and status update,
    // after the restart (they were due while the server was down).
    await until(async () => {
      await refresh();
      // By the history: the counter moves a moment before the entry is written.
      return ids
        .slice(EXECUTED)
        .every((id) => statuses.get(id)!.history.some((h) => h.event === 'reminder-sent'));
    }, 90_000);
    for (const id of ids.slice(EXECUTED)) {
      const history = statuses.get(id)!.history;
      const first = history.find((h) => h.event === 'reminder-sent')!;
      assert.ok(Date.parse(first.at) >= restartedAt, `${id}: reminder #1 at ${first.at}, before the restart`);
      assert.ok(
        history.some((h) => h.event === 'status-update-sent'),
        `${id}: no status update`,
      );
    }
    for (const id of executed)
      assert.equal(
        (await client.workflow.getHandle(id).result()).stage,
        'completed',
        `${id} lost its execution`,
      );

    // Every message the histories name arrived once; nothing else did.
    const refs = new Map(
      await Promise.all(
        ids.map(async (id) => [id, await agreementRef(client.workflow.getHandle(id))] as const),
      ),
    );
    // The executed agreements' registrations (issue 18) nudge on their compressed clock meanwhile.
    const registrationRefs = new Map<string, string>();
    let registrations: TrackedRegistration[] = [];
    const expectedNow = async () => {
      await refresh();
      registrations = await trackedRegistrations(client, statuses.values(), registrationRefs, patience);
      return [
        ...ids.flatMap((id) => expectedMessages(statuses.get(id)!, refs.get(id)!, ACCESS_TEAM)),
        ...registrations.flatMap((r) => expectedRegistrationMessages(r, ACCESS_TEAM)),
      ];
    };
    let report = '';
    await until(async () => {
      const before = await expectedNow();
      const arrived = [...sink.messages];
      const after = await expectedNow();
      const { missing } = compareWithSink(before, arrived);
      const { unexpected, misaddressed } = compareWithSink(after, arrived);
      report = `missing ${JSON.stringify(countByKind(missing))}, unexpected ${JSON.stringify(countByKind(unexpected))}`;
      return missing.length + unexpected.length + misaddressed.length === 0;
    }, 60_000).catch(() => assert.fail(`the mail never matched the histories: ${report}`));
    assert.deepEqual([...sink.duplicates().keys()], [], 'a message arrived twice');
    for (const s of statuses.values())
      assert.ok(!s.history.some((h) => h.event === 'email-failed'), `${s.agreementId}: an e-mail failed`);
    assert.deepEqual(failedRegistrationMail(registrations), [], 'a registration’s e-mail failed');
    const exit = await Promise.race([worker.exited, Promise.resolve(null)]);
    assert.equal(exit, null, `the worker did not survive the server's absence:\n${workerLogTail(dir)}`);
    console.log(
      `    server down ${((restartedAt - killedAt) / 1000).toFixed(1)} s; ${sink.messages.length} messages ` +
        `${JSON.stringify(countByKind(sink.messages))}; ${patience.retries} calls retried`,
    );
  });
});
