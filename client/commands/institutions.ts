/**
 * `dura institutions show` and the registry's changes: an institution's domains, each tier's membership
 * rule and listed addresses, its signing officials and contracting contact. An institution is named by
 * any of its domains. A refused change is a user error (exit 1) naming what was typed. Also the whole
 * list out and in: `institutions export` and `institutions import` (common/registry-file.ts).
 */
import { Option, type Command } from 'commander';
import { normalizeDomain, TIERS } from '../../common/agreement';
import type { MembershipRule } from '../../common/coverage';
import type { RecordsStore, InstitutionProfile, RegistryChange } from '../../activities/records/store';
import { emit, UserError, type OutputOptions } from '../output';
import { withStore } from '../records';

/** The store's work, with a refused change (RegistryError) as a user error. */
async function registry<T>(work: (store: RecordsStore) => Promise<T>): Promise<T> {
  try {
    return await withStore(work);
  } catch (err) {
    if ((err as Error)?.name === 'RegistryError') throw new UserError((err as Error).message);
    throw err;
  }
}

/** Prints a change: `done` when it changed something, else `same` and "nothing changed". */
function changed(
  options: OutputOptions,
  result: RegistryChange,
  [done, same]: [string, string],
  extra: object = {},
): void {
  emit(options, { ...result, ...extra }, () =>
    result.changed ? `${result.institution}: ${done}` : `${result.institution}: ${same}; nothing changed`,
  );
}

// Not imported from common/coverage: that loads zod and tldts, and this file is on every command's path.
const MEMBERSHIP_RULES = ['domains', 'individual'] as const satisfies readonly MembershipRule[];

interface AddressFlags extends OutputOptions {
  tier: string;
  agreement?: string;
}

const low = (text: string) => text.trim().toLowerCase();

const tierOption = () => new Option('--tier <tier>', TIERS.join(' or ')).choices(TIERS).makeOptionMandatory();

export function registerInstitutionCommands(institutions: Command): void {
  institutions
    .command('show <domain>')
    .description(
      'one institution: its domains, tiers (rule, since when, by which agreement), officials, agreements',
    )
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  dura institutions show uw.edu')
    .action(async (domain: string, options: OutputOptions) => {
      const wanted = normalizeDomain(domain);
      const { profile, listed, agreements } = await withStore(async (store) => {
        const found = await store.institutionByDomain(wanted);
        const id = found?.id ?? wanted;
        const domains = found?.domains ?? [wanted];
        const runs = (await Promise.all(domains.map((d) => store.agreementSnapshots({ domain: d })))).flat();
        runs.sort((a, b) => a.received_at.localeCompare(b.received_at));
        const entry = (await store.findInstitutions(id)).find((i) => i.domain === id);
        return { profile: found, listed: entry ?? null, agreements: runs };
      });
      if (!profile && agreements.length === 0)
        throw new UserError(`no institution ${wanted} on the list or in the records`);
      const runs = agreements.map((a) => ({
        agreementId: a.agreement_id,
        kind: a.kind,
        stage: a.stage,
        tiers: a.tiers ? a.tiers.split(',') : [],
        receivedAt: a.received_at,
        executedAt: a.executed_at,
      }));
      const { table, when } = await import('../format');
      emit(options, { domain: wanted, listed, registry: profile, agreements: runs }, () =>
        [
          profile ? profileView(profile) : `${wanted}: not on the Registered Institutions list`,
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
    .command('add-domain <institution> <domain>')
    .description('add an e-mail domain to the institution (matched exactly: a subdomain is its own domain)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  dura institutions add-domain uw.edu washington.edu')
    .action(async (institution: string, domain: string, options: OutputOptions) => {
      const result = await registry((s) => s.addInstitutionDomain(institution, domain));
      changed(
        options,
        result,
        [`added the domain ${low(domain)}`, `${low(domain)} is already one of its domains`],
        { domain },
      );
    });

  institutions
    .command('remove-domain <institution> <domain>')
    .description('remove an e-mail domain from the institution (not its primary domain)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  dura institutions remove-domain uw.edu washington.edu')
    .action(async (institution: string, domain: string, options: OutputOptions) => {
      const result = await registry((s) => s.removeInstitutionDomain(institution, domain));
      changed(
        options,
        result,
        [`removed the domain ${low(domain)}`, `${low(domain)} is not one of its domains`],
        { domain },
      );
    });

  institutions
    .command('set-rule <institution>')
    .description('who a tier covers: any address at its domains, or only the addresses listed (individual)')
    .addOption(tierOption())
    .addOption(
      new Option('--rule <rule>', MEMBERSHIP_RULES.join(' or '))
        .choices(MEMBERSHIP_RULES)
        .makeOptionMandatory(),
    )
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExample:\n  dura institutions set-rule uw.edu --tier controlled --rule individual',
    )
    .action(async (institution: string, options: OutputOptions & { tier: string; rule: string }) => {
      const result = await registry((s) => s.setTierRule(institution, options.tier, options.rule));
      changed(
        options,
        result,
        [
          `the ${options.tier} tier's rule is now ${options.rule}`,
          `the ${options.tier} tier's rule is already ${options.rule}`,
        ],
        {
          tier: options.tier,
          rule: options.rule,
        },
      );
    });

  institutions
    .command('add-address <institution> <email>')
    .description('list an address for a tier whose rule is individual (an individual agreement)')
    .addOption(tierOption())
    .option('--agreement <id>', 'the individual agreement that lists it')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  dura institutions add-address uw.edu ada@uw.edu --tier controlled')
    .action(async (institution: string, email: string, options: AddressFlags) => {
      const listing = { agreementId: options.agreement ?? null };
      const result = await registry((s) =>
        s.addInstitutionAddress(institution, options.tier, email, listing),
      );
      changed(
        options,
        result,
        [
          `listed ${low(email)} for the ${options.tier} tier`,
          `${low(email)} is already listed for the ${options.tier} tier`,
        ],
        {
          tier: options.tier,
          email,
        },
      );
    });

  institutions
    .command('remove-address <institution> <email>')
    .description('remove an address listed for a tier')
    .addOption(tierOption())
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExample:\n  dura institutions remove-address uw.edu ada@uw.edu --tier controlled',
    )
    .action(async (institution: string, email: string, options: AddressFlags) => {
      const result = await registry((s) => s.removeInstitutionAddress(institution, options.tier, email));
      changed(
        options,
        result,
        [
          `removed ${low(email)} from the ${options.tier} tier`,
          `${low(email)} is not listed for the ${options.tier} tier`,
        ],
        {
          tier: options.tier,
          email,
        },
      );
    });

  institutions
    .command('add-official <institution>')
    .description('add a signing official (or change the name and title of the one with that address)')
    .requiredOption('--name <name>')
    .requiredOption('--email <email>')
    .option('--title <title>')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExample:\n  dura institutions add-official uw.edu --name "Sam Signer" --email osp@uw.edu --title Director',
    )
    .action(
      async (
        institution: string,
        options: OutputOptions & { name: string; email: string; title?: string },
      ) => {
        const official = { name: options.name, email: options.email, title: options.title ?? null };
        const result = await registry((s) => s.addInstitutionOfficial(institution, official));
        changed(
          options,
          result,
          [
            `recorded the signing official ${low(official.email)}`,
            `the signing official ${low(official.email)} is already recorded as given`,
          ],
          {
            official,
          },
        );
      },
    );

  institutions
    .command('remove-official <institution> <email>')
    .description('remove a signing official')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  dura institutions remove-official uw.edu osp@uw.edu')
    .action(async (institution: string, email: string, options: OutputOptions) => {
      const result = await registry((s) => s.removeInstitutionOfficial(institution, email));
      changed(
        options,
        result,
        [`removed the signing official ${low(email)}`, `${low(email)} is not one of its signing officials`],
        { email },
      );
    });

  institutions
    .command('set-contracting-contact <institution> <email>')
    .description('the institution\'s contracting contact ("none" clears it)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  dura institutions set-contracting-contact uw.edu contracts@uw.edu')
    .action(async (institution: string, email: string, options: OutputOptions) => {
      const contact = email.trim().toLowerCase() === 'none' ? null : email;
      const result = await registry((s) => s.setContractingContact(institution, contact));
      changed(
        options,
        result,
        contact
          ? [
              `the contracting contact is now ${low(contact)}`,
              `the contracting contact is already ${low(contact)}`,
            ]
          : ['cleared the contracting contact', 'no contracting contact is recorded'],
        {
          contact,
        },
      );
    });

  institutions
    .command('export')
    .description(
      'the whole list: every institution with its domains, tiers (rule, since when, agreement, addresses), officials, contracting contact',
    )
    .addOption(new Option('--csv', 'CSV, one row per institution').conflicts('json'))
    .option('--json', 'JSON, an array of institutions (the default)')
    .option('--output <file>', 'write it to the file (CSV when the name ends in .csv), not to stdout')
    .addHelpText(
      'after',
      [
        '',
        'CSV columns: domain,name,tiers,domains,rules,addresses,officials,contracting_contact; a list',
        'cell has its items between ";", e.g. tiers "registered 2025-03-31 uw.edu-1;controlled 2025-06-02",',
        'rules "registered=domains;controlled=individual", addresses "controlled=ada@uw.edu 2025-06-02",',
        'officials "Sam Signer <osp@uw.edu> (Director)". `institutions import` reads either back.',
        '',
        'Examples:',
        '  dura institutions export > institutions.json',
        '  dura institutions export --csv --output institutions.csv',
      ].join('\n'),
    )
    .action((options: ExportFlags) => exportInstitutions(options));
}

/** The file's bytes, or a user error naming it. */
async function readBytes(file: string): Promise<Buffer> {
  const fs = await import('node:fs');
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message.split('\n')[0];
    throw new UserError(`file: cannot read ${file}: ${reason}`);
  }
}

/**
 * `dura institutions import <file>`: the CSV `domain,name,tiers` (registry-csv.ts, as it always was
 * read), or the CSV or JSON `institutions export` writes (an upsert: registry-io.ts). Every problem is
 * listed at once and nothing imported (exit 1), unless --skip-invalid (the valid ones are, exit 0).
 */
export async function importInstitutionsFile(
  file: string,
  options: OutputOptions & { skipInvalid?: boolean },
): Promise<void> {
  const bytes = await readBytes(file);
  const { decodeText } = await import('../../common/text-file');
  const { text } = decodeText(bytes);
  const { registryFileFormat, parseRegistryFile, formatFileProblem } =
    await import('../../common/registry-file');
  const format = registryFileFormat(file, text);
  if (format === 'csv-domain-name-tiers') return importDomainNameTiers(file, text, options);

  const parsed = parseRegistryFile(text, format);
  const refused = (problems: typeof parsed.problems) => {
    const places = new Set(problems.map((p) => ('line' in p ? p.line : /^\[\d+\]/.exec(p.path)?.[0])));
    const where = parsed.fatal ? '' : ` in ${places.size} ${format === 'csv' ? 'row' : 'institution'}(s)`;
    return new UserError(
      `${file}: nothing imported; ${problems.length} problem(s)${where}:\n${problems.map(formatFileProblem).join('\n')}`,
    );
  };
  if (parsed.fatal) throw refused(parsed.problems);
  const { importRegistry } = await import('../../activities/records/registry-io');
  const result = await withStore((store) =>
    importRegistry(store.db, parsed, { skipInvalid: options.skipInvalid }),
  );
  if (result.problems.length && !options.skipInvalid) throw refused(result.problems);
  emit(options, { file, format, ...result }, () =>
    [
      `imported ${result.imported} institution(s): ${result.added} added, ${result.changed} changed, ${result.unchanged} unchanged`,
      ...result.problems.map((p) => `skipped ${formatFileProblem(p)}`),
    ].join('\n'),
  );
}

async function importDomainNameTiers(
  file: string,
  text: string,
  options: OutputOptions & { skipInvalid?: boolean },
): Promise<void> {
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
}

interface ExportFlags {
  csv?: boolean;
  json?: boolean;
  output?: string;
}

/** `dura institutions export`: the whole list, JSON (default) or CSV, to stdout or a file. */
async function exportInstitutions(options: ExportFlags): Promise<void> {
  const csv = options.csv || (!options.json && /\.csv$/i.test(options.output ?? ''));
  const { exportRegistry } = await import('../../activities/records/registry-io');
  const { registryCsv, registryJson } = await import('../../common/registry-file');
  const list = await withStore((store) => exportRegistry(store.db));
  // A CSV file starts with a byte-order mark, so that Excel reads it as UTF-8.
  const text = csv ? registryCsv(list, { bom: options.output !== undefined }) : registryJson(list);
  if (options.output === undefined) {
    process.stdout.write(text);
    return;
  }
  const fs = await import('node:fs');
  try {
    fs.writeFileSync(options.output, text);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message.split('\n')[0];
    throw new UserError(`--output: cannot write ${options.output}: ${reason}`);
  }
  process.stdout.write(
    `exported ${list.length} institution(s) to ${options.output} (${csv ? 'CSV' : 'JSON'})\n`,
  );
}

function profileView(p: InstitutionProfile): string {
  const lines = [`${p.name} (${p.id})`, `  domains: ${p.domains.join(', ')}`];
  for (const t of p.tiers) {
    const by = t.agreementId ? ` (${t.agreementId})` : ' (imported)';
    const rule =
      t.rule === 'domains'
        ? 'any address at its domains'
        : `only the ${t.addresses.length} address(es) listed`;
    lines.push(`  ${t.tier} since ${t.listedOn}${by}; rule ${t.rule}: ${rule}`);
    if (t.rule === 'individual')
      for (const a of t.addresses)
        lines.push(`    ${a.email} since ${a.listedOn}${a.agreementId ? ` (${a.agreementId})` : ''}`);
  }
  if (p.tiers.length === 0) lines.push('  no tier listed');
  lines.push(
    p.officials.length
      ? `  signing officials: ${p.officials.map((o) => `${o.name} <${o.email}>${o.title ? `, ${o.title}` : ''}`).join('; ')}`
      : '  signing officials: none recorded',
  );
  if (p.contractingContact) lines.push(`  contracting contact: ${p.contractingContact}`);
  return lines.join('\n');
}
