/**
 * `dura institutions show` and `export`: one institution as the registry and the records have it, and
 * the whole list as a file (common/registry-file.ts). The registry's changes are institutions-changes.ts;
 * `institutions import` is institutions-import.ts.
 */
import { Option, type Command } from 'commander';
import { asciiDomain } from '../../common/idn';
import type { InstitutionProfile } from '../../activities/records/store';
import type { AgreementStatus } from '../../common/agreement';
import { emit, UserError, writeCsv, writeOutputFile, type OutputOptions } from '../output';
import { withStore } from '../records';
import { registerInstitutionChangeCommands } from './institutions-changes';
import { registerInstitutionRemoval } from './institutions-remove';
import { counted } from '../../common/counted';

export function registerInstitutionCommands(institutions: Command): void {
  institutions
    .command('show <domain>')
    .description(
      'one institution: its domains, tiers (rule, since when, by which agreement), officials, agreements',
    )
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      "\nExample (an address shows its domain's institution):\n  dura institutions show uw.edu",
    )
    .action(async (domain: string, options: OutputOptions) => {
      // An address typed for its institution (`ada@uw.edu`) shows its domain's.
      const wanted = asciiDomain(domain.includes('@') ? domain.slice(domain.lastIndexOf('@') + 1) : domain);
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
      const { officialsOf } = await import('../../common/agreement');
      const runs = agreements.map((a) => {
        const status = JSON.parse(a.status_json) as AgreementStatus;
        return {
          agreementId: a.agreement_id,
          kind: a.kind,
          // A renewal is recorded as a new agreement that names the one it renews (issue 18).
          renews: status.renews ?? null,
          stage: a.stage,
          tiers: a.tiers ? a.tiers.split(',') : [],
          receivedAt: a.received_at,
          executedAt: a.executed_at,
          // The day the institution signed (a New York date), which the access team knows it by.
          signedOn: status.signedOn ?? null,
          officials: officialsOf(status).map((o) => ({
            name: o.name,
            email: o.email,
            ...(o.title ? { title: o.title } : {}),
          })),
        };
      });
      const { table, shortReceived } = await import('../format');
      emit(options, { domain: wanted, listed, registry: profile, agreements: runs }, () =>
        [
          [
            profile ? profileView(profile) : `${wanted}: not on the Registered Institutions list`,
            ...officialsOnAgreements(profile?.officials ?? [], runs),
          ].join('\n'),
          runs.length
            ? table(
                ['AGREEMENT', 'KIND', 'STAGE', 'TIERS', 'RECEIVED', 'SIGNED'],
                runs.map((r) => [
                  r.agreementId,
                  r.renews ? `renewal of ${r.renews}` : r.kind,
                  r.stage,
                  r.tiers.join(','),
                  shortReceived(r.receivedAt),
                  r.signedOn ?? '-',
                ]),
              )
            : 'no agreements in the records',
        ].join('\n\n'),
      );
    });

  // Between show and export, where `dura institutions --help` has always listed them.
  registerInstitutionChangeCommands(institutions);
  registerInstitutionRemoval(institutions);

  institutions
    .command('export')
    .description(
      'the whole list: every institution with its domains, tiers (rule, since when, agreement, addresses), officials, contracting and report contacts',
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

interface ExportFlags {
  csv?: boolean;
  json?: boolean;
  output?: string;
}

/** `dura institutions export`: the whole list, JSON (default) or CSV, to stdout or a file. */
async function exportInstitutions(options: ExportFlags): Promise<void> {
  const csv = options.csv || (!options.json && /\.csv$/i.test(options.output ?? ''));
  const { exportRegistry } = await import('../../activities/records/registry-io');
  const { registryJson } = await import('../../common/registry-file');
  const { registryCsv } = await import('../../common/registry-file-csv');
  const list = await withStore((store) => exportRegistry(store.db));
  // A CSV file gets its byte-order mark where it is written (writeCsv, writeOutputFile).
  const text = csv ? registryCsv(list) : registryJson(list);
  if (options.output === undefined) {
    if (csv) writeCsv(text);
    else process.stdout.write(text);
    return;
  }
  await writeOutputFile(options.output, text, csv);
  process.stdout.write(
    `exported ${counted(list.length, 'institution')} to ${options.output} (${csv ? 'CSV' : 'JSON'})\n`,
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
    // A lapsed tier (issue 18) stays on the list, not in force: its agreement's end date passed unrenewed.
    const lapsed = t.lapsedOn
      ? `; lapsed on ${t.lapsedOn}${t.lapsedBy ? ` (${t.lapsedBy} not renewed)` : ''}`
      : '';
    lines.push(`  ${t.tier} since ${t.listedOn}${by}; rule ${t.rule}: ${rule}${lapsed}`);
    if (t.rule === 'individual')
      for (const a of t.addresses)
        lines.push(
          `    ${a.email} since ${a.listedOn}${a.agreementId ? ` (${a.agreementId})` : ''}` +
            (a.lapsedOn ? `; lapsed on ${a.lapsedOn}` : ''),
        );
  }
  if (p.tiers.length === 0) lines.push('  no tier listed');
  lines.push(
    p.officials.length
      ? `  signing officials: ${p.officials.map((o) => `${o.name} <${o.email}>${o.title ? `, ${o.title}` : ''}`).join('; ')}`
      : '  signing officials: none on the list',
  );
  if (p.contractingContact) lines.push(`  contracting contact: ${p.contractingContact}`);
  if (p.reportContact) lines.push(`  report contact: ${p.reportContact} (the monthly registration report)`);
  return lines.join('\n');
}

/**
 * The signing officials its agreements named that the list does not (the list has them only from an
 * import or `add-official`), each with the agreements that named them: one line, or none.
 */
function officialsOnAgreements(
  listed: Array<{ email: string }>,
  runs: Array<{ agreementId: string; stage: string; officials: Array<{ name: string; email: string }> }>,
): string[] {
  const known = new Set(listed.map((o) => o.email.toLowerCase()));
  const named = new Map<string, { name: string; email: string; ids: string[] }>();
  // A covered request (not-needed) names the official its requester typed, whom no agreement asked.
  for (const run of runs.filter((r) => r.stage !== 'not-needed'))
    for (const o of run.officials) {
      const key = o.email.toLowerCase();
      if (known.has(key)) continue;
      const seen = named.get(key) ?? { ...o, ids: [] };
      seen.ids.push(run.agreementId);
      named.set(key, seen);
    }
  if (!named.size) return [];
  const who = [...named.values()].map((o) => `${o.name} <${o.email}> (${o.ids.join(', ')})`);
  return [`  signing officials on its agreements: ${who.join('; ')}`];
}
