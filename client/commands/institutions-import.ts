/**
 * `dura institutions import <file>`: the whole list from the file `institutions export` writes
 * (common/registry-file.ts), or from the older CSV `domain,name,tiers` (registry-csv.ts).
 */
import { emit, UserError, type OutputOptions } from '../output';
import { withStore } from '../records';
import { counted } from '../../common/counted';

/**
 * `dura institutions import <file>`: the CSV `domain,name,tiers` (registry-csv.ts, as it always was
 * read), or the CSV or JSON `institutions export` writes (an upsert: registry-io.ts). Every problem is
 * listed at once and nothing imported (exit 1), unless --skip-invalid (the valid ones are, exit 0).
 */
export async function importInstitutionsFile(
  file: string,
  options: OutputOptions & { skipInvalid?: boolean },
): Promise<void> {
  // Any encoding a spreadsheet saves in: UTF-8, Windows-1252 (Excel's CSV), UTF-16 (Unicode text).
  const { readTextFile } = await import('../../common/text-file');
  let text: string;
  try {
    ({ text } = readTextFile(file));
  } catch (err) {
    throw new UserError((err as Error).message); // `<the path typed>: <why>`
  }
  const { registryFileFormat, parseRegistryFile, formatFileProblem } =
    await import('../../common/registry-file');
  const format = registryFileFormat(file, text);
  if (format === 'csv-domain-name-tiers') return importDomainNameTiers(file, text, options);

  const parsed = parseRegistryFile(text, format);
  const refused = (problems: typeof parsed.problems) => {
    const places = new Set(problems.map((p) => ('line' in p ? p.line : /^\[\d+\]/.exec(p.path)?.[0])));
    const where = parsed.fatal ? '' : ` in ${counted(places.size, format === 'csv' ? 'row' : 'institution')}`;
    return new UserError(
      `${file}: nothing imported; ${counted(problems.length, 'problem')}${where}:\n${problems.map(formatFileProblem).join('\n')}`,
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
      `imported ${counted(result.imported, 'institution')}: ${result.added} added, ${result.changed} changed, ${result.unchanged} unchanged`,
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
    const rows = new Set(parsed.problems.map((p) => p.line)).size;
    throw new UserError(
      `${file}: nothing imported; ${counted(parsed.problems.length, 'problem')} in ${counted(rows, 'row')}:\n${parsed.problems.map(formatProblem).join('\n')}`,
    );
  }
  const { registryImportChanges } = await import('../registry-import-changes');
  const { result, changes } = await withStore(async (store) => {
    const read = (rows: typeof parsed.rows) =>
      Promise.all(rows.map((row) => store.institutionByDomain(row.domain)));
    const before = await read(parsed.rows);
    const result = await importRegistryCsv(store, text, { skipInvalid: options.skipInvalid });
    const after = result.imported ? await read(parsed.rows) : before;
    const rows = parsed.rows.map((row, i) => ({
      domain: row.domain,
      before: before[i] ?? null,
      after: after[i] ?? null,
    }));
    return { result, changes: registryImportChanges(rows) };
  });
  const { lines, ...counts } = changes;
  emit(options, { ...result, ...counts, changes: lines }, () =>
    [
      `imported ${counted(result.imported, 'institution')}: ${counts.added} added, ${counts.changed} changed, ${counts.unchanged} unchanged`,
      ...lines,
      ...result.problems.map((p) => `skipped ${formatProblem(p)}`),
    ].join('\n'),
  );
}
