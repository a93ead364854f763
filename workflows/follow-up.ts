/**
 * The agreement's clock: while it waits (for initiation, a signature, a slow mail server) it sends
 * what falls due — reminders to the signing official, status updates to the requesters, escalations
 * when a deadline passes — and continues as new when its history grows long.
 */
import { allHandlersFinished, condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import { officialsOf, type AgreementStatus } from '../common/agreement';
import { Agreement, now } from './agreement-state';
import * as clock from './clock';
import { DETERMINISTIC_CLOCK, PAUSE_KEEPS_SCHEDULE, REMIND_NOW_KEEPS_PAUSE } from './patches';
import { escalate, send, tellRequesters } from './mail';

/** Waits until `done()`, doing whatever falls due meanwhile. Throws AgreementEnded on cancel/decline. */
export async function waitUntil(agreement: Agreement, done: () => boolean): Promise<void> {
  for (;;) {
    agreement.checkEnded();
    if (done()) return;
    await doWhatIsDue(agreement);
    agreement.publish();
    // Records are written beside the clock, not in its way; continue-as-new waits for them.
    agreement.track(agreement.record(), { wake: false });
    if (agreement.state.end || done()) continue;
    await continueAsNewIfLong(agreement);
    agreement.changed = false;
    const wake = nextDueAt(agreement);
    const woken = () => agreement.changed || done() || agreement.state.end !== null;
    if (wake === null) await condition(woken);
    else if (!(await condition(woken, Math.max(1, Date.parse(wake) - Date.now()))))
      agreement.dueAsOf = Math.max(agreement.dueAsOf, Date.parse(wake)); // the timer fired
  }
}

/**
 * Whether `at` has come. Since patch `deterministic-clock` only a fired timer moves what is due (to the
 * instant it was set for), never the activation's clock: after a server restart the worker can run a
 * task on the previous task's clock while replay uses the real one, and a deadline found due by one
 * and not the other sent an escalation in one and not in the other (TMPRL1100). A deadline passed
 * while the workflow was busy gets a 1 ms timer, so it is seen a task later, the same way both times.
 */
function isDue(agreement: Agreement, at: string | null): boolean {
  if (at === null) return false;
  return Date.parse(at) <= (agreement.patches.has(DETERMINISTIC_CLOCK) ? agreement.dueAsOf : Date.now());
}

/**
 * Whether the initiation deadline still needs watching. A request that arrived after its deadline
 * (recovered from a mailbox) and is being initiated right now is not escalated; one whose deadline
 * passes while the package is stuck is.
 */
function watchingInitiation(agreement: Agreement): boolean {
  const s = agreement.status;
  if (s.initiatedAt || s.overdue || !s.initiationDueBy) return false;
  const since = agreement.initiatingSince;
  return since === null || Date.parse(s.initiationDueBy) > since;
}

/** The earliest moment something falls due, or null to wait only for handlers. */
function nextDueAt(agreement: Agreement): string | null {
  const s = agreement.status;
  const candidates: (string | null)[] = [s.nextStatusUpdateAt];
  if (watchingInitiation(agreement)) candidates.push(s.initiationDueBy);
  if (s.stage === 'awaiting-signature') candidates.push(s.remindersPausedUntil ?? s.nextReminderAt);
  if (s.stage === 'executed' && !s.overdue) candidates.push(s.instructionsDueBy);
  const times = candidates.filter((t): t is string => t !== null).sort();
  return times[0] ?? null;
}

async function doWhatIsDue(agreement: Agreement): Promise<void> {
  const s = agreement.status;
  if (watchingInitiation(agreement) && isDue(agreement, s.initiationDueBy)) {
    s.overdue = true;
    await escalate(
      agreement,
      'initiation-overdue',
      `Initiation was due by ${s.initiationDueBy} and has not happened.`,
    );
  }
  if (s.stage === 'executed' && isDue(agreement, s.instructionsDueBy) && !s.overdue) {
    s.overdue = true;
    await escalate(
      agreement,
      'instructions-overdue',
      `Registration instructions were due by ${s.instructionsDueBy}.`,
    );
  }
  if (s.remindersPausedUntil && isDue(agreement, s.remindersPausedUntil)) {
    s.remindersPausedUntil = null;
    if (agreement.patches.has(PAUSE_KEEPS_SCHEDULE)) {
      // As resume-reminders: a reminder goes now only if one fell due during the pause.
      await rescheduleReminder(agreement);
      agreement.log('reminders-resumed', `the pause ended; next due ${s.nextReminderAt}`);
    } else agreement.log('reminders-resumed', 'the pause ended');
  }
  // A reminder and a status update that fall due together go out together.
  const due: Promise<void>[] = [];
  if (s.stage === 'awaiting-signature' && !s.remindersPausedUntil && isDue(agreement, s.nextReminderAt)) {
    due.push(sendReminder(agreement, 'scheduled'));
  }
  if (agreement.isOpen && isDue(agreement, s.nextStatusUpdateAt)) due.push(sendStatusUpdate(agreement));
  await Promise.all(due);
}

/** A reminder to the signing official; the next one is due a cadence after this one. */
export async function sendReminder(agreement: Agreement, why: 'scheduled' | 'requested'): Promise<void> {
  const s = agreement.status;
  const number = ++s.remindersSent;
  const officials = officialsOf(s);
  agreement.state.lastReminderAt = now();
  const next = await clock.reminderDueAt(agreement, now(), s.policy.reminderEveryDays);
  // Sent during a pause (remind-now): the next one is at the pause's end at the earliest.
  const held =
    s.remindersPausedUntil !== null &&
    next < s.remindersPausedUntil &&
    agreement.patches.has(REMIND_NOW_KEEPS_PAUSE);
  s.nextReminderAt = held ? s.remindersPausedUntil : next;
  const whom = officials.length === 1 ? 'the signing official' : `${officials.length} signing officials`;
  agreement.log('reminder-sent', `#${number} (${why}) to ${whom}; next due ${s.nextReminderAt}`);
  // The first official's key is the one agreements before several officials used.
  for (const [i, official] of officials.entries())
    await send(agreement, 'reminder', i === 0 ? String(number) : `${number}/${official.email}`, [official], {
      extra: { reminderNumber: number },
    });
  const every = s.policy.escalateAfterReminders;
  if (number % every === 0) {
    await escalate(
      agreement,
      `reminders-${number}`,
      `${number} reminders to the signing official have gone unanswered.`,
    );
  }
}

async function sendStatusUpdate(agreement: Agreement): Promise<void> {
  const s = agreement.status;
  const number = ++agreement.state.statusUpdatesSent;
  s.nextStatusUpdateAt = await clock.reminderDueAt(agreement, now(), s.policy.requesterUpdateEveryDays);
  agreement.log('status-update-sent', `#${number} to ${s.requesters.length} requester(s)`);
  await tellRequesters(agreement, 'status-update', String(number), { extra: { updateNumber: number } });
}

/** When the next reminder is due: a cadence after the last one (or after initiation); may be past. */
export async function reminderDueAfterLast(agreement: Agreement): Promise<string | null> {
  const s = agreement.status;
  const previous = agreement.state.lastReminderAt ?? s.initiatedAt;
  if (!previous) return null;
  return clock.reminderDueAt(agreement, previous, s.policy.reminderEveryDays);
}

/** Reschedules the next reminder a cadence after the last one (or after initiation), never in the past. */
export async function rescheduleReminder(agreement: Agreement): Promise<void> {
  const due = await reminderDueAfterLast(agreement);
  if (due === null) return;
  agreement.status.nextReminderAt = Date.parse(due) < Date.now() ? now() : due;
}

async function continueAsNewIfLong(agreement: Agreement): Promise<void> {
  const info = workflowInfo();
  const limit = agreement.input.continueAsNewAfterEvents;
  if (!info.continueAsNewSuggested && !(limit && info.historyLength >= limit)) return;
  // Handlers and background sends finish first, so nothing they started is lost.
  await condition(() => allHandlersFinished() && agreement.idle);
  agreement.log('continued-as-new', `after ${info.historyLength} history events`);
  await agreement.record();
  const { state: _old, ...rest } = agreement.input;
  await continueAsNew<(input: typeof agreement.input) => Promise<AgreementStatus>>({
    ...rest,
    state: agreement.state,
  });
}
