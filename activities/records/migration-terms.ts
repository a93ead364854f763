/**
 * Migration 005_agreement_terms (issue 18): a tier (or an individually listed address) whose agreement's
 * term ended unrenewed is kept on the registry, marked lapsed (`lapsed_on`, the day after the end date;
 * `lapsed_by`, the agreement whose term lapsed), never deleted: the registry keeps its history, and
 * coverage reads a lapsed tier as not covered. `term_agreement_id`: the executed agreement whose term
 * now keeps the tier listed (the last with an end date to list it); its lapse marks the tier.
 * TEXT columns only, nullable, so both dialects add them with a plain ALTER TABLE.
 */
import type { Kysely, Migration } from 'kysely';

export const agreementTermsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const table of ['institution_tiers', 'institution_addresses']) {
      await db.schema.alterTable(table).addColumn('lapsed_on', 'text').execute();
      await db.schema.alterTable(table).addColumn('lapsed_by', 'text').execute();
      await db.schema.alterTable(table).addColumn('term_agreement_id', 'text').execute();
    }
  },
};
