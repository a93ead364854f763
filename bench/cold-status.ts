/**
 * Cold-process `dura status` against the official `temporal workflow query` on the same agreement,
 * same machine, same run (built first if stale: `npm run bench:status [-- --runs 25 | --quick]`; with
 * `--compare <dir>`, also the `bin/dura.js` of another built tree, e.g. `git archive` of the last commit).
 *
 * Starts the Temporal dev server (temp SQLite file, WAL) and the real worker (`node lib/worker/main.js`,
 * temp records database, mail to a temp outbox) on 127.0.0.1, requests one agreement, then runs in
 * rotating order, each a fresh process: the lean `dura status <domain> --json`, the full commander path
 * (`DURA_LEAN_STATUS=off`, what `dura status` was before the lean path), the official CLI's query, and
 * `node -e 0` (Node's own start-up floor). Prints a table and one JSON line; stops everything.
 * The full path also loads the lean path's modules first (~5 ms): `--compare` measures a tree without.
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
    const seen: unknown[] = [];
    for (const tool of order) {
      const started = process.hrtime.bigint();
      const result = run(tool.command, tool.args, tool.env);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      assert.equal(result.status, 0, `${tool.name}: ${result.stderr}`);
      if (tool.status) seen.push(tool.status(result.stdout));
      if (round >= WARM_UP) times.get(tool.name)!.push(ms);
    }
    // All three print the same agreement (the official CLI's keys in another order).
    for (const status of seen.slice(1)) assert.deepEqual(status, seen[0]);
  }
  report(tools, times, server.temporal, server.pragmas);
}

function benchTools(temporal: string, dura: string, address: string, env: NodeJS.ProcessEnv): Tool[] {
  const json = (stdout: string) => JSON.parse(stdout);
  return [
    {
      name: 'dura status (lean)',
      command: process.execPath,
      args: [dura, 'status', DOMAIN, '--json'],
      env,
      status: json,
    },
    {
      name: 'dura status (full path)',
      command: process.execPath,
      args: [dura, 'status', DOMAIN, '--json'],
      env: { ...env, DURA_LEAN_STATUS: 'off' },
      status: json,
    },
    {
      name: 'temporal workflow query',
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
    { name: 'node -e 0 (floor)', command: process.execPath, args: ['-e', '0'], env },
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
  const ratio = median('dura status (lean)') / median('temporal workflow query');
  const machine = machineInfo();
  const v = versions(temporal);
  console.log(`cold \`status\`, ${RUNS} runs each (after ${WARM_UP} warm-up rounds), milliseconds`);
  console.log(contextLine(machine, v, pragmas));
  printTable(
    ['tool', 'median', 'p90', 'min'],
    tools.map((t) => {
      const s = stats[t.name]!;
      return [t.name, ms(s.median), ms(s.p90), ms(s.min)];
    }),
  );
  console.log(
    `dura (lean) / official: ${ratio.toFixed(2)}   full / lean: ${(median('dura status (full path)') / median('dura status (lean)')).toFixed(2)}`,
  );
  printJson({
    bench: 'cold-status',
    runs: RUNS,
    machine,
    versions: v,
    sqlitePragmas: sqlitePragmas(pragmas),
    stats,
    ratio: Number(ratio.toFixed(3)),
  });
}

const ms = (n: number) => n.toFixed(0);

function requestArgs(): string[] {
  return [
    'request',
    ...['--institution-name', 'Bench University', '--domain', DOMAIN],
    ...['--requester-name', 'Ada Bench', '--requester-email', `ada@${DOMAIN}`],
    ...['--official-name', 'Sam Signer', '--official-email', `osp@${DOMAIN}`, '--tier', 'registered'],
  ];
}

benchMain('cold-status', 600, main);
