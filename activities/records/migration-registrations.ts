/**
 * Migration 004 (issue 18): one row per requester's registration (workflows/registration.ts), as the
 * workflow last wrote it, so `dura registration list`, `dura status` and the Monday digest answer
 * without a worker. Dates are YYYY-MM-DD (New York), instants ISO-8601 UTC, as everywhere in the records.
 * A released migration is never edited: add the next one.
 */
import type { Kysely, Migration } from 'kysely';

export const registrationsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('registrations')
      .addColumn('registration_id', 'text', (c) => c.primaryKey())
      .addColumn('agreement_id', 'text', (c) => c.notNull())
      .addColumn('agreement_ref', 'text', (c) => c.notNull())
      .addColumn('institution_domain', 'text', (c) => c.notNull())
      .addColumn('institution_name', 'text', (c) => c.notNull())
      .addColumn('requester_name', 'text', (c) => c.notNull())
      // Lower case: the address a step report names is looked up here.
      .addColumn('requester_email', 'text', (c) => c.notNull())
      .addColumn('instructions_sent_at', 'text', (c) => c.notNull())
      .addColumn('account_on', 'text')
      .addColumn('two_step_on', 'text')
      .addColumn('identity_on', 'text')
      .addColumn('code_of_conduct_on', 'text')
      .addColumn('rcr_training_on', 'text')
      .addColumn('nudges_sent', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_nudge_at', 'text')
      .addColumn('escalated_at', 'text')
      .addColumn('completed_at', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('registrations_requester_email')
      .on('registrations')
      .column('requester_email')
      .execute();
    await db.schema
      .createIndex('registrations_institution_domain')
      .on('registrations')
      .column('institution_domain')
      .execute();
  },
};
