/**
 * The CSV form of the Registered Institutions file (common/registry-file.ts): one row per institution,
 * the columns `domain,name,tiers,domains,rules,addresses,officials,contracting_contact,report_contact`
 * (on import: `domain` and `name` required, the others optional, in any order; an empty cell says nothing). A list
 * cell has its items between `;` (written `\;` inside an item, and `\` as `\\`), each in a compact form:
 *
 *   tiers        `<tier> [<listed-on> [<agreement-id>]]`   registered 2025-03-31 dura-uw.edu;controlled 2025-06-02
 *   domains      `<domain>`                               uw.edu;washington.edu
 *   rules        `<tier>=<rule>`                          registered=domains;controlled=individual
 *   addresses    `<tier>=<email> [<listed-on> [<agreement-id>]]`   controlled=ada@uw.edu 2025-06-02 uw.edu-2
 *   officials    `<name> <<email>> [(<title>)]`            Sam Signer <osp@uw.edu> (Director)
 *
 * `contracting_contact` and `report_contact` are one address each. A row is read into the JSON form and validated by its schema
 * (registry-file-schema.ts), so that both forms say the same things about the same mistakes.
 */
import { stringify } from 'csv-stringify/sync';
import { columnKey, formatProblem, readTable, type CsvProblem } from './csv';
import {
  validateEntry,
  type EntryPath,
  type EntryProblem,
  type FileInstitution,
  type FileProblem,
  type ImportEntry,
  type ParsedRegistryFile,
} from './registry-file-schema';

/** The columns in the order the export writes them. */
export const CSV_COLUMNS = [
  'domain',
  'name',
  'tiers',
  'domains',
  'rules',
  'addresses',
  'officials',
  'contracting_contact',
  'report_contact',
] as const;
type Column = (typeof CSV_COLUMNS)[number];

/** The header's names as column keys (csv.ts's columnKey), empty trailing columns left out. */
export function headerOf(fields: string[]): string[] {
  const names = fields.map(columnKey);
  while (names.length && names[names.length - 1] === '') names.pop();
  return names;
}

/**
 * The CSV form read row by row, each row's problems by line and column (csv.ts's readTable: unnamed
 * columns, rows of the wrong length, a quote never closed). Domains repeated across rows and the
 * problems' order are left to parseRegistryFile, the same for both forms.
 */
export function parseCsv(textIn: string): ParsedRegistryFile {
  const table = readTable(textIn);
  const { header } = table;
  const names = headerOf(header?.names ?? []);
  const headerProblems: string[] = [];
  if (!header && !table.problems.length) headerProblems.push('the file is empty');
  names.forEach((n, i) => {
    if (n === '') return; // no name: readTable's, ignored while blank
    if (!(CSV_COLUMNS as readonly string[]).includes(n))
      headerProblems.push(`unknown column "${header!.names[i]}"`);
    else if (names.indexOf(n) !== i) headerProblems.push(`column ${n} repeats`);
  });
  for (const required of ['domain', 'name'])
    if (header && !names.includes(required)) headerProblems.push(`no column ${required}`);
  if (headerProblems.length || !header) {
    const line = header?.line ?? 1;
    const message = `${headerProblems.join('; ')}: expected the columns ${CSV_COLUMNS.join(',')} (domain and name required)`;
    return {
      format: 'csv',
      entries: [],
      problems: [
        ...(headerProblems.length ? [{ line, field: 'header', message }] : []),
        ...table.problems.filter((p) => p.line === line),
      ],
      fatal: true,
    };
  }

  const problems: FileProblem[] = [...table.problems];
  const entries: ImportEntry[] = [];
  for (const { line, cells: fields } of table.rows) {
    const cells = Object.fromEntries(names.flatMap((n, i) => (n ? [[n, fields[i] ?? '']] : []))) as Partial<
      Record<Column, string>
    >;
    const { value, items, problems: cellProblems, unread } = rowValue(cells);
    const result = validateEntry(value);
    const schemaProblems = (result.problems ?? []).filter((p) => !unread.has(itemKey(p.path)));
    const found = [...cellProblems, ...schemaProblems].map((p) => {
      const item = items.get(itemKey(p.path));
      // A message that quotes no value says which item it is about.
      const message = item && !p.message.includes('"') ? `"${item}": ${p.message}` : p.message;
      return { line, field: columnOf(p.path), message };
    });
    if (found.length) problems.push(...uniqueProblems(found));
    else if (!result.problems) entries.push({ ...result.entry, source: { line } });
  }
  // Rows are missing (reading stopped) or a column has no name: every problem listed, nothing imported.
  return { format: 'csv', entries, problems, fatal: table.fatal };
}

/**
 * A CSV row as the JSON form of an institution (validated by the same schema), with the text of each
 * list item by its path (to quote it in a problem) and the problems of items that have no such form.
 */
function rowValue(cells: Partial<Record<Column, string>>): {
  value: Record<string, unknown>;
  items: Map<string, string>;
  problems: EntryProblem[];
  unread: Set<string>;
} {
  const items = new Map<string, string>();
  // Items with no such form (already a problem): the schema's complaints about them are left out.
  const unread = new Set<string>();
  const problems: EntryProblem[] = [];
  const value: Record<string, unknown> = { id: cells.domain ?? '', name: cells.name ?? '' };
  const list = (cell: string | undefined) => splitList(cell ?? '');

  if (cells.domains) {
    value.domains = list(cells.domains);
    list(cells.domains).forEach((d, j) => items.set(`domains.${j}`, d));
  }

  const tiers: Array<Record<string, unknown> & { addresses: unknown[] }> = [];
  const tierIndex = new Map<string, number>();
  list(cells.tiers).forEach((item, k) => {
    const [name, listedOn, agreement, ...rest] = item.split(/\s+/);
    items.set(`tiers.${k}`, item);
    if (rest.length)
      problems.push({ path: ['tiers', k], message: 'expected <tier> [<listed-on> [<agreement-id>]]' });
    tiers.push({
      tier: name,
      ...(listedOn === undefined ? {} : { listedOn }),
      ...(agreement === undefined ? {} : { agreementId: agreement }),
      addresses: [],
    });
    if (!tierIndex.has(name!.toLowerCase())) tierIndex.set(name!.toLowerCase(), k);
  });
  const ofTier = (name: string, path: EntryPath, form: string): number | undefined => {
    const k = tierIndex.get(name.trim().toLowerCase());
    if (k === undefined)
      problems.push({
        path,
        message: name.trim() ? `the tier ${name.trim()} is not in tiers` : `expected ${form}`,
      });
    return k;
  };

  list(cells.rules).forEach((item, r) => {
    const eq = item.indexOf('=');
    const k = ofTier(eq < 0 ? '' : item.slice(0, eq), ['rules', r], '<tier>=<rule>');
    if (k === undefined) {
      items.set(`rules.${r}`, item);
      return;
    }
    items.set(`tiers.${k}.rule`, item);
    if (tiers[k]!.rule !== undefined)
      problems.push({ path: ['tiers', k, 'rule'], message: 'a second rule for the tier' });
    tiers[k]!.rule = item.slice(eq + 1).trim();
  });

  list(cells.addresses).forEach((item, a) => {
    const eq = item.indexOf('=');
    const k = ofTier(
      eq < 0 ? '' : item.slice(0, eq),
      ['addresses', a],
      '<tier>=<email> [<listed-on> [<agreement-id>]]',
    );
    if (k === undefined) {
      items.set(`addresses.${a}`, item);
      return;
    }
    const [address, listedOn, agreement, ...rest] = item
      .slice(eq + 1)
      .trim()
      .split(/\s+/);
    const m = tiers[k]!.addresses.length;
    items.set(`tiers.${k}.addresses.${m}`, item);
    if (rest.length)
      problems.push({
        path: ['tiers', k, 'addresses', m],
        message: 'expected <tier>=<email> [<listed-on> [<agreement-id>]]',
      });
    tiers[k]!.addresses.push({
      email: address,
      ...(listedOn === undefined ? {} : { listedOn }),
      ...(agreement === undefined ? {} : { agreementId: agreement }),
    });
  });
  if (tiers.length) value.tiers = tiers;

  const officials: unknown[] = [];
  list(cells.officials).forEach((item) => {
    const m = officials.length;
    items.set(`officials.${m}`, item);
    const match = /^(.*)<([^<>]*)>\s*(?:\((.*)\))?$/s.exec(item);
    if (!match) {
      problems.push({ path: ['officials', m], message: 'expected <name> <<email>> [(<title>)]' });
      unread.add(`officials.${m}`);
      officials.push({});
      return;
    }
    officials.push({ name: match[1]!.trim(), email: match[2]!, title: match[3] ?? null });
  });
  if (officials.length) value.officials = officials;
  if (cells.contracting_contact) value.contractingContact = cells.contracting_contact;
  if (cells.report_contact) value.reportContact = cells.report_contact;
  return { value, items, problems, unread };
}

/** The list item a path is in: `tiers.1`, `tiers.1.rule`, `tiers.1.addresses.0`, `officials.2`. */
function itemKey(path: EntryPath): string {
  const [head, i, sub, j] = path;
  if (head === 'tiers' && sub === 'addresses') return `tiers.${i}.addresses.${j}`;
  if (head === 'tiers' && sub === 'rule') return `tiers.${i}.rule`;
  return `${head}.${i}`;
}

/** The CSV column of a path in the JSON form. */
export function columnOf(path: EntryPath): string {
  const [head, , sub] = path;
  if (head === 'id') return 'domain';
  if (head === 'contractingContact') return 'contracting_contact';
  if (head === 'reportContact') return 'report_contact';
  if (head === 'tiers' && sub === 'addresses') return 'addresses';
  if (head === 'tiers' && sub === 'rule') return 'rules';
  return String(head ?? 'row');
}

function uniqueProblems(problems: CsvProblem[]): CsvProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => !seen.has(formatProblem(p)) && !!seen.add(formatProblem(p)));
}

/** A list cell's items: split at `;` (not `\;`), `\x` read as x, trimmed, empty ones left out. */
export function splitList(cell: string): string[] {
  const items: string[] = [];
  let item = '';
  for (let i = 0; i < cell.length; i++) {
    const c = cell[i]!;
    if (c === '\\' && i + 1 < cell.length) item += cell[++i];
    else if (c === ';') {
      items.push(item);
      item = '';
    } else item += c;
  }
  items.push(item);
  return items.map((s) => s.trim()).filter(Boolean);
}

/** The items as one list cell: `;` between them, `;` and `\` inside an item escaped with `\`. */
export function joinList(items: readonly string[]): string {
  return items.map((s) => s.replace(/[\\;]/g, (c) => `\\${c}`)).join(';');
}

/** The CSV form: the header, then one row per institution (csv-stringify quotes what needs it). */
export function registryCsv(institutions: readonly FileInstitution[]): string {
  const dated = (first: string, listedOn: string, agreement: string | null) =>
    [first, listedOn, agreement].filter(Boolean).join(' ');
  return stringify(
    institutions.map((i) => [
      i.id,
      i.name,
      joinList(i.tiers.map((t) => dated(t.tier, t.listedOn, t.agreementId))),
      joinList(i.domains),
      joinList(i.tiers.map((t) => `${t.tier}=${t.rule}`)),
      joinList(
        i.tiers.flatMap((t) =>
          t.addresses.map((a) => dated(`${t.tier}=${a.email}`, a.listedOn, a.agreementId)),
        ),
      ),
      joinList(i.officials.map((o) => `${o.name} <${o.email}>${o.title ? ` (${o.title})` : ''}`)),
      i.contractingContact ?? '',
      i.reportContact ?? '',
    ]),
    { header: true, columns: [...CSV_COLUMNS], record_delimiter: 'unix' },
  );
}
