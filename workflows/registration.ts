/**
 * A requester's registration (issue 18): one workflow per requester, started by the agreement workflow
 * as an abandoned child right after that requester's registration instructions went out
 * (workflows/steps.ts, patch `registration-tracking`). It keeps the five steps (common/registration.ts)
 * as the CLI, a CSV import or the Workbench's web hook report them (update `recordStep`), nudges the
 * requester every `nudgeEveryDays` (7) with only the steps left, at most `nudges` (4) times, then tells
 * the access team once (`registration-stalled`). Every step done: completed, and the workflow ends.
 *
 * Why a workflow of its own and not more of the agreement's: the agreement's workflow id is the
 * institution's (`dura-<domain>`, one agreement in process at a time), and it must close once its
 * instructions are out, so the institution's next request (an amendment, a renewal) starts a new
 * agreement instead of joining a finished one. A requester's registration lives on its own clock, for
 * weeks, and one requester's steps never wait on another's.
 *
 * The steps are the person's, not the agreement's (the Workbench registration is per researcher): at its
 * start it takes those the address already did in any earlier registration (a renewal's requester keeps
 * hers; activity `stepsAlreadyDone`), and completes at once when none is left. Before each nudge or
 * the stall notice it asks whether a newer open registration of the address exists (activity
 * `newerRegistration`): if so, that one nudges her and this one hands over for good (no more mail).
 *
 * Deterministic workflow code: dates from the calendar table it fetched at its start (an activity), no
 * Intl or luxon. Every change is written to the records (activity `recordRegistration`).
 */
import { allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import { BusinessCalendar, tableSource, type CalendarTable } from '../common/business-calendar';
import {
  closeReasonProblem,
  REGISTRATION_STEPS,
  STEP_WORDS,
  isRegistrationStep,
  stepsLeft,
  type RegistrationStatus,
  type StepReport,
} from '../common/registration';
import type { StepsAlreadyDone } from '../activities/interfaces';
import { io } from './activities';
import { registrationMail as mail, sendInstructionsFirst } from './registration-mail';
import { closeRegistrationUpdate, recordStepUpdate, registrationStatusQuery } from './registration-messages';
import { newRegistration, now, Registration, type RegistrationInput } from './registration-state';

export type { RegistrationInput } from './registration-state';

const DAY_MS = 86_400_000;
const SOURCES: readonly StepReport['source'][] = ['cli', 'csv', 'workbench'];

export async function registrationWorkflow(input: RegistrationInput): Promise<RegistrationStatus> {
  const r = new Registration(newRegistration(input), input);
  const s = r.status;
  setHandler(registrationStatusQuery, () => r.snapshot());
  setHandler(recordStepUpdate, (report) => recordStep(r, report), {
    validator: (report) => validateStep(r, report),
  });
  setHandler(closeRegistrationUpdate, (input) => close(r, input.reason), {
    validator: (input) => validateReason(input?.reason),
  });
  // Complete, or closed by the access team: nothing more to wait for.
  const ended = () => s.completedAt !== null || Boolean(s.closedAt);

  // Started by `dura registration resend`: the instructions first; refused again, it is closed.
  if (input.sendInstructions && !(await sendInstructionsFirst(r))) return r.snapshot();
  // The steps are the person's, not the agreement's: those done in an earlier registration (the
  // agreement a renewal renews) count here too. Every one done: completed now, with no nudge.
  carry(r, await io.stepsAlreadyDone({ email: s.requester.email, exceptRegistrationId: s.registrationId }));
  if (s.completedAt) await r.record();
  else {
    const year = new Date(Date.parse(s.instructionsSentAt)).getUTCFullYear();
    r.state.calendar = await io.calendarTable({ fromYear: year - 1, toYear: year + 2 });
  }
  if (!ended()) {
    s.nextNudgeAt = await dueAfter(r, s.instructionsSentAt, input.nudgeEveryDays);
    r.log(
      'registration-tracking',
      `${s.requester.email}: ${stepsLeft(s.steps).length} steps to go; a nudge every ` +
        `${input.nudgeEveryDays} days (at most ${input.nudges}), the first ${s.nextNudgeAt}`,
    );
    await r.record();
  }

  while (!ended() && s.nextNudgeAt) {
    const wait = Math.max(Date.parse(s.nextNudgeAt) - Date.now(), 1);
    // True: every step is done or it was closed (an update handler did it); false: the nudge is due.
    if (await condition(ended, wait)) break;
    if (await handedOver(r)) break;
    if (s.nudgesSent < input.nudges) await nudge(r);
    else await stall(r);
  }
  // Stalled or handed over: no more mail, but a step may still come in (a step is recorded in every
  // open registration of the address), and the last one completes the registration; or it is closed.
  await condition(ended);
  await condition(allHandlersFinished);
  // Closed while its first nudge was being scheduled (an activity above): that nudge is not due. Only a
  // closed registration gets here, so histories from before `close` replay as they ran.
  if (s.closedAt && s.nextNudgeAt) {
    s.nextNudgeAt = null;
    await r.record();
  }
  return r.snapshot();
}

/** Refuses a report before anything is written: an unknown step or source, a bad or future date. */
function validateStep(r: Registration, report: StepReport): void {
  const step: unknown = report?.step;
  if (!isRegistrationStep(step))
    throw new Error(`step: expected one of ${REGISTRATION_STEPS.join(', ')}, got ${String(step)}`);
  const on: unknown = report.on;
  const valid =
    typeof on === 'string' &&
    /^\d{4}-\d{2}-\d{2}$/.test(on) &&
    new Date(`${on}T00:00:00Z`).toISOString().slice(0, 10) === on;
  if (!valid) throw new Error(`on: expected a date YYYY-MM-DD, got ${String(on)}`);
  const today = newYorkDate(r, new Date());
  if (on > today) throw new Error(`on: ${on} is in the future (today is ${today} in New York)`);
  if (!SOURCES.includes(report.source))
    throw new Error(`source: expected one of ${SOURCES.join(', ')}, got ${String(report.source)}`);
}

/** A reason to close: one line of 1 to 500 characters. */
function validateReason(reason: unknown): void {
  const problem = closeReasonProblem(reason);
  if (problem) throw new Error(`reason: ${problem}`);
}

/** Closed by the access team with steps left: no more mail, and the workflow ends. */
async function close(r: Registration, reason: string): Promise<RegistrationStatus> {
  const s = r.status;
  if (s.completedAt || s.closedAt) return r.snapshot();
  s.closedAt = now();
  s.closedReason = reason.trim();
  s.nextNudgeAt = null;
  const left = stepsLeft(s.steps).length;
  r.log(
    'registration-closed',
    `${s.requester.email}: ${left} ${left === 1 ? 'step' : 'steps'} left; ${s.closedReason}`,
  );
  await r.record();
  return r.snapshot();
}

/** Records a step (the same step on the same date: nothing changes); the last one completes it. */
async function recordStep(r: Registration, report: StepReport): Promise<RegistrationStatus> {
  const s = r.status;
  const before = s.steps[report.step];
  if (before === report.on || s.completedAt || s.closedAt) return r.snapshot();
  s.steps[report.step] = report.on;
  const words = `${s.requester.email}: ${STEP_WORDS[report.step]} on ${report.on} (${report.source})`;
  if (before) r.log('registration-step-corrected', `${words}, was ${before}`);
  else r.log('registration-step', words);
  completeIfDone(r);
  await r.record();
  return r.snapshot();
}

/**
 * Takes the steps the person already did in earlier registrations (activity `stepsAlreadyDone`), those
 * not recorded here yet, one history entry per registration they come from; all done: completed.
 */
function carry(r: Registration, done: StepsAlreadyDone): void {
  const s = r.status;
  if (s.completedAt) return;
  for (const from of done.from) {
    const taken = from.steps.filter((x) => !s.steps[x] && done.steps[x]);
    if (!taken.length) continue;
    for (const x of taken) s.steps[x] = done.steps[x];
    const n = taken.length;
    r.log(
      'registration-steps-carried',
      `${s.requester.email}: ${n} ${n === 1 ? 'step' : 'steps'} already done in ${from.agreementId}'s ` +
        `registration (${taken.map((x) => `${STEP_WORDS[x]} on ${s.steps[x]}`).join(', ')})`,
    );
  }
  completeIfDone(r);
}

/** Every step done: completed, no more nudges. */
function completeIfDone(r: Registration): void {
  const s = r.status;
  if (s.completedAt || stepsLeft(s.steps).length > 0) return;
  s.completedAt = now();
  s.nextNudgeAt = null;
  r.log('registration-completed', `${s.requester.email}: every step done`);
}

/**
 * Before any mail: a newer open registration of the same address (a renewal's, activity
 * `newerRegistration`) nudges her from now on, so this one sends nothing more, neither nudge nor stall
 * notice, for good; it stays open, and her last step still completes it. True: handed over.
 */
async function handedOver(r: Registration): Promise<boolean> {
  const s = r.status;
  const newer = await io.newerRegistration({
    registrationId: s.registrationId,
    email: s.requester.email,
    instructionsSentAt: s.instructionsSentAt,
  });
  if (!newer) return false;
  s.nextNudgeAt = null;
  r.log(
    'registration-handed-over',
    `${s.requester.email}: nudges now come from ${newer.agreementId}'s registration`,
  );
  await r.record();
  return true;
}

/** A nudge to the requester listing only the steps left; the next is due `nudgeEveryDays` later. */
async function nudge(r: Registration): Promise<void> {
  const s = r.status;
  const n = s.nudgesSent + 1;
  const left = stepsLeft(s.steps);
  const sent = await mail(r, 'registration-nudge', String(n), [s.requester]);
  s.nudgesSent = n;
  s.nextNudgeAt = await dueAfter(r, s.nextNudgeAt!, r.input.nudgeEveryDays);
  r.log(
    sent ? 'registration-nudge' : 'registration-nudge-failed',
    `${s.requester.email}: nudge ${n} of ${r.input.nudges}; left: ${left.map((x) => STEP_WORDS[x]).join(', ')}`,
  );
  await r.record();
}

/** A period after the last nudge, still not done: the access team is told, once. */
async function stall(r: Registration): Promise<void> {
  const s = r.status;
  await mail(r, 'registration-stalled', 'access-team', ['access-team']);
  s.escalatedAt = now();
  s.nextNudgeAt = null;
  const left = stepsLeft(s.steps).map((x) => STEP_WORDS[x]);
  r.log(
    'registration-stalled',
    `${s.requester.email}: after ${s.nudgesSent} nudges; left: ${left.join(', ')}`,
  );
  await r.record();
}

/** The calendar's rules, fetching a wider table when `atMs` falls outside the one it holds. */
async function rulesCovering(
  r: Registration,
  atMs: number,
): Promise<{ table: CalendarTable; rules: BusinessCalendar }> {
  const year = new Date(atMs).getUTCFullYear();
  let table = r.state.calendar!;
  if (!table.compressedDaySeconds && (table.fromYear > year - 1 || table.toYear < year + 1)) {
    table = await io.calendarTable({ fromYear: Math.min(table.fromYear, year - 1), toYear: year + 2 });
    r.state.calendar = table;
  }
  return { table, rules: new BusinessCalendar(tableSource(table)) };
}

/** `everyDays` after `previous` at the same New York time, or 09:00 on the next business day. */
async function dueAfter(r: Registration, previous: string, everyDays: number): Promise<string> {
  const at = Date.parse(previous);
  const { table, rules } = await rulesCovering(r, at + (everyDays + 30) * DAY_MS);
  if (table.compressedDaySeconds)
    return new Date(at + everyDays * table.compressedDaySeconds * 1000).toISOString();
  return rules.reminderDueAt(new Date(at), everyDays).toISOString();
}

/** Today's New York date by the table (validators run no activity), else by EST (never a later date). */
function newYorkDate(r: Registration, at: Date): string {
  const table = r.state.calendar;
  if (table && !table.compressedDaySeconds) {
    try {
      return new BusinessCalendar(tableSource(table)).localDate(at);
    } catch {
      // outside the table: EST below
    }
  }
  return new Date(at.getTime() - 5 * 3600_000).toISOString().slice(0, 10);
}
