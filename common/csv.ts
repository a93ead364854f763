/**
 * CSV as the access team's spreadsheets export it (RFC 4180, CRLF or LF), read with the line each record
 * starts on so that every problem can name its line, and written for `dura report --csv`.
 */

/** A problem with one field of one row; line is the file's physical line (the header is line 1). */
export interface CsvProblem {
  line: number;
  field: string;
  message: string;
}

/** One line per problem, e.g. `line 4, tiers: unknown tier "gold": …`. */
export function formatProblem(problem: CsvProblem): string {
  return `line ${problem.line}, ${problem.field}: ${problem.message}`;
}

export interface CsvRecord {
  /** Where the record starts; a quoted field may span lines. */
  line: number;
  fields: string[];
  error?: string;
}

/** Records with at least one non-blank field; a byte-order mark is ignored. */
export function readCsv(text: string): CsvRecord[] {
  return parseCsv(text.replace(/^\uFEFF/, '')).filter((r) => r.fields.some((f) => f.trim() !== ''));
}

/** One CSV line; a value with a comma, quote or line break is quoted. */
export function csvLine(values: ReadonlyArray<string | number | boolean | null>): string {
  return values
    .map((v) => {
      const text = v === null ? '' : String(v);
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    })
    .join(',');
}

/** RFC 4180 with CRLF or LF; a quoted field may hold commas, `""` and line breaks. */
function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const record: CsvRecord = { line, fields: [] };
    let field = '';
    let quoted = false;
    let wasQuoted = false;
    for (;;) {
      const c = text[i];
      if (c === undefined) {
        if (quoted) record.error = `a quoted field starting on line ${record.line} never ends`;
        record.fields.push(field);
        break;
      }
      i++;
      if (quoted) {
        if (c === '"' && text[i] === '"') {
          field += '"';
          i++;
        } else if (c === '"') quoted = false;
        else {
          if (c === '\n' || (c === '\r' && text[i] !== '\n')) line++;
          field += c;
        }
      } else if (c === '"' && !wasQuoted && field.trim() === '') {
        // Leading spaces before an opening quote (a hand-edited file) are not part of the value.
        field = '';
        quoted = wasQuoted = true;
      } else if (c === ',') {
        record.fields.push(field);
        field = '';
        wasQuoted = false;
      } else if (c === '\r' && text[i] === '\n') {
        continue;
      } else if (c === '\n' || c === '\r') {
        record.fields.push(field);
        line++;
        break;
      } else field += c;
    }
    records.push(record);
  }
  return records;
}
