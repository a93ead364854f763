import path from 'node:path';
import { strict as assert } from 'node:assert';
import { ConfigError, loadConfig } from '../common/config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  it('defaults to the embedded dev setup', () => {
    const config = loadConfig({});
    assert.equal(config.TEMPORAL_ADDRESS, '127.0.0.1:7233');
    assert.equal(config.TEMPORAL_NAMESPACE, 'default');
    assert.equal(config.DURA_TASK_QUEUE, 'dura');
    // The project's own data/ (where `npm start` keeps it), from whatever directory the CLI runs.
    assert.equal(config.DATABASE_URL, `sqlite:${path.resolve(__dirname, '..', 'data', 'dura.sqlite')}`);
    // Where `DURA_DATA_DIR=… npm start` keeps the records, so the CLI finds them with the same variable.
    assert.equal(loadConfig({ DURA_DATA_DIR: '/srv/dura' }).DATABASE_URL, 'sqlite:/srv/dura/dura.sqlite');
    assert.equal(config.SMTP_URL, undefined);
    assert.equal(config.TEMPORAL_API_KEY, undefined);
    assert.equal(config.DURA_LOG_LEVEL, 'info');
    assert.equal(config.DURA_WORKER_CACHE, 2000);
    assert.equal(config.DURA_SHUTDOWN_GRACE_SECONDS, 10);
    assert.equal(config.DURA_STICKY_TIMEOUT_SECONDS, 2);
    assert.equal(config.DURA_METRICS_ADDRESS, undefined);
    assert.equal(config.DURA_WEB_URL, 'http://127.0.0.1:8080');
    assert.equal(config.DURA_LINK_KEY, undefined);
    assert.equal(config.DURA_LINK_DAYS, 90);
    assert.equal(config.DURA_TERM_MONTHS, undefined);
  });

  it("reads a new agreement's term in months (issue 18)", () => {
    assert.equal(loadConfig({ DURA_TERM_MONTHS: '36' }).DURA_TERM_MONTHS, 36);
    assert.equal(loadConfig({ DURA_TERM_MONTHS: '' }).DURA_TERM_MONTHS, undefined);
  });

  it('reads the status link settings', () => {
    const key = Buffer.alloc(48, 7).toString('base64');
    const config = loadConfig({
      DURA_WEB_URL: 'https://dura.example.org/aou',
      DURA_LINK_KEY: key,
      DURA_LINK_DAYS: '3650',
    });
    assert.equal(config.DURA_WEB_URL, 'https://dura.example.org/aou');
    assert.equal(config.DURA_LINK_KEY, key);
    assert.equal(config.DURA_LINK_DAYS, 3650);
    assert.equal(loadConfig({ DURA_LINK_KEY: '' }).DURA_LINK_KEY, undefined);
  });

  it('links point at the pages `dura web` serves with the same environment unless DURA_WEB_URL says', () => {
    const url = (env: NodeJS.ProcessEnv) => loadConfig(env).DURA_WEB_URL;
    assert.equal(url({ DURA_WEB_PORT: '18080' }), 'http://127.0.0.1:18080');
    assert.equal(url({ DURA_WEB_HOST: '0.0.0.0', DURA_WEB_PORT: '9000' }), 'http://127.0.0.1:9000');
    assert.equal(url({ DURA_WEB_HOST: '10.1.2.3' }), 'http://10.1.2.3:8080');
    assert.throws(
      () => url({ DURA_WEB_URL: '', DURA_WEB_PORT: '0' }),
      /^ConfigError: DURA_WEB_PORT: 0 \(any free port\) leaves the links in mail nowhere to point: set DURA_WEB_URL too$/,
    );
    assert.equal(
      url({ DURA_WEB_URL: 'https://dura.example.org', DURA_WEB_PORT: '9000' }),
      'https://dura.example.org',
    );
    // A port that is none would send the links to the default one: refused, as `dura web` refuses it.
    assert.throws(
      () => url({ DURA_WEB_PORT: 'abc' }),
      (err: Error) =>
        err instanceof ConfigError &&
        err.message === 'DURA_WEB_PORT: expected a whole number from 0 to 65535 (got "abc")',
    );
    assert.equal(
      url({ DURA_WEB_URL: 'https://dura.example.org', DURA_WEB_PORT: 'abc' }),
      'https://dura.example.org',
    );
    // Beside another bad value: both, one line each.
    assert.throws(
      () => url({ DURA_WEB_PORT: 'abc', DURA_LINK_DAYS: 'xyz' }),
      (err: Error) =>
        err instanceof ConfigError &&
        err.problems.length === 2 &&
        err.problems[0]!.startsWith('DURA_LINK_DAYS: ') &&
        err.problems[1]!.startsWith('DURA_WEB_PORT: '),
    );
  });

  it('reads the worker settings as numbers and addresses', () => {
    const config = loadConfig({
      DURA_LOG_LEVEL: 'warn',
      DURA_WORKER_CACHE: '500',
      DURA_SHUTDOWN_GRACE_SECONDS: '0',
      DURA_STICKY_TIMEOUT_SECONDS: '10',
      DURA_METRICS_ADDRESS: '0.0.0.0:9464',
    });
    assert.equal(config.DURA_LOG_LEVEL, 'warn');
    assert.equal(config.DURA_WORKER_CACHE, 500);
    assert.equal(config.DURA_SHUTDOWN_GRACE_SECONDS, 0);
    assert.equal(config.DURA_STICKY_TIMEOUT_SECONDS, 10);
    assert.equal(config.DURA_METRICS_ADDRESS, '0.0.0.0:9464');
    assert.equal(loadConfig({ DURA_METRICS_ADDRESS: '[::1]:9464' }).DURA_METRICS_ADDRESS, '[::1]:9464');
    assert.equal(loadConfig({ DURA_METRICS_ADDRESS: '' }).DURA_METRICS_ADDRESS, undefined);
  });

  it('accepts production values', () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'dura-prod',
      DATABASE_URL: 'postgres://dura:secret@db:5432/dura',
      SMTP_URL: 'smtp://mailpit:1025',
      MAIL_FROM: 'All of Us DURA <dura@example.org>',
      ACCESS_TEAM_EMAIL: 'access@example.org',
      AOU_SIGNING_OFFICIAL_EMAIL: 'so@example.org',
      TEMPORAL_TLS_CERT: '/certs/client.pem',
      TEMPORAL_TLS_KEY: '/certs/client.key',
    });
    assert.equal(config.DATABASE_URL, 'postgres://dura:secret@db:5432/dura');
    assert.equal(config.SMTP_URL, 'smtp://mailpit:1025');
    assert.equal(config.TEMPORAL_TLS_KEY, '/certs/client.key');
  });

  it('defaults that are themselves valid values (zod does not check defaults)', () => {
    const defaults = loadConfig({});
    const explicit = { ...defaults } as unknown as NodeJS.ProcessEnv;
    assert.deepEqual(loadConfig(explicit), defaults);
  });

  it('treats an empty SMTP_URL as unset (outbox mode)', () => {
    assert.equal(loadConfig({ SMTP_URL: '' }).SMTP_URL, undefined);
  });

  const bad: [string, NodeJS.ProcessEnv, RegExp][] = [
    ['address without port', { TEMPORAL_ADDRESS: 'localhost' }, /^TEMPORAL_ADDRESS: expected host:port/],
    ['address port too big', { TEMPORAL_ADDRESS: 'localhost:99999' }, /^TEMPORAL_ADDRESS: port must be/],
    ['namespace with spaces', { TEMPORAL_NAMESPACE: 'my ns' }, /^TEMPORAL_NAMESPACE: expected a namespace/],
    ['task queue with slash', { DURA_TASK_QUEUE: 'a/b' }, /^DURA_TASK_QUEUE: /],
    ['mysql database', { DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: expected postgres:/],
    ['http smtp', { SMTP_URL: 'http://mail:25' }, /^SMTP_URL: expected smtp:/],
    ['mail from not an address', { MAIL_FROM: 'nobody' }, /^MAIL_FROM: expected an e-mail/],
    ['header injection in MAIL_FROM', { MAIL_FROM: 'A <a@b.org>\nBcc: x@y.org' }, /^MAIL_FROM: /],
    ['access team not an address', { ACCESS_TEAM_EMAIL: 'team' }, /^ACCESS_TEAM_EMAIL: expected an e-mail/],
    [
      'signing official not an address',
      { AOU_SIGNING_OFFICIAL_EMAIL: '@x' },
      /^AOU_SIGNING_OFFICIAL_EMAIL: /,
    ],
    ['unknown log level', { DURA_LOG_LEVEL: 'verbose' }, /^DURA_LOG_LEVEL: expected one of fatal, error/],
    ['cache not a number', { DURA_WORKER_CACHE: 'lots' }, /^DURA_WORKER_CACHE: expected a whole number/],
    ['cache of one', { DURA_WORKER_CACHE: '1' }, /^DURA_WORKER_CACHE: expected a whole number from 2/],
    ['cache not whole', { DURA_WORKER_CACHE: '2.5' }, /^DURA_WORKER_CACHE: /],
    [
      'negative grace',
      { DURA_SHUTDOWN_GRACE_SECONDS: '-1' },
      /^DURA_SHUTDOWN_GRACE_SECONDS: expected a whole/,
    ],
    ['grace in words', { DURA_SHUTDOWN_GRACE_SECONDS: 'ten' }, /^DURA_SHUTDOWN_GRACE_SECONDS: /],
    [
      'no sticky timeout',
      { DURA_STICKY_TIMEOUT_SECONDS: '0' },
      /^DURA_STICKY_TIMEOUT_SECONDS: expected a whole number from 1 to 300/,
    ],
    ['sticky timeout in ms', { DURA_STICKY_TIMEOUT_SECONDS: '2000' }, /^DURA_STICKY_TIMEOUT_SECONDS: /],
    [
      'metrics on a host name',
      { DURA_METRICS_ADDRESS: 'localhost:9464' },
      /^DURA_METRICS_ADDRESS: expected ip:port/,
    ],
    ['metrics without port', { DURA_METRICS_ADDRESS: '0.0.0.0' }, /^DURA_METRICS_ADDRESS: expected ip:port/],
    ['metrics on port 0', { DURA_METRICS_ADDRESS: '127.0.0.1:0' }, /^DURA_METRICS_ADDRESS: /],
    ['metrics on a bad ip', { DURA_METRICS_ADDRESS: '300.1.1.1:9464' }, /^DURA_METRICS_ADDRESS: /],
    [
      'web url not http',
      { DURA_WEB_URL: 'ftp://dura.example.org' },
      /^DURA_WEB_URL: expected an http\(s\) URL/,
    ],
    ['web url with a query', { DURA_WEB_URL: 'https://x.org/?a=1' }, /^DURA_WEB_URL: /],
    ['web url not a url', { DURA_WEB_URL: 'dura.example.org' }, /^DURA_WEB_URL: /],
    [
      'link key too short',
      { DURA_LINK_KEY: Buffer.alloc(16).toString('base64') },
      /^DURA_LINK_KEY: expected at least 32 bytes/,
    ],
    [
      'link key not base64',
      { DURA_LINK_KEY: 'not base64 at all, but long enough to pass a length check' },
      /^DURA_LINK_KEY: /,
    ],
    ['link days zero', { DURA_LINK_DAYS: '0' }, /^DURA_LINK_DAYS: expected a whole number from 1 to 3650/],
    ['link days too many', { DURA_LINK_DAYS: '3651' }, /^DURA_LINK_DAYS: /],
    ['link days in words', { DURA_LINK_DAYS: 'ninety' }, /^DURA_LINK_DAYS: /],
    ['term of no months', { DURA_TERM_MONTHS: '0' }, /^DURA_TERM_MONTHS: expected a whole number of months/],
    ['term in words', { DURA_TERM_MONTHS: 'three years' }, /^DURA_TERM_MONTHS: .*\(got "three years"\)/],
    [
      'cert without key',
      { TEMPORAL_TLS_CERT: '/c.pem' },
      /^TEMPORAL_TLS_KEY: required when TEMPORAL_TLS_CERT/,
    ],
    [
      'key without cert',
      { TEMPORAL_TLS_KEY: '/c.key' },
      /^TEMPORAL_TLS_CERT: required when TEMPORAL_TLS_KEY/,
    ],
  ];
  for (const [name, env, message] of bad) {
    it(`rejects ${name} with one line naming the variable`, () => {
      const problems = problemsOf(env);
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0]!, message);
      assert.ok(!problems[0]!.includes('\n'));
    });
  }

  it('reports every bad variable at once, and never echoes secrets', () => {
    const problems = problemsOf({
      TEMPORAL_ADDRESS: 'nope',
      DATABASE_URL: 'oracle://user:hunter2@db',
      ACCESS_TEAM_EMAIL: 'x',
      DURA_LINK_KEY: 'hunter2hunter2==',
    });
    assert.deepEqual(
      problems.map((p) => p.split(':')[0]),
      ['TEMPORAL_ADDRESS', 'DATABASE_URL', 'ACCESS_TEAM_EMAIL', 'DURA_LINK_KEY'],
    );
    assert.match(problems[0]!, /\(got "nope"\)/);
    assert.ok(!problems.join('\n').includes('hunter2'));
  });

  it('echoes a mistyped URL with its password masked, so the typo shows and the password does not', () => {
    const problems = problemsOf({
      SMTP_URL: 'smtp//mailer:pa/ss:word@mail.example.org:587',
      DATABASE_URL: 'postgress://dura:hunter2@db:5432/dura',
    });
    assert.deepEqual(problems, [
      'DATABASE_URL: expected postgres://user:pass@host:port/db or sqlite:<path> (got "postgress://dura:***@db:5432/dura")',
      'SMTP_URL: expected smtp://[user:pass@]host:port or smtps://… (got "smtp//mailer:***@mail.example.org:587")',
    ]);
  });
});
