// `dura status` shows mail that keeps failing (workflows/mail.ts `sending`, client/status-mail.ts): a real
// dev server and the real worker process whose SMTP server is not there yet. The requester's receipt
// cannot go; status says so on both paths, with the ledger's attempts and the mail server's error; a
// control whose handler sends (initiate) says the mail server holds it up; then the server comes up,
// the retries deliver, the lines go and the control finishes. Every history replays at the end.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AgreementStatus } from '../common/agreement';
import { dura, requestArgs } from './helpers/cli';
import { devServerProcess, type DevServerProcess } from './helpers/dev-server-process';
import { freePort, startSmtp, type TestSmtp } from './helpers/mail';
import { until } from './helpers/wait';
import { startWorkerProcess, type WorkerProcess } from './helpers/worker-process';

const DOMAIN = 'mailless.example.edu';
const REQUESTER = `ada@${DOMAIN}`;
/** Automatic initiation: its package waits on the mail server, and the institution signs meanwhile. */
const SIGNED = 'signed-early.example.edu';
/** The same, and the access team cancels it meanwhile. */
const CANCELLED = 'cancelled-early.example.edu';

describe('`dura status` shows mail that keeps failing', function () {
  this.timeout(180_000);
  let dir: string;
  let server: DevServerProcess;
  let worker: WorkerProcess;
  let smtp: TestSmtp | undefined;
  let smtpPort: number;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-status-mail-'));
    server = await devServerProcess(dir);
    await server.start();
    smtpPort = await freePort();
    env = {
      TEMPORAL_ADDRESS: server.address,
      DURA_TASK_QUEUE: 'status-mail',
      DATABASE_URL: `sqlite:${dir}/dura.sqlite`,
    };
    worker = startWorkerProcess({ ...env, SMTP_URL: `smtp://127.0.0.1:${smtpPort}` }, dir);
    await worker.waitForLog((l) => l.msg === 'polling', 60_000);
    const requested = await dura(
      [
        ...['request', '--institution-name', 'University of Mailless', '--domain', DOMAIN],
        ...['--requester-name', 'Ada Researcher', '--requester-email', REQUESTER],
        ...['--official-name', 'Sam Signer', '--official-email', `osp@${DOMAIN}`, '--tier', 'registered'],
        ...['--initiation', 'manual'],
      ],
      env,
    );
    assert.equal(requested.status, 0, requested.stderr);
  });

  after(async function () {
    await worker?.stop();
    await server?.stop(); // it replays every history it holds first (helpers/dev-server-process.ts)
    await smtp?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // Debug: the lean path says on stderr if it hands over, so a quiet stderr shows it answered itself.
  const lean = (args: string[]) => dura(['status', ...args], { ...env, DURA_LEAN_STATUS: 'debug' });
  const full = (args: string[]) => dura(['status', ...args], { ...env, DURA_LEAN_STATUS: 'off' });
  // Refused, as a closed port is; or, when another process has bound that free port since (a CI run saw
  // a server there that never greeted), taken but never greeted: the mail server down either way.
  const unreachable = () =>
    new RegExp(
      `the mail server 127\\.0\\.0\\.1:${smtpPort} (cannot be reached|took the connection but never greeted)`,
    );

  it('while the mail server is down: the receipt, its attempts and the error, on both paths', async () => {
    // Two attempts: the first at once, the activity's retry 5 s later.
    let json: AgreementStatus | undefined;
    await until(async () => {
      const result = await lean([DOMAIN, '--json']);
      json = JSON.parse(result.stdout) as AgreementStatus;
      return (json.sending?.[0]?.attempts ?? 0) >= 2;
    }, 60_000);
    const [receipt, ...more] = json!.sending!;
    assert.equal(more.length, 0, 'one message on its way');
    assert.equal(receipt!.kind, 'request-received');
    assert.deepEqual(receipt!.to, [REQUESTER]);
    assert.match(receipt!.lastError ?? '', unreachable());
    assert.ok(
      Date.parse(receipt!.lastAttemptAt!) >= Date.parse(receipt!.since),
      'the last attempt is after it began',
    );

    for (const [name, run] of [
      ['lean', lean],
      ['full', full],
    ] as const) {
      const text = await run([DOMAIN]);
      assert.deepEqual([text.status, text.stderr], [0, ''], `${name}: ${text.stderr}`);
      const line = text.stdout.split('\n').find((l) => l.includes('Mail waiting'));
      assert.ok(line, `${name}: a Mail waiting line in\n${text.stdout}`);
      assert.match(
        line,
        new RegExp(`request-received to ${REQUESTER.replace('.', '\\.')}, waiting since \\w{3}, `),
      );
      assert.match(line, /; \d+ attempts, the last \w{3}, \w{3} \d+, \d{4}, \d+:\d{2} [AP]M ET: /);
      assert.match(line, unreachable());
      assert.match(
        line,
        /; dura (tries again while a worker runs|tries again about \w{3}, \w{3} \d+, \d{4}, \d+:\d{2} [AP]M ET)$/,
      );
      const again = JSON.parse((await run([DOMAIN, '--json'])).stdout) as AgreementStatus;
      assert.equal(again.sending?.[0]?.kind, 'request-received', `${name}: --json lists it`);
    }
  });

  it('a control whose handler sends mail says the mail server holds it up, not a worker, and does not wait 2 min', async () => {
    const started = Date.now();
    const initiated = await dura(['initiate', DOMAIN], env);
    assert.equal(initiated.status, 2, initiated.stderr);
    assert.ok(Date.now() - started < 60_000, `answered in ${Date.now() - started} ms`);
    const domain = DOMAIN.replace(/\./g, '\\.');
    assert.match(
      initiated.stderr,
      new RegExp(
        `^dura: cannot reach the mail server for ${domain}-1: initiate was taken and finishes once its mail ` +
          `goes out, which keeps failing: initiation-package to osp@${domain} \\(a copy to the All of Us signing official\\), ` +
          `waiting since .*; dura (tries again while a worker runs|tries again about [^;]+); see \`dura status\` before you try again\n$`,
      ),
    );
    assert.doesNotMatch(initiated.stderr, /worker/);
    // Again, as a user sent to `dura status` might: refused, not a second package and `initiated`.
    const again = await dura(['initiate', DOMAIN], env);
    assert.equal(again.status, 1, again.stderr);
    assert.match(
      again.stderr,
      /^dura: cannot initiate: the initiation package is on its way already, waiting for the mail server/,
    );
  });

  /** A request from `requester` at `domain` with automatic initiation, once its package waits on the mail server. */
  async function packageWaiting(domain: string, requester: string): Promise<void> {
    const requested = await dura(requestArgs(domain, `${requester}@${domain}`), env);
    assert.equal(requested.status, 0, requested.stderr);
    await until(async () => {
      const status = JSON.parse((await lean([domain, '--json'])).stdout) as AgreementStatus;
      return status.sending?.some((m) => m.kind === 'initiation-package') ?? false;
    }, 60_000);
  }

  it('an agreement signed while its package waits on the mail server is executed at once', async () => {
    await packageWaiting(SIGNED, 'bo');
    const today = new Date().toLocaleDateString('en-CA', { timeZone: 'America/New_York' });
    const executed = await dura(['execute', SIGNED, '--on', today], env);
    assert.equal(executed.status, 0, executed.stderr);
    assert.match(executed.stdout, /execute done; stage executed/);
  });

  it('an agreement cancelled while its package waits on the mail server says the package still goes', async () => {
    await packageWaiting(CANCELLED, 'cy');
    const cancelled = await dura(['cancel', CANCELLED, '--reason', 'wrong institution'], env);
    assert.equal(cancelled.status, 0, cancelled.stderr);
    assert.equal(
      cancelled.stderr,
      `dura: the initiation package to osp@${CANCELLED} is still waiting for the mail server: it goes when ` +
        'the server answers, and a notice that the agreement is cancelled follows it\n',
    );
    assert.match(cancelled.stdout, /cancel done; stage cancelled/);
  });

  it('once the server is up, the retries deliver, status no longer shows them, and the control finishes', async () => {
    smtp = await startSmtp(smtpPort);
    // Each message it held once, the package and the requester's receipt among them.
    const kinds = () => smtp!.arrived.map((a) => String(a.mail.headers.get('x-dura-kind')));
    await until(() => ['request-received', 'initiation-package'].every((k) => kinds().includes(k)), 90_000);
    // The workflow learns of it a moment after the server's 250.
    await until(
      async () => !(JSON.parse((await lean([DOMAIN, '--json'])).stdout) as AgreementStatus).sending,
    );
    for (const run of [lean, full]) {
      const text = await run([DOMAIN]);
      assert.equal(text.status, 0, text.stderr);
      assert.doesNotMatch(text.stdout, /Mail waiting/);
      assert.match(text.stdout, /awaiting-signature/, 'the initiate the mail held up went through');
    }
    const history = (JSON.parse((await full([DOMAIN, '--json'])).stdout) as AgreementStatus).history;
    assert.equal(history.filter((h) => h.event === 'initiated').length, 1, 'initiated once');

    // The package that waited went out after the signing (the mail server's 250 is not undone), and
    // changed nothing but the history: not initiated, no reminder due, completed (patch execution-stands).
    let signed: AgreementStatus | undefined;
    await until(async () => {
      signed = JSON.parse((await full([SIGNED, '--json'])).stdout) as AgreementStatus;
      return signed.stage === 'completed' && !signed.sending;
    }, 90_000);
    assert.deepEqual([signed!.initiatedAt, signed!.nextReminderAt], [null, null]);
    const events = signed!.history.map((h) => `${h.event}${h.detail ? `: ${h.detail}` : ''}`);
    assert.ok(
      events.includes(`initiation-package-sent: to osp@${SIGNED} after the agreement was executed`),
      events.join('\n'),
    );
    assert.ok(!events.some((e) => e.startsWith('initiated')), events.join('\n'));
    const toSigned = smtp!.arrived.filter((a) => a.rcptTo.some((r) => r.endsWith(`@${SIGNED}`)));
    const kindsTo = toSigned.map((a) => String(a.mail.headers.get('x-dura-kind'))).sort();
    assert.deepEqual(kindsTo, ['executed', 'initiation-package', 'registration-instructions']);

    // The package that waited for the cancelled one went too, and its official then heard it is closed
    // (patch closed-after-package; a trial's official heard nothing after the package).
    const to = (address: string) =>
      smtp!.arrived
        .filter((a) => a.rcptTo.includes(address))
        .map((a) => String(a.mail.headers.get('x-dura-kind')));
    await until(() => to(`osp@${CANCELLED}`).length === 2, 90_000);
    assert.deepEqual(to(`osp@${CANCELLED}`), ['initiation-package', 'closed-notice']);
    assert.deepEqual(to(`cy@${CANCELLED}`), ['cancelled']);
  });
});
