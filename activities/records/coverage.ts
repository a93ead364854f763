/**
 * "Am I covered?" against the records: finds the institution an address's domain belongs to (or, when
 * none, its likely parent by registrable domain) and hands them to the pure `coverage` of
 * common/coverage.ts, which holds the rules. `dura check` and request triage call `checkCoverage`.
 */
import type { Tier } from '../../common/agreement';
import {
  agreementKeyOf,
  coverage,
  parseEmail,
  withAgreementInProcess,
  type Coverage,
} from '../../common/coverage';
import { agreementInProcess } from './open-agreements';
import type { RecordsStore } from './store';

export type { Coverage, NextStep, TierCoverage } from '../../common/coverage';

/**
 * Coverage of `email` for `tiers` (default the Registered Tier; controlled implies registered), e.g.
 * `{ email: 'ada@med.uw.edu', domain: 'med.uw.edu', institution: null, tiers: [{ tier: 'registered',
 * covered: false, because: null, rule: null }], next: 'submit-request', nextStep: 'med.uw.edu is not
 * on the Registered Institutions list: …', likelyParent: { id: 'uw.edu', name: 'University of
 * Washington' }, inProcess: null }`; `inProcess`: the agreement a request would join (next step says so). Throws an Error `<email>: not an e-mail address` for a malformed address (check
 * first with parseEmail to tell it from a database failure).
 */
export async function checkCoverage(
  store: RecordsStore,
  email: string,
  tiers?: readonly Tier[],
  /**
   * Whose request the agreement in process may hold already (`inProcess.requester`), when `email` is
   * not the requester's own: a requester outside the institution's domains is asked about as the same
   * name at the institution (client/agreements.ts, `askedAs`), but joined under her own address.
   */
  requester?: string,
): Promise<Coverage> {
  const parsed = parseEmail(email);
  if (!parsed) throw new Error(`${email.trim()}: not an e-mail address`);
  const institution = await store.institutionByDomain(parsed.domain);
  const parent = institution ? null : await store.likelyParentInstitution(parsed.domain);
  const covered = coverage({
    email: parsed.email,
    tiers,
    institution,
    likelyParent: parent && { id: parent.id, name: parent.name },
  });
  const key = agreementKeyOf(covered);
  const whose = requester?.trim().toLowerCase() ?? parsed.email;
  return withAgreementInProcess(covered, key ? await agreementInProcess(store.db, key, whose) : null);
}
