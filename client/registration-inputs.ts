/**
 * Registration progress as the access team types it (issue 18), answered as values for the thin commands
 * of client/commands/registration.ts: one step (`record`), a CSV file of them (`import`), and the list.
 * Input is checked by common/registration-input.ts before anything connects: every problem at once,
 * named as typed (`email`, `--step`, `--on`; a CSV's line and column), exit 1, nothing recorded.
 * Each step goes to the requester's registration workflow through client/registration.ts.
 */
import type { RegistrationStatus, StepReport } from '../common/registration';
import type { StepInput, StepInputField } from '../common/registration-input';
import { digitsOrderHint, type DigitsOrder } from '../common/when';
import { UserError } from './output';
import type { RegistrationRow } from './registration-views';
import type { Patience } from './update-retry';
import { counted } from '../common/counted';

/**
 * How the answer of one step reads: newly recorded (or its date corrected); already recorded on that
 * date; or the registration was already complete (every step done: nothing more is recorded).
 */
export type StepOutcome = 'recorded' | 'already-recorded' | 'already-complete';

export interface RecordedStep {
  outcome: StepOutcome;
  registration: RegistrationStatus;
  /** A date corrected: the one the step had before (YYYY-MM-DD). */
  was?: string;
  /** The New York date the instructions went out, when the step's date is a week or more before it. */
  beforeInstructions?: string;
}

/** A step dated this long before its instructions is said (ImportedStep.beforeInstructions). */
const EARLY_MS = 7 * 24 * 60 * 60 * 1000;

const FLAG: Record<StepInputField, string> = { email: 'email', step: '--step', completedOn: '--on' };

/**
 * `dura registration record <email> --step <step> [--on <date>]`: `--on` a YYYY-MM-DD New York date
 * not after today (default today). Throws UserError for a bad value (all of them), an address with no
 * registration tracked, or a step the registration refused; UnreachableError when Temporal is down.
 */
export async function recordStepTyped(typed: {
  email: string;
  step: string;
  on?: string;
}): Promise<RecordedStep & { step: string; completedOn: string }> {
  const { checkStepInput } = await import('../common/registration-input');
  const { newYorkDate } = await import('../common/when');
  const checked = checkStepInput(
    { email: typed.email, step: typed.step, completedOn: typed.on ?? newYorkDate() },
    { dateOnly: true },
  );
  // The address is named as typed, as `dura check` names it (it is an argument, not a flag).
  const label = (field: StepInputField) => (field === 'email' ? typed.email.trim() || 'email' : FLAG[field]);
  const { withoutValue } = await import('../common/address-fields');
  // Named by the address itself, the refusal need not quote it again.
  const words = (p: { field: StepInputField; message: string }) =>
    p.field === 'email' ? withoutValue(p.message) : p.message;
  if ('problems' in checked)
    throw new UserError(checked.problems.map((p) => `${label(p.field)}: ${words(p)}`).join('\n'));
  const { session } = await import('./temporal');
  const { config, client } = await session();
  const recorded = await recordOne(client, config, checked.input, 'cli');
  const { step, completedOn } = checked.input;
  const early = await instructedAfter(completedOn, recorded.registration.instructionsSentAt);
  return { ...recorded, step, completedOn, ...(early ? { beforeInstructions: early } : {}) };
}

/** The warning for a step dated a week or more before its instructions (`instructedAfter`); `fix`: how. */
export function earlyStepWarning(
  step: { email: string; step: string; completedOn: string; beforeInstructions: string },
  fix: string,
): string {
  return (
    `${step.email}'s ${step.step} on ${step.completedOn} is before the registration instructions went out ` +
    `(${step.beforeInstructions}): if the date is mistyped (a day and month swapped, a wrong year), ${fix}`
  );
}

/**
 * The New York date the instructions went out (`instructionsSentAt`, an ISO instant) when `completedOn`
 * is a week or more before it, else undefined: taken (a step may have been done for another program),
 * but said, as a day and month swapped or a mistyped year would read so (a trial's 2/12/2026 became
 * February 12). A day or two early is someone who started before the mail came.
 */
async function instructedAfter(completedOn: string, instructionsSentAt: string): Promise<string | undefined> {
  const { newYorkDate } = await import('../common/when');
  const instructedAt = Date.parse(instructionsSentAt);
  return completedOn < newYorkDate(instructedAt - EARLY_MS) ? newYorkDate(instructedAt) : undefined;
}

/** One step to its registration; the outcomes that are not a recording are user errors. */
async function recordOne(
  client: import('@temporalio/client').Client,
  config: import('./registration').RecordsAt,
  input: StepInput,
  source: StepReport['source'],
): Promise<RecordedStep> {
  const { recordRegistrationStep } = await import('./registration');
  const { rethrowNotTaken, waitingLine } = await import('./update-retry');
  // No worker up: say so once, wait as the access team's updates do, then exit 2 (never lost: see status).
  const onWait: Patience['onWait'] = (reason, progress) =>
    process.stderr.write(`dura: ${waitingLine(reason, progress, 'the step')}\n`);
  const report = { email: input.email, step: input.step, on: input.completedOn, source };
  const answer = await recordRegistrationStep(client, config, report, { onWait }).catch((err: unknown) =>
    rethrowNotTaken(`the registration of ${input.email}`, err),
  );
  switch (answer.outcome) {
    case 'recorded':
      return {
        outcome: 'recorded',
        registration: answer.status,
        ...(answer.was && answer.was !== input.completedOn ? { was: answer.was } : {}),
      };
    case 'already-registered':
      return { outcome: outcomeOfUnchanged(answer.status, input), registration: answer.status };
    case 'not-tracked':
      throw new UserError(notTracked(answer.email));
    case 'rejected':
      throw new UserError(`${input.email}: ${answer.message}`);
  }
}

/** Nothing changed: the step was on record with that date, or the registration was complete. */
export function outcomeOfUnchanged(status: RegistrationStatus, input: StepInput): StepOutcome {
  return status.steps[input.step] === input.completedOn ? 'already-recorded' : 'already-complete';
}

/** Why an address's step or close is refused: it has no registration. */
export function notTracked(email: string): string {
  return `${email}: no registration is tracked for this address (the registration instructions have not gone to it)`;
}

export interface ImportedStep {
  line: number;
  email: string;
  step: string;
  completedOn: string;
  outcome: StepOutcome;
  agreementId: string;
  /** The date the step had before this row corrected it (a file imported again after a fix). */
  was?: string;
  /**
   * The New York date the registration instructions went out, when the step's date is a week or more
   * before it: taken (a step may have been done for another program), but said, as a day and month
   * swapped by a spreadsheet or by `--dates` would read so (a trial's 2/12/2026 became February 12).
   */
  beforeInstructions?: string;
}

export interface RegistrationImport {
  file: string;
  recorded: number;
  unchanged: number;
  rows: ImportedStep[];
}

/**
 * `dura registration import <file.csv>`: every row checked first (registration-csv.ts), and every
 * address looked up in the records; any problem → UserError listing them all by line and column, and
 * nothing is recorded. Then each row in file order (a row's refusal by its registration, e.g. a date
 * before the instructions, stops the import there: the rows before it stay recorded, and importing the
 * file again is safe, as a step recorded again on its date is a no-op).
 */
export async function importRegistrationFile(
  file: string,
  digits?: DigitsOrder,
): Promise<RegistrationImport> {
  const { readTextFile } = await import('../common/text-file');
  let text: string;
  try {
    ({ text } = readTextFile(file));
  } catch (err) {
    throw new UserError((err as Error).message); // `<the path typed>: <why>`
  }
  const { parseRegistrationCsv } = await import('../common/registration-csv');
  const { formatProblem } = await import('../common/csv');
  const parsed = parseRegistrationCsv(text, undefined, digits);
  const problems = [...parsed.problems];
  // The well-formed rows' addresses are looked up too, so every problem of the file comes at once.
  if (parsed.rows.length) {
    const tracked = await trackedAddresses(parsed.rows.map((r) => r.email));
    for (const row of parsed.rows)
      if (!tracked.has(row.email))
        problems.push({
          line: row.line,
          field: parsed.columns.email,
          message: `no registration is tracked for ${row.email} (the registration instructions have not gone to it)`,
        });
  }
  problems.sort((a, b) => a.line - b.line);
  const orDigits = digitsOrderHint(
    problems.map((p) => p.message),
    digits,
  );
  if (problems.length)
    throw new UserError(
      `${file}: nothing recorded; ${counted(problems.length, 'problem')}:\n${problems.map(formatProblem).join('\n')}${orDigits}`,
    );
  const { session } = await import('./temporal');
  const { config, client } = await session();
  const { withStore } = await import('./records');
  // One records connection for the whole file, not one per row.
  const rows = await withStore((store) =>
    recordRows(client, { ...config, recordsDb: store.db }, parsed.rows),
  );
  const recorded = rows.filter((r) => r.outcome === 'recorded').length;
  return { file, recorded, unchanged: rows.length - recorded, rows };
}

/** The rows in file order; a refusal stops there, naming its line and the rows recorded before it. */
async function recordRows(
  client: import('@temporalio/client').Client,
  records: import('./registration').RecordsAt,
  parsed: Array<StepInput & { line: number }>,
): Promise<ImportedStep[]> {
  const rows: ImportedStep[] = [];
  for (const row of parsed) {
    let answer: RecordedStep;
    try {
      answer = await recordOne(client, records, row, 'csv');
    } catch (err) {
      if (!(err instanceof UserError) || !rows.length) throw err;
      throw new UserError(
        `line ${row.line}: ${err.message}\n(the ${counted(rows.length, 'row')} before it ${rows.length === 1 ? 'is' : 'are'} recorded)`,
      );
    }
    const early = await instructedAfter(row.completedOn, answer.registration.instructionsSentAt);
    rows.push({
      line: row.line,
      email: row.email,
      step: row.step,
      completedOn: row.completedOn,
      outcome: answer.outcome,
      agreementId: answer.registration.agreementId,
      ...(answer.was ? { was: answer.was } : {}),
      ...(early ? { beforeInstructions: early } : {}),
    });
  }
  return rows;
}

/** The addresses among `emails` that have a registration in the records. */
async function trackedAddresses(emails: string[]): Promise<Set<string>> {
  const { withStore } = await import('./records');
  const { registrationsFor } = await import('../activities/records/registrations');
  return withStore(async (store) => {
    const tracked = new Set<string>();
    for (const email of new Set(emails))
      if ((await registrationsFor(store.db, email)).length) tracked.add(email);
    return tracked;
  });
}

/** `dura registration list`: from the records (no Temporal needed), newest instructions first. */
export async function listRegistrationsTyped(flags: {
  institution?: string;
  stalled?: boolean;
}): Promise<RegistrationRow[]> {
  const { withStore } = await import('./records');
  const { listRegistrations } = await import('../activities/records/registrations');
  const institution = flags.institution?.trim();
  if (flags.institution !== undefined && !institution) throw new UserError('--institution: required');
  return withStore((store) => listRegistrations(store.db, { institution, stalled: flags.stalled }));
}
