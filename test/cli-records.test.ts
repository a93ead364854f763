// `dura db migrate` and `dura institutions …`, run as a subprocess against a real SQLite file.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MIGRATION_NAMES } from '../activities/records/migrations';
import { dura } from './helpers/cli';

describe('dura CLI: records database and Registered Institutions', function () {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-cli-'));
    env = { DATABASE_URL: `sqlite:${dir}/dura.sqlite` };
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const csv = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('a command run with another data directory than the engine has says so, and makes no database', async () => {
    const elsewhere = path.join(dir, 'elsewhere', 'dura.sqlite');
    for (const args of [['report'], ['institutions', 'list'], ['check', 'ada@uw.edu']]) {
      const result = await dura(args, { DATABASE_URL: `sqlite:${elsewhere}` });
      assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(
        result.stderr,
        `dura: cannot reach the records database sqlite:${elsewhere}: no such file: set DURA_DATA_DIR (or DATABASE_URL) as the engine has it, or make a new one with \`dura db migrate\`\n`,
      );
    }
    assert.ok(!fs.existsSync(elsewhere), 'nothing made there');
  });

  it('db migrate applies the migrations once, then says the database is up to date', async () => {
    const first = await dura(['db', 'migrate', '--json'], env);
    assert.equal(first.status, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout).applied, MIGRATION_NAMES);
    const again = await dura(['db', 'migrate'], env);
    assert.equal(again.status, 0);
    assert.equal(again.stdout.trim(), 'the records database is up to date');
  });

  it('a CSV with bad rows imports nothing and names each line and field', async () => {
    const file = csv(
      'bad.csv',
      'domain,name,tiers\nuw.edu,University of Washington,registered\nnot a domain,Broken,registered\nmit.edu,MIT,gold\n',
    );
    const result = await dura(['institutions', 'import', file], env);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /nothing imported; 2 problems in 2 rows/);
    assert.match(result.stderr, /line 3, domain: /);
    assert.match(result.stderr, /line 4, tiers: unknown tier "gold"/);
    assert.equal((await dura(['institutions', 'list', '--json'], env)).stdout.trim(), '[]');
  });

  it('--skip-invalid imports the good rows and lists the rest; lookup finds by name fragment or domain', async () => {
    const file = csv(
      'mixed.csv',
      'domain,name,tiers\nUW.edu,"University of Washington, Seattle",registered;controlled\nmit.edu,MIT,gold\n',
    );
    const result = await dura(['institutions', 'import', file, '--skip-invalid'], env);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /imported 1 institution/);
    assert.match(result.stdout, /skipped line 3, tiers/);
    const found = JSON.parse((await dura(['institutions', 'lookup', 'washington', '--json'], env)).stdout);
    assert.deepEqual(
      found.map((i: { domain: string; tiers: string[] }) => [i.domain, i.tiers]),
      [['uw.edu', ['registered', 'controlled']]],
    );
    assert.match(
      (await dura(['institutions', 'lookup', 'uw.edu'], env)).stdout,
      /University of Washington, Seattle/,
    );
  });

  it('an import again says what it changed: a name, a new tier, a rule set back to domains (a trial)', async () => {
    const file = csv(
      'mit.csv',
      'domain,name,tiers\nmit.edu,MIT,registered\nlakeview.edu,Lakeview University,registered\n',
    );
    assert.equal(
      (await dura(['institutions', 'import', file], env)).stdout,
      'imported 2 institutions: 2 added, 0 changed, 0 unchanged\n',
    );
    const individual = [
      'institutions',
      'set-rule',
      'mit.edu',
      '--tier',
      'registered',
      '--rule',
      'individual',
    ];
    assert.equal((await dura(individual, env)).status, 0);
    const again = csv(
      'again.csv',
      'domain,name,tiers\nmit.edu,MIT,registered;controlled\nlakeview.edu,Lakeview U,registered\n',
    );
    const result = await dura(['institutions', 'import', again], env);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(
      result.stdout,
      'imported 2 institutions: 0 added, 2 changed, 0 unchanged\n' +
        'changed mit.edu: registered: rule individual → domains (any address at its domains is covered now); listed for controlled\n' +
        'changed lakeview.edu: name Lakeview University → Lakeview U\n',
    );
    assert.equal(
      (await dura(['institutions', 'import', again], env)).stdout,
      'imported 2 institutions: 0 added, 0 changed, 2 unchanged\n',
    );
  });

  it('user errors exit 1 with one line; an unreachable database exits 2', async () => {
    const missing = await dura(['institutions', 'import', path.join(dir, 'nope.csv')], env);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^dura: \/.*nope\.csv: no such file or directory \(ENOENT\)\n$/);
    const badUrl = await dura(['db', 'migrate'], { DATABASE_URL: 'mysql://x' });
    assert.equal(badUrl.status, 1);
    assert.match(badUrl.stderr, /^dura: DATABASE_URL: expected postgres:/);
    const down = await dura(['db', 'migrate'], { DATABASE_URL: 'postgres://dura:secret@127.0.0.1:1/dura' });
    assert.equal(down.status, 2);
    assert.match(
      down.stderr,
      /^dura: cannot reach the records database postgres:\/\/dura:\*\*\*@127\.0\.0\.1:1\/dura/,
    );
    assert.ok(!down.stderr.includes('secret'));
  });

  it('DURA_DATA_DIR, as for `npm start`: the records are <dir>/dura.sqlite, never ./data/dura.sqlite', async () => {
    const data = path.join(dir, 'engine-data');
    const cwd = path.join(dir, 'elsewhere');
    fs.mkdirSync(data);
    fs.mkdirSync(cwd);
    const at = { DURA_DATA_DIR: data };
    const run = (...args: string[]) => dura(args, at, cwd);
    assert.equal((await run('db', 'migrate')).status, 0);
    const file = csv('data-dir.csv', 'domain,name,tiers\ndatadir.edu,Data Dir College,registered\n');
    assert.equal((await run('institutions', 'import', file)).status, 0);
    const shown = await run('institutions', 'show', 'datadir.edu', '--json');
    assert.equal(shown.status, 0, shown.stderr);
    assert.equal(JSON.parse(shown.stdout).registry.name, 'Data Dir College');
    const report = await run('report', '--json');
    assert.equal(report.status, 0, report.stderr);
    // `status` with Temporal down looks in the same records (the lean path's fallback included).
    const status = await dura(['status', 'datadir.edu'], { ...at, TEMPORAL_ADDRESS: '127.0.0.1:1' }, cwd);
    assert.equal(status.status, 2, status.stderr);
    assert.ok(fs.existsSync(path.join(data, 'dura.sqlite')));
    assert.deepEqual(fs.readdirSync(cwd), [], 'created something in the working directory');
  });
});
