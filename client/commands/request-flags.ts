/**
 * `dura request`'s flags (client/commands/agreements.ts): each flag by the request field it fills, a
 * flag typed twice, and the request from the flags or from `--file`, checked with every problem at once.
 */
import { normalizeDomain, tierNear, type AgreementRequest } from '../../common/agreement';
import { readUserFile, UserError, type OutputOptions } from '../output';

export interface RequestFlags extends OutputOptions {
  file?: string;
  institutionName?: string;
  domain?: string;
  requesterName?: string;
  requesterEmail?: string;
  officialName?: string;
  officialEmail?: string;
  officialTitle?: string;
  tier?: string[];
  receivedAt?: string;
  initiation?: 'auto' | 'manual';
}

/** Each request flag, by its key in RequestFlags: as typed, and the request file's field it fills. */
const REQUEST_FLAGS = {
  institutionName: ['--institution-name', 'institution.name'],
  domain: ['--domain', 'institution.domain'],
  requesterName: ['--requester-name', 'requester.name'],
  requesterEmail: ['--requester-email', 'requester.email'],
  officialName: ['--official-name', 'signingOfficial.name'],
  officialEmail: ['--official-email', 'signingOfficial.email'],
  officialTitle: ['--official-title', 'signingOfficial.title'],
  tier: ['--tier', 'tiers'],
  receivedAt: ['--received-at', 'receivedAt'],
} as const;
type RequestFlag = keyof typeof REQUEST_FLAGS;
const REQUEST_FLAG_KEYS = Object.keys(REQUEST_FLAGS) as RequestFlag[];

/** Every value typed for each single-value request flag, by the flag: commander keeps only the last. */
const typedValues = new Map<string, string[]>();

/** A single-value flag's parser that remembers each value typed, so that a repeated flag is refused. */
export function once(flag: string, parse: (value: string) => string = (value) => value) {
  return (value: string): string => {
    typedValues.set(flag, [...(typedValues.get(flag) ?? []), value]);
    return parse(value);
  };
}

/**
 * `given 2 times ("a@uw.edu", "b@uw.edu"): <hint>` by each flag typed more than once (through `once`),
 * for a request's flags and a control's alike (control-runner.ts).
 */
export function repeatedFlags(hint: (flag: string) => string): Map<string, string> {
  const lines = new Map<string, string>();
  for (const [flag, values] of typedValues) {
    if (values.length < 2) continue;
    lines.set(
      flag,
      `given ${values.length} times (${values.map((v) => JSON.stringify(v)).join(', ')}): ${hint(flag)}`,
    );
  }
  return lines;
}

/** What a request says of a flag typed twice. */
const requestHint = (flag: string) =>
  flag.startsWith('--requester')
    ? 'one requester per request (a second request for the institution joins its agreement)'
    : 'a request takes one';

/**
 * The request from the flags or from --file, checked. Throws UserError listing every problem, one a
 * line: by the flag typed (`--official-email: not an e-mail address`), or for a file by the field as
 * written in it (`requester.email: required`); a request flag beside --file is a problem too.
 */
export async function checkedRequest(flags: RequestFlags): Promise<AgreementRequest> {
  const file = flags.file;
  const typed = REQUEST_FLAG_KEYS.filter((key) => flags[key] !== undefined);
  if (file !== undefined && typed.length)
    throw new UserError(
      typed
        .map((key) => {
          const [flag, field] = REQUEST_FLAGS[key];
          return `--file and ${flag} cannot be used together: put ${field} in the file`;
        })
        .join('\n'),
    );
  const { checkRequest } = await import('../../common/request');
  const input = file === undefined ? flagRequest(flags) : fileRequest(file);
  const checked = checkRequest(input);
  // The first problem of each flag (or field); a flag typed twice is one, whatever its last value.
  const lines = repeatedFlags(requestHint);
  if ('request' in checked) {
    if (lines.size === 0) return checked.request;
    throw new UserError([...lines].map(([name, message]) => `${name}: ${message}`).join('\n'));
  }
  // A tier typed wrong is quoted as typed: every one on --tier's one line (`(got "registerd", "Gold")`),
  // each on its own in a file (`tiers[1]: … (got "Gold")`).
  const typedTiers = (input as { tiers?: unknown[] }).tiers;
  const got = new Map<string, unknown[]>();
  for (const { path, message } of checked.issues) {
    const key = file === undefined ? flagOf(path) : undefined;
    // A file's field as JSON paths write it: `tiers[0]`, `requester.email`.
    const name = key ? REQUEST_FLAGS[key][0] : path.replace(/\.(\d+)(?=\.|$)/g, '[$1]');
    const tier = /^tiers\.(\d+)$/.exec(path);
    if (tier) got.set(name, [...(got.get(name) ?? []), typedTiers?.[Number(tier[1])]]);
    if (lines.has(name)) continue;
    lines.set(name, key && flags[key] === undefined ? 'required' : message);
  }
  const domainProblem = await personalDomainBeside(input, checked.issues);
  if (domainProblem) {
    const key = file === undefined ? flagOf('institution.domain') : undefined;
    lines.set(key ? REQUEST_FLAGS[key][0] : 'institution.domain', domainProblem);
  }
  for (const [name, typed] of got) {
    // A misspelt tier (`Registred`): the tier each stands for, after what was typed.
    const near = [...new Set(typed.map(tierNear).filter(Boolean))];
    const meant = near.length ? `: did you mean ${near.join(' and ')}?` : '';
    lines.set(name, `${lines.get(name)} (got ${typed.map((t) => JSON.stringify(t)).join(', ')})${meant}`);
  }
  throw new UserError([...lines].map(([name, message]) => `${name}: ${message}`).join('\n'));
}

/**
 * A note or refusal that names a request field (`requester.email: …`), as the person typed the request:
 * by the flag (`--requester-email: …`), or for --file by the field as it stands.
 */
export function asTyped(line: string, flags: Pick<RequestFlags, 'file'>): string {
  if (flags.file !== undefined) return line;
  const key = REQUEST_FLAG_KEYS.find((k) => line.startsWith(`${REQUEST_FLAGS[k][1]}: `));
  return key ? `${REQUEST_FLAGS[key][0]}${line.slice(REQUEST_FLAGS[key][1].length)}` : line;
}

/**
 * A personal provider's domain typed as the institution's, said with the request's other problems (the
 * request path checks it after them: a trial fixed three, then met gmail.com). Null when the domain was
 * refused otherwise, is no provider's, or the records (which may list it) cannot be read.
 */
async function personalDomainBeside(input: unknown, issues: { path: string }[]): Promise<string | null> {
  const domain = (input as { institution?: { domain?: unknown } } | null)?.institution?.domain;
  if (typeof domain !== 'string' || !domain.trim() || issues.some((i) => i.path === 'institution.domain'))
    return null;
  const { isProviderDomain } = await import('../../common/unlistable-domain');
  if (!isProviderDomain(normalizeDomain(domain))) return null;
  const { withStore } = await import('../records');
  const { personalDomainProblem } = await import('../personal-mail');
  return withStore((registry) => personalDomainProblem(registry, domain)).catch(() => null);
}

/** The flag a request field (`tiers.0`) came from. */
function flagOf(path: string): RequestFlag | undefined {
  return REQUEST_FLAG_KEYS.find((key) => {
    const field = REQUEST_FLAGS[key][1];
    return path === field || path.startsWith(`${field}.`);
  });
}

function flagRequest(flags: RequestFlags): unknown {
  return {
    institution: { name: flags.institutionName, domain: flags.domain },
    requester: { name: flags.requesterName, email: flags.requesterEmail },
    signingOfficial: { name: flags.officialName, email: flags.officialEmail, title: flags.officialTitle },
    tiers: flags.tier ?? [],
    // As typed (its parser made it ISO UTC, after echoing it): a problem then quotes what was typed.
    receivedAt: typedValues.get('--received-at')?.at(-1) ?? flags.receivedAt ?? new Date().toISOString(),
  };
}

/** A request file's JSON; receivedAt left out is now, as without --received-at. */
function fileRequest(file: string): unknown {
  const text = readUserFile(file, '--file');
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (err) {
    throw new UserError(`--file: ${file} is not JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input) || 'receivedAt' in input)
    return input;
  return { ...input, receivedAt: new Date().toISOString() };
}
