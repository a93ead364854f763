/**
 * The whole Registered Institutions list as a file: what `dura institutions export` writes and
 * `dura institutions import` reads back (an upsert: the export imported into an empty database exports
 * the same again). Two forms of one content: JSON (the content and its zod schema are
 * registry-file-schema.ts) and CSV (its columns are registry-file-csv.ts). This file tells the forms
 * apart, reads either with every problem in file order, and writes the JSON. The older CSV of three
 * columns, `domain,name,tiers` (registry-csv.ts), is still read as it always was.
 */
import { formatProblem, readCsv, type CsvProblem } from './csv';
import { columnOf, CSV_COLUMNS, headerOf, parseCsv } from './registry-file-csv';
import {
  validateEntry,
  type EntryPath,
  type FileInstitution,
  type FileProblem,
  type ImportEntry,
  type ParsedRegistryFile,
} from './registry-file-schema';

/** `csv-domain-name-tiers`: the older CSV (registry-csv.ts). */
export type RegistryFileFormat = 'json' | 'csv' | 'csv-domain-name-tiers';

const OLD_COLUMNS = ['domain', 'name', 'tiers'];

/**
 * Which form the file is in: by its extension (.json, .csv), else by its content (JSON starts with `[`
 * or `{`). A CSV whose header is exactly `domain,name,tiers` is the older form (registry-csv.ts).
 */
export function registryFileFormat(file: string, text: string): RegistryFileFormat {
  const ext = /\.([a-z0-9]+)$/i.exec(file)?.[1]?.toLowerCase();
  const json = ext === 'json' || (ext !== 'csv' && /^\s*[[{]/.test(text));
  if (json) return 'json';
  const header = headerOf(readCsv(text)[0]?.fields ?? []);
  const old = header.length === OLD_COLUMNS.length && OLD_COLUMNS.every((c) => header.includes(c));
  return old ? 'csv-domain-name-tiers' : 'csv';
}

/** Parses and validates a JSON or CSV (the export's columns) file; `entries` holds the valid ones. */
export function parseRegistryFile(text: string, format: 'json' | 'csv'): ParsedRegistryFile {
  const parsed = format === 'json' ? parseJson(text) : parseCsv(text);
  // A fatal file's rows are checked all the same (every problem at once), and none is kept.
  const entries = withoutRepeats(parsed.entries, parsed.problems);
  return { ...parsed, entries: parsed.fatal ? [] : entries, problems: sortProblems(parsed.problems) };
}

/** A problem at the path of an institution read from the file (its CSV column, or its JSON path). */
export function problemAt(entry: Pick<ImportEntry, 'source'>, path: EntryPath, message: string): FileProblem {
  return 'line' in entry.source
    ? { line: entry.source.line, field: columnOf(path), message }
    : { path: jsonPath([entry.source.index, ...path]), message };
}

export function formatFileProblem(problem: FileProblem): string {
  return 'path' in problem ? `${problem.path}: ${problem.message}` : formatProblem(problem);
}

/** Marks the institutions sharing a domain with an earlier one invalid; returns those kept. */
function withoutRepeats(entries: ImportEntry[], problems: FileProblem[]): ImportEntry[] {
  const owner = new Map<string, { entry: ImportEntry; path: EntryPath }>();
  return entries.filter((entry) => {
    const repeats: FileProblem[] = [];
    for (const [d, path] of entry.domainPaths) {
      const first = owner.get(d);
      if (!first) continue;
      const where =
        'line' in first.entry.source
          ? `line ${first.entry.source.line}`
          : jsonPath([first.entry.source.index, ...first.path]);
      repeats.push(problemAt(entry, path, `${d} repeats ${where}`));
    }
    if (repeats.length) problems.push(...repeats);
    else for (const [d, path] of entry.domainPaths) owner.set(d, { entry, path });
    return repeats.length === 0;
  });
}

/** The JSON form read institution by institution, each one's problems by its path. */
function parseJson(textIn: string): ParsedRegistryFile {
  const fatal = (message: string): ParsedRegistryFile => ({
    format: 'json',
    entries: [],
    problems: [{ path: '$', message }],
    fatal: true,
  });
  let value: unknown;
  try {
    value = JSON.parse(textIn);
  } catch (err) {
    return fatal(`not JSON: ${jsonError(textIn, (err as Error).message)}`);
  }
  if (!Array.isArray(value)) return fatal('expected an array of institutions');
  const problems: FileProblem[] = [];
  const entries: ImportEntry[] = [];
  value.forEach((item, index) => {
    const result = validateEntry(item);
    if (result.problems)
      problems.push(
        ...result.problems.map((p) => ({ path: jsonPath([index, ...p.path]), message: p.message })),
      );
    else entries.push({ ...result.entry, source: { index } });
  });
  return { format: 'json', entries, problems, fatal: false };
}

/** JSON.parse's message with the position as a line and column. */
function jsonError(textIn: string, message: string): string {
  const at = /at position (\d+)/.exec(message);
  if (!at) return message;
  const before = textIn.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  const column = Number(at[1]) - before.lastIndexOf('\n');
  return `${message.replace(/\s*(in JSON )?at position \d+.*$/, '')} (line ${line}, column ${column})`;
}

/** `[3].officials[0].email` */
function jsonPath(path: EntryPath): string {
  return path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('');
}

/** In file order: by line, then by column in CSV_COLUMNS' order; by index in the JSON array. */
function sortProblems(problems: FileProblem[]): FileProblem[] {
  const column = (p: CsvProblem) => {
    const i = (CSV_COLUMNS as readonly string[]).indexOf(p.field);
    return i < 0 ? -1 : i;
  };
  const index = (p: { path: string }) => Number(/^\[(\d+)\]/.exec(p.path)?.[1] ?? -1);
  return problems
    .map((p, order) => ({ p, order }))
    .sort((a, b) => {
      if ('line' in a.p && 'line' in b.p)
        return a.p.line - b.p.line || column(a.p) - column(b.p) || a.order - b.order;
      if ('path' in a.p && 'path' in b.p) return index(a.p) - index(b.p) || a.order - b.order;
      return a.order - b.order;
    })
    .map(({ p }) => p);
}

/** The JSON form: the array, two-space indented. */
export function registryJson(institutions: readonly FileInstitution[]): string {
  return `${JSON.stringify(institutions, null, 2)}\n`;
}
