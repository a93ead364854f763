// The connection options the worker and the CLI build from TEMPORAL_* (common/temporal-connection.ts),
// for each combination; test/production.test.ts runs the mTLS one against a real server.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../common/config';
import { temporalConnectionOptions } from '../common/temporal-connection';
import { makeCertificates, type TestCertificates } from './helpers/tls';

describe('connection options from TEMPORAL_*', () => {
  let dir: string;
  let certs: TestCertificates;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-conn-'));
    certs = makeCertificates(dir);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const options = (env: NodeJS.ProcessEnv) => temporalConnectionOptions(loadConfig(env));

  it('plaintext by default', () => {
    assert.deepEqual(options({}), { address: '127.0.0.1:7233', tls: false });
  });

  it('TLS with the server CA and a name override', () => {
    const o = options({ TEMPORAL_TLS_CA: certs.ca, TEMPORAL_TLS_SERVER_NAME: 'temporal.example.org' });
    assert.ok(o.tls);
    assert.equal(o.tls.serverNameOverride, 'temporal.example.org');
    assert.deepEqual(o.tls.serverRootCACertificate, fs.readFileSync(certs.ca));
    assert.equal(o.tls.clientCertPair, undefined);
  });

  it('mTLS with a client certificate and key', () => {
    const o = options({ TEMPORAL_TLS_CERT: certs.clientCert, TEMPORAL_TLS_KEY: certs.clientKey });
    assert.ok(o.tls);
    assert.deepEqual(o.tls.clientCertPair, {
      crt: fs.readFileSync(certs.clientCert),
      key: fs.readFileSync(certs.clientKey),
    });
    assert.equal(o.apiKey, undefined);
  });

  it('an API key (Temporal Cloud) turns TLS on with the system CAs', () => {
    const o = options({ TEMPORAL_ADDRESS: 'dura.a1b2c.tmprl.cloud:7233', TEMPORAL_API_KEY: 'key-123' });
    assert.deepEqual(o, { address: 'dura.a1b2c.tmprl.cloud:7233', tls: {}, apiKey: 'key-123' });
  });

  it('every unreadable or non-PEM file at once, each on a line naming its variable', () => {
    const swapped = { TEMPORAL_TLS_CERT: certs.clientKey, TEMPORAL_TLS_KEY: certs.clientCert };
    assert.throws(
      () => options({ ...swapped, TEMPORAL_TLS_CA: `${dir}/missing.pem` }),
      (err: { problems: string[] }) => {
        assert.deepEqual(err.problems, [
          `TEMPORAL_TLS_CA: cannot read ${dir}/missing.pem: no such file or directory (ENOENT)`,
          `TEMPORAL_TLS_CERT: ${certs.clientKey} is not a PEM certificate`,
          `TEMPORAL_TLS_KEY: ${certs.clientCert} is not a PEM private key`,
        ]);
        return true;
      },
    );
  });
  it('a certificate or key with a PEM header but a damaged body is refused at start', () => {
    const damage = (file: string, name: string) => {
      const text = fs.readFileSync(file, 'utf8');
      const lines = text.split('\n');
      lines[3] = lines[3]!.replace(/[A-Za-z]/g, (c) => (c === 'A' ? 'B' : 'A'));
      const out = path.join(dir, name);
      fs.writeFileSync(out, lines.join('\n'));
      return out;
    };
    const cert = damage(certs.clientCert, 'damaged-cert.pem');
    const key = damage(certs.clientKey, 'damaged-key.pem');
    assert.throws(
      () => options({ TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key, TEMPORAL_TLS_CA: certs.ca }),
      (err: { problems: string[] }) => {
        assert.equal(err.problems.length, 2, err.problems.join('\n'));
        assert.match(
          err.problems[0]!,
          /^TEMPORAL_TLS_CERT: .*damaged-cert\.pem is not a readable PEM certificate/,
        );
        assert.match(
          err.problems[1]!,
          /^TEMPORAL_TLS_KEY: .*damaged-key\.pem is not a readable PEM private key/,
        );
        return true;
      },
    );
  });
});
