/**
 * `dura registration resend <agreement> <requester> [--to ADDRESS] [--name NAME]`: registration
 * instructions the mail server refused for good (a 5xx, e.g. a mistyped address) go again, to the same
 * address or a corrected one, and the requester's registration is tracked from then on. It starts the
 * registration workflow the agreement would have started (the same id: common/registration.ts
 * `registrationWorkflowId`), told to send the instructions first (workflows/registration-mail.ts), and
 * waits up to WAIT_MS for the mail server's answer. Outcomes are values for the thin command; what the
 * person typed wrong, or an agreement with nothing to resend, is a UserError (exit 1), every problem at once.
 */
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { sameEmail, type AgreementStatus, type Person } from '../common/agreement';
import { DEFAULT_POLICY } from '../common/agreement';
import {
  INSTRUCTIONS_UNDELIVERED,
  registrationWorkflowId,
  type RegistrationStatus,
} from '../common/registration';
import type { Config } from '../common/config';
import type { registrationWorkflow } from '../workflows/registration';
import { registrationStatusQuery } from '../workflows/registration-messages';
import { UserError } from './output';
import { refusedRequesters } from './format';
import { withRecords } from './records';
import { newYorkDate } from '../common/when';

/** How long the command waits for the mail server to take the message before it says it is on its way. */
export const WAIT_MS = 30_000;

export type ResendOutcome = {
  agreementId: string;
  /** The requester as the agreement names them, and where the instructions went now. */
  requester: Person;
  to: Person;
  registrationId: string;
} & (
  | { outcome: 'sent'; registration: RegistrationStatus }
  /** The mail server has not answered yet (down, or deferring): the workflow keeps trying. */
  | { outcome: 'on-its-way' }
  /** Refused again: the server's answer; the registration closed, and another resend may follow. */
  | { outcome: 'refused'; detail: string }
);

export interface ResendTyped {
  agreement: string;
  email: string;
  to?: string;
  name?: string;
}

/** Checks what was typed (every problem at once), then resends: see the file's comment. */
export async function resendInstructionsTyped(typed: ResendTyped): Promise<ResendOutcome> {
  const { parseEmail } = await import('../common/coverage');
  const problems: string[] = [];
  const address = (flag: string, value: string) => {
    const parsed = parseEmail(value)?.email;
    if (!parsed) problems.push(`${flag}: ${JSON.stringify(value.trim())}: not an e-mail address`);
    return parsed ?? '';
  };
  const email = address('<requester>', typed.email);
  const to = typed.to === undefined ? undefined : address('--to', typed.to);
  const name = typed.name?.trim();
  if (typed.name !== undefined && !name) problems.push('--name: required when given');
  if (typed.name && /[\r\n]/.test(typed.name)) problems.push('--name: must be one line');
  if (problems.length) throw new UserError(problems.join('\n'));
  const { session } = await import('./temporal');
  const { config, client } = await session();
  const { fetchStatus } = await import('./agreement-handle');
  const { agreementTarget } = await import('../common/agreement-target');
  let { status } = await fetchStatus(client, config, typed.agreement);
  // An institution typed, whose latest agreement (a renewal, an amendment in process) is not the one the
  // requester asked for: the agreement of that institution whose instructions went to them.
  if (
    !agreementTarget(typed.agreement).agreementId &&
    !status.requesters.some((r) => sameEmail(r.email, email))
  )
    for (const id of await withRecords(config.DATABASE_URL, (store) => store.agreementsOfRequester(email))) {
      const asked = (await fetchStatus(client, config, id)).status;
      if (asked.institution.domain !== status.institution.domain || !asked.instructionsSentAt) continue;
      status = asked;
      break;
    }
  return resendInstructions(client, config, status, { email, to, name });
}

/** Resends `email`'s instructions for the agreement `status` (to `to`, named `name`, when given). */
export async function resendInstructions(
  client: Client,
  config: Pick<Config, 'DATABASE_URL' | 'DURA_TASK_QUEUE'>,
  status: AgreementStatus,
  typed: { email: string; to?: string; name?: string },
): Promise<ResendOutcome> {
  const id = status.agreementId;
  if (!status.instructionsSentAt)
    throw new UserError(
      `${id} is ${status.stage}: its registration instructions go out when it is executed, not before`,
    );
  const number = status.requesters.findIndex((r) => sameEmail(r.email, typed.email)) + 1;
  if (number === 0)
    throw new UserError(
      `${typed.email} is not a requester of ${id}; its requesters: ${status.requesters.map((r) => r.email).join(', ')}`,
    );
  const requester = status.requesters[number - 1]!;
  if (!refusedRequesters(status, 'registration-instructions').some((e) => sameEmail(e, requester.email)))
    throw new UserError(
      `${id}: the registration instructions to ${requester.email} were not refused; nothing to resend`,
    );
  const named = await withRecords(config.DATABASE_URL, (store) => store.agreementById(id));
  if (!named)
    throw new UserError(`${id}: not in the records (DATABASE_URL), so its registration cannot start`);
  const registrationId = registrationWorkflowId(status, named.agreement_ref, number);
  const to = { name: typed.name ?? requester.name, email: typed.to ?? requester.email };
  const handle = client.workflow.getHandle<typeof registrationWorkflow>(registrationId);
  await mayStart(handle, id);
  const policy = status.policy;
  await client.workflow
    .start<typeof registrationWorkflow>('registrationWorkflow', {
      workflowId: registrationId,
      taskQueue: config.DURA_TASK_QUEUE,
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      args: [
        {
          registrationId,
          agreementId: id,
          agreementRef: named.agreement_ref,
          institution: { name: status.institution.name, domain: status.institution.domain },
          requester: to,
          instructionsSentAt: new Date().toISOString(),
          nudgeEveryDays: policy.registrationNudgeEveryDays ?? DEFAULT_POLICY.registrationNudgeEveryDays!,
          nudges: policy.registrationNudges ?? DEFAULT_POLICY.registrationNudges!,
          sendInstructions: true,
        },
      ],
    })
    .catch((err: unknown) => {
      // Started by another resend a moment ago: that one's answer is this one's.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    });
  const base = { agreementId: id, requester, to, registrationId };
  return { ...base, ...(await answered(client, handle)) };
}

/** A registration already under that id: a resend that was refused again may start anew; any other not. */
async function mayStart(handle: WorkflowHandle<typeof registrationWorkflow>, id: string): Promise<void> {
  const running = await handle.describe().then(
    (d) => d.status.name,
    (err: unknown) => {
      if ((err as Error).name === 'WorkflowNotFoundError') return undefined;
      throw err;
    },
  );
  if (running === undefined) return;
  const last = await (running === 'RUNNING' ? handle.query(registrationStatusQuery) : handle.result()).catch(
    () => undefined,
  );
  if (last?.closedReason === INSTRUCTIONS_UNDELIVERED) return;
  const where = last ? `, to ${last.requester.email} on ${newYorkDate(last.instructionsSentAt)}` : '';
  throw new UserError(
    `${id}: the instructions were resent already${where}, and that registration is tracked ` +
      '(`dura registration list`)',
  );
}

/** Waits for the registration's answer: delivered, refused again, or not yet (WAIT_MS). */
async function answered(
  client: Client,
  handle: WorkflowHandle<typeof registrationWorkflow>,
): Promise<
  | { outcome: 'sent'; registration: RegistrationStatus }
  | { outcome: 'on-its-way' }
  | { outcome: 'refused'; detail: string }
> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const r = await client.connection
      .withDeadline(Date.now() + 3_000, () => handle.query(registrationStatusQuery))
      .catch(() => undefined);
    if (r?.history.some((e) => e.event === 'instructions-resent'))
      return { outcome: 'sent', registration: r };
    if (r?.closedReason === INSTRUCTIONS_UNDELIVERED) {
      const failed = r.history.find((e) => e.event === 'email-failed')?.detail ?? '';
      return { outcome: 'refused', detail: failed.replace(/^[^:]*\): /, '') };
    }
    if (Date.now() > deadline) return { outcome: 'on-its-way' };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
