/**
 * Just enough gRPC for one unary call, over a minimal HTTP/2 client on node:net: one stream (id 1) on
 * a fresh connection, response headers decoded by hpack.ts. Not node:http2: loading it (it brings http,
 * tls and crypto) and its slower session set-up cost a cold `dura status` ~20 ms on a 2-CPU machine
 * (about half of what it spent beyond Node's own start, bench/cold-status.ts). `metadata` carries extra
 * headers (an API key's `authorization`); TLS plugs in where the socket is opened.
 */
import * as net from 'node:net';
import { encodeHeaders, HpackDecoder, type HeaderList } from './hpack';

export interface GrpcTarget {
  /** host:port, or [IPv6]:port */
  address: string;
  /** Extra request headers, e.g. `authorization: Bearer …`. */
  metadata?: Record<string, string>;
}

export interface CallOptions {
  /** How long to wait for the connection. */
  connectMs: number;
  /** The call's deadline once connected, also sent to the server as `grpc-timeout`. */
  deadlineMs: number;
  /** Runs once the request is on its way: work done here overlaps the server's. */
  sent?: () => void;
}

/** The server answered with a gRPC status other than OK. */
export class GrpcError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`${code} ${STATUS_NAMES[code] ?? 'UNKNOWN'}: ${details}`);
  }
}

/** The server could not be reached at all (refused, unknown host, no connection in time). */
export class NoConnectionError extends Error {}

export const DEADLINE_EXCEEDED = 4;
export const NOT_FOUND = 5;
const STATUS_NAMES: Record<number, string> = { 4: 'DEADLINE_EXCEEDED', 5: 'NOT_FOUND' };

// HTTP/2 (RFC 9113): the frame types and flags a client reading one response meets.
const [DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION] = [
  0, 1, 3, 4, 6, 7, 8, 9,
];
const [END_STREAM, ACK, END_HEADERS, PADDED, PRIORITY] = [0x1, 0x1, 0x4, 0x8, 0x20];
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
// The whole answer is read at once: the largest flow-control windows, so no WINDOW_UPDATE is owed.
const WINDOW = 0x7fffffff;
const OPENING = Buffer.concat([
  PREFACE,
  frame(SETTINGS, 0, 0, settings([2, 0], [4, WINDOW])), // ENABLE_PUSH off, INITIAL_WINDOW_SIZE
  frame(WINDOW_UPDATE, 0, 0, uint32(WINDOW - 65_535)),
]);

/** One unary call: the request message's bytes in, the response message's bytes out. */
export function unary(target: GrpcTarget, method: string, request: Uint8Array, times: CallOptions) {
  return new Promise<Buffer>((resolve, reject) => {
    const [, host, port] = /^\[?(.*?)\]?:(\d+)$/.exec(target.address) ?? [];
    const socket = net.connect({ host, port: Number(port) }); // TLS: node:tls here, ALPN 'h2'
    let connected = false;
    let done = false;
    let deadlineAt = Infinity;
    const deadline = () => new GrpcError(DEADLINE_EXCEEDED, 'Deadline exceeded');
    let timer = setTimeout(
      () => settle(new NoConnectionError('Failed to connect before the deadline')),
      times.connectMs,
    );
    const settle = (outcome: Error | Buffer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (outcome instanceof Error) {
        socket.destroy();
        reject(outcome);
      } else {
        socket.end(frame(GOAWAY, 0, 0, Buffer.alloc(8)));
        resolve(outcome);
      }
    };
    // No status from the server: at the deadline it may just reset the stream or the connection.
    const broken = (why: string) => settle(Date.now() >= deadlineAt ? deadline() : new Error(why));

    socket.setNoDelay(true);
    socket.once('connect', () => {
      connected = true;
      clearTimeout(timer);
      deadlineAt = Date.now() + times.deadlineMs;
      timer = setTimeout(() => settle(deadline()), times.deadlineMs);
      const headers: HeaderList = [
        [':method', 'POST'],
        [':scheme', 'http'],
        [':path', method],
        [':authority', target.address],
        ['content-type', 'application/grpc'],
        ['te', 'trailers'],
        ['grpc-timeout', `${times.deadlineMs}m`],
        ...Object.entries(target.metadata ?? {}),
      ];
      const message = Buffer.concat([Buffer.from([0]), uint32(request.length), request]);
      socket.write(
        Buffer.concat([
          OPENING,
          frame(HEADERS, END_HEADERS, 1, encodeHeaders(headers)),
          frame(DATA, END_STREAM, 1, message),
        ]),
      );
      times.sent?.();
    });
    socket.on('error', (err: NodeJS.ErrnoException) =>
      connected ? broken(err.message) : settle(new NoConnectionError(err.message)),
    );
    socket.on('close', () => broken('connection closed'));

    const decoder = new HpackDecoder();
    const blocks: HeaderList[] = [];
    const data: Buffer[] = [];
    let fragments: Buffer[] = [];
    let endsWithHeaders = false;
    const end = () => settle(response(blocks, Buffer.concat(data)));
    const onFrame = (type: number, flags: number, stream: number, payload: Buffer) => {
      if (type === SETTINGS && !(flags & ACK)) socket.write(frame(SETTINGS, ACK, 0, Buffer.alloc(0)));
      else if (type === PING && !(flags & ACK)) socket.write(frame(PING, ACK, 0, payload));
      else if (type === GOAWAY && (payload.readUInt32BE(0) & WINDOW) < 1)
        broken(`connection refused the call (GOAWAY ${payload.readUInt32BE(4)})`);
      else if (stream !== 1) return;
      else if (type === RST_STREAM) broken(`stream reset (${payload.readUInt32BE(0)})`);
      else if (type === DATA) {
        data.push(unpadded(flags, payload));
        if (flags & END_STREAM) end();
      } else if (type === HEADERS || type === CONTINUATION) {
        if (type === HEADERS) {
          const body = unpadded(flags, payload);
          fragments = [flags & PRIORITY ? body.subarray(5) : body];
          endsWithHeaders = (flags & END_STREAM) !== 0;
        } else fragments.push(payload);
        if (!(flags & END_HEADERS)) return;
        blocks.push(decoder.decode(Buffer.concat(fragments)));
        if (endsWithHeaders) end();
      }
    };

    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      try {
        while (pending.length >= 9 && pending.length >= 9 + pending.readUIntBE(0, 3)) {
          const length = pending.readUIntBE(0, 3);
          const payload = pending.subarray(9, 9 + length);
          onFrame(pending[3]!, pending[4]!, pending.readUInt32BE(5) & WINDOW, payload);
          pending = pending.subarray(9 + length);
        }
      } catch (err) {
        settle(err as Error);
      }
    });
  });
}

/** The call's outcome from the response's header blocks (headers, then trailers) and its body. */
function response(blocks: HeaderList[], body: Buffer): Buffer | Error {
  const headers = new Map(blocks.flat());
  if (headers.get(':status') !== '200') return new Error(`HTTP ${headers.get(':status')} from the server`);
  const status = headers.get('grpc-status');
  if (status === undefined) return new Error('no gRPC status');
  if (status !== '0') return new GrpcError(Number(status), percentDecoded(headers.get('grpc-message') ?? ''));
  // gRPC's message framing: a compression flag (0) and a big-endian length before the bytes.
  if (body.length < 5 || body[0] !== 0 || body.readUInt32BE(1) !== body.length - 5)
    return new Error('unexpected gRPC response framing');
  return body.subarray(5);
}

function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

function settings(...pairs: [number, number][]): Buffer {
  return Buffer.concat(pairs.map(([id, value]) => Buffer.concat([Buffer.from([0, id]), uint32(value)])));
}

function uint32(n: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(n);
  return out;
}

function unpadded(flags: number, payload: Buffer): Buffer {
  return flags & PADDED ? payload.subarray(1, payload.length - payload[0]!) : payload;
}

function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
