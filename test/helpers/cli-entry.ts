/**
 * How the tests start dura's processes: the `dura` CLI as installed (bin/dura.js over the build in lib/)
 * and the fault tests' worker from lib/, when that build is newer than every source file, else from the
 * sources through tsx. The build starts in about a third of the time (1.3 s against 3.5 s for `dura
 * check` here); the suite runs the CLI a few hundred times and the chaos test starts 50 workers.
 * `.ci/run` builds before the tests. After an edit without a build the sources run, so a test never
 * sees stale code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.join(__dirname, '..', '..');
/** The folders compiled into what those processes load (tsconfig.json's include, less the tests). */
const SOURCES = [
  'client',
  'common',
  'web',
  'workflows',
  'activities',
  'worker',
  'scripts',
  'bench/lib',
  'test/helpers',
];
const BUILT = path.join(root, 'lib', 'client', 'main.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(file));
    else if (/\.(ts|json)$/.test(entry.name)) newest = Math.max(newest, fs.statSync(file).mtimeMs);
  }
  return newest;
}

function buildIsFresh(): boolean {
  if (process.env.DURA_TEST_CLI === 'sources') return false;
  let built: number;
  try {
    built = fs.statSync(BUILT).mtimeMs;
  } catch {
    return false;
  }
  const sources = SOURCES.map((dir) => path.join(root, dir)).filter((dir) => fs.existsSync(dir));
  return Math.max(fs.statSync(path.join(root, 'package.json')).mtimeMs, ...sources.map(newestSource)) < built;
}

let fresh: boolean | undefined;

/** Node's arguments to run `file` (a .ts path under the project): `[lib/…/file.js]` or `['--import', tsx, file]`. */
export function nodeEntry(file: string): string[] {
  fresh ??= buildIsFresh();
  if (fresh) return [path.join(root, 'lib', path.relative(root, file).replace(/\.ts$/, '.js'))];
  return ['--import', pathToFileURL(path.join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href, file];
}

/** Node's arguments before the CLI's own: `[bin/dura.js]` or `['--import', tsx, client/main.ts]`. */
export function cliEntry(): string[] {
  const entry = nodeEntry(path.join(root, 'client', 'main.ts'));
  return entry.length === 1 ? [path.join(root, 'bin', 'dura.js')] : entry;
}
