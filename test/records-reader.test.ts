// A command that only reads the records answers while another process holds SQLite's write lock (a
// worker in the middle of a write, or one paused there): WAL lets readers through, and opening the
// store takes no lock once the schema is current (activities/records/migrations.ts). The CLI runs as a
// subprocess against a real SQLite file; the lock is held by this process through better-sqlite3.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { dura as run } from './helpers/cli';

describe('records: readers beside a held write lock (SQLite)', function () {
  this.timeout(120_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const dura = (...args: string[]) => run(args, env);

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-reader-'));
    env = { DATABASE_URL: `sqlite:${dir}/dura.sqlite` };
    const file = path.join(dir, 'registered.csv');
    fs.writeFileSync(file, 'domain,name,tiers\nuw.edu,University of Washington,registered\n');
    assert.equal((await dura('db', 'migrate')).status, 0); // the records, as the engine makes them
    const imported = await dura('institutions', 'import', file);
    assert.equal(imported.status, 0, imported.stderr);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('check and institutions list answer at once while a writer holds the lock; a write waits for it', async () => {
    const writer = new Database(path.join(dir, 'dura.sqlite'));
    try {
      writer.exec('BEGIN IMMEDIATE');
      writer.prepare("UPDATE institutions SET name = 'UW (being renamed)' WHERE domain = 'uw.edu'").run();

      const check = await dura('check', 'ada@uw.edu', '--json');
      assert.equal(check.status, 0, check.stderr);
      // The last committed name: the writer's change is not visible until it commits.
      assert.equal(JSON.parse(check.stdout).institution.name, 'University of Washington');
      const list = await dura('institutions', 'list');
      assert.equal(list.status, 0, list.stderr);
      assert.match(list.stdout, /^uw\.edu\tUniversity of Washington\tregistered$/m);

      // A command that writes waits for the lock (busy_timeout, 5 s) and, when it runs out, says so.
      const waitedFrom = Date.now();
      const add = await dura('institutions', 'add-domain', 'uw.edu', 'washington.edu');
      assert.deepEqual([add.status, add.stdout], [2, ''], add.stderr);
      assert.equal(
        add.stderr,
        'dura: the records database is busy: database is locked (another process holds its write lock; try again)\n',
      );
      assert.ok(Date.now() - waitedFrom >= 4_500, `gave up after ${Date.now() - waitedFrom} ms, not 5 s`);

      // A lock released while it waits: the write goes through.
      const adding = dura('institutions', 'add-domain', 'uw.edu', 'washington.edu');
      setTimeout(() => writer.exec('ROLLBACK'), 1_500);
      const added = await adding;
      assert.deepEqual([added.status, added.stderr], [0, '']);
      assert.match(added.stdout, /added the domain washington\.edu/);
    } finally {
      if (writer.inTransaction) writer.exec('ROLLBACK');
      writer.close();
    }
  });
});
