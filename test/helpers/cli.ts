/** Runs the real `dura` CLI as a subprocess (TypeScript sources through tsx) and captures its answer. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.join(__dirname, '..', '..');
const tsx = pathToFileURL(path.join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function dura(args: string[], env: NodeJS.ProcessEnv = {}, cwd = root): CliResult {
  const result = spawnSync(
    process.execPath,
    ['--import', tsx, path.join(root, 'client', 'main.ts'), ...args],
    {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
