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

/** A problem with one field, named by its path in the request (e.g. `requester.email`). */
export interface RequestIssue {
  path: string;
  message: string;
}

/** The request, or every problem with it (the first per field); `now` rejects a future receipt. */
export function checkRequest(
  input: unknown,
  now = new Date(),
): { request: AgreementRequest } | { issues: RequestIssue[] } {
  const result = requestSchema.safeParse(input);
  if (!result.success) {
    const seen = new Set<string>();
    const issues: RequestIssue[] = [];
    for (const issue of result.error.issues) {
      const path = issue.path.join('.') || 'request';
      if (!seen.has(path)) issues.push({ path, message: issue.message });
      seen.add(path);
    }
    return { issues };
  }
  if (Date.parse(result.data.receivedAt) > now.getTime() + 60_000)
    return { issues: [{ path: 'receivedAt', message: `${result.data.receivedAt} is in the future` }] };
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
