/**
 * Compression of the payloads dura writes to Temporal (DURA_PAYLOAD_COMPRESSION=on; issue 12, history
 * weight): each JSON payload deflated by node:zlib with a preset dictionary of dura's own JSON
 * (common/payload-dictionary.ts), so that the keys and events every status and message repeats cost a
 * few bits. An agreement's stored history shrinks by about half (`npm run bench:history-floor`).
 *
 * Decoding is always on, whatever the setting: a payload written compressed stays readable after the
 * setting is turned off. Only `json/plain` payloads are compressed, and only when it makes them smaller;
 * the encoding names what was done (`binary/zlib-d1`: json/plain, deflate-raw, dictionary 1).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { PayloadLike } from './codec';
import { PAYLOAD_DICTIONARY_1 } from './payload-dictionary';

export const COMPRESSED_ENCODING = 'binary/zlib-d1';
const JSON_PLAIN = 'json/plain';
/** Below this, deflate's few bytes of overhead eat what it saves. */
const SMALLEST = 48;

let dictionary: Buffer | undefined;
const dictionaryOne = () => (dictionary ??= Buffer.from(PAYLOAD_DICTIONARY_1, 'utf8'));

export class DecompressionError extends Error {
  override name = 'DecompressionError';
}

/** A Temporal PayloadCodec (structurally): `compress` false decodes only. */
export class CompressionCodec {
  constructor(readonly compress: boolean) {}

  async encode(payloads: PayloadLike[]): Promise<PayloadLike[]> {
    return this.compress ? payloads.map(compressed) : payloads;
  }

  async decode(payloads: PayloadLike[]): Promise<PayloadLike[]> {
    return payloads.map(decompressed);
  }
}

/** The payload deflated, when it is json/plain alone and that makes it smaller; else itself. */
export function compressed(payload: PayloadLike): PayloadLike {
  const keys = Object.keys(payload.metadata ?? {});
  const data = payload.data;
  if (keys.length !== 1 || textOf(payload.metadata?.encoding) !== JSON_PLAIN) return payload;
  if (!data || data.length < SMALLEST) return payload;
  const deflated = deflateRawSync(data, { dictionary: dictionaryOne() });
  if (deflated.length >= data.length) return payload;
  return { metadata: { encoding: Buffer.from(COMPRESSED_ENCODING) }, data: deflated };
}

/** The json/plain payload a compressed one was made from; any other payload is itself. */
export function decompressed(payload: PayloadLike): PayloadLike {
  if (textOf(payload.metadata?.encoding) !== COMPRESSED_ENCODING) return payload;
  try {
    const data = inflateRawSync(payload.data ?? new Uint8Array(), { dictionary: dictionaryOne() });
    return { metadata: { encoding: Buffer.from(JSON_PLAIN) }, data };
  } catch (err) {
    throw new DecompressionError(
      `cannot decompress a ${COMPRESSED_ENCODING} payload: ${(err as Error).message}`,
    );
  }
}

function textOf(bytes: Uint8Array | undefined): string | undefined {
  return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString() : undefined;
}
