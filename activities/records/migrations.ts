/**
 * Versioned migrations of the records database, in code (no migration folder to ship), portable across
 * SQLite and PostgreSQL: only TEXT and INTEGER columns. Run at worker start and by `dura db migrate`.
 * A released migration is never edited: add the next one (`002_…`).
 */
import { Migrator, SqliteAdapter, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';

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
  const { error, results } = await runMigrations(db);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    const which = failed ? ` ${failed}` : '';
    throw new Error(`database migration${which} failed, nothing applied: ${reason}`, { cause: error });
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

async function runMigrations<DB>(db: Kysely<DB>): Promise<MigrationResultSet> {
  if (!isSqlite(db)) return migrator(db).migrateToLatest(); // PostgreSQL: locked and transactional
  // kysely runs SQLite migrations outside any transaction and without a lock. BEGIN IMMEDIATE makes
  // them atomic and serializes two processes migrating the same file (the second waits, then no-ops).
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await migrator(conn).migrateToLatest();
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
