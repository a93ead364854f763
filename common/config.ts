/**
 * dura's configuration: environment variables, validated once at start (design.md, "Contracts").
 * Every bad value yields one line naming the variable; callers print them and exit non-zero.
 */
import path from 'node:path';
import { z } from 'zod';
import {
  hostPortProblem,
  isDatabaseUrl,
  isEncryptionKey,
  isKeyId,
  isKeyList,
  isLinkKey,
  isListenAddress,
  isNamespace,
  isTaskQueue,
  isWebUrl,
  LOG_LEVELS,
  maskPassword,
  wholeNumberIn,
} from './config-rules';
import { projectRoot } from './project-root';

const hostPort = z.string().superRefine((v, ctx) => {
  const problem = hostPortProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const email = z.email('expected an e-mail address');

// A display name plus address ("All of Us DURA <dura@example.org>") or a bare address.
const mailbox = z
  .string()
  .refine(
    (v) => email.safeParse(/<([^<>]+)>\s*$/.exec(v)?.[1] ?? v).success && !/[\r\n]/.test(v),
    'expected an e-mail address or "Name <address>"',
  );

const databaseUrl = z
  .string()
  .refine(isDatabaseUrl, 'expected postgres://user:pass@host:port/db or sqlite:<path>');

const smtpUrl = z.string().refine((v) => {
  try {
    const url = new URL(v);
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
  } catch {
    return false;
  }
}, 'expected smtp://[user:pass@]host:port or smtps://…');

// The public base of the web pages (links in mail): http(s), a host, no query or fragment.
const webUrl = z.string().refine(isWebUrl, 'expected an http(s) URL, e.g. https://dura.example.org');

// A listening address for a socket the worker opens itself: an IP, not a host name (Core binds it as is).
const listenAddress = z.string().refine(isListenAddress, 'expected ip:port to listen on, e.g. 0.0.0.0:9464');

// Environment values are text; defaults and re-parsed configs are numbers: accept both, one message.
export function wholeNumber(min: number, max: number) {
  return z.coerce.string().transform((v, ctx) => {
    const n = wholeNumberIn(v, min, max);
    if (n !== undefined) return n;
    ctx.addIssue({ code: 'custom', message: `expected a whole number from ${min} to ${max}` });
    return z.NEVER;
  });
}

const KEY_MESSAGE = 'expected 32 bytes in base64 (e.g. from `openssl rand -base64 32`)';

// An HMAC key for status links: at least 32 bytes (a shorter HS256 key is guessable).
const linkKey = z
  .string()
  .refine(isLinkKey, 'expected at least 32 bytes in base64 (e.g. from `openssl rand -base64 32`)');

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/**
 * How long an agreement's tasks (an update, a timer that fired, a status query) wait for the worker that
 * caches the agreement before Temporal offers them to every worker, which rebuilds the agreement from its
 * history: the hand-over when that worker died (the SDK's default is 10 s). A worker that is only busy
 * for longer than this loses those tasks to the shared queue too (the whole history sent again, or a
 * replay on another worker), so a worker that is often that busy wants more.
 */
export const DEFAULT_STICKY_TIMEOUT_SECONDS = 2;

const schema = z.object({
  TEMPORAL_ADDRESS: hostPort.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z
    .string()
    .refine(isNamespace, 'expected a namespace name, e.g. default')
    .default('default'),
  TEMPORAL_TLS_CERT: optionalText,
  TEMPORAL_TLS_KEY: optionalText,
  TEMPORAL_TLS_CA: optionalText,
  TEMPORAL_TLS_SERVER_NAME: optionalText,
  TEMPORAL_API_KEY: optionalText,
  DURA_TASK_QUEUE: z
    .string()
    .refine(isTaskQueue, 'expected letters, digits, ".", "_" or "-"')
    .default('dura'),
  // Default: sqlite:<DURA_DATA_DIR>/dura.sqlite (loadConfig), where `npm start` keeps the records.
  DATABASE_URL: databaseUrl.optional(),
  SMTP_URL: smtpUrl.optional().or(z.literal('').transform(() => undefined)),
  MAIL_FROM: mailbox.default('All of Us DURA <dura@dura.localhost>'),
  ACCESS_TEAM_EMAIL: email.default('access-team@dura.localhost'),
  AOU_SIGNING_OFFICIAL_EMAIL: email.default('signing-official@dura.localhost'),
  // The worker process (worker/).
  DURA_LOG_LEVEL: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  // Bounded: an evicted agreement is rebuilt from its history when it next wakes. The SDK needs >= 2.
  DURA_WORKER_CACHE: wholeNumber(2, 100_000).default(2000),
  DURA_SHUTDOWN_GRACE_SECONDS: wholeNumber(0, 3600).default(10),
  // Temporal's sticky schedule-to-start timeout (DEFAULT_STICKY_TIMEOUT_SECONDS above).
  DURA_STICKY_TIMEOUT_SECONDS: wholeNumber(1, 300).default(DEFAULT_STICKY_TIMEOUT_SECONDS),
  DURA_METRICS_ADDRESS: listenAddress.optional().or(z.literal('').transform(() => undefined)),
  // Where the outbox goes when SMTP_URL is unset (DURA_DATA_DIR/outbox). The default is the project's
  // own data/ (where `npm start` keeps it), wherever `dura` runs from; a relative value is the shell's.
  DURA_DATA_DIR: z
    .string()
    .min(1, 'expected a directory')
    .default(() => path.join(projectRoot(), 'data')),
  // Payload encryption (common/codec.ts): names and e-mail addresses unreadable in workflow history.
  DURA_ENCRYPTION_KEY: optionalText.pipe(z.string().refine(isEncryptionKey, KEY_MESSAGE).optional()),
  DURA_ENCRYPTION_KEY_ID: optionalText.pipe(
    z.string().refine(isKeyId, 'expected letters, digits, ".", "_" or "-" (at most 64)').optional(),
  ),
  DURA_ENCRYPTION_OLD_KEYS: optionalText.pipe(
    z
      .string()
      .refine(isKeyList, `expected id:key[,id:key…], each key ${KEY_MESSAGE.replace('expected ', '')}`)
      .optional(),
  ),
  // Payload compression (common/compression.ts): about half the history bytes, readable in the Web UI
  // only through `dura codec-server`. Compressed payloads are read whatever this says.
  // In any case (`ON`, as a trial typed it), as dura reads the words people type.
  DURA_PAYLOAD_COMPRESSION: z
    .string()
    .transform((v) => v.trim().toLowerCase())
    .pipe(z.enum(['on', 'off'], { error: 'expected on or off' }))
    .default('off'),
  // Status links in the requesters' mail (common/status-link.ts). Without DURA_LINK_KEY the key is the
  // file DURA_DATA_DIR/status-link.key, made on first use, so the worker and `dura web` share it.
  // Default (loadConfig): the pages `dura web` serves here, from DURA_WEB_HOST and DURA_WEB_PORT.
  DURA_WEB_URL: webUrl.optional().or(z.literal('').transform(() => undefined)),
  DURA_LINK_KEY: optionalText.pipe(linkKey.optional()),
  DURA_LINK_DAYS: wholeNumber(1, 3650).default(90),
  // A new agreement's term in months from its signing date (issue 18; policy `termMonths`, read where
  // agreements start: client/agreements.ts `startingPolicy`). Unset: no end date unless `execute --expires-on`.
  DURA_TERM_MONTHS: optionalText.transform((v, ctx) => {
    const months = v === undefined ? undefined : wholeNumberIn(v, 1, 120);
    if (v === undefined || months !== undefined) return months;
    ctx.addIssue({ code: 'custom', message: 'expected a whole number of months from 1 to 120, e.g. 36' });
    return z.NEVER;
  }),
});

/** Every variable dura reads (compose's worker environment must set each). */
export const CONFIG_VARIABLES = Object.keys(schema.shape) as (keyof z.infer<typeof schema>)[];

export type Config = z.infer<typeof schema> & { DATABASE_URL: string; DURA_WEB_URL: string };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError with one line per bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = schema.safeParse(env);
  const port = webPortProblem(env);
  if (result.success) {
    const { DATABASE_URL, DURA_DATA_DIR, DURA_WEB_URL } = result.data;
    if (port) throw new ConfigError([port]);
    return checkPairs({
      ...result.data,
      DATABASE_URL: DATABASE_URL ?? `sqlite:${DURA_DATA_DIR}/dura.sqlite`,
      DURA_WEB_URL: DURA_WEB_URL ?? localPages(env),
    });
  }
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    return `${name}: ${issue.message}${typed(name, env[name])}`;
  });
  throw new ConfigError(port ? [...problems, port] : problems);
}

/**
 * The links in mail point at `dura web` on this host unless DURA_WEB_URL says where: a DURA_WEB_PORT
 * that is no port, or 0 (any free one: unknown until it starts), would send them to 8080, silently.
 */
function webPortProblem(env: NodeJS.ProcessEnv): string | undefined {
  const port = env.DURA_WEB_PORT?.trim();
  if (env.DURA_WEB_URL?.trim() || !port) return undefined;
  const n = wholeNumberIn(port, 0, 65535);
  if (n === undefined)
    return `DURA_WEB_PORT: expected a whole number from 0 to 65535 (got ${JSON.stringify(env.DURA_WEB_PORT)})`;
  if (n === 0)
    return 'DURA_WEB_PORT: 0 (any free port) leaves the links in mail nowhere to point: set DURA_WEB_URL too';
  return undefined;
}

/**
 * A component's own settings (the mailer's links, `dura web`'s): `schema` over the variables it names,
 * an empty variable meaning its default as everywhere here. Throws ConfigError with one line per bad
 * variable, naming it and what was typed (not for a secret: a name with KEY, URL or SECRET).
 */
export function readSettings<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const given = Object.fromEntries(Object.keys(schema.shape).map((k) => [k, env[k] || undefined]));
  const result = schema.safeParse(given);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `${name}: ${issue.message}${typed(name, env[name])}`;
    }),
  );
}

/**
 * Where `dura web` answers on this host with the same environment (web/config.ts's variables, read
 * leniently: a bad value is web/config.ts's to report): `http://127.0.0.1:8080` by default.
 */
function localPages(env: NodeJS.ProcessEnv): string {
  const host = env.DURA_WEB_HOST?.trim() || '127.0.0.1';
  const reach = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const port = wholeNumberIn(env.DURA_WEB_PORT?.trim() ?? '', 1, 65535) ?? 8080;
  return `http://${reach}:${port}`;
}

// TLS material and encryption keys come in pairs: a certificate without its key is a mistake, not a choice.
function checkPairs(config: Config): Config {
  const problems: string[] = [];
  if (config.TEMPORAL_TLS_CERT && !config.TEMPORAL_TLS_KEY)
    problems.push('TEMPORAL_TLS_KEY: required when TEMPORAL_TLS_CERT is set');
  if (config.TEMPORAL_TLS_KEY && !config.TEMPORAL_TLS_CERT)
    problems.push('TEMPORAL_TLS_CERT: required when TEMPORAL_TLS_KEY is set');
  if (config.DURA_ENCRYPTION_KEY && !config.DURA_ENCRYPTION_KEY_ID)
    problems.push('DURA_ENCRYPTION_KEY_ID: required when DURA_ENCRYPTION_KEY is set');
  if (config.DURA_ENCRYPTION_KEY_ID && !config.DURA_ENCRYPTION_KEY)
    problems.push('DURA_ENCRYPTION_KEY: required when DURA_ENCRYPTION_KEY_ID is set');
  if (config.DURA_ENCRYPTION_OLD_KEYS && !config.DURA_ENCRYPTION_KEY)
    problems.push(
      'DURA_ENCRYPTION_KEY: required when DURA_ENCRYPTION_OLD_KEYS is set (old keys only decrypt)',
    );
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/**
 * What was typed, for the message: ` (got "…")`, nothing for a key or secret, and a URL (SMTP_URL,
 * DATABASE_URL) with its password masked, so a typo in the host or port is seen without the password
 * reaching a terminal or a log.
 */
function typed(name: string, value: string | undefined): string {
  if (value === undefined || /KEY|SECRET/.test(name)) return '';
  return ` (got ${JSON.stringify(/URL/.test(name) ? maskPassword(value) : value)})`;
}
