/**
 * Versioned migrations of the records database, in code (no migration folder to ship), portable across
 * SQLite and PostgreSQL: only TEXT and INTEGER columns. Run at worker start and by `dura db migrate`.
 * A released migration is never edited: add the next one (`002_…`).
 */
import { Migrator, SqliteAdapter, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import { agreementTermsMigration } from './migration-terms';
import { registrationsMigration } from './migration-registrations';

const migrations: Record<string, Migration> = {
  '001_initial': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('institutions')
        .addColumn('domain', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('institution_tiers')
        .addColumn('domain', 'text', (c) => c.notNull().references('institutions.domain').onDelete('cascade'))
        .addColumn('tier', 'text', (c) => c.notNull())
        .addColumn('listed_on', 'text', (c) => c.notNull())
        .addColumn('agreement_id', 'text')
        .addPrimaryKeyConstraint('institution_tiers_pk', ['domain', 'tier'])
        .execute();

      await db.schema
        .createTable('agreements')
        .addColumn('agreement_ref', 'text', (c) => c.primaryKey())
        .addColumn('agreement_id', 'text', (c) => c.notNull())
        .addColumn('domain', 'text', (c) => c.notNull())
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('tiers', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('initiation_due_by', 'text')
        .addColumn('initiated_at', 'text')
        .addColumn('reminders_sent', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_reminder_at', 'text')
        .addColumn('executed_at', 'text')
        .addColumn('instructions_due_by', 'text')
        .addColumn('instructions_sent_at', 'text')
        .addColumn('ended_at', 'text')
        .addColumn('overdue', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('history_length', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('status_json', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('agreements_agreement_id')
        .on('agreements')
        .column('agreement_id')
        .execute();
      await db.schema.createIndex('agreements_stage').on('agreements').column('stage').execute();

      await db.schema
        .createTable('agreement_events')
        .addColumn('agreement_ref', 'text', (c) =>
          c.notNull().references('agreements.agreement_ref').onDelete('cascade'),
        )
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addPrimaryKeyConstraint('agreement_events_pk', ['agreement_ref', 'seq'])
        .execute();

      await db.schema
        .createTable('emails')
        .addColumn('idempotency_key', 'text', (c) => c.primaryKey())
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('agreement_id', 'text', (c) => c.notNull())
        .addColumn('recipients', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('sending', 'sent', 'rejected')`))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('detail', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        .execute();
      await db.schema.createIndex('emails_agreement_id').on('emails').column('agreement_id').execute();
    },
  },

  // The Registered Institutions list as a registry (docs/design.md, "Institutions, coverage and
  // agreements"): all of an institution's domains, a membership rule per tier with the addresses an
  // individual rule covers, its signing officials and contracting contact. Existing rows stay: each
  // institution gets its own domain, each tier the rule 'domains' (what a listing meant until now).
  '002_registry': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('institution_domains')
        .addColumn('domain', 'text', (c) => c.primaryKey())
        .addColumn('institution', 'text', (c) =>
          c.notNull().references('institutions.domain').onDelete('cascade'),
        )
        .execute();
      await db.schema
        .createIndex('institution_domains_institution')
        .on('institution_domains')
        .column('institution')
        .execute();
      await sql`insert into institution_domains (domain, institution) select domain, domain from institutions`.execute(
        db,
      );

      await db.schema
        .alterTable('institution_tiers')
        .addColumn('rule', 'text', (c) =>
          c
            .notNull()
            .defaultTo('domains')
            .check(sql`rule in ('domains', 'individual')`),
        )
        .execute();
      await db.schema
        .createTable('institution_addresses')
        .addColumn('institution', 'text', (c) => c.notNull())
        .addColumn('tier', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('listed_on', 'text', (c) => c.notNull())
        .addColumn('agreement_id', 'text')
        .addPrimaryKeyConstraint('institution_addresses_pk', ['institution', 'tier', 'email'])
        // An address is listed for a tier the institution is listed for.
        .addForeignKeyConstraint(
          'institution_addresses_tier_fk',
          ['institution', 'tier'],
          'institution_tiers',
          ['domain', 'tier'],
          (fk) => fk.onDelete('cascade'),
        )
        .execute();

      await db.schema
        .createTable('institution_officials')
        .addColumn('institution', 'text', (c) =>
          c.notNull().references('institutions.domain').onDelete('cascade'),
        )
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('title', 'text')
        .addPrimaryKeyConstraint('institution_officials_pk', ['institution', 'email'])
        .execute();
      await db.schema.alterTable('institutions').addColumn('contracting_contact', 'text').execute();
    },
  },

  // Withdrawn status links (activities/records/status-links.ts): per agreement and requester, the moment
  // up to which every link issued is void. Links themselves are never stored (common/status-link.ts).
  '003_status_link_revocations': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('status_link_revocations')
        .addColumn('agreement_id', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('status_link_revocations_pk', ['agreement_id', 'email'])
        .execute();
    },
  },
  // Issue 18, each in its own file (for length): a row per requester's registration; agreement terms.
  '004_registrations': registrationsMigration,
  '005_agreement_terms': agreementTermsMigration,
  // The institution's report contact (issue 18, item 2): who gets the monthly registration report.
  '006_report_contacts': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('institutions').addColumn('report_contact', 'text').execute();
    },
  },
  // A registration the access team closed with steps left (`dura registration close`), and why.
  '007_registration_closed': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('registrations').addColumn('closed_at', 'text').execute();
      await db.schema.alterTable('registrations').addColumn('closed_reason', 'text').execute();
    },
  },
  // What the engine's workers run with that its clients must match (records/engine-settings.ts).
  '008_engine_settings': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('engine_settings')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
};

/** Names of all migrations, oldest first. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(migrations).sort();

function migrator<DB>(db: Kysely<DB>): Migrator {
  return new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } });
}

/**
 * Applies the pending migrations; returns their names ([] when the schema is current). All of them run
 * in one transaction on both dialects, so a failure leaves the schema as it was.
 */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<{ applied: string[] }> {
  // Already current (every CLI command, every worker start but the first): read, take no lock. On SQLite
  // the locked path below takes the write lock, so a command that only reads would wait on (or, past
  // the busy timeout, fail on) a worker in the middle of a write, where WAL lets a reader through.
  if ((await migrator(db).getMigrations()).every((m) => m.executedAt !== undefined)) return { applied: [] };
  const { error, results } = await runMigrations(db);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    const which = failed ? ` ${failed}` : '';
    throw new Error(`database migration${which} failed, nothing applied: ${reason}`, { cause: error });
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/**
 * Applies the migrations up to and including `target` (one of MIGRATION_NAMES) and no further: how a
 * test builds a database as an older release left it. Throws as migrateToLatest does.
 */
export async function migrateTo<DB>(db: Kysely<DB>, target: string): Promise<{ applied: string[] }> {
  if (!MIGRATION_NAMES.includes(target)) throw new Error(`no migration ${target}`);
  const { error, results } = await runMigrations(db, (m) => m.migrateTo(target));
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

async function runMigrations<DB>(
  db: Kysely<DB>,
  run: (m: Migrator) => Promise<MigrationResultSet> = (m) => m.migrateToLatest(),
): Promise<MigrationResultSet> {
  if (!isSqlite(db)) return run(migrator(db)); // PostgreSQL: locked and transactional
  // kysely runs SQLite migrations outside any transaction and without a lock. BEGIN IMMEDIATE makes
  // them atomic and serializes two processes migrating the same file (the second waits, then no-ops).
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await run(migrator(conn));
      await sql.raw(result.error ? 'rollback' : 'commit').execute(conn);
      return result;
    } catch (error) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw error;
    }
  });
}

function isSqlite<DB>(db: Kysely<DB>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}
