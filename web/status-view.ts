/**
 * A requester's status page in words: the stage, its dates in New York time (common/when.ts), what
 * happens next and whom to write to. Built from the status object, it takes only the agreement's own
 * facts: never the other requesters, never an official's name or address.
 */
import type { AgreementStatus, Stage } from '../common/agreement';
import { REGISTRATION_STEPS, STEP_WORDS, stepsLeft, type RegistrationStatus } from '../common/registration';
import { dateInWords, inWords, receivedInWords } from '../common/when';
import { instantsInWords, progress, sentence, tiersInWords } from '../activities/mail/view';

const STAGE_WORDS: Record<Stage, string> = {
  'awaiting-initiation': "Received: the agreement goes to your institution's signing official next",
  'awaiting-signature': 'Waiting for your institution to sign the agreement',
  executed: 'Signed: your registration instructions are on their way',
  'instructions-sent': 'Signed: your registration instructions were sent',
  // The agreement's stage, not the reader's registration (a trial read "Complete" with 0 of 5 steps done).
  completed: 'Signed and in place: your registration instructions were sent',
  cancelled: 'Cancelled',
  declined: 'Declined by your institution',
  'not-needed': 'No agreement needed',
  renewed: 'Signed, then renewed by a new agreement',
  lapsed: 'Lapsed: the agreement ended and was not renewed',
};

const when = (iso: string | null) => (iso ? inWords(iso) : null);

/** Where it stands, in a sentence or two. */
function standing(s: AgreementStatus, now: Date): string {
  const signed = s.signedOn ? dateInWords(s.signedOn) : 'a date not yet recorded';
  switch (s.stage) {
    case 'awaiting-initiation':
    case 'awaiting-signature':
      // The mail's own sentence (no promise of a past deadline), naming no official.
      return progress(s, "your institution's signing official", now);
    case 'executed':
    case 'instructions-sent':
    case 'completed':
      return `Your institution signed the agreement on ${signed}.`;
    case 'cancelled':
    case 'declined': {
      const on = s.endedAt ? ` on ${inWords(s.endedAt)}` : '';
      // Typed without its full stop, it gets one, as in the mail (a trial's status page lacked it).
      const reason = s.endReason ? ` The reason given: ${sentence(instantsInWords(s.endReason))}` : '';
      return `${s.stage === 'cancelled' ? 'The request was cancelled' : 'Your institution declined the agreement'}${on}.${reason}`;
    }
    case 'not-needed':
      return 'Your institution is already listed for the tiers you asked for, so no agreement is needed.';
    case 'renewed':
      return `Your institution signed the agreement on ${signed}; it was renewed by ${s.renewedBy ?? 'a new agreement'}.`;
    case 'lapsed':
      return (
        `Your institution signed the agreement on ${signed}. It ended on ` +
        `${s.expiresOn ? dateInWords(s.expiresOn) : 'its end date'} and was not renewed, so it no longer covers you.`
      );
  }
}

/** What the page reads of the link holder's registration (the records' row). */
type RegistrationOnPage = Pick<RegistrationStatus, 'steps' | 'completedAt' | 'closedAt'>;

/** The link holder's registration steps in a sentence (issue 18), as the records have them. */
function registrationWords(r: RegistrationOnPage): string {
  const left = stepsLeft(r.steps);
  if (left.length === 0) return 'You have completed every Researcher Workbench registration step.';
  const done = REGISTRATION_STEPS.length - left.length;
  // Closed by the access team (`dura registration close`: left the institution, will not register): no
  // steps to urge (a trial's closed registration still listed them). The reason stays the team's.
  if (r.closedAt)
    return (
      `The access team closed your registration for this agreement on ${dateInWords(r.closedAt)}, with ` +
      `${done} of the ${REGISTRATION_STEPS.length} steps done. If you still mean to register, write to them (below).`
    );
  const words = left.map((x) => STEP_WORDS[x]).join(', ');
  return done === 0
    ? `Follow the registration instructions we e-mailed you; the steps: ${words}.`
    : `You have done ${done} of the ${REGISTRATION_STEPS.length} registration steps; left: ${words}.`;
}

/** What happens next, and the link that goes with it (if any). */
function next(
  s: AgreementStatus,
  workbench: string,
  registration?: RegistrationOnPage,
): { text: string; link?: { href: string; text: string } } {
  switch (s.stage) {
    case 'awaiting-initiation':
    case 'awaiting-signature':
      return {
        text:
          (s.renews
            ? 'When your institution signs the renewal, its listing on the Registered Institutions page ' +
              `continues, and within ${s.policy.instructionsBusinessDays} business days we tell you which ` +
              'registration steps, if any, are left for you.'
            : 'When your institution signs, we list it on the Registered Institutions page and send you ' +
              `registration instructions within ${s.policy.instructionsBusinessDays} business days.`) +
          ` Until then you get an update by e-mail every ${s.policy.requesterUpdateEveryDays} days.`,
      };
    case 'executed':
      return {
        text: s.instructionsDueBy
          ? `We will e-mail you registration instructions by ${inWords(s.instructionsDueBy)}.`
          : 'We will e-mail you registration instructions shortly.',
      };
    case 'instructions-sent':
    case 'completed':
    case 'renewed':
    case 'not-needed':
      return {
        text: registration
          ? registrationWords(registration)
          : 'Follow the registration instructions we e-mailed you, starting with an account on the Researcher Workbench.',
        ...(registration?.closedAt && stepsLeft(registration.steps).length
          ? {}
          : { link: { href: workbench, text: 'Go to the Researcher Workbench' } }),
      };
    case 'lapsed':
      return {
        text: 'Your institution can renew the agreement: submit a DURA request (renewal), or ask the access team.',
        link: { href: '/request', text: 'Request a DURA' },
      };
    case 'cancelled':
    case 'declined':
      return {
        text: 'If you still need access to All of Us data, you can submit a new DURA request.',
        link: { href: '/request', text: 'Request a DURA' },
      };
  }
}

/**
 * The page's view of `s` (the caller has checked that the link's holder is one of its requesters), with
 * that requester's registration of this agreement when the records have one (its steps done and left).
 */
export function statusView(
  s: AgreementStatus,
  now: Date,
  workbench: string,
  registration?: RegistrationOnPage,
) {
  const dates = [
    [s.renews ? 'Renewal started' : 'Request received', receivedInWords(s.receivedAt)],
    [
      "Agreement due to go to your institution's signing official by",
      s.initiatedAt ? null : when(s.initiationDueBy),
    ],
    ["Agreement sent to your institution's signing official", when(s.initiatedAt)],
    [
      'Next follow-up with the signing official',
      s.stage === 'awaiting-signature' ? when(s.nextReminderAt) : null,
    ],
    ['Agreement signed', s.signedOn ? dateInWords(s.signedOn) : null],
    // Its last day in force (issue 18), while it is (a lapsed one says its end in the sentence above).
    [
      'In force until',
      s.expiresOn && ['executed', 'instructions-sent', 'completed', 'renewed'].includes(s.stage)
        ? dateInWords(s.expiresOn)
        : null,
    ],
    ['Registration instructions due by', s.instructionsSentAt ? null : when(s.instructionsDueBy)],
    ['Registration instructions sent', when(s.instructionsSentAt)],
    ['Closed', ['cancelled', 'declined'].includes(s.stage) ? when(s.endedAt) : null],
  ]
    .filter(([, value]) => value)
    .map(([label, value]) => ({ label: label!, value: value! }));
  return {
    // A renewal (issue 18) was started by the access team, not asked for by the requester.
    heading: s.renews ? `Your institution's DURA renewal (renewing ${s.renews})` : 'Your DURA request',
    agreementId: s.agreementId,
    institution: s.institution.name,
    tiers: tiersInWords(s.tiers),
    stage: STAGE_WORDS[s.stage],
    progress: standing(s, now),
    dates,
    next: next(s, workbench, registration),
  };
}
