/**
 * `dura institutions remove`: an institution taken off the Registered Institutions list whole (its
 * domains, tiers, listed addresses, officials and contacts go with it: the tables' ON DELETE CASCADE). For
 * a listing made by mistake (a trial imported `gmail.com` and `ac.uk`, and nothing could take them off).
 * A tier or address an executed agreement listed is not removed here: that agreement stands until its
 * term lapses or another replaces it.
 */
import type { Kysely } from 'kysely';
import { institutionIdFor, RegistryError } from './registry';
import type { Database } from './schema';

export interface RemovedInstitution {
  id: string;
  name: string;
  domains: string[];
  tiers: string[];
  addresses: number;
  officials: number;
}

/** Removes the institution `institution` names (any of its domains); RegistryError when it cannot. */
export async function removeInstitution(
  db: Kysely<Database>,
  institution: string,
): Promise<RemovedInstitution> {
  return db.transaction().execute(async (trx) => {
    const id = await institutionIdFor(trx, institution);
    if (!id)
      throw new RegistryError(
        `${institution.trim()}: no institution with this domain on the Registered Institutions list`,
      );
    const tiers = await trx.selectFrom('institution_tiers').selectAll().where('domain', '=', id).execute();
    const addresses = await trx
      .selectFrom('institution_addresses')
      .selectAll()
      .where('institution', '=', id)
      .execute();
    const byAgreement = [...tiers, ...addresses].filter((row) => row.agreement_id !== null);
    if (byAgreement.length)
      throw new RegistryError(
        `${institution.trim()}: listed by ${[...new Set(byAgreement.map((r) => r.agreement_id))].join(', ')}, ` +
          'an executed agreement: its listing stands until its term lapses or another agreement replaces it',
      );
    const row = await trx
      .selectFrom('institutions')
      .select('name')
      .where('domain', '=', id)
      .executeTakeFirstOrThrow();
    const domains = await trx
      .selectFrom('institution_domains')
      .select('domain')
      .where('institution', '=', id)
      .orderBy('domain')
      .execute();
    const officials = await trx
      .selectFrom('institution_officials')
      .select('email')
      .where('institution', '=', id)
      .execute();
    await trx.deleteFrom('institutions').where('domain', '=', id).execute();
    return {
      id,
      name: row.name,
      domains: domains.map((d) => d.domain),
      tiers: tiers.map((t) => t.tier),
      addresses: addresses.length,
      officials: officials.length,
    };
  });
}
