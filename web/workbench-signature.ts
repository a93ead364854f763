/**
 * The Researcher Workbench's signature on what it posts to `POST /api/registration` (issue 18), in the
 * manner of Stripe's and Slack's web hooks: HMAC-SHA256 (node:crypto) with the secret both sides share
 * (`DURA_WORKBENCH_SECRET`) over `<timestamp>.<raw body>`, sent as
 *
 *   X-Dura-Timestamp: <unix seconds>
 *   X-Dura-Signature: sha256=<lower-case hex>
 *
 * The timestamp is inside what is signed, so a captured post cannot be sent again with a new one; a
 * timestamp more than `TOLERANCE_SECONDS` from the server's clock (either way) is refused. A post
 * replayed within that window records nothing new: recording a step already recorded is a no-op.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-dura-timestamp';
export const SIGNATURE_HEADER = 'x-dura-signature';
/** Five minutes, either way. */
export const TOLERANCE_SECONDS = 300;

/** `sha256=<hex>` for `body` (the exact bytes sent) at `timestamp` (unix seconds). */
export function signWorkbenchBody(secret: string, timestamp: number | string, body: string | Buffer): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`);
  mac.update(body);
  return `sha256=${mac.digest('hex')}`;
}

/** Why a post is refused (each is 401, and nothing is recorded). */
export type SignatureProblem = 'no-timestamp' | 'stale-timestamp' | 'no-signature' | 'bad-signature';

export const SIGNATURE_PROBLEM_WORDS: Record<SignatureProblem, string> = {
  'no-timestamp': `${TIMESTAMP_HEADER}: required (unix seconds)`,
  'stale-timestamp': `${TIMESTAMP_HEADER}: more than ${TOLERANCE_SECONDS / 60} minutes from the server's clock`,
  'no-signature': `${SIGNATURE_HEADER}: required (sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">)`,
  'bad-signature': `${SIGNATURE_HEADER}: does not match the body and timestamp`,
};

/**
 * Whether the headers sign `body` with `secret` at a time within the tolerance of `now`. The signature
 * is compared in constant time (timingSafeEqual), after its length: a hex SHA-256 is 64 characters.
 */
export function verifyWorkbenchSignature(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string | Buffer,
  now: Date,
): { ok: true } | { ok: false; problem: SignatureProblem } {
  const one = (name: string) => {
    const value = headers[name];
    return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
  };
  const timestamp = one(TIMESTAMP_HEADER);
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, problem: 'no-timestamp' };
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS)
    return { ok: false, problem: 'stale-timestamp' };
  const signature = one(SIGNATURE_HEADER);
  if (!signature) return { ok: false, problem: 'no-signature' };
  const expected = Buffer.from(signWorkbenchBody(secret, timestamp, body));
  const given = Buffer.from(signature.toLowerCase());
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, problem: 'bad-signature' };
  return { ok: true };
}
