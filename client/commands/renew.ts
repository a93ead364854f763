/** `dura renew <institution|agreement>`: a renewal pre-filled from an executed agreement (client/renew.ts). */
import type { Command } from 'commander';
import { emit, UserError, type OutputOptions } from '../output';
import { withStore } from '../records';

export function registerRenewCommands(program: Command): void {
  program
    .command('renew <agreement>')
    .description(
      'start a renewal of an executed agreement (an agreement id, or an institution: its latest): its officials, tiers and requesters',
    )
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  dura renew uw.edu-2\n  dura renew uw.edu')
    .action(async (typed: string, flags: OutputOptions) => {
      const { session } = await import('../temporal');
      const { config, client } = await session();
      const { renewAgreement } = await import('../renew');
      const result = await withStore((store) =>
        renewAgreement(client, store, typed, {
          taskQueue: config.DURA_TASK_QUEUE,
          termMonths: config.DURA_TERM_MONTHS,
        }),
      );
      if (result.outcome !== 'started') throw new UserError(result.message);
      const id = result.agreementId ?? result.workflowId;
      // Kept from the agreement it renews: a manual one waits for the access team, deadline running.
      const initiation =
        result.initiation === 'manual'
          ? `Its initiation is manual, as ${result.renews}'s was: run \`dura initiate ${id}\` to send the package ` +
            'to the signing official (due within two business days). '
          : 'The initiation package is on its way to the signing official. ';
      emit(
        flags,
        result,
        () =>
          `renewal of ${result.renews} started as ${id}: it follows the whole lifecycle; once executed, ` +
          `${result.renews} ends as renewed. ${initiation}Follow it: dura status ${id}` +
          (result.leftOut ? `\nleft out (their registration was closed): ${result.leftOut.join(', ')}` : ''),
      );
    });
}
