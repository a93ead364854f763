/**
 * The benchmarks run the compiled tree (bin/dura.js → lib/, the workers in lib/): build it when it is
 * missing or older than a source, as `npm start` does (scripts/start.sh), so a figure never measures
 * stale code. DURA_BENCH_NO_BUILD=1 skips the check (e.g. to measure a tree as it was built).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './paths';

const SOURCES = ['workflows', 'activities', 'worker', 'client', 'common', 'scripts', 'bench'];
const STAMP = path.join(repoRoot, 'lib', 'workflow-bundle.js'); // the build's last step writes it

function newestSource(dir: string, than: number): string | undefined {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = newestSource(file, than);
      if (found) return found;
    } else if (entry.name.endsWith('.ts') && fs.statSync(file).mtimeMs > than) return file;
  }
  return undefined;
}

/** Why a build is needed, or undefined when lib/ is up to date. */
export function staleBuild(): string | undefined {
  if (!fs.existsSync(STAMP)) return 'lib/ is not built';
  const built = fs.statSync(STAMP).mtimeMs;
  for (const dir of SOURCES) {
    const newer = newestSource(path.join(repoRoot, dir), built);
    if (newer) return `${path.relative(repoRoot, newer)} is newer than the build`;
  }
  for (const file of ['package.json', 'tsconfig.json'])
    if (fs.statSync(path.join(repoRoot, file)).mtimeMs > built) return `${file} is newer than the build`;
  return undefined;
}

export function ensureBuilt(): void {
  if (process.env.DURA_BENCH_NO_BUILD === '1') return;
  const why = staleBuild();
  if (!why) return;
  console.error(`bench: building (${why})`);
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) throw new Error('`npm run build` failed');
}
