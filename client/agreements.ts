/**
 * Client functions for agreements. Expected outcomes (started, joined, already requested, rejected)
 * come back as values; only an unreachable server throws.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  type Client,
} from '@temporalio/client';
import {
  agreementIdFor,
  atDomain,
  normalizeDomain,
  REQUEST_PREFIX,
  type AgreementRequest,
  type JoinResult,
  type Policy,
  type Stage,
  type Tier,
} from '../common/agreement';
import { individualWorkflowId } from '../common/agreement-target';
import { newYorkDate } from '../common/new-york-date';
import { coverage, needsIndividualAgreement, type CoverageInstitution } from '../common/coverage';
import type { agreementWorkflow } from '../workflows/agreement';
import { joinUpdate } from '../workflows/messages';
import { DuraInstitution, DuraOverdue, DuraStage, DuraTiers } from '../workflows/search-attributes';
import { addressNotes } from '../common/address-notes';
import { lostLetterNotes } from '../common/name-notes';
import { receiptNote } from './receipt-note';
import { askedAsOf } from './request-coverage';
import { twinNote, type InProcess } from './twin-agreement';
import { patiently, type Patience } from './update-retry';

/**
 * A new agreement's policy: `policy` (e.g. `--initiation`) plus the access team's configured term,
 * `DURA_TERM_MONTHS` (common/config.ts), unless `policy` sets one; undefined when there is nothing to
 * set (the workflow's DEFAULT_POLICY then applies). Read where agreements start: `dura request`,
 * `dura import`, the web form, `dura renew`.
 */
export function startingPolicy(
  config: { DURA_TERM_MONTHS?: number | undefined },
  policy: Partial<Policy> = {},
): Partial<Policy> | undefined {
  const months = config.DURA_TERM_MONTHS;
  const merged = months && policy.termMonths === undefined ? { ...policy, termMonths: months } : policy;
  return Object.keys(merged).length ? merged : undefined;
}

export interface RequestOptions {
  taskQueue: string;
  policy?: Partial<Policy>;
  /** For tests of long runs: continue as new after this many history events. */
  continueAsNewAfterEvents?: number;
  /** The join update's id: a retry that sends the same id is applied once (default: a new one). */
  updateId?: string;
  /**
   * The Registered Institutions list (the records): a request it already covers for every tier asked
   * runs under a workflow id of its own and never occupies the institution's; a tier whose rule is
   * `individual` makes the agreement the requester's own. Without it, the workflow's own triage still
   * answers not-needed, under the request's domain's workflow id.
   */
  registry?: Registry;
  /** Where the request goes (requestPatiently fixes it once for every try). */
  triage?: RequestTriage;
}

/** What request triage reads from the records (RecordsStore has both). */
export interface Registry {
  institutionByDomain(domain: string): Promise<CoverageInstitution | null>;
  likelyParentInstitution(domain: string): Promise<{ id: string; name: string; domain: string } | null>;
  /** The agreements the address asked for (the records; RecordsStore's). Unset: none is looked for. */
  requesterAgreements?(email: string): Promise<RequesterAgreement[]>;
  /** Every agreement in process (RecordsStore's): another domain's for the same institution is said. */
  agreementsInProcess?(): Promise<InProcess[]>;
}

/** An agreement signed and in force: its requesters had their registration instructions (or will). */
const SIGNED_STAGES: readonly Stage[] = ['executed', 'instructions-sent', 'completed'];

/** An agreement an address is a requester of, as the records have it. */
export interface RequesterAgreement {
  agreementId: string;
  open: boolean;
  stage: Stage;
  domain: string;
  tiers: Tier[];
}

export interface RequestTriage {
  /** `dura-<institution>`, `dura-individual-<hash>` (individual) or `dura-request-…` (not needed). */
  workflowId: string;
  individual: boolean;
  /** Warnings for the person who typed the request: a requester outside the domains, a likely parent. */
  notes: string[];
  /**
   * The address the coverage rules were asked about: the requester's, or for a requester outside the
   * institution's domains the same name at the institution (no individual listing matches an outsider).
   */
  askedAs: string;
  /** Set when the requester's address is not at the institution's domains: those domains. */
  outsideDomains?: string[];
  /** Set when the signing official's address is not at (or under) the institution's domains. */
  officialOutside?: true;
  /**
   * A request the list covers from an address that asked for the agreement that listed it (a file
   * imported again after that agreement was signed): that agreement, whose registration instructions
   * the address had; the request is answered `already-requested`, and no mail goes out.
   */
  askedBefore?: { agreementId: string; stage: Stage };
  /**
   * A request the list covers: the institution's name on the list, which its answer uses (a trial's
   * "Univ of Washington" from a spreadsheet row was told "Univ of Washington is already registered").
   */
  listedName?: string;
  /** An agreement in process that this request may be a mistyped twin of (twin-agreement.ts), in words. */
  twin?: string;
  /** Why the access team should look before the package goes (`AgreementInput.review`): the web form's. */
  review?: string;
}

/**
 * Where a request goes, by the coverage rules (common/coverage.ts, design.md "Coverage"): a request the
 * list already covers for every tier needs no agreement and runs under its own workflow id, never
 * hiding the institution's agreement; a tier that requires individual agreements makes it the
 * requester's own (`individualWorkflowId`); otherwise the institution's, by its id (any of its domains joins).
 */
export async function triageRequest(request: AgreementRequest, registry?: Registry): Promise<RequestTriage> {
  const { domain } = request.institution;
  const email = request.requester.email.trim().toLowerCase();
  const profile = await registry?.institutionByDomain(domain);
  const received = receiptNote(request.receivedAt);
  const notes: string[] = [...(received ? [received] : []), ...lostLetterNotes(request)];
  const domains = profile?.domains ?? [normalizeDomain(domain)];
  const inside = atDomain(email, domains);
  if (!inside)
    notes.push(
      `requester.email: ${email} is not at ${domains.join(', ')}; accepted, and recorded for the access team`,
    );
  const askedAs = askedAsOf(email, domain, profile);
  const outside = inside ? {} : { outsideDomains: domains };
  if (!profile) {
    const checked = addressNotes(request, domains);
    notes.push(...checked.notes);
    const twin = twinNote(request, (await registry?.agreementsInProcess?.()) ?? []);
    if (twin) notes.push(twin);
    const parent = await registry?.likelyParentInstitution(domain);
    if (parent)
      notes.push(
        `${normalizeDomain(domain)} is not listed, but ${parent.domain} (${parent.name}) is; if it is theirs, ` +
          `\`dura institutions add-domain ${parent.id} ${normalizeDomain(domain)}\` settles it`,
      );
    return {
      workflowId: agreementIdFor(domain),
      individual: false,
      notes,
      askedAs,
      ...outside,
      ...(checked.officialOutside ? { officialOutside: true } : {}),
      ...(twin ? { twin } : {}),
    };
  }
  const covered = coverage({ email: askedAs, tiers: request.tiers, institution: profile });
  const checked = addressNotes(request, domains, covered.next !== 'create-account');
  notes.push(...checked.notes);
  if (covered.next === 'create-account') {
    const earlier = (await registry?.requesterAgreements?.(email))?.find(
      (a) =>
        SIGNED_STAGES.includes(a.stage) &&
        profile.domains.includes(normalizeDomain(a.domain)) &&
        request.tiers.every((t) => a.tiers.includes(t)),
    );
    return {
      workflowId: coveredRequestId(email, request),
      individual: false,
      notes,
      askedAs,
      listedName: profile.name,
      ...(earlier ? { askedBefore: { agreementId: earlier.agreementId, stage: earlier.stage } } : {}),
      ...outside,
    };
  }
  const individual = needsIndividualAgreement(covered);
  return {
    workflowId: individual ? individualWorkflowId(email) : agreementIdFor(profile.id),
    individual,
    notes,
    askedAs,
    ...outside,
    ...(checked.officialOutside ? { officialOutside: true } : {}),
  };
}

/**
 * The workflow id of a request the list already covers: the same for the same address, domain and tiers
 * received the same New York day, so a file imported again, or a form sent twice, is answered once
 * (README: "importing the file again is safe"). Hashed: Temporal keeps workflow ids in the clear.
 */
function coveredRequestId(email: string, request: AgreementRequest): string {
  const day = newYorkDate(request.receivedAt);
  const tiers = [...request.tiers].sort().join(',');
  const key = [email, normalizeDomain(request.institution.domain), tiers, day].join('\n');
  return `${REQUEST_PREFIX}${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

/**
 * A covered request answered already, or being answered (`coveredRequestId`'s workflow, completed or
 * running): that answer, with when it was given, so nothing is started or sent again; undefined when
 * there is none (or it failed: then it may be started again).
 */
async function answeredBefore(client: Client, workflowId: string): Promise<JoinResult | undefined> {
  const earlier = await client.workflow
    .getHandle(workflowId)
    .describe()
    .catch((err: unknown) =>
      (err as Error).name === 'WorkflowNotFoundError' ? undefined : Promise.reject(err),
    );
  if (!earlier || !['COMPLETED', 'RUNNING'].includes(earlier.status.name)) return undefined;
  const answeredAt = (earlier.closeTime ?? earlier.startTime).toISOString();
  return { agreementId: workflowId, stage: 'not-needed', outcome: 'not-needed', answeredAt };
}

/**
 * Starts the institution's agreement, or joins the one in process: update-with-start with
 * USE_EXISTING never starts a second agreement for the same domain. A request the list already covers
 * (`options.registry`) answers `not-needed`; the requester is told how to register.
 */
export async function requestAgreement(
  client: Client,
  request: AgreementRequest,
  options: RequestOptions,
): Promise<JoinResult> {
  const domain = request.institution.domain;
  const triage = options.triage ?? (await triageRequest(request, options.registry));
  const covered = triage.workflowId.startsWith(REQUEST_PREFIX);
  if (triage.askedBefore) return { ...triage.askedBefore, outcome: 'already-requested' };
  if (triage.listedName)
    request = { ...request, institution: { ...request.institution, name: triage.listedName } };
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof agreementWorkflow>(
    'agreementWorkflow',
    {
      workflowId: triage.workflowId,
      taskQueue: options.taskQueue,
      args: [
        {
          request,
          policy: options.policy,
          continueAsNewAfterEvents: options.continueAsNewAfterEvents,
          ...(triage.individual ? { individual: true } : {}),
          ...(triage.review ? { review: triage.review } : {}),
        },
      ],
      workflowIdConflictPolicy: 'USE_EXISTING',
      // A covered request's id is its answer's (`coveredRequestId`): not started again once answered.
      ...(covered ? { workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' as const } : {}),
      typedSearchAttributes: [
        { key: DuraStage, value: 'awaiting-initiation' },
        { key: DuraInstitution, value: domain },
        { key: DuraTiers, value: request.tiers },
        { key: DuraOverdue, value: false },
      ],
    },
  );
  const result = await client.workflow
    .executeUpdateWithStart(joinUpdate, {
      args: [request],
      startWorkflowOperation,
      updateId: options.updateId,
    })
    .catch(async (err: Error & { cause?: Error }) => {
      // The same covered request answered before (closed: not started again), or while its answer is
      // still going out (a file with the row twice; a not-needed request takes no joins): that answer.
      const answering =
        covered &&
        (err instanceof WorkflowExecutionAlreadyStartedError ||
          (err.name === 'WorkflowUpdateFailedError' &&
            /cannot join: the agreement is not-needed/.test(err.cause?.message ?? '')));
      const answer = answering ? await answeredBefore(client, triage.workflowId) : undefined;
      if (!answer) throw err;
      return answer;
    });
  // Joined while its answer was being given (the same request twice at once): that answer, as above.
  if (covered && result.outcome === 'already-requested')
    return (await answeredBefore(client, triage.workflowId)) ?? { ...result, outcome: 'not-needed' };
  return result.stage === 'not-needed' ? { ...result, outcome: 'not-needed' } : result;
}

/**
 * `requestAgreement` as the CLI sends it: riding out workers that come and go (update-retry.ts), with
 * one update id for every try (and a new start operation, each is used once). Throws UpdateNotTaken
 * when the bound runs out.
 */
export function requestPatiently(
  client: Client,
  request: AgreementRequest,
  options: RequestOptions,
  patience?: Patience,
): Promise<JoinResult> {
  const updateId = options.updateId ?? `join-${randomUUID()}`;
  let triage = options.triage;
  return patiently(
    client,
    async () => {
      triage ??= await triageRequest(request, options.registry);
      return requestAgreement(client, request, { ...options, updateId, triage });
    },
    patience,
  );
}
