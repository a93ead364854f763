/**
 * A step of a requester's registration reported done (issue 18): by `dura registration record`, a CSV
 * import or the Workbench's signed web hook. The records find the requester's newest registration by
 * address (activities/records/registrations.ts); its workflow (workflows/registration.ts) records the
 * step. Outcomes are values, as the other client functions give them; only an unreachable Temporal or
 * records database throws.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateStage, type Client } from '@temporalio/client';
import type { Config } from '../common/config';
import type { RegistrationStatus, StepReport } from '../common/registration';
import { registrationsFor, type RegistrationRow } from '../activities/records/registrations';
import { RecordsStore } from '../activities/records/store';
import { recordStepUpdate } from '../workflows/registration-messages';
import { patiently, type Patience, type UpdateProgress } from './update-retry';

export type RecordStepOutcome =
  /** The step was recorded (or its date corrected); the status after it. */
  | { outcome: 'recorded'; status: RegistrationStatus }
  /** No registration is tracked for the address (no instructions went to it since tracking began). */
  | { outcome: 'not-tracked'; email: string }
  /** Nothing changed: the step was already recorded on that date, or every step is done already. */
  | { outcome: 'already-registered'; status: RegistrationStatus }
  /** The registration refused the report (an unknown step, a bad or future date): why, naming the field. */
  | { outcome: 'rejected'; message: string };

/**
 * Sends the step to the newest registration of `report.email` (any case). A completed registration
 * (its workflow has ended) answers from the records, whose row it wrote last; its history is then
 * empty (the agreement's history in the records has its events).
 * With no worker to take the update, it waits as the access team's updates do (client/update-retry.ts,
 * `patience`, one update id for every try) and then throws UpdateNotTaken: the web hook answers 503.
 */
export async function recordRegistrationStep(
  client: Client,
  config: Pick<Config, 'DATABASE_URL'>,
  report: StepReport & { email: string },
  patience: Patience = {},
): Promise<RecordStepOutcome> {
  const [row] = await newestFor(config.DATABASE_URL, report.email);
  if (!row) return { outcome: 'not-tracked', email: report.email };
  const fromRecords = (): RegistrationStatus => {
    const { agreementRef: _ref, updatedAt: _at, ...status } = row;
    return { ...status, history: [] };
  };
  if (row.completedAt) return { outcome: 'already-registered', status: fromRecords() };
  const unchanged = row.steps[report.step] === report.on;
  try {
    const handle = client.workflow.getHandle(row.registrationId);
    const updateId = `recordStep-${randomUUID()}`;
    const args = [{ step: report.step, on: report.on, source: report.source }] as [StepReport];
    const attempt = async (progress: UpdateProgress): Promise<RegistrationStatus> => {
      if (progress.accepted) return handle.getUpdateHandle<RegistrationStatus>(updateId).result();
      const started = await handle.startUpdate(recordStepUpdate, {
        args,
        updateId,
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      });
      progress.accepted = true;
      return started.result();
    };
    const status = await patiently(client, attempt, patience);
    return { outcome: unchanged ? 'already-registered' : 'recorded', status };
  } catch (err) {
    const e = err as Error & { cause?: Error };
    if (e.name === 'WorkflowUpdateFailedError')
      return { outcome: 'rejected', message: e.cause?.message ?? e.message };
    // Completed between the look-up and the update: the records have its last row.
    if (e.name === 'WorkflowNotFoundError' || /completed|not found/i.test(e.message)) {
      const [again] = await newestFor(config.DATABASE_URL, report.email);
      if (again?.completedAt) {
        const { agreementRef: _ref, updatedAt: _at, ...status } = again;
        return { outcome: 'already-registered', status: { ...status, history: [] } };
      }
    }
    throw err;
  }
}

/** The address's registrations in the records (static imports: this module is itself loaded on use). */
async function newestFor(databaseUrl: string, email: string): Promise<RegistrationRow[]> {
  const store = await RecordsStore.open(databaseUrl);
  try {
    return await registrationsFor(store.db, email);
  } finally {
    await store.close();
  }
}
