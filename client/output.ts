/**
 * How the CLI answers: a result as text or JSON on stdout; a user error as one line on stderr and exit
 * 1; an unreachable Temporal or database as one line and exit 2 (design.md, "Contracts").
 */
import { fstatSync } from 'node:fs';
import { fileProblem } from '../common/file-problem';

export class UserError extends Error {}
export class UnreachableError extends Error {}

export interface OutputOptions {
  json?: boolean;
}

/** Prints `value` as JSON with --json, else the human text. */
export function emit(options: OutputOptions, value: unknown, text: () => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

/**
 * Writes CSV `text` to stdout, starting with a byte-order mark when stdout is a file (`> report.csv`):
 * Excel opens a CSV without one as Windows-1252, and `Université` becomes `UniversitÃ©`. Not on a pipe
 * or a terminal, where a program or a person reads it. dura's own imports read either.
 */
export function writeCsv(text: string): void {
  process.stdout.write(stdoutIsFile() ? `\uFEFF${text}` : text);
}

/**
 * Writes `text` to the file `--output` named (a CSV with a byte-order mark, so that Excel reads it as
 * UTF-8); a file that cannot be written is a UserError naming the flag, the path and why.
 */
export async function writeOutputFile(file: string, text: string, csv: boolean): Promise<void> {
  const [fs, { fileProblem }] = await Promise.all([import('node:fs'), import('../common/file-problem')]);
  try {
    fs.writeFileSync(file, csv ? `\uFEFF${text}` : text);
  } catch (err) {
    throw new UserError(`--output: cannot write ${file}: ${fileProblem(err)}`);
  }
}

function stdoutIsFile(): boolean {
  try {
    return fstatSync(1).isFile();
  } catch {
    return false;
  }
}

const UNREACHABLE =
  /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|connect|unavailable|SQLITE_CANTOPEN/i;

/** Maps any error to the contract's exit code and prints its one line. */
export function fail(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  const firstLine = message.split('\n')[0]!;
  if (err instanceof UserError || (err as { name?: string })?.name === 'ConfigError') {
    process.stderr.write(`dura: ${message.split('\n').join('\ndura: ')}\n`);
    process.exit(1);
  }
  // SQLite's write lock held past the busy timeout (activities/records/db.ts) by another process, e.g.
  // a worker in the middle of a write: not the person's mistake, and trying again may well work.
  if ((err as { code?: string })?.code?.startsWith('SQLITE_BUSY')) {
    process.stderr.write(
      `dura: the records database is busy: ${firstLine} (another process holds its write lock; try again)\n`,
    );
    process.exit(2);
  }
  // The engine encrypts (or compresses, with a codec this CLI lacks): the settings, not the person's input.
  const encoding = /Unknown encoding: (binary\/encrypted)/.exec(message);
  if (encoding) {
    process.stderr.write(
      `dura: Temporal's answer is encrypted (${encoding[1]}): set DURA_ENCRYPTION_KEY and ` +
        'DURA_ENCRYPTION_KEY_ID as the engine has them\n',
    );
    process.exit(2);
  }
  if (err instanceof UnreachableError || UNREACHABLE.test(message)) {
    process.stderr.write(`dura: cannot reach ${firstLine}\n`);
    process.exit(2);
  }
  process.stderr.write(`dura: ${firstLine}\n`);
  process.exit(1);
}

/** A file named on the command line, or a user error naming it (`label`: how it was given). */
export function readUserFile(file: string, label: string): string {
  // Loaded here, not at the top: this module is on every command's start-up path.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('node:fs') as typeof import('node:fs');
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new UserError(`${label}: cannot read ${file}: ${fileProblem(err)}`);
  }
  // As a spreadsheet's CSV is read: a BOM, UTF-16 (Notepad's "Unicode") or Windows-1252 (common/text-file.ts).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { decodeText } = require('../common/text-file') as typeof import('../common/text-file');
  try {
    return decodeText(bytes).text;
  } catch (err) {
    throw new UserError(`${label}: ${file}: ${(err as Error).message}`);
  }
}
