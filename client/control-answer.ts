/**
 * A control's answer made whole for printing. Since patch `brief-answers` (workflows/patches.ts) an
 * agreement answers an update with its status without the history, which Temporal keeps with every
 * answer; `--json` prints the whole status object (docs/cli.md), so its history is asked for here.
 */
import type { Client } from '@temporalio/client';
import { OPEN_STAGES, type AgreementAnswer, type AgreementStatus } from '../common/agreement';
import type { Config } from '../common/config';
import { fetchStatus } from './agreement-handle';

/**
 * `answer` made whole: as it came when it has its history (an agreement from before the patch); else the
 * status query's answer, which is later than the update's (a cancel's end recorded, its dates cleared),
 * asked again for up to 2 s while the update's stage is an end its main loop has not reached yet; from
 * the records (no worker), the answer's fields with their history. Never throws: when the history cannot
 * be read the answer is given without it, and stderr says how to see it.
 */
export async function withHistory(
  client: Client,
  config: Config,
  answer: AgreementAnswer,
): Promise<AgreementStatus> {
  if (answer.history) return answer as AgreementStatus;
  const behind = (s: AgreementStatus) => OPEN_STAGES.includes(s.stage) && !OPEN_STAGES.includes(answer.stage);
  try {
    for (let tries = 1; ; tries++) {
      const { status, source } = await fetchStatus(client, config, answer.agreementId);
      if (source !== 'workflow') return { ...answer, history: status.history };
      if (!behind(status)) return status;
      if (tries === 10) return { ...status, stage: answer.stage };
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (err) {
    process.stderr.write(
      `dura: the history could not be read (${(err as Error).message}); \`dura history ${answer.agreementId}\` shows it\n`,
    );
    return { ...answer, history: [] };
  }
}
