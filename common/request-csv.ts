/**
 * Requests in bulk, as the access team keeps them in a spreadsheet: one row per request, validated with
 * the same rules as `dura request`, every bad field reported by line and column name. Rows for the same
 * domain stay in file order (the first starts the agreement, the later ones join it).
 */
import type { AgreementRequest } from './agreement';
import { readCsv, type CsvProblem } from './csv';
import { checkRequest } from './request';

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

export interface CsvRequest {
  line: number;
  request: AgreementRequest;
}

export interface RequestCsv {
  rows: CsvRequest[];
  problems: CsvProblem[];
}

export function parseRequestCsv(text: string, now = new Date()): RequestCsv {
  const [header, ...body] = readCsv(text);
  const names = header?.fields.map((f) => f.trim().toLowerCase()) ?? [];
  const missing = REQUEST_COLUMNS.filter((c) => !OPTIONAL.includes(c) && !names.includes(c));
  const unknown = names.filter((n) => !(REQUEST_COLUMNS as readonly string[]).includes(n));
  if (!header || missing.length || unknown.length) {
    const what = [
      missing.length ? `missing ${missing.join(', ')}` : '',
      unknown.length ? `unknown ${unknown.map((u) => `"${u}"`).join(', ')}` : '',
    ].filter(Boolean);
    const message = `${header ? what.join('; ') : 'the file is empty'}: expected the columns ${REQUEST_COLUMNS.join(',')}`;
    return { rows: [], problems: [{ line: header?.line ?? 1, field: 'header', message }] };
  }

  const rows: CsvRequest[] = [];
  const problems: CsvProblem[] = [];
  for (const { line, fields, error } of body) {
    if (error || fields.length !== names.length) {
      const message =
        error ??
        `expected ${names.length} fields, found ${fields.length} (quote a value that contains a comma)`;
      problems.push({ line, field: 'row', message });
      continue;
    }
    const value = (column: Column) => {
      const v = fields[names.indexOf(column)]?.trim();
      return v === '' ? undefined : v;
    };
    const checked = checkRequest(
      {
        institution: { name: value('institution_name'), domain: value('domain') },
        requester: { name: value('requester_name'), email: value('requester_email') },
        signingOfficial: {
          name: value('official_name'),
          email: value('official_email'),
          title: value('official_title'),
        },
        tiers: (value('tiers') ?? '').split(/[;|\s]+/).filter(Boolean),
        receivedAt: value('received_at') ?? now.toISOString(),
      },
      now,
    );
    if ('request' in checked) rows.push({ line, request: checked.request });
    else {
      const fields = new Set<string>();
      for (const issue of checked.issues) {
        // tiers.1 → tiers: a problem names the column, once.
        const field = COLUMN_OF[issue.path.replace(/\.\d+$/, '')] ?? 'row';
        if (!fields.has(field)) problems.push({ line, field, message: issue.message });
        fields.add(field);
      }
    }
  }
  return { rows, problems };
}
