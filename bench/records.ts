/**
 * Records: the CPU a message's records work takes on SQLite, with statements kept prepared (the default,
 * activities/records/db.ts) against prepared anew for every query, in one run (`npm run bench:records
 * [-- --quick]`). Per agreement, what its lifecycle's messages do: one whole snapshot, then 8 writes of
 * changed fields with an event each, each followed by the mailer's read of the snapshot. The two sides
 * alternate, 5 rounds each, on two files of the same fresh database; the figure is kept / anew (median
 * CPU per agreement), no target: it says what keeping statements saves.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { sampleAgreement } from '../test/helpers/samples';
import { openDatabase, PREPARED_KEPT } from '../activities/records/db';
import { migrateToLatest } from '../activities/records/migrations';
import { RecordsStore } from '../activities/records/store';
import { machineInfo } from './lib/machine';
import { benchMain, hasFlag } from './lib/process';
import { printJson, printTable, round, summary } from './lib/report';

const QUICK = hasFlag('--quick');
const ROUNDS = QUICK ? 3 : 5; // odd: the median is one round's
const AGREEMENTS = QUICK ? 100 : 400;
const WRITES = 8;

/** CPU milliseconds per agreement over `n` agreements' records work. */
async function cpuPerAgreement(store: RecordsStore, n: number): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const agreementRef = randomUUID();
    const at = new Date().toISOString();
    const status = sampleAgreement({ agreementId: `bench${i}.edu-1`, receivedAt: at, remindersSent: 0 });
    await store.recordEvents({ agreementRef, firstSeq: 0, events: [{ at, event: 'requested' }], status });
    for (let k = 1; k <= WRITES; k++) {
      await store.recordEvents({
        agreementRef,
        firstSeq: k,
        events: [{ at, event: 'reminder-sent', detail: `#${k}` }],
        changes: { remindersSent: k },
      });
      await store.agreementSnapshot(agreementRef);
    }
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000 / n;
}

benchMain('records', QUICK ? 300 : 900, async (bench) => {
  const open = async (name: string, preparedKept: number) => {
    const db = openDatabase(`sqlite:${path.join(bench.dir, `${name}.sqlite`)}`, { preparedKept });
    await migrateToLatest(db);
    const store = new RecordsStore(db);
    bench.defer(() => store.close());
    await cpuPerAgreement(store, 20); // warm: the JIT and the file's first pages
    return store;
  };
  const sides = { kept: await open('kept', PREPARED_KEPT), anew: await open('anew', 0) };
  const samples: Record<keyof typeof sides, number[]> = { kept: [], anew: [] };
  for (let r = 0; r < ROUNDS; r++)
    for (const side of (r % 2 ? ['anew', 'kept'] : ['kept', 'anew']) as (keyof typeof sides)[])
      samples[side].push(await cpuPerAgreement(sides[side], AGREEMENTS));
  const kept = summary(samples.kept);
  const anew = summary(samples.anew);
  const machine = machineInfo();
  console.log(
    `${machine.nproc} CPUs (${machine.cpu}), load ${machine.loadavg.join(' ')}; Node ${process.version}`,
  );
  printTable(
    ['CPU ms per agreement (9 writes, 8 reads)', 'median', 'min', 'max'],
    [
      [`statements kept prepared (${PREPARED_KEPT})`, kept.median, kept.min, kept.max],
      ['prepared anew for every query', anew.median, anew.min, anew.max],
    ],
  );
  // From the unrounded medians (summary rounds to 0.1 ms).
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const ratio = round(median(samples.kept) / median(samples.anew), 2);
  console.log(`kept / anew: ${ratio}`);
  printJson({
    bench: 'records',
    quick: QUICK,
    machine,
    agreements: AGREEMENTS,
    rounds: ROUNDS,
    kept,
    anew,
    ratio,
  });
});
