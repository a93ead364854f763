/**
 * The agreements whose term ends soon, for the weekly digest: executed agreements with an end date
 * (issue 18) whose term still keeps a listing in force (`term_agreement_id`), ending on or before a day.
 * Their term workflows warn the officials and the access team 60, 30 and 15 days ahead; the digest keeps
 * them in sight every week until they are renewed or lapse (a trial found no place that listed them).
 */
import type { Kysely } from 'kysely';
import type { AgreementSnapshot, Institution, Tier } from '../../common/agreement';
import type { Database } from './schema';

export interface TermEnding {
  agreementId: string;
  institution: Institution;
  /** An individual agreement's one address. */
  individual?: string;
  tiers: Tier[];
  /** The last day in force, YYYY-MM-DD (New York). */
  expiresOn: string;
}

/** Completed agreements holding a term that ends by `through` (YYYY-MM-DD), the soonest first. */
export async function termsEnding(db: Kysely<Database>, through: string): Promise<TermEnding[]> {
  const held = db
    .selectFrom('institution_tiers')
    .select('term_agreement_id')
    .where('term_agreement_id', 'is not', null)
    .union(
      db
        .selectFrom('institution_addresses')
        .select('term_agreement_id')
        .where('term_agreement_id', 'is not', null),
    );
  const rows = await db
    .selectFrom('agreements')
    .select('status_json')
    .where('stage', '=', 'completed')
    .where('agreement_id', 'in', held)
    .execute();
  return rows
    .map((row) => JSON.parse(row.status_json) as AgreementSnapshot)
    .filter((s): s is AgreementSnapshot & { expiresOn: string } => !!s.expiresOn && s.expiresOn <= through)
    .map((s) => ({
      agreementId: s.agreementId,
      institution: s.institution,
      ...(s.individual ? { individual: s.individual } : {}),
      tiers: s.tiers as Tier[],
      expiresOn: s.expiresOn,
    }))
    .sort((a, b) => a.expiresOn.localeCompare(b.expiresOn) || a.agreementId.localeCompare(b.agreementId));
}
