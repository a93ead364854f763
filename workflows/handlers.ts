/**
 * The access team's controls on a running agreement. Validators reject bad or untimely requests before
 * anything is written to history; handlers record what they did and wake the main loop.
 */
import { condition, log, setHandler } from '@temporalio/workflow';
import {
  TIERS,
  officialsOf,
  sameEmail,
  type AgreementRequest,
  type JoinResult,
  type Person,
  type SigningOfficial,
  type Tier,
} from '../common/agreement';
import type { Agreement } from './agreement-state';
import * as guard from './guards';
import { send, tellRequesters } from './mail';
import * as m from './messages';
import { initiateAgreement } from './steps';
import { checkRequesterDomain } from './triage';
import { AGREEMENT_IDS, OFFICIAL_KEPT } from './patches';
import { registerReminderHandlers } from './reminder-handlers';
import { registerInstitutionHandlers } from './institution-handlers';
import { registerRequesterHandlers } from './requester-handlers';
import { requireOpen, requireStage } from './stage-guards';

export function registerHandlers(agreement: Agreement): void {
  const status = () => agreement.reply();
  setHandler(m.statusQuery, () => agreement.answer());

  setHandler(m.joinUpdate, (request) => join(agreement, request), {
    validator: (request) => validateJoin(agreement, request),
  });

  setHandler(
    m.addRequesterUpdate,
    async (requester) => {
      await addRequester(agreement, guard.person(requester, 'requester'));
      return status();
    },
    {
      validator: (requester) => {
        guard.person(requester, 'requester');
        // Its execution lists its own address only (a trial's added colleague got instructions, no coverage).
        if (agreement.status.individual)
          throw new Error(
            `cannot add-requester: ${agreement.status.agreementId} is ${agreement.status.individual}'s individual agreement; ` +
              'another researcher needs one of their own (dura request)',
          );
      },
    },
  );

  setHandler(
    m.initiateUpdate,
    async () => {
      await initiateAgreement(agreement, 'the access team');
      return status();
    },
    {
      validator: () => {
        requireStage(agreement, ['awaiting-initiation'], 'initiate');
        if (!agreement.state.triaged) throw new Error('cannot initiate yet: the request is being triaged');
        // Taken once already, its package still on its way (a mail server down): a second would send
        // and log it twice. Validators do not run on replay: no patch.
        if (agreement.initiatingSince !== null)
          throw new Error(
            'cannot initiate: the initiation package is on its way already, waiting for the mail server ' +
              '(`dura status` shows it); it finishes by itself once the mail goes',
          );
      },
    },
  );

  const recordExecution = (value: unknown): void => {
    agreement.state.execution = guard.execution(value, new Date());
    agreement.changed = true;
  };
  setHandler(
    m.executeUpdate,
    async (execution) => {
      recordExecution(execution);
      // Acknowledge once the main loop has recorded it: registry updated, requesters told.
      await condition(() => !agreement.isOpen);
      return status();
    },
    {
      validator: (execution) => {
        requireOpen(agreement, 'record the execution');
        const { signedOn, documentRef } = guard.execution(execution, new Date());
        // Here only, not in the handler: a validator runs no code on replay, so histories are unchanged.
        guard.signedSinceReceipt(signedOn, agreement.status.receivedAt, agreement.state.calendar);
        guard.oneLine(documentRef, 'documentRef');
      },
    },
  );
  // Integrations may only be able to signal: a bad or late signal is logged, never fatal.
  setHandler(m.executedSignal, (execution) => {
    try {
      requireOpen(agreement, 'record the execution');
      recordExecution(execution);
    } catch (err) {
      agreement.log('signal-ignored', `executed: ${(err as Error).message}`);
      log.warn('executed signal ignored', { agreementId: agreement.status.agreementId });
    }
  });

  for (const [update, stage] of [
    [m.cancelUpdate, 'cancelled'],
    [m.declineUpdate, 'declined'],
  ] as const) {
    setHandler(
      update,
      (input) => {
        agreement.state.end = { stage, reason: guard.text(input?.reason, 'reason', 1000) };
        agreement.changed = true;
        // The answer shows the stage after the change; the main loop moves there next (steps.endEarly).
        return { ...status(), stage };
      },
      {
        validator: (input) => {
          requireOpen(agreement, stage === 'cancelled' ? 'cancel' : 'decline');
          if (agreement.state.end)
            throw new Error(`cannot ${stage}: the agreement is already ${agreement.state.end.stage}`);
          guard.text(input?.reason, 'reason', 1000);
        },
      },
    );
  }

  setHandler(
    m.setSigningOfficialUpdate,
    async (official) => {
      const next = guard.signingOfficial(official, 'signingOfficial');
      const s = agreement.status;
      let kept = false;
      const had = officialsOf(s);
      const at = had.findIndex((o) => sameEmail(o.email, next.email));
      if (official.add && at >= 0) {
        // One it has, named again with --add: their name or title corrected, the others kept, nothing
        // sent (a trial's "?ukasz" beside a second official). The validator refused this before, so
        // no history took this path: no patch.
        kept = true;
        s.signingOfficials = had.map((o, i) => (i === at ? next : o));
        if (at === 0) s.signingOfficial = next;
        agreement.log('official-kept', keptDetail([had[at]!], next));
      } else if (official.add) {
        // One more official: the next reminder (and a package not yet sent) goes to every one.
        s.signingOfficials = [...officialsOf(s), next];
        agreement.log('official-added', next.email);
      } else {
        const previous = officialsOf(s);
        // One the agreement has already (patch official-kept): their package went out; the rest drop.
        kept = previous.some((o) => sameEmail(o.email, next.email)) && agreement.patches.has(OFFICIAL_KEPT);
        s.signingOfficial = next;
        s.signingOfficials = [next];
        if (kept) agreement.log('official-kept', keptDetail(previous, next));
        else
          agreement.log(
            'official-changed',
            `from ${previous.map((o) => o.email).join(', ')} to ${next.email}`,
          );
      }
      // After initiation, a new official gets the package now: a reminder must never be their first word.
      if (!kept && s.initiatedAt && agreement.isOpen && agreement.patches.has(AGREEMENT_IDS)) {
        const sent = await send(agreement, 'initiation-package', `${next.email}/official-set`, [next], {
          cc: ['aou-signing-official'],
        });
        if (sent) agreement.log('initiation-package-sent', `to ${next.email}, a new signing official`);
      }
      return status();
    },
    {
      validator: (official) => {
        requireOpen(agreement, 'change the signing official');
        const next = guard.signingOfficial(official, 'signingOfficial');
        const officials = officialsOf(agreement.status);
        // An official it has, named again exactly as recorded (with --add; or the one official without):
        // there is nothing to change or send. Validators run no code on replay: no patch.
        const same = officials.find((o) => sameEmail(o.email, next.email));
        const asNamed = same && same.name === next.name && (same.title ?? '') === (next.title ?? '');
        if (asNamed && official.add)
          throw new Error(
            `signingOfficial.email: ${next.name} <${next.email}> is already a signing official of this agreement, as named`,
          );
        if (asNamed && officials.length === 1)
          throw new Error(
            `signingOfficial.email: ${next.name} <${next.email}> is already the signing official, as named`,
          );
      },
    },
  );

  registerReminderHandlers(agreement, status);
  registerRequesterHandlers(agreement);
  registerInstitutionHandlers(agreement);
}

/** What `set-official` changed of an official the agreement had: `osp@uw.edu: name Sam → Samuel`. */
function keptDetail(previous: SigningOfficial[], next: SigningOfficial): string {
  const before = previous.find((o) => sameEmail(o.email, next.email))!;
  const changes = [
    before.name !== next.name && `name ${before.name} → ${next.name}`,
    (before.title ?? '') !== (next.title ?? '') &&
      `title ${before.title || 'none'} → ${next.title || 'none'}`,
    previous.length > 1 && `now the only official (was one of ${previous.length})`,
  ].filter(Boolean);
  return `${next.email}: ${changes.join('; ') || 'unchanged'}`;
}

function validateJoin(agreement: Agreement, request: AgreementRequest): void {
  if (!agreement.isOpen && agreement.status.stage !== 'executed')
    throw new Error(`cannot join: the agreement is ${agreement.status.stage}`);
  guard.person(request?.requester, 'requester');
  const domain = String(request?.institution?.domain ?? '').toLowerCase();
  // Any of the institution's domains joins its agreement (the registry's, as triage found them).
  const domains = agreement.state.domains ?? [agreement.status.institution.domain];
  if (!domains.includes(domain))
    throw new Error(`institution.domain: ${domain} does not match ${domains.join(', ')}`);
  const tiers: unknown[] = Array.isArray(request.tiers) ? request.tiers : [];
  if (tiers.length === 0 || tiers.some((t) => !TIERS.includes(t as Tier)))
    throw new Error(`tiers: expected registered and/or controlled`);
  // A tier the institution is listed for already is not an extra one (the join drops it too).
  const listed = agreement.state.listedTiers;
  const extra = request.tiers.filter((t) => !agreement.status.tiers.includes(t) && !listed.includes(t));
  if (extra.length && agreement.status.initiatedAt)
    throw new Error(
      `tiers: the agreement was initiated for ${agreement.status.tiers.join(', ')}; request ${extra.join(', ')} after it completes`,
    );
}

async function join(agreement: Agreement, request: AgreementRequest): Promise<JoinResult> {
  const s = agreement.status;
  const first = s.requesters[0]!;
  let outcome: 'started' | 'joined' | 'already-requested' = 'already-requested';
  if (
    !agreement.state.startAcknowledged &&
    sameEmail(first.email, request.requester.email) &&
    request.receivedAt === s.receivedAt
  ) {
    agreement.state.startAcknowledged = true;
    outcome = 'started';
  } else if (!s.requesters.some((r) => sameEmail(r.email, request.requester.email))) {
    outcome = 'joined';
  }
  const extra = request.tiers.filter((t) => !s.tiers.includes(t) && !agreement.state.listedTiers.includes(t));
  if (extra.length) {
    s.tiers.push(...extra);
    agreement.log('tiers-added', `${extra.join(', ')} (requested by a joining requester)`);
  }
  // Another official named by a joining request is the access team's call (`set-official --add`):
  // written down, never dropped and never added unasked.
  const named = request.signingOfficial;
  if (
    outcome !== 'started' &&
    named?.email &&
    !officialsOf(s).some((o) => sameEmail(o.email, named.email)) &&
    agreement.patches.has(AGREEMENT_IDS)
  )
    agreement.log('official-named', `${named.name} <${named.email}> by ${request.requester.email}`);
  if (outcome === 'joined') await addRequester(agreement, guard.person(request.requester, 'requester'));
  // Answer once triage is done, so the caller learns whether an agreement is needed at all.
  await condition(() => agreement.state.triaged);
  const held = agreement.state.held && !s.initiatedAt ? { held: agreement.state.held } : {};
  return { agreementId: s.agreementId, stage: agreement.state.end?.stage ?? s.stage, outcome, ...held };
}

/** A new requester hears what every requester has heard: the request is in, or how to register. */
async function addRequester(agreement: Agreement, requester: Person): Promise<void> {
  const s = agreement.status;
  if (s.requesters.some((r) => sameEmail(r.email, requester.email))) return;
  s.requesters.push(requester);
  agreement.log('requester-joined', requester.email);
  checkRequesterDomain(agreement, requester.email);
  // Before triage, the triage step tells every requester (and so does a held receipt, mail.ts); after
  // execution, the instructions step does.
  if (agreement.state.triaged && agreement.isOpen && !agreement.state.receiptHeld)
    await tellRequesters(agreement, 'request-received', 'joined', { only: [requester] });
}
