// A misspelt variable name: `dura` and the worker refuse a `DURA_` name dura does not read, naming it
// and what it likely meant, before anything runs; a near miss of another engine variable is warned of.
// And the list of names dura reads (common/env-names.ts) holds every one the repository uses.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { VARIABLES_READ, variableNameProblems } from '../common/env-names';
import { dura } from './helpers/cli';

const root = path.join(__dirname, '..');

/** Every `DURA_…` name written in the repository's own files (not node_modules, the build, .git), and where. */
function namesInRepository(): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const skip = new Set(['node_modules', 'lib', '.git', '.scratch', 'data']);
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (skip.has(path.relative(root, file)) || entry.name === 'node_modules') continue;
      if (entry.isDirectory()) walk(file);
      else if (/\.(ts|js|mjs|sh|ya?ml|md|json|example)$|^Dockerfile$|^run$/.test(entry.name)) {
        if (file === __filename || (/\.json$/.test(entry.name) && fs.statSync(file).size > 200_000)) continue;
        for (const [name] of fs.readFileSync(file, 'utf8').matchAll(/\bDURA_[A-Z0-9_]*[A-Z0-9]\b/g))
          found.set(name, (found.get(name) ?? new Set()).add(path.relative(root, file)));
      }
    }
  };
  walk(root);
  return found;
}

describe('variable names', function () {
  this.timeout(120_000);

  it('a DURA_ name dura does not read is a problem naming it; another near miss a warning', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    assert.deepEqual(variableNameProblems({ DURA_ENCRYPTON_KEY: key, DURA_WEBURL: 'x', DURA_X: '1' }), {
      unknown: [
        'DURA_ENCRYPTON_KEY: dura reads no such variable; did you mean DURA_ENCRYPTION_KEY? (correct its name, or unset it)',
        'DURA_WEBURL: dura reads no such variable; did you mean DURA_WEB_URL? (correct its name, or unset it)',
        'DURA_X: dura reads no such variable (correct its name, or unset it)',
      ],
      nearMisses: [],
      nearMissNames: [],
    });
    const misses = variableNameProblems({ SMPT_URL: 'smtp://x:25', DATABSE_URL: 'sqlite:x' });
    assert.deepEqual(misses.nearMisses, [
      'SMPT_URL is set and SMTP_URL is not: did you mean SMTP_URL? dura reads only SMTP_URL',
      'DATABSE_URL is set and DATABASE_URL is not: did you mean DATABASE_URL? dura reads only DATABASE_URL',
    ]);
    assert.deepEqual(misses.nearMissNames, ['SMPT_URL', 'DATABSE_URL']);
    // Another program's variable beside dura's own, set: no warning.
    assert.deepEqual(variableNameProblems({ SMPT_URL: 'x', SMTP_URL: 'smtp://m:25' }).nearMisses, []);
    // The names of a usual shell, and every name dura reads, pass.
    const usual = { PATH: '/bin', HOME: '/root', HOSTNAME: 'h', LANG: 'C.UTF-8', TERM: 'xterm', CI: 'true' };
    const all = Object.fromEntries([...VARIABLES_READ].map((n) => [n, '1']));
    assert.deepEqual(variableNameProblems({ ...usual, ...all }), {
      unknown: [],
      nearMisses: [],
      nearMissNames: [],
    });
  });

  it('the list holds every DURA_ name the repository uses, and no name it does not', () => {
    const used = namesInRepository();
    // Not variables: a benchmark's task-queue constant, a test's made-up name, README's and
    // docs/configuration.md's misspelt examples.
    const notVariables = new Set([
      'DURA_QUEUE',
      'DURA_SOMETHING_NEW',
      'DURA_ENCRYPTON_KEY',
      'DURA_TERM_MONTH',
    ]);
    const unlisted = [...used].filter(([n]) => !VARIABLES_READ.has(n) && !notVariables.has(n));
    assert.deepEqual(unlisted, [], 'named in the repository but not in common/env-names.ts');
    const elsewhere = (n: string) => [...(used.get(n) ?? [])].some((f) => f !== 'common/env-names.ts');
    const stale = [...VARIABLES_READ].filter((n) => n.startsWith('DURA_') && !elsewhere(n));
    assert.deepEqual(stale, [], 'listed in common/env-names.ts but used nowhere else');
  });

  it('`dura` refuses a misspelt DURA_ name before anything runs, and warns of a near miss', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-env-names-'));
    const env = { DURA_DATA_DIR: dir, TEMPORAL_ADDRESS: '127.0.0.1:1' };
    try {
      const refused = await dura(['db', 'migrate'], {
        ...env,
        DURA_ENCRYPTON_KEY: 'k',
        DURA_TERM_MONTH: '36',
      });
      assert.equal(refused.status, 1, refused.stderr);
      assert.deepEqual(refused.stderr.trim().split('\n'), [
        'dura: DURA_ENCRYPTON_KEY: dura reads no such variable; did you mean DURA_ENCRYPTION_KEY? (correct its name, or unset it)',
        'dura: DURA_TERM_MONTH: dura reads no such variable; did you mean DURA_TERM_MONTHS? (correct its name, or unset it)',
      ]);
      assert.deepEqual(fs.readdirSync(dir), [], 'nothing made: no records database');
      // `dura status` too (its lean path hands a misspelt name to the full CLI).
      const status = await dura(['status', 'x.edu-1'], { ...env, DURA_LINK_KEYS: 'k' });
      assert.equal(status.status, 1, status.stderr);
      assert.match(status.stderr, /^dura: DURA_LINK_KEYS: .*did you mean DURA_LINK_KEY\?/);
      // A near miss: warned of, and the command runs.
      const warned = await dura(['db', 'migrate'], { ...env, SMPT_URL: 'smtp://127.0.0.1:2525' });
      assert.equal(warned.status, 0, warned.stderr);
      assert.match(
        warned.stderr,
        /^dura: warning: SMPT_URL is set and SMTP_URL is not: did you mean SMTP_URL\?/,
      );
      assert.ok(fs.existsSync(path.join(dir, 'dura.sqlite')));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the worker refuses a misspelt DURA_ name with the other bad variables, before connecting', async () => {
    const tsx = pathToFileURL(path.join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const child = spawn(process.execPath, ['--import', tsx, path.join(root, 'worker', 'main.ts')], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        DURA_DATA_DIR: os.tmpdir(),
        DURA_ENCRYPTON_KEY: 'k',
        DURA_LOG_LEVEL: 'loud',
      },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 1, stderr);
    assert.match(
      stderr,
      /^DURA_ENCRYPTON_KEY: dura reads no such variable; did you mean DURA_ENCRYPTION_KEY\?/m,
    );
    assert.match(stderr, /^DURA_LOG_LEVEL: /m);
  });
});
