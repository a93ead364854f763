/**
 * Validation of an agreement request at the boundary (CLI flags, request files, CSV rows): every
 * problem, each a message naming its field. The workflow trusts what passes here.
 */
import { z } from 'zod';
import { TIERS, tiersAsked, type AgreementRequest } from './agreement';
import { domainField, emailField } from './address-fields';
import { newYorkDate, readWhen, type DigitsOrder } from './when';

/** `required` for a field left out (or null), else `wrong`: a request file may hold any JSON. */
const expected = (wrong: string) => ({
  error: (issue: { input?: unknown }) => (issue.input == null ? 'required' : wrong),
});

const line = (max: number) =>
  z
    .string(expected('expected text'))
    // Invisible characters a paste brings along (a trial's "Ola\u200B Nordmann" reached the mail): the zero-
    // width space, the word joiner and a stray BOM. Not the zero-width (non-)joiners some scripts need.
    .overwrite((v) => v.replace(/[\u200B\u2060\uFEFF]/g, ''))
    .trim()
    .min(1, 'required')
    .max(max, `longer than ${max} characters`)
    .refine((v) => !/[\r\n]/.test(v), 'must be one line');
const email = emailField();
const domain = domainField();

const object = expected('expected an object');

export const requestSchema = z.object({
  institution: z.object({ name: line(200), domain }, object),
  requester: z.object({ name: line(200), email }, object),
  signingOfficial: z.object({ name: line(200), email, title: line(200).optional() }, object),
  tiers: z
    .array(
      // In any case, as everywhere a person types a tier (`Registered`).
      z
        .string({ error: 'expected registered or controlled' })
        .transform((tier) => tier.trim().toLowerCase())
        .pipe(z.enum(TIERS, { error: 'expected registered or controlled' })),
      expected('expected a list such as ["registered", "controlled"]'),
    )
    .min(1, 'at least one of registered and controlled')
    // The Controlled Tier includes the Registered Tier (tiersAsked): an agreement for it lists both,
    // and an amendment then adds only what is not listed (workflows/triage.ts).
    .transform((tiers) => tiersAsked(tiers)),
  receivedAt: receivedAtField(),
});

/**
 * common/when.ts: a New York date (from its start), an instant, or New York time; stored ISO UTC. With
 * `digits`, a date in digits (11/3/2026, as Excel exports dates) read in that order (`dura import --dates`).
 */
function receivedAtField(digits?: DigitsOrder) {
  return z.string({ error: 'required' }).transform((v, ctx) => {
    // Given, but empty: left out, a request is received when it is entered.
    if (v.trim() === '') {
      ctx.addIssue({
        code: 'custom',
        message: 'empty (leave it out for now, or give the date it came in)',
        input: v,
      });
      return z.NEVER;
    }
    const read = readWhen(v, { expect: 'past', digits });
    if ('at' in read) return read.at.toISOString();
    ctx.addIssue({ code: 'custom', message: read.problem, input: v });
    return z.NEVER;
  });
}

const schemaFor = {
  undefined: requestSchema,
  'month-first': requestSchema.extend({ receivedAt: receivedAtField('month-first') }),
  'day-first': requestSchema.extend({ receivedAt: receivedAtField('day-first') }),
} as const;

export class RequestError extends Error {}

/** A problem with one field, named by its path in the request (e.g. `requester.email`). */
export interface RequestIssue {
  path: string;
  message: string;
}

/**
 * A receipt typed for later than `now` (a minute's slack for clocks), named as typed, with New York's
 * date today: it is reported beside the request's other problems, not after them.
 */
function futureReceipt(input: unknown, now: Date, digits?: DigitsOrder): RequestIssue | null {
  const typed = (input as { receivedAt?: unknown } | null)?.receivedAt;
  if (typeof typed !== 'string') return null;
  const read = readWhen(typed, { digits });
  if (!('at' in read) || read.at.getTime() <= now.getTime() + 60_000) return null;
  return {
    path: 'receivedAt',
    message: `${typed.trim()} is in the future (today is ${newYorkDate(now)} in New York)`,
  };
}

/** The request, or every problem with it (the first per field); `now` rejects a future receipt; `digits` as receivedAtField. */
export function checkRequest(
  input: unknown,
  now = new Date(),
  digits?: DigitsOrder,
): { request: AgreementRequest } | { issues: RequestIssue[] } {
  const result = schemaFor[digits ?? 'undefined'].safeParse(input);
  const future = futureReceipt(input, now, digits);
  if (!result.success) {
    const seen = new Set<string>(future ? ['receivedAt'] : []);
    const issues: RequestIssue[] = future ? [future] : [];
    for (const issue of result.error.issues) {
      // At the root, the only problem is that it is not an object at all.
      const path = issue.path.join('.') || 'request';
      const message = issue.path.length ? issue.message : 'expected a JSON object';
      if (!seen.has(path)) issues.push({ path, message });
      seen.add(path);
    }
    return { issues };
  }
  if (future) return { issues: [future] };
  const { title, ...official } = result.data.signingOfficial;
  return { request: { ...result.data, signingOfficial: title ? { ...official, title } : official } };
}

/** Validates a request; throws RequestError naming the first bad field. */
export function parseRequest(input: unknown, now = new Date()): AgreementRequest {
  const checked = checkRequest(input, now);
  if ('request' in checked) return checked.request;
  const [first] = checked.issues;
  throw new RequestError(`${first!.path}: ${first!.message}`);
}
