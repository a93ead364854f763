/** The received page's notes on what the agreement a request joined keeps (web/routes/request.ts). */
import { OPEN_STAGES, officialsOf, type AgreementRequest, type JoinResult } from '../common/agreement';
import { fetchStatus } from '../client/agreement-handle';
import { namesAnotherInstitution, namesAnotherOfficial } from '../client/join-notes';
import type { WebContext } from './page';

export interface KeptByAgreement {
  /** A join that named a signing official the agreement does not have: the address the researcher typed. */
  officialNotUsed?: string;
  /** A join under another institution name: the name the agreement keeps. */
  institutionKept?: string;
  /** A join to an agreement still waiting for its initiation after the deadline passed. */
  initiationLate?: boolean;
  /** A join (or the same request twice, a double click) while the package goes out by itself. */
  initiating?: boolean;
  /** The package went out since the join's answer was given (its stage then read awaiting-initiation). */
  initiated?: boolean;
}

/**
 * What a joining request (or one asked again, of an agreement in process) named that the agreement
 * keeps otherwise, as `dura request` warns of it (client/join-notes.ts): another signing official (the address typed; never the agreement's own: the
 * pages show no official), another institution name (the agreement's). Nothing when the agreement cannot
 * be read now: the notes are a courtesy.
 */
export async function keptByAgreement(
  ctx: WebContext,
  request: AgreementRequest,
  result: JoinResult,
): Promise<KeptByAgreement> {
  if (result.outcome !== 'joined' && result.outcome !== 'already-requested') return {};
  const answer = await fetchStatus(await ctx.temporal(), ctx.config, result.agreementId).catch(
    () => undefined,
  );
  if (!answer) return {};
  const { status } = answer;
  // Asked again of an agreement in process (a trial's second request named another official, unsaid);
  // of a signed one, what it was signed by is past changing.
  if (result.outcome === 'already-requested' && !OPEN_STAGES.includes(status.stage)) return {};
  return {
    ...(namesAnotherOfficial(request, officialsOf(status))
      ? { officialNotUsed: request.signingOfficial.email }
      : {}),
    ...(namesAnotherInstitution(request, status.institution.name)
      ? { institutionKept: status.institution.name }
      : {}),
    // Waiting for `dura initiate` past its deadline (a trial was promised "within two business days").
    ...(status.stage === 'awaiting-initiation' &&
    status.initiationDueBy &&
    Date.parse(status.initiationDueBy) < Date.now()
      ? { initiationLate: true }
      : {}),
    // On its way by itself (auto, not bounced, not held): not "within two business days" (a trial's
    // double click read so while the package had gone out).
    ...(status.stage === 'awaiting-initiation' &&
    status.policy.initiation === 'auto' &&
    !(status.history ?? []).some((h) => h.event === 'initiation-failed')
      ? { initiating: true }
      : {}),
    ...(status.initiatedAt ? { initiated: true } : {}),
  };
}
