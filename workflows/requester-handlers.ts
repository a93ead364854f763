/**
 * `removeRequester`: a requester's address taken off an agreement in process (a trial's mistyped
 * marie.tremblay@umontral.ca, added again correctly with add-requester, kept getting every update and,
 * on execution, the registration instructions). `renameRequester`: a requester's name corrected (a
 * trial's garbled "ZoÃ© Roy" could not be: add-requester said only "already a requester").
 * No patch: only a history that took one of these updates runs it.
 */
import { setHandler } from '@temporalio/workflow';
import { sameEmail } from '../common/agreement';
import type { Agreement } from './agreement-state';
import * as guard from './guards';
import * as m from './messages';
import { requireOpen } from './stage-guards';

export function registerRequesterHandlers(agreement: Agreement): void {
  setHandler(
    m.renameRequesterUpdate,
    (input) => {
      const { name, email } = guard.person(input, 'requester');
      const s = agreement.status;
      const requester = s.requesters.find((r) => sameEmail(r.email, email))!;
      // A new list, not the entry changed in place: the records' write compares lists.
      s.requesters = s.requesters.map((r) => (r === requester ? { ...r, name } : r));
      agreement.log('requester-renamed', `${requester.email}: ${requester.name} → ${name}`); // wakes the loop
      return agreement.reply();
    },
    {
      validator: (input) => {
        requireOpen(agreement, 'add-requester');
        const { name, email } = guard.person(input, 'requester');
        const requester = agreement.status.requesters.find((r) => sameEmail(r.email, email));
        if (!requester)
          throw new Error(`cannot add-requester: ${email} is not one of its requesters, to rename`);
        if (requester.name === name)
          throw new Error(`cannot add-requester: ${email} is named ${name} already`);
      },
    },
  );
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
