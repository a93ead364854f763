// Temporal itself going away while the CLI waits on an update (client/update-retry.ts `TemporalGone`): a
// real dev server process, killed with -9 mid-command, and no worker (so every update waits). Before, an
// import waited 2 min a row and blamed a missing worker (a trial: 40 rows, 10 minutes, all "no worker");
// now it waits 20 s for Temporal to come back (a restart), then stops, says Temporal stopped answering,
// and which rows were sent and which were not.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dura } from './helpers/cli';
import { devServerProcess, type DevServerProcess } from './helpers/dev-server-process';

const HEADER = 'institution_name,domain,requester_name,requester_email,official_name,official_email,tiers\n';
const row = (n: number) =>
  `Gone College ${n},gone${n}.example.edu,Ada R,ada@gone${n}.example.edu,Sam S,osp@gone${n}.example.edu,registered\n`;

describe('Temporal stops answering while the CLI waits on an update', function () {
  this.timeout(180_000);
  let dir: string;
  let server: DevServerProcess;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-temporal-gone-'));
    server = await devServerProcess(dir);
    await server.start();
    env = {
      TEMPORAL_ADDRESS: server.address,
      DURA_TASK_QUEUE: 'nobody-polls-temporal-gone',
      DATABASE_URL: `sqlite:${dir}/dura.sqlite`,
    };
    const migrated = await dura(['db', 'migrate'], env);
    assert.equal(migrated.status, 0, migrated.stderr);
  });

  after(async function () {
    await server?.stop(); // it replays every history it holds first (helpers/dev-server-process.ts)
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `args`, and kills the server once the command has been waiting `afterMs`; its result. */
  async function killedDuring(args: string[], afterMs: number) {
    const running = dura(args, env);
    await new Promise((resolve) => setTimeout(resolve, afterMs));
    await server.kill();
    const result = await running;
    await server.start(); // the same file and port: the next test (and the replay) find it
    return result;
  }

  it('an import stops after 20 s: the row in flight unanswered, the rest not sent, exit 2', async () => {
    const file = path.join(dir, 'requests.csv');
    fs.writeFileSync(file, HEADER + row(1) + row(2) + row(3));
    const result = await killedDuring(['import', file, '--concurrency', '1'], 5_000);
    assert.equal(result.status, 2, `${result.stdout}\n${result.stderr}`);
    const address = server.address.replace(/\./g, '\\.');
    assert.match(
      result.stdout,
      new RegExp(
        `^line 2, gone1\\.example\\.edu: unanswered: Temporal at ${address}: it stopped answering ` +
          `\\(it may still be applied once it is back\\)$`,
        'm',
      ),
    );
    for (const line of [3, 4])
      assert.match(
        result.stdout,
        new RegExp(
          `^line ${line}, gone${line - 1}\\.example\\.edu: not-sent: Temporal at ${address}: it stopped answering before it was sent$`,
          'm',
        ),
      );
    assert.match(
      result.stderr,
      new RegExp(
        `dura: cannot reach Temporal at ${address}: it stopped answering during the import: 1 request unanswered, ` +
          '2 requests not sent \\(listed above\\); import the file again once it answers ' +
          '\\(requests already in come back already-requested\\)\\n$',
      ),
    );
    assert.doesNotMatch(result.stderr, /no worker (took|finished)/, 'no worker is blamed');
    assert.match(
      result.stderr,
      /^dura: Temporal is not answering: waiting up to 20 s for it to come back \(a restart\?\)$/m,
    );
  });

  it('a control says Temporal stopped answering, and what may become of its update, exit 2', async () => {
    const result = await killedDuring(['initiate', 'gone1.example.edu'], 8_000);
    assert.equal(result.status, 2, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(
        `dura: cannot reach Temporal at ${server.address.replace(/\./g, '\\.')}: it stopped answering while ` +
          'initiate for \\S+ was on its way; it may still be applied once Temporal ' +
          'and a worker run again: see `dura status` then, before you try again\\n$',
      ),
    );
  });
});
