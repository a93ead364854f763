/**
 * Where the lean status path finds Temporal, read from the environment without zod (common/config.ts
 * costs ~0.1 s to load). It answers only when common/config.ts would surely accept the environment:
 * the few variables below pass the same checks, and no other variable of dura's configuration is set.
 * Anything else returns undefined, and the full CLI answers with its canonical messages.
 */
import * as rules from '../common/config-rules';

export interface LeanTarget {
  address: string;
  namespace: string;
  /** DURA_ENCRYPTION_* when set: the status answer is decrypted (common/codec.ts, node:crypto only). */
  encryption?: { key: string; keyId: string; oldKeys?: string };
}

/** Names that common/config.ts reads or may come to read (a test holds its schema to this). */
export const CONFIG_NAME = /^(TEMPORAL_|DURA_|DATABASE_URL$|SMTP_URL$|MAIL_FROM$|ACCESS_TEAM_EMAIL$|AOU_)/;

/** `DURA_LEAN_STATUS=off` takes the full path, `=debug` says why the lean one hands over (status-fast.ts). */
export const LEAN_SWITCH = 'DURA_LEAN_STATUS';

// common/config.ts's own rules (config-rules.ts), for the variables a status command's environment
// usually has, the worker's included (a shared env file). TLS and API keys are not spoken here: set,
// they hand over.
const ACCEPTED: Record<string, (value: string) => boolean> = {
  TEMPORAL_ADDRESS: (v) => rules.hostPortProblem(v) === undefined,
  TEMPORAL_NAMESPACE: rules.isNamespace,
  DURA_TASK_QUEUE: rules.isTaskQueue,
  DATABASE_URL: rules.isDatabaseUrl,
  DURA_LOG_LEVEL: (v) => (rules.LOG_LEVELS as readonly string[]).includes(v),
  DURA_WORKER_CACHE: (v) => rules.wholeNumberIn(v, 2, 100_000) !== undefined,
  DURA_SHUTDOWN_GRACE_SECONDS: (v) => rules.wholeNumberIn(v, 0, 3600) !== undefined,
  DURA_METRICS_ADDRESS: (v) => v === '' || rules.isListenAddress(v),
  DURA_DATA_DIR: (v) => v !== '',
  DURA_ENCRYPTION_KEY: rules.isEncryptionKey,
  DURA_ENCRYPTION_KEY_ID: rules.isKeyId,
  DURA_ENCRYPTION_OLD_KEYS: rules.isKeyList,
  [LEAN_SWITCH]: () => true,
};

export function leanTarget(env: NodeJS.ProcessEnv = process.env): LeanTarget | undefined {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !CONFIG_NAME.test(name)) continue;
    if (!ACCEPTED[name]?.(value)) return undefined;
  }
  const key = env.DURA_ENCRYPTION_KEY;
  const keyId = env.DURA_ENCRYPTION_KEY_ID;
  // Half a key pair (or old keys without a current one) is a config error: the full path words it.
  if (Boolean(key) !== Boolean(keyId) || (env.DURA_ENCRYPTION_OLD_KEYS && !key)) return undefined;
  return {
    address: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    ...(key && keyId ? { encryption: { key, keyId, oldKeys: env.DURA_ENCRYPTION_OLD_KEYS } } : {}),
  };
}
