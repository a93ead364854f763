/** `dura request`, `status`, `list`, `history`: starting agreements and answering "where is it?". */
import { Option, type Command } from 'commander';
import { agreementIdFor, STAGES, TIERS, type Tier } from '../../common/agreement';
import { emit, UserError, type OutputOptions } from '../output';
import { asTyped, checkedRequest, once, type RequestFlags } from './request-flags';
import { checkFlags } from './required';
import type { StatusWithRegistrations } from '../registration-views';

async function setup() {
  const { session } = await import('../temporal');
  return session();
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
  const requestCommand = program
    .command('request')
    .description('request an agreement for an institution (or join the one in process)')
    .option('--institution-name <name>', "the institution's name", once('--institution-name'))
    .option('--domain <domain>', "the institution's e-mail domain, e.g. uw.edu", once('--domain'))
    .option('--requester-name <name>', 'the researcher who asks', once('--requester-name'))
    .option('--requester-email <email>', "the researcher's e-mail address", once('--requester-email'))
    .option('--official-name <name>', "the institution's signing official", once('--official-name'))
    .option('--official-email <email>', "the signing official's e-mail address", once('--official-email'))
    .option('--official-title <title>', "the signing official's title (optional)", once('--official-title'))
    .option(
      '--tier <tier>',
      `${TIERS.join(' or ')}, in any case; repeat for both, or list them (controlled includes registered)`,
      tiersTyped,
    )
    .option(
      '--received-at <when>',
      "when the request was received: YYYY-MM-DD (from that day's start in New York), an ISO-8601 " +
        'instant, or a New York time such as 2026-11-25T10:00 (echoed); default now',
      once('--received-at', (value: string) => {
        // Loaded only when the flag is given: luxon stays off every command's start-up path.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { echoedWhen } = require('../format') as typeof import('../format');
        return echoedWhen('--received-at', value);
      }),
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
      let tiersBefore: Tier[] | undefined; // the agreement in process's, before this request
      const answer = await withStore(async (registry) => {
        const { engineEncryptionProblem } = await import('../engine-encryption');
        const mismatch = await engineEncryptionProblem(registry.db, config);
        if (mismatch) throw new UserError(`${mismatch}; nothing was sent`);
        const { personalDomainProblem } = await import('../personal-mail');
        const personal = await personalDomainProblem(registry, request.institution.domain);
        if (personal) throw new UserError(asTyped(`institution.domain: ${personal}`, flags));
        const triage = await triageRequest(request, registry);
        warnings = triage.notes.map((note) => asTyped(note, flags));
        const { checkCoverage } = await import('../../activities/records/coverage');
        const { joinRefusalAfterField } = await import('../../common/coverage');
        // As triage asks: a requester outside the institution's domains as the same name at it.
        const coverage = await checkCoverage(
          registry,
          triage.askedAs,
          request.tiers,
          request.requester.email,
        );
        tiersBefore = coverage.inProcess?.tiers;
        const refusal = joinRefusalAfterField(coverage);
        if (refusal) throw new UserError(asTyped(`tiers: ${refusal}`, flags));
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
        if (e.name === 'WorkflowUpdateFailedError')
          throw new UserError(asTyped(e.cause?.message ?? e.message, flags));
        if (err instanceof UserError) throw err;
        return rethrowNotTaken(agreementIdFor(request.institution.domain), err, 'the request');
      });
      const { requestNotes } = await import('../request-notes');
      const notes = await requestNotes(client, config, request, answer, tiersBefore);
      if (!flags.json) for (const note of notes) process.stderr.write(`dura: warning: ${note}\n`);
      const result = { ...answer, warnings: [...warnings, ...notes] };
      // "not-needed (not-needed)" says one thing twice: the stage only when it adds something.
      const stage = result.stage === result.outcome ? '' : ` (${result.stage})`;
      // A held request's reason with its instants in New York words, as the history shows them.
      const held = result.held && (await import('../../activities/mail/view')).instantsInWords(result.held);
      if (!flags.json)
        process.stderr.write(
          `${result.outcome}${stage}${nextStep({ ...result, held: held || undefined }, policy)}\n`,
        );
      if (result.outcome === 'not-needed' && !flags.json)
        process.stderr.write(
          `${request.institution.domain} is already listed for ${request.tiers.join(' and ')}: no agreement is needed; ` +
            (result.answeredAt
              ? `${request.requester.email} was told to create an account already (${(await import('../../common/when')).inWords(result.answeredAt)}, the same request that day): not told again\n`
              : `${request.requester.email} was told to create an account\n`),
        );
      emit(flags, result, () => result.agreementId);
    });
  // A mistyped flag is reported with everything else wrong in the request (required.ts).
  checkFlags(requestCommand, checkedRequest);

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
      let status: StatusWithRegistrations = answer.status;
      const databaseUrl = async () => (await import('../../common/config')).loadConfig().DATABASE_URL;
      // Mail that is slow to go: the ledger's attempts and last error; from the records alone, what the
      // ledger still has on its way.
      if (status.sending?.length || answer.source === 'records') {
        const { withMail } = await import('../status-mail');
        status = await withMail(answer, await databaseUrl());
      }
      // Each requester's registration steps once the instructions went out (issue 18).
      if (status.instructionsSentAt) {
        const { withRegistrations } = await import('../status-registrations');
        status = await withRegistrations(status, await databaseUrl());
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
        // Nothing to list says so, with what was asked for (`--json` prints `[]`).
        const asked = [
          flags.stage && `--stage ${flags.stage}`,
          flags.tier && `--tier ${flags.tier}`,
          flags.overdue && '--overdue',
          flags.expiringBefore && `--expiring-before ${flags.expiringBefore}`,
        ].filter(Boolean);
        // ENDS only when an agreement listed has an end date (a trial saw it always empty).
        const columns = rows.some((r) => r.expiresOn) ? 7 : 6;
        emit(flags, rows, () =>
          rows.length === 0
            ? `no agreements${asked.length ? ` (${asked.join(', ')})` : ''}`
            : flags.expiringBefore
              ? // Terms in force: completed agreements, with no deadline, reminder or overdue to show.
                table(
                  ['AGREEMENT', 'STAGE', 'TIERS', 'ENDS'],
                  rows.map((r) => [r.agreementId, r.stage, r.tiers.join(','), r.expiresOn ?? '']),
                )
              : table(
                  ['AGREEMENT', 'STAGE', 'TIERS', 'INITIATION DUE', 'NEXT REMINDER', 'OVERDUE', 'ENDS'].slice(
                    0,
                    columns,
                  ),
                  rows.map((r) =>
                    [
                      r.agreementId,
                      r.stage,
                      r.tiers.join(','),
                      // Once initiated, the deadline is history (`status` shows it): the column stays empty.
                      r.stage === 'awaiting-initiation' ? shortWhen(r.initiationDueBy) : '',
                      shortWhen(r.nextReminderAt),
                      r.overdue ? 'yes' : '',
                      r.expiresOn ?? '',
                    ].slice(0, columns),
                  ),
                ),
        );
      },
    );
}

/**
 * `--tier` as `dura import` reads its tiers column (common/registry-file-schema.ts, tierOf): any case,
 * and several in one (`registered,controlled`); a word that is no tier is kept as typed for the check.
 */
function tiersTyped(value: string, previous: string[] = []): string[] {
  type Schema = typeof import('../../common/registry-file-schema');
  // Loaded only when the flag is given (zod), as --received-at's parser does.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { tierOf } = require('../../common/registry-file-schema') as Schema;
  const words = value.split(/[,;|\s]+/).filter(Boolean);
  return [...previous, ...(words.length ? words : [value]).map((word) => tierOf(word) ?? word)];
}

/**
 * What happens next to a request that just started, in words: the answer comes back after triage, so
 * its stage is still awaiting-initiation while the package may already be on its way.
 */
function nextStep(
  {
    outcome,
    stage,
    agreementId,
    held,
  }: { outcome: string; stage: string; agreementId: string; held?: string },
  policy: { initiation?: string } | undefined,
): string {
  if (outcome !== 'started' || stage !== 'awaiting-initiation') return '';
  // Triage held the package (workflows/triage.ts): said with why, whatever the policy asked.
  if (held)
    return `: held for you to look at first (${held}); \`dura initiate ${agreementId}\` sends the package`;
  return policy?.initiation === 'manual'
    ? `: run \`dura initiate ${agreementId}\` to send the package to the signing official`
    : ': the initiation package is on its way to the signing official';
}
