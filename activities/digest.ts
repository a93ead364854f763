/**
 * The weekly digest: every open agreement (awaiting initiation or signature), in the order the access
 * team should look at them, in one message to the team.
 *
 * - Overdue: a deadline has passed. The workflow's flag (set when it escalated), or a request still
 *   awaiting initiation after its initiation deadline (the records may trail the clock by a few minutes).
 * - Stalled: not overdue, but not moving either. Awaiting signature with at least the policy's
 *   escalation count of reminders unanswered (6 by default, about twelve weeks: the workflow escalated
 *   once, and the digest keeps it in sight every week after); or nothing recorded in its history for
 *   QUIET_DAYS (two reminder cycles without even a reminder: reminders paused, mail undeliverable, or no
 *   worker running); or a message of its own has waited an hour or more for the mail server (a
 *   recipient's server deferring it for days, say), which only `dura status` would show otherwise.
 * - The rest: on track.
 * Within each group, the oldest request first: it has waited longest.
 *
 * Below them, the requesters' registrations that stalled (issue 18): nudged to the limit, the access
 * team told, steps still left; each is listed every week until its last step is recorded. Then the
 * terms that end within TERMS_AHEAD_DAYS, each with its renewal in process or the command to start one.
 *
 * With nothing open the digest still goes out, saying so: a Monday without a digest would look the same
 * as a broken schedule or mail server.
 */
import type { Kysely } from 'kysely';
import { officialChecks } from '../common/address-notes';
import { officialsOf, type AgreementStatus } from '../common/agreement';
import type { Attention, DigestActivities, DigestEntry } from './interfaces';
import type { Mailer } from './mail/mailer';
import { formatInstant } from './mail/view';
import { queryEmails, type EmailRecord } from './records/emails';
import { openAgreements } from './records/open-agreements';
import { registrationReportActivities } from './registration-reports';
import { listRegistrations } from './records/registrations';
import { readInstitution } from './records/registry';
import { termsEnding } from './records/terms-ending';
import { newYorkDate } from '../common/new-york-date';
import type { Database } from './records/schema';

/** The first of a term's warnings (policy termWarningDays, 60): terms ending this soon are listed. */
export const TERMS_AHEAD_DAYS = 60;
/** Four weeks: two biweekly reminder cycles in which nothing at all happened. */
export const QUIET_DAYS = 28;
const DAY_MS = 24 * 3600_000;
const RANK: Record<Attention, number> = { overdue: 0, stalled: 1, open: 2 };

function lastActivityAt(s: AgreementStatus): string {
  return s.history.reduce((latest, h) => (h.at > latest ? h.at : latest), s.receivedAt);
}

/** A message of the agreement's that the mail server has not taken for an hour or more (the ledger). */
export type MailWaiting = Pick<EmailRecord, 'kind' | 'recipients' | 'attempts' | 'detail' | 'createdAt'>;
/** Mail this long on its way is failing, not slow: a message goes in about a second. */
export const MAIL_WAITING_MS = 3600_000;

/**
 * Why the agreement needs attention, in words; `open` with no reason when it is on track. `mail`: its
 * oldest message that has waited MAIL_WAITING_MS or more (stalled, after what is overdue).
 */
export function attentionOf(
  s: AgreementStatus,
  now: Date,
  mail?: MailWaiting,
): Pick<DigestEntry, 'attention' | 'why'> {
  const initiationLate =
    s.stage === 'awaiting-initiation' && s.initiationDueBy !== null && Date.parse(s.initiationDueBy) <= +now;
  if (initiationLate)
    return { attention: 'overdue', why: `Initiation was due by ${formatInstant(s.initiationDueBy)}.` };
  if (s.overdue) return { attention: 'overdue', why: 'A deadline has passed.' };
  if (mail)
    return {
      attention: 'stalled',
      why:
        `Its ${mail.kind} message to ${mail.recipients.join(', ')} has waited since ` +
        `${formatInstant(mail.createdAt)} (${mail.attempts === 1 ? '1 attempt' : `${mail.attempts} attempts`}` +
        `${mail.detail ? `; the last: ${mail.detail}` : ''}); dura keeps trying.`,
    };
  if (s.stage === 'awaiting-signature' && s.remindersSent >= s.policy.escalateAfterReminders)
    return {
      attention: 'stalled',
      why: `${s.remindersSent} reminders to the signing official unanswered since initiation on ${formatInstant(s.initiatedAt)}.`,
    };
  const last = lastActivityAt(s);
  if (+now - Date.parse(last) >= QUIET_DAYS * DAY_MS)
    return { attention: 'stalled', why: `Nothing has happened since ${formatInstant(last)}.` };
  return { attention: 'open', why: null };
}

/** Overdue first, then stalled, then the rest; oldest request first within each. `mail`: by agreement id. */
export function orderForDigest(
  agreements: AgreementStatus[],
  now: Date,
  mail: ReadonlyMap<string, MailWaiting> = new Map(),
): DigestEntry[] {
  return agreements
    .map((agreement) => ({ ...attentionOf(agreement, now, mail.get(agreement.agreementId)), agreement }))
    .sort(
      (a, b) =>
        RANK[a.attention] - RANK[b.attention] ||
        Date.parse(a.agreement.receivedAt) - Date.parse(b.agreement.receivedAt) ||
        a.agreement.agreementId.localeCompare(b.agreement.agreementId),
    );
}

/** Each entry with its officials' addresses checked against its institution's domains (the list's, else its own). */
async function withOfficialChecks(db: Kysely<Database>, entries: DigestEntry[]): Promise<DigestEntry[]> {
  return Promise.all(
    entries.map(async (entry) => {
      const { domain } = entry.agreement.institution;
      const listed = (await readInstitution(db, domain))?.domains;
      const checks = officialChecks(officialsOf(entry.agreement), listed ?? [domain]);
      return {
        ...entry,
        ...(checks.length ? { officialChecks: checks } : {}),
        ...(listed ? { listedDomains: listed } : {}),
      };
    }),
  );
}

export function digestActivities(deps: {
  db: Kysely<Database>;
  mailer: Pick<Mailer, 'sendDigest' | 'sendRegistrationReport'>;
  now?: () => Date;
}): DigestActivities {
  const now = deps.now ?? (() => new Date());
  return {
    ...registrationReportActivities(deps),
    async sendDigest({ idempotencyKey }) {
      const asOf = now();
      // Each agreement's oldest message still on its way after MAIL_WAITING_MS (the ledger, oldest first).
      const waiting = await queryEmails(deps.db, {
        state: 'sending',
        createdBefore: new Date(+asOf - MAIL_WAITING_MS),
      });
      const mail = new Map<string, MailWaiting>();
      for (const row of waiting) if (!mail.has(row.agreementId)) mail.set(row.agreementId, row);
      const open = await openAgreements(deps.db);
      const entries = await withOfficialChecks(deps.db, orderForDigest(open, asOf, mail));
      const stalledRegistrations = await listRegistrations(deps.db, { stalled: true });
      const renewals = new Map(open.flatMap((s) => (s.renews ? [[s.renews, s.agreementId] as const] : [])));
      const ending = await termsEnding(deps.db, newYorkDate(+asOf + TERMS_AHEAD_DAYS * DAY_MS));
      // A retry after the message went out returns the first outcome (the mailer's ledger); the counts
      // are those of this attempt's reading.
      const receipt = await deps.mailer.sendDigest({
        idempotencyKey,
        asOf: asOf.toISOString(),
        entries,
        stalledRegistrations,
        termsEnding: ending.map((t) => ({ ...t, renewal: renewals.get(t.agreementId) ?? null })),
      });
      const counted = (attention: Attention) => entries.filter((e) => e.attention === attention).length;
      return { ...receipt, open: entries.length, overdue: counted('overdue'), stalled: counted('stalled') };
    },
  };
}
