/**
 * The malformed-inputs fault test's count: inputs distinct per path (a real `dura` process, a CSV row,
 * an update through the dev server, a validator called in process), and the table the README states.
 */
import { noPayload, type UpdateCase } from './malformed-updates';

/** The paths a malformed input takes; each row of the table at the end. */
export const PATHS = {
  cli: 'CLI process (a `dura` subprocess each)',
  csv: 'CSV row (`dura import`; repeats once)',
  update: 'update payload (client → dev server)',
  request: 'request payload (in process)',
  env: 'environment value (in process)',
} as const;
export type Path = keyof typeof PATHS;

/**
 * What the README states (Reliability): the distinct malformed inputs each path holds at least, and the
 * `dura` processes the first test runs. A case list that shrinks fails the test; one that grows, update
 * these and the README.
 */
export const AT_LEAST: Record<Path, number> = { cli: 95, csv: 43, update: 94, request: 73, env: 114 };
export const AT_LEAST_PROCESSES = 104;

/**
 * Malformed inputs counted distinct per path: an input is its kind and a key that names its defect (a
 * CSV row repeated, for another institution, to make a file bigger is the same input). `judged` counts
 * every time a path judged one, repeats included.
 */
export class Tally {
  private readonly seen = new Map<Path, Map<string, Set<string>>>();
  readonly judged: Record<Path, number> = { cli: 0, csv: 0, update: 0, request: 0, env: 0 };
  processes = 0;

  add(path: Path, kind: string, key: string): void {
    const kinds = this.seen.get(path) ?? new Map<string, Set<string>>();
    this.seen.set(path, kinds);
    const keys = kinds.get(kind) ?? new Set<string>();
    kinds.set(kind, keys);
    keys.add(key);
    this.judged[path]++;
  }

  /** The distinct inputs of one kind on one path. */
  keys(path: Path, kind: string): Set<string> {
    return this.seen.get(path)?.get(kind) ?? new Set();
  }

  distinct(path: Path): number {
    return [...(this.seen.get(path)?.values() ?? [])].reduce((n, keys) => n + keys.size, 0);
  }

  /** e.g. "47 command lines, 32 request files" */
  kinds(path: Path): string {
    return [...(this.seen.get(path) ?? [])].map(([kind, keys]) => `${keys.size} ${kind}`).join(', ');
  }

  /** Every distinct input once, whichever paths it took. */
  all(): number {
    const all = new Set<string>();
    for (const kinds of this.seen.values())
      for (const [kind, keys] of kinds) for (const key of keys) all.add(`${kind}\u0000${key}`);
    return all.size;
  }

  /** Paths holding fewer distinct inputs than the README states. */
  shortfalls(): string[] {
    return (Object.keys(PATHS) as Path[])
      .filter((p) => this.distinct(p) < AT_LEAST[p])
      .map((p) => `${PATHS[p]}: ${this.distinct(p)} distinct, fewer than ${AT_LEAST[p]}`);
  }

  /** The table: distinct inputs per path, how many times each path judged one, and what they were. */
  table(csvFiles: string[]): string {
    const bothWays = [...this.keys('cli', 'environments')].filter((k) =>
      this.keys('env', 'environments').has(k),
    ).length;
    const detail: Record<Path, string> = {
      cli: this.kinds('cli'),
      csv: this.kinds('csv'),
      update: 'each through the workflow’s update validators',
      request: 'parseRequest, what `dura request --file` runs',
      env: `loadConfig, mailSettings; ${bothWays} of them also through \`dura\` (above)`,
    };
    const width = Math.max(...Object.values(PATHS).map((p) => p.length));
    const row = (name: string, distinct: number | string, judged: number | string, what: string) => {
      const counts = `${String(distinct).padStart(8)} ${String(judged).padStart(7)}`;
      return `    ${name.padEnd(width)} ${counts}  ${what}`.trimEnd();
    };
    const imports = this.processes - this.distinct('cli');
    return [
      row('malformed inputs, by path', 'distinct', 'judged', ''),
      ...(Object.keys(PATHS) as Path[]).map((p) =>
        row(PATHS[p], this.distinct(p), this.judged[p], detail[p]),
      ),
      row('all paths, each input once', this.all(), '', ''),
      `    \`dura\` processes run: ${this.processes} (the ${this.distinct('cli')} above, and ${imports} ` +
        'imports: each CSV file, requests-3.csv again with --skip-invalid)',
      `    CSV files: ${csvFiles.join(', ')}`,
    ].join('\n');
  }
}

/** An environment's key: its variables in order, so the same one reads the same in either path. */
export const envKey = (env: NodeJS.ProcessEnv) => JSON.stringify(Object.entries(env).sort());
/** An update's key: the agreement's stage, the update and its payload as it goes on the wire. */
export const updateKey = ({ on, update, payload }: UpdateCase) =>
  `${on} ${update}(${payload === noPayload ? '' : JSON.stringify(payload)})`;
