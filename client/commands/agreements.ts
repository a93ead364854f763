/** `dura request`, `status`, `list`, `history`: starting agreements and answering "where is it?". */
import { Option, type Command } from 'commander';
import { agreementIdFor, STAGES, TIERS } from '../../common/agreement';
import { emit, readUserFile, UserError, type OutputOptions } from '../output';

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

function requestInput(flags: RequestFlags): unknown {
  if (flags.file) {
    const text = readUserFile(flags.file);
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new UserError(`file: ${flags.file} is not JSON: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return {
    institution: { name: flags.institutionName, domain: flags.domain },
    requester: { name: flags.requesterName, email: flags.requesterEmail },
    signingOfficial: { name: flags.officialName, email: flags.officialEmail, title: flags.officialTitle },
    tiers: flags.tier ?? [],
    receivedAt: flags.receivedAt ?? new Date().toISOString(),
  };
}

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
    .option('--received-at <instant>', 'when the request was received (ISO-8601; default now)')
    .addOption(
      new Option('--initiation <mode>', 'initiate at once or wait for `dura initiate`').choices([
        'auto',
        'manual',
      ]),
    )
    .option('--file <request.json>', 'the request as JSON (the fields above, nested)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExample:\n  dura request --institution-name "University of Washington" --domain uw.edu \\\n' +
        '    --requester-name "Ada Lovelace" --requester-email ada@uw.edu \\\n' +
        '    --official-name "Sam Signer" --official-email osp@uw.edu --tier registered --tier controlled',
    )
    .action(async (flags: RequestFlags) => {
      const { parseRequest, RequestError } = await import('../../common/request');
      let request;
      try {
        request = parseRequest(requestInput(flags));
      } catch (err) {
        throw err instanceof RequestError ? new UserError(err.message) : err;
      }
      const { config, client } = await setup();
      const { requestPatiently } = await import('../agreements');
      const { rethrowNotTaken, waitingLine } = await import('../update-retry');
      const policy = flags.initiation ? { initiation: flags.initiation } : undefined;
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
      if (!flags.json) process.stderr.write(`${result.outcome} (${result.stage})\n`);
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
      const { agreementStatus } = await import('../status');
      const { status, source } = await agreementStatus(id);
      if (source === 'records')
        process.stderr.write('dura: no worker answered; this is the last status in the records\n');
      const { statusView } = await import('../format');
      emit(flags, status, () => statusView(status));
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
      const { historyView } = await import('../format');
      emit(flags, status.history, () => historyView(status));
    });

  program
    .command('list')
    .description('agreements, by stage, tier or overdue (a search on Temporal visibility)')
    .addOption(new Option('--stage <stage>').choices(STAGES))
    .addOption(new Option('--tier <tier>').choices(TIERS))
    .option('--overdue', 'only agreements past a deadline')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  dura list --stage awaiting-signature\n  dura list --overdue --json')
    .action(async (flags: OutputOptions & { stage?: string; tier?: string; overdue?: boolean }) => {
      const { client } = await setup();
      const { listAgreements } = await import('../list');
      const rows = await listAgreements(client, flags);
      const { table, when } = await import('../format');
      emit(flags, rows, () =>
        table(
          ['AGREEMENT', 'STAGE', 'TIERS', 'INITIATION DUE', 'NEXT REMINDER', 'OVERDUE'],
          rows.map((r) => [
            r.agreementId,
            r.stage,
            r.tiers.join(','),
            when(r.initiationDueBy),
            when(r.nextReminderAt),
            r.overdue ? 'yes' : '',
          ]),
        ),
      );
    });
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
