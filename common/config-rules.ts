/**
 * The plain rules behind common/config.ts, without zod: config.ts wraps them in its schema (with the
 * messages), and the CLI's lean status path (client/lean-config.ts) checks the same rules without
 * loading zod. One place per rule, so the two can never disagree.
 */
import { isIP } from 'node:net';

/** A problem with a host:port, or undefined. */
export function hostPortProblem(v: string): string | undefined {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(v);
  if (!match) return 'expected host:port, e.g. 127.0.0.1:7233';
  if (Number(match[2]) < 1 || Number(match[2]) > 65535) return 'port must be 1-65535';
  return undefined;
}

export const isNamespace = (v: string) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(v);
export const isTaskQueue = (v: string) => /^[A-Za-z0-9._-]{1,200}$/.test(v);
export const isDatabaseUrl = (v: string) =>
  /^postgres(ql)?:\/\/\S+$/.test(v) || /^(sqlite|file):\S+$/.test(v);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Text or a number, a whole number within [min, max]. */
export function wholeNumberIn(v: string, min: number, max: number): number | undefined {
  const n = /^\d{1,9}$/.test(v.trim()) ? Number(v) : NaN;
  return n >= min && n <= max ? n : undefined;
}

/** An IP (not a host name: Core binds it as is) and a port. */
export function isListenAddress(v: string): boolean {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([\d.]+)):(\d{1,5})$/.exec(v);
  if (!m) return false;
  const port = Number(m[3]);
  return (m[1] ? isIP(m[1]) === 6 : isIP(m[2]!) === 4) && port >= 1 && port <= 65535;
}

/** An AES-256 key in base64: exactly 32 bytes. */
export function isEncryptionKey(v: string): boolean {
  return /^[A-Za-z0-9+/]{43}=$/.test(v) && Buffer.from(v, 'base64').length === 32;
}

export const isKeyId = (v: string) => /^[A-Za-z0-9._-]{1,64}$/.test(v);

/** `id:key[,id:key…]`. */
export function isKeyList(v: string): boolean {
  return v.split(',').every((entry) => {
    const colon = entry.trim().indexOf(':');
    return (
      colon > 0 && isKeyId(entry.trim().slice(0, colon)) && isEncryptionKey(entry.trim().slice(colon + 1))
    );
  });
}

/** The public base of the web pages (links in mail): http(s), a host, no query or fragment. */
export function isWebUrl(v: string): boolean {
  try {
    const url = new URL(v);
    return ['http:', 'https:'].includes(url.protocol) && url.hostname !== '' && !url.search && !url.hash;
  } catch {
    return false;
  }
}

/** The status-link key (DURA_LINK_KEY): at least 32 bytes in base64. */
export function isLinkKey(v: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(v) && v.length % 4 === 0 && Buffer.from(v, 'base64').length >= 32;
}

/** `smtp://user:pass@host` → `smtp://user:***@host`, also when the URL is malformed (no URL parser). */
export function maskPassword(url: string): string {
  const at = url.lastIndexOf('@');
  if (at < 0) return url;
  const slashes = url.indexOf('//');
  const userStart = slashes >= 0 && slashes < at ? slashes + 2 : 0;
  const colon = url.indexOf(':', userStart);
  return colon >= 0 && colon < at ? `${url.slice(0, colon + 1)}***${url.slice(at)}` : url;
}
