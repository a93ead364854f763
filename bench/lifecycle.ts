/**
 * Lifecycle: full agreement lifecycles per second (request → initiation → 2 reminders → execution →
 * instructions → completed) against a minimal workflow of the same shape, same server, same run
 * (`npm run bench:lifecycle [-- --quick | --agreements K --concurrency C --day-seconds D | --profile DIR |
 * --poll-every-ms N]`).
 * Figure = dura rate / baseline rate; target ≥ 0.8.
 *
 * dura runs on the real worker with a compressed calendar (bench/lib/fast-worker.ts: a day lasts D
 * seconds, so the 14-day reminders come every 14·D s) and the default policy but for its two deadlines
 * (initiation and instructions within 200 business days instead of 2): at D = 0.5 s, 2 days would be
 * 1 s, and with 100 agreements arriving at once a loaded machine misses even 10 s and escalates (65 of
 * 100 did), work that is no part of the lifecycle measured and that the baseline does not model.
 * Escalations seen are counted anyway.
 *
 * First one probe agreement runs alone; its history (`temporal workflow show --output json`) is counted
 * and becomes the baseline's shape (bench/lib/history.ts, bench/workflows/lifecycle.ts): the same
 * activities, local activities and fired timers per phase, started by update-with-start and executed
 * by an update. Both histories' counts are printed side by side. Then runs of K lifecycles, C in flight:
 * baseline, then `--rounds` times dura and baseline again (2 rounds, 1 with --quick); each engine's
 * rate is over all its runs, so drift of a shared machine during the run weighs on both sides.
 */
import * as path from 'node:path';
import { connectClient } from './lib/agreements-at-scale';
import { countHistory, fetchHistory, lifecycleShape, type HistoryCounts } from './lib/history';
import { baselineLifecycle, duraLifecycle, inPool, REMINDERS, type LifecycleResult } from './lib/lifecycles';
import { cpuMeter } from './lib/cpu';
import { contextLine, machineInfo, sqlitePragmas, versions } from './lib/machine';
import { startMailSink } from './lib/mail-sink';
import { profileArgs, summarizeProfiles } from './lib/profile';
import { benchMain, hasFlag, numberFlag, stop, stringFlag, type Bench } from './lib/process';
import { printJson, printTable, round } from './lib/report';
import { startDevServer } from './lib/server';
import { duraEnv, startWorkers } from './lib/workers';
import type { LifecycleShape } from './workflows/lifecycle';

const QUICK = hasFlag('--quick');
const AGREEMENTS = numberFlag('--agreements', QUICK ? 10 : 100);
const CONCURRENCY = numberFlag('--concurrency', AGREEMENTS);
const DAY_SECONDS = numberFlag('--day-seconds', 0.5);
const ROUNDS = numberFlag('--rounds', QUICK ? 1 : 2);
const PROFILE = stringFlag('--profile');
/** `--poll-every-ms 250`: query on a fixed period, as this bench first did (for before/after). */
const POLL_EVERY_MS = hasFlag('--poll-every-ms') ? numberFlag('--poll-every-ms', 250) : undefined;
const TARGET = 0.8;
const REMINDER_EVERY_DAYS = 14; // the default policy's
const POLICY = { initiationBusinessDays: 200, instructionsBusinessDays: 200 };
const DURA_QUEUE = 'dura-bench';
const BASELINE_QUEUE = 'bench-lifecycle';

interface Run {
  name: string;
  ms: number;
  results: LifecycleResult[];
  /** CPU seconds during the run, by process (bench/lib/cpu.ts). */
  cpu: Record<string, number>;
}

async function timedRun(
  name: string,
  pids: Record<string, number>,
  work: (i: number) => Promise<LifecycleResult>,
): Promise<Run> {
  const meter = cpuMeter(pids);
  const started = performance.now();
  const results = await inPool(AGREEMENTS, CONCURRENCY, work);
  return { name, ms: performance.now() - started, results, cpu: meter.since() };
}

async function main(bench: Bench): Promise<void> {
  const server = await startDevServer(bench);
  const mail = await startMailSink(bench);
  const env = duraEnv(bench, {
    address: server.address,
    taskQueue: DURA_QUEUE,
    smtpUrl: mail.url,
    extra: { DURA_BENCH_DAY_SECONDS: String(DAY_SECONDS) },
  });
  const profiled = (what: string) => (PROFILE ? profileArgs(path.join(path.resolve(PROFILE), what)) : []);
  const [[duraWorker], [baselineWorker]] = await Promise.all([
    startWorkers(bench, { kind: 'fast', env, nodeArgs: profiled('dura-worker') }),
    startWorkers(bench, {
      kind: 'baseline',
      env: { ...env, BENCH_TASK_QUEUE: BASELINE_QUEUE },
      nodeArgs: profiled('baseline-worker'),
    }),
  ]);
  const pids = { server: server.pid, duraWorker: duraWorker!.pid!, baselineWorker: baselineWorker!.pid! };
  const client = await connectClient(server.address);
  bench.defer(() => client.connection.close());
  const timeoutMs = () => bench.secondsLeft() * 1000;
  const dura = (tag: string) => (i: number) =>
    duraLifecycle(client, `${tag}${i}.lifecycle.example.edu`, {
      taskQueue: DURA_QUEUE,
      policy: POLICY,
      daySeconds: DAY_SECONDS,
      reminderEveryDays: REMINDER_EVERY_DAYS,
      timeoutMs: timeoutMs(),
      pollEveryMs: POLL_EVERY_MS,
    });
  const baseline = (tag: string, shape: LifecycleShape) => (i: number) =>
    baselineLifecycle(client, `${tag}-${i}`, {
      taskQueue: BASELINE_QUEUE,
      shape,
      timeoutMs: timeoutMs(),
      pollEveryMs: POLL_EVERY_MS,
    });

  // The probe: one real lifecycle alone, whose history gives the baseline its shape.
  await dura('probe')(0);
  const probeEvents = await fetchHistory(
    server.temporal,
    server.address,
    'dura-probe0.lifecycle.example.edu',
  );
  const shape = lifecycleShape(probeEvents);
  await baseline('probe', shape)(0);
  const counts = {
    dura: countHistory(probeEvents),
    baseline: countHistory(await fetchHistory(server.temporal, server.address, 'probe-0')),
  };

  // Baseline, then (dura, baseline) × rounds: each dura run sits between two baseline runs.
  const runs = [await timedRun('baseline 1', pids, baseline('b0', shape))];
  for (let round = 1; round <= ROUNDS; round++) {
    runs.push(await timedRun(`dura ${round}`, pids, dura(`d${round}`)));
    runs.push(await timedRun(`baseline ${round + 1}`, pids, baseline(`b${round}`, shape)));
  }
  report(server, runs, counts, shape, mail.count());
  if (PROFILE) {
    await Promise.all([stop(duraWorker!), stop(baselineWorker!)]); // each writes its profile on exit
    for (const what of ['dura-worker', 'baseline-worker'])
      summarizeProfiles(path.join(path.resolve(PROFILE), what), `${what} (whole run)`);
  }
}

function report(
  server: { temporal: string; pragmas: string[] },
  runs: Run[],
  counts: { dura: HistoryCounts; baseline: HistoryCounts },
  shape: LifecycleShape,
  mailSent: number,
): void {
  const rate = (r: Run) => (AGREEMENTS / r.ms) * 1000;
  const duraRuns = runs.filter((r) => r.name.startsWith('dura'));
  const baselineRuns = runs.filter((r) => !r.name.startsWith('dura'));
  // The rate over all of an engine's runs: lifecycles done / time taken.
  const rateOf = (rs: Run[]) => ((AGREEMENTS * rs.length) / rs.reduce((t, r) => t + r.ms, 0)) * 1000;
  const duraRate = rateOf(duraRuns);
  const baselineRate = rateOf(baselineRuns);
  const ratio = duraRate / baselineRate;
  const duraResults = duraRuns.flatMap((r) => r.results);
  const escalations = duraResults.reduce((n, r) => n + r.escalations, 0);
  const offReminders = duraResults.filter((r) => r.remindersSent !== REMINDERS).length;
  // CPU per lifecycle (its server and its worker): what each engine costs, drift and timers aside.
  const cpuMs = (rs: Run[], worker: string) => {
    const per = (key: string) =>
      round((rs.reduce((t, r) => t + (r.cpu[key] ?? 0), 0) / (AGREEMENTS * rs.length)) * 1000, 0);
    return { server: per('server'), worker: per(worker) };
  };
  const cpu = { dura: cpuMs(duraRuns, 'duraWorker'), baseline: cpuMs(baselineRuns, 'baselineWorker') };
  const cpuRatio = (cpu.baseline.server + cpu.baseline.worker) / (cpu.dura.server + cpu.dura.worker);
  const machine = machineInfo();
  const v = versions(server.temporal);
  console.log(
    `lifecycle: ${AGREEMENTS} lifecycles each, ${CONCURRENCY} in flight; a day = ${DAY_SECONDS} s ` +
      `(reminders every ${REMINDER_EVERY_DAYS * DAY_SECONDS} s); 1 worker process each`,
  );
  console.log(contextLine(machine, v, server.pragmas));
  printTable(
    ['history of one lifecycle', 'dura', 'baseline'],
    (Object.keys(counts.dura) as (keyof HistoryCounts)[]).map((k) => [k, counts.dura[k], counts.baseline[k]]),
  );
  console.log(
    `baseline shape: before ${JSON.stringify(shape.before)}, waiting ${JSON.stringify(shape.waiting)}, ` +
      `timers ${JSON.stringify(shape.timersMs)} ms, after ${JSON.stringify(shape.after)}`,
  );
  // CPU per lifecycle says what each engine costs, whatever the timers' share of the wall time.
  const perLifecycle = (s: number | undefined) => round(((s ?? 0) / AGREEMENTS) * 1000, 0);
  printTable(
    [
      'run',
      'seconds',
      'lifecycles/s',
      'queries',
      'cpu ms/lifecycle: server',
      'dura worker',
      'baseline worker',
      'bench',
    ],
    runs.map((r) => [
      r.name,
      round(r.ms / 1000, 1),
      round(rate(r), 3),
      round(r.results.reduce((n, x) => n + x.queries, 0) / AGREEMENTS, 1),
      perLifecycle(r.cpu.server),
      perLifecycle(r.cpu.duraWorker),
      perLifecycle(r.cpu.baselineWorker),
      perLifecycle(r.cpu.bench),
    ]),
  );
  console.log(
    `CPU per lifecycle (server + worker): dura ${cpu.dura.server} + ${cpu.dura.worker} ms, ` +
      `baseline ${cpu.baseline.server} + ${cpu.baseline.worker} ms; baseline / dura ${cpuRatio.toFixed(2)}`,
  );
  console.log(
    `dura / baseline: ${ratio.toFixed(2)} (target ≥ ${TARGET}); dura escalations: ${escalations}, ` +
      `lifecycles with other than ${REMINDERS} reminders: ${offReminders}; mail sent: ${mailSent}`,
  );
  printJson({
    bench: 'lifecycle',
    quick: QUICK,
    agreements: AGREEMENTS,
    concurrency: CONCURRENCY,
    daySeconds: DAY_SECONDS,
    policy: POLICY,
    machine,
    versions: v,
    sqlitePragmas: sqlitePragmas(server.pragmas),
    history: counts,
    runs: runs.map((r) => ({
      name: r.name,
      seconds: round(r.ms / 1000, 2),
      queriesPerLifecycle: round(r.results.reduce((n, x) => n + x.queries, 0) / AGREEMENTS, 2),
      cpuSeconds: r.cpu,
    })),
    perSecond: { dura: round(duraRate, 3), baseline: round(baselineRate, 3) },
    cpuMsPerLifecycle: cpu,
    cpuRatio: round(cpuRatio, 3),
    escalations,
    offReminders,
    ratio: round(ratio, 3),
    target: TARGET,
    met: ratio >= TARGET,
  });
}

benchMain('lifecycle', QUICK ? 600 : 1800, main);
