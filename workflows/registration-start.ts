/**
 * The agreement's side of registration tracking (issue 18, patch `registration-tracking`): right after
 * a requester's registration instructions are delivered (workflows/steps.ts `sendInstructions`, which
 * also sends them to a requester who joins while they go out), the requester's registration workflow
 * (workflows/registration.ts) starts as an abandoned child, so it lives on after the agreement completes.
 *
 * Its id carries no personal data: `<institution's workflow id>-registration-<agreement number>-<requester
 * number>` (`dura-uw.edu-registration-2-1`), the requester's place among the agreement's requesters
 * (they are only ever appended). An individual agreement (its number follows an address), or one from
 * before agreement numbers, uses its first run id instead of the number. Made from the agreement's own
 * data, never from `workflowInfo().workflowId`: a replay may run under another id (test/helpers/replay-all.ts).
 * Already started (a retried workflow task): taken as done.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { DEFAULT_POLICY, sameEmail, type Person } from '../common/agreement';
import { registrationWorkflowId } from '../common/registration';
import type { Agreement } from './agreement-state';
import { now } from './agreement-state';
import { REGISTRATION_TRACKING } from './patches';
import { registrationWorkflow } from './registration';

/** Starts tracking the requester's registration (the instructions just went to them). */
export async function trackRegistration(agreement: Agreement, requester: Person): Promise<void> {
  // Off by the agreement's policy (fixed at its start, so its replay asks the same).
  if (agreement.status.policy.registrationTracking === false || !agreement.patches.has(REGISTRATION_TRACKING))
    return;
  const { state, status: s } = agreement;
  const number = s.requesters.findIndex((r) => sameEmail(r.email, requester.email)) + 1;
  const workflowId = registrationWorkflowId(s, state.ref, number);
  try {
    await startChild(registrationWorkflow, {
      workflowId,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [
        {
          registrationId: workflowId,
          agreementId: s.agreementId,
          agreementRef: state.ref,
          institution: { name: s.institution.name, domain: s.institution.domain },
          requester: { name: requester.name, email: requester.email },
          instructionsSentAt: now(),
          nudgeEveryDays: s.policy.registrationNudgeEveryDays ?? DEFAULT_POLICY.registrationNudgeEveryDays!,
          nudges: s.policy.registrationNudges ?? DEFAULT_POLICY.registrationNudges!,
        },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  agreement.log('registration-tracked', `${requester.email} (${workflowId})`);
}
