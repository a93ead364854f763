/**
 * `dura registration close <email> --reason <why>` (issue 18), answered as a value for the thin command
 * of client/commands/registration.ts: the access team closes a requester's open registrations (the
 * person left, or will not register), so that no nudge goes out and the Monday digest and the monthly
 * report stop listing them as stalled. Input is checked before anything connects (exit 1, every problem
 * at once, named as typed); client/registration.ts sends the update to each registration's workflow.
 */
import type { RegistrationStatus } from '../common/registration';
import { UserError } from './output';

export interface ClosedRegistrations {
  /** `closed`: each open registration closed now; `nothing-open`: every one was complete or closed. */
  outcome: 'closed' | 'nothing-open';
  registrations: RegistrationStatus[];
}

export async function closeRegistrationTyped(typed: {
  email: string;
  reason: string;
}): Promise<ClosedRegistrations> {
  const { parseEmail } = await import('../common/coverage');
  const email = parseEmail(typed.email)?.email;
  const { closeReasonProblem } = await import('../common/registration');
  const reason = typed.reason.trim();
  const reasonProblem = closeReasonProblem(reason);
  const problems = [
    ...(email ? [] : [`${typed.email.trim() || 'email'}: not an e-mail address`]),
    ...(reasonProblem ? [`--reason: ${reasonProblem}`] : []),
  ];
  if (problems.length) throw new UserError(problems.join('\n'));
  const { session } = await import('./temporal');
  const { config, client } = await session();
  const { closeRegistrations } = await import('./registration');
  const { rethrowNotTaken, waitingLine } = await import('./update-retry');
  const answer = await closeRegistrations(
    client,
    config,
    { email: email!, reason },
    { onWait: (why, progress) => process.stderr.write(`dura: ${waitingLine(why, progress, 'the close')}\n`) },
  ).catch((err: unknown) => rethrowNotTaken(`the registration of ${email}`, err));
  switch (answer.outcome) {
    case 'closed':
      return { outcome: 'closed', registrations: answer.registrations };
    case 'nothing-open':
      return { outcome: 'nothing-open', registrations: [answer.registration] };
    case 'not-tracked':
      throw new UserError((await import('./registration-inputs')).notTracked(answer.email));
    case 'rejected':
      throw new UserError(`--reason: ${answer.message}`);
  }
}
