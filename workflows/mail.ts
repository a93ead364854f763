/**
 * Messages the agreement sends. Each has an idempotency key made of the agreement's reference, the
 * kind and what makes it unique (reminder number, recipient), so a retried activity never sends twice.
 * A message that cannot be delivered is recorded and escalated; it never fails the agreement.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { Person } from '../common/agreement';
import {
  RECORDS_REFUSED,
  type EmailKind,
  type EmailReceipt,
  type EmailRequest,
  type Recipient,
} from '../activities/interfaces';
import { io } from './activities';
import { now, type Agreement } from './agreement-state';
import { MAIL_FROM_RECORDS, ONE_FIRST_MAIL, ONE_RECEIPT_EACH, RECORDS_WITH_MAIL } from './patches';

type Extra = EmailRequest['extra'];

/**
 * The requesters hear the request is in: at once, or (automatic initiation, patch `one-first-mail`)
 * held until the initiation package is out, see `releaseReceipt`.
 */
export async function acknowledgeRequest(agreement: Agreement): Promise<void> {
  if (agreement.status.policy.initiation === 'auto' && agreement.patches.has(ONE_FIRST_MAIL)) {
    agreement.state.receiptHeld = true;
    return;
  }
  await tellRequesters(agreement, 'request-received', 'received');
}

/**
 * Sends a held "we received your request" (its progress line then says what became of the package);
 * returns whether one was held. Never twice: the hold is dropped before the messages go out.
 */
export async function releaseReceipt(agreement: Agreement): Promise<boolean> {
  if (!agreement.state.receiptHeld) return false;
  agreement.state.receiptHeld = false;
  await tellRequesters(agreement, 'request-received', 'received');
  return true;
}

/** Sends one message; returns whether it was delivered. */
export async function send(
  agreement: Agreement,
  kind: EmailKind,
  key: string,
  to: Recipient[],
  options: { cc?: Recipient[]; extra?: Extra } = {},
): Promise<boolean> {
  const idempotencyKey = `${agreement.state.ref}/${kind}/${key}`;
  // For the status query only (it changes nothing the main loop watches, and writes no command).
  const named = (list: Recipient[]) => list.map((r) => (typeof r === 'string' ? r : r.email));
  const cc = options.cc?.length ? { cc: named(options.cc) } : {};
  agreement.sending.set(idempotencyKey, { idempotencyKey, kind, to: named(to), ...cc, since: now() });
  try {
    const fromRecords = agreement.patches.has(MAIL_FROM_RECORDS);
    const request = (): EmailRequest => ({
      idempotencyKey,
      kind,
      agreementId: agreement.status.agreementId,
      to,
      cc: options.cc,
      ...(fromRecords ? { agreementRef: agreement.state.ref } : { agreement: agreement.brief() }),
      extra: options.extra,
    });
    let receipt: EmailReceipt;
    try {
      receipt =
        fromRecords && agreement.patches.has(RECORDS_WITH_MAIL)
          ? await sendWithRecords(agreement, request)
          : await sendAfterRecords(agreement, request, fromRecords);
    } finally {
      agreement.sending.delete(idempotencyKey); // sent, refused or failed: no longer on its way
    }
    if (receipt.state === 'sent') return true;
    await undeliverable(agreement, kind, key, receipt.detail ?? 'rejected by the mail server');
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = err.cause instanceof ApplicationFailure ? err.cause.message : String(err.cause?.message);
    await undeliverable(agreement, kind, key, cause);
  }
  return false;
}

/** Before patch `records-with-mail`: the records first hold what the message says, then it is sent. */
async function sendAfterRecords(
  agreement: Agreement,
  request: () => EmailRequest,
  fromRecords: boolean,
): Promise<EmailReceipt> {
  // A failed write is retried once, whole.
  if (fromRecords) await agreement.record({ force: true }).catch(() => agreement.record({ force: true }));
  return io.sendEmail(request());
}

/**
 * Patch `records-with-mail`: the message carries the records' pending write, and the sendEmail activity
 * makes it before it renders. One activity and one workflow task per message instead of two of each
 * (issue 12). A write the records refuse (RECORDS_REFUSED: no snapshot to apply changes to) is made
 * again, whole, on its own, and the message sent as before.
 */
async function sendWithRecords(agreement: Agreement, request: () => EmailRequest): Promise<EmailReceipt> {
  try {
    return await agreement.withRecords((records) =>
      io.sendEmail({ ...request(), ...(records ? { records } : {}) }),
    );
  } catch (err) {
    const refused =
      err instanceof ActivityFailure && (err.cause as ApplicationFailure)?.type === RECORDS_REFUSED;
    if (!refused) throw err;
    return sendAfterRecords(agreement, request, true);
  }
}

async function undeliverable(agreement: Agreement, kind: EmailKind, key: string, why: string): Promise<void> {
  agreement.log('email-failed', `${kind} (${key}): ${why}`);
  if (kind !== 'escalation')
    await escalate(agreement, `email-${kind}-${key}`, `The ${kind} message could not be delivered: ${why}`);
}

/** Tells the access team, once per reason key. */
export async function escalate(agreement: Agreement, reasonKey: string, reason: string): Promise<void> {
  if (agreement.state.escalated.includes(reasonKey)) return;
  agreement.state.escalated.push(reasonKey);
  agreement.log('escalated', reason);
  await send(agreement, 'escalation', reasonKey, ['access-team'], { extra: { reason } });
}

/** One message per requester: requesters never see each other's addresses. */
export async function tellRequesters(
  agreement: Agreement,
  kind: EmailKind,
  key: string,
  options: { extra?: Extra; only?: Person[] } = {},
): Promise<void> {
  const requesters = options.only ?? agreement.status.requesters;
  // The live list: a requester who joins meanwhile is reached too (the instructions rely on it), but not
  // with a receipt, which joining sent them already (patch `one-receipt-each`).
  const before = requesters.length;
  for (let i = 0; i < requesters.length; i++) {
    if (i >= before && kind === 'request-received' && agreement.patches.has(ONE_RECEIPT_EACH)) break;
    const requester = requesters[i]!;
    await send(agreement, kind, `${key}/${requester.email}`, [requester], { extra: options.extra });
  }
}
