// Payload compression (common/compression.ts), alone, after encryption's turn in the codec chain
// (common/codec.ts), and through the codec server the Web UI uses, over a real HTTP socket.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { createCodecServer } from '../client/codec-server';
import { chainedCodec, payloadCodecsFor, type PayloadLike } from '../common/codec';
import { COMPRESSED_ENCODING, CompressionCodec, DecompressionError } from '../common/compression';
import { loadConfig } from '../common/config';

const payload = (value: unknown) => defaultPayloadConverter.toPayload(value) as PayloadLike;
const value = (p: PayloadLike) => defaultPayloadConverter.fromPayload(p as never);
const encodingOf = (p: PayloadLike) => Buffer.from(p.metadata?.encoding ?? []).toString();

/** A status snapshot as an agreement's messages carry it, from a committed history. */
function committedStatus(): unknown {
  const file = path.join(__dirname, 'histories', 'happy-path.json');
  const { events } = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    events: { workflowExecutionCompletedEventAttributes?: { result: { payloads: { data: string }[] } } }[];
  };
  const completed = events.find((e) => e.workflowExecutionCompletedEventAttributes)!;
  const data = completed.workflowExecutionCompletedEventAttributes!.result.payloads[0]!.data;
  return JSON.parse(Buffer.from(data, 'base64').toString('utf8'));
}

describe('payload compression', () => {
  const on = new CompressionCodec(true);

  it("round-trips an agreement's status at a third of its size or less", async () => {
    const status = committedStatus();
    const plain = payload(status);
    const [packed] = await on.encode([plain]);
    assert.equal(encodingOf(packed!), COMPRESSED_ENCODING);
    assert.ok(
      packed!.data!.length * 3 <= plain.data!.length,
      `${packed!.data!.length} of ${plain.data!.length} bytes`,
    );
    const [back] = await on.decode([packed!]);
    assert.deepEqual(value(back!), status);
    assert.equal(encodingOf(back!), 'json/plain');
  });

  it('leaves alone what it cannot shrink or does not know: binary, null, tiny, other metadata', async () => {
    const others: PayloadLike[] = [
      payload(new Uint8Array(randomBytes(200))),
      payload(null),
      payload('ok'),
      { metadata: { encoding: Buffer.from('json/plain'), extra: Buffer.from('x') }, data: Buffer.from('{}') },
    ];
    assert.deepEqual(await on.encode(others), others);
  });

  it('off: writes plain, still reads what was compressed (a setting turned off later)', async () => {
    const off = new CompressionCodec(false);
    const plain = payload({
      stage: 'awaiting-signature',
      history: Array(20).fill({ event: 'reminder-sent' }),
    });
    assert.deepEqual(await off.encode([plain]), [plain]);
    const [packed] = await on.encode([plain]);
    assert.deepEqual(value((await off.decode([packed!]))[0]!), value(plain));
  });

  it('a damaged payload is an error naming the encoding', async () => {
    const [packed] = await on.encode([
      payload({ requesters: Array(10).fill({ name: 'Ada', email: 'a@x.edu' }) }),
    ]);
    const damaged = { ...packed!, data: Buffer.from(packed!.data!).subarray(3) };
    await assert.rejects(on.decode([damaged]), (err: Error) => {
      assert.ok(err instanceof DecompressionError);
      assert.match(err.message, /^cannot decompress a binary\/zlib-d1 payload: /);
      return true;
    });
  });

  it('with encryption: compressed first, encrypted after; read back in the other order', async () => {
    const key = randomBytes(32).toString('base64');
    const config = loadConfig({
      DURA_PAYLOAD_COMPRESSION: 'on',
      DURA_ENCRYPTION_KEY: key,
      DURA_ENCRYPTION_KEY_ID: 'k1',
    });
    const codec = chainedCodec(payloadCodecsFor(config));
    const status = committedStatus();
    const [sealed] = await codec.encode([payload(status)]);
    assert.equal(encodingOf(sealed!), 'binary/encrypted');
    // Smaller than the same status encrypted alone: the compression happened inside.
    const [alone] = await chainedCodec(
      payloadCodecsFor({ ...config, DURA_PAYLOAD_COMPRESSION: 'off' }),
    ).encode([payload(status)]);
    assert.ok(
      sealed!.data!.length * 2 < alone!.data!.length,
      `${sealed!.data!.length} vs ${alone!.data!.length}`,
    );
    assert.deepEqual(value((await codec.decode([sealed!]))[0]!), status);
  });

  it('DURA_PAYLOAD_COMPRESSION is on or off (default off); anything else is a config error naming it', () => {
    assert.equal(loadConfig({}).DURA_PAYLOAD_COMPRESSION, 'off');
    assert.equal(loadConfig({ DURA_PAYLOAD_COMPRESSION: ' ON ' }).DURA_PAYLOAD_COMPRESSION, 'on');
    assert.throws(
      () => loadConfig({ DURA_PAYLOAD_COMPRESSION: 'yes' }),
      (err: Error & { problems?: string[] }) => {
        assert.deepEqual(err.problems, ['DURA_PAYLOAD_COMPRESSION: expected on or off (got "yes")']);
        return true;
      },
    );
  });

  it('the codec server decompresses for the Web UI without any key', async () => {
    const origin = 'http://127.0.0.1:8233';
    const server = createCodecServer({ codec: chainedCodec(payloadCodecsFor(loadConfig({}))), origin });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const [packed] = await on.encode([payload(committedStatus())]);
      const body = {
        payloads: [
          {
            metadata: { encoding: Buffer.from(COMPRESSED_ENCODING).toString('base64') },
            data: Buffer.from(packed!.data!).toString('base64'),
          },
        ],
      };
      const port = (server.address() as AddressInfo).port;
      const reply = await fetch(`http://127.0.0.1:${port}/decode`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: origin },
        body: JSON.stringify(body),
      });
      assert.equal(reply.status, 200);
      const { payloads } = (await reply.json()) as {
        payloads: { metadata: { encoding: string }; data: string }[];
      };
      assert.equal(Buffer.from(payloads[0]!.metadata.encoding, 'base64').toString(), 'json/plain');
      assert.deepEqual(JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString()), committedStatus());
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
