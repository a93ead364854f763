/**
 * What the agreement workflow's triage reads from the records (activity `triageRequest`, since patch
 * `agreement-ids`): the institution as the registry has it, the agreements it had before and this
 * agreement's own id.
 */
import type { Kysely } from 'kysely';
import {
  numberedAgreementId,
  sequenceOf,
  normalizeDomain,
  type EarlierAgreement,
  type Stage,
  type Tier,
} from '../../common/agreement';
import type { TriageInput, TriageResult } from '../interfaces';
import { likelyParent, readInstitution, type InstitutionProfile } from './registry';
import type { Database } from './schema';

/**
 * Triage's look-up. The agreement's key is the requester's address for an individual agreement, else the
 * institution's id (its primary domain), or the request's domain when it is not listed; its id is
 * `<key>-<n>`, n one more than any agreement of the key so far (an agreement from before agreement ids,
 * `dura-<domain>`, counts too). Only one agreement per key is in process at a time (its workflow id) and
 * a closed one wrote its last snapshot before it closed, so n is never handed out twice.
 * `listed.tiers`: the tiers that already cover the key (rule `domains`; for an individual agreement
 * also its address listed), which decide between a new agreement, an amendment and not-needed.
 */
export async function triageRequest(db: Kysely<Database>, input: TriageInput): Promise<TriageResult> {
  const domain = normalizeDomain(input.domain);
  const profile = await readInstitution(db, domain);
  const individual = input.individual?.trim().toLowerCase();
  const key = individual ?? profile?.id ?? domain;
  const domains = profile?.domains ?? [domain];
  const rows = await db
    .selectFrom('agreements')
    .select(['agreement_id', 'stage', 'tiers', 'received_at', 'ended_at'])
    .where('agreement_ref', '!=', input.agreementRef)
    .where((eb) =>
      eb.or([
        eb('agreement_id', 'like', `${key}-%`),
        ...(individual
          ? []
          : [
              eb(
                'agreement_id',
                'in',
                domains.map((d) => `dura-${d}`),
              ),
            ]),
      ]),
    )
    .orderBy('received_at')
    .execute();
  const mine = rows.filter(
    (r) => sequenceOf(r.agreement_id, key) !== null || r.agreement_id.startsWith('dura-'),
  );
  const earlier: EarlierAgreement[] = mine
    .filter((r) => r.stage !== 'not-needed')
    .map((r) => ({
      agreementId: r.agreement_id,
      stage: r.stage as Stage,
      tiers: (r.tiers ? r.tiers.split(',') : []) as Tier[],
      receivedAt: r.received_at,
      endedAt: r.ended_at,
    }));
  const numbers = mine.flatMap((r) => sequenceOf(r.agreement_id, key) ?? []);
  const n = Math.max(earlier.length, ...numbers) + 1;
  const parent = profile ? null : await likelyParent(db, domain);
  return {
    listed: profile
      ? {
          name: profile.name,
          domain: profile.id,
          tiers: coveringTiers(profile, individual ?? input.requester?.trim().toLowerCase()),
        }
      : null,
    agreementId: numberedAgreementId(key, n),
    earlier,
    domains,
    likelyParent: parent && { name: parent.name, domain: parent.domain },
    officials: (profile?.officials ?? []).map((o) =>
      o.title ? { name: o.name, email: o.email, title: o.title } : { name: o.name, email: o.email },
    ),
  };
}

/**
 * The tiers that already cover the request: listed for the institution's domains, or listing this
 * address (the individual agreement's, else the requester's) individually: the same rules as
 * common/coverage.ts, which the client's triage applied before it chose the workflow id.
 */
function coveringTiers(profile: InstitutionProfile, address: string | undefined): Tier[] {
  // A lapsed tier or address (its agreement's term ended unrenewed, issue 18) covers no one.
  return profile.tiers
    .filter((t) => !t.lapsedOn)
    .filter(
      (t) => t.rule === 'domains' || (address && t.addresses.some((a) => a.email === address && !a.lapsedOn)),
    )
    .map((t) => t.tier);
}
