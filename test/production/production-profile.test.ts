// The production profile (README, "Production"): the real Temporal server on PostgreSQL, dura's records on
// the same PostgreSQL, three worker processes and `dura web`, brought up by scripts/production.sh
// (test/helpers/production-runner.ts). The workers run the compressed calendar (a day lasts
// DAY_SECONDS), mail goes over SMTP to the test's sink. 200 agreements go through their lifecycles as the
// access team drives them with `dura`: imported, half executed, a quarter cancelled, a quarter left
// awaiting signature getting reminders. Mid-run one worker is `kill -9`'d (and not restarted: the other two
// carry on, as after a host is lost) and the Temporal server is restarted once; at the end `up` again
// starts the killed worker, and only it.
//
// Must hold: every agreement reaches its stage; every message the histories name arrived, to the right
// person, none twice outside the mailer's window; every history replays (the `after` hook);
// `dura list --stage S --json` lists what the official `temporal workflow list --query` lists; the digest
// schedule, ensured and triggered, sends one digest. Printed: the hand-over, how long `dura execute` of
// an agreement cached on the killed worker took.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import type { AgreementStatus } from '../../common/agreement';
import { agreementIdFrom } from '../../common/agreement-target';
import { newYorkDate } from '../../common/when';
import { DuraStage } from '../../workflows/search-attributes';
import { temporalCliPath } from '../../scripts/tools';
import { describeRuns, duraCli, requestsCsv, type DuraRun } from '../helpers/access-team';
import { duplicateLimit, judgeDuplicate, sendActivities, type Duplicate, type Kill } from '../helpers/chaos';
import { compareWithSink, countByKind, expectedMessages } from '../helpers/expected-mail';
import {
  expectedRegistrationMessages,
  failedRegistrationMail,
  sendingWorkflowId,
  trackedRegistrations,
  type TrackedRegistration,
} from '../helpers/expected-registration-mail';
import { workflowBundle } from '../helpers/env';
import { keepOrRemove } from '../helpers/fast-worker-process';
import { startFaultSink, type FaultSink } from '../helpers/fault-sink';
import {
  agreementRef,
  inBatches,
  patiently,
  publishedStage,
  queryStatus,
  type Patience,
} from '../helpers/patient-client';
import { startProduction, type ProductionRunner } from '../helpers/production-runner';
import { assertEveryHistoryReplays } from '../helpers/replay-all';
import { wallClock } from '../helpers/wall-time';
import { workflowsPath } from '../helpers/workflows-path';

const root = path.join(__dirname, '..', '..');

const AGREEMENTS = 200;
const WORKERS = 3;
/**
 * A reminder every 14 days: 84 s, so that the waiting quarter (imported first) gets its first within the
 * run, and the others, acted on sooner, mostly none: at 3 s every agreement sent a reminder and a status
 * update every 42 s while the team worked, and the run took 9 minutes.
 */
const DAY_SECONDS = 6;
const ACCESS_TEAM = 'access@aou.example.org';
/** The team's commands at once (each a `dura` process). */
const LANES = 6;
/** The incidents, by the number of the team's commands done: the kill, then the server's restart. */
const KILL_AFTER = 30;
const RESTART_AFTER = 90;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('production profile: the real Temporal server on PostgreSQL, 3 workers, 200 agreements', function () {
  this.timeout(15 * 60_000);
  const wall = wallClock('production-profile');
  let dir: string;
  let sink: FaultSink;
  let production: ProductionRunner | undefined;
  let connection: Connection | undefined;
  let client: Client;
  let records: PgClient | undefined;

  const timings: string[] = [];
  const timed = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    const at = Date.now();
    try {
      return await work();
    } finally {
      timings.push(`${what} ${((Date.now() - at) / 1000).toFixed(1)} s`);
    }
  };

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-production-profile-'));
    // The replay's bundle of today's workflow code, made while the stack comes up (mostly waiting).
    workflowBundle(workflowsPath).catch(() => undefined);
    sink = await startFaultSink();
    production = await timed('up', () =>
      startProduction({
        workers: WORKERS,
        workerEntry: 'test/helpers/fast-worker-entry.ts',
        keep: true, // removed in `after` unless the test failed
        env: {
          SMTP_URL: sink.url,
          ACCESS_TEAM_EMAIL: ACCESS_TEAM,
          DURA_BENCH_DAY_SECONDS: String(DAY_SECONDS),
          // The bundle `up` builds before it starts the workers (again whenever a source is newer), as
          // production's workers load it; without it each worker would run webpack (fast-worker-entry.ts).
          DURA_FAULTS_WORKFLOW_BUNDLE: path.join(root, 'lib', 'workflow-bundle.js'),
        },
      }),
    );
    connection = await Connection.connect({ address: production.temporalAddress });
    client = new Client({ connection });
    records = new PgClient({ connectionString: production.databaseUrl });
    await records.connect();
  });

  after(async function () {
    const failed = this.currentTest?.state === 'failed';
    try {
      // Every run the server holds, agreements and digests, each continue-as-new run too.
      if (connection)
        await timed('replay', () => assertEveryHistoryReplays(client, 'the production profile'));
    } finally {
      await records?.end().catch(() => undefined);
      await connection?.close().catch(() => undefined);
      if (production) await timed('down', () => production!.down());
      await sink?.close();
      console.log(`    setup and teardown: ${timings.join(', ')}`);
      if (production) keepOrRemove(production.dir, failed);
      keepOrRemove(dir, failed);
      wall.report();
    }
  });

  it('every agreement reaches its stage through a worker kill -9 and a server restart; all mail once; list = temporal list; one digest', async () => {
    const p = production!;
    // The access team's `dura`: the built CLI (production.sh up builds it), with what the runner says to
    // set (TEMPORAL_ADDRESS, DATABASE_URL, DURA_DATA_DIR).
    const dura = (args: string[]) => duraCli(args, p.env, { built: true });
    const started = Date.now();
    const phases: string[] = [];
    const phase = (name: string) => phases.push(`${name} ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const patience: Patience = { retries: 0, reasons: new Map() };
    const domains = Array.from({ length: AGREEMENTS }, (_, i) => `p${i}.production.example.edu`);
    // As in the worker fault test: half executed, a quarter cancelled, a quarter left awaiting signature.
    const toExecute = domains.slice(0, AGREEMENTS / 2);
    const toCancel = domains.slice(AGREEMENTS / 2, (AGREEMENTS * 3) / 4);
    const waiting = domains.slice((AGREEMENTS * 3) / 4);
    // Kept from the team until the kill: the hand-over is timed on one of them held by the killed worker.
    const reserved = toExecute.slice(0, 6);
    const today = newYorkDate(); // a signing date is a New York date

    // 1. The access team imports the 200 requests.
    const csv = path.join(dir, 'requests.csv');
    // The waiting quarter first: their reminders fall due first.
    fs.writeFileSync(csv, requestsCsv([...waiting, ...toExecute, ...toCancel], 'Production University'));
    const imported = await dura(['import', csv, '--json', '--concurrency', '16']);
    assert.equal(imported.status, 0, `dura import: ${imported.err}`);
    assert.deepEqual(JSON.parse(imported.out).outcomes, { started: AGREEMENTS });
    phase('imported');

    // 2. It executes or cancels each agreement once initiated, through `dura`, LANES at a time. Each command
    //    must exit 0 with its update applied once. The lanes hold back while the server restarts, and the
    //    restart waits for the commands in flight: a `dura` that connects while Temporal is away exits 2
    //    (`cannot reach Temporal`, as documented; seen when a command started as the server stopped). The
    //    kill does not stop them: the CLI rides out a dead worker (client/update-retry.ts).
    const runs: DuraRun[] = [];
    let acted = 0;
    let hold: Promise<void> | undefined;
    let inFlight = 0;
    const act = async (domain: string): Promise<DuraRun> => {
      const handle = client.workflow.getHandle(`dura-${domain}`);
      for (let i = 0; ; i++) {
        while (hold) await hold;
        const stage = await patiently(client, patience, () => publishedStage(handle));
        if (stage === 'awaiting-signature') break;
        assert.ok(i < 240, `${domain} was never initiated (stage ${stage})`);
        await sleep(500);
      }
      const [name, ...flags] = toCancel.includes(domain)
        ? ['cancel', '--reason', 'production profile']
        : ['execute', '--on', today, '--document', `D-${domain}`];
      // Checked and counted with no await between: the restart waits for every command counted, and a
      // lane that finds the hold set waits for the server (an `await hold` alone would read `hold` before
      // its pause, and could start a command as the server stops).
      while (hold) await hold;
      inFlight++;
      const run = await dura([name!, domain, ...flags]).finally(() => inFlight--);
      assert.equal(run.status, 0, `dura ${name} ${domain}: ${run.err}`);
      const history = await patiently(client, patience, () => handle.fetchHistory());
      const applied = history.events!.filter(
        (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === name,
      );
      assert.equal(applied.length, 1, `${domain}: ${name} applied ${applied.length} times`);
      acted++;
      return run;
    };
    const team = [...toExecute, ...toCancel].filter((d) => !reserved.includes(d));
    const teamDone = inBatches(team, LANES, async (domain) => runs.push(await act(domain)));
    teamDone.catch(() => undefined); // awaited below

    // 3. The incidents, while the team works. The kill: the worker that holds reserved[0], once that
    //    agreement is idle (awaiting signature, nothing pending: cached on that worker, its next task on
    //    the worker's sticky queue); then `dura execute` of it, timed from the kill.
    const until = async (what: string, check: () => boolean) => {
      for (const deadline = Date.now() + 300_000; !check(); await sleep(200))
        assert.ok(Date.now() < deadline, `never ${what}`);
    };
    await Promise.race([until(`${KILL_AFTER} commands done`, () => acted >= KILL_AFTER), teamDone]);
    const holder = async (domain: string) => {
      const handle = client.workflow.getHandle(`dura-${domain}`);
      for (const deadline = Date.now() + 120_000; ;) {
        assert.ok(Date.now() < deadline, `${domain} was never idle, awaiting signature`);
        const described = await patiently(client, patience, () => handle.describe());
        const { raw } = described;
        if (
          described.typedSearchAttributes.get(DuraStage) === 'awaiting-signature' &&
          !raw.pendingActivities?.length &&
          !raw.pendingWorkflowTask
        )
          break;
        await sleep(250);
      }
      const events = (await patiently(client, patience, () => handle.fetchHistory())).events ?? [];
      const identity = events.filter((e) => e.workflowTaskCompletedEventAttributes).at(-1)
        ?.workflowTaskCompletedEventAttributes?.identity;
      return p.workerPids.indexOf(Number(/^(\d+)@/.exec(identity ?? '')?.[1]));
    };
    const holders = new Map<string, number>();
    for (const domain of reserved) holders.set(domain, await holder(domain));
    const victim = holders.get(reserved[0]!)!;
    assert.ok(victim >= 0, `${reserved[0]} was last run by no worker of this stack`);
    const handOverDomain = reserved[0]!;
    const baselineDomain = reserved.find((d) => holders.get(d)! >= 0 && holders.get(d) !== victim);
    const execute = (domain: string) => dura(['execute', domain, '--on', today, '--document', `D-${domain}`]);
    // For scale: the same command on an agreement held by a worker that lives.
    const baseline = baselineDomain ? await execute(baselineDomain) : undefined;
    if (baseline) assert.equal(baseline.status, 0, baseline.err);
    const killedAt = Date.now();
    p.killWorker(victim);
    // For judgeDuplicate, which reads the kill's time only.
    const kills: Kill[] = [
      { at: killedAt, pid: p.workerPids[victim]!, polling: true, upMs: killedAt - started },
    ];
    const handOver = await execute(handOverDomain);
    const handOverMs = Date.now() - killedAt;
    assert.equal(handOver.status, 0, `the hand-over's dura execute: ${handOver.err}`);
    phase('killed');
    // The other reserved agreements, by the team.
    for (const domain of reserved.filter((d) => d !== handOverDomain && d !== baselineDomain))
      runs.push(await act(domain));

    // The server's restart: the lanes hold, the commands in flight finish, then SIGTERM and start again
    // on the same databases while the agreements' timers, activities and mail go on in the workers.
    await Promise.race([until(`${RESTART_AFTER} commands done`, () => acted >= RESTART_AFTER), teamDone]);
    let resume = () => {};
    hold = new Promise((resolve) => (resume = resolve));
    await until('the commands in flight done', () => inFlight === 0);
    const restartStarted = Date.now();
    await p.restartServer();
    const restartMs = Date.now() - restartStarted;
    resume();
    hold = undefined;
    phase('server restarted');
    await teamDone;
    phase('team done');
    assert.equal(acted + (baseline ? 1 : 0) + 1, toExecute.length + toCancel.length);

    // 4. Every agreement where the team drove it: executed ones completed, cancelled ones cancelled, the
    //    waiting ones awaiting signature with a reminder sent (due 84 s after initiation; the retry of an
    //    activity lost with the killed worker waits its 1-minute timeout, hence the margin).
    const statuses = new Map<string, AgreementStatus>();
    const refs = new Map<string, string>();
    await inBatches(domains, 12, async (domain) => {
      refs.set(
        domain,
        await patiently(client, patience, () => agreementRef(client.workflow.getHandle(`dura-${domain}`))),
      );
    });
    await inBatches([...toExecute, ...toCancel], 12, async (domain) => {
      const handle = client.workflow.getHandle(`dura-${domain}`);
      await patiently(client, patience, () => handle.result(), { totalMs: 240_000 });
      // Closed: the whole status, history included, from the query (the result has no history).
      statuses.set(domain, await queryStatus(client, patience, handle.workflowId));
    });
    const waitingStatuses = () =>
      inBatches(waiting, 12, async (domain) => {
        const status = await queryStatus(client, patience, `dura-${domain}`);
        statuses.set(domain, status);
        return status;
      });
    for (const d of toExecute) assert.equal(statuses.get(d)!.stage, 'completed', d);
    for (const d of toCancel) assert.equal(statuses.get(d)!.stage, 'cancelled', d);
    for (;;) {
      const now = await waitingStatuses();
      for (const s of now) assert.equal(s.stage, 'awaiting-signature', s.agreementId);
      const late = now.filter((s) => s.remindersSent === 0);
      const overdue = late.filter((s) => Date.now() > Date.parse(s.nextReminderAt!) + 120_000);
      assert.deepEqual(
        overdue.map((s) => `${s.agreementId}: no reminder sent (due ${s.nextReminderAt})`),
        [],
      );
      if (late.length === 0) break;
      await sleep(2000);
    }
    phase('stages reached');

    // 5. The mail: what every history says was sent (read before and after the sink, since the waiting
    //    quarter keeps sending) against what arrived, once no e-mail row is still `sending`.
    //    The executed half's registrations (issue 18) nudge their requesters meanwhile, then stall.
    const registrationRefs = new Map<string, string>();
    let registrations: TrackedRegistration[] = [];
    const refresh = async () => {
      await waitingStatuses();
      registrations = await trackedRegistrations(client, statuses.values(), registrationRefs, patience);
    };
    const expectedNow = () => [
      ...domains.flatMap((d) => expectedMessages(statuses.get(d)!, refs.get(d)!, ACCESS_TEAM)),
      ...registrations.flatMap((r) => expectedRegistrationMessages(r, ACCESS_TEAM)),
    ];
    const agreementMail = () => sink.messages.filter((m) => m.kind !== 'digest');
    for (const deadline = Date.now() + 180_000; ;) {
      await refresh();
      const before = expectedNow();
      const arrived = agreementMail();
      const sending = Number(
        (await records!.query("SELECT count(*) AS n FROM emails WHERE state = 'sending'")).rows[0].n,
      );
      await refresh();
      const { missing } = compareWithSink(before, arrived);
      const { unexpected, misaddressed } = compareWithSink(expectedNow(), arrived);
      const report =
        `${missing.length} missing (${JSON.stringify(countByKind(missing))}), ${unexpected.length} unexpected ` +
        `(${JSON.stringify(countByKind(unexpected))}), ${misaddressed.length} misaddressed, ${sending} e-mail rows still sending`;
      if (missing.length + unexpected.length + misaddressed.length + sending === 0) break;
      assert.ok(Date.now() < deadline, `the mail never matched the histories: ${report}`);
      await sleep(2000);
    }
    for (const s of statuses.values())
      assert.ok(!s.history.some((h) => h.event === 'email-failed'), `${s.agreementId}: an e-mail failed`);
    assert.deepEqual(failedRegistrationMail(registrations), [], 'a registration’s e-mail failed');
    // A copy is excused only as the mailer's one window (helpers/chaos.ts, judgeDuplicate) around the kill.
    const found: Duplicate[] = [];
    for (const [messageId, copies] of sink.duplicates()) {
      const row = (
        await records!.query(
          'SELECT idempotency_key AS key, agreement_id AS "agreementId", attempts FROM emails WHERE message_id = $1',
          [messageId],
        )
      ).rows[0] as { key: string; agreementId: string; attempts: number } | undefined;
      const sender = row && sendingWorkflowId(row.key, agreementIdFrom(row.agreementId), registrations);
      const sends = row ? await sendActivities(client, sender!, row.key) : [];
      found.push({ messageId, copies, ledgerAttempts: row?.attempts, sends });
    }
    const duplicates = found.map((d) => judgeDuplicate(d, kills));
    assert.deepEqual(
      duplicates.filter((d) => d.problems.length),
      [],
      'a message arrived twice outside the mailer’s window',
    );
    const workerLogs = fs
      .readdirSync(production!.dir)
      .filter((f) => /^worker-\d+\.log$/.test(f))
      .map((f) => fs.readFileSync(path.join(production!.dir, f), 'utf8'))
      .join('\n');
    const { limit, why } = duplicateLimit(workerLogs);
    assert.ok(duplicates.length <= limit, `${duplicates.length} duplicates from one kill (${why})`);
    phase('mail matched');

    // 6. `dura list` and the official CLI's list, on the same visibility store, for three stages.
    const listed: string[] = [];
    for (const [stage, count] of [
      ['awaiting-signature', waiting.length],
      ['completed', toExecute.length],
      ['cancelled', toCancel.length],
    ] as const) {
      const ours = await dura(['list', '--stage', stage, '--json']);
      assert.equal(ours.status, 0, ours.err);
      const duraIds = (JSON.parse(ours.out) as { workflowId: string }[]).map((r) => r.workflowId).sort();
      const theirs = await promisify(execFile)(
        temporalCliPath(),
        [
          ...['workflow', 'list', '--address', p.temporalAddress],
          ...['--query', `DuraStage='${stage}'`, '--output', 'json'],
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      const temporalIds = (JSON.parse(theirs.stdout || '[]') as { execution: { workflowId: string } }[])
        .map((w) => w.execution.workflowId)
        .sort();
      assert.deepEqual(duraIds, temporalIds, `dura list --stage ${stage} ≠ temporal workflow list`);
      assert.equal(duraIds.length, count, `${stage}: ${duraIds.length} listed`);
      listed.push(`${stage} ${duraIds.length}`);
    }
    phase('lists compared');

    // 7. The digest schedule: ensured (again: `up` did it), triggered once, one digest to the access team.
    const ensured = await dura(['schedule', 'ensure']);
    assert.equal(ensured.status, 0, ensured.err);
    const triggered = await dura(['schedule', 'trigger']);
    assert.equal(triggered.status, 0, triggered.err);
    const digests = () => sink.messages.filter((m) => m.kind === 'digest');
    await until('a digest arrived', () => digests().length > 0);
    await sleep(3000); // a second one would come within this
    assert.equal(digests().length, 1, `${digests().length} digests arrived`);
    assert.deepEqual(digests()[0]!.to, [ACCESS_TEAM]);
    phase('digest');

    const survivors = p.workerPids.filter((_, i) => i !== victim);
    for (const pid of survivors) assert.doesNotThrow(() => process.kill(pid, 0), `worker ${pid} died`);

    // 8. `up` again on the stack partly up: the killed worker starts again, the rest stay as they are
    //    (a trial found no way back but down and up).
    const again = await p.upAgain();
    assert.match(again, new RegExp(`partly up: started again worker-${victim + 1}\n`), again);
    const revived = Number(fs.readFileSync(path.join(p.dir, `worker-${victim + 1}.pid`), 'utf8').trim());
    assert.notEqual(revived, p.workerPids[victim]);
    assert.doesNotThrow(() => process.kill(revived, 0), 'the revived worker runs');
    assert.match(fs.readFileSync(path.join(p.dir, `worker-${victim + 1}.log`), 'utf8'), /"msg":"polling"/);
    for (const pid of survivors) assert.doesNotThrow(() => process.kill(pid, 0), `worker ${pid} was stopped`);
    phase('revived');
    console.log(
      `    ${AGREEMENTS} agreements, ${WORKERS} workers, a day of ${DAY_SECONDS} s; ` +
        `import: ${describeRuns([imported])}; execute/cancel: ${describeRuns(runs)}`,
    );
    console.log(
      `    hand-over: worker-${victim + 1} kill -9'd (not restarted); dura execute of ${handOverDomain}, cached on it, ` +
        `took ${(handOverMs / 1000).toFixed(1)} s from the kill${handOver.waited.length ? ` (waited: ${handOver.waited[0]})` : ''}` +
        `${baseline ? `; the same on a live worker just before: ${(baseline.ms / 1000).toFixed(1)} s` : ''}; ` +
        `server restart took ${(restartMs / 1000).toFixed(1)} s`,
    );
    const escalations = countByKind(
      expectedNow()
        .filter((m) => m.kind === 'escalation')
        .map((m) => ({ kind: m.key })),
    );
    console.log(
      `    ${sink.messages.length} messages ${JSON.stringify(countByKind(sink.messages))} (escalations: ` +
        `${JSON.stringify(escalations)}); ` +
        `${duplicates.length} duplicate(s)${duplicates.length ? `: ${JSON.stringify(duplicates)}` : ''}; ` +
        `${patience.retries} calls retried ${JSON.stringify(Object.fromEntries(patience.reasons!))}; ` +
        `listed: ${listed.join(', ')}`,
    );
    console.log(`    phases: ${phases.join(', ')}`);
  });
});
