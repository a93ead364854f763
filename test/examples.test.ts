// README's sample Registered Institutions list (examples/registered-institutions.csv), imported with the
// CLI as a subprocess into a real SQLite file: it must stay valid, and show each of `dura check`'s
// next steps, as README's walk-through promises. No Temporal server.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dura as run } from './helpers/cli';

const SAMPLE = path.join(__dirname, '..', 'examples', 'registered-institutions.csv');

describe("README's sample list (examples/)", function () {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const dura = (...args: string[]) => run(args, env);

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-examples-'));
    env = { DATABASE_URL: `sqlite:${dir}/dura.sqlite` };
    // README runs these with `npm start` up: its records are there (the CLI makes none by itself).
    assert.equal((await dura('db', 'migrate')).status, 0);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('imports whole, and check gives each next step for the addresses README names', async () => {
    const imported = await dura('institutions', 'import', SAMPLE);
    assert.deepEqual([imported.status, imported.stderr], [0, '']);
    assert.equal(imported.stdout, 'imported 3 institutions: 3 added, 0 changed, 0 unchanged\n');

    const next = async (email: string) => {
      const result = await dura('check', email, '--tier', 'controlled', '--json');
      assert.equal(result.status, 0, result.stderr);
      return JSON.parse(result.stdout).next;
    };
    assert.deepEqual(
      {
        subdomain: await next('ada@med.lakeside.example'),
        amendment: await next('ada@northfield.example'),
        individualListed: await next('grace@riverbend.example'),
        individualNot: await next('ada@riverbend.example'),
        unlisted: await next('ada@uw.edu'),
      },
      {
        subdomain: 'create-account',
        amendment: 'request-controlled',
        individualListed: 'create-account',
        individualNot: 'submit-request',
        unlisted: 'submit-request',
      },
    );

    const show = await dura('institutions', 'show', 'lakeside.example');
    assert.equal(show.status, 0, show.stderr);
    assert.match(show.stdout, /Sam Signer <osp@lakeside\.example>/);
  });
});
