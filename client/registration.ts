/**
 * A step of a requester's registration reported done (issue 18): by `dura registration record`, a CSV
 * import or the Workbench's signed web hook. The records find the requester's open registrations by
 * address (activities/records/registrations.ts); each one's workflow (workflows/registration.ts) records
 * the step. Outcomes are values, as the other client functions give them; only an unreachable Temporal or
 * records database throws.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateStage, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Config } from '../common/config';
import {
  isOpenRegistration,
  STEP_WORDS,
  stepsLeft,
  type RegistrationStatus,
  type StepReport,
} from '../common/registration';
import type { Kysely } from 'kysely';
import {
  recordRegistration,
  registrationsFor,
  type RegistrationRow,
} from '../activities/records/registrations';
import type { Database } from '../activities/records/schema';
import { RecordsStore } from '../activities/records/store';
import { closeRegistrationUpdate, recordStepUpdate } from '../workflows/registration-messages';
import { MUST_EXIST } from './records';
import { patiently, type Patience, type UpdateProgress } from './update-retry';

/**
 * Where the registrations are read: an open records database (the web server's, or one a batch opens
 * once), else the one at DATABASE_URL, opened and closed for each look-up.
 */
export type RecordsAt = Pick<Config, 'DATABASE_URL'> & { recordsDb?: Kysely<Database> };

export type RecordStepOutcome =
  /** The step was recorded (or its date corrected: `was` the date it had); the status after it. */
  | { outcome: 'recorded'; status: RegistrationStatus; was?: string | null }
  /** No registration is tracked for the address (no instructions went to it since tracking began). */
  | { outcome: 'not-tracked'; email: string }
  /** Nothing changed: the step was already recorded on that date, or every step is done already. */
  | { outcome: 'already-registered'; status: RegistrationStatus }
  /** The registration refused the report (an unknown step, a bad or future date): why, naming the field. */
  | { outcome: 'rejected'; message: string };

/**
 * Records the step in every open (not completed) registration of `report.email` (any case), newest
 * first: the steps are the person's, not the agreement's, so a registration a renewal left open
 * completes with the new one instead of stalling. The answer is the newest one's status; `recorded`
 * when any of them changed. None open: answered from the records, whose row the workflow wrote last (its
 * history is then empty; the agreement's history in the records has its events): `already-registered`,
 * or `recorded` when the step was recorded there (recordInRecords).
 * With no worker to take the update, it waits as the access team's updates do (client/update-retry.ts,
 * `patience`, one update id for every try of each registration) and then throws UpdateNotTaken: the web
 * hook answers 503. A refusal comes from the newest (every registration validates alike), before
 * anything is written.
 */
export async function recordRegistrationStep(
  client: Client,
  config: RecordsAt,
  report: StepReport & { email: string },
  patience: Patience = {},
): Promise<RecordStepOutcome> {
  const rows = await registrationsOf(config, report.email);
  if (!rows.length) return { outcome: 'not-tracked', email: report.email };
  const open = rows.filter(isOpenRegistration);
  if (!open.length) return recordInRecords(config, rows[0]!, report);
  let newest: RegistrationStatus | undefined;
  let changed = false;
  for (const row of open) {
    const sent = await sendStep(client, config, row, report, patience);
    if ('rejected' in sent) return { outcome: 'rejected', message: sent.rejected };
    newest ??= sent.status;
    changed ||= sent.changed;
  }
  if (!changed) return { outcome: 'already-registered', status: newest! };
  return { outcome: 'recorded', status: newest!, was: open[0]!.steps[report.step] ?? null };
}

/**
 * A completed or closed registration's workflow has ended, so a step reported for it is recorded in the
 * records alone: the row's date, and `registration-step-corrected` (a typo fixed) or `registration-step`
 * (a closed one's) in the agreement's history there. The same date again changes nothing.
 */
async function recordInRecords(
  config: RecordsAt,
  row: RegistrationRow,
  report: StepReport & { email: string },
): Promise<RecordStepOutcome> {
  const was = row.steps[report.step];
  if (was === report.on) return { outcome: 'already-registered', status: fromRecords(row) };
  const status = fromRecords({ ...row, steps: { ...row.steps, [report.step]: report.on } });
  const words = `${row.requester.email}: ${STEP_WORDS[report.step]} on ${report.on}`;
  const event = was
    ? { event: 'registration-step-corrected', detail: `${words}, was ${was} (${report.source})` }
    : { event: 'registration-step', detail: `${words} (${report.source}; closed)` };
  const at = new Date().toISOString();
  // A closed registration whose last step came in after all: complete, as its workflow would have made it.
  if (!status.completedAt && stepsLeft(status.steps).length === 0) status.completedAt = at;
  const record = (db: Kysely<Database>) =>
    recordRegistration(db, {
      agreementRef: row.agreementRef,
      registration: status,
      events: [{ at, ...event }],
    });
  await withRecords(config, record);
  return { outcome: 'recorded', status: { ...status, history: [{ at, ...event }] }, was };
}

/** The step sent to one registration's workflow: its status after, and whether the step changed. */
async function sendStep(
  client: Client,
  config: RecordsAt,
  row: RegistrationRow,
  report: StepReport,
  patience: Patience,
): Promise<{ status: RegistrationStatus; changed: boolean } | { rejected: string }> {
  const changed = row.steps[report.step] !== report.on;
  try {
    const args = [{ step: report.step, on: report.on, source: report.source }] as [StepReport];
    const status = await updatePatiently(client, row.registrationId, recordStepUpdate, args, patience);
    return { status, changed };
  } catch (err) {
    const e = err as Error & { cause?: Error };
    if (e.name === 'WorkflowUpdateFailedError') return { rejected: e.cause?.message ?? e.message };
    // Completed between the look-up and the update: the records have its last row.
    if (e.name === 'WorkflowNotFoundError' || /completed|not found/i.test(e.message)) {
      const again = (await registrationsOf(config, row.requester.email)).find(
        (r) => r.registrationId === row.registrationId,
      );
      if (again?.completedAt) return { status: fromRecords(again), changed: false };
    }
    throw err;
  }
}

/**
 * `update` to the registration's workflow, with one update id for every try: while no worker takes it,
 * it waits as the access team's updates do (client/update-retry.ts). Throws what the update throws.
 */
async function updatePatiently<A extends [unknown]>(
  client: Client,
  registrationId: string,
  update: UpdateDefinition<RegistrationStatus, A>,
  args: A,
  patience: Patience,
): Promise<RegistrationStatus> {
  const handle = client.workflow.getHandle(registrationId);
  const updateId = `${update.name}-${randomUUID()}`;
  const attempt = async (progress: UpdateProgress): Promise<RegistrationStatus> => {
    if (progress.accepted) return handle.getUpdateHandle<RegistrationStatus>(updateId).result();
    const started = await handle.startUpdate(update, {
      args,
      updateId,
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    progress.accepted = true;
    return started.result();
  };
  return patiently(client, attempt, patience);
}

export type CloseOutcome =
  /** Each open registration of the address, closed: its status after. */
  | { outcome: 'closed'; registrations: RegistrationStatus[] }
  | { outcome: 'not-tracked'; email: string }
  /** Every registration of the address is complete or closed already: the newest, as the records hold it. */
  | { outcome: 'nothing-open'; registration: RegistrationStatus }
  | { outcome: 'rejected'; message: string };

/**
 * `dura registration close <email> --reason <why>` (issue 18): closes every open registration of the
 * address (the person left, or will not register): no more nudges, off the stalled list and the Monday
 * digest, and each workflow ends. `reason`: one line, 1 to 500 characters (the workflow refuses others).
 */
export async function closeRegistrations(
  client: Client,
  config: RecordsAt,
  input: { email: string; reason: string },
  patience: Patience = {},
): Promise<CloseOutcome> {
  const rows = await registrationsOf(config, input.email);
  if (!rows.length) return { outcome: 'not-tracked', email: input.email };
  const open = rows.filter(isOpenRegistration);
  if (!open.length) return { outcome: 'nothing-open', registration: fromRecords(rows[0]!) };
  const registrations: RegistrationStatus[] = [];
  try {
    for (const row of open)
      registrations.push(
        await updatePatiently(
          client,
          row.registrationId,
          closeRegistrationUpdate,
          [{ reason: input.reason }],
          patience,
        ),
      );
  } catch (err) {
    const e = err as Error & { cause?: Error };
    if (e.name === 'WorkflowUpdateFailedError')
      return { outcome: 'rejected', message: e.cause?.message ?? e.message };
    throw err;
  }
  return { outcome: 'closed', registrations };
}

/** A registration's status as the records hold it (no history there). */
function fromRecords(row: RegistrationRow): RegistrationStatus {
  const { agreementRef: _ref, updatedAt: _at, ...status } = row;
  return { ...status, history: [] };
}

/** The address's registrations in the records (static imports: this module is itself loaded on use). */
function registrationsOf(records: RecordsAt, email: string): Promise<RegistrationRow[]> {
  return withRecords(records, (db) => registrationsFor(db, email));
}

/** `work` on the records database: the open one given, or DATABASE_URL's, opened and closed for it. */
async function withRecords<T>(records: RecordsAt, work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  if (records.recordsDb) return work(records.recordsDb);
  const store = await RecordsStore.open(records.DATABASE_URL, MUST_EXIST); // never made here (records.ts)
  try {
    return await work(store.db);
  } finally {
    await store.close();
  }
}
