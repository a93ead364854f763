// Fault 1: 200 agreements in flight while the worker is `kill -9`'d at random moments, at least 50 times,
// and started again each time. The dev server keeps its state in a SQLite file (WAL), the worker is the
// real one (a subprocess, compressed calendar: a day lasts 10 s), mail goes over SMTP to a sink.
// Afterwards every agreement is where the access team drove it, and the sink holds every message the
// agreements' histories say they sent, each once, to the right person.
import { strict as assert } from 'node:assert';
import { newYorkDate } from '../../common/when';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import type { Client } from '@temporalio/client';
import type { AgreementStatus } from '../../common/agreement';
import { agreementIdFrom } from '../../common/agreement-target';
import {
  chaosLoop,
  duplicateLimit,
  judgeDuplicate,
  mailWindow,
  seededRandom,
  sendActivities,
  type Duplicate,
} from '../helpers/chaos';
import { describeRuns, duraCli, requestsCsv, type DuraRun } from '../helpers/access-team';
import { devServerProcess, type DevServerProcess } from '../helpers/dev-server-process';
import { compareWithSink, countByKind, expectedMessages } from '../helpers/expected-mail';
import {
  expectedRegistrationMessages,
  failedRegistrationMail,
  sendingWorkflowId,
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
import {
  agreementRef,
  inBatches,
  patiently,
  publishedStage,
  queryStatus,
  type Patience,
} from '../helpers/patient-client';
import { wallClock } from '../helpers/wall-time';

const AGREEMENTS = 200;
const MIN_KILLS = 50;
const ACCESS_TEAM = 'access@aou.example.org';

describe('fault: the worker kill -9’d at random, 200 agreements in flight', function () {
  this.timeout(15 * 60_000);
  const wall = wallClock('worker-chaos');
  const seed = Number(process.env.DURA_FAULTS_SEED ?? Date.now() % 1_000_000_007);
  let dir: string;
  let server: DevServerProcess;
  let sink: FaultSink;
  let client: Client;
  let last: FastWorker | undefined;

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-fault-chaos-'));
    sink = await startFaultSink();
    server = await devServerProcess(dir);
    await server.start();
    client = await server.client();
  });

  after(async function () {
    await last?.stop();
    await server?.stop();
    await sink?.close();
    keepOrRemove(dir, this.currentTest?.state === 'failed');
    wall.report();
  });

  it('every agreement reaches its stage; every expected message arrived, none twice but in the mailer’s window', async () => {
    const random = seededRandom(seed);
    const queue = 'fault-chaos';
    const common = {
      TEMPORAL_ADDRESS: server.address,
      DURA_TASK_QUEUE: queue,
      DATABASE_URL: `sqlite:${dir}/dura.sqlite`,
    };
    const workerEnv = {
      ...common,
      SMTP_URL: sink.url,
      ACCESS_TEAM_EMAIL: ACCESS_TEAM,
      DURA_BENCH_DAY_SECONDS: '10',
      DURA_FAULTS_WORKFLOW_BUNDLE: await prebuiltBundle(dir),
      DURA_LOG_LEVEL: 'info', // its `polling` line tells the chaos loop it is up
    };
    const domains = Array.from({ length: AGREEMENTS }, (_, i) => `c${i}.chaos.example.edu`);
    // Half are executed, a quarter cancelled, a quarter left awaiting signature (reminders every 140 s).
    const toExecute = domains.slice(0, AGREEMENTS / 2);
    const toCancel = domains.slice(AGREEMENTS / 2, (AGREEMENTS * 3) / 4);
    const waiting = domains.slice((AGREEMENTS * 3) / 4);
    const patience: Patience = { retries: 0, reasons: new Map() };
    const csv = path.join(dir, 'requests.csv');
    fs.writeFileSync(csv, requestsCsv(domains));

    // The access team works as it does every day, through `dura` (subprocesses): it imports the 200
    // requests, then executes half and cancels a quarter, while the worker dies at random and is started
    // again. Each command rides out the churn on its own (client/update-retry.ts: one update id for all
    // its tries, up to 2 min, one line on stderr while it waits) and must end with exit 0, applied once.
    const first = startFastWorker(workerEnv, dir);
    await first.polling;
    const acted: number[] = [];
    let importing = true;
    let started = 0; // agreements the import has started so far (the chaos loop's sign of progress)
    const chaos = chaosLoop({
      start: () => startFastWorker(workerEnv, dir),
      random,
      minKills: MIN_KILLS,
      calmWanted: () => importing || acted.length < toExecute.length + toCancel.length,
      progress: () => started + acted.length,
      first,
    });
    let imported: DuraRun | undefined;
    let importEnded = 0;
    const runs: DuraRun[] = [];
    const drive = async () => {
      const importRun = duraCli(['import', csv, '--json', '--concurrency', '16'], common);
      while (importing) {
        const done = await Promise.race([importRun, new Promise((r) => setTimeout(r, 2000))]);
        started = (await client.workflow.count()).count;
        if (done) importing = false;
      }
      imported = await importRun;
      importEnded = Date.now();
      assert.equal(imported.status, 0, `dura import: ${imported.err}`);
      assert.deepEqual(JSON.parse(imported.out).outcomes, { started: AGREEMENTS });
      const today = newYorkDate(); // a signing date is a New York date
      await inBatches([...toExecute, ...toCancel], 8, async (domain) => {
        const handle = client.workflow.getHandle(`dura-${domain}`);
        // The access team acts on agreements the way they appear: once initiated.
        for (let i = 0; (await publishedStage(handle)) !== 'awaiting-signature'; i++) {
          assert.ok(i < 600, `${domain} was never initiated`);
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        const [name, ...flags] = toExecute.includes(domain)
          ? ['execute', '--on', today, '--document', `D-${domain}`]
          : ['cancel', '--reason', 'fault test'];
        const run = await duraCli([name!, domain, ...flags], common);
        runs.push(run);
        assert.equal(run.status, 0, `dura ${name} ${domain}: ${run.err}`);
        assert.ok(run.waited.length <= 1, run.err);
        // Applied once, however many tries reached the server.
        const history = await handle.fetchHistory();
        const applied = history.events!.filter(
          (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === name,
        );
        assert.equal(applied.length, 1, `${domain}: ${name} applied ${applied.length} times`);
        acted.push(Date.now());
      });
    };
    // The chaos ends after its kills whether or not the team is done; a last worker, left alone, serves
    // what remains and lets every agreement settle.
    const driving = drive().catch(async (err: unknown) => {
      await chaos.abort();
      throw err;
    });
    driving.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    await chaos.finish();
    const chaosEnded = Date.now();
    last = startFastWorker(workerEnv, dir);
    await driving;
    console.log(
      `    the access team's dura: import of ${AGREEMENTS} (${importEnded < chaosEnded ? 'ended during' : 'outlasted'} the chaos): ` +
        `${describeRuns([imported!])}; execute/cancel: ${describeRuns(runs)}`,
    );
    assert.deepEqual(chaos.selfExits, [], `workers ended by themselves:\n${workerLogTail(dir)}`);
    assert.ok(chaos.kills.length >= MIN_KILLS);
    await last.polling;
    const statuses = new Map<string, AgreementStatus>();
    const refs = new Map<string, string>();
    await inBatches([...toExecute, ...toCancel], 12, async (domain) => {
      const handle = client.workflow.getHandle(`dura-${domain}`);
      refs.set(domain, await agreementRef(handle));
      await patiently(client, patience, () => handle.result(), { totalMs: 240_000 });
      // Closed: the whole status, history included, from the query (the result has no history).
      statuses.set(domain, await queryStatus(client, patience, handle.workflowId));
    });
    const waitingStatuses = () =>
      inBatches(waiting, 12, async (domain) => {
        refs.set(
          domain,
          refs.get(domain) ?? (await agreementRef(client.workflow.getHandle(`dura-${domain}`))),
        );
        const status = await queryStatus(client, patience, `dura-${domain}`);
        statuses.set(domain, status);
        return status;
      });

    for (const d of toExecute) assert.equal(statuses.get(d)!.stage, 'completed', d);
    for (const d of toCancel) assert.equal(statuses.get(d)!.stage, 'cancelled', d);
    // Every waiting agreement is initiated: its package out. Nothing here waited for that (the access
    // team acted on the others only once initiated), and a package whose sendEmail a kill lost twice
    // goes out after two 1-minute activity timeouts and their retries' backoff (CI, stop 28: attempt 3
    // was pending as the test ended). So they get 240 s from when the last worker polls, as below.
    for (const initiatedBy = Date.now() + 240_000; ;) {
      const waitingStill = (await waitingStatuses()).filter((s) => s.stage !== 'awaiting-signature');
      if (waitingStill.length === 0) break;
      assert.ok(
        Date.now() < initiatedBy,
        `not initiated 240 s after the chaos: ${waitingStill.map((s) => `${s.agreementId} (${s.stage})`).join(', ')}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    // Every waiting agreement sends its first reminder once it falls due. One the chaos held up (a late
    // initiation, a workflow task lost with a killed worker and timed out) may still have it ahead or
    // in flight, so each gets until its due time plus 240 s: a task timeout and an activity's retry,
    // and the retry of the status update due a moment before it, which the agreement sends first (README,
    // "Reliability": a reminder can queue behind an update).
    for (;;) {
      const late = (await waitingStatuses()).filter((s) => s.remindersSent === 0);
      const overdue = late.filter((s) => Date.now() > Date.parse(s.nextReminderAt!) + 240_000);
      assert.deepEqual(
        overdue.map((s) => `${s.agreementId}: no reminder sent (due ${s.nextReminderAt})`),
        [],
      );
      if (late.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }

    // The mail: what every history says was sent (taken before and after reading the sink, since the
    // waiting quarter keeps sending) against what arrived, once every e-mail row has an outcome.
    const records = new Database(path.join(dir, 'dura.sqlite'), { readonly: true });
    // The executed half's registrations (issue 18) nudge their requesters meanwhile, then stall.
    const registrationRefs = new Map<string, string>();
    let registrations: TrackedRegistration[] = [];
    const refreshRegistrations = async () =>
      (registrations = await trackedRegistrations(client, statuses.values(), registrationRefs, patience));
    const expectedNow = () => [
      ...domains.flatMap((d) => expectedMessages(statuses.get(d)!, refs.get(d)!, ACCESS_TEAM)),
      ...registrations.flatMap((r) => expectedRegistrationMessages(r, ACCESS_TEAM)),
    ];
    for (const deadline = Date.now() + 240_000; ;) {
      await waitingStatuses();
      await refreshRegistrations();
      const before = expectedNow();
      const arrived = [...sink.messages];
      const sending = records.prepare("SELECT count(*) AS n FROM emails WHERE state = 'sending'").get() as {
        n: number;
      };
      await waitingStatuses();
      await refreshRegistrations();
      const missing = compareWithSink(before, arrived).missing;
      const { unexpected, misaddressed } = compareWithSink(expectedNow(), arrived);
      const report =
        `${missing.length} missing (${JSON.stringify(countByKind(missing))}), ${unexpected.length} unexpected ` +
        `(${JSON.stringify(countByKind(unexpected))}), ${misaddressed.length} misaddressed, ${sending.n} e-mail rows still sending`;
      if (missing.length + unexpected.length + misaddressed.length + sending.n === 0) break;
      assert.ok(Date.now() < deadline, `the mail never matched the histories: ${report}`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    for (const s of statuses.values())
      assert.ok(!s.history.some((h) => h.event === 'email-failed'), `${s.agreementId}: an e-mail failed`);
    assert.deepEqual(failedRegistrationMail(registrations), [], 'a registration’s e-mail failed');

    // A duplicate is excused only as the mailer's one window (helpers/chaos.ts, judgeDuplicate): a kill
    // from 50 ms before to 40 ms after its first copy's 250, the second copy from Temporal's retry of the
    // activity (its history), two attempts in the ledger, and no more than three such in a run.
    const found: Duplicate[] = [];
    for (const [messageId, copies] of sink.duplicates()) {
      const row = records
        .prepare(
          'SELECT idempotency_key AS key, agreement_id AS agreementId, attempts FROM emails WHERE message_id = ?',
        )
        .get(messageId) as { key: string; agreementId: string; attempts: number } | undefined;
      const sender = row && sendingWorkflowId(row.key, agreementIdFrom(row.agreementId), registrations);
      const sends = row ? await sendActivities(client, sender!, row.key) : [];
      found.push({ messageId, copies, ledgerAttempts: row?.attempts, sends });
    }
    const window = mailWindow(
      sink.messages,
      records
        .prepare("SELECT message_id AS messageId, sent_at AS sentAt FROM emails WHERE state = 'sent'")
        .all() as { messageId: string; sentAt: string }[],
    );
    records.close();
    const duplicates = found.map((d) => judgeDuplicate(d, chaos.kills));
    const polling = chaos.kills.filter((k) => k.polling).length;
    console.log(
      `    seed ${seed}: ${chaos.kills.length} kills (${polling} while polling, ${chaos.kills.length - polling} while starting); ` +
        `${acted.filter((t) => t < chaosEnded).length} of ${acted.length} updates acknowledged during the chaos; ` +
        `${patience.retries} calls retried ${JSON.stringify(Object.fromEntries(patience.reasons!))}; ${sink.resets()} SMTP connections broken off; ${sink.messages.length} messages arrived ${JSON.stringify(countByKind(sink.messages))}; ` +
        `${duplicates.length} duplicate(s)${duplicates.length ? `: ${JSON.stringify(duplicates)}` : ''}; ${window}`,
    );
    assert.deepEqual(
      duplicates.filter((d) => d.problems.length),
      [],
      'a message arrived twice outside the mailer’s window',
    );
    const kills = new Set(duplicates.map((d) => d.killAt)).size;
    const { limit, why } = duplicateLimit(fs.readFileSync(path.join(dir, 'worker.log'), 'utf8'));
    assert.ok(
      duplicates.length <= limit,
      `${duplicates.length} duplicates from ${kills} kills, each in the window: more than ${limit} ` +
        `(${why}) means it has widened`,
    );
  });
});
