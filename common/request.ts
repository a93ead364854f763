/**
 * Validation of an agreement request at the boundary (CLI flags, request files, CSV rows): one clear
 * message naming the field. The workflow trusts what passes here.
 */
import { z } from 'zod';
import { normalizeDomain, TIERS, type AgreementRequest } from './agreement';

const line = (max: number) =>
  z
    .string({ error: 'required' })
    .trim()
    .min(1, 'required')
    .max(max, `longer than ${max} characters`)
    .refine((v) => !/[\r\n]/.test(v), 'must be one line');
const email = z.string({ error: 'required' }).trim().toLowerCase().pipe(z.email('not an e-mail address'));
const domain = z
  .string({ error: 'required' })
  .transform(normalizeDomain)
  .pipe(z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'expected an e-mail domain such as uw.edu'));

export const requestSchema = z.object({
  institution: z.object({ name: line(200), domain }),
  requester: z.object({ name: line(200), email }),
  signingOfficial: z.object({ name: line(200), email, title: line(200).optional() }),
  tiers: z
    .array(z.enum(TIERS, { error: 'expected registered or controlled' }))
    .min(1, 'at least one tier')
    .transform((tiers) => TIERS.filter((t) => tiers.includes(t))),
  receivedAt: z
    .string({ error: 'required' })
    .pipe(z.iso.datetime({ offset: true, error: 'expected an ISO-8601 instant, e.g. 2026-11-20T14:00:00Z' }))
    .transform((v) => new Date(v).toISOString()),
});

export class RequestError extends Error {}

/** Validates a request; `now` rejects one received in the future. Throws RequestError naming the field. */
export function parseRequest(input: unknown, now = new Date()): AgreementRequest {
  const result = requestSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new RequestError(`${issue.path.join('.') || 'request'}: ${issue.message}`);
  }
  if (Date.parse(result.data.receivedAt) > now.getTime() + 60_000)
    throw new RequestError(`receivedAt: ${result.data.receivedAt} is in the future`);
  const { title, ...official } = result.data.signingOfficial;
  return { ...result.data, signingOfficial: title ? { ...official, title } : official };
}
