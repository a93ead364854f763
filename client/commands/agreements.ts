/** `dura request`, `status`, `list`, `history`: starting agreements and answering "where is it?". */
import { Option, type Command } from 'commander';
import { agreementIdFor, STAGES, TIERS, type AgreementRequest } from '../../common/agreement';
import { emit, readUserFile, UserError, type OutputOptions } from '../output';
import type { StatusWithRegistrations } from '../registration-views';

async function setup() {
  const { session } = await import('../temporal');
  return session();
}

interface RequestFlags extends OutputOptions {
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

/**
 * The request from the flags or from --file, checked. Throws UserError listing every problem, one a
 * line: by the flag typed (`--official-email: not an e-mail address`), or for a file by the field as
 * written in it (`requester.email: required`); a request flag beside --file is a problem too.
 */
async function checkedRequest(flags: RequestFlags): Promise<AgreementRequest> {
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
  const checked = checkRequest(file === undefined ? flagRequest(flags) : fileRequest(file));
  if ('request' in checked) return checked.request;
  const lines = new Map<string, string>(); // the first problem of each flag (or field)
  for (const { path, message } of checked.issues) {
    const key = file === undefined ? flagOf(path) : undefined;
    const name = key ? REQUEST_FLAGS[key][0] : path;
    if (lines.has(name)) continue;
    const bad = key === 'tier' && /^tiers\.(\d+)$/.exec(path);
    if (key && flags[key] === undefined) lines.set(name, 'required');
    else if (bad) lines.set(name, `${message} (got ${JSON.stringify(flags.tier?.[Number(bad[1])])})`);
    else lines.set(name, message);
  }
  throw new UserError([...lines].map(([name, message]) => `${name}: ${message}`).join('\n'));
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
    receivedAt: flags.receivedAt ?? new Date().toISOString(),
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

const REQUEST_HELP = [
  '',
  'Examples:',
  '  dura request --institution-name "University of Washington" --domain uw.edu \\',
  '    --requester-name "Ada Lovelace" --requester-email ada@uw.edu \\',
  '    --official-name "Sam Signer" --official-email osp@uw.edu --tier registered --tier controlled',
  '  dura request --file request.json',
  '',
  'request.json: the same request, nested as below. signingOfficial.title may be left out, and so may',
  'receivedAt (as --received-at; default now). With --file, the request flags above are refused;',
  '--initiation and --json apply.',
  '  {',
  '    "institution": { "name": "University of Washington", "domain": "uw.edu" },',
  '    "requester": { "name": "Ada Lovelace", "email": "ada@uw.edu" },',
  '    "signingOfficial": { "name": "Sam Signer", "email": "osp@uw.edu", "title": "Director" },',
  '    "tiers": ["registered", "controlled"],',
  '    "receivedAt": "2026-11-02T15:04:00Z"',
  '  }',
].join('\n');

export function registerAgreementCommands(program: Command): void {
  program
    .command('request')
    .description('request an agreement for an institution (or join the one in process)')
    .option('--institution-name <name>', "the institution's name")
    .option('--domain <domain>', "the institution's e-mail domain, e.g. uw.edu")
    .option('--requester-name <name>')
    .option('--requester-email <email>')
    .option('--official-name <name>', "the institution's signing official")
    .option('--official-email <email>')
    .option('--official-title <title>')
    .option('--tier <tier>', `${TIERS.join(' or ')}; repeat for both`, collect)
    .option(
      '--received-at <when>',
      "when the request was received: YYYY-MM-DD (from that day's start in New York), an ISO-8601 " +
        'instant, or a New York time such as 2026-11-25T10:00 (echoed); default now',
      (value: string) => {
        // Loaded only when the flag is given: luxon stays off every command's start-up path.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { echoedWhen } = require('../format') as typeof import('../format');
        return echoedWhen('--received-at', value);
      },
    )
    .addOption(
      new Option('--initiation <mode>', 'initiate at once or wait for `dura initiate`').choices([
        'auto',
        'manual',
      ]),
    )
    .option('--file <request.json>', 'the request as JSON, instead of the flags above (shape below)')
    .option('--json', 'print JSON')
    .addHelpText('after', REQUEST_HELP)
    .action(async (flags: RequestFlags) => {
      const request = await checkedRequest(flags);
      const { config, client } = await setup();
      const { requestPatiently, startingPolicy } = await import('../agreements');
      const { rethrowNotTaken, waitingLine } = await import('../update-retry');
      const policy = startingPolicy(config, flags.initiation ? { initiation: flags.initiation } : {});
      const { withStore } = await import('../records');
      const { triageRequest } = await import('../agreements');
      let warnings: string[] = [];
      const answer = await withStore(async (registry) => {
        const triage = await triageRequest(request, registry);
        warnings = triage.notes;
        if (!flags.json) for (const note of warnings) process.stderr.write(`dura: warning: ${note}\n`);
        return requestPatiently(
          client,
          request,
          { taskQueue: config.DURA_TASK_QUEUE, policy, triage },
          {
            onWait: (reason, progress) =>
              process.stderr.write(`dura: ${waitingLine(reason, progress, 'the request')}\n`),
          },
        );
      }).catch((err: unknown) => {
        // The agreement's own validator refused the request (e.g. a tier after initiation): say why.
        const e = err as Error & { cause?: Error };
        if (e.name === 'WorkflowUpdateFailedError') throw new UserError(e.cause?.message ?? e.message);
        return rethrowNotTaken(agreementIdFor(request.institution.domain), err);
      });
      const result = { ...answer, warnings };
      if (!flags.json)
        process.stderr.write(`${result.outcome} (${result.stage})${nextStep(result, policy)}\n`);
      if (result.outcome === 'not-needed' && !flags.json)
        process.stderr.write(
          `${request.institution.domain} is already listed for ${request.tiers.join(' and ')}: no agreement is needed; ` +
            `${request.requester.email} was told to create an account\n`,
        );
      emit(flags, result, () => result.agreementId);
    });

  program
    .command('status <agreement>')
    .description('where an agreement stands: stage, deadlines, next reminder, requesters, history')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  dura status uw.edu\n  dura status dura-uw.edu --json')
    .action(async (id: string, flags: OutputOptions) => {
      const { agreementStatus, recordsNotice } = await import('../status');
      const answer = await agreementStatus(id);
      const notice = recordsNotice(answer);
      if (notice) process.stderr.write(notice);
      const bare = answer.status;
      // Each requester's registration steps once the instructions went out (issue 18).
      let status: StatusWithRegistrations = bare;
      if (bare.instructionsSentAt) {
        const { withRegistrations } = await import('../status-registrations');
        const { loadConfig } = await import('../../common/config');
        status = await withRegistrations(bare, loadConfig().DATABASE_URL);
      }
      const { statusWithRegistrationsView } = await import('../registration-views');
      emit(flags, status, () => statusWithRegistrationsView(status));
    });

  program
    .command('history <agreement>')
    .description("an agreement's history, oldest first")
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  dura history uw.edu')
    .action(async (id: string, flags: OutputOptions) => {
      const { config, client } = await setup();
      const { fetchStatus } = await import('../agreement-handle');
      const { status } = await fetchStatus(client, config, id);
      const { wholeHistory } = await import('../status');
      status.history = await wholeHistory(config, status);
      const { historyView } = await import('../format');
      emit(flags, status.history, () => historyView(status));
    });

  program
    .command('list')
    .description('agreements, by stage, tier or overdue (a search on Temporal visibility)')
    .addOption(new Option('--stage <stage>').choices(STAGES))
    .addOption(new Option('--tier <tier>').choices(TIERS))
    .option('--overdue', 'only agreements past a deadline')
    .option(
      '--expiring-before <date>',
      'executed agreements whose end date is on or before YYYY-MM-DD (New York)',
    )
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  dura list --stage awaiting-signature\n  dura list --overdue --json\n  dura list --expiring-before 2027-06-30',
    )
    .action(
      async (
        flags: OutputOptions & { stage?: string; tier?: string; overdue?: boolean; expiringBefore?: string },
      ) => {
        if (flags.expiringBefore !== undefined) {
          const { readWhen } = await import('../../common/when');
          const read = readWhen(flags.expiringBefore, { dateOnly: true });
          if ('problem' in read) throw new UserError(`--expiring-before: ${read.problem}`);
          flags.expiringBefore = read.date;
          // Terms in force belong to completed agreements, none overdue: any other answer would be empty.
          const other = [flags.stage && `--stage ${flags.stage}`, flags.overdue && '--overdue'].filter(
            Boolean,
          );
          if (other.length)
            throw new UserError(
              `--expiring-before: lists terms in force (completed agreements); not with ${other.join(' or ')}`,
            );
        }
        const { client } = await setup();
        const { listAgreements } = await import('../list');
        const rows = await listAgreements(client, flags);
        const { table, shortWhen } = await import('../format');
        emit(flags, rows, () =>
          table(
            ['AGREEMENT', 'STAGE', 'TIERS', 'INITIATION DUE', 'NEXT REMINDER', 'OVERDUE', 'ENDS'],
            rows.map((r) => [
              r.agreementId,
              r.stage,
              r.tiers.join(','),
              shortWhen(r.initiationDueBy),
              shortWhen(r.nextReminderAt),
              r.overdue ? 'yes' : '',
              r.expiresOn ?? '',
            ]),
          ),
        );
      },
    );
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * What happens next to a request that just started, in words: the answer comes back after triage, so
 * its stage is still awaiting-initiation while the package may already be on its way.
 */
function nextStep(
  { outcome, stage, agreementId }: { outcome: string; stage: string; agreementId: string },
  policy: { initiation?: string } | undefined,
): string {
  if (outcome !== 'started' || stage !== 'awaiting-initiation') return '';
  return policy?.initiation === 'manual'
    ? `: run \`dura initiate ${agreementId}\` to send the package to the signing official`
    : ': the initiation package is on its way to the signing official';
}
