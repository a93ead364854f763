/**
 * Opens the records database named by DATABASE_URL: a SQLite file (better-sqlite3) by default, or
 * PostgreSQL (pg). Only the driver in use is loaded, on the first query, so start-up stays lean and a
 * SQLite install never needs pg (nor the reverse).
 */
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
} from 'kysely';
import { maskPassword } from '../../common/config-rules';
import type { Database } from './schema';

const POSTGRES = /^postgres(ql)?:\/\//i;

/** `openDatabase(url, { mustExist: true })` found no SQLite file at `file`. */
export class NoDatabaseFile extends Error {
  constructor(readonly file: string) {
    super(`no such file: ${file}`);
  }
}

/**
 * A kysely instance over the database; call `destroy()` to close it. Nothing connects until used.
 * `mustExist`: a SQLite file that is not there is an error (`no such file: <path>`), not made.
 * `preparedKept`: SQLite statements kept prepared (0: none, as `npm run bench:records` compares).
 */
export function openDatabase(
  databaseUrl: string,
  { mustExist = false, preparedKept = PREPARED_KEPT } = {},
): Kysely<Database> {
  const url = databaseUrl.trim();
  if (POSTGRES.test(url)) {
    const pool = async () => {
      const { Pool } = await import('pg');
      const created = new Pool({ connectionString: url, max: 10 });
      // An idle connection dropped by the server must not crash the process: the next query reports it.
      created.on('error', () => undefined);
      return created;
    };
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }

  const file = sqlitePath(url);
  if (file !== ':memory:' && mustExist && !existsSync(file)) throw new NoDatabaseFile(path.resolve(file));
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const database = async () => {
    const { default: Sqlite } = await import('better-sqlite3');
    const db = new Sqlite(file);
    // WAL: the CLI reads while the worker writes; busy_timeout: a second process waits, not fails.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    return preparedKept > 0 ? keepPrepared(db, preparedKept) : db;
  };
  return new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database }) });
}

/** Statements kept prepared per SQLite connection: dura runs a few dozen, over and over. */
export const PREPARED_KEPT = 200;

/**
 * kysely's SQLite driver asks better-sqlite3 to prepare every query anew; each prepare parses and plans
 * the SQL again (a third of a records write's CPU). The prepared statements are kept, by their SQL, the
 * least recently used dropped past PREPARED_KEPT (`npm run bench:records`: 0.76 of the CPU). Safe because a connection runs one statement at a
 * time and dura never streams rows (a statement still iterating could not run again meanwhile).
 */
function keepPrepared<T extends { prepare(sql: string): unknown }>(db: T, most: number): T {
  const kept = new Map<string, unknown>();
  const prepare = db.prepare.bind(db);
  db.prepare = (sql: string) => {
    let statement = kept.get(sql);
    if (statement) kept.delete(sql);
    else statement = prepare(sql);
    kept.set(sql, statement); // the newest last: Map keeps insertion order
    if (kept.size > most) kept.delete(kept.keys().next().value!);
    return statement;
  };
  return db;
}

/**
 * SQLite transactions that take the write lock when they begin (`BEGIN IMMEDIATE`): every transaction
 * here writes, and a deferred one that reads first and then writes while another process holds the lock
 * gets SQLITE_BUSY at once, without the busy timeout (SQLite cannot wait there without risking a
 * deadlock). Begun immediate, it waits up to busy_timeout like any other write.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    if (!(driver instanceof SqliteDriver)) return driver;
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

/** Whether DATABASE_URL names a SQLite database (else PostgreSQL). */
export function isSqlite(databaseUrl: string): boolean {
  return !POSTGRES.test(databaseUrl.trim());
}

/** Whether another connection (another thread's) sees the same data: not so for `sqlite::memory:`. */
export function shareable(databaseUrl: string): boolean {
  return !isSqlite(databaseUrl) || sqlitePath(databaseUrl.trim()) !== ':memory:';
}

/** `sqlite:<path>`, `file:<path>` (also `sqlite:///abs/path`, `file:///abs/path`) or `sqlite::memory:`. */
export function sqlitePath(url: string): string {
  const match = /^(sqlite|file):(.+)$/i.exec(url);
  if (!match?.[2]) {
    throw new Error(
      `DATABASE_URL: expected postgres://user:pass@host:port/db or sqlite:<path>, got "${maskPassword(url)}"`,
    );
  }
  const rest = match[2];
  return rest.startsWith('//') ? rest.slice(2) : rest;
}

/** The URL with its password hidden, fit for logs and error messages. */
export function describeDatabase(databaseUrl: string): string {
  const url = databaseUrl.trim();
  return POSTGRES.test(url) ? maskPassword(url) : url;
}
