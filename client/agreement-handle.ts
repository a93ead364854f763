/**
 * Reaching one agreement from the CLI: its handle by id or domain, its status (from the workflow, or
 * from the records when no worker answers), and updates, whose rejections come back as values.
 */
import { randomUUID } from 'node:crypto';
import {
  isGrpcServiceError,
  WorkflowUpdateStage,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { agreementIdFrom, type AgreementStatus } from '../common/agreement';
import type { Config } from '../common/config';
import type { agreementWorkflow } from '../workflows/agreement';
import { DuraStage } from '../workflows/search-attributes';
import { UnreachableError, UserError } from './output';
import { recordedStatus } from './status';
import {
  patiently,
  rethrowNotTaken,
  UNAVAILABLE,
  UpdateNotTaken,
  type Patience,
  type UpdateProgress,
} from './update-retry';

/** How long the CLI waits for a worker to answer a query before answering from the records. */
export const QUERY_WAIT_MS = 4000;

export function agreementHandle(
  client: Client,
  idOrDomain: string,
): WorkflowHandle<typeof agreementWorkflow> {
  return client.workflow.getHandle<typeof agreementWorkflow>(agreementIdFrom(idOrDomain));
}

function notFound(err: unknown): boolean {
  return (err as Error)?.name === 'WorkflowNotFoundError' || /not found/i.test((err as Error)?.message ?? '');
}

/**
 * Why an update found no agreement to take it: none was ever requested, or it has ended (Temporal
 * answers "not found" for an update to a closed workflow). Its stage comes from the DuraStage search
 * attribute, so no worker is needed.
 */
async function whyNotFound(handle: WorkflowHandle): Promise<string> {
  const closed = await handle.describe().catch(() => undefined);
  if (!closed || closed.status.name === 'RUNNING') return `no agreement ${handle.workflowId}`;
  const stage = closed.typedSearchAttributes.get(DuraStage) ?? closed.status.name.toLowerCase();
  return `${handle.workflowId} has ended (${stage}); \`dura status\` shows its history`;
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
  const status = await recordedStatus(config, agreementId);
  if (!status) throw new UnreachableError(`a worker for ${agreementId}: ${why.message}`);
  return { status, source: 'records' };
}

/** An update for an agreement: its name and its argument (none for initiate, remind-now, …). */
export interface AgreementUpdate {
  name: string;
  args: [] | [unknown];
}

/** The agreement applied the update (`value`: its answer), or refused it (`reason`, a user error). */
export type UpdateOutcome<T> = { outcome: 'applied'; value: T } | { outcome: 'rejected'; reason: string };

/**
 * Sends `update` to the agreement and waits for its answer, riding out workers that come and go
 * (update-retry.ts): one update id for every try, so it is applied once. A validator's rejection, an
 * unknown agreement or a wrong key comes back at once as `rejected`. A bound that runs out is exit 2.
 */
export async function updateAgreement<T>(
  client: Client,
  idOrDomain: string,
  update: AgreementUpdate,
  patience: Patience = {},
): Promise<UpdateOutcome<T>> {
  const handle = agreementHandle(client, idOrDomain);
  const updateId = `${update.name}-${randomUUID()}`;
  let runId: string | undefined;
  const attempt = async (progress: UpdateProgress): Promise<T> => {
    // Taken: wait for its result on the run that took it (a later run would not know the id).
    if (progress.accepted) return handle.getUpdateHandle<T>(updateId, { workflowRunId: runId }).result();
    const options = { updateId, waitForStage: WorkflowUpdateStage.ACCEPTED } as const;
    const started = update.args.length
      ? await handle.startUpdate<T, [unknown]>(update.name, { ...options, args: [update.args[0]] })
      : await handle.startUpdate<T, []>(update.name, options);
    runId = started.workflowRunId;
    progress.accepted = true;
    return started.result();
  };
  try {
    return { outcome: 'applied', value: await patiently(client, attempt, patience) };
  } catch (err) {
    const e = err as Error & { cause?: Error };
    if (notFound(err)) return { outcome: 'rejected', reason: await whyNotFound(handle) };
    if (e.name === 'DecryptionError') return { outcome: 'rejected', reason: e.message };
    if (e.name === 'WorkflowUpdateFailedError')
      return { outcome: 'rejected', reason: e.cause?.message ?? e.message };
    if (err instanceof UpdateNotTaken) rethrowNotTaken(handle.workflowId, err);
    // The server itself went away during the update (the SDK has retried it already).
    if (isGrpcServiceError(e.cause) && e.cause.code === UNAVAILABLE)
      throw new UnreachableError(`Temporal: ${e.cause.details}`);
    throw err;
  }
}
