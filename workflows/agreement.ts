/**
 * The agreement lifecycle: one workflow per institution (`dura-<domain>`), durable for months, that
 * drives the DURA process through its five steps and never forgets a deadline, a reminder or a requester.
 */
import { allHandlersFinished, condition } from '@temporalio/workflow';
import type { AgreementAnswer } from '../common/agreement';
import { Agreement, AgreementEnded, newState, type AgreementInput } from './agreement-state';
import { registerHandlers } from './handlers';
import * as step from './steps';

export type { AgreementInput } from './agreement-state';

export async function agreementWorkflow(input: AgreementInput): Promise<AgreementAnswer> {
  const agreement = new Agreement(input.state ?? newState(input), input);
  // Handlers first: an update-with-start's `join` arrives in the very first activation.
  registerHandlers(agreement);
  agreement.publish();
  try {
    // 1. The request: triage against the Registered Institutions list; the requester hears we have it.
    await step.receiveRequest(agreement);
    agreement.checkEnded();
    // 2. Initiation with the institution's signing official within two business days.
    await step.initiate(agreement);
    // 3. Biweekly follow-up with the signing official, and updates to the requesters, until signed.
    await step.followUpUntilExecuted(agreement);
    // 4. Execution: recorded; the institution becomes listed for its tiers.
    await step.recordExecution(agreement);
    // 5. Registration instructions to every requester, within two business days.
    await step.sendInstructions(agreement);
    await step.complete(agreement);
  } catch (err) {
    if (!(err instanceof AgreementEnded)) throw err;
    await step.endEarly(agreement);
  }
  // Let in-flight updates answer their callers before the workflow closes.
  await condition(() => allHandlersFinished() && agreement.idle);
  await agreement.record(); // whatever those last handlers wrote down
  return agreement.reply(); // without its history: the status query and the records have it
}
