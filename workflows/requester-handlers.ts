/**
 * `removeRequester`: a requester's address taken off an agreement in process (a trial's mistyped
 * marie.tremblay@umontral.ca, added again correctly with add-requester, kept getting every update and,
 * on execution, the registration instructions). No patch: only a history that took this update runs it.
 */
import { setHandler } from '@temporalio/workflow';
import { sameEmail } from '../common/agreement';
import type { Agreement } from './agreement-state';
import * as guard from './guards';
import * as m from './messages';
import { requireOpen } from './stage-guards';

export function registerRequesterHandlers(agreement: Agreement): void {
  setHandler(
    m.removeRequesterUpdate,
    (input) => {
      const email = guard.email(input?.email, 'email');
      const s = agreement.status;
      s.requesters = s.requesters.filter((r) => !sameEmail(r.email, email));
      agreement.log('requester-removed', email); // wakes the loop, which writes the records
      return agreement.reply();
    },
    {
      validator: (input) => {
        requireOpen(agreement, 'remove-requester');
        // Its execution lists the address it was asked for, whoever its requesters are by then.
        if (agreement.status.individual)
          throw new Error(
            `cannot remove-requester: ${agreement.status.agreementId} is ${agreement.status.individual}'s individual ` +
              'agreement; for a mistyped address, cancel it and request again with the right one',
          );
        const email = guard.email(input?.email, 'email');
        const { requesters } = agreement.status;
        if (!requesters.some((r) => sameEmail(r.email, email)))
          throw new Error(
            `cannot remove-requester: ${email} is not one of its requesters (${requesters.map((r) => r.email).join(', ')})`,
          );
        if (requesters.length === 1)
          throw new Error(
            `cannot remove-requester: ${email} is its only requester; add the right address first (dura add-requester)`,
          );
      },
    },
  );
}
