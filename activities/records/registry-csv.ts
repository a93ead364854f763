/**
 * Import of the Registered Institutions list from CSV (`domain,name,tiers`), as the access team keeps it
 * in a spreadsheet. All or nothing: every bad row is reported with its line and field, and nothing is
 * imported unless all rows are valid (or skipInvalid: the good rows are imported, the rest listed).
 * Empty columns after the last one (as spreadsheets save them) are ignored. The export's CSV and JSON
 * (all of the registry) are common/registry-file.ts.
 */
import { notADomain } from '../../common/address-fields';
import { unlistableDomain } from '../../common/unlistable-domain';
import { z } from 'zod';
import { normalizeDomain, tierNear, TIERS, type Tier } from '../../common/agreement';
import { formatProblem, readCsv, separatorInWords, type CsvProblem } from '../../common/csv';
import { DOMAIN } from '../../common/registry-file-schema';
import type { InstitutionRecord } from '../interfaces';
import type { RecordsStore } from './store';

export type { CsvProblem } from '../../common/csv';
export { formatProblem, DOMAIN };

export interface RegistryCsv {
  rows: InstitutionRecord[];
  problems: CsvProblem[];
}

const COLUMNS = ['domain', 'name', 'tiers'] as const;

const rowSchema = z.object({
  domain: z
    .string()
    .transform(normalizeDomain)
    .pipe(
      z
        .string()
        .min(1, 'is empty')
        .regex(DOMAIN, {
          error: (issue) => `${JSON.stringify(issue.input)}: ${notADomain(String(issue.input))}`,
        })
        .superRefine((domain, ctx) => {
          const unlistable = unlistableDomain(domain);
          if (unlistable) ctx.addIssue({ code: 'custom', message: unlistable });
        }),
    ),
  name: z
    .string()
    .trim()
    .min(1, 'is empty')
    .max(200, 'is longer than 200 characters')
    .refine((v) => !/[\r\n]/.test(v), 'must be on one line'),
  tiers: z.string().transform((value, ctx): Tier[] => {
    const given = value.split(/[;|\s]+/).filter(Boolean);
    const unknown = given.filter((t) => !(TIERS as readonly string[]).includes(t.toLowerCase()));
    if (given.length === 0 || unknown.length > 0) {
      const what = unknown.length ? `unknown tier ${unknown.map((t) => `"${t}"`).join(', ')}: ` : '';
      // As the requests import says it (a trial's "controled" got the list alone here).
      const near = unknown.length === 1 ? tierNear(unknown[0]) : undefined;
      ctx.issues.push({
        code: 'custom',
        input: value,
        message: `${what}expected registered and/or controlled${near ? `; did you mean ${near}?` : ''}`,
      });
      return z.NEVER;
    }
    return TIERS.filter((tier) => given.some((t) => t.toLowerCase() === tier));
  }),
});

/** Parses and validates the whole file; `rows` holds the valid rows only. */
export function parseRegistryCsv(text: string): RegistryCsv {
  const records = readCsv(text);
  const [header, ...body] = records;
  const found = withoutEmptyTail(header?.fields.map((f) => f.trim().toLowerCase()) ?? []);
  if (found.length !== COLUMNS.length || !COLUMNS.every((c) => found.includes(c))) {
    const message = header
      ? `expected the header "domain,name,tiers", found "${header.fields.join(',')}"`
      : 'the file is empty: expected the header "domain,name,tiers"';
    return { rows: [], problems: [{ line: header?.line ?? 1, field: 'header', message }] };
  }

  const rows: InstitutionRecord[] = [];
  const problems: CsvProblem[] = [];
  const seen = new Map<string, number>();
  for (const { line, fields: all, error } of body) {
    const fields = all.length > COLUMNS.length ? withoutEmptyTail(all, COLUMNS.length) : all;
    if (error || fields.length !== COLUMNS.length) {
      const message =
        error ??
        `expected 3 fields, found ${fields.length} (quote a value that contains ${separatorInWords(text)})`;
      problems.push({ line, field: 'row', message });
      continue;
    }
    const values = Object.fromEntries(COLUMNS.map((c) => [c, fields[found.indexOf(c)]]));
    const parsed = rowSchema.safeParse(values);
    const rowProblems: CsvProblem[] = [];
    const reported = new Set<string>();
    for (const issue of parsed.success ? [] : parsed.error.issues) {
      const field = String(issue.path[0] ?? 'row');
      if (!reported.has(field)) rowProblems.push({ line, field, message: issue.message });
      reported.add(field);
    }
    const domain = parsed.success ? parsed.data.domain : undefined;
    const first = domain === undefined ? undefined : seen.get(domain);
    if (first !== undefined)
      rowProblems.push({ line, field: 'domain', message: `${domain} repeats line ${first}` });
    else if (domain !== undefined) seen.set(domain, line);

    if (rowProblems.length) problems.push(...rowProblems.sort(byField));
    else if (parsed.success) rows.push(parsed.data);
  }
  return { rows, problems };
}

/** Validates the file and imports it: nothing when a row is bad, unless skipInvalid. */
export async function importRegistryCsv(
  store: Pick<RecordsStore, 'importInstitutions'>,
  text: string,
  options: { skipInvalid?: boolean; listedOn?: string } = {},
): Promise<{ imported: number; problems: CsvProblem[] }> {
  const { rows, problems } = parseRegistryCsv(text);
  if ((problems.length && !options.skipInvalid) || rows.length === 0) return { imported: 0, problems };
  return { imported: await store.importInstitutions(rows, options.listedOn), problems };
}

/** The fields without the empty ones at the end, keeping at least `keep`. */
function withoutEmptyTail(fields: string[], keep = 0): string[] {
  let end = fields.length;
  while (end > keep && fields[end - 1]!.trim() === '') end--;
  return fields.slice(0, end);
}

function byField(a: CsvProblem, b: CsvProblem): number {
  const order = (p: CsvProblem) => (COLUMNS as readonly string[]).indexOf(p.field);
  return order(a) - order(b);
}
