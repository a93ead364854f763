/** Human views of agreements for the terminal (colour only on a TTY). */
import { officialsOf, type AgreementStatus, type SigningOfficial } from '../common/agreement';

const tty = process.stdout.isTTY === true && !process.env.NO_COLOR;
const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const red = (s: string) => (tty ? `\x1b[31m${s}\x1b[0m` : s);

/** An instant as "2026-11-24 17:00 America/New_York" (the access team's clock), or a dash. */
export function when(iso: string | null): string {
  if (!iso) return '-';
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'America/New_York',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} ET`;
}

const officialLine = (o: SigningOfficial) => `${o.name} <${o.email}>${o.title ? `, ${o.title}` : ''}`;

export function statusView(s: AgreementStatus): string {
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
    ['Received', when(s.receivedAt)],
    ['Initiation due by', when(s.initiationDueBy)],
    ['Initiated', when(s.initiatedAt)],
    ['Reminders sent', String(s.remindersSent)],
    [
      'Next reminder',
      s.remindersPausedUntil ? `paused until ${when(s.remindersPausedUntil)}` : when(s.nextReminderAt),
    ],
    ['Executed', s.executedAt ? `${when(s.executedAt)} (signed ${s.signedOn})` : '-'],
    ['Instructions due by', when(s.instructionsDueBy)],
    ['Instructions sent', when(s.instructionsSentAt)],
  ];
  if (s.endReason) rows.push(['Ended', `${when(s.endedAt)}: ${s.endReason}`]);
  for (const [i, e] of (s.earlierAgreements ?? []).entries())
    rows.push([
      i === 0 ? 'Earlier agreements' : '',
      `${e.agreementId}: ${e.stage}, ${e.tiers.join(', ')}, received ${when(e.receivedAt)}`,
    ]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return [
    bold(s.agreementId),
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    '',
    historyView(s),
  ].join('\n');
}

export function historyView(s: AgreementStatus): string {
  return [
    'History',
    ...s.history.map((h) => `  ${when(h.at)}  ${h.event}${h.detail ? `: ${h.detail}` : ''}`),
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
