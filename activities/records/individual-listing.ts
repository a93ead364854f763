/**
 * An executed individual agreement on the list (issue 14, item 5): the requester's address for each
 * tier signed, under the tier's `individual` rule, never the institution's domains.
 */
import type { Kysely } from 'kysely';
import type { RegistryUpdate } from '../interfaces';
import { institutionIdFor } from './registry';
import { upsertInstitutions } from './institutions';
import type { Database } from './schema';

/**
 * Lists `update.individual` for `update.tiers` (idempotent: an address already listed keeps its first
 * date and agreement). A tier not yet listed is listed with the rule `individual`; a tier listed for the
 * institution's domains keeps that rule (its addresses are covered already). The institution is listed
 * first if it is not (an individual rule implies it was, but the list may have changed since).
 */
export async function listIndividual(db: Kysely<Database>, update: RegistryUpdate): Promise<void> {
  const email = update.individual!.trim().toLowerCase();
  await db.transaction().execute(async (trx) => {
    let id = await institutionIdFor(trx, update.institution.domain);
    if (!id) {
      const record = { ...update.institution, tiers: [] };
      await upsertInstitutions(trx, [record], {
        listedOn: update.signedOn,
        agreementId: null,
        rename: false,
      });
      id = (await institutionIdFor(trx, update.institution.domain))!;
    }
    for (const tier of update.tiers) {
      await trx
        .insertInto('institution_tiers')
        .values({ domain: id, tier, rule: 'individual', listed_on: update.signedOn, agreement_id: null })
        .onConflict((oc) => oc.columns(['domain', 'tier']).doNothing())
        .execute();
      await trx
        .insertInto('institution_addresses')
        .values({
          institution: id,
          tier,
          email,
          listed_on: update.signedOn,
          agreement_id: update.agreementId,
        })
        .onConflict((oc) => oc.columns(['institution', 'tier', 'email']).doNothing())
        .execute();
    }
  });
}
