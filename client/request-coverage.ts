/**
 * Which address the coverage rules are asked about for a request: the requester's own when it is at the
 * institution's domains, else the same name at the institution (design.md "Coverage": a gmail.com address
 * has no agreement of its own). Triage (client/agreements.ts) and the checks before a request joins an
 * agreement in process (import, `dura request`, the web form) ask alike.
 */
import { checkCoverage } from '../activities/records/coverage';
import type { RecordsStore } from '../activities/records/store';
import { atDomain, normalizeDomain, type Tier } from '../common/agreement';
import { parseEmail, type Coverage, type CoverageInstitution } from '../common/coverage';

/**
 * The address the coverage rules are asked about for `email` requesting for the institution at `domain`
 * (`profile`: the list's entry, or null): `email` itself when it is at the institution's domains, else the
 * same name at the institution (RequestTriage.askedAs; a gmail.com address has no agreement of its own).
 */
export function askedAsOf(
  email: string,
  domain: string,
  profile: CoverageInstitution | null | undefined,
): string {
  const address = email.trim().toLowerCase();
  const domains = profile?.domains ?? [normalizeDomain(domain)];
  if (atDomain(address, domains)) return address;
  // A domain field still unreadable (a form with problems): her own address, as before.
  const at = `${address.split('@')[0]}@${profile?.id ?? normalizeDomain(domain)}`;
  return parseEmail(at) ? at : address;
}

/**
 * The coverage a request meets where it would join (its tiers against the agreement in process): asked
 * as `askedAsOf`, with the requester's own address for whether she is on that agreement already. A
 * requester outside the institution's domains was asked about under her own domain (a trial's
 * max@gmail.com passed every check, then the agreement refused the tier: half a file imported).
 */
export async function requestCoverage(
  store: RecordsStore,
  request: { requester: { email: string }; institution: { domain: string }; tiers: readonly Tier[] },
): Promise<Coverage> {
  const profile = await store.institutionByDomain(request.institution.domain);
  const askedAs = askedAsOf(request.requester.email, request.institution.domain, profile);
  return checkCoverage(store, askedAs, request.tiers, request.requester.email);
}
