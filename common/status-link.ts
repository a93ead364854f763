/**
 * Status links: the personal address in every e-mail to a requester that opens their agreement's page on
 * the web (issue 16). A link is `<DURA_WEB_URL>/status/<token>`, the token a JWT signed with HS256 (jose)
 * whose claims are `sub` (the requester's e-mail address, lower case), `agr` (the agreement id, e.g.
 * `uw.edu-1`), `iat` and `exp` (seconds since the epoch; exp = iat + DURA_LINK_DAYS days). Nothing is
 * stored per link: the signature proves dura made it, and revocation (activities/records/status-links.ts)
 * withdraws every link of one requester and agreement issued up to a moment.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Config } from './config';

/** The key file's name inside DURA_DATA_DIR, when DURA_LINK_KEY is unset. */
export const STATUS_LINK_KEY_FILE = 'status-link.key';

const KEY_BYTES = 32;
const DAY_SECONDS = 24 * 60 * 60;
// A real token is ~200 characters; anything far longer is not ours and is not worth parsing.
const MAX_TOKEN_LENGTH = 2048;

export interface StatusLinkClaim {
  /** The agreement id, as the status object's `agreementId` (e.g. `uw.edu-1`). */
  agreementId: string;
  /** The requester's e-mail address (any case; the token holds it in lower case). */
  email: string;
}

export type StatusLinkCheck =
  | { ok: true; agreementId: string; email: string; issuedAt: Date; expiresAt: Date }
  | { ok: false; problem: 'expired' | 'invalid' };

/** No key file where one was to be read (`create: false`): a link signed with a new key would not work. */
export class NoLinkKey extends Error {
  constructor(readonly file: string) {
    super(`${file}: no such file`);
  }
}

/**
 * The HMAC key (raw bytes, ≥ 32). DURA_LINK_KEY (base64, checked by loadConfig) when set; otherwise the
 * file DURA_DATA_DIR/status-link.key (32 random bytes in base64, mode 0600), created on first use. The
 * file appears whole or not at all (written aside, then hard-linked into place), so processes starting
 * together (the worker and `dura web`) end up with the same key. Throws on I/O errors and on a key file
 * that does not hold a key (naming the file, never its content). `create: false` (a CLI printing a link
 * by hand) throws NoLinkKey instead of making one: the engine's key is elsewhere, and a new one's links
 * would not work.
 */
export function statusLinkKey(
  config: Pick<Config, 'DURA_LINK_KEY' | 'DURA_DATA_DIR'>,
  { create = true } = {},
): Uint8Array {
  if (config.DURA_LINK_KEY) return decodeKey(config.DURA_LINK_KEY, 'DURA_LINK_KEY');
  const file = path.resolve(config.DURA_DATA_DIR, STATUS_LINK_KEY_FILE);
  try {
    return decodeKey(readFileSync(file, 'utf8'), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (!create) throw new NoLinkKey(file);
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const aside = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(aside, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(aside, file);
  } catch (err) {
    // Another process made it first: its key is the key.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(aside);
  }
  return decodeKey(readFileSync(file, 'utf8'), file);
}

function decodeKey(text: string, source: string): Uint8Array {
  const value = text.trim();
  const bytes = Buffer.from(value, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || bytes.length < KEY_BYTES)
    throw new Error(`${source}: expected at least ${KEY_BYTES} bytes in base64`);
  return new Uint8Array(bytes);
}

/**
 * A signed token for `claim`, valid for `options.days` whole days (1–3650) from `options.now` (default:
 * the clock). Throws RangeError on a bad `days` or a key shorter than 32 bytes.
 */
export async function signStatusLink(
  claim: StatusLinkClaim,
  key: Uint8Array,
  options: { days: number; now?: Date },
): Promise<string> {
  if (!Number.isInteger(options.days) || options.days < 1 || options.days > 3650)
    throw new RangeError(`status link days: expected a whole number from 1 to 3650, got ${options.days}`);
  if (key.length < KEY_BYTES) throw new RangeError(`status link key: expected at least ${KEY_BYTES} bytes`);
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ agr: claim.agreementId })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claim.email.trim().toLowerCase())
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + options.days * DAY_SECONDS)
    .sign(key);
}

/** When a link signed with the same `options` stops working (its `exp`: whole seconds). */
export function statusLinkExpiresAt(options: { days: number; now?: Date }): Date {
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new Date((issuedAt + options.days * DAY_SECONDS) * 1000);
}

/** The page's address: `<baseUrl>/status/<token>` (a trailing slash on baseUrl is dropped). */
export function statusLinkUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/status/${token}`;
}

/**
 * Checks a token against `key` at `now` (default: the clock). `expired`: signed with this key but past
 * its `exp` (a tampered expired token is `invalid`: the signature is checked first). `invalid`: garbled,
 * another key or algorithm, altered, or missing a claim. Revocation is the caller's next step.
 */
export async function verifyStatusLink(token: string, key: Uint8Array, now?: Date): Promise<StatusLinkCheck> {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, problem: 'invalid' };
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      requiredClaims: ['sub', 'agr', 'iat', 'exp'],
      ...(now ? { currentDate: now } : {}),
    });
    const { sub, agr, iat, exp } = payload;
    if (typeof sub !== 'string' || typeof agr !== 'string' || sub === '' || agr === '')
      return { ok: false, problem: 'invalid' };
    return {
      ok: true,
      agreementId: agr,
      email: sub,
      issuedAt: new Date(iat! * 1000),
      expiresAt: new Date(exp! * 1000),
    };
  } catch (err) {
    if (err instanceof errors.JWTExpired) return { ok: false, problem: 'expired' };
    if (err instanceof errors.JOSEError) return { ok: false, problem: 'invalid' };
    throw err;
  }
}
