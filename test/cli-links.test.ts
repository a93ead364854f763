// `dura links revoke` and `dura links new`, run as a subprocess against a real SQLite records file that
// holds one agreement (recorded as the worker records it, without Temporal).
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { statusLinkRevoked, statusLinksRevokedAt } from '../activities/records/status-links';
import { RecordsStore } from '../activities/records/store';
import { STATUS_LINK_KEY_FILE, statusLinkKey, verifyStatusLink } from '../common/status-link';
import { dura } from './helpers/cli';
import { sampleAgreement } from './helpers/samples';

const AGREEMENT = 'uw.test-1';

describe('dura CLI: status links', function () {
  this.timeout(60_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const key = randomBytes(32).toString('base64');

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-cli-links-'));
    // DURA_DATA_DIR too: nothing the CLI does may touch the project's own data/.
    env = { DATABASE_URL: `sqlite:${dir}/dura.sqlite`, DURA_DATA_DIR: dir, DURA_LINK_KEY: key };
    const store = await RecordsStore.open(env.DATABASE_URL!);
    try {
      const { history: _history, ...status } = sampleAgreement({ agreementId: AGREEMENT });
      await store.recordEvents({ agreementRef: `${AGREEMENT}/run`, firstSeq: 0, events: [], status });
    } finally {
      await store.close();
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const withStore = async <T>(work: (store: RecordsStore) => Promise<T>): Promise<T> => {
    const store = await RecordsStore.open(env.DATABASE_URL!);
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  };

  it('new prints a link for a requester that verifies to them and the agreement', async () => {
    const result = await dura(['links', 'new', AGREEMENT, 'Ann@UW.test', '--json'], {
      ...env,
      DURA_WEB_URL: 'https://dura.example.org/',
      DURA_LINK_DAYS: '7',
    });
    assert.deepEqual([result.status, result.stderr], [0, '']);
    const answer = JSON.parse(result.stdout) as { url: string; email: string; expiresAt: string };
    const token = /^https:\/\/dura\.example\.org\/status\/([\w.-]+)$/.exec(answer.url)?.[1];
    assert.ok(token, answer.url);
    const check = await verifyStatusLink(token, new Uint8Array(Buffer.from(key, 'base64')));
    assert.ok(check.ok);
    assert.deepEqual(
      [check.agreementId, check.email, answer.email],
      [AGREEMENT, 'ann@uw.test', 'ann@uw.test'],
    );
    assert.equal(check.expiresAt.getTime() - check.issuedAt.getTime(), 7 * 24 * 60 * 60 * 1000);
    assert.equal(answer.expiresAt.slice(0, 10), check.expiresAt.toISOString().slice(0, 10));

    const text = await dura(['links', 'new', 'uw.test', 'bo@uw.test'], env);
    assert.equal(text.status, 0, text.stderr);
    // The link alone on stdout, for `L=$(dura links new …)`; the rest on stderr.
    assert.match(text.stdout, /^http:\/\/127\.0\.0\.1:8080\/status\/\S+\n$/);
    assert.match(text.stderr, /^dura: for bo@uw\.test; works until \w+day, \w+ \d+, \d{4}\n$/);
  });

  it("new without DURA_LINK_KEY uses the engine's key file in DURA_DATA_DIR, and never makes one", async () => {
    const { DURA_LINK_KEY: _key, ...noKey } = env;
    const file = path.join(dir, STATUS_LINK_KEY_FILE);
    // Another data directory than the engine's (a trial's): no link that would not work, no key left.
    const missing = await dura(['links', 'new', AGREEMENT, 'ann@uw.test'], noKey);
    assert.equal(missing.status, 2);
    assert.equal(
      missing.stderr,
      `dura: cannot reach the status-link key ${file}: no such file: set DURA_DATA_DIR (or DURA_LINK_KEY) as the engine has it\n`,
    );
    assert.ok(!fs.existsSync(file), 'no key made');
    // The worker makes it (activities/index.ts); the CLI then signs with it.
    const engineKey = statusLinkKey({ DURA_DATA_DIR: dir });
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const result = await dura(['links', 'new', AGREEMENT, 'ann@uw.test', '--json'], noKey);
    assert.equal(result.status, 0, result.stderr);
    const token = (JSON.parse(result.stdout) as { url: string }).url.split('/status/')[1]!;
    assert.ok((await verifyStatusLink(token, engineKey)).ok);
  });

  it('revoke withdraws the links sent so far, by agreement id or domain; later links work', async () => {
    const before = await dura(['links', 'new', AGREEMENT, 'ann@uw.test', '--json'], env);
    const issuedAt = await issued(before.stdout);
    const revoked = await dura(['links', 'revoke', AGREEMENT, 'ANN@uw.test'], env);
    assert.deepEqual([revoked.status, revoked.stderr], [0, '']);
    assert.match(
      revoked.stdout,
      /^withdrew the status links of ann@uw\.test for uw\.test-1 sent up to \w+day, .* ET; links in later e-mails work\n$/,
    );
    // Her links to another agreement still work, and the answer says which, with the command (a trial
    // revoked one agreement's links and found the other's still showing her registration).
    await withStore(async (store) => {
      const { history: _history, ...other } = sampleAgreement({
        agreementId: 'lab.test-1',
        institution: { name: 'Lab', domain: 'lab.test' },
        requesters: [{ name: 'Ann', email: 'ann@uw.test' }],
      });
      await store.recordEvents({ agreementRef: 'lab.test-1/run', firstSeq: 0, events: [], status: other });
    });
    const named = await dura(['links', 'revoke', AGREEMENT, 'ann@uw.test'], env);
    assert.equal(named.status, 0, named.stderr);
    assert.equal(
      named.stdout.split('\n')[1],
      'links to lab.test-1 (another agreement of this address) still work: `dura links revoke lab.test-1 ann@uw.test` withdraws them',
    );
    await withStore(async (store) => {
      const at = await statusLinksRevokedAt(store.db, AGREEMENT, 'ann@uw.test');
      assert.ok(at && at.getTime() >= issuedAt.getTime());
      const link = { agreementId: AGREEMENT, email: 'ann@uw.test' };
      assert.equal(await statusLinkRevoked(store.db, { ...link, issuedAt }), true);
      // The other requester's links are untouched.
      assert.equal(await statusLinksRevokedAt(store.db, AGREEMENT, 'bo@uw.test'), null);
    });

    // `new` right after waits out the second of the revocation, so its link is not withdrawn with it.
    const after = await dura(['links', 'new', AGREEMENT, 'ann@uw.test', '--json'], env);
    const later = await issued(after.stdout);
    await withStore(async (store) => {
      const link = { agreementId: AGREEMENT, email: 'ann@uw.test', issuedAt: later };
      assert.equal(await statusLinkRevoked(store.db, link), false);
    });

    const again = await dura(['links', 'revoke', 'uw.test', 'ann@uw.test', '--json'], env);
    assert.equal(again.status, 0, again.stderr);
    const answer = JSON.parse(again.stdout) as { agreementId: string; email: string; revokedAt: string };
    assert.deepEqual([answer.agreementId, answer.email], [AGREEMENT, 'ann@uw.test']);
    await withStore(async (store) => {
      const at = await statusLinksRevokedAt(store.db, AGREEMENT, 'ann@uw.test');
      assert.equal(at?.toISOString(), answer.revokedAt);
      assert.equal(
        await statusLinkRevoked(store.db, { agreementId: AGREEMENT, email: 'ann@uw.test', issuedAt: later }),
        true,
      );
    });

    async function issued(stdout: string): Promise<Date> {
      const token = (JSON.parse(stdout) as { url: string }).url.split('/status/')[1]!;
      const check = await verifyStatusLink(token, new Uint8Array(Buffer.from(key, 'base64')));
      assert.ok(check.ok);
      return check.issuedAt;
    }
  });

  const refused: [string, string[], RegExp][] = [
    ['an unknown agreement', ['revoke', 'uw.test-9', 'ann@uw.test'], /^dura: no agreement uw\.test-9\n$/],
    ['an unknown domain', ['new', 'nowhere.edu', 'ann@uw.test'], /^dura: no agreement for nowhere\.edu\n$/],
    [
      'a stranger',
      ['revoke', AGREEMENT, 'eve@uw.test'],
      /^dura: eve@uw\.test: not a requester of uw\.test-1\n$/,
    ],
    [
      'the official',
      ['new', AGREEMENT, 'sam@uw.test'],
      /^dura: sam@uw\.test: not a requester of uw\.test-1\n$/,
    ],
    ['not an address', ['revoke', AGREEMENT, 'ann at uw'], /^dura: "ann at uw": not an e-mail address\n$/],
    ['a missing address', ['revoke', AGREEMENT], /^dura: missing required argument 'email'\n$/],
  ];
  for (const [name, args, message] of refused) {
    it(`refuses ${name}: one line naming it, exit 1`, async () => {
      const result = await dura(['links', ...args], env);
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stdout, '');
    });
  }

  it('a bad link setting is named, the key never echoed', async () => {
    const result = await dura(['links', 'new', AGREEMENT, 'ann@uw.test'], {
      ...env,
      DURA_LINK_KEY: 'c2VjcmV0',
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^dura: DURA_LINK_KEY: expected at least 32 bytes in base64/);
    assert.ok(!result.stderr.includes('c2VjcmV0'));
  });
});
