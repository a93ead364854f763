/**
 * Where and how the lean status path reaches Temporal, read from the environment without zod
 * (common/config.ts costs ~0.1 s to load). It answers only when common/config.ts would surely accept the
 * environment: the variables below pass the same checks, TLS files read and pass the checks of
 * common/temporal-connection.ts, and no other variable of dura's configuration is set.
 * Anything else returns undefined, and the full CLI answers with its canonical messages.
 */
import * as fs from 'node:fs';
import { isIP } from 'node:net';
import * as rules from '../common/config-rules';
import { variableNameProblems } from '../common/env-names';

export interface LeanTarget {
  address: string;
  namespace: string;
  /** As temporal-connection.ts: on with any TLS variable or an API key; files read (PEM contents). */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; serverName?: string };
  /** TEMPORAL_API_KEY, sent as `authorization: Bearer <key>`. */
  apiKey?: string;
  /** DURA_ENCRYPTION_* when set: the status answer is decrypted (common/codec.ts, node:crypto only). */
  encryption?: { key: string; keyId: string; oldKeys?: string };
}

/** Names that common/config.ts reads or may come to read (a test holds its schema to this). */
export const CONFIG_NAME = /^(TEMPORAL_|DURA_|DATABASE_URL$|SMTP_URL$|MAIL_FROM$|ACCESS_TEAM_EMAIL$|AOU_)/;

/** `DURA_LEAN_STATUS=off` takes the full path, `=debug` says why the lean one hands over (status-fast.ts). */
export const LEAN_SWITCH = 'DURA_LEAN_STATUS';

const anything = () => true;

// common/config.ts's own rules (config-rules.ts), for the variables a status command's environment
// usually has, the worker's included (a shared env file). TLS files are checked below.
const ACCEPTED: Record<string, (value: string) => boolean> = {
  TEMPORAL_ADDRESS: (v) => rules.hostPortProblem(v) === undefined,
  TEMPORAL_NAMESPACE: rules.isNamespace,
  TEMPORAL_TLS_CERT: anything,
  TEMPORAL_TLS_KEY: anything,
  TEMPORAL_TLS_CA: anything,
  // Sent as the TLS server name (SNI), which Node refuses to be an IP address: the SDK's to handle.
  TEMPORAL_TLS_SERVER_NAME: (v) => isIP(v) === 0,
  TEMPORAL_API_KEY: anything,
  DURA_TASK_QUEUE: rules.isTaskQueue,
  DATABASE_URL: rules.isDatabaseUrl,
  DURA_LOG_LEVEL: (v) => (rules.LOG_LEVELS as readonly string[]).includes(v),
  DURA_WORKER_CACHE: (v) => rules.wholeNumberIn(v, 2, 100_000) !== undefined,
  DURA_SHUTDOWN_GRACE_SECONDS: (v) => rules.wholeNumberIn(v, 0, 3600) !== undefined,
  DURA_STICKY_TIMEOUT_SECONDS: (v) => rules.wholeNumberIn(v, 1, 300) !== undefined,
  DURA_METRICS_ADDRESS: (v) => v === '' || rules.isListenAddress(v),
  DURA_DATA_DIR: (v) => v !== '',
  DURA_ENCRYPTION_KEY: rules.isEncryptionKey,
  DURA_ENCRYPTION_KEY_ID: rules.isKeyId,
  DURA_ENCRYPTION_OLD_KEYS: rules.isKeyList,
  // Compressed answers are read whatever it says (status-fast.ts `decompress`).
  DURA_PAYLOAD_COMPRESSION: (v) => /^(on|off)$/i.test(v.trim()),
  // What `npm start`'s banner asks the CLI to be given (links, terms): not read here, checked as there.
  DURA_WEB_URL: rules.isWebUrl,
  DURA_WEB_HOST: anything, // read leniently by common/config.ts too
  DURA_WEB_PORT: (v) => rules.wholeNumberIn(v, 1, 65535) !== undefined,
  DURA_LINK_KEY: rules.isLinkKey,
  DURA_LINK_DAYS: (v) => rules.wholeNumberIn(v, 1, 3650) !== undefined,
  DURA_TERM_MONTHS: (v) => rules.wholeNumberIn(v, 1, 120) !== undefined,
  [LEAN_SWITCH]: anything,
};

/** The target, or undefined when the full CLI should answer (it words every configuration error). */
export function leanTarget(env: NodeJS.ProcessEnv = process.env): LeanTarget | undefined {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !CONFIG_NAME.test(name)) continue;
    if (!ACCEPTED[name]?.(value)) return undefined;
  }
  // A misspelt name: the full CLI refuses it or warns of it.
  const names = variableNameProblems(env);
  if (names.unknown.length || names.nearMisses.length) return undefined;
  // As common/config.ts: an empty value is an unset one.
  const set = (name: string) => env[name] || undefined;
  const key = set('DURA_ENCRYPTION_KEY');
  const keyId = set('DURA_ENCRYPTION_KEY_ID');
  const oldKeys = set('DURA_ENCRYPTION_OLD_KEYS');
  // Half a pair (or old keys without a current one) is a config error: the full path words it.
  if (Boolean(key) !== Boolean(keyId) || (oldKeys && !key)) return undefined;
  if (Boolean(set('TEMPORAL_TLS_CERT')) !== Boolean(set('TEMPORAL_TLS_KEY'))) return undefined;
  const ca = pem(set('TEMPORAL_TLS_CA'), 'certificateProblem');
  const cert = pem(set('TEMPORAL_TLS_CERT'), 'certificateProblem');
  const tlsKey = pem(set('TEMPORAL_TLS_KEY'), 'privateKeyProblem');
  if (ca === null || cert === null || tlsKey === null) return undefined;
  const serverName = set('TEMPORAL_TLS_SERVER_NAME');
  const apiKey = set('TEMPORAL_API_KEY');
  const tls = ca || cert || serverName || apiKey ? { ca, cert, key: tlsKey, serverName } : undefined;
  return {
    address: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    ...(tls && { tls: defined(tls) }),
    ...(apiKey && { apiKey }),
    ...(key && keyId && { encryption: defined({ key, keyId, oldKeys }) }),
  };
}

/**
 * The file's contents; undefined when not named; null when unreadable or when temporal-connection.ts's
 * own check (common/pem.ts) finds a problem with it.
 */
function pem(
  file: string | undefined,
  check: keyof typeof import('../common/pem'),
): Buffer | undefined | null {
  if (!file) return undefined;
  let content: Buffer;
  try {
    content = fs.readFileSync(file);
  } catch {
    return null;
  }
  // Loaded only when a TLS file is named: it loads node:crypto, and every command loads this module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const checks = require('../common/pem') as typeof import('../common/pem');
  return checks[check](content) === undefined ? content : null;
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
