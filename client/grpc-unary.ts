/**
 * One unary gRPC call over node:http2, on a fresh connection closed once answered: what the lean
 * `dura status` path needs instead of a gRPC library (@grpc/grpc-js costs a cold `dura status` ~35 ms
 * more to load). gRPC over HTTP/2: a POST of the message behind a 5-byte prefix (compression flag,
 * big-endian length), the answer likewise, its status in the `grpc-status`/`grpc-message` trailers (or
 * in the headers of a trailers-only answer). node:http2 does the framing, HPACK and flow control.
 */
import * as http2 from 'node:http2';

export interface GrpcTarget {
  /** host:port, or [IPv6]:port */
  address: string;
  /** TLS (PEM contents; no `ca`: Node's own roots); absent: plaintext HTTP/2. */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; serverName?: string };
  /** Extra request headers, e.g. `authorization: Bearer …`. */
  metadata?: Record<string, string>;
}

export interface CallOptions {
  /** Milliseconds to wait for the connection: TCP, TLS when set, and the server's HTTP/2 SETTINGS. */
  connectMs: number;
  /** Milliseconds for the call once connected, also sent to the server as `grpc-timeout`. */
  deadlineMs: number;
  /** Runs once the request is on its way: work done here overlaps the server's. */
  sent?: () => void;
}

/** The server answered with a gRPC status other than OK (`code`: gRPC's numbering). */
export class GrpcError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`${code} ${STATUS_NAMES[code] ?? 'UNKNOWN'}: ${details}`);
  }
}

/**
 * The server could not be reached at all: refused, unknown host, TLS refused either way, closed before
 * it spoke HTTP/2, or no connection in time.
 */
export class NoConnectionError extends Error {}

export const DEADLINE_EXCEEDED = 4;
export const NOT_FOUND = 5;
const STATUS_NAMES: Record<number, string> = { 4: 'DEADLINE_EXCEEDED', 5: 'NOT_FOUND' };
// The whole answer is read at once: the largest windows, so the server never waits for an update.
const WINDOW = 2 ** 31 - 1;

type Headers = http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader;

/**
 * Calls `method` (`/package.Service/Method`) with the request message's bytes; resolves to the response
 * message's bytes. Rejects with NoConnectionError before a connection, GrpcError for a gRPC status
 * (DEADLINE_EXCEEDED also when the deadline passes first), or an Error for anything else (HTTP status,
 * framing, a reset stream).
 */
export function unary(target: GrpcTarget, method: string, request: Uint8Array, times: CallOptions) {
  return new Promise<Buffer>((resolve, reject) => {
    const { tls } = target;
    const session = http2.connect(`${tls ? 'https' : 'http'}://${target.address}`, {
      settings: { enablePush: false, initialWindowSize: WINDOW },
      ...(tls && { ca: tls.ca, cert: tls.cert, key: tls.key, servername: tls.serverName }),
    });
    // Connected once the server speaks HTTP/2 (its SETTINGS): with TLS 1.3 a refused client
    // certificate is only known after the handshake, and is no connection either.
    let connected = false;
    let done = false;
    let deadlineAt = Infinity;
    const deadline = () => new GrpcError(DEADLINE_EXCEEDED, 'Deadline exceeded');
    const connecting = setTimeout(
      () => settle(new NoConnectionError('Failed to connect before the deadline')),
      times.connectMs,
    );
    let call: NodeJS.Timeout | undefined;
    const settle = (outcome: Error | Buffer) => {
      if (done) return;
      done = true;
      clearTimeout(connecting);
      clearTimeout(call);
      if (outcome instanceof Error) session.destroy();
      else session.close();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    // No status from the server: at the deadline it may just reset the stream or the connection.
    const lost = (why: string) =>
      settle(
        !connected ? new NoConnectionError(why) : Date.now() >= deadlineAt ? deadline() : new Error(why),
      );

    session.on('error', (err) => lost(err.message));
    session.on('close', () => lost('connection closed'));
    session.once('remoteSettings', () => {
      connected = true;
      clearTimeout(connecting);
    });
    // The request goes as soon as the socket is up, without waiting for the server's SETTINGS.
    session.once('connect', () => {
      deadlineAt = Date.now() + times.deadlineMs;
      call = setTimeout(() => settle(deadline()), times.deadlineMs);
      session.setLocalWindowSize(WINDOW);
      const stream = session.request({
        ':method': 'POST',
        ':path': method,
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-timeout': `${times.deadlineMs}m`,
        ...target.metadata,
      });
      const head = Buffer.alloc(5);
      head.writeUInt32BE(request.length, 1);
      stream.end(Buffer.concat([head, request]));
      times.sent?.();

      let headers: Headers = {};
      const body: Buffer[] = [];
      stream.on('response', (h) => (headers = h));
      stream.on('data', (chunk: Buffer) => body.push(chunk));
      stream.on('trailers', (trailers) => (headers = { ...headers, ...trailers }));
      // Ended without an answer: the connection went (a refused client certificate ends it so).
      stream.on('end', () =>
        headers[':status'] === undefined
          ? lost('connection closed')
          : settle(response(headers, Buffer.concat(body))),
      );
      stream.on('error', (err) => lost(err.message));
      stream.on('close', () => lost(`stream reset (${stream.rstCode})`));
    });
  });
}

/** The call's outcome from the response's headers and trailers together, and its body. */
function response(headers: Headers, body: Buffer): Buffer | Error {
  if (headers[':status'] !== 200) return new Error(`HTTP ${headers[':status']} from the server`);
  const status = headers['grpc-status'];
  if (status === undefined) return new Error('no gRPC status');
  if (status !== '0')
    return new GrpcError(Number(status), percentDecoded(String(headers['grpc-message'] ?? '')));
  // gRPC's message framing: a compression flag (0) and a big-endian length before the bytes.
  if (body.length < 5 || body[0] !== 0 || body.readUInt32BE(1) !== body.length - 5)
    return new Error('unexpected gRPC response framing');
  return body.subarray(5);
}

function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
