/**
 * `dura codec-server`: lets the Temporal Web UI show decrypted and decompressed payloads to the access team (its
 * `--ui-codec-endpoint`, or TEMPORAL_CODEC_ENDPOINT in compose). POST /encode and /decode take and return
 * `{payloads: [{metadata: {k: base64}, data: base64}]}`. CORS admits the UI's origin only; with a token
 * set, a request without `Authorization: Bearer <token>` is refused.
 */
import * as http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { PayloadCodecLike, PayloadLike } from '../common/codec';

export interface CodecServerOptions {
  codec: PayloadCodecLike;
  /** The Web UI's origin, e.g. http://127.0.0.1:8233. */
  origin: string;
  token?: string;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const MAX_BODY = 4 * 1024 * 1024; // Temporal's own payload limit is 2 MB per payload.

export function createCodecServer(options: CodecServerOptions): http.Server {
  return http.createServer((req, res) => {
    const reply = (status: number, body?: unknown) => {
      if (req.headers.origin === options.origin) {
        res.setHeader('Access-Control-Allow-Origin', options.origin);
        res.setHeader('Access-Control-Allow-Credentials', 'true');
        res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
        res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
        res.setHeader('Vary', 'Origin');
      }
      if (body === undefined) return res.writeHead(status).end();
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method === 'OPTIONS') return reply(req.headers.origin === options.origin ? 204 : 403);
    const route = req.url?.split('?')[0];
    if (req.method !== 'POST' || (route !== '/encode' && route !== '/decode'))
      return reply(404, { error: 'POST /encode or /decode' });
    if (options.token && !bearerMatches(req.headers.authorization, options.token))
      return reply(401, { error: 'missing or wrong bearer token' });

    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      let payloads: PayloadLike[];
      try {
        payloads = fromJson(JSON.parse(Buffer.concat(chunks).toString()));
      } catch {
        return reply(400, { error: 'expected {"payloads": [{"metadata": {…}, "data": "…"}]}' });
      }
      const work = route === '/encode' ? options.codec.encode(payloads) : options.codec.decode(payloads);
      work.then(
        (result) => reply(200, { payloads: result.map(toJson) }),
        (err: Error) => reply(400, { error: err.message }),
      );
    });
  });
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function fromJson(body: { payloads?: JsonPayload[] }): PayloadLike[] {
  if (!Array.isArray(body?.payloads)) throw new Error('no payloads');
  return body.payloads.map((p) => ({
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
    ),
    data: Buffer.from(p.data ?? '', 'base64'),
  }));
}

function toJson(p: PayloadLike): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? []).toString('base64'),
  };
}
