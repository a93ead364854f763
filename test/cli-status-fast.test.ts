// The lean `dura status` path (client/status-fast.ts): what it takes on (its arguments, the environment it
// reads and the TLS it connects with, as the full path would) and what it loads. The CLI as a subprocess
// on the dev server: cli-status-fast-server.test.ts. Its wire: status-wire.test.ts.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../common/config';
import { temporalConnectionOptions } from '../common/temporal-connection';
import { CONFIG_NAME, leanTarget, type LeanTarget } from '../client/lean-config';
import { leanStatusArgs } from '../client/status-fast';
import { QUERY_WAIT_MS } from '../client/status';
import * as agreementHandle from '../client/agreement-handle';
import { HEAVY } from './helpers/lean-status';
import { makeCertificates, type TestCertificates } from './helpers/tls';

describe('lean `dura status`: what it takes on', () => {
  let dir: string;
  let certs: TestCertificates;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-lean-config-'));
    certs = makeCertificates(dir);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('takes exactly `status <agreement> [--json]`', () => {
    assert.deepEqual(leanStatusArgs(['status', 'uw.edu']), { agreement: 'uw.edu', json: false });
    assert.deepEqual(leanStatusArgs(['status', 'uw.edu', '--json']), { agreement: 'uw.edu', json: true });
    assert.deepEqual(leanStatusArgs(['status', '--json', 'uw.edu']), { agreement: 'uw.edu', json: true });
    for (const args of [
      ['status'],
      ['status', '--help'],
      ['status', 'uw.edu', '-h'],
      ['status', 'a', 'b'],
      ['list'],
    ])
      assert.equal(leanStatusArgs(args), undefined, args.join(' '));
  });

  it('loads neither commander, zod nor the Temporal SDK, and waits as long as the full path', () => {
    const list = "require('./client/status-fast'); console.log(JSON.stringify(Object.keys(require.cache)))";
    const cwd = path.join(__dirname, '..');
    const loaded = spawnSync(process.execPath, ['--import', 'tsx', '-e', list], { cwd, encoding: 'utf8' });
    assert.equal(loaded.status, 0, loaded.stderr);
    const files = JSON.parse(loaded.stdout) as string[];
    assert.deepEqual(
      files.filter((f) => HEAVY.test(f)),
      [],
    );
    // Nor, until it answers a `status`, node:http2's client or the generated protobuf code.
    assert.deepEqual(
      files.filter((f) => /protobufjs|generated|grpc-unary/.test(f)),
      [],
    );
    assert.equal(QUERY_WAIT_MS, agreementHandle.QUERY_WAIT_MS);
  });

  it('reads the environment only when common/config.ts would surely accept it', () => {
    const db = { DATABASE_URL: 'sqlite:/tmp/x.sqlite', DURA_TASK_QUEUE: 'q' };
    assert.deepEqual(leanTarget({ ...db, TEMPORAL_ADDRESS: '[::1]:7233', TEMPORAL_TLS_CA: '' }), {
      address: '[::1]:7233',
      namespace: 'default',
    });
    fs.writeFileSync(path.join(dir, 'not-pem.txt'), 'hello');
    fs.writeFileSync(path.join(dir, 'cut.pem'), fs.readFileSync(certs.ca, 'utf8').slice(0, 200));
    for (const odd of [
      { TEMPORAL_ADDRESS: 'localhost' },
      { TEMPORAL_ADDRESS: 'h:70000' },
      { TEMPORAL_NAMESPACE: '-x' },
      { TEMPORAL_TLS_CA: path.join(dir, 'missing.pem') },
      { TEMPORAL_TLS_CA: path.join(dir, 'not-pem.txt') },
      { TEMPORAL_TLS_CA: path.join(dir, 'cut.pem') },
      { TEMPORAL_TLS_CERT: certs.clientCert },
      { TEMPORAL_TLS_CERT: certs.clientCert, TEMPORAL_TLS_KEY: '' },
      { TEMPORAL_TLS_CERT: certs.clientKey, TEMPORAL_TLS_KEY: certs.clientCert },
      { TEMPORAL_TLS_SERVER_NAME: '127.0.0.1' },
      { MAIL_FROM: 'dura@x.edu' },
      { DURA_SOMETHING_NEW: '1' },
    ])
      assert.equal(leanTarget({ ...db, ...odd }), undefined, JSON.stringify(odd));
    // Where it answers, it connects as the full path would (common/temporal-connection.ts).
    const tlsCases: NodeJS.ProcessEnv[] = [
      {},
      { TEMPORAL_API_KEY: 'key-123', TEMPORAL_ADDRESS: 'dura.a1b2c.tmprl.cloud:7233' },
      { TEMPORAL_TLS_CA: certs.ca, TEMPORAL_TLS_SERVER_NAME: 'temporal.dura.test' },
      { TEMPORAL_TLS_CERT: certs.clientCert, TEMPORAL_TLS_KEY: certs.clientKey },
      { TEMPORAL_TLS_CERT: certs.clientCert, TEMPORAL_TLS_KEY: certs.clientKey, TEMPORAL_TLS_CA: certs.ca },
      { TEMPORAL_TLS_SERVER_NAME: 'temporal.dura.test', TEMPORAL_API_KEY: 'k', TEMPORAL_TLS_CERT: '' },
    ];
    for (const env of tlsCases) {
      const lean = leanTarget({ ...db, ...env });
      assert.ok(lean, JSON.stringify(env));
      assert.deepEqual(asConnection(lean), temporalConnectionOptions(loadConfig({ ...db, ...env })));
    }
    // Every variable common/config.ts reads is one the lean path looks at.
    const read = new Set<string>();
    const spy = new Proxy({} as NodeJS.ProcessEnv, {
      get: (_, name) => (typeof name === 'string' && read.add(name), undefined),
      has: (_, name) => (typeof name === 'string' && read.add(name), false),
    });
    try {
      loadConfig(spy);
    } catch {
      // A variable without a default is still read.
    }
    const names = [...read].filter((n) => /^[A-Z][A-Z0-9_]+$/.test(n));
    assert.ok(names.includes('TEMPORAL_ADDRESS'), names.join());
    assert.deepEqual(
      names.filter((n) => !CONFIG_NAME.test(n)),
      [],
    );
  });
});

/** A lean target in common/temporal-connection.ts's terms, to compare the two. */
function asConnection({ address, tls, apiKey }: LeanTarget) {
  return {
    address,
    tls: tls
      ? {
          ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
          ...(tls.ca ? { serverRootCACertificate: tls.ca } : {}),
          ...(tls.cert && tls.key ? { clientCertPair: { crt: tls.cert, key: tls.key } } : {}),
        }
      : false,
    ...(apiKey ? { apiKey } : {}),
  };
}
