/**
 * Which messages an agreement must have sent, read from its own status (history and counters), each
 * with the Message-ID the mailer derives from its idempotency key (workflows/mail.ts): the fault tests
 * compare that set with what arrived at the SMTP sink — every expected message once, nothing else.
 * Most sends are logged before they go out, the initiation package and the instructions just after they
 * arrived; a running agreement's comparison is therefore repeated until it holds (or time runs out).
 */
import type { AgreementStatus, HistoryEntry } from '../../common/agreement';
import { messageIdFor } from '../../activities/mail/mailer';
import type { SinkMessage } from './fault-sink';

export interface ExpectedMessage {
  agreementId: string;
  kind: string;
  key: string;
  messageId: string;
  /** The first "To" address. */
  to: string;
}

/** The escalation's reason key (workflows/follow-up.ts, steps.ts) from the reason it logged. */
function escalationKey(entry: HistoryEntry, history: HistoryEntry[]): string {
  const detail = entry.detail ?? '';
  if (detail.startsWith('Initiation was due by')) return 'initiation-overdue';
  if (detail.startsWith('Registration instructions were due by')) return 'instructions-overdue';
  const reminders = /^(\d+) reminders to the signing official/.exec(detail);
  if (reminders) return `reminders-${reminders[1]}`;
  if (/^The \S+ message could not be delivered/.test(detail)) {
    // Its key is in the `email-failed` entry just before: "<kind> (<key>): why".
    const failed = history[history.indexOf(entry) - 1];
    const match = /^(\S+) \((.+?)\): /.exec(failed?.detail ?? '');
    if (match) return `email-${match[1]}-${match[2]}`;
  }
  throw new Error(`no escalation key known for "${detail}"`);
}

/**
 * Every message the agreement's history says it sent. Supports agreements with one requester (a join
 * before or after triage changes who heard what, which the fault tests do not exercise).
 */
export function expectedMessages(
  status: AgreementStatus,
  ref: string,
  accessTeam: string,
): ExpectedMessage[] {
  const { agreementId, history } = status;
  if (status.requesters.length !== 1) throw new Error(`${agreementId}: expected one requester`);
  const requester = status.requesters[0]!.email;
  const official = status.signingOfficial.email;
  const out: ExpectedMessage[] = [];
  const add = (kind: string, key: string, to: string) => {
    const idempotencyKey = `${ref}/${kind}/${key}`;
    out.push({ agreementId, kind, key, messageId: messageIdFor(idempotencyKey), to });
  };
  let packageAttempt = 0;
  // Automatic initiation holds the requester's first message until the package is out (patch
  // one-first-mail): it goes with the first outcome of the package, and is dropped if the agreement
  // ended meanwhile.
  let receiptHeld = false;
  const release = () => {
    if (receiptHeld) add('request-received', `received/${requester}`, requester);
    const was = receiptHeld;
    receiptHeld = false;
    return was;
  };
  for (const entry of history) {
    const number = /^#(\d+)/.exec(entry.detail ?? '')?.[1];
    switch (entry.event) {
      case 'initiation-due': // triage done: the requester hears the request is in
        if (status.policy.initiation === 'auto') receiptHeld = true;
        else add('request-received', `received/${requester}`, requester);
        break;
      case 'initiation-failed':
        packageAttempt++;
        release();
        break;
      case 'initiated':
        add('initiation-package', `${official}/${packageAttempt}`, official);
        if (!release()) add('status-update', `initiated/${requester}`, requester);
        break;
      case 'initiation-package-sent': // delivered after a cancel overtook it
        add('initiation-package', `${official}/${packageAttempt}`, official);
        break;
      case 'reminder-sent':
        add('reminder', number!, official);
        break;
      case 'status-update-sent':
        add('status-update', `${number}/${requester}`, requester);
        break;
      case 'escalated':
        add('escalation', escalationKey(entry, history), accessTeam);
        break;
      case 'executed':
        add('executed', `executed/${requester}`, requester);
        break;
      case 'instructions-sent':
        add('registration-instructions', requester, requester);
        break;
      case 'cancelled':
      case 'declined':
      case 'not-needed':
        receiptHeld = false;
        add(entry.event, `${entry.event}/${requester}`, requester);
        // The official held the package: a closed notice (since patch agreement-ids).
        if (entry.event !== 'not-needed' && history.some((h) => h.event === 'initiated'))
          add('closed-notice', `${entry.event}/${official}`, official);
        break;
      case 'requester-joined':
      case 'official-changed':
        throw new Error(`${agreementId}: ${entry.event} is not modelled here`);
    }
  }
  return out;
}

export interface MailComparison {
  /** Expected and never arrived. */
  missing: ExpectedMessage[];
  /** Arrived and not expected (a message the history does not know). */
  unexpected: SinkMessage[];
  /** Arrived, expected, but to someone else. */
  misaddressed: { expected: ExpectedMessage; arrived: SinkMessage }[];
  /** Message-IDs that arrived more than once. */
  duplicates: Map<string, SinkMessage[]>;
}

export function compareWithSink(expected: ExpectedMessage[], arrived: SinkMessage[]): MailComparison {
  const byId = new Map(expected.map((e) => [e.messageId, e]));
  const seen = new Map<string, SinkMessage[]>();
  for (const m of arrived) seen.set(m.messageId, [...(seen.get(m.messageId) ?? []), m]);
  return {
    missing: expected.filter((e) => !seen.has(e.messageId)),
    unexpected: arrived.filter((m) => !byId.has(m.messageId)),
    misaddressed: arrived.flatMap((m) => {
      const e = byId.get(m.messageId);
      return e && (m.to[0] !== e.to || m.kind !== e.kind) ? [{ expected: e, arrived: m }] : [];
    }),
    duplicates: new Map([...seen].filter(([, all]) => all.length > 1)),
  };
}

/** "kind: n" counts, for a failure message or the test's summary line. */
export function countByKind(messages: { kind: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of messages) counts[m.kind] = (counts[m.kind] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort());
}
