/**
 * Reaching one agreement from the CLI: its handle by id or domain, its status (from the workflow, or
 * from the records when no worker answers), and updates whose rejections become user errors.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { agreementIdFrom, type AgreementStatus } from '../common/agreement';
import type { Config } from '../common/config';
import type { agreementWorkflow } from '../workflows/agreement';
import { UnreachableError, UserError } from './output';

/** How long the CLI waits for a worker to answer a query before answering from the records. */
export const QUERY_WAIT_MS = 4000;
/** How long an update may take (a reminder sent now waits for the mail server). */
export const UPDATE_WAIT_MS = 60_000;

export function agreementHandle(
  client: Client,
  idOrDomain: string,
): WorkflowHandle<typeof agreementWorkflow> {
  return client.workflow.getHandle<typeof agreementWorkflow>(agreementIdFrom(idOrDomain));
}

function notFound(err: unknown): boolean {
  return (err as Error)?.name === 'WorkflowNotFoundError' || /not found/i.test((err as Error)?.message ?? '');
}

export interface StatusAnswer {
  status: AgreementStatus;
  /** 'workflow' when a worker answered; 'records' when the records database did. */
  source: 'workflow' | 'records';
}

export async function fetchStatus(client: Client, config: Config, idOrDomain: string): Promise<StatusAnswer> {
  const handle = agreementHandle(client, idOrDomain);
  try {
    const status = await client.connection.withDeadline(Date.now() + QUERY_WAIT_MS, () =>
      handle.query<AgreementStatus>('status'),
    );
    return { status, source: 'workflow' };
  } catch (err) {
    if (notFound(err)) throw new UserError(`no agreement ${handle.workflowId}`);
    // The worker answered, but not with this key: the records would only hide the problem.
    if ((err as Error).name === 'DecryptionError') throw new UserError((err as Error).message);
    return statusFromRecords(config, handle.workflowId, err as Error);
  }
}

/** No worker answered in time (`why`): the records keep the last snapshot the workflow wrote. */
export async function statusFromRecords(
  config: Pick<Config, 'DATABASE_URL'>,
  agreementId: string,
  why: Error,
): Promise<StatusAnswer> {
  const { RecordsStore } = await import('../activities/records/store');
  const store = await RecordsStore.open(config.DATABASE_URL);
  try {
    const status = await store.agreementStatus(agreementId);
    if (!status) throw new UnreachableError(`a worker for ${agreementId}: ${why.message}`);
    return { status, source: 'records' };
  } finally {
    await store.close();
  }
}

/** Runs an update; a validator's rejection or an unknown agreement is a user error (exit 1). */
export async function runUpdate<T>(
  client: Client,
  handle: WorkflowHandle,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await client.connection.withDeadline(Date.now() + UPDATE_WAIT_MS, work);
  } catch (err) {
    if (notFound(err)) throw new UserError(`no agreement ${handle.workflowId}`);
    const e = err as Error & { cause?: Error };
    if (e.name === 'DecryptionError') throw new UserError(e.message);
    if (e.name === 'WorkflowUpdateFailedError') throw new UserError(e.cause?.message ?? e.message);
    if (/deadline/i.test(e.message))
      throw new UnreachableError(`a worker for ${handle.workflowId}: no answer`);
    throw err;
  }
}
