/**
 * The names of the environment variables dura reads, so that a misspelt one is not silently ignored
 * (the encryption key's name misspelt would leave the engine writing names in the clear, without a word).
 * No zod here: the CLI checks this before every command, the lean status path included.
 */
import { closest, distance } from 'fastest-levenshtein';

/** What README's "Configuration" lists, and common/config.ts, web/config.ts and the mailer read. */
const ENGINE = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_TLS_CA',
  'TEMPORAL_TLS_CERT',
  'TEMPORAL_TLS_KEY',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_API_KEY',
  'DATABASE_URL',
  'SMTP_URL',
  'MAIL_FROM',
  'ACCESS_TEAM_EMAIL',
  'AOU_SIGNING_OFFICIAL_EMAIL',
  'DURA_TASK_QUEUE',
  'DURA_DATA_DIR',
  'DURA_LOG_LEVEL',
  'DURA_WORKER_CACHE',
  'DURA_STICKY_TIMEOUT_SECONDS',
  'DURA_SHUTDOWN_GRACE_SECONDS',
  'DURA_METRICS_ADDRESS',
  'DURA_ENCRYPTION_KEY',
  'DURA_ENCRYPTION_KEY_ID',
  'DURA_ENCRYPTION_OLD_KEYS',
  'DURA_PAYLOAD_COMPRESSION',
  'DURA_TERM_MONTHS',
  'DURA_WEB_URL',
  'DURA_WEB_HOST',
  'DURA_WEB_PORT',
  'DURA_WEB_RATE_LIMIT',
  'DURA_WEB_TRUST_PROXY',
  'DURA_LINK_KEY',
  'DURA_LINK_DAYS',
  'DURA_LINK_WORKBENCH',
  'DURA_LINK_IDENTITY',
  'DURA_LINK_RCR_TRAINING',
  'DURA_LINK_CODE_OF_CONDUCT',
  'DURA_LINK_AGREEMENT',
  'DURA_WORKBENCH_SECRET',
  'DURA_CODEC_TOKEN',
  'DURA_LEAN_STATUS',
];

/** Read by `npm start`, the setup scripts and the production stack (scripts/, docker-compose.yml). */
const SCRIPTS = [
  'DURA_CACHE',
  'DURA_UI_PORT',
  'DURA_WORKERS',
  'DURA_WORKER_ENTRY',
  'DURA_PRODUCTION_DIR',
  'DURA_POSTGRES_OPTIONS',
  'DURA_CODEC_ENDPOINT',
];

/** Read by the tests and the benchmarks (test/, bench/): set there, never by an operator. */
const TESTS = [
  'DURA_TEST_CLI',
  'DURA_TEST_LOG',
  'DURA_REFRESH_GOLDEN',
  'DURA_REFRESH_HISTORIES',
  'DURA_REPLAY_LOG',
  'DURA_SCREENSHOTS_DIR',
  'DURA_FAULTS_KEEP',
  'DURA_FAULTS_SEED',
  'DURA_FAULTS_WORKFLOW_BUNDLE',
  'DURA_BENCH_DAY_SECONDS',
  'DURA_BENCH_KEEP',
  'DURA_BENCH_NO_BUILD',
  'DURA_BENCH_WORKER_OPTIONS',
];

/** Every variable dura's code, scripts, tests and benchmarks read (test/env-names.test.ts keeps it true). */
export const VARIABLES_READ: ReadonlySet<string> = new Set([...ENGINE, ...SCRIPTS, ...TESTS]);

export interface NameProblems {
  /** `DURA_…` names dura does not read: one line each, naming it (and what it is likely meant as). */
  unknown: string[];
  /** Another name one or two letters from an engine variable that is not set (`SMPT_URL`). */
  nearMisses: string[];
  /** The names behind `nearMisses`, in the same order. */
  nearMissNames: string[];
}

/**
 * Checks the names set in `env` (not their values: common/config.ts does those).
 * - A `DURA_` name dura does not read is a problem: the prefix is dura's, so it is a typo or a leftover,
 *   and the setting it was meant to make is not made (the encryption key's: no encryption).
 * - Any other name within two edits of an engine variable that is unset is a near miss, only warned of:
 *   other programs' variables share the environment (`DATABASE_URI` may be another tool's).
 */
export function variableNameProblems(env: NodeJS.ProcessEnv): NameProblems {
  const unknown: string[] = [];
  const nearMisses: string[] = [];
  const nearMissNames: string[] = [];
  const unset = ENGINE.filter((name) => !env[name]);
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || VARIABLES_READ.has(name)) continue;
    if (name.startsWith('DURA_')) {
      const meant = closest(name, ENGINE);
      const hint = distance(name, meant) <= 3 ? `; did you mean ${meant}?` : '';
      unknown.push(`${name}: dura reads no such variable${hint} (correct its name, or unset it)`);
      continue;
    }
    if (name.length < 6 || unset.length === 0) continue;
    const meant = closest(name, unset);
    if (distance(name, meant) > 2) continue;
    nearMisses.push(`${name} is set and ${meant} is not: did you mean ${meant}? dura reads only ${meant}`);
    nearMissNames.push(name);
  }
  return { unknown, nearMisses, nearMissNames };
}
