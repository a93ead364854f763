// The lean `dura status` path's own wire (client/query-wire.ts, hpack.ts, grpc-lite.ts), held to other
// implementations: @temporalio/proto's protobuf, RFC 7541's examples, and Node's own HTTP/2 server.
import { strict as assert } from 'node:assert';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { temporal } from '@temporalio/proto';
import {
  DEADLINE_EXCEEDED,
  GrpcError,
  NoConnectionError,
  unary,
  type CallOptions,
} from '../client/grpc-lite';
import { HpackDecoder } from '../client/hpack';
import { decodeQueryWorkflowResponse, encodeQueryWorkflowRequest } from '../client/query-wire';
import { sampleAgreement } from './helpers/samples';

const { QueryWorkflowRequest, QueryWorkflowResponse } = temporal.api.workflowservice.v1;

describe('lean `dura status`: protobuf', () => {
  it('encodes QueryWorkflowRequest as the SDK decodes it, byte for byte', () => {
    const bytes = encodeQueryWorkflowRequest('default', 'dura-universität.example', 'status');
    const decoded = QueryWorkflowRequest.decode(bytes);
    assert.equal(decoded.namespace, 'default');
    assert.equal(decoded.execution?.workflowId, 'dura-universität.example');
    assert.equal(decoded.query?.queryType, 'status');
    assert.deepEqual(Buffer.from(QueryWorkflowRequest.encode(decoded).finish()), bytes);
  });

  it('decodes the payloads of a QueryWorkflowResponse the SDK encodes, skipping other fields', () => {
    const status = JSON.stringify(sampleAgreement({ history: Array(300).fill({ at: 'x', event: 'y' }) }));
    const metadata = { encoding: Buffer.from('json/plain'), x: Buffer.from([0, 255]) };
    const bytes = QueryWorkflowResponse.encode({
      queryResult: { payloads: [{ metadata, data: Buffer.from(status) }] },
      link: { workflowEvent: { namespace: 'default', workflowId: 'dura-uw.test', runId: 'r' } },
    }).finish();
    const answer = decodeQueryWorkflowResponse(bytes);
    assert.equal(answer.rejected, false);
    assert.equal(answer.payloads.length, 1);
    assert.deepEqual(answer.payloads[0]!.metadata, metadata);
    assert.equal(answer.payloads[0]!.data.toString(), status);
    const rejected = QueryWorkflowResponse.encode({ queryRejected: { status: 2 } }).finish();
    assert.deepEqual(decodeQueryWorkflowResponse(rejected), { payloads: [], rejected: true });
    assert.throws(() => decodeQueryWorkflowResponse(bytes.subarray(0, bytes.length - 3)), /truncated/);
  });
});

describe('lean `dura status`: HPACK', () => {
  const hex = (text: string) => Buffer.from(text.replace(/\s/g, ''), 'hex');

  it("decodes RFC 7541's requests with Huffman coding (C.4), one dynamic table across them", () => {
    const decoder = new HpackDecoder();
    const first = [
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
    ];
    assert.deepEqual(decoder.decode(hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff')), first);
    assert.deepEqual(decoder.decode(hex('8286 84be 5886 a8eb 1064 9cbf')), [
      ...first,
      ['cache-control', 'no-cache'],
    ]);
    assert.deepEqual(decoder.decode(hex('8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf')), [
      [':method', 'GET'],
      [':scheme', 'https'],
      [':path', '/index.html'],
      [':authority', 'www.example.com'],
      ['custom-key', 'custom-value'],
    ]);
  });

  it("decodes RFC 7541's responses with Huffman coding and evictions (C.6)", () => {
    const decoder = new HpackDecoder(256);
    const first = hex(`4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
      2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3`);
    const location: [string, string] = ['location', 'https://www.example.com'];
    assert.deepEqual(decoder.decode(first), [
      [':status', '302'],
      ['cache-control', 'private'],
      ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'],
      location,
    ]);
    assert.deepEqual(decoder.decode(hex('4883 640e ffc1 c0bf')), [
      [':status', '307'],
      ['cache-control', 'private'],
      ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'],
      location,
    ]);
    const third = hex(`88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
      77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0
      03ed 4ee5 b106 3d50 07`);
    assert.deepEqual(decoder.decode(third), [
      [':status', '200'],
      ['cache-control', 'private'],
      ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'],
      location,
      ['content-encoding', 'gzip'],
      ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1'],
    ]);
  });
});

describe("lean `dura status`: gRPC over HTTP/2, against Node's own server", function () {
  type Handler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: Buffer) => void;
  let handler: Handler;
  let address: string;
  // Padded frames, Huffman-coded and indexed headers: what nghttp2 sends, which is not what Go sends.
  const server = http2.createServer({ paddingStrategy: http2.constants.PADDING_STRATEGY_MAX });
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('error', () => undefined); // a stream the test resets on purpose
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => handler(stream, headers, Buffer.concat(chunks)));
  });
  before((done) => {
    server.listen(0, '127.0.0.1', () => {
      address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      done();
    });
  });
  after((done) => void server.close(() => done()));

  const times: CallOptions = { connectMs: 2000, deadlineMs: 2000 };
  const call = (message: Buffer, metadata?: Record<string, string>, t = times) =>
    unary({ address, metadata }, '/test.v1.Service/Method', message, t);
  const grpcFrame = (message: Buffer) => {
    const head = Buffer.alloc(5);
    head.writeUInt32BE(message.length, 1);
    return Buffer.concat([head, message]);
  };

  it('sends the call as gRPC and reads a large answer, its headers and its trailers', async () => {
    const answer = Buffer.alloc(300_000, 'a'); // beyond HTTP/2's default windows
    let seen: { headers: http2.IncomingHttpHeaders; body: Buffer } | undefined;
    handler = (stream, headers, body) => {
      seen = { headers, body };
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'x-note': 'fine' }));
      stream.end(grpcFrame(answer));
    };
    const reply = await call(Buffer.from('question'), { authorization: `Bearer ${'k'.repeat(300)}` });
    assert.deepEqual(reply, answer);
    assert.deepEqual(seen!.body, grpcFrame(Buffer.from('question')));
    assert.equal(seen!.headers[':path'], '/test.v1.Service/Method');
    assert.equal(seen!.headers['content-type'], 'application/grpc');
    assert.equal(seen!.headers['grpc-timeout'], '2000m');
    assert.equal(seen!.headers.authorization, `Bearer ${'k'.repeat(300)}`);
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
