// The lean `dura status` path (client/status-fast.ts) in the CLI as a subprocess on the dev server with
// a real worker, answering exactly as the full path (`DURA_LEAN_STATUS=off`) does, plaintext and over
// mTLS with an API key. A probe preloaded into the CLI records which client sent the query. What it takes
// on: cli-status-fast.test.ts. Its wire: status-wire.test.ts.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { devServerEnv } from './helpers/env';
import { dura } from './helpers/cli';
import { realEngine, TEST_DATABASES } from './helpers/engine';
import { HEAVY } from './helpers/lean-status';
import { sampleAgreement } from './helpers/samples';
import { until } from './helpers/wait';
import { makeCertificates, startTlsProxy } from './helpers/tls';

for (const database of TEST_DATABASES)
  describe(`lean \`dura status\` on the dev server, records on ${database}`, function () {
    const engine = realEngine(devServerEnv, {}, database);
    const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-lean-probe-'));
    let runs = 0;
    after(() => fs.rmSync(probe, { recursive: true, force: true }));

    /** Runs the CLI; `via` says which client talked to Temporal ('lean', 'full', both or 'none'). */
    async function status(args: string[], env: NodeJS.ProcessEnv = {}) {
      const log = path.join(probe, `run-${++runs}.log`);
      const result = await dura(['status', ...args], {
        ...engine.cliEnv,
        NODE_OPTIONS: `--require ${path.join(probe, 'probe.js')}`,
        LEAN_PROBE_LOG: log,
        ...env,
      });
      const via = fs.existsSync(log)
        ? [...new Set(fs.readFileSync(log, 'utf8').trim().split('\n'))].join('\n')
        : 'none';
      return { ...result, via };
    }
    const full = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      status(args, { ...env, DURA_LEAN_STATUS: 'off' });

    before(async function () {
      fs.writeFileSync(path.join(probe, 'probe.js'), PROBE);
      const domain = 'lean.example.edu';
      const request = [
        ...[
          'request',
          '--institution-name',
          'University of Lean',
          '--domain',
          domain,
          '--tier',
          'registered',
        ],
        ...['--requester-name', 'Ada Researcher', '--requester-email', `ada@${domain}`],
        ...['--official-name', 'Sam Signer', '--official-email', `osp@${domain}`],
        // Initiated by hand (never here): the agreement stays put while the two paths are compared.
        ...['--initiation', 'manual'],
      ];
      const requested = await dura(request, engine.cliEnv);
      assert.equal(requested.status, 0, requested.stderr);
      // Once its receipt is out: a message on its way is in the answer (`sending`) for that moment.
      const sending = async () =>
        JSON.parse((await dura(['status', domain, '--json'], engine.cliEnv)).stdout).sending;
      await until(async () => engine.smtp.arrived.length > 0 && !(await sending()));
    });

    it('prints the same JSON and the same text view as the full path', async () => {
      for (const args of [
        ['lean.example.edu', '--json'],
        ['--json', 'dura-lean.example.edu'],
        ['lean.example.edu'],
      ]) {
        const lean = await status(args);
        const canonical = await full(args);
        assert.equal(lean.status, 0, lean.stderr);
        assert.equal(canonical.status, 0, canonical.stderr);
        assert.deepEqual([lean.via, canonical.via], ['lean', 'full']);
        assert.equal(lean.stdout, canonical.stdout);
        assert.equal(lean.stderr, '');
        if (args.includes('--json')) assert.deepEqual(JSON.parse(lean.stdout), JSON.parse(canonical.stdout));
      }
      assert.equal(
        JSON.parse((await status(['lean.example.edu', '--json'])).stdout).agreementId,
        'lean.example.edu-1',
      );
      // By the agreement's own id, and by an address at the institution, on the lean path too.
      for (const typed of ['lean.example.edu-1', 'ada@lean.example.edu']) {
        const byId = await status([typed, '--json']);
        assert.equal(JSON.parse(byId.stdout).agreementId, 'lean.example.edu-1', byId.stderr);
      }
      assert.equal((await status(['lean.example.edu-1', '--json'])).via, 'lean');
    });

    it('answers loading neither commander, zod, the SDK nor a gRPC library', async () => {
      // status-fast.ts alone, as bin/dura.js runs it (the test's CLI, client/main.ts, loads commander).
      const script = [
        "process.on('exit', () => require('node:fs').writeSync(2, JSON.stringify(Object.keys(require.cache))));",
        "require('./client/status-fast').statusFast(['status', 'lean.example.edu', '--json']);",
      ].join('\n');
      const run = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
        execFile(
          process.execPath,
          ['--import', 'tsx', '-e', script],
          { cwd: path.join(__dirname, '..'), env: { PATH: process.env.PATH, ...engine.cliEnv } },
          (err, stdout, stderr) => (err ? reject(err) : resolve({ stdout, stderr })),
        ),
      );
      assert.equal(JSON.parse(run.stdout).agreementId, 'lean.example.edu-1');
      const files = JSON.parse(run.stderr) as string[];
      assert.ok(files.some((f) => f.includes('client/generated/status-protos')));
      assert.deepEqual(
        files.filter((f) => HEAVY.test(f)),
        [],
      );
    });

    if (database === 'sqlite')
      it('answers over mTLS, with an API key too, as the full path does', async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-lean-tls-'));
        const certs = makeCertificates(dir);
        const proxy = await startTlsProxy(engine.env.address, certs);
        try {
          const tls = {
            TEMPORAL_ADDRESS: proxy.address,
            TEMPORAL_TLS_CA: certs.ca,
            TEMPORAL_TLS_CERT: certs.clientCert,
            TEMPORAL_TLS_KEY: certs.clientKey,
            TEMPORAL_TLS_SERVER_NAME: 'temporal.dura.test',
            DURA_LEAN_STATUS: 'debug',
          };
          // The dev server ignores the key: that the lean path sends it is status-wire.test.ts's.
          for (const env of [tls, { ...tls, TEMPORAL_API_KEY: 'key-123' }]) {
            const lean = await status(['lean.example.edu', '--json'], env);
            const canonical = await full(['lean.example.edu', '--json'], env);
            assert.deepEqual([lean.status, lean.stderr, lean.via], [0, '', 'lean']);
            assert.deepEqual([canonical.status, canonical.via], [0, 'full'], canonical.stderr);
            assert.equal(lean.stdout, canonical.stdout);
          }
          // No client certificate: the proxy refuses the handshake; as the full path, Temporal is down.
          const noCert = { ...tls, TEMPORAL_TLS_CERT: '', TEMPORAL_TLS_KEY: '' };
          const refused = await status(['nowhere.example.edu'], noCert);
          const canonical = await full(['nowhere.example.edu'], noCert);
          assert.deepEqual([refused.status, refused.via], [2, 'lean'], refused.stderr);
          assert.match(refused.stderr, /^dura: cannot reach Temporal at 127\.0\.0\.1:\d+: .+\n$/);
          assert.equal(canonical.status, 2, canonical.stderr);
        } finally {
          await proxy.close();
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });

    it('an unknown agreement is handed to the full path (which also asks the registry), exit 1', async () => {
      const lean = await status(['nowhere.example.edu']);
      assert.deepEqual(
        [lean.status, lean.stderr, lean.stdout, lean.via],
        [1, 'dura: no agreement for nowhere.example.edu\n', '', 'lean\nfull'],
      );
      const canonical = await full(['nowhere.example.edu']);
      assert.deepEqual([canonical.status, canonical.stderr], [lean.status, lean.stderr]);
    });

    it('an unreachable Temporal exits 2 with one line for an agreement the records do not hold', async () => {
      // One they hold is answered from them: cli-status-down.test.ts.
      const address = '127.0.0.1:1'; // nothing listens there
      for (const run of [status, full]) {
        const result = await run(['nowhere.example.edu', '--json'], { TEMPORAL_ADDRESS: address });
        assert.equal(result.status, 2, result.stderr);
        assert.match(result.stderr, /^dura: cannot reach Temporal at 127\.0\.0\.1:1: .+\n$/);
      }
    });

    it('hands anything unusual to the full path, whose messages stay the canonical ones', async () => {
      const badAddress = await status(['lean.example.edu'], { TEMPORAL_ADDRESS: 'nowhere' });
      assert.equal(badAddress.status, 1);
      assert.match(badAddress.stderr, /^dura: TEMPORAL_ADDRESS: expected host:port/);
      const unknownNamespace = await status(['lean.example.edu'], {
        TEMPORAL_NAMESPACE: 'no-such-namespace',
      });
      assert.deepEqual([unknownNamespace.via, unknownNamespace.status], ['lean\nfull', 1]);
      const mail = await status(['lean.example.edu', '--json'], {
        MAIL_FROM: 'dura@lean.example.edu',
        DURA_LEAN_STATUS: 'debug',
      });
      assert.deepEqual([mail.status, mail.via], [0, 'full']);
      assert.equal(mail.stderr, 'dura: lean status hands over: configuration it does not read\n');
      const help = await status(['--help']);
      assert.deepEqual([help.status, help.via], [0, 'none']);
      assert.match(help.stdout, /Usage: dura status/);
    });

    it('with no worker answering, answers from the records after the same wait, as the full path does', async () => {
      // An agreement whose task queue no worker polls, and a snapshot of it in the records.
      const agreementId = 'dura-stuck.example.edu';
      await engine.env.client.workflow.start('agreementWorkflow', {
        workflowId: agreementId,
        taskQueue: 'no-worker',
        args: [],
      });
      const lean = await status(['stuck.example.edu', '--json'], { DURA_LEAN_STATUS: 'debug' });
      assert.equal(lean.status, 2);
      assert.equal(lean.stderr.split('\n').length, 2, lean.stderr);
      assert.equal(
        lean.stderr,
        'dura: cannot reach a worker for stuck.example.edu: none answered within 4 s, and the records hold ' +
          'no snapshot of it yet (is a worker running? `dura doctor` checks)\n',
      );

      const snapshot = sampleAgreement({
        agreementId,
        institution: { name: 'Stuck U', domain: 'stuck.example.edu' },
      });
      await engine.dura.store.recordEvents({
        agreementRef: `${agreementId}/1`,
        firstSeq: 0,
        events: [],
        status: snapshot,
      });
      const started = Date.now();
      const fromRecords = await status(['stuck.example.edu', '--json'], { DURA_LEAN_STATUS: 'debug' });
      assert.ok(Date.now() - started >= 4000, 'waited for a worker first');
      const canonical = await full(['stuck.example.edu', '--json']);
      assert.deepEqual([fromRecords.status, fromRecords.via], [0, 'lean'], fromRecords.stderr);
      assert.equal(fromRecords.stderr, 'dura: no worker answered; this is the last status in the records\n');
      assert.deepEqual(JSON.parse(fromRecords.stdout), snapshot);
      assert.deepEqual([fromRecords.stdout, fromRecords.stderr], [canonical.stdout, canonical.stderr]);
    });
  });

// Preloaded into the CLI: notes, for each connection opened (TCP or TLS), whether grpc-unary.ts or the
// SDK did.
const PROBE = `
const net = require('node:net');
const tls = require('node:tls');
const fs = require('node:fs');
const note = () =>
  fs.appendFileSync(process.env.LEAN_PROBE_LOG, /grpc-unary/.test(new Error().stack) ? 'lean\\n' : 'full\\n');
const connect = net.connect;
net.connect = net.createConnection = function (...args) {
  const local = typeof args[0] === 'string' || args[0]?.path !== undefined; // tsx's own IPC
  if (!local) note();
  return connect.apply(this, args);
};
const tlsConnect = tls.connect;
tls.connect = function (...args) {
  note();
  return tlsConnect.apply(this, args);
};
`;
