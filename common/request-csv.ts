/**
 * Requests in bulk, as the access team keeps them in a spreadsheet: one row per request, validated with
 * the same rules as `dura request`, every bad field reported by line and column name. Rows for the same
 * domain stay in file order (the first starts the agreement, the later ones join it).
 */
import type { AgreementRequest } from './agreement';
import { columnKey, readTable, type CsvProblem, type CsvTable } from './csv';
import { tierOf, unknownTier } from './registry-file-schema';
import { checkRequest } from './request';
import type { DigitsOrder } from './when';

export const REQUEST_COLUMNS = [
  'institution_name',
  'domain',
  'requester_name',
  'requester_email',
  'official_name',
  'official_email',
  'official_title',
  'tiers',
  'received_at',
] as const;
type Column = (typeof REQUEST_COLUMNS)[number];
/** May be left out of the header or empty: no title; received now. */
const OPTIONAL: readonly Column[] = ['official_title', 'received_at'];

// The request's field paths as column names, so that a problem names what the spreadsheet calls it.
const COLUMN_OF: Record<string, Column> = {
  'institution.name': 'institution_name',
  'institution.domain': 'domain',
  'requester.name': 'requester_name',
  'requester.email': 'requester_email',
  'signingOfficial.name': 'official_name',
  'signingOfficial.email': 'official_email',
  'signingOfficial.title': 'official_title',
  tiers: 'tiers',
  receivedAt: 'received_at',
};

/** A line that leads with a request field (`requester.email: …`), leading with its column instead. */
export function namedByColumn(line: string): string {
  const field = /^([\w.]+): /.exec(line)?.[1];
  const column = field && COLUMN_OF[field];
  return column ? `${column}${line.slice(field.length)}` : line;
}

export interface CsvRequest {
  line: number;
  request: AgreementRequest;
}

export interface RequestCsv {
  rows: CsvRequest[];
  /** In file order, every one of the file's. */
  problems: CsvProblem[];
  /** The file cannot be imported even in part (a bad header, rows that could not be read). */
  fatal: boolean;
  /** Columns the header names that dura does not read (a spreadsheet's "Notes"), as typed: ignored. */
  ignored: string[];
  /** Each column as the header spells it (`Domain`), for problems found later (the import's plan). */
  columns?: Partial<Record<Column, string>>;
  /**
   * The domain of each row refused for other columns, when the domain itself was not: the plan checks
   * it too (a personal provider's), so every problem is said at once.
   */
  refusedRowDomains?: { line: number; domain: string }[];
}

/**
 * The file's requests (text as text-file.ts decodes it), or its problems by line and column name. The
 * header names the columns in any order and case (`Official Email` is official_email); a tier is spelled
 * as in the registry file (registry-file-schema.ts's tierOf), between `;`, `,`, `|` or spaces. `digits`:
 * how a received_at in digits is read (month-first or day-first); without it, it is refused with readings.
 */
export function parseRequestCsv(text: string, now = new Date(), digits?: DigitsOrder): RequestCsv {
  const table = readTable(text);
  const names = table.header?.names.map(columnKey) ?? [];
  const ignored = (table.header?.names ?? []).filter(
    (n, i) => n && !(REQUEST_COLUMNS as readonly string[]).includes(names[i]!),
  );
  const refused = headerProblem(table, names, ignored);
  if (refused) return { rows: [], problems: refused, fatal: true, ignored };
  // A problem names the column as the header has it (`Received At`), as registration import does.
  const typed = (column: Column | 'row') =>
    column === 'row' ? column : (table.header!.names[names.indexOf(column)] ?? column);

  const rows: CsvRequest[] = [];
  const problems: CsvProblem[] = [...table.problems];
  const refusedRowDomains: { line: number; domain: string }[] = [];
  for (const { line, cells } of table.rows) {
    const value = (column: Column) => {
      const i = names.indexOf(column);
      return i < 0 || cells[i] === '' ? undefined : cells[i];
    };
    const found = new Map<Column | 'row', string>();
    // `registered, controlled` in a quoted cell too (a trial's spreadsheet read "registered," as a tier).
    const typedTiers = (value('tiers') ?? '').split(/[;,|\s]+/).filter(Boolean);
    const unknown = typedTiers.find((t) => !tierOf(t));
    if (unknown) found.set('tiers', unknownTier(unknown));
    const checked = checkRequest(
      {
        institution: { name: value('institution_name'), domain: value('domain') },
        requester: { name: value('requester_name'), email: value('requester_email') },
        signingOfficial: {
          name: value('official_name'),
          email: value('official_email'),
          title: value('official_title'),
        },
        tiers: typedTiers.flatMap((t) => tierOf(t) ?? []),
        receivedAt: value('received_at') ?? now.toISOString(),
      },
      now,
      digits,
    );
    if ('request' in checked && !found.size) {
      rows.push({ line, request: checked.request });
      continue;
    }
    for (const issue of 'issues' in checked ? checked.issues : []) {
      // tiers.1 → tiers: a problem names the column, once.
      const column = COLUMN_OF[issue.path.replace(/\.\d+$/, '')] ?? 'row';
      if (!found.has(column)) found.set(column, issue.message);
    }
    const domain = value('domain');
    if (domain && !found.has('domain')) refusedRowDomains.push({ line, domain });
    // Left to right, as the header has the columns.
    const at = (c: Column | 'row') => (c === 'row' ? -1 : names.indexOf(c));
    for (const [field, message] of [...found].sort(([a], [b]) => at(a) - at(b)))
      problems.push({ line, field: typed(field), message });
  }
  problems.sort((a, b) => a.line - b.line);
  if (table.fatal) return { rows: [], problems, fatal: true, ignored };
  const columns = Object.fromEntries(REQUEST_COLUMNS.map((c) => [c, typed(c)]));
  return { rows, problems, fatal: false, ignored, columns, refusedRowDomains };
}

/**
 * The header's problems, with the columns without a name that hold values; undefined if it is good.
 * Columns it does not read (`unknown`) are no problem alone; beside a missing one they are named too,
 * as they may be its misspelling (`requester_emial`).
 */
function headerProblem(table: CsvTable, names: string[], unknown: string[]): CsvProblem[] | undefined {
  const { header } = table;
  if (!header) return table.problems.length ? table.problems : [headerLine(1, 'the file is empty')];
  const named = names.filter(Boolean);
  const missing = REQUEST_COLUMNS.filter((c) => !OPTIONAL.includes(c) && !named.includes(c));
  const repeated = REQUEST_COLUMNS.filter((c) => named.indexOf(c) !== named.lastIndexOf(c));
  if (!missing.length && !repeated.length) return undefined;
  const what = [
    missing.length ? `missing ${missing.join(', ')}` : '',
    unknown.length ? `unknown ${unknown.map((u) => `"${u}"`).join(', ')}` : '',
    repeated.length ? `${repeated.join(', ')} more than once` : '',
  ].filter(Boolean);
  return [headerLine(header.line, what.join('; ')), ...table.problems.filter((p) => p.line === header.line)];
}

function headerLine(line: number, what: string): CsvProblem {
  return { line, field: 'header', message: `${what}: expected the columns ${REQUEST_COLUMNS.join(',')}` };
}
