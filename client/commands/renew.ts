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
      emit(
        flags,
        result,
        () =>
          `renewal of ${result.renews} started as ${result.agreementId ?? result.workflowId}: it follows ` +
          `the whole lifecycle; once executed, ${result.renews} ends as renewed. ` +
          `Follow it: dura status ${result.agreementId ?? result.workflowId}` +
          (result.leftOut ? `\nleft out (their registration was closed): ${result.leftOut.join(', ')}` : ''),
      );
    });
}
