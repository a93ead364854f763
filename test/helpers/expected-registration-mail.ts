/**
 * The registrations' share of "every expected message once, nothing else" (issue 18): each agreement
 * starts one registration workflow per requester after the instructions (workflows/registration-start.ts,
 * history event `registration-tracked`, detail `<email> (<registration workflow id>)`), which nudges the
 * requester and at last tells the access team (workflows/registration.ts). Which of those messages it
 * sent is read from the registration's own status, as expected-mail.ts reads an agreement's; each has the
 * Message-ID the mailer derives from its key `<registration first run id>/<kind>/<n>`.
 *
 * A nudge and the stalled message are logged just after they went out: a comparison with the sink is
 * repeated until it holds, as for the agreements.
 */
import type { Client } from '@temporalio/client';
import type { AgreementStatus } from '../../common/agreement';
import type { RegistrationStatus } from '../../common/registration';
import { messageIdFor } from '../../activities/mail/mailer';
import { registrationStatusQuery } from '../../workflows/registration-messages';
import type { ExpectedMessage } from './expected-mail';
import { agreementRef, patiently, type Patience } from './patient-client';

export interface TrackedRegistration {
  workflowId: string;
  /** Its first run's id: the `<ref>` of its idempotency keys. */
  ref: string;
  status: RegistrationStatus;
}

/** The registration workflow ids an agreement's history says it started, in order. */
export function registrationIdsOf(status: AgreementStatus): string[] {
  return status.history
    .filter((h) => h.event === 'registration-tracked')
    .map((h) => /\(([^()\s]+)\)$/.exec(h.detail ?? '')?.[1])
    .filter((id): id is string => id !== undefined);
}

/**
 * Every registration the agreements started, with its status now. `refs` caches the first run ids
 * across calls; `patience` (fault tests) retries a query the churn refused.
 */
export async function trackedRegistrations(
  client: Client,
  statuses: Iterable<AgreementStatus>,
  refs: Map<string, string>,
  patience: Patience = { retries: 0 },
): Promise<TrackedRegistration[]> {
  const ids = [...statuses].flatMap(registrationIdsOf);
  const out: TrackedRegistration[] = [];
  // A few at a time: the fault tests run beside a loaded worker.
  for (let i = 0; i < ids.length; i += 8)
    out.push(
      ...(await Promise.all(
        ids.slice(i, i + 8).map(async (workflowId) => {
          const handle = client.workflow.getHandle(workflowId);
          let ref = refs.get(workflowId);
          if (!ref)
            refs.set(workflowId, (ref = await patiently(client, patience, () => agreementRef(handle))));
          const status = await patiently(client, patience, () => handle.query(registrationStatusQuery));
          return { workflowId, ref, status };
        }),
      )),
    );
  return out;
}

/** Every message the registration's history says it sent: its nudges, and the access team's note. */
export function expectedRegistrationMessages(
  registration: TrackedRegistration,
  accessTeam: string,
): ExpectedMessage[] {
  const { ref, status } = registration;
  const out: ExpectedMessage[] = [];
  const add = (kind: string, key: string, to: string) =>
    out.push({
      agreementId: status.agreementId,
      kind,
      key,
      messageId: messageIdFor(`${ref}/${kind}/${key}`),
      to: to.toLowerCase(),
    });
  status.history.forEach((entry, i) => {
    if (entry.event === 'registration-nudge') {
      const n = /: nudge (\d+) of /.exec(entry.detail ?? '')?.[1];
      if (!n) throw new Error(`${registration.workflowId}: no nudge number in "${entry.detail}"`);
      add('registration-nudge', n, status.requester.email);
    } else if (entry.event === 'registration-stalled') {
      // Logged whether or not the message went out: one that failed left `email-failed` just before.
      const before = status.history[i - 1];
      const failed = before?.event === 'email-failed' && before.detail?.startsWith('registration-stalled (');
      if (!failed) add('registration-stalled', 'access-team', accessTeam);
    }
  });
  return out;
}

/** The registrations' `email-failed` entries, for a test's "no message failed". */
export function failedRegistrationMail(registrations: TrackedRegistration[]): string[] {
  return registrations.flatMap((r) =>
    r.status.history
      .filter((h) => h.event === 'email-failed' || h.event === 'registration-nudge-failed')
      .map((h) => `${r.workflowId}: ${h.event} ${h.detail ?? ''}`),
  );
}

/**
 * The workflow that sent the message of an idempotency key: the registration whose first run id starts
 * it, else the agreement (`agreementWorkflowId`) — for the fault tests' look at a duplicate's sends.
 */
export function sendingWorkflowId(
  key: string,
  agreementWorkflowId: string,
  registrations: TrackedRegistration[],
): string {
  const ref = key.split('/')[0];
  return registrations.find((r) => r.ref === ref)?.workflowId ?? agreementWorkflowId;
}
