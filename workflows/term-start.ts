/**
 * The agreement's side of its term (issue 18, patch `agreement-term`): at execution the end date is
 * settled (`execute --expires-on`, else the policy's `termMonths` from the signing date) and a renewal
 * tells the term of the agreement it renews that it is renewed; at completion the term starts as an
 * abandoned child (workflows/term.ts), so the institution's workflow id is free for its next agreement.
 *
 * Each function asks `patched(AGREEMENT_TERM)` only when the agreement has something of a term (an end
 * date, a renewal), which no agreement from before the patch has: their histories replay unchanged.
 */
import { ParentClosePolicy, getExternalWorkflowHandle, log, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { officialsOf } from '../common/agreement';
import type { Agreement } from './agreement-state';
import { AGREEMENT_TERM } from './patches';
import { addMonths, termWorkflow, termWorkflowId } from './term';
import { renewedSignal } from './term-messages';

/** At execution: `expiresOn` from the execution or the policy's term (null: none). */
export function settleEndDate(agreement: Agreement): void {
  const { state, status: s } = agreement;
  const months = s.policy.termMonths ?? null;
  const typed = state.execution?.expiresOn;
  if (!typed && !months) return;
  if (!agreement.patches.has(AGREEMENT_TERM)) return;
  s.expiresOn = typed ?? addMonths(s.signedOn!, months!);
  agreement.log('term', `in force until ${s.expiresOn}${typed ? '' : ` (the policy's ${months} months)`}`);
}

/** At execution of a renewal: the renewed agreement's term ends as renewed (a closed term: nothing to do). */
export async function tellRenewed(agreement: Agreement): Promise<void> {
  const renewal = agreement.input.renewal;
  if (!renewal?.termWorkflowId || !agreement.patches.has(AGREEMENT_TERM)) return;
  try {
    await getExternalWorkflowHandle(renewal.termWorkflowId).signal(renewedSignal, {
      agreementId: agreement.status.agreementId,
    });
    agreement.log('renews', `${renewal.renews}: its term ends as renewed`);
  } catch (err) {
    // Its term had already ended (lapsed): this agreement lists the tiers again, which clears the lapse.
    log.info('renewed term already closed', { error: String(err) });
    agreement.log('renews', `${renewal.renews}: its term had already ended; the listing is in force again`);
  }
}

/** At completion: the term's workflow, when the agreement has an end date. */
export async function startTerm(agreement: Agreement): Promise<void> {
  const s = agreement.status;
  if (!s.expiresOn || !s.signedOn || !agreement.patches.has(AGREEMENT_TERM)) return;
  const workflowId = termWorkflowId(agreement.state.ref);
  s.termWorkflowId = workflowId;
  try {
    await startChild(termWorkflow, {
      workflowId,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [
        {
          agreementId: s.agreementId,
          agreementRef: agreement.state.ref,
          institution: s.institution,
          ...(s.individual ? { individual: s.individual } : {}),
          tiers: s.tiers,
          signedOn: s.signedOn,
          expiresOn: s.expiresOn,
          warningDays: s.policy.termWarningDays ?? [60, 30, 15],
          officials: officialsOf(s),
        },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  agreement.log('term-started', `until ${s.expiresOn} (${workflowId})`);
}
