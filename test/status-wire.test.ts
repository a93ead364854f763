// The lean `dura status` path's wire: its generated protobuf code (client/generated/, in step with
// scripts/gen-status-protos.ts and held to @temporalio/proto's own encoder and decoder) and its gRPC
// call over node:http2 (client/grpc-unary.ts) against Node's own HTTP/2 server, plaintext and mTLS.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { temporal } from '@temporalio/proto';
import { temporal as generated } from '../client/generated/status-protos';
import type * as Protos from '../client/generated/status-protos-types';
import {
  DEADLINE_EXCEEDED,
  GrpcError,
  NoConnectionError,
  unary,
  type CallOptions,
  type GrpcTarget,
} from '../client/grpc-unary';
import { generateStatusProtos, OUT_DIR } from '../scripts/gen-status-protos';
import { makeCertificates } from './helpers/tls';
import { sampleAgreement } from './helpers/samples';

const sdk = temporal.api.workflowservice.v1;
const lean = (generated as unknown as typeof Protos.temporal).api.workflowservice.v1;

describe('lean `dura status`: generated protobuf code', function () {
  this.timeout(120_000);

  it('is what scripts/gen-status-protos.ts generates from the installed protos, byte for byte', async () => {
    const files = await generateStatusProtos();
    assert.deepEqual(Object.keys(files).sort(), ['status-protos-types.d.ts', 'status-protos.ts']);
    for (const [name, content] of Object.entries(files))
      assert.ok(
        fs.readFileSync(path.join(OUT_DIR, name), 'utf8') === content,
        `client/generated/${name} is out of date: run npx tsx scripts/gen-status-protos.ts`,
      );
  });

  it('encodes QueryWorkflowRequest as the SDK does, byte for byte', () => {
    const request = {
      namespace: 'default',
      execution: { workflowId: 'dura-universität.example' },
      query: { queryType: 'status' },
    };
    const bytes = lean.QueryWorkflowRequest.encode(request).finish();
    assert.deepEqual(Buffer.from(bytes), Buffer.from(sdk.QueryWorkflowRequest.encode(request).finish()));
    const decoded = sdk.QueryWorkflowRequest.decode(bytes);
    assert.equal(decoded.execution?.workflowId, 'dura-universität.example');
  });

  it('decodes the payloads of a QueryWorkflowResponse the SDK encodes, and a rejection', () => {
    const status = JSON.stringify(sampleAgreement({ history: Array(300).fill({ at: 'x', event: 'y' }) }));
    const metadata = { encoding: Buffer.from('json/plain'), x: Buffer.from([0, 255]) };
    const bytes = sdk.QueryWorkflowResponse.encode({
      queryResult: { payloads: [{ metadata, data: Buffer.from(status) }] },
      link: { workflowEvent: { namespace: 'default', workflowId: 'dura-uw.test', runId: 'r' } },
    }).finish();
    const answer = lean.QueryWorkflowResponse.decode(bytes);
    assert.equal(answer.queryRejected, null);
    const payloads = answer.queryResult?.payloads ?? [];
    assert.equal(payloads.length, 1);
    assert.deepEqual(
      Object.fromEntries(Object.entries(payloads[0]!.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v)])),
      metadata,
    );
    assert.equal(Buffer.from(payloads[0]!.data!).toString(), status);
    const rejected = sdk.QueryWorkflowResponse.encode({ queryRejected: { status: 2 } }).finish();
    assert.equal(lean.QueryWorkflowResponse.decode(rejected).queryRejected?.status, 2);
    assert.throws(() => lean.QueryWorkflowResponse.decode(bytes.subarray(0, bytes.length - 3)), RangeError);
  });
});

type Handler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: Buffer) => void;

/** An HTTP/2 server on 127.0.0.1 whose streams `handler()` answers once the request has ended. */
async function serve(server: http2.Http2Server | http2.Http2SecureServer, handler: () => Handler) {
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('error', () => undefined); // a stream the test resets on purpose
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => handler()(stream, headers, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const grpcFrame = (message: Buffer) => {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
};

/** Answers `answer` with status OK in trailers, and keeps what it was sent. */
function answering(answer: Buffer, seen: { headers?: http2.IncomingHttpHeaders; body?: Buffer }): Handler {
  return (stream, headers, body) => {
    Object.assign(seen, { headers, body });
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'x-note': 'fine' }));
    stream.end(grpcFrame(answer));
  };
}

describe("lean `dura status`: gRPC over node:http2, against Node's own server", function () {
  let handler: Handler;
  let address: string;
  // Padded frames, Huffman-coded and indexed headers: what nghttp2 sends, which is not what Go sends.
  const server = http2.createServer({ paddingStrategy: http2.constants.PADDING_STRATEGY_MAX });
  before(async () => (address = await serve(server, () => handler)));
  after((done) => void server.close(() => done()));

  const times: CallOptions = { connectMs: 2000, deadlineMs: 2000 };
  const call = (message: Buffer, metadata?: Record<string, string>, t = times) =>
    unary({ address, metadata }, '/test.v1.Service/Method', message, t);

  it('sends the call as gRPC and reads a large answer, its headers and its trailers', async () => {
    const answer = Buffer.alloc(300_000, 'a'); // beyond HTTP/2's default windows
    const seen: { headers?: http2.IncomingHttpHeaders; body?: Buffer } = {};
    handler = answering(answer, seen);
    const reply = await call(Buffer.from('question'), { authorization: `Bearer ${'k'.repeat(300)}` });
    assert.deepEqual(reply, answer);
    assert.deepEqual(seen.body, grpcFrame(Buffer.from('question')));
    assert.equal(seen.headers![':path'], '/test.v1.Service/Method');
    assert.equal(seen.headers!['content-type'], 'application/grpc');
    assert.equal(seen.headers!.te, 'trailers');
    assert.equal(seen.headers!['grpc-timeout'], '2000m');
    assert.equal(seen.headers!.authorization, `Bearer ${'k'.repeat(300)}`);
    assert.deepEqual(await call(Buffer.alloc(0)), answer, 'a second call on a fresh connection');
  });

  it('reads an error status, in a trailers-only answer, with its message', async () => {
    handler = (stream) =>
      stream.respond(
        { ':status': 200, 'grpc-status': '5', 'grpc-message': encodeURIComponent('workflow not found: x') },
        { endStream: true },
      );
    await assert.rejects(call(Buffer.alloc(0)), (err: GrpcError) => {
      assert.ok(err instanceof GrpcError);
      assert.deepEqual([err.code, err.details], [5, 'workflow not found: x']);
      return true;
    });
  });

  it('a reset stream is an error, an answer never sent is the deadline, a closed port no connection', async () => {
    handler = (stream) => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    await assert.rejects(call(Buffer.alloc(0)), (err: Error) => !(err instanceof GrpcError));
    handler = () => undefined;
    const short = { connectMs: 2000, deadlineMs: 300 };
    await assert.rejects(
      call(Buffer.alloc(0), {}, short),
      (err: GrpcError) => err.code === DEADLINE_EXCEEDED,
    );
    const refused = unary({ address: '127.0.0.1:1' }, '/x/y', Buffer.alloc(0), times);
    await assert.rejects(refused, (err: Error) => err instanceof NoConnectionError);
  });
});

describe('lean `dura status`: gRPC over node:http2 with mTLS and an API key', function () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-wire-tls-'));
  const certs = makeCertificates(dir);
  const seen: { headers?: http2.IncomingHttpHeaders; body?: Buffer } = {};
  const server = http2.createSecureServer({
    key: fs.readFileSync(certs.serverKey),
    cert: fs.readFileSync(certs.serverCert),
    ca: fs.readFileSync(certs.ca),
    requestCert: true,
    rejectUnauthorized: true,
  });
  server.on('tlsClientError', () => undefined);
  let address: string;
  before(async () => (address = await serve(server, () => answering(Buffer.from('answer'), seen))));
  after((done) => {
    fs.rmSync(dir, { recursive: true, force: true });
    server.close(() => done());
  });

  const times: CallOptions = { connectMs: 2000, deadlineMs: 2000 };
  const tls = (extra: GrpcTarget['tls'] = {}): GrpcTarget['tls'] => ({
    ca: fs.readFileSync(certs.ca),
    cert: fs.readFileSync(certs.clientCert),
    key: fs.readFileSync(certs.clientKey),
    ...extra,
  });

  it('calls with the client certificate, checking the server by its name, and sends the API key', async () => {
    const metadata = { authorization: 'Bearer key-123', 'temporal-namespace': 'dura' };
    for (const target of [
      { address, tls: tls({ serverName: 'temporal.dura.test' }), metadata },
      { address, tls: tls(), metadata }, // by its IP address, also in the certificate
    ]) {
      delete seen.headers;
      assert.deepEqual(await unary(target, '/x/y', Buffer.from('q'), times), Buffer.from('answer'));
      assert.equal(seen.headers!.authorization, 'Bearer key-123');
      assert.equal(seen.headers!['temporal-namespace'], 'dura');
      assert.equal(seen.headers![':scheme'], 'https');
    }
  });

  it('a server the CA did not sign, or another name, or no client certificate: no connection', async () => {
    for (const bad of [
      tls({ ca: fs.readFileSync(certs.serverCert), serverName: 'temporal.dura.test' }),
      tls({ serverName: 'elsewhere.dura.test' }),
      { ca: fs.readFileSync(certs.ca) },
      tls({ cert: fs.readFileSync(certs.strangerCert), key: fs.readFileSync(certs.strangerKey) }),
    ])
      await assert.rejects(
        unary({ address, tls: bad }, '/x/y', Buffer.from('q'), times),
        (err: Error) => err instanceof NoConnectionError,
        JSON.stringify(Object.keys(bad ?? {})),
      );
  });
});
