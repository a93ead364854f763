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
import { REQUEST_PREFIX, type AgreementStatus } from '../common/agreement';
import {
  agreementIdOf,
  agreementTarget,
  noAgreement,
  type AgreementTarget,
} from '../common/agreement-target';
import type { Config } from '../common/config';
import { newYorkDate } from '../common/new-york-date';
import type { agreementWorkflow } from '../workflows/agreement';
import { DuraStage } from '../workflows/search-attributes';
import { UnreachableError, UserError } from './output';
import { withRecords } from './records';
import { recordedStatus } from './status';
import { asAsked, fallbackWorkflowIds } from './typed-agreement';
import {
  patiently,
  rethrowNotTaken,
  UpdateHeldUp,
  UNAVAILABLE,
  UpdateNotTaken,
  TemporalGone,
  type Patience,
  type UpdateProgress,
} from './update-retry';

/** How long the CLI waits for a worker to answer a query before answering from the records. */
export const QUERY_WAIT_MS = 4000;

/** The workflow that holds what the person typed: the institution's agreement in process, else its latest. */
export function agreementHandle(client: Client, typed: string): WorkflowHandle<typeof agreementWorkflow> {
  return client.workflow.getHandle<typeof agreementWorkflow>(agreementTarget(typed).workflowId);
}

function notFound(err: unknown): boolean {
  return (err as Error)?.name === 'WorkflowNotFoundError' || /not found/i.test((err as Error)?.message ?? '');
}

function closedLine(
  agreementId: string,
  stage: string,
  closedAt: Date | string | null,
  command: string,
): string {
  const closed = closedAt ? ` (closed ${newYorkDate(closedAt)})` : '';
  return `${agreementId} is ${stage}${closed}; ${command} applies to an agreement in process`;
}

/**
 * Why an update found no agreement to take it: none was ever requested, or it has closed (Temporal
 * answers "not found" for an update to a closed workflow). A named agreement's stage comes from the
 * records; an institution's latest from the DuraStage search attribute and its memo, so no worker is needed.
 */
async function whyNotFound(
  handle: WorkflowHandle,
  target: AgreementTarget,
  command: string,
  named: NamedAgreement | undefined,
): Promise<string> {
  if (named) return closedLine(target.agreementId!, named.stage, named.ended_at, command);
  const closed = await handle.describe().catch(() => undefined);
  if (!closed || closed.status.name === 'RUNNING') return noAgreement(target);
  const stage = closed.typedSearchAttributes.get(DuraStage) ?? closed.status.name.toLowerCase();
  return closedLine(agreementIdOf(closed), stage, closed.closeTime ?? null, command);
}

export interface StatusAnswer {
  status: AgreementStatus;
  /**
   * 'workflow' when a worker answered; 'records' when no worker did and the records database answered;
   * 'closed' for an earlier agreement of the institution, whose last snapshot the records keep.
   */
  source: 'workflow' | 'records' | 'closed';
  /** With 'records' when Temporal itself could not be reached: why, e.g. `Temporal at host:7233: …`. */
  unreachable?: string;
  /** With 'records' when the engine's answer is encrypted and this process has no key (status only). */
  keyless?: true;
}

export async function fetchStatus(client: Client, config: Config, typed: string): Promise<StatusAnswer> {
  typed = await asAsked(config, typed);
  const target = agreementTarget(typed);
  const ask = (workflowId: string) =>
    client.connection
      .withDeadline(Date.now() + QUERY_WAIT_MS, () =>
        client.workflow.getHandle(workflowId).query<AgreementStatus>('status'),
      )
      .catch((err: unknown) => (notFound(err) ? undefined : Promise.reject(err)));
  let status: AgreementStatus | undefined;
  try {
    status = await ask(target.workflowId);
    // Not held there: an address's institution, or the institution a second domain belongs to.
    for (const workflowId of status ? [] : await fallbackWorkflowIds(config, target)) {
      status = await ask(workflowId);
      if (status) break;
    }
  } catch (err) {
    // The worker answered, but not with this key, or encrypted for a CLI without one: the records would
    // only hide the problem (output.ts words the second).
    if ((err as Error).name === 'DecryptionError') throw new UserError((err as Error).message);
    if (/Unknown encoding: binary\/encrypted/.test((err as Error).message ?? '')) throw err;
    return statusFromRecords(config, typed, err as Error);
  }
  // A named agreement that is not the institution's latest has closed: its records are final.
  if (!status || (target.agreementId && status.agreementId !== target.agreementId))
    return earlierAgreement(config, typed, target);
  // A closed agreement with a term (issue 18): its term wrote how it ended (renewed, lapsed) to the
  // records, after the workflow's last snapshot; the records win then.
  if (status.stage === 'completed' && status.expiresOn) {
    const recorded = await recordedStatus(config, status.agreementId).catch(() => null);
    if (recorded && (recorded.stage === 'renewed' || recorded.stage === 'lapsed'))
      return { status: recorded, source: 'closed' };
  }
  return { status, source: 'workflow' };
}

async function earlierAgreement(
  config: Config,
  typed: string,
  target: AgreementTarget,
): Promise<StatusAnswer> {
  const status = target.agreementId ? await recordedStatus(config, typed) : null;
  if (status) return { status, source: 'closed' };
  // An institution with individual agreements only has none of its own: name those it has.
  const others = target.domain
    ? await withRecords(config.DATABASE_URL, (store) => store.agreementSnapshots({ domain: target.domain! }))
    : [];
  const named = others.filter((r) => r.stage !== 'not-needed').map((r) => `${r.agreement_id} (${r.stage})`);
  const hint = named.length
    ? `; its agreements: ${named.join(', ')}`
    : await domainsLike(config, typed).then((d) => (d.length ? `; did you mean ${d.join(' or ')}?` : ''));
  throw new UserError(`${noAgreement(target)}${hint}`);
}

/**
 * For a name or part of a domain typed where a domain goes (`testville` for testville.edu): the domains
 * of the agreements and the listed institutions it finds (institution-search.ts's match), at most five.
 */
async function domainsLike(config: Pick<Config, 'DATABASE_URL'>, typed: string): Promise<string[]> {
  const text = typed.trim().toLowerCase();
  if (text.length < 3 || /[.@]/.test(text)) return [];
  const { institutionsMatching } = await import('../activities/records/institution-search');
  const { searchFold } = await import('../common/collation');
  return withRecords(config.DATABASE_URL, async (store) => {
    const agreements = await store.db.selectFrom('agreements').select('domain').distinct().execute();
    const wanted = searchFold(text);
    const found = agreements.map((a) => a.domain).filter((d) => d.includes(wanted));
    return [...new Set([...found, ...(await institutionsMatching(store.db, text))])].sort().slice(0, 5);
  });
}

/** No worker answered in time (`why`): the records keep the last snapshot the workflow wrote. */
export async function statusFromRecords(
  config: Pick<Config, 'DATABASE_URL'>,
  typed: string,
  why: Error,
): Promise<StatusAnswer> {
  const status = await recordedStatus(config, typed);
  if (!status) {
    // The SDK's "Failed to query Workflow" says little: its cause's details say why (a deadline).
    const details = (why as { cause?: { details?: string } }).cause?.details;
    const said = details ? `${why.message} (${details})` : why.message;
    const what = /deadline/i.test(said) ? `none answered within ${QUERY_WAIT_MS / 1000} s` : said;
    throw new UnreachableError(
      `a worker for ${typed.trim()}: ${what}, and the records hold no snapshot of it yet ` +
        '(is a worker running? `dura doctor` checks)',
    );
  }
  return { status, source: 'records' };
}

interface NamedAgreement {
  agreement_ref: string;
  stage: string;
  ended_at: string | null;
}

/** A named agreement (`uw.edu-2`) as the records know it: its first run id reaches it and no other. */
async function namedAgreement(
  config: Pick<Config, 'DATABASE_URL'>,
  target: AgreementTarget,
): Promise<NamedAgreement | undefined> {
  if (!target.agreementId || target.agreementId.startsWith(REQUEST_PREFIX)) return undefined;
  return withRecords(config.DATABASE_URL, (store) => store.agreementById(target.agreementId!));
}

/** An update for an agreement: its name and its argument (none for initiate, remind-now, …). */
export interface AgreementUpdate {
  name: string;
  args: [] | [unknown];
  /** The CLI command that sends it, for messages (default: the update's name). */
  command?: string;
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
  config: Pick<Config, 'DATABASE_URL'>,
  typed: string,
  update: AgreementUpdate,
  patience: Patience = {},
): Promise<UpdateOutcome<T>> {
  typed = await asAsked(config, typed);
  const target = agreementTarget(typed);
  const named = await namedAgreement(config, target);
  if (target.agreementId && !named && !target.agreementId.startsWith(REQUEST_PREFIX))
    return { outcome: 'rejected', reason: noAgreement(target) };
  // The registry's institution last: the most telling of where the agreement is held.
  const held =
    named !== undefined ||
    (await client.workflow
      .getHandle(target.workflowId)
      .describe()
      .then(
        () => true,
        (err: unknown) => (notFound(err) ? false : Promise.reject(err)),
      ));
  const workflowId = held
    ? target.workflowId
    : ((await fallbackWorkflowIds(config, target)).at(-1) ?? target.workflowId);
  // Through its first run id: an update for an earlier agreement never reaches the one in process.
  const handle = client.workflow.getHandle<typeof agreementWorkflow>(workflowId, undefined, {
    firstExecutionRunId: named?.agreement_ref,
  });
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
  // A worker took it and it is not finished: mail that keeps failing holds it up (the handler sends).
  let agreementId = handle.workflowId;
  const heldUpBy = async () => {
    const status = await client.connection.withDeadline(Date.now() + 3_000, () =>
      handle.query<AgreementStatus>('status'),
    );
    agreementId = status.agreementId;
    if (!status.sending?.length) return undefined;
    const [{ withMailLedger }, { mailWaitingLines }] = await Promise.all([
      import('./status-mail'),
      import('./format'),
    ]);
    // Only mail that failed: one not tried yet waits on a worker (a chaos run's killed worker left its
    // activity to its timeout), and the mail server is not to blame for that.
    const failed = ((await withMailLedger(status, config.DATABASE_URL)).sending ?? []).filter(
      (m) => m.lastError || (m.attempts ?? 0) > 1,
    );
    const lines = mailWaitingLines(failed);
    // The newest is the one this command asked for; the rest, counted (`dura status` lists them).
    const more = lines.length > 1 ? ` (and ${lines.length - 1} more waiting)` : '';
    return lines.length ? `${lines.at(-1)}${more}` : undefined;
  };
  try {
    return { outcome: 'applied', value: await patiently(client, attempt, { heldUpBy, ...patience }) };
  } catch (err) {
    const e = err as Error & { cause?: Error };
    if (notFound(err))
      return {
        outcome: 'rejected',
        reason: await whyNotFound(handle, target, update.command ?? update.name, named),
      };
    if (e.name === 'DecryptionError') return { outcome: 'rejected', reason: e.message };
    if (e.name === 'WorkflowUpdateFailedError')
      return { outcome: 'rejected', reason: e.cause?.message ?? e.message };
    if (err instanceof UpdateHeldUp || err instanceof TemporalGone)
      rethrowNotTaken(agreementId, err, update.command ?? update.name);
    if (err instanceof UpdateNotTaken) rethrowNotTaken(handle.workflowId, err);
    // The server itself went away during the update (the SDK has retried it already).
    if (isGrpcServiceError(e.cause) && e.cause.code === UNAVAILABLE)
      throw new UnreachableError(`Temporal: ${e.cause.details}`);
    throw err;
  }
}
