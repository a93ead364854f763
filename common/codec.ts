/**
 * Encryption of every payload dura writes to Temporal (workflow inputs, results, queries, updates,
 * signals): names and e-mail addresses stay unreadable to anyone who can read workflow history but holds
 * no key. AES-256-GCM with a fresh 96-bit IV per payload; the key id travels in the payload's metadata so
 * that keys can rotate (old keys keep decrypting what they wrote). Only node:crypto is loaded, so the
 * CLI's lean status path can decrypt too.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CompressionCodec } from './compression';
import type { Config } from './config';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The shape of a Temporal payload (temporal.api.common.v1.Payload) without loading its protobuf. */
export interface PayloadLike {
  metadata?: Record<string, Uint8Array> | null;
  data?: Uint8Array | null;
}

export interface EncryptionKeys {
  /** New payloads are encrypted with this key. */
  current: { id: string; key: Buffer };
  /** Earlier keys: they only decrypt. */
  old: Array<{ id: string; key: Buffer }>;
}

export class DecryptionError extends Error {
  override name = 'DecryptionError';
}

/** A Temporal PayloadCodec (structurally: encode/decode of payload lists). */
export class EncryptionCodec {
  private readonly byId: Map<string, Buffer>;

  constructor(private readonly keys: EncryptionKeys) {
    this.byId = new Map([...keys.old, keys.current].map((k) => [k.id, k.key]));
  }

  async encode(payloads: PayloadLike[]): Promise<PayloadLike[]> {
    return payloads.map((p) => this.encrypt(p));
  }

  async decode(payloads: PayloadLike[]): Promise<PayloadLike[]> {
    return payloads.map((p) => this.decrypt(p));
  }

  encrypt(payload: PayloadLike): PayloadLike {
    const { id, key } = this.keys.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    // The key id is authenticated too: a payload moved under another id fails to decrypt.
    cipher.setAAD(Buffer.from(id));
    const body = Buffer.concat([cipher.update(serialize(payload)), cipher.final()]);
    return {
      metadata: {
        encoding: Buffer.from(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: Buffer.from(id),
      },
      data: Buffer.concat([iv, body, cipher.getAuthTag()]),
    };
  }

  decrypt(payload: PayloadLike): PayloadLike {
    const encoding = payload.metadata?.encoding;
    if (!encoding || Buffer.from(encoding).toString() !== ENCRYPTED_ENCODING) return payload;
    const idBytes = payload.metadata?.[KEY_ID_METADATA];
    const id = idBytes ? Buffer.from(idBytes).toString() : '';
    const key = this.byId.get(id);
    if (!key)
      throw new DecryptionError(
        `cannot decrypt: the payload was encrypted with key "${id}", which is neither DURA_ENCRYPTION_KEY_ID nor in DURA_ENCRYPTION_OLD_KEYS`,
      );
    const data = Buffer.from(payload.data ?? []);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(id));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return deserialize(plain);
    } catch {
      throw new DecryptionError(
        `cannot decrypt a payload encrypted with key "${id}": the key given under that id is not the one it was written with`,
      );
    }
  }
}

// The plaintext inside the envelope: the original payload as JSON with base64 bytes.
function serialize(payload: PayloadLike): Buffer {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(payload.metadata ?? {}))
    metadata[k] = Buffer.from(v).toString('base64');
  return Buffer.from(JSON.stringify({ m: metadata, d: Buffer.from(payload.data ?? []).toString('base64') }));
}

function deserialize(plain: Buffer): PayloadLike {
  const { m, d } = JSON.parse(plain.toString()) as { m: Record<string, string>; d: string };
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(m)) metadata[k] = Buffer.from(v, 'base64');
  return { metadata, data: Buffer.from(d, 'base64') };
}

type KeyVariables = Pick<
  Config,
  'DURA_ENCRYPTION_KEY' | 'DURA_ENCRYPTION_KEY_ID' | 'DURA_ENCRYPTION_OLD_KEYS'
>;

/** The codec the configuration asks for (validated by loadConfig), or none when encryption is off. */
export function encryptionCodec(config: KeyVariables): EncryptionCodec | undefined {
  if (!config.DURA_ENCRYPTION_KEY || !config.DURA_ENCRYPTION_KEY_ID) return undefined;
  return new EncryptionCodec({
    current: { id: config.DURA_ENCRYPTION_KEY_ID, key: parseKey(config.DURA_ENCRYPTION_KEY) },
    old: parseKeyList(config.DURA_ENCRYPTION_OLD_KEYS ?? ''),
  });
}

/**
 * Which key id a process with `config` encrypts with (null: none) and which it can read: what a worker
 * records for the clients (activities/records/engine-settings.ts), and what a client is checked by.
 */
export function payloadEncryptionFor(config: KeyVariables): { writes: string | null; reads: string[] } {
  if (!config.DURA_ENCRYPTION_KEY || !config.DURA_ENCRYPTION_KEY_ID) return { writes: null, reads: [] };
  const old = parseKeyList(config.DURA_ENCRYPTION_OLD_KEYS ?? '').map((k) => k.id);
  return { writes: config.DURA_ENCRYPTION_KEY_ID, reads: [config.DURA_ENCRYPTION_KEY_ID, ...old] };
}

/** A Temporal PayloadCodec, structurally (encryption, compression, or both in turn). */
export interface PayloadCodecLike {
  encode(payloads: PayloadLike[]): Promise<PayloadLike[]>;
  decode(payloads: PayloadLike[]): Promise<PayloadLike[]>;
}

type CodecVariables = KeyVariables & Partial<Pick<Config, 'DURA_PAYLOAD_COMPRESSION'>>;

/**
 * The codecs a client or worker writes and reads payloads with, in the SDK's order (encode first to
 * last, decode last to first): compression (common/compression.ts; always there to read what was
 * compressed, compressing only when DURA_PAYLOAD_COMPRESSION is on), then encryption when a key is set.
 */
export function payloadCodecsFor(config: CodecVariables): PayloadCodecLike[] {
  const encryption = encryptionCodec(config);
  return [
    new CompressionCodec(config.DURA_PAYLOAD_COMPRESSION === 'on'),
    ...(encryption ? [encryption] : []),
  ];
}

/** The data converter option for a client or worker (payloadCodecsFor). */
export function dataConverterFor(config: CodecVariables): { payloadCodecs: PayloadCodecLike[] } {
  return { payloadCodecs: payloadCodecsFor(config) };
}

/** The codecs as one (the codec server's): encode through each in turn, decode back the other way. */
export function chainedCodec(codecs: PayloadCodecLike[]): PayloadCodecLike {
  return {
    encode: async (payloads) => {
      for (const codec of codecs) payloads = await codec.encode(payloads);
      return payloads;
    },
    decode: async (payloads) => {
      for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
      return payloads;
    },
  };
}

/** Parses `id:base64key,id:base64key` (DURA_ENCRYPTION_OLD_KEYS); throws naming what is wrong. */
export function parseKeyList(value: string): Array<{ id: string; key: Buffer }> {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const colon = entry.indexOf(':');
      if (colon < 1) throw new Error(`expected id:base64key, got "${entry.slice(0, 12)}…"`);
      const id = entry.slice(0, colon);
      return { id, key: parseKey(entry.slice(colon + 1), `key "${id}"`) };
    });
}

/** A base64 AES-256 key: exactly 32 bytes. */
export function parseKey(base64: string, what = 'key'): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || key.length !== 32)
    throw new Error(`${what}: expected 32 bytes in base64 (e.g. from \`openssl rand -base64 32\`)`);
  return key;
}
