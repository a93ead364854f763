/**
 * `dura renew <institution|agreement>` (issue 18): a new agreement pre-filled from an executed one (its
 * institution, signing officials, tiers, policy; its requesters all get the new one's updates), which
 * follows the whole lifecycle as a normal agreement with `renews: <old id>`. When it is executed, the
 * old agreement's term ends as renewed (workflows/term-start.ts `tellRenewed`).
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { agreementIdFor, officialsOf, type AgreementStatus } from '../common/agreement';
import { agreementTarget, individualWorkflowId, noAgreement } from '../common/agreement-target';
import { renewalOf } from '../activities/records/open-agreements';
import { registrationsFor } from '../activities/records/registrations';
import type { RecordsStore } from '../activities/records/store';
import type { agreementWorkflow } from '../workflows/agreement';
import { DuraInstitution, DuraOverdue, DuraStage, DuraTiers } from '../workflows/search-attributes';

export type RenewOutcome =
  /** `agreementId`: the renewal's own id, once a worker has given it one (see `ownIdFromMemo`). */
  | {
      outcome: 'started';
      renews: string;
      workflowId: string;
      /** The old agreement's initiation policy, which the renewal keeps: `manual` waits for `dura initiate`. */
      initiation: 'auto' | 'manual';
      agreementId?: string;
      /** Requesters of the old agreement left out: the access team closed their registration. */
      leftOut?: string[];
    }
  | { outcome: 'not-found' | 'not-renewable' | 'in-process'; message: string };

/** The workflow id the renewal takes: the requester's own (individual), else its institution's (by its id). */
async function slotOf(
  old: AgreementStatus,
  store: Pick<RecordsStore, 'institutionByDomain'>,
): Promise<string> {
  if (old.individual) return individualWorkflowId(old.individual);
  const listed = await store.institutionByDomain(old.institution.domain);
  return agreementIdFor(listed?.id ?? old.institution.domain);
}

/**
 * Starts the renewal of `typed` (an agreement id, or an institution's domain: its latest agreement) as
 * the records hold it. Refused (as a value): none found; not executed, or already renewed
 * (`not-renewable`); another agreement of the institution in process (`in-process`).
 */
export async function renewAgreement(
  client: Client,
  store: Pick<RecordsStore, 'agreementStatus' | 'institutionByDomain' | 'db' | 'agreementSnapshots'>,
  typed: string,
  options: {
    taskQueue: string;
    receivedAt?: string;
    /** The configured term (`DURA_TERM_MONTHS`), over the old policy's `termMonths`. */
    termMonths?: number;
  },
): Promise<RenewOutcome> {
  const old = await store.agreementStatus(typed);
  // Worded as `dura status` words it (`no agreement uw.edu-7`, `no agreement for nowhere.edu`).
  if (!old) return { outcome: 'not-found', message: noAgreement(agreementTarget(typed)) };
  // An institution typed while its agreement (often the renewal itself) is in process: say that.
  // Not executed: nothing to renew, whatever it ends as (a trial was told "renew when it ends", cancelled
  // it, and was then refused as not executed).
  if (!old.endedAt && !old.executedAt)
    return {
      outcome: 'in-process',
      message:
        `${old.institution.domain} has an agreement in process (${old.agreementId}, ${old.stage}), not executed: ` +
        (old.renews
          ? `it is the renewal of ${old.renews}; record its signing with \`dura execute ${old.agreementId}\``
          : `there is nothing to renew; once it is signed, record it with \`dura execute ${old.agreementId}\``),
    };
  if (!old.executedAt || !['completed', 'lapsed'].includes(old.stage))
    return {
      outcome: 'not-renewable',
      message:
        old.stage === 'renewed'
          ? `${old.agreementId} is already renewed${old.renewedBy ? ` (by ${old.renewedBy})` : ''}: renew the newest agreement`
          : `${old.agreementId} is ${old.stage}: only an executed agreement (completed or lapsed) is renewed`,
    };
  // Without a term nothing marks it `renewed` (term.ts does): its renewal, in process or done, is found
  // by the `renews` it carries (a trial renewed one agreement twice).
  const renewal = await renewalOf(store.db, old);
  if (renewal && !renewal.executedAt)
    return {
      outcome: 'in-process',
      message: `${old.agreementId} is being renewed: its renewal is in process (${renewal.agreementId}, ${renewal.stage})`,
    };
  if (renewal)
    return {
      outcome: 'not-renewable',
      message: `${old.agreementId} is already renewed (by ${renewal.agreementId}): renew the newest agreement`,
    };
  const officials = officialsOf(old);
  const { requesters, leftOut } = await stillRequesting(store, old.requesters);
  const request = {
    institution: { ...old.institution },
    requester: { ...requesters[0]! },
    signingOfficial: { ...officials[0]! },
    tiers: [...old.tiers],
    receivedAt: options.receivedAt ?? new Date().toISOString(),
  };
  const workflowId = await slotOf(old, store);
  try {
    await client.workflow.start<typeof agreementWorkflow>('agreementWorkflow', {
      workflowId,
      taskQueue: options.taskQueue,
      args: [
        {
          request,
          policy: options.termMonths ? { ...old.policy, termMonths: options.termMonths } : old.policy,
          ...(old.individual ? { individual: true } : {}),
          renewal: {
            renews: old.agreementId,
            termWorkflowId: old.termWorkflowId ?? null,
            requesters,
            officials,
          },
        },
      ],
      workflowIdConflictPolicy: 'FAIL',
      typedSearchAttributes: [
        { key: DuraStage, value: 'awaiting-initiation' },
        { key: DuraInstitution, value: old.institution.domain },
        { key: DuraTiers, value: old.tiers },
        { key: DuraOverdue, value: false },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const inProcess = (await ownIdFromMemo(client.workflow.getHandle(workflowId), 0)) ?? workflowId;
    return {
      outcome: 'in-process',
      message: `${old.institution.domain} has an agreement in process (${inProcess}): a renewal starts once it has ended`,
    };
  }
  const agreementId = await ownIdFromMemo(client.workflow.getHandle(workflowId));
  return {
    outcome: 'started',
    renews: old.agreementId,
    workflowId,
    initiation: old.policy.initiation === 'manual' ? 'manual' : 'auto',
    ...(agreementId ? { agreementId } : {}),
    ...(leftOut.length ? { leftOut } : {}),
  };
}

/**
 * The old agreement's requesters but those whose newest registration the access team closed (the person
 * left: `dura registration close`). If that is every one, all of them: a renewal needs a requester.
 */
async function stillRequesting(
  store: Pick<RecordsStore, 'db'>,
  all: AgreementStatus['requesters'],
): Promise<{ requesters: AgreementStatus['requesters']; leftOut: string[] }> {
  const closed = new Set<string>();
  for (const r of all) {
    const newest = (await registrationsFor(store.db, r.email))[0];
    if (newest?.closedAt && !newest.completedAt) closed.add(r.email); // closed, and not complete since
  }
  const requesters = all.filter((r) => !closed.has(r.email));
  return requesters.length ? { requesters, leftOut: [...closed] } : { requesters: all, leftOut: [] };
}

/** How long `renew` waits for the renewal's own id: a worker's first task gives it, well within this. */
const ID_WAIT_MS = 5_000;

/**
 * The agreement's own id (e.g. `uw.edu-2`) from its memo, where triage puts it in the first workflow
 * task (workflows/triage.ts); undefined when no worker has run that task within `waitMs` (the workflow
 * id then names it: `dura status` takes either).
 */
async function ownIdFromMemo(
  handle: { describe(): Promise<{ memo?: Record<string, unknown> }> },
  waitMs = ID_WAIT_MS,
) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const id = (await handle.describe()).memo?.agreementId;
    if (typeof id === 'string') return id;
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
