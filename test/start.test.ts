// `npm start` as the access team runs it: started, stopped with Ctrl-C (SIGINT to the whole process
// group, as a terminal sends it), started again: the agreement in flight is still there, answered by the
// new worker, its pending reminder unchanged, and nothing sent twice. The researcher's pages answer at
// the address the banner names, and stop with the rest.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { dura as runDura } from './helpers/cli';
import { freePort, startSmtp, type TestSmtp } from './helpers/mail';
import { assertEveryHistoryReplays } from './helpers/replay-all';
import { until } from './helpers/wait';

const root = path.join(__dirname, '..');

describe('npm start', function () {
  this.timeout(300_000);
  let dir: string;
  let smtp: TestSmtp;
  let env: NodeJS.ProcessEnv;
  let engine: ChildProcess | undefined;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-start-'));
    smtp = await startSmtp();
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      DURA_UI_PORT: String(await freePort()),
      DURA_WEB_PORT: String(await freePort()),
      DURA_DATA_DIR: dir,
      SMTP_URL: smtp.url,
      DURA_LINK_KEY: randomBytes(32).toString('base64'),
    };
  });
  after(async () => {
    if (engine) await stop(engine);
    await smtp?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const nearMiss =
    'ACCESS_TEAM_MAIL is set and ACCESS_TEAM_EMAIL is not: did you mean ACCESS_TEAM_EMAIL? dura reads only ACCESS_TEAM_EMAIL';

  /** `npm start` in its own process group; resolves once it says it is running. */
  async function start(extra: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
    const child = spawn('npm', ['start', '--silent'], {
      cwd: root,
      env: { ...env, ...extra },
      detached: true,
      stdio: 'pipe',
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const running = until(() => output.includes('dura is running.'), 240_000);
    const outcome = await Promise.race([running.then(() => 'running'), exited.then((c) => `exited ${c}`)]);
    assert.equal(outcome, 'running', output);
    // The banner is printed, never run: the alias first (this clone's own CLI), `npm link` second.
    await until(() => output.includes('Press Ctrl-C to stop.'), 10_000);
    // A near miss is warned of once, by the start's own check, not again by every part it starts.
    const warnings = output.split('\n').filter((line) => line.includes('ACCESS_TEAM_MAIL'));
    assert.deepEqual(warnings, extra.ACCESS_TEAM_MAIL ? [`dura: warning: ${nearMiss}`] : [], output);
    assert.match(
      output,
      /^ {2}CLI {14}dura --help {3}\(with alias dura="node \/\S+\/bin\/dura\.js", or npm link\)$/m,
    );
    // What `dura` must be given to reach this engine: every setting that is not a default.
    const shared =
      `TEMPORAL_ADDRESS=${env.TEMPORAL_ADDRESS} DURA_DATA_DIR=${env.DURA_DATA_DIR} ` +
      `DURA_WEB_PORT=${env.DURA_WEB_PORT} DURA_LINK_KEY=(yours)`;
    assert.ok(output.includes(`\n  CLI settings     ${shared}   (give dura the same)\n`), output);
    assert.ok(!output.includes(env.DURA_LINK_KEY!), 'the key is never printed');
    // The mail server, not the outbox; it answers, so nothing more is said.
    assert.match(output, new RegExp(`^ {2}mail {13}SMTP ${smtp.url.replace(/\./g, '\\.')}$`, 'm'));
    // The researcher's pages: the banner names them, and they answer there.
    const pages = `http://127.0.0.1:${env.DURA_WEB_PORT}`;
    assert.match(output, new RegExp(`^ {2}Researcher pages ${pages.replace(/\./g, '\\.')}$`, 'm'));
    const institutions = await fetch(`${pages}/institutions`);
    assert.equal(institutions.status, 200, await institutions.text());
    assert.match(institutions.headers.get('content-type') ?? '', /^text\/html/);
    // And `dura doctor`, which the banner offers, finds every part working.
    assert.match(output, /^ {2}Health {11}dura doctor {3}/m);
    let health = await runDura(['doctor'], env);
    await until(async () => (health = await runDura(['doctor'], env)).status === 0, 30_000).catch(() =>
      assert.fail(`dura doctor exit ${health.status}:\n${health.stdout}${health.stderr}`),
    );
    // Given only the banner's settings (no SMTP_URL), it checks the server the worker recorded.
    const banner = { ...env, SMTP_URL: undefined };
    const mail = JSON.parse((await runDura(['doctor', '--json'], banner)).stdout) as {
      checks: { check: string; detail: string }[];
    };
    assert.match(
      mail.checks.find((c) => c.check === 'mail')?.detail ?? '',
      /^127\.0\.0\.1:\d+, the engine's server: accepts connections; its login not checked/,
    );
    return child;
  }

  /** Ctrl-C: SIGINT to the group; everything must be gone and the server's port free again. */
  async function stop(child: ChildProcess): Promise<string> {
    // npm re-raises the SIGINT it got; the engine's own scripts exit 0.
    const exited = new Promise<string>((resolve) =>
      child.once('exit', (c, signal) => resolve(signal ?? `exit ${c}`)),
    );
    process.kill(-child.pid!, 'SIGINT');
    const how = await exited;
    await until(async () => !(await listening(env.TEMPORAL_ADDRESS!)), 20_000);
    await until(async () => !(await listening(`127.0.0.1:${env.DURA_WEB_PORT}`)), 20_000);
    engine = undefined;
    return how;
  }

  const dura = (...args: string[]) => runDura(args, env);
  const status = async () => {
    const result = await dura('status', 'restart.edu', '--json');
    assert.equal(result.status, 0, result.stderr);
    return { status: JSON.parse(result.stdout), notice: result.stderr };
  };

  it('stopped with Ctrl-C and started again, an agreement keeps its pending reminder', async () => {
    engine = await start({ ACCESS_TEAM_MAIL: 'access@example.org' });
    const requested = await dura(
      'request',
      ...['--institution-name', 'Restart University', '--domain', 'restart.edu'],
      ...['--requester-name', 'Ada Researcher', '--requester-email', 'ada@restart.edu'],
      ...['--official-name', 'Sam Signer', '--official-email', 'osp@restart.edu', '--tier', 'registered'],
    );
    assert.equal(requested.status, 0, requested.stderr);
    // The requester's mail links to the pages start.sh serves, and the link opens there: the worker and
    // `dura web` share the status-link key (DURA_DATA_DIR/status-link.key) and DURA_WEB_URL.
    await until(() => smtp.arrived.some((a) => a.mail.headers.get('x-dura-kind') === 'request-received'));
    const received = smtp.arrived.find((a) => a.mail.headers.get('x-dura-kind') === 'request-received')!;
    const link = new RegExp(`http://127\\.0\\.0\\.1:${env.DURA_WEB_PORT}/status/[\\w.-]+`).exec(
      received.mail.text ?? '',
    );
    assert.ok(link, `no status link in the request-received mail:\n${received.mail.text}`);
    const page = await fetch(link[0]);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<h1[^>]*>Your DURA request<\/h1>/);
    await until(async () => (await status()).status.nextReminderAt !== null, 30_000);
    const before = (await status()).status;
    assert.equal(before.stage, 'awaiting-signature');
    const sentBefore = smtp.arrived.length;

    await stop(engine);
    // Temporal is down: the records answer, with the same notice as when no worker does.
    const down = await dura('status', 'restart.edu', '--json');
    assert.equal(down.status, 0, down.stderr);
    assert.equal(JSON.parse(down.stdout).nextReminderAt, before.nextReminderAt);
    assert.match(down.stderr, /no worker answered/);

    engine = await start();
    const after = await status();
    assert.equal(after.notice, '', 'the restarted worker answers the query itself');
    assert.equal(after.status.stage, 'awaiting-signature');
    assert.equal(after.status.nextReminderAt, before.nextReminderAt);
    assert.equal(after.status.remindersSent, 0);
    assert.deepEqual(after.status.history, before.history);
    assert.equal(smtp.arrived.length, sentBefore, 'nothing was sent again after the restart');
    // The agreement is live on the new worker: a reminder sent now is its first. The update wakes the
    // workflow, so anything the restart had left to send again would go now too: exactly one arrives.
    const reminded = await dura('remind-now', 'restart.edu', '--force', '--json');
    assert.equal(reminded.status, 0, reminded.stderr);
    assert.equal((await status()).status.remindersSent, 1);
    await until(async () => smtp.arrived.length > sentBefore, 30_000);
    await until(
      async () => (await status()).status.history.some((h: { event: string }) => h.event === 'reminder-sent'),
      30_000,
    );
    const since = smtp.arrived.slice(sentBefore).map((a) => a.mail.headers.get('x-dura-kind'));
    assert.deepEqual(since, ['reminder'], 'exactly one more message after remind-now');
    // Every history the engine wrote (the agreement, the digest schedule's runs) replays.
    const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS! });
    try {
      await assertEveryHistoryReplays(new Client({ connection }), 'npm start');
    } finally {
      await connection.close();
    }
    assert.match(await stop(engine), /^(SIGINT|exit 0)$/);
  });

  /** `npm start` run to its end with `extra` settings: its exit code and what it printed. */
  function startUntilExit(extra: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
    const child = spawn('npm', ['start', '--silent'], {
      cwd: root,
      env: { ...env, ...extra },
      stdio: 'pipe',
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // Its own lines only: setup's one line (tools installed) is not about the settings.
    const own = () => output.replace(/^dura setup: .*\n/gm, '');
    return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output: own() })));
  }

  it('bad settings are named all at once, as the CLI names them, before anything starts', async () => {
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-start-bad-'));
    const { code, output } = await startUntilExit({
      DURA_DATA_DIR: fresh,
      DURA_WEB_PORT: '-1',
      DURA_UI_PORT: 'abc',
      DURA_WORKER_CACHE: 'lots',
      DURA_ENCRYPTON_KEY: 'x',
      ACCESS_TEAM_MAIL: 'access@example.org',
    });
    assert.equal(code, 1, output);
    assert.deepEqual(output.trim().split('\n'), [
      `dura: warning: ${nearMiss}`,
      'dura: DURA_ENCRYPTON_KEY: dura reads no such variable; did you mean DURA_ENCRYPTION_KEY? (correct its name, or unset it)',
      'dura: DURA_WORKER_CACHE: expected a whole number from 2 to 100000 (got "lots")',
      'dura: DURA_WEB_PORT: expected a whole number from 0 to 65535 (got "-1")',
      'dura: DURA_UI_PORT: expected a whole number from 1 to 65535 (got "abc")',
    ]);
    assert.deepEqual(fs.readdirSync(fresh), [], 'nothing started, nothing written');
    // A data directory that cannot be made, in dura's words (a trial's read-only one printed mkdir's).
    const nowhere = await startUntilExit({ DURA_DATA_DIR: '/proc/dura-nowhere' });
    assert.deepEqual(
      [nowhere.code, nowhere.output],
      [
        1,
        'dura: DURA_DATA_DIR /proc/dura-nowhere: cannot make its outbox: No such file or directory ' +
          '(give a directory this user can write)\n',
      ],
    );
    // Records out of reach: refused before any server starts, and the directory it made removed.
    const made = path.join(fresh, 'made-by-start');
    const down = await startUntilExit({ DURA_DATA_DIR: made, DATABASE_URL: 'postgres://u:p@127.0.0.1:1/x' });
    assert.deepEqual(
      [down.code, down.output],
      [
        1,
        'dura: cannot reach the records database postgres://u:***@127.0.0.1:1/x: connect ECONNREFUSED 127.0.0.1:1\n',
      ],
    );
    assert.ok(!fs.existsSync(made), 'the directory it made is gone');
  });

  it("Temporal's port taken by another server is named, and nothing starts", async () => {
    // A port of its own: the system may hand out again one the env's free ports were picked from.
    const ours = [env.TEMPORAL_ADDRESS!.split(':')[1], env.DURA_UI_PORT, env.DURA_WEB_PORT].map(Number);
    const listenAnywhere = async () => {
      const server = net.createServer().listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      return { server, port: (server.address() as net.AddressInfo).port };
    };
    let held = await listenAnywhere();
    while (ours.includes(held.port)) {
      const again = await listenAnywhere(); // before closing the first, so it cannot come back
      held.server.close();
      held = again;
    }
    const other = held.server;
    const taken = `127.0.0.1:${held.port}`;
    const data = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dura-start-taken-')), 'data');
    try {
      const { code, output } = await startUntilExit({ TEMPORAL_ADDRESS: taken, DURA_DATA_DIR: data });
      assert.equal(code, 1, output);
      assert.equal(
        output,
        `dura: ${taken} is in use (another Temporal server?); set TEMPORAL_ADDRESS to another port\n`,
      );
      assert.equal(fs.existsSync(data), false, 'the data directory it made is gone again');
    } finally {
      other.close();
    }
  });

  it('a part that dies stops the rest, and says which', async () => {
    engine = await start();
    const child = engine;
    let output = '';
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // This engine's worker: its TEMPORAL_ADDRESS is this test's.
    const worker = fs.readdirSync('/proc').find((pid) => {
      try {
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
        return (
          cmd.includes('lib/worker/main.js') && environ.includes(`TEMPORAL_ADDRESS=${env.TEMPORAL_ADDRESS}`)
        );
      } catch {
        return false;
      }
    });
    assert.ok(worker, "the engine's worker process");
    // A second engine on the same data directory, on free ports: refused, the first left alone.
    const second = await startUntilExit({
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      DURA_UI_PORT: String(await freePort()),
      DURA_WEB_PORT: String(await freePort()),
    });
    assert.equal(second.code, 1, second.output);
    assert.equal(
      second.output,
      `dura: ${env.DURA_DATA_DIR} is in use by another engine; give this one its own DURA_DATA_DIR\n`,
    );
    process.kill(Number(worker), 'SIGKILL');
    await exited;
    engine = undefined;
    assert.match(output, /^dura: the worker stopped \(exit 137\); stopping the rest\ndura: stopping\n$/m);
    await until(async () => !(await listening(env.TEMPORAL_ADDRESS!)), 20_000);
  });
});

function listening(address: string): Promise<boolean> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.split(':').pop())];
  return new Promise((resolve) => {
    const socket = net.connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
