/** `dura db …` and `dura institutions …`: the records database and the Registered Institutions list. */
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { emit, UnreachableError, UserError, type OutputOptions } from '../output';

// Loaded on use: the database drivers are not needed by the CLI's other commands.
async function openStore() {
  const { loadConfig } = await import('../../common/config');
  const { RecordsStore } = await import('../../activities/records/store');
  const { describeDatabase } = await import('../../activities/records/db');
  const config = loadConfig();
  try {
    return await RecordsStore.open(config.DATABASE_URL);
  } catch (err) {
    throw new UnreachableError(
      `the records database ${describeDatabase(config.DATABASE_URL)}: ${(err as Error).message}`,
    );
  }
}

async function withStore<T>(work: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const store = await openStore();
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export function registerRecordCommands(program: Command): void {
  const db = program.command('db').description('the records database');
  db.command('migrate')
    .description('apply the records database migrations (also done at worker start)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  DATABASE_URL=postgres://dura:secret@db:5432/dura dura db migrate')
    .action(async (options: OutputOptions) => {
      const { loadConfig } = await import('../../common/config');
      const { openDatabase, describeDatabase } = await import('../../activities/records/db');
      const { migrateToLatest } = await import('../../activities/records/migrations');
      const config = loadConfig();
      const database = openDatabase(config.DATABASE_URL);
      try {
        const { applied } = await migrateToLatest(database).catch((err: Error) => {
          throw new UnreachableError(
            `the records database ${describeDatabase(config.DATABASE_URL)}: ${err.message}`,
          );
        });
        emit(options, { database: describeDatabase(config.DATABASE_URL), applied }, () =>
          applied.length ? `applied ${applied.join(', ')}` : 'the records database is up to date',
        );
      } finally {
        await database.destroy();
      }
    });

  const institutions = program.command('institutions').description('the Registered Institutions list');
  institutions
    .command('import <file>')
    .description('import institutions from a CSV file with the header domain,name,tiers')
    .option('--skip-invalid', 'import the valid rows and list the invalid ones')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExample:\n  dura institutions import registered.csv\n\nregistered.csv:\n  domain,name,tiers\n  uw.edu,University of Washington,registered;controlled',
    )
    .action(async (file: string, options: OutputOptions & { skipInvalid?: boolean }) => {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (err) {
        throw new UserError(
          `file: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        );
      }
      const { parseRegistryCsv, importRegistryCsv, formatProblem } =
        await import('../../activities/records/registry-csv');
      const parsed = parseRegistryCsv(text);
      if (parsed.problems.length && !options.skipInvalid) {
        throw new UserError(
          `${file}: nothing imported; ${parsed.problems.length} invalid row(s):\n${parsed.problems.map(formatProblem).join('\n')}`,
        );
      }
      const result = await withStore((store) =>
        importRegistryCsv(store, text, { skipInvalid: options.skipInvalid }),
      );
      emit(options, result, () =>
        [
          `imported ${result.imported} institution(s)`,
          ...result.problems.map((p) => `skipped ${formatProblem(p)}`),
        ].join('\n'),
      );
    });

  institutions
    .command('lookup <domain-or-name>')
    .description('find institutions by domain or by a fragment of the name')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  dura institutions lookup washington')
    .action(async (fragment: string, options: OutputOptions) => {
      const found = await withStore((store) => store.findInstitutions(fragment));
      emit(options, found, () =>
        found.length
          ? found.map((i) => `${i.domain}\t${i.name}\t${i.tiers.join(', ')}`).join('\n')
          : `no institution matches "${fragment}"`,
      );
    });

  institutions
    .command('list')
    .description('every institution on the Registered Institutions list')
    .option('--json', 'print JSON')
    .action(async (options: OutputOptions) => {
      const all = await withStore((store) => store.listInstitutions());
      emit(
        options,
        all,
        () =>
          all.map((i) => `${i.domain}\t${i.name}\t${i.tiers.join(', ')}`).join('\n') || 'the list is empty',
      );
    });
}
