/** Human views of agreements for the terminal (colour only on a TTY); `--json` keeps ISO UTC. */
import { styleText } from 'node:util';
import {
  officialsOf,
  sameEmail,
  type AgreementStatus,
  type MessageInFlight,
  type SigningOfficial,
} from '../common/agreement';
import { INSTRUCTIONS_UNDELIVERED } from '../common/registration';
import { dateInWords, inShortWords, inWords, readAs, readWhen, receivedInWords } from '../common/when';

// util.styleText colours only when stdout is a terminal that takes colour, and never with NO_COLOR.
const bold = (s: string) => styleText('bold', s);
const red = (s: string) => styleText('red', s);

/** An instant as New York time in words, "Tuesday, December 1, 2026, 5:00 PM ET", or a dash. */
export function when(iso: string | null): string {
  return iso ? inWords(iso) : '-';
}

/** The compact form for tables and history lines, "Tue, Dec 1, 2026, 5:00 PM ET", or a dash. */
export function shortWhen(iso: string | null): string {
  return iso ? inShortWords(iso) : '-';
}

/** A receipt in the compact form: its date alone when typed as a date (`receivedInWords`), or a dash. */
export function shortReceived(iso: string | null): string {
  return iso ? receivedInWords(iso, 'short') : '-';
}

/**
 * A flag's receipt date or time as the next check wants it (commander argParser): a date or a New York
 * time not in the future is echoed on stderr as it was read (`dura: --received-at 2026-11-25T10:00 read as …`) and becomes ISO
 * UTC; an instant, or a value refused, is passed on as typed for that check to normalise or name.
 */
export function echoedWhen(flag: string, value: string): string {
  const read = readWhen(value);
  if ('problem' in read) return value;
  const echo = readAs(flag, read);
  // A receipt in the future is refused next: no echo that reads as if it were taken.
  if (echo && read.at.getTime() <= Date.now()) process.stderr.write(`dura: ${echo}\n`);
  return echo ? read.at.toISOString() : value;
}

// The workflow writes instants into history details as ISO UTC (e.g. "next due 2026-12-07T14:00:00.000Z").
const ISO_INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z\b/g;

const officialLine = (o: SigningOfficial) => `${o.name} <${o.email}>${o.title ? `, ${o.title}` : ''}`;

/** An executed agreement's renewal as the records hold it (client/status-registrations.ts). */
export interface RenewalSeen {
  agreementId: string;
  stage: string;
}

export function statusView(s: AgreementStatus & { renewal?: RenewalSeen }): string {
  const rows: [string, string][] = [
    ['Institution', `${s.institution.name} (${s.institution.domain})`],
    [
      'Stage',
      `${bold(s.stage)}${s.overdue ? ` ${red('OVERDUE')}` : ''}${s.kind === 'amendment' ? ' (amendment)' : ''}`,
    ],
    ['Tiers', s.tiers.join(', ')],
    ['Requesters', s.requesters.map((r) => `${r.name} <${r.email}>`).join('; ')],
    [
      officialsOf(s).length > 1 ? 'Signing officials' : 'Signing official',
      officialsOf(s).map(officialLine).join('; '),
    ],
    ['Received', receivedInWords(s.receivedAt)],
    ['Initiation due by', when(s.initiationDueBy)],
    ['Initiated', when(s.initiatedAt)],
    ['Reminders sent', String(s.remindersSent)],
    [
      'Next reminder',
      // Paused: when the reminder is due, if after the pause (patch pause-keeps-schedule), and the pause.
      !s.remindersPausedUntil
        ? when(s.nextReminderAt)
        : s.nextReminderAt && s.nextReminderAt > s.remindersPausedUntil
          ? `${when(s.nextReminderAt)} (paused until ${when(s.remindersPausedUntil)})`
          : `paused until ${when(s.remindersPausedUntil)}`,
    ],
    [
      'Executed',
      s.executedAt ? `${when(s.executedAt)} (signed ${s.signedOn ? dateInWords(s.signedOn) : '-'})` : '-',
    ],
    ['Instructions due by', when(s.instructionsDueBy)],
    ['Instructions sent', when(s.instructionsSentAt) + notDelivered(s, 'registration-instructions')],
  ];
  for (const [i, line] of mailWaitingLines(s.sending ?? []).entries())
    rows.push([i === 0 ? 'Mail waiting' : '', red(line)]);
  // Its term (issue 18): what it renews, the last day in force, and how it ended.
  if (s.renews) rows.push(['Renews', s.renews]);
  if (s.expiresOn)
    rows.push([
      'In force until',
      dateInWords(s.expiresOn) +
        (s.renewedBy
          ? ` (renewed by ${s.renewedBy})`
          : s.lapsedOn
            ? ` (lapsed on ${dateInWords(s.lapsedOn)})`
            : ''),
    ]);
  // Its renewal, also when no term marks it renewed (no end date) or while the renewal is in process.
  if (s.renewal && !s.renewedBy)
    rows.push([
      s.renewal.stage === 'completed' || s.renewal.stage === 'executed' ? 'Renewed by' : 'Renewal',
      `${s.renewal.agreementId} (${s.renewal.stage})`,
    ]);
  if (s.endReason) rows.push(['Ended', `${when(s.endedAt)}: ${s.endReason}`]);
  // As triage found them when this one was requested: a stage may have moved on since (renewed, lapsed).
  for (const [i, e] of (s.earlierAgreements ?? []).entries())
    rows.push([
      i === 0 ? 'Earlier agreements' : '',
      `${e.agreementId}: ${e.stage} when this request came in, ${e.tiers.join(', ')}, received ${shortReceived(e.receivedAt)}`,
    ]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return [
    bold(s.agreementId),
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    '',
    historyView(s),
  ].join('\n');
}

/**
 * ` (not delivered to ada@uw.edu: see the history)` when the mail server refused `kind` for good for
 * some of its recipients (history `email-failed`, workflows/mail.ts `undeliverable`), else ''.
 */
/**
 * The agreement's requesters the mail server refused a `kind` message for (history `email-failed`,
 * `<kind> (<address>): why`), each once. Not a resend's other address that failed too: that is its
 * registration's (closed, listed under Registrations), not a requester left without the message.
 */
export function refusedRequesters(
  s: Pick<AgreementStatus, 'history' | 'requesters'>,
  kind: string,
): string[] {
  const prefix = `${kind} (`;
  const to = s.history
    .filter((e) => e.event === 'email-failed' && e.detail?.startsWith(prefix))
    .map((e) => e.detail!.slice(prefix.length).split('): ')[0]!)
    .filter((email) => s.requesters.some((r) => sameEmail(r.email, email)));
  return [...new Set(to)];
}

function notDelivered(s: AgreementStatus & { registrations?: readonly ResentRow[] }, kind: string): string {
  const to = refusedRequesters(s, kind);
  if (!to.length) return '';
  // Sent again since (`dura registration resend`): the registration in that requester's place.
  const resent = to.map((email) => {
    const place = s.requesters.findIndex((r) => sameEmail(r.email, email)) + 1;
    const row = s.registrations?.find(
      (r) =>
        place > 0 && r.registrationId.endsWith(`-${place}`) && r.closedReason !== INSTRUCTIONS_UNDELIVERED,
    );
    return row && `resent to ${row.requester.email} ${inShortWords(row.instructionsSentAt)}`;
  });
  const waiting = kind === 'registration-instructions' && resent.some((r) => !r);
  const note = [`not delivered to ${to.join(', ')}`, ...resent.filter(Boolean)].join('; ');
  return waiting
    ? ` ${red(`(${note}: see the history; \`dura registration resend\` sends them again)`)}`
    : ` (${note})`;
}

/** A registration as `dura status` lists it, as far as a resend of refused instructions shows in it. */
interface ResentRow {
  registrationId: string;
  requester: { email: string };
  instructionsSentAt: string;
  closedReason?: string | null;
}

/** A message on its way this long without a failure is not worth a line: a send takes about a second. */
const WAITING_MS = 60_000;
const ROLE_WORDS: Record<string, string> = {
  'access-team': 'the access team',
  'aou-signing-official': 'the All of Us signing official',
};

/**
 * A line for each message that failed at least once or has waited over a minute (`sending`, with what
 * client/status-mail.ts read from the ledger), e.g. `reminder to ann@uw.edu, waiting since Tue, Dec 1,
 * 2026, 5:00 PM ET; 3 attempts, the last Tue, Dec 1, 2026, 5:04 PM ET: the mail server … cannot be
 * reached (…); dura keeps trying`. None for messages that are simply on their way.
 */
export function mailWaitingLines(sending: readonly MessageInFlight[], now = Date.now()): string[] {
  return sending
    .filter((m) => m.lastError || (m.attempts ?? 0) > 1 || now - Date.parse(m.since) > WAITING_MS)
    .map((m) => {
      const words = (list: readonly string[]) => list.map((r) => ROLE_WORDS[r] ?? r).join(', ');
      const to = words(m.to) + (m.cc?.length ? ` (a copy to ${words(m.cc)})` : '');
      const tries =
        m.attempts === undefined
          ? ''
          : m.attempts === 0
            ? '; no attempt yet'
            : `; ${m.attempts === 1 ? '1 attempt' : `${m.attempts} attempts`}, the last ${shortWhen(m.lastAttemptAt ?? null)}` +
              (m.lastError ? `: ${m.lastError}` : '');
      const next = m.nextAttemptAt && Date.parse(m.nextAttemptAt) > now ? m.nextAttemptAt : undefined;
      const keeps = next
        ? `dura tries again about ${shortWhen(next)}`
        : 'dura tries again while a worker runs';
      return `${m.kind} to ${to}, waiting since ${shortWhen(m.since)}${tries}; ${keeps}`;
    });
}

/** One line per event, oldest first; instants in its details are shown in New York time too. */
export function historyView(s: AgreementStatus): string {
  // The request's own line reads as its receipt does (a receipt typed as a date: that date).
  const times = s.history.map((h) =>
    h.event === 'requested' && h.at === s.receivedAt ? receivedInWords(h.at, 'short') : shortWhen(h.at),
  );
  const width = Math.max(0, ...times.map((t) => t.length));
  return [
    'History',
    ...s.history.map((h, i) => {
      const detail = h.detail?.replace(ISO_INSTANT, (iso) => shortWhen(iso));
      return `  ${times[i]!.padEnd(width)}  ${h.event}${detail ? `: ${detail}` : ''}`;
    }),
  ].join('\n');
}

/** A plain table: columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [bold(line(header)), ...rows.map(line)].join('\n');
}
