/**
 * A requester's registration's mail (workflows/registration.ts): one message at a time, and the
 * instructions a registration started by `dura registration resend` sends before anything else.
 */
import { ActivityFailure, ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import { INSTRUCTIONS_UNDELIVERED, REGISTRATION_STEPS, stepsLeft } from '../common/registration';
import type { EmailKind, EmailRequest, Recipient } from '../activities/interfaces';
import { io } from './activities';
import { now, type Registration } from './registration-state';

/**
 * One message under the idempotency key `<registration's first run id>/<kind>/<key>` (as
 * workflows/mail.ts keys the agreement's), rendered from the agreement's records (`agreementRef`) with
 * the registration's values; returns whether it was delivered. A refusal is logged, never fatal.
 */
export async function registrationMail(
  r: Registration,
  kind: EmailKind,
  key: string,
  to: Recipient[],
): Promise<boolean> {
  const s = r.status;
  const request: EmailRequest = {
    idempotencyKey: `${workflowInfo().firstExecutionRunId}/${kind}/${key}`,
    kind,
    agreementId: s.agreementId,
    agreementRef: r.input.agreementRef,
    to,
    extra: {
      stepsLeft: stepsLeft(s.steps).join(','),
      stepsDone: REGISTRATION_STEPS.filter((x) => s.steps[x])
        .map((x) => `${x}=${s.steps[x]}`)
        .join(','),
      requesterName: s.requester.name,
      requesterEmail: s.requester.email,
      nudgesSent: s.nudgesSent,
      instructionsSentAt: s.instructionsSentAt,
    },
  };
  try {
    const receipt = await io.sendEmail(request);
    if (receipt.state === 'sent') return true;
    r.log(
      'email-failed',
      `${kind} (${s.requester.email}): ${receipt.detail ?? 'rejected by the mail server'}`,
    );
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const why = err.cause instanceof ApplicationFailure ? err.cause.message : String(err.cause?.message);
    r.log('email-failed', `${kind} (${s.requester.email}): ${why}`);
  }
  return false;
}

/**
 * A registration started by `dura registration resend` (client/registration-resend.ts): the agreement's
 * own send of the instructions was refused for good (a 5xx, e.g. a mistyped address), so this one sends
 * them first, to the address the access team gave. Delivered: `instructionsSentAt` is now, and the
 * registration is tracked as any other. Refused again: closed at once (`INSTRUCTIONS_UNDELIVERED`), so
 * that another resend (to another address) may start it again. True: delivered.
 */
export async function sendInstructionsFirst(r: Registration): Promise<boolean> {
  const s = r.status;
  if (await registrationMail(r, 'registration-instructions', 'resent', [s.requester])) {
    s.instructionsSentAt = now();
    r.log('instructions-resent', `${s.requester.email}: the registration instructions, sent again`);
    return true;
  }
  s.closedAt = now();
  s.closedReason = INSTRUCTIONS_UNDELIVERED;
  r.log('registration-closed', `${s.requester.email}: ${INSTRUCTIONS_UNDELIVERED}`);
  await r.record();
  return false;
}
