/**
 * Registration tracking (issue 18) in the access team's words: the five steps a requester takes after
 * the registration instructions, and the status a requester's registration workflow answers with.
 * Shared by the workflow (workflows/registration.ts), its activities (the records), the client, the CLI
 * and the web hook. Pure TypeScript (no I/O, no zod), so workflow code may import it.
 */

import { agreementIdFor, type AgreementStatus } from './agreement';

/** The steps in the records' and views' order (the registration instructions, after seed 001, put the training before the Code of Conduct). */
export const REGISTRATION_STEPS = [
  'account',
  'two-step',
  'identity',
  'code-of-conduct',
  'rcr-training',
] as const;
export type RegistrationStep = (typeof REGISTRATION_STEPS)[number];

/** Words for people (mail, CLI, web): the names the registration instructions use (seeds/001 and 000). */
export const STEP_WORDS: Record<RegistrationStep, string> = {
  account: 'Researcher Workbench account',
  'two-step': '2-step verification',
  identity: 'identity verification',
  'code-of-conduct': 'Data User Code of Conduct',
  'rcr-training': 'Responsible Conduct of Research training',
};

export function isRegistrationStep(value: unknown): value is RegistrationStep {
  return typeof value === 'string' && (REGISTRATION_STEPS as readonly string[]).includes(value);
}

/** What a requester's registration workflow answers (query `registrationStatus`, update `recordStep`). */
export interface RegistrationStatus {
  /** Its workflow id (no personal data in it): `<agreement workflow id>/registration/<agreement id>/<n>`. */
  registrationId: string;
  /** The agreement whose instructions started it, e.g. `uw.edu-2`. */
  agreementId: string;
  institution: { name: string; domain: string };
  requester: { name: string; email: string };
  /** ISO-8601 instant the registration instructions were sent to this requester. */
  instructionsSentAt: string;
  /** Per step: the New York date (YYYY-MM-DD) it was completed on, or null while it is left. */
  steps: Record<RegistrationStep, string | null>;
  /** Nudges sent so far (at most the policy's `registrationNudges`). */
  nudgesSent: number;
  /** ISO-8601 instant of the next nudge or of the access team's notice; null when none is due. */
  nextNudgeAt: string | null;
  /** ISO-8601 instant the access team was told the registration stalled, or null. */
  escalatedAt: string | null;
  /** ISO-8601 instant the last step was recorded (every step done), or null. */
  completedAt: string | null;
  /**
   * ISO-8601 instant the access team closed it with steps left (`dura registration close`: the person
   * left, or will not register), or null/absent; with the reason they gave. A closed registration sends
   * nothing more and is neither stalled nor open.
   */
  closedAt?: string | null;
  closedReason?: string | null;
  history: { at: string; event: string; detail?: string }[];
}

/** One step reported done: by the CLI, a CSV import, or the Workbench's signed web hook. */
export interface StepReport {
  step: RegistrationStep;
  /** The New York date it was completed on, YYYY-MM-DD (not in the future). */
  on: string;
  source: 'cli' | 'csv' | 'workbench';
}

/** The steps not yet done, in the instructions' order. */
export function stepsLeft(steps: Record<RegistrationStep, string | null>): RegistrationStep[] {
  return REGISTRATION_STEPS.filter((s) => !steps[s]);
}

/** Every step with no date yet: a new registration's `steps`. */
export function noStepsDone(): Record<RegistrationStep, string | null> {
  return Object.fromEntries(REGISTRATION_STEPS.map((s) => [s, null])) as Record<
    RegistrationStep,
    string | null
  >;
}

/**
 * The reason a registration started by `dura registration resend` closes with when its instructions are
 * refused again (workflows/registration-mail.ts): such a one may be started again, to another address.
 */
export const INSTRUCTIONS_UNDELIVERED = 'the registration instructions could not be delivered';

/** Neither complete nor closed by the access team: its workflow still waits for steps. */
export function isOpenRegistration(r: Pick<RegistrationStatus, 'completedAt' | 'closedAt'>): boolean {
  return !r.completedAt && !r.closedAt;
}

/** The date of the last step done (YYYY-MM-DD), or null when none is. */
export function lastStepOn(steps: Record<RegistrationStep, string | null>): string | null {
  return (
    REGISTRATION_STEPS.map((s) => steps[s])
      .filter((on): on is string => Boolean(on))
      .sort()
      .at(-1) ?? null
  );
}

/** Why a reason to close a registration is refused (`dura registration close`), or null: it is fine. */
export function closeReasonProblem(reason: unknown): string | null {
  return typeof reason === 'string' && reason.trim() && reason.length <= 500 && !/[\r\n]/.test(reason)
    ? null
    : 'one line of 1 to 500 characters (why the registration is closed)';
}

/**
 * A requester's registration's workflow id, with no personal data (workflows/registration-start.ts):
 * `<institution's workflow id>-registration-<agreement number>-<requester number>`
 * (`dura-uw.edu-registration-2-1`); `ref` (the agreement's first run id) stands for the number of an
 * individual agreement or one from before agreement numbers.
 */
export function registrationWorkflowId(
  s: Pick<AgreementStatus, 'agreementId' | 'institution' | 'individual'>,
  ref: string,
  requesterNumber: number,
): string {
  const number = s.individual ? undefined : /^[^@]*-(\d+)$/.exec(s.agreementId)?.[1];
  return `${agreementIdFor(s.institution.domain)}-registration-${number ?? ref}-${requesterNumber}`;
}
