/**
 * How the CLI shows registrations (issue 18): `dura registration list` as a table or CSV, one requester's
 * registration after `dura registration record`, and the requesters' steps under `dura status`. Dates
 * are New York dates; `--json` keeps the records' own values (ISO UTC instants, YYYY-MM-DD dates).
 */
import {
  isOpenRegistration,
  REGISTRATION_STEPS,
  STEP_WORDS,
  stepsLeft,
  type RegistrationStatus,
} from '../common/registration';
import { dateInWords, newYorkDate } from '../common/when';
import { sameEmail, type AgreementStatus } from '../common/agreement';
import type { ResendOutcome } from './registration-resend';
import { statusView, table, type RenewalSeen } from './format';

/** The status as `dura status` shows it: `registrations` once the instructions were sent (status-registrations.ts). */
export type StatusWithRegistrations = AgreementStatus & {
  registrations?: RegistrationRow[];
  /** The agreement that renews this one, in process or executed (not cancelled or declined). */
  renewal?: RenewalSeen;
};

/** A registration as the records list it: its status without the history. */
export type RegistrationRow = Omit<RegistrationStatus, 'history'> & {
  history?: RegistrationStatus['history'];
};

/** Each step's short column name, in the instructions' order. */
const STEP_COLUMNS = ['account', '2-step', 'identity', 'conduct', 'rcr'] as const;

/**
 * Where a registration stands, in a few words: `complete (2026-12-01)`, `closed 2026-12-01, 3 left (left
 * the institution)`, `stalled (access team told 2027-01-05)`, `2 left; nudged 1 of 4, next nudge 2026-12-14`, `2 left; nudges from uw.edu-2` (handed
 * over to `nudgesFrom`, the agreement of a newer open registration: see `nudgesFrom`), `5 left`.
 */
export function registrationState(r: RegistrationRow, nudges?: number, nudgesFrom?: string): string {
  if (r.completedAt) return `complete (${newYorkDate(r.completedAt)})`;
  const left = stepsLeft(r.steps).length;
  if (r.closedAt) return `closed ${newYorkDate(r.closedAt)}, ${left} left (${r.closedReason ?? 'no reason'})`;
  if (r.escalatedAt) return `stalled, ${left} left (access team told ${newYorkDate(r.escalatedAt)})`;
  if (nudgesFrom) return `${left} left; nudges from ${nudgesFrom}`;
  const nudged = r.nudgesSent ? `; nudged ${r.nudgesSent}${nudges ? ` of ${nudges}` : ''}` : '';
  const next = r.nextNudgeAt ? `${nudged ? ',' : ';'} next nudge ${newYorkDate(r.nextNudgeAt)}` : '';
  return `${left} left${nudged}${next}`;
}

/**
 * The agreement whose registration nudges `r`'s requester instead of `r`: among `rows`, the newest open
 * one of the same address sent after `r`, when `r` is open; otherwise undefined. The criterion is the
 * workflow's (activity `newerRegistration`): `r`'s next nudge, when it comes due, hands over to that one
 * instead of going out, so `r` shows no next nudge of its own even before the hand-over is recorded.
 */
export function nudgesFrom(r: RegistrationRow, rows: readonly RegistrationRow[]): string | undefined {
  if (r.completedAt || r.closedAt || r.escalatedAt) return undefined;
  const email = r.requester.email.toLowerCase();
  const newer = rows
    .filter((o) => o.requester.email.toLowerCase() === email && isOpenRegistration(o))
    .filter((o) => Date.parse(o.instructionsSentAt) > Date.parse(r.instructionsSentAt))
    .sort((a, b) => Date.parse(b.instructionsSentAt) - Date.parse(a.instructionsSentAt));
  return newer[0]?.agreementId;
}

/** `dura registration list`'s table: one row per requester, a date or `-` per step. */
export function registrationTable(rows: readonly RegistrationRow[]): string {
  if (!rows.length) return 'no registrations';
  return table(
    [
      'REQUESTER',
      'INSTITUTION',
      'AGREEMENT',
      'INSTRUCTIONS',
      ...STEP_COLUMNS.map((c) => c.toUpperCase()),
      'STATE',
    ],
    rows.map((r) => [
      r.requester.email,
      r.institution.domain,
      r.agreementId,
      newYorkDate(r.instructionsSentAt),
      ...REGISTRATION_STEPS.map((s) => r.steps[s] ?? '-'),
      registrationState(r, undefined, nudgesFrom(r, rows)),
    ]),
  );
}

/** The CSV columns of `dura registration list --csv`. */
export const REGISTRATION_CSV_COLUMNS = [
  'requester_email',
  'requester_name',
  'institution_domain',
  'institution_name',
  'agreement_id',
  'instructions_sent_at',
  ...REGISTRATION_STEPS.map((s) => s.replace(/-/g, '_')),
  'nudges_sent',
  'next_nudge_at',
  'escalated_at',
  'completed_at',
  'closed_at',
  'closed_reason',
] as const;

/** `dura registration list --csv`: a header and a row per requester (instants ISO UTC, dates YYYY-MM-DD). */
export function registrationCsv(rows: readonly RegistrationRow[]): string {
  // Loaded here, not at the top: `dura status` shows registrations with this module, and needs no csv-parse.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { csvLine } = require('../common/csv') as typeof import('../common/csv');
  return [
    csvLine(REGISTRATION_CSV_COLUMNS),
    ...rows.map((r) =>
      csvLine([
        r.requester.email,
        r.requester.name,
        r.institution.domain,
        r.institution.name,
        r.agreementId,
        r.instructionsSentAt,
        ...REGISTRATION_STEPS.map((s) => r.steps[s]),
        r.nudgesSent,
        r.nextNudgeAt,
        r.escalatedAt,
        r.completedAt,
        r.closedAt ?? null,
        r.closedReason ?? null,
      ]),
    ),
  ].join('\n');
}

/**
 * One requester's registration in lines: who, where it stands, then each step with the date it was
 * completed or `not yet` (after `dura registration record`, and under `dura status`, indented).
 */
export function registrationView(r: RegistrationRow, indent = ''): string {
  const width = Math.max(...REGISTRATION_STEPS.map((s) => STEP_WORDS[s].length));
  return [
    `${indent}${r.requester.name} <${r.requester.email}>: ${registrationState(r)}`,
    ...REGISTRATION_STEPS.map((s) => {
      const on = r.steps[s];
      return `${indent}  ${STEP_WORDS[s].padEnd(width)}  ${on ? dateInWords(on, 'short') : 'not yet'}`;
    }),
  ].join('\n');
}

/** `dura status`'s section: each requester tracked since the instructions, or nothing when none is. */
export function registrationsSection(rows: readonly RegistrationRow[]): string {
  if (!rows.length) return '';
  return ['Registration', ...rows.map((r) => registrationView(r, '  '))].join('\n');
}

/** `dura status`'s text: the agreement's own view, then each requester's steps when there are any. */
export function statusWithRegistrationsView(status: StatusWithRegistrations): string {
  const section = registrationsSection(status.registrations ?? []);
  return section ? `${statusView(status)}\n\n${section}` : statusView(status);
}

/** `dura registration resend`'s answer in one line (client/registration-resend.ts). */
export function resendLine(a: ResendOutcome): string {
  const to = sameEmail(a.to.email, a.requester.email)
    ? a.to.email
    : `${a.to.email} (for ${a.requester.email})`;
  switch (a.outcome) {
    case 'sent':
      return `${a.agreementId}: registration instructions sent to ${to}; the registration is tracked (${a.registrationId})`;
    case 'on-its-way':
      return (
        `${a.agreementId}: registration instructions to ${to} are on their way: the mail server has not taken ` +
        `them yet, and dura keeps trying (\`dura status ${a.agreementId}\` shows it)`
      );
    case 'refused':
      return (
        `${a.agreementId}: the mail server refused the registration instructions to ${to} ` +
        `${sameEmail(a.to.email, a.requester.email) ? 'again' : 'too'}: ${a.detail}; ` +
        'check the address and resend with --to'
      );
  }
}
