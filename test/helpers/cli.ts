/** Runs the real `dura` CLI as a subprocess (as built, or from the sources: cli-entry.ts) and captures its answer. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliEntry } from './cli-entry';

const root = path.join(__dirname, '..', '..');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Asynchronous, so that a worker running in the test's own process keeps working meanwhile. */
export function dura(args: string[], env: NodeJS.ProcessEnv = {}, cwd = root): Promise<CliResult> {
  return run(process.execPath, [...cliEntry(), ...args], env, cwd);
}

/**
 * The CLI on a terminal, as the access team runs it: util-linux `script` gives it a pseudo-terminal, so
 * what it writes to stdout and stderr arrives together in `stdout`, as a person would see it.
 */
export function duraOnTerminal(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
  const command = [process.execPath, ...cliEntry(), ...args].map(quote);
  return run('script', ['-qec', command.join(' '), '/dev/null'], env, root);
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<CliResult> {
  const child = spawn(file, args, {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The CLI with its stdout redirected to `file` (`dura report --csv > report.csv`); stdout is then the file's. */
export async function duraToFile(args: string[], env: NodeJS.ProcessEnv, file: string): Promise<CliResult> {
  const out = fs.openSync(file, 'w');
  try {
    const child = spawn(process.execPath, [...cliEntry(), ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', out, 'pipe'],
      timeout: 60_000,
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const status = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    return { status, stdout: fs.readFileSync(file, 'utf8'), stderr };
  } finally {
    fs.closeSync(out);
  }
}

/** `dura request`'s arguments for a registered-tier request from `requester` at `domain`, with `extra`. */
export function requestArgs(domain: string, requester = `ada@${domain}`, ...extra: string[]): string[] {
  return [
    'request',
    ...['--institution-name', `University of ${domain}`, '--domain', domain],
    ...['--requester-name', 'Ada Researcher', '--requester-email', requester],
    ...['--official-name', 'Sam Signer', '--official-email', `osp@${domain}`, '--tier', 'registered'],
    ...extra,
  ];
}
