/**
 * A control's answer made whole for printing. Since patch `brief-answers` (workflows/patches.ts) an
 * agreement answers an update with its status without the history, which Temporal keeps with every
 * answer; `--json` prints the whole status object (docs/cli.md), so its history is asked for here.
 */
import type { Client } from '@temporalio/client';
import type { AgreementAnswer, AgreementStatus } from '../common/agreement';
import type { Config } from '../common/config';
import { fetchStatus } from './agreement-handle';

/**
 * `answer` with the agreement's history: as it came when it has one (an agreement from before the
 * patch), else the status query's (or the records', without a worker) beside the answer's fields,
 * which say what the update left. Never throws: when the history cannot be read the answer is given
 * without it, and stderr says how to see it.
 */
export async function withHistory(
  client: Client,
  config: Config,
  answer: AgreementAnswer,
): Promise<AgreementStatus> {
  if (answer.history) return answer as AgreementStatus;
  try {
    const { status } = await fetchStatus(client, config, answer.agreementId);
    return { ...answer, history: status.history };
  } catch (err) {
    process.stderr.write(
      `dura: the history could not be read (${(err as Error).message}); \`dura history ${answer.agreementId}\` shows it\n`,
    );
    return { ...answer, history: [] };
  }
}
