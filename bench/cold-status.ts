/**
 * Cold-process `dura status` against Node's own start-up (`node -e 0`), the official `temporal workflow
 * query` and dura's full SDK path on the same agreement, same machine, same run (built first if stale:
 * `npm run bench:cold-status [-- --runs 25 | --quick]`; with `--compare <dir>`, also the `bin/dura.js`
 * of another built tree, e.g. `git archive` of the last commit). The lean path's target: its median at
 * most 2.5× `node -e 0`'s.
 *
 * Starts the Temporal dev server (temp SQLite file, WAL) and the real worker (`node lib/worker/main.js`,
 * temp records database, mail to a temp outbox) on 127.0.0.1, requests one agreement, then runs in
 * rotating order, each a fresh process: the lean `dura status <domain> --json`, the full commander path
 * (`DURA_LEAN_STATUS=off`, what `dura status` was before the lean path), the official CLI's query, and
 * `node -e 0` (Node's own start-up floor). Prints a table with each median's ratio to `node -e 0`, a
 * line of ratios, and one JSON line; stops everything.
 * The full path also loads status-fast.ts and its small imports first: `--compare` measures a tree without.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { contextLine, machineInfo, sqlitePragmas, versions } from './lib/machine';
import { benchMain, numberFlag, repoRoot as root, run, stringFlag, waitFor, type Bench } from './lib/process';
import { printJson, printTable, summary, type Stats } from './lib/report';
import { startDevServer } from './lib/server';
import { duraEnv, startWorkers } from './lib/workers';

const DOMAIN = 'bench-status.example.edu';
const RUNS = numberFlag('--runs', process.argv.includes('--quick') ? 3 : 15);
const compare = stringFlag('--compare');
const COMPARE = compare ? path.resolve(compare) : undefined;
const WARM_UP = 2;
const [LEAN, FULL, OFFICIAL, FLOOR] = [
  'dura status (lean)',
  'dura status (full path)',
  'temporal workflow query',
  'node -e 0 (floor)',
];
/** The lean path's goal: its median at most this many times Node's own start-up. */
const FLOOR_TARGET = 2.5;

interface Tool {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** The agreement's status as this tool printed it (undefined: prints none). */
  status?: (stdout: string) => unknown;
}

async function main(bench: Bench): Promise<void> {
  const server = await startDevServer(bench);
  // No SMTP_URL: mail goes to <dir>/data/outbox, as with `npm start`.
  const cliEnv = duraEnv(bench, { address: server.address, taskQueue: 'dura-bench' });
  await startWorkers(bench, { kind: 'real', env: cliEnv });
  const dura = path.join(root, 'bin', 'dura.js');
  const requested = run(process.execPath, [dura, ...requestArgs()], cliEnv);
  assert.equal(requested.status, 0, `dura request: ${requested.stderr}`);
  await waitFor('the agreement', () => run(process.execPath, [dura, 'status', DOMAIN], cliEnv));

  // The lean path answers by itself here (it would say on stderr if it handed over).
  const lean = run(process.execPath, [dura, 'status', DOMAIN, '--json'], {
    ...cliEnv,
    DURA_LEAN_STATUS: 'debug',
  });
  assert.equal(lean.stderr, '', 'the lean path handed over');
  const tools = benchTools(server.temporal, dura, server.address, cliEnv);
  const times = new Map<string, number[]>(tools.map((t) => [t.name, []]));
  for (let round = 0; round < WARM_UP + RUNS; round++) {
    // Rotating order: no tool always runs right after the same neighbour.
    const order = tools.map((_, i) => tools[(i + round) % tools.length]!);
    const seen: [string, unknown][] = [];
    for (const tool of order) {
      const started = process.hrtime.bigint();
      const result = run(tool.command, tool.args, tool.env);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      assert.equal(result.status, 0, `${tool.name}: ${result.stderr}`);
      if (tool.status) seen.push([tool.name, tool.status(result.stdout)]);
      if (round >= WARM_UP) times.get(tool.name)!.push(ms);
    }
    // All three print the same agreement (the official CLI's keys in another order, and its empty
    // arrays as null: Go's JSON).
    for (const [name, status] of seen.slice(1))
      assert.deepEqual(
        emptyAsNull(status),
        emptyAsNull(seen[0]![1]),
        `${name} and ${seen[0]![0]} print different statuses`,
      );
  }
  report(tools, times, server.temporal, server.pragmas);
}

function benchTools(temporal: string, dura: string, address: string, env: NodeJS.ProcessEnv): Tool[] {
  const json = (stdout: string) => JSON.parse(stdout);
  return [
    {
      name: LEAN,
      command: process.execPath,
      args: [dura, 'status', DOMAIN, '--json'],
      env,
      status: json,
    },
    {
      name: FULL,
      command: process.execPath,
      args: [dura, 'status', DOMAIN, '--json'],
      env: { ...env, DURA_LEAN_STATUS: 'off' },
      status: json,
    },
    {
      name: OFFICIAL,
      command: temporal,
      args: [
        'workflow',
        'query',
        '--address',
        address,
        '--workflow-id',
        `dura-${DOMAIN}`,
        '--name',
        'status',
      ],
      env,
      status: (stdout) => JSON.parse(/QueryResult\s+(\{.*\})\s*$/m.exec(stdout)?.[1] ?? 'null'),
    },
    { name: FLOOR, command: process.execPath, args: ['-e', '0'], env },
    ...(COMPARE
      ? [
          {
            name: `dura status (${path.basename(COMPARE)})`,
            command: process.execPath,
            args: [path.join(COMPARE, 'bin', 'dura.js'), 'status', DOMAIN, '--json'],
            env,
            status: json,
          },
        ]
      : []),
  ];
}

function report(tools: Tool[], times: Map<string, number[]>, temporal: string, pragmas: string[]): void {
  const stats: Record<string, Stats> = Object.fromEntries(
    tools.map((t) => [t.name, summary(times.get(t.name)!)]),
  );
  const median = (name: string) => stats[name]!.median;
  const lean = median(LEAN);
  const ratios = {
    leanToNode: lean / median(FLOOR),
    leanToOfficial: lean / median(OFFICIAL),
    fullToLean: median(FULL) / lean,
  };
  const machine = machineInfo();
  const v = versions(temporal);
  console.log(`cold \`status\`, ${RUNS} runs each (after ${WARM_UP} warm-up rounds), milliseconds`);
  console.log(contextLine(machine, v, pragmas));
  printTable(
    ['tool', 'median', 'p90', 'min', '/ node -e 0'],
    tools.map((t) => {
      const s = stats[t.name]!;
      return [t.name, ms(s.median), ms(s.p90), ms(s.min), (s.median / median(FLOOR)).toFixed(2)];
    }),
  );
  const met = ratios.leanToNode <= FLOOR_TARGET ? 'met' : 'MISSED';
  console.log(
    `dura (lean) / node -e 0: ${ratios.leanToNode.toFixed(2)} (target ≤ ${FLOOR_TARGET}: ${met})   ` +
      `dura (lean) / official: ${ratios.leanToOfficial.toFixed(2)}   full / lean: ${ratios.fullToLean.toFixed(2)}`,
  );
  printJson({
    bench: 'cold-status',
    runs: RUNS,
    machine,
    versions: v,
    sqlitePragmas: sqlitePragmas(pragmas),
    stats,
    // `ratio` stays lean / official: bench/status.ts reads it as its cold figure.
    ratio: Number(ratios.leanToOfficial.toFixed(3)),
    ratios: Object.fromEntries(Object.entries(ratios).map(([k, r]) => [k, Number(r.toFixed(3))])),
    floorTarget: FLOOR_TARGET,
  });
}

const ms = (n: number) => n.toFixed(0);

function emptyAsNull(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? value.map(emptyAsNull) : null;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, emptyAsNull(v)]));
  return value;
}

function requestArgs(): string[] {
  return [
    'request',
    ...['--institution-name', 'Bench University', '--domain', DOMAIN],
    ...['--requester-name', 'Ada Bench', '--requester-email', `ada@${DOMAIN}`],
    ...['--official-name', 'Sam Signer', '--official-email', `osp@${DOMAIN}`, '--tier', 'registered'],
  ];
}

benchMain('cold-status', 600, main);
