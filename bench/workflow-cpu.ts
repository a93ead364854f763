/**
 * Workflow code's CPU, without a server: a committed lifecycle history (test/histories/happy-path.json
 * unless `--history <file>`) replayed `--replays` times (200) against the built bundle, this process's
 * CPU (all threads: the SDK's core, the sandbox) per replay. Replay runs every activation a live
 * lifecycle runs, timers and activities aside, so this is the workflow side of the lifecycle bench's
 * worker CPU, measured where the machine's noise is small (`npm run bench:workflow-cpu`).
 *
 * It also measures what the SDK's promise stack capture costs: the worker's promise hook takes a stack
 * trace (source-mapped, up to `Error.stackTraceLimit` frames) of every promise the workflow makes, for
 * Temporal's stack-trace query. The same bundle with `Error.stackTraceLimit = <--stack-frames>` (0)
 * set first is replayed in alternating rounds; the difference is that capture's share. `--promises`
 * also counts the promises workflow code makes in one replay, by the code that made them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promiseHooks } from 'node:v8';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { History } from '@temporalio/common/lib/proto-utils';
import { Runtime, Worker } from '@temporalio/worker';
import { machineInfo } from './lib/machine';
import { benchMain, hasFlag, numberFlag, repoRoot, stringFlag } from './lib/process';
import { printJson, printTable, round } from './lib/report';

const REPLAYS = numberFlag('--replays', 200);
const ROUNDS = numberFlag('--rounds', 3);
const FRAMES = numberFlag('--stack-frames', 0);
const HISTORY = path.resolve(repoRoot, stringFlag('--history') ?? 'test/histories/happy-path.json');

type Bundle = { code: string };

/** CPU ms per replay of `history`, `count` times in one replay worker. */
async function replayCpu(bundle: Bundle, history: History, count: number): Promise<number> {
  const histories = Array.from({ length: count }, (_, i) => ({ workflowId: `replay-${i}`, history }));
  const before = process.cpuUsage();
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories))
    if (result.error) throw new Error(`${result.workflowId}: ${result.error.message}`);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / count;
}

/** Promises made by workflow code in one replay (a replay worker runs the sandbox on this thread). */
async function promisesMade(bundle: Bundle, history: History): Promise<Map<string, number>> {
  const made = new Map<string, number>();
  let counting = false;
  const hook = promiseHooks.onInit(() => {
    if (!counting) return;
    counting = false; // the Error below makes no promise, but its stack formatting must not recurse
    const saved = Error.prepareStackTrace;
    Error.prepareStackTrace = (_e, frames) => frames;
    const frames = (new Error() as unknown as { stack: NodeJS.CallSite[] }).stack;
    Error.prepareStackTrace = saved;
    counting = true;
    const own = frames.filter((f) => String(f.getFileName()).includes('workflow-bundle'));
    if (own.length === 0) return;
    const by = own
      .map((f) => f.getFunctionName() ?? '(anonymous)')
      .slice(0, 2)
      .join(' ← ');
    made.set(by, (made.get(by) ?? 0) + 1);
  });
  counting = true;
  try {
    const replay = Worker.runReplayHistories({ workflowBundle: bundle }, [
      { workflowId: 'promises', history },
    ]);
    for await (const result of replay) if (result.error) throw result.error;
  } finally {
    counting = false;
    hook();
  }
  return made;
}

benchMain('workflow-cpu', 900, async () => {
  const quiet = () => undefined;
  Runtime.install({
    logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet },
  });
  const history = historyFromJSON(JSON.parse(fs.readFileSync(HISTORY, 'utf8')));
  const code = fs.readFileSync(path.join(repoRoot, 'lib/workflow-bundle.js'), 'utf8');
  const full: Bundle = { code };
  const limited: Bundle = { code: `Error.stackTraceLimit = ${FRAMES};\n${code}` };
  console.log(
    `workflow-cpu: ${path.relative(repoRoot, HISTORY)} replayed ${REPLAYS}× per round, ${ROUNDS} rounds`,
  );
  const m = machineInfo();
  const sdk = (
    JSON.parse(
      fs.readFileSync(path.join(repoRoot, 'node_modules/@temporalio/worker/package.json'), 'utf8'),
    ) as { version: string }
  ).version;
  console.log(`${m.nproc} CPUs (${m.cpu}), load ${m.loadavg.join(' ')}; Node ${process.version}; SDK ${sdk}`);
  await replayCpu(full, history, 20); // warm-up: the bundle loaded, the code compiled
  await replayCpu(limited, history, 20);
  const ms = { full: [] as number[], limited: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    ms.full.push(await replayCpu(full, history, REPLAYS));
    ms.limited.push(await replayCpu(limited, history, REPLAYS));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const [withStacks, without] = [mean(ms.full), mean(ms.limited)];
  printTable(
    ['CPU ms per replayed lifecycle', 'rounds', 'mean'],
    [
      [
        'as built (stack traces of 10 frames)',
        ms.full.map((x) => round(x, 1)).join(', '),
        round(withStacks, 1),
      ],
      [`Error.stackTraceLimit = ${FRAMES}`, ms.limited.map((x) => round(x, 1)).join(', '), round(without, 1)],
    ],
  );
  const share = (withStacks - without) / withStacks;
  console.log(
    `the SDK's promise stack capture: ${round(withStacks - without, 1)} ms a lifecycle, ${round(share * 100, 0)} %`,
  );
  let promises: Record<string, number> | undefined;
  if (hasFlag('--promises')) {
    const made = await promisesMade(full, history);
    const total = [...made.values()].reduce((a, b) => a + b, 0);
    console.log(`promises made by workflow code in one replay: ${total}; the most by`);
    const top = [...made.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
    printTable(
      ['promises', 'made in ← called from'],
      top.map(([by, n]) => [n, by]),
    );
    promises = { total, ...Object.fromEntries(top) };
  }
  printJson({
    bench: 'workflow-cpu',
    history: path.relative(repoRoot, HISTORY),
    replays: REPLAYS,
    cpuMsPerReplay: { asBuilt: round(withStacks, 2), stackFramesLimited: round(without, 2), frames: FRAMES },
    stackCaptureShare: round(share, 3),
    ...(promises ? { promises } : {}),
  });
});
