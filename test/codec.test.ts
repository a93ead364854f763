// Payload encryption (common/codec.ts) and the codec server for the Web UI (client/codec-server.ts),
// over a real HTTP socket.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec, encryptionCodec, payloadEncryptionFor, type PayloadLike } from '../common/codec';
import { encryptionMismatch } from '../activities/records/engine-settings';
import { loadConfig } from '../common/config';
import { createCodecServer } from '../client/codec-server';

const key = () => ({ id: 'k1', key: randomBytes(32) });
const payload = (value: unknown) => defaultPayloadConverter.toPayload(value) as PayloadLike;
const value = (p: PayloadLike) => defaultPayloadConverter.fromPayload(p as never);

describe('payload encryption', () => {
  const current = key();
  const codec = new EncryptionCodec({ current, old: [] });

  it('round-trips; the ciphertext shows neither the value nor its encoding; every IV is fresh', async () => {
    const original = payload({ email: 'ada@uw.edu' });
    const [once] = await codec.encode([original]);
    const [twice] = await codec.encode([original]);
    assert.equal(Buffer.from(once!.metadata!.encoding!).toString(), 'binary/encrypted');
    assert.equal(Buffer.from(once!.metadata!['encryption-key-id']!).toString(), 'k1');
    assert.ok(!Buffer.from(once!.data!).toString('latin1').includes('ada@uw.edu'));
    assert.ok(!Buffer.from(once!.data!).toString('latin1').includes('json/plain'));
    assert.notDeepEqual(once!.data, twice!.data);
    assert.deepEqual(value((await codec.decode([once!]))[0]!), { email: 'ada@uw.edu' });
  });

  it('old keys decrypt what they wrote; a tampered byte or a swapped key id is refused', async () => {
    const [old] = await codec.encode([payload('written long ago')]);
    const rotated = new EncryptionCodec({ current: { id: 'k2', key: randomBytes(32) }, old: [current] });
    assert.equal(value((await rotated.decode([old!]))[0]!), 'written long ago');
    // A byte flipped (set to a value, it was that value already one time in 256: a flaky test).
    const flipped = Buffer.from(old!.data!);
    flipped[20] = flipped[20]! ^ 0xff;
    const tampered = { ...old!, data: flipped };
    await assert.rejects(codec.decode([tampered]), /encrypted with key "k1"/);
    const relabelled = { ...old!, metadata: { ...old!.metadata, 'encryption-key-id': Buffer.from('k2') } };
    await assert.rejects(rotated.decode([relabelled]), /encrypted with key "k2"/);
  });

  it('leaves payloads that were never encrypted alone (histories from before encryption)', async () => {
    const plain = payload({ a: 1 });
    assert.deepEqual(await codec.decode([plain]), [plain]);
  });

  it('comes from the configuration only when a key and its id are set; bad keys are config errors', () => {
    assert.equal(encryptionCodec(loadConfig({})), undefined);
    const good = randomBytes(32).toString('base64');
    assert.ok(encryptionCodec(loadConfig({ DURA_ENCRYPTION_KEY: good, DURA_ENCRYPTION_KEY_ID: 'k1' })));
    const problems = (env: NodeJS.ProcessEnv) => {
      try {
        loadConfig(env);
        return [];
      } catch (err) {
        return (err as { problems: string[] }).problems;
      }
    };
    assert.deepEqual(problems({ DURA_ENCRYPTION_KEY: 'c2hvcnQ=', DURA_ENCRYPTION_KEY_ID: 'k1' }), [
      'DURA_ENCRYPTION_KEY: expected 32 bytes in base64 (e.g. from `openssl rand -base64 32`)',
    ]);
    assert.deepEqual(problems({ DURA_ENCRYPTION_KEY: good }), [
      'DURA_ENCRYPTION_KEY_ID: required when DURA_ENCRYPTION_KEY is set',
    ]);
    assert.match(
      problems({
        DURA_ENCRYPTION_KEY: good,
        DURA_ENCRYPTION_KEY_ID: 'k1',
        DURA_ENCRYPTION_OLD_KEYS: 'k0',
      })[0]!,
      /^DURA_ENCRYPTION_OLD_KEYS: expected id:key/,
    );
  });
});

describe("a client checked against the engine's encryption (records/engine-settings.ts)", () => {
  const b64 = randomBytes(32).toString('base64');
  const client = (id?: string, old?: string) =>
    payloadEncryptionFor({
      DURA_ENCRYPTION_KEY: id ? b64 : undefined,
      DURA_ENCRYPTION_KEY_ID: id,
      DURA_ENCRYPTION_OLD_KEYS: old,
    });

  it('what each side writes and reads', () => {
    assert.deepEqual(client(), { writes: null, reads: [] });
    assert.deepEqual(client('k2', `k1:${b64}`), { writes: 'k2', reads: ['k2', 'k1'] });
  });

  it('refuses writing in the clear where the engine encrypts, or with a key it cannot read', () => {
    const engine = client('k2', `k1:${b64}`);
    assert.match(
      String(encryptionMismatch(engine, client())),
      /^the engine encrypts .* \(key id k2\) and this dura has no key/,
    );
    assert.match(
      String(encryptionMismatch(engine, client('k3'))),
      /^the engine cannot read key id k3 \(it reads k2, k1\)/,
    );
    assert.match(String(encryptionMismatch(client(), client('k1'))), /^the engine has no encryption key/);
    // A key the engine reads (an old one, during a rotation), or no key on either side: all well.
    assert.equal(encryptionMismatch(engine, client('k1')), null);
    assert.equal(encryptionMismatch(engine, client('k2')), null);
    assert.equal(encryptionMismatch(client(), client()), null);
  });
});

describe('codec server', () => {
  const codec = new EncryptionCodec({ current: key(), old: [] });
  const origin = 'http://127.0.0.1:8233';
  let server: Server;
  let url: string;
  before(async () => {
    server = createCodecServer({ codec, origin, token: 's3cret' });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (route: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}${route}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: origin, ...headers },
      body: JSON.stringify(body),
    });
  const asJson = (p: PayloadLike) => ({
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? []).toString('base64'),
  });
  const auth = { Authorization: 'Bearer s3cret' };

  it('encodes and decodes for the Web UI, with CORS for its origin', async () => {
    const encoded = await post('/encode', { payloads: [asJson(payload({ name: 'Ada' }))] }, auth);
    assert.equal(encoded.status, 200);
    assert.equal(encoded.headers.get('access-control-allow-origin'), origin);
    const { payloads } = (await encoded.json()) as {
      payloads: { metadata: Record<string, string>; data: string }[];
    };
    assert.equal(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString(), 'binary/encrypted');
    const decoded = await post('/decode', { payloads }, auth);
    const back = (await decoded.json()) as { payloads: { data: string }[] };
    assert.deepEqual(JSON.parse(Buffer.from(back.payloads[0]!.data, 'base64').toString()), { name: 'Ada' });
  });

  it('refuses a request without the token, or with another; admits no other origin', async () => {
    assert.equal((await post('/decode', { payloads: [] })).status, 401);
    assert.equal((await post('/decode', { payloads: [] }, { Authorization: 'Bearer nope' })).status, 401);
    const other = await post('/decode', { payloads: [] }, { ...auth, Origin: 'http://evil.example' });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    const preflight = await fetch(`${url}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://evil.example' },
    });
    assert.equal(preflight.status, 403);
    const ours = await fetch(`${url}/decode`, { method: 'OPTIONS', headers: { Origin: origin } });
    assert.equal(ours.status, 204);
    assert.match(ours.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    assert.equal((await post('/decode', { nope: 1 }, auth)).status, 400);
  });
});
