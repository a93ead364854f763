/** `dura db …` and `dura institutions …`: the records database and the Registered Institutions list. */
import type { Command } from 'commander';
import { emit, readUserFile, UnreachableError, UserError, type OutputOptions } from '../output';
import { withStore } from '../records';
import { normalizeDomain } from '../../common/agreement';

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
      const text = readUserFile(file);
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
    .command('show <domain>')
    .description('one institution: its listed tiers (since when, by which agreement) and its agreements')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  dura institutions show uw.edu')
    .action(async (domain: string, options: OutputOptions) => {
      const { institution, agreements } = await withStore(async (store) => ({
        institution: (await store.findInstitutions(normalizeDomain(domain))).find(
          (i) => i.domain === normalizeDomain(domain),
        ),
        agreements: await store.agreementSnapshots({ domain }),
      }));
      if (!institution && agreements.length === 0)
        throw new UserError(`no institution ${normalizeDomain(domain)} on the list or in the records`);
      const runs = agreements.map((a) => ({
        agreementId: a.agreement_id,
        kind: a.kind,
        stage: a.stage,
        tiers: a.tiers ? a.tiers.split(',') : [],
        receivedAt: a.received_at,
        executedAt: a.executed_at,
      }));
      const { table, when } = await import('../format');
      emit(options, { domain: normalizeDomain(domain), listed: institution ?? null, agreements: runs }, () =>
        [
          institution
            ? `${institution.name} (${institution.domain})\n` +
              institution.listed
                .map(
                  (l) =>
                    `  ${l.tier} since ${l.listedOn}${l.agreementId ? ` (${l.agreementId})` : ' (imported)'}`,
                )
                .join('\n')
            : `${normalizeDomain(domain)}: not on the Registered Institutions list`,
          runs.length
            ? table(
                ['AGREEMENT', 'KIND', 'STAGE', 'TIERS', 'RECEIVED', 'EXECUTED'],
                runs.map((r) => [
                  r.agreementId,
                  r.kind,
                  r.stage,
                  r.tiers.join(','),
                  when(r.receivedAt),
                  when(r.executedAt),
                ]),
              )
            : 'no agreements in the records',
        ].join('\n\n'),
      );
    });

  institutions
    .command('list')
    .description('every institution on the Registered Institutions list')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  dura institutions list --json')
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
