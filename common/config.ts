/**
 * dura's configuration: environment variables, validated once at start (design.md, "Contracts").
 * Every bad value yields one line naming the variable; callers print them and exit non-zero.
 */
import { z } from 'zod';

const hostPort = z.string().superRefine((v, ctx) => {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(v);
  if (!match) ctx.addIssue({ code: 'custom', message: 'expected host:port, e.g. 127.0.0.1:7233' });
  else if (Number(match[2]) < 1 || Number(match[2]) > 65535)
    ctx.addIssue({ code: 'custom', message: 'port must be 1-65535' });
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
  .refine(
    (v) => /^postgres(ql)?:\/\/\S+$/.test(v) || /^(sqlite|file):\S+$/.test(v),
    'expected postgres://user:pass@host:port/db or sqlite:<path>',
  );

const smtpUrl = z.string().refine((v) => {
  try {
    const url = new URL(v);
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
  } catch {
    return false;
  }
}, 'expected smtp://[user:pass@]host:port or smtps://…');

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

const schema = z.object({
  TEMPORAL_ADDRESS: hostPort.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/, 'expected a namespace name, e.g. default')
    .default('default'),
  TEMPORAL_TLS_CERT: optionalText,
  TEMPORAL_TLS_KEY: optionalText,
  TEMPORAL_TLS_CA: optionalText,
  TEMPORAL_TLS_SERVER_NAME: optionalText,
  TEMPORAL_API_KEY: optionalText,
  DURA_TASK_QUEUE: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,200}$/, 'expected letters, digits, ".", "_" or "-"')
    .default('dura'),
  DATABASE_URL: databaseUrl.default('sqlite:data/dura.sqlite'),
  SMTP_URL: smtpUrl.optional().or(z.literal('').transform(() => undefined)),
  MAIL_FROM: mailbox.default('All of Us DURA <dura@dura.localhost>'),
  ACCESS_TEAM_EMAIL: email.default('access-team@dura.localhost'),
  AOU_SIGNING_OFFICIAL_EMAIL: email.default('signing-official@dura.localhost'),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError with one line per bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = schema.safeParse(env);
  if (result.success) return checkPairs(result.data);
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    const value = env[name];
    const shown = secret(name) || value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
    return `${name}: ${issue.message}${shown}`;
  });
  throw new ConfigError(problems);
}

// TLS material comes in pairs: a certificate without its key is a mistake, not a choice.
function checkPairs(config: Config): Config {
  const problems: string[] = [];
  if (config.TEMPORAL_TLS_CERT && !config.TEMPORAL_TLS_KEY)
    problems.push('TEMPORAL_TLS_KEY: required when TEMPORAL_TLS_CERT is set');
  if (config.TEMPORAL_TLS_KEY && !config.TEMPORAL_TLS_CERT)
    problems.push('TEMPORAL_TLS_CERT: required when TEMPORAL_TLS_KEY is set');
  if (problems.length) throw new ConfigError(problems);
  return config;
}

function secret(name: string): boolean {
  return /KEY|URL/.test(name);
}
