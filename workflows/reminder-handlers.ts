/**
 * The access team's hold on the reminders to the signing official: remind now, pause until a date,
 * resume, and the cadence. Validators refuse what is untimely; handlers await every calendar answer
 * before they change what the main loop watches (design.md, "Temporal discipline").
 */
import { setHandler } from '@temporalio/workflow';
import type { AgreementAnswer } from '../common/agreement';
import type { Agreement } from './agreement-state';
import * as clock from './clock';
import { reminderDueAfterLast, rescheduleReminder, sendReminder } from './follow-up';
import * as guard from './guards';
import * as m from './messages';
import { PAUSE_KEEPS_SCHEDULE } from './patches';
import { requireAwaitingSignature, requireOpen } from './stage-guards';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

export function registerReminderHandlers(agreement: Agreement, status: () => AgreementAnswer): void {
  setHandler(
    m.remindNowUpdate,
    async () => {
      await sendReminder(agreement, 'requested');
      return status();
    },
    {
      validator: (options?: { force?: boolean }) => {
        requireAwaitingSignature(agreement, 'send a reminder');
        // A reminder minutes after the last one, or after the package itself, reads as a mistake to the
        // signing official. (Validators do not run on replay: no patch.)
        const reminded = agreement.state.lastReminderAt;
        const last = reminded ?? agreement.status.initiatedAt;
        const since = last ? Date.now() - Date.parse(last) : Infinity;
        if (since < DAY_MS && options?.force !== true) {
          const minutes = Math.round(since / 60_000);
          const ago =
            minutes < 1
              ? 'just now'
              : since < HOUR_MS
                ? `${minutes} min ago`
                : `${Math.floor(since / HOUR_MS)} h ago`;
          const what = reminded ? 'the last reminder' : 'the initiation package';
          throw new Error(
            `remind-now: ${what} went out ${ago} (a reminder within a day of it reads as a mistake); ` +
              'add --force to send one anyway',
          );
        }
      },
    },
  );

  setHandler(
    m.pauseRemindersUpdate,
    async ({ until }) => {
      const resumeAt = /^\d{4}-\d{2}-\d{2}$/.test(until)
        ? await clock.businessMorning(agreement, until)
        : new Date(until).toISOString();
      // Every await before any change the main loop watches (design.md, "Temporal discipline").
      const due = agreement.patches.has(PAUSE_KEEPS_SCHEDULE) ? await reminderDueAfterLast(agreement) : null;
      agreement.status.remindersPausedUntil = resumeAt;
      agreement.status.nextReminderAt = due !== null && due > resumeAt ? due : resumeAt;
      agreement.log('reminders-paused', `until ${resumeAt}`);
      return status();
    },
    {
      validator: (input) => {
        requireAwaitingSignature(agreement, 'pause reminders');
        const until = input?.until;
        const at = /^\d{4}-\d{2}-\d{2}$/.test(String(until))
          ? new Date(`${guard.calendarDate(until, 'until')}T23:59:59Z`)
          : guard.instant(until, 'until');
        if (at.getTime() <= Date.now()) throw new Error(`until: ${String(until)} is not in the future`);
      },
    },
  );

  setHandler(
    m.resumeRemindersUpdate,
    async () => {
      agreement.status.remindersPausedUntil = null;
      await rescheduleReminder(agreement);
      agreement.log('reminders-resumed', `next due ${agreement.status.nextReminderAt}`);
      return status();
    },
    {
      validator: () => {
        requireAwaitingSignature(agreement, 'resume reminders');
        if (!agreement.status.remindersPausedUntil)
          throw new Error('cannot resume reminders: they are not paused');
      },
    },
  );

  setHandler(
    m.setCadenceUpdate,
    async ({ days }) => {
      agreement.status.policy.reminderEveryDays = days;
      if (!agreement.status.remindersPausedUntil) await rescheduleReminder(agreement);
      agreement.log('cadence-changed', `every ${days} days; next due ${agreement.status.nextReminderAt}`);
      return status();
    },
    {
      validator: (input) => {
        requireOpen(agreement, 'change the cadence');
        guard.wholeDays(input?.days, 'days');
      },
    },
  );
}
