/** The CLI's way into the records database; a database that cannot be opened is exit 2. */
import type { RecordsStore } from '../activities/records/store';
import { UnreachableError } from './output';

/**
 * The CLI never makes a records database: a command run with another data directory than the engine's
 * would otherwise make an empty one there and answer from it (a report of 0 agreements, every address
 * "not listed"). `dura db migrate` makes a new one on purpose.
 */
export const MUST_EXIST = { mustExist: true } as const;
const NO_RECORDS =
  'no such file: set DURA_DATA_DIR (or DATABASE_URL) as the engine has it, or make a new one with `dura db migrate`';

// Loaded on use: the database drivers are not needed by the CLI's other commands.
async function openStore(): Promise<RecordsStore> {
  const { loadConfig } = await import('../common/config');
  const config = loadConfig();
  return openRecords(config.DATABASE_URL);
}

/** The records, or an UnreachableError (exit 2) naming the database and why, as every command says it. */
export async function openRecords(databaseUrl: string): Promise<RecordsStore> {
  const { RecordsStore } = await import('../activities/records/store');
  try {
    return await RecordsStore.open(databaseUrl, MUST_EXIST);
  } catch (err) {
    const { describeDatabase, NoDatabaseFile } = await import('../activities/records/db');
    const why = err instanceof NoDatabaseFile ? NO_RECORDS : (err as Error).message;
    throw new UnreachableError(`the records database ${describeDatabase(databaseUrl)}: ${why}`);
  }
}

/**
 * The records of `databaseUrl` for one piece of work, closed after it. Records that cannot be opened are
 * an UnreachableError naming them; status answers from the records when Temporal is down, and names
 * both when neither answers.
 */
export async function withRecords<T>(
  databaseUrl: string,
  work: (store: RecordsStore) => Promise<T>,
): Promise<T> {
  const store = await openRecords(databaseUrl);
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
