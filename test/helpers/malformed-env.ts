/**
 * Malformed configuration for the fault tests: environments with one bad variable (or half a pair),
 * each with the variable its one-line message must name. An empty value is not among them: dura reads
 * it as unset (compose passes empty variables), which is a choice, not a malformed input. Read by common/config.ts (loadConfig) and, for
 * the links in the registration instructions, activities/mail/settings.ts (mailSettings).
 */
import type { Malformed } from './malformed-requests';

const KEY = Buffer.alloc(32, 7).toString('base64');
const long = (n: number) => 'x'.repeat(n);

const bad: Record<string, string[]> = {
  TEMPORAL_ADDRESS: [
    'localhost',
    '127.0.0.1',
    ':7233',
    '127.0.0.1:',
    '127.0.0.1:0',
    '127.0.0.1:65536',
    'host:port',
    'a b:7233',
    'http://127.0.0.1:7233',
    '127.0.0.1:7233/x',
    '[::1]7233',
  ],
  TEMPORAL_NAMESPACE: ['a b', '-x', '.x', 'ns/x', long(256), 'ns\n'],
  DURA_TASK_QUEUE: ['a b', 'q/1', long(201), 'queue\u00e9', 'q\tq'],
  DATABASE_URL: [
    'mysql://db/dura',
    'sqlite:',
    'postgres://',
    'data/dura.sqlite',
    'sqlite: a b',
    'https://db',
  ],
  SMTP_URL: ['http://mail.example.org', 'smtp:', 'mail.example.org:25', 'smtp://', 'ftp://mail.example.org'],
  MAIL_FROM: ['nobody', 'A <b>', 'x@', '<>', 'A\n<b@c.de>', 'Dura <dura@>'],
  ACCESS_TEAM_EMAIL: ['team', 'team@', '@aou.org', 'a b@aou.org', 'team@aou'],
  AOU_SIGNING_OFFICIAL_EMAIL: ['so', 'so@', 'so@@aou.org', 'so@aou'],
  DURA_LOG_LEVEL: ['loud', 'INFO', '5', 'warning'],
  DURA_WORKER_CACHE: ['1', '0', '-5', '100001', 'lots', '2.5', '1e3', '12 000'],
  DURA_SHUTDOWN_GRACE_SECONDS: ['-1', '3601', 'ten', '1.5', '0x10'],
  DURA_STICKY_TIMEOUT_SECONDS: ['0', '301', '2s', '1.5', '-2'],
  DURA_METRICS_ADDRESS: ['localhost:9464', '9464', '0.0.0.0', '1.2.3.4:0', 'x:y', '0.0.0.0:70000'],
};

/** With a valid partner set, so that only the value itself is wrong. */
const partnered: Record<string, { values: string[]; partner: NodeJS.ProcessEnv }> = {
  DURA_ENCRYPTION_KEY: {
    values: [
      'short',
      Buffer.alloc(31).toString('base64'),
      Buffer.alloc(33).toString('base64'),
      'not base64!!',
    ],
    partner: { DURA_ENCRYPTION_KEY_ID: 'k1' },
  },
  DURA_ENCRYPTION_KEY_ID: {
    values: ['a b', long(65), 'id/1', 'id:1'],
    partner: { DURA_ENCRYPTION_KEY: KEY },
  },
  DURA_ENCRYPTION_OLD_KEYS: {
    values: ['nocolon', 'old:short', `:${KEY}`, `old:${KEY},bad`, `old ${KEY}`],
    partner: { DURA_ENCRYPTION_KEY: KEY, DURA_ENCRYPTION_KEY_ID: 'k1' },
  },
};

/** Half of a pair: the message names the half that is missing. */
const halves: Malformed<NodeJS.ProcessEnv>[] = [
  {
    input: { TEMPORAL_TLS_CERT: '/etc/cert.pem' },
    field: 'TEMPORAL_TLS_KEY',
    label: 'certificate without key',
  },
  {
    input: { TEMPORAL_TLS_KEY: '/etc/key.pem' },
    field: 'TEMPORAL_TLS_CERT',
    label: 'key without certificate',
  },
  { input: { DURA_ENCRYPTION_KEY: KEY }, field: 'DURA_ENCRYPTION_KEY_ID', label: 'key without id' },
  { input: { DURA_ENCRYPTION_KEY_ID: 'k1' }, field: 'DURA_ENCRYPTION_KEY', label: 'id without key' },
  { input: { DURA_ENCRYPTION_OLD_KEYS: `old:${KEY}` }, field: 'DURA_ENCRYPTION_KEY', label: 'old keys only' },
];

/** Environments for loadConfig, one problem each. */
export function malformedConfig(): Malformed<NodeJS.ProcessEnv>[] {
  const cases: Malformed<NodeJS.ProcessEnv>[] = [];
  for (const [name, values] of Object.entries(bad))
    for (const value of values)
      cases.push({ input: { [name]: value }, field: name, label: `${name}=${JSON.stringify(value)}` });
  for (const [name, { values, partner }] of Object.entries(partnered))
    for (const value of values)
      cases.push({
        input: { ...partner, [name]: value },
        field: name,
        label: `${name}=${JSON.stringify(value)}`,
      });
  return [...cases, ...halves];
}

/** Environments for mailSettings (the links in the messages), one bad link each. */
export function malformedLinks(): Malformed<NodeJS.ProcessEnv>[] {
  const names = [
    'DURA_LINK_WORKBENCH',
    'DURA_LINK_IDENTITY',
    'DURA_LINK_CODE_OF_CONDUCT',
    'DURA_LINK_RCR_TRAINING',
    'DURA_LINK_AGREEMENT',
  ];
  const values = [
    'not a url',
    'ftp://example.org/x',
    'javascript:alert(1)',
    'www.example.org',
    'http//example.org',
  ];
  return names.flatMap((name) =>
    values.map((value) => ({
      input: { [name]: value },
      field: name,
      label: `${name}=${JSON.stringify(value)}`,
    })),
  );
}

/** A sample to give the real CLI (each a subprocess): one per variable, the first bad value. */
export function cliConfigSample(): Malformed<NodeJS.ProcessEnv>[] {
  const first = Object.entries(bad).map(([name, values]) => ({
    input: { [name]: values[0]! },
    field: name,
    label: `${name} (through the CLI)`,
  }));
  return [...first, halves[0]!, halves[2]!];
}
