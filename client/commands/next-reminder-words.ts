/** What a control that moved the next reminder says of it (client/commands/controls.ts). */
import type { AgreementAnswer } from '../../common/agreement';

/** `next reminder Monday, December 14, 2026, 9:00 AM ET; ` for the answer of a control that moved it. */
export async function nextReminderWords(s: AgreementAnswer): Promise<string> {
  const { inWords } = await import('../../common/when');
  if (!s.nextReminderAt) return '';
  // As status shows it: the reminder's own date, and the pause (no reminder falls due before its end).
  const until = s.remindersPausedUntil;
  const paused = !until
    ? ''
    : until === s.nextReminderAt
      ? ', when the pause ends'
      : ` (paused until ${inWords(until)})`;
  return `next reminder ${inWords(s.nextReminderAt)}${paused}; `;
}
