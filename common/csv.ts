/**
 * CSV as the access team's spreadsheets export it, read with csv-parse: comma-, tab- or semicolon-
 * separated (Excel's "CSV", "Unicode text", European "CSV"), CRLF, LF or CR, each record with the line
 * it starts on so that every problem can name its line; and written for `dura report --csv`.
 */
import { parse, CsvError } from 'csv-parse/sync';

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
  /** The record could not be read (a quote never closed, text after a closing quote): it is the last. */
  error?: string;
}

/**
 * Records with at least one non-blank field, their fields trimmed; a byte-order mark is ignored. The
 * separator is the header's: a comma, else a tab or a semicolon if the first line has one and no comma.
 * Reading stops at a record csv-parse cannot read, which comes last with its `error`.
 */
export function readCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  try {
    parse(text, {
      bom: true,
      delimiter: delimiterOf(text),
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true, // the readers say which row has too many or too few fields
      relax_quotes: true, // a quote inside an unquoted value is a character, as Excel reads it
      trim: true, // spaces around a quoted value, as hand-edited files have them
      raw: true,
      on_record: (out) => {
        // With raw, csv-parse hands on_record { record, raw } (its types do not say so). The line is
        // counted from the raw text: csv-parse's info.lines miscounts CRLF inside quoted fields.
        const { record, raw } = out as unknown as { record: string[]; raw: string };
        if (record.some((f) => f !== '')) records.push({ line, fields: record });
        line += lineBreaks(raw);
        return null;
      },
    });
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    records.push({ line, fields: [], error: `${readError(err)}; nothing after it was read` });
  }
  return records;
}

/** A CSV file as a table: the header's names and the rows under them. */
export interface CsvTable {
  /** The header's names as typed (trimmed), by position; '' for a column without a name. */
  header?: { line: number; names: string[] };
  /** Rows with as many fields as the header names, trimmed, blank rows left out. */
  rows: Array<{ line: number; cells: string[] }>;
  /** Rows that could not be read or have too many or too few fields, and unnamed columns with values. */
  problems: CsvProblem[];
  /** True when rows are missing (reading stopped) or a column is unnamed: nothing can be imported. */
  fatal: boolean;
}

/**
 * The file's header and rows. Columns after the last name, as spreadsheets export them (`,,,`), are
 * ignored while blank; so is a column without a name anywhere while blank. A value under no name is a
 * problem at the header naming the column's position: `line 1, column 7: no header, but line 4 has a value`.
 */
export function readTable(text: string): CsvTable {
  const [first, ...body] = readCsv(text);
  if (!first) return { rows: [], problems: [], fatal: false };
  if (first.error) return { rows: [], problems: [rowProblem(first.line, first.error)], fatal: true };
  const names = first.fields;
  let width = names.length;
  while (width > 0 && names[width - 1] === '') width--;

  const rows: CsvTable['rows'] = [];
  const problems: CsvProblem[] = [];
  const unnamed = new Map<number, number>(); // column index → the first line with a value there
  let fatal = false;
  for (const { line, fields, error } of body) {
    if (error) {
      problems.push(rowProblem(line, error));
      fatal = true;
      continue;
    }
    const beyond = fields.slice(names.length).some((f) => f !== '');
    if (beyond || fields.length < width) {
      const hint = beyond ? ` (quote a value that contains ${separatorInWords(text)})` : '';
      problems.push(rowProblem(line, `expected ${width} fields, found ${fields.length}${hint}`));
      continue;
    }
    names.forEach((name, i) => {
      if (name === '' && fields[i] && !unnamed.has(i)) unnamed.set(i, line);
    });
    rows.push({ line, cells: fields.slice(0, width) });
  }
  const unnamedProblems = [...unnamed]
    .sort(([a], [b]) => a - b)
    .map(([i, line]) => ({
      line: first.line,
      field: `column ${i + 1}`,
      message: `no header, but line ${line} has a value (name the column or clear it)`,
    }));
  return {
    header: { line: first.line, names: names.slice(0, width) },
    rows,
    problems: [...unnamedProblems, ...problems],
    fatal: fatal || unnamedProblems.length > 0,
  };
}

/** A header name as a column key: lower-case, spaces and hyphens as `_` (`Official Email` → official_email). */
export function columnKey(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
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

function rowProblem(line: number, message: string): CsvProblem {
  return { line, field: 'row', message };
}

function lineBreaks(raw: string): number {
  return raw.match(/\r\n|\r|\n/g)?.length ?? 0;
}

/** The file's separator in words (`a semicolon`), for the hint of a row with a field too many. */
export function separatorInWords(text: string): string {
  return { ',': 'a comma', ';': 'a semicolon', '\t': 'a tab' }[delimiterOf(text)] ?? 'the separator';
}

// Excel writes "Unicode text" with tabs and, where the decimal mark is a comma, "CSV" with semicolons.
function delimiterOf(text: string): string {
  const header = /^[^\r\n]*/.exec(text)![0];
  if (header.includes(',')) return ',';
  if (header.includes('\t')) return '\t';
  if (header.includes(';')) return ';';
  return ',';
}

// csv-parse's own messages count lines as info.lines does; the record's line is given beside this.
function readError(err: CsvError): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted value never ends (a quote is missing)';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'text after a closing quote (write a quote inside a quoted value as "")';
    default:
      return err.message.replace(/\s*at line \d+/, '');
  }
}
