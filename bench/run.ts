/**
 * `npm run bench [-- --quick] [-- --only intake,lifecycle]`: every figure script in bench/ (each
 * `bench/*.ts` but this one, cold-status.ts, which status.ts runs, and production-scale.ts, run alone;
 * bench/lib and bench/workflows are helpers), one after another so no two
 * compete for the machine, each within a time bound, then a summary of their JSON lines: a table and
 * one JSON line `{"bench":"summary",…}`. Builds lib/ first when it is stale. Exit 1 if any failed.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt } from './lib/build';
import { repoRoot } from './lib/paths';
import { printTable } from './lib/report';

const QUICK = process.argv.includes('--quick');
const onlyAt = process.argv.indexOf('--only');
const ONLY = onlyAt > 0 ? process.argv[onlyAt + 1]!.split(',') : undefined;
/** The first figures in this order (the issue's), then any others by name. */
const FIRST = ['intake', 'lifecycle'];
/**
 * This runner, the cold CLI, which status.ts runs itself as the second half of figure 4, and the
 * production scale figures, run alone (`npm run bench:production`: they need PostgreSQL and the real
 * server, and seed their own agreements, no snapshot).
 */
const PART_OF_ANOTHER = new Set(['run.ts', 'cold-status.ts', 'production-scale.ts']);
/**
 * A backstop over each script's own bound (bench/lib/process.ts benchMain), which cleans up first:
 * above the longest (memory, 3 h, with a fresh seed of 10,000 agreements on a 2-CPU machine).
 */
const BOUND_SECONDS = QUICK ? 40 * 60 : 200 * 60;

interface Outcome {
  name: string;
  code: number | null;
  seconds: number;
  result?: { ratio?: number; target?: number; met?: boolean } & Record<string, unknown>;
}

function figures(): string[] {
  const names = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !PART_OF_ANOTHER.has(f))
    .map((f) => f.slice(0, -3));
  const rank = (n: string) => (FIRST.includes(n) ? FIRST.indexOf(n) : FIRST.length);
  return names
    .filter((n) => !ONLY || ONLY.includes(n))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

let current: ReturnType<typeof spawn> | undefined;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    interrupted = true;
    current?.kill(signal); // the script stops its servers and exits
  });

function runFigure(name: string): Promise<Outcome> {
  const started = Date.now();
  const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
  const args = [path.join(__dirname, `${name}.ts`), ...(QUICK ? ['--quick'] : [])];
  console.log(`\n=== ${name}${QUICK ? ' (quick)' : ''}`);
  return new Promise((resolve) => {
    const child = spawn(tsx, args, {
      cwd: repoRoot,
      env: { ...process.env, DURA_BENCH_NO_BUILD: '1' }, // built once, below
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    current = child;
    let last: string | undefined;
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop()!;
      for (const line of lines) if (line.startsWith('{"bench"')) last = line;
    });
    const term = setTimeout(() => {
      console.error(`bench: ${name} over ${BOUND_SECONDS} s; stopping it`);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 60_000).unref();
    }, BOUND_SECONDS * 1000);
    child.once('close', (code) => {
      clearTimeout(term);
      current = undefined;
      if (pending.startsWith('{"bench"')) last = pending;
      const result = last ? (JSON.parse(last) as Outcome['result']) : undefined;
      resolve({ name, code, seconds: Math.round((Date.now() - started) / 1000), result });
    });
  });
}

async function main(): Promise<number> {
  ensureBuilt();
  const outcomes: Outcome[] = [];
  for (const name of figures()) {
    if (interrupted) break;
    outcomes.push(await runFigure(name));
  }
  console.log(`\n=== summary${QUICK ? ' (quick: small sizes, a smoke run)' : ''}`);
  const show = (v: unknown) => (v === undefined ? '-' : String(v));
  printTable(
    ['figure', 'ratio', 'target', 'met', 'seconds', 'exit'],
    outcomes.map((o) => [
      o.name,
      show(o.result?.ratio),
      show(o.result?.target),
      show(o.result?.met),
      o.seconds,
      show(o.code),
    ]),
  );
  console.log(
    JSON.stringify({
      bench: 'summary',
      quick: QUICK,
      figures: outcomes.map((o) => ({
        name: o.name,
        exit: o.code,
        seconds: o.seconds,
        ratio: o.result?.ratio,
        target: o.result?.target,
        met: o.result?.met,
      })),
    }),
  );
  return outcomes.every((o) => o.code === 0) && !interrupted ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench: ${String(err)}`);
    process.exit(1);
  },
);
