/** The CLI's way into the records database; a database that cannot be opened is exit 2. */
import * as fs from 'node:fs';
import type { RecordsStore } from '../activities/records/store';
import { UnreachableError } from './output';

/**
 * Throws when DATABASE_URL names a SQLite file that does not exist: a command run with another data
 * directory than the engine's would otherwise make an empty database there and answer from it (a
 * report of 0 agreements, every address "not listed"). `dura db migrate` makes a new one on purpose.
 */
export async function recordsMustExist(databaseUrl: string): Promise<void> {
  const { isSqlite, sqlitePath } = await import('../activities/records/db');
  if (!isSqlite(databaseUrl)) return;
  const file = sqlitePath(databaseUrl.trim());
  if (file === ':memory:' || fs.existsSync(file)) return;
  throw new Error(
    `no such file: set DURA_DATA_DIR (or DATABASE_URL) as the engine has it, or make a new one with \`dura db migrate\``,
  );
}

// Loaded on use: the database drivers are not needed by the CLI's other commands.
async function openStore(): Promise<RecordsStore> {
  const { loadConfig } = await import('../common/config');
  const { RecordsStore } = await import('../activities/records/store');
  const { describeDatabase } = await import('../activities/records/db');
  const config = loadConfig();
  try {
    await recordsMustExist(config.DATABASE_URL);
    return await RecordsStore.open(config.DATABASE_URL);
  } catch (err) {
    throw new UnreachableError(
      `the records database ${describeDatabase(config.DATABASE_URL)}: ${(err as Error).message}`,
    );
  }
}

/**
 * The records of `databaseUrl` for one piece of work, closed after it; an error is the caller's to word
 * (status answers from the records when Temporal is down, and names both when neither answers).
 */
export async function withRecords<T>(
  databaseUrl: string,
  work: (store: RecordsStore) => Promise<T>,
): Promise<T> {
  const { RecordsStore } = await import('../activities/records/store');
  await recordsMustExist(databaseUrl);
  const store = await RecordsStore.open(databaseUrl);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export async function withStore<T>(work: (store: RecordsStore) => Promise<T>): Promise<T> {
  const store = await openStore();
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
