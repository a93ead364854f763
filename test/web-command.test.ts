// `dura web` the command and its settings, without an engine: DURA_WEB_* read into one line per bad
// variable, and `dura web --port 0` as a subprocess (the CLI as installed, helpers/cli-entry.ts) on an
// unreachable Temporal: it listens, says where, serves, and stops on SIGTERM.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { until } from './helpers/wait';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { webConfig } from '../web/config';
import { dura } from './helpers/cli';
import { cliEntry } from './helpers/cli-entry';

describe('dura web: the command and its settings', function () {
  this.timeout(120_000);

  it('web settings: defaults, and one line per bad variable', () => {
    assert.deepEqual(webConfig({}), { host: '127.0.0.1', port: 8080, rateLimit: 20, trustProxy: false });
    assert.deepEqual(webConfig({ DURA_WEB_TRUST_PROXY: '10.0.0.0/8, ::1' }).trustProxy, [
      '10.0.0.0/8',
      '::1',
    ]);
    assert.equal(webConfig({ DURA_WEB_TRUST_PROXY: '2' }).trustProxy, 2);
    assert.deepEqual(webConfig({ DURA_WEB_PORT: '0', DURA_WEB_HOST: '' }).port, 0);
    assert.throws(
      () =>
        webConfig({
          DURA_WEB_HOST: 'localhost',
          DURA_WEB_PORT: '70000',
          DURA_WEB_RATE_LIMIT: '0',
          DURA_WEB_TRUST_PROXY: '10.0.0.0/33',
        }),
      (err: Error & { problems: string[] }) => {
        assert.deepEqual(err.problems, [
          'DURA_WEB_HOST: expected an IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0 (got "localhost")',
          'DURA_WEB_PORT: expected a whole number from 0 to 65535 (got "70000")',
          'DURA_WEB_RATE_LIMIT: expected a whole number from 1 to 100000 (got "0")',
          'DURA_WEB_TRUST_PROXY: expected a number of proxies (1-10) or their IPs or CIDR ranges, e.g. 10.0.0.0/8,127.0.0.1 (got "10.0.0.0/33")',
        ]);
        return err.name === 'ConfigError';
      },
    );
  });

  it('`dura web --port 0` listens, says where, serves, and stops on SIGTERM; a bad flag is named', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-web-cli-'));
    const env = {
      PATH: process.env.PATH,
      DATABASE_URL: `sqlite:${dir}/dura.sqlite`,
      DURA_DATA_DIR: dir,
      TEMPORAL_ADDRESS: '127.0.0.1:1',
    };
    try {
      // The engine's records (the CLI makes none by itself, docs/cli.md).
      assert.equal((await dura(['db', 'migrate'], env)).status, 0);
      const child = spawn(process.execPath, [...cliEntry(), 'web', '--port', '0'], { env });
      let stderr = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk;
          const listening = /^dura web: listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stderr);
          if (listening) resolve(listening[1]!);
        });
        child.once('exit', () => reject(new Error(`dura web exited: ${stderr}`)));
      });
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 200);
      // No Temporal there: the pages serve, and it says at once that requests cannot start.
      await until(() =>
        /^dura web: warning: Temporal at 127\.0\.0\.1:1: .*; requests answer "Nothing was sent" until it is reached$/m.test(
          stderr,
        ),
      );
      // A second one on the same port: what to change, not Node's `listen EADDRINUSE`.
      const taken = await dura(['web', '--port', new URL(url).port], env);
      assert.equal(taken.status, 1);
      assert.equal(
        taken.stderr,
        `dura: --port: 127.0.0.1:${new URL(url).port} is in use (another dura web?): choose another port\n`,
      );
      assert.equal((await fetch(`${url}/institutions`)).status, 200);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      assert.equal(await exited, 0, stderr);
      assert.ok(fs.existsSync(path.join(dir, 'status-link.key')), 'the link key made on first use');

      const bad = await dura(['web', '--port', 'x'], env);
      assert.equal(bad.status, 1);
      assert.equal(bad.stderr, 'dura: --port: expected a whole number from 0 to 65535 (got "x")\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
