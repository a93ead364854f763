/**
 * The five steps of the DURA process (design.md), each a no-op when the agreement's file shows it done,
 * so a run that continued as new picks up where the last one stopped.
 */
import { officialsOf, type Tier } from '../common/agreement';
import { io } from './activities';
import { Agreement, now } from './agreement-state';
import * as clock from './clock';
import { waitUntil } from './follow-up';
import { trackRegistration } from './registration-start';
import { releaseReceipt, send, tellRequesters } from './mail';
import * as term from './term-start';

import { AGREEMENT_IDS, CLOSED_AFTER_PACKAGE, EXECUTION_STANDS } from './patches';

export { receiveRequest } from './triage';

/** 2. Initiation within two business days: at once (auto) or when the access team says (manual). */
export async function initiate(agreement: Agreement): Promise<void> {
  if (agreement.status.initiatedAt) return;
  if (agreement.status.policy.initiation === 'auto') agreement.track(initiateAgreement(agreement, 'auto'));
  // Meanwhile the clock keeps running: a missed deadline escalates once and flags the agreement.
  // An institution may also sign before anyone initiated (the access team records it with execute).
  await waitUntil(
    agreement,
    () => agreement.status.initiatedAt !== null || agreement.state.execution !== null,
  );
}

/** Sends the initiation package to the signing official, cc the All of Us signing official. */
export async function initiateAgreement(agreement: Agreement, by: string): Promise<void> {
  const s = agreement.status;
  const officials = officialsOf(s);
  const to = officials.map((o) => o.email).join(', ');
  // A fresh key per attempt: a package that bounced may be sent again once the official is fixed.
  const attempt = s.history.filter((h) => h.event === 'initiation-failed').length;
  agreement.initiatingSince = Date.now();
  const reached: typeof officials = [];
  try {
    // Each official gets a package of their own, one after another (one at a time, as before).
    for (const official of officials)
      if (
        await send(agreement, 'initiation-package', `${official.email}/${attempt}`, [official], {
          cc: ['aou-signing-official'],
        })
      )
        reached.push(official);
  } finally {
    agreement.initiatingSince = null;
  }
  // Cancelled, declined or (patch execution-stands) executed while the package was on its way: that
  // stands, and the requesters hear of it instead of a held receipt.
  const overtaken =
    agreement.state.end?.stage ??
    (agreement.state.execution && agreement.patches.has(EXECUTION_STANDS) ? 'executed' : null);
  const delivered = reached.length > 0;
  if (overtaken) {
    if (delivered) agreement.log('initiation-package-sent', `to ${to} after the agreement was ${overtaken}`);
    agreement.state.receiptHeld = false;
    // Closed while the package waited on the mail server: its officials hear so, as endEarly tells
    // those of an initiated agreement (same key: never twice).
    const end = agreement.state.end;
    if (delivered && end && end.stage !== 'not-needed' && agreement.patches.has(CLOSED_AFTER_PACKAGE))
      for (const official of reached) await closedNotice(agreement, end, official);
    return;
  }
  if (!delivered) {
    // An undeliverable package waits for the access team: fix the official, then `dura initiate`.
    agreement.log('initiation-failed', `package to ${to} was not delivered`);
    await releaseReceipt(agreement);
    return;
  }
  s.initiatedAt = now();
  s.overdue = false;
  s.stage = 'awaiting-signature';
  s.nextReminderAt = await clock.reminderDueAt(agreement, s.initiatedAt, s.policy.reminderEveryDays);
  const late = s.initiationDueBy && s.initiatedAt > s.initiationDueBy ? ' (after the deadline)' : '';
  agreement.log(
    'initiated',
    `by ${by}${late}; package sent to ${to}; first reminder due ${s.nextReminderAt}`,
  );
  // A held "we received your request" now says both; otherwise the requesters get an update.
  if (!(await releaseReceipt(agreement))) await tellRequesters(agreement, 'status-update', 'initiated');
}

/** 3. Biweekly follow-up until the institution signs. */
export async function followUpUntilExecuted(agreement: Agreement): Promise<void> {
  await waitUntil(agreement, () => agreement.state.execution !== null);
}

/** 4. Execution: recorded, the institution becomes listed for its tiers, every requester is told. */
export async function recordExecution(agreement: Agreement): Promise<void> {
  const { state, status: s } = agreement;
  if (s.executedAt || !state.execution) return;
  s.executedAt = now();
  s.signedOn = state.execution.signedOn;
  s.documentRef = state.execution.documentRef ?? null;
  s.overdue = false;
  s.nextReminderAt = null;
  s.nextStatusUpdateAt = null;
  s.remindersPausedUntil = null;
  s.instructionsDueBy = await clock.businessDeadline(
    agreement,
    s.executedAt,
    s.policy.instructionsBusinessDays,
  );
  agreement.moveTo(
    'executed',
    `signed on ${s.signedOn}${s.documentRef ? ` (${s.documentRef})` : ''}; instructions due by ${s.instructionsDueBy}`,
  );
  term.settleEndDate(agreement);
  agreement.publish();
  await io.updateRegistry({
    institution: s.institution,
    ...(s.individual ? { individual: s.individual } : {}),
    tiers: s.tiers as Tier[],
    signedOn: s.signedOn,
    agreementId: s.agreementId,
    documentRef: s.documentRef ?? undefined,
    ...(s.expiresOn ? { expiresOn: s.expiresOn } : {}),
  });
  await term.tellRenewed(agreement);
  const listedWho = s.individual ?? s.institution.domain;
  agreement.log('registry-updated', `${listedWho} listed for ${s.tiers.join(', ')}`);
  await tellRequesters(agreement, 'executed', 'executed');
}

/** 5. Registration instructions to every requester (one who joins meanwhile gets them too). */
export async function sendInstructions(agreement: Agreement): Promise<void> {
  const s = agreement.status;
  if (s.instructionsSentAt) return;
  const sent = new Set<string>();
  const sendAll = async () => {
    for (
      let pending = s.requesters;
      pending.length;
      pending = s.requesters.filter((r) => !sent.has(r.email))
    ) {
      for (const requester of pending) {
        sent.add(requester.email);
        if (await send(agreement, 'registration-instructions', requester.email, [requester]))
          await trackRegistration(agreement, requester);
      }
    }
    s.instructionsSentAt = now();
  };
  agreement.track(sendAll());
  // The deadline watchdog escalates if a slow mail server holds the instructions past their due time.
  await waitUntil(agreement, () => s.instructionsSentAt !== null);
  s.overdue = false;
  agreement.moveTo('instructions-sent', `to ${s.requesters.length} requester(s)`);
}

export async function complete(agreement: Agreement): Promise<void> {
  agreement.status.endedAt = now();
  // An agreement with an end date: its term runs on in a workflow of its own (issue 18).
  await term.startTerm(agreement);
  agreement.moveTo('completed');
  agreement.publish();
  await agreement.record();
}

/** An early end: cancelled, declined or not needed. Every requester is told; timers stop. */
export async function endEarly(agreement: Agreement): Promise<void> {
  const { state, status: s } = agreement;
  const end = state.end!;
  s.endedAt = now();
  s.endReason = end.reason;
  s.nextReminderAt = null;
  s.nextStatusUpdateAt = null;
  s.remindersPausedUntil = null;
  s.overdue = false;
  agreement.moveTo(end.stage, end.reason);
  agreement.publish();
  await tellRequesters(agreement, end.stage, end.stage, { extra: { reason: end.reason } });
  // The officials hold the package (and maybe reminders): they hear it is closed (issue 14, item 6).
  if (s.initiatedAt && end.stage !== 'not-needed' && agreement.patches.has(AGREEMENT_IDS))
    for (const official of officialsOf(s)) await closedNotice(agreement, end, official);
  await agreement.record();
}

/** The notice to one official that the agreement is closed (cancelled or declined); its mail leaves the reason out. */
function closedNotice(
  agreement: Agreement,
  end: NonNullable<Agreement['state']['end']>,
  official: ReturnType<typeof officialsOf>[number],
): Promise<boolean> {
  return send(agreement, 'closed-notice', `${end.stage}/${official.email}`, [official], {
    extra: { reason: end.reason, stage: end.stage },
  });
}
