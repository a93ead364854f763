/**
 * Step 1 of the DURA process: the request triaged against the Registered Institutions list (design.md,
 * "Institutions, coverage and agreements"): not needed, an amendment or a new agreement; its own id;
 * what the access team should look at (a likely parent, an outside requester); the requester told.
 */
import { upsertMemo, workflowInfo } from '@temporalio/workflow';
import { atDomain, officialsOf, sameEmail } from '../common/agreement';
import type { TriageResult } from '../activities/interfaces';
import { io } from './activities';
import { Agreement, now } from './agreement-state';
import { AGREEMENT_IDS, TRIAGE_HOLDS } from './patches';
import * as clock from './clock';
import { acknowledgeRequest } from './mail';

/** Triage's look-up: the listing alone before patch `agreement-ids`. */
type Triage = Pick<TriageResult, 'listed'> & Partial<TriageResult>;

/** 1. Triage against the Registered Institutions list; the requester hears we have the request. */
export async function receiveRequest(agreement: Agreement): Promise<void> {
  const { state, status: s } = agreement;
  if (state.triaged) return;
  // Dated when the request came in (a request recovered from a mailbox came in long ago), since the
  // agreements of patch all-of-2026-12; before, when the engine took it.
  const requestedAt = agreement.patches.allOf2026_12 ? s.receivedAt : undefined;
  agreement.log('requested', `${s.tiers.join(', ')} tier(s) for ${s.institution.domain}`, requestedAt);
  // The calendar table comes beside the look-up, so triage waits for one round trip, not two.
  const numbered = agreement.patches.has(AGREEMENT_IDS);
  const individual = s.individual ? { individual: s.individual } : {};
  const [triage] = await Promise.all([
    numbered
      ? io.triageRequest({
          domain: s.institution.domain,
          agreementRef: state.ref,
          requester: s.requesters[0]!.email,
          ...individual,
        })
      : io.lookupInstitution(s.institution.domain).then((listed): Triage => ({ listed })),
    clock.prepare(agreement, s.receivedAt),
  ]);
  const { listed } = triage;
  state.listedTiers = listed?.tiers ?? [];
  const needed = s.tiers.filter((tier) => !state.listedTiers.includes(tier));
  // A renewal (`dura renew`, issue 18) is a new agreement for tiers the institution is listed for.
  if (listed && needed.length === 0 && !s.renews) {
    state.end = {
      stage: 'not-needed',
      reason: `${s.institution.domain} is already listed for ${s.tiers.join(', ')}`,
    };
    // A request that needs no agreement is known by its own workflow id, never by an agreement's.
    if (numbered) s.agreementId = workflowInfo().workflowId;
    state.triaged = true;
    return;
  }
  if (triage.agreementId !== undefined) takeOwnId(agreement, triage as TriageResult);
  // An amendment adds tiers to a listing; a listed institution with none for this key (individual
  // agreements required) gets a new agreement.
  if (s.renews) agreement.log('renewal', `renews ${s.renews} (${s.tiers.join(', ')})`);
  else if (listed && (listed.tiers.length > 0 || !numbered)) {
    s.kind = 'amendment';
    s.tiers = needed;
    agreement.log('amendment', `listed for ${listed.tiers.join(', ')}; adds ${needed.join(', ')}`);
  }
  s.initiationDueBy = await clock.businessDeadline(agreement, s.receivedAt, s.policy.initiationBusinessDays);
  const updatesFrom = Date.parse(s.receivedAt) > Date.now() ? s.receivedAt : now();
  s.nextStatusUpdateAt = await clock.reminderDueAt(agreement, updatesFrom, s.policy.requesterUpdateEveryDays);
  state.triaged = true;
  agreement.log('initiation-due', `by ${s.initiationDueBy}`);
  holdForReview(agreement, triage);
  await acknowledgeRequest(agreement);
}

const YEAR_MS = 365 * 24 * 3600_000;

/** The stages of an agreement the institution signed. */
const SIGNED: readonly string[] = ['executed', 'instructions-sent', 'completed', 'renewed', 'lapsed'];

/**
 * Why the access team should look before an automatic package goes (patch `triage-holds`): the domain
 * is a subdomain of a listed institution's (design.md: a subdomain is its own entry, so it is not covered,
 * but the parent's official may be asked to sign for what it has signed), an agreement of the
 * institution was declined within the year and none signed since (its official would get the package
 * again at once), or the
 * client's own check (`input.review`). Renewals keep their policy.
 */
function holdReasons(agreement: Agreement, triage: Triage): string[] {
  const s = agreement.status;
  const reasons = agreement.input.review ? [agreement.input.review] : [];
  // Its parent only (med.uw.edu under uw.edu); a sibling under the same registrable domain is a flag.
  const parent = triage.likelyParent;
  if (parent && s.institution.domain.endsWith(`.${parent.domain}`))
    reasons.push(`${s.institution.domain} may belong to ${parent.name} (${parent.domain}), listed already`);
  // The latest decline within the year, unless an agreement signed since (a cancelled one, say a
  // duplicate of a held request, does not clear it: a trial's next request then went straight out).
  const earlier = triage.earlier ?? [];
  const declined = earlier
    .filter(
      (e) =>
        e.stage === 'declined' && e.endedAt && Date.parse(s.receivedAt) - Date.parse(e.endedAt) < YEAR_MS,
    )
    .sort((a, b) => (a.endedAt! < b.endedAt! ? -1 : 1))
    .at(-1);
  const signedSince =
    declined && earlier.some((e) => SIGNED.includes(e.stage) && e.receivedAt > declined.endedAt!);
  if (declined && !signedSince) reasons.push(`${declined.agreementId} was declined at ${declined.endedAt}`);
  return reasons;
}

/** Holds the package, as manual initiation does, when there is a reason to look first (holdReasons). */
function holdForReview(agreement: Agreement, triage: Triage): void {
  const s = agreement.status;
  if (s.policy.initiation !== 'auto' || s.renews) return;
  const reasons = holdReasons(agreement, triage);
  if (!reasons.length || !agreement.patches.has(TRIAGE_HOLDS)) return;
  agreement.state.held = reasons.join('; ');
  // A new object: the records' write compares what it wrote last.
  s.policy = { ...s.policy, initiation: 'manual' };
  agreement.log(
    'initiation-held',
    `${agreement.state.held}: the package waits for dura initiate ${s.agreementId}`,
  );
}

/**
 * What triage learns since patch `agreement-ids`: the agreement's own id (memo and history), the
 * institution's earlier agreements and domains, what the access team should look at (a likely parent,
 * a requester outside the domains) and the institution's other signing officials.
 */
function takeOwnId(agreement: Agreement, triage: TriageResult): void {
  const { state, status: s } = agreement;
  s.agreementId = triage.agreementId;
  s.earlierAgreements = triage.earlier;
  state.domains = triage.domains;
  upsertMemo({ agreementId: s.agreementId });
  agreement.log('agreement-id', s.agreementId);
  const parent = triage.likelyParent;
  if (parent)
    agreement.log(
      'likely-parent',
      `${s.institution.domain} is not listed, but ${parent.domain} (${parent.name}) is; if it is theirs: ` +
        `dura institutions add-domain ${parent.domain} ${s.institution.domain}`,
    );
  for (const requester of s.requesters) checkRequesterDomain(agreement, requester.email);
  // Every official of the institution hears from us, beside the one the request named.
  const known = officialsOf(s);
  const more = (triage.officials ?? []).filter((o) => !known.some((k) => sameEmail(k.email, o.email)));
  if (more.length) {
    s.signingOfficials = [...known, ...more];
    agreement.log('officials-from-registry', more.map((o) => o.email).join(', '));
  }
}

/** Flags a requester whose address is not at the institution's domains (accepted, never called institutional). */
export function checkRequesterDomain(agreement: Agreement, email: string): void {
  const domains = agreement.state.domains;
  if (domains && !atDomain(email, domains))
    agreement.log('requester-outside-domain', `${email} is not at ${domains.join(', ')}`);
}
