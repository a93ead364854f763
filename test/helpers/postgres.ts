/**
 * A real, throwaway PostgreSQL server for one test file: initdb into a temporary directory, started on
 * 127.0.0.1 on a free port with durability off (fast), one empty database; stop() removes it all.
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:<port>/dura_test (trust authentication: no password). */
  url: string;
  stop(): Promise<void>;
}

const run = promisify(execFile);

export async function startPostgres(database = 'dura_test'): Promise<TestPostgres> {
  const bin = postgresBinDir();
  const user = runAs();
  // As root, TMPDIR may sit under /root, which the postgres user cannot traverse.
  const dir = mkdtempSync(path.join(user.root ? '/tmp' : os.tmpdir(), 'dura-pg-'));
  if (user.root) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'postgres.log');
  const pgCtl = (...args: string[]) => user.command(path.join(bin, 'pg_ctl'), ['-D', data, ...args]);

  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    if (existsSync(path.join(data, 'postmaster.pid'))) {
      const [cmd, args] = pgCtl('stop', '-m', 'immediate', '-w');
      try {
        execFileSync(cmd, args, { stdio: 'ignore' });
      } catch {
        // Already gone: nothing to stop.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // A test run that dies (or mocha --exit) must not leave a server behind.
  process.on('exit', stopSync);

  try {
    const port = await freePort();
    await run(
      ...user.command(path.join(bin, 'initdb'), [
        '-D',
        data,
        '--auth=trust',
        '-U',
        'postgres',
        '--no-sync',
        '-E',
        'UTF8',
        '--locale=C',
      ]),
    );
    const options = [
      '-c listen_addresses=127.0.0.1',
      `-c port=${port}`,
      `-c unix_socket_directories='${dir}'`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    await run(...pgCtl('start', '-w', '-t', '60', '-l', log, '-o', options));

    const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
    await withClient(admin, (client) => client.query(`create database "${database}"`));
    const url = `postgres://postgres@127.0.0.1:${port}/${database}`;
    return {
      url,
      stop: () => {
        process.off('exit', stopSync);
        stopSync();
        return Promise.resolve();
      },
    };
  } catch (error) {
    const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '';
    process.off('exit', stopSync);
    stopSync();
    throw new Error(`could not start PostgreSQL: ${(error as Error).message}${tail ? `\n${tail}` : ''}`, {
      cause: error,
    });
  }
}

/** The directory holding initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<newest>/bin. */
export function postgresBinDir(): string {
  const has = (dir: string) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'));
  const onPath = (process.env.PATH ?? '').split(path.delimiter).find((dir) => dir && has(dir));
  if (onPath) return onPath;
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian) ? readdirSync(debian).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => path.join(debian, v, 'bin')).find(has);
  if (found) return found;
  throw new Error(
    'PostgreSQL (initdb, pg_ctl) not found on PATH nor under /usr/lib/postgresql/*/bin: ' +
      'run `bash scripts/setup-postgres.sh`',
  );
}

interface RunAs {
  root: boolean;
  uid: number;
  gid: number;
  command(cmd: string, args: string[]): [string, string[]];
}

/** Runs commands as the `postgres` system user (created if missing) when this process is root. */
function runAs(): RunAs {
  if (process.getuid?.() !== 0) {
    return { root: false, uid: -1, gid: -1, command: (cmd, args) => [cmd, args] };
  }
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    id('-u');
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
  }
  return {
    root: true,
    uid: id('-u'),
    gid: id('-g'),
    command: (cmd, args) => ['runuser', ['-u', 'postgres', '--', cmd, ...args]],
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  // pg_ctl -w waits for "ready"; still retry briefly in case the TCP listener lags behind.
  for (let attempt = 0; ; attempt++) {
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      if (attempt >= 50) throw error;
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    try {
      return await use(client);
    } finally {
      await client.end();
    }
  }
}

/**
 * A records database of the dialect that lives as long as the test file: a SQLite file in a temporary
 * directory, or a throwaway PostgreSQL server. `cleanup` removes it.
 */
export async function throwawayDatabase(
  dialect: 'sqlite' | 'postgres',
  name: string,
): Promise<{ url: string; cleanup: () => Promise<void> }> {
  if (dialect === 'postgres') {
    const postgres = await startPostgres();
    return { url: postgres.url, cleanup: () => postgres.stop() };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), `dura-${name}-`));
  return {
    url: `sqlite:${dir}/dura.sqlite`,
    cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  };
}
