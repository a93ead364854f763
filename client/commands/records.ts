/** `dura db …` and `dura institutions …`: the records database and the Registered Institutions list. */
import type { Command } from 'commander';
import { emit, UnreachableError, type OutputOptions } from '../output';
import { withStore } from '../records';
import { registerInstitutionCommands } from './institutions';
import { importInstitutionsFile } from './institutions-import';
import type { RegistryEntry } from '../../activities/records/institutions';

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
    .description(
      'import (upsert) institutions: a CSV domain,name,tiers, or the CSV or JSON `institutions export` writes',
    )
    .option('--skip-invalid', 'import the valid rows and list the invalid ones')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      [
        '',
        'The file is JSON when it ends in .json (or starts with [), else CSV: the header domain,name,tiers, or',
        "the export's columns domain,name,tiers,domains,rules,addresses,officials,contracting_contact",
        '(domain and name required). UTF-8, UTF-16 or Windows-1252. Nothing is imported when a row is',
        'invalid (every problem is listed), unless --skip-invalid; nothing on the list is removed.',
        '',
        'Examples:',
        '  dura institutions import registered.csv',
        '  dura institutions import institutions.json --skip-invalid',
        '',
        'registered.csv:',
        '  domain,name,tiers',
        '  uw.edu,University of Washington,registered;controlled',
      ].join('\n'),
    )
    .action((file: string, options: OutputOptions & { skipInvalid?: boolean }) =>
      importInstitutionsFile(file, options),
    );

  institutions
    .command('lookup <domain-or-name>')
    .description('find institutions by domain or by a fragment of the name')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  dura institutions lookup washington')
    .action(async (fragment: string, options: OutputOptions) => {
      const found = await withStore((store) => store.findInstitutions(fragment));
      emit(options, found, () =>
        found.length ? found.map(institutionLine).join('\n') : `no institution matches "${fragment}"`,
      );
    });

  registerInstitutionCommands(institutions);

  institutions
    .command('list')
    .description('every institution on the Registered Institutions list')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  dura institutions list --json')
    .action(async (options: OutputOptions) => {
      const all = await withStore((store) => store.listInstitutions());
      emit(options, all, () => all.map(institutionLine).join('\n') || 'the list is empty');
    });
}

/**
 * One institution, tab-separated for `cut`: domain, name, the tiers in force. A tier under the
 * individual membership rule covers only its listed addresses, not the domain: it says so.
 */
function institutionLine(i: RegistryEntry): string {
  const tiers = i.listed
    .filter((l) => !l.lapsedOn)
    .map((l) => (l.rule === 'individual' ? `${l.tier} (individual addresses)` : l.tier));
  return `${i.domain}\t${i.name}\t${tiers.join(', ')}`;
}
