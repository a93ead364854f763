/**
 * The set-up the tests of `dura institutions export` and `import` share (registry-file.test.ts,
 * registry-file-import.test.ts): new, empty databases of a dialect for the file's tests, and an import
 * of a file's text as the CLI does it.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { importRegistry } from '../../activities/records/registry-io';
import { RecordsStore } from '../../activities/records/store';
import { parseRegistryFile, registryFileFormat } from '../../common/registry-file';
import type { TestDatabase } from './engine';
import { startPostgres } from './postgres';

/** The header of the CSV `institutions export --csv` writes. */
export const CSV_HEADER =
  'domain,name,tiers,domains,rules,addresses,officials,contracting_contact,report_contact';
/** The header an export wrote before the report contact (migration 006): such files still import. */
export const CSV_HEADER_8 = 'domain,name,tiers,domains,rules,addresses,officials,contracting_contact';

/** Parses the file as `institutions import` does (by name and content) and imports it. */
export function importText(
  store: RecordsStore,
  name: string,
  text: string,
  options: { skipInvalid?: boolean } = {},
) {
  const format = registryFileFormat(name, text);
  assert.notEqual(format, 'csv-domain-name-tiers', `${name} read as the older CSV`);
  return importRegistry(store.db, parseRegistryFile(text, format as 'json' | 'csv'), {
    listedOn: '2026-01-15',
    ...options,
  });
}

export interface RegistryDatabases {
  /** A temporary folder (the SQLite files are in it), set before the tests and removed after them. */
  readonly dir: string;
  /** The URL of a new, empty database (a SQLite file, or a database on a throwaway PostgreSQL server). */
  newDatabase(): Promise<string>;
  /** A store on a new, empty database (migrated), closed after the tests. */
  freshStore(): Promise<RecordsStore>;
}

/** Registers the hooks in the calling `describe`: the databases are there from its `before` on. */
export function registryDatabases(dialect: TestDatabase): RegistryDatabases {
  let dir = '';
  let stopPostgres: () => Promise<void> = () => Promise.resolve();
  let newDatabase: () => Promise<string>;
  const stores: RecordsStore[] = [];

  before(async function () {
    this.timeout(120_000);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-registry-file-'));
    let n = 0;
    if (dialect === 'sqlite') {
      // Made and migrated, as the engine leaves it: the CLI makes no database by itself (docs/cli.md).
      newDatabase = async () => {
        const url = `sqlite:${dir}/dura-${++n}.sqlite`;
        await (await RecordsStore.open(url)).close();
        return url;
      };
    } else {
      const postgres = await startPostgres();
      stopPostgres = () => postgres.stop();
      newDatabase = async () => {
        const name = `dura_file_${++n}`;
        const admin = new Client({ connectionString: postgres.url });
        await admin.connect();
        try {
          await admin.query(`create database ${name}`);
        } finally {
          await admin.end();
        }
        return postgres.url.replace(/\/[^/]+$/, `/${name}`);
      };
    }
  });

  after(async () => {
    for (const store of stores) await store.close();
    await stopPostgres();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  return {
    get dir() {
      return dir;
    },
    newDatabase: () => newDatabase(),
    freshStore: async () => {
      const store = await RecordsStore.open(await newDatabase());
      stores.push(store);
      return store;
    },
  };
}
