/** Status links (common/status-link.ts): signing, checking, and the key file made on first use. */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync as readdir, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  signStatusLink,
  STATUS_LINK_KEY_FILE,
  statusLinkKey,
  statusLinkUrl,
  verifyStatusLink,
} from '../common/status-link';

const key = new Uint8Array(randomBytes(32));
const claim = { agreementId: 'uw.edu-1', email: 'Ada@UW.edu' };
const now = new Date('2026-03-02T15:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

describe('status links', () => {
  it('round trip: the claim comes back, the address in lower case, valid for the days given', async () => {
    const token = await signStatusLink(claim, key, { days: 90, now });
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.deepEqual(await verifyStatusLink(token, key, new Date(now.getTime() + 89 * DAY)), {
      ok: true,
      agreementId: 'uw.edu-1',
      email: 'ada@uw.edu',
      issuedAt: now,
      expiresAt: new Date(now.getTime() + 90 * DAY),
    });
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    assert.deepEqual(Object.keys(payload).sort(), ['agr', 'exp', 'iat', 'sub']);
  });

  it('is expired after its days, and only then', async () => {
    const token = await signStatusLink(claim, key, { days: 1, now });
    assert.equal((await verifyStatusLink(token, key, new Date(now.getTime() + DAY - 1000))).ok, true);
    assert.deepEqual(await verifyStatusLink(token, key, new Date(now.getTime() + DAY + 1000)), {
      ok: false,
      problem: 'expired',
    });
    // Without `now`, the clock: a link signed long ago has expired.
    const old = await signStatusLink(claim, key, { days: 1, now: new Date('2020-01-01T00:00:00Z') });
    assert.deepEqual(await verifyStatusLink(old, key), { ok: false, problem: 'expired' });
  });

  it('refuses a tampered signature, payload or header, and another key', async () => {
    const token = await signStatusLink(claim, key, { days: 90, now });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
    const other = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), agr: 'mit.edu-1' }),
    ).toString('base64url');
    const none = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    for (const bad of [
      `${header}.${payload}.${flipped}`,
      `${header}.${other}.${signature}`,
      `${none}.${payload}.`,
    ])
      assert.deepEqual(await verifyStatusLink(bad, key, now), { ok: false, problem: 'invalid' }, bad);
    const otherKey = new Uint8Array(randomBytes(32));
    assert.deepEqual(await verifyStatusLink(token, otherKey, now), { ok: false, problem: 'invalid' });
  });

  it('an expired token that was tampered with is invalid, not expired', async () => {
    const token = await signStatusLink(claim, key, { days: 1, now });
    const later = new Date(now.getTime() + 2 * DAY);
    assert.equal((await verifyStatusLink(token, key, later)).ok, false);
    const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    assert.deepEqual(await verifyStatusLink(tampered, key, later), { ok: false, problem: 'invalid' });
  });

  it('refuses garbled tokens and tokens missing a claim', async () => {
    const otherClaims = async (payload: object) => {
      const { SignJWT } = await import('jose');
      return new SignJWT({ ...payload }).setProtectedHeader({ alg: 'HS256' }).sign(key);
    };
    const iat = Math.floor(now.getTime() / 1000);
    const garbled = [
      '',
      'nope',
      'a.b.c',
      '%E0%A4%A',
      'x'.repeat(5000),
      await otherClaims({ sub: 'ada@uw.edu', iat, exp: iat + 100 }),
      await otherClaims({ agr: 'uw.edu-1', iat, exp: iat + 100 }),
      await otherClaims({ sub: 'ada@uw.edu', agr: 7, iat, exp: iat + 100 }),
      await otherClaims({ sub: 'ada@uw.edu', agr: 'uw.edu-1', iat }),
    ];
    for (const token of garbled)
      assert.deepEqual(await verifyStatusLink(token, key, now), { ok: false, problem: 'invalid' }, token);
  });

  it('refuses bad days and short keys when signing', async () => {
    for (const days of [0, 3651, 1.5, NaN])
      await assert.rejects(signStatusLink(claim, key, { days }), RangeError);
    await assert.rejects(signStatusLink(claim, new Uint8Array(16), { days: 1 }), RangeError);
  });

  it('builds the page address from the base URL', () => {
    assert.equal(statusLinkUrl('https://dura.example.org', 'a.b.c'), 'https://dura.example.org/status/a.b.c');
    assert.equal(statusLinkUrl('https://x.org/dura/', 'a.b.c'), 'https://x.org/dura/status/a.b.c');
  });

  describe('the key', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'dura-link-key-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('is DURA_LINK_KEY when set, and no file is made', () => {
      const value = randomBytes(48).toString('base64');
      const got = statusLinkKey({ DURA_LINK_KEY: value, DURA_DATA_DIR: dir });
      assert.deepEqual(Buffer.from(got), Buffer.from(value, 'base64'));
      assert.throws(() => statSync(path.join(dir, STATUS_LINK_KEY_FILE)), /ENOENT/);
    });

    it('is a file made once with mode 0600 (in a data directory made if missing), then reused', () => {
      const dataDir = path.join(dir, 'data');
      const first = statusLinkKey({ DURA_DATA_DIR: dataDir });
      const file = path.join(dataDir, STATUS_LINK_KEY_FILE);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(first.length, 32);
      assert.deepEqual(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'), Buffer.from(first));
      assert.deepEqual(statusLinkKey({ DURA_DATA_DIR: dataDir }), first);
      // Nothing left aside.
      assert.deepEqual(readdir(dataDir), [STATUS_LINK_KEY_FILE]);
    });

    it('refuses a key file that holds no key, naming the file but not its content', () => {
      writeFileSync(path.join(dir, STATUS_LINK_KEY_FILE), 'c2hvcnQ=\n');
      assert.throws(
        () => statusLinkKey({ DURA_DATA_DIR: dir }),
        (err: Error) => err.message.includes(STATUS_LINK_KEY_FILE) && !err.message.includes('c2hvcnQ'),
      );
    });

    it('processes starting together agree on one key', async () => {
      const keys = await Promise.all(Array.from({ length: 6 }, () => keyInChild(dir)));
      assert.equal(new Set(keys).size, 1, keys.join('\n'));
      assert.equal(keys[0], Buffer.from(statusLinkKey({ DURA_DATA_DIR: dir })).toString('base64'));
      assert.deepEqual(readdir(dir), [STATUS_LINK_KEY_FILE]);
    });
  });
});

const tsx = pathToFileURL(path.join(__dirname, '..', 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/** statusLinkKey in another process; resolves its key in base64. */
function keyInChild(dataDir: string): Promise<string> {
  const module = JSON.stringify(path.join(__dirname, '..', 'common', 'status-link.ts'));
  const code = `const { statusLinkKey } = require(${module});
process.stdout.write(Buffer.from(statusLinkKey({ DURA_DATA_DIR: ${JSON.stringify(dataDir)} })).toString('base64'));`;
  const child = spawn(process.execPath, ['--import', tsx, '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) =>
      status === 0 ? resolve(out) : reject(new Error(`child exited ${status}`)),
    );
  });
}
