/**
 * Intake: `dura import` of 2,000 requests against the raw @temporalio/client starting 2,000 no-op
 * workflows at the same concurrency, on the same dev server, in the same run (`npm run bench:intake
 * [-- --quick | --rows N --concurrency C --workers N | --profile DIR | --no-like-for-like |
 * --server production]`; the last: the real server on PostgreSQL, bench/lib/production-server.ts).
 * Figure = raw time / dura time; target ≥ 0.9. Unless `--no-like-for-like`, the same requests also go
 * from bench/lib/raw-request.ts (the raw client's update-with-start, no dura code) once before and once
 * after the import: not the figure, but it separates what dura's client costs from what the agreements'
 * own work costs, like for like.
 *
 * Both are fresh processes timed from spawn to exit (Node, library loading and connecting included).
 * Each raw client runs before and after dura, and its baseline is the mean of the two, so a machine that speeds
 * up or slows down during the run shifts both sides alike. Between runs the bench waits until the
 * previous run's background work is done (no-op workflows closed; every agreement awaiting signature,
 * its messages sent), so no run pays for another's. The import waits for each update-with-start answer,
 * which includes the worker's triage (client/import.ts); the raw client only starts.
 *
 * The CSV: `--rows` requests (2,000): 1,900 institutions, one row each but for 50 that 100 more rows join
 * (2 each, next to the first, different requesters, the same tiers); tiers 70 %
 * registered, 20 % registered;controlled, 10 % controlled; received now; the Registered Institutions list
 * is empty, so every institution needs an agreement and its initiation package goes out at once (auto).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connectClient } from './lib/agreements-at-scale';
import { cpuMeter } from './lib/cpu';
import { profileArgs, summarizeProfiles } from './lib/profile';
import { contextLine, machineInfo, sqlitePragmas, versions } from './lib/machine';
import { startMailSink } from './lib/mail-sink';
import {
  benchMain,
  hasFlag,
  numberFlag,
  repoRoot,
  runTimed,
  stop,
  stringFlag,
  waitFor,
  type Bench,
  type Timed,
} from './lib/process';
import { printJson, printTable, round } from './lib/report';
import { startServer } from './lib/production-server';
import type { BenchServer } from './lib/server';
import { duraEnv, startWorkers } from './lib/workers';

const QUICK = hasFlag('--quick');
const ROWS = numberFlag('--rows', QUICK ? 200 : 2000);
const CONCURRENCY = numberFlag('--concurrency', 8); // `dura import`'s default
const WORKERS = numberFlag('--workers', 1);
const TARGET = 0.9;
const JOINED_DOMAINS = 50;
const PROFILE = stringFlag('--profile');
const DURA_QUEUE = 'dura-bench';
const CSV_HEADER =
  'institution_name,domain,requester_name,requester_email,official_name,official_email,tiers';
const BASELINE_QUEUE = 'bench-noop';

/** What the CSV holds, for the record (2,000 rows: 1,900 institutions, 50 of them with 3 rows). */
function csvMix(rows: number): string {
  const joiners = Math.round(rows * 0.05);
  return (
    `${rows - joiners} institutions, ${Math.min(JOINED_DOMAINS, joiners)} of them joined by ${joiners} more rows; ` +
    'tiers 70% registered, 20% both, 10% controlled; empty Registered Institutions list; initiation auto'
  );
}

/** The requests file and what it should come to. */
function writeCsv(file: string, rows: number, tag: string): { rows: number; agreements: number } {
  const joiners = Math.round(rows * 0.05);
  const groups = Math.min(JOINED_DOMAINS, joiners);
  const tiersFor = (i: number) =>
    i % 10 < 7 ? 'registered' : i % 10 < 9 ? 'registered;controlled' : 'controlled';
  const lines = [CSV_HEADER];
  let row = 0;
  for (let i = 0; row < rows; i++) {
    const domain = `${tag}${i}.intake.example.edu`;
    // The first `groups` institutions get the joining rows, spread evenly, each run in file order.
    const extra = i < groups ? Math.floor(joiners / groups) + (i < joiners % groups ? 1 : 0) : 0;
    for (let r = 0; r <= extra && row < rows; r++, row++)
      lines.push(
        [`Intake University ${i}`, domain, `Requester ${r}`, `r${r}@${domain}`, 'Sam Signer', `osp@${domain}`]
          .concat(tiersFor(i))
          .join(','),
      );
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return { rows, agreements: new Set(lines.slice(1).map((l) => l.split(',')[1])).size };
}

interface ImportOutput {
  requested: number;
  agreements: number;
  outcomes: Record<string, number>;
}

interface Measured {
  name: string;
  ms: number;
  /** CPU seconds while the client ran, by process. */
  cpu: Record<string, number>;
  /** Until the run's background work was done (agreements initiated, no-ops closed). */
  settleMs: number;
  /** CPU seconds from the client's start until settled: all the work the run set off. */
  cpuSettled: Record<string, number>;
}

async function main(bench: Bench): Promise<void> {
  const dura = path.join(repoRoot, 'bin', 'dura.js');
  const rawStart = path.join(repoRoot, 'lib', 'bench', 'lib', 'raw-start.js');
  const rawRequest = path.join(repoRoot, 'lib', 'bench', 'lib', 'raw-request.js');
  const profiles = PROFILE && path.resolve(PROFILE);
  const server = await startServer(bench);
  const mail = await startMailSink(bench);
  const env = duraEnv(bench, {
    address: server.address,
    databaseUrl: server.databaseUrl,
    taskQueue: DURA_QUEUE,
    smtpUrl: mail.url,
  });
  const baselineEnv = { ...env, BENCH_TASK_QUEUE: BASELINE_QUEUE };
  const profiled = (what: string) => (profiles ? profileArgs(path.join(profiles, what)) : []);
  const [duraWorkers, baselineWorkers] = await Promise.all([
    startWorkers(bench, { kind: 'real', count: WORKERS, env, nodeArgs: profiled('worker') }),
    startWorkers(bench, { kind: 'baseline', count: WORKERS, env: baselineEnv }),
  ]);
  const client = await connectClient(server.address);
  bench.defer(() => client.connection.close());
  const pids = {
    server: server.cpu,
    duraWorker: duraWorkers.map((w) => w.pid!),
    baselineWorker: baselineWorkers.map((w) => w.pid!),
  };
  let agreementsSoFar = 0;
  let noopsSoFar = 0;
  const countIs = async (query: string, n: number) => (await client.workflow.count(query)).count >= n;

  /** Runs a client, then waits for what it set off to be done; wall time and CPU of the client's part. */
  const measure = async (name: string, client: () => Promise<Timed>, settled: () => Promise<boolean>) => {
    const meter = cpuMeter(pids);
    const result = await client();
    const cpu = meter.since();
    const settling = performance.now();
    await waitFor(`${name} to settle`, settled, bench.secondsLeft() * 1000);
    return { name, ms: result.ms, cpu, settleMs: performance.now() - settling, cpuSettled: meter.since() };
  };
  const importCsv = (tag: string, rows: number, nodeArgs: string[] = []): Promise<Measured> => {
    const file = path.join(bench.dir, `${tag}.csv`);
    const expected = writeCsv(file, rows, tag);
    const args = [...nodeArgs, dura, 'import', file, '--concurrency', String(CONCURRENCY), '--json'];
    agreementsSoFar += expected.agreements;
    return measure(
      'dura import',
      async () => {
        const result = await runTimed(process.execPath, args, env);
        if (result.status !== 0) throw new Error(`dura import: ${result.stderr}`);
        const out = JSON.parse(result.stdout) as ImportOutput;
        const started = out.outcomes.started ?? 0;
        if (
          out.requested !== rows ||
          started !== expected.agreements ||
          out.agreements !== expected.agreements
        )
          throw new Error(`dura import: unexpected outcome ${JSON.stringify(out.outcomes)}`);
        return result;
      },
      // Settled: every agreement has been initiated (its messages sent and recorded).
      () => countIs(`DuraStage = 'awaiting-signature'`, agreementsSoFar),
    );
  };
  // The same requests from the raw client's update-with-start, no dura code (bench/lib/raw-request.ts).
  const requestRaw = (name: string, tag: string, rows: number): Promise<Measured> => {
    const file = path.join(bench.dir, `${tag}.csv`);
    const expected = writeCsv(file, rows, tag);
    const args = [rawRequest, file, '--concurrency', String(CONCURRENCY)];
    agreementsSoFar += expected.agreements;
    return measure(
      name,
      async () => {
        const result = await runTimed(process.execPath, args, { ...env, BENCH_TASK_QUEUE: DURA_QUEUE });
        if (result.status !== 0) throw new Error(`raw request: ${result.stderr}`);
        return result;
      },
      () => countIs(`DuraStage = 'awaiting-signature'`, agreementsSoFar),
    );
  };
  const startRaw = (name: string, tag: string, count: number): Promise<Measured> => {
    const args = [rawStart, '--count', String(count), '--concurrency', String(CONCURRENCY), '--prefix', tag];
    noopsSoFar += count;
    return measure(
      name,
      async () => {
        const result = await runTimed(process.execPath, args, baselineEnv);
        if (result.status !== 0) throw new Error(`raw start: ${result.stderr}`);
        return result;
      },
      () => countIs(`WorkflowType = 'noopWorkflow' AND ExecutionStatus = 'Completed'`, noopsSoFar),
    );
  };

  // Warm-up: both paths once, small, so that neither pays for a cold server, JIT or worker cache.
  await startRaw('warm-up', 'warm', 50);
  await importCsv('warm', 50);
  // Fixed costs: process start, library loading and connecting, with nothing to do.
  const emptyCsv = path.join(bench.dir, 'empty.csv');
  fs.writeFileSync(emptyCsv, `${CSV_HEADER}\n`);
  const duraFloor = await runTimed(process.execPath, [dura, 'import', emptyCsv, '--json'], env);
  const rawFloor = await runTimed(process.execPath, [rawStart, '--count', '0'], baselineEnv);

  // Each baseline brackets the import: one run before it and one after, their mean the baseline.
  const likeForLike = !hasFlag('--no-like-for-like');
  const raw1 = await startRaw('raw client start (before)', 'raw1', ROWS);
  const same1 = likeForLike ? await requestRaw('raw update-with-start (before)', 'b1', ROWS) : undefined;
  const imported = await importCsv('a', ROWS, profiled('cli'));
  const same2 = likeForLike ? await requestRaw('raw update-with-start (after)', 'b2', ROWS) : undefined;
  const raw2 = await startRaw('raw client start (after)', 'raw2', ROWS);
  const same = same1 && same2 ? ([same1, same2] as const) : undefined;
  report(server, { raw1, imported, raw2, same }, { dura: duraFloor.ms, raw: rawFloor.ms }, mail.count());
  if (profiles) {
    await Promise.all([...duraWorkers].map((w) => stop(w))); // the worker writes its profile on exit
    summarizeProfiles(path.join(profiles, 'worker'), 'dura worker (whole run)');
    summarizeProfiles(path.join(profiles, 'cli'), 'dura import (CLI)');
  }
}

function report(
  server: BenchServer,
  measured: { raw1: Measured; imported: Measured; raw2: Measured; same?: readonly [Measured, Measured] },
  fixedMs: { dura: number; raw: number },
  mailSent: number,
): void {
  const { raw1, imported, raw2, same } = measured;
  const runs = same ? [raw1, same[0], imported, same[1], raw2] : [raw1, imported, raw2];
  const ratio = (raw1.ms + raw2.ms) / 2 / imported.ms;
  const machine = machineInfo();
  const v = versions(server.temporal);
  console.log(
    `intake: ${ROWS} requests, concurrency ${CONCURRENCY}, ${WORKERS} worker process(es) each; ` +
      `wall time of a fresh client process; CPU seconds while it ran`,
  );
  console.log(contextLine(machine, v, server.storage));
  printTable(
    ['run', 'ms', 'per s', 'cpu client', 'server', 'dura worker', 'noop worker', 'settle ms'],
    runs.map((r) => [
      r.name,
      round(r.ms, 0),
      round((ROWS / r.ms) * 1000),
      r.cpu.client!,
      r.cpu.server!,
      r.cpu.duraWorker!,
      r.cpu.baselineWorker!,
      round(r.settleMs, 0),
    ]),
  );
  console.log(
    `fixed cost (nothing to do): dura import ${round(fixedMs.dura, 0)} ms, raw client ${round(fixedMs.raw, 0)} ms`,
  );
  // All the CPU a request set off (server and workers, until settled), whatever the machine's drift.
  const cpuMs = (r: Measured) =>
    ((r.cpuSettled.server! + r.cpuSettled.duraWorker! + r.cpuSettled.baselineWorker!) / ROWS) * 1000;
  const cpu = { raw: round((cpuMs(raw1) + cpuMs(raw2)) / 2, 1), dura: round(cpuMs(imported), 1) };
  console.log(
    `engine CPU per request until settled (server + workers): raw ${cpu.raw} ms, dura ${cpu.dura} ms; ` +
      `raw / dura ${(cpu.raw / cpu.dura).toFixed(2)}`,
  );
  console.log(`raw / dura: ${ratio.toFixed(2)} (target ≥ ${TARGET}); mail sent: ${mailSent}`);
  // Not the figure: the same work without dura's client (its two runs bracket the import), to
  // show where the time goes.
  const sameWork = same && round((same[0].ms + same[1].ms) / 2 / imported.ms, 3);
  if (same && sameWork)
    console.log(
      `raw update-with-start (the same requests, no dura code; mean of the runs before and after) / ` +
        `dura import: ${sameWork.toFixed(2)}; engine CPU per request ` +
        `${round((cpuMs(same[0]) + cpuMs(same[1])) / 2, 1)} ms`,
    );
  printJson({
    bench: 'intake',
    quick: QUICK,
    rows: ROWS,
    concurrency: CONCURRENCY,
    workers: WORKERS,
    csv: csvMix(ROWS),
    machine,
    versions: v,
    server: server.storage,
    sqlitePragmas: sqlitePragmas(server.pragmas),
    runs: runs.map((r) => ({ ...r, ms: round(r.ms, 0), settleMs: round(r.settleMs, 0) })),
    fixedMs: { dura: round(fixedMs.dura, 0), raw: round(fixedMs.raw, 0) },
    engineCpuMsPerRequest: cpu,
    cpuRatio: round(cpu.raw / cpu.dura, 3),
    ...(sameWork ? { likeForLikeRatio: sameWork } : {}),
    ratio: round(ratio, 3),
    target: TARGET,
    met: ratio >= TARGET,
  });
}

benchMain('intake', QUICK ? 600 : 1800, main);
